/* state_view.c -- the in-memory view of the state store that the planner
 * reads (see state.h): courses, users and enrolments ims2moodle applied,
 * indexed by IMS id and by Moodle id. state_load.c fills it from SQLite; tests
 * fill it directly. */
#include "config.h"
#include "state.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ID_KEY PTRMAP_ID_KEY

/* The enrolments of one course: by user, and in insertion order. */
typedef struct course_enrolments {
	ptrmap by_user;
	state_enrolment **list;
	size_t n;
} course_enrolments;

state_view *state_view_new(void)
{
	state_view *v = xcalloc(1, sizeof *v);
	arena_init(&v->mem);
	strtab_init(&v->strings, &v->mem);
	ptrmap_init(&v->course_by_group);
	ptrmap_init(&v->course_by_id);
	ptrmap_init(&v->user_by_person);
	ptrmap_init(&v->user_by_id);
	ptrmap_init(&v->enrolments_by_course);
	ptrmap_init(&v->foreign);
	return v;
}

void state_view_free(state_view *v)
{
	if (!v)
		return;
	const void *k;
	void *m;
	for (size_t it = 0; ptrmap_next(&v->enrolments_by_course, &it, &k, &m);) {
		ptrmap_free(&((course_enrolments *)m)->by_user);
		free(((course_enrolments *)m)->list);
	}
	ptrmap_free(&v->course_by_group);
	ptrmap_free(&v->course_by_id);
	ptrmap_free(&v->user_by_person);
	ptrmap_free(&v->user_by_id);
	ptrmap_free(&v->enrolments_by_course);
	ptrmap_free(&v->foreign);
	free(v->courses);
	free(v->users);
	free(v->enrolments);
	strtab_free(&v->strings);
	arena_free(&v->mem);
	free(v);
}

static const char *copy(state_view *v, const char *s)
{
	return s ? strtab_intern(&v->strings, s, strlen(s)) : NULL;
}

static const char *find(const state_view *v, const char *s)
{
	return s ? strtab_lookup(&v->strings, s, strlen(s)) : NULL;
}

static void push(void ***arr, size_t *n, void *item)
{
	if ((*n & (*n - 1)) == 0)
		*arr = xrealloc(*arr, (*n ? *n * 2 : 1) * sizeof **arr);
	(*arr)[(*n)++] = item;
}

/* Adding a course or user whose id the view holds overwrites that one in
 * place, so that the arrays hold each id once; a stale IMS id key left
 * behind is ignored by the lookups (they check the id still matches). */
state_course *state_view_add_course(state_view *v, const state_course *c)
{
	state_course *n = c->courseid ? ptrmap_get(&v->course_by_id, ID_KEY(c->courseid)) : NULL;
	if (!n) {
		n = arena_alloc(&v->mem, sizeof *n);
		push((void ***)&v->courses, &v->ncourses, n);
		if (c->courseid)
			ptrmap_put(&v->course_by_id, ID_KEY(c->courseid), n);
	}
	*n = *c;
	n->group_id = copy(v, c->group_id);
	n->idnumber = copy(v, c->idnumber);
	n->shortname = copy(v, c->shortname);
	if (n->group_id)
		ptrmap_put(&v->course_by_group, n->group_id, n);
	return n;
}

state_user *state_view_add_user(state_view *v, const state_user *u)
{
	state_user *n = u->userid ? ptrmap_get(&v->user_by_id, ID_KEY(u->userid)) : NULL;
	if (!n) {
		n = arena_alloc(&v->mem, sizeof *n);
		push((void ***)&v->users, &v->nusers, n);
		if (u->userid)
			ptrmap_put(&v->user_by_id, ID_KEY(u->userid), n);
	}
	*n = *u;
	n->person_id = copy(v, u->person_id);
	n->username = copy(v, u->username);
	n->idnumber = copy(v, u->idnumber);
	n->email = copy(v, u->email);
	if (n->person_id)
		ptrmap_put(&v->user_by_person, n->person_id, n);
	return n;
}

/* The roles of a new enrolment: the previous enrolment's array when they
 * are the same (most enrolments of a store share one role list, and the
 * arrays are never changed), else a copy in the arena; NULL for none. */
static int64_t *copy_roles(state_view *v, const int64_t *ids, int n)
{
	if (n <= 0 || !ids)
		return NULL;
	size_t size = (size_t)n * sizeof *ids;
	const state_enrolment *prev = v->nenrolments ? v->enrolments[v->nenrolments - 1] : NULL;
	if (prev && prev->nroles == n && memcmp(prev->roleids, ids, size) == 0)
		return prev->roleids;
	int64_t *copy = arena_alloc(&v->mem, size);
	memcpy(copy, ids, size);
	return copy;
}

