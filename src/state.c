/* state.c -- the state store in SQLite (see state.h): schema and its
 * version, binding to one site, the apply lock, loading the planner's view,
 * confirmed writes, runs and their journal. */
#include "config.h"
#include "state.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SCHEMA_VERSION 1

enum stmt_id {
	ST_PUT_COURSE, ST_PUT_USER, ST_PUT_ENROLMENT, ST_DEL_ENROLMENT, ST_SET_META, ST_GET_META,
	ST_RUN_BEGIN, ST_RUN_END, ST_JOURNAL_BEGIN, ST_JOURNAL_END, ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
	[ST_PUT_COURSE] =
		"INSERT INTO courses (courseid, group_id, idnumber, shortname, created, hidden_by_us, visible)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
		" ON CONFLICT(courseid) DO UPDATE SET group_id = ?2, idnumber = ?3, shortname = ?4,"
		" created = max(created, ?5), hidden_by_us = ?6, visible = ?7",
	[ST_PUT_USER] =
		"INSERT INTO users (userid, person_id, username, idnumber, email, created, suspended_by_us)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
		" ON CONFLICT(userid) DO UPDATE SET person_id = ?2, username = ?3, idnumber = ?4, email = ?5,"
		" created = max(created, ?6), suspended_by_us = ?7",
	[ST_PUT_ENROLMENT] =
		"INSERT INTO enrolments (courseid, userid, group_id, person_id, roles, timestart, timeend,"
		" suspended, confirmed, last_run) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
		" ON CONFLICT(courseid, userid) DO UPDATE SET group_id = ?3, person_id = ?4, roles = ?5,"
		" timestart = ?6, timeend = ?7, suspended = ?8, confirmed = ?9, last_run = ?10",
	[ST_DEL_ENROLMENT] = "DELETE FROM enrolments WHERE courseid = ?1 AND userid = ?2",
	[ST_SET_META] = "INSERT INTO meta (key, value) VALUES (?1, ?2)"
			" ON CONFLICT(key) DO UPDATE SET value = ?2",
	[ST_GET_META] = "SELECT value FROM meta WHERE key = ?1",
	[ST_RUN_BEGIN] = "INSERT INTO runs (command, file, file_sha256, file_datetime, mode, site_read,"
			 " started, status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'running')",
	[ST_RUN_END] = "UPDATE runs SET status = ?2, summary = ?3, finished = ?4 WHERE id = ?1",
	[ST_JOURNAL_BEGIN] = "INSERT INTO journal (run_id, kind, target, request, result, at)"
			     " VALUES (?1, ?2, ?3, ?4, 'pending', ?5)",
	[ST_JOURNAL_END] = "UPDATE journal SET result = ?2, detail = ?3, at = ?4 WHERE id = ?1",
};

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);"
	"CREATE TABLE IF NOT EXISTS courses ("
	" courseid INTEGER PRIMARY KEY, group_id TEXT, idnumber TEXT, shortname TEXT,"
	" created INTEGER NOT NULL DEFAULT 0, hidden_by_us INTEGER NOT NULL DEFAULT 0,"
	" visible INTEGER NOT NULL DEFAULT -1);"
	"CREATE INDEX IF NOT EXISTS courses_group ON courses (group_id);"
	"CREATE TABLE IF NOT EXISTS users ("
	" userid INTEGER PRIMARY KEY, person_id TEXT, username TEXT, idnumber TEXT, email TEXT,"
	" created INTEGER NOT NULL DEFAULT 0, suspended_by_us INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX IF NOT EXISTS users_person ON users (person_id);"
	"CREATE TABLE IF NOT EXISTS enrolments ("
	" courseid INTEGER NOT NULL, userid INTEGER NOT NULL, group_id TEXT, person_id TEXT,"
	" roles TEXT NOT NULL DEFAULT '', timestart INTEGER NOT NULL DEFAULT 0,"
	" timeend INTEGER NOT NULL DEFAULT 0, suspended INTEGER NOT NULL DEFAULT 0,"
	" confirmed INTEGER NOT NULL DEFAULT 1, last_run INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY (courseid, userid));"
	"CREATE TABLE IF NOT EXISTS runs ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT, command TEXT NOT NULL, file TEXT, file_sha256 TEXT,"
	" file_datetime TEXT, mode TEXT, site_read TEXT, started INTEGER NOT NULL,"
	" finished INTEGER, status TEXT NOT NULL, summary TEXT);"
	"CREATE TABLE IF NOT EXISTS journal ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT, run_id INTEGER NOT NULL REFERENCES runs(id),"
	" kind TEXT NOT NULL, target TEXT, request TEXT, result TEXT NOT NULL, detail TEXT,"
	" at INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS journal_run ON journal (run_id, id);";

