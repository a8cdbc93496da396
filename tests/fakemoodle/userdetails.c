/* userdetails.c -- user_get_user_details() and its helpers (see userdetails.h). */
#include "config.h"
#include "userdetails.h"
#include "access.h"
#include "mtext.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const field_names[UF__COUNT] = {
	"id", "username", "fullname", "firstname", "lastname", "email", "address", "phone1", "phone2",
	"department", "institution", "interests", "firstaccess", "lastaccess", "auth", "confirmed",
	"idnumber", "lang", "theme", "timezone", "mailformat", "trackforums", "description",
	"descriptionformat", "city", "country", "profileimageurlsmall", "profileimageurl", "customfields",
	"groups", "roles", "preferences", "enrolledcourses", "suspended", "lastcourseaccess",
};

const char *const ud_user_description_keys[] = {
	"id", "username", "firstname", "lastname", "fullname", "email", "address", "phone1", "phone2",
	"department", "institution", "idnumber", "interests", "firstaccess", "lastaccess", "auth",
	"suspended", "confirmed", "lang", "calendartype", "theme", "timezone", "mailformat", "trackforums",
	"description", "descriptionformat", "city", "country", "profileimageurlsmall", "profileimageurl",
	"customfields", "preferences", NULL
};

int ud_field(const char *name)
{
	for (int i = 0; i < UF__COUNT; i++)
		if (!strcmp(field_names[i], name))
			return i;
	return -1;
}

#define HAS(f) ((fields >> (f)) & 1ULL)

static bool truthy(const char *s)
{
	return !mt_php_empty(s);
}

bool ud_user_can_view_hidden(state *st, muser *u, mcourse *co)
{
	if (st_is_siteadmin(st, u->id))
		return true;
	for (size_t i = 0; i < u->ras.n; i++) {
		mra *ra = u->ras.v[i];
		mcontext *cx = st_context(st, ra->contextid);
		if (!cx)
			continue;
		bool applies = cx->level == CTX_SYSTEM || (cx->level == CTX_COURSE && cx->instance == co->id);
		if (cx->level == CTX_COURSECAT && co->cat) {
			for (mcategory *k = co->cat; k; k = k->parent ? st_cat(st, k->parent) : NULL)
				if (k->id == cx->instance)
					applies = true;
		}
		if (!applies)
			continue;
		mrole *r = st_role(st, ra->roleid);
		if (r && (!strcmp(r->archetype, "manager") || !strcmp(r->archetype, "coursecreator") ||
			  !strcmp(r->archetype, "editingteacher") || !strcmp(r->archetype, "teacher")))
			return true;
	}
	return false;
}

typedef struct ucourse {
	mcourse *c;
	long long sortorder;
} ucourse;

static int cmp_ucourse(const void *a, const void *b)
{
	const ucourse *x = a, *y = b;
	if (x->c->visible != y->c->visible)
		return y->c->visible - x->c->visible;
	return x->sortorder < y->sortorder ? -1 : x->sortorder > y->sortorder;
}

void ud_users_courses(state *st, muser *u, bool onlyactive, vec *out)
{
	ucourse *items = xcalloc(u->ues.n + 1, sizeof *items);
	size_t n = 0;
	for (size_t i = 0; i < u->ues.n; i++) {
		muenrol *ue = u->ues.v[i];
		mcourse *co = ue->inst->course;
		if (co->id == 1)
			continue;
		if (onlyactive && !acc_ue_active(st, ue))
			continue;
		bool dup = false;
		for (size_t k = 0; k < n; k++)
			if (items[k].c == co)
				dup = true;
		if (dup)
			continue;
		if (!co->visible && !ud_user_can_view_hidden(st, u, co))
			continue;
		items[n].c = co;
		items[n].sortorder = st_course_sortorder(st, co);
		n++;
	}
	if (n > 1)
		qsort(items, n, sizeof *items, cmp_ucourse);
	for (size_t i = 0; i < n; i++)
		vec_push(out, items[i].c);
	free(items);
}

