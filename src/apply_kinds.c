/* apply_kinds.c -- what each kind of action sends to Moodle, and what the
 * answer means: new ids learnt, per-item warnings, the store updated from
 * confirmed results (see apply_internal.h). */
#include "config.h"
#include "apply_internal.h"
#include "log.h"
#include "moodle_read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define PAIR_KEY PTRMAP_PAIR_KEY

/* ---- ids from earlier actions -------------------------------------------------------- */

static bool need_course(applier *ap, plan_action *a, const char **why)
{
	if (!a->courseid && a->course_ref)
		a->courseid = (int64_t)(intptr_t)ptrmap_get(&ap->course_ids, ap_key(ap, "%s", a->course_ref));
	if (!a->courseid)
		*why = "its course was not created";
	return a->courseid != 0;
}

static bool need_user(applier *ap, plan_action *a, const char **why)
{
	if (!a->userid && a->user_ref)
		a->userid = (int64_t)(intptr_t)ptrmap_get(&ap->user_ids, ap_key(ap, "%s", a->user_ref));
	if (!a->userid)
		*why = "its user was not created";
	return a->userid != 0;
}

static bool resolve_course_user(applier *ap, plan_action *a, const char **why)
{
	return need_course(ap, a, why) && need_user(ap, a, why);
}

static bool resolve_course(applier *ap, plan_action *a, const char **why)
{
	return need_course(ap, a, why);
}

static bool resolve_user(applier *ap, plan_action *a, const char **why)
{
	return need_user(ap, a, why);
}

static bool resolve_nothing(applier *ap, plan_action *a, const char **why)
{
	(void)ap, (void)a, (void)why;
	return true;
}

static bool resolve_category(applier *ap, plan_action *a, const char **why)
{
	plan_object *o = a->obj;
	if (!o->parentid && o->parent_ref)
		o->parentid = (int64_t)(intptr_t)ptrmap_get(&ap->category_ids, ap_key(ap, "%s", o->parent_ref));
	if (o->parent_ref && !o->parentid) {
		*why = "its parent category was not created";
		return false;
	}
	return true;
}

static bool resolve_new_course(applier *ap, plan_action *a, const char **why)
{
	plan_object *o = a->obj;
	if (!o->categoryid && o->category_ref)
		o->categoryid = (int64_t)(intptr_t)ptrmap_get(&ap->category_ids, ap_key(ap, "%s", o->category_ref));
	if (!o->categoryid) {
		*why = "its category was not created";
		return false;
	}
	return true;
}

static bool resolve_group_member(applier *ap, plan_action *a, const char **why)
{
	if (!resolve_course_user(ap, a, why))
		return false;
	if (!a->obj->groupid)
		a->obj->groupid = (int64_t)(intptr_t)ptrmap_get(&ap->group_ids,
			ap_key(ap, "%lld:%s", (long long)a->courseid, a->obj->name));
	if (!a->obj->groupid)
		*why = "its course group was not created";
	return a->obj->groupid != 0;
}

/* ---- the store --------------------------------------------------------------------------- */

/* The roles ims2moodle has given a user in a course, as the run changes
 * them. Nearly always one or two: those are kept inline (half a million of
 * these exist during a full load). */
#define INLINE_ROLES 2
typedef struct role_list {
	int n, cap;
	bool ours;                 /* the store holds the enrolment */
	int64_t *ids;
	int64_t inline_ids[INLINE_ROLES];
} role_list;

static void role_add(applier *ap, role_list *l, int64_t id)
{
	for (int i = 0; i < l->n; i++)
		if (l->ids[i] == id)
			return;
	if (l->n == l->cap) {
		int64_t *more = arena_alloc(&ap->mem, (size_t)l->cap * 2 * sizeof *more);
		memcpy(more, l->ids, (size_t)l->n * sizeof *more);
		l->ids = more;
		l->cap *= 2;
	}
	l->ids[l->n++] = id;
}

