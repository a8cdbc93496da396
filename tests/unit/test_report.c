/* test_report.c -- unit tests of the four report renderers (text, CSV, JSON,
 * HTML): plans made by hand through the plan structures (and one through
 * plan_build), each written to memory and compared line by line, row by
 * row, key by key. Hostile names (markup, quotes, commas, line breaks,
 * formula prefixes) check the escaping of every format. */
#include "config.h"
#include <check.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ims_parse.h"
#include "plan.h"
#include "report.h"
#include "settings.h"
#include "site.h"
#include "check_main.h"

#define D_2026_01_01 1767225600          /* 2026-01-01T00:00:00Z */
#define D_2026_07_01_EOD 1782950399      /* 2026-07-01T23:59:59Z */
#define CAP 64

/* ---- plans made by hand ----------------------------------------------------------- */

static plan *new_plan(void)
{
	plan *p = xcalloc(1, sizeof *p);
	arena_init(&p->mem);
	p->actions = xcalloc(CAP, sizeof *p->actions);
	p->skips = xcalloc(CAP, sizeof *p->skips);
	p->quarantine = xcalloc(CAP, sizeof *p->quarantine);
	p->safety = xcalloc(CAP, sizeof *p->safety);
	p->file = "spring.xml";
	p->file_datetime = "2026-01-15T10:00:00";
	p->mode = MODE_EVENT;
	p->site_read = READ_RECONCILE;
	p->site_url = "https://moodle.example.edu";
	return p;
}

static plan_action *action(plan *p, enum plan_kind k, uint32_t line, const char *group,
			   const char *person, const char *reason)
{
	if (p->nactions >= CAP)
		abort(); /* the fixtures stay small (and run outside Check for --write-html) */
	plan_action *a = &p->actions[p->nactions++];
	a->kind = (uint8_t)k;
	a->seq = (uint32_t)p->nactions;
	a->line = line;
	a->group_id = group;
	a->person_id = person;
	a->reason = reason;
	p->counts[k]++;
	return a;
}

static plan_object *object(plan *p, plan_action *a)
{
	a->obj = arena_alloc(&p->mem, sizeof *a->obj);
	return a->obj;
}

static void change(plan *p, plan_object *o, const char *field, const char *from, const char *to)
{
	plan_change *c = arena_alloc(&p->mem, sizeof *c), **tail = &o->changes;
	c->field = field;
	c->from = from;
	c->to = to;
	while (*tail)
		tail = &(*tail)->next;
	*tail = c;
}

static void skip(plan *p, uint32_t line, const char *what, const char *group, const char *person,
		 const char *reason)
{
	if (p->nskips >= CAP)
		abort();
	p->skips[p->nskips++] = (plan_skip){ line, what, group, person, reason };
}

static void quarantine(plan *p, uint32_t line, const char *what, const char *id, const char *group,
		       const char *reason, const char *candidates)
{
	if (p->nquarantine >= CAP)
		abort();
	p->quarantine[p->nquarantine++] = (plan_quarantine){ line, what, id, group, reason, candidates };
}

static void safety(plan *p, enum safety_class c, const char *scope, int64_t count, int64_t base,
		   double percent, double max_percent, int64_t max_count, bool exceeded)
{
	/* the default minimum counts: safety.min_count 10, course_min_count 5 */
	int64_t min_count = strcmp(scope, "site") == 0 ? 10 : 5;
	p->safety[p->nsafety++] = (plan_safety){ c, scope, count, base, percent, max_percent, max_count,
						 min_count, exceeded };
}

/* A typical plan: a new course with a new student, an updated user, and a
 * withdrawal over a threshold (held back) next to one within it; a skip, a
 * quarantined person, repairs and warnings. */
static plan *typical_plan(void)
{
	plan *p = new_plan();
	plan_action *a = action(p, PA_CREATE_COURSE, 12, "CHEM101", NULL, "new course");
	plan_object *o = object(p, a);
	o->shortname = "CHEM101";
	o->fullname = "Chemistry I";
	o->idnumber = "CHEM101";
	o->visible = 0;
	o->categoryid = 1;

	a = action(p, PA_CREATE_USER, 20, NULL, "P1", "new person");
	o = object(p, a);
	o->username = "p1";
	o->idnumber = "P1";
	o->email = "p1@example.edu";
	o->firstname = "Ann";
	o->lastname = "Lee";
	o->auth = "manual";

	a = action(p, PA_UPDATE_USER, 22, NULL, "P2", "the file's email differs");
	a->userid = 42;
	change(p, object(p, a), "email", "old@example.edu", "new@example.edu");

	a = action(p, PA_ENROL, 30, "CHEM101", "P1", "new enrolment");
	a->course_ref = "CHEM101";
	a->user_ref = "p1";
	a->role = "student";
	a->roleid = 5;
	a->timestart = D_2026_01_01;
	a->timeend = D_2026_07_01_EOD;

	a = action(p, PA_SUSPEND, 41, "BIO200", "P3", "withdrawn in the file");
	a->courseid = 7;
	a->userid = 43;
	a->role = "student";
	a->roleid = 5;
	a->suspend = true;
	a->held = true;

	a = action(p, PA_UNENROL, 42, "BIO200", "P4", "absent from the snapshot");
	a->courseid = 7;
	a->userid = 44;
	a->role = "student";
	a->roleid = 5;

	skip(p, 40, "membership", "TERM2026", NULL, "the group is a term, not a course");
	quarantine(p, 50, "person", "P9", NULL, "two Moodle users match", "user 11 (jdoe), user 12 (jdoe2)");
	safety(p, SAFE_SUSPEND, "BIO200", 1, 2, 50.0, 10.0, -1, true);
	safety(p, SAFE_UNENROL, "site", 1, 10, 10.0, 20.0, 50, false);
	safety(p, SAFE_USER_DELETE, "site", 0, 10, 0.0, 5.0, -1, false);
	p->refused = true;
	p->unchanged = 3;
	p->drift = 1;

	ims_repair_group *r = arena_alloc(&p->mem, IMS_REPAIR_KINDS * sizeof *r);
	r[0].count = 2;
	r[0].nsamples = 2;
	r[0].samples[0] = (ims_loc){ 0, 3, 14 };
	r[0].samples[1] = (ims_loc){ 0, 5, 2 };
	p->repairs = r;
	ims_warning_group *w = arena_alloc(&p->mem, W_KIND_COUNT * sizeof *w);
	w[W_DUPLICATE_RECORD].count = 2;
	w[W_DUPLICATE_RECORD].nsamples = 1;
	w[W_DUPLICATE_RECORD].samples[0] = (ims_warning_sample){ { 0, 60, 1 }, "person P5 appears twice" };
	p->warnings = w;
	return p;
}

/* What apply made of a plan: one failure, one unknown, one not run. */
static plan *outcome_plan(void)
{
	plan *p = new_plan();
	p->site_read = READ_DIFF;
	p->mode = MODE_SNAPSHOT;
	p->is_outcome = true;
	p->run_id = 17;
	plan_action *a = action(p, PA_CREATE_USER, 20, NULL, "P1", "new person");
	plan_object *o = object(p, a);
	o->username = "p1";
	o->email = "p1@example.edu";
	o->firstname = "Ann";
	o->lastname = "Lee";
	a->result = AR_DONE;
	a = action(p, PA_ENROL, 30, "CHEM101", "P1", "new enrolment");
	a->courseid = 3;
	a->user_ref = "p1";
	a->role = "student";
	a->roleid = 5;
	a->result = AR_FAILED;
	a->error = "invalidparameter: Invalid parameter value detected";
	a = action(p, PA_ENROL, 31, "CHEM101", "P2", "new enrolment");
	a->courseid = 3;
	a->userid = 50;
	a->role = "student";
	a->roleid = 5;
	a->result = AR_DONE;
	a = action(p, PA_ENROL, 32, "BIO200", "P2", "new enrolment");
	a->courseid = 7;
	a->userid = 50;
	a->role = "student";
	a->roleid = 5;
	a->result = AR_UNKNOWN;
	a->error = "transport: the connection was reset";
	a = action(p, PA_SUSPEND_USER, 0, NULL, "P7", "absent from the file");
	a->userid = 60;
	a->result = AR_NOT_RUN;
	for (size_t i = 0; i < p->nactions; i++)
		p->results[p->actions[i].kind][p->actions[i].result]++;
	return p;
}