struct state_db {
	sqlite3 *db;
	char *dir;
	char *path;
	int lock_fd;
	sqlite3_stmt *stmt[ST_COUNT];
};

static int db_error(state_db *s, errinfo *e, const char *what)
{
	return err_set(e, -EXIT_IOERR, "state store %s: %s: %s", s->path, what,
		       s->db ? sqlite3_errmsg(s->db) : "cannot open");
}

static int exec(state_db *s, const char *sql, errinfo *e)
{
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int rc = err_set(e, -EXIT_IOERR, "state store %s: %s", s->path, msg ? msg : "error");
		sqlite3_free(msg);
		return rc;
	}
	return 0;
}

static sqlite3_stmt *stmt(state_db *s, enum stmt_id id)
{
	if (!s->stmt[id] && sqlite3_prepare_v3(s->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
					       &s->stmt[id], NULL) != SQLITE_OK)
		return NULL;
	sqlite3_reset(s->stmt[id]);
	sqlite3_clear_bindings(s->stmt[id]);
	return s->stmt[id];
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* Runs a prepared write; returns 0 or -EXIT_IOERR. */
static int step_done(state_db *s, sqlite3_stmt *st, errinfo *e, const char *what)
{
	if (!st)
		return db_error(s, e, what);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_error(s, e, what);
}

/* The site URL as stored: scheme and host lower-cased, no trailing slash. */
static char *normalise_url(const char *url)
{
	char *u = xstrdup(url ? url : "");
	size_t n = strlen(u);
	while (n && u[n - 1] == '/')
		u[--n] = '\0';
	char *host = strstr(u, "://");
	char *end = host ? strchr(host + 3, '/') : NULL;
	for (char *p = u; *p && (!end || p < end); p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
	return u;
}

static int check_schema(state_db *s, errinfo *e)
{
	char *v = state_get_meta(s, "schema_version");
	int rc = 0;
	if (!v) {
		char buf[16];
		snprintf(buf, sizeof buf, "%d", SCHEMA_VERSION);
		rc = state_set_meta(s, "schema_version", buf, e);
	} else if (atoi(v) > SCHEMA_VERSION) {
		rc = err_set(e, -EXIT_CONFIG,
			     "state store %s has schema version %s, newer than this ims2moodle knows "
			     "(%d): use the newer ims2moodle that wrote it", s->path, v, SCHEMA_VERSION);
	}
	free(v);
	return rc;
}

static int bind_site(state_db *s, const char *site_url, errinfo *e)
{
	char *want = normalise_url(site_url);
	char *have = state_get_meta(s, "site_url");
	int rc = 0;
	if (!have)
		rc = state_set_meta(s, "site_url", want, e);
	else if (strcmp(have, want) != 0)
		rc = err_set(e, -EXIT_CONFIG,
			     "the state directory %s belongs to the site %s, not to %s: one store "
			     "serves one site (use another --state-dir)", s->dir, have, want);
	free(have);
	free(want);
	return rc;
}

int state_open(const char *dir, const char *site_url, state_db **out, errinfo *e)
{
	state_db *s = xcalloc(1, sizeof *s);
	int rc;

	s->lock_fd = -1;
	s->dir = xstrdup(dir);
	s->path = xasprintf("%s/state.sqlite", dir);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		rc = err_set(e, -EXIT_IOERR, "cannot create the state directory %s: %s", dir,
			     strerror(errno));
		goto fail;
	}
	mode_t old = umask(077);
	int orc = sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				  SQLITE_OPEN_NOMUTEX, NULL);
	umask(old);
	if (orc != SQLITE_OK) {
		rc = db_error(s, e, "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 10000);
	if ((rc = exec(s, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
			  "PRAGMA foreign_keys = ON;", e)) < 0 ||
	    (rc = exec(s, schema_sql, e)) < 0 || (rc = check_schema(s, e)) < 0 ||
	    (rc = bind_site(s, site_url, e)) < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	state_close(s);
	*out = NULL;
	return rc;
}

void state_close(state_db *s)
{
	if (!s)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	if (s->db)
		sqlite3_close(s->db);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	free(s->dir);
	free(s->path);
	free(s);
}

int state_lock(state_db *s, errinfo *e)
{
	char *path = xasprintf("%s/apply.lock", s->dir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		int rc = err_set(e, -EXIT_IOERR, "cannot open %s: %s", path, strerror(errno));
		free(path);
		return rc;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		char pid[32] = "";
		ssize_t n = pread(fd, pid, sizeof pid - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		int rc = err_set(e, -EXIT_TEMPFAIL,
				 "another ims2moodle apply (pid %s) is running with the state directory "
				 "%s; try again when it is done", *pid ? pid : "?", s->dir);
		close(fd);
		free(path);
		return rc;
	}
	char buf[32];
	int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) < 0)
		log_warn("cannot write the pid into %s: %s", path, strerror(errno));
	s->lock_fd = fd;
	free(path);
	return 0;
}

/* ---- loading the view ----------------------------------------------------------- */

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static int parse_roles(const char *text, int64_t *ids, int max)
{
	int n = 0;
	for (const char *p = text; p && *p && n < max;) {
		char *end;
		long long v = strtoll(p, &end, 10);
		if (end == p)
			break;
		ids[n++] = v;
		p = *end == ',' ? end + 1 : end;
	}
	return n;
}

int state_load(state_db *s, state_view **out, errinfo *e)
{
	state_view *v = state_view_new();
	sqlite3_stmt *st = NULL;
	int rc = 0;

	if (sqlite3_prepare_v2(s->db, "SELECT courseid, group_id, idnumber, shortname, created,"
				      " hidden_by_us, visible FROM courses ORDER BY courseid", -1, &st, NULL) != SQLITE_OK)
		goto db_fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		state_course c = { sqlite3_column_int64(st, 0), col_text(st, 1), col_text(st, 2),
				   col_text(st, 3), sqlite3_column_int(st, 4) != 0,
				   sqlite3_column_int(st, 5) != 0, sqlite3_column_int(st, 6) };
		state_view_add_course(v, &c);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		goto db_fail;

	if (sqlite3_prepare_v2(s->db, "SELECT userid, person_id, username, idnumber, email, created,"
				      " suspended_by_us FROM users ORDER BY userid", -1, &st, NULL) != SQLITE_OK)
		goto db_fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		state_user u = { sqlite3_column_int64(st, 0), col_text(st, 1), col_text(st, 2),
				 col_text(st, 3), col_text(st, 4), sqlite3_column_int(st, 5) != 0,
				 sqlite3_column_int(st, 6) != 0 };
		state_view_add_user(v, &u);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		goto db_fail;

	if (sqlite3_prepare_v2(s->db, "SELECT courseid, userid, group_id, person_id, roles, timestart,"
				      " timeend, suspended, confirmed, last_run FROM enrolments"
				      " ORDER BY courseid, userid", -1, &st, NULL) != SQLITE_OK)
		goto db_fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t roles[32];
		state_enrolment en = { 0 };
		en.courseid = sqlite3_column_int64(st, 0);
		en.userid = sqlite3_column_int64(st, 1);
		en.group_id = col_text(st, 2);
		en.person_id = col_text(st, 3);
		en.nroles = parse_roles(col_text(st, 4), roles, 32);
		en.roleids = roles;
		en.timestart = sqlite3_column_int64(st, 5);
		en.timeend = sqlite3_column_int64(st, 6);
		en.suspended = sqlite3_column_int(st, 7) != 0;
		en.confirmed = sqlite3_column_int(st, 8) != 0;
		en.last_run = sqlite3_column_int64(st, 9);
		state_view_add_enrolment(v, &en);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		goto db_fail;

	char *last = state_get_meta(s, "last_reconcile");
	v->last_reconcile = last ? strtoll(last, NULL, 10) : 0;
	free(last);
	char *dt = state_get_meta(s, "last_file_datetime");
	if (dt) {
		v->last_file_datetime = strtab_intern(&v->strings, dt, strlen(dt));
		free(dt);
	}
	*out = v;
	return 0;
db_fail:
	state_view_free(v);
	*out = NULL;
	return db_error(s, e, "cannot read");
}

/* ---- runs and journal ------------------------------------------------------------ */

static int64_t now_unix(void)
{
	return (int64_t)time(NULL);
}

int state_run_begin(state_db *s, const char *command, const char *file, const char *file_sha256,
		    const char *file_datetime, const char *mode, const char *site_read,
		    int64_t *run_id, errinfo *e)
{
	sqlite3_stmt *st = stmt(s, ST_RUN_BEGIN);
	if (st) {
		bind_text(st, 1, command);
		bind_text(st, 2, file);
		bind_text(st, 3, file_sha256);
		bind_text(st, 4, file_datetime);
		bind_text(st, 5, mode);
		bind_text(st, 6, site_read);
		sqlite3_bind_int64(st, 7, now_unix());
	}
	int rc = step_done(s, st, e, "cannot record the run");
	if (rc == 0)
		*run_id = sqlite3_last_insert_rowid(s->db);
	return rc;
}

int state_run_end(state_db *s, int64_t run_id, const char *status, const char *summary_json,
		  errinfo *e)
{
	sqlite3_stmt *st = stmt(s, ST_RUN_END);
	if (st) {
		sqlite3_bind_int64(st, 1, run_id);
		bind_text(st, 2, status);
		bind_text(st, 3, summary_json);
		sqlite3_bind_int64(st, 4, now_unix());
	}
	return step_done(s, st, e, "cannot finish the run");
}

int state_journal_begin(state_db *s, int64_t run_id, const char *kind, const char *target,
			const char *request, int64_t *entry, errinfo *e)
{
	sqlite3_stmt *st = stmt(s, ST_JOURNAL_BEGIN);
	if (st) {
		sqlite3_bind_int64(st, 1, run_id);
		bind_text(st, 2, kind);
		bind_text(st, 3, target);
		bind_text(st, 4, request);
		sqlite3_bind_int64(st, 5, now_unix());
	}
	int rc = step_done(s, st, e, "cannot journal");
	if (rc == 0)
		*entry = sqlite3_last_insert_rowid(s->db);
	return rc;
}

int state_journal_end(state_db *s, int64_t entry, const char *result, const char *detail,
		      errinfo *e)
{
	sqlite3_stmt *st = stmt(s, ST_JOURNAL_END);
	if (st) {
		sqlite3_bind_int64(st, 1, entry);
		bind_text(st, 2, result);
		bind_text(st, 3, detail);
		sqlite3_bind_int64(st, 4, now_unix());
	}
	return step_done(s, st, e, "cannot journal");
}

/* ---- confirmed results ------------------------------------------------------------ */

int state_put_course(state_db *s, const state_course *c, errinfo *e)
{
	sqlite3_stmt *st = stmt(s, ST_PUT_COURSE);
	if (st) {
		sqlite3_bind_int64(st, 1, c->courseid);
		bind_text(st, 2, c->group_id);
		bind_text(st, 3, c->idnumber);
		bind_text(st, 4, c->shortname);
		sqlite3_bind_int(st, 5, c->created);
		sqlite3_bind_int(st, 6, c->hidden_by_us);
		sqlite3_bind_int(st, 7, c->visible);
	}
	return step_done(s, st, e, "cannot record a course");
}

int state_put_user(state_db *s, const state_user *u, errinfo *e)
{
	sqlite3_stmt *st = stmt(s, ST_PUT_USER);
	if (st) {
		sqlite3_bind_int64(st, 1, u->userid);
		bind_text(st, 2, u->person_id);
		bind_text(st, 3, u->username);
		bind_text(st, 4, u->idnumber);
		bind_text(st, 5, u->email);
		sqlite3_bind_int(st, 6, u->created);
		sqlite3_bind_int(st, 7, u->suspended_by_us);
	}
	return step_done(s, st, e, "cannot record a user");
}

int state_put_enrolment(state_db *s, const state_enrolment *en, errinfo *e)
{
	char roles[32 * 21] = "";
	size_t used = 0;
	for (int i = 0; i < en->nroles && used + 22 < sizeof roles; i++)
		used += (size_t)snprintf(roles + used, sizeof roles - used, "%s%lld", i ? "," : "",
					 (long long)en->roleids[i]);
	sqlite3_stmt *st = stmt(s, ST_PUT_ENROLMENT);
	if (st) {
		sqlite3_bind_int64(st, 1, en->courseid);
		sqlite3_bind_int64(st, 2, en->userid);
		bind_text(st, 3, en->group_id);
		bind_text(st, 4, en->person_id);
		bind_text(st, 5, roles);
		sqlite3_bind_int64(st, 6, en->timestart);
		sqlite3_bind_int64(st, 7, en->timeend);
		sqlite3_bind_int(st, 8, en->suspended);
		sqlite3_bind_int(st, 9, en->confirmed);
		sqlite3_bind_int64(st, 10, en->last_run);
	}
	return step_done(s, st, e, "cannot record an enrolment");
}

int state_delete_enrolment(state_db *s, int64_t courseid, int64_t userid, errinfo *e)
{
	sqlite3_stmt *st = stmt(s, ST_DEL_ENROLMENT);
	if (st) {
		sqlite3_bind_int64(st, 1, courseid);
		sqlite3_bind_int64(st, 2, userid);
	}
	return step_done(s, st, e, "cannot remove an enrolment");
}

int state_set_meta(state_db *s, const char *key, const char *value, errinfo *e)
{
	sqlite3_stmt *st = stmt(s, ST_SET_META);
	if (st) {
		bind_text(st, 1, key);
		bind_text(st, 2, value);
	}
	return step_done(s, st, e, "cannot write");
}

char *state_get_meta(state_db *s, const char *key)
{
	sqlite3_stmt *st = stmt(s, ST_GET_META);
	char *v = NULL;
	if (!st)
		return NULL;
	bind_text(st, 1, key);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		v = xstrdup(col_text(st, 0));
	sqlite3_reset(st);
	return v;
}

int state_begin(state_db *s, errinfo *e)
{
	return exec(s, "BEGIN IMMEDIATE", e);
}

int state_commit(state_db *s, errinfo *e)
{
	return exec(s, "COMMIT", e);
}

/* ---- history ----------------------------------------------------------------------- */

int state_each_run(state_db *s, int limit, void (*fn)(void *ctx, const state_run_info *r),
		   void *ctx, errinfo *e)
{
	sqlite3_stmt *st;
	int rc;
	if (sqlite3_prepare_v2(s->db, "SELECT id, command, file, status, mode, site_read, started,"
				      " finished, summary FROM runs ORDER BY id DESC LIMIT ?1",
			       -1, &st, NULL) != SQLITE_OK)
		return db_error(s, e, "cannot read the runs");
	sqlite3_bind_int(st, 1, limit > 0 ? limit : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		state_run_info r = { sqlite3_column_int64(st, 0), col_text(st, 1), col_text(st, 2),
				     col_text(st, 3), col_text(st, 4), col_text(st, 5),
				     sqlite3_column_int64(st, 6), sqlite3_column_int64(st, 7),
				     col_text(st, 8) };
		fn(ctx, &r);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(s, e, "cannot read the runs");
}

int state_each_journal(state_db *s, int64_t run_id,
		       void (*fn)(void *ctx, const state_journal_info *j), void *ctx, errinfo *e)
{
	sqlite3_stmt *st;
	int rc;
	if (sqlite3_prepare_v2(s->db, "SELECT id, run_id, kind, target, request, result, detail, at"
				      " FROM journal WHERE run_id = ?1 ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		return db_error(s, e, "cannot read the journal");
	sqlite3_bind_int64(st, 1, run_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		state_journal_info j = { sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
					 col_text(st, 2), col_text(st, 3), col_text(st, 4),
					 col_text(st, 5), col_text(st, 6), sqlite3_column_int64(st, 7) };
		fn(ctx, &j);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(s, e, "cannot read the journal");
}
