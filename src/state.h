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
/* Calls fn for each enrolment the store holds in a course (courseid 0: in
 * every course), in the order they were added. */
void state_each_enrolment(const state_view *v, int64_t courseid,
			  void (*fn)(void *ctx, const state_enrolment *e), void *ctx);

/* Adders used by state.c when loading, and by tests. Strings are copied. */
state_course *state_view_add_course(state_view *v, const state_course *c);
state_user *state_view_add_user(state_view *v, const state_user *u);
state_enrolment *state_view_add_enrolment(state_view *v, const state_enrolment *e);

/* ---- the database -------------------------------------------------------- */

/* Opens (creating if needed, mode 0700 directory, 0600 file) the store in
 * dir for the site at site_url. Returns 0, or -EXIT_CONFIG when the store
 * belongs to another site, -EXIT_IOERR on database errors, with e set. */
int state_open(const char *dir, const char *site_url, state_db **out, errinfo *e);
void state_close(state_db *db);

/* Takes the apply lock of the state directory (flock: it dies with the
 * process). Returns 0, or -EXIT_TEMPFAIL when another apply holds it. */
int state_lock(state_db *db, errinfo *e);

/* Loads everything the planner needs into a new view. */
int state_load(state_db *db, state_view **out, errinfo *e);

/* Runs and their journal. */
int state_run_begin(state_db *db, const char *command, const char *file, const char *file_sha256,
		    const char *file_datetime, const char *mode, const char *site_read,
		    int64_t *run_id, errinfo *e);
int state_run_end(state_db *db, int64_t run_id, const char *status, const char *summary_json,
		  errinfo *e);
/* Journals an action before it is sent (result "pending") and after
 * ("done", "failed", "unknown"); returns the entry id in *entry. */
int state_journal_begin(state_db *db, int64_t run_id, const char *kind, const char *target,
			const char *request, int64_t *entry, errinfo *e);
int state_journal_end(state_db *db, int64_t entry, const char *result, const char *detail,
		      errinfo *e);

/* Confirmed results, written by apply. */
int state_put_course(state_db *db, const state_course *c, errinfo *e);
int state_put_user(state_db *db, const state_user *u, errinfo *e);
int state_put_enrolment(state_db *db, const state_enrolment *en, errinfo *e);
int state_delete_enrolment(state_db *db, int64_t courseid, int64_t userid, errinfo *e);
int state_set_meta(state_db *db, const char *key, const char *value, errinfo *e);
/* Returns a malloc'd value or NULL when unset. */
char *state_get_meta(state_db *db, const char *key);
/* Groups writes into one transaction (much faster for many rows). */
int state_begin(state_db *db, errinfo *e);
int state_commit(state_db *db, errinfo *e);

/* History. */
typedef struct state_run_info {
	int64_t id;
	const char *command, *file, *status, *mode, *site_read;
	int64_t started, finished;
	const char *summary_json;
} state_run_info;
int state_each_run(state_db *db, int limit, void (*fn)(void *ctx, const state_run_info *r),
		   void *ctx, errinfo *e);
typedef struct state_journal_info {
	int64_t id, run_id;
	const char *kind, *target, *request, *result, *detail;
	int64_t at;
} state_journal_info;
int state_each_journal(state_db *db, int64_t run_id,
		       void (*fn)(void *ctx, const state_journal_info *j), void *ctx, errinfo *e);

#endif
