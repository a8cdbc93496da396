/* cmd_history.c -- `ims2moodle history` (the runs the store remembers) and
 * `ims2moodle show RUN` (what one run changed, from its journal). */
#include "config.h"
#include "commands.h"
#include "run.h"
#include "state.h"

#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static const struct option history_options[] = {
	{ "state-dir", required_argument, NULL, 'S' },
	{ "config", required_argument, NULL, 'c' },
	{ "url", required_argument, NULL, 'u' },
	{ "limit", required_argument, NULL, 'n' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const char *when(int64_t t, char *buf, size_t n)
{
	if (!t)
		return "-";
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, n, "%Y-%m-%d %H:%M:%SZ", &tm);
	return buf;
}

/* Opens the store without knowing the site: it is read, and its own
 * site_url binding is taken as is. */
static int open_existing(const char *dir, state_db **db, errinfo *e)
{
	struct stat st;
	char *path = xasprintf("%s/state.sqlite", dir);
	int exists = stat(path, &st) == 0;
	free(path);
	if (!exists)
		return err_set(e, -EXIT_NOINPUT, "no state store in %s (no apply has run with it)", dir);
	/* bind to whatever site it holds: read its URL first */
	int rc = state_open(dir, NULL, db, e);
	return rc;
}

/* The run's summary as the store keeps it (JSON: per action kind its
 * done/failed/unknown/not_run counts, then skipped and quarantined) in one
 * readable line: "create_course 1; enrol 498 (2 failed); 3 quarantined". */
static void print_summary(const char *summary_json)
{
	json_object *o = summary_json ? json_tokener_parse(summary_json) : NULL;
	if (!o || !json_object_is_type(o, json_type_object)) {
		printf("%s", summary_json ? summary_json : "(no summary: the run did not finish)");
		json_object_put(o);
		return;
	}
	const char *sep = "";
	json_object_object_foreach(o, kind, v) {
		if (json_object_is_type(v, json_type_int)) {
			if (json_object_get_int64(v))
				printf("%s%" PRId64 " %s", sep, json_object_get_int64(v), kind);
			else
				continue;
		} else {
			json_object *x;
			int64_t done = json_object_object_get_ex(v, "done", &x) ? json_object_get_int64(x) : 0;
			printf("%s%s %" PRId64, sep, kind, done);
			const char *more = " (";
			static const char *const others[] = { "failed", "unknown", "not_run" };
			for (size_t i = 0; i < sizeof others / sizeof *others; i++) {
				int64_t n = json_object_object_get_ex(v, others[i], &x) ? json_object_get_int64(x) : 0;
				if (n) {
					printf("%s%" PRId64 " %s", more, n, strcmp(others[i], "not_run") ? others[i] : "not run");
					more = ", ";
				}
			}
			if (*more == ',')
				printf(")");
		}
		sep = "; ";
	}
	if (!*sep)
		printf("nothing to do");
	json_object_put(o);
}

static void print_run(const state_run_info *r)
{
	char b1[40], b2[40];
	printf("%6" PRId64 "  %-20s  %-20s  %-8s  %-9s %-9s  %s\n      ", r->id,
	       when(r->started, b1, sizeof b1), when(r->finished, b2, sizeof b2), r->status ? r->status : "",
	       r->mode ? r->mode : "", r->site_read ? r->site_read : "", r->file ? r->file : "");
	print_summary(r->summary_json);
	printf("\n");
}

static const char run_header[] =
	"   run  started               finished              status    mode      read       file\n";

static void print_each_run(void *ctx, const state_run_info *r)
{
	print_run(r);
	(*(int *)ctx)++;
}

/* What show looks for among the runs: one id. */
typedef struct run_search {
	int64_t id;
	bool found;
} run_search;

