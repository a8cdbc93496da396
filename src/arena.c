/* arena.c -- bump allocator in large blocks (see arena.h). */
#include "config.h"
#include "arena.h"
#include "util.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

/* Everything the arena holds (pointers, 64-bit integers, strings) needs at
 * most 8-byte alignment; max_align_t's 16 would waste a quarter of the
 * model's memory on padding. */
#define ARENA_ALIGN 8

struct arena_block {
	arena_block *next;
	size_t used, size;
	alignas(ARENA_ALIGN) unsigned char data[];
};

#define ARENA_BLOCK_SIZE (1024 * 1024)

void arena_init(arena *a)
{
	a->head = NULL;
	a->block_size = ARENA_BLOCK_SIZE;
	a->total = 0;
}

static arena_block *new_block(arena *a, size_t min)
{
	size_t size = min > a->block_size ? min : a->block_size;
	arena_block *b = xmalloc(sizeof *b + size);
	b->used = 0;
	b->size = size;
	a->total += sizeof *b + size;
	return b;
}

void *arena_alloc(arena *a, size_t n)
{
	const size_t align = ARENA_ALIGN;
	arena_block *b = a->head;

	n = (n + align - 1) & ~(align - 1);
	if (!b || b->size - b->used < n) {
		arena_block *nb = new_block(a, n);
		if (b && n > a->block_size / 4) {
			/* A big allocation gets a block of its own behind the
			 * current one, so the current one keeps filling. */
			nb->next = b->next;
			b->next = nb;
			b = nb;
		} else {
			nb->next = b;
			a->head = b = nb;
		}
	}
	void *p = b->data + b->used;
	b->used += n;
	memset(p, 0, n);
	return p;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void arena_free(arena *a)
{
	arena_block *b = a->head;
	while (b) {
		arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
	a->total = 0;
}
