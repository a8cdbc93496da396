/* state.c -- the state store's database (see state.h): opening and
 * creating it, its schema version and migrations, the binding to one site,
 * the apply lock, transactions, meta values and the cache of prepared
 * statements the other parts (state_write.c, state_load.c, state_runs.c)
 * use. */
#include "config.h"
#include "state_internal.h"
#include "log.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the schema ------------------------------------------------------------------ */

/* migrations[v] takes a store from version v to v + 1. A store that this
 * program does not know (a newer version) is refused, never touched. */
static const char *const migrations[STATE_SCHEMA_VERSION] = {
	/* 0 -> 1: the first schema. */
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE courses ("
	" courseid INTEGER PRIMARY KEY, group_id TEXT, idnumber TEXT, shortname TEXT,"
	" created INTEGER NOT NULL DEFAULT 0, hidden_by_us INTEGER NOT NULL DEFAULT 0,"
	" visible INTEGER NOT NULL DEFAULT -1);"
	"CREATE TABLE users ("
	" userid INTEGER PRIMARY KEY, person_id TEXT, username TEXT, idnumber TEXT, email TEXT,"
	" created INTEGER NOT NULL DEFAULT 0, suspended_by_us INTEGER NOT NULL DEFAULT 0);"
	/* roles: the role ids in the order given, "5,3" ("" for none) */
	"CREATE TABLE enrolments ("
	" courseid INTEGER NOT NULL, userid INTEGER NOT NULL, group_id TEXT, person_id TEXT,"
	" roles TEXT NOT NULL DEFAULT '', timestart INTEGER NOT NULL DEFAULT 0,"
	" timeend INTEGER NOT NULL DEFAULT 0, suspended INTEGER NOT NULL DEFAULT 0,"
	" confirmed INTEGER NOT NULL DEFAULT 1, last_run INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY (courseid, userid)) WITHOUT ROWID;"
	"CREATE TABLE runs ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT, command TEXT NOT NULL, file TEXT,"
	" file_sha256 TEXT, file_datetime TEXT, mode TEXT, site_read TEXT,"
	" started INTEGER NOT NULL, finished INTEGER, status TEXT NOT NULL, summary TEXT);"
	"CREATE TABLE journal ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
	" kind TEXT NOT NULL, target TEXT, request TEXT,"
	" result TEXT NOT NULL CHECK (result IN ('pending', 'done', 'failed', 'unknown')),"
	" detail TEXT, at INTEGER NOT NULL);"
	"CREATE INDEX journal_by_run ON journal (run_id);",
	/* 1 -> 2: enrolments ims2moodle did not make, as the last reconcile saw
	 * them, and the roles it gave them */
	"CREATE TABLE foreign_roles ("
	" courseid INTEGER NOT NULL, userid INTEGER NOT NULL, roleid INTEGER NOT NULL,"
	" PRIMARY KEY (courseid, userid, roleid)) WITHOUT ROWID;"
	"CREATE TABLE foreign_enrolments ("
	" courseid INTEGER NOT NULL, userid INTEGER NOT NULL, active INTEGER NOT NULL,"
	" roles TEXT NOT NULL DEFAULT '', PRIMARY KEY (courseid, userid)) WITHOUT ROWID;",
};

/* ---- errors and statements -------------------------------------------------------- */

int state_db_error(state_db *s, errinfo *e, const char *what)
{
	int rc = s->db ? sqlite3_errcode(s->db) : SQLITE_CANTOPEN;
	const char *msg = s->db ? sqlite3_errmsg(s->db) : "cannot open";
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return err_set(e, -EXIT_TEMPFAIL,
			       "state store %s: %s: %s (another process kept it busy too long; "
			       "try again)", s->path, what, msg);
	return err_set(e, -EXIT_IOERR, "state store %s: %s: %s", s->path, what, msg);
}

static const char *const stmt_sql[SS_COUNT] = {
	[SS_PUT_COURSE] =
		"INSERT INTO courses (courseid, group_id, idnumber, shortname, created, hidden_by_us,"
		" visible) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
		" ON CONFLICT (courseid) DO UPDATE SET group_id = ?2, idnumber = ?3, shortname = ?4,"
		" created = max(created, ?5), hidden_by_us = ?6, visible = ?7",
	[SS_PUT_USER] =
		"INSERT INTO users (userid, person_id, username, idnumber, email, created,"
		" suspended_by_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
		" ON CONFLICT (userid) DO UPDATE SET person_id = ?2, username = ?3, idnumber = ?4,"
		" email = ?5, created = max(created, ?6), suspended_by_us = ?7",
	[SS_PUT_ENROLMENT] =
		"INSERT INTO enrolments (courseid, userid, group_id, person_id, roles, timestart,"
		" timeend, suspended, confirmed, last_run)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
		" ON CONFLICT (courseid, userid) DO UPDATE SET group_id = ?3, person_id = ?4,"
		" roles = ?5, timestart = ?6, timeend = ?7, suspended = ?8, confirmed = ?9,"
		" last_run = ?10",
	[SS_DEL_ENROLMENT] = "DELETE FROM enrolments WHERE courseid = ?1 AND userid = ?2",
	[SS_PUT_FOREIGN_ROLE] = "INSERT OR IGNORE INTO foreign_roles (courseid, userid, roleid)"
				" VALUES (?1, ?2, ?3)",
	[SS_DEL_FOREIGN_ROLE] = "DELETE FROM foreign_roles WHERE courseid = ?1 AND userid = ?2"
				" AND roleid = ?3",
	[SS_DEL_FOREIGN_ENROLMENTS] = "DELETE FROM foreign_enrolments WHERE courseid = ?1",
	[SS_PUT_FOREIGN_ENROLMENT] = "INSERT OR REPLACE INTO foreign_enrolments (courseid, userid,"
				     " active, roles) VALUES (?1, ?2, ?3, ?4)",
	[SS_SET_META] = "INSERT INTO meta (key, value) VALUES (?1, ?2)"
			" ON CONFLICT (key) DO UPDATE SET value = ?2",
	[SS_DEL_META] = "DELETE FROM meta WHERE key = ?1",
	[SS_GET_META] = "SELECT value FROM meta WHERE key = ?1",
	[SS_RUN_BEGIN] =
		"INSERT INTO runs (command, file, file_sha256, file_datetime, mode, site_read,"
		" started, status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'running')",
	[SS_RUN_END] = "UPDATE runs SET status = ?2, summary = ?3, finished = ?4 WHERE id = ?1",
	[SS_JOURNAL_BEGIN] =
		"INSERT INTO journal (run_id, kind, target, request, result, at)"
		" VALUES (?1, ?2, ?3, ?4, 'pending', ?5)",
	[SS_JOURNAL_END] = "UPDATE journal SET result = ?2, detail = ?3, at = ?4 WHERE id = ?1",
};

sqlite3_stmt *state_stmt(state_db *s, enum state_stmt id)
{
	if (!s->stmt[id] && sqlite3_prepare_v3(s->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
					       &s->stmt[id], NULL) != SQLITE_OK) {
		s->stmt[id] = NULL;
		return NULL;
	}
	return s->stmt[id];
}

int state_step_done(state_db *s, sqlite3_stmt *st, errinfo *e, const char *what)
{
	if (!st)
		return state_db_error(s, e, what);
	int rc = sqlite3_step(st);
	int code = rc == SQLITE_DONE ? 0 : state_db_error(s, e, what);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return code;
}

void state_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

int state_exec(state_db *s, const char *sql, errinfo *e, const char *what)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return state_db_error(s, e, what);
	return 0;
}

