/* strtab.h -- string interning: each distinct string is stored once, in an
 * arena, and equal strings get the same pointer, so they compare with ==. */
#ifndef IMS2MOODLE_STRTAB_H
#define IMS2MOODLE_STRTAB_H

#include <stddef.h>
#include <stdint.h>
#include "arena.h"

#define STRTAB_PREFIX 16

/* A slot keeps the hash, the length and the first bytes of its string, so
 * that a lookup of a short string touches one cache line, not two. */
typedef struct strtab_slot {
	uint32_t hash;
	uint32_t len;
	const char *str;     /* NULL = empty slot */
	char prefix[STRTAB_PREFIX];
} strtab_slot;

typedef struct strtab {
	arena *mem;          /* where the strings live (not owned) */
	strtab_slot *slots;  /* open addressing; hash and length kept in the slot
	                      * so that probing touches no string */
	size_t cap, count;
	size_t bytes;        /* total bytes of distinct strings */
} strtab;

void strtab_init(strtab *t, arena *mem);
/* Returns the canonical copy of s[0..n) (NUL-terminated); never fails. */
const char *strtab_intern(strtab *t, const char *s, size_t n);
static inline const char *strtab_interns(strtab *t, const char *s);
/* Length of an interned string, O(1). */
size_t strtab_len(const char *interned);
/* Returns the canonical copy if s was interned already, else NULL. */
const char *strtab_lookup(const strtab *t, const char *s, size_t n);
/* Frees the table (the strings stay in the arena). */
void strtab_free(strtab *t);

#include <string.h>
static inline const char *strtab_interns(strtab *t, const char *s)
{
	return strtab_intern(t, s, strlen(s));
}

#endif
