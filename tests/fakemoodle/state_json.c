/* state_json.c -- loading and dumping the state as JSON (see state_json.h). */
#include "config.h"
#include "state_json.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- field tables ---- */

enum { F_STR, F_NSTR, F_INT, F_LL };

typedef struct field {
	const char *name;
	int type;
	size_t off;
} field;

#define FS(T, f) { #f, F_STR, offsetof(T, f) }
#define FN(T, f) { #f, F_NSTR, offsetof(T, f) }
#define FI(T, f) { #f, F_INT, offsetof(T, f) }
#define FL(T, f) { #f, F_LL, offsetof(T, f) }

static const field user_fields[] = {
	FL(muser, id), FS(muser, username), FS(muser, auth), FS(muser, password), FS(muser, firstname),
	FS(muser, lastname), FS(muser, email), FS(muser, idnumber), FS(muser, institution),
	FS(muser, department), FS(muser, address), FS(muser, phone1), FS(muser, phone2), FS(muser, city),
	FS(muser, country), FS(muser, lang), FS(muser, theme), FS(muser, timezone), FS(muser, calendartype),
	FN(muser, description), FI(muser, descriptionformat), FN(muser, firstnamephonetic),
	FN(muser, lastnamephonetic), FN(muser, middlename), FN(muser, alternatename), FN(muser, interests),
	FI(muser, confirmed), FI(muser, deleted), FI(muser, suspended), FI(muser, mailformat),
	FI(muser, maildisplay), FI(muser, trackforums), FI(muser, autosubscribe), FI(muser, maildigest),
	FL(muser, mnethostid), FL(muser, firstaccess), FL(muser, lastaccess), FL(muser, timecreated),
	FL(muser, timemodified), FL(muser, contextid),
};

static const field course_fields[] = {
	FL(mcourse, id), FL(mcourse, category), FS(mcourse, fullname), FS(mcourse, shortname),
	FS(mcourse, idnumber), FS(mcourse, summary), FI(mcourse, summaryformat), FS(mcourse, format),
	FI(mcourse, showgrades), FI(mcourse, newsitems), FL(mcourse, startdate), FL(mcourse, enddate),
	FL(mcourse, maxbytes), FI(mcourse, showreports), FI(mcourse, visible), FI(mcourse, visibleold),
	FI(mcourse, groupmode), FI(mcourse, groupmodeforce), FL(mcourse, defaultgroupingid),
	FI(mcourse, enablecompletion), FI(mcourse, completionnotify), FS(mcourse, lang), FS(mcourse, theme),
	FS(mcourse, calendartype), FL(mcourse, timecreated), FL(mcourse, timemodified), FL(mcourse, cacherev),
	FI(mcourse, marker), FI(mcourse, legacyfiles), FI(mcourse, requested), FI(mcourse, numsections),
	FI(mcourse, showactivitydates), FI(mcourse, showcompletionconditions), FL(mcourse, createdby),
	FI(mcourse, hiddensections), FI(mcourse, coursedisplay), FL(mcourse, contextid),
};

static const field cat_fields[] = {
	FL(mcategory, id), FS(mcategory, name), FN(mcategory, idnumber), FS(mcategory, description),
	FI(mcategory, descriptionformat), FL(mcategory, parent), FI(mcategory, visible),
	FI(mcategory, visibleold), FL(mcategory, timemodified), FS(mcategory, theme), FL(mcategory, contextid),
};

static const field enrol_fields[] = {
	FL(menrol, id), FS(menrol, enrol), FI(menrol, status), FL(menrol, roleid), FL(menrol, timecreated),
};

static const field ue_fields[] = {
	FL(muenrol, id), FL(muenrol, enrolid), FL(muenrol, userid), FI(muenrol, status),
	FL(muenrol, timestart), FL(muenrol, timeend), FL(muenrol, timecreated), FL(muenrol, timemodified),
};

static const field ra_fields[] = {
	FL(mra, id), FL(mra, roleid), FL(mra, contextid), FL(mra, userid), FS(mra, component),
	FL(mra, itemid), FL(mra, timemodified),
};

static const field group_fields[] = {
	FL(mgroup, id), FL(mgroup, courseid), FS(mgroup, name), FS(mgroup, idnumber), FS(mgroup, description),
	FI(mgroup, descriptionformat), FN(mgroup, enrolmentkey), FI(mgroup, visibility),
	FI(mgroup, participation), FL(mgroup, timecreated), FL(mgroup, timemodified),
};

static const field notif_fields[] = {
	FL(mnotif, id), FL(mnotif, useridto), FL(mnotif, useridfrom), FS(mnotif, eventtype),
	FS(mnotif, subject), FL(mnotif, timecreated),
};

/* ---- dump ---- */

void json_add_str(strbuf *out, const char *s)
{
	sb_addc(out, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': sb_adds(out, "\\\""); break;
		case '\\': sb_adds(out, "\\\\"); break;
		case '\n': sb_adds(out, "\\n"); break;
		case '\r': sb_adds(out, "\\r"); break;
		case '\t': sb_adds(out, "\\t"); break;
		default:
			if (*p < 0x20)
				sb_addf(out, "\\u%04x", *p);
			else
				sb_addc(out, (char)*p);
		}
	}
	sb_addc(out, '"');
}

static void dump_fields(strbuf *out, const void *row, const field *f, size_t nf)
{
	for (size_t i = 0; i < nf; i++) {
		const char *p = (const char *)row + f[i].off;
		if (i)
			sb_adds(out, ", ");
		json_add_str(out, f[i].name);
		sb_adds(out, ": ");
		switch (f[i].type) {
		case F_STR:
		case F_NSTR: {
			const char *s = *(char *const *)p;
			if (s)
				json_add_str(out, s);
			else
				sb_adds(out, f[i].type == F_STR ? "\"\"" : "null");
			break;
		}
		case F_INT:
			sb_addf(out, "%d", *(const int *)p);
			break;
		case F_LL:
			sb_addf(out, "%lld", *(const long long *)p);
			break;
		}
	}
}

