/* report_text.c -- the plan or outcome as text for a terminal or an email:
 * the summary first (counts, thresholds, repairs), then the changes
 * grouped by course, then site-wide changes, skips and quarantined
 * records. Colour only when asked (the caller checks for a terminal). */
#include "config.h"
#include "report.h"
#include "ims_summary.h"
#include "settings.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

typedef struct style {
	const char *bold, *green, *yellow, *red, *dim, *off;
} style;

static style style_of(const report_options *o)
{
	if (o->color)
		return (style){ "\033[1m", "\033[32m", "\033[33m", "\033[31m", "\033[2m", "\033[0m" };
	return (style){ "", "", "", "", "", "" };
}

static const char *kind_colour(const style *st, enum plan_kind k)
{
	switch (k) {
	case PA_UNENROL:
	case PA_DELETE_USER:
		return st->red;
	case PA_SUSPEND:
	case PA_HIDE_COURSE:
	case PA_SUSPEND_USER:
	case PA_REMOVE_ROLE:
		return st->yellow;
	default:
		return st->green;
	}
}

/* A value from the file, printable on one line (str_printable): eight at a
 * time, each in its own buffer, enough for one line of the report. */
static const char *pr(const char *s)
{
	static strbuf ring[8];
	static unsigned next;
	return s ? str_printable(s, &ring[next++ % ARRAY_LEN(ring)]) : s;
}

static void header(FILE *out, const plan *p, const style *st)
{
	fprintf(out, "%sims2moodle %s%s: %s", st->bold, p->is_outcome ? "apply" : "plan", st->off,
		p->file ? pr(p->file) : "(no file)");
	if (p->file_datetime && *p->file_datetime)
		fprintf(out, " (dated %s)", pr(p->file_datetime));
	fprintf(out, "\nsite: %s, read by %s", p->site_url ? p->site_url : "?", site_read_name(p->site_read));
	fprintf(out, "; mode: %s\n", plan_mode_name(p->mode));
	if (p->skipped_reason)
		fprintf(out, "%sSKIPPED%s: %s\n", st->bold, st->off, pr(p->skipped_reason));
	else if (p->refused_reason)
		fprintf(out, "%s%sREFUSED%s: %s\n", st->bold, st->red, st->off, pr(p->refused_reason));
	else if (p->refused && !p->is_outcome)
		fprintf(out, "%s%sREFUSED%s: a safety threshold is exceeded (below): apply holds back what "
			     "it guards (marked held back) unless --force is given, and makes the other "
			     "changes\n", st->bold, st->red, st->off);
	else if (p->is_outcome) {
		fprintf(out, "run %" PRId64 "\n", p->run_id);
		size_t held = 0;
		for (size_t i = 0; i < p->nactions; i++)
			held += p->actions[i].held && p->actions[i].result == AR_NOT_RUN;
		if (held)
			fprintf(out, "%s%sHELD BACK%s: %zu change%s a safety threshold guards (below); "
				     "apply --force makes %s\n", st->bold, st->red, st->off, held,
				held == 1 ? "" : "s", held == 1 ? "it" : "them");
		else if (p->refused)
			fprintf(out, "a safety threshold is exceeded (below); --force was given, so what it "
				     "guards was applied too\n");
	} else
		fprintf(out, "%s\n", p->nactions ? "changes to make" : "nothing to do: the site is as the file says");
}

static void summary(FILE *out, const plan *p, const style *st)
{
	fprintf(out, "\n%sSummary%s\n", st->bold, st->off);
	for (int k = 0; k < PA_KIND_COUNT; k++) {
		if (!p->counts[k])
			continue;
		fprintf(out, "  %s%-24s%s %8" PRIu64, kind_colour(st, k), plan_kind_label(k), st->off,
			p->counts[k]);
		if (p->is_outcome) {
			const uint64_t *r = p->results[k];
			fprintf(out, "   done %" PRIu64 ", failed %" PRIu64 ", unknown %" PRIu64
				     ", not run %" PRIu64, r[AR_DONE], r[AR_FAILED], r[AR_UNKNOWN], r[AR_NOT_RUN]);
		}
		fprintf(out, "\n");
	}
	fprintf(out, "  %-24s %8" PRIu64 "\n", "unchanged", p->unchanged);
	if (p->drift)
		fprintf(out, "  %-24s %8" PRIu64 "   (enrolments changed in Moodle since ims2moodle made "
			     "them; planned back to the file)\n", "drift", p->drift);
	fprintf(out, "  %-24s %8zu\n", "skipped", p->nskips);
	fprintf(out, "  %-24s %8zu\n", "quarantined", p->nquarantine);
}

