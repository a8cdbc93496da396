/* ims_repair.c -- the streaming repair filter (see ims_repair.h).
 *
 * A small lexer follows the XML context (text, tag, attribute value,
 * comment, CDATA, processing instruction, declaration) so that a '&' is
 * repaired only where XML would read it as a reference: in text and in
 * attribute values. A '&' starts a well-formed reference when it is followed
 * by a name or '#digits' or '#x hexdigits' and a ';' -- such references are
 * left alone even when undefined (&nbsp; stays an error). */
#include "config.h"
#include "ims_repair.h"
#include "ims_parse.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_LOOKAHEAD 64   /* bytes a decision may need beyond the current one */

enum lex { L_TEXT, L_TAG, L_ATTR, L_COMMENT, L_CDATA, L_PI, L_DECL };

typedef struct amp_pos {
	uint32_t line, col;
} amp_pos;

struct ims_repairer {
	unsigned flags;
	ims_model *m;
	uint32_t file;

	bool started;            /* the first bytes were examined */
	bool passthrough;        /* UTF-16 or another encoding we cannot lex */
	bool single_byte;        /* declared single-byte encoding: a byte is a column */
	bool leading_done;
	uint32_t skipped_newlines;
	uint32_t skipped_tail;   /* bytes skipped after the last skipped newline */

	enum lex state;
	char quote;
	int decl_depth;

	strbuf carry;            /* bytes held back for a decision */

	uint64_t line, col;      /* original position of the next unlexed byte */

	/* stop[state][byte]: the bytes the lexer must look at in that state
	 * (those that may end it or need a decision, and newlines); all
	 * others are skipped in a tight loop */
	unsigned char stop[L_DECL + 1][256];

	amp_pos *amps;           /* every ampersand repair, in file order */
	size_t namps, capamps;
};

int ims_repair_parse_list(const char *list, unsigned *flags, errinfo *e)
{
	const char *p = list;
	*flags = 0;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		while (n && *p == ' ') {
			p++;
			n--;
		}
		while (n && p[n - 1] == ' ')
			n--;
		if (n == 9 && strncmp(p, "ampersand", 9) == 0)
			*flags |= IMS_REPAIR_AMPERSAND;
		else if (n == 13 && strncmp(p, "leading-space", 13) == 0)
			*flags |= IMS_REPAIR_LEADING_SPACE;
		else if (n == 4 && strncmp(p, "none", 4) == 0)
			;
		else if (n)
			return err_set(e, -EXIT_USAGE,
				       "unknown repair '%.*s' (known: ampersand, leading-space)", (int)n, p);
		if (!end)
			break;
		p = end + 1;
	}
	return 0;
}

ims_repairer *ims_repairer_new(unsigned flags, ims_model *m, uint32_t file)
{
	if (!flags)
		return NULL;
	ims_repairer *r = xcalloc(1, sizeof *r);
	r->flags = flags;
	r->m = m;
	r->file = file;
	r->line = 1;
	r->col = 1;
	r->leading_done = !(flags & IMS_REPAIR_LEADING_SPACE);
	static const char *const stop_bytes[L_DECL + 1] = {
		[L_TEXT] = "&<\n", [L_TAG] = "\"'>\n", [L_ATTR] = "&\"'\n",
		[L_COMMENT] = "-\n", [L_CDATA] = "]\n", [L_PI] = "?\n", [L_DECL] = "[]>\n",
	};
	for (int st = 0; st <= L_DECL; st++)
		for (const char *b = stop_bytes[st]; *b; b++)
			r->stop[st][(unsigned char)*b] = 1;
	return r;
}

void ims_repairer_free(ims_repairer *r)
{
	if (!r)
		return;
	sb_free(&r->carry);
	free(r->amps);
	free(r);
}

static void note_repair(ims_repairer *r, int kind, uint32_t line, uint32_t col)
{
	ims_repair_group *g = &r->m->repairs[kind];
	g->count++;
	if (g->nsamples < IMS_REPAIR_SAMPLES)
		g->samples[g->nsamples++] = (ims_loc){ r->file, line, col };
}

