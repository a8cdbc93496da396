/* moodle_read.c -- bulk reads of the site into the snapshot (see moodle_read.h). */
#include "config.h"
#include "moodle_read.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>

#define ROSTER_PAGE 1000
#define USERS_PER_CALL 300

/* ---- JSON helpers ------------------------------------------------------------------ */

int64_t json_int_of(json_object *o, const char *key)
{
	json_object *v;
	if (!o || !json_object_object_get_ex(o, key, &v) || !v)
		return 0;
	if (json_object_is_type(v, json_type_int))
		return json_object_get_int64(v);
	if (json_object_is_type(v, json_type_string))
		return strtoll(json_object_get_string(v), NULL, 10);
	if (json_object_is_type(v, json_type_boolean))
		return json_object_get_boolean(v);
	return 0;
}

const char *json_str_of(json_object *o, const char *key)
{
	json_object *v;
	if (!o || !json_object_object_get_ex(o, key, &v) || !v || json_object_is_type(v, json_type_null))
		return NULL;
	return json_object_get_string(v);
}

bool json_bool_of(json_object *o, const char *key)
{
	json_object *v;
	if (!o || !json_object_object_get_ex(o, key, &v) || !v)
		return false;
	return json_object_get_boolean(v);
}

static bool has_key(json_object *o, const char *key)
{
	json_object *v;
	return o && json_object_object_get_ex(o, key, &v);
}

/* ---- the shared machinery ------------------------------------------------------------ */

typedef struct reader reader;
typedef void (*parse_fn)(reader *rd, moodle_request *r, void *arg);

struct reader {
	moodle_client *c;
	site_snapshot *s;
	errinfo *e;
	int rc;                    /* the first failure */
	parse_fn parse;
	bool groups;
};

typedef struct pending {
	reader *rd;
	void *arg;
	int64_t courseid;
	int page;
	bool suspended_list;
	bool group_list;
} pending;

static void on_done(moodle_client *c, moodle_request *r, void *ctx);

static void submit(reader *rd, moodle_request *r, pending *p)
{
	r->done = on_done;
	r->ctx = p;
	p->rd = rd;
	int rc = moodle_submit(rd->c, r, rd->e);
	if (rc < 0) {
		if (!rd->rc)
			rd->rc = rc;
		free(p);
		moodle_request_free(r);
	}
}

static void parse_roster_page(reader *rd, moodle_request *r, pending *p);

static void on_done(moodle_client *c, moodle_request *r, void *ctx)
{
	pending *p = ctx;
	reader *rd = p->rd;
	rd->s->requests++;
	if (r->outcome != MO_DONE) {
		if (!rd->rc)
			rd->rc = moodle_read_failure(r, rd->e);
	} else if (!rd->rc) {
		if (p->courseid)
			parse_roster_page(rd, r, p);
		else
			rd->parse(rd, r, p->arg);
	}
	(void)c;
	free(p);
	moodle_request_free(r);
}

static int run(reader *rd)
{
	errinfo e2;
	int rc = moodle_run(rd->c, &e2);
	if (rc < 0 && !rd->rc) {
		*rd->e = e2;
		rd->rc = rc;
	}
	return rd->rc;
}

static pending *new_pending(void *arg)
{
	pending *p = xcalloc(1, sizeof *p);
	p->arg = arg;
	return p;
}

static const char *str(reader *rd, json_object *o, const char *key)
{
	return site_intern(rd->s, json_str_of(o, key));
}

/* ---- site info ------------------------------------------------------------------------- */

int moodle_read_site_info(moodle_client *c, site_snapshot *s, json_object **reply, errinfo *e)
{
	moodle_request *r = moodle_request_new("core_webservice_get_site_info", false);
	int rc = moodle_call(c, r, e);
	s->requests++;
	if (rc == 0 && r->outcome != MO_DONE)
		rc = moodle_read_failure(r, e);
	if (rc == 0 && !json_object_is_type(r->reply, json_type_object))
		rc = err_set(e, -EXIT_UNAVAILABLE, "core_webservice_get_site_info: unexpected reply");
	if (rc == 0) {
		s->info.url = site_intern(s, moodle_url(c));
		s->info.sitename = site_intern(s, json_str_of(r->reply, "sitename"));
		s->info.release = site_intern(s, json_str_of(r->reply, "release"));
		s->info.version = site_intern(s, json_str_of(r->reply, "version"));
		s->info.token_userid = json_int_of(r->reply, "userid");
		s->info.token_is_admin = json_bool_of(r->reply, "userissiteadmin");
		if (reply)
			*reply = json_object_get(r->reply);
	}
	moodle_request_free(r);
	return rc;
}

/* ---- categories ------------------------------------------------------------------------- */

