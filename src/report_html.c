/* report_html.c -- the plan or outcome as one self-contained HTML page (no
 * external assets, no network): the summary at the top, a filter by action
 * kind, a search by person or course, sortable tables, and a print style
 * that shows every row without the controls. Every value is HTML-escaped. */
#include "config.h"
#include "report.h"
#include "settings.h"

#include <inttypes.h>
#include <string.h>

static void esc(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default: fputc(*s, out);
		}
	}
}

static const char style_css[] =
	"body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:1.5em;color:#1d2125}"
	"h1{font-size:1.4em;margin:0 0 .3em}h2{font-size:1.1em;margin-top:1.6em}"
	".meta{color:#555;margin:.1em 0}"
	".status{display:inline-block;padding:.3em .7em;border-radius:4px;font-weight:600;margin:.6em 0}"
	".s-changes{background:#e7f1ff}.s-nochanges{background:#e6f4ea}.s-refused{background:#fde7e9;color:#a4000f}"
	".s-skipped{background:#f1f1f1}"
	".cards{display:flex;flex-wrap:wrap;gap:.6em;margin:.8em 0}"
	".card{border:1px solid #ccd;border-radius:6px;padding:.5em .8em;min-width:8em}"
	".card b{display:block;font-size:1.4em}.card.destructive b{color:#a65e00}"
	".controls{margin:1em 0;display:flex;flex-wrap:wrap;gap:.8em;align-items:center}"
	".controls label{white-space:nowrap}"
	"input[type=search]{padding:.35em;min-width:22em}"
	"table{border-collapse:collapse;width:100%;margin-top:.5em;font-size:.92em}"
	"th,td{border-bottom:1px solid #dde;padding:.3em .5em;text-align:left;vertical-align:top}"
	"th{background:#f4f6f9;cursor:pointer;user-select:none;position:sticky;top:0}"
	"th.sorted-asc::after{content:' \\25B2'}th.sorted-desc::after{content:' \\25BC'}"
	"tr.destructive td.kind{color:#a65e00;font-weight:600}"
	"td.reason,span.user{color:#555}.exceeded{color:#a4000f;font-weight:600}span.held{color:#a65e00;font-weight:600}"
	".note{background:#fff8e1;border-left:4px solid #f0b400;padding:.5em .8em;margin:1em 0}"
	"@media print{.controls{display:none}tr{display:table-row!important}th{position:static}"
	"body{margin:0;font-size:10pt}.status,.card{border:1px solid #000}}";

static const char script_js[] =
	"(function(){"
	"var q=document.getElementById('q');"
	"var boxes=[].slice.call(document.querySelectorAll('input[data-kind]'));"
	"function apply(){var t=q.value.trim().toLowerCase();var on={};"
	"boxes.forEach(function(b){on[b.getAttribute('data-kind')]=b.checked;});"
	"[].slice.call(document.querySelectorAll('#actions tbody tr,#skipped tbody tr,#quarantined tbody tr'))"
	".forEach(function(r){"
	"var k=r.getAttribute('data-kind');var okk=!k||on[k]!==false;"
	"var okt=!t||r.textContent.toLowerCase().indexOf(t)>=0;"
	"r.style.display=okk&&okt?'':'none';});}"
	"var ps=new URLSearchParams(location.search);if(ps.get('q'))q.value=ps.get('q');"
	"(ps.get('hide')||'').split(',').forEach(function(k){boxes.forEach(function(b){"
	"if(b.getAttribute('data-kind')===k)b.checked=false;});});"
	"q.addEventListener('input',apply);boxes.forEach(function(b){b.addEventListener('change',apply);});"
	"[].slice.call(document.querySelectorAll('th')).forEach(function(th){"
	"th.addEventListener('click',function(){var table=th.closest('table');var body=table.tBodies[0];"
	"var i=[].indexOf.call(th.parentNode.children,th);var asc=!th.classList.contains('sorted-asc');"
	"[].slice.call(th.parentNode.children).forEach(function(h){h.classList.remove('sorted-asc','sorted-desc');});"
	"th.classList.add(asc?'sorted-asc':'sorted-desc');"
	"var rows=[].slice.call(body.rows);rows.sort(function(a,b){"
	"var x=a.cells[i].getAttribute('data-v')||a.cells[i].textContent;"
	"var y=b.cells[i].getAttribute('data-v')||b.cells[i].textContent;"
	"var num=/^-?[0-9]+([.][0-9]+)?%?$/;"
	"var c=num.test(x.trim())&&num.test(y.trim())?parseFloat(x)-parseFloat(y):x.localeCompare(y);"
	"return asc?c:-c;});rows.forEach(function(r){body.appendChild(r);});});});"
	"apply();})();";

