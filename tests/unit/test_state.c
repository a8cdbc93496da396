/* test_state.c -- unit tests of the state store: creation and permissions,
 * binding to one site, schema versions and foreign files, round trips of
 * every field into the planner's view, updates, deletes, transactions, the
 * apply lock and a busy database across processes, runs and the journal,
 * and a load of 200,000 enrolments. Every test works in its own directory
 * under one temporary directory that main removes. */
#include "config.h"
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "state.h"
#include "state_internal.h"
#include "check_main.h"

#define SITE "https://moodle.example.edu"

static char top[256];

/* A fresh path top/name/store (not created: state_open creates it). */
static const char *store_dir(const char *name)
{
	static char dir[512];
	snprintf(dir, sizeof dir, "%s/%s/store", top, name);
	return dir;
}

static state_db *open_ok(const char *dir)
{
	state_db *db = NULL;
	errinfo e = { 0 };
	int rc = state_open(dir, SITE, &db, &e);
	ck_assert_msg(rc == 0, "state_open: %d %s", rc, e.msg);
	ck_assert_ptr_nonnull(db);
	return db;
}

static state_view *load_ok(state_db *db)
{
	state_view *v = NULL;
	errinfo e = { 0 };
	int rc = state_load(db, &v, &e);
	ck_assert_msg(rc == 0, "state_load: %d %s", rc, e.msg);
	return v;
}

/* Runs SQL on the store's file through a connection of its own. */
static void raw_sql(const char *dir, const char *sql)
{
	char path[600];
	sqlite3 *db;
	snprintf(path, sizeof path, "%s/state.sqlite", dir);
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK, "%s", sqlite3_errmsg(db));
	sqlite3_close(db);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static mode_t mode_of(const char *path)
{
	struct stat st;
	ck_assert_msg(stat(path, &st) == 0, "%s: %s", path, strerror(errno));
	return st.st_mode & 07777;
}

/* ---- creation, permissions, site, schema ---------------------------------------- */

START_TEST(test_create_with_private_permissions)
{
	char nested[600], path[700];
	snprintf(nested, sizeof nested, "%s/deep/a/b", store_dir("create"));
	mode_t old = umask(0); /* the modes must not depend on the umask */
	state_db *db = open_ok(nested);
	umask(old);
	errinfo e;
	ck_assert_int_eq(state_set_meta(db, "k", "v", &e), 0); /* a write makes the -wal file */
	ck_assert_uint_eq(mode_of(nested), 0700);
	snprintf(path, sizeof path, "%s/deep", store_dir("create"));
	ck_assert_uint_eq(mode_of(path), 0700);
	snprintf(path, sizeof path, "%s/state.sqlite", nested);
	ck_assert_uint_eq(mode_of(path), 0600);
	snprintf(path, sizeof path, "%s/state.sqlite-wal", nested);
	ck_assert_uint_eq(mode_of(path), 0600);
	char *version = state_get_meta(db, "schema_version");
	ck_assert_str_eq(version, "2");
	free(version);
	char *site = state_get_meta(db, "site_url");
	ck_assert_str_eq(site, SITE);
	free(site);
	state_close(db);
}
END_TEST

START_TEST(test_normalise_url)
{
	static const char *const cases[][2] = {
		{ "HTTPS://Moodle.Example.EDU/", "https://moodle.example.edu" },
		{ "https://moodle.example.edu///", "https://moodle.example.edu" },
		{ "HTTP://Moodle.EDU:8443/Moodle/", "http://moodle.edu:8443/Moodle" },
		{ "https://User@Moodle.EDU/Lms", "https://User@moodle.edu/Lms" },
		{ "https://Moodle.EDU?X=Y", "https://moodle.edu?X=Y" },
		{ "Moodle.EDU/Path/", "moodle.edu/Path" },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *n = state_normalise_url(cases[i][0]);
		ck_assert_str_eq(n, cases[i][1]);
		free(n);
	}
}
END_TEST

START_TEST(test_site_binding)
{
	const char *dir = store_dir("site");
	state_db *db;
	errinfo e;
	/* without a site the store is not bound */
	ck_assert_int_eq(state_open(dir, NULL, &db, &e), 0);
	ck_assert_ptr_null(state_get_meta(db, "site_url"));
	state_close(db);
	ck_assert_int_eq(state_open(dir, "HTTPS://Moodle.Example.EDU/", &db, &e), 0);
	state_close(db);
	/* the same site written differently is the same site */
	state_close(open_ok(dir));
	ck_assert_int_eq(state_open(dir, NULL, &db, &e), 0);
	state_close(db);
	/* another site is refused, naming both URLs and the directory */
	db = (state_db *)&e;
	ck_assert_int_eq(state_open(dir, "https://other.example.edu/", &db, &e), -EXIT_CONFIG);
	ck_assert_ptr_null(db);
	ck_assert_int_eq(e.code, -EXIT_CONFIG);
	ck_assert_msg(strstr(e.msg, "https://other.example.edu") && strstr(e.msg, SITE) &&
		      strstr(e.msg, dir), "message: %s", e.msg);
	/* the path is part of the site, with its case */
	ck_assert_int_eq(state_open(dir, SITE "/Moodle", &db, &e), -EXIT_CONFIG);
	ck_assert_int_eq(state_open(dir, "", &db, &e), -EXIT_CONFIG);
	ck_assert_int_eq(state_open("", SITE, &db, &e), -EXIT_CONFIG);
}
END_TEST

START_TEST(test_newer_schema_is_refused_and_untouched)
{
	const char *dir = store_dir("newer");
	state_db *db = open_ok(dir);
	errinfo e;
	ck_assert_int_eq(state_set_meta(db, "schema_version", "3", &e), 0);
	state_close(db);
	ck_assert_int_eq(state_open(dir, SITE, &db, &e), -EXIT_CONFIG);
	ck_assert_ptr_null(db);
	ck_assert_msg(strstr(e.msg, "schema version 3") && strstr(e.msg, "(2)"), "message: %s", e.msg);
	/* an unreadable version is refused too */
	raw_sql(dir, "UPDATE meta SET value = '1x' WHERE key = 'schema_version'");
	ck_assert_int_eq(state_open(dir, SITE, &db, &e), -EXIT_CONFIG);
	ck_assert_msg(strstr(e.msg, "'1x'"), "message: %s", e.msg);
	raw_sql(dir, "DELETE FROM meta WHERE key = 'schema_version'");
	ck_assert_int_eq(state_open(dir, SITE, &db, &e), -EXIT_CONFIG);
	/* a known version opens again */
	raw_sql(dir, "INSERT INTO meta VALUES ('schema_version', '2')");
	state_close(open_ok(dir));
}
END_TEST

