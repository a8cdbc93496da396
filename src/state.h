/* state.h -- the local state store: an SQLite database in the state
 * directory that holds what Moodle's REST API cannot report -- which
 * enrolments ims2moodle made, with their roles, dates and status; which
 * users and courses it created or matched; which it suspended or hid -- and
 * the journal of every run. The planner reads a snapshot of it (state_view,
 * plain memory, no I/O); apply writes it, only from confirmed results.
 *
 * One store belongs to one Moodle site: it records the site's URL and
 * refuses to be used with another. */
#ifndef IMS2MOODLE_STATE_H
#define IMS2MOODLE_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include "ptrmap.h"
#include "arena.h"
#include "strtab.h"
#include "util.h"

typedef struct state_db state_db;

/* ---- the view the planner reads --------------------------------------- */

typedef struct state_course {
	int64_t courseid;
	const char *group_id;      /* IMS sourcedid (interned in the view) */
	const char *idnumber, *shortname;
	bool created;              /* ims2moodle created it */
	bool hidden_by_us;         /* ims2moodle hid it (group recstatus 3) */
	int visible;               /* last confirmed, -1 unknown */
} state_course;

typedef struct state_user {
	int64_t userid;
	const char *person_id;
	const char *username, *idnumber, *email;
	bool created;
	bool suspended_by_us;
} state_user;

typedef struct state_enrolment {
	int64_t courseid, userid;
	const char *group_id, *person_id;
	int64_t *roleids;          /* roles ims2moodle gave in the course */
	int nroles;
	int64_t timestart, timeend;
	bool suspended;
	bool confirmed;            /* the last write was confirmed by Moodle */
	int64_t last_run;
} state_enrolment;

/* What the store knows of an enrolment ims2moodle did not make (by hand,
 * or by another enrolment method): whether Moodle showed it at the last
 * reconcile, and with which roles (so that diff mode leaves it alone
 * without reading the course), and the roles ims2moodle gave it (the only
 * part of it ims2moodle may take back, when the file withdraws them). */
#define STATE_FOREIGN_ROLES_MAX 16
typedef struct state_foreign {
	int64_t courseid, userid;
	bool seen;                 /* Moodle showed it at the last reconcile ... */
	bool active;               /* ... active (not suspended, within its dates) */
	int64_t roleids[STATE_FOREIGN_ROLES_MAX];  /* its course roles then */
	int nroles;
	int64_t given[STATE_FOREIGN_ROLES_MAX];    /* roles ims2moodle gave it */
	int ngiven;
} state_foreign;

typedef struct state_view {
	arena mem;
	strtab strings;
	state_course **courses;
	size_t ncourses;
	state_user **users;
	size_t nusers;
	state_enrolment **enrolments;
	size_t nenrolments;
	ptrmap course_by_group;    /* interned group id -> state_course* */
	ptrmap course_by_id;       /* (void*)courseid -> state_course* */
	ptrmap user_by_person;     /* interned person id -> state_user* */
	ptrmap user_by_id;
	ptrmap enrolments_by_course; /* (void*)courseid -> the course's enrolments (state_view.c) */
	ptrmap foreign;            /* (course, user) key -> state_foreign* (state_view.c) */
	int64_t last_reconcile;    /* Unix time of the last reconcile run, 0 never */
	const char *last_file_datetime; /* properties/datetime of the last applied file */
} state_view;

/* An empty view (first run, or no store). */
state_view *state_view_new(void);
void state_view_free(state_view *v);
const state_course *state_course_of_group(const state_view *v, const char *group_id);
const state_course *state_course_of_id(const state_view *v, int64_t courseid);
const state_user *state_user_of_person(const state_view *v, const char *person_id);
const state_user *state_user_of_id(const state_view *v, int64_t userid);
const state_enrolment *state_enrolment_of(const state_view *v, int64_t courseid, int64_t userid);
/* What the store knows of someone else's enrolment, or NULL. */
const state_foreign *state_foreign_of(const state_view *v, int64_t courseid, int64_t userid);
/* Calls fn for each enrolment the store holds in a course (courseid 0: in
 * every course), in the order they were added. */
void state_each_enrolment(const state_view *v, int64_t courseid,
			  void (*fn)(void *ctx, const state_enrolment *e), void *ctx);

