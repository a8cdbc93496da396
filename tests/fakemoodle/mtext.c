/* mtext.c -- Moodle/PHP text rules (see mtext.h). */
#include "config.h"
#include "mtext.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>
#include <stdint.h>
#include <stdio.h>

/* Decodes one UTF-8 sequence at s (n bytes left); returns its length, or 0
 * when invalid (overlong, surrogate, > U+10FFFF, truncated). */
static size_t utf8_decode(const unsigned char *s, size_t n, unsigned *cp)
{
	unsigned c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t len;
	unsigned min;
	if ((c & 0xE0) == 0xC0) {
		len = 2;
		c &= 0x1F;
		min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		len = 3;
		c &= 0x0F;
		min = 0x800;
	} else if ((c & 0xF8) == 0xF0) {
		len = 4;
		c &= 0x07;
		min = 0x10000;
	} else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

static void utf8_encode(strbuf *out, unsigned cp)
{
	char b[4];
	if (cp < 0x80) {
		sb_addc(out, (char)cp);
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3F));
		sb_add(out, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		sb_add(out, b, 3);
	} else {
		b[0] = (char)(0xF0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		sb_add(out, b, 4);
	}
}

bool mt_utf8_clean(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		unsigned cp;
		if (p[i] == 0)
			return false;
		size_t l = utf8_decode(p + i, n - i, &cp);
		if (!l)
			return false;
		i += l;
	}
	return true;
}

size_t mt_utf8_len(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			c++;
	return c;
}

static bool php_isspace(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

bool mt_strip_tags_noop(const char *s, size_t n)
{
	/* Outside a tag, '<' followed by whitespace is kept; any other '<'
	 * opens a tag and is removed, and NUL bytes are dropped. */
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\0')
			return false;
		if (s[i] == '<' && !(i + 1 < n && php_isspace(s[i + 1])))
			return false;
	}
	return true;
}

void mt_strip_tags(strbuf *out, const char *s, size_t n)
{
	int state = 0, depth = 0;
	char inq = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\0')
			continue;
		if (state == 0) {
			if (c == '<') {
				if (i + 1 < n && php_isspace(s[i + 1]))
					sb_addc(out, c);
				else if (i + 3 < n && strncmp(s + i, "<!--", 4) == 0) {
					state = 2;
					i += 3;
				} else
					state = 1;
			} else
				sb_addc(out, c);
		} else if (state == 1) {
			if (inq) {
				if (c == inq)
					inq = 0;
			} else if (c == '"' || c == '\'')
				inq = c;
			else if (c == '<')
				depth++;
			else if (c == '>') {
				if (depth)
					depth--;
				else
					state = 0;
			}
		} else if (state == 2) {
			if (c == '>' && i >= 2 && s[i - 1] == '-' && s[i - 2] == '-')
				state = 0;
		}
	}
}

/* Checks the multilang syntax: every '<...>' is an allowed open or close
 * tag, alternating, ending closed. */
static bool multilang_ok(const char *s, size_t n, bool span)
{
	bool open = false;
	size_t i = 0;
	while (i < n) {
		if (s[i] == '\0')
			return false;
		if (s[i] != '<') {
			i++;
			continue;
		}
		const char *gt = memchr(s + i, '>', n - i);
		if (!gt)
			return false;
		size_t tl = (size_t)(gt - (s + i)) + 1;
		const char *t = s + i;
		const char *close = span ? "</span>" : "</lang>";
		if (tl == strlen(close) && memcmp(t, close, tl) == 0) {
			if (!open)
				return false;
			open = false;
		} else {
			if (open)
				return false;
			/* <lang lang="xx"> or <span lang="xx" class="multilang"> (either order) */
			size_t p = span ? 5 : 5;
			if (tl < 6 || memcmp(t, span ? "<span" : "<lang", 5) != 0)
				return false;
			int seen_lang = 0, seen_class = 0, attrs = 0;
			while (p < tl - 1) {
				size_t ws = 0;
				while (p < tl - 1 && isspace((unsigned char)t[p])) {
					p++;
					ws++;
				}
				if (p >= tl - 1)
					break;
				if (!ws)
					return false;
				if (tl - p > 6 && strncmp(t + p, "lang=\"", 6) == 0) {
					size_t q = p + 6, st = q;
					while (q < tl && (isalnum((unsigned char)t[q]) || t[q] == '_' || t[q] == '-'))
						q++;
					if (q == st || q >= tl || t[q] != '"')
						return false;
					p = q + 1;
					seen_lang++;
				} else if (span && tl - p > 17 && strncmp(t + p, "class=\"multilang\"", 17) == 0) {
					p += 17;
					seen_class++;
				} else
					return false;
				attrs++;
			}
			if (span ? (attrs != 2 || !seen_lang || !seen_class) : (attrs != 1 || seen_lang != 1))
				return false;
			open = true;
		}
		i += tl;
	}
	return !open;
}