/* Names that break naive writers: markup, quotes, ampersands, commas, line
 * breaks, formula prefixes, and non-ASCII letters. */
#define SCRIPT "<script>alert(1)</script>"
#define OBRIEN "O'Brien & \"Sons\""
static plan *hostile_plan(void)
{
	plan *p = new_plan();
	p->file = "a&b <x>.xml";
	plan_action *a = action(p, PA_CREATE_COURSE, 1, "C,1", NULL, "line one\r\nline two");
	plan_object *o = object(p, a);
	o->shortname = "=1+2";
	o->fullname = SCRIPT;
	o->visible = 1;
	a = action(p, PA_CREATE_USER, 2, NULL, "+P1", "say \"hi\"");
	o = object(p, a);
	o->username = "-obrien";
	o->email = "ob@example.edu";
	o->firstname = "Zoë";
	o->lastname = OBRIEN;
	a = action(p, PA_ENROL, 3, "C,1", "@P2", "tab\tinside");
	a->courseid = 9;
	a->userid = 10;
	a->role = "\tstudent";
	quarantine(p, 4, "member", "=HYPERLINK(\"x\")", "C,1", "a \"quoted\", comma", NULL);
	return p;
}

/* A plan with nothing in it. */
static plan *empty_plan(void)
{
	plan *p = new_plan();
	p->unchanged = 12;
	return p;
}

/* ---- rendering -------------------------------------------------------------------- */

static const report_options plain = { false, "ims2moodle test", false };

static char *render_n(const plan *p, enum report_format f, const report_options *o, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *out = open_memstream(&buf, &n);
	ck_assert_ptr_nonnull(out);
	errinfo e;
	ck_assert_int_eq(report_write(out, p, f, o, &e), 0);
	ck_assert_int_eq(fclose(out), 0);
	if (len)
		*len = n;
	return buf;
}

static char *render(const plan *p, enum report_format f, const report_options *o)
{
	return render_n(p, f, o, NULL);
}

/* Fails with the first line that differs (the whole output goes to
 * standard error: Check's messages are short). */
#define EXPECT_STR(got, want) expect_str((got), (want), __LINE__)
static void expect_str(const char *got, const char *want, int at)
{
	if (strcmp(got, want) == 0)
		return;
	size_t line = 1;
	const char *whole = got, *g = got, *w = want;
	for (; *g && *g == *w; g++, w++)
		if (*g == '\n') {
			line++;
			got = g + 1;
			want = w + 1;
		}
	fprintf(stderr, "---- got:\n%s\n---- (end)\n", whole);
	ck_abort_msg("(test line %d) output line %zu differs:\n got: %.200s\nwant: %.200s", at, line, got, want);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *s = hay; (s = strstr(s, needle)) != NULL; s += strlen(needle))
		n++;
	return n;
}