static role_list *roles_of(applier *ap, int64_t courseid, int64_t userid)
{
	role_list *l = ptrmap_get(&ap->roles, PAIR_KEY(courseid, userid));
	if (l)
		return l;
	l = arena_alloc(&ap->mem, sizeof *l);
	l->ids = l->inline_ids;
	l->cap = INLINE_ROLES;
	const state_enrolment *se = ap->store ? state_enrolment_of(ap->store, courseid, userid) : NULL;
	if (se) {
		l->ours = true;
		for (int i = 0; i < se->nroles; i++)
			role_add(ap, l, se->roleids[i]);
	}
	ptrmap_put(&ap->roles, PAIR_KEY(courseid, userid), l);
	return l;
}

static void role_remove(role_list *l, int64_t id)
{
	for (int i = 0; i < l->n; i++)
		if (l->ids[i] == id) {
			l->ids[i] = l->ids[--l->n];
			return;
		}
}

static void check(applier *ap, int rc, errinfo *e)
{
	if (rc < 0)
		ap_store_error(ap, rc, e);
}

static void put_enrolment(applier *ap, plan_action *a, role_list *l, bool confirmed)
{
	errinfo e;
	state_enrolment en = { a->courseid, a->userid, a->group_id, a->person_id, l->ids, l->n,
			       a->timestart, a->timeend, a->suspend, confirmed, ap->run };
	check(ap, state_put_enrolment(ap->db, &en, &e), &e);
}

/* The course and user of an enrolment ims2moodle now manages, so that a
 * diff run knows them without reading the site. */
#define ID_KEY PTRMAP_ID_KEY

/* The course and user of an enrolment ims2moodle now manages, so that a
 * diff run knows them without reading the site: once per run, and never
 * over what this run wrote already (a course it created, with its
 * shortname and visibility). */
static void remember_course_and_user(applier *ap, plan_action *a)
{
	errinfo e;
	if (a->group_id && a->courseid > 0 && !ptrmap_get(&ap->stored_courses, ID_KEY(a->courseid)) &&
	    (!ap->store || !state_course_of_id(ap->store, a->courseid))) {
		const site_course *sc = site_course_by_id(ap->site, a->courseid);
		state_course c = { a->courseid, a->group_id, sc ? sc->idnumber : a->group_id,
				   sc ? sc->shortname : NULL, false, false, sc ? sc->visible : -1 };
		if (!sc || sc->from_store == false)
			check(ap, state_put_course(ap->db, &c, &e), &e);
		ptrmap_put(&ap->stored_courses, ID_KEY(a->courseid), (void *)1);
	}
	if (a->person_id && a->userid > 0 && !ptrmap_get(&ap->stored_users, ID_KEY(a->userid)) &&
	    (!ap->store || !state_user_of_id(ap->store, a->userid))) {
		const site_user *su = site_user_by_id(ap->site, a->userid);
		state_user u = { a->userid, a->person_id, su ? su->username : a->user_ref,
				 su ? su->idnumber : a->person_id, su ? su->email : NULL, false, false };
		if (!su || su->from_store == false)
			check(ap, state_put_user(ap->db, &u, &e), &e);
		if (a->userid > 0)
			ptrmap_put(&ap->stored_users, ID_KEY(a->userid), (void *)1);
	}
}

static bool sets_enrolment(enum plan_kind k)
{
	return k == PA_ENROL || k == PA_REACTIVATE || k == PA_UPDATE_ENROLMENT || k == PA_SUSPEND;
}

void ap_record_intent(applier *ap, plan_action *a)
{
	if (!ap->db || !sets_enrolment(a->kind))
		return;
	/* the desired state, unconfirmed: if the answer is lost, the next run
	 * knows the enrolment is ims2moodle's and checks it */
	const role_list *cur = roles_of(ap, a->courseid, a->userid);
	role_list l = { 0, 0, cur->ours, NULL, { 0 } };
	l.ids = l.inline_ids;
	l.cap = INLINE_ROLES;
	for (int i = 0; i < cur->n; i++)
		role_add(ap, &l, cur->ids[i]);
	if (a->roleid)
		role_add(ap, &l, a->roleid);
	put_enrolment(ap, a, &l, false);
}

