/* fn_groups.c -- the group functions: create_groups (all-or-nothing; the
 * name check before the course check, trimmed after it), get_course_groups
 * (by name), add_group_members (enrolled users only, already a member is a
 * no-op). */
#include "config.h"
#include "functions.h"
#include "access.h"
#include "mtext.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *trimmed(const char *s)
{
	size_t n = strlen(s);
	mt_php_trim(&s, &n);
	return xstrndup(s, n);
}

static bool group_name_taken(mcourse *co, const char *name)
{
	for (size_t i = 0; i < co->groups.n; i++)
		if (!strcmp(((mgroup *)co->groups.v[i])->name, name))
			return true;
	return false;
}

/* groups_get_group_by_idnumber(): through the course's group cache, which
 * a rolled-back batch does not clear (a group it inserted stays visible
 * there until the next group change in the course). */
static bool group_idnumber_taken(state *st, mcourse *co, const char *idn)
{
	const vec *cache = st_groupcache(st, co);
	for (size_t i = 0; i < cache->n; i++)
		if (!strcmp(st_s(((mgroup *)cache->v[i])->idnumber), idn))
			return true;
	return false;
}

int fn_create_groups(wsctx *c)
{
	state *st = c->st;
	pv *list = vp_get(c->params, "groups");
	json_object *out = json_object_new_array();
	for (size_t i = 0; i < vp_len(list); i++) {
		pv *it = vp_item(list, i);
		const char *name = vp_str(it, "name");
		mid courseid = vp_int(it, "courseid", 0);
		mcourse *co = st_course(st, courseid);
		char *tn = trimmed(name);
		bool blank = !*tn;
		free(tn);
		if (blank) {
			ws_invalid_param(c, "Invalid group name");
			goto fail;
		}
		if (co && group_name_taken(co, name)) {
			ws_invalid_param(c, "Group with the same name already exists in the course");
			goto fail;
		}
		if (!co) {
			ws_invalid_param(c, "Context does not exist");
			ws_wrap_course_context(c, courseid);
			goto fail;
		}
		if (acc_require_login(c, co)) {
			ws_wrap_course_context(c, courseid);
			goto fail;
		}
		if (acc_require(c, "moodle/course:managegroups"))
			goto fail;
		long long df = vp_int(it, "descriptionformat", 1);
		if (!(df == 0 || df == 1 || df == 2 || df == 4)) {
			ws_moodle(c, "formatnotsupported", "error/formatnotsupported", NULL);
			goto fail;
		}
		long long vis = vp_int(it, "visibility", 0);
		if (vis < 0 || vis > 3) {
			ws_invalid_param(c, "Invalid group visibility");
			goto fail;
		}
		/* groups_create_group() */
		const char *idn = vp_str(it, "idnumber");
		char *idt = idn ? trimmed(idn) : NULL;
		if (idt && !mt_php_empty(idt) && group_idnumber_taken(st, co, idt)) {
			free(idt);
			ws_moodle(c, "idnumbertaken", "This ID number is already in use", NULL);
			goto fail;
		}
		mgroup *g = xcalloc(1, sizeof *g);
		g->courseid = co->id;
		g->name = trimmed(name);
		g->idnumber = idt ? idt : xstrdup("");
		g->description = xstrdup(vp_str(it, "description"));
		g->descriptionformat = (int)df;
		const char *key = vp_str(it, "enrolmentkey");
		g->enrolmentkey = key ? xstrdup(key) : NULL;
		g->visibility = (int)vis;
		g->participation = vp_str(it, "participation")[0] == '1' && vis <= 1;
		g->timecreated = g->timemodified = st_now(st);
		st_group_insert(st, g);
		st_groupcache_invalidate(co);
		json_object *o = json_object_new_object();
		jadd(o, "id", jint(g->id));
		jadd(o, "courseid", jint(g->courseid));
		jadd(o, "name", ws_jstr(g->name));
		jadd(o, "description", ws_jstr(g->description));
		jadd(o, "descriptionformat", jint(g->descriptionformat));
		jadd(o, "enrolmentkey", ws_jstr(key ? key : ""));
		jadd(o, "idnumber", ws_jstr(g->idnumber));
		jadd(o, "visibility", jint(g->visibility));
		jadd(o, "participation", jbool(g->participation));
		json_object_array_add(out, o);
	}
	c->result = out;
	return 0;
fail:
	json_object_put(out);
	return -1;
}