/* Removes the ANSI colour sequences (ESC [ ... m) from s, in place. */
static void strip_colours(char *s)
{
	char *w = s;
	for (const char *r = s; *r;) {
		if (r[0] == '\033' && r[1] == '[') {
			r = strchr(r, 'm');
			ck_assert_ptr_nonnull(r);
			r++;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
}

/* ---- text ------------------------------------------------------------------------- */

START_TEST(test_text_summary_first_then_changes_by_course)
{
	plan *p = typical_plan();
	char *t = render(p, REPORT_TEXT, &plain);
	EXPECT_STR(t,
		"ims2moodle plan: spring.xml (dated 2026-01-15T10:00:00)\n"
		"site: https://moodle.example.edu, read by reconcile; mode: event\n"
		"REFUSED: a safety threshold is exceeded (below): apply holds back what it guards "
		"(marked held back) unless --force is given, and makes the other changes\n"
		"\n"
		"Summary\n"
		"  create course                   1\n"
		"  create user                     1\n"
		"  update user                     1\n"
		"  enrol                           1\n"
		"  suspend enrolment               1\n"
		"  unenrol                         1\n"
		"  unchanged                       3\n"
		"  drift                           1   (enrolments changed in Moodle since ims2moodle made "
		"them; planned back to the file)\n"
		"  skipped                         1\n"
		"  quarantined                     1\n"
		"\n"
		"Safety thresholds\n"
		"  suspend       BIO200       1 of 2 (50.0%); limit 10.0% (from 5 on)  EXCEEDED\n"
		"  unenrol       site         1 of 10 (10.0%); limit 20.0% (from 10 on) and 50\n"
		"\n"
		"The file was not clean: 2 bare '&' read as '&amp;', at 3:14, 5:2\n"
		"\n"
		"Warnings about the file (2)\n"
		"  duplicate-record (2):\n"
		"    line 60: person P5 appears twice\n"
		"    ... and 1 more\n"
		"\n"
		"Changes by course\n"
		"  BIO200\n"
		"    #5     suspend enrolment      P3 as student (line 41) [held back: a safety threshold is exceeded]\n"
		"             withdrawn in the file\n"
		"    #6     unenrol                P4 as student (line 42)\n"
		"             absent from the snapshot\n"
		"  CHEM101\n"
		"    #1     create course          CHEM101 \"Chemistry I\" (hidden) (line 12)\n"
		"             new course\n"
		"    #4     enrol                  P1 as student 2026-01-01..2026-07-01T23:59:59Z (line 30)\n"
		"             new enrolment\n"
		"\n"
		"Site-wide changes\n"
		"    #2     create user            P1: p1, Ann Lee <p1@example.edu> (line 20)\n"
		"             new person\n"
		"    #3     update user            P2 email: \"old@example.edu\" -> \"new@example.edu\"; (line 22)\n"
		"             the file's email differs\n"
		"\n"
		"Skipped (what the file asks that will not happen)\n"
		"  line 40: membership TERM2026: the group is a term, not a course\n"
		"\n"
		"Quarantined (reported, never applied)\n"
		"  line 50: person P9: two Moodle users match\n"
		"      candidates: user 11 (jdoe), user 12 (jdoe2)\n"
		"\n"
		"Note: Moodle sends its course welcome message to every user enrolled or re-enrolled "
		"through the web service, unless the manual enrolment plugin's \"Send course welcome "
		"message\" default was off when the course was created.\n");
	free(t);
	plan_free(p);
}
END_TEST

START_TEST(test_text_nothing_to_do)
{
	plan *p = empty_plan();
	char *t = render(p, REPORT_TEXT, &plain);
	EXPECT_STR(t,
		"ims2moodle plan: spring.xml (dated 2026-01-15T10:00:00)\n"
		"site: https://moodle.example.edu, read by reconcile; mode: event\n"
		"nothing to do: the site is as the file says\n"
		"\n"
		"Summary\n"
		"  unchanged                      12\n"
		"  skipped                         0\n"
		"  quarantined                     0\n");
	free(t);
	plan_free(p);
}
END_TEST

START_TEST(test_text_colour_only_when_asked)
{
	plan *p = typical_plan();
	char *t = render(p, REPORT_TEXT, &plain);
	ck_assert_ptr_null(strchr(t, '\033'));
	free(t);
	report_options colour = plain;
	colour.color = true;
	t = render(p, REPORT_TEXT, &colour);
	/* bold title, red refusal, yellow for withdrawals, green for the rest */
	ck_assert_msg(strncmp(t, "\033[1mims2moodle plan\033[0m: spring.xml", 35) == 0, "%s", t);
	ck_assert_ptr_nonnull(strstr(t, "\033[1m\033[31mREFUSED\033[0m: "));
	ck_assert_ptr_nonnull(strstr(t, "\n  \033[33msuspend enrolment       \033[0m        1\n"));
	ck_assert_ptr_nonnull(strstr(t, "\n  \033[32menrol                   \033[0m        1\n"));
	ck_assert_ptr_nonnull(strstr(t, "\n  \033[31msuspend      \033[0m BIO200       1 of 2"));
	ck_assert_ptr_nonnull(strstr(t, "#6     \033[31munenrol               \033[0m P4"));
	/* without the colours, the same text */
	char *plain_text = render(p, REPORT_TEXT, &plain);
	strip_colours(t);
	EXPECT_STR(t, plain_text);
	free(plain_text);
	free(t);
	plan_free(p);
}
END_TEST

START_TEST(test_text_outcome_brief_lists_only_what_was_not_done)
{
	plan *p = outcome_plan();
	report_options brief = plain;
	brief.brief = true;
	char *t = render(p, REPORT_TEXT, &brief);
	EXPECT_STR(t,
		"ims2moodle apply: spring.xml (dated 2026-01-15T10:00:00)\n"
		"site: https://moodle.example.edu, read by diff; mode: snapshot\n"
		"run 17\n"
		"\n"
		"Summary\n"
		"  create user                     1   done 1, failed 0, unknown 0, not run 0\n"
		"  enrol                           3   done 1, failed 1, unknown 1, not run 0\n"
		"  suspend user                    1   done 0, failed 0, unknown 0, not run 1\n"
		"  unchanged                       0\n"
		"  skipped                         0\n"
		"  quarantined                     0\n"
		"\n"
		"Not done (failed, unknown outcome, or not run), by course\n"
		"  BIO200\n"
		"    #4     enrol                  P2 as student (line 32) [unknown: transport: the connection was reset]\n"
		"             new enrolment\n"
		"  CHEM101\n"
		"    #2     enrol                  P1 as student (line 30) [failed: invalidparameter: Invalid parameter value detected]\n"
		"             new enrolment\n"
		"\n"
		"Site-wide, not done\n"
		"    #5     suspend user           P7 [not run]\n"
		"             absent from the file\n"
		"\n"
		"Note: Moodle sends its course welcome message to every user enrolled or re-enrolled "
		"through the web service, unless the manual enrolment plugin's \"Send course welcome "
		"message\" default was off when the course was created.\n"
		"\n"
		"Every change, one by one: ims2moodle show 17, or apply with -v, or --report FILE "
		"(--format text, csv, json or html).\n");
	free(t);

	/* without brief, the done ones are listed too, and no pointer to show */
	t = render(p, REPORT_TEXT, &plain);
	ck_assert_ptr_nonnull(strstr(t, "\nChanges by course\n  BIO200\n    #4 "));
	ck_assert_ptr_nonnull(strstr(t, "\n    #3     enrol                  P2 as student (line 31)\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nSite-wide changes\n    #1     create user            P1: p1, Ann Lee <p1@example.edu> (line 20)\n"));
	ck_assert_ptr_null(strstr(t, "ims2moodle show"));
	free(t);

	/* an outcome over a threshold: the run, and what was held back */
	p->refused = true;
	p->actions[4].held = true;
	t = render(p, REPORT_TEXT, &brief);
	ck_assert_ptr_nonnull(strstr(t, "; mode: snapshot\nrun 17\nHELD BACK: 1 change a safety threshold "
					"guards (below); apply --force makes it\n\nSummary\n"));
	free(t);
	p->actions[4].result = AR_DONE; /* --force */
	t = render(p, REPORT_TEXT, &brief);
	ck_assert_ptr_nonnull(strstr(t, "; mode: snapshot\nrun 17\na safety threshold is exceeded (below); "
					"--force was given, so what it guards was applied too\n\nSummary\n"));
	free(t);
	p->actions[4].result = AR_NOT_RUN;
	p->actions[4].held = false;
	p->refused = false;

	/* everything done: brief says so */
	for (size_t i = 0; i < p->nactions; i++)
		p->actions[i].result = AR_DONE;
	t = render(p, REPORT_TEXT, &brief);
	ck_assert_ptr_nonnull(strstr(t, "\nEvery planned change was made.\n"));
	ck_assert_ptr_null(strstr(t, "#1 "));
	free(t);
	plan_free(p);
}
END_TEST

START_TEST(test_text_brief_cuts_long_lists)
{
	plan *p = outcome_plan();
	static char ids[25][8];
	for (int i = 0; i < 25; i++) {
		snprintf(ids[i], sizeof ids[i], "T%02d", i);
		skip(p, (uint32_t)(100 + i), "membership", ids[i], NULL, "a term");
		quarantine(p, (uint32_t)(200 + i), "group", ids[i], NULL, "no title", NULL);
	}
	report_options brief = plain;
	brief.brief = true;
	char *t = render(p, REPORT_TEXT, &brief);
	ck_assert_ptr_nonnull(strstr(t, "  line 119: membership T19: a term\n  ... and 5 more\n"));
	ck_assert_ptr_null(strstr(t, "T20: a term"));
	ck_assert_ptr_nonnull(strstr(t, "  line 219: group T19: no title\n  ... and 5 more\n"));
	free(t);
	t = render(p, REPORT_TEXT, &plain);
	ck_assert_ptr_nonnull(strstr(t, "  line 124: membership T24: a term\n"));
	ck_assert_ptr_null(strstr(t, "more\n"));
	free(t);
	plan_free(p);
}
END_TEST

/* ---- CSV -------------------------------------------------------------------------- */

#define CSV_HEADER "seq,type,action,line,course,courseid,person,userid,username,role,timestart,timeend," \
		   "detail,reason,result,error\r\n"
#define BOM "\xEF\xBB\xBF"

/* An RFC 4180 reader: rows of fields; fails the test on anything malformed
 * (a bare LF as row end, a quote inside an unquoted field, text after a
 * closing quote). */
typedef struct csv_rows {
	size_t n;
	size_t nfields[CAP];
	char *field[CAP][20];
} csv_rows;

static void csv_parse(const char *s, csv_rows *r)
{
	memset(r, 0, sizeof *r);
	ck_assert_msg(strncmp(s, BOM, 3) == 0, "no byte order mark");
	s += 3;
	while (*s) {
		ck_assert_uint_lt(r->n, CAP);
		size_t row = r->n++;
		for (;;) {
			char *f = xcalloc(strlen(s) + 1, 1);
			size_t k = 0;
			if (*s == '"') {
				for (s++;; s++) {
					ck_assert_msg(*s, "unterminated quoted field");
					if (*s == '"' && s[1] == '"')
						f[k++] = *s++;
					else if (*s == '"')
						break;
					else
						f[k++] = *s;
				}
				s++;
			} else {
				for (; *s && *s != ',' && *s != '\r' && *s != '\n'; s++) {
					ck_assert_msg(*s != '"', "quote in an unquoted field");
					f[k++] = *s;
				}
			}
			ck_assert_uint_lt(r->nfields[row], 20);
			r->field[row][r->nfields[row]++] = f;
			if (*s == ',') {
				s++;
				continue;
			}
			ck_assert_msg(s[0] == '\r' && s[1] == '\n', "row %zu does not end in CRLF: '%.20s'", row, s);
			s += 2;
			break;
		}
	}
}

static void csv_free(csv_rows *r)
{
	for (size_t i = 0; i < r->n; i++)
		for (size_t j = 0; j < r->nfields[i]; j++)
			free(r->field[i][j]);
}

START_TEST(test_csv_rows_under_a_fixed_header)
{
	plan *p = typical_plan();
	char *t = render(p, REPORT_CSV, &plain);
	EXPECT_STR(t, BOM CSV_HEADER
		"1,action,create_course,12,CHEM101,,,,,,,,CHEM101: Chemistry I (hidden),new course,,\r\n"
		"2,action,create_user,20,,,P1,,p1,,,,Ann Lee <p1@example.edu>,new person,,\r\n"
		"3,action,update_user,22,,,P2,42,,,,,email: old@example.edu -> new@example.edu,the file's email differs,,\r\n"
		"4,action,enrol,30,CHEM101,,P1,,p1,student,2026-01-01,2026-07-01T23:59:59Z,,new enrolment,,\r\n"
		"5,action,suspend,41,BIO200,7,P3,43,,student,,,,withdrawn in the file,held back,\r\n"
		"6,action,unenrol,42,BIO200,7,P4,44,,student,,,,absent from the snapshot,,\r\n"
		",skip,membership,40,TERM2026,,,,,,,,,\"the group is a term, not a course\",,\r\n"
		",quarantine,person,50,,,P9,,,,,,\"user 11 (jdoe), user 12 (jdoe2)\",two Moodle users match,,\r\n");
	csv_rows r;
	csv_parse(t, &r);
	ck_assert_uint_eq(r.n, 1 + 6 + 1 + 1);
	for (size_t i = 0; i < r.n; i++)
		ck_assert_msg(r.nfields[i] == 16, "row %zu has %zu fields", i, r.nfields[i]);
	csv_free(&r);
	free(t);

	/* an outcome fills result and error */
	p = (plan_free(p), outcome_plan());
	t = render(p, REPORT_CSV, &plain);
	csv_parse(t, &r);
	ck_assert_uint_eq(r.n, 6);
	ck_assert_str_eq(r.field[1][14], "done");
	ck_assert_str_eq(r.field[2][14], "failed");
	ck_assert_str_eq(r.field[2][15], "invalidparameter: Invalid parameter value detected");
	ck_assert_str_eq(r.field[4][14], "unknown");
	ck_assert_str_eq(r.field[5][14], "not run");
	ck_assert_str_eq(r.field[2][5], "3");
	ck_assert_str_eq(r.field[2][8], "p1");
	csv_free(&r);
	free(t);
	plan_free(p);
}
END_TEST

START_TEST(test_csv_quotes_and_defuses_formulas)
{
	plan *p = hostile_plan();
	char *t = render(p, REPORT_CSV, &plain);
	EXPECT_STR(t, BOM CSV_HEADER
		"1,action,create_course,1,\"C,1\",,,,,,,,\"'=1+2: " SCRIPT "\",\"line one\r\nline two\",,\r\n"
		"2,action,create_user,2,,,\"'+P1\",,\"'-obrien\",,,,\"Zoë O'Brien & \"\"Sons\"\" <ob@example.edu>\","
		"\"say \"\"hi\"\"\",,\r\n"
		"3,action,enrol,3,\"C,1\",9,\"'@P2\",10,,\"'\tstudent\",,,,tab\tinside,,\r\n"
		",quarantine,member,4,\"C,1\",,\"'=HYPERLINK(\"\"x\"\")\",,,,,,,\"a \"\"quoted\"\", comma\",,\r\n");
	/* read back: every value as it was, formulas behind an apostrophe */
	csv_rows r;
	csv_parse(t, &r);
	ck_assert_uint_eq(r.n, 5);
	for (size_t i = 0; i < r.n; i++)
		ck_assert_msg(r.nfields[i] == 16, "row %zu has %zu fields", i, r.nfields[i]);
	ck_assert_str_eq(r.field[1][4], "C,1");
	ck_assert_str_eq(r.field[1][12], "'=1+2: " SCRIPT);
	ck_assert_str_eq(r.field[1][13], "line one\r\nline two");
	ck_assert_str_eq(r.field[2][6], "'+P1");
	ck_assert_str_eq(r.field[2][8], "'-obrien");
	ck_assert_str_eq(r.field[2][12], "Zoë " OBRIEN " <ob@example.edu>");
	ck_assert_str_eq(r.field[2][13], "say \"hi\"");
	ck_assert_str_eq(r.field[3][6], "'@P2");
	ck_assert_str_eq(r.field[3][9], "'\tstudent");
	ck_assert_str_eq(r.field[4][6], "'=HYPERLINK(\"x\")");
	ck_assert_str_eq(r.field[4][13], "a \"quoted\", comma");
	csv_free(&r);
	free(t);

	/* a carriage return or line feed first is a formula prefix too (OWASP) */
	p->actions[0].reason = "\r=1+2";
	p->actions[1].reason = "\n=1+2";
	t = render(p, REPORT_CSV, &plain);
	csv_parse(t, &r);
	ck_assert_str_eq(r.field[1][13], "'\r=1+2");
	ck_assert_str_eq(r.field[2][13], "'\n=1+2");
	csv_free(&r);
	free(t);
	plan_free(p);
}
END_TEST

/* A long name in a script of three bytes a letter (Moodle's fullname holds
 * 254 characters) stays whole: no cut, so no broken UTF-8. */
START_TEST(test_csv_long_names_whole)
{
	plan *p = new_plan();
	strbuf full = STRBUF_INIT, change_to = STRBUF_INIT;
	for (int i = 0; i < 254; i++)
		sb_adds(&full, "\xE6\xBC\xA2"); /* U+6F22 */
	plan_action *a = action(p, PA_CREATE_COURSE, 1, "C1", NULL, "new course");
	plan_object *o = object(p, a);
	o->shortname = "C1";
	o->fullname = sb_str(&full);
	o->visible = 1;
	a = action(p, PA_UPDATE_COURSE, 2, "C2", NULL, "the file's names differ");
	a->courseid = 5;
	sb_addf(&change_to, "%s!", sb_str(&full));
	change(p, object(p, a), "fullname", sb_str(&full), sb_str(&change_to));
	change(p, a->obj, "shortname", "C2", "C2b");
	char *t = render(p, REPORT_CSV, &plain);
	csv_rows r;
	csv_parse(t, &r);
	ck_assert_uint_eq(r.n, 3);
	strbuf want = STRBUF_INIT;
	sb_addf(&want, "C1: %s", sb_str(&full));
	ck_assert_str_eq(r.field[1][12], sb_str(&want));
	sb_reset(&want);
	sb_addf(&want, "fullname: %s -> %s!; shortname: C2 -> C2b", sb_str(&full), sb_str(&full));
	ck_assert_str_eq(r.field[2][12], sb_str(&want));
	csv_free(&r);
	free(t);
	sb_free(&want);
	plan_free(p);
	sb_free(&full);
	sb_free(&change_to);
}
END_TEST

/* ---- JSON ------------------------------------------------------------------------- */

static json_object *parse_json(const char *t)
{
	json_tokener *tok = json_tokener_new();
	json_object *o = json_tokener_parse_ex(tok, t, (int)strlen(t));
	ck_assert_msg(o && json_tokener_get_error(tok) == json_tokener_success, "not JSON: %s", t);
	ck_assert_uint_eq((size_t)json_tokener_get_parse_end(tok), strlen(t));
	ck_assert_msg(strlen(t) > 2 && strcmp(t + strlen(t) - 2, "}\n") == 0, "no '}\\n' at the end");
	json_tokener_free(tok);
	return o;
}

static json_object *get(json_object *o, const char *key, json_type type)
{
	json_object *v = NULL;
	ck_assert_msg(json_object_object_get_ex(o, key, &v), "no key '%s' in %s", key,
		      json_object_to_json_string(o));
	ck_assert_msg(json_object_is_type(v, type), "'%s' is a %s", key, json_type_to_name(json_object_get_type(v)));
	return v;
}

static void absent(json_object *o, const char *key)
{
	ck_assert_msg(!json_object_object_get_ex(o, key, NULL), "unexpected key '%s'", key);
}

#define GET_STR(o, k) json_object_get_string(get((o), (k), json_type_string))
#define GET_INT(o, k) json_object_get_int64(get((o), (k), json_type_int))
#define GET_BOOL(o, k) json_object_get_boolean(get((o), (k), json_type_boolean))

/* The keys of o, in order, space-separated. */
static char *keys_of(json_object *o)
{
	strbuf sb = STRBUF_INIT;
	json_object_object_foreach(o, k, v) {
		(void)v;
		sb_addf(&sb, "%s%s", sb.len ? " " : "", k);
	}
	return sb_detach(&sb);
}

#define EXPECT_KEYS(o, want) do { \
	char *k_ = keys_of(o); \
	EXPECT_STR(k_, want); \
	free(k_); \
} while (0)

/* No value anywhere is null: an absent value is left out. */
static void no_nulls(json_object *o)
{
	ck_assert_msg(o != NULL, "a null value");
	if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, k, v) {
			ck_assert_msg(v != NULL, "key '%s' is null", k);
			no_nulls(v);
		}
	} else if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++)
			no_nulls(json_object_array_get_idx(o, i));
	}
}

