/* client_rps.c -- requests per second of the REST client (moodle_client)
 * against a site, normally the emulator: a number of identical calls queued
 * at once and run with a given number in flight, timed from the first
 * request sent to the last answer read. Two calls: core_webservice_get_site_info
 * (a small read) and enrol_manual_enrol_users batches (the importer's bulk
 * write). Not a test: bench/client-bench.sh runs it and takes medians.
 *
 *   MOODLE_TOKEN=T bench/client_rps --url URL --call site-info|enrol
 *       --inflight N --requests R [--batch B] [--users U] [--first-user ID]
 *       [--course ID] [--role ID] [--keep-alive]
 *
 * An enrol request holds B enrolments (6 fields each: roleid, userid,
 * courseid, timestart, timeend, suspend) of users first-user .. first-user+U-1
 * taken in turn, into one course. The client sends a write on a connection
 * of its own (never resent by libcurl); --keep-alive sends the batches as
 * reads instead, on kept-alive connections, to show what that costs. Prints
 * one line:
 *   CALL inflight=N requests=R batch=B seconds=S rps=X items_per_s=Y cpu_us=C failed=F
 * where cpu_us is the client's own CPU time (user and system) per request,
 * which depends less than rps on what else the machine runs.
 * Exit 0, 1 when a request failed, 64 on a usage error. */
#include "config.h"
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "moodle_client.h"

typedef struct tally {
	long done, failed;
	char first_error[512];
} tally;

static void on_done(moodle_client *c, moodle_request *r, void *ctx)
{
	tally *t = ctx;
	t->done++;
	if (r->outcome != MO_DONE) {
		if (!t->failed)
			moodle_request_error(r, t->first_error, sizeof t->first_error);
		t->failed++;
	}
	moodle_request_free(r);
	(void)c;
}

static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       (double)ru.ru_stime.tv_usec / 1e6;
}

static void usage(void)
{
	fprintf(stderr, "usage: MOODLE_TOKEN=T bench/client_rps --url URL --call site-info|enrol --inflight N "
		"--requests R [--batch B] [--users U] [--first-user ID] [--course ID] [--role ID] [--keep-alive]\n");
	exit(64);
}

int main(int argc, char **argv)
{
	const char *url = NULL, *call = NULL;
	long inflight = 1, requests = 1000, batch = 100, users = 1000, first_user = 3, course = 2, role = 5;
	bool keep_alive = false;
	static const struct option longopts[] = {
		{ "url", required_argument, NULL, 'u' }, { "call", required_argument, NULL, 'c' },
		{ "inflight", required_argument, NULL, 'n' }, { "requests", required_argument, NULL, 'r' },
		{ "batch", required_argument, NULL, 'b' }, { "users", required_argument, NULL, 'U' },
		{ "first-user", required_argument, NULL, 'f' }, { "course", required_argument, NULL, 'C' },
		{ "role", required_argument, NULL, 'R' }, { "keep-alive", no_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'u': url = optarg; break;
		case 'c': call = optarg; break;
		case 'n': inflight = atol(optarg); break;
		case 'r': requests = atol(optarg); break;
		case 'b': batch = atol(optarg); break;
		case 'U': users = atol(optarg); break;
		case 'f': first_user = atol(optarg); break;
		case 'C': course = atol(optarg); break;
		case 'R': role = atol(optarg); break;
		case 'k': keep_alive = true; break;
		default: usage();
		}
	}
	const char *token = getenv("MOODLE_TOKEN");
	bool enrol = call && strcmp(call, "enrol") == 0;
	if (!url || !call || (!enrol && strcmp(call, "site-info") != 0) || !token || !*token || inflight < 1 ||
	    inflight > 64 || requests < 1 || batch < 1 || users < 1 || optind != argc)
		usage();

	moodle_options o = { 0 };
	o.url = url;
	o.token = token;
	o.timeout = 120;
	o.connect_timeout = 10;
	o.concurrency = (int)inflight;
	o.field_budget = 4000;
	o.retries = 0;
	o.retry_max_time = 1;
	o.retry_base = 0.1;
	moodle_client *c;
	errinfo e;
	if (moodle_client_new(&o, &c, &e) < 0) {
		fprintf(stderr, "client_rps: %s\n", e.msg);
		return 1;
	}

	/* one request first, so that the figure leaves out the first connect */
	tally warm = { 0 }, t = { 0 };
	moodle_request *r = moodle_request_new("core_webservice_get_site_info", false);
	r->done = on_done;
	r->ctx = &warm;
	if (moodle_call(c, r, &e) < 0 || warm.failed) {
		fprintf(stderr, "client_rps: %s\n", warm.failed ? warm.first_error : e.msg);
		return 1;
	}

	long next_user = 0;
	for (long i = 0; i < requests; i++) {
		r = moodle_request_new(enrol ? "enrol_manual_enrol_users" : "core_webservice_get_site_info",
				       enrol && !keep_alive);
		for (long k = 0; enrol && k < batch; k++) {
			mform_add_int(&r->form, role, "enrolments[%ld][roleid]", k);
			mform_add_int(&r->form, first_user + next_user, "enrolments[%ld][userid]", k);
			mform_add_int(&r->form, course, "enrolments[%ld][courseid]", k);
			mform_add_int(&r->form, 0, "enrolments[%ld][timestart]", k);
			mform_add_int(&r->form, 0, "enrolments[%ld][timeend]", k);
			mform_add_int(&r->form, 0, "enrolments[%ld][suspend]", k);
			next_user = (next_user + 1) % users;
		}
		r->done = on_done;
		r->ctx = &t;
		if (moodle_submit(c, r, &e) < 0) {
			fprintf(stderr, "client_rps: %s\n", e.msg);
			return 1;
		}
	}
	double t0 = now_monotonic(), cpu0 = cpu_seconds();
	if (moodle_run(c, &e) < 0) {
		fprintf(stderr, "client_rps: %s\n", e.msg);
		return 1;
	}
	double seconds = now_monotonic() - t0, cpu = cpu_seconds() - cpu0;
	moodle_client_free(c);
	printf("%s inflight=%ld requests=%ld batch=%ld seconds=%.3f rps=%.1f items_per_s=%.0f cpu_us=%.0f "
	       "failed=%ld\n", call, inflight, requests, enrol ? batch : 0, seconds, (double)requests / seconds,
	       (double)requests * (double)(enrol ? batch : 1) / seconds, cpu * 1e6 / (double)requests, t.failed);
	if (t.failed)
		fprintf(stderr, "client_rps: %ld failed, the first: %s\n", t.failed, t.first_error);
	return t.failed ? 1 : 0;
}
