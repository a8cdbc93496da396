/* apply_internal.h -- the executor's working state, shared by apply.c (the
 * engine: phases, batches, bisection, retries, settling, progress) and
 * apply_kinds.c (what each kind of action sends, and what its answer means
 * for the plan and the store). Not for use outside apply. */
#ifndef IMS2MOODLE_APPLY_INTERNAL_H
#define IMS2MOODLE_APPLY_INTERNAL_H

#include "apply.h"

typedef struct applier applier;
typedef struct batch batch;

/* How one web service function is used for a group of action kinds. */
typedef struct kind_ops {
	const char *function;
	bool all_or_nothing;       /* Moodle rolls the whole call back on the first bad item */
	bool idempotent;           /* sending it again is harmless (sets a state) */
	bool serial;               /* one request at a time */
	bool creates;              /* makes objects: never raced, settled by a read */
	bool one_by_one;           /* each item resolved and sent after the one before */
	int (*batch_size)(const apply_options *o);
	/* Resolves the ids an action needs from earlier actions; false when a
	 * dependency failed (the action is then not run, with *why). */
	bool (*resolve)(applier *ap, plan_action *a, const char **why);
	/* Appends the item's fields, as item number i of the call. */
	void (*encode)(applier *ap, plan_action *a, mform *f, size_t i);
	/* The call succeeded: marks the items (done, or failed for per-item
	 * warnings), learns the new ids, records the store. */
	void (*done)(applier *ap, batch *b, json_object *reply);
	/* Looks for the objects of unknown creations; true when it read. */
	bool (*settle)(applier *ap, plan_action **items, size_t n);
	/* After the phase (course creation: check they came out hidden). */
	void (*after)(applier *ap, plan_action **items, size_t n);
} kind_ops;

struct batch {
	applier *ap;
	const kind_ops *ops;
	plan_action **items;
	size_t n;
	int attempts;              /* sends of this exact batch */
};

struct applier {
	plan *p;
	moodle_client *c;
	state_db *db;
	const state_view *store;
	site_snapshot *site;
	int64_t run;
	const apply_options *o;

	arena mem;
	strtab keys;
	ptrmap course_ids;         /* course ref (interned in keys) -> id */
	ptrmap user_ids;           /* username -> id */
	ptrmap category_ids;       /* category path -> id */
	ptrmap group_ids;          /* "courseid:name" -> id */
	ptrmap roles;              /* (courseid,userid) key -> role list (current, ours) */
	ptrmap stored_courses;     /* courseid -> (void*)1: written to the store in this run */
	ptrmap stored_users;       /* userid -> (void*)1: likewise */
	int64_t *journal;          /* by action index: its journal entry, 0 = none yet */

	plan_action **unknown;     /* creations whose answer was lost */
	size_t nunknown;
	batch *serial_queue;       /* batches waiting for the serial lane */
	size_t nserial, cserial;
	bool serial_busy;

	int txn_depth;             /* store transaction nesting (joined, not nested) */
	int fatal;                 /* the run must stop: its code */
	errinfo fatal_err;
	size_t finished, total;
	double started, last_progress;
};

/* apply.c */
/* Sets an action's result, journals it, and records a confirmed result in
 * the store (or takes back the intent of a refused one). */
void ap_set_result(applier *ap, plan_action *a, enum action_result r, const char *error);
batch *ap_new_batch(applier *ap, const kind_ops *ops, plan_action **items, size_t n);
/* Queues a batch (sent by the next moodle_run). */
void ap_submit(applier *ap, batch *b);
const char *ap_key(applier *ap, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ap_store_error(applier *ap, int rc, const errinfo *e);

/* apply_kinds.c: the ops of a kind, or NULL for none. */
const kind_ops *ops_for(enum plan_kind k);
/* Records a finished action in the store (confirmed results only). */
void ap_record(applier *ap, plan_action *a);
/* Writes the intent of an enrolment change before it is sent. */
void ap_record_intent(applier *ap, plan_action *a);
/* Takes the intent back: Moodle refused the change. */
void ap_record_failure(applier *ap, plan_action *a);

#endif