/* ---- meta values ------------------------------------------------------------------- */

int state_set_meta(state_db *s, const char *key, const char *value, errinfo *e)
{
	sqlite3_stmt *st = state_stmt(s, value ? SS_SET_META : SS_DEL_META);
	if (st) {
		state_bind_text(st, 1, key);
		if (value)
			state_bind_text(st, 2, value);
	}
	return state_step_done(s, st, e, "cannot write a setting");
}

char *state_get_meta(state_db *s, const char *key)
{
	sqlite3_stmt *st = state_stmt(s, SS_GET_META);
	char *v = NULL;
	if (!st)
		return NULL;
	state_bind_text(st, 1, key);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return v;
}

/* ---- opening: directory, file, schema, site ------------------------------------------ */

/* Creates dir and its missing parents, mode 0700; an existing directory is
 * left as it is. */
static int make_dirs(const char *dir, errinfo *e)
{
	char *p = xstrdup(dir);
	int rc = 0;
	for (char *q = p + 1;; q++) {
		if (*q != '/' && *q != '\0')
			continue;
		char c = *q;
		*q = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST) {
			rc = err_set(e, -EXIT_IOERR, "cannot create the state directory %s: %s", p,
				     strerror(errno));
			break;
		}
		*q = c;
		if (!c)
			break;
	}
	free(p);
	struct stat st;
	if (rc == 0 && (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)))
		rc = err_set(e, -EXIT_IOERR, "the state directory %s is not a directory", dir);
	return rc;
}

