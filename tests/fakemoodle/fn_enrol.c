/* fn_enrol.c -- the enrolment functions: enrol_manual_enrol_users (re-enrol
 * overwrites, roles add up, the welcome message, TypeError for a missing
 * user), enrol_manual_unenrol_users (no-op when not enrolled, the
 * last-enrolment cleanup), core_enrol_get_enrolled_users (options,
 * onlyactive/onlysuspended, paging, sorting), get_course_enrolment_methods,
 * get_users_courses. */
#include "config.h"
#include "functions.h"
#include "access.h"
#include "mtext.h"
#include "userdetails.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- enrol ---- */

/* get_welcome_message_contact(ENROL_SEND_EMAIL_FROM_COURSE_CONTACT): the
 * first user holding a course-contact role (role by role, in the
 * coursecontact order) in the course or a parent context, by
 * assignment id. Returns NULL when there is none. */
static muser *welcome_contact(state *st, mcourse *co)
{
	mid ctxs[16];
	size_t nctx = 0;
	ctxs[nctx++] = co->contextid;
	for (mcategory *k = co->cat; k && nctx < 15; k = k->parent ? st_cat(st, k->parent) : NULL)
		ctxs[nctx++] = k->contextid;
	ctxs[nctx++] = 1;
	for (size_t r = 0; r < st->set.coursecontact.n; r++) {
		mid roleid = (mid)(intptr_t)st->set.coursecontact.v[r];
		mra *best = NULL;
		for (size_t i = 0; i < nctx; i++) {
			vec *ras = u64map_get(&st->ra_by_ctx, (uint64_t)ctxs[i]);
			for (size_t j = 0; ras && j < ras->n; j++) {
				mra *ra = ras->v[j];
				muser *u = st_user(st, ra->userid);
				if (ra->roleid == roleid && u && !u->deleted && (!best || ra->id < best->id))
					best = ra;
			}
		}
		if (best)
			return st_user(st, best->userid);
	}
	return NULL;
}

/* The after_user_enrolled hook: the course welcome message, stored as a
 * notification (customint1: 1 from the course contact, 3 from the
 * no-reply user; no message without a sender). */
static void welcome_message(wsctx *c, mcourse *co, menrol *inst, muser *u)
{
	mid from;
	if (inst->customint1 == 3)
		from = -10;
	else {
		muser *contact = welcome_contact(c->st, co);
		if (!contact)
			return;
		from = contact->id;
	}
	mnotif *n = xcalloc(1, sizeof *n);
	n->useridto = u->id;
	n->useridfrom = from;
	n->eventtype = xstrdup("enrolcoursewelcomemessage");
	strbuf t = STRBUF_INIT;
	mt_format_string(&t, co->fullname);
	n->subject = xasprintf("Welcome to %s", sb_str(&t));
	sb_free(&t);
	n->timecreated = st_now(c->st);
	st_notif_insert(c->st, n);
}

/* role_assign(): 0, or -1 with codingerror for a missing or deleted user. */
static int role_assign(wsctx *c, mid roleid, mid userid, mid contextid)
{
	muser *u = st_user(c->st, userid);
	if (!userid)
		return ws_coding(c, "Invalid call to role_assign(), userid can not be empty", NULL);
	if (!u || u->deleted)
		return ws_coding(c, "User ID does not exist or is deleted!", ws_fmt(c, "userid:%lld", userid));
	const vec *ras = st_ras(c->st, contextid, userid);
	for (size_t i = 0; ras && i < ras->n; i++) {
		mra *ra = ras->v[i];
		if (ra->roleid == roleid && !strcmp(ra->component, "") && ra->itemid == 0)
			return 0;
	}
	mra *ra = xcalloc(1, sizeof *ra);
	ra->roleid = roleid;
	ra->userid = userid;
	ra->contextid = contextid;
	ra->timemodified = st_now(c->st);
	st_ra_insert(c->st, ra);
	return 0;
}