static int cmp_id(const void *a, const void *b)
{
	mid x = **(const mid *const *)a, y = **(const mid *const *)b;
	return x < y ? -1 : x > y;
}

static void sort_by_id(vec *v)
{
	/* every row struct starts with its mid id */
	vec_sort(v, cmp_id);
}

static void dump_int_vec(strbuf *out, const vec *v)
{
	sb_addc(out, '[');
	for (size_t i = 0; i < v->n; i++)
		sb_addf(out, "%s%lld", i ? ", " : "", (long long)(intptr_t)v->v[i]);
	sb_addc(out, ']');
}

static void dump_settings(state *st, strbuf *out)
{
	const msettings *s = &st->set;
	sb_addf(out, "  \"settings\": {\"debug\": %d, \"allowaccountssameemail\": %d, \"extendedusernamechars\": %d, "
		"\"passwordpolicy\": %d, \"minpasswordlength\": %d, \"minpassworddigits\": %d, \"minpasswordlower\": %d, "
		"\"minpasswordupper\": %d, \"minpasswordnonalphanum\": %d, \"maxconsecutiveidentchars\": %d,\n",
		s->debug, s->allowaccountssameemail, s->extendedusernamechars, s->passwordpolicy, s->minpasswordlength,
		s->minpassworddigits, s->minpasswordlower, s->minpasswordupper, s->minpasswordnonalphanum,
		s->maxconsecutiveidentchars);
	sb_addf(out, "    \"enrol_manual\": {\"enabled\": %d, \"defaultenrol\": %d, \"status\": %d, \"roleid\": %lld, "
		"\"sendcoursewelcomemessage\": %d},\n", s->manual_enabled, s->manual_defaultenrol, s->manual_status,
		s->manual_roleid, s->manual_welcome);
	sb_addf(out, "    \"enrol_guest\": {\"enabled\": %d, \"defaultenrol\": %d, \"status\": %d},\n", s->guest_enabled,
		s->guest_defaultenrol, s->guest_status);
	sb_addf(out, "    \"enrol_self\": {\"enabled\": %d, \"defaultenrol\": %d, \"status\": %d, \"roleid\": %lld},\n",
		s->self_enabled, s->self_defaultenrol, s->self_status, s->self_roleid);
	sb_addf(out, "    \"enablecompletion\": %d, \"moodlecourse_enablecompletion\": %d, \"coursecontact\": ",
		s->enablecompletion, s->completion_default);
	dump_int_vec(out, &s->coursecontact);
	sb_adds(out, ", \"siteadmins\": ");
	dump_int_vec(out, &s->siteadmins);
	sb_adds(out, ", \"sitename\": ");
	json_add_str(out, st_s(s->sitename));
	sb_adds(out, ", \"defaultcountry\": ");
	json_add_str(out, st_s(s->defaultcountry));
	sb_adds(out, ", \"lang\": ");
	json_add_str(out, st_s(s->lang));
	sb_addf(out, ", \"now\": %lld, \"max_input_vars\": %d},\n", s->now, s->max_input_vars);
}

static void dump_rows(strbuf *out, const char *key, vec *rows, const field *f, size_t nf,
		      void (*extra)(state *, strbuf *, void *), state *st, bool last)
{
	sort_by_id(rows);
	sb_addf(out, "  \"%s\": [", key);
	for (size_t i = 0; i < rows->n; i++) {
		sb_adds(out, i ? ",\n    {" : "\n    {");
		dump_fields(out, rows->v[i], f, nf);
		if (extra)
			extra(st, out, rows->v[i]);
		sb_addc(out, '}');
	}
	sb_adds(out, rows->n ? "\n  ]" : "]");
	sb_adds(out, last ? "\n" : ",\n");
}

static void extra_cat(state *st, strbuf *out, void *row)
{
	mcategory *c = row;
	st_refresh_categories(st);
	sb_addf(out, ", \"sortorder\": %lld, \"depth\": %d, \"path\": ", c->sortorder, c->depth);
	json_add_str(out, st_s(c->path));
}

static void extra_course(state *st, strbuf *out, void *row)
{
	mcourse *c = row;
	sb_addf(out, ", \"sortorder\": %lld, \"enrol\": [", st_course_sortorder(st, c));
	vec es = { 0 };
	for (size_t i = 0; i < c->enrols.n; i++)
		vec_push(&es, c->enrols.v[i]);
	sort_by_id(&es);
	for (size_t i = 0; i < es.n; i++) {
		menrol *e = es.v[i];
		sb_adds(out, i ? ", {" : "{");
		dump_fields(out, e, enrol_fields, ARRAY_LEN(enrol_fields));
		if (e->customint1_null)
			sb_adds(out, ", \"customint1\": null}");
		else
			sb_addf(out, ", \"customint1\": %lld}", e->customint1);
	}
	vec_free(&es);
	sb_addc(out, ']');
}

static int cmp_pref(const void *a, const void *b)
{
	return strcmp((*(mpref *const *)a)->name, (*(mpref *const *)b)->name);
}

static void extra_user(state *st, strbuf *out, void *row)
{
	(void)st;
	muser *u = row;
	vec ps = { 0 };
	for (size_t i = 0; i < u->prefs.n; i++)
		vec_push(&ps, u->prefs.v[i]);
	vec_sort(&ps, cmp_pref);
	sb_adds(out, ", \"preferences\": {");
	for (size_t i = 0; i < ps.n; i++) {
		mpref *p = ps.v[i];
		if (i)
			sb_adds(out, ", ");
		json_add_str(out, p->name);
		sb_adds(out, ": ");
		json_add_str(out, p->value);
	}
	sb_addc(out, '}');
	vec_free(&ps);
}

static void extra_ue(state *st, strbuf *out, void *row)
{
	(void)st;
	muenrol *ue = row;
	sb_addf(out, ", \"courseid\": %lld, \"enrol\": ", ue->inst->courseid);
	json_add_str(out, ue->inst->enrol);
}