/* Creates the database file with mode 0600 if it does not exist, so that
 * SQLite (and its -wal and -shm files, which copy its mode) never make it
 * readable by others, whatever the umask. */
static int create_file(const char *path, errinfo *e)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_set(e, -EXIT_IOERR, "cannot open the state store %s: %s", path,
			       strerror(errno));
	close(fd);
	return 0;
}

char *state_normalise_url(const char *url)
{
	char *u = xstrdup(url);
	size_t n = strlen(u);
	while (n && u[n - 1] == '/')
		u[--n] = '\0';
	char *sep = strstr(u, "://");
	char *host = sep ? sep + 3 : u;
	if (sep)
		for (char *p = u; p < sep; p++)
			*p = (char)tolower((unsigned char)*p);
	char *end = host + strcspn(host, "/?#");
	char *at = memchr(host, '@', (size_t)(end - host));
	for (char *p = at ? at + 1 : host; p < end; p++)
		*p = (char)tolower((unsigned char)*p);
	return u;
}

/* What the store says about itself before anything is written. */
typedef struct store_facts {
	bool has_meta;      /* the meta table exists */
	int nobjects;       /* tables, indexes, views and triggers */
	char *version;      /* meta schema_version, or NULL */
	char *site;         /* meta site_url, or NULL */
} store_facts;

/* Runs a query of one value (with ?1 bound to arg if not NULL): *out gets
 * it as a malloc'd string, or NULL when there is no row or it is NULL.
 * Returns 0 or the error of state_db_error. */
static int query_value(state_db *s, const char *sql, const char *arg, char **out, errinfo *e)
{
	sqlite3_stmt *st;
	*out = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return state_db_error(s, e, "cannot read the schema");
	if (arg)
		state_bind_text(st, 1, arg);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		*out = xstrdup((const char *)sqlite3_column_text(st, 0));
	int code = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0
							 : state_db_error(s, e, "cannot read the schema");
	sqlite3_finalize(st);
	return code;
}

static int read_facts(state_db *s, store_facts *f, errinfo *e)
{
	char *nobjects = NULL, *meta = NULL;
	int rc;
	memset(f, 0, sizeof *f);
	if ((rc = query_value(s, "SELECT count(*) FROM sqlite_master", NULL, &nobjects, e)) == 0 &&
	    (rc = query_value(s, "SELECT name FROM sqlite_master WHERE type = 'table'"
				 " AND name = 'meta'", NULL, &meta, e)) == 0 && meta) {
		f->has_meta = true;
		const char *get = "SELECT value FROM meta WHERE key = ?1";
		if ((rc = query_value(s, get, "schema_version", &f->version, e)) == 0)
			rc = query_value(s, get, "site_url", &f->site, e);
	}
	f->nobjects = nobjects ? atoi(nobjects) : 0;
	free(nobjects);
	free(meta);
	return rc;
}

static void free_facts(store_facts *f)
{
	free(f->version);
	free(f->site);
}

/* Parses a schema version: a positive decimal number. Returns -1 if not. */
static long parse_version(const char *text)
{
	char *end;
	if (!text || !isdigit((unsigned char)*text))
		return -1;
	errno = 0;
	long v = strtol(text, &end, 10);
	return *end || errno || v <= 0 ? -1 : v;
}