int fn_enrol_users(wsctx *c)
{
	state *st = c->st;
	pv *list = vp_get(c->params, "enrolments");
	for (size_t i = 0; i < vp_len(list); i++) {
		pv *it = vp_item(list, i);
		mid courseid = vp_int(it, "courseid", 0), userid = vp_int(it, "userid", 0);
		mid roleid = vp_int(it, "roleid", 0);
		mcourse *co = st_course(st, courseid);
		if (!co)
			return ws_invalid_param(c, "Context does not exist");
		if (acc_require_login(c, co))
			return -1;
		if (acc_require(c, "enrol/manual:enrol"))
			return -1;
		if (!acc_can_assign(c, roleid, CTX_COURSE))
			return ws_moodle(c, "wsusercannotassign",
					 ws_fmt(c, "You don't have the permission to assign this role (%lld) to this user (%lld) "
						   "in this course (%lld).", roleid, userid, courseid), NULL);
		menrol *inst = st_course_instance(co, "manual", true);
		if (!inst)
			return ws_moodle(c, "wsnoinstance",
					 ws_fmt(c, "Manual enrolment plugin instance doesn't exist or is disabled for the "
						   "course (id = %lld)", courseid), NULL);
		long long timestart = vp_int(it, "timestart", 0), timeend = vp_int(it, "timeend", 0);
		const char *sus = vp_str(it, "suspend");
		int status = sus && !mt_php_empty(sus) ? ENROL_SUSPENDED : ENROL_ACTIVE;
		/* enrol_user() */
		muenrol *ue = st_ue(inst, userid);
		long long now = st_now(st);
		if (ue) {
			if (ue->timestart != timestart || ue->timeend != timeend || ue->status != status) {
				st_set_int(st, &ue->status, status);
				st_set_ll(st, &ue->timestart, timestart);
				st_set_ll(st, &ue->timeend, timeend);
				st_set_ll(st, &ue->timemodified, now);
			}
		} else {
			ue = xcalloc(1, sizeof *ue);
			ue->userid = userid;
			ue->status = status;
			ue->timestart = timestart;
			ue->timeend = timeend;
			ue->timecreated = ue->timemodified = now;
			st_ue_insert(st, inst, ue);
		}
		/* the after_user_enrolled hook: the welcome message */
		if (inst->customint1) {
			muser *u = st_user(st, userid);
			if (!u)
				return ws_php_error(c, "TypeError",
						    "core\\user::get_name_placeholders(): Argument #1 ($user) must be of type "
						    "stdClass, bool given, called in /var/www/moodle/lib/enrollib.php on line 3674");
			welcome_message(c, co, inst, u);
		}
		if (roleid && role_assign(c, roleid, userid, co->contextid))
			return -1;
	}
	return 0;
}

/* ---- unenrol ---- */

static void unenrol_user(wsctx *c, mcourse *co, menrol *inst, mid userid)
{
	state *st = c->st;
	muenrol *ue = st_ue(inst, userid);
	if (!ue)
		return;
	muser *u = st_user(st, userid);
	/* groups and roles given by this plugin instance */
	for (size_t i = u ? u->members.n : 0; i-- > 0;) {
		mmember *m = u->members.v[i];
		if (!strcmp(m->component, "enrol_manual") && m->itemid == inst->id)
			st_member_delete(st, m);
	}
	const vec *ras = st_ras(st, co->contextid, userid);
	for (size_t i = ras ? ras->n : 0; i-- > 0;) {
		mra *ra = ras->v[i];
		if (!strcmp(ra->component, "enrol_manual") && ra->itemid == inst->id) {
			st_ra_delete(st, ra);
			ras = st_ras(st, co->contextid, userid);
			if (!ras)
				break;
		}
	}
	st_ue_delete(st, ue);
	if (acc_is_enrolled(st, co, userid, false))
		return;
	/* the last enrolment: every role in the course, every group membership */
	while ((ras = st_ras(st, co->contextid, userid)))
		st_ra_delete(st, ras->v[ras->n - 1]);
	for (size_t i = u ? u->members.n : 0; i-- > 0;) {
		mmember *m = u->members.v[i];
		if (m->group->courseid == co->id)
			st_member_delete(st, m);
	}
}

int fn_unenrol_users(wsctx *c)
{
	state *st = c->st;
	pv *list = vp_get(c->params, "enrolments");
	for (size_t i = 0; i < vp_len(list); i++) {
		pv *it = vp_item(list, i);
		mid courseid = vp_int(it, "courseid", 0), userid = vp_int(it, "userid", 0);
		mcourse *co = st_course(st, courseid);
		if (!co)
			return ws_missing_record(c, "course", ws_fmt(c, "SELECT id,category FROM {course} WHERE id = ?\n"
								     "[array (\n  0 => %lld,\n)]", courseid));
		if (acc_require_login(c, co))
			return -1;
		if (acc_require(c, "enrol/manual:unenrol"))
			return -1;
		menrol *inst = st_course_instance(co, "manual", false);
		if (!inst)
			return ws_moodle(c, "wsnoinstance",
					 ws_fmt(c, "Manual enrolment plugin instance doesn't exist or is disabled for the "
						   "course (id = %lld)", courseid), NULL);
		if (!st_user(st, userid))
			return ws_invalid_param(c, ws_fmt(c, "User id not exist: %lld", userid));
		unenrol_user(c, co, inst, userid);
	}
	return 0;
}

