/* ptrmap.c -- open-addressing pointer map (see ptrmap.h). */
#include "config.h"
#include "ptrmap.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>

static inline size_t hash_ptr(const void *p)
{
	uint64_t x = (uint64_t)(uintptr_t)p;
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t)x;
}

void ptrmap_init(ptrmap *m)
{
	m->slots = NULL;
	m->cap = m->count = 0;
}

static size_t slot_for(const ptrmap_entry *slots, size_t cap, const void *key)
{
	size_t i = hash_ptr(key) & (cap - 1);
	while (slots[i].key && slots[i].key != key)
		i = (i + 1) & (cap - 1);
	return i;
}

void *ptrmap_get(const ptrmap *m, const void *key)
{
	if (!m->cap)
		return NULL;
	size_t i = slot_for(m->slots, m->cap, key);
	return m->slots[i].key ? m->slots[i].value : NULL;
}

static void grow(ptrmap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 64;
	ptrmap_entry *ns = xcalloc_written(ncap, sizeof *ns);
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key)
			ns[slot_for(ns, ncap, m->slots[i].key)] = m->slots[i];
	free(m->slots);
	m->slots = ns;
	m->cap = ncap;
}

void *ptrmap_put(ptrmap *m, const void *key, void *value)
{
	if ((m->count + 1) * 4 > m->cap * 3)
		grow(m);
	size_t i = slot_for(m->slots, m->cap, key);
	void *old = m->slots[i].key ? m->slots[i].value : NULL;
	if (!m->slots[i].key) {
		m->slots[i].key = key;
		m->count++;
	}
	m->slots[i].value = value;
	return old;
}

bool ptrmap_next(const ptrmap *m, size_t *iter, const void **key, void **value)
{
	for (size_t i = *iter; i < m->cap; i++) {
		if (m->slots[i].key) {
			if (key)
				*key = m->slots[i].key;
			if (value)
				*value = m->slots[i].value;
			*iter = i + 1;
			return true;
		}
	}
	*iter = m->cap;
	return false;
}

void ptrmap_free(ptrmap *m)
{
	free(m->slots);
	ptrmap_init(m);
}
