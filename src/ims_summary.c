/* ims_summary.c -- the check summary as text and JSON (see ims_summary.h). */
#include "config.h"
#include "ims_summary.h"
#include "util.h"

#include <inttypes.h>
#include <string.h>

uint64_t ims_summary_warning_count(const ims_model *m)
{
	uint64_t n = 0;
	for (int k = 0; k < W_KIND_COUNT; k++)
		n += m->warnings[k].count;
	return n;
}

void ims_each_quarantined(const ims_model *m, ims_quarantine_fn fn, void *ctx)
{
	for (const ims_person *p = m->persons; p; p = p->next)
		if (p->quarantine)
			fn(ctx, "person", p->id ? p->id : "", NULL, p->loc.line, p->quarantine);
	for (const ims_group *g = m->groups; g; g = g->next)
		if (g->quarantine)
			fn(ctx, "group", g->id ? g->id : "", NULL, g->loc.line, g->quarantine);
	for (const ims_membership *ms = m->memberships; ms; ms = ms->next) {
		if (ms->quarantine) {
			fn(ctx, "membership", ms->id ? ms->id : "", NULL, ms->loc.line, ms->quarantine);
			continue;
		}
		for (const ims_member *mb = ms->members; mb; mb = mb->next) {
			if (mb->quarantine) {
				fn(ctx, "member", mb->id, ms->id, mb->line, mb->quarantine);
				continue;
			}
			for (const ims_role *r = mb->roles; r; r = r->next)
				if (r->quarantine)
					fn(ctx, "role", mb->id, ms->id, r->line, r->quarantine);
		}
	}
}

static const char *const rs_names[5] = { "unspecified", "add", "update", "delete", "invalid" };
static const char *const rs_json_names[5] = { "none", "add", "update", "delete", "invalid" };

/* ---- text --------------------------------------------------------------------- */

typedef struct text_ctx {
	FILE *out;
	int shown;
	uint64_t total;
} text_ctx;

static void text_quarantined(void *ctx, const char *kind, const char *id, const char *container,
			     uint32_t line, const char *reason)
{
	text_ctx *t = ctx;
	t->total++;
	if (t->shown >= 20)
		return;
	t->shown++;
	if (container)
		fprintf(t->out, "    line %u: %s %s in group %s: %s\n", line, kind, id, container, reason);
	else
		fprintf(t->out, "    line %u: %s %s: %s\n", line, kind, *id ? id : "(no id)", reason);
}

static void plural(FILE *out, uint64_t n, const char *one, const char *many)
{
	fprintf(out, "%" PRIu64 " %s", n, n == 1 ? one : many);
}

void ims_summary_repairs_text(FILE *out, const ims_model *m, const char *indent)
{
	for (int k = 0; k < IMS_REPAIR_KINDS; k++) {
		const ims_repair_group *g = &m->repairs[k];
		if (!g->count)
			continue;
		fprintf(out, "%srepaired (%s): %" PRIu64 " at", indent, ims_repair_kind_name(k), g->count);
		for (int i = 0; i < g->nsamples; i++)
			fprintf(out, "%s %u:%u", i ? "," : "", g->samples[i].line, g->samples[i].col);
		if (g->count > (uint64_t)g->nsamples)
			fprintf(out, ", ...");
		fprintf(out, "\n");
	}
}