static void record_failure(applier *ap, plan_action *a)
{
	/* the intent did not happen: the store goes back to what it held */
	errinfo e;
	if (!ap->db || !sets_enrolment(a->kind))
		return;
	const state_enrolment *se = ap->store ? state_enrolment_of(ap->store, a->courseid, a->userid) : NULL;
	role_list *l = roles_of(ap, a->courseid, a->userid);
	if (se) {
		state_enrolment old = *se;
		old.roleids = l->ids;
		old.nroles = l->n;
		check(ap, state_put_enrolment(ap->db, &old, &e), &e);
	} else if (!l->ours) {
		check(ap, state_delete_enrolment(ap->db, a->courseid, a->userid, &e), &e);
	}
}

void ap_record(applier *ap, plan_action *a)
{
	errinfo e;
	if (!ap->db)
		return;
	const plan_object *o = a->obj;
	switch (a->kind) {
	case PA_CREATE_COURSE: {
		state_course c = { a->courseid, a->group_id, o->idnumber, o->shortname, true, false, o->visible };
		check(ap, state_put_course(ap->db, &c, &e), &e);
		if (a->courseid > 0)
			ptrmap_put(&ap->stored_courses, ID_KEY(a->courseid), (void *)1);
		break;
	}
	case PA_HIDE_COURSE: {
		const site_course *sc = site_course_by_id(ap->site, a->courseid);
		state_course c = { a->courseid, a->group_id, sc ? sc->idnumber : a->group_id,
				   sc ? sc->shortname : NULL, false, true, 0 };
		const state_course *old = ap->store ? state_course_of_id(ap->store, a->courseid) : NULL;
		c.created = old && old->created;
		check(ap, state_put_course(ap->db, &c, &e), &e);
		if (a->courseid > 0)
			ptrmap_put(&ap->stored_courses, ID_KEY(a->courseid), (void *)1);
		break;
	}
	case PA_CREATE_USER: {
		state_user u = { a->userid, a->person_id, o->username, o->idnumber, o->email, true, false };
		check(ap, state_put_user(ap->db, &u, &e), &e);
		if (a->userid > 0)
			ptrmap_put(&ap->stored_users, ID_KEY(a->userid), (void *)1);
		break;
	}
	case PA_SUSPEND_USER:
	case PA_REACTIVATE_USER: {
		const site_user *su = site_user_by_id(ap->site, a->userid);
		const state_user *old = ap->store ? state_user_of_id(ap->store, a->userid) : NULL;
		state_user u = { a->userid, a->person_id, su ? su->username : NULL,
				 su ? su->idnumber : a->person_id, su ? su->email : NULL,
				 old && old->created, a->kind == PA_SUSPEND_USER };
		check(ap, state_put_user(ap->db, &u, &e), &e);
		break;
	}
	case PA_ENROL:
	case PA_REACTIVATE:
	case PA_UPDATE_ENROLMENT:
	case PA_SUSPEND: {
		role_list *l = roles_of(ap, a->courseid, a->userid);
		if (a->roleid)
			role_add(ap, l, a->roleid);
		l->ours = true;
		put_enrolment(ap, a, l, true);
		remember_course_and_user(ap, a);
		break;
	}
	case PA_ADD_ROLE:
	case PA_REMOVE_ROLE: {
		role_list *l = roles_of(ap, a->courseid, a->userid);
		if (!l->ours) {
			/* someone else's enrolment: the store remembers only the roles
			 * ims2moodle gave it, the one thing it may take back */
			if (a->kind == PA_ADD_ROLE)
				check(ap, state_put_foreign_role(ap->db, a->courseid, a->userid, a->roleid, &e), &e);
			else
				check(ap, state_delete_foreign_role(ap->db, a->courseid, a->userid, a->roleid, &e),
				      &e);
			break;
		}
		if (a->kind == PA_ADD_ROLE)
			role_add(ap, l, a->roleid);
		else
			role_remove(l, a->roleid);
		const state_enrolment *se = ap->store ? state_enrolment_of(ap->store, a->courseid, a->userid) : NULL;
		plan_action copy = *a;
		if (se) {
			copy.timestart = se->timestart;
			copy.timeend = se->timeend;
			copy.suspend = se->suspended;
		}
		put_enrolment(ap, &copy, l, true);
		break;
	}
	case PA_UNENROL:
		check(ap, state_delete_enrolment(ap->db, a->courseid, a->userid, &e), &e);
		break;
	default:
		break;
	}
}