/* ---- get_enrolled_users ---- */

typedef struct eu_opts {
	const char *withcapability;
	long long groupid;
	bool onlyactive, onlysuspended;
	unsigned long long fields;
	const char *badfield;       /* invaliduserfield, thrown when a user is rendered */
	long long limitfrom, limitnumber;
	int sortby;                 /* 0 id, 1 firstname, 2 lastname, 3 siteorder */
	bool desc;
} eu_opts;

static int parse_options(wsctx *c, pv *options, eu_opts *o)
{
	memset(o, 0, sizeof *o);
	o->fields = 0;
	bool userfields = false;
	for (size_t i = 0; i < vp_len(options); i++) {
		pv *op = vp_item(options, i);
		const char *name = vp_str(op, "name"), *value = vp_str(op, "value");
		if (!strcmp(name, "withcapability"))
			o->withcapability = value;
		else if (!strcmp(name, "groupid"))
			o->groupid = mt_php_intval(value);
		else if (!strcmp(name, "onlyactive"))
			o->onlyactive = !mt_php_empty(value);
		else if (!strcmp(name, "onlysuspended"))
			o->onlysuspended = !mt_php_empty(value);
		else if (!strcmp(name, "userfields")) {
			userfields = true;
			o->fields = 0;
			o->badfield = NULL;
			const char *p = value;
			for (;;) {
				const char *comma = strchr(p, ',');
				size_t n = comma ? (size_t)(comma - p) : strlen(p);
				strbuf f = STRBUF_INIT;
				param_clean(&f, P_ALPHANUMEXT, p, n, NULL);
				int bit = ud_field(sb_str(&f));
				if (bit < 0) {
					if (!o->badfield)
						o->badfield = ws_fmt(c, "%s", sb_str(&f));
				} else
					o->fields |= 1ULL << bit;
				sb_free(&f);
				if (!comma)
					break;
				p = comma + 1;
			}
		} else if (!strcmp(name, "limitfrom"))
			o->limitfrom = mt_php_intval(value);
		else if (!strcmp(name, "limitnumber"))
			o->limitnumber = mt_php_intval(value);
		else if (!strcmp(name, "sortby")) {
			static const char *const allowed[] = { "id", "firstname", "lastname", "siteorder" };
			int found = -1;
			for (int k = 0; k < 4; k++)
				if (!strcmp(allowed[k], value))
					found = k;
			if (found < 0)
				return ws_invalid_param(c, ws_fmt(c, "Invalid value for sortby parameter (value: %s),allowed "
								     "values are: id,firstname,lastname,siteorder", value));
			o->sortby = found;
		} else if (!strcmp(name, "sortdirection")) {
			strbuf up = STRBUF_INIT;
			for (const char *p = value; *p; p++)
				sb_addc(&up, (*p >= 'a' && *p <= 'z') ? (char)(*p - 32) : *p);
			const char *d = sb_str(&up);
			if (strcmp(d, "ASC") && strcmp(d, "DESC")) {
				int rc = ws_invalid_param(c, ws_fmt(c, "Invalid value for sortdirection parameter\n"
								       "                        (value: %s),allowed values are: "
								       "ASC,DESC", d));
				sb_free(&up);
				return rc;
			}
			o->desc = !strcmp(d, "DESC");
			sb_free(&up);
		}
	}
	if (!userfields)
		o->fields = UF_ALL;
	return 0;
}

static mcourse *sort_course;
static eu_opts *sort_opts;