/* Columns (characters) in s[0..n): bytes in a single-byte encoding, else
 * UTF-8 lead bytes. */
static uint64_t count_cols(const ims_repairer *r, const char *s, size_t n)
{
	if (r->single_byte)
		return n;
	uint64_t cols = 0;
	for (size_t k = 0; k < n; k++)
		cols += ((unsigned char)s[k] & 0xC0) != 0x80;
	return cols;
}

/* Examines the first bytes: UTF-16 cannot be lexed byte-wise; a declared
 * single-byte encoding counts columns in bytes. */
static void examine_start(ims_repairer *r, const unsigned char *s, size_t n)
{
	r->started = true;
	if (n >= 2 && ((s[0] == 0xFE && s[1] == 0xFF) || (s[0] == 0xFF && s[1] == 0xFE) ||
		       (s[0] == 0 && s[1] == '<') || (s[0] == '<' && s[1] == 0))) {
		r->passthrough = true;
		return;
	}
	const char *end = memchr(s, '>', n < 200 ? n : 200);
	const char *p = end ? memchr(s, 'e', (size_t)(end - (const char *)s)) : NULL;
	for (; p && p + 8 < end; p = memchr(p + 1, 'e', (size_t)(end - p - 1))) {
		if (strncmp(p, "encoding", 8) != 0)
			continue;
		p += 8;
		while (p < end && (*p == ' ' || *p == '=' || *p == '"' || *p == '\''))
			p++;
		r->single_byte = !(strncasecmp(p, "utf-8", 5) == 0 || strncasecmp(p, "utf8", 4) == 0 ||
				   strncasecmp(p, "utf-16", 6) == 0);
		break;
	}
}

/* Accounts for n skipped bytes of leading whitespace. */
static void count_skipped(ims_repairer *r, const char *s, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		if (s[k] == '\n') {
			r->skipped_newlines++;
			r->skipped_tail = 0;
		} else {
			r->skipped_tail++;
		}
	}
}

/* Skips whitespace before the declaration or root. Returns the bytes
 * consumed, or SIZE_MAX when more input is needed to decide. */
static size_t skip_leading(ims_repairer *r, const char *s, size_t n, bool final)
{
	size_t i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
		i++;
	if (i == n && !final)
		return SIZE_MAX;
	if (i && n - i < 5 && !final)
		return SIZE_MAX;
	r->leading_done = true;
	if (i == n || s[i] != '<')
		return 0;
	count_skipped(r, s, i);
	/* Only a repair when the declaration follows; before a bare root the
	 * whitespace was legal, and skipping it changes nothing. */
	if ((r->skipped_newlines || r->skipped_tail) && n - i >= 5 && memcmp(s + i, "<?xml", 5) == 0)
		note_repair(r, 1, 1, 1);
	r->line = 1 + r->skipped_newlines;
	r->col = 1 + r->skipped_tail;
	return i;
}

static bool is_name_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || c >= 0x80;
}

