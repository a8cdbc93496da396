/* test_state.c -- unit tests of the state store: creation and permissions,
 * binding to one site, schema versions, round trips into the planner's
 * view, the apply lock, runs and the journal. */
#include "config.h"
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "state.h"

static char top[256], dir[300];

static void make_dir(void)
{
	snprintf(top, sizeof top, "%s/ims2moodle-state-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(top));
	snprintf(dir, sizeof dir, "%s/store", top); /* state_open creates the last level itself */
}

static void remove_dir(void)
{
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", top);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_create_permissions_and_site_binding)
{
	state_db *db;
	errinfo e;
	struct stat st;
	make_dir();
	ck_assert_int_eq(state_open(dir, "HTTPS://Moodle.Example.edu/", &db, &e), 0);
	state_close(db);
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0700);
	char path[400];
	snprintf(path, sizeof path, "%s/state.sqlite", dir);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 077, 0);
	/* the same site, written differently, is the same site */
	ck_assert_int_eq(state_open(dir, "https://moodle.example.edu", &db, &e), 0);
	state_close(db);
	/* another site is refused */
	ck_assert_int_eq(state_open(dir, "https://other.example.edu", &db, &e), -EXIT_CONFIG);
	ck_assert_ptr_null(db);
	ck_assert_ptr_nonnull(strstr(e.msg, "belongs to the site https://moodle.example.edu, not to https://other.example.edu"));
	remove_dir();
}
END_TEST

START_TEST(test_newer_schema_is_refused)
{
	state_db *db;
	errinfo e;
	make_dir();
	ck_assert_int_eq(state_open(dir, "http://m", &db, &e), 0);
	ck_assert_int_eq(state_set_meta(db, "schema_version", "99", &e), 0);
	state_close(db);
	ck_assert_int_eq(state_open(dir, "http://m", &db, &e), -EXIT_CONFIG);
	ck_assert_ptr_nonnull(strstr(e.msg, "schema version 99"));
	remove_dir();
}
END_TEST

START_TEST(test_round_trip_into_the_view)
{
	state_db *db;
	state_view *v;
	errinfo e;
	make_dir();
	ck_assert_int_eq(state_open(dir, "http://m", &db, &e), 0);
	ck_assert_int_eq(state_begin(db, &e), 0);
	state_course c = { 10, "C1", "C1", "C1 short", true, false, 0 };
	ck_assert_int_eq(state_put_course(db, &c, &e), 0);
	state_user u = { 20, "P1", "alice", "P1", "alice@example.edu", true, true };
	ck_assert_int_eq(state_put_user(db, &u, &e), 0);
	int64_t roles[] = { 5, 3 };
	state_enrolment en = { 10, 20, "C1", "P1", roles, 2, 1000, 2000, true, false, 7 };
	ck_assert_int_eq(state_put_enrolment(db, &en, &e), 0);
	state_enrolment other = { 11, 20, "C2", "P1", NULL, 0, 0, 0, false, true, 7 };
	ck_assert_int_eq(state_put_enrolment(db, &other, &e), 0);
	ck_assert_int_eq(state_commit(db, &e), 0);
	ck_assert_int_eq(state_set_meta(db, "last_file_datetime", "2026-01-02", &e), 0);

	ck_assert_int_eq(state_load(db, &v, &e), 0);
	const state_course *vc = state_course_of_group(v, "C1");
	ck_assert_ptr_nonnull(vc);
	ck_assert_int_eq(vc->courseid, 10);
	ck_assert_str_eq(vc->shortname, "C1 short");
	ck_assert(vc->created && !vc->hidden_by_us);
	ck_assert_int_eq(vc->visible, 0);
	ck_assert_ptr_eq(state_course_of_id(v, 10), vc);
	const state_user *vu = state_user_of_person(v, "P1");
	ck_assert_ptr_nonnull(vu);
	ck_assert_int_eq(vu->userid, 20);
	ck_assert_str_eq(vu->email, "alice@example.edu");
	ck_assert(vu->created && vu->suspended_by_us);
	const state_enrolment *ve = state_enrolment_of(v, 10, 20);
	ck_assert_ptr_nonnull(ve);
	ck_assert_int_eq(ve->nroles, 2);
	ck_assert_int_eq(ve->roleids[0], 5);
	ck_assert_int_eq(ve->roleids[1], 3);
	ck_assert_int_eq(ve->timestart, 1000);
	ck_assert_int_eq(ve->timeend, 2000);
	ck_assert(ve->suspended && !ve->confirmed);
	ck_assert_int_eq(ve->last_run, 7);
	ck_assert_int_eq(state_enrolment_of(v, 11, 20)->nroles, 0);
	ck_assert_ptr_null(state_enrolment_of(v, 12, 20));
	ck_assert_str_eq(v->last_file_datetime, "2026-01-02");
	state_view_free(v);

	/* updates overwrite, deletes remove */
	en.suspended = false;
	en.nroles = 1;
	ck_assert_int_eq(state_put_enrolment(db, &en, &e), 0);
	ck_assert_int_eq(state_delete_enrolment(db, 11, 20, &e), 0);
	ck_assert_int_eq(state_load(db, &v, &e), 0);
	ck_assert(!state_enrolment_of(v, 10, 20)->suspended);
	ck_assert_int_eq(state_enrolment_of(v, 10, 20)->nroles, 1);
	ck_assert_ptr_null(state_enrolment_of(v, 11, 20));
	ck_assert_uint_eq(v->nenrolments, 1);
	state_view_free(v);
	state_close(db);
	remove_dir();
}
END_TEST