static int cmp_eu(const void *a, const void *b)
{
	const muser *x = *(muser *const *)a, *y = *(muser *const *)b;
	int c = 0;
	if (sort_opts->sortby == 1)
		c = strcmp(st_s(x->firstname), st_s(y->firstname));
	else if (sort_opts->sortby == 2)
		c = strcmp(st_s(x->lastname), st_s(y->lastname));
	else if (sort_opts->sortby == 3) {
		/* users_order_by_sql(): lastname, firstname, id -- the direction applies to id */
		c = strcmp(st_s(x->lastname), st_s(y->lastname));
		if (!c)
			c = strcmp(st_s(x->firstname), st_s(y->firstname));
		if (c)
			return c;
	}
	if (c)
		return sort_opts->desc ? -c : c;
	c = x->id < y->id ? -1 : x->id > y->id;
	return sort_opts->desc && sort_opts->sortby != 1 && sort_opts->sortby != 2 ? -c : c;
}

/* has_capability(cap, course, user) for the few capabilities withcapability
 * is used with: by the archetypes of the user's roles in the course. */
static bool user_has_course_cap(state *st, muser *u, mcourse *co, const char *cap)
{
	if (st_is_siteadmin(st, u->id))
		return true;
	static const struct {
		const char *cap;
		const char *archetypes;
	} caps[] = {
		{ "moodle/course:update", "manager editingteacher" },
		{ "moodle/course:view", "manager" },
		{ "moodle/course:viewhiddencourses", "manager coursecreator editingteacher teacher" },
		{ "moodle/course:isincompletionreports", "student" },
		{ "moodle/course:viewparticipants", "manager editingteacher teacher student" },
		{ "moodle/grade:view", "student" },
		{ "moodle/grade:viewall", "manager editingteacher teacher" },
		{ "mod/assign:submit", "student" },
		{ "mod/assign:grade", "manager editingteacher teacher" },
		{ "mod/forum:replypost", "manager editingteacher teacher student" },
	};
	const char *archs = NULL;
	for (size_t i = 0; i < ARRAY_LEN(caps); i++)
		if (!strcmp(caps[i].cap, cap))
			archs = caps[i].archetypes;
	if (!archs)
		return false;
	const vec *ras = st_ras(st, co->contextid, u->id);
	for (size_t i = 0; ras && i < ras->n; i++) {
		mrole *r = st_role(st, ((mra *)ras->v[i])->roleid);
		if (r && *r->archetype && strstr(archs, r->archetype))
			return true;
	}
	return false;
}