/* Adders used by state_load.c when loading, and by tests. Strings are
 * interned in the view, roles copied into its arena (enrolments added one
 * after another with the same roles share one array: never write through
 * roleids). Adding a course, user or enrolment whose id (course and user
 * id) the view holds overwrites that one in place: the arrays and counts
 * hold each once, in the order first added, and pointers returned before
 * see the new values. An id of 0 (none in Moodle) is not indexed: such a
 * course or user is not found by id, such an enrolment not at all. */
state_course *state_view_add_course(state_view *v, const state_course *c);
state_user *state_view_add_user(state_view *v, const state_user *u);
state_enrolment *state_view_add_enrolment(state_view *v, const state_enrolment *e);
/* Records a role ims2moodle gave to someone else's enrolment; a role held
 * already, or beyond STATE_FOREIGN_ROLES_MAX, is not added again. */
void state_view_add_foreign_role(state_view *v, int64_t courseid, int64_t userid, int64_t roleid);
/* Records someone else's enrolment as the last reconcile saw it (roles
 * beyond STATE_FOREIGN_ROLES_MAX are dropped). */
void state_view_add_foreign_enrolment(state_view *v, int64_t courseid, int64_t userid, bool active,
				      const int64_t *roleids, int nroles);

/* ---- the database -------------------------------------------------------- */

/* The schema this program writes; older stores are migrated on open, newer
 * ones refused. */
#define STATE_SCHEMA_VERSION 2
/* How long a call waits for another process's write to finish before it
 * fails with -EXIT_TEMPFAIL. */
#define STATE_BUSY_TIMEOUT_MS 10000

/* Opens the store dir/state.sqlite for the site at site_url, creating what
 * is missing: the directory and its parents (mode 0700; an existing one is
 * left as it is), the file (mode 0600), the schema (migrating an older
 * one). The first open binds the store to the site (the URL normalised by
 * state_normalise_url); site_url NULL opens without checking or binding (for
 * history and show, which need no site). Returns 0 and *out (close it with
 * state_close), or *out NULL and: -EXIT_CONFIG when the store belongs to
 * another site (the message names both URLs and dir), has a schema version
 * newer than STATE_SCHEMA_VERSION, or is an SQLite database that is not a
 * state store; -EXIT_TEMPFAIL when another process kept it busy longer than
 * STATE_BUSY_TIMEOUT_MS; -EXIT_IOERR on file or database errors (the
 * message has SQLite's text and the path). A newer or foreign database is
 * never modified. */
int state_open(const char *dir, const char *site_url, state_db **out, errinfo *e);
/* Closes the store: rolls back an open transaction, releases the apply
 * lock. db may be NULL. */
void state_close(state_db *db);
/* Sets how long calls wait for another process's write (milliseconds). */
void state_set_busy_timeout(state_db *db, int ms);
/* The site URL as a store records it: trailing slashes removed, scheme and
 * host lower-cased (path, query and user name kept). Returns a malloc'd
 * string. */
char *state_normalise_url(const char *url);

/* Takes the apply lock of the state directory: an exclusive, non-blocking
 * flock(2) on dir/apply.lock, into which it writes its pid. The lock dies
 * with the process (and is not inherited across exec); state_close releases
 * it. Taking it again through the same db succeeds. Returns 0, or
 * -EXIT_TEMPFAIL when another process holds it (the message names the pid
 * written in the lock file), -EXIT_IOERR when the file cannot be opened. */
int state_lock(state_db *db, errinfo *e);

/* Loads everything the planner needs into a new view (courses by course
 * id, users by user id, enrolments by course then user id), from one
 * consistent snapshot. Returns 0 and *out (free with state_view_free), or
 * *out NULL and -EXIT_IOERR / -EXIT_TEMPFAIL with e set. */
int state_load(state_db *db, state_view **out, errinfo *e);

/* Runs and their journal. Times are Unix seconds, set by the store.
 * state_run_begin records a run with status "running" and returns its id
 * (ids only grow: a newer run has a larger id). */
int state_run_begin(state_db *db, const char *command, const char *file, const char *file_sha256,
		    const char *file_datetime, const char *mode, const char *site_read,
		    int64_t *run_id, errinfo *e);
/* Sets the run's final status (free text: "done", "partial", "failed",
 * ...), its summary and end time; -EXIT_SOFTWARE for an unknown run id. */