/* Checks the facts against this program and the site; sets *version (0 for
 * an empty database) and *need_write when the schema must be created or
 * migrated or the site bound. */
static int judge_facts(state_db *s, const store_facts *f, const char *site, long *version,
		       bool *need_write, errinfo *e)
{
	*version = 0;
	if (!f->has_meta && f->nobjects > 0)
		return err_set(e, -EXIT_CONFIG,
			       "%s is an SQLite database but not an ims2moodle state store: "
			       "use another --state-dir", s->path);
	if (f->has_meta && (*version = parse_version(f->version)) < 0)
		return err_set(e, -EXIT_CONFIG, "state store %s: unreadable schema version '%s'",
			       s->path, f->version ? f->version : "(none)");
	if (*version > STATE_SCHEMA_VERSION)
		return err_set(e, -EXIT_CONFIG,
			       "state store %s has schema version %ld, newer than this ims2moodle "
			       "knows (%d): use the newer ims2moodle that wrote it",
			       s->path, *version, STATE_SCHEMA_VERSION);
	if (site && f->site && strcmp(f->site, site) != 0)
		return err_set(e, -EXIT_CONFIG,
			       "the state directory %s belongs to the site %s, not to %s: one store "
			       "serves one site (use another --state-dir)", s->dir, f->site, site);
	*need_write = *version < STATE_SCHEMA_VERSION || (site && !f->site);
	return 0;
}

/* Brings the schema from version to the current one and binds the site
 * if it is not bound; inside the caller's transaction. */
static int migrate_and_bind(state_db *s, long version, const char *site, const store_facts *f,
			    errinfo *e)
{
	int rc = 0;
	for (long v = version; v < STATE_SCHEMA_VERSION && rc == 0; v++) {
		log_debug("state store %s: schema version %ld -> %ld", s->path, v, v + 1);
		rc = state_exec(s, migrations[v], e, "cannot create or migrate the schema");
	}
	if (rc == 0 && version < STATE_SCHEMA_VERSION) {
		char buf[24];
		snprintf(buf, sizeof buf, "%d", STATE_SCHEMA_VERSION);
		rc = state_set_meta(s, "schema_version", buf, e);
	}
	if (rc == 0 && site && !f->site)
		rc = state_set_meta(s, "site_url", site, e);
	return rc;
}

/* Reads what the store is; if it needs creating, migrating or binding,
 * does so under the write lock, deciding again once it is held (another
 * process may have done it in between). */
