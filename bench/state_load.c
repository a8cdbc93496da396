/* state_load.c -- benchmark of the state store: writes a store of the given
 * size in one transaction, then loads it into the planner's view, and
 * prints the times, the view's arena size and the process's peak memory.
 *
 *   bench/state_load DIR [COURSES USERS ENROLMENTS]     (default 10000 50000 500000)
 *
 * DIR must not hold a store for another site; it is created if missing and
 * left in place (remove it afterwards). Figures go to doc/PERFORMANCE.md. */
#include "config.h"
#include "state.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

static long peak_kib(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static int write_store(state_db *db, long ncourses, long nusers, long nenrol, errinfo *e)
{
	char group[32], person[32], name[32], mail[48];
	int rc = state_begin(db, e);
	for (long c = 1; rc == 0 && c <= ncourses; c++) {
		snprintf(group, sizeof group, "GRP-%06ld", c);
		state_course sc = { 1000 + c, group, group, group, true, false, 0 };
		rc = state_put_course(db, &sc, e);
	}
	for (long u = 1; rc == 0 && u <= nusers; u++) {
		snprintf(person, sizeof person, "P%08ld", u);
		snprintf(name, sizeof name, "user%ld", u);
		snprintf(mail, sizeof mail, "user%ld@example.edu", u);
		state_user su = { 2000000 + u, person, name, person, mail, true, false };
		rc = state_put_user(db, &su, e);
	}
	int64_t student = 5;
	for (long i = 0; rc == 0 && i < nenrol; i++) {
		long c = 1 + i % ncourses, u = 1 + (i / ncourses * 7919 + c) % nusers;
		snprintf(group, sizeof group, "GRP-%06ld", c);
		snprintf(person, sizeof person, "P%08ld", u);
		state_enrolment en = { 1000 + c, 2000000 + u, group, person, &student, 1,
				       1767225600, 1782864000, false, true, 1 };
		rc = state_put_enrolment(db, &en, e);
	}
	return rc == 0 ? state_commit(db, e) : rc;
}

int main(int argc, char **argv)
{
	if (argc != 2 && argc != 5) {
		fprintf(stderr, "usage: %s DIR [COURSES USERS ENROLMENTS]\n", argv[0]);
		return 64;
	}
	long nc = argc == 5 ? atol(argv[2]) : 10000, nu = argc == 5 ? atol(argv[3]) : 50000;
	long ne = argc == 5 ? atol(argv[4]) : 500000;
	state_db *db;
	state_view *v;
	errinfo e;
	if (state_open(argv[1], "https://bench.example.edu", &db, &e) < 0) {
		fprintf(stderr, "%s\n", e.msg);
		return 1;
	}
	double t0 = now_monotonic();
	int rc = write_store(db, nc, nu, ne, &e);
	double t1 = now_monotonic();
	long before = peak_kib();
	if (rc == 0)
		rc = state_load(db, &v, &e);
	double t2 = now_monotonic();
	if (rc < 0) {
		fprintf(stderr, "%s\n", e.msg);
		state_close(db);
		return 1;
	}
	printf("write %ld courses, %ld users, %ld enrolments: %.2f s\n", nc, nu, ne, t1 - t0);
	printf("load  %zu courses, %zu users, %zu enrolments: %.3f s\n", v->ncourses, v->nusers,
	       v->nenrolments, t2 - t1);
	printf("view arena %.1f MiB; peak RSS %.1f MiB before the load, %.1f MiB after\n",
	       v->mem.total / 1048576.0, before / 1024.0, peak_kib() / 1024.0);
	state_view_free(v);
	state_close(db);
	return 0;
}