static void safety(FILE *out, const plan *p, const style *st)
{
	bool any = false;
	for (size_t i = 0; i < p->nsafety; i++) {
		const plan_safety *s = &p->safety[i];
		if (!s->count && !s->exceeded)
			continue;
		if (!any)
			fprintf(out, "\n%sSafety thresholds%s\n", st->bold, st->off);
		any = true;
		fprintf(out, "  %s%-13s%s %-12s %" PRId64 " of %" PRId64 " (%.1f%%); limit ",
			s->exceeded ? st->red : "", safety_class_name(s->cls), s->exceeded ? st->off : "",
			s->scope, s->count, s->base, s->percent);
		if (s->max_percent >= 0)
			fprintf(out, "%.1f%% (from %" PRId64 " on)", s->max_percent, s->min_count);
		if (s->max_percent >= 0 && s->max_count >= 0)
			fprintf(out, " and ");
		if (s->max_count >= 0)
			fprintf(out, "%" PRId64, s->max_count);
		if (s->max_percent < 0 && s->max_count < 0)
			fprintf(out, "none");
		fprintf(out, "%s\n", s->exceeded ? "  EXCEEDED" : "");
	}
}

static void repairs(FILE *out, const plan *p, const style *st)
{
	static const char *const what[IMS_REPAIR_KINDS] = {
		"bare '&' read as '&amp;'", "leading whitespace before <?xml skipped",
	};
	for (int k = 0; p->repairs && k < IMS_REPAIR_KINDS; k++) {
		const ims_repair_group *g = &p->repairs[k];
		if (!g->count)
			continue;
		fprintf(out, "\n%sThe file was not clean%s: %" PRIu64 " %s, at", st->bold, st->off, g->count, what[k]);
		for (int i = 0; i < g->nsamples; i++)
			fprintf(out, "%s %u:%u", i ? "," : "", g->samples[i].line, g->samples[i].col);
		fprintf(out, "%s\n", g->count > (uint64_t)g->nsamples ? ", ..." : "");
	}
}

/* The file's warnings (what check lists), so that whoever reads only the
 * plan learns of them too. */
static void warnings(FILE *out, const plan *p, const style *st)
{
	uint64_t n = 0;
	for (int k = 0; p->warnings && k < W_KIND_COUNT; k++)
		n += p->warnings[k].count;
	if (!n)
		return;
	fprintf(out, "\n%sWarnings about the file%s (%" PRIu64 ")\n", st->bold, st->off, n);
	ims_summary_warnings_text(out, p->warnings, "  ");
}

static void action_line(FILE *out, const plan *p, const plan_action *a, const style *st)
{
	char d1[40], d2[40];
	fprintf(out, "    #%-5u %s%-22s%s", a->seq, kind_colour(st, a->kind), plan_kind_label(a->kind), st->off);
	const plan_object *o = a->obj;
	if (a->kind == PA_CREATE_CATEGORY)
		fprintf(out, " %s", pr(o->category_ref));
	else if (a->kind == PA_CREATE_COURSE)
		fprintf(out, " %s \"%s\"%s", pr(o->shortname), pr(o->fullname), o->visible ? "" : " (hidden)");
	else if (a->kind == PA_CREATE_USER)
		fprintf(out, " %s: %s, %s %s <%s>", pr(a->person_id), pr(o->username), pr(o->firstname),
			pr(o->lastname), pr(o->email));
	else if (a->kind == PA_CREATE_GROUP || a->kind == PA_ADD_TO_GROUP)
		fprintf(out, " %s%s\"%s\"", pr(report_who(a)), *report_who(a) ? " " : "", pr(o->name));
	else
		fprintf(out, " %s", pr(report_who(a)));
	if (a->role)
		fprintf(out, " as %s", a->role);
	if (a->timestart || a->timeend)
		fprintf(out, " %s..%s", report_date(a->timestart, d1, sizeof d1),
			report_date(a->timeend, d2, sizeof d2));
	for (const plan_change *c = o ? o->changes : NULL; c; c = c->next)
		fprintf(out, " %s: \"%s\" -> \"%s\";", c->field, pr(c->from ? c->from : ""), pr(c->to));
	if (a->line)
		fprintf(out, " %s(line %u)%s", st->dim, a->line, st->off);
	if (a->held && !p->is_outcome)
		fprintf(out, " %s[held back: a safety threshold is exceeded]%s", st->yellow, st->off);
	if (p->is_outcome && a->result != AR_DONE)
		fprintf(out, " %s[%s%s%s]%s", a->result == AR_FAILED ? st->red : st->yellow,
			action_result_name((enum action_result)a->result), a->error ? ": " : "",
			a->error ? pr(a->error) : "", st->off);
	fprintf(out, "\n             %s%s%s\n", st->dim, a->reason ? pr(a->reason) : "", st->off);
}

static int cmp_by_course(const void *x, const void *y)
{
	const plan_action *a = *(const plan_action *const *)x, *b = *(const plan_action *const *)y;
	char ba[40], bb[40];
	int c = strcmp(report_course(a, ba, sizeof ba), report_course(b, bb, sizeof bb));
	return c ? c : (a->seq < b->seq ? -1 : a->seq > b->seq);
}