START_TEST(test_json_plan_has_every_documented_key)
{
	plan *p = typical_plan();
	char *t = render(p, REPORT_JSON, &plain);
	json_object *root = parse_json(t);
	no_nulls(root);
	EXPECT_KEYS(root, "ims2moodle format kind file file_datetime mode site_read site status summary "
			  "safety repairs warnings actions skipped quarantined");
	ck_assert_str_eq(GET_STR(root, "ims2moodle"), PACKAGE_VERSION);
	ck_assert_int_eq(GET_INT(root, "format"), 1);
	ck_assert_str_eq(GET_STR(root, "kind"), "plan");
	ck_assert_str_eq(GET_STR(root, "file"), "spring.xml");
	ck_assert_str_eq(GET_STR(root, "file_datetime"), "2026-01-15T10:00:00");
	ck_assert_str_eq(GET_STR(root, "mode"), "event");
	ck_assert_str_eq(GET_STR(root, "site_read"), "reconcile");
	ck_assert_str_eq(GET_STR(root, "site"), "https://moodle.example.edu");
	ck_assert_str_eq(GET_STR(root, "status"), "refused");

	json_object *sum = get(root, "summary", json_type_object);
	EXPECT_KEYS(sum, "create_category create_course update_course create_user update_user "
			 "reactivate_user enrol reactivate update_enrolment add_role remove_role "
			 "create_group add_to_group suspend unenrol hide_course suspend_user delete_user "
			 "unchanged drift skipped quarantined refused");
	ck_assert_int_eq(GET_INT(sum, "create_course"), 1);
	ck_assert_int_eq(GET_INT(sum, "create_user"), 1);
	ck_assert_int_eq(GET_INT(sum, "update_user"), 1);
	ck_assert_int_eq(GET_INT(sum, "enrol"), 1);
	ck_assert_int_eq(GET_INT(sum, "suspend"), 1);
	ck_assert_int_eq(GET_INT(sum, "unenrol"), 1);
	ck_assert_int_eq(GET_INT(sum, "delete_user"), 0);
	ck_assert_int_eq(GET_INT(sum, "unchanged"), 3);
	ck_assert_int_eq(GET_INT(sum, "drift"), 1);
	ck_assert_int_eq(GET_INT(sum, "skipped"), 1);
	ck_assert_int_eq(GET_INT(sum, "quarantined"), 1);
	ck_assert(GET_BOOL(sum, "refused"));

	/* safety: every check, also the one with nothing to count */
	json_object *saf = get(root, "safety", json_type_array);
	ck_assert_uint_eq(json_object_array_length(saf), 3);
	json_object *s0 = json_object_array_get_idx(saf, 0);
	EXPECT_KEYS(s0, "class scope count base percent max_percent min_count exceeded");
	ck_assert_int_eq(GET_INT(s0, "min_count"), 5);
	ck_assert_str_eq(GET_STR(s0, "class"), "suspend");
	ck_assert_str_eq(GET_STR(s0, "scope"), "BIO200");
	ck_assert_int_eq(GET_INT(s0, "count"), 1);
	ck_assert_int_eq(GET_INT(s0, "base"), 2);
	ck_assert(json_object_get_double(get(s0, "percent", json_type_double)) == 50.0);
	ck_assert(json_object_get_double(get(s0, "max_percent", json_type_double)) == 10.0);
	ck_assert(GET_BOOL(s0, "exceeded"));
	json_object *s1 = json_object_array_get_idx(saf, 1);
	EXPECT_KEYS(s1, "class scope count base percent max_percent max_count min_count exceeded");
	ck_assert_int_eq(GET_INT(s1, "min_count"), 10);
	ck_assert_int_eq(GET_INT(s1, "max_count"), 50);
	ck_assert(!GET_BOOL(s1, "exceeded"));
	ck_assert_str_eq(GET_STR(json_object_array_get_idx(saf, 2), "class"), "user_delete");
	ck_assert_ptr_nonnull(strstr(t, "\"percent\": 50.0,"));

	/* repairs and warnings: objects keyed by kind */
	json_object *rep = get(root, "repairs", json_type_object);
	EXPECT_KEYS(rep, "ampersand leading-space");
	json_object *amp = get(rep, "ampersand", json_type_object);
	ck_assert_int_eq(GET_INT(amp, "count"), 2);
	json_object *first = get(amp, "first", json_type_array);
	ck_assert_uint_eq(json_object_array_length(first), 2);
	EXPECT_KEYS(json_object_array_get_idx(first, 0), "line col");
	ck_assert_int_eq(GET_INT(json_object_array_get_idx(first, 0), "line"), 3);
	ck_assert_int_eq(GET_INT(json_object_array_get_idx(first, 0), "col"), 14);
	ck_assert_int_eq(GET_INT(json_object_array_get_idx(first, 1), "line"), 5);
	ck_assert_int_eq(GET_INT(get(rep, "leading-space", json_type_object), "count"), 0);
	json_object *warn = get(root, "warnings", json_type_object);
	EXPECT_KEYS(warn, "duplicate-record");
	json_object *dup = get(warn, "duplicate-record", json_type_object);
	ck_assert_int_eq(GET_INT(dup, "count"), 2);
	first = get(dup, "first", json_type_array);
	ck_assert_uint_eq(json_object_array_length(first), 1);
	EXPECT_KEYS(json_object_array_get_idx(first, 0), "line detail");
	ck_assert_int_eq(GET_INT(json_object_array_get_idx(first, 0), "line"), 60);
	ck_assert_str_eq(GET_STR(json_object_array_get_idx(first, 0), "detail"), "person P5 appears twice");

	/* actions */
	json_object *acts = get(root, "actions", json_type_array);
	ck_assert_uint_eq(json_object_array_length(acts), 6);
	json_object *a = json_object_array_get_idx(acts, 0);
	EXPECT_KEYS(a, "seq action line group object reason");
	ck_assert_int_eq(GET_INT(a, "seq"), 1);
	ck_assert_str_eq(GET_STR(a, "action"), "create_course");
	ck_assert_int_eq(GET_INT(a, "line"), 12);
	ck_assert_str_eq(GET_STR(a, "group"), "CHEM101");
	json_object *ob = get(a, "object", json_type_object);
	EXPECT_KEYS(ob, "shortname fullname idnumber visible categoryid");
	ck_assert_str_eq(GET_STR(ob, "fullname"), "Chemistry I");
	ck_assert_int_eq(GET_INT(ob, "visible"), 0);
	ck_assert_int_eq(GET_INT(ob, "categoryid"), 1);
	ck_assert_str_eq(GET_STR(a, "reason"), "new course");

	a = json_object_array_get_idx(acts, 1);
	EXPECT_KEYS(a, "seq action line person object reason");
	ob = get(a, "object", json_type_object);
	EXPECT_KEYS(ob, "idnumber username email firstname lastname auth");
	ck_assert_str_eq(GET_STR(ob, "username"), "p1");
	ck_assert_str_eq(GET_STR(ob, "auth"), "manual");

	a = json_object_array_get_idx(acts, 2);
	EXPECT_KEYS(a, "seq action line person userid object reason");
	ck_assert_int_eq(GET_INT(a, "userid"), 42);
	json_object *ch = get(get(a, "object", json_type_object), "changes", json_type_array);
	ck_assert_uint_eq(json_object_array_length(ch), 1);
	EXPECT_KEYS(json_object_array_get_idx(ch, 0), "field from to");
	ck_assert_str_eq(GET_STR(json_object_array_get_idx(ch, 0), "field"), "email");
	ck_assert_str_eq(GET_STR(json_object_array_get_idx(ch, 0), "from"), "old@example.edu");
	ck_assert_str_eq(GET_STR(json_object_array_get_idx(ch, 0), "to"), "new@example.edu");

	a = json_object_array_get_idx(acts, 3);
	EXPECT_KEYS(a, "seq action line group person course_ref user_ref role roleid timestart timestart_iso "
		       "timeend timeend_iso suspend reason");
	ck_assert_str_eq(GET_STR(a, "course_ref"), "CHEM101");
	ck_assert_str_eq(GET_STR(a, "user_ref"), "p1");
	ck_assert_str_eq(GET_STR(a, "role"), "student");
	ck_assert_int_eq(GET_INT(a, "roleid"), 5);
	ck_assert_int_eq(GET_INT(a, "timestart"), D_2026_01_01);
	ck_assert_str_eq(GET_STR(a, "timestart_iso"), "2026-01-01");
	ck_assert_int_eq(GET_INT(a, "timeend"), D_2026_07_01_EOD);
	ck_assert_str_eq(GET_STR(a, "timeend_iso"), "2026-07-01T23:59:59Z");
	ck_assert(!GET_BOOL(a, "suspend"));

	/* held_back only on the held action */
	a = json_object_array_get_idx(acts, 4);
	EXPECT_KEYS(a, "seq action line group person courseid userid role roleid suspend reason held_back");
	ck_assert_int_eq(GET_INT(a, "courseid"), 7);
	ck_assert(GET_BOOL(a, "suspend"));
	ck_assert(GET_BOOL(a, "held_back"));
	for (size_t i = 0; i < json_object_array_length(acts); i++) {
		json_object *x = json_object_array_get_idx(acts, i);
		if (i != 4)
			absent(x, "held_back");
		absent(x, "result");
		absent(x, "error");
		ck_assert_int_eq(GET_INT(x, "seq"), (int64_t)i + 1);
	}
	a = json_object_array_get_idx(acts, 5);
	EXPECT_KEYS(a, "seq action line group person courseid userid role roleid reason");

	json_object *sk = get(root, "skipped", json_type_array);
	ck_assert_uint_eq(json_object_array_length(sk), 1);
	EXPECT_KEYS(json_object_array_get_idx(sk, 0), "line what group reason");
	ck_assert_str_eq(GET_STR(json_object_array_get_idx(sk, 0), "what"), "membership");
	ck_assert_str_eq(GET_STR(json_object_array_get_idx(sk, 0), "group"), "TERM2026");
	json_object *q = get(root, "quarantined", json_type_array);
	ck_assert_uint_eq(json_object_array_length(q), 1);
	json_object *q0 = json_object_array_get_idx(q, 0);
	EXPECT_KEYS(q0, "line what id reason candidates");
	ck_assert_int_eq(GET_INT(q0, "line"), 50);
	ck_assert_str_eq(GET_STR(q0, "id"), "P9");
	ck_assert_str_eq(GET_STR(q0, "candidates"), "user 11 (jdoe), user 12 (jdoe2)");

	json_object_put(root);
	free(t);
	plan_free(p);
}
END_TEST

