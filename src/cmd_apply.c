/* cmd_apply.c -- `ims2moodle apply [OPTIONS] FILE`: plans exactly as `plan`
 * does, refuses a plan over a safety threshold unless --force, then
 * executes it and reports the outcome. Running it again after any
 * interruption is the resume. */
#include "config.h"
#include "apply.h"
#include "commands.h"
#include "isodate.h"
#include "log.h"
#include "report.h"
#include "run.h"
#include "ptrmap.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void apply_usage(FILE *out)
{
	fprintf(out,
		"usage: ims2moodle apply [OPTIONS] FILE\n"
		"Plans FILE against the Moodle site exactly as `plan` does, then makes the changes.\n"
		"A plan over a safety threshold is refused unless --force is given.\n"
		"\n"
		"  --format text|csv|json|html   the outcome report's format (default text)\n"
		"  --report F                    write the outcome report to F (standard output: -)\n"
		"  --force                       apply a plan over a safety threshold, or a file\n"
		"                                older than the last one applied\n"
		"  --config F, --url URL, --state-dir DIR, --mode M, --site-read R, --repair LIST\n"
		"                                as for plan\n"
		"  -v, --verbose / -q, --quiet   more / fewer diagnostics\n"
		"  -h, --help                    this help\n"
		"\n"
		"Exit status: 0 everything applied, 1 some records failed or their outcome is unknown\n"
		"(the rest was applied; run again to retry them), 3 refused: the whole file (nothing\n"
		"changed), or a safety threshold (what it guards held back, the rest applied),\n"
		"64 usage, 65 the file was refused, 69 the site cannot be used, 74 I/O, 75 try again\n"
		"later (another apply holds the state directory, or the file changed while it was\n"
		"read), 78 configuration.\n");
}

static char *summary_json(const plan *p)
{
	strbuf sb = STRBUF_INIT;
	sb_addc(&sb, '{');
	bool first = true;
	for (int k = 0; k < PA_KIND_COUNT; k++) {
		if (!p->counts[k])
			continue;
		sb_addf(&sb, "%s\"%s\":{\"done\":%" PRIu64 ",\"failed\":%" PRIu64 ",\"unknown\":%" PRIu64
			     ",\"not_run\":%" PRIu64 "}", first ? "" : ",", plan_kind_name(k),
			p->results[k][AR_DONE], p->results[k][AR_FAILED], p->results[k][AR_UNKNOWN],
			p->results[k][AR_NOT_RUN]);
		first = false;
	}
	sb_addf(&sb, "%s\"skipped\":%zu,\"quarantined\":%zu}", first ? "" : ",", p->nskips, p->nquarantine);
	return sb_detach(&sb);
}

/* The actions of an outcome that were not done: failed, unknown or not run. */
static uint64_t not_done(const plan *p)
{
	uint64_t n = 0;
	for (int k = 0; k < PA_KIND_COUNT; k++)
		n += p->results[k][AR_FAILED] + p->results[k][AR_UNKNOWN] + p->results[k][AR_NOT_RUN];
	return n;
}

static bool all_done(const plan *p)
{
	return not_done(p) == 0;
}

/* Whether everything not done was held back by a safety threshold (and
 * something was). */
static bool only_held_back(const plan *p)
{
	size_t held = report_held_back(p);
	return held > 0 && held == not_done(p);
}

/* After a reconcile: the enrolments of the courses read that ims2moodle did
 * not make (the store held them not, and this run did not take them on),
 * so that diff mode leaves them alone without reading those courses. */
static int record_foreign_enrolments(run *r, errinfo *e)
{
	ptrmap taken;
	ptrmap_init(&taken);
	for (size_t i = 0; i < r->plan->nactions; i++) {
		const plan_action *a = &r->plan->actions[i];
		bool owns = a->kind == PA_ENROL || a->kind == PA_REACTIVATE ||
			    a->kind == PA_UPDATE_ENROLMENT || a->kind == PA_SUSPEND;
		if (owns && a->result == AR_DONE)
			ptrmap_put(&taken, PTRMAP_PAIR_KEY(a->courseid, a->userid), (void *)1);
	}
	state_foreign *list = NULL;
	size_t cap = 0;
	int rc = state_begin(r->db, e);
	const void *k;
	void *v;
	for (size_t it = 0; rc == 0 && ptrmap_next(&r->site->roster_by_course, &it, &k, &v);) {
		const site_roster *ro = v;
		size_t n = 0;
		for (size_t j = 0; j < ro->n; j++) {
			const site_enrolment *en = ro->items[j];
			if (state_enrolment_of(r->store, ro->courseid, en->userid) ||
			    ptrmap_get(&taken, PTRMAP_PAIR_KEY(ro->courseid, en->userid)))
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				list = xrealloc(list, cap * sizeof *list);
			}
			state_foreign *f = &list[n++];
			memset(f, 0, sizeof *f);
			f->courseid = ro->courseid;
			f->userid = en->userid;
			f->active = en->active;
			for (int q = 0; q < en->nroles && q < STATE_FOREIGN_ROLES_MAX; q++)
				f->roleids[f->nroles++] = en->roleids[q];
		}
		rc = state_replace_foreign_enrolments(r->db, ro->courseid, list, n, e);
	}
	if (rc == 0) {
		rc = state_commit(r->db, e);
	} else {
		errinfo ignored;
		state_rollback(r->db, &ignored);
	}
	free(list);
	ptrmap_free(&taken);
	return rc;
}

