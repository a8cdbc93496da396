/* validate.h -- external function descriptions and
 * external_api::validate_parameters(): the recursive check of the request
 * parameters against a description, with Moodle's exact debuginfo paths
 * ("users => Invalid parameter value detected: username => ...").
 *
 * Descriptions are written in a small indented text form (see
 * functions.c):   name TYPE req|opt|def[=VALUE]
 * where TYPE is a PARAM type (INT, TEXT...), "{}" for a single structure,
 * "[]" for a multiple structure of single structures (fields indented
 * below) or "[TYPE]" for a multiple structure of values. "def" alone gives
 * a structure the default [], "def=null" a value the default null. */
#ifndef FAKEMOODLE_VALIDATE_H
#define FAKEMOODLE_VALIDATE_H

#include "arena.h"
#include "form.h"
#include "param.h"

enum { D_VALUE, D_SINGLE, D_MULTI };
enum { R_REQ, R_OPT, R_DEF };

typedef struct desc desc;
struct desc {
	int kind;
	char *key;
	int req;
	int ptype;           /* D_VALUE */
	char *def;           /* D_VALUE default (NULL with def_null) */
	bool def_null;
	desc **kids;         /* D_SINGLE: fields; D_MULTI: kids[0] is the content */
	size_t nkids;
};

/* Parses the description of one function's parameters (the body lines,
 * indented by one space per level, the top level at indent 0). Returns
 * NULL and sets e on a syntax error. */
desc *desc_parse(const char *text, errinfo *e);
void desc_free(desc *d);

/* validate_parameters($d, $v): on success returns 0 and sets *out to the
 * validated copy (defaults filled in, lists re-indexed 0..n-1, absent
 * optional keys absent). On failure returns -1 and sets *debuginfo (arena
 * string) to the invalid_parameter_exception's debuginfo with the path. */
int validate_params(arena *a, const desc *d, pv *v, const param_env *env, pv **out, const char **debuginfo);

/* Helpers to read validated values. */
pv *vp_get(const pv *obj, const char *key);              /* NULL when absent */
const char *vp_str(const pv *obj, const char *key);      /* NULL when absent or null */
bool vp_has(const pv *obj, const char *key);             /* present (even null) */
long long vp_int(const pv *obj, const char *key, long long def);
/* Number of items of a validated list and the i-th item. */
size_t vp_len(const pv *list);
pv *vp_item(const pv *list, size_t i);

#endif