static int cmp_group(const void *a, const void *b)
{
	const mgroup *x = *(mgroup *const *)a, *y = *(mgroup *const *)b;
	int r = strcmp(x->name, y->name);
	if (r)
		return r;
	return x->id < y->id ? -1 : x->id > y->id;
}

int fn_get_course_groups(wsctx *c)
{
	mid courseid = vp_int(c->params, "courseid", 0);
	mcourse *co = st_course(c->st, courseid);
	if (!co) {
		ws_invalid_param(c, "Context does not exist");
		return ws_wrap_course_context(c, courseid);
	}
	if (acc_require_login(c, co))
		return ws_wrap_course_context(c, courseid);
	if (acc_require(c, "moodle/course:managegroups"))
		return -1;
	/* groups_get_all_groups() answers from the course's group cache */
	const vec *cache = st_groupcache(c->st, co);
	vec gs = { 0 };
	for (size_t i = 0; i < cache->n; i++)
		vec_push(&gs, cache->v[i]);
	vec_sort(&gs, cmp_group);
	json_object *list = json_object_new_array();
	for (size_t i = 0; i < gs.n; i++) {
		mgroup *g = gs.v[i];
		json_object *o = json_object_new_object();
		jadd(o, "id", jint(g->id));
		jadd(o, "courseid", jint(g->courseid));
		jadd(o, "name", ws_fstring(c, g->name));
		int fmt;
		json_object *d = ws_ftext(c, g->description, g->descriptionformat, &fmt);
		jadd(o, "description", d);
		jadd(o, "descriptionformat", jint(fmt));
		jadd(o, "enrolmentkey", g->enrolmentkey ? ws_jstr(g->enrolmentkey) : NULL);
		jadd(o, "idnumber", ws_jstr(g->idnumber));
		jadd(o, "visibility", jint(g->visibility));
		jadd(o, "participation", jbool(g->participation != 0));
		json_object_array_add(list, o);
	}
	vec_free(&gs);
	c->result = list;
	return 0;
}

int fn_add_group_members(wsctx *c)
{
	state *st = c->st;
	pv *list = vp_get(c->params, "members");
	for (size_t i = 0; i < vp_len(list); i++) {
		pv *it = vp_item(list, i);
		mid groupid = vp_int(it, "groupid", 0), userid = vp_int(it, "userid", 0);
		mgroup *g = st_group(st, groupid);
		if (!g)
			return ws_missing_record(c, "groups", ws_fmt(c, "SELECT * FROM {groups} WHERE id = ?\n"
								     "[array (\n  0 => %lld,\n)]", groupid));
		muser *u = st_user(st, userid);
		if (!u || u->deleted || u->mnethostid != 1)
			return ws_missing_record(c, "user", ws_fmt(c, "SELECT * FROM {user} WHERE id = ? AND deleted = ? "
								      "AND mnethostid = ?\n[array (\n  0 => %lld,\n  1 => 0,\n"
								      "  2 => '1',\n)]", userid));
		if (acc_require_login(c, g->course))
			return ws_wrap_course_context(c, g->courseid);
		if (acc_require(c, "moodle/course:managegroups"))
			return -1;
		if (!acc_is_enrolled(st, g->course, userid, false))
			return ws_invalid_param(c, "Only enrolled users may be members of groups");
		if (u64map_get(&g->members, (uint64_t)userid))
			continue;
		mmember *m = xcalloc(1, sizeof *m);
		m->userid = userid;
		m->timeadded = st_now(st);
		st_member_insert(st, g, m);
	}
	return 0;
}
