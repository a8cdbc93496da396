/* strtab.c -- string interning (see strtab.h). Each string is stored after a
 * small header holding its hash and length. */
#include "config.h"
#include "strtab.h"
#include "util.h"

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

static size_t find_slot(const char **slots, size_t cap, const char *s, size_t n, uint32_t h)
{
	size_t i = h & (cap - 1);
	for (;;) {
		const char *c = slots[i];
		if (!c)
			return i;
		const strhead *hd = head_of(c);
		if (hd->hash == h && hd->len == n && memcmp(c, s, n) == 0)
			return i;
		i = (i + 1) & (cap - 1);
	}
}

static void grow(strtab *t)
{
	size_t ncap = t->cap * 2;
	const char **ns = xcalloc(ncap, sizeof *ns);
	for (size_t i = 0; i < t->cap; i++) {
		const char *c = t->slots[i];
		if (c) {
			size_t j = head_of(c)->hash & (ncap - 1);
			while (ns[j])
				j = (j + 1) & (ncap - 1);
			ns[j] = c;
		}
	}
	free(t->slots);
	t->slots = ns;
	t->cap = ncap;
}

const char *strtab_lookup(const strtab *t, const char *s, size_t n)
{
	uint32_t h = (uint32_t)hash_bytes(s, n, HASH_SEED);
	return t->slots[find_slot(t->slots, t->cap, s, n, h)];
}

const char *strtab_intern(strtab *t, const char *s, size_t n)
{
	uint32_t h = (uint32_t)hash_bytes(s, n, HASH_SEED);
	size_t i = find_slot(t->slots, t->cap, s, n, h);

	if (t->slots[i])
		return t->slots[i];
	if ((t->count + 1) * 4 > t->cap * 3) {
		grow(t);
		i = find_slot(t->slots, t->cap, s, n, h);
	}
	char *mem = arena_alloc(t->mem, sizeof(strhead) + n + 1);
	strhead *hd = (strhead *)(void *)mem;
	hd->hash = h;
	hd->len = (uint32_t)n;
	char *str = mem + sizeof(strhead);
	memcpy(str, s, n);
	str[n] = '\0';
	t->slots[i] = str;
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