START_TEST(test_version_1_is_migrated)
{
	/* a store as version 1 left it: no foreign_roles nor foreign_enrolments */
	const char *dir = store_dir("v1");
	state_close(open_ok(dir));
	raw_sql(dir, "DROP TABLE foreign_roles; DROP TABLE foreign_enrolments;"
		     " UPDATE meta SET value = '1' WHERE key = 'schema_version'");
	state_db *db = open_ok(dir);
	char *v = state_get_meta(db, "schema_version");
	ck_assert_str_eq(v, "2");
	free(v);
	errinfo e;
	ck_assert_int_eq(state_put_foreign_role(db, 7, 9, 3, &e), 0);
	state_close(db);
}
END_TEST

START_TEST(test_foreign_roles)
{
	const char *dir = store_dir("foreign-roles");
	state_db *db = open_ok(dir);
	errinfo e;
	ck_assert_int_eq(state_put_foreign_role(db, 7, 9, 3, &e), 0);
	ck_assert_int_eq(state_put_foreign_role(db, 7, 9, 4, &e), 0);
	ck_assert_int_eq(state_put_foreign_role(db, 7, 9, 3, &e), 0); /* held already */
	ck_assert_int_eq(state_put_foreign_role(db, 8, 9, 3, &e), 0);
	ck_assert_int_eq(state_put_foreign_role(db, 0, 9, 3, &e), -EXIT_SOFTWARE);
	ck_assert_int_eq(state_put_foreign_role(db, 7, -1, 3, &e), -EXIT_SOFTWARE);
	state_view *v;
	ck_assert_int_eq(state_load(db, &v, &e), 0);
	const state_foreign *f = state_foreign_of(v, 7, 9);
	ck_assert_ptr_nonnull(f);
	ck_assert(!f->seen);
	ck_assert_int_eq(f->ngiven, 2);
	ck_assert_int_eq(f->given[0], 3);
	ck_assert_int_eq(f->given[1], 4);
	ck_assert_int_eq(state_foreign_of(v, 8, 9)->ngiven, 1);
	ck_assert_ptr_null(state_foreign_of(v, 9, 7));
	/* they are not enrolments the store holds as ims2moodle's */
	ck_assert_ptr_null(state_enrolment_of(v, 7, 9));
	state_view_free(v);
	ck_assert_int_eq(state_delete_foreign_role(db, 7, 9, 3, &e), 0);
	ck_assert_int_eq(state_delete_foreign_role(db, 7, 9, 5, &e), 0); /* not held: no error */
	ck_assert_int_eq(state_load(db, &v, &e), 0);
	f = state_foreign_of(v, 7, 9);
	ck_assert(f && f->ngiven == 1 && f->given[0] == 4);
	state_view_free(v);
	state_close(db);
}
END_TEST

START_TEST(test_foreign_enrolments)
{
	const char *dir = store_dir("foreign-enrolments");
	state_db *db = open_ok(dir);
	errinfo e;
	state_foreign list[3] = { { .userid = 20, .active = true, .roleids = { 5 }, .nroles = 1 },
				  { .userid = 21, .active = false, .roleids = { 5, 3 }, .nroles = 2 },
				  { .userid = 22, .active = true } };
	ck_assert_int_eq(state_replace_foreign_enrolments(db, 7, list, 3, &e), 0);
	ck_assert_int_eq(state_replace_foreign_enrolments(db, 8, list, 1, &e), 0);
	ck_assert_int_eq(state_put_foreign_role(db, 7, 21, 4, &e), 0);
	state_view *v;
	ck_assert_int_eq(state_load(db, &v, &e), 0);
	const state_foreign *f = state_foreign_of(v, 7, 21);
	ck_assert(f && f->seen && !f->active && f->nroles == 2 && f->roleids[0] == 5 && f->roleids[1] == 3);
	ck_assert(f->ngiven == 1 && f->given[0] == 4);
	f = state_foreign_of(v, 7, 22);
	ck_assert(f && f->seen && f->active && f->nroles == 0);
	ck_assert(state_foreign_of(v, 8, 20) && !state_foreign_of(v, 8, 21));
	state_view_free(v);
	/* a later reconcile replaces what a course had: 20 and 22 gone, 21 active now */
	list[1].active = true;
	ck_assert_int_eq(state_replace_foreign_enrolments(db, 7, &list[1], 1, &e), 0);
	ck_assert_int_eq(state_load(db, &v, &e), 0);
	ck_assert_ptr_null(state_foreign_of(v, 7, 20));
	ck_assert_ptr_null(state_foreign_of(v, 7, 22));
	ck_assert(state_foreign_of(v, 7, 21)->active && state_foreign_of(v, 7, 21)->ngiven == 1);
	ck_assert_ptr_nonnull(state_foreign_of(v, 8, 20)); /* other courses keep theirs */
	state_view_free(v);
	ck_assert_int_eq(state_replace_foreign_enrolments(db, 0, list, 1, &e), -EXIT_SOFTWARE);
	state_close(db);
}
END_TEST

START_TEST(test_foreign_files_are_refused)
{
	const char *dir = store_dir("foreign");
	char path[600];
	state_db *db;
	errinfo e;
	state_close(open_ok(dir));
	snprintf(path, sizeof path, "%s/state.sqlite", dir);
	/* an SQLite database of something else: refused, not modified */
	ck_assert_int_eq(unlink(path), 0);
	raw_sql(dir, "CREATE TABLE notes (x TEXT)");
	ck_assert_int_eq(state_open(dir, SITE, &db, &e), -EXIT_CONFIG);
	ck_assert_msg(strstr(e.msg, "not an ims2moodle state store") && strstr(e.msg, path),
		      "message: %s", e.msg);
	sqlite3 *raw;
	sqlite3_stmt *st;
	ck_assert_int_eq(sqlite3_open(path, &raw), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(raw, "SELECT group_concat(name) FROM sqlite_master"
					    " UNION ALL SELECT * FROM pragma_journal_mode", -1, &st, NULL),
			 SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "notes");
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "delete");
	sqlite3_finalize(st);
	sqlite3_close(raw);
	/* a file that is no database at all: an I/O error naming the file */
	write_file(path, "this is not a database, it is a text file that is long enough\n");
	ck_assert_int_eq(state_open(dir, SITE, &db, &e), -EXIT_IOERR);
	ck_assert_msg(strstr(e.msg, path) && strstr(e.msg, "not a database"), "message: %s", e.msg);
	/* a directory that cannot be made */
	char blocked[700];
	snprintf(blocked, sizeof blocked, "%s/state.sqlite/sub", dir);
	ck_assert_int_eq(state_open(blocked, SITE, &db, &e), -EXIT_IOERR);
	ck_assert_msg(strstr(e.msg, "cannot create the state directory"), "message: %s", e.msg);
	ck_assert_int_eq(state_open(path, SITE, &db, &e), -EXIT_IOERR);
	ck_assert_msg(strstr(e.msg, "is not a directory"), "message: %s", e.msg);
}
END_TEST