/* ---- answers -------------------------------------------------------------------------------- */

static void all_done(applier *ap, batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		ap_set_result(ap, b->items[i], AR_DONE, NULL);
}

static void done_simple(applier *ap, batch *b, json_object *reply)
{
	all_done(ap, b);
	(void)reply;
}

/* Per-item warnings ({item, itemid, warningcode, message}): the items they
 * name failed, the others are done. */
static void done_warnings(applier *ap, batch *b, json_object *reply)
{
	json_object *w = NULL;
	if (reply)
		json_object_object_get_ex(reply, "warnings", &w);
	size_t nw = w && json_object_is_type(w, json_type_array) ? json_object_array_length(w) : 0;
	for (size_t i = 0; i < b->n; i++) {
		plan_action *a = b->items[i];
		int64_t id = a->kind == PA_UPDATE_COURSE || a->kind == PA_HIDE_COURSE ? a->courseid : a->userid;
		const char *fail = NULL;
		char buf[600];
		for (size_t k = 0; k < nw && !fail; k++) {
			json_object *x = json_object_array_get_idx(w, k);
			if (json_int_of(x, "itemid") == id) {
				snprintf(buf, sizeof buf, "%s: %s", json_str_of(x, "warningcode") ? json_str_of(x, "warningcode") : "warning",
					 json_str_of(x, "message") ? json_str_of(x, "message") : "");
				fail = buf;
			}
		}
		ap_set_result(ap, a, fail ? AR_FAILED : AR_DONE, fail);
	}
}

/* Creations answer [{id, ...}] in input order. */
static void done_created(applier *ap, batch *b, json_object *reply, ptrmap *ids, bool course, bool user)
{
	size_t n = reply && json_object_is_type(reply, json_type_array) ? json_object_array_length(reply) : 0;
	for (size_t i = 0; i < b->n; i++) {
		plan_action *a = b->items[i];
		int64_t id = i < n ? json_int_of(json_object_array_get_idx(reply, i), "id") : 0;
		if (!id) {
			ap_set_result(ap, a, AR_UNKNOWN, "the site's answer did not give the new id");
			continue;
		}
		const char *key = course ? a->course_ref : user ? a->user_ref : a->obj->category_ref;
		if (course)
			a->courseid = id;
		else if (user)
			a->userid = id;
		else
			a->obj->categoryid = id;
		ptrmap_put(ids, ap_key(ap, "%s", key), (void *)(intptr_t)id);
		ap_set_result(ap, a, AR_DONE, NULL);
	}
}

static void done_courses(applier *ap, batch *b, json_object *reply)
{
	done_created(ap, b, reply, &ap->course_ids, true, false);
}

static void done_users(applier *ap, batch *b, json_object *reply)
{
	done_created(ap, b, reply, &ap->user_ids, false, true);
}

static void done_categories(applier *ap, batch *b, json_object *reply)
{
	done_created(ap, b, reply, &ap->category_ids, false, false);
}

static void done_groups(applier *ap, batch *b, json_object *reply)
{
	size_t n = reply && json_object_is_type(reply, json_type_array) ? json_object_array_length(reply) : 0;
	for (size_t i = 0; i < b->n; i++) {
		plan_action *a = b->items[i];
		int64_t id = i < n ? json_int_of(json_object_array_get_idx(reply, i), "id") : 0;
		if (id)
			ptrmap_put(&ap->group_ids, ap_key(ap, "%lld:%s", (long long)a->courseid, a->obj->name),
				   (void *)(intptr_t)id);
		ap_set_result(ap, a, id ? AR_DONE : AR_UNKNOWN, id ? NULL : "no id in the answer");
	}
}

static void done_enrol(applier *ap, batch *b, json_object *reply)
{
	all_done(ap, b);
	(void)reply;
}

/* ---- encoders -------------------------------------------------------------------------------- */

/* A password that passes Moodle's default policy (8+ characters, a digit,
 * a lower and an upper case letter, a symbol) and that nobody ever sees. */