static const char *level_name(int level)
{
	switch (level) {
	case CTX_SYSTEM: return "system";
	case CTX_USER: return "user";
	case CTX_COURSECAT: return "coursecat";
	case CTX_COURSE: return "course";
	case CTX_MODULE: return "module";
	case CTX_BLOCK: return "block";
	}
	return "unknown";
}

static void extra_ra(state *st, strbuf *out, void *row)
{
	mra *ra = row;
	mcontext *c = st_context(st, ra->contextid);
	if (c) {
		sb_adds(out, ", \"contextlevel\": ");
		json_add_str(out, level_name(c->level));
		sb_addf(out, ", \"instanceid\": %lld", c->instance);
	}
}

static int cmp_member(const void *a, const void *b)
{
	mid x = (*(mmember *const *)a)->userid, y = (*(mmember *const *)b)->userid;
	return x < y ? -1 : x > y;
}

static void extra_group(state *st, strbuf *out, void *row)
{
	(void)st;
	mgroup *g = row;
	vec ms = { 0 };
	size_t it = 0;
	uint64_t k;
	void *v;
	while (u64map_next(&g->members, &it, &k, &v))
		vec_push(&ms, v);
	vec_sort(&ms, cmp_member);
	sb_adds(out, ", \"members\": [");
	for (size_t i = 0; i < ms.n; i++) {
		mmember *m = ms.v[i];
		sb_addf(out, "%s{\"id\": %lld, \"userid\": %lld, \"component\": ", i ? ", " : "", m->id, m->userid);
		json_add_str(out, m->component);
		sb_addf(out, ", \"itemid\": %lld, \"timeadded\": %lld}", m->itemid, m->timeadded);
	}
	sb_addc(out, ']');
	vec_free(&ms);
}

void state_dump(state *st, strbuf *out)
{
	st_refresh_categories(st);
	sb_adds(out, "{\n");
	dump_settings(st, out);
	sb_addf(out, "  \"sequences\": {\"user\": %lld, \"course\": %lld, \"category\": %lld, \"enrol\": %lld, "
		"\"user_enrolments\": %lld, \"role_assignments\": %lld, \"groups\": %lld, \"groups_members\": %lld, "
		"\"context\": %lld, \"notifications\": %lld},\n", st->seq_user, st->seq_course, st->seq_cat,
		st->seq_enrol, st->seq_ue, st->seq_ra, st->seq_group, st->seq_member, st->seq_context, st->seq_notif);

	sb_adds(out, "  \"roles\": [");
	for (size_t i = 0; i < st->roles.n; i++) {
		mrole *r = st->roles.v[i];
		sb_addf(out, "%s\n    {\"id\": %lld, \"shortname\": ", i ? "," : "", r->id);
		json_add_str(out, r->shortname);
		sb_adds(out, ", \"name\": ");
		json_add_str(out, r->name);
		sb_addf(out, ", \"sortorder\": %d, \"archetype\": ", r->sortorder);
		json_add_str(out, r->archetype);
		sb_adds(out, ", \"contextlevels\": [");
		for (int j = 0; j < r->nlevels; j++)
			sb_addf(out, "%s%d", j ? ", " : "", r->levels[j]);
		sb_adds(out, "]}");
	}
	sb_adds(out, "\n  ],\n  \"service\": [");
	for (size_t i = 0; i < st->service.n; i++) {
		sb_adds(out, i ? ",\n    " : "\n    ");
		json_add_str(out, st->service.v[i]);
	}
	sb_adds(out, "\n  ],\n  \"accounts\": [");
	for (size_t i = 0; i < st->accounts.n; i++) {
		maccount *a = st->accounts.v[i];
		sb_adds(out, i ? ",\n    {\"token\": " : "\n    {\"token\": ");
		json_add_str(out, a->token);
		sb_adds(out, ", \"name\": ");
		json_add_str(out, st_s(a->name));
		sb_addf(out, ", \"userid\": %lld, \"caps\": [", a->userid);
		for (size_t j = 0; j < a->caps.n; j++) {
			if (j)
				sb_adds(out, ", ");
			json_add_str(out, a->caps.v[j]);
		}
		sb_adds(out, "], \"allow_assign\": ");
		dump_int_vec(out, &a->allow_assign);
		sb_addc(out, '}');
	}
	sb_adds(out, st->accounts.n ? "\n  ],\n" : "],\n");

	vec rows = { 0 };
	for (size_t i = 0; i < st->cats_cap; i++)
		if (st->cats[i])
			vec_push(&rows, st->cats[i]);
	dump_rows(out, "categories", &rows, cat_fields, ARRAY_LEN(cat_fields), extra_cat, st, false);
	rows.n = 0;
	for (size_t i = 0; i < st->courses_cap; i++)
		if (st->courses[i])
			vec_push(&rows, st->courses[i]);
	dump_rows(out, "courses", &rows, course_fields, ARRAY_LEN(course_fields), extra_course, st, false);
	rows.n = 0;
	for (size_t i = 0; i < st->users_cap; i++)
		if (st->users[i])
			vec_push(&rows, st->users[i]);
	dump_rows(out, "users", &rows, user_fields, ARRAY_LEN(user_fields), extra_user, st, false);
	rows.n = 0;
	for (size_t i = 0; i < st->enrols_cap; i++) {
		menrol *e = st->enrols[i];
		if (!e)
			continue;
		size_t it = 0;
		uint64_t k;
		void *v;
		while (u64map_next(&e->ues, &it, &k, &v))
			vec_push(&rows, v);
	}
	dump_rows(out, "user_enrolments", &rows, ue_fields, ARRAY_LEN(ue_fields), extra_ue, st, false);
	rows.n = 0;
	{
		size_t it = 0;
		uint64_t k;
		void *v;
		while (u64map_next(&st->ra_by_ctx, &it, &k, &v)) {
			vec *rv = v;
			for (size_t j = 0; j < rv->n; j++)
				vec_push(&rows, rv->v[j]);
		}
	}
	dump_rows(out, "role_assignments", &rows, ra_fields, ARRAY_LEN(ra_fields), extra_ra, st, false);
	rows.n = 0;
	for (size_t i = 0; i < st->groups_cap; i++)
		if (st->groups[i])
			vec_push(&rows, st->groups[i]);
	dump_rows(out, "groups", &rows, group_fields, ARRAY_LEN(group_fields), extra_group, st, false);
	rows.n = 0;
	for (size_t i = 0; i < st->notifications.n; i++)
		vec_push(&rows, st->notifications.v[i]);
	dump_rows(out, "notifications", &rows, notif_fields, ARRAY_LEN(notif_fields), NULL, st, true);
	vec_free(&rows);
	sb_adds(out, "}\n");
}

