/* report_json.c -- the plan or outcome as JSON, with stable keys in a
 * stable order (the schema is doc/plan-json.md). Absent values are left
 * out rather than written as null. */
#include "config.h"
#include "report.h"
#include "ims_summary.h"
#include "settings.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

static void add_str(json_object *o, const char *key, const char *v)
{
	if (v)
		json_object_object_add(o, key, json_object_new_string(v));
}

static void add_int(json_object *o, const char *key, int64_t v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

static void add_id(json_object *o, const char *key, int64_t v)
{
	if (v)
		add_int(o, key, v);
}

static void add_date(json_object *o, const char *key, int64_t t)
{
	char buf[40], iso[48];
	if (!t)
		return;
	add_int(o, key, t);
	snprintf(iso, sizeof iso, "%s_iso", key);
	add_str(o, iso, report_date(t, buf, sizeof buf));
}

static json_object *percent(double v)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%.1f", v);
	return json_object_new_double_s(v, buf);
}

#define FLAGS (JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE)

/* Writes one element of a list and frees it. */
static void put_element(FILE *out, json_object *o, bool first)
{
	fputs(first ? "\n" : ",\n", out);
	fputs(json_object_to_json_string_ext(o, FLAGS), out);
	json_object_put(o);
}

static json_object *object_json(const plan_action *a)
{
	const plan_object *ob = a->obj;
	json_object *o = json_object_new_object();
	add_str(o, "name", ob->name);
	add_str(o, "shortname", ob->shortname);
	add_str(o, "fullname", ob->fullname);
	add_str(o, "idnumber", ob->idnumber);
	add_str(o, "summary", ob->summary);
	if (a->kind == PA_CREATE_COURSE)
		add_int(o, "visible", ob->visible);
	add_date(o, "startdate", ob->startdate);
	add_date(o, "enddate", ob->enddate);
	add_str(o, "username", ob->username);
	add_str(o, "email", ob->email);
	add_str(o, "firstname", ob->firstname);
	add_str(o, "lastname", ob->lastname);
	add_str(o, "auth", ob->auth);
	add_str(o, "city", ob->city);
	add_str(o, "country", ob->country);
	add_id(o, "categoryid", ob->categoryid);
	add_str(o, "category", ob->category_ref);
	if (a->kind == PA_CREATE_CATEGORY) {
		add_int(o, "parentid", ob->parentid);
		add_str(o, "parent", ob->parent_ref);
	}
	add_id(o, "groupid", ob->groupid);
	if (ob->changes) {
		json_object *ch = json_object_new_array();
		for (const plan_change *c = ob->changes; c; c = c->next) {
			json_object *x = json_object_new_object();
			add_str(x, "field", c->field);
			add_str(x, "from", c->from ? c->from : "");
			add_str(x, "to", c->to);
			json_object_array_add(ch, x);
		}
		json_object_object_add(o, "changes", ch);
	}
	return o;
}

static json_object *action_json(const plan *p, const plan_action *a)
{
	json_object *o = json_object_new_object();
	add_int(o, "seq", a->seq);
	add_str(o, "action", plan_kind_name(a->kind));
	if (a->line)
		add_int(o, "line", a->line);
	add_str(o, "group", a->group_id);
	add_str(o, "person", a->person_id);
	add_id(o, "courseid", a->courseid);
	add_str(o, "course_ref", a->course_ref);
	add_id(o, "userid", a->userid);
	add_str(o, "user_ref", a->user_ref);
	add_str(o, "role", a->role);
	add_id(o, "roleid", a->roleid);
	add_date(o, "timestart", a->timestart);
	add_date(o, "timeend", a->timeend);
	if (a->kind == PA_SUSPEND || a->kind == PA_REACTIVATE || a->kind == PA_ENROL ||
	    a->kind == PA_UPDATE_ENROLMENT)
		json_object_object_add(o, "suspend", json_object_new_boolean(a->suspend));
	if (a->obj)
		json_object_object_add(o, "object", object_json(a));
	add_str(o, "reason", a->reason);
	if (a->held)
		json_object_object_add(o, "held_back", json_object_new_boolean(true));
	if (p->is_outcome) {
		add_str(o, "result", action_result_name((enum action_result)a->result));
		add_str(o, "error", a->error);
	}
	return o;
}