static int record_run_end(run *r, int64_t run_id, const char *status, errinfo *e)
{
	char *sum = summary_json(r->plan);
	int rc = state_run_end(r->db, run_id, status, sum, e);
	free(sum);
	char now[32];
	if (rc == 0 && r->read == READ_RECONCILE) {
		snprintf(now, sizeof now, "%lld", (long long)r->now);
		rc = state_set_meta(r->db, "last_reconcile", now, e);
		if (rc == 0)
			rc = record_foreign_enrolments(r, e);
	}
	/* the file's date orders later files (§8 #27): only once it is all in */
	const char *dt = r->plan->file_datetime;
	isodate d;
	if (rc == 0 && all_done(r->plan) && dt && isodate_parse(dt, strlen(dt), &d))
		rc = state_set_meta(r->db, "last_file_datetime", dt, e);
	return rc;
}

int cmd_apply(int argc, char **argv)
{
	run_args a = { 0 };
	enum report_format format = REPORT_TEXT;
	const char *report = NULL;
	bool quiet = false, verbose = false;
	errinfo e;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "vqh", run_long_options, NULL)) != -1) {
		if (c == 'q')
			quiet = true;
		if (c == 'v')
			verbose = true;
		if (run_common_option(&a, c, optarg))
			continue;
		switch (c) {
		case 'f':
			if (report_parse_format(optarg, &format, &e) < 0) {
				fprintf(stderr, "ims2moodle apply: %s\n", e.msg);
				return EXIT_USAGE;
			}
			break;
		case 'o': report = optarg; break;
		case 'h': apply_usage(stdout); return 0;
		default: apply_usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "ims2moodle apply: exactly one FILE is needed\n");
		apply_usage(stderr);
		return EXIT_USAGE;
	}
	a.file = argv[optind];
	a.write = true;

	run r;
	int rc = run_prepare(&r, &a, &e);
	if (rc < 0) {
		fprintf(stderr, "ims2moodle: %s\n", e.msg);
		run_free(&r);
		return err_exit_status(rc);
	}
	plan *p = r.plan;
	if (p->skipped_reason) {
		if (!quiet)
			printf("ims2moodle apply: %s: skipped: %s\n", a.file, p->skipped_reason);
		/* a script reading the report after a successful apply finds one */
		if (report && (rc = write_report(p, format, report, false, &e)) < 0)
			fprintf(stderr, "ims2moodle: %s\n", e.msg);
		run_free(&r);
		return rc < 0 ? err_exit_status(rc) : 0;
	}
	if (p->refused_reason) {
		fprintf(stderr, "ims2moodle apply: the file is refused; nothing was changed.\n");
		write_report(p, REPORT_TEXT, NULL, false, &e);
		if (report)
			write_report(p, format, report, false, &e);
		run_free(&r);
		return EXIT_REFUSED;
	}

	apply_options o;
	apply_options_load(&o, r.conf, &r.cfg);
	o.progress = !quiet && isatty(2);
	o.force = a.force;
	if (p->refused && !a.force && !quiet)
		fprintf(stderr, "ims2moodle apply: a safety threshold is exceeded: the changes it guards "
			"are held back (apply --force makes them); the rest is applied.\n");
	int64_t run_id = 0;
	rc = state_run_begin(r.db, "apply", a.file, r.file_sha256[0] ? r.file_sha256 : NULL,
			     p->file_datetime, plan_mode_name(p->mode), site_read_name(r.read), &run_id, &e);
	int arc = 0;
	errinfo ae = { 0 };
	if (rc == 0)
		arc = apply_plan(p, r.client, r.db, r.store, r.site, run_id, &o, &ae);
	if (rc == 0)
		rc = record_run_end(&r, run_id, arc < 0 ? "stopped" : all_done(p) ? "done" : "partial", &e);

	if (rc == 0) {
		/* on standard output, the outcome in brief (what was not done) unless
		 * -v or --report - asks for all of it; --report F has it all */
		bool to_stdout = report && strcmp(report, "-") == 0;
		if (!quiet || to_stdout)
			write_report(p, to_stdout ? format : REPORT_TEXT, NULL, !verbose && !to_stdout, &e);
		if (report && !to_stdout)
			rc = write_report(p, format, report, false, &e);
	}
	int status;
	if (rc < 0) {
		fprintf(stderr, "ims2moodle: %s\n", e.msg);
		status = err_exit_status(rc);
	} else if (arc < 0) {
		fprintf(stderr, "ims2moodle: %s\n", ae.msg);
		status = err_exit_status(arc);
	} else {
		status = all_done(p) ? 0 : only_held_back(p) ? EXIT_REFUSED : 1;
	}
	run_free(&r);
	return status;
}
