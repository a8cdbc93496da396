/* match.c -- the reads that give the planner its view of the site (see
 * match.h). */
#include "config.h"
#include "match.h"
#include "identity.h"
#include "log.h"
#include "moodle_read.h"

#include <stdlib.h>
#include <string.h>

enum site_read match_choose_read(const settings *cfg, const state_view *store, int64_t now)
{
	if (cfg->site_read != READ_AUTO)
		return cfg->site_read;
	if (!store || (!store->ncourses && !store->nusers && !store->nenrolments))
		return READ_RECONCILE;
	if (!store->last_reconcile || now - store->last_reconcile >= cfg->reconcile_every)
		return READ_RECONCILE;
	return READ_DIFF;
}

/* A growable list of strings (borrowed pointers). */
typedef struct strlist {
	const char **v;
	size_t n, cap;
	ptrmap seen;
} strlist;

static void sl_add(strlist *l, const char *s)
{
	if (!s || !*s || ptrmap_get(&l->seen, s))
		return;
	ptrmap_put(&l->seen, s, (void *)s);
	if (l->n == l->cap)
		l->v = xrealloc(l->v, (l->cap = l->cap ? l->cap * 2 : 64) * sizeof *l->v);
	l->v[l->n++] = s;
}

static void sl_free(strlist *l)
{
	free(l->v);
	ptrmap_free(&l->seen);
}

/* ---- what the file refers to ----------------------------------------------------- */

typedef struct refs {
	strlist groups;            /* group ids: records and membership containers */
	strlist persons;           /* person ids: records and person members */
	strlist usernames;         /* of the file's persons */
	strlist emails;
	ptrmap cohort_groups;      /* group id -> (void*)1 when a role names a course group */
	strlist untyped;           /* ids of members without idtype: is one a course's? */
	ptrmap unsure_courses;     /* group id -> (void*)1: an enrolment the store does not hold */
} refs;

static void collect(const ims_model *m, const settings *cfg, strtab *t, refs *r)
{
	for (const ims_group *g = m->groups; g; g = g->next)
		sl_add(&r->groups, g->id);
	/* snapshot mode covers the courses plan.scope names, listed or not */
	for (const char **sc = cfg->mode == MODE_SNAPSHOT ? cfg->scope : NULL; sc && *sc; sc++) {
		const char *id = ims_canonical(m, *sc);
		sl_add(&r->groups, id ? id : strtab_intern(t, *sc, strlen(*sc)));
	}
	for (const ims_person *p = m->persons; p; p = p->next) {
		sl_add(&r->persons, p->id);
		sl_add(&r->usernames, person_username(cfg, p, t));
		if (p->email && *p->email)
			sl_add(&r->emails, strtab_intern(t, p->email, strlen(p->email)));
	}
	for (const ims_membership *ms = m->memberships; ms; ms = ms->next) {
		if (ms->quarantine)
			continue;
		sl_add(&r->groups, ms->id);
		for (const ims_member *mb = ms->members; mb; mb = mb->next) {
			if (mb->quarantine || mb->idtype == IDT_GROUP)
				continue;
			const char *canon = ims_canonical(m, mb->id);
			const char *id = canon ? canon : strtab_intern(t, mb->id, strlen(mb->id));
			sl_add(&r->persons, id);
			if (mb->idtype == IDT_MISSING)
				sl_add(&r->untyped, id);
			for (const ims_role *ro = mb->roles; ro; ro = ro->next)
				if (ro->x && ro->x->cohort && *ro->x->cohort)
					ptrmap_put(&r->cohort_groups, ms->id, (void *)1);
		}
	}
}

/* ---- from the store (diff mode) ------------------------------------------------------- */

static void course_from_store(site_snapshot *s, const state_course *sc)
{
	site_course *c = site_alloc(s, sizeof *c);
	c->id = sc->courseid;
	c->idnumber = site_intern(s, sc->idnumber ? sc->idnumber : sc->group_id);
	c->shortname = site_intern(s, sc->shortname);
	c->visible = sc->visible;
	c->from_store = true;
	site_add_course(s, c);
}

static void user_from_store(site_snapshot *s, const state_user *su)
{
	site_user *u = site_alloc(s, sizeof *u);
	u->id = su->userid;
	u->idnumber = site_intern(s, su->idnumber ? su->idnumber : su->person_id);
	u->username = site_intern(s, su->username);
	u->email = site_intern(s, su->email);
	u->suspended = su->suspended_by_us;
	u->from_store = true;
	site_add_user(s, u);
}

/* ---- the reads --------------------------------------------------------------------------- */

static bool is_access_error(const errinfo *e)
{
	return strstr(e->msg, "errorcoursecontextnotvalid") || strstr(e->msg, "nopermissions") ||
	       strstr(e->msg, "requireloginerror");
}

/* The shortnames of the file's groups that no course has as idnumber:
 * to match courses by them (courses.match), and to know before creating a
 * course whether its shortname is taken, which Moodle would refuse. */