START_TEST(test_rollback_leaves_nothing)
{
	state_db *db;
	state_view *v;
	errinfo e;
	make_dir();
	ck_assert_int_eq(state_open(dir, "http://m", &db, &e), 0);
	ck_assert_int_eq(state_begin(db, &e), 0);
	state_user u = { 20, "P1", "alice", "P1", NULL, true, false };
	ck_assert_int_eq(state_put_user(db, &u, &e), 0);
	state_close(db); /* closing inside a transaction rolls it back */
	ck_assert_int_eq(state_open(dir, "http://m", &db, &e), 0);
	ck_assert_int_eq(state_load(db, &v, &e), 0);
	ck_assert_uint_eq(v->nusers, 0);
	state_view_free(v);
	state_close(db);
	remove_dir();
}
END_TEST

START_TEST(test_lock_is_exclusive_and_dies_with_its_process)
{
	state_db *db;
	errinfo e;
	int pipefd[2];
	make_dir();
	ck_assert_int_eq(state_open(dir, "http://m", &db, &e), 0);
	state_close(db);
	ck_assert_int_eq(pipe(pipefd), 0);
	pid_t child = fork();
	if (child == 0) {
		state_db *cdb;
		errinfo ce;
		if (state_open(dir, "http://m", &cdb, &ce) < 0 || state_lock(cdb, &ce) < 0)
			_exit(1);
		if (write(pipefd[1], "L", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	char c;
	ck_assert_int_eq(read(pipefd[0], &c, 1), 1);
	ck_assert_int_eq(state_open(dir, "http://m", &db, &e), 0);
	ck_assert_int_eq(state_lock(db, &e), -EXIT_TEMPFAIL);
	char want[64];
	snprintf(want, sizeof want, "(pid %ld)", (long)child);
	ck_assert_msg(strstr(e.msg, want) != NULL, "message: %s", e.msg);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	ck_assert_int_eq(state_lock(db, &e), 0);
	state_close(db);
	remove_dir();
}
END_TEST

struct seen {
	int n;
	int64_t ids[8];
	char results[8][16];
};

static void on_run(void *ctx, const state_run_info *r)
{
	struct seen *s = ctx;
	s->ids[s->n++] = r->id;
}

static void on_entry(void *ctx, const state_journal_info *j)
{
	struct seen *s = ctx;
	snprintf(s->results[s->n], sizeof s->results[0], "%s", j->result);
	s->ids[s->n++] = j->id;
}

START_TEST(test_runs_and_journal)
{
	state_db *db;
	errinfo e;
	int64_t r1, r2, j1, j2;
	make_dir();
	ck_assert_int_eq(state_open(dir, "http://m", &db, &e), 0);
	ck_assert_int_eq(state_run_begin(db, "apply", "a.xml", "abc", "2026-01-01", "event", "reconcile", &r1, &e), 0);
	ck_assert_int_eq(state_journal_begin(db, r1, "enrol", "C1/P1", "{}", &j1, &e), 0);
	ck_assert_int_eq(state_journal_begin(db, r1, "enrol", "C1/P2", "{}", &j2, &e), 0);
	ck_assert_int_eq(state_journal_end(db, j1, "done", NULL, &e), 0);
	ck_assert_int_eq(state_journal_end(db, j2, "failed", "wsnoinstance", &e), 0);
	ck_assert_int_eq(state_run_end(db, r1, "partial", "{\"done\":1}", &e), 0);
	ck_assert_int_eq(state_run_begin(db, "apply", "b.xml", "def", NULL, "event", "diff", &r2, &e), 0);
	struct seen runs = { 0 };
	ck_assert_int_eq(state_each_run(db, 10, on_run, &runs, &e), 0);
	ck_assert_int_eq(runs.n, 2);
	ck_assert_int_eq(runs.ids[0], r2); /* newest first */
	ck_assert_int_eq(runs.ids[1], r1);
	struct seen entries = { 0 };
	ck_assert_int_eq(state_each_journal(db, r1, on_entry, &entries, &e), 0);
	ck_assert_int_eq(entries.n, 2);
	ck_assert_int_eq(entries.ids[0], j1);
	ck_assert_str_eq(entries.results[0], "done");
	ck_assert_str_eq(entries.results[1], "failed");
	state_close(db);
	remove_dir();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("state");
	TCase *tc = tcase_create("state");
	tcase_add_test(tc, test_create_permissions_and_site_binding);
	tcase_add_test(tc, test_newer_schema_is_refused);
	tcase_add_test(tc, test_round_trip_into_the_view);
	tcase_add_test(tc, test_rollback_leaves_nothing);
	tcase_add_test(tc, test_lock_is_exclusive_and_dies_with_its_process);
	tcase_add_test(tc, test_runs_and_journal);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