int report_json(FILE *out, const plan *p, const report_options *opt)
{
	json_object *root = json_object_new_object();
	add_str(root, "ims2moodle", PACKAGE_VERSION);
	add_int(root, "format", 1);
	add_str(root, "kind", p->is_outcome ? "outcome" : "plan");
	add_str(root, "file", p->file);
	add_str(root, "file_datetime", p->file_datetime);
	add_str(root, "mode", plan_mode_name(p->mode));
	add_str(root, "site_read", site_read_name(p->site_read));
	add_str(root, "site", p->site_url);
	add_str(root, "status", report_status(p));
	add_str(root, "refused_reason", p->refused_reason);
	add_str(root, "skipped_reason", p->skipped_reason);
	if (p->is_outcome)
		add_int(root, "run", p->run_id);

	json_object *sum = json_object_new_object();
	for (int k = 0; k < PA_KIND_COUNT; k++)
		add_int(sum, plan_kind_name(k), (int64_t)p->counts[k]);
	add_int(sum, "unchanged", (int64_t)p->unchanged);
	add_int(sum, "drift", (int64_t)p->drift);
	add_int(sum, "skipped", (int64_t)p->nskips);
	add_int(sum, "quarantined", (int64_t)p->nquarantine);
	json_object_object_add(sum, "refused", json_object_new_boolean(p->refused));
	json_object_object_add(root, "summary", sum);

	if (p->is_outcome) {
		json_object *res = json_object_new_object();
		for (int k = 0; k < PA_KIND_COUNT; k++) {
			if (!p->counts[k])
				continue;
			json_object *r = json_object_new_object();
			for (int x = AR_DONE; x <= AR_NOT_RUN; x++)
				add_int(r, action_result_name((enum action_result)x), (int64_t)p->results[k][x]);
			json_object_object_add(res, plan_kind_name(k), r);
		}
		json_object_object_add(root, "results", res);
	}

	json_object *safety = json_object_new_array();
	for (size_t i = 0; i < p->nsafety; i++) {
		const plan_safety *s = &p->safety[i];
		json_object *x = json_object_new_object();
		add_str(x, "class", safety_class_name(s->cls));
		add_str(x, "scope", s->scope);
		add_int(x, "count", s->count);
		add_int(x, "base", s->base);
		json_object_object_add(x, "percent", percent(s->percent));
		if (s->max_percent >= 0)
			json_object_object_add(x, "max_percent", percent(s->max_percent));
		if (s->max_count >= 0)
			add_int(x, "max_count", s->max_count);
		add_int(x, "min_count", s->min_count);
		json_object_object_add(x, "exceeded", json_object_new_boolean(s->exceeded));
		json_object_array_add(safety, x);
	}
	json_object_object_add(root, "safety", safety);

	json_object *rep = json_object_new_object();
	for (int k = 0; p->repairs && k < IMS_REPAIR_KINDS; k++) {
		const ims_repair_group *g = &p->repairs[k];
		json_object *x = json_object_new_object();
		json_object *first = json_object_new_array();
		add_int(x, "count", (int64_t)g->count);
		for (int i = 0; i < g->nsamples; i++) {
			json_object *at = json_object_new_object();
			add_int(at, "line", g->samples[i].line);
			add_int(at, "col", g->samples[i].col);
			json_object_array_add(first, at);
		}
		json_object_object_add(x, "first", first);
		json_object_object_add(rep, ims_repair_kind_name(k), x);
	}
	json_object_object_add(root, "repairs", rep);
	/* the file's warnings, as check reports them: kinds that occurred */
	json_object_object_add(root, "warnings", ims_summary_warnings_json(p->warnings));

	/* The three long lists are written one element at a time, so that half
	 * a million actions never become one tree in memory. */
	const char *head = json_object_to_json_string_ext(root, FLAGS);
	size_t hn = strlen(head);
	while (hn && head[hn - 1] != '}')
		hn--;
	if (hn)
		hn--; /* the root's closing brace: the lists follow */
	while (hn && (head[hn - 1] == ' ' || head[hn - 1] == '\n'))
		hn--;
	fwrite(head, 1, hn, out);

	fputs(",\n  \"actions\": [", out);
	for (size_t i = 0; i < p->nactions; i++)
		put_element(out, action_json(p, &p->actions[i]), i == 0);
	fputs(p->nactions ? "\n  ],\n  \"skipped\": [" : "],\n  \"skipped\": [", out);
	for (size_t i = 0; i < p->nskips; i++) {
		const plan_skip *sk = &p->skips[i];
		json_object *x = json_object_new_object();
		if (sk->line)
			add_int(x, "line", sk->line);
		add_str(x, "what", sk->what);
		add_str(x, "group", sk->group_id);
		add_str(x, "person", sk->person_id);
		add_str(x, "reason", sk->reason);
		put_element(out, x, i == 0);
	}
	fputs(p->nskips ? "\n  ],\n  \"quarantined\": [" : "],\n  \"quarantined\": [", out);
	for (size_t i = 0; i < p->nquarantine; i++) {
		const plan_quarantine *q = &p->quarantine[i];
		json_object *x = json_object_new_object();
		if (q->line)
			add_int(x, "line", q->line);
		add_str(x, "what", q->what);
		add_str(x, "id", q->id);
		add_str(x, "group", q->group_id);
		add_str(x, "reason", q->reason);
		add_str(x, "candidates", q->candidates);
		put_element(out, x, i == 0);
	}
	fputs(p->nquarantine ? "\n  ]\n}\n" : "]\n}\n", out);
	json_object_put(root);
	(void)opt;
	return 0;
}
