/* mtext.h -- Moodle's text rules the emulator needs: UTF-8 checks, PHP's
 * strip_tags and trim, lower-casing, format_string escaping, the
 * format_text conversions, validate_email and the password policy. */
#ifndef FAKEMOODLE_MTEXT_H
#define FAKEMOODLE_MTEXT_H

#include <stddef.h>
#include <stdbool.h>
#include "util.h"

/* True when s[0..n) is valid UTF-8 without NUL bytes (what fix_utf8 leaves
 * unchanged). */
bool mt_utf8_clean(const char *s, size_t n);
/* Number of UTF-8 code points (core_text::strlen). */
size_t mt_utf8_len(const char *s, size_t n);
/* PHP strip_tags() without allowed tags: appends the result to out. */
void mt_strip_tags(strbuf *out, const char *s, size_t n);
/* True when strip_tags() would leave s unchanged. */
bool mt_strip_tags_noop(const char *s, size_t n);
/* True when s passes PARAM_TEXT unchanged (strip_tags, or balanced
 * multilang <lang>/<span> tags). */
bool mt_param_text_ok(const char *s, size_t n);
/* PHP trim() default set: " \t\n\r\0\x0B". Returns the span. */
void mt_php_trim(const char **s, size_t *n);
/* core_text::strtolower (Unicode, via the C.UTF-8 locale): appends. */
void mt_lower(strbuf *out, const char *s, size_t n);
/* ASCII lower-case copy (malloc'd): PostgreSQL LOWER() on the emails the
 * site accepts. */
char *mt_ascii_lower(const char *s);
/* format_string() with filters off and formatstringstriptags on:
 * unescaped '&' to &amp;, tags stripped, < > escaped. Appends. */
void mt_format_string(strbuf *out, const char *s);
/* external_format_text without moodlewssettingraw: the HTML Moodle
 * returns for text in format fmt (0 MOODLE, 1 HTML, 2 PLAIN, 4 MARKDOWN);
 * the returned format is always 1. Appends. */
void mt_format_text(strbuf *out, const char *s, int fmt);
/* validate_email(): PHPMailer (filter_var FILTER_VALIDATE_EMAIL) and no < >. */
bool mt_validate_email(const char *s);

/* The site's password policy settings. */
typedef struct pw_policy {
	int enabled, minlength, mindigits, minlower, minupper, minnonalnum, maxconsecutive;
} pw_policy;
/* check_password_policy(): appends "<div>...</div>" per failed rule to
 * errs; returns true when the password passes. */
bool mt_password_ok(const pw_policy *p, const char *pw, strbuf *errs);

/* md5() as 32 lower-case hex digits into out[33]. */
void mt_md5_hex(const char *s, char out[33]);

/* PHP (int) cast of a string ("05" -> 5, "abc" -> 0, saturating). */
long long mt_php_intval(const char *s);
/* True when s is a canonical decimal integer ((string)(int)$s === $s). */
bool mt_is_canonical_int(const char *s, size_t n);
/* PHP 8 loose string comparison ==: numeric strings compare as numbers. */
bool mt_php_loose_eq(const char *a, const char *b);
/* PHP empty() of a string: "" or "0". */
static inline bool mt_php_empty(const char *s) { return !s || !*s || (s[0] == '0' && !s[1]); }

#endif