START_TEST(test_json_outcome_and_empty_lists)
{
	plan *p = outcome_plan();
	char *t = render(p, REPORT_JSON, &plain);
	json_object *root = parse_json(t);
	no_nulls(root);
	EXPECT_KEYS(root, "ims2moodle format kind file file_datetime mode site_read site status run summary "
			  "results safety repairs warnings actions skipped quarantined");
	ck_assert_str_eq(GET_STR(root, "kind"), "outcome");
	ck_assert_str_eq(GET_STR(root, "site_read"), "diff");
	ck_assert_str_eq(GET_STR(root, "mode"), "snapshot");
	ck_assert_int_eq(GET_INT(root, "run"), 17);
	json_object *res = get(root, "results", json_type_object);
	EXPECT_KEYS(res, "create_user enrol suspend_user");
	json_object *en = get(res, "enrol", json_type_object);
	EXPECT_KEYS(en, "done failed unknown not run");
	ck_assert_int_eq(GET_INT(en, "done"), 1);
	ck_assert_int_eq(GET_INT(en, "failed"), 1);
	ck_assert_int_eq(GET_INT(en, "unknown"), 1);
	ck_assert_int_eq(GET_INT(en, "not run"), 0);
	ck_assert_int_eq(GET_INT(get(res, "suspend_user", json_type_object), "not run"), 1);
	ck_assert_uint_eq(json_object_array_length(get(root, "safety", json_type_array)), 0);
	EXPECT_KEYS(get(root, "repairs", json_type_object), "");
	EXPECT_KEYS(get(root, "warnings", json_type_object), "");
	json_object *acts = get(root, "actions", json_type_array);
	static const char *const results[] = { "done", "failed", "done", "unknown", "not run" };
	for (size_t i = 0; i < 5; i++) {
		json_object *a = json_object_array_get_idx(acts, i);
		ck_assert_str_eq(GET_STR(a, "result"), results[i]);
		if (i == 1 || i == 3)
			get(a, "error", json_type_string);
		else
			absent(a, "error");
	}
	ck_assert_str_eq(GET_STR(json_object_array_get_idx(acts, 1), "error"),
			 "invalidparameter: Invalid parameter value detected");
	absent(json_object_array_get_idx(acts, 4), "line");
	ck_assert_uint_eq(json_object_array_length(get(root, "skipped", json_type_array)), 0);
	ck_assert_uint_eq(json_object_array_length(get(root, "quarantined", json_type_array)), 0);
	json_object_put(root);
	free(t);
	plan_free(p);

	/* nothing at all: the streamed lists are still JSON */
	p = empty_plan();
	p->file_datetime = NULL;
	t = render(p, REPORT_JSON, &plain);
	root = parse_json(t);
	ck_assert_str_eq(GET_STR(root, "status"), "no changes");
	absent(root, "file_datetime");
	absent(root, "run");
	absent(root, "results");
	ck_assert_uint_eq(json_object_array_length(get(root, "actions", json_type_array)), 0);
	ck_assert_ptr_nonnull(strstr(t, "\n  \"actions\": [],\n  \"skipped\": [],\n  \"quarantined\": []\n}\n"));
	json_object_put(root);
	free(t);
	plan_free(p);

	/* refused or skipped as a whole: the reason is there */
	p = empty_plan();
	p->skipped_reason = "properties/target does not name this importer";
	t = render(p, REPORT_JSON, &plain);
	root = parse_json(t);
	ck_assert_str_eq(GET_STR(root, "status"), "skipped");
	ck_assert_str_eq(GET_STR(root, "skipped_reason"), "properties/target does not name this importer");
	absent(root, "refused_reason");
	json_object_put(root);
	free(t);
	p->skipped_reason = NULL;
	p->refused = true;
	p->refused_reason = "the file is older than the last one applied";
	t = render(p, REPORT_JSON, &plain);
	root = parse_json(t);
	ck_assert_str_eq(GET_STR(root, "status"), "refused");
	ck_assert_str_eq(GET_STR(root, "refused_reason"), "the file is older than the last one applied");
	ck_assert(GET_BOOL(get(root, "summary", json_type_object), "refused"));
	json_object_put(root);
	free(t);
	plan_free(p);
}
END_TEST

