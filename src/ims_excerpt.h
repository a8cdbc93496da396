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
} ims_excerpt;

void ims_excerpt_init(ims_excerpt *x);
/* Remembers a chunk (the previous one is kept too, older ones dropped). */
void ims_excerpt_add(ims_excerpt *x, const char *data, size_t n);
/* Writes the text around line:col (1-based) into out, as one or two lines:
 * the text, and a caret under the column. Returns false when that line is no
 * longer (or not yet) in memory. */
bool ims_excerpt_around(const ims_excerpt *x, int line, int col, char *out, size_t outsz);
void ims_excerpt_free(ims_excerpt *x);

#endif
