/* ims_excerpt.h -- keeps the last stretch of a file's original bytes while it
 * streams past, so that an error can quote the text around its position
 * without a copy of the whole file. */
#ifndef IMS2MOODLE_IMS_EXCERPT_H
#define IMS2MOODLE_IMS_EXCERPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ims_excerpt {
	char *prev, *cur;          /* the last two chunks */
	size_t prev_len, cur_len, cap;
	uint64_t prev_line;        /* line number at the start of prev */
	uint64_t cur_line;         /* line number at the start of cur */
	uint64_t lines_seen;       /* newlines before the start of cur */
	uint64_t prev_start;       /* offset in the file of prev[0] */
} ims_excerpt;

void ims_excerpt_init(ims_excerpt *x);
/* Returns a buffer of cap bytes to read the next chunk into (the chunk
 * before the current one is dropped); ims_excerpt_commit then records how
 * many bytes it holds. No byte is copied. */
char *ims_excerpt_buffer(ims_excerpt *x, size_t cap);
void ims_excerpt_commit(ims_excerpt *x, size_t n);
/* Writes the text around line:col (1-based) into out, as one or two lines:
 * the text, and a caret under the column, quoting none of the file's bytes
 * from offset upto on (what the parser had been given when the error
 * happened; UINT64_MAX for all). Returns false when that line is no longer
 * (or not yet) in memory. */
bool ims_excerpt_around(const ims_excerpt *x, int line, int col, uint64_t upto, char *out,
			size_t outsz);
/* The column (1-based, counted in bytes from the start of the line) where
 * bytes[0..n) first occur on line at or after column col; 0 when they do
 * not, or the line is not in memory. */
int ims_excerpt_find(const ims_excerpt *x, int line, int col, const unsigned char *bytes, size_t n);
void ims_excerpt_free(ims_excerpt *x);

#endif
