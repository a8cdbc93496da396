/* arena.c -- bump allocator in large blocks (see arena.h). Blocks come
 * straight from mmap, so they are zero when they arrive and arena_alloc
 * never clears memory a second time. Transparent huge pages were measured
 * for the model's blocks and left out: on the 2-core VMs we run on, they
 * doubled the system time of reading a large university's file. */
#include "config.h"
#include "arena.h"
#include "util.h"

#include <stdalign.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

/* Everything the arena holds (pointers, 64-bit integers, strings) needs at
 * most 8-byte alignment; max_align_t's 16 would waste a quarter of the
 * model's memory on padding. */
#define ARENA_ALIGN 8

struct arena_block {
	arena_block *next;
	size_t used, size;      /* size: bytes of data[] */
	size_t written;         /* data[] below this is in pages already written */
	alignas(ARENA_ALIGN) unsigned char data[];
};

#define ARENA_BLOCK_SIZE (1024 * 1024)

void arena_init(arena *a)
{
	a->head = NULL;
	a->block_size = ARENA_BLOCK_SIZE;
	a->total = 0;
}

/* Maps n bytes of zeroed memory; aborts when the system has no memory left
 * (as xmalloc does). */
static void *map_zeroed(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		out_of_memory(n);
	return p;
}

static arena_block *new_block(arena *a, size_t min)
{
	size_t size = min > a->block_size ? min : a->block_size;
	size_t mapped = (sizeof(arena_block) + size + 4095) & ~(size_t)4095;
	arena_block *b = map_zeroed(mapped);
	b->used = 0;
	b->written = 0;          /* the header's writes took the first page */
	b->size = mapped - sizeof *b;
	a->total += mapped;
	return b;
}

/* Writes a zero into each page of the block up to `used` that was not
 * written yet. A page whose first touch is a read (a caller that tests a
 * field of a fresh record before setting it) is mapped to the kernel's
 * shared zero page and faults a second time when written; with a second
 * thread running (ims_parse.c's pipeline) that second fault also makes
 * every other CPU flush its TLB. A write first costs one fault. */
static void write_pages(arena_block *b)
{
	uintptr_t data = (uintptr_t)b->data;
	for (uintptr_t page = (data + b->written + 4095) & ~(uintptr_t)4095; page < data + b->used;
	     page += 4096)
		*(volatile unsigned char *)page = 0;
	b->written = b->used;
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
	/* never handed out before: still the zeroes mmap gave */
	unsigned char *p = b->data + b->used;
	b->used += n;
	if (b->used > b->written)
		write_pages(b);
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
		munmap(b, sizeof *b + b->size);
		b = next;
	}
	a->head = NULL;
	a->total = 0;
}
