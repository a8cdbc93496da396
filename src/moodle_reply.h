/* moodle_reply.h -- what a web service call came back with, classified. An
 * object with "exception" is an error whatever the HTTP status; Moodle's
 * errors are told apart by errorcode (never by message, which is
 * translated); transport faults, HTTP errors and bodies that are not JSON
 * are classes of their own. */
#ifndef IMS2MOODLE_MOODLE_REPLY_H
#define IMS2MOODLE_MOODLE_REPLY_H

#include <json-c/json.h>
#include <stdbool.h>

enum moodle_status {
	MS_OK = 0,        /* a reply that is not an error (may be JSON null) */
	MS_MOODLE_ERROR,  /* {"exception","errorcode","message"[,"debuginfo"]} */
	MS_PHP_ERROR,     /* an exception without errorcode: a PHP Error/TypeError */
	MS_HTTP_ERROR,    /* an HTTP status other than 200 (403, 413, 5xx, ...) */
	MS_BAD_REPLY,     /* HTTP 200 but not JSON: XML, HTML, or a truncated body */
	MS_TRANSPORT,     /* no answer: connection refused, reset, timeout, TLS */
};

typedef struct moodle_error {
	enum moodle_status status;
	long http;                 /* HTTP status, 0 when none came */
	int curl;                  /* libcurl's code for MS_TRANSPORT */
	bool connected;            /* the request may have reached the server */
	char exception[128];       /* the class, after its last backslash */
	char errorcode[256];
	char message[512];
	char debuginfo[1024];
	char detail[256];          /* transport or HTTP detail */
} moodle_error;

/* Classifies a finished request. body need not be NUL-terminated. On MS_OK
 * *out holds the parsed reply (NULL for JSON null; the caller puts it). */
enum moodle_status moodle_classify(long http, const char *content_type, const char *body,
				   size_t len, json_object **out, moodle_error *err);

/* Whether retrying could help: transport faults, 5xx, 429 and bodies cut
 * short. Moodle's own errors never are (they are answers). */
bool moodle_error_transient(const moodle_error *err);

/* One line for people: "moodle_exception/invalidparameter: Invalid parameter
 * value detected (debuginfo)", "HTTP 504", "timeout after 600 s", ... */
const char *moodle_error_text(const moodle_error *err, char *buf, size_t n);

/* After a copy into a buffer of n bytes that may have been cut short (the
 * text fills it), drops the UTF-8 sequence the cut left incomplete: Moodle's
 * messages carry names in any script, and the reports must stay UTF-8. */
void moodle_utf8_cut(char *s, size_t n);

/* Sets err to a transport fault. */
void moodle_error_transport(moodle_error *err, int curl_code, bool connected, const char *detail);

#endif