bool mt_param_text_ok(const char *s, size_t n)
{
	if (!mt_utf8_clean(s, n))
		return false;
	if (memmem(s, n, "</lang>", 7))
		return multilang_ok(s, n, false);
	if (memmem(s, n, "</span>", 7))
		return multilang_ok(s, n, true);
	return mt_strip_tags_noop(s, n);
}

static bool php_trimchar(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\0' || c == '\v';
}

void mt_php_trim(const char **s, size_t *n)
{
	const char *p = *s;
	size_t len = *n;
	while (len && php_trimchar(*p)) {
		p++;
		len--;
	}
	while (len && php_trimchar(p[len - 1]))
		len--;
	*s = p;
	*n = len;
}

void mt_lower(strbuf *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		unsigned cp;
		size_t l = utf8_decode(p + i, n - i, &cp);
		if (!l) {
			sb_addc(out, (char)p[i]);
			i++;
			continue;
		}
		if (cp < 0x80)
			sb_addc(out, (char)tolower((int)cp));
		else
			utf8_encode(out, (unsigned)towlower((wint_t)cp));
		i += l;
	}
}

char *mt_ascii_lower(const char *s)
{
	char *r = xstrdup(s);
	for (char *p = r; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return r;
}

void mt_format_string(strbuf *out, const char *s)
{
	strbuf amp = STRBUF_INIT, stripped = STRBUF_INIT;
	size_t n = strlen(s);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '&') {
			/* replace_ampersands_not_followed_by_entity: &(?![a-zA-Z0-9#]{1,8};) */
			size_t j = i + 1;
			while (j < n && j - i <= 8 && (isalnum((unsigned char)s[j]) || s[j] == '#'))
				j++;
			if (!(j > i + 1 && j < n && s[j] == ';' && j - i - 1 <= 8)) {
				sb_adds(&amp, "&amp;");
				continue;
			}
		}
		sb_addc(&amp, s[i]);
	}
	mt_strip_tags(&stripped, sb_str(&amp), amp.len);
	for (size_t i = 0; i < stripped.len; i++) {
		if (stripped.buf[i] == '<')
			sb_adds(out, "&lt;");
		else if (stripped.buf[i] == '>')
			sb_adds(out, "&gt;");
		else
			sb_addc(out, stripped.buf[i]);
	}
	sb_free(&amp);
	sb_free(&stripped);
}

static void add_nl2br(strbuf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') {
			sb_adds(out, "<br />\r\n");
			i++;
		} else if (s[i] == '\n' && i + 1 < n && s[i + 1] == '\r') {
			sb_adds(out, "<br />\n\r");
			i++;
		} else if (s[i] == '\n' || s[i] == '\r') {
			sb_adds(out, "<br />");
			sb_addc(out, s[i]);
		} else
			sb_addc(out, s[i]);
	}
}