int fn_get_enrolled_users(wsctx *c)
{
	state *st = c->st;
	mid courseid = vp_int(c->params, "courseid", 0);
	eu_opts o;
	if (parse_options(c, vp_get(c->params, "options"), &o))
		return -1;
	mcourse *co = st_course(st, courseid);
	if (!co)
		return ws_missing_record(c, "course", ws_fmt(c, "SELECT * FROM {course} WHERE id = ?\n[array (\n  0 => %lld,\n)]",
							     courseid));
	bool front = co->id == 1;
	if (!front && acc_require_login(c, co))
		return ws_wrap_course_context(c, courseid);
	if (acc_require(c, front ? "moodle/site:viewparticipants" : "moodle/course:viewparticipants"))
		return -1;
	if (o.withcapability && *o.withcapability && acc_require(c, "moodle/role:review"))
		return -1;
	if (o.groupid) {
		mgroup *g = st_group(st, o.groupid);
		bool member = g && u64map_get(&g->members, (uint64_t)c->user->id);
		if (!member && acc_require(c, "moodle/site:accessallgroups"))
			return -1;
	}
	if (o.onlyactive && acc_require(c, "moodle/course:enrolreview"))
		return -1;
	if (o.onlysuspended && acc_require(c, "moodle/course:enrolreview"))
		return -1;
	if (o.onlyactive && o.onlysuspended)
		return ws_coding(c, "Both onlyactive and onlysuspended are set, this is probably not what you want!", NULL);
	if (front && o.onlysuspended)
		return ws_coding(c, "onlysuspended is not supported on frontpage; please add your own early-exit!", NULL);

	vec users = { 0 };
	if (front) {
		for (size_t i = 0; i < st->users_cap; i++)
			if (st->users[i] && !st->users[i]->deleted)
				vec_push(&users, st->users[i]);
	} else {
		u64map seen = { 0 };
		for (size_t i = 0; i < co->enrols.n; i++) {
			menrol *e = co->enrols.v[i];
			size_t it = 0;
			uint64_t k;
			void *v;
			while (u64map_next(&e->ues, &it, &k, &v)) {
				muser *u = st_user(st, (mid)k);
				if (!u || u->deleted)
					continue;
				bool active = acc_is_enrolled(st, co, u->id, true);
				if (o.onlyactive && !active)
					continue;
				if (o.onlysuspended && active)
					continue;
				if (!u64map_get(&seen, k)) {
					u64map_put(&seen, k, u);
					vec_push(&users, u);
				}
			}
		}
		u64map_free(&seen);
	}
	/* groupid, separate groups, withcapability */
	mgroup *g = o.groupid ? st_group(st, o.groupid) : NULL;
	bool sepgroups = !o.groupid && co->groupmode == 1 && !acc_has(c, "moodle/site:accessallgroups");
	size_t w = 0;
	for (size_t i = 0; i < users.n; i++) {
		muser *u = users.v[i];
		if (o.groupid && !(g && u64map_get(&g->members, (uint64_t)u->id)))
			continue;
		if (sepgroups) {
			bool shared = false;
			for (size_t k = 0; k < u->members.n && !shared; k++) {
				mmember *m = u->members.v[k];
				shared = m->group->courseid == co->id && u64map_get(&m->group->members, (uint64_t)c->user->id);
			}
			if (!shared)
				continue;
		}
		if (o.withcapability && *o.withcapability && !user_has_course_cap(st, u, co, o.withcapability))
			continue;
		users.v[w++] = u;
	}
	users.n = w;
	sort_course = co;
	sort_opts = &o;
	vec_sort(&users, cmp_eu);
	size_t from = o.limitfrom > 0 ? (size_t)o.limitfrom : 0;
	size_t to = users.n;
	if (o.limitnumber > 0 && from + (size_t)o.limitnumber < to)
		to = from + (size_t)o.limitnumber;
	static const char *const keep[] = { "id", "username", "firstname", "lastname", "fullname", "email", "address",
					    "phone1", "phone2", "department", "institution", "idnumber", "interests",
					    "firstaccess", "lastaccess", "lastcourseaccess", "description",
					    "descriptionformat", "city", "country", "profileimageurlsmall", "profileimageurl",
					    "customfields", "groups", "roles", "preferences", "enrolledcourses", NULL };
	json_object *list = json_object_new_array();
	for (size_t i = from; i < to; i++) {
		if (o.badfield) {
			json_object_put(list);
			vec_free(&users);
			return ws_moodle(c, "invaliduserfield", ws_fmt(c, "Invalid user field: %s", o.badfield), NULL);
		}
		json_object *d = ud_details(c, users.v[i], co, o.fields);
		if (!d)
			continue;
		ud_keep(d, keep);
		json_object_array_add(list, d);
	}
	vec_free(&users);
	c->result = list;
	return 0;
}

/* ---- get_course_enrolment_methods ---- */

int fn_get_course_enrolment_methods(wsctx *c)
{
	mid courseid = vp_int(c->params, "courseid", 0);
	mcourse *co = st_course(c->st, courseid);
	if (!co)
		return ws_missing_record(c, "course", ws_fmt(c, "SELECT * FROM {course} WHERE id = ?\n[array (\n  0 => %lld,\n)]",
							     courseid));
	bool viewinfo = co->visible || acc_has(c, "moodle/course:viewhiddencourses") || acc_has(c, "moodle/course:update");
	if (!viewinfo && acc_require_login(c, co)) {
		memset(&c->err, 0, sizeof c->err);
		return ws_moodle(c, "coursehidden", "error/coursehidden", NULL);
	}
	json_object *list = json_object_new_array();
	for (size_t i = 0; i < co->enrols.n; i++) {
		menrol *e = co->enrols.v[i];
		if (e->status != ENROL_INSTANCE_ENABLED)
			continue;
		bool self = !strcmp(e->enrol, "self"), guest = !strcmp(e->enrol, "guest");
		if (!self && !guest)
			continue;
		json_object *o = json_object_new_object();
		jadd(o, "id", jint(e->id));
		jadd(o, "courseid", jint(co->id));
		jadd(o, "type", ws_jstr(e->enrol));
		if (self) {
			mrole *r = st_role(c->st, e->roleid);
			const char *rn = r ? r->shortname : "student";
			char cap[64];
			snprintf(cap, sizeof cap, "%s", rn);
			if (cap[0] >= 'a' && cap[0] <= 'z')
				cap[0] = (char)(cap[0] - 32);
			jadd(o, "name", ws_jstr(ws_fmt(c, "Self enrolment (%s)", cap)));
		} else
			jadd(o, "name", ws_jstr("Guest access"));
		jadd(o, "status", jbool(true));
		jadd(o, "wsfunction", ws_jstr(self ? "enrol_self_get_instance_info" : "enrol_guest_get_instance_info"));
		json_object_array_add(list, o);
	}
	c->result = list;
	return 0;
}