START_TEST(test_json_strings_round_trip)
{
	plan *p = hostile_plan();
	char *t = render(p, REPORT_JSON, &plain);
	json_object *root = parse_json(t);
	ck_assert_str_eq(GET_STR(root, "file"), "a&b <x>.xml");
	json_object *acts = get(root, "actions", json_type_array);
	json_object *a = json_object_array_get_idx(acts, 0);
	ck_assert_str_eq(GET_STR(a, "group"), "C,1");
	ck_assert_str_eq(GET_STR(a, "reason"), "line one\r\nline two");
	ck_assert_str_eq(GET_STR(get(a, "object", json_type_object), "fullname"), SCRIPT);
	a = json_object_array_get_idx(acts, 1);
	ck_assert_str_eq(GET_STR(get(a, "object", json_type_object), "firstname"), "Zoë");
	ck_assert_str_eq(GET_STR(get(a, "object", json_type_object), "lastname"), OBRIEN);
	ck_assert_str_eq(GET_STR(a, "reason"), "say \"hi\"");
	ck_assert_str_eq(GET_STR(json_object_array_get_idx(acts, 2), "role"), "\tstudent");
	json_object *q = json_object_array_get_idx(get(root, "quarantined", json_type_array), 0);
	ck_assert_str_eq(GET_STR(q, "id"), "=HYPERLINK(\"x\")");
	ck_assert_str_eq(GET_STR(q, "group"), "C,1");
	json_object_put(root);
	free(t);
	plan_free(p);
}
END_TEST

/* ---- HTML ------------------------------------------------------------------------- */

/* Balanced: every open of tag has its close. */
static void balanced(const char *h, const char *tag)
{
	char open[32], close[32];
	snprintf(open, sizeof open, "<%s", tag);
	snprintf(close, sizeof close, "</%s>", tag);
	size_t n = 0;
	for (const char *s = h; (s = strstr(s, open)) != NULL; s++)
		if (s[strlen(open)] == '>' || s[strlen(open)] == ' ')
			n++;
	ck_assert_msg(n == count(h, close), "<%s>: %zu opened, %zu closed", tag, n, count(h, close));
}