void mt_format_text(strbuf *out, const char *s, int fmt)
{
	size_t n = strlen(s);
	if (!n)
		return;
	if (fmt == 0) {
		/* text_to_html(para=false): drop whitespace between tags, returns
		 * next to tags become spaces, then nl2br */
		strbuf t = STRBUF_INIT;
		for (size_t i = 0; i < n; i++) {
			if (s[i] == '>') {
				size_t j = i + 1;
				while (j < n && isspace((unsigned char)s[j]))
					j++;
				if (j > i + 1 && j < n && s[j] == '<') {
					sb_addc(&t, '>');
					i = j - 1;
					continue;
				}
				sb_addc(&t, '>');
				if (i + 1 < n && (s[i + 1] == '\n' || s[i + 1] == '\r')) {
					sb_addc(&t, ' ');
					i++;
				}
				continue;
			}
			if ((s[i] == '\n' || s[i] == '\r') && i + 1 < n && s[i + 1] == '<') {
				sb_addc(&t, ' ');
				continue;
			}
			sb_addc(&t, s[i]);
		}
		add_nl2br(out, t.buf ? t.buf : "", t.len);
		sb_free(&t);
	} else if (fmt == 2) {
		strbuf t = STRBUF_INIT;
		for (size_t i = 0; i < n; i++) {
			switch (s[i]) {
			case '&': sb_adds(&t, "&amp;"); break;
			case '<': sb_adds(&t, "&lt;"); break;
			case '>': sb_adds(&t, "&gt;"); break;
			case '"': sb_adds(&t, "&quot;"); break;
			case '\'': sb_adds(&t, "&#039;"); break;
			case ' ':
				if (i + 1 < n && s[i + 1] == ' ') {
					sb_adds(&t, "&nbsp; ");
					i++;
				} else
					sb_addc(&t, ' ');
				break;
			default: sb_addc(&t, s[i]);
			}
		}
		add_nl2br(out, t.buf ? t.buf : "", t.len);
		sb_free(&t);
	} else if (fmt == 4) {
		sb_adds(out, "<p>");
		sb_add(out, s, n);
		sb_adds(out, "</p>\n");
	} else
		sb_add(out, s, n);
}

/* ---- validate_email: PHP's FILTER_VALIDATE_EMAIL ---- */

static bool atom_char(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return true;
	return c == 0x21 || (c >= 0x23 && c <= 0x27) || c == 0x2A || c == 0x2B || c == 0x2D ||
	       (c >= 0x2F && c <= 0x39) || c == 0x3D || c == 0x3F || (c >= 0x5E && c <= 0x7E);
}

static bool qtext_char(unsigned char c)
{
	return (c >= 0x01 && c <= 0x08) || c == 0x0B || c == 0x0C || (c >= 0x0E && c <= 0x1F) ||
	       c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7F);
}

/* Parses the local part; returns the index of the '@' or -1. */
static long parse_local(const unsigned char *s, size_t n)
{
	size_t i = 0;
	for (;;) {
		if (i < n && s[i] == '"') {
			i++;
			for (;;) {
				if (i >= n)
					return -1;
				if (s[i] == '"')
					break;
				if (s[i] == '\\') {
					if (i + 1 >= n || s[i + 1] > 0x7F)
						return -1;
					i += 2;
				} else if (qtext_char(s[i]))
					i++;
				else
					return -1;
			}
			i++;
		} else {
			size_t st = i;
			while (i < n && atom_char(s[i]))
				i++;
			if (i == st)
				return -1;
		}
		if (i < n && s[i] == '.') {
			i++;
			continue;
		}
		return (i < n && s[i] == '@') ? (long)i : -1;
	}
}