static int prepare_store(state_db *s, const char *site, errinfo *e)
{
	store_facts f;
	long version;
	bool need_write = false;
	int rc = read_facts(s, &f, e);
	if (rc == 0)
		rc = judge_facts(s, &f, site, &version, &need_write, e);
	free_facts(&f);
	if (rc < 0 || !need_write)
		return rc;

	if ((rc = state_exec(s, "BEGIN IMMEDIATE", e, "cannot lock the store to set it up")) < 0)
		return rc;
	rc = read_facts(s, &f, e);
	if (rc == 0)
		rc = judge_facts(s, &f, site, &version, &need_write, e);
	if (rc == 0 && need_write)
		rc = migrate_and_bind(s, version, site, &f, e);
	free_facts(&f);
	if (rc == 0)
		return state_exec(s, "COMMIT", e, "cannot set up the store");
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static int open_database(state_db *s, errinfo *e)
{
	if (sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK)
		return state_db_error(s, e, "cannot open");
	sqlite3_busy_timeout(s->db, STATE_BUSY_TIMEOUT_MS);
	return state_exec(s, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;", e,
			  "cannot open");
}

/* Write-ahead logging: readers (history, plan) never wait for a writer.
 * Set once the store is known to be ours, so that a foreign or newer
 * database is never modified. Switching needs an exclusive lock, and
 * SQLite answers "busy" at once, without its busy handler, when another
 * process opening the store at the same moment holds a read lock (it
 * would otherwise deadlock), so a busy answer is retried here until the
 * busy timeout has passed. */
static int use_wal(state_db *s, errinfo *e)
{
	const int pause_ms = 20;
	int rc;
	for (int waited = 0;; waited += pause_ms) {
		rc = state_exec(s, "PRAGMA journal_mode = WAL", e, "cannot open");
		if (rc != -EXIT_TEMPFAIL || waited >= STATE_BUSY_TIMEOUT_MS)
			return rc;
		usleep(pause_ms * 1000);
	}
}

int state_open(const char *dir, const char *site_url, state_db **out, errinfo *e)
{
	*out = NULL;
	if (!dir || !*dir)
		return err_set(e, -EXIT_CONFIG, "no state directory given");
	if (site_url && !*site_url)
		return err_set(e, -EXIT_CONFIG, "no site URL given for the state store in %s", dir);

	state_db *s = xcalloc(1, sizeof *s);
	char *site = site_url ? state_normalise_url(site_url) : NULL;
	int rc;
	s->lock_fd = -1;
	s->dir = xstrdup(dir);
	s->path = xasprintf("%s/state.sqlite", dir);
	if ((rc = make_dirs(dir, e)) < 0 || (rc = create_file(s->path, e)) < 0 ||
	    (rc = open_database(s, e)) < 0 || (rc = prepare_store(s, site, e)) < 0 ||
	    (rc = use_wal(s, e)) < 0) {
		state_close(s);
		free(site);
		return rc;
	}
	free(site);
	*out = s;
	return 0;
}

void state_close(state_db *s)
{
	if (!s)
		return;
	for (int i = 0; i < SS_COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	sqlite3_close_v2(s->db); /* an open transaction is rolled back */
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	free(s->dir);
	free(s->path);
	free(s);
}

void state_set_busy_timeout(state_db *s, int ms)
{
	sqlite3_busy_timeout(s->db, ms);
}

/* ---- the apply lock ------------------------------------------------------------------- */

/* The pid the holder wrote into the lock file, or "unknown". */
static void read_holder(int fd, char *pid, size_t size)
{
	ssize_t n = pread(fd, pid, size - 1, 0);
	pid[n > 0 ? n : 0] = '\0';
	pid[strspn(pid, "0123456789")] = '\0';
	if (!*pid)
		snprintf(pid, size, "unknown");
}

int state_lock(state_db *s, errinfo *e)
{
	if (s->lock_fd >= 0)
		return 0;
	char *path = xasprintf("%s/apply.lock", s->dir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	int rc = 0;
	if (fd < 0) {
		rc = err_set(e, -EXIT_IOERR, "cannot open the lock file %s: %s", path, strerror(errno));
	} else if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		char pid[32];
		if (errno == EWOULDBLOCK) {
			read_holder(fd, pid, sizeof pid);
			rc = err_set(e, -EXIT_TEMPFAIL,
				     "another ims2moodle (pid %s) holds the lock %s: it is applying "
				     "to this site; try again when it is done", pid, path);
		} else {
			rc = err_set(e, -EXIT_IOERR, "cannot lock %s: %s", path, strerror(errno));
		}
		close(fd);
	} else {
		char buf[32];
		int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
		if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n)
			log_warn("cannot write the pid into %s: %s", path, strerror(errno));
		s->lock_fd = fd;
	}
	free(path);
	return rc;
}

/* ---- transactions ------------------------------------------------------------------------ */

int state_begin(state_db *s, errinfo *e)
{
	if (!sqlite3_get_autocommit(s->db))
		return err_set(e, -EXIT_SOFTWARE, "state store %s: a transaction is already open",
			       s->path);
	return state_exec(s, "BEGIN IMMEDIATE", e, "cannot begin a transaction");
}

int state_commit(state_db *s, errinfo *e)
{
	if (sqlite3_get_autocommit(s->db))
		return err_set(e, -EXIT_SOFTWARE,
			       "state store %s: no transaction to commit (none was begun, or an "
			       "earlier error rolled it back)", s->path);
	return state_exec(s, "COMMIT", e, "cannot commit");
}

int state_rollback(state_db *s, errinfo *e)
{
	if (sqlite3_get_autocommit(s->db))
		return 0;
	return state_exec(s, "ROLLBACK", e, "cannot roll back");
}