/* The enrolments of a course, created when its first one is added. */
static course_enrolments *course_list(state_view *v, int64_t courseid)
{
	course_enrolments *ce = ptrmap_get(&v->enrolments_by_course, ID_KEY(courseid));
	if (!ce) {
		ce = arena_alloc(&v->mem, sizeof *ce);
		ptrmap_init(&ce->by_user);
		ptrmap_put(&v->enrolments_by_course, ID_KEY(courseid), ce);
	}
	return ce;
}

state_enrolment *state_view_add_enrolment(state_view *v, const state_enrolment *e)
{
	bool indexed = e->courseid && e->userid; /* no such ids in Moodle: never found */
	state_enrolment *n = indexed ? (state_enrolment *)state_enrolment_of(v, e->courseid, e->userid)
				     : NULL;
	int64_t *roles = copy_roles(v, e->roleids, e->nroles);
	if (!n) {
		n = arena_alloc(&v->mem, sizeof *n);
		push((void ***)&v->enrolments, &v->nenrolments, n);
		if (indexed) {
			course_enrolments *ce = course_list(v, e->courseid);
			ptrmap_put(&ce->by_user, ID_KEY(e->userid), n);
			push((void ***)&ce->list, &ce->n, n);
		}
	}
	*n = *e;
	n->group_id = copy(v, e->group_id);
	n->person_id = copy(v, e->person_id);
	n->roleids = roles;
	n->nroles = roles ? e->nroles : 0;
	return n;
}

const state_course *state_course_of_group(const state_view *v, const char *group_id)
{
	const char *k = find(v, group_id);
	const state_course *c = k ? ptrmap_get(&v->course_by_group, k) : NULL;
	return c && c->group_id == k ? c : NULL;
}

const state_course *state_course_of_id(const state_view *v, int64_t courseid)
{
	return ptrmap_get(&v->course_by_id, ID_KEY(courseid));
}

const state_user *state_user_of_person(const state_view *v, const char *person_id)
{
	const char *k = find(v, person_id);
	const state_user *u = k ? ptrmap_get(&v->user_by_person, k) : NULL;
	return u && u->person_id == k ? u : NULL;
}

const state_user *state_user_of_id(const state_view *v, int64_t userid)
{
	return ptrmap_get(&v->user_by_id, ID_KEY(userid));
}

const state_enrolment *state_enrolment_of(const state_view *v, int64_t courseid, int64_t userid)
{
	const course_enrolments *ce = ptrmap_get(&v->enrolments_by_course, ID_KEY(courseid));
	return ce ? ptrmap_get(&ce->by_user, ID_KEY(userid)) : NULL;
}

void state_each_enrolment(const state_view *v, int64_t courseid,
			  void (*fn)(void *ctx, const state_enrolment *e), void *ctx)
{
	/* In insertion order, never hash order, so that plans are
	 * deterministic. */
	if (courseid == 0) {
		for (size_t i = 0; i < v->nenrolments; i++)
			if (v->enrolments[i]->courseid && v->enrolments[i]->userid)
				fn(ctx, v->enrolments[i]);
		return;
	}
	const course_enrolments *ce = ptrmap_get(&v->enrolments_by_course, ID_KEY(courseid));
	for (size_t i = 0; ce && i < ce->n; i++)
		fn(ctx, ce->list[i]);
}

const state_foreign *state_foreign_of(const state_view *v, int64_t courseid, int64_t userid)
{
	return v ? ptrmap_get(&v->foreign, PTRMAP_PAIR_KEY(courseid, userid)) : NULL;
}

static state_foreign *foreign_of(state_view *v, int64_t courseid, int64_t userid)
{
	state_foreign *f = ptrmap_get(&v->foreign, PTRMAP_PAIR_KEY(courseid, userid));
	if (!f) {
		f = arena_alloc(&v->mem, sizeof *f);
		f->courseid = courseid;
		f->userid = userid;
		ptrmap_put(&v->foreign, PTRMAP_PAIR_KEY(courseid, userid), f);
	}
	return f;
}

void state_view_add_foreign_role(state_view *v, int64_t courseid, int64_t userid, int64_t roleid)
{
	state_foreign *f = foreign_of(v, courseid, userid);
	for (int i = 0; i < f->ngiven; i++)
		if (f->given[i] == roleid)
			return;
	if (f->ngiven < STATE_FOREIGN_ROLES_MAX)
		f->given[f->ngiven++] = roleid;
}

void state_view_add_foreign_enrolment(state_view *v, int64_t courseid, int64_t userid, bool active,
				      const int64_t *roleids, int nroles)
{
	state_foreign *f = foreign_of(v, courseid, userid);
	f->seen = true;
	f->active = active;
	f->nroles = nroles < STATE_FOREIGN_ROLES_MAX ? nroles : STATE_FOREIGN_ROLES_MAX;
	if (f->nroles)
		memcpy(f->roleids, roleids, (size_t)f->nroles * sizeof *roleids);
}