void ims_summary_text(FILE *out, const ims_model *m, const char *file, bool color)
{
	const ims_counts *c = &m->counts;
	const ims_properties *pr = &m->properties;
	uint64_t nwarn = ims_summary_warning_count(m);
	const char *bold = color ? "\033[1m" : "", *off = color ? "\033[0m" : "";

	fprintf(out, "%s%s%s: read in full, well-formed\n", bold, file, off);
	if (pr->present)
		fprintf(out, "  source:      %s%s%s%s\n", pr->datasource ? pr->datasource : "(no datasource)",
			pr->datetime && *pr->datetime ? ", dated " : "", pr->datetime ? pr->datetime : "",
			pr->type && *pr->type ? "" : "");
	fprintf(out, "  records:     ");
	plural(out, c->persons, "person", "persons");
	fprintf(out, ", ");
	plural(out, c->groups, "group", "groups");
	fprintf(out, ", ");
	plural(out, c->memberships, "membership", "memberships");
	fprintf(out, " with ");
	plural(out, c->members, "member", "members");
	fprintf(out, " and ");
	plural(out, c->roles, "role", "roles");
	fprintf(out, "\n");
	if (c->duplicates)
		fprintf(out, "  duplicates:  %" PRIu64 " repeated records merged\n", c->duplicates);
	if (c->roles) {
		fprintf(out, "  roles:      ");
		bool first = true;
		for (int t = 1; t <= ROLE_COUNT; t++) {
			uint64_t n = c->roles_by_type[t == ROLE_COUNT ? ROLE_COUNT : t];
			if (!n)
				continue;
			if (t == ROLE_COUNT)
				fprintf(out, "%s %" PRIu64 " unknown", first ? "" : ",", n);
			else
				fprintf(out, "%s %" PRIu64 " %s (%s)", first ? "" : ",", n,
					ims_roletype_name(t), ims_roletype_code(t));
			first = false;
		}
		if (c->roles_by_type[0])
			fprintf(out, "%s %" PRIu64 " without roletype", first ? "" : ",", c->roles_by_type[0]);
		fprintf(out, "\n  status:      %" PRIu64 " active, %" PRIu64 " inactive", c->roles_by_status[1],
			c->roles_by_status[0]);
		if (c->roles_by_status[2])
			fprintf(out, ", %" PRIu64 " missing or invalid", c->roles_by_status[2]);
		fprintf(out, "\n");
	}
	static const char *const what[3] = { "persons", "groups", "roles" };
	fprintf(out, "  recstatus:  ");
	for (int w = 0; w < 3; w++) {
		fprintf(out, "%s %s", w ? ";" : "", what[w]);
		bool any = false;
		for (int k = 0; k < 5; k++) {
			if (!c->recstatus[w][k])
				continue;
			fprintf(out, "%s %" PRIu64 " %s", any ? "," : "", c->recstatus[w][k], rs_names[k]);
			any = true;
		}
		if (!any)
			fprintf(out, " none");
	}
	fprintf(out, "\n");
	ims_summary_repairs_text(out, m, "  ");
	if (nwarn) {
		fprintf(out, "  warnings:    %" PRIu64 "\n", nwarn);
		ims_summary_warnings_text(out, m->warnings, "    ");
	} else {
		fprintf(out, "  warnings:    none\n");
	}
	if (c->quarantined) {
		text_ctx t = { out, 0, 0 };
		fprintf(out, "  quarantined: %" PRIu64 " (reported, never applied)\n", c->quarantined);
		ims_each_quarantined(m, text_quarantined, &t);
		if (t.total > (uint64_t)t.shown)
			fprintf(out, "    ... and %" PRIu64 " more (--format json lists them all)\n",
				t.total - (uint64_t)t.shown);
	} else {
		fprintf(out, "  quarantined: none\n");
	}
}

/* ---- JSON --------------------------------------------------------------------- */

#define QUARANTINE_JSON_MAX 100000

static json_object *j_u64(uint64_t n)
{
	return json_object_new_int64((int64_t)n);
}

static void json_quarantined(void *ctx, const char *kind, const char *id, const char *container,
			     uint32_t line, const char *reason)
{
	json_object *arr = ctx;
	if (json_object_array_length(arr) >= QUARANTINE_JSON_MAX)
		return;
	json_object *q = json_object_new_object();
	json_object_object_add(q, "kind", json_object_new_string(kind));
	json_object_object_add(q, "sourcedid", json_object_new_string(id));
	if (container)
		json_object_object_add(q, "group", json_object_new_string(container));
	json_object_object_add(q, "line", j_u64(line));
	json_object_object_add(q, "reason", json_object_new_string(reason));
	json_object_array_add(arr, q);
}

void ims_summary_add_repairs_json(json_object *obj, const ims_model *m)
{
	json_object *rep = json_object_new_object();
	for (int k = 0; k < IMS_REPAIR_KINDS; k++) {
		const ims_repair_group *g = &m->repairs[k];
		json_object *o = json_object_new_object();
		json_object *first = json_object_new_array();
		for (int i = 0; i < g->nsamples; i++) {
			json_object *at = json_object_new_object();
			json_object_object_add(at, "line", j_u64(g->samples[i].line));
			json_object_object_add(at, "col", j_u64(g->samples[i].col));
			json_object_array_add(first, at);
		}
		json_object_object_add(o, "count", j_u64(g->count));
		json_object_object_add(o, "first", first);
		json_object_object_add(rep, ims_repair_kind_name(k), o);
	}
	json_object_object_add(obj, "repairs", rep);
}