static bool alnum_lc(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* label: (xn--)?[a-z0-9]+(-+[a-z0-9]+)* -- i.e. alnum and inner hyphens */
static bool domain_label(const unsigned char *s, size_t n, bool last)
{
	if (!n)
		return false;
	if (!alnum_lc(s[0]) || !alnum_lc(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!alnum_lc(s[i]) && s[i] != '-')
			return false;
	if (last) {
		/* (?:[a-z][a-z0-9]*|xn--[a-z0-9]+)(?:-+[a-z0-9]+)* */
		bool alpha0 = (s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z');
		if (!alpha0)
			return false;
	}
	return true;
}

static bool ipv4_ok(const char *s, size_t n)
{
	int parts = 0;
	size_t i = 0;
	while (i <= n) {
		size_t st = i;
		while (i < n && isdigit((unsigned char)s[i]))
			i++;
		size_t l = i - st;
		if (l == 0 || l > 3 || (l > 1 && s[st] == '0'))
			return false;
		int v = atoi(s + st);
		if (v > 255)
			return false;
		parts++;
		if (i == n)
			break;
		if (s[i] != '.')
			return false;
		i++;
	}
	return parts == 4;
}

static bool ipv6_ok(const char *s, size_t n)
{
	/* hex groups with at most one "::", optional trailing IPv4 */
	int groups = 0;
	bool dbl = false;
	size_t i = 0;
	if (n >= 2 && s[0] == ':' && s[1] == ':') {
		dbl = true;
		i = 2;
	}
	while (i < n) {
		size_t st = i;
		while (i < n && isxdigit((unsigned char)s[i]))
			i++;
		if (i < n && s[i] == '.') {
			if (!ipv4_ok(s + st, n - st))
				return false;
			groups += 2;
			i = n;
			break;
		}
		if (i - st == 0 || i - st > 4)
			return false;
		groups++;
		if (i == n)
			break;
		if (s[i] != ':')
			return false;
		i++;
		if (i < n && s[i] == ':') {
			if (dbl)
				return false;
			dbl = true;
			i++;
			if (i == n)
				break;
		} else if (i == n)
			return false;
	}
	return dbl ? groups <= 6 : groups == 8;
}

bool mt_validate_email(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str);
	if (n == 0 || n > 320)
		return false;
	if (strchr(str, '<') || strchr(str, '>') || strchr(str, '\n') || strchr(str, '\r'))
		return false;
	long at = parse_local(s, n);
	if (at < 0 || at > 64)
		return false;
	const unsigned char *d = s + at + 1;
	size_t dn = n - (size_t)at - 1;
	if (dn >= 2 && d[0] == '[' && d[dn - 1] == ']') {
		const char *ip = (const char *)d + 1;
		size_t iplen = dn - 2;
		if (iplen > 5 && strncasecmp(ip, "IPv6:", 5) == 0)
			return ipv6_ok(ip + 5, iplen - 5);
		return ipv4_ok(ip, iplen);
	}
	/* no run of 64+ non-dot characters */
	size_t run = 0, labels = 0, st = 0;
	for (size_t i = 0; i <= dn; i++) {
		if (i == dn || d[i] == '.') {
			if (!domain_label(d + st, i - st, i == dn))
				return false;
			labels++;
			st = i + 1;
			run = 0;
		} else if (++run >= 64)
			return false;
	}
	return labels >= 2 && labels <= 127;
}

/* ---- password policy ---- */

bool mt_password_ok(const pw_policy *p, const char *pw, strbuf *errs)
{
	if (!p->enabled)
		return true;
	size_t before = errs->len;
	const unsigned char *s = (const unsigned char *)pw;
	size_t n = strlen(pw), chars = 0;
	int digits = 0, lower = 0, upper = 0, other = 0;
	for (size_t i = 0; i < n;) {
		unsigned cp;
		size_t l = utf8_decode(s + i, n - i, &cp);
		if (!l) {
			cp = s[i];
			l = 1;
		}
		chars++;
		if (cp < 0x80 ? isdigit((int)cp) : iswdigit((wint_t)cp))
			digits++;
		else if (cp < 0x80 ? islower((int)cp) : iswlower((wint_t)cp))
			lower++;
		else if (cp < 0x80 ? isupper((int)cp) : iswupper((wint_t)cp))
			upper++;
		else
			other++;
		i += l;
	}
	if ((long)chars < p->minlength)
		sb_addf(errs, "<div>Passwords must be at least %d characters long.</div>", p->minlength);
	if (digits < p->mindigits)
		sb_addf(errs, "<div>Passwords must have at least %d digit(s).</div>", p->mindigits);
	if (lower < p->minlower)
		sb_addf(errs, "<div>Passwords must have at least %d lower case letter(s).</div>", p->minlower);
	if (upper < p->minupper)
		sb_addf(errs, "<div>Passwords must have at least %d upper case letter(s).</div>", p->minupper);
	if (other < p->minnonalnum)
		sb_addf(errs, "<div>The password must have at least %d special character(s) such as *, -, or #.</div>",
			p->minnonalnum);
	if (p->maxconsecutive > 0) {
		int runlen = 1;
		for (size_t i = 1; i < n; i++) {
			runlen = s[i] == s[i - 1] ? runlen + 1 : 1;
			if (runlen > p->maxconsecutive) {
				sb_addf(errs, "<div>Passwords must have at most %d consecutive identical characters.</div>",
					p->maxconsecutive);
				break;
			}
		}
	}
	return errs->len == before;
}

/* ---- PHP numbers ---- */

long long mt_php_intval(const char *s)
{
	while (php_isspace(*s))
		s++;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (end == s)
		return 0;
	if (*end == '.' || *end == 'e' || *end == 'E') {
		double d = strtod(s, NULL);
		if (isnan(d))
			return 0;
		if (d >= 9.2233720368547758e18)
			return LLONG_MAX;
		if (d <= -9.2233720368547758e18)
			return LLONG_MIN;
		return (long long)d;
	}
	return v; /* strtoll saturates at LLONG_MIN/MAX, as PHP does */
}

bool mt_is_canonical_int(const char *s, size_t n)
{
	if (!n)
		return false;
	size_t i = 0;
	if (s[0] == '-') {
		i = 1;
		if (n == 1)
			return false;
	}
	if (s[i] == '0' && (n - i > 1 || i == 1))
		return false;
	for (size_t j = i; j < n; j++)
		if (s[j] < '0' || s[j] > '9')
			return false;
	/* within the 64-bit range */
	if (n - i > 19)
		return false;
	if (n - i == 19) {
		const char *lim = i ? "9223372036854775808" : "9223372036854775807";
		if (memcmp(s + i, lim, 19) > 0)
			return false;
	}
	return true;
}

/* PHP 8 numeric string: optional leading whitespace, sign, digits with an
 * optional fraction and exponent, optional trailing whitespace. */
static bool php_numeric(const char *s, double *out)
{
	const char *p = s;
	while (php_isspace(*p))
		p++;
	const char *st = p;
	if (*p == '+' || *p == '-')
		p++;
	bool digits = false;
	while (isdigit((unsigned char)*p)) {
		p++;
		digits = true;
	}
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			p++;
			digits = true;
		}
	}
	if (!digits)
		return false;
	if (*p == 'e' || *p == 'E') {
		const char *q = p + 1;
		if (*q == '+' || *q == '-')
			q++;
		if (isdigit((unsigned char)*q)) {
			while (isdigit((unsigned char)*q))
				q++;
			p = q;
		}
	}
	while (php_isspace(*p))
		p++;
	if (*p)
		return false;
	*out = strtod(st, NULL);
	return true;
}

