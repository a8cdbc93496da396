/* cmd_history.c -- `ims2moodle history` (the runs the store remembers) and
 * `ims2moodle show RUN` (what one run changed, from its journal). */
#include "config.h"
#include "commands.h"
#include "run.h"
#include "state.h"

#include <getopt.h>
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

static void print_run(void *ctx, const state_run_info *r)
{
	char b1[40], b2[40];
	printf("%6" PRId64 "  %-20s  %-20s  %-8s  %-9s %-9s  %s\n      %s\n", r->id,
	       when(r->started, b1, sizeof b1), when(r->finished, b2, sizeof b2), r->status ? r->status : "",
	       r->mode ? r->mode : "", r->site_read ? r->site_read : "", r->file ? r->file : "",
	       r->summary_json ? r->summary_json : "");
	(*(int *)ctx)++;
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
	printf("   run  started               finished              status    mode      read       file\n");
	rc = state_each_run(db, limit, print_run, &n, &e);
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
	int64_t id = strtoll(argv[optind], NULL, 10);
	state_db *db;
	int rc = open_existing(dir ? dir : run_default_state_dir(), &db, &e);
	if (rc < 0) {
		fprintf(stderr, "ims2moodle: %s\n", e.msg);
		return err_exit_status(rc);
	}
	int n = 0;
	rc = state_each_journal(db, id, print_entry, &n, &e);
	state_close(db);
	if (rc < 0) {
		fprintf(stderr, "ims2moodle: %s\n", e.msg);
		return err_exit_status(rc);
	}
	if (!n) {
		fprintf(stderr, "ims2moodle: run %" PRId64 " changed nothing, or does not exist\n", id);
		return EXIT_NOINPUT;
	}
	return 0;
}