/* ---- get_users_courses ---- */

static bool tracked(state *st, muser *u, mcourse *co)
{
	if (!acc_is_enrolled(st, co, u->id, true))
		return false;
	const vec *ras = st_ras(st, co->contextid, u->id);
	for (size_t i = 0; ras && i < ras->n; i++) {
		mrole *r = st_role(st, ((mra *)ras->v[i])->roleid);
		if (r && !strcmp(r->archetype, "student"))
			return true;
	}
	return false;
}

static long long enrolled_count(state *st, mcourse *co)
{
	u64map seen = { 0 };
	long long n = 0;
	for (size_t i = 0; i < co->enrols.n; i++) {
		menrol *e = co->enrols.v[i];
		size_t it = 0;
		uint64_t k;
		void *v;
		while (u64map_next(&e->ues, &it, &k, &v)) {
			muser *u = st_user(st, (mid)k);
			if (!u || u->deleted || u64map_get(&seen, k))
				continue;
			u64map_put(&seen, k, u);
			n++;
		}
	}
	u64map_free(&seen);
	return n;
}

int fn_get_users_courses(wsctx *c)
{
	state *st = c->st;
	mid userid = vp_int(c->params, "userid", 0);
	bool returnusercount = vp_str(c->params, "returnusercount")[0] == '1';
	muser *u = st_user(st, userid);
	json_object *list = json_object_new_array();
	c->result = list;
	if (!u)
		return 0;
	bool same = u->id == c->user->id;
	vec cs = { 0 };
	ud_users_courses(st, u, true, &cs);
	for (size_t i = 0; i < cs.n; i++) {
		mcourse *co = cs.v[i];
		if (acc_require_login(c, co)) {
			memset(&c->err, 0, sizeof c->err);
			continue;
		}
		if (!same && !acc_has(c, "moodle/course:viewparticipants"))
			continue;
		json_object *o = json_object_new_object();
		jadd(o, "id", jint(co->id));
		jadd(o, "shortname", ws_fstring(c, co->shortname));
		jadd(o, "fullname", ws_fstring(c, co->fullname));
		jadd(o, "displayname", ws_fstring(c, co->fullname));
		if (returnusercount)
			jadd(o, "enrolledusercount", jint(enrolled_count(st, co)));
		jadd(o, "idnumber", ws_jstr(co->idnumber));
		jadd(o, "visible", jint(co->visible));
		int fmt;
		json_object *summary = ws_ftext(c, co->summary, co->summaryformat, &fmt);
		jadd(o, "summary", summary);
		jadd(o, "summaryformat", jint(fmt));
		jadd(o, "format", ws_jstr(co->format));
		jadd(o, "courseimage", ws_jstr(ws_fmt(c, "%s/pluginfile.php/%lld/course/generated/course.svg", c->wwwroot,
						      co->contextid)));
		jadd(o, "showgrades", jbool(co->showgrades != 0));
		jadd(o, "lang", ws_jstr(param_lang_installed(co->lang) ? co->lang : ""));
		bool canview = same || c->admin;
		bool completion = canview && co->enablecompletion;
		jadd(o, "enablecompletion", jbool(co->enablecompletion != 0));
		jadd(o, "completionhascriteria", jbool(false));
		jadd(o, "completionusertracked", jbool(completion && tracked(st, u, co)));
		jadd(o, "category", jint(co->category));
		jadd(o, "progress", NULL);
		jadd(o, "completed", completion ? jbool(false) : NULL);
		jadd(o, "startdate", jint(co->startdate));
		jadd(o, "enddate", jint(co->enddate));
		jadd(o, "marker", jint(co->marker));
		jadd(o, "lastaccess", NULL);
		jadd(o, "isfavourite", jbool(false));
		jadd(o, "hidden", jbool(false));
		jadd(o, "overviewfiles", json_object_new_array());
		jadd(o, "showactivitydates", jbool(co->showactivitydates != 0));
		jadd(o, "showcompletionconditions", co->showcompletionconditions < 0 ? NULL
							 : jbool(co->showcompletionconditions != 0));
		jadd(o, "timemodified", jint(co->timemodified));
		json_object_array_add(list, o);
	}
	vec_free(&cs);
	return 0;
}