START_TEST(test_first_opens_race)
{
	/* Processes opening a new store at once: one creates the schema and
	 * binds the site, the others wait and find it done; the one with
	 * another site is refused (or, if it came first, all the others). */
	const char *dir = store_dir("race");
	pid_t kids[6];
	for (int i = 0; i < 6; i++) {
		kids[i] = fork();
		ck_assert_int_ge(kids[i], 0);
		if (kids[i] == 0) {
			state_db *db;
			errinfo e;
			int rc = state_open(dir, i == 5 ? "https://other.example.edu" : SITE, &db, &e);
			if (rc == 0)
				state_close(db);
			else if (rc != -EXIT_CONFIG)
				fprintf(stderr, "child %d: %s\n", i, e.msg);
			_exit(rc == 0 ? 0 : rc == -EXIT_CONFIG ? 1 : 2);
		}
	}
	int ok = 0, refused = 0;
	for (int i = 0; i < 6; i++) {
		int status;
		ck_assert_int_eq(waitpid(kids[i], &status, 0), kids[i]);
		ck_assert(WIFEXITED(status));
		ck_assert_int_ne(WEXITSTATUS(status), 2);
		ok += WEXITSTATUS(status) == 0;
		refused += WEXITSTATUS(status) == 1;
	}
	ck_assert_msg((ok == 5 && refused == 1) || (ok == 1 && refused == 5), "%d opened, %d refused",
		      ok, refused);
	state_db *db;
	errinfo e;
	ck_assert_int_eq(state_open(dir, NULL, &db, &e), 0);
	char *v = state_get_meta(db, "schema_version");
	ck_assert_str_eq(v, "2");
	free(v);
	state_close(db);
}
END_TEST

/* ---- round trips ------------------------------------------------------------------ */

START_TEST(test_round_trip_of_every_field)
{
	state_db *db = open_ok(store_dir("roundtrip"));
	errinfo e;
	state_course c1 = { 10, "G1", "", NULL, true, true, -1 };
	state_course c2 = { 11, NULL, "ID2", "short 2", false, false, 1 };
	state_course c3 = { 12, "", "ID3", "", false, false, 0 };
	ck_assert_int_eq(state_put_course(db, &c1, &e), 0);
	ck_assert_int_eq(state_put_course(db, &c2, &e), 0);
	ck_assert_int_eq(state_put_course(db, &c3, &e), 0);
	state_user u1 = { 20, "P1", "alice", "", NULL, true, true };
	state_user u2 = { 21, NULL, NULL, "ID21", "bob@example.edu", false, false };
	ck_assert_int_eq(state_put_user(db, &u1, &e), 0);
	ck_assert_int_eq(state_put_user(db, &u2, &e), 0);
	int64_t two[] = { 5, 3 }, many[20];
	for (int i = 0; i < 20; i++)
		many[i] = 1000 - 7 * i;
	state_enrolment en1 = { 10, 20, "G1", "P1", two, 2, 1000, 2000, true, false, 7 };
	state_enrolment en2 = { 11, 20, NULL, "", NULL, 0, 0, 0, false, true, 0 };
	state_enrolment en3 = { 10, 21, "", NULL, many, 20, -5, INT64_C(1) << 40, false, true,
				INT64_C(1) << 33 };
	ck_assert_int_eq(state_put_enrolment(db, &en1, &e), 0);
	ck_assert_int_eq(state_put_enrolment(db, &en2, &e), 0);
	ck_assert_int_eq(state_put_enrolment(db, &en3, &e), 0);

	state_view *v = load_ok(db);
	ck_assert_uint_eq(v->ncourses, 3);
	ck_assert_uint_eq(v->nusers, 2);
	ck_assert_uint_eq(v->nenrolments, 3);
	const state_course *c = state_course_of_group(v, "G1");
	ck_assert_ptr_eq(c, state_course_of_id(v, 10));
	ck_assert_int_eq(c->courseid, 10);
	ck_assert_str_eq(c->group_id, "G1");
	ck_assert_str_eq(c->idnumber, "");
	ck_assert_ptr_null(c->shortname);
	ck_assert(c->created && c->hidden_by_us);
	ck_assert_int_eq(c->visible, -1);
	c = state_course_of_id(v, 11);
	ck_assert_ptr_null(c->group_id);
	ck_assert_str_eq(c->idnumber, "ID2");
	ck_assert_str_eq(c->shortname, "short 2");
	ck_assert(!c->created && !c->hidden_by_us);
	ck_assert_int_eq(c->visible, 1);
	c = state_course_of_id(v, 12);
	ck_assert_str_eq(c->group_id, "");
	ck_assert_str_eq(c->shortname, "");
	ck_assert_int_eq(c->visible, 0);
	ck_assert_ptr_eq(state_course_of_group(v, ""), c);

	const state_user *u = state_user_of_person(v, "P1");
	ck_assert_ptr_eq(u, state_user_of_id(v, 20));
	ck_assert_str_eq(u->username, "alice");
	ck_assert_str_eq(u->idnumber, "");
	ck_assert_ptr_null(u->email);
	ck_assert(u->created && u->suspended_by_us);
	u = state_user_of_id(v, 21);
	ck_assert_ptr_null(u->person_id);
	ck_assert_ptr_null(u->username);
	ck_assert_str_eq(u->idnumber, "ID21");
	ck_assert_str_eq(u->email, "bob@example.edu");
	ck_assert(!u->created && !u->suspended_by_us);
	ck_assert_ptr_null(state_user_of_person(v, "P2"));

	const state_enrolment *x = state_enrolment_of(v, 10, 20);
	ck_assert_int_eq(x->courseid, 10);
	ck_assert_int_eq(x->userid, 20);
	ck_assert_str_eq(x->group_id, "G1");
	ck_assert_str_eq(x->person_id, "P1");
	ck_assert_int_eq(x->nroles, 2);
	ck_assert_int_eq(x->roleids[0], 5); /* the order given, not sorted */
	ck_assert_int_eq(x->roleids[1], 3);
	ck_assert_int_eq(x->timestart, 1000);
	ck_assert_int_eq(x->timeend, 2000);
	ck_assert(x->suspended && !x->confirmed);
	ck_assert_int_eq(x->last_run, 7);
	x = state_enrolment_of(v, 11, 20);
	ck_assert_ptr_null(x->group_id);
	ck_assert_str_eq(x->person_id, "");
	ck_assert_int_eq(x->nroles, 0);
	ck_assert(!x->suspended && x->confirmed);
	x = state_enrolment_of(v, 10, 21);
	ck_assert_str_eq(x->group_id, "");
	ck_assert_ptr_null(x->person_id);
	ck_assert_int_eq(x->nroles, 20);
	for (int i = 0; i < 20; i++)
		ck_assert_int_eq(x->roleids[i], 1000 - 7 * i);
	ck_assert_int_eq(x->timestart, -5);
	ck_assert_int_eq(x->timeend, INT64_C(1) << 40);
	ck_assert_int_eq(x->last_run, INT64_C(1) << 33);
	ck_assert_ptr_null(state_enrolment_of(v, 12, 20));
	ck_assert_ptr_null(state_enrolment_of(v, 11, 21));
	ck_assert_int_eq(v->last_reconcile, 0);
	ck_assert_ptr_null(v->last_file_datetime);
	state_view_free(v);
	state_close(db);
}
END_TEST

