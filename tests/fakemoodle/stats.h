/* stats.h -- request counters for /__stats: per wsfunction the number of
 * calls and of name=value pairs received (total, max, min, and the pairs
 * max_input_vars dropped), and the faults injected. Callers serialise. */
#ifndef FAKEMOODLE_STATS_H
#define FAKEMOODLE_STATS_H

#include "coll.h"
#include "faults.h"
#include "util.h"

typedef struct fn_stats {
	long count;
	long fields_total, fields_max, fields_min, fields_dropped;
	long faults;
} fn_stats;

typedef struct stats {
	strmulti byname;         /* name -> vec with one fn_stats* */
	long requests;
	long fields_total, fields_max;
} stats;

void stats_record(stats *s, const char *function, long fields, long dropped, bool faulted);
/* {"requests":..,"fields_total":..,"fields_max":..,"functions":{name:{...}},"faults":{kind:n}} */
void stats_json(const stats *s, const faults *f, strbuf *out);
void stats_reset(stats *s, faults *f);
void stats_free(stats *s);

#endif
