/* fuzz_reply.c -- a libFuzzer target for the classifier of Moodle's web
 * service replies (src/moodle_reply.c): any bytes as a reply body, with the
 * HTTP status and content type the first byte picks, then the one-line text
 * a report shows for it. A site, a proxy in front of it or a truncated
 * transfer can send anything. What it looks for is what the sanitizers see,
 * and the classifier's promises: a reply is classified once, an error's
 * fields and its text are NUL-terminated within their buffers and never end
 * in a cut UTF-8 sequence, a JSON reply is handed over only for HTTP 200,
 * and a Moodle error is never called transient unless its code is one of the
 * database ones. Built and run by tests/fuzz/run.sh (`make fuzz`). */
#include "config.h"
#include "moodle_reply.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whether s is well-formed UTF-8 (lead bytes and their continuations). */
static bool utf8_valid(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t need = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 :
			      (*p & 0xF8) == 0xF0 ? 4 : 0;
		if (!need)
			return false;
		for (size_t i = 1; i < need; i++)
			if ((p[i] & 0xC0) != 0x80)
				return false;
		p += need;
	}
	return true;
}

/* Whether s ends with a UTF-8 sequence cut short. */
static bool ends_cut(const char *s)
{
	size_t len = strlen(s), start = len;
	while (start > 0 && ((unsigned char)s[start - 1] & 0xC0) == 0x80 && len - start < 3)
		start--;
	if (start == 0 || start == len)
		return false;
	unsigned char lead = (unsigned char)s[start - 1];
	size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
	return need > 1 && len - (start - 1) < need;
}

static void check_field(const char *what, const char *s, size_t cap)
{
	if (strnlen(s, cap) == cap) {
		fprintf(stderr, "%s is not NUL-terminated in its %zu bytes\n", what, cap);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = { 200, 200, 200, 200, 403, 413, 500, 503 };
	static const char *const types[] = { "application/json", NULL, "text/html; charset=utf-8",
					     "application/xml" };
	if (size == 0)
		return 0;
	long http = statuses[data[0] & 7];
	const char *type = types[(data[0] >> 3) & 3];
	size_t text_size = 16 + (size_t)(data[0] >> 5) * 37;   /* report columns of any width */
	const char *body = (const char *)data + 1;
	size_t len = size - 1;

	json_object *out = (json_object *)1;
	moodle_error err;
	enum moodle_status st = moodle_classify(http, type, body, len, &out, &err);
	if (st != err.status && !(st == MS_OK && err.status == MS_OK)) {
		fprintf(stderr, "returned %d, err says %d\n", st, err.status);
		abort();
	}
	if (st != MS_OK && out != NULL) {
		fprintf(stderr, "an error (%d) that hands a reply over\n", st);
		abort();
	}
	if (st == MS_OK && http != 200) {
		fprintf(stderr, "HTTP %ld taken as a reply\n", http);
		abort();
	}
	check_field("exception", err.exception, sizeof err.exception);
	check_field("errorcode", err.errorcode, sizeof err.errorcode);
	check_field("message", err.message, sizeof err.message);
	check_field("debuginfo", err.debuginfo, sizeof err.debuginfo);
	check_field("detail", err.detail, sizeof err.detail);
	if (st == MS_MOODLE_ERROR && moodle_error_transient(&err) &&
	    strcmp(err.errorcode, "dmlwriteexception") != 0 && strcmp(err.errorcode, "dbconnectionfailed") != 0) {
		fprintf(stderr, "Moodle error %s called transient\n", err.errorcode);
		abort();
	}

	/* the text cut to a report's column: when the whole text is UTF-8,
	 * the cut one must be too */
	char whole[4096];
	moodle_error_text(&err, whole, sizeof whole);
	char *text = malloc(text_size);
	if (!text)
		return 0;
	const char *line = moodle_error_text(&err, text, text_size);
	check_field("the error's text", line, text_size);
	if (utf8_valid(whole) && !utf8_valid(line)) {
		fprintf(stderr, "the error's text, cut to %zu bytes, is not UTF-8: %s\n", text_size, line);
		abort();
	}
	if (utf8_valid(whole) && ends_cut(line)) {
		fprintf(stderr, "the error's text ends in a cut UTF-8 sequence: %s\n", line);
		abort();
	}
	free(text);
	if (st == MS_OK && out)
		json_object_put(out);
	return 0;
}