/* ---- load ---- */

static int load_fields(void *row, json_object *obj, const field *f, size_t nf, const char *what, errinfo *e)
{
	for (size_t i = 0; i < nf; i++) {
		json_object *v;
		if (!json_object_object_get_ex(obj, f[i].name, &v))
			continue;
		char *p = (char *)row + f[i].off;
		switch (f[i].type) {
		case F_STR:
		case F_NSTR: {
			char **dst = (char **)p;
			if (!v) {
				if (f[i].type == F_STR)
					return err_set(e, -EXIT_DATAERR, "%s: %s may not be null", what, f[i].name);
				free(*dst);
				*dst = NULL;
			} else if (json_object_is_type(v, json_type_string) || json_object_is_type(v, json_type_int)) {
				free(*dst);
				*dst = xstrdup(json_object_get_string(v));
			} else
				return err_set(e, -EXIT_DATAERR, "%s: %s must be a string", what, f[i].name);
			break;
		}
		case F_INT:
		case F_LL:
			if (!v || !(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_boolean)))
				return err_set(e, -EXIT_DATAERR, "%s: %s must be an integer", what, f[i].name);
			if (f[i].type == F_INT)
				*(int *)p = (int)json_object_get_int64(v);
			else
				*(long long *)p = (long long)json_object_get_int64(v);
			break;
		}
	}
	return 0;
}

/* Rejects keys that are neither in the field table nor in extra. */
static int check_keys(json_object *obj, const field *f, size_t nf, const char *const *extra, const char *what,
		      errinfo *e)
{
	json_object_object_foreach(obj, key, val)
	{
		(void)val;
		bool ok = false;
		for (size_t i = 0; i < nf && !ok; i++)
			ok = strcmp(f[i].name, key) == 0;
		for (size_t i = 0; extra && extra[i] && !ok; i++)
			ok = strcmp(extra[i], key) == 0;
		if (!ok)
			return err_set(e, -EXIT_DATAERR, "%s: unknown key \"%s\"", what, key);
	}
	return 0;
}

static long long jint(json_object *obj, const char *key, long long def)
{
	json_object *v;
	if (!json_object_object_get_ex(obj, key, &v) || !v)
		return def;
	return json_object_get_int64(v);
}

static const char *jstr(json_object *obj, const char *key, const char *def)
{
	json_object *v;
	if (!json_object_object_get_ex(obj, key, &v) || !v)
		return def;
	return json_object_get_string(v);
}

static int load_int_list(vec *dst, json_object *arr, const char *what, errinfo *e)
{
	if (!json_object_is_type(arr, json_type_array))
		return err_set(e, -EXIT_DATAERR, "%s must be a list of integers", what);
	dst->n = 0;
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		vec_push(dst, (void *)(intptr_t)json_object_get_int64(json_object_array_get_idx(arr, i)));
	return 0;
}

int state_apply_settings(state *st, json_object *obj, errinfo *e)
{
	msettings *s = &st->set;
	if (!json_object_is_type(obj, json_type_object))
		return err_set(e, -EXIT_DATAERR, "settings must be an object");
	json_object_object_foreach(obj, key, val)
	{
		struct {
			const char *name;
			int *p;
		} ints[] = {
			{ "debug", &s->debug }, { "allowaccountssameemail", &s->allowaccountssameemail },
			{ "extendedusernamechars", &s->extendedusernamechars }, { "passwordpolicy", &s->passwordpolicy },
			{ "minpasswordlength", &s->minpasswordlength }, { "minpassworddigits", &s->minpassworddigits },
			{ "minpasswordlower", &s->minpasswordlower }, { "minpasswordupper", &s->minpasswordupper },
			{ "minpasswordnonalphanum", &s->minpasswordnonalphanum },
			{ "maxconsecutiveidentchars", &s->maxconsecutiveidentchars },
			{ "enablecompletion", &s->enablecompletion },
			{ "moodlecourse_enablecompletion", &s->completion_default },
			{ "max_input_vars", &s->max_input_vars },
		};
		bool done = false;
		for (size_t i = 0; i < ARRAY_LEN(ints); i++)
			if (strcmp(ints[i].name, key) == 0) {
				*ints[i].p = (int)json_object_get_int64(val);
				done = true;
			}
		if (done)
			continue;
		if (strcmp(key, "now") == 0)
			s->now = json_object_get_int64(val);
		else if (strcmp(key, "sitename") == 0) {
			free(s->sitename);
			s->sitename = xstrdup(json_object_get_string(val));
		} else if (strcmp(key, "defaultcountry") == 0) {
			free(s->defaultcountry);
			s->defaultcountry = xstrdup(json_object_get_string(val));
		} else if (strcmp(key, "lang") == 0) {
			free(s->lang);
			s->lang = xstrdup(json_object_get_string(val));
		} else if (strcmp(key, "coursecontact") == 0) {
			if (load_int_list(&s->coursecontact, val, "coursecontact", e))
				return e->code;
		} else if (strcmp(key, "siteadmins") == 0) {
			if (load_int_list(&s->siteadmins, val, "siteadmins", e))
				return e->code;
		} else if (strcmp(key, "enrol_manual") == 0 || strcmp(key, "enrol_guest") == 0 ||
			   strcmp(key, "enrol_self") == 0) {
			if (!json_object_is_type(val, json_type_object))
				return err_set(e, -EXIT_DATAERR, "settings.%s must be an object", key);
			char p = key[6];
			int *en = p == 'm' ? &s->manual_enabled : p == 'g' ? &s->guest_enabled : &s->self_enabled;
			int *de = p == 'm' ? &s->manual_defaultenrol : p == 'g' ? &s->guest_defaultenrol : &s->self_defaultenrol;
			int *stt = p == 'm' ? &s->manual_status : p == 'g' ? &s->guest_status : &s->self_status;
			json_object_object_foreach(val, k2, v2)
			{
				if (!strcmp(k2, "enabled"))
					*en = (int)json_object_get_int64(v2);
				else if (!strcmp(k2, "defaultenrol"))
					*de = (int)json_object_get_int64(v2);
				else if (!strcmp(k2, "status"))
					*stt = (int)json_object_get_int64(v2);
				else if (!strcmp(k2, "roleid") && p == 'm')
					s->manual_roleid = json_object_get_int64(v2);
				else if (!strcmp(k2, "roleid") && p == 's')
					s->self_roleid = json_object_get_int64(v2);
				else if (!strcmp(k2, "sendcoursewelcomemessage") && p == 'm')
					s->manual_welcome = (int)json_object_get_int64(v2);
				else
					return err_set(e, -EXIT_DATAERR, "settings.%s: unknown key \"%s\"", key, k2);
			}
		} else
			return err_set(e, -EXIT_DATAERR, "settings: unknown key \"%s\"", key);
	}
	return 0;
}