static void random_password(char *out, size_t n)
{
	static const char *const sets[] = { "ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnopqrstuvwxyz",
					    "23456789", "#%*+-.:=?@_" };
	unsigned char rnd[32];
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		for (size_t i = 0; i < sizeof rnd; i++)
			rnd[i] = (unsigned char)rand();
	size_t len = n - 1 < 24 ? n - 1 : 24;
	for (size_t i = 0; i < len; i++) {
		const char *set = sets[i < 4 ? i : rnd[i] % 4];
		out[i] = set[rnd[(i + 7) % sizeof rnd] % strlen(set)];
	}
	out[len] = '\0';
}

static bool internal_auth(const char *auth)
{
	static const char *const internal[] = { "manual", "email", "none", "nologin" };
	for (size_t i = 0; i < ARRAY_LEN(internal); i++)
		if (str_eq(auth, internal[i]))
			return true;
	return false;
}

static void enc_category(applier *ap, plan_action *a, mform *f, size_t i)
{
	mform_addf(f, a->obj->name, "categories[%zu][name]", i);
	mform_add_int(f, a->obj->parentid, "categories[%zu][parent]", i);
	(void)ap;
}

static void enc_course(applier *ap, plan_action *a, mform *f, size_t i)
{
	const plan_object *o = a->obj;
	mform_addf(f, o->fullname, "courses[%zu][fullname]", i);
	mform_addf(f, o->shortname, "courses[%zu][shortname]", i);
	mform_add_int(f, o->categoryid, "courses[%zu][categoryid]", i);
	mform_addf(f, o->idnumber, "courses[%zu][idnumber]", i);
	if (o->summary) {
		mform_addf(f, o->summary, "courses[%zu][summary]", i);
		mform_addf(f, "2", "courses[%zu][summaryformat]", i);
	}
	mform_add_int(f, o->visible, "courses[%zu][visible]", i);
	if (o->startdate)
		mform_add_int(f, o->startdate, "courses[%zu][startdate]", i);
	if (o->enddate)
		mform_add_int(f, o->enddate, "courses[%zu][enddate]", i);
	(void)ap;
}

static void enc_course_update(applier *ap, plan_action *a, mform *f, size_t i)
{
	mform_add_int(f, a->courseid, "courses[%zu][id]", i);
	if (a->kind == PA_HIDE_COURSE) {
		mform_addf(f, "0", "courses[%zu][visible]", i);
		return;
	}
	for (const plan_change *c = a->obj ? a->obj->changes : NULL; c; c = c->next)
		mform_addf(f, c->to, "courses[%zu][%s]", i, c->field);
	(void)ap;
}

static void enc_user(applier *ap, plan_action *a, mform *f, size_t i)
{
	const plan_object *o = a->obj;
	mform_addf(f, o->username, "users[%zu][username]", i);
	mform_addf(f, o->auth, "users[%zu][auth]", i);
	if (internal_auth(o->auth)) {
		if (ap->o->password == PASSWORD_CREATE) {
			mform_addf(f, "1", "users[%zu][createpassword]", i);
		} else {
			char pw[32];
			random_password(pw, sizeof pw);
			mform_addf(f, pw, "users[%zu][password]", i);
		}
	}
	mform_addf(f, o->firstname, "users[%zu][firstname]", i);
	mform_addf(f, o->lastname, "users[%zu][lastname]", i);
	mform_addf(f, o->email, "users[%zu][email]", i);
	mform_addf(f, o->idnumber, "users[%zu][idnumber]", i);
	if (o->city)
		mform_addf(f, o->city, "users[%zu][city]", i);
	if (o->country)
		mform_addf(f, o->country, "users[%zu][country]", i);
}

static void enc_user_update(applier *ap, plan_action *a, mform *f, size_t i)
{
	mform_add_int(f, a->userid, "users[%zu][id]", i);
	if (a->kind == PA_SUSPEND_USER || a->kind == PA_REACTIVATE_USER) {
		mform_addf(f, a->kind == PA_SUSPEND_USER ? "1" : "0", "users[%zu][suspended]", i);
		return;
	}
	for (const plan_change *c = a->obj ? a->obj->changes : NULL; c; c = c->next)
		mform_addf(f, c->to, "users[%zu][%s]", i, c->field);
	(void)ap;
}

