/* arena.h -- a bump allocator: many small allocations, freed all at once.
 * The IMS model lives in one arena so that freeing it is one call. */
#ifndef IMS2MOODLE_ARENA_H
#define IMS2MOODLE_ARENA_H

#include <stddef.h>

typedef struct arena_block arena_block;
typedef struct arena {
	arena_block *head;   /* the block being filled */
	size_t block_size;   /* size of ordinary blocks */
	size_t total;        /* bytes obtained from the system, for reporting */
} arena;

/* Initialises an empty arena; no memory is taken until the first alloc. */
void arena_init(arena *a);
/* Returns zeroed memory aligned to 8 bytes (enough for pointers, 64-bit
 * integers and doubles; not for long double); never fails (aborts on OOM).
 * Lives until arena_free. */
void *arena_alloc(arena *a, size_t n);
/* Copies n bytes and a terminating NUL into the arena. */
char *arena_strndup(arena *a, const char *s, size_t n);
/* Frees every block; the arena can be used again afterwards. */
void arena_free(arena *a);

#endif
