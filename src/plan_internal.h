/* plan_internal.h -- the planner's working state, shared by plan.c (the
 * driver, sorting, safety), plan_courses.c (groups -> courses and
 * categories), plan_users.c (persons -> users) and plan_enrol.c
 * (memberships -> enrolments). Not for use outside the planner. */
#ifndef IMS2MOODLE_PLAN_INTERNAL_H
#define IMS2MOODLE_PLAN_INTERNAL_H

#include "plan.h"

/* What a group of the file (or a membership's container) is on the site. */
enum course_state {
	CS_ABSENT = 0,   /* not (yet) resolved */
	CS_EXISTS,       /* a Moodle course; courseid set */
	CS_CREATE,       /* made by this plan; ref names it */
	CS_SKIP,         /* not a course, not creatable, or a delete record: why says */
	CS_QUARANTINED,  /* ambiguous or invalid: why says */
};

typedef struct cref {
	const char *group_id;      /* the model's interned id */
	const ims_group *group;    /* NULL when the group is not in the file */
	enum course_state state;
	const site_course *course; /* CS_EXISTS */
	int64_t courseid;
	const char *ref;           /* CS_CREATE: the idnumber of the new course */
	const char *why;
	bool in_scope;             /* snapshot mode: its enrolments are managed */
	bool skip_reported;
	uint32_t index;
} cref;

enum user_state { US_ABSENT = 0, US_EXISTS, US_CREATE, US_SKIP, US_QUARANTINED };

typedef struct uref {
	const char *person_id;
	const ims_person *person;  /* NULL when the person is not in the file */
	enum user_state state;
	const site_user *user;
	int64_t userid;
	const char *username;      /* US_CREATE: the new user's username */
	const char *why;
	uint32_t index;
} uref;

/* What the file wants of one user in one course. Roles are bits over the
 * planner's role table (at most 32 distinct Moodle roles). */
typedef struct want {
	cref *c;
	uref *u;
	uint32_t line;
	uint32_t active;           /* roles the file makes active */
	uint32_t withdrawn;        /* roles the file withdraws */
	int64_t timestart, timeend;
	const char *cohort;        /* role extension/cohort: a course group */
} want;

#define MAX_ROLES 32

typedef struct planner {
	const ims_model *m;
	const site_snapshot *site;
	const state_view *store;
	const settings *cfg;
	int64_t now;
	plan *p;
	strtab strings;            /* composed strings, in p->mem */
	arena work;                /* the planner's own records (crefs, urefs, wants): freed at the end */

	ptrmap courses;            /* group id -> cref* */
	cref **crefs;
	size_t ncrefs;
	ptrmap users;              /* person id -> uref* */
	uref **urefs;
	size_t nurefs;

	/* role table: Moodle role shortname and id by bit */
	const char *role_names[MAX_ROLES];
	int64_t role_ids[MAX_ROLES];
	int nroles;

	ptrmap wants;              /* (course index, user index) key -> want* */
	want **wantv;
	size_t nwants;

	ptrmap planned;            /* dedupe keys (interned) of categories and groups */
	size_t cap_actions, cap_skips, cap_quarantine;
} planner;

/* Strings and records. */
const char *pl_str(planner *pl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
plan_action *pl_action(planner *pl, enum plan_kind kind, uint32_t line, const char *reason);
plan_object *pl_object(planner *pl, plan_action *a);
void pl_change(planner *pl, plan_object *o, const char *field, const char *from, const char *to);
void pl_skip(planner *pl, uint32_t line, const char *what, const char *group_id,
	     const char *person_id, const char *reason);
void pl_quarantine(planner *pl, uint32_t line, const char *what, const char *id,
		   const char *group_id, const char *reason, const char *candidates);
/* The bit of a Moodle role in the role table (adding it), or -1 when full. */
int pl_role_bit(planner *pl, const char *shortname, int64_t id);

/* The phases. */
void plan_courses(planner *pl);
cref *plan_course_of_container(planner *pl, const char *group_id, uint32_t line);
void plan_users(planner *pl);
/* The user of a member (its id need not be interned). */
uref *plan_user_of_member(planner *pl, const char *member_id, uint32_t line);
void plan_enrolments(planner *pl);
void plan_check_safety(planner *pl);

/* Whether a user id must never be suspended or deleted (guest, admin, the
 * token's own user). */
bool pl_protected_user(const planner *pl, int64_t userid);

#endif
