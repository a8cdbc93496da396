/* report_csv.c -- the plan or outcome as CSV: RFC 4180 (CRLF, fields with a
 * comma, quote, CR or LF quoted, quotes doubled), UTF-8 with a byte order
 * mark so that spreadsheets read it as UTF-8, one row per action, skip or
 * quarantined record under a fixed header. A field that begins with = + -
 * @, a tab, a carriage return or a line feed gets a leading apostrophe, so
 * that no spreadsheet runs it as a formula. */
#include "config.h"
#include "report.h"

#include <inttypes.h>
#include <string.h>

static void field(FILE *out, const char *v, bool last)
{
	if (!v)
		v = "";
	bool formula = v[0] && strchr("=+-@\t\r\n", v[0]) != NULL;
	bool quote = formula || strpbrk(v, ",\"\r\n") != NULL;
	if (quote)
		fputc('"', out);
	if (formula)
		fputc('\'', out);
	for (const char *p = v; *p; p++) {
		if (*p == '"')
			fputc('"', out);
		fputc(*p, out);
	}
	if (quote)
		fputc('"', out);
	fputs(last ? "\r\n" : ",", out);
}

static void num(FILE *out, int64_t v)
{
	if (v)
		fprintf(out, "%" PRId64 ",", v);
	else
		fputc(',', out);
}

static const char *const header[] = {
	"seq", "type", "action", "line", "course", "courseid", "person", "userid", "username",
	"role", "timestart", "timeend", "detail", "reason", "result", "error",
};

int report_csv(FILE *out, const plan *p, const report_options *o)
{
	fputs("\xEF\xBB\xBF", out);
	for (size_t i = 0; i < ARRAY_LEN(header); i++)
		field(out, header[i], i + 1 == ARRAY_LEN(header));
	strbuf detail = STRBUF_INIT;
	for (size_t i = 0; i < p->nactions; i++) {
		const plan_action *a = &p->actions[i];
		char buf[40], d1[40], d2[40];
		const plan_object *ob = a->obj;
		sb_reset(&detail); /* whole: a fixed buffer cut long names inside a UTF-8 character */
		if (ob && (a->kind == PA_CREATE_COURSE))
			sb_addf(&detail, "%s: %s%s", ob->shortname, ob->fullname, ob->visible ? "" : " (hidden)");
		else if (ob && a->kind == PA_CREATE_CATEGORY && ob->category_ref)
			sb_adds(&detail, ob->category_ref);
		else if (ob && a->kind == PA_CREATE_USER)
			sb_addf(&detail, "%s %s <%s>", ob->firstname, ob->lastname, ob->email);
		else if (ob && ob->name)
			sb_adds(&detail, ob->name);
		else if (ob && ob->changes) {
			for (const plan_change *c = ob->changes; c; c = c->next)
				sb_addf(&detail, "%s%s: %s -> %s", c == ob->changes ? "" : "; ", c->field,
					c->from ? c->from : "", c->to);
		}
		fprintf(out, "%u,", a->seq);
		field(out, "action", false);
		field(out, plan_kind_name(a->kind), false);
		num(out, a->line);
		field(out, report_course(a, buf, sizeof buf), false);
		num(out, a->courseid);
		field(out, a->person_id, false);
		num(out, a->userid);
		field(out, ob && ob->username ? ob->username : a->user_ref, false);
		field(out, a->role, false);
		field(out, report_date(a->timestart, d1, sizeof d1), false);
		field(out, report_date(a->timeend, d2, sizeof d2), false);
		field(out, sb_str(&detail), false);
		field(out, a->reason, false);
		field(out, p->is_outcome ? action_result_name((enum action_result)a->result)
			   : a->held ? "held back" : "", false);
		field(out, a->error, true);
	}
	sb_free(&detail);
	for (size_t i = 0; i < p->nskips; i++) {
		const plan_skip *s = &p->skips[i];
		fputc(',', out);
		field(out, "skip", false);
		field(out, s->what, false);
		num(out, s->line);
		field(out, s->group_id, false);
		fputc(',', out);
		field(out, s->person_id, false);
		fputs(",,,,,,", out);
		field(out, s->reason, false);
		fputs(",\r\n", out);
	}
	for (size_t i = 0; i < p->nquarantine; i++) {
		const plan_quarantine *q = &p->quarantine[i];
		bool member = q->group_id != NULL;
		fputc(',', out);
		field(out, "quarantine", false);
		field(out, q->what, false);
		num(out, q->line);
		field(out, member ? q->group_id : (strcmp(q->what, "person") ? q->id : NULL), false);
		fputc(',', out);
		field(out, member || !strcmp(q->what, "person") ? q->id : NULL, false);
		fputs(",,,,,", out);
		field(out, q->candidates, false);
		field(out, q->reason, false);
		fputs(",\r\n", out);
	}
	(void)o;
	return 0;
}