static int cmp_ra(const void *a, const void *b)
{
	const mra *x = *(mra *const *)a, *y = *(mra *const *)b;
	if (x->roleid != y->roleid)
		return x->roleid < y->roleid ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int cmp_group_name(const void *a, const void *b)
{
	const mgroup *x = *(mgroup *const *)a, *y = *(mgroup *const *)b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	return x->id < y->id ? -1 : x->id > y->id;
}

json_object *ud_details(wsctx *c, muser *u, mcourse *course, unsigned long long fields)
{
	state *st = c->st;
	fields |= (1ULL << UF_ID) | (1ULL << UF_FULLNAME);
	bool current = u->id == c->user->id;
	bool isadmin = c->admin;
	/* the account's capabilities hold in every context */
	bool canviewdetails = acc_has(c, "moodle/user:viewdetails");
	bool alldetails = acc_has(c, "moodle/user:viewalldetails");
	bool identity = acc_has(c, "moodle/site:viewuseridentity"); /* showuseridentity = email */
	bool hiddenfields = course ? acc_has(c, "moodle/course:viewhiddenuserfields")
				   : acc_has(c, "moodle/user:viewhiddendetails");
	bool fullnames = acc_has(c, "moodle/site:viewfullnames");
	bool useremail = course ? acc_has(c, "moodle/course:useremail") : false;
	bool accessallgroups = course ? acc_has(c, "moodle/site:accessallgroups") : false;
	bool cannotviewdescription = !current && u->ras.n == 0; /* profilesforenrolledusersonly */

	if (!current && !canviewdetails && !acc_has_coursecontact_role(st, u->id))
		return NULL;

	json_object *o = json_object_new_object();
	jadd(o, "id", jint(u->id));
	if (HAS(UF_USERNAME) && (current || alldetails))
		jadd(o, "username", ws_jstr(u->username));
	if (isadmin || fullnames) {
		if (HAS(UF_FIRSTNAME))
			jadd(o, "firstname", ws_jstr(u->firstname));
		if (HAS(UF_LASTNAME))
			jadd(o, "lastname", ws_jstr(u->lastname));
	}
	char *full = st_fullname(u);
	jadd(o, "fullname", ws_jstr(full));
	free(full);
	if (HAS(UF_PROFILEIMAGEURL))
		jadd(o, "profileimageurl",
		     ws_jstr(ws_fmt(c, "%s/theme/image.php/boost/core/1795309617/u/f1", c->wwwroot)));
	if (HAS(UF_PROFILEIMAGEURLSMALL))
		jadd(o, "profileimageurlsmall",
		     ws_jstr(ws_fmt(c, "%s/theme/image.php/boost/core/1795309617/u/f2", c->wwwroot)));
	if (hiddenfields && truthy(u->address) && HAS(UF_ADDRESS))
		jadd(o, "address", ws_jstr(u->address));
	if (truthy(u->phone1) && HAS(UF_PHONE1) && hiddenfields)
		jadd(o, "phone1", ws_jstr(u->phone1));
	if (truthy(u->phone2) && HAS(UF_PHONE2) && hiddenfields)
		jadd(o, "phone2", ws_jstr(u->phone2));
	if (u->description && (!cannotviewdescription || isadmin) && HAS(UF_DESCRIPTION)) {
		int fmt;
		json_object *d = ws_ftext(c, u->description, u->descriptionformat, &fmt);
		jadd(o, "description", d);
		jadd(o, "descriptionformat", jint(fmt));
	}
	if (HAS(UF_COUNTRY) && truthy(u->country))
		jadd(o, "country", ws_jstr(u->country));
	if (HAS(UF_CITY) && truthy(u->city))
		jadd(o, "city", ws_jstr(u->city));
	if (HAS(UF_SUSPENDED))
		jadd(o, "suspended", jbool(u->suspended != 0));
	if (HAS(UF_FIRSTACCESS))
		jadd(o, "firstaccess", jint(u->firstaccess));
	if (HAS(UF_LASTACCESS))
		jadd(o, "lastaccess", jint(u->lastaccess));
	if (HAS(UF_LASTCOURSEACCESS) && course)
		jadd(o, "lastcourseaccess", jint(0));
	if (HAS(UF_EMAIL) && (isadmin || current || useremail || identity || u->maildisplay == 1 ||
			      (u->maildisplay == 2 && acc_sharing_course(st, u->id, c->user->id))))
		jadd(o, "email", ws_jstr(u->email));
	if (HAS(UF_INTERESTS) && u->interests && *u->interests)
		jadd(o, "interests", ws_jstr(u->interests));
	if (HAS(UF_IDNUMBER) && truthy(u->idnumber) && (current || alldetails))
		jadd(o, "idnumber", ws_jstr(u->idnumber));
	if (HAS(UF_INSTITUTION) && truthy(u->institution) && (current || alldetails))
		jadd(o, "institution", ws_jstr(u->institution));
	if (HAS(UF_DEPARTMENT) && u->department && (current || alldetails))
		jadd(o, "department", ws_jstr(u->department));
	if (HAS(UF_ROLES) && course) {
		json_object *roles = json_object_new_array();
		const vec *ras = st_ras(st, course->contextid, u->id);
		if (ras) {
			vec sorted = { 0 };
			for (size_t i = 0; i < ras->n; i++)
				vec_push(&sorted, ras->v[i]);
			vec_sort(&sorted, cmp_ra);
			for (size_t i = 0; i < sorted.n; i++) {
				mra *ra = sorted.v[i];
				mrole *r = st_role(st, ra->roleid);
				json_object *ro = json_object_new_object();
				jadd(ro, "roleid", jint(ra->roleid));
				jadd(ro, "name", ws_jstr(r ? r->name : ""));
				jadd(ro, "shortname", ws_jstr(r ? r->shortname : ""));
				jadd(ro, "sortorder", jint(0));
				json_object_array_add(roles, ro);
			}
			vec_free(&sorted);
		}
		jadd(o, "roles", roles);
	}
	if (HAS(UF_GROUPS) && course && accessallgroups) {
		json_object *groups = json_object_new_array();
		vec gs = { 0 };
		for (size_t i = 0; i < u->members.n; i++) {
			mmember *m = u->members.v[i];
			if (m->group->courseid == course->id)
				vec_push(&gs, m->group);
		}
		vec_sort(&gs, cmp_group_name);
		for (size_t i = 0; i < gs.n; i++) {
			mgroup *g = gs.v[i];
			json_object *go = json_object_new_object();
			jadd(go, "id", jint(g->id));
			strbuf nm = STRBUF_INIT;
			mt_format_string(&nm, g->name);
			jadd(go, "name", ws_jstr(sb_str(&nm)));
			sb_free(&nm);
			int fmt;
			json_object *d = ws_ftext(c, g->description, g->descriptionformat, &fmt);
			jadd(go, "description", d);
			jadd(go, "descriptionformat", jint(fmt));
			json_object_array_add(groups, go);
		}
		vec_free(&gs);
		/* only set when the user is in a group (key absent otherwise) */
		if (json_object_array_length(groups))
			jadd(o, "groups", groups);
		else
			json_object_put(groups);
	}
	if (HAS(UF_ENROLLEDCOURSES)) {
		vec cs = { 0 };
		ud_users_courses(st, u, true, &cs);
		if (cs.n) {
			json_object *arr = json_object_new_array();
			for (size_t i = 0; i < cs.n; i++) {
				mcourse *co = cs.v[i];
				json_object *e = json_object_new_object();
				jadd(e, "id", jint(co->id));
				strbuf t = STRBUF_INIT;
				mt_format_string(&t, co->fullname);
				jadd(e, "fullname", ws_jstr(sb_str(&t)));
				sb_reset(&t);
				mt_format_string(&t, co->shortname);
				jadd(e, "shortname", ws_jstr(sb_str(&t)));
				sb_free(&t);
				json_object_array_add(arr, e);
			}
			jadd(o, "enrolledcourses", arr);
		}
		vec_free(&cs);
	}
	if (HAS(UF_PREFERENCES) && current) {
		json_object *prefs = json_object_new_array();
		for (size_t i = 0; i < u->prefs.n; i++) {
			mpref *p = u->prefs.v[i];
			json_object *po = json_object_new_object();
			jadd(po, "name", ws_jstr(p->name));
			jadd(po, "value", ws_jstr(p->value));
			json_object_array_add(prefs, po);
		}
		json_object *po = json_object_new_object();
		jadd(po, "name", ws_jstr("_lastloaded"));
		jadd(po, "value", jint(st_now(st)));
		json_object_array_add(prefs, po);
		jadd(o, "preferences", prefs);
	}
	if (current || alldetails) {
		if (HAS(UF_AUTH))
			jadd(o, "auth", ws_jstr(u->auth));
		if (HAS(UF_CONFIRMED))
			jadd(o, "confirmed", jbool(u->confirmed != 0));
		if (HAS(UF_LANG))
			jadd(o, "lang", ws_jstr(u->lang));
		if (HAS(UF_THEME))
			jadd(o, "theme", ws_jstr(u->theme));
		if (HAS(UF_TIMEZONE))
			jadd(o, "timezone", ws_jstr(u->timezone));
		if (HAS(UF_MAILFORMAT))
			jadd(o, "mailformat", jint(u->mailformat));
		if (HAS(UF_TRACKFORUMS))
			jadd(o, "trackforums", jint(u->trackforums));
	}
	return o;
}

json_object *ud_details_courses(wsctx *c, muser *u)
{
	bool system = acc_has(c, "moodle/user:viewdetails") || u->id == c->user->id ||
		      acc_has_coursecontact_role(c->st, u->id);
	json_object *d = NULL;
	if (system)
		d = ud_details(c, u, NULL, UF_ALL);
	else {
		/* through a course profile: the same capabilities hold there */
		vec cs = { 0 };
		ud_users_courses(c->st, u, true, &cs);
		for (size_t i = 0; i < cs.n; i++) {
			if (acc_has(c, "moodle/user:viewdetails")) {
				json_object_put(d);
				d = ud_details(c, u, cs.v[i], UF_ALL);
			}
		}
		vec_free(&cs);
	}
	if (d)
		ud_keep(d, ud_user_description_keys);
	return d;
}

void ud_keep(json_object *o, const char *const *keep)
{
	vec del = { 0 };
	json_object_object_foreach(o, k, v)
	{
		(void)v;
		bool ok = false;
		for (size_t i = 0; keep[i] && !ok; i++)
			ok = !strcmp(keep[i], k);
		if (!ok)
			vec_push(&del, xstrdup(k));
	}
	for (size_t i = 0; i < del.n; i++) {
		json_object_object_del(o, del.v[i]);
		free(del.v[i]);
	}
	vec_free(&del);
}