START_TEST(test_html_self_contained_and_escaped)
{
	plan *p = hostile_plan();
	char *h = render(p, REPORT_HTML, &plain);
	ck_assert_msg(strncmp(h, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">", 60) == 0, "%s", h);
	ck_assert_msg(strcmp(h + strlen(h) - 15, "</body></html>\n") == 0, "%s", h);
	/* nothing fetched: the only address is the site's, in the text */
	ck_assert_uint_eq(count(h, "http://"), 0);
	ck_assert_uint_eq(count(h, "https://"), 1);
	ck_assert_ptr_nonnull(strstr(h, "<p class=\"meta\">Site https://moodle.example.edu, read by reconcile; "
					"mode event; file dated 2026-01-15T10:00:00. Generated by ims2moodle test.</p>"));
	ck_assert_ptr_null(strstr(h, "<link"));
	ck_assert_ptr_null(strstr(h, "src="));
	ck_assert_ptr_null(strstr(h, "href="));
	ck_assert_ptr_null(strstr(h, "@import"));
	ck_assert_ptr_null(strstr(h, "url("));
	ck_assert_uint_eq(count(h, "<script"), 1);
	ck_assert_uint_eq(count(h, "<script>"), 1);
	ck_assert_uint_eq(count(h, "<style>"), 1);
	/* every text escaped */
	ck_assert_ptr_null(strstr(h, SCRIPT));
	ck_assert_ptr_null(strstr(h, "alert(1)</"));
	ck_assert_ptr_nonnull(strstr(h, "<td>=1+2: &lt;script&gt;alert(1)&lt;/script&gt;</td>"));
	ck_assert_ptr_nonnull(strstr(h, "<td>-obrien: Zoë O&#39;Brien &amp; &quot;Sons&quot; &lt;ob@example.edu&gt;</td>"));
	ck_assert_ptr_null(strstr(h, OBRIEN));
	ck_assert_ptr_nonnull(strstr(h, "<title>ims2moodle plan: a&amp;b &lt;x&gt;.xml</title>"));
	ck_assert_ptr_nonnull(strstr(h, "<h1>Plan: a&amp;b &lt;x&gt;.xml</h1>"));
	ck_assert_ptr_nonnull(strstr(h, "<td class=\"reason\">say &quot;hi&quot;</td>"));
	ck_assert_ptr_nonnull(strstr(h, "<td>=HYPERLINK(&quot;x&quot;)</td>"));
	ck_assert_ptr_nonnull(strstr(h, "<td>a &quot;quoted&quot;, comma</td>"));
	/* the rows, one per action and quarantined record */
	ck_assert_ptr_nonnull(strstr(h, "<tr data-kind=\"create_course\"><td data-v=\"1\">1</td>"
					"<td class=\"kind\">create course</td><td>C,1</td><td></td><td></td>"
					"<td></td><td></td><td>=1+2: &lt;script&gt;alert(1)&lt;/script&gt;</td>"
					"<td data-v=\"1\">1</td><td class=\"reason\">line one\r\nline two</td></tr>\n"));
	ck_assert_ptr_nonnull(strstr(h, "<tr data-kind=\"quarantined\"><td data-v=\"4\">4</td><td>member</td>"
					"<td>=HYPERLINK(&quot;x&quot;)</td><td>C,1</td>"
					"<td>a &quot;quoted&quot;, comma</td><td></td></tr>\n"));
	ck_assert_uint_eq(count(h, "<tr data-kind="), 4);
	const char *tags[] = { "html", "head", "body", "table", "thead", "tbody", "tr", "td", "th", "div",
			       "label", "h1", "h2", "p", "span", "title", "style", "script" };
	for (size_t i = 0; i < ARRAY_LEN(tags); i++)
		balanced(h, tags[i]);
	free(h);
	plan_free(p);
}
END_TEST

START_TEST(test_html_controls_summary_and_print_style)
{
	plan *p = typical_plan();
	char *h = render(p, REPORT_HTML, &plain);
	/* the search box and one filter per kind present, skipped, quarantined */
	ck_assert_ptr_nonnull(strstr(h, "<input type=\"search\" id=\"q\""));
	ck_assert_ptr_nonnull(strstr(h, "<label><input type=\"checkbox\" checked data-kind=\"create_course\"> "
					"create course</label><label><input type=\"checkbox\" checked "
					"data-kind=\"create_user\"> create user</label>"));
	ck_assert_uint_eq(count(h, "<input type=\"checkbox\""), 6 + 2);
	ck_assert_ptr_nonnull(strstr(h, "data-kind=\"skipped\"> skipped</label>"));
	ck_assert_ptr_nonnull(strstr(h, "data-kind=\"quarantined\"> quarantined</label>"));
	ck_assert_ptr_null(strstr(h, "data-kind=\"delete_user\""));
	/* the script filters, searches and sorts */
	ck_assert_ptr_nonnull(strstr(h, "getElementById('q')"));
	ck_assert_ptr_nonnull(strstr(h, "addEventListener('input',apply)"));
	ck_assert_ptr_nonnull(strstr(h, "th.addEventListener('click'"));
	/* printing shows every row and hides the controls */
	ck_assert_ptr_nonnull(strstr(h, "@media print{.controls{display:none}tr{display:table-row!important}"));
	/* the summary */
	ck_assert_ptr_nonnull(strstr(h, "<div class=\"status s-refused\">Refused: a safety threshold is "
					"exceeded: apply holds back what it guards (marked held back) unless "
					"--force is given, and makes the other changes</div>"));
	ck_assert_ptr_nonnull(strstr(h, "<div class=\"card destructive\"><b>1</b>suspend enrolment</div>"));
	ck_assert_ptr_nonnull(strstr(h, "<b>1</b>drift</div><div class=\"card\"><b>3</b>unchanged</div>"
					"<div class=\"card\"><b>1</b>skipped</div><div class=\"card\"><b>1</b>"
					"quarantined</div>"));
	ck_assert_ptr_nonnull(strstr(h, "<tr><td>suspend</td><td>BIO200</td><td data-v=\"1\">1</td>"
					"<td data-v=\"2\">2</td><td>50.0%</td><td>10.0% (from 5 on)</td>"
					"<td class=\"exceeded\">exceeded</td></tr>"));
	ck_assert_ptr_nonnull(strstr(h, "<td>10.0%</td><td>20.0% (from 10 on), 50</td><td>within</td></tr>"));
	ck_assert_ptr_null(strstr(h, "<td>user_delete</td>"));
	ck_assert_ptr_nonnull(strstr(h, "<p class=\"note\">The file was not clean: 2 bare &amp; read as "
					"&amp;amp;, at 3:14, 5:2</p>"));
	ck_assert_ptr_nonnull(strstr(h, "<p class=\"note\">Warning about the file: duplicate-record (2), "
					"line 60: person P5 appears twice; &hellip;</p>"));
	/* the held-back action says so; the others do not */
	ck_assert_ptr_nonnull(strstr(h, "<tr data-kind=\"suspend\" class=\"destructive held\">"));
	ck_assert_ptr_nonnull(strstr(h, "<td class=\"reason\">withdrawn in the file<br><span class=\"held\">"
					"held back: a safety threshold is exceeded</span></td></tr>"));
	ck_assert_uint_eq(count(h, "held back: a safety"), 1);
	ck_assert_ptr_nonnull(strstr(h, "<tr data-kind=\"unenrol\" class=\"destructive\">"));
	ck_assert_ptr_nonnull(strstr(h, "<td>P2</td><td></td><td></td><td></td><td>email: old@example.edu "
					"&rarr; new@example.edu</td>"));
	free(h);

	/* an outcome: the result column */
	plan_free(p);
	p = outcome_plan();
	h = render(p, REPORT_HTML, &plain);
	ck_assert_ptr_nonnull(strstr(h, "<div class=\"status s-changes\">Applied: 2 done, 1 failed, 1 unknown, "
					"1 not run</div>"));
	ck_assert_ptr_nonnull(strstr(h, "<th>Reason</th><th>Result</th></tr>"));
	ck_assert_ptr_nonnull(strstr(h, "<td>failed: invalidparameter: Invalid parameter value detected</td></tr>"));
	ck_assert_ptr_nonnull(strstr(h, "<title>ims2moodle apply: spring.xml</title>"));
	ck_assert_ptr_nonnull(strstr(h, "; run 17. Generated by"));
	free(h);
	plan_free(p);
}
END_TEST

/* ---- every format ----------------------------------------------------------------- */