static void enc_user_delete(applier *ap, plan_action *a, mform *f, size_t i)
{
	mform_add_int(f, a->userid, "userids[%zu]", i);
	(void)ap;
}

/* The full desired state, always: Moodle resets what is not sent. */
static void enc_enrol(applier *ap, plan_action *a, mform *f, size_t i)
{
	mform_add_int(f, a->roleid, "enrolments[%zu][roleid]", i);
	mform_add_int(f, a->userid, "enrolments[%zu][userid]", i);
	mform_add_int(f, a->courseid, "enrolments[%zu][courseid]", i);
	mform_add_int(f, a->timestart, "enrolments[%zu][timestart]", i);
	mform_add_int(f, a->timeend, "enrolments[%zu][timeend]", i);
	mform_add_int(f, a->suspend ? 1 : 0, "enrolments[%zu][suspend]", i);
	(void)ap;
}

static void enc_unenrol(applier *ap, plan_action *a, mform *f, size_t i)
{
	mform_add_int(f, a->userid, "enrolments[%zu][userid]", i);
	mform_add_int(f, a->courseid, "enrolments[%zu][courseid]", i);
	(void)ap;
}

static void enc_role(applier *ap, plan_action *a, mform *f, size_t i)
{
	const char *list = a->kind == PA_ADD_ROLE ? "assignments" : "unassignments";
	mform_add_int(f, a->roleid, "%s[%zu][roleid]", list, i);
	mform_add_int(f, a->userid, "%s[%zu][userid]", list, i);
	mform_addf(f, "course", "%s[%zu][contextlevel]", list, i);
	mform_add_int(f, a->courseid, "%s[%zu][instanceid]", list, i);
	(void)ap;
}

static void enc_group(applier *ap, plan_action *a, mform *f, size_t i)
{
	mform_add_int(f, a->courseid, "groups[%zu][courseid]", i);
	mform_addf(f, a->obj->name, "groups[%zu][name]", i);
	mform_addf(f, "", "groups[%zu][description]", i);
	(void)ap;
}

static void enc_group_member(applier *ap, plan_action *a, mform *f, size_t i)
{
	mform_add_int(f, a->obj->groupid, "members[%zu][groupid]", i);
	mform_add_int(f, a->userid, "members[%zu][userid]", i);
	(void)ap;
}

/* ---- settling lost creations ------------------------------------------------------------------ */

static bool settle_courses(applier *ap, plan_action **items, size_t n)
{
	site_snapshot *s = site_new();
	const char **ids = xcalloc(n + 1, sizeof *ids);
	errinfo e;
	for (size_t i = 0; i < n; i++)
		ids[i] = items[i]->course_ref;
	bool ok = moodle_read_courses_by_idnumber(ap->c, s, ids, n, &e) == 0;
	for (size_t i = 0; ok && i < n; i++) {
		const site_match *m = site_courses_by_idnumber(s, items[i]->course_ref);
		if (m && !m->next) {
			const site_course *sc = m->item;
			items[i]->courseid = sc->id;
			ptrmap_put(&ap->course_ids, ap_key(ap, "%s", items[i]->course_ref), (void *)(intptr_t)sc->id);
			log_info("course %s was created after all (id %lld)", items[i]->course_ref, (long long)sc->id);
			ap_set_result(ap, items[i], AR_DONE, NULL);
		}
	}
	free(ids);
	site_free(s);
	return ok;
}

static const kind_ops ops_create_user_retry;

