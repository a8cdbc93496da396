/* report_common.c -- choosing a report format, and the small pieces every
 * format shares (see report.h). */
#include "config.h"
#include "report.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

int report_parse_format(const char *s, enum report_format *out, errinfo *e)
{
	static const char *const names[] = { "text", "csv", "json", "html" };
	for (int i = 0; i < 4; i++)
		if (s && strcmp(s, names[i]) == 0) {
			*out = (enum report_format)i;
			return 0;
		}
	return err_set(e, -EXIT_USAGE, "unknown report format '%s' (text, csv, json or html)", s ? s : "");
}

int report_write(FILE *out, const plan *p, enum report_format f, const report_options *o,
		 errinfo *e)
{
	report_options defaults = { false, "ims2moodle " PACKAGE_VERSION, false };
	if (!o)
		o = &defaults;
	switch (f) {
	case REPORT_TEXT: report_text(out, p, o); break;
	case REPORT_CSV: report_csv(out, p, o); break;
	case REPORT_JSON: report_json(out, p, o); break;
	case REPORT_HTML: report_html(out, p, o); break;
	}
	if (fflush(out) != 0 || ferror(out))
		return err_set(e, -EXIT_IOERR, "cannot write the report");
	return 0;
}

const char *report_status(const plan *p)
{
	if (p->skipped_reason)
		return "skipped";
	if (p->refused_reason)
		return "refused";
	/* an outcome over a threshold is refused only while something stayed
	 * held back: after apply --force it is a run that made its changes */
	if (p->refused && (!p->is_outcome || report_held_back(p)))
		return "refused";
	return p->nactions ? "changes" : "no changes";
}

size_t report_held_back(const plan *p)
{
	size_t n = 0;
	for (size_t i = 0; i < p->nactions; i++)
		n += p->actions[i].held && p->actions[i].result == AR_NOT_RUN;
	return n;
}

const char *report_date(int64_t t, char *buf, size_t n)
{
	if (!t) {
		buf[0] = '\0';
		return buf;
	}
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	if (tm.tm_hour == 0 && tm.tm_min == 0 && tm.tm_sec == 0)
		strftime(buf, n, "%Y-%m-%d", &tm);
	else
		strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

const char *report_who(const plan_action *a)
{
	if (a->person_id)
		return a->person_id;
	if (a->user_ref)
		return a->user_ref;
	return "";
}

const char *report_course(const plan_action *a, char *buf, size_t n)
{
	if (a->group_id)
		return a->group_id;
	if (a->course_ref)
		return a->course_ref;
	if (a->courseid)
		snprintf(buf, n, "course %" PRId64, a->courseid);
	else
		buf[0] = '\0';
	return buf;
}
