/* util.c -- the error record, checked allocation, strbuf and string helpers. */
#include "config.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Ends a message cut at the size of errinfo.msg on a whole UTF-8
 * character, so that reports (JSON, HTML) never get a broken one. */
static void cut_whole_character(char *msg, size_t len)
{
	size_t n = len;
	while (n > 0 && ((unsigned char)msg[n - 1] & 0xC0) == 0x80)
		n--;
	/* n - 1 is a lead byte (or ASCII): keep it only if its sequence is whole */
	if (n > 0 && ((unsigned char)msg[n - 1] & 0x80)) {
		unsigned char lead = (unsigned char)msg[n - 1];
		size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
		if (len - (n - 1) < need)
			len = n - 1;
	}
	msg[len] = '\0';
}

int err_set(errinfo *e, int code, const char *fmt, ...)
{
	if (e) {
		va_list ap;
		va_start(ap, fmt);
		e->code = code;
		int n = vsnprintf(e->msg, sizeof e->msg, fmt, ap);
		va_end(ap);
		if (n >= (int)sizeof e->msg)
			cut_whole_character(e->msg, sizeof e->msg - 1);
	}
	return code;
}

int err_prefix(errinfo *e, const char *fmt, ...)
{
	strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	sb_adds(&sb, e->msg);
	size_t n = sb.len < sizeof e->msg - 1 ? sb.len : sizeof e->msg - 1;
	memcpy(e->msg, sb.buf, n);
	e->msg[n] = '\0';
	if (n < sb.len)
		cut_whole_character(e->msg, n);
	sb_free(&sb);
	return e->code;
}

int err_exit_status(int code)
{
	if (code >= 0)
		return 0;
	code = -code;
	if (code > 0 && code < 126)
		return code;
	return EXIT_SOFTWARE;
}

void out_of_memory(size_t n)
{
	fprintf(stderr, "ims2moodle: out of memory (%zu bytes)\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		out_of_memory(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		out_of_memory(n * size);
	return p;
}

void *xcalloc_written(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		out_of_memory(SIZE_MAX);
	size_t bytes = (n ? n : 1) * (size ? size : 1);
	void *p = xmalloc(bytes);
	memset(p, 0, bytes);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		out_of_memory(n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	if (!sb.buf)
		sb_grow(&sb, 1);
	return sb_detach(&sb);
}

void sb_grow(strbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;
	if (need <= sb->cap)
		return;
	size_t cap = sb->cap ? sb->cap : 64;
	while (cap < need)
		cap *= 2;
	sb->buf = xrealloc(sb->buf, cap);
	sb->cap = cap;
}

void sb_add(strbuf *sb, const void *data, size_t n)
{
	sb_grow(sb, n);
	if (n)
		memcpy(sb->buf + sb->len, data, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void sb_adds(strbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

void sb_addc(strbuf *sb, char c)
{
	sb_grow(sb, 1);
	sb->buf[sb->len++] = c;
	sb->buf[sb->len] = '\0';
}

void sb_vaddf(strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	sb_grow(sb, 64);
	n = vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	if ((size_t)n >= sb->cap - sb->len) {
		sb_grow(sb, (size_t)n);
		vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap);
	}
	sb->len += (size_t)n;
}

void sb_addf(strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(sb, fmt, ap);
	va_end(ap);
}

void sb_reset(strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

void sb_free(strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

char *sb_detach(strbuf *sb)
{
	char *p = sb->buf;
	if (!p)
		p = xstrdup("");
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return p;
}

bool str_eq(const char *a, const char *b)
{
	if (a == b)
		return true;
	if (!a || !b)
		return false;
	return strcmp(a, b) == 0;
}

static inline char ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

const char *str_printable(const char *s, strbuf *tmp)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	while (u && u[i] && u[i] >= 0x20 && u[i] != 0x7f)
		i++;
	if (!u || !u[i])
		return s;
	sb_reset(tmp);
	sb_add(tmp, s, i);
	for (; u[i]; i++) {
		if (u[i] == '\n')
			sb_adds(tmp, "\\n");
		else if (u[i] == '\t')
			sb_adds(tmp, "\\t");
		else if (u[i] < 0x20 || u[i] == 0x7f)
			sb_addf(tmp, "\\x%02X", u[i]);
		else
			sb_addc(tmp, (char)u[i]);
	}
	return tmp->buf;
}

bool has_markup(const char *s)
{
	for (const char *p = s ? strchr(s, '<') : NULL; p; p = strchr(p + 1, '<'))
		if ((p[1] >= 'a' && p[1] <= 'z') || (p[1] >= 'A' && p[1] <= 'Z') || p[1] == '/' ||
		    p[1] == '!' || p[1] == '?')
			return true;
	return false;
}

size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

bool str_ieq_ascii(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	while (*a && ascii_lower(*a) == ascii_lower(*b)) {
		a++;
		b++;
	}
	return *a == *b;
}

static inline bool is_xml_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool str_is_blank(const char *s)
{
	if (!s)
		return true;
	while (*s && is_xml_space(*s))
		s++;
	return *s == '\0';
}

void str_trim_span(const char **s, size_t *n)
{
	const char *p = *s;
	size_t len = *n;
	while (len && is_xml_space(*p)) {
		p++;
		len--;
	}
	while (len && is_xml_space(p[len - 1]))
		len--;
	*s = p;
	*n = len;
}

uint64_t hash_bytes(const void *data, size_t n, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h = seed;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Each 8-byte word (the last one zero-padded, the length mixed in) is
 * folded in by hash_mix. */
uint64_t hash_words(const void *data, size_t n, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h = seed ^ (n * 0xA0761D6478BD642FULL), w;
	while (n >= 8) {
		memcpy(&w, p, 8);
		h = hash_mix(h, w);
		p += 8;
		n -= 8;
	}
	if (n) {
		w = 0;
		memcpy(&w, p, n);
		h = hash_mix(h, w);
	}
	return hash_mix(h, 0xE7037ED1A0B428DBULL);
}

int read_file(const char *path, char **out, size_t *outlen, errinfo *e)
{
	int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	strbuf sb = STRBUF_INIT;

	if (fd < 0)
		return err_set(e, errno == ENOENT ? -EXIT_NOINPUT : -EXIT_IOERR,
			       "%s: %s", path, strerror(errno));
	for (;;) {
		sb_grow(&sb, 65536);
		ssize_t r = read(fd, sb.buf + sb.len, sb.cap - sb.len - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int saved = errno;
			if (fd)
				close(fd);
			sb_free(&sb);
			return err_set(e, -EXIT_IOERR, "%s: %s", path, strerror(saved));
		}
		if (r == 0)
			break;
		sb.len += (size_t)r;
		sb.buf[sb.len] = '\0';
	}
	if (fd)
		close(fd);
	*outlen = sb.len;
	*out = sb_detach(&sb);
	return 0;
}

void sort_array(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

double now_monotonic(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