int state_run_end(state_db *db, int64_t run_id, const char *status, const char *summary_json,
		  errinfo *e);
/* Journals an action before it is sent (result "pending") and after
 * ("done", "failed", "unknown"); returns the entry id in *entry.
 * state_journal_begin fails (-EXIT_IOERR) for a run that does not exist;
 * state_journal_end fails for a result not among those four (-EXIT_IOERR)
 * and for an unknown entry (-EXIT_SOFTWARE). */
int state_journal_begin(state_db *db, int64_t run_id, const char *kind, const char *target,
			const char *request, int64_t *entry, errinfo *e);
int state_journal_end(state_db *db, int64_t entry, const char *result, const char *detail,
		      errinfo *e);

/* Confirmed results, written by apply. A put inserts the row or replaces
 * every field of the row with the same course id / user id / (course id,
 * user id), strings NULL or not as given -- except created, which once true
 * stays true (what ims2moodle created stays known as such). Roles are kept
 * in the order given. Return 0, or -EXIT_IOERR / -EXIT_TEMPFAIL with e set
 * (-EXIT_SOFTWARE for a course or user id below 1, or an enrolment with
 * nroles < 0 or roles but no ids). */
int state_put_course(state_db *db, const state_course *c, errinfo *e);
int state_put_user(state_db *db, const state_user *u, errinfo *e);
int state_put_enrolment(state_db *db, const state_enrolment *en, errinfo *e);
/* Removing an enrolment the store does not hold is not an error. */
int state_delete_enrolment(state_db *db, int64_t courseid, int64_t userid, errinfo *e);
/* A role ims2moodle gave to an enrolment it did not make, and took back
 * (removing one the store does not hold is not an error). */
int state_put_foreign_role(state_db *db, int64_t courseid, int64_t userid, int64_t roleid, errinfo *e);
int state_delete_foreign_role(state_db *db, int64_t courseid, int64_t userid, int64_t roleid,
			      errinfo *e);
/* Replaces what the store knows of other enrolments in a course with the n
 * of list (their courseid, userid, active, roleids and nroles), as a
 * reconcile read them. */
int state_replace_foreign_enrolments(state_db *db, int64_t courseid, const state_foreign *list, size_t n,
				     errinfo *e);
/* Sets a meta value (value NULL removes it). Keys used: "site_url" and
 * "schema_version" (the store's own), "last_reconcile" (Unix time as
 * decimal text), "last_file_datetime" (properties/datetime of the last
 * applied file). */
int state_set_meta(state_db *db, const char *key, const char *value, errinfo *e);
/* Returns a malloc'd value or NULL when unset (or unreadable). */
char *state_get_meta(state_db *db, const char *key);
/* Groups writes into one transaction (much faster for many rows): nothing
 * between state_begin and state_commit is stored unless the commit
 * succeeds; state_rollback (or state_close) discards it. state_begin takes
 * the write lock at once (waiting up to the busy timeout); it fails with
 * -EXIT_SOFTWARE when a transaction is already open, state_commit when none
 * is (also when an earlier error made SQLite roll it back).
 * state_rollback without a transaction does nothing and returns 0. */
int state_begin(state_db *db, errinfo *e);
int state_commit(state_db *db, errinfo *e);
int state_rollback(state_db *db, errinfo *e);

/* History. The strings live until fn returns; NULL when not recorded. */
typedef struct state_run_info {
	int64_t id;
	const char *command, *file, *status, *mode, *site_read;
	int64_t started, finished;  /* finished 0: still running, or interrupted */
	const char *summary_json;
	const char *file_sha256, *file_datetime;
} state_run_info;
/* Calls fn for the limit newest runs (limit <= 0: all), newest first. */
int state_each_run(state_db *db, int limit, void (*fn)(void *ctx, const state_run_info *r),
		   void *ctx, errinfo *e);
typedef struct state_journal_info {
	int64_t id, run_id;
	const char *kind, *target, *request, *result, *detail;
	int64_t at;                 /* when the entry was last written */
} state_journal_info;
/* Calls fn for each journal entry of a run, in the order they were made. */
int state_each_journal(state_db *db, int64_t run_id,
		       void (*fn)(void *ctx, const state_journal_info *j), void *ctx, errinfo *e);

#endif
