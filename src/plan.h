/* plan.h -- the plan: what a run will do to the site, as a sorted,
 * deterministic list of actions, with every skipped and quarantined record
 * and the safety verdicts. `plan` reports it; `apply` executes exactly it.
 *
 * plan_build is a pure function of (model, site snapshot, store view,
 * settings): no I/O, no clock (the caller passes the time). */
#ifndef IMS2MOODLE_PLAN_H
#define IMS2MOODLE_PLAN_H

#include <stdbool.h>
#include <stdint.h>
#include "arena.h"
#include "ims_model.h"
#include "settings.h"
#include "site.h"
#include "state.h"
#include "util.h"

/* Action kinds, in execution order (phases). */
enum plan_kind {
	PA_CREATE_CATEGORY,
	PA_CREATE_COURSE,
	PA_UPDATE_COURSE,
	PA_CREATE_USER,
	PA_UPDATE_USER,
	PA_REACTIVATE_USER,
	PA_ENROL,              /* new enrolment (role, dates) */
	PA_REACTIVATE,         /* a suspended enrolment made active again */
	PA_UPDATE_ENROLMENT,   /* dates changed */
	PA_ADD_ROLE,           /* role added to an existing enrolment */
	PA_REMOVE_ROLE,        /* the other half of a role change */
	PA_CREATE_GROUP,
	PA_ADD_TO_GROUP,
	PA_SUSPEND,            /* withdrawal: the enrolment is suspended */
	PA_UNENROL,            /* withdrawal: the enrolment is removed (grades go) */
	PA_HIDE_COURSE,
	PA_SUSPEND_USER,
	PA_DELETE_USER,
	PA_KIND_COUNT
};

const char *plan_kind_name(enum plan_kind k);    /* "create_course", ... */
const char *plan_kind_label(enum plan_kind k);   /* "create course", ... (for people) */
/* Whether a kind removes or hides something (guarded by thresholds). */
bool plan_kind_destructive(enum plan_kind k);

/* What apply made of an action (the plan itself has only AR_PLANNED). */
enum action_result {
	AR_PLANNED = 0,
	AR_DONE,               /* Moodle confirmed it */
	AR_FAILED,             /* Moodle refused it (error says why); nothing changed */
	AR_UNKNOWN,            /* sent, but the answer was lost: it may have happened */
	AR_NOT_RUN,            /* not attempted (a dependency failed, or the run stopped) */
};
const char *action_result_name(enum action_result r); /* "planned", "done", ... */

/* A field change of an update. */
typedef struct plan_change {
	struct plan_change *next;
	const char *field;
	const char *from;          /* NULL = empty */
	const char *to;
} plan_change;

/* The payload of actions that create or update an object (categories,
 * courses, users, course groups). Enrolment actions have none, which keeps
 * the half-million actions of a full load small. */
typedef struct plan_object {
	const char *name;          /* category name, course group name */
	const char *shortname, *fullname, *idnumber, *summary;
	int visible;
	int64_t startdate, enddate;
	const char *username, *email, *firstname, *lastname, *auth, *city, *country;
	int64_t categoryid;        /* course: its category, or 0 with category_ref */
	const char *category_ref;  /* "A/B/C" path of names of a category made earlier */
	int64_t parentid;          /* category: its parent (0 = top level, or parent_ref) */
	const char *parent_ref;
	int64_t groupid;           /* add_to_group: the group, or 0 with name (made earlier) */
	plan_change *changes;      /* updates: what changes */
} plan_object;

typedef struct plan_action {
	uint8_t kind;              /* enum plan_kind */
	uint8_t result;            /* enum action_result, filled by apply */
	bool suspend;              /* the enrolment's status after this action */
	bool held;                 /* a safety threshold it counts for is exceeded: apply
				    * runs it only with --force */
	uint32_t seq;              /* 1-based position in the sorted plan */
	uint32_t line;             /* line of the record in the file (0 = none) */
	const char *group_id;      /* IMS group sourcedid (the course), or NULL */
	const char *person_id;     /* IMS person sourcedid, or NULL */
	/* Moodle ids; 0 when the object is made by an earlier action of this
	 * plan, which the *_ref then names (course idnumber, username) */
	int64_t courseid;
	int64_t userid;
	const char *course_ref;
	const char *user_ref;
	int64_t roleid;
	const char *role;          /* Moodle role shortname */
	int64_t timestart, timeend;/* 0 = none */
	plan_object *obj;          /* create/update payload, or NULL */
	const char *reason;        /* plain words: why */
	const char *error;         /* apply: errorcode and message, or transport fault */
} plan_action;

/* Something the file asked for that will not happen, and why (not a
 * problem with the record: e.g. a membership of a term, not a course). */
typedef struct plan_skip {
	uint32_t line;
	const char *what;          /* "membership", "person", ... */
	const char *group_id;
	const char *person_id;
	const char *reason;
} plan_skip;

/* A record set aside: reported, never applied. */
typedef struct plan_quarantine {
	uint32_t line;
	const char *what;          /* "person", "group", "membership", "member", "role" */
	const char *id;
	const char *group_id;      /* for members and roles */
	const char *reason;
	const char *candidates;    /* ambiguities: the candidates, named */
} plan_quarantine;

/* One threshold check. */
typedef struct plan_safety {
	enum safety_class cls;
	const char *scope;         /* "site" or a course's group id */
	int64_t count;             /* destructive actions of this class in scope */
	int64_t base;              /* what the percentage is of */
	double percent;
	double max_percent;
	int64_t max_count;
	int64_t min_count;         /* the percentage counts only from this many on */
	bool exceeded;
} plan_safety;

typedef struct plan {
	arena mem;
	plan_action *actions;
	size_t nactions;
	plan_skip *skips;
	size_t nskips;
	plan_quarantine *quarantine;
	size_t nquarantine;
	plan_safety *safety;
	size_t nsafety;
	bool refused;              /* a threshold is exceeded */
	uint64_t counts[PA_KIND_COUNT];
	uint64_t unchanged;        /* enrolments already as the file says */
	uint64_t drift;            /* reconcile: enrolments ims2moodle made that Moodle shows
				    * otherwise than the store remembers (changed by hand
				    * since); each is planned back to what the file says */

	/* context, for reports */
	const char *file;
	const char *file_datetime;
	enum plan_mode mode;
	enum site_read site_read;  /* which reading produced the snapshot */
	const char *site_url;
	uint64_t site_requests;
	const char *refused_reason;/* the whole file refused (e.g. empty snapshot), or NULL */
	const char *skipped_reason;/* the whole file skipped (target not ours), or NULL */
	const ims_repair_group *repairs; /* IMS_REPAIR_KINDS groups from the model, or NULL */
	const ims_warning_group *warnings; /* W_KIND_COUNT groups from the model, or NULL */

	/* an apply outcome (apply fills these) */
	bool is_outcome;
	int64_t run_id;
	uint64_t results[PA_KIND_COUNT][AR_NOT_RUN + 1];
} plan;

/* Builds the plan. now is the Unix time used to judge dates. Returns 0 and
 * *out (free with plan_free), or a negative code with e set (only for
 * internal failures: every record-level problem is in the plan). */
int plan_build(const ims_model *m, const site_snapshot *site, const state_view *store,
	       const settings *cfg, int64_t now, plan **out, errinfo *e);
void plan_free(plan *p);

/* Whether the plan changes anything. */
bool plan_has_changes(const plan *p);

#endif