static bool obj_list(json_object *doc, const char *key, json_object **out, errinfo *e, int *rc)
{
	*rc = 0;
	if (!json_object_object_get_ex(doc, key, out) || !*out)
		return false;
	if (!json_object_is_type(*out, json_type_array)) {
		*rc = err_set(e, -EXIT_DATAERR, "%s must be a list", key);
		return false;
	}
	for (size_t i = 0; i < json_object_array_length(*out); i++)
		if (!json_object_is_type(json_object_array_get_idx(*out, i), json_type_object)) {
			*rc = err_set(e, -EXIT_DATAERR, "%s[%zu] must be an object", key, i);
			return false;
		}
	return true;
}

static int parse_level(const char *s)
{
	if (!strcmp(s, "system")) return CTX_SYSTEM;
	if (!strcmp(s, "user")) return CTX_USER;
	if (!strcmp(s, "coursecat") || !strcmp(s, "category")) return CTX_COURSECAT;
	if (!strcmp(s, "course")) return CTX_COURSE;
	return 0;
}

/* A row of the file with the keys that order its insertion. */
typedef struct load_item {
	json_object *o;
	long long so;
	mid id;
	bool done;
} load_item;

static int cmp_so_asc(const void *a, const void *b)
{
	const load_item *x = a, *y = b;
	if (x->so != y->so)
		return x->so < y->so ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* sortorder descending, id ascending: the reverse of the final course order */
static int cmp_so_desc(const void *a, const void *b)
{
	const load_item *x = a, *y = b;
	if (x->so != y->so)
		return x->so > y->so ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int load_categories(state *st, json_object *doc, errinfo *e)
{
	json_object *arr;
	int rc;
	if (!obj_list(doc, "categories", &arr, e, &rc))
		return rc;
	static const char *const extra[] = { "sortorder", "depth", "path", NULL };
	size_t n = json_object_array_length(arr);
	/* order: by sortorder when given (dump order), else by id */
	load_item *items = xcalloc(n ? n : 1, sizeof *items);
	for (size_t i = 0; i < n; i++) {
		items[i].o = json_object_array_get_idx(arr, i);
		if ((rc = check_keys(items[i].o, cat_fields, ARRAY_LEN(cat_fields), extra, "categories", e)))
			goto out;
		items[i].id = jint(items[i].o, "id", 0);
		items[i].so = jint(items[i].o, "sortorder", 0);
		if (items[i].id <= 0) {
			rc = err_set(e, -EXIT_DATAERR, "categories[%zu]: id is required", i);
			goto out;
		}
	}
	if (n > 1)
		qsort(items, n, sizeof *items, cmp_so_asc);
	/* drop a replaced fresh-site category (Category 1) */
	for (size_t i = 0; i < n; i++) {
		mcategory *old = st_cat(st, items[i].id);
		if (old && (old->children.n || old->courses.n)) {
			rc = err_set(e, -EXIT_DATAERR, "categories: duplicate id %lld", items[i].id);
			goto out;
		}
		if (old) {
			mid ctx = st_load_drop_cat(st, old);
			if (!json_object_object_get_ex(items[i].o, "contextid", NULL))
				json_object_object_add(items[i].o, "contextid", json_object_new_int64(ctx));
		}
	}
	size_t left = n;
	while (left) {
		size_t before = left;
		for (size_t i = 0; i < n; i++) {
			if (items[i].done)
				continue;
			mid parent = jint(items[i].o, "parent", 0);
			if (parent && !st_cat(st, parent))
				continue;
			mcategory *c = xcalloc(1, sizeof *c);
			c->name = xstrdup("");
			c->description = xstrdup("");
			c->descriptionformat = 1;
			c->visible = c->visibleold = 1;
			c->theme = xstrdup("");
			c->timemodified = st_now(st);
			if ((rc = load_fields(c, items[i].o, cat_fields, ARRAY_LEN(cat_fields), "categories", e))) {
				free(c);
				goto out;
			}
			if (st_cat(st, c->id)) {
				rc = err_set(e, -EXIT_DATAERR, "categories: duplicate id %lld", c->id);
				free(c);
				goto out;
			}
			st_load_context(st, c->contextid, CTX_COURSECAT, c->id);
			st_cat_insert(st, c);
			items[i].done = true;
			left--;
		}
		if (left == before) {
			rc = err_set(e, -EXIT_DATAERR, "categories: a parent does not exist (or a cycle)");
			goto out;
		}
	}
	rc = 0;
out:
	free(items);
	return rc;
}

static int load_courses(state *st, json_object *doc, errinfo *e)
{
	json_object *arr;
	int rc;
	if (!obj_list(doc, "courses", &arr, e, &rc))
		return rc;
	static const char *const extra[] = { "sortorder", "enrol", "categoryid", NULL };
	size_t n = json_object_array_length(arr);
	load_item *items = xcalloc(n ? n : 1, sizeof *items);
	for (size_t i = 0; i < n; i++) {
		items[i].o = json_object_array_get_idx(arr, i);
		if ((rc = check_keys(items[i].o, course_fields, ARRAY_LEN(course_fields), extra, "courses", e)))
			goto out;
		items[i].id = jint(items[i].o, "id", 0);
		items[i].so = jint(items[i].o, "sortorder", 0);
		if (items[i].id <= 0 || !jstr(items[i].o, "shortname", NULL)) {
			rc = err_set(e, -EXIT_DATAERR, "courses[%zu]: id and shortname are required", i);
			goto out;
		}
	}
	/* insertion puts a course first in its category, so insert in reverse
	 * of the final order (sortorder ASC, id DESC) */
	if (n > 1)
		qsort(items, n, sizeof *items, cmp_so_desc);
	for (size_t i = 0; i < n; i++) {
		json_object *o = items[i].o;
		mcourse *old = st_course(st, items[i].id);
		mid ctx = 0;
		if (old && old->id != 1) {
			rc = err_set(e, -EXIT_DATAERR, "courses: duplicate id %lld", items[i].id);
			goto out;
		}
		if (old) {
			ctx = old->contextid;
			st_course_delete(st, old);
			st_commit(st);
		}
		mcourse *c = st_course_alloc(st);
		c->category = jint(o, "categoryid", 1);
		if ((rc = load_fields(c, o, course_fields, ARRAY_LEN(course_fields), "courses", e)))
			goto out;
		if (!c->fullname)
			c->fullname = xstrdup(c->shortname);
		if (c->id != 1 && !st_cat(st, c->category)) {
			rc = err_set(e, -EXIT_DATAERR, "course %lld: category %lld does not exist", c->id, c->category);
			goto out;
		}
		c->visibleold = json_object_object_get_ex(o, "visibleold", NULL) ? c->visibleold : c->visible;
		if (!c->timecreated)
			c->timecreated = c->timemodified = st_now(st);
		if (!c->contextid)
			c->contextid = ctx;
		st_load_context(st, c->contextid, CTX_COURSE, c->id);
		st_course_insert(st, c);
		json_object *en;
		if (json_object_object_get_ex(o, "enrol", &en) && en) {
			static const char *const eextra[] = { "customint1", "courseid", NULL };
			for (size_t j = 0; j < json_object_array_length(en); j++) {
				json_object *eo = json_object_array_get_idx(en, j);
				if ((rc = check_keys(eo, enrol_fields, ARRAY_LEN(enrol_fields), eextra, "courses.enrol", e)))
					goto out;
				menrol *ei = xcalloc(1, sizeof *ei);
				ei->enrol = xstrdup("manual");
				ei->roleid = 5;
				ei->timecreated = c->timecreated;
				if ((rc = load_fields(ei, eo, enrol_fields, ARRAY_LEN(enrol_fields), "courses.enrol", e)))
					goto out;
				json_object *ci;
				if (json_object_object_get_ex(eo, "customint1", &ci)) {
					ei->customint1_null = !ci;
					ei->customint1 = ci ? json_object_get_int64(ci) : 0;
				} else if (!strcmp(ei->enrol, "manual"))
					ei->customint1 = st->set.manual_welcome;
				else if (!strcmp(ei->enrol, "guest"))
					ei->customint1_null = true;
				st_enrol_insert(st, c, ei);
			}
		} else if (c->id != 1)
			st_add_default_instances(st, c);
	}
	rc = 0;
out:
	free(items);
	return rc;
}

static int load_users(state *st, json_object *doc, errinfo *e)
{
	json_object *arr;
	int rc;
	if (!obj_list(doc, "users", &arr, e, &rc))
		return rc;
	static const char *const extra[] = { "preferences", NULL };
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *o = json_object_array_get_idx(arr, i);
		if ((rc = check_keys(o, user_fields, ARRAY_LEN(user_fields), extra, "users", e)))
			return rc;
		mid id = jint(o, "id", 0);
		if (id <= 0 || !jstr(o, "username", NULL))
			return err_set(e, -EXIT_DATAERR, "users[%zu]: id and username are required", i);
		mid ctx = 0;
		muser *old = st_user(st, id);
		if (old && (id > 2 || old->ues.n || old->ras.n || old->members.n))
			return err_set(e, -EXIT_DATAERR, "users: duplicate id %lld", id);
		if (old)
			ctx = st_load_drop_user(st, old);
		muser *u = st_user_alloc(st);
		u->firstname = xstrdup("");
		u->lastname = xstrdup("");
		u->email = xstrdup("");
		if ((rc = load_fields(u, o, user_fields, ARRAY_LEN(user_fields), "users", e))) {
			return rc;
		}
		if (st_user(st, u->id))
			return err_set(e, -EXIT_DATAERR, "users: duplicate id %lld", u->id);
		if (!u->timecreated)
			u->timecreated = u->timemodified = st_now(st);
		if (!u->contextid)
			u->contextid = ctx;
		st_load_context(st, u->contextid, CTX_USER, u->id);
		st_user_insert(st, u);
		json_object *prefs;
		if (json_object_object_get_ex(o, "preferences", &prefs) && prefs) {
			json_object_object_foreach(prefs, pk, pvv)
				st_pref_set(st, u, pk, json_object_get_string(pvv));
		}
	}
	return 0;
}

static int load_ues(state *st, json_object *doc, errinfo *e)
{
	json_object *arr;
	int rc;
	if (!obj_list(doc, "user_enrolments", &arr, e, &rc))
		return rc;
	static const char *const extra[] = { "courseid", "enrol", NULL };
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *o = json_object_array_get_idx(arr, i);
		if ((rc = check_keys(o, ue_fields, ARRAY_LEN(ue_fields), extra, "user_enrolments", e)))
			return rc;
		menrol *inst = NULL;
		mid enrolid = jint(o, "enrolid", 0);
		if (enrolid)
			inst = st_enrol(st, enrolid);
		else {
			mcourse *c = st_course(st, jint(o, "courseid", 0));
			if (c)
				inst = st_course_instance(c, jstr(o, "enrol", "manual"), false);
		}
		if (!inst)
			return err_set(e, -EXIT_DATAERR, "user_enrolments[%zu]: no such enrol instance", i);
		muenrol *ue = xcalloc(1, sizeof *ue);
		ue->timecreated = ue->timemodified = st_now(st);
		if ((rc = load_fields(ue, o, ue_fields, ARRAY_LEN(ue_fields), "user_enrolments", e))) {
			free(ue);
			return rc;
		}
		if (!st_user(st, ue->userid) || st_ue(inst, ue->userid)) {
			free(ue);
			return err_set(e, -EXIT_DATAERR, "user_enrolments[%zu]: unknown or already enrolled user", i);
		}
		st_ue_insert(st, inst, ue);
	}
	return 0;
}