START_TEST(test_same_plan_same_bytes)
{
	plan *(*const makers[])(void) = { typical_plan, outcome_plan, hostile_plan, empty_plan };
	for (size_t m = 0; m < ARRAY_LEN(makers); m++) {
		plan *p = makers[m]();
		for (int f = REPORT_TEXT; f <= REPORT_HTML; f++) {
			size_t n1, n2;
			char *a = render_n(p, (enum report_format)f, &plain, &n1);
			char *b = render_n(p, (enum report_format)f, &plain, &n2);
			ck_assert_msg(n1 == n2 && memcmp(a, b, n1) == 0, "plan %zu format %d differs", m, f);
			ck_assert_msg(n1 > 0 && strlen(a) == n1, "plan %zu format %d: %zu bytes, NUL inside", m, f, n1);
			free(a);
			free(b);
			/* a second plan made the same way: the same bytes */
			plan *q = makers[m]();
			b = render_n(q, (enum report_format)f, &plain, &n2);
			a = render_n(p, (enum report_format)f, &plain, &n1);
			ck_assert_msg(n1 == n2 && memcmp(a, b, n1) == 0, "plan %zu format %d: twin differs", m, f);
			free(a);
			free(b);
			plan_free(q);
		}
		plan_free(p);
	}
}
END_TEST

START_TEST(test_parse_format_names)
{
	enum report_format f;
	errinfo e;
	const char *names[] = { "text", "csv", "json", "html" };
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(report_parse_format(names[i], &f, &e), 0);
		ck_assert_int_eq(f, i);
	}
	ck_assert_int_eq(report_parse_format("xml", &f, &e), -EXIT_USAGE);
	ck_assert_str_eq(e.msg, "unknown report format 'xml' (text, csv, json or html)");
}
END_TEST

/* A plan made by plan_build from a small file renders in every format, the
 * JSON agreeing with the plan. */
#define FILE_OF(body) \
	"<?xml version=\"1.0\"?><enterprise><properties><datasource>SIS</datasource>" \
	"<datetime>2026-01-01</datetime></properties>" body "</enterprise>"

START_TEST(test_built_plan_renders)
{
	const char *xml = FILE_OF(
		"<person><sourcedid><source>SIS</source><id>P1</id></sourcedid><userid>alice</userid>"
		"<name><fn>Alice O'Brien</fn><n><given>Alice</given><family>O'Brien &amp; \"Sons\"</family></n></name>"
		"<email>alice@example.edu</email></person>"
		"<group><sourcedid><source>SIS</source><id>C1</id></sourcedid>"
		"<description><short>C1</short><long>Chem &amp; \"Phys\" 'A'</long></description></group>"
		"<membership><sourcedid><source>SIS</source><id>C1</id></sourcedid>"
		"<member><sourcedid><source>SIS</source><id>P1</id></sourcedid><idtype>1</idtype>"
		"<role roletype=\"01\"><status>1</status></role></member></membership>");
	ims_model *m = ims_model_new();
	errinfo e;
	ims_parse_options opt;
	ims_parse_options_init(&opt);
	ck_assert_msg(ims_parse_memory(m, "test.xml", xml, strlen(xml), &opt, NULL, &e) == 0, "%s", e.msg);
	site_snapshot *s = site_new();
	s->info.url = site_intern(s, "http://moodle.test");
	site_set_role(s, "student", 5);
	site_set_role(s, "editingteacher", 3);
	site_category *c = site_alloc(s, sizeof *c);
	*c = (site_category){ 1, 0, site_intern(s, "Category 1"), NULL, 1 };
	site_add_category(s, c);
	s->all_courses_read = true;
	settings cfg;
	settings_defaults(&cfg);
	plan *p = NULL;
	ck_assert_int_eq(plan_build(m, s, NULL, &cfg, D_2026_01_01, &p, &e), 0);
	ck_assert_uint_eq(p->nactions, 3);
	ck_assert_uint_eq(p->nquarantine, 0);

	char *t = render(p, REPORT_JSON, &plain);
	json_object *root = parse_json(t);
	ck_assert_str_eq(GET_STR(root, "file"), "test.xml");
	ck_assert_str_eq(GET_STR(root, "site"), "http://moodle.test");
	ck_assert_str_eq(GET_STR(root, "status"), "changes");
	json_object *acts = get(root, "actions", json_type_array);
	ck_assert_uint_eq(json_object_array_length(acts), 3);
	static const char *const kinds[] = { "create_course", "create_user", "enrol" };
	for (size_t i = 0; i < 3; i++)
		ck_assert_str_eq(GET_STR(json_object_array_get_idx(acts, i), "action"), kinds[i]);
	ck_assert_str_eq(GET_STR(get(json_object_array_get_idx(acts, 0), "object", json_type_object), "fullname"),
			 "Chem & \"Phys\" 'A'");
	ck_assert_str_eq(GET_STR(get(json_object_array_get_idx(acts, 1), "object", json_type_object), "lastname"),
			 OBRIEN);
	json_object_put(root);
	free(t);

	t = render(p, REPORT_HTML, &plain);
	ck_assert_ptr_nonnull(strstr(t, "<td>C1: Chem &amp; &quot;Phys&quot; &#39;A&#39; (hidden)</td>"));
	ck_assert_ptr_nonnull(strstr(t, "alice: Alice O&#39;Brien &amp; &quot;Sons&quot; &lt;alice@example.edu&gt;"));
	free(t);
	t = render(p, REPORT_TEXT, &plain);
	ck_assert_ptr_nonnull(strstr(t, "\nChanges by course\n  C1\n    #1     create course          C1 "
					"\"Chem & \"Phys\" 'A'\" (hidden) (line 1)\n"));
	free(t);
	t = render(p, REPORT_CSV, &plain);
	csv_rows r;
	csv_parse(t, &r);
	ck_assert_uint_eq(r.n, 4);
	ck_assert_str_eq(r.field[3][2], "enrol");
	ck_assert_str_eq(r.field[3][4], "C1");
	ck_assert_str_eq(r.field[3][8], "alice");
	csv_free(&r);
	free(t);
	plan_free(p);
	site_free(s);
	ims_model_free(m);
}
END_TEST

/* --write-html DIR: writes the HTML of the plans above (typical.html,
 * outcome.html, hostile.html) for tests/report/test_html_browser.sh. */
static int write_html(const char *dir)
{
	static const struct { const char *name; plan *(*make)(void); } pages[] = {
		{ "typical.html", typical_plan }, { "outcome.html", outcome_plan }, { "hostile.html", hostile_plan },
	};
	for (size_t i = 0; i < ARRAY_LEN(pages); i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, pages[i].name);
		FILE *out = fopen(path, "w");
		if (!out) {
			perror(path);
			return EXIT_FAILURE;
		}
		plan *p = pages[i].make();
		errinfo e;
		int rc = report_write(out, p, REPORT_HTML, &plain, &e);
		plan_free(p);
		if (fclose(out) != 0 || rc != 0) {
			fprintf(stderr, "%s: cannot write\n", path);
			return EXIT_FAILURE;
		}
	}
	return EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--write-html") == 0)
		return write_html(argv[2]);
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("report");
	tcase_add_test(tc, test_text_summary_first_then_changes_by_course);
	tcase_add_test(tc, test_text_nothing_to_do);
	tcase_add_test(tc, test_text_colour_only_when_asked);
	tcase_add_test(tc, test_text_outcome_brief_lists_only_what_was_not_done);
	tcase_add_test(tc, test_text_brief_cuts_long_lists);
	tcase_add_test(tc, test_csv_rows_under_a_fixed_header);
	tcase_add_test(tc, test_csv_quotes_and_defuses_formulas);
	tcase_add_test(tc, test_csv_long_names_whole);
	tcase_add_test(tc, test_json_plan_has_every_documented_key);
	tcase_add_test(tc, test_json_outcome_and_empty_lists);
	tcase_add_test(tc, test_json_strings_round_trip);
	tcase_add_test(tc, test_html_self_contained_and_escaped);
	tcase_add_test(tc, test_html_controls_summary_and_print_style);
	tcase_add_test(tc, test_same_plan_same_bytes);
	tcase_add_test(tc, test_parse_format_names);
	tcase_add_test(tc, test_built_plan_renders);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
