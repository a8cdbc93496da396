/* faults.h -- fault injection: which misbehaviour of a real site (proxy
 * 5xx, reset connections, a stall past the client's timeout that still
 * commits, a deadlock that rolls a batch back, truncated or non-JSON
 * bodies) a Web Services request gets, drawn from a seeded generator so
 * that a run is reproducible.
 *
 * SPEC: comma-separated items
 *   KIND=RATE[@FUNCTION[+FUNCTION...]]   a kind with its probability per
 *                                        request, optionally only for the
 *                                        listed functions
 *   stall-ms=N                           how long a stall holds the request
 *                                        before the 504 (default 2000)
 *   commit-delay-ms=N                    how long after the 504 the stalled
 *                                        change is applied (default 2000)
 * KIND: http500 http502 http503 http504 reset-before reset-after stall
 *       deadlock truncate nonjson.
 * One number is drawn per Web Services request, in arrival order; the
 * first kind whose cumulative rate (over the kinds that apply to the
 * function) exceeds it wins. */
#ifndef FAKEMOODLE_FAULTS_H
#define FAKEMOODLE_FAULTS_H

#include <stdbool.h>
#include <stdint.h>
#include "util.h"

typedef enum fault_kind {
	FAULT_NONE, FAULT_HTTP500, FAULT_HTTP502, FAULT_HTTP503, FAULT_HTTP504, FAULT_RESET_BEFORE,
	FAULT_RESET_AFTER, FAULT_STALL, FAULT_DEADLOCK, FAULT_TRUNCATE, FAULT_NONJSON, FAULT__COUNT
} fault_kind;

typedef struct fault_rule {
	fault_kind kind;
	double rate;
	char **functions;        /* NULL: every function */
	size_t nfunctions;
} fault_rule;

typedef struct faults {
	fault_rule rules[32];
	size_t n;
	uint64_t rng;
	long stall_ms;
	long commit_delay_ms;
	long counts[FAULT__COUNT];
} faults;

/* Parses SPEC; returns 0 or -EXIT_USAGE with e set. */
int faults_parse(faults *f, const char *spec, uint64_t seed, errinfo *e);
void faults_free(faults *f);
/* Draws the fault for one request to function (caller serialises). A
 * deadlock only hits write functions. */
fault_kind faults_pick(faults *f, const char *function, bool write);
const char *fault_name(fault_kind k);

#endif