static int read_courses_by_shortname(moodle_client *c, const ims_model *m, const settings *cfg,
				     site_snapshot *s, errinfo *e)
{
	strlist names = { 0 };
	ptrmap_init(&names.seen);
	for (const ims_group *g = m->groups; g; g = g->next) {
		if (site_courses_by_idnumber(s, g->id))
			continue;
		const char *sn = group_shortname(cfg, g);
		if (!site_courses_by_shortname(s, sn))
			sl_add(&names, sn);
	}
	int rc = moodle_read_courses_by_field(c, s, "shortname", names.v, names.n, e);
	sl_free(&names);
	return rc;
}

static int read_courses(moodle_client *c, const ims_model *m, const settings *cfg, const refs *r,
			const state_view *store, enum site_read read, site_snapshot *s, errinfo *e)
{
	if (read == READ_RECONCILE) {
		int rc = moodle_read_all_courses(c, s, e);
		if (rc == 0 || !is_access_error(e))
			return rc;
		/* One course the token cannot enter fails the whole call (§3): look the
		 * file's courses up one by one instead. */
		log_warn("reading all courses failed (%s); reading the file's courses one by one", e->msg);
	}
	strlist unknown = { 0 };
	ptrmap_init(&unknown.seen);
	for (size_t i = 0; i < r->groups.n; i++) {
		const state_course *sc = read == READ_DIFF && store ? state_course_of_group(store, r->groups.v[i]) : NULL;
		if (sc)
			course_from_store(s, sc);
		else
			sl_add(&unknown, r->groups.v[i]);
	}
	/* members without idtype that ims2moodle never applied as persons: the
	 * planner must know whether a course has the id (§8 #40) */
	for (size_t i = 0; i < r->untyped.n; i++)
		if (!(store && state_user_of_person(store, r->untyped.v[i])))
			sl_add(&unknown, r->untyped.v[i]);
	int rc = moodle_read_courses_by_idnumber(c, s, unknown.v, unknown.n, e);
	sl_free(&unknown);
	if (rc == 0)
		rc = read_courses_by_shortname(c, m, cfg, s, e);
	return rc;
}

/* The course of a group as the planner will find it (plan_courses.c
 * find_course), or NULL when absent or ambiguous (the planner reports
 * those). */
static const site_course *course_of_group(const ims_model *m, const settings *cfg,
					  const site_snapshot *s, const char *group_id)
{
	const site_match *mm = course_match_uses(cfg, "idnumber") ? site_courses_by_idnumber(s, group_id)
								   : NULL;
	if (mm)
		return mm->next ? NULL : mm->item;
	const ims_group *g = course_match_uses(cfg, "shortname") ? ims_find_group(m, group_id) : NULL;
	mm = g ? site_courses_by_shortname(s, group_shortname(cfg, g)) : NULL;
	if (!mm || mm->next)
		return NULL;
	const site_course *c = mm->item;
	/* a course whose idnumber names another group is not this one's */
	return c->idnumber && *c->idnumber && strcmp(c->idnumber, group_id) != 0 ? NULL : c;
}

static int read_users(moodle_client *c, const ims_model *m, const refs *r, const state_view *store,
		      const settings *cfg, enum site_read read, site_snapshot *s, errinfo *e)
{
	strlist ids = { 0 };
	ptrmap_init(&ids.seen);
	for (size_t i = 0; i < r->persons.n; i++) {
		const char *id = r->persons.v[i];
		const state_user *su = read == READ_DIFF && store ? state_user_of_person(store, id) : NULL;
		const ims_person *p = ims_find_person(m, id);
		/* an update needs Moodle's current values */
		if (su && !(p && p->recstatus == RS_UPDATE))
			user_from_store(s, su);
		else
			sl_add(&ids, id);
	}
	/* the Old ids of id changes (§8 #65): which Moodle user has them */
	for (const ims_person *p = m->persons; p && cfg->user_match == MATCH_IDNUMBER; p = p->next)
		for (const ims_sourcedid *sd = p->sourcedids; sd; sd = sd->next)
			if (sd->type && str_ieq_ascii(sd->type, "Old") && sd->id && *sd->id)
				sl_add(&ids, sd->id);
	int rc = 0;
	if (ids.n)
		rc = moodle_read_users(c, s, "idnumber", ids.v, ids.n, e);
	/* The other fields: to match by them, and to find before creating a
	 * user whether its username or email is taken (which would fail the
	 * whole batch). Only for persons not found yet. */
	strlist names = { 0 }, mails = { 0 };
	ptrmap_init(&names.seen);
	ptrmap_init(&mails.seen);
	strtab t;
	arena a;
	arena_init(&a);
	strtab_init(&t, &a);
	for (const ims_person *p = m->persons; p && rc == 0; p = p->next) {
		if (site_users_by_idnumber(s, p->id) && cfg->user_match == MATCH_IDNUMBER)
			continue;
		const char *u = person_username(cfg, p, &t);
		if (u && !site_users_by_username(s, u))
			sl_add(&names, u);
		if (p->email && *p->email && !site_users_by_email(s, p->email))
			sl_add(&mails, p->email);
	}
	if (rc == 0 && names.n)
		rc = moodle_read_users(c, s, "username", names.v, names.n, e);
	if (rc == 0 && mails.n)
		rc = moodle_read_users(c, s, "email", mails.v, mails.n, e);
	sl_free(&names);
	sl_free(&mails);
	strtab_free(&t);
	arena_free(&a);
	sl_free(&ids);
	return rc;
}

