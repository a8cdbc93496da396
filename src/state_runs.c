/* state_runs.c -- the runs recorded in the state store and the journal of
 * each run's changes (see state.h): written as apply goes, read back by
 * history and show. */
#include "config.h"
#include "state_internal.h"

#include <time.h>

static int64_t now_unix(void)
{
	return (int64_t)time(NULL);
}

int state_run_begin(state_db *s, const char *command, const char *file, const char *file_sha256,
		    const char *file_datetime, const char *mode, const char *site_read,
		    int64_t *run_id, errinfo *e)
{
	sqlite3_stmt *st = state_stmt(s, SS_RUN_BEGIN);
	if (st) {
		state_bind_text(st, 1, command);
		state_bind_text(st, 2, file);
		state_bind_text(st, 3, file_sha256);
		state_bind_text(st, 4, file_datetime);
		state_bind_text(st, 5, mode);
		state_bind_text(st, 6, site_read);
		sqlite3_bind_int64(st, 7, now_unix());
	}
	int rc = state_step_done(s, st, e, "cannot record the run");
	if (rc == 0)
		*run_id = sqlite3_last_insert_rowid(s->db);
	return rc;
}

/* A write that must change exactly one row: none means the id is unknown. */
static int step_one(state_db *s, sqlite3_stmt *st, errinfo *e, const char *what, int64_t id)
{
	int rc = state_step_done(s, st, e, what);
	if (rc == 0 && sqlite3_changes(s->db) != 1)
		rc = err_set(e, -EXIT_SOFTWARE, "state store %s: %s: no entry %lld", s->path, what,
			     (long long)id);
	return rc;
}

int state_run_end(state_db *s, int64_t run_id, const char *status, const char *summary_json,
		  errinfo *e)
{
	sqlite3_stmt *st = state_stmt(s, SS_RUN_END);
	if (st) {
		sqlite3_bind_int64(st, 1, run_id);
		state_bind_text(st, 2, status);
		state_bind_text(st, 3, summary_json);
		sqlite3_bind_int64(st, 4, now_unix());
	}
	return step_one(s, st, e, "cannot finish the run", run_id);
}

int state_journal_begin(state_db *s, int64_t run_id, const char *kind, const char *target,
			const char *request, int64_t *entry, errinfo *e)
{
	sqlite3_stmt *st = state_stmt(s, SS_JOURNAL_BEGIN);
	if (st) {
		sqlite3_bind_int64(st, 1, run_id);
		state_bind_text(st, 2, kind);
		state_bind_text(st, 3, target);
		state_bind_text(st, 4, request);
		sqlite3_bind_int64(st, 5, now_unix());
	}
	int rc = state_step_done(s, st, e, "cannot journal a change");
	if (rc == 0)
		*entry = sqlite3_last_insert_rowid(s->db);
	return rc;
}

int state_journal_end(state_db *s, int64_t entry, const char *result, const char *detail,
		      errinfo *e)
{
	sqlite3_stmt *st = state_stmt(s, SS_JOURNAL_END);
	if (st) {
		sqlite3_bind_int64(st, 1, entry);
		state_bind_text(st, 2, result);
		state_bind_text(st, 3, detail);
		sqlite3_bind_int64(st, 4, now_unix());
	}
	return step_one(s, st, e, "cannot journal a result", entry);
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

int state_each_run(state_db *s, int limit, void (*fn)(void *ctx, const state_run_info *r),
		   void *ctx, errinfo *e)
{
	sqlite3_stmt *st;
	int rc;
	if (sqlite3_prepare_v2(s->db, "SELECT id, command, file, status, mode, site_read, started,"
				      " finished, summary, file_sha256, file_datetime FROM runs"
				      " ORDER BY id DESC LIMIT ?1", -1, &st, NULL) != SQLITE_OK)
		return state_db_error(s, e, "cannot read the runs");
	sqlite3_bind_int(st, 1, limit > 0 ? limit : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		state_run_info r = {
			.id = sqlite3_column_int64(st, 0), .command = col_text(st, 1),
			.file = col_text(st, 2), .status = col_text(st, 3), .mode = col_text(st, 4),
			.site_read = col_text(st, 5), .started = sqlite3_column_int64(st, 6),
			.finished = sqlite3_column_int64(st, 7), .summary_json = col_text(st, 8),
			.file_sha256 = col_text(st, 9), .file_datetime = col_text(st, 10),
		};
		fn(ctx, &r);
	}
	int code = rc == SQLITE_DONE ? 0 : state_db_error(s, e, "cannot read the runs");
	sqlite3_finalize(st);
	return code;
}

int state_each_journal(state_db *s, int64_t run_id,
		       void (*fn)(void *ctx, const state_journal_info *j), void *ctx, errinfo *e)
{
	sqlite3_stmt *st;
	int rc;
	if (sqlite3_prepare_v2(s->db, "SELECT id, run_id, kind, target, request, result, detail, at"
				      " FROM journal WHERE run_id = ?1 ORDER BY id", -1, &st,
			       NULL) != SQLITE_OK)
		return state_db_error(s, e, "cannot read the journal");
	sqlite3_bind_int64(st, 1, run_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		state_journal_info j = {
			.id = sqlite3_column_int64(st, 0), .run_id = sqlite3_column_int64(st, 1),
			.kind = col_text(st, 2), .target = col_text(st, 3),
			.request = col_text(st, 4), .result = col_text(st, 5),
			.detail = col_text(st, 6), .at = sqlite3_column_int64(st, 7),
		};
		fn(ctx, &j);
	}
	int code = rc == SQLITE_DONE ? 0 : state_db_error(s, e, "cannot read the journal");
	sqlite3_finalize(st);
	return code;
}
