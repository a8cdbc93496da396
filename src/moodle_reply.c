/* moodle_reply.c -- classifying web service replies (see moodle_reply.h). */
#include "config.h"
#include "moodle_reply.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void moodle_utf8_cut(char *s, size_t n)
{
	size_t len = strlen(s);
	if (len + 1 < n)
		return; /* not cut */
	/* drop a sequence the cut left incomplete */
	size_t start = len;
	while (start > 0 && ((unsigned char)s[start - 1] & 0xC0) == 0x80)
		start--;
	if (start == 0)
		return;
	unsigned char lead = (unsigned char)s[start - 1];
	size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
	if (len - (start - 1) < need)
		s[start - 1] = '\0';
}

static void copy_field(json_object *o, const char *key, char *dst, size_t n)
{
	json_object *v;
	dst[0] = '\0';
	if (json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)) {
		snprintf(dst, n, "%s", json_object_get_string(v));
		moodle_utf8_cut(dst, n);
	}
}

enum moodle_status moodle_classify(long http, const char *content_type, const char *body,
				   size_t len, json_object **out, moodle_error *err)
{
	memset(err, 0, sizeof *err);
	err->http = http;
	err->connected = true;
	*out = NULL;

	/* json-c waits for more input after a bare literal (null, 12): hand it
	 * the terminating NUL as the end of the text */
	json_tokener *tok = json_tokener_new();
	char *copy = xstrndup(body ? body : "", len);
	json_object *obj = json_tokener_parse_ex(tok, copy, (int)len + 1);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t used = (size_t)json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	free(copy);
	if (used > len)
		used = len;
	bool is_json = jerr == json_tokener_success && len > 0;
	while (is_json && used < len && (body[used] == ' ' || body[used] == '\n' || body[used] == '\r' || body[used] == '\t'))
		used++;
	if (is_json && used != len)
		is_json = false; /* trailing garbage */

	json_object *exc;
	if (is_json && json_object_is_type(obj, json_type_object) &&
	    json_object_object_get_ex(obj, "exception", &exc)) {
		const char *cls = json_object_get_string(exc);
		const char *slash = cls ? strrchr(cls, '\\') : NULL;
		snprintf(err->exception, sizeof err->exception, "%s", slash ? slash + 1 : cls ? cls : "");
		copy_field(obj, "errorcode", err->errorcode, sizeof err->errorcode);
		copy_field(obj, "message", err->message, sizeof err->message);
		copy_field(obj, "debuginfo", err->debuginfo, sizeof err->debuginfo);
		err->status = err->errorcode[0] ? MS_MOODLE_ERROR : MS_PHP_ERROR;
		json_object_put(obj);
		return err->status;
	}
	if (http != 200) {
		err->status = MS_HTTP_ERROR;
		snprintf(err->detail, sizeof err->detail, "HTTP %ld%s%s", http,
			 content_type ? " " : "", content_type ? content_type : "");
		json_object_put(obj);
		return err->status;
	}
	if (!is_json) {
		err->status = MS_BAD_REPLY;
		snprintf(err->detail, sizeof err->detail, "the reply is not JSON (%zu bytes%s%s)", len,
			 content_type ? ", " : "", content_type ? content_type : "");
		json_object_put(obj);
		return err->status;
	}
	*out = obj;
	return MS_OK;
}

bool moodle_error_transient(const moodle_error *err)
{
	switch (err->status) {
	case MS_TRANSPORT:
	case MS_BAD_REPLY:
		return true;
	case MS_HTTP_ERROR:
		return err->http >= 500 || err->http == 429 || err->http == 408;
	case MS_MOODLE_ERROR:
		/* a deadlock or a lost connection to the database is worth a retry */
		return strcmp(err->errorcode, "dmlwriteexception") == 0 ||
		       strcmp(err->errorcode, "dbconnectionfailed") == 0;
	default:
		return false;
	}
}

void moodle_error_transport(moodle_error *err, int curl_code, bool connected, const char *detail)
{
	memset(err, 0, sizeof *err);
	err->status = MS_TRANSPORT;
	err->curl = curl_code;
	err->connected = connected;
	snprintf(err->detail, sizeof err->detail, "%s", detail ? detail : "transport error");
}

const char *moodle_error_text(const moodle_error *err, char *buf, size_t n)
{
	switch (err->status) {
	case MS_OK:
		snprintf(buf, n, "ok");
		break;
	case MS_MOODLE_ERROR:
	case MS_PHP_ERROR:
		snprintf(buf, n, "%s%s%s: %s%s%s%s", err->exception, err->errorcode[0] ? "/" : "",
			 err->errorcode, err->message, err->debuginfo[0] ? " (" : "", err->debuginfo,
			 err->debuginfo[0] ? ")" : "");
		break;
	default:
		snprintf(buf, n, "%s", err->detail);
	}
	moodle_utf8_cut(buf, n);
	return buf;
}
