/* state_internal.h -- what the parts of the state store share (state.c,
 * state_write.c, state_load.c, state_runs.c): the open database, its cache
 * of prepared statements and the helpers that turn SQLite results into
 * errinfo. Not for use outside src/state*.c. */
#ifndef IMS2MOODLE_STATE_INTERNAL_H
#define IMS2MOODLE_STATE_INTERNAL_H

#include <sqlite3.h>
#include "state.h"

/* The statements prepared once per open store and reused (state.c). */
enum state_stmt {
	SS_PUT_COURSE, SS_PUT_USER, SS_PUT_ENROLMENT, SS_DEL_ENROLMENT,
	SS_PUT_FOREIGN_ROLE, SS_DEL_FOREIGN_ROLE, SS_DEL_FOREIGN_ENROLMENTS, SS_PUT_FOREIGN_ENROLMENT,
	SS_SET_META, SS_DEL_META, SS_GET_META,
	SS_RUN_BEGIN, SS_RUN_END, SS_JOURNAL_BEGIN, SS_JOURNAL_END,
	SS_COUNT
};

struct state_db {
	sqlite3 *db;
	char *dir;                 /* the state directory, as given */
	char *path;                /* dir/state.sqlite */
	int lock_fd;               /* the apply lock, -1 when not held */
	sqlite3_stmt *stmt[SS_COUNT];
};

/* Sets e from the database's last error: -EXIT_TEMPFAIL when the store was
 * busy (another process kept it locked longer than the busy timeout),
 * -EXIT_IOERR otherwise; the message names the store's path, what failed
 * and SQLite's message. Returns the code. */
int state_db_error(state_db *s, errinfo *e, const char *what);

/* The cached statement id, reset and with no bindings; NULL when it cannot
 * be prepared (the database's error says why). */
sqlite3_stmt *state_stmt(state_db *s, enum state_stmt id);

/* Steps a write statement to completion, then resets it and clears its
 * bindings. Returns 0, or the code of state_db_error with e set; st NULL
 * (a failed state_stmt) is reported the same way. */
int state_step_done(state_db *s, sqlite3_stmt *st, errinfo *e, const char *what);

/* Binds a string or, for NULL, SQL NULL (the string must stay valid until
 * the statement is stepped and reset). */
void state_bind_text(sqlite3_stmt *st, int i, const char *v);

/* Runs SQL without results (several statements allowed). Returns 0 or the
 * code of state_db_error. */
int state_exec(state_db *s, const char *sql, errinfo *e, const char *what);

/* Roles as stored: the ids in the order given, as decimal numbers joined
 * by commas ("" for none). Returns a malloc'd string. */
char *state_roles_encode(const int64_t *ids, int n);
/* Parses text written by state_roles_encode, storing at most cap ids into
 * ids. Returns how many ids the text holds (more than cap means: call
 * again with a larger array), or -1 when the text is not such a list. */
int state_roles_decode(const char *text, int64_t *ids, int cap);

#endif
