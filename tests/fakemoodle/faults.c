/* faults.c -- the fault specification and the seeded draw (see faults.h). */
#include "config.h"
#include "faults.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[FAULT__COUNT] = {
	[FAULT_NONE] = "none", [FAULT_HTTP500] = "http500", [FAULT_HTTP502] = "http502",
	[FAULT_HTTP503] = "http503", [FAULT_HTTP504] = "http504", [FAULT_RESET_BEFORE] = "reset-before",
	[FAULT_RESET_AFTER] = "reset-after", [FAULT_STALL] = "stall", [FAULT_DEADLOCK] = "deadlock",
	[FAULT_TRUNCATE] = "truncate", [FAULT_NONJSON] = "nonjson",
};

const char *fault_name(fault_kind k)
{
	return k < FAULT__COUNT ? names[k] : "?";
}

/* splitmix64 */
static uint64_t next_u64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

int faults_parse(faults *f, const char *spec, uint64_t seed, errinfo *e)
{
	memset(f, 0, sizeof *f);
	f->rng = seed;
	f->stall_ms = 2000;
	f->commit_delay_ms = 2000;
	char *copy = xstrdup(spec ? spec : "");
	char *save = NULL;
	int rc = 0;
	for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');
		if (!eq) {
			rc = err_set(e, -EXIT_USAGE, "--faults: \"%s\" is not KIND=RATE", item);
			break;
		}
		*eq = '\0';
		char *val = eq + 1;
		if (!strcmp(item, "stall-ms") || !strcmp(item, "commit-delay-ms")) {
			char *end;
			long v = strtol(val, &end, 10);
			if (*end || v < 0) {
				rc = err_set(e, -EXIT_USAGE, "--faults: bad %s \"%s\"", item, val);
				break;
			}
			if (item[0] == 's')
				f->stall_ms = v;
			else
				f->commit_delay_ms = v;
			continue;
		}
		fault_kind k = FAULT_NONE;
		for (int i = 1; i < FAULT__COUNT; i++)
			if (!strcmp(names[i], item))
				k = (fault_kind)i;
		if (k == FAULT_NONE) {
			rc = err_set(e, -EXIT_USAGE, "--faults: unknown kind \"%s\"", item);
			break;
		}
		if (f->n == sizeof f->rules / sizeof f->rules[0]) {
			rc = err_set(e, -EXIT_USAGE, "--faults: too many items");
			break;
		}
		char *at = strchr(val, '@');
		if (at)
			*at = '\0';
		char *end;
		double rate = strtod(val, &end);
		if (*end || rate < 0 || rate > 1) {
			rc = err_set(e, -EXIT_USAGE, "--faults: rate of %s must be in [0,1], not \"%s\"", item, val);
			break;
		}
		fault_rule *r = &f->rules[f->n++];
		r->kind = k;
		r->rate = rate;
		if (at) {
			char *s2 = NULL;
			for (char *fn = strtok_r(at + 1, "+", &s2); fn; fn = strtok_r(NULL, "+", &s2)) {
				r->functions = xrealloc(r->functions, (r->nfunctions + 1) * sizeof *r->functions);
				r->functions[r->nfunctions++] = xstrdup(fn);
			}
		}
	}
	free(copy);
	if (rc)
		faults_free(f);
	return rc;
}

void faults_free(faults *f)
{
	for (size_t i = 0; i < f->n; i++) {
		for (size_t j = 0; j < f->rules[i].nfunctions; j++)
			free(f->rules[i].functions[j]);
		free(f->rules[i].functions);
	}
	f->n = 0;
}

static bool applies(const fault_rule *r, const char *function, bool write)
{
	if (r->kind == FAULT_DEADLOCK && !write)
		return false;
	if (!r->functions)
		return true;
	for (size_t i = 0; i < r->nfunctions; i++)
		if (!strcmp(r->functions[i], function))
			return true;
	return false;
}

fault_kind faults_pick(faults *f, const char *function, bool write)
{
	if (!f->n)
		return FAULT_NONE;
	double u = (double)(next_u64(&f->rng) >> 11) / 9007199254740992.0;
	double cum = 0;
	for (size_t i = 0; i < f->n; i++) {
		if (!applies(&f->rules[i], function, write))
			continue;
		cum += f->rules[i].rate;
		if (u < cum) {
			f->counts[f->rules[i].kind]++;
			return f->rules[i].kind;
		}
	}
	return FAULT_NONE;
}
