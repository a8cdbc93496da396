/* moodle_form.c -- form encoding of web service parameters (see moodle_form.h). */
#include "config.h"
#include "moodle_form.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

void mform_escape(strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned char c = *p;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			sb_addc(sb, (char)c);
		} else {
			char enc[3] = { '%', hex[c >> 4], hex[c & 15] };
			sb_add(sb, enc, 3);
		}
	}
}

void mform_add(mform *f, const char *name, const char *value)
{
	if (f->body.len)
		sb_addc(&f->body, '&');
	sb_adds(&f->body, name);
	sb_addc(&f->body, '=');
	mform_escape(&f->body, value ? value : "");
	f->fields++;
}

void mform_addf(mform *f, const char *value, const char *namefmt, ...)
{
	char name[256];
	va_list ap;
	va_start(ap, namefmt);
	vsnprintf(name, sizeof name, namefmt, ap);
	va_end(ap);
	mform_add(f, name, value);
}

void mform_add_int(mform *f, int64_t value, const char *namefmt, ...)
{
	char name[256], v[32];
	va_list ap;
	va_start(ap, namefmt);
	vsnprintf(name, sizeof name, namefmt, ap);
	va_end(ap);
	snprintf(v, sizeof v, "%" PRId64, value);
	mform_add(f, name, v);
}

void mform_append(mform *dst, const mform *src)
{
	if (!src->body.len)
		return;
	if (dst->body.len)
		sb_addc(&dst->body, '&');
	sb_add(&dst->body, src->body.buf, src->body.len);
	dst->fields += src->fields;
}

void mform_reset(mform *f)
{
	sb_reset(&f->body);
	f->fields = 0;
}

void mform_free(mform *f)
{
	sb_free(&f->body);
	f->fields = 0;
}