START_TEST(test_updates_overwrite)
{
	state_db *db = open_ok(store_dir("update"));
	errinfo e;
	state_course c = { 10, "G1", "ID1", "S1", true, true, 0 };
	ck_assert_int_eq(state_put_course(db, &c, &e), 0);
	state_course c2 = { 10, "G2", NULL, "S2", false, false, 1 };
	ck_assert_int_eq(state_put_course(db, &c2, &e), 0);
	state_user u = { 20, "P1", "alice", "ID", "a@x", false, true };
	ck_assert_int_eq(state_put_user(db, &u, &e), 0);
	state_user u2 = { 20, "P9", "alice2", NULL, "", true, false };
	ck_assert_int_eq(state_put_user(db, &u2, &e), 0);
	int64_t roles[] = { 5, 4 };
	state_enrolment en = { 10, 20, "G1", "P1", roles, 2, 100, 200, true, true, 1 };
	ck_assert_int_eq(state_put_enrolment(db, &en, &e), 0);
	state_enrolment en2 = { 10, 20, NULL, "P9", roles + 1, 1, 0, 300, false, false, 2 };
	ck_assert_int_eq(state_put_enrolment(db, &en2, &e), 0);

	state_view *v = load_ok(db);
	ck_assert_uint_eq(v->ncourses, 1);
	const state_course *vc = state_course_of_id(v, 10);
	ck_assert_str_eq(vc->group_id, "G2");
	ck_assert_ptr_null(vc->idnumber);
	ck_assert_str_eq(vc->shortname, "S2");
	ck_assert(vc->created); /* created stays true */
	ck_assert(!vc->hidden_by_us);
	ck_assert_int_eq(vc->visible, 1);
	ck_assert_ptr_null(state_course_of_group(v, "G1"));
	ck_assert_uint_eq(v->nusers, 1);
	const state_user *vu = state_user_of_person(v, "P9");
	ck_assert_str_eq(vu->username, "alice2");
	ck_assert_ptr_null(vu->idnumber);
	ck_assert_str_eq(vu->email, "");
	ck_assert(vu->created && !vu->suspended_by_us);
	ck_assert_uint_eq(v->nenrolments, 1);
	const state_enrolment *ve = state_enrolment_of(v, 10, 20);
	ck_assert_ptr_null(ve->group_id);
	ck_assert_str_eq(ve->person_id, "P9");
	ck_assert_int_eq(ve->nroles, 1);
	ck_assert_int_eq(ve->roleids[0], 4);
	ck_assert_int_eq(ve->timestart, 0);
	ck_assert_int_eq(ve->timeend, 300);
	ck_assert(!ve->suspended && !ve->confirmed);
	ck_assert_int_eq(ve->last_run, 2);
	state_view_free(v);
	/* a user created by us, later matched, is still ours */
	u2.created = false;
	ck_assert_int_eq(state_put_user(db, &u2, &e), 0);
	v = load_ok(db);
	ck_assert(state_user_of_id(v, 20)->created);
	state_view_free(v);
	state_close(db);
}
END_TEST

START_TEST(test_delete_and_bad_writes)
{
	state_db *db = open_ok(store_dir("delete"));
	errinfo e;
	int64_t role = 5;
	for (int64_t u = 1; u <= 3; u++) {
		state_enrolment en = { 10, u, "G", "P", &role, 1, 0, 0, false, true, 1 };
		ck_assert_int_eq(state_put_enrolment(db, &en, &e), 0);
	}
	ck_assert_int_eq(state_delete_enrolment(db, 10, 2, &e), 0);
	ck_assert_int_eq(state_delete_enrolment(db, 10, 2, &e), 0); /* already gone: fine */
	ck_assert_int_eq(state_delete_enrolment(db, 99, 1, &e), 0);
	state_view *v = load_ok(db);
	ck_assert_uint_eq(v->nenrolments, 2);
	ck_assert_ptr_nonnull(state_enrolment_of(v, 10, 1));
	ck_assert_ptr_null(state_enrolment_of(v, 10, 2));
	ck_assert_ptr_nonnull(state_enrolment_of(v, 10, 3));
	state_view_free(v);

	state_enrolment bad = { 10, 4, "G", "P", NULL, 1, 0, 0, false, true, 1 };
	ck_assert_int_eq(state_put_enrolment(db, &bad, &e), -EXIT_SOFTWARE);
	bad.nroles = -1;
	ck_assert_int_eq(state_put_enrolment(db, &bad, &e), -EXIT_SOFTWARE);
	bad.nroles = 0;
	bad.courseid = 0;
	ck_assert_int_eq(state_put_enrolment(db, &bad, &e), -EXIT_SOFTWARE);
	ck_assert_msg(strstr(e.msg, "course id 0"), "message: %s", e.msg);
	state_user nobody = { 0, "P", NULL, NULL, NULL, false, false };
	ck_assert_int_eq(state_put_user(db, &nobody, &e), -EXIT_SOFTWARE);
	state_course nocourse = { -1, "G", NULL, NULL, false, false, -1 };
	ck_assert_int_eq(state_put_course(db, &nocourse, &e), -EXIT_SOFTWARE);
	v = load_ok(db);
	ck_assert_uint_eq(v->nenrolments, 2);
	ck_assert_uint_eq(v->nusers + v->ncourses, 0);
	state_view_free(v);
	state_close(db);
}
END_TEST

START_TEST(test_meta_values)
{
	const char *dir = store_dir("meta");
	state_db *db = open_ok(dir);
	errinfo e;
	ck_assert_ptr_null(state_get_meta(db, "last_reconcile"));
	ck_assert_int_eq(state_set_meta(db, "last_reconcile", "1767225600", &e), 0);
	ck_assert_int_eq(state_set_meta(db, "last_file_datetime", "2026-01-01T00:00:00", &e), 0);
	ck_assert_int_eq(state_set_meta(db, "last_file_datetime", "2026-01-02T03:04:05", &e), 0);
	ck_assert_int_eq(state_set_meta(db, "empty", "", &e), 0);
	state_close(db);
	db = open_ok(dir);
	char *s = state_get_meta(db, "empty");
	ck_assert_str_eq(s, "");
	free(s);
	ck_assert_int_eq(state_set_meta(db, "empty", NULL, &e), 0);
	ck_assert_ptr_null(state_get_meta(db, "empty"));
	state_view *v = load_ok(db);
	ck_assert_int_eq(v->last_reconcile, INT64_C(1767225600));
	ck_assert_str_eq(v->last_file_datetime, "2026-01-02T03:04:05");
	state_view_free(v);
	state_close(db);
}
END_TEST

