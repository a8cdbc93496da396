/* form.h -- request parameters as PHP sees them: urlencoded pairs decoded
 * into nested ordered arrays (PHP bracket syntax, $_GET/$_POST), with PHP's
 * max_input_vars cut. Everything lives in a per-request arena. */
#ifndef FAKEMOODLE_FORM_H
#define FAKEMOODLE_FORM_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "arena.h"

enum { PV_NULL, PV_STR, PV_ARR };

typedef struct pv pv;

typedef struct pv_ent {
	const char *key;      /* NUL-terminated; integer keys in canonical decimal */
	pv *val;              /* NULL once removed */
} pv_ent;

/* A PHP value: a string, an ordered array (keys in insertion order, as PHP
 * keeps them) or null (only produced by validation defaults). */
struct pv {
	int type;
	const char *s;        /* PV_STR: the bytes, NUL-terminated */
	size_t len;
	pv_ent *ents;         /* PV_ARR: entries in insertion order */
	size_t n, cap, live;  /* live = entries not removed */
	uint32_t *idx;        /* hash index of entries (index + 1), 0 = empty */
	size_t idxcap;
	long long next_index; /* PHP's nNextFreeElement */
};

pv *pv_new_str(arena *a, const char *s, size_t n);
pv *pv_new_arr(arena *a);
pv *pv_new_null(arena *a);
/* The value under key in array arr, or NULL. */
pv *pv_get(const pv *arr, const char *key);
/* Sets key (updating in place, keeping its position, or appending). */
void pv_set(arena *a, pv *arr, const char *key, size_t klen, pv *val);
/* Appends under the next integer index ($a[] = v). */
void pv_append(arena *a, pv *arr, pv *val);
/* Removes key; no-op when absent. */
void pv_del(pv *arr, const char *key);
/* Iterate live entries: for (size_t i = 0; i < arr->n; i++) if (arr->ents[i].val) ... */

/* Counters of one source as PHP parsed it. */
typedef struct form_count {
	long pairs;        /* name=value pairs present in the source */
	long kept;         /* pairs PHP registered (the rest went past max_input_vars) */
} form_count;

/* Parses one urlencoded source into arr as PHP does for $_POST (is_body)
 * or $_GET (!is_body): '&'-separated pairs, '+' and %XX decoding, bracket
 * syntax, first-appearance order, repeated keys merged. max_vars is PHP's
 * max_input_vars: the body keeps the first max_vars+1 pairs (empty ones
 * count), the query string the first max_vars non-empty ones. Never fails. */
void form_parse(arena *a, pv *arr, const char *data, size_t len, bool is_body,
		long max_vars, form_count *cnt);
/* array_merge($get, $post) for string keys: post values replace get ones in
 * place, new keys are appended; integer keys are renumbered. Returns a new
 * array (the inputs are not changed). */
pv *form_merge(arena *a, const pv *get, const pv *post);
/* Decodes %XX and '+' like PHP's urldecode into a new NUL-terminated arena
 * string; *outlen gets its length. */
char *form_urldecode(arena *a, const char *s, size_t n, size_t *outlen);
/* True when key is a canonical decimal integer PHP would store as an int. */
bool pv_key_is_int(const char *key, long long *out);

#endif
