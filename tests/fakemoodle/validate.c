/* validate.c -- description parsing and validate_parameters() (see validate.h). */
#include "config.h"
#include "validate.h"
#include "mtext.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static desc *new_desc(void)
{
	return xcalloc(1, sizeof(desc));
}

static void add_kid(desc *p, desc *k)
{
	p->kids = xrealloc(p->kids, (p->nkids + 1) * sizeof *p->kids);
	p->kids[p->nkids++] = k;
}

void desc_free(desc *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nkids; i++)
		desc_free(d->kids[i]);
	free(d->kids);
	free(d->key);
	free(d->def);
	free(d);
}

/* Parses "name TYPE req" into a node; returns the node that takes children
 * (the single structure inside a list) through *container. */
static desc *parse_line(const char *line, size_t len, desc **container, errinfo *e)
{
	char buf[256];
	if (len >= sizeof buf) {
		err_set(e, -EXIT_SOFTWARE, "description line too long");
		return NULL;
	}
	memcpy(buf, line, len);
	buf[len] = '\0';
	char *save = NULL;
	char *name = strtok_r(buf, " ", &save);
	char *type = strtok_r(NULL, " ", &save);
	char *req = strtok_r(NULL, " ", &save);
	if (!name || !type || !req) {
		err_set(e, -EXIT_SOFTWARE, "bad description line: %s", buf);
		return NULL;
	}
	desc *d = new_desc();
	d->key = xstrdup(name);
	*container = NULL;
	if (!strcmp(type, "{}")) {
		d->kind = D_SINGLE;
		*container = d;
	} else if (!strcmp(type, "[]")) {
		d->kind = D_MULTI;
		desc *s = new_desc();
		s->kind = D_SINGLE;
		s->req = R_REQ;
		add_kid(d, s);
		*container = s;
	} else if (type[0] == '[') {
		d->kind = D_MULTI;
		desc *v = new_desc();
		v->kind = D_VALUE;
		v->req = R_REQ;
		char t[64];
		snprintf(t, sizeof t, "%.*s", (int)strlen(type) - 2, type + 1);
		v->ptype = ptype_parse(t);
		if (v->ptype < 0) {
			err_set(e, -EXIT_SOFTWARE, "unknown type %s", t);
			desc_free(v);
			desc_free(d);
			return NULL;
		}
		add_kid(d, v);
	} else {
		d->kind = D_VALUE;
		d->ptype = ptype_parse(type);
		if (d->ptype < 0) {
			err_set(e, -EXIT_SOFTWARE, "unknown type %s", type);
			desc_free(d);
			return NULL;
		}
	}
	if (!strcmp(req, "req"))
		d->req = R_REQ;
	else if (!strcmp(req, "opt"))
		d->req = R_OPT;
	else if (!strncmp(req, "def", 3)) {
		d->req = R_DEF;
		if (req[3] == '=') {
			if (!strcmp(req + 4, "null"))
				d->def_null = true;
			else if (!strcmp(req + 4, "''"))
				d->def = xstrdup("");
			else
				d->def = xstrdup(req + 4);
		} else if (d->kind == D_VALUE)
			d->def_null = true;
	} else {
		err_set(e, -EXIT_SOFTWARE, "bad requirement %s", req);
		desc_free(d);
		return NULL;
	}
	return d;
}

desc *desc_parse(const char *text, errinfo *e)
{
	desc *root = new_desc();
	root->kind = D_SINGLE;
	root->req = R_REQ;
	desc *stack[16];
	int depth_of[16];
	int top = 0;
	stack[0] = root;
	depth_of[0] = -1;
	const char *p = text;
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		int indent = 0;
		while ((size_t)indent < len && p[indent] == ' ')
			indent++;
		if ((size_t)indent < len) {
			while (top > 0 && depth_of[top] >= indent)
				top--;
			desc *container;
			desc *d = parse_line(p + indent, len - (size_t)indent, &container, e);
			if (!d) {
				desc_free(root);
				return NULL;
			}
			add_kid(stack[top], d);
			if (container) {
				if (top + 1 >= 16) {
					desc_free(root);
					err_set(e, -EXIT_SOFTWARE, "description nested too deep");
					return NULL;
				}
				stack[++top] = container;
				depth_of[top] = indent;
			}
		}
		if (!eol)
			break;
		p = eol + 1;
	}
	return root;
}

/* ---- validation ---- */

static const char *IPV = "Invalid parameter value detected";

static const char *print_r(arena *a, const pv *v)
{
	/* print_r of a scalar is the scalar; of an array, PHP's "Array\n(...)" */
	if (v->type == PV_STR)
		return v->s;
	if (v->type == PV_NULL)
		return "";
	strbuf sb = STRBUF_INIT;
	sb_adds(&sb, "Array\n(\n");
	for (size_t i = 0; i < v->n; i++) {
		if (!v->ents[i].val)
			continue;
		sb_addf(&sb, "    [%s] => %s\n", v->ents[i].key,
			v->ents[i].val->type == PV_STR ? v->ents[i].val->s : "Array");
	}
	sb_adds(&sb, ")\n");
	char *r = arena_strndup(a, sb_str(&sb), sb.len);
	sb_free(&sb);
	return r;
}

static int fail(arena *a, const char **dbg, const char *msg)
{
	*dbg = arena_strndup(a, msg, strlen(msg));
	return -1;
}

static int wrap(arena *a, const char **dbg, const char *key)
{
	strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "%s => %s: %s", key, IPV, *dbg);
	*dbg = arena_strndup(a, sb_str(&sb), sb.len);
	sb_free(&sb);
	return -1;
}