static bool course_scoped(const plan_action *a)
{
	return a->kind != PA_CREATE_CATEGORY && a->kind != PA_CREATE_USER && a->kind != PA_UPDATE_USER &&
	       a->kind != PA_REACTIVATE_USER && a->kind != PA_SUSPEND_USER && a->kind != PA_DELETE_USER;
}

/* Whether an action is listed: all of them, or in brief (an outcome) only
 * those not done. */
static bool listed(const plan_action *a, bool brief)
{
	return !brief || a->result != AR_DONE;
}

/* The actions by course, then the site-wide ones. */
static void changes(FILE *out, const plan *p, const style *st, bool brief)
{
	const char *title = brief ? "Not done (failed, unknown outcome, or not run), by course"
				  : "Changes by course";
	const plan_action **v = xcalloc(p->nactions + 1, sizeof *v);
	size_t n = 0;
	for (size_t i = 0; i < p->nactions; i++)
		if (course_scoped(&p->actions[i]) && listed(&p->actions[i], brief))
			v[n++] = &p->actions[i];
	sort_array(v, n, sizeof *v, cmp_by_course);
	if (n)
		fprintf(out, "\n%s%s%s\n", st->bold, title, st->off);
	for (size_t i = 0; i < n; i++) {
		char buf[40], prev[40];
		const char *course = report_course(v[i], buf, sizeof buf);
		if (i == 0 || strcmp(report_course(v[i - 1], prev, sizeof prev), course) != 0)
			fprintf(out, "  %s%s%s\n", st->bold, pr(course), st->off);
		action_line(out, p, v[i], st);
	}
	bool site = false;
	for (size_t i = 0; i < p->nactions; i++) {
		if (course_scoped(&p->actions[i]) || !listed(&p->actions[i], brief))
			continue;
		if (!site)
			fprintf(out, "\n%s%s%s\n", st->bold, brief ? "Site-wide, not done" : "Site-wide changes",
				st->off);
		site = true;
		action_line(out, p, &p->actions[i], st);
	}
	if (brief && !n && !site && p->nactions)
		fprintf(out, "\nEvery planned change was made.\n");
	free(v);
}

/* In brief, the lists stop after this many entries each. */
#define BRIEF_LIST 20

static void skips_and_quarantine(FILE *out, const plan *p, const style *st, bool brief)
{
	size_t nskips = brief && p->nskips > BRIEF_LIST ? BRIEF_LIST : p->nskips;
	size_t nquar = brief && p->nquarantine > BRIEF_LIST ? BRIEF_LIST : p->nquarantine;
	if (p->nskips)
		fprintf(out, "\n%sSkipped%s (what the file asks that will not happen)\n", st->bold, st->off);
	for (size_t i = 0; i < nskips; i++) {
		const plan_skip *s = &p->skips[i];
		fprintf(out, "  line %u: %s %s%s%s: %s\n", s->line, s->what, s->group_id ? pr(s->group_id) : "",
			s->group_id && s->person_id ? " / " : "", s->person_id ? pr(s->person_id) : "",
			pr(s->reason));
	}
	if (nskips < p->nskips)
		fprintf(out, "  ... and %zu more\n", p->nskips - nskips);
	if (p->nquarantine)
		fprintf(out, "\n%sQuarantined%s (reported, never applied)\n", st->bold, st->off);
	for (size_t i = 0; i < nquar; i++) {
		const plan_quarantine *q = &p->quarantine[i];
		fprintf(out, "  line %u: %s %s%s%s: %s\n", q->line, q->what, q->id ? pr(q->id) : "",
			q->group_id ? " in " : "", q->group_id ? pr(q->group_id) : "", pr(q->reason));
		if (q->candidates)
			fprintf(out, "      candidates: %s\n", pr(q->candidates));
	}
	if (nquar < p->nquarantine)
		fprintf(out, "  ... and %zu more\n", p->nquarantine - nquar);
}

int report_text(FILE *out, const plan *p, const report_options *o)
{
	style st = style_of(o);
	header(out, p, &st);
	summary(out, p, &st);
	safety(out, p, &st);
	repairs(out, p, &st);
	warnings(out, p, &st);
	bool brief = o->brief && p->is_outcome;
	changes(out, p, &st, brief);
	skips_and_quarantine(out, p, &st, brief);
	if (p->counts[PA_ENROL] || p->counts[PA_REACTIVATE])
		fprintf(out, "\nNote: Moodle sends its course welcome message to every user enrolled or "
			     "re-enrolled through the web service, unless the manual enrolment plugin's "
			     "\"Send course welcome message\" default was off when the course was created.\n");
	if (brief)
		fprintf(out, "\nEvery change, one by one: ims2moodle show %lld, or apply with -v, or "
			     "--report FILE (--format text, csv, json or html).\n", (long long)p->run_id);
	return 0;
}
