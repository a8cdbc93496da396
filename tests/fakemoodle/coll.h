/* coll.h -- the emulator's small collections: a growable pointer vector, a
 * hash map from 64-bit integers to pointers and a hash map from strings to
 * pointer vectors (a multi-index), all with removal, which the state indexes
 * need (src/ptrmap.h has no removal). Not thread-safe: the state mutex
 * guards every use. */
#ifndef FAKEMOODLE_COLL_H
#define FAKEMOODLE_COLL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* A growable array of pointers. Zero-initialise ({0}) to start empty. */
typedef struct vec {
	void **v;
	size_t n, cap;
} vec;

void vec_push(vec *a, void *p);
/* Inserts p at index i (0 <= i <= n), shifting the rest up. */
void vec_insert(vec *a, size_t i, void *p);
/* Removes the first occurrence of p, keeping the order; returns whether it was there. */
bool vec_remove(vec *a, const void *p);
/* Removes index i, keeping the order. */
void vec_remove_at(vec *a, size_t i);
/* Index of p, or -1. */
long vec_index(const vec *a, const void *p);
void vec_free(vec *a);
/* qsort of the items (no-op when fewer than two: an empty vector's array
 * may be NULL). */
void vec_sort(vec *a, int (*cmp)(const void *, const void *));
#define VEC_AT(a, i) ((a)->v[(i)])

/* Integer-keyed hash map (linear probing, backward-shift deletion). */
typedef struct u64map {
	uint64_t *keys;
	void **vals;      /* NULL value = empty slot */
	size_t cap, count;
} u64map;

void *u64map_get(const u64map *m, uint64_t key);
/* Sets key to val (val must not be NULL); returns the previous value or NULL. */
void *u64map_put(u64map *m, uint64_t key, void *val);
/* Removes key; returns the removed value or NULL. */
void *u64map_del(u64map *m, uint64_t key);
/* Iteration: for (size_t it = 0; u64map_next(m, &it, &k, &v);) -- no
 * changes to the map while iterating. */
bool u64map_next(const u64map *m, size_t *it, uint64_t *key, void **val);
void u64map_free(u64map *m);

/* String-keyed multi-index: each key maps to a vector of pointers. Keys are
 * copied. */
typedef struct smap_slot {
	char *key;
	uint64_t hash;
	vec items;
} smap_slot;

typedef struct strmulti {
	smap_slot *slots;
	size_t cap, count;
} strmulti;

/* The items under key, or NULL when there are none. */
const vec *strmulti_get(const strmulti *m, const char *key);
void strmulti_add(strmulti *m, const char *key, void *item);
/* Removes one item under key (no-op if absent); drops the key when empty. */
void strmulti_del(strmulti *m, const char *key, const void *item);
void strmulti_free(strmulti *m);

#endif
