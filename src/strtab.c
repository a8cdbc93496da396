/* strtab.c -- string interning (see strtab.h). Each string is stored after a
 * small header holding its hash and length. */
#include "config.h"
#include "strtab.h"
#include "util.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct strhead {
	uint32_t hash;
	uint32_t len;
} strhead;

static inline const strhead *head_of(const char *s)
{
	return (const strhead *)(const void *)(s - sizeof(strhead));
}

size_t strtab_len(const char *interned)
{
	return head_of(interned)->len;
}

void strtab_init(strtab *t, arena *mem)
{
	t->mem = mem;
	t->cap = 1024;
	t->count = 0;
	t->bytes = 0;
	t->slots = xcalloc(t->cap, sizeof *t->slots);
}

/* hash_words ends with a full multiply, so the low bits used for the
 * slot index depend on every byte. */
static uint32_t hash_of(const char *s, size_t n)
{
	return (uint32_t)hash_words(s, n, HASH_SEED);
}

/* The key being looked up, with its first bytes zero-padded so that the
 * prefix compares as two words. */
typedef struct lookup_key {
	const char *s;
	size_t n;
	uint32_t h;
	char prefix[STRTAB_PREFIX];
} lookup_key;

static void make_key(lookup_key *k, const char *s, size_t n)
{
	k->s = s;
	k->n = n;
	k->h = hash_of(s, n);
	memset(k->prefix, 0, sizeof k->prefix);
	memcpy(k->prefix, s, n < STRTAB_PREFIX ? n : STRTAB_PREFIX);
}

static inline bool slot_holds(const strtab_slot *sl, const lookup_key *k)
{
	uint64_t a[2], b[2];
	if (sl->hash != k->h || sl->len != k->n)
		return false;
	memcpy(a, sl->prefix, sizeof a);
	memcpy(b, k->prefix, sizeof b);
	if (a[0] != b[0] || a[1] != b[1])
		return false;
	return k->n <= STRTAB_PREFIX ||
	       memcmp(sl->str + STRTAB_PREFIX, k->s + STRTAB_PREFIX, k->n - STRTAB_PREFIX) == 0;
}

static size_t find_slot(const strtab_slot *slots, size_t cap, const lookup_key *k)
{
	size_t i = k->h & (cap - 1);
	for (;;) {
		const strtab_slot *sl = &slots[i];
		if (!sl->str || slot_holds(sl, k))
			return i;
		i = (i + 1) & (cap - 1);
	}
}

static void grow(strtab *t)
{
	size_t ncap = t->cap * 2;
	strtab_slot *ns = xcalloc_written(ncap, sizeof *ns);
	for (size_t i = 0; i < t->cap; i++) {
		if (!t->slots[i].str)
			continue;
		size_t j = t->slots[i].hash & (ncap - 1);
		while (ns[j].str)
			j = (j + 1) & (ncap - 1);
		ns[j] = t->slots[i];
	}
	free(t->slots);
	t->slots = ns;
	t->cap = ncap;
}

const char *strtab_lookup(const strtab *t, const char *s, size_t n)
{
	lookup_key k;
	make_key(&k, s, n);
	return t->slots[find_slot(t->slots, t->cap, &k)].str;
}

const char *strtab_intern(strtab *t, const char *s, size_t n)
{
	lookup_key k;
	make_key(&k, s, n);
	uint32_t h = k.h;
	size_t i = find_slot(t->slots, t->cap, &k);

	if (t->slots[i].str)
		return t->slots[i].str;
	if ((t->count + 1) * 4 > t->cap * 3) {
		grow(t);
		i = find_slot(t->slots, t->cap, &k);
	}
	char *mem = arena_alloc(t->mem, sizeof(strhead) + n + 1);
	strhead *hd = (strhead *)(void *)mem;
	hd->hash = h;
	hd->len = (uint32_t)n;
	char *str = mem + sizeof(strhead);
	memcpy(str, s, n);
	str[n] = '\0';
	strtab_slot *sl = &t->slots[i];
	sl->hash = h;
	sl->len = (uint32_t)n;
	sl->str = str;
	memcpy(sl->prefix, k.prefix, STRTAB_PREFIX);
	t->count++;
	t->bytes += n + 1;
	return str;
}

void strtab_free(strtab *t)
{
	free(t->slots);
	t->slots = NULL;
	t->cap = t->count = 0;
}