static int load_ras(state *st, json_object *doc, errinfo *e)
{
	json_object *arr;
	int rc;
	if (!obj_list(doc, "role_assignments", &arr, e, &rc))
		return rc;
	static const char *const extra[] = { "contextlevel", "instanceid", "courseid", NULL };
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *o = json_object_array_get_idx(arr, i);
		if ((rc = check_keys(o, ra_fields, ARRAY_LEN(ra_fields), extra, "role_assignments", e)))
			return rc;
		mra *ra = xcalloc(1, sizeof *ra);
		ra->timemodified = st_now(st);
		if ((rc = load_fields(ra, o, ra_fields, ARRAY_LEN(ra_fields), "role_assignments", e))) {
			free(ra);
			return rc;
		}
		if (!ra->contextid) {
			mcontext *c = NULL;
			if (jint(o, "courseid", 0))
				c = st_context_of(st, CTX_COURSE, jint(o, "courseid", 0));
			else if (jstr(o, "contextlevel", NULL))
				c = st_context_of(st, parse_level(jstr(o, "contextlevel", "")), jint(o, "instanceid", 0));
			if (c)
				ra->contextid = c->id;
		}
		if (!st_context(st, ra->contextid) || !st_user(st, ra->userid) || !st_role(st, ra->roleid)) {
			free(ra->component);
			free(ra);
			return err_set(e, -EXIT_DATAERR, "role_assignments[%zu]: unknown context, user or role", i);
		}
		st_ra_insert(st, ra);
	}
	return 0;
}