bool mt_php_loose_eq(const char *a, const char *b)
{
	if (!a)
		a = "";
	if (!b)
		b = "";
	double x, y;
	if (php_numeric(a, &x) && php_numeric(b, &y))
		return x == y;
	return strcmp(a, b) == 0;
}

/* ---- MD5 (RFC 1321), for the email a deleted user keeps ---- */

static uint32_t rotl(uint32_t x, int c)
{
	return (x << c) | (x >> (32 - c));
}

void mt_md5_hex(const char *s, char out[33])
{
	static const uint32_t K[64] = {
		0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
		0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
		0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
		0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
		0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
		0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
		0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
		0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391 };
	static const int R[64] = { 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
				   5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
				   4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
				   6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21 };
	size_t len = strlen(s);
	size_t total = ((len + 8) / 64 + 1) * 64;
	unsigned char *msg = xcalloc(total, 1);
	memcpy(msg, s, len);
	msg[len] = 0x80;
	uint64_t bits = (uint64_t)len * 8;
	for (int i = 0; i < 8; i++)
		msg[total - 8 + i] = (unsigned char)(bits >> (8 * i));
	uint32_t h0 = 0x67452301, h1 = 0xefcdab89, h2 = 0x98badcfe, h3 = 0x10325476;
	for (size_t off = 0; off < total; off += 64) {
		uint32_t w[16];
		for (int i = 0; i < 16; i++)
			w[i] = (uint32_t)msg[off + 4 * i] | (uint32_t)msg[off + 4 * i + 1] << 8 |
			       (uint32_t)msg[off + 4 * i + 2] << 16 | (uint32_t)msg[off + 4 * i + 3] << 24;
		uint32_t a = h0, b = h1, c = h2, d = h3;
		for (int i = 0; i < 64; i++) {
			uint32_t f;
			int g;
			if (i < 16) {
				f = (b & c) | (~b & d);
				g = i;
			} else if (i < 32) {
				f = (d & b) | (~d & c);
				g = (5 * i + 1) % 16;
			} else if (i < 48) {
				f = b ^ c ^ d;
				g = (3 * i + 5) % 16;
			} else {
				f = c ^ (b | ~d);
				g = (7 * i) % 16;
			}
			uint32_t tmp = d;
			d = c;
			c = b;
			b = b + rotl(a + f + K[i] + w[g], R[i]);
			a = tmp;
		}
		h0 += a;
		h1 += b;
		h2 += c;
		h3 += d;
	}
	free(msg);
	uint32_t hs[4] = { h0, h1, h2, h3 };
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			snprintf(out + 8 * i + 2 * j, 3, "%02x", (hs[i] >> (8 * j)) & 0xff);
}