START_TEST(test_roles_codec)
{
	int64_t ids[] = { 5, -3, INT64_MAX, 0 }, out[4];
	char *text = state_roles_encode(ids, 4);
	ck_assert_str_eq(text, "5,-3,9223372036854775807,0");
	ck_assert_int_eq(state_roles_decode(text, out, 4), 4);
	ck_assert_int_eq(out[2], INT64_MAX);
	ck_assert_int_eq(out[1], -3);
	ck_assert_int_eq(state_roles_decode(text, out, 2), 4); /* counts beyond cap */
	free(text);
	text = state_roles_encode(NULL, 0);
	ck_assert_str_eq(text, "");
	ck_assert_int_eq(state_roles_decode(text, out, 4), 0);
	free(text);
	static const char *const bad[] = { "5,", ",5", "5,,3", " 5", "5 ", "a", "-", "+5",
					   "99999999999999999999", "5;3" };
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		ck_assert_msg(state_roles_decode(bad[i], out, 4) == -1, "'%s' accepted", bad[i]);
	ck_assert_int_eq(state_roles_decode(NULL, out, 4), -1);
}
END_TEST

START_TEST(test_corrupt_roles_fail_the_load)
{
	const char *dir = store_dir("corrupt");
	state_db *db = open_ok(dir);
	errinfo e;
	int64_t role = 5;
	state_enrolment en = { 10, 20, "G", "P", &role, 1, 0, 0, false, true, 1 };
	ck_assert_int_eq(state_put_enrolment(db, &en, &e), 0);
	raw_sql(dir, "UPDATE enrolments SET roles = '5,x'");
	state_view *v = (state_view *)&e;
	ck_assert_int_eq(state_load(db, &v, &e), -EXIT_IOERR);
	ck_assert_ptr_null(v);
	ck_assert_msg(strstr(e.msg, "user 20 in course 10") && strstr(e.msg, "'5,x'"), "message: %s",
		      e.msg);
	state_close(db);
}
END_TEST

/* ---- transactions ------------------------------------------------------------------- */

START_TEST(test_transactions)
{
	const char *dir = store_dir("tx");
	state_db *db = open_ok(dir);
	errinfo e;
	int64_t role = 5;
	ck_assert_int_eq(state_rollback(db, &e), 0); /* none open: nothing to do */
	ck_assert_int_eq(state_commit(db, &e), -EXIT_SOFTWARE);

	/* rolled back: nothing is left */
	ck_assert_int_eq(state_begin(db, &e), 0);
	ck_assert_int_eq(state_begin(db, &e), -EXIT_SOFTWARE);
	state_course c = { 10, "G", NULL, NULL, true, false, 0 };
	state_user u = { 20, "P", NULL, NULL, NULL, true, false };
	state_enrolment en = { 10, 20, "G", "P", &role, 1, 0, 0, false, true, 1 };
	ck_assert_int_eq(state_put_course(db, &c, &e), 0);
	ck_assert_int_eq(state_put_user(db, &u, &e), 0);
	ck_assert_int_eq(state_put_enrolment(db, &en, &e), 0);
	ck_assert_int_eq(state_set_meta(db, "last_reconcile", "1", &e), 0);
	ck_assert_int_eq(state_rollback(db, &e), 0);
	state_view *v = load_ok(db);
	ck_assert_uint_eq(v->ncourses + v->nusers + v->nenrolments, 0);
	ck_assert_int_eq(v->last_reconcile, 0);
	state_view_free(v);

	/* closed inside a transaction: nothing is left either */
	ck_assert_int_eq(state_begin(db, &e), 0);
	ck_assert_int_eq(state_put_user(db, &u, &e), 0);
	state_close(db);
	db = open_ok(dir);
	v = load_ok(db);
	ck_assert_uint_eq(v->nusers, 0);
	state_view_free(v);

	/* committed: everything is there, also for another connection; a load
	 * inside the transaction sees its writes */
	ck_assert_int_eq(state_begin(db, &e), 0);
	ck_assert_int_eq(state_put_course(db, &c, &e), 0);
	ck_assert_int_eq(state_put_user(db, &u, &e), 0);
	ck_assert_int_eq(state_put_enrolment(db, &en, &e), 0);
	v = load_ok(db);
	ck_assert_uint_eq(v->nenrolments, 1);
	state_view_free(v);
	ck_assert_int_eq(state_commit(db, &e), 0);
	state_db *other = open_ok(dir);
	v = load_ok(other);
	ck_assert_uint_eq(v->ncourses + v->nusers + v->nenrolments, 3);
	state_view_free(v);
	state_close(other);
	state_close(db);
}
END_TEST

/* ---- the lock and other processes ----------------------------------------------------- */

/* Forks a child that opens the store and runs hold(db); the parent returns
 * once the child wrote one byte into the pipe (it holds what it took). */