json_object *ims_summary_json(const ims_model *m, const char *file)
{
	const ims_counts *c = &m->counts;
	json_object *o = json_object_new_object();

	json_object_object_add(o, "file", json_object_new_string(file));
	json_object_object_add(o, "status", json_object_new_string("valid"));
	json_object_object_add(o, "persons", j_u64(c->persons));
	json_object_object_add(o, "groups", j_u64(c->groups));
	json_object_object_add(o, "memberships", j_u64(c->memberships));
	json_object_object_add(o, "members", j_u64(c->members));
	json_object_object_add(o, "roles", j_u64(c->roles));
	json_object_object_add(o, "warnings", j_u64(ims_summary_warning_count(m)));
	json_object_object_add(o, "quarantined", j_u64(c->quarantined));
	json_object_object_add(o, "duplicates", j_u64(c->duplicates));

	json_object *props = json_object_new_object();
	const ims_properties *pr = &m->properties;
	json_object_object_add(props, "present", json_object_new_boolean(pr->present));
	if (pr->datasource)
		json_object_object_add(props, "datasource", json_object_new_string(pr->datasource));
	if (pr->type)
		json_object_object_add(props, "type", json_object_new_string(pr->type));
	if (pr->datetime)
		json_object_object_add(props, "datetime", json_object_new_string(pr->datetime));
	json_object_object_add(o, "properties", props);

	json_object *bytype = json_object_new_object();
	for (int t = 0; t <= ROLE_COUNT; t++) {
		const char *key = t == 0 ? "missing" : t == ROLE_COUNT ? "unknown" : ims_roletype_code(t);
		json_object_object_add(bytype, key, j_u64(c->roles_by_type[t]));
	}
	json_object_object_add(o, "roles_by_type", bytype);
	json_object *bystatus = json_object_new_object();
	json_object_object_add(bystatus, "active", j_u64(c->roles_by_status[1]));
	json_object_object_add(bystatus, "inactive", j_u64(c->roles_by_status[0]));
	json_object_object_add(bystatus, "invalid", j_u64(c->roles_by_status[2]));
	json_object_object_add(o, "roles_by_status", bystatus);

	json_object *rs = json_object_new_object();
	static const char *const what[3] = { "person", "group", "role" };
	for (int w = 0; w < 3; w++) {
		json_object *x = json_object_new_object();
		for (int k = 0; k < 5; k++)
			json_object_object_add(x, rs_json_names[k], j_u64(c->recstatus[w][k]));
		json_object_object_add(rs, what[w], x);
	}
	json_object_object_add(o, "recstatus", rs);

	json_object_object_add(o, "warning_kinds", ims_summary_warnings_json(m->warnings));

	json_object *q = json_object_new_array();
	ims_each_quarantined(m, json_quarantined, q);
	json_object_object_add(o, "quarantine", q);
	if (c->quarantined > QUARANTINE_JSON_MAX)
		json_object_object_add(o, "quarantine_truncated", json_object_new_boolean(1));
	ims_summary_add_repairs_json(o, m);
	return o;
}

json_object *ims_summary_warnings_json(const ims_warning_group *w)
{
	json_object *kinds = json_object_new_object();
	for (int k = 0; w && k < W_KIND_COUNT; k++) {
		const ims_warning_group *g = &w[k];
		if (!g->count)
			continue;
		json_object *wk = json_object_new_object();
		json_object *first = json_object_new_array();
		for (int i = 0; i < g->nsamples; i++) {
			json_object *s = json_object_new_object();
			json_object_object_add(s, "line", j_u64(g->samples[i].loc.line));
			json_object_object_add(s, "detail", json_object_new_string(g->samples[i].detail));
			json_object_array_add(first, s);
		}
		json_object_object_add(wk, "count", j_u64(g->count));
		json_object_object_add(wk, "first", first);
		json_object_object_add(kinds, ims_warning_name(k), wk);
	}
	return kinds;
}

void ims_summary_warnings_text(FILE *out, const ims_warning_group *w, const char *indent)
{
	for (int k = 0; w && k < W_KIND_COUNT; k++) {
		const ims_warning_group *g = &w[k];
		if (!g->count)
			continue;
		fprintf(out, "%s%s (%" PRIu64 "):\n", indent, ims_warning_name(k), g->count);
		for (int i = 0; i < g->nsamples; i++) {
			strbuf tmp = STRBUF_INIT;
			fprintf(out, "%s  line %u: %s\n", indent, g->samples[i].loc.line,
				str_printable(g->samples[i].detail, &tmp));
			sb_free(&tmp);
		}
		if (g->count > (uint64_t)g->nsamples)
			fprintf(out, "%s  ... and %" PRIu64 " more\n", indent, g->count - (uint64_t)g->nsamples);
	}
}
