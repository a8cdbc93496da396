/* fn_roles.c -- core_role_assign_roles / core_role_unassign_roles:
 * contexts by id or by level and instance, assignability, no-ops. */
#include "config.h"
#include "functions.h"
#include "access.h"
#include "mtext.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_level(const char *s)
{
	static const struct {
		const char *name;
		int level;
	} levels[] = { { "system", CTX_SYSTEM }, { "user", CTX_USER },   { "coursecat", CTX_COURSECAT },
		       { "course", CTX_COURSE }, { "module", CTX_MODULE }, { "block", CTX_BLOCK } };
	for (size_t i = 0; i < ARRAY_LEN(levels); i++)
		if (!strcmp(levels[i].name, s))
			return levels[i].level;
	return 0;
}

/* get_context_from_params() + validate_context(): the context, or NULL
 * with the error set. */
static mcontext *context_from(wsctx *c, pv *it)
{
	const char *cid = vp_str(it, "contextid");
	const char *level = vp_str(it, "contextlevel");
	mcontext *ctx = NULL;
	if (cid && !mt_php_empty(cid))
		ctx = st_context(c->st, mt_php_intval(cid));
	else if (level && !mt_php_empty(level) && vp_has(it, "instanceid")) {
		int lv = parse_level(level);
		if (!lv) {
			ws_invalid_param(c, ws_fmt(c, "Invalid context level = %s", level));
			return NULL;
		}
		ctx = lv == CTX_SYSTEM ? st_context(c->st, 1) : st_context_of(c->st, lv, vp_int(it, "instanceid", 0));
	} else {
		ws_invalid_param(c, "Missing parameters, please provide either context level with instance id or contextid");
		return NULL;
	}
	if (!ctx) {
		ws_invalid_param(c, "Context does not exist");
		return NULL;
	}
	if (ctx->level == CTX_COURSE) {
		mcourse *co = st_course(c->st, ctx->instance);
		if (co && acc_require_login(c, co))
			return NULL;
	}
	return ctx;
}

static int assign_or_unassign(wsctx *c, const char *listkey, bool assign)
{
	state *st = c->st;
	pv *list = vp_get(c->params, listkey);
	for (size_t i = 0; i < vp_len(list); i++) {
		pv *it = vp_item(list, i);
		mcontext *ctx = context_from(c, it);
		if (!ctx)
			return -1;
		if (acc_require(c, "moodle/role:assign"))
			return -1;
		mid roleid = vp_int(it, "roleid", 0), userid = vp_int(it, "userid", 0);
		if (!acc_can_assign(c, roleid, ctx->level)) {
			const char *cid = vp_str(it, "contextid");
			return ws_invalid_param(c, ws_fmt(c, "Can not %s roleid=%lld in contextid=%s", assign ? "assign" : "unassign",
							  roleid, cid ? cid : ""));
		}
		if (assign) {
			muser *u = st_user(st, userid);
			if (!userid)
				return ws_coding(c, "Invalid call to role_assign(), userid can not be empty", NULL);
			if (!u || u->deleted)
				return ws_coding(c, "User ID does not exist or is deleted!", ws_fmt(c, "userid:%lld", userid));
			const vec *ras = st_ras(st, ctx->id, userid);
			bool have = false;
			for (size_t k = 0; ras && k < ras->n; k++) {
				mra *ra = ras->v[k];
				if (ra->roleid == roleid && !*ra->component && !ra->itemid)
					have = true;
			}
			if (have)
				continue;
			mra *ra = xcalloc(1, sizeof *ra);
			ra->roleid = roleid;
			ra->userid = userid;
			ra->contextid = ctx->id;
			ra->timemodified = st_now(st);
			st_ra_insert(st, ra);
		} else {
			const vec *ras;
			bool again = true;
			while (again && (ras = st_ras(st, ctx->id, userid))) {
				again = false;
				for (size_t k = 0; k < ras->n; k++) {
					mra *ra = ras->v[k];
					if (ra->roleid == roleid && !*ra->component && !ra->itemid) {
						st_ra_delete(st, ra);
						again = true;
						break;
					}
				}
			}
		}
	}
	return 0;
}

int fn_assign_roles(wsctx *c)
{
	return assign_or_unassign(c, "assignments", true);
}

int fn_unassign_roles(wsctx *c)
{
	return assign_or_unassign(c, "unassignments", false);
}
