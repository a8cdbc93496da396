/* cmd_plan.c -- `ims2moodle plan [OPTIONS] FILE`: the dry run. Reads the
 * file in full, reads the site, and reports exactly what `apply` would do,
 * changing nothing. Exit 0: nothing to do; 2: there are changes. */
#include "config.h"
#include "commands.h"
#include "log.h"
#include "report.h"
#include "run.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void plan_usage(FILE *out)
{
	fprintf(out,
		"usage: ims2moodle plan [OPTIONS] FILE\n"
		"Shows what applying FILE would change on the Moodle site, record by record, with\n"
		"the reason for each action and each skip. Nothing is changed. FILE may be -.\n"
		"\n"
		"  --format text|csv|json|html   the report's format (default text)\n"
		"  --output F                    write the report to F instead of standard output\n"
		"  --config F                    the configuration file\n"
		"  --url URL                     the site (overrides moodle.url and MOODLE_URL)\n"
		"  --state-dir DIR               the state store's directory\n"
		"  --mode event|snapshot         overrides plan.mode\n"
		"  --site-read reconcile|diff|auto  overrides plan.site_read\n"
		"  --repair LIST                 ampersand, leading-space (overrides files.repair)\n"
		"  --force                       plan a file older than the last one applied\n"
		"  -v, --verbose / -q, --quiet   more / fewer diagnostics\n"
		"  -h, --help                    this help\n"
		"\n"
		"The token comes from MOODLE_TOKEN or a token file, never from an option.\n"
		"Exit status: 0 nothing to do, 2 changes to make, 3 the plan is refused (a safety\n"
		"threshold, or the whole file: older than the last applied, an empty snapshot), 64 usage,\n"
		"65 the file was refused, 69 the site cannot be used, 74 I/O, 75 try again later,\n"
		"78 configuration.\n");
}

/* Options that plan and apply share. */
const struct option run_long_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "url", required_argument, NULL, 'u' },
	{ "state-dir", required_argument, NULL, 'S' },
	{ "repair", required_argument, NULL, 'r' },
	{ "mode", required_argument, NULL, 'm' },
	{ "site-read", required_argument, NULL, 'R' },
	{ "force", no_argument, NULL, 'F' },
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "report", required_argument, NULL, 'o' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

bool report_to_terminal(FILE *f)
{
	const char *term = getenv("TERM");
	const char *no_color = getenv("NO_COLOR"); /* set and not empty: no colour (no-color.org) */
	return isatty(fileno(f)) && !(no_color && *no_color) && term && strcmp(term, "dumb") != 0;
}

int write_report(const plan *p, enum report_format f, const char *output, bool brief, errinfo *e)
{
	FILE *out = stdout;
	if (output && strcmp(output, "-") != 0) {
		out = fopen(output, "w");
		if (!out)
			return err_set(e, -EXIT_IOERR, "cannot write %s", output);
	}
	report_options o = { f == REPORT_TEXT && report_to_terminal(out), "ims2moodle " PACKAGE_VERSION,
			     brief };
	int rc = report_write(out, p, f, &o, e);
	if (out != stdout && fclose(out) != 0 && rc == 0)
		rc = err_set(e, -EXIT_IOERR, "cannot write %s", output);
	return rc;
}

int cmd_plan(int argc, char **argv)
{
	run_args a = { 0 };
	enum report_format format = REPORT_TEXT;
	const char *output = NULL;
	errinfo e;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "vqh", run_long_options, NULL)) != -1) {
		if (run_common_option(&a, c, optarg))
			continue;
		switch (c) {
		case 'f':
			if (report_parse_format(optarg, &format, &e) < 0) {
				fprintf(stderr, "ims2moodle plan: %s\n", e.msg);
				return EXIT_USAGE;
			}
			break;
		case 'o': output = optarg; break;
		case 'h': plan_usage(stdout); return 0;
		default: plan_usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "ims2moodle plan: exactly one FILE is needed\n");
		plan_usage(stderr);
		return EXIT_USAGE;
	}
	a.file = argv[optind];
	run r;
	int rc = run_prepare(&r, &a, &e);
	if (rc == 0)
		rc = write_report(r.plan, format, output, false, &e);
	int status = 0;
	if (rc < 0) {
		fprintf(stderr, "ims2moodle: %s\n", e.msg);
		status = err_exit_status(rc);
	} else {
		/* apply would refuse this plan: say so, so that a script running plan
		 * first can tell it from "nothing to do" and from "changes" */
		status = r.plan->refused_reason || r.plan->refused ? EXIT_REFUSED
			 : plan_has_changes(r.plan) ? EXIT_CHANGES : 0;
	}
	run_free(&r);
	return status;
}