static bool is_name_char(unsigned char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

/* Whether the '&' at s[0] starts a well-formed reference: 1 yes, 0 no, -1
 * cannot tell yet (more bytes needed). A name or number longer than the
 * lookahead counts as a reference: it is left to libxml2 to accept or refuse,
 * never repaired (only a '&' that plainly starts no reference is). */
static int starts_reference(const unsigned char *s, size_t n)
{
	size_t k = 1;
	if (k >= n)
		return -1;
	if (s[k] == '#') {
		bool hex = false;
		size_t digits = 0;
		k++;
		if (k < n && s[k] == 'x') {
			hex = true;
			k++;
		}
		for (; k < n && k < MAX_LOOKAHEAD; k++) {
			unsigned char c = s[k];
			bool ok = (c >= '0' && c <= '9') ||
				  (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
			if (!ok)
				return c == ';' && digits > 0;
			digits++;
		}
		return k >= MAX_LOOKAHEAD ? 1 : -1;
	}
	if (!is_name_start(s[k]))
		return 0;
	for (k++; k < n && k < MAX_LOOKAHEAD; k++)
		if (!is_name_char(s[k]))
			return s[k] == ';';
	return k >= MAX_LOOKAHEAD ? 1 : -1;
}

/* Whether s starts with lit; -1 when s is too short to tell. */
static int starts_with(const char *s, size_t n, const char *lit)
{
	size_t l = strlen(lit);
	if (n < l)
		return memcmp(s, lit, n) == 0 ? -1 : 0;
	return memcmp(s, lit, l) == 0;
}

/* Lexes s[0..n), feeding it with repairs. Returns the number of bytes
 * consumed; the rest must be carried to the next call (never more than
 * MAX_LOOKAHEAD bytes). Positions are computed lazily: newlines are
 * counted as they pass, and a column only where a repair needs one and
 * at the end of the call. */
static size_t lex(ims_repairer *r, const char *s, size_t n, bool final, ims_feed_fn feed, void *ctx)
{
	size_t i = 0, seg = 0;
	size_t line_start = 0;     /* index where the current line starts ... */
	bool line_in_chunk = false; /* ... when it started inside this chunk */
	int m;

#define COL_AT(k) (line_in_chunk ? 1 + count_cols(r, s + line_start, (k) - line_start) \
				 : r->col + count_cols(r, s, (k)))
	while (i < n) {
		const unsigned char *stop = r->stop[r->state];
		while (i < n && !stop[(unsigned char)s[i]])
			i++;
		if (i == n)
			break;
		unsigned char c = (unsigned char)s[i];
		if (c == '\n') {
			r->line++;
			line_start = ++i;
			line_in_chunk = true;
			continue;
		}
		switch (r->state) {
		case L_TEXT:
		case L_ATTR:
			if (c == '&') {
				int ref = starts_reference((const unsigned char *)s + i, n - i);
				if (ref < 0 && !final)
					goto need_more;
				if (ref <= 0 && (r->flags & IMS_REPAIR_AMPERSAND)) {
					feed(ctx, s + seg, i + 1 - seg, 0);
					feed(ctx, "amp;", 4, 0);
					seg = i + 1;
					uint32_t col = (uint32_t)COL_AT(i);
					note_repair(r, 0, (uint32_t)r->line, col);
					if (r->namps == r->capamps) {
						r->capamps = r->capamps ? r->capamps * 2 : 64;
						r->amps = xrealloc(r->amps, r->capamps * sizeof *r->amps);
					}
					r->amps[r->namps++] = (amp_pos){ (uint32_t)r->line, col };
				}
			} else if (r->state == L_ATTR) {
				if (c == (unsigned char)r->quote)
					r->state = L_TAG;
			} else if (c == '<') {
				if ((m = starts_with(s + i, n - i, "<!--")) < 0 && !final)
					goto need_more;
				if (m > 0) {
					r->state = L_COMMENT;
				} else if ((m = starts_with(s + i, n - i, "<![CDATA[")) < 0 && !final) {
					goto need_more;
				} else if (m > 0) {
					r->state = L_CDATA;
				} else if (n - i < 2 && !final) {
					goto need_more;
				} else {
					char d = n - i >= 2 ? s[i + 1] : 0;
					r->state = d == '?' ? L_PI : d == '!' ? L_DECL : L_TAG;
					r->decl_depth = 0;
				}
			}
			break;
		case L_TAG:
			if (c == '"' || c == '\'') {
				r->quote = (char)c;
				r->state = L_ATTR;
			} else {
				r->state = L_TEXT;
			}
			break;
		case L_COMMENT:
			if ((m = starts_with(s + i, n - i, "-->")) < 0 && !final)
				goto need_more;
			if (m > 0) {
				i += 2;
				r->state = L_TEXT;
			}
			break;
		case L_CDATA:
			if ((m = starts_with(s + i, n - i, "]]>")) < 0 && !final)
				goto need_more;
			if (m > 0) {
				i += 2;
				r->state = L_TEXT;
			}
			break;
		case L_PI:
			if ((m = starts_with(s + i, n - i, "?>")) < 0 && !final)
				goto need_more;
			if (m > 0) {
				i += 1;
				r->state = L_TEXT;
			}
			break;
		case L_DECL:
			if (c == '[')
				r->decl_depth++;
			else if (c == ']')
				r->decl_depth--;
			else if (r->decl_depth <= 0)
				r->state = L_TEXT;
			break;
		}
		i++;
	}
need_more:
	if (i > seg)
		feed(ctx, s + seg, i - seg, 0);
	r->col = COL_AT(i);
#undef COL_AT
	return i;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void process(ims_repairer *r, const char *data, size_t n, bool final, ims_feed_fn feed,
		    void *ctx)
{
	strbuf work = STRBUF_INIT;
	const char *s = data;
	size_t len = n;

	if (r->carry.len) {
		sb_add(&work, r->carry.buf, r->carry.len);
		sb_add(&work, data, n);
		s = work.buf;
		len = work.len;
		sb_reset(&r->carry);
	}
	if (!r->started && len < 200 && !final)
		goto hold;
	if (!r->started)
		examine_start(r, (const unsigned char *)s, len);
	if (r->passthrough) {
		if (len)
			feed(ctx, s, len, 0);
		sb_free(&work);
		return;
	}
	size_t i = 0;
	if (!r->leading_done) {
		i = skip_leading(r, s, len, final);
		if (i == SIZE_MAX)
			goto hold;
	}
	if (!(r->flags & IMS_REPAIR_AMPERSAND)) {
		/* the leading space was the only repair asked for: the rest passes */
		r->passthrough = true;
		if (len > i)
			feed(ctx, s + i, len - i, 0);
		sb_free(&work);
		return;
	}
	i += lex(r, s + i, len - i, final, feed, ctx);
	sb_add(&r->carry, s + i, len - i);
	sb_free(&work);
	return;
hold:
	/* Not enough bytes to decide yet (only at the very start of a file, or
	 * in a run of leading whitespace): keep them, but drop whitespace that
	 * is certainly skipped so that a long run costs no memory. */
	if (r->started && len > MAX_LOOKAHEAD) {
		size_t drop = 0;
		while (drop < len - MAX_LOOKAHEAD && is_space(s[drop]))
			drop++;
		count_skipped(r, s, drop);
		s += drop;
		len -= drop;
	}
	sb_add(&r->carry, s, len);
	sb_free(&work);
}

void ims_repair_feed(ims_repairer *r, const char *data, size_t n, ims_feed_fn feed, void *ctx)
{
	if (!r) {
		feed(ctx, data, n, 0);
		return;
	}
	process(r, data, n, false, feed, ctx);
}

void ims_repair_finish(ims_repairer *r, ims_feed_fn feed, void *ctx)
{
	if (r)
		process(r, "", 0, true, feed, ctx);
	feed(ctx, "", 0, 1);
}

void ims_repair_map_position(const ims_repairer *r, int *line, int *col)
{
	if (!r || *line <= 0)
		return;
	uint32_t first = 1 + r->skipped_newlines;
	uint32_t l = (uint32_t)*line + r->skipped_newlines;
	int64_t c = *col;
	if (l == first)
		c += r->skipped_tail;
	/* ampersand repairs on this line, in order: each moved what follows by 4 */
	size_t lo = 0, hi = r->namps;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (r->amps[mid].line < l)
			lo = mid + 1;
		else
			hi = mid;
	}
	int64_t shift = 0;
	for (size_t k = lo; k < r->namps && r->amps[k].line == l; k++)
		if ((int64_t)r->amps[k].col + shift < c)
			shift += 4;
	*line = (int)l;
	*col = (int)(c - shift);
}