static void cell(FILE *out, const char *v)
{
	fputs("<td>", out);
	esc(out, v);
	fputs("</td>", out);
}

static void num_cell(FILE *out, int64_t v)
{
	if (v)
		fprintf(out, "<td data-v=\"%" PRId64 "\">%" PRId64 "</td>", v, v);
	else
		fputs("<td data-v=\"0\"></td>", out);
}

static void action_detail(FILE *out, const plan_action *a)
{
	const plan_object *o = a->obj;
	if (!o)
		return;
	if (a->kind == PA_CREATE_COURSE) {
		esc(out, o->shortname);
		fputs(": ", out);
		esc(out, o->fullname);
		fputs(o->visible ? "" : " (hidden)", out);
	} else if (a->kind == PA_CREATE_CATEGORY) {
		esc(out, o->category_ref);
	} else if (a->kind == PA_CREATE_USER) {
		esc(out, o->username);
		fputs(": ", out);
		esc(out, o->firstname);
		fputc(' ', out);
		esc(out, o->lastname);
		fputs(" &lt;", out);
		esc(out, o->email);
		fputs("&gt;", out);
	} else if (o->name) {
		esc(out, o->name);
	}
	bool first = a->kind != PA_CREATE_COURSE && a->kind != PA_CREATE_CATEGORY &&
		     a->kind != PA_CREATE_USER && !o->name;
	for (const plan_change *c = o->changes; c; c = c->next, first = false) {
		if (!first)
			fputs("<br>", out);
		esc(out, c->field);
		fputs(": ", out);
		esc(out, c->from ? c->from : "");
		fputs(" &rarr; ", out);
		esc(out, c->to);
	}
}