static void parse_categories(reader *rd, moodle_request *r, void *arg)
{
	size_t n = json_object_is_type(r->reply, json_type_array) ? json_object_array_length(r->reply) : 0;
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(r->reply, i);
		site_category *cat = site_alloc(rd->s, sizeof *cat);
		cat->id = json_int_of(o, "id");
		cat->parent = json_int_of(o, "parent");
		cat->name = str(rd, o, "name");
		cat->idnumber = str(rd, o, "idnumber");
		cat->visible = has_key(o, "visible") ? (int)json_int_of(o, "visible") : -1;
		site_add_category(rd->s, cat);
	}
	(void)arg;
}

int moodle_read_categories(moodle_client *c, site_snapshot *s, errinfo *e)
{
	reader rd = { c, s, e, 0, parse_categories, false };
	submit(&rd, moodle_request_new("core_course_get_categories", false), new_pending(NULL));
	return run(&rd);
}

/* ---- courses ---------------------------------------------------------------------------- */

static void add_course(reader *rd, json_object *o)
{
	int64_t id = json_int_of(o, "id");
	if (id <= 1 || (json_str_of(o, "format") && strcmp(json_str_of(o, "format"), "site") == 0))
		return; /* the front page */
	site_course *sc = site_alloc(rd->s, sizeof *sc);
	sc->id = id;
	sc->categoryid = json_int_of(o, "categoryid");
	sc->shortname = str(rd, o, "shortname");
	sc->fullname = str(rd, o, "fullname");
	sc->idnumber = str(rd, o, "idnumber");
	sc->summary = str(rd, o, "summary");
	sc->visible = has_key(o, "visible") ? (int)json_int_of(o, "visible") : -1;
	sc->startdate = json_int_of(o, "startdate");
	sc->enddate = json_int_of(o, "enddate");
	site_add_course(rd->s, sc);
}

static void parse_courses(reader *rd, moodle_request *r, void *arg)
{
	json_object *list = r->reply;
	if (json_object_is_type(list, json_type_object))
		json_object_object_get_ex(r->reply, "courses", &list);
	size_t n = json_object_is_type(list, json_type_array) ? json_object_array_length(list) : 0;
	for (size_t i = 0; i < n; i++)
		add_course(rd, json_object_array_get_idx(list, i));
	(void)arg;
}

int moodle_read_all_courses(moodle_client *c, site_snapshot *s, errinfo *e)
{
	reader rd = { c, s, e, 0, parse_courses, false };
	submit(&rd, moodle_request_new("core_course_get_courses", false), new_pending(NULL));
	int rc = run(&rd);
	if (rc == 0)
		s->all_courses_read = true;
	return rc;
}

int moodle_read_courses_by_field(moodle_client *c, site_snapshot *s, const char *field,
				 const char *const *values, size_t n, errinfo *e)
{
	reader rd = { c, s, e, 0, parse_courses, false };
	for (size_t i = 0; i < n && !rd.rc; i++) {
		if (!values[i] || !*values[i])
			continue; /* an empty value would match every course without one */
		moodle_request *r = moodle_request_new("core_course_get_courses_by_field", false);
		mform_add(&r->form, "field", field);
		mform_add(&r->form, "value", values[i]);
		submit(&rd, r, new_pending(NULL));
	}
	return run(&rd);
}

int moodle_read_courses_by_idnumber(moodle_client *c, site_snapshot *s, const char *const *ids,
				    size_t n, errinfo *e)
{
	return moodle_read_courses_by_field(c, s, "idnumber", ids, n, e);
}

/* ---- users -------------------------------------------------------------------------------- */

static void parse_users(reader *rd, moodle_request *r, void *arg)
{
	size_t n = json_object_is_type(r->reply, json_type_array) ? json_object_array_length(r->reply) : 0;
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(r->reply, i);
		site_user *u = site_alloc(rd->s, sizeof *u);
		u->id = json_int_of(o, "id");
		u->username = str(rd, o, "username");
		u->idnumber = str(rd, o, "idnumber");
		u->email = str(rd, o, "email");
		u->firstname = str(rd, o, "firstname");
		u->lastname = str(rd, o, "lastname");
		u->auth = str(rd, o, "auth");
		u->city = str(rd, o, "city");
		u->country = str(rd, o, "country");
		u->suspended = json_bool_of(o, "suspended");
		site_add_user(rd->s, u);
	}
	(void)arg;
}

int moodle_read_users(moodle_client *c, site_snapshot *s, const char *field,
		      const char *const *values, size_t n, errinfo *e)
{
	reader rd = { c, s, e, 0, parse_users, false };
	size_t per = moodle_param_budget(c) - 1;
	if (per > USERS_PER_CALL)
		per = USERS_PER_CALL;
	moodle_request *r = NULL;
	size_t k = 0;
	for (size_t i = 0; i < n && !rd.rc; i++) {
		if (!values[i] || !*values[i])
			continue;
		if (!r) {
			r = moodle_request_new("core_user_get_users_by_field", false);
			mform_add(&r->form, "field", field);
			k = 0;
		}
		mform_addf(&r->form, values[i], "values[%zu]", k++);
		if (k == per) {
			submit(&rd, r, new_pending(NULL));
			r = NULL;
		}
	}
	if (r)
		submit(&rd, r, new_pending(NULL));
	return run(&rd);
}

