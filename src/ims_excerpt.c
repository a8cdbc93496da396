/* ims_excerpt.c -- the text around an error position (see ims_excerpt.h). */
#include "config.h"
#include "ims_excerpt.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

void ims_excerpt_init(ims_excerpt *x)
{
	memset(x, 0, sizeof *x);
	x->cur_line = 1;
}

/* Counts the '\n' in s[0..n). Every chunk of the file passes here, so it
 * goes sixteen bytes at a time where SSE2 is there (every x86-64): each
 * lane of a counter takes one per newline, and the lanes are added up
 * before any can overflow. Elsewhere eight bytes at a time: a byte equal
 * to '\n' becomes zero under the xor, adding 0x7F to the low seven bits of
 * each byte sets its high bit unless the byte is zero, and one multiply
 * adds up the ones left in the zero bytes. */
static uint64_t count_newlines(const char *s, size_t n)
{
	uint64_t c = 0;
	size_t i = 0;
#ifdef __SSE2__
	const __m128i nl = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();
	while (n - i >= 16) {
		__m128i lanes = zero;
		size_t stop = n - i >= 16 * 255 ? i + 16 * 255 : i + ((n - i) & ~(size_t)15);
		for (; i < stop; i += 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
			lanes = _mm_sub_epi8(lanes, _mm_cmpeq_epi8(v, nl));
		}
		__m128i sums = _mm_sad_epu8(lanes, zero);
		c += (uint64_t)_mm_cvtsi128_si64(sums) + (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums));
	}
#else
	const uint64_t low7 = 0x7F7F7F7F7F7F7F7FULL, nls = 0x0A0A0A0A0A0A0A0AULL;
	for (uint64_t w; n - i >= 8; i += 8) {
		memcpy(&w, s + i, 8);
		w ^= nls;
		uint64_t t = ~(((w & low7) + low7) | w | low7) >> 7;
		c += (t * 0x0101010101010101ULL) >> 56;
	}
#endif
	for (; i < n; i++)
		c += s[i] == '\n';
	return c;
}

char *ims_excerpt_buffer(ims_excerpt *x, size_t cap)
{
	if (cap > x->cap) {
		x->prev = xrealloc(x->prev, cap);
		x->cur = xrealloc(x->cur, cap);
		x->cap = cap;
	}
	char *t = x->prev;
	x->prev_start += x->prev_len;
	x->prev = x->cur;
	x->prev_len = x->cur_len;
	x->prev_line = x->cur_line;
	x->cur = t;
	x->cur_line = x->prev_line + count_newlines(x->prev, x->prev_len);
	x->cur_len = 0;
	return x->cur;
}

void ims_excerpt_commit(ims_excerpt *x, size_t n)
{
	x->cur_len = n;
}

/* Length of a valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len = s[0] < 0x80 ? 1 : (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3 :
		     (s[0] & 0xF8) == 0xF0 ? 4 : 0;
	if (!len || len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return len;
}

/* The two chunks in memory joined, up to the file's offset upto
 * (malloc'd, NUL-terminated, *total bytes), with *start at the first byte
 * of line; NULL when that line is not in memory. */
static char *line_in_memory(const ims_excerpt *x, int line, uint64_t upto, size_t *start,
			    size_t *total)
{
	if (line < 1 || (uint64_t)line < x->prev_line)
		return NULL;
	*total = x->prev_len + x->cur_len;
	if (upto < x->prev_start + *total)
		*total = upto > x->prev_start ? (size_t)(upto - x->prev_start) : 0;
	char *all = xmalloc(*total + 1);
	size_t from_prev = *total < x->prev_len ? *total : x->prev_len;
	memcpy(all, x->prev, from_prev);
	memcpy(all + from_prev, x->cur, *total - from_prev);
	all[*total] = '\0';
	size_t pos = 0;
	for (uint64_t l = x->prev_line; l < (uint64_t)line; l++) {
		const char *nl = memchr(all + pos, '\n', *total - pos);
		if (!nl) {
			free(all);
			return NULL;
		}
		pos = (size_t)(nl - all) + 1;
	}
	*start = pos;
	return all;
}

int ims_excerpt_find(const ims_excerpt *x, int line, int col, const unsigned char *bytes, size_t n)
{
	size_t pos, total;
	char *all = n ? line_in_memory(x, line, UINT64_MAX, &pos, &total) : NULL;
	if (!all)
		return 0;
	size_t end = pos;
	while (end < total && all[end] != '\n')
		end++;
	int found = 0;
	for (size_t i = pos + (size_t)(col > 1 ? col - 1 : 0); i + n <= end; i++)
		if (memcmp(all + i, bytes, n) == 0) {
			found = (int)(i - pos) + 1;
			break;
		}
	free(all);
	return found;
}

bool ims_excerpt_around(const ims_excerpt *x, int line, int col, uint64_t upto, char *out,
			size_t outsz)
{
	size_t pos, total;
	char *all = outsz < 16 ? NULL : line_in_memory(x, line, upto, &pos, &total);
	if (!all)
		return false;
	size_t end = pos;
	while (end < total && all[end] != '\n' && all[end] != '\r')
		end++;
	/* a window of about 70 characters around the column */
	size_t at = pos + (size_t)(col > 1 ? col - 1 : 0);
	if (at > end)
		at = end;
	size_t from = at > pos + 35 ? at - 35 : pos;
	size_t to = end - at > 35 ? at + 35 : end;
	strbuf sb = STRBUF_INIT;
	int caret = 0;
	if (from > pos)
		sb_adds(&sb, "...");
	for (size_t i = from; i < to;) {
		const unsigned char *c = (const unsigned char *)all + i;
		size_t len = utf8_len(c, to - i);
		if (i < at)
			caret++;
		if (len == 0) {
			sb_addc(&sb, '?');
			i++;
		} else if (len == 1 && (c[0] < 0x20 || c[0] == 0x7f)) {
			sb_addc(&sb, ' ');
			i++;
		} else {
			sb_add(&sb, c, len);
			i += len;
		}
	}
	if (to < end)
		sb_adds(&sb, "...");
	snprintf(out, outsz, "%s\n        %*s^", sb_str(&sb), caret + (from > pos ? 3 : 0), "");
	sb_free(&sb);
	free(all);
	return true;
}

void ims_excerpt_free(ims_excerpt *x)
{
	free(x->prev);
	free(x->cur);
	memset(x, 0, sizeof *x);
}