static int load_groups(state *st, json_object *doc, errinfo *e)
{
	json_object *arr;
	int rc;
	if (!obj_list(doc, "groups", &arr, e, &rc))
		return rc;
	static const char *const extra[] = { "members", NULL };
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *o = json_object_array_get_idx(arr, i);
		if ((rc = check_keys(o, group_fields, ARRAY_LEN(group_fields), extra, "groups", e)))
			return rc;
		mgroup *g = xcalloc(1, sizeof *g);
		g->name = xstrdup("");
		g->idnumber = xstrdup("");
		g->description = xstrdup("");
		g->descriptionformat = 1;
		g->participation = 1;
		g->timecreated = g->timemodified = st_now(st);
		if ((rc = load_fields(g, o, group_fields, ARRAY_LEN(group_fields), "groups", e)))
			return rc;
		if (!st_course(st, g->courseid))
			return err_set(e, -EXIT_DATAERR, "groups[%zu]: course %lld does not exist", i, g->courseid);
		st_group_insert(st, g);
		json_object *ms;
		if (json_object_object_get_ex(o, "members", &ms) && ms) {
			for (size_t j = 0; j < json_object_array_length(ms); j++) {
				json_object *mo = json_object_array_get_idx(ms, j);
				mmember *m = xcalloc(1, sizeof *m);
				m->timeadded = st_now(st);
				if (json_object_is_type(mo, json_type_int))
					m->userid = json_object_get_int64(mo);
				else {
					m->id = jint(mo, "id", 0);
					m->userid = jint(mo, "userid", 0);
					m->component = xstrdup(jstr(mo, "component", ""));
					m->itemid = jint(mo, "itemid", 0);
					m->timeadded = jint(mo, "timeadded", m->timeadded);
				}
				if (!st_user(st, m->userid)) {
					free(m->component);
					free(m);
					return err_set(e, -EXIT_DATAERR, "groups[%zu]: member %zu: no such user", i, j);
				}
				st_member_insert(st, g, m);
			}
		}
	}
	return 0;
}

static int load_accounts(state *st, json_object *doc, errinfo *e)
{
	json_object *arr;
	int rc;
	if (!obj_list(doc, "accounts", &arr, e, &rc))
		return rc;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *o = json_object_array_get_idx(arr, i);
		const char *tok = jstr(o, "token", NULL);
		mid uid = jint(o, "userid", 0);
		if (!tok || !*tok || !uid)
			return err_set(e, -EXIT_DATAERR, "accounts[%zu]: token and userid are required", i);
		maccount *a = xcalloc(1, sizeof *a);
		a->token = xstrdup(tok);
		a->userid = uid;
		a->name = xstrdup(jstr(o, "name", ""));
		json_object *caps, *aa;
		if (json_object_object_get_ex(o, "caps", &caps) && caps)
			for (size_t j = 0; j < json_object_array_length(caps); j++)
				vec_push(&a->caps, xstrdup(json_object_get_string(json_object_array_get_idx(caps, j))));
		if (json_object_object_get_ex(o, "allow_assign", &aa) && aa) {
			if (json_object_is_type(aa, json_type_boolean)) {
				if (json_object_get_boolean(aa))
					for (int r = 3; r <= 5; r++)
						vec_push(&a->allow_assign, (void *)(intptr_t)r);
			} else if ((rc = load_int_list(&a->allow_assign, aa, "allow_assign", e))) {
				st_account_free(a);
				return rc;
			}
		}
		st_account_add(st, a);
	}
	return 0;
}