static pid_t child_holding(const char *dir, int (*hold)(state_db *db, errinfo *e))
{
	int fds[2];
	char c;
	ck_assert_int_eq(pipe(fds), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		state_db *db;
		errinfo e;
		close(fds[0]);
		if (state_open(dir, SITE, &db, &e) < 0 || hold(db, &e) < 0 || write(fds[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(fds[1]);
	ck_assert_int_eq(read(fds[0], &c, 1), 1);
	close(fds[0]);
	return pid;
}

static void kill_child(pid_t pid)
{
	int status;
	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status));
}

START_TEST(test_lock_is_exclusive_and_dies_with_its_process)
{
	const char *dir = store_dir("lock");
	state_close(open_ok(dir));
	pid_t child = child_holding(dir, state_lock);
	state_db *db = open_ok(dir);
	errinfo e;
	char want[64], path[600];
	ck_assert_int_eq(state_lock(db, &e), -EXIT_TEMPFAIL);
	snprintf(want, sizeof want, "(pid %ld)", (long)child);
	ck_assert_msg(strstr(e.msg, want) != NULL, "message: %s", e.msg);
	snprintf(path, sizeof path, "%s/apply.lock", dir);
	ck_assert_msg(strstr(e.msg, path) != NULL, "message: %s", e.msg);
	ck_assert_uint_eq(mode_of(path), 0600);

	kill_child(child); /* SIGKILL: no cleanup ran, the kernel released the lock */
	ck_assert_int_eq(state_lock(db, &e), 0);
	ck_assert_int_eq(state_lock(db, &e), 0); /* again through the same db: fine */
	/* another handle, even in this process, is refused, naming us */
	state_db *second = open_ok(dir);
	ck_assert_int_eq(state_lock(second, &e), -EXIT_TEMPFAIL);
	snprintf(want, sizeof want, "(pid %ld)", (long)getpid());
	ck_assert_msg(strstr(e.msg, want) != NULL, "message: %s", e.msg);
	state_close(db); /* closing releases it */
	ck_assert_int_eq(state_lock(second, &e), 0);
	state_close(second);
}
END_TEST

static int put_in_transaction(state_db *db, errinfo *e)
{
	state_user u = { 99, "CHILD", NULL, NULL, NULL, false, false };
	int rc = state_begin(db, e);
	return rc < 0 ? rc : state_put_user(db, &u, e);
}

START_TEST(test_busy_store_waits_then_fails)
{
	/* (the parent forks with no store open: a child never inherits one) */
	const char *dir = store_dir("busy");
	state_close(open_ok(dir));
	errinfo e;
	state_user u = { 20, "P", NULL, NULL, NULL, false, false };
	pid_t child = child_holding(dir, put_in_transaction);
	state_db *db = open_ok(dir);
	/* readers are not blocked by the writer, and do not see its writes */
	state_view *v = load_ok(db);
	ck_assert_uint_eq(v->nusers, 0);
	state_view_free(v);
	/* a writer waits for the busy timeout, then gives up */
	state_set_busy_timeout(db, 200);
	ck_assert_int_eq(state_put_user(db, &u, &e), -EXIT_TEMPFAIL);
	ck_assert_msg(strstr(e.msg, "locked") && strstr(e.msg, dir), "message: %s", e.msg);
	ck_assert_int_eq(state_begin(db, &e), -EXIT_TEMPFAIL);
	/* the holder dies mid-transaction: its writes vanish, the store works */
	kill_child(child);
	ck_assert_int_eq(state_put_user(db, &u, &e), 0);
	v = load_ok(db);
	ck_assert_uint_eq(v->nusers, 1);
	ck_assert_ptr_null(state_user_of_id(v, 99));
	state_view_free(v);

	/* a writer that finishes within the timeout is waited for */
	state_close(db);
	int fds[2];
	char c;
	ck_assert_int_eq(pipe(fds), 0);
	child = fork();
	if (child == 0) {
		state_db *cdb;
		errinfo ce;
		close(fds[0]);
		if (state_open(dir, SITE, &cdb, &ce) < 0 || put_in_transaction(cdb, &ce) < 0 ||
		    write(fds[1], "x", 1) != 1)
			_exit(1);
		usleep(300 * 1000);
		int rc = state_commit(cdb, &ce);
		if (rc < 0)
			fprintf(stderr, "child: %s\n", ce.msg);
		state_close(cdb);
		_exit(rc < 0 ? 1 : 0);
	}
	close(fds[1]);
	ck_assert_int_eq(read(fds[0], &c, 1), 1);
	close(fds[0]);
	db = open_ok(dir);
	state_set_busy_timeout(db, 20000);
	u.userid = 21;
	ck_assert_int_eq(state_put_user(db, &u, &e), 0);
	int status;
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	v = load_ok(db);
	ck_assert_uint_eq(v->nusers, 3);
	ck_assert_ptr_nonnull(state_user_of_id(v, 99));
	state_view_free(v);
	state_close(db);
}
END_TEST

/* ---- runs and journal ----------------------------------------------------------------- */

typedef struct seen {
	int n;
	state_run_info runs[8];
	state_journal_info entries[8];
	char text[8][8][64];
} seen;

static const char *keep(seen *s, int slot, const char *v)
{
	if (!v)
		return NULL;
	snprintf(s->text[s->n][slot], sizeof s->text[0][0], "%s", v);
	return s->text[s->n][slot];
}

static void on_run(void *ctx, const state_run_info *r)
{
	seen *s = ctx;
	ck_assert_int_lt(s->n, 8);
	s->runs[s->n] = *r;
	s->runs[s->n].command = keep(s, 0, r->command);
	s->runs[s->n].file = keep(s, 1, r->file);
	s->runs[s->n].status = keep(s, 2, r->status);
	s->runs[s->n].mode = keep(s, 3, r->mode);
	s->runs[s->n].site_read = keep(s, 4, r->site_read);
	s->runs[s->n].summary_json = keep(s, 5, r->summary_json);
	s->runs[s->n].file_sha256 = keep(s, 6, r->file_sha256);
	s->runs[s->n].file_datetime = keep(s, 7, r->file_datetime);
	s->n++;
}

static void on_entry(void *ctx, const state_journal_info *j)
{
	seen *s = ctx;
	ck_assert_int_lt(s->n, 8);
	s->entries[s->n] = *j;
	s->entries[s->n].kind = keep(s, 0, j->kind);
	s->entries[s->n].target = keep(s, 1, j->target);
	s->entries[s->n].request = keep(s, 2, j->request);
	s->entries[s->n].result = keep(s, 3, j->result);
	s->entries[s->n].detail = keep(s, 4, j->detail);
	s->n++;
}

START_TEST(test_runs_newest_first)
{
	state_db *db = open_ok(store_dir("runs"));
	errinfo e;
	int64_t r1, r2, r3;
	ck_assert_int_eq(state_run_begin(db, "apply", "a.xml", "abc", "2026-01-01", "event",
					 "reconcile", &r1, &e), 0);
	ck_assert_int_eq(state_run_end(db, r1, "partial", "{\"done\":1}", &e), 0);
	ck_assert_int_eq(state_run_begin(db, "apply", "b.xml", "def", NULL, "snapshot", "diff", &r2,
					 &e), 0);
	ck_assert_int_eq(state_run_end(db, r2, "done", NULL, &e), 0);
	ck_assert_int_eq(state_run_begin(db, "undo", NULL, NULL, NULL, NULL, NULL, &r3, &e), 0);
	ck_assert_int_eq(state_run_end(db, r3 + 1, "done", NULL, &e), -EXIT_SOFTWARE);

	seen s = { 0 };
	ck_assert_int_eq(state_each_run(db, 0, on_run, &s, &e), 0);
	ck_assert_int_eq(s.n, 3);
	ck_assert_int_eq(s.runs[0].id, r3);
	ck_assert_int_eq(s.runs[1].id, r2);
	ck_assert_int_eq(s.runs[2].id, r1);
	ck_assert_str_eq(s.runs[0].command, "undo");
	ck_assert_str_eq(s.runs[0].status, "running");
	ck_assert_int_eq(s.runs[0].finished, 0);
	ck_assert_ptr_null(s.runs[0].file);
	ck_assert_ptr_null(s.runs[0].mode);
	const state_run_info *r = &s.runs[2];
	ck_assert_str_eq(r->command, "apply");
	ck_assert_str_eq(r->file, "a.xml");
	ck_assert_str_eq(r->file_sha256, "abc");
	ck_assert_str_eq(r->file_datetime, "2026-01-01");
	ck_assert_str_eq(r->mode, "event");
	ck_assert_str_eq(r->site_read, "reconcile");
	ck_assert_str_eq(r->status, "partial");
	ck_assert_str_eq(r->summary_json, "{\"done\":1}");
	ck_assert_int_gt(r->started, 1700000000);
	ck_assert_int_ge(r->finished, r->started);
	ck_assert_ptr_null(s.runs[1].file_datetime);
	ck_assert_ptr_null(s.runs[1].summary_json);
	ck_assert_str_eq(s.runs[1].site_read, "diff");

	seen two = { 0 };
	ck_assert_int_eq(state_each_run(db, 2, on_run, &two, &e), 0);
	ck_assert_int_eq(two.n, 2);
	ck_assert_int_eq(two.runs[0].id, r3);
	ck_assert_int_eq(two.runs[1].id, r2);
	state_close(db);
}
END_TEST

START_TEST(test_journal_in_order)
{
	state_db *db = open_ok(store_dir("journal"));
	errinfo e;
	int64_t r1, r2, j[4];
	ck_assert_int_eq(state_run_begin(db, "apply", "a.xml", NULL, NULL, NULL, NULL, &r1, &e), 0);
	ck_assert_int_eq(state_run_begin(db, "apply", "b.xml", NULL, NULL, NULL, NULL, &r2, &e), 0);
	ck_assert_int_eq(state_journal_begin(db, r1, "enrol", "G1/P1", "{\"a\":1}", &j[0], &e), 0);
	ck_assert_int_eq(state_journal_begin(db, r2, "enrol", "G9/P9", NULL, &j[1], &e), 0);
	ck_assert_int_eq(state_journal_begin(db, r1, "suspend", "G1/P2", "{}", &j[2], &e), 0);
	ck_assert_int_eq(state_journal_begin(db, r1, "create_user", "P3", "{}", &j[3], &e), 0);
	ck_assert_int_eq(state_journal_end(db, j[2], "failed", "wsnoinstance", &e), 0);
	ck_assert_int_eq(state_journal_end(db, j[0], "done", NULL, &e), 0);
	ck_assert_int_eq(state_journal_end(db, j[1], "unknown", "timeout", &e), 0);
	/* only the four results; only existing entries and runs */
	ck_assert_int_eq(state_journal_end(db, j[3], "ok", NULL, &e), -EXIT_IOERR);
	ck_assert_int_eq(state_journal_end(db, j[3] + 100, "done", NULL, &e), -EXIT_SOFTWARE);
	int64_t none;
	ck_assert_int_eq(state_journal_begin(db, r2 + 100, "enrol", "x", NULL, &none, &e), -EXIT_IOERR);

	seen s = { 0 };
	ck_assert_int_eq(state_each_journal(db, r1, on_entry, &s, &e), 0);
	ck_assert_int_eq(s.n, 3);
	ck_assert_int_eq(s.entries[0].id, j[0]);
	ck_assert_int_eq(s.entries[1].id, j[2]);
	ck_assert_int_eq(s.entries[2].id, j[3]);
	ck_assert_int_eq(s.entries[0].run_id, r1);
	ck_assert_str_eq(s.entries[0].kind, "enrol");
	ck_assert_str_eq(s.entries[0].target, "G1/P1");
	ck_assert_str_eq(s.entries[0].request, "{\"a\":1}");
	ck_assert_str_eq(s.entries[0].result, "done");
	ck_assert_ptr_null(s.entries[0].detail);
	ck_assert_str_eq(s.entries[1].result, "failed");
	ck_assert_str_eq(s.entries[1].detail, "wsnoinstance");
	ck_assert_str_eq(s.entries[2].result, "pending");
	ck_assert_int_gt(s.entries[2].at, 1700000000);
	seen other = { 0 };
	ck_assert_int_eq(state_each_journal(db, r2, on_entry, &other, &e), 0);
	ck_assert_int_eq(other.n, 1);
	ck_assert_str_eq(other.entries[0].result, "unknown");
	ck_assert_ptr_null(other.entries[0].request);
	seen nothing = { 0 };
	ck_assert_int_eq(state_each_journal(db, r2 + 100, on_entry, &nothing, &e), 0);
	ck_assert_int_eq(nothing.n, 0);
	state_close(db);
}
END_TEST

/* ---- the view ------------------------------------------------------------------------------ */

static void collect(void *ctx, const state_enrolment *en)
{
	int64_t *out = ctx;
	out[++out[0]] = en->courseid * 1000 + en->userid;
}

START_TEST(test_view_order_and_replacement)
{
	state_view *v = state_view_new();
	int64_t r5 = 5, r3 = 3, list[16] = { 0 };
	state_enrolment en = { 0 };
	en.nroles = 1;
	const int64_t order[][2] = { { 2, 7 }, { 1, 9 }, { 2, 3 }, { 1, 1 } };
	for (size_t i = 0; i < ARRAY_LEN(order); i++) {
		en.courseid = order[i][0];
		en.userid = order[i][1];
		en.roleids = &r5;
		state_view_add_enrolment(v, &en);
	}
	en.courseid = 2;
	en.userid = 7;
	en.roleids = &r3;
	en.suspended = true;
	const state_enrolment *first = state_enrolment_of(v, 2, 7);
	ck_assert_ptr_eq(state_view_add_enrolment(v, &en), first); /* replaced in place */
	ck_assert_uint_eq(v->nenrolments, 4);
	state_each_enrolment(v, 0, collect, list);
	ck_assert_int_eq(list[0], 4);
	ck_assert_int_eq(list[1], 2007);
	ck_assert_int_eq(list[2], 1009);
	ck_assert_int_eq(list[3], 2003);
	ck_assert_int_eq(list[4], 1001);
	memset(list, 0, sizeof list);
	state_each_enrolment(v, 2, collect, list);
	ck_assert_int_eq(list[0], 2);
	ck_assert_int_eq(list[1], 2007);
	ck_assert_int_eq(list[2], 2003);
	const state_enrolment *x = state_enrolment_of(v, 2, 7);
	ck_assert(x->suspended);
	ck_assert_int_eq(x->roleids[0], 3);
	ck_assert_int_eq(state_enrolment_of(v, 1, 9)->roleids[0], 5);
	r5 = 6; /* the view copied the roles */
	ck_assert_int_eq(state_enrolment_of(v, 1, 1)->roleids[0], 5);
	memset(list, 0, sizeof list);
	state_each_enrolment(v, 3, collect, list);
	ck_assert_int_eq(list[0], 0);
	/* an id of 0 is kept but never found */
	en.courseid = 0;
	state_view_add_enrolment(v, &en);
	ck_assert_uint_eq(v->nenrolments, 5);
	ck_assert_ptr_null(state_enrolment_of(v, 0, 7));
	memset(list, 0, sizeof list);
	state_each_enrolment(v, 0, collect, list);
	ck_assert_int_eq(list[0], 4);

	/* courses and users are replaced in place too; their old IMS ids
	 * no longer find them */
	state_course c = { 10, "G1", NULL, NULL, false, false, -1 };
	const state_course *vc = state_view_add_course(v, &c);
	c.group_id = "G2";
	c.visible = 1;
	ck_assert_ptr_eq(state_view_add_course(v, &c), vc);
	ck_assert_uint_eq(v->ncourses, 1);
	ck_assert_ptr_null(state_course_of_group(v, "G1"));
	ck_assert_ptr_eq(state_course_of_group(v, "G2"), vc);
	ck_assert_int_eq(vc->visible, 1);
	state_user u = { 20, "P1", "a", NULL, NULL, false, false };
	const state_user *vu = state_view_add_user(v, &u);
	u.person_id = "P2";
	ck_assert_ptr_eq(state_view_add_user(v, &u), vu);
	ck_assert_uint_eq(v->nusers, 1);
	ck_assert_ptr_null(state_user_of_person(v, "P1"));
	ck_assert_ptr_eq(state_user_of_person(v, "P2"), vu);
	state_view_free(v);
}
END_TEST

/* ---- a large store ------------------------------------------------------------------------ */

/* The user of the i-th enrolment of course c (100 per course, all distinct). */
static int64_t big_user(int64_t c, int64_t i)
{
	return 100000 + (c * 37 + i * 211) % 20000;
}

typedef struct ordered {
	int n;
	int64_t last;
	bool ascending;
} ordered;

static void check_order(void *ctx, const state_enrolment *en)
{
	ordered *o = ctx;
	o->ascending = o->ascending && en->userid > o->last && en->courseid == 5777;
	o->last = en->userid;
	o->n++;
}

START_TEST(test_load_of_200000_enrolments)
{
	state_db *db = open_ok(store_dir("large"));
	errinfo e;
	char group[32], person[32];
	int64_t student = 5, teacher[] = { 3, 5 };
	ck_assert_int_eq(state_begin(db, &e), 0);
	for (int64_t c = 1; c <= 2000; c++) {
		snprintf(group, sizeof group, "GRP-%05lld", (long long)c);
		state_course sc = { 5000 + c, group, group, group, true, false, 0 };
		ck_assert_int_eq(state_put_course(db, &sc, &e), 0);
		for (int64_t i = 0; i < 100; i++) {
			int64_t u = big_user(c, i);
			snprintf(person, sizeof person, "P%06lld", (long long)u);
			state_enrolment en = { 5000 + c, u, group, person, i ? &student : teacher,
					       i ? 1 : 2, 1767225600 + c, 0, i % 10 == 0, true, 1 };
			ck_assert_int_eq(state_put_enrolment(db, &en, &e), 0);
		}
	}
	for (int64_t u = 100000; u < 120000; u++) {
		snprintf(person, sizeof person, "P%06lld", (long long)u);
		state_user su = { u, person, person, person, NULL, true, false };
		ck_assert_int_eq(state_put_user(db, &su, &e), 0);
	}
	ck_assert_int_eq(state_commit(db, &e), 0);

	state_view *v = load_ok(db);
	ck_assert_uint_eq(v->ncourses, 2000);
	ck_assert_uint_eq(v->nusers, 20000);
	ck_assert_uint_eq(v->nenrolments, 200000);
	const int64_t probes[][2] = { { 1, 0 }, { 1, 99 }, { 1000, 50 }, { 2000, 0 }, { 2000, 99 } };
	for (size_t k = 0; k < ARRAY_LEN(probes); k++) {
		int64_t c = probes[k][0], i = probes[k][1], u = big_user(c, i);
		const state_enrolment *x = state_enrolment_of(v, 5000 + c, u);
		ck_assert_ptr_nonnull(x);
		snprintf(group, sizeof group, "GRP-%05lld", (long long)c);
		snprintf(person, sizeof person, "P%06lld", (long long)u);
		ck_assert_str_eq(x->group_id, group);
		ck_assert_str_eq(x->person_id, person);
		ck_assert_ptr_eq(x->person_id, state_user_of_id(v, u)->person_id); /* interned */
		ck_assert_int_eq(x->nroles, i ? 1 : 2);
		ck_assert_int_eq(x->roleids[0], i ? 5 : 3);
		ck_assert_int_eq(x->timestart, 1767225600 + c);
		ck_assert(x->suspended == (i % 10 == 0));
		ck_assert_ptr_eq(state_course_of_group(v, group), state_course_of_id(v, 5000 + c));
	}
	ck_assert_ptr_null(state_enrolment_of(v, 5001, 99999));
	ck_assert_ptr_null(state_enrolment_of(v, 9999, big_user(1, 0)));
	ordered o = { 0, 0, true };
	state_each_enrolment(v, 5777, check_order, &o);
	ck_assert_int_eq(o.n, 100);
	ck_assert(o.ascending); /* loaded by course, then user */
	state_view_free(v);
	state_close(db);
}
END_TEST

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(top, sizeof top, "%s/ims2moodle-test-state-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(top)) {
		perror(top);
		return EXIT_FAILURE;
	}
	Suite *s = suite_create("state");
	TCase *tc = tcase_create("store");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_create_with_private_permissions);
	tcase_add_test(tc, test_normalise_url);
	tcase_add_test(tc, test_site_binding);
	tcase_add_test(tc, test_newer_schema_is_refused_and_untouched);
	tcase_add_test(tc, test_foreign_files_are_refused);
	tcase_add_test(tc, test_first_opens_race);
	tcase_add_test(tc, test_version_1_is_migrated);
	tcase_add_test(tc, test_foreign_roles);
	tcase_add_test(tc, test_foreign_enrolments);
	tcase_add_test(tc, test_round_trip_of_every_field);
	tcase_add_test(tc, test_updates_overwrite);
	tcase_add_test(tc, test_delete_and_bad_writes);
	tcase_add_test(tc, test_meta_values);
	tcase_add_test(tc, test_roles_codec);
	tcase_add_test(tc, test_corrupt_roles_fail_the_load);
	tcase_add_test(tc, test_transactions);
	tcase_add_test(tc, test_lock_is_exclusive_and_dies_with_its_process);
	tcase_add_test(tc, test_busy_store_waits_then_fails);
	tcase_add_test(tc, test_runs_newest_first);
	tcase_add_test(tc, test_journal_in_order);
	tcase_add_test(tc, test_view_order_and_replacement);
	tcase_add_test(tc, test_load_of_200000_enrolments);
	suite_add_tcase(s, tc);
	int status = run_suite(s);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", top);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", top);
	return status;
}
