/* stats.c -- request counters (see stats.h). */
#include "config.h"
#include "stats.h"
#include "state_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static fn_stats *entry(stats *s, const char *name)
{
	const vec *v = strmulti_get(&s->byname, name);
	if (v && v->n)
		return v->v[0];
	fn_stats *f = xcalloc(1, sizeof *f);
	strmulti_add(&s->byname, name, f);
	return f;
}

void stats_record(stats *s, const char *function, long fields, long dropped, bool faulted)
{
	fn_stats *f = entry(s, function);
	f->count++;
	f->fields_total += fields;
	if (fields > f->fields_max)
		f->fields_max = fields;
	if (f->count == 1 || fields < f->fields_min)
		f->fields_min = fields;
	f->fields_dropped += dropped;
	if (faulted)
		f->faults++;
	s->requests++;
	s->fields_total += fields;
	if (fields > s->fields_max)
		s->fields_max = fields;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void stats_json(const stats *s, const faults *f, strbuf *out)
{
	sb_addf(out, "{\"requests\": %ld, \"fields_total\": %ld, \"fields_max\": %ld, \"functions\": {", s->requests,
		s->fields_total, s->fields_max);
	vec names = { 0 };
	for (size_t i = 0; i < s->byname.cap; i++)
		if (s->byname.slots[i].key)
			vec_push(&names, s->byname.slots[i].key);
	vec_sort(&names, cmp_str);
	for (size_t i = 0; i < names.n; i++) {
		fn_stats *fs = strmulti_get(&s->byname, names.v[i])->v[0];
		if (i)
			sb_adds(out, ", ");
		json_add_str(out, names.v[i]);
		sb_addf(out, ": {\"count\": %ld, \"fields_total\": %ld, \"fields_max\": %ld, \"fields_min\": %ld, "
			"\"fields_dropped\": %ld, \"faults\": %ld}", fs->count, fs->fields_total, fs->fields_max,
			fs->fields_min, fs->fields_dropped, fs->faults);
	}
	vec_free(&names);
	sb_adds(out, "}, \"faults\": {");
	for (int k = 1; k < FAULT__COUNT; k++)
		sb_addf(out, "%s\"%s\": %ld", k > 1 ? ", " : "", fault_name((fault_kind)k), f ? f->counts[k] : 0L);
	sb_adds(out, "}}\n");
}

void stats_reset(stats *s, faults *f)
{
	stats_free(s);
	memset(s, 0, sizeof *s);
	if (f)
		memset(f->counts, 0, sizeof f->counts);
}

void stats_free(stats *s)
{
	for (size_t i = 0; i < s->byname.cap; i++)
		if (s->byname.slots[i].key)
			for (size_t j = 0; j < s->byname.slots[i].items.n; j++)
				free(s->byname.slots[i].items.v[j]);
	strmulti_free(&s->byname);
}