static void actions_table(FILE *out, const plan *p)
{
	fputs("<h2>Actions</h2><table id=\"actions\"><thead><tr><th>#</th><th>Action</th><th>Course</th>"
	      "<th>Person</th><th>Role</th><th>Start</th><th>End</th><th>Details</th><th>Line</th>"
	      "<th>Reason</th>", out);
	if (p->is_outcome)
		fputs("<th>Result</th>", out);
	fputs("</tr></thead><tbody>\n", out);
	for (size_t i = 0; i < p->nactions; i++) {
		const plan_action *a = &p->actions[i];
		char buf[40], d1[40], d2[40];
		bool destructive = plan_kind_destructive(a->kind);
		const char *cls = destructive && a->held ? " class=\"destructive held\""
				  : destructive ? " class=\"destructive\""
				  : a->held ? " class=\"held\"" : "";
		fprintf(out, "<tr data-kind=\"%s\"%s>", plan_kind_name(a->kind), cls);
		num_cell(out, a->seq);
		fputs("<td class=\"kind\">", out);
		esc(out, plan_kind_label(a->kind));
		fputs("</td>", out);
		cell(out, report_course(a, buf, sizeof buf));
		/* the person, and the username of a user this plan makes, so that a
		 * search by username finds the enrolments too */
		fputs("<td>", out);
		esc(out, report_who(a));
		if (a->person_id && a->user_ref) {
			fputs(" <span class=\"user\">(", out);
			esc(out, a->user_ref);
			fputs(")</span>", out);
		}
		fputs("</td>", out);
		cell(out, a->role);
		cell(out, report_date(a->timestart, d1, sizeof d1));
		cell(out, report_date(a->timeend, d2, sizeof d2));
		fputs("<td>", out);
		action_detail(out, a);
		fputs("</td>", out);
		num_cell(out, a->line);
		fputs("<td class=\"reason\">", out);
		esc(out, a->reason);
		if (a->held && !p->is_outcome)
			fputs("<br><span class=\"held\">held back: a safety threshold is exceeded</span>", out);
		fputs("</td>", out);
		if (p->is_outcome) {
			fputs("<td>", out);
			esc(out, action_result_name((enum action_result)a->result));
			if (a->error) {
				fputs(": ", out);
				esc(out, a->error);
			}
			fputs("</td>", out);
		}
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
}

static void other_tables(FILE *out, const plan *p)
{
	if (p->nskips) {
		fputs("<h2>Skipped</h2><table id=\"skipped\"><thead><tr><th>Line</th><th>What</th>"
		      "<th>Group</th><th>Person</th><th>Reason</th></tr></thead><tbody>\n", out);
		for (size_t i = 0; i < p->nskips; i++) {
			const plan_skip *s = &p->skips[i];
			fputs("<tr data-kind=\"skipped\">", out);
			num_cell(out, s->line);
			cell(out, s->what);
			cell(out, s->group_id);
			cell(out, s->person_id);
			cell(out, s->reason);
			fputs("</tr>\n", out);
		}
		fputs("</tbody></table>\n", out);
	}
	if (p->nquarantine) {
		fputs("<h2>Quarantined</h2><p class=\"meta\">Reported, never applied.</p>"
		      "<table id=\"quarantined\"><thead><tr><th>Line</th><th>What</th><th>Id</th>"
		      "<th>Group</th><th>Reason</th><th>Candidates</th></tr></thead><tbody>\n", out);
		for (size_t i = 0; i < p->nquarantine; i++) {
			const plan_quarantine *q = &p->quarantine[i];
			fputs("<tr data-kind=\"quarantined\">", out);
			num_cell(out, q->line);
			cell(out, q->what);
			cell(out, q->id);
			cell(out, q->group_id);
			cell(out, q->reason);
			cell(out, q->candidates);
			fputs("</tr>\n", out);
		}
		fputs("</tbody></table>\n", out);
	}
}

static void summary(FILE *out, const plan *p)
{
	const char *st = report_status(p);
	fprintf(out, "<div class=\"status s-%s\">", strcmp(st, "no changes") == 0 ? "nochanges" : st);
	if (p->is_outcome) {
		uint64_t r[AR_NOT_RUN + 1] = { 0 };
		for (int k = 0; k < PA_KIND_COUNT; k++)
			for (int x = 0; x <= AR_NOT_RUN; x++)
				r[x] += p->results[k][x];
		fprintf(out, "Applied: %" PRIu64 " done, %" PRIu64 " failed, %" PRIu64 " unknown, %" PRIu64
			" not run", r[AR_DONE], r[AR_FAILED], r[AR_UNKNOWN], r[AR_NOT_RUN]);
	} else {
		esc(out, p->skipped_reason ? "Skipped: " : p->refused ? "Refused: " : "");
		esc(out, p->skipped_reason ? p->skipped_reason : p->refused_reason ? p->refused_reason :
			 p->refused ? "a safety threshold is exceeded: apply holds back what it guards "
				      "(marked held back) unless --force is given, and makes the other changes" :
			 p->nactions ? "changes to make" : "nothing to do: the site is as the file says");
	}
	fputs("</div>\n<div class=\"cards\">", out);
	for (int k = 0; k < PA_KIND_COUNT; k++) {
		if (!p->counts[k])
			continue;
		fprintf(out, "<div class=\"card%s\"><b>%" PRIu64 "</b>", plan_kind_destructive(k) ? " destructive" : "",
			p->counts[k]);
		esc(out, plan_kind_label(k));
		fputs("</div>", out);
	}
	if (p->drift)
		fprintf(out, "<div class=\"card\" title=\"enrolments changed in Moodle since ims2moodle "
			     "made them; planned back to the file\"><b>%" PRIu64 "</b>drift</div>", p->drift);
	fprintf(out, "<div class=\"card\"><b>%" PRIu64 "</b>unchanged</div>"
		     "<div class=\"card\"><b>%zu</b>skipped</div><div class=\"card\"><b>%zu</b>quarantined</div>"
		     "</div>\n", p->unchanged, p->nskips, p->nquarantine);
	bool any = false;
	for (size_t i = 0; i < p->nsafety; i++) {
		const plan_safety *s = &p->safety[i];
		if (!s->count && !s->exceeded)
			continue;
		if (!any)
			fputs("<h2>Safety thresholds</h2><table id=\"safety\"><thead><tr><th>Class</th><th>Scope</th>"
			      "<th>Count</th><th>Of</th><th>Percent</th><th>Limit</th><th>Verdict</th></tr></thead><tbody>", out);
		any = true;
		fputs("<tr>", out);
		cell(out, safety_class_name(s->cls));
		cell(out, s->scope);
		num_cell(out, s->count);
		num_cell(out, s->base);
		fprintf(out, "<td>%.1f%%</td><td>", s->percent);
		if (s->max_percent >= 0)
			fprintf(out, "%.1f%% (from %" PRId64 " on)", s->max_percent, s->min_count);
		if (s->max_count >= 0)
			fprintf(out, "%s%" PRId64, s->max_percent >= 0 ? ", " : "", s->max_count);
		fprintf(out, "</td><td%s>%s</td></tr>", s->exceeded ? " class=\"exceeded\"" : "",
			s->exceeded ? "exceeded" : "within");
	}
	if (any)
		fputs("</tbody></table>\n", out);
	for (int k = 0; p->repairs && k < IMS_REPAIR_KINDS; k++) {
		const ims_repair_group *g = &p->repairs[k];
		if (!g->count)
			continue;
		fprintf(out, "<p class=\"note\">The file was not clean: %" PRIu64 " %s, at", g->count,
			k == 0 ? "bare &amp; read as &amp;amp;" : "leading whitespace before &lt;?xml skipped");
		for (int i = 0; i < g->nsamples; i++)
			fprintf(out, "%s %u:%u", i ? "," : "", g->samples[i].line, g->samples[i].col);
		fputs(g->count > (uint64_t)g->nsamples ? ", &hellip;</p>\n" : "</p>\n", out);
	}
	for (int k = 0; p->warnings && k < W_KIND_COUNT; k++) {
		const ims_warning_group *g = &p->warnings[k];
		if (!g->count)
			continue;
		fprintf(out, "<p class=\"note\">Warning about the file: %s (%" PRIu64 ")", ims_warning_name(k),
			g->count);
		for (int i = 0; i < g->nsamples; i++) {
			fprintf(out, "%s line %u: ", i ? ";" : ",", g->samples[i].loc.line);
			esc(out, g->samples[i].detail);
		}
		fputs(g->count > (uint64_t)g->nsamples ? "; &hellip;</p>\n" : "</p>\n", out);
	}
	if (p->counts[PA_ENROL] || p->counts[PA_REACTIVATE])
		fputs("<p class=\"note\">Moodle sends its course welcome message to every user enrolled "
		      "through the web service, unless the manual enrolment plugin's default was off when "
		      "the course was created.</p>\n", out);
}

static void controls(FILE *out, const plan *p)
{
	fputs("<div class=\"controls\"><label>Search <input type=\"search\" id=\"q\" "
	      "placeholder=\"person, username, course\" aria-label=\"Search by person or course\"></label>", out);
	for (int k = 0; k < PA_KIND_COUNT; k++) {
		if (!p->counts[k])
			continue;
		fprintf(out, "<label><input type=\"checkbox\" checked data-kind=\"%s\"> ", plan_kind_name(k));
		esc(out, plan_kind_label(k));
		fputs("</label>", out);
	}
	if (p->nskips)
		fputs("<label><input type=\"checkbox\" checked data-kind=\"skipped\"> skipped</label>", out);
	if (p->nquarantine)
		fputs("<label><input type=\"checkbox\" checked data-kind=\"quarantined\"> quarantined</label>", out);
	fputs("</div>\n", out);
}

int report_html(FILE *out, const plan *p, const report_options *o)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>", out);
	fputs(p->is_outcome ? "ims2moodle apply: " : "ims2moodle plan: ", out);
	esc(out, p->file);
	fprintf(out, "</title><style>%s</style></head><body>\n<h1>", style_css);
	fputs(p->is_outcome ? "Apply outcome: " : "Plan: ", out);
	esc(out, p->file);
	fputs("</h1>\n<p class=\"meta\">Site ", out);
	esc(out, p->site_url);
	fprintf(out, ", read by %s; mode %s", site_read_name(p->site_read), plan_mode_name(p->mode));
	if (p->file_datetime && *p->file_datetime) {
		fputs("; file dated ", out);
		esc(out, p->file_datetime);
	}
	if (p->is_outcome)
		fprintf(out, "; run %" PRId64, p->run_id);
	fputs(". Generated by ", out);
	esc(out, o && o->generated_by ? o->generated_by : "ims2moodle");
	fputs(".</p>\n", out);
	summary(out, p);
	controls(out, p);
	actions_table(out, p);
	other_tables(out, p);
	fprintf(out, "<script>%s</script>\n</body></html>\n", script_js);
	return 0;
}
