/* coll.c -- vector, integer map and string multi-index (see coll.h). */
#include "config.h"
#include "coll.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vec_push(vec *a, void *p)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 4;
		a->v = xrealloc(a->v, a->cap * sizeof *a->v);
	}
	a->v[a->n++] = p;
}

void vec_insert(vec *a, size_t i, void *p)
{
	vec_push(a, NULL);
	memmove(a->v + i + 1, a->v + i, (a->n - 1 - i) * sizeof *a->v);
	a->v[i] = p;
}

long vec_index(const vec *a, const void *p)
{
	for (size_t i = a->n; i-- > 0;)
		if (a->v[i] == p)
			return (long)i;
	return -1;
}

void vec_remove_at(vec *a, size_t i)
{
	memmove(a->v + i, a->v + i + 1, (a->n - i - 1) * sizeof *a->v);
	a->n--;
}

bool vec_remove(vec *a, const void *p)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->v[i] == p) {
			vec_remove_at(a, i);
			return true;
		}
	return false;
}

void vec_sort(vec *a, int (*cmp)(const void *, const void *))
{
	if (a->n > 1)
		qsort(a->v, a->n, sizeof *a->v, cmp);
}

void vec_free(vec *a)
{
	free(a->v);
	a->v = NULL;
	a->n = a->cap = 0;
}

/* ---- u64map ---- */

static inline size_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return (size_t)x;
}

void *u64map_get(const u64map *m, uint64_t key)
{
	if (!m->cap)
		return NULL;
	size_t mask = m->cap - 1;
	for (size_t i = mix64(key) & mask;; i = (i + 1) & mask) {
		if (!m->vals[i])
			return NULL;
		if (m->keys[i] == key)
			return m->vals[i];
	}
}

static void u64map_grow(u64map *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 16;
	uint64_t *nk = xcalloc(ncap, sizeof *nk);
	void **nv = xcalloc(ncap, sizeof *nv);
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->vals[i])
			continue;
		size_t j = mix64(m->keys[i]) & (ncap - 1);
		while (nv[j])
			j = (j + 1) & (ncap - 1);
		nk[j] = m->keys[i];
		nv[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = nk;
	m->vals = nv;
	m->cap = ncap;
}

void *u64map_put(u64map *m, uint64_t key, void *val)
{
	if ((m->count + 1) * 4 > m->cap * 3)
		u64map_grow(m);
	size_t mask = m->cap - 1;
	size_t i = mix64(key) & mask;
	while (m->vals[i] && m->keys[i] != key)
		i = (i + 1) & mask;
	void *old = m->vals[i];
	if (!old)
		m->count++;
	m->keys[i] = key;
	m->vals[i] = val;
	return old;
}

void *u64map_del(u64map *m, uint64_t key)
{
	if (!m->cap)
		return NULL;
	size_t mask = m->cap - 1;
	size_t i = mix64(key) & mask;
	while (m->vals[i] && m->keys[i] != key)
		i = (i + 1) & mask;
	void *old = m->vals[i];
	if (!old)
		return NULL;
	/* backward-shift deletion keeps probe chains intact */
	size_t j = i;
	for (;;) {
		m->vals[i] = NULL;
		for (;;) {
			j = (j + 1) & mask;
			if (!m->vals[j]) {
				m->count--;
				return old;
			}
			size_t home = mix64(m->keys[j]) & mask;
			/* move j to i unless home lies cyclically in (i, j] */
			if (i <= j ? (home <= i || home > j) : (home <= i && home > j))
				break;
		}
		m->keys[i] = m->keys[j];
		m->vals[i] = m->vals[j];
		i = j;
	}
}

bool u64map_next(const u64map *m, size_t *it, uint64_t *key, void **val)
{
	while (*it < m->cap) {
		size_t i = (*it)++;
		if (m->vals[i]) {
			*key = m->keys[i];
			*val = m->vals[i];
			return true;
		}
	}
	return false;
}

void u64map_free(u64map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof *m);
}

/* ---- strmulti ---- */

static uint64_t str_hash(const char *s)
{
	uint64_t h = hash_bytes(s, strlen(s), HASH_SEED);
	return h ? h : 1;
}

static size_t smap_find(const strmulti *m, const char *key, uint64_t h)
{
	size_t mask = m->cap - 1;
	size_t i = (size_t)h & mask;
	while (m->slots[i].key && (m->slots[i].hash != h || strcmp(m->slots[i].key, key) != 0))
		i = (i + 1) & mask;
	return i;
}

const vec *strmulti_get(const strmulti *m, const char *key)
{
	if (!m->cap)
		return NULL;
	size_t i = smap_find(m, key, str_hash(key));
	return m->slots[i].key ? &m->slots[i].items : NULL;
}

static void smap_grow(strmulti *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 16;
	smap_slot *ns = xcalloc(ncap, sizeof *ns);
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->slots[i].key)
			continue;
		size_t j = (size_t)m->slots[i].hash & (ncap - 1);
		while (ns[j].key)
			j = (j + 1) & (ncap - 1);
		ns[j] = m->slots[i];
	}
	free(m->slots);
	m->slots = ns;
	m->cap = ncap;
}

void strmulti_add(strmulti *m, const char *key, void *item)
{
	if ((m->count + 1) * 4 > m->cap * 3)
		smap_grow(m);
	uint64_t h = str_hash(key);
	size_t i = smap_find(m, key, h);
	if (!m->slots[i].key) {
		m->slots[i].key = xstrdup(key);
		m->slots[i].hash = h;
		m->count++;
	}
	vec_push(&m->slots[i].items, item);
}

void strmulti_del(strmulti *m, const char *key, const void *item)
{
	if (!m->cap)
		return;
	uint64_t h = str_hash(key);
	size_t i = smap_find(m, key, h);
	if (!m->slots[i].key)
		return;
	vec_remove(&m->slots[i].items, item);
	if (m->slots[i].items.n)
		return;
	free(m->slots[i].key);
	vec_free(&m->slots[i].items);
	m->slots[i].key = NULL;
	m->count--;
	/* backward shift */
	size_t mask = m->cap - 1, j = i;
	for (;;) {
		j = (j + 1) & mask;
		if (!m->slots[j].key)
			return;
		size_t home = (size_t)m->slots[j].hash & mask;
		if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
			m->slots[i] = m->slots[j];
			memset(&m->slots[j], 0, sizeof m->slots[j]);
			i = j;
		}
	}
}

void strmulti_free(strmulti *m)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key) {
			free(m->slots[i].key);
			vec_free(&m->slots[i].items);
		}
	free(m->slots);
	memset(m, 0, sizeof *m);
}
