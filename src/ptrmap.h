/* ptrmap.h -- a hash map from pointers to pointers. Keys are usually
 * interned strings (strtab.h), so identity is equality. */
#ifndef IMS2MOODLE_PTRMAP_H
#define IMS2MOODLE_PTRMAP_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct ptrmap_entry {
	const void *key;
	void *value;
} ptrmap_entry;

typedef struct ptrmap {
	ptrmap_entry *slots;
	size_t cap, count;
} ptrmap;

void ptrmap_init(ptrmap *m);
/* Value for key, or NULL. */
void *ptrmap_get(const ptrmap *m, const void *key);
/* Sets key to value; returns the previous value or NULL. key must not be NULL. */
void *ptrmap_put(ptrmap *m, const void *key, void *value);
/* Iteration: for (size_t i = 0; ptrmap_next(m, &i, &k, &v);) */
bool ptrmap_next(const ptrmap *m, size_t *iter, const void **key, void **value);
void ptrmap_free(ptrmap *m);

/* Keys for ids rather than interned strings: a Moodle id (never 0), and a
 * pair of ids (a course and a user) that stays unique while the second fits
 * 32 bits. */
#define PTRMAP_ID_KEY(id) ((const void *)(intptr_t)(id))
#define PTRMAP_PAIR_KEY(a, b) ((const void *)(uintptr_t)((((uint64_t)(a) << 32) | (uint32_t)(b)) + 1))

#endif