static int validate(arena *a, const desc *d, pv *v, const param_env *env, pv **out, const char **dbg);

static int validate_value(arena *a, const desc *d, pv *v, const param_env *env, pv **out, const char **dbg)
{
	if (v->type == PV_ARR)
		return fail(a, dbg, "Scalar type expected, array or object received.");
	if (v->type == PV_NULL) {
		/* external_value allows null by default */
		*out = v;
		return 0;
	}
	if (!param_valid(d->ptype, v->s, v->len, env)) {
		strbuf sb = STRBUF_INIT;
		sb_addf(&sb, "Invalid external api parameter: the value is \"%s\", the server was expecting \"%s\" type",
			v->s, ptype_name(d->ptype));
		*dbg = arena_strndup(a, sb_str(&sb), sb.len);
		sb_free(&sb);
		return -1;
	}
	*out = v;
	return 0;
}

static int validate_single(arena *a, const desc *d, pv *v, const param_env *env, pv **out, const char **dbg)
{
	if (v->type != PV_ARR) {
		strbuf sb = STRBUF_INIT;
		sb_addf(&sb, "Only arrays accepted. The bad value is: '%s'", print_r(a, v));
		*dbg = arena_strndup(a, sb_str(&sb), sb.len);
		sb_free(&sb);
		return -1;
	}
	pv *res = pv_new_arr(a);
	/* which input keys were consumed */
	bool *used = v->n ? arena_alloc(a, v->n * sizeof *used) : NULL;
	for (size_t k = 0; k < d->nkids; k++) {
		const desc *kd = d->kids[k];
		pv *in = NULL;
		for (size_t i = 0; i < v->n; i++)
			if (v->ents[i].val && !used[i] && !strcmp(v->ents[i].key, kd->key)) {
				in = v->ents[i].val;
				used[i] = true;
				break;
			}
		pv *r;
		if (!in) {
			if (kd->req == R_REQ) {
				strbuf sb = STRBUF_INIT;
				sb_addf(&sb, "Missing required key in single structure: %s", kd->key);
				*dbg = arena_strndup(a, sb_str(&sb), sb.len);
				sb_free(&sb);
				return -1;
			}
			if (kd->req == R_OPT)
				continue;
			pv *dv;
			if (kd->kind != D_VALUE)
				dv = pv_new_arr(a);
			else if (kd->def_null)
				dv = pv_new_null(a);
			else
				dv = pv_new_str(a, kd->def, strlen(kd->def));
			if (validate(a, kd, dv, env, &r, dbg))
				return wrap(a, dbg, kd->key);
		} else if (validate(a, kd, in, env, &r, dbg))
			return wrap(a, dbg, kd->key);
		pv_set(a, res, kd->key, strlen(kd->key), r);
	}
	strbuf extra = STRBUF_INIT;
	for (size_t i = 0; i < v->n; i++) {
		if (!v->ents[i].val || used[i])
			continue;
		if (extra.len)
			sb_adds(&extra, ", ");
		sb_adds(&extra, v->ents[i].key);
	}
	if (extra.len) {
		strbuf sb = STRBUF_INIT;
		sb_addf(&sb, "Unexpected keys (%s) detected in parameter array.", sb_str(&extra));
		*dbg = arena_strndup(a, sb_str(&sb), sb.len);
		sb_free(&sb);
		sb_free(&extra);
		return -1;
	}
	sb_free(&extra);
	*out = res;
	return 0;
}

static int validate_multi(arena *a, const desc *d, pv *v, const param_env *env, pv **out, const char **dbg)
{
	if (v->type != PV_ARR) {
		strbuf sb = STRBUF_INIT;
		sb_addf(&sb, "Only arrays accepted. The bad value is: '%s'", print_r(a, v));
		*dbg = arena_strndup(a, sb_str(&sb), sb.len);
		sb_free(&sb);
		return -1;
	}
	pv *res = pv_new_arr(a);
	for (size_t i = 0; i < v->n; i++) {
		if (!v->ents[i].val)
			continue;
		pv *r;
		if (validate(a, d->kids[0], v->ents[i].val, env, &r, dbg))
			return -1;
		pv_append(a, res, r);
	}
	*out = res;
	return 0;
}

static int validate(arena *a, const desc *d, pv *v, const param_env *env, pv **out, const char **dbg)
{
	switch (d->kind) {
	case D_VALUE:
		return validate_value(a, d, v, env, out, dbg);
	case D_SINGLE:
		return validate_single(a, d, v, env, out, dbg);
	default:
		return validate_multi(a, d, v, env, out, dbg);
	}
}

int validate_params(arena *a, const desc *d, pv *v, const param_env *env, pv **out, const char **debuginfo)
{
	return validate(a, d, v, env, out, debuginfo);
}

pv *vp_get(const pv *obj, const char *key)
{
	if (!obj || obj->type != PV_ARR)
		return NULL;
	return pv_get(obj, key);
}

const char *vp_str(const pv *obj, const char *key)
{
	pv *v = vp_get(obj, key);
	return v && v->type == PV_STR ? v->s : NULL;
}

bool vp_has(const pv *obj, const char *key)
{
	return vp_get(obj, key) != NULL;
}

long long vp_int(const pv *obj, const char *key, long long def)
{
	const char *s = vp_str(obj, key);
	return s ? mt_php_intval(s) : def;
}

size_t vp_len(const pv *list)
{
	return list && list->type == PV_ARR ? list->live : 0;
}

pv *vp_item(const pv *list, size_t i)
{
	/* validated lists are dense: entry i is item i */
	return list->ents[i].val;
}