static int read_rosters(moodle_client *c, const ims_model *m, const refs *r, const state_view *store,
			const settings *cfg, enum site_read read, site_snapshot *s, errinfo *e)
{
	int64_t *ids = NULL, *grouped = NULL;
	size_t n = 0, ng = 0;
	for (size_t i = 0; i < r->groups.n; i++) {
		const site_course *sc = course_of_group(m, cfg, s, r->groups.v[i]);
		if (!sc)
			continue; /* absent or ambiguous: the planner reports it */
		/* the groups of courses whose roles name one: in both readings */
		if (cfg->course_groups && ptrmap_get(&r->cohort_groups, r->groups.v[i])) {
			grouped = xrealloc(grouped, (ng + 1) * sizeof *grouped);
			grouped[ng++] = sc->id;
		}
		/* diff mode reads only the courses the store knows nothing of, and
		 * those where the file names an enrolment whose last change was
		 * not confirmed */
		if (read == READ_DIFF && store && state_course_of_id(store, sc->id) &&
		    !ptrmap_get(&r->unsure_courses, r->groups.v[i]))
			continue;
		ids = xrealloc(ids, (n + 1) * sizeof *ids);
		ids[n++] = sc->id;
	}
	int rc = n ? moodle_read_rosters(c, s, ids, n, ng > 0, e) : 0;
	if (rc == 0 && ng)
		rc = moodle_read_course_groups(c, s, grouped, ng, e);
	free(ids);
	free(grouped);
	return rc;
}

/* The user a person is, as far as the store or the users read know. */
static int64_t userid_of(const state_view *store, const site_snapshot *s, const char *person_id)
{
	const state_user *su = store ? state_user_of_person(store, person_id) : NULL;
	if (su)
		return su->userid;
	const site_match *mm = site_users_by_idnumber(s, person_id);
	return mm && !mm->next ? ((const site_user *)mm->item)->id : 0;
}

/* Diff mode: the groups where the file names an enrolment whose last change
 * the store holds unconfirmed (read_rosters reads their courses). An
 * enrolment the store holds neither as ims2moodle's nor as someone else's
 * (seen at the last reconcile) is taken to be absent, as diff mode trusts
 * the store; the next reconcile finds any made by hand since. */
static void find_unsure_courses(const ims_model *m, const settings *cfg, const state_view *store,
				const site_snapshot *s, refs *r)
{
	for (const ims_membership *ms = m->memberships; ms; ms = ms->next) {
		if (ms->quarantine)
			continue;
		const site_course *sc = course_of_group(m, cfg, s, ms->id);
		int64_t courseid = sc ? sc->id : 0;
		for (const ims_member *mb = ms->members; mb && courseid; mb = mb->next) {
			if (mb->quarantine || mb->idtype == IDT_GROUP)
				continue;
			const char *canon = ims_canonical(m, mb->id);
			int64_t userid = userid_of(store, s, canon ? canon : mb->id);
			const state_enrolment *se = userid ? state_enrolment_of(store, courseid, userid) : NULL;
			if (se && !se->confirmed) {
				ptrmap_put(&r->unsure_courses, ms->id, (void *)1);
				break;
			}
		}
	}
}

int match_read_site(moodle_client *c, const ims_model *m, const state_view *store,
		    const settings *cfg, enum site_read read, site_snapshot *s, errinfo *e)
{
	refs r;
	strtab t;
	arena a;
	int rc;

	memset(&r, 0, sizeof r);
	ptrmap_init(&r.groups.seen);
	ptrmap_init(&r.persons.seen);
	ptrmap_init(&r.usernames.seen);
	ptrmap_init(&r.emails.seen);
	ptrmap_init(&r.cohort_groups);
	ptrmap_init(&r.untyped.seen);
	ptrmap_init(&r.unsure_courses);
	arena_init(&a);
	strtab_init(&t, &a);
	collect(m, cfg, &t, &r);

	rc = moodle_read_categories(c, s, e);
	if (rc == 0)
		rc = read_courses(c, m, cfg, &r, store, read, s, e);
	if (rc == 0)
		rc = read_users(c, m, &r, store, cfg, read, s, e);
	if (rc == 0 && read == READ_DIFF && store)
		find_unsure_courses(m, cfg, store, s, &r);
	if (rc == 0)
		rc = read_rosters(c, m, &r, store, cfg, read, s, e);
	log_info("read the site (%s): %zu categories, %zu courses, %zu users, %llu requests",
		 site_read_name(read), s->ncategories, s->ncourses, s->nusers,
		 (unsigned long long)s->requests);

	sl_free(&r.groups);
	sl_free(&r.persons);
	sl_free(&r.usernames);
	sl_free(&r.emails);
	ptrmap_free(&r.cohort_groups);
	sl_free(&r.untyped);
	ptrmap_free(&r.unsure_courses);
	strtab_free(&t);
	arena_free(&a);
	return rc;
}
