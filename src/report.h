/* report.h -- a plan, or the outcome of applying it, written for people and
 * programs: text (summary first, changes by course), CSV (RFC 4180, one row
 * per action, skip or quarantined record), JSON (doc/plan-json.md) and HTML
 * (one self-contained page). Output depends only on the plan: no clock, no
 * addresses, no hash order, so the same plan gives the same bytes. */
#ifndef IMS2MOODLE_REPORT_H
#define IMS2MOODLE_REPORT_H

#include <stdbool.h>
#include <stdio.h>
#include "plan.h"
#include "util.h"

enum report_format { REPORT_TEXT, REPORT_CSV, REPORT_JSON, REPORT_HTML };

typedef struct report_options {
	bool color;                /* text: ANSI colours (only on a terminal) */
	const char *generated_by;  /* e.g. "ims2moodle 0.1.0" */
	bool brief;                /* text of an outcome: what was not done, not every action */
} report_options;

/* Returns 0, or -EXIT_USAGE for an unknown name. */
int report_parse_format(const char *s, enum report_format *out, errinfo *e);

/* Writes p in format f. Returns 0, or -EXIT_IOERR when writing fails. */
int report_write(FILE *out, const plan *p, enum report_format f, const report_options *o,
		 errinfo *e);

/* Pieces shared by the formats (report_common.c). */
const char *report_status(const plan *p);                /* "changes", "no changes", "refused", "skipped" */
/* The actions of an outcome that a safety threshold held back (not run). */
size_t report_held_back(const plan *p);
/* An ISO date (UTC) of a Unix time into buf; "" for 0. */
const char *report_date(int64_t t, char *buf, size_t n);
/* Who an action concerns, for people: the person id or username. */
const char *report_who(const plan_action *a);
/* Which course: the group id, or the Moodle course id. */
const char *report_course(const plan_action *a, char *buf, size_t n);

int report_text(FILE *out, const plan *p, const report_options *o);
int report_csv(FILE *out, const plan *p, const report_options *o);
int report_json(FILE *out, const plan *p, const report_options *o);
int report_html(FILE *out, const plan *p, const report_options *o);

#endif