static bool settle_users(applier *ap, plan_action **items, size_t n)
{
	site_snapshot *s = site_new();
	const char **names = xcalloc(n + 1, sizeof *names);
	errinfo e;
	for (size_t i = 0; i < n; i++)
		names[i] = items[i]->user_ref;
	bool ok = moodle_read_users(ap->c, s, "username", names, n, &e) == 0;
	plan_action **again = xcalloc(n + 1, sizeof *again);
	size_t nagain = 0;
	for (size_t i = 0; ok && i < n; i++) {
		const site_match *m = site_users_by_username(s, items[i]->user_ref);
		if (m) {
			const site_user *su = m->item;
			items[i]->userid = su->id;
			ptrmap_put(&ap->user_ids, ap_key(ap, "%s", items[i]->user_ref), (void *)(intptr_t)su->id);
			ap_set_result(ap, items[i], AR_DONE, NULL);
		} else {
			/* Usernames are unique in Moodle's database: sending it again cannot
			 * make a second account. */
			items[i]->result = AR_PLANNED;
			ap->finished--;
			again[nagain++] = items[i];
		}
	}
	for (size_t i = 0; i < nagain; i++) {
		batch *b = ap_new_batch(ap, &ops_create_user_retry, &again[i], 1);
		b->attempts = 1; /* journalled already */
		ap_submit(ap, b); /* sent by the engine's next moodle_run */
	}
	free(again);
	free(names);
	site_free(s);
	return ok;
}

static bool settle_groups(applier *ap, plan_action **items, size_t n)
{
	(void)ap, (void)items, (void)n;
	return false; /* left unknown: the next run reads the course's groups */
}

/* After courses are created: read them back; a course asked hidden that
 * came out visible means the token lacks moodle/course:visibility, and the
 * run stops before anyone is enrolled in it (§1.10). */
static void check_hidden_batch(applier *ap, moodle_request *r)
{
	errinfo e;
	int rc = moodle_call(ap->c, r, &e);
	if (rc == 0 && r->outcome != MO_DONE)
		rc = moodle_read_failure(r, &e);
	size_t nc = rc == 0 && json_object_is_type(r->reply, json_type_array) ? json_object_array_length(r->reply) : 0;
	for (size_t i = 0; i < nc; i++) {
		json_object *o = json_object_array_get_idx(r->reply, i);
		if (json_int_of(o, "visible") == 1) {
			errinfo fe;
			err_set(&fe, -EXIT_SOFTWARE,
				"course %lld (%s) was created VISIBLE although ims2moodle asked for it hidden: the "
				"token's account lacks the capability moodle/course:visibility, so Moodle gave the "
				"course its category's visibility. Fix: give the web service account's role "
				"moodle/course:visibility at system level, hide the course by hand, and run again. "
				"The run stopped here: nobody was enrolled in the new courses.",
				(long long)json_int_of(o, "id"), json_str_of(o, "shortname") ? json_str_of(o, "shortname") : "");
			ap_store_error(ap, fe.code, &fe);
			break;
		}
	}
	if (rc < 0)
		log_warn("could not read the new courses back to check they are hidden: %s", e.msg);
}

static void check_hidden(applier *ap, plan_action **items, size_t n)
{
	if (!ap->o->check_hidden)
		return;
	size_t budget = moodle_param_budget(ap->c);
	for (size_t start = 0; start < n && !ap->fatal;) {
		moodle_request *r = moodle_request_new("core_course_get_courses", false);
		size_t k = 0;
		for (; start < n && k < budget; start++)
			if (items[start]->result == AR_DONE && items[start]->obj->visible == 0)
				mform_add_int(&r->form, items[start]->courseid, "options[ids][%zu]", k++);
		if (k)
			check_hidden_batch(ap, r);
		moodle_request_free(r);
	}
}

/* ---- the table ---------------------------------------------------------------------------------- */

static int size_one(const apply_options *o) { (void)o; return 1; }
static int size_courses(const apply_options *o) { return o->batch_create_courses; }
static int size_create_users(const apply_options *o) { return o->batch_create_users; }
static int size_update_users(const apply_options *o) { return o->batch_update_users; }
static int size_enrol(const apply_options *o) { return o->batch_enrol; }
static int size_unenrol(const apply_options *o) { return o->batch_unenrol; }
static int size_roles(const apply_options *o) { return o->batch_roles; }
static int size_members(const apply_options *o) { return o->batch_group_members; }