/* ---- rosters ------------------------------------------------------------------------------- */

static moodle_request *roster_request(int64_t courseid, bool groups, bool suspended, int page)
{
	moodle_request *r = moodle_request_new("core_enrol_get_enrolled_users", false);
	mform_add_int(&r->form, courseid, "courseid");
	mform_add(&r->form, "options[0][name]", "userfields");
	mform_add(&r->form, "options[0][value]", suspended ? "id" :
			    groups ? "id,username,idnumber,roles,groups" : "id,username,idnumber,roles");
	mform_add(&r->form, "options[1][name]", "limitfrom");
	mform_add_int(&r->form, (int64_t)page * ROSTER_PAGE, "options[1][value]");
	mform_add(&r->form, "options[2][name]", "limitnumber");
	mform_add_int(&r->form, ROSTER_PAGE, "options[2][value]");
	if (suspended) {
		mform_add(&r->form, "options[3][name]", "onlysuspended");
		mform_add(&r->form, "options[3][value]", "1");
	}
	return r;
}

static void submit_roster_page(reader *rd, int64_t courseid, bool suspended, int page)
{
	pending *p = new_pending(NULL);
	p->courseid = courseid;
	p->page = page;
	p->suspended_list = suspended;
	submit(rd, roster_request(courseid, rd->groups, suspended, page), p);
}

static void parse_roster_page(reader *rd, moodle_request *r, pending *p)
{
	site_roster *ro = site_add_roster(rd->s, p->courseid);
	size_t n = json_object_is_type(r->reply, json_type_array) ? json_object_array_length(r->reply) : 0;
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(r->reply, i);
		int64_t userid = json_int_of(o, "id");
		if (p->suspended_list) {
			/* listed as inactive: mark it (the main list may come later) */
			site_enrolment *en = site_roster_find(ro, userid);
			if (en)
				en->active = false;
			else
				site_roster_add(rd->s, ro, userid, NULL, 0, false, NULL, 0)->active = false;
			continue;
		}
		int64_t roles[32], groups[64];
		int nroles = 0, ngroups = 0;
		json_object *arr;
		if (json_object_object_get_ex(o, "roles", &arr) && json_object_is_type(arr, json_type_array))
			for (size_t k = 0; k < json_object_array_length(arr) && nroles < 32; k++) {
				json_object *ro_ = json_object_array_get_idx(arr, k);
				roles[nroles++] = json_int_of(ro_, "roleid");
				const char *sn = json_str_of(ro_, "shortname");
				if (sn && *sn && !site_role_id(rd->s, sn))
					site_set_role(rd->s, sn, json_int_of(ro_, "roleid"));
			}
		if (json_object_object_get_ex(o, "groups", &arr) && json_object_is_type(arr, json_type_array))
			for (size_t k = 0; k < json_object_array_length(arr) && ngroups < 64; k++)
				groups[ngroups++] = json_int_of(json_object_array_get_idx(arr, k), "id");
		site_enrolment *old = site_roster_find(ro, userid);
		bool active = old ? old->active : true;
		site_roster_add(rd->s, ro, userid, roles, nroles, active, groups, ngroups);
	}
	if (n == ROSTER_PAGE)
		submit_roster_page(rd, p->courseid, p->suspended_list, p->page + 1);
}

static void parse_groups(reader *rd, moodle_request *r, void *arg)
{
	int64_t courseid = *(int64_t *)arg;
	site_add_group_list(rd->s, courseid);
	size_t n = json_object_is_type(r->reply, json_type_array) ? json_object_array_length(r->reply) : 0;
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(r->reply, i);
		site_add_course_group(rd->s, courseid, json_int_of(o, "id"), json_str_of(o, "name"),
				      json_str_of(o, "idnumber"));
	}
}

int moodle_read_rosters(moodle_client *c, site_snapshot *s, const int64_t *courseids, size_t n,
			bool groups, errinfo *e)
{
	reader rd = { c, s, e, 0, NULL, groups };
	for (size_t i = 0; i < n && !rd.rc; i++) {
		site_add_roster(s, courseids[i]);
		submit_roster_page(&rd, courseids[i], false, 0);
		submit_roster_page(&rd, courseids[i], true, 0);
	}
	return run(&rd);
}

int moodle_read_course_groups(moodle_client *c, site_snapshot *s, const int64_t *courseids,
			      size_t n, errinfo *e)
{
	reader rd = { c, s, e, 0, parse_groups, false };
	int64_t *ids = xcalloc(n ? n : 1, sizeof *ids);
	for (size_t i = 0; i < n && !rd.rc; i++) {
		ids[i] = courseids[i];
		moodle_request *r = moodle_request_new("core_group_get_course_groups", false);
		mform_add_int(&r->form, ids[i], "courseid");
		submit(&rd, r, new_pending(&ids[i]));
	}
	int rc = run(&rd);
	free(ids);
	return rc;
}