static int load_roles(state *st, json_object *doc, errinfo *e)
{
	json_object *arr;
	int rc;
	if (!obj_list(doc, "roles", &arr, e, &rc))
		return rc;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *o = json_object_array_get_idx(arr, i);
		mid id = jint(o, "id", 0);
		const char *sn = jstr(o, "shortname", NULL);
		if (id <= 0 || !sn)
			return err_set(e, -EXIT_DATAERR, "roles[%zu]: id and shortname are required", i);
		mrole *r = st_role(st, id);
		if (!r) {
			r = xcalloc(1, sizeof *r);
			r->id = id;
			r->sortorder = (int)id;
			r->name = xstrdup("");
			r->archetype = xstrdup("");
			r->shortname = xstrdup(sn);
			vec_push(&st->roles, r);
		}
		free(r->shortname);
		r->shortname = xstrdup(sn);
		free(r->name);
		r->name = xstrdup(jstr(o, "name", ""));
		free(r->archetype);
		r->archetype = xstrdup(jstr(o, "archetype", ""));
		r->sortorder = (int)jint(o, "sortorder", r->sortorder);
		json_object *lv;
		if (json_object_object_get_ex(o, "contextlevels", &lv) && lv) {
			r->nlevels = 0;
			for (size_t j = 0; j < json_object_array_length(lv) && j < 6; j++)
				r->levels[r->nlevels++] = (int)json_object_get_int64(json_object_array_get_idx(lv, j));
		}
	}
	return 0;
}

static int load_notifications(state *st, json_object *doc, errinfo *e)
{
	json_object *arr;
	int rc;
	if (!obj_list(doc, "notifications", &arr, e, &rc))
		return rc;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *o = json_object_array_get_idx(arr, i);
		mnotif *nt = xcalloc(1, sizeof *nt);
		nt->eventtype = xstrdup("");
		nt->subject = xstrdup("");
		if ((rc = load_fields(nt, o, notif_fields, ARRAY_LEN(notif_fields), "notifications", e)))
			return rc;
		st_notif_insert(st, nt);
	}
	return 0;
}

static int load_sequences(state *st, json_object *doc)
{
	json_object *s;
	if (!json_object_object_get_ex(doc, "sequences", &s) || !s)
		return 0;
	struct {
		const char *k;
		mid *p;
	} seqs[] = { { "user", &st->seq_user }, { "course", &st->seq_course }, { "category", &st->seq_cat },
		     { "enrol", &st->seq_enrol }, { "user_enrolments", &st->seq_ue },
		     { "role_assignments", &st->seq_ra }, { "groups", &st->seq_group },
		     { "groups_members", &st->seq_member }, { "context", &st->seq_context },
		     { "notifications", &st->seq_notif } };
	for (size_t i = 0; i < ARRAY_LEN(seqs); i++) {
		long long v = jint(s, seqs[i].k, 0);
		if (v > *seqs[i].p)
			*seqs[i].p = v;
	}
	return 0;
}

int state_load_json(state *st, json_object *doc, errinfo *e)
{
	int rc;
	if (!json_object_is_type(doc, json_type_object))
		return err_set(e, -EXIT_DATAERR, "the state must be a JSON object");
	static const char *const top[] = { "settings", "sequences", "roles", "service", "accounts", "categories",
					   "courses", "users", "user_enrolments", "role_assignments", "groups",
					   "notifications", NULL };
	if ((rc = check_keys(doc, NULL, 0, top, "state", e)))
		return rc;
	json_object *v;
	if (json_object_object_get_ex(doc, "settings", &v) && v && (rc = state_apply_settings(st, v, e)))
		return rc;
	if ((rc = load_roles(st, doc, e)))
		return rc;
	if (json_object_object_get_ex(doc, "service", &v) && v) {
		for (size_t i = 0; i < st->service.n; i++)
			free(st->service.v[i]);
		st->service.n = 0;
		for (size_t i = 0; i < json_object_array_length(v); i++)
			vec_push(&st->service, xstrdup(json_object_get_string(json_object_array_get_idx(v, i))));
	}
	if ((rc = load_accounts(st, doc, e)) || (rc = load_users(st, doc, e)) ||
	    (rc = load_categories(st, doc, e)) || (rc = load_courses(st, doc, e)) ||
	    (rc = load_ues(st, doc, e)) || (rc = load_ras(st, doc, e)) || (rc = load_groups(st, doc, e)) ||
	    (rc = load_notifications(st, doc, e)))
		return rc;
	load_sequences(st, doc);
	st_commit(st);
	return 0;
}

int state_load_file(state *st, const char *path, errinfo *e)
{
	char *buf;
	size_t len;
	int rc = read_file(path, &buf, &len, e);
	if (rc)
		return rc;
	json_tokener *tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH);
	json_object *doc = json_tokener_parse_ex(tok, buf, (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	json_tokener_free(tok);
	free(buf);
	if (!doc || jerr != json_tokener_success) {
		json_object_put(doc);
		return err_set(e, -EXIT_DATAERR, "%s: not valid JSON (%s)", path, json_tokener_error_desc(jerr));
	}
	rc = state_load_json(st, doc, e);
	json_object_put(doc);
	if (rc)
		err_prefix(e, "%s: ", path);
	return rc;
}