static const kind_ops ops_category = {
	"core_course_create_categories", true, false, true, true, true, size_one,
	resolve_category, enc_category, done_categories, NULL, NULL,
};
static const kind_ops ops_create_course = {
	"core_course_create_courses", true, false, true, true, false, size_courses,
	resolve_new_course, enc_course, done_courses, settle_courses, check_hidden,
};
static const kind_ops ops_update_course = {
	"core_course_update_courses", false, true, false, false, false, size_update_users,
	resolve_course, enc_course_update, done_warnings, NULL, NULL,
};
static const kind_ops ops_hide_course = {
	"core_course_update_courses", false, true, false, false, false, size_update_users,
	resolve_course, enc_course_update, done_warnings, NULL, NULL,
};
static const kind_ops ops_create_user = {
	"core_user_create_users", true, false, false, true, false, size_create_users,
	resolve_nothing, enc_user, done_users, settle_users, NULL,
};
static const kind_ops ops_create_user_retry = {
	"core_user_create_users", true, false, false, false, false, size_create_users,
	resolve_nothing, enc_user, done_users, NULL, NULL,
};
static const kind_ops ops_update_user = {
	"core_user_update_users", false, true, false, false, false, size_update_users,
	resolve_user, enc_user_update, done_warnings, NULL, NULL,
};
static const kind_ops ops_reactivate_user = {
	"core_user_update_users", false, true, false, false, false, size_update_users,
	resolve_user, enc_user_update, done_warnings, NULL, NULL,
};
static const kind_ops ops_enrol = {
	"enrol_manual_enrol_users", true, true, false, false, false, size_enrol,
	resolve_course_user, enc_enrol, done_enrol, NULL, NULL,
};
static const kind_ops ops_add_role = {
	"core_role_assign_roles", true, true, false, false, false, size_roles,
	resolve_course_user, enc_role, done_simple, NULL, NULL,
};
static const kind_ops ops_remove_role = {
	"core_role_unassign_roles", true, true, false, false, false, size_roles,
	resolve_course_user, enc_role, done_simple, NULL, NULL,
};
static const kind_ops ops_create_group = {
	"core_group_create_groups", true, false, false, true, false, size_members,
	resolve_course, enc_group, done_groups, settle_groups, NULL,
};
static const kind_ops ops_add_to_group = {
	"core_group_add_group_members", true, true, false, false, false, size_members,
	resolve_group_member, enc_group_member, done_simple, NULL, NULL,
};
static const kind_ops ops_suspend = {
	"enrol_manual_enrol_users", true, true, false, false, false, size_enrol,
	resolve_course_user, enc_enrol, done_enrol, NULL, NULL,
};
static const kind_ops ops_unenrol = {
	"enrol_manual_unenrol_users", true, true, false, false, false, size_unenrol,
	resolve_course_user, enc_unenrol, done_simple, NULL, NULL,
};
static const kind_ops ops_suspend_user = {
	"core_user_update_users", false, true, false, false, false, size_update_users,
	resolve_user, enc_user_update, done_warnings, NULL, NULL,
};
static const kind_ops ops_delete_user = {
	"core_user_delete_users", true, false, false, false, false, size_update_users,
	resolve_user, enc_user_delete, done_simple, NULL, NULL,
};

const kind_ops *ops_for(enum plan_kind k)
{
	switch (k) {
	case PA_CREATE_CATEGORY: return &ops_category;
	case PA_CREATE_COURSE: return &ops_create_course;
	case PA_UPDATE_COURSE: return &ops_update_course;
	case PA_CREATE_USER: return &ops_create_user;
	case PA_UPDATE_USER: return &ops_update_user;
	case PA_REACTIVATE_USER: return &ops_reactivate_user;
	case PA_ENROL:
	case PA_REACTIVATE:
	case PA_UPDATE_ENROLMENT: return &ops_enrol;
	case PA_ADD_ROLE: return &ops_add_role;
	case PA_REMOVE_ROLE: return &ops_remove_role;
	case PA_CREATE_GROUP: return &ops_create_group;
	case PA_ADD_TO_GROUP: return &ops_add_to_group;
	case PA_SUSPEND: return &ops_suspend;
	case PA_UNENROL: return &ops_unenrol;
	case PA_HIDE_COURSE: return &ops_hide_course;
	case PA_SUSPEND_USER: return &ops_suspend_user;
	case PA_DELETE_USER: return &ops_delete_user;
	default: return NULL;
	}
}

void ap_record_failure(applier *ap, plan_action *a)
{
	record_failure(ap, a);
}