static void print_if_wanted(void *ctx, const state_run_info *r)
{
	run_search *s = ctx;
	if (r->id != s->id)
		return;
	printf("%s", run_header);
	print_run(r);
	if (r->file_sha256)
		printf("      file SHA-256 %s\n", r->file_sha256);
	if (r->file_datetime)
		printf("      file dated %s\n", r->file_datetime);
	printf("\n");
	s->found = true;
}

int cmd_history(int argc, char **argv)
{
	const char *dir = NULL;
	int limit = 20, c;
	errinfo e;
	optind = 1;
	while ((c = getopt_long(argc, argv, "hn:", history_options, NULL)) != -1) {
		switch (c) {
		case 'S': dir = optarg; break;
		case 'n': limit = atoi(optarg); break;
		case 'c': case 'u': break; /* accepted for symmetry with the other commands */
		case 'h':
			printf("usage: ims2moodle history [--state-dir DIR] [--limit N]\n"
			       "Lists the last runs (newest first): id, start, end, status, mode, site read, file,\n"
			       "and what each did. `ims2moodle show RUN` lists one run's changes.\n");
			return 0;
		default: return EXIT_USAGE;
		}
	}
	state_db *db;
	int rc = open_existing(dir ? dir : run_default_state_dir(), &db, &e);
	if (rc < 0) {
		fprintf(stderr, "ims2moodle: %s\n", e.msg);
		return err_exit_status(rc);
	}
	int n = 0;
	printf("%s", run_header);
	rc = state_each_run(db, limit, print_each_run, &n, &e);
	state_close(db);
	if (rc < 0) {
		fprintf(stderr, "ims2moodle: %s\n", e.msg);
		return err_exit_status(rc);
	}
	if (!n)
		printf("(no runs yet)\n");
	return 0;
}

static void print_entry(void *ctx, const state_journal_info *j)
{
	char b[40];
	printf("%-20s  %-16s %-8s %s  %s%s%s\n", when(j->at, b, sizeof b), j->kind ? j->kind : "",
	       j->result ? j->result : "", j->target ? j->target : "", j->request ? j->request : "",
	       j->detail ? ": " : "", j->detail ? j->detail : "");
	(*(int *)ctx)++;
}

int cmd_show(int argc, char **argv)
{
	const char *dir = NULL;
	int c;
	errinfo e;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", history_options, NULL)) != -1) {
		switch (c) {
		case 'S': dir = optarg; break;
		case 'c': case 'u': case 'n': break;
		case 'h':
			printf("usage: ims2moodle show [--state-dir DIR] RUN\n"
			       "Lists what run RUN changed, from the journal: each action, its target and result.\n");
			return 0;
		default: return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "ims2moodle show: which run? (see ims2moodle history)\n");
		return EXIT_USAGE;
	}
	char *end;
	errno = 0;
	int64_t id = strtoll(argv[optind], &end, 10);
	if (errno || end == argv[optind] || *end || id <= 0) {
		fprintf(stderr, "ims2moodle show: '%s' is not a run number (see ims2moodle history)\n",
			argv[optind]);
		return EXIT_USAGE;
	}
	state_db *db;
	int rc = open_existing(dir ? dir : run_default_state_dir(), &db, &e);
	if (rc < 0) {
		fprintf(stderr, "ims2moodle: %s\n", e.msg);
		return err_exit_status(rc);
	}
	int n = 0;
	run_search want = { id, false };
	rc = state_each_run(db, 0, print_if_wanted, &want, &e);
	if (rc == 0 && want.found)
		rc = state_each_journal(db, id, print_entry, &n, &e);
	state_close(db);
	if (rc < 0) {
		fprintf(stderr, "ims2moodle: %s\n", e.msg);
		return err_exit_status(rc);
	}
	if (!want.found) {
		fprintf(stderr, "ims2moodle: there is no run %" PRId64 " (see ims2moodle history)\n", id);
		return EXIT_NOINPUT;
	}
	if (!n)
		printf("(the run changed nothing)\n");
	return 0;
}
