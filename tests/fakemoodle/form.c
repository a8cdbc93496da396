/* form.c -- PHP's urlencoded form parsing (php_variables.c semantics):
 * pair splitting, url decoding, php_register_variable_ex's bracket syntax
 * and the max_input_vars cut; array_merge of $_GET and $_POST. */
#include "config.h"
#include "form.h"
#include "util.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

pv *pv_new_str(arena *a, const char *s, size_t n)
{
	pv *v = arena_alloc(a, sizeof *v);
	v->type = PV_STR;
	v->s = arena_strndup(a, s, n);
	v->len = n;
	return v;
}

pv *pv_new_arr(arena *a)
{
	pv *v = arena_alloc(a, sizeof *v);
	v->type = PV_ARR;
	return v;
}

pv *pv_new_null(arena *a)
{
	pv *v = arena_alloc(a, sizeof *v);
	v->type = PV_NULL;
	return v;
}

bool pv_key_is_int(const char *key, long long *out)
{
	const char *p = key;
	bool neg = false;
	if (*p == '-') {
		neg = true;
		p++;
	}
	if (!*p || (*p == '0' && (p[1] || neg)))
		return false;
	unsigned long long v = 0;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		unsigned d = (unsigned)(*p - '0');
		if (v > (ULLONG_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (!neg && v > (unsigned long long)LLONG_MAX)
		return false;
	if (neg && v > (unsigned long long)LLONG_MAX + 1)
		return false;
	if (out)
		*out = neg ? (long long)(0 - v) : (long long)v;
	return true;
}

static uint64_t key_hash(const char *k)
{
	return hash_bytes(k, strlen(k), HASH_SEED);
}

static void idx_rebuild(arena *a, pv *arr)
{
	size_t cap = 16;
	while (cap < arr->n * 2 + 2)
		cap *= 2;
	arr->idx = arena_alloc(a, cap * sizeof *arr->idx);
	arr->idxcap = cap;
	for (size_t e = 0; e < arr->n; e++) {
		size_t i = key_hash(arr->ents[e].key) & (cap - 1);
		while (arr->idx[i])
			i = (i + 1) & (cap - 1);
		arr->idx[i] = (uint32_t)(e + 1);
	}
}

static long find_ent(const pv *arr, const char *key)
{
	if (arr->type != PV_ARR)
		return -1;
	if (!arr->idx) {
		for (size_t e = 0; e < arr->n; e++)
			if (strcmp(arr->ents[e].key, key) == 0)
				return (long)e;
		return -1;
	}
	size_t mask = arr->idxcap - 1;
	for (size_t i = key_hash(key) & mask; arr->idx[i]; i = (i + 1) & mask) {
		size_t e = arr->idx[i] - 1;
		if (strcmp(arr->ents[e].key, key) == 0)
			return (long)e;
	}
	return -1;
}

pv *pv_get(const pv *arr, const char *key)
{
	long e = find_ent(arr, key);
	return e < 0 ? NULL : arr->ents[e].val;
}

static void add_ent(arena *a, pv *arr, const char *key, size_t klen, pv *val)
{
	if (arr->n == arr->cap) {
		size_t ncap = arr->cap ? arr->cap * 2 : 4;
		pv_ent *ne = arena_alloc(a, ncap * sizeof *ne);
		if (arr->n)
			memcpy(ne, arr->ents, arr->n * sizeof *ne);
		arr->ents = ne;
		arr->cap = ncap;
	}
	const char *k = arena_strndup(a, key, klen);
	arr->ents[arr->n].key = k;
	arr->ents[arr->n].val = val;
	arr->n++;
	arr->live++;
	long long iv;
	if (pv_key_is_int(k, &iv) && iv >= arr->next_index && iv < LLONG_MAX)
		arr->next_index = iv + 1;
	if (arr->n > 8) {
		if (!arr->idx || arr->n * 2 > arr->idxcap)
			idx_rebuild(a, arr);
		else {
			size_t mask = arr->idxcap - 1, i = key_hash(k) & mask;
			while (arr->idx[i])
				i = (i + 1) & mask;
			arr->idx[i] = (uint32_t)arr->n;
		}
	}
}

void pv_set(arena *a, pv *arr, const char *key, size_t klen, pv *val)
{
	char buf[64];
	const char *k = key;
	char *tmp = NULL;
	if (key[klen] != '\0') {
		if (klen < sizeof buf) {
			memcpy(buf, key, klen);
			buf[klen] = '\0';
			k = buf;
		} else {
			tmp = arena_strndup(a, key, klen);
			k = tmp;
		}
	}
	long e = find_ent(arr, k);
	if (e >= 0) {
		if (!arr->ents[e].val)
			arr->live++;
		arr->ents[e].val = val;
		return;
	}
	add_ent(a, arr, k, klen, val);
}

void pv_append(arena *a, pv *arr, pv *val)
{
	char buf[32];
	int n = snprintf(buf, sizeof buf, "%lld", arr->next_index);
	pv_set(a, arr, buf, (size_t)n, val);
}

void pv_del(pv *arr, const char *key)
{
	long e = find_ent(arr, key);
	if (e >= 0 && arr->ents[e].val) {
		arr->ents[e].val = NULL;
		arr->live--;
	}
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *form_urldecode(arena *a, const char *s, size_t n, size_t *outlen)
{
	char *out = arena_alloc(a, n + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+')
			out[o++] = ' ';
		else if (s[i] == '%' && i + 2 < n && hexval((unsigned char)s[i + 1]) >= 0 &&
			 hexval((unsigned char)s[i + 2]) >= 0) {
			out[o++] = (char)(hexval((unsigned char)s[i + 1]) * 16 + hexval((unsigned char)s[i + 2]));
			i += 2;
		} else
			out[o++] = s[i];
	}
	out[o] = '\0';
	if (outlen)
		*outlen = o;
	return out;
}

/* php_register_variable_ex: name is the decoded name (a C string, cut at
 * its first NUL), val the decoded value. */
static void register_var(arena *a, pv *top, char *name, pv *val)
{
	while (*name == ' ')
		name++;
	char *p = name, *ip = NULL;
	bool is_array = false;
	for (; *p; p++) {
		if (*p == ' ' || *p == '.')
			*p = '_';
		else if (*p == '[') {
			is_array = true;
			ip = p;
			*p = '\0';
			break;
		}
	}
	size_t var_len = (size_t)(p - name);
	if (var_len == 0)
		return;
	char *index = name;
	size_t index_len = var_len;
	pv *sym = top;
	int nest = 0;

	if (is_array) {
		for (;;) {
			char *index_s;
			size_t new_idx_len = 0;
			if (++nest > 64) {
				/* max_input_nesting_level: PHP drops the variable */
				pv_del(top, name);
				return;
			}
			ip++;
			index_s = ip;
			if (*ip == ' ')
				ip++;
			if (*ip == ']')
				index_s = NULL;
			else {
				ip = strchr(ip, ']');
				if (!ip) {
					/* not an index: the '[' and the rest become part of a plain name */
					*(index_s - 1) = '_';
					for (char *q = index_s; *q; q++)
						if (*q == ' ' || *q == '.' || *q == '[')
							*q = '_';
					index_len = index ? strlen(index) : 0;
					goto plain_var;
				}
				*ip = '\0';
				new_idx_len = strlen(index_s);
			}
			pv *elem;
			if (!index) {
				elem = pv_new_arr(a);
				pv_append(a, sym, elem);
			} else {
				char save = index[index_len];
				index[index_len] = '\0';
				elem = pv_get(sym, index);
				if (!elem || elem->type != PV_ARR) {
					elem = pv_new_arr(a);
					pv_set(a, sym, index, index_len, elem);
				}
				index[index_len] = save;
			}
			sym = elem;
			index = index_s;
			index_len = new_idx_len;
			ip++;
			if (*ip == '[') {
				is_array = true;
				*ip = '\0';
			} else
				goto plain_var;
		}
	}
plain_var:
	if (!index)
		pv_append(a, sym, val);
	else
		pv_set(a, sym, index, index_len, val);
}

static void handle_pair(arena *a, pv *arr, const char *seg, size_t n)
{
	const char *eq = memchr(seg, '=', n);
	size_t klen = eq ? (size_t)(eq - seg) : n;
	size_t nlen, vlen = 0;
	char *name = form_urldecode(a, seg, klen, &nlen);
	char *value = eq ? form_urldecode(a, eq + 1, n - klen - 1, &vlen) : arena_strndup(a, "", 0);
	pv *val = arena_alloc(a, sizeof *val);
	val->type = PV_STR;
	val->s = value;
	val->len = vlen;
	register_var(a, arr, name, val);
}

void form_parse(arena *a, pv *arr, const char *data, size_t len, bool is_body,
		long max_vars, form_count *cnt)
{
	size_t i = 0;
	long kept = 0, pairs = 0;
	bool stopped = false;
	while (i < len) {
		const char *amp = memchr(data + i, '&', len - i);
		size_t end = amp ? (size_t)(amp - data) : len;
		size_t n = end - i;
		if (is_body) {
			/* add_post_vars: every segment counts, the check follows registration */
			pairs++;
			if (!stopped) {
				handle_pair(a, arr, data + i, n);
				kept++;
				if (max_vars >= 0 && kept > max_vars)
					stopped = true;
			}
		} else if (n > 0) {
			/* php_default_treat_data: strtok skips empty segments, checks before */
			pairs++;
			if (!stopped) {
				if (max_vars >= 0 && kept + 1 > max_vars)
					stopped = true;
				else {
					handle_pair(a, arr, data + i, n);
					kept++;
				}
			}
		}
		i = end + 1;
	}
	if (cnt) {
		cnt->pairs += pairs;
		cnt->kept += kept;
	}
}

pv *form_merge(arena *a, const pv *get, const pv *post)
{
	pv *out = pv_new_arr(a);
	const pv *src[2] = { get, post };
	for (int s = 0; s < 2; s++) {
		if (!src[s])
			continue;
		for (size_t i = 0; i < src[s]->n; i++) {
			const pv_ent *e = &src[s]->ents[i];
			if (!e->val)
				continue;
			if (pv_key_is_int(e->key, NULL))
				pv_append(a, out, e->val);
			else
				pv_set(a, out, e->key, strlen(e->key), e->val);
		}
	}
	return out;
}
