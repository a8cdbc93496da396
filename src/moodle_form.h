/* moodle_form.h -- the parameters of a Moodle web service call, encoded as
 * application/x-www-form-urlencoded in PHP's bracket syntax
 * (users[0][customfields][0][type]=...), with the number of name=value
 * pairs counted as they are added: PHP silently drops the pairs beyond its
 * max_input_vars, so every request must know its size before it is sent. */
#ifndef IMS2MOODLE_MOODLE_FORM_H
#define IMS2MOODLE_MOODLE_FORM_H

#include <stddef.h>
#include <stdint.h>
#include "util.h"

typedef struct mform {
	strbuf body;
	size_t fields;
} mform;

#define MFORM_INIT { STRBUF_INIT, 0 }

/* Appends name=value; name is written as given (brackets literal), value is
 * percent-encoded like curl_easy_escape (unreserved characters kept). */
void mform_add(mform *f, const char *name, const char *value);
/* The same with a formatted name: mform_addf(f, "alice", "users[%d][username]", i). */
void mform_addf(mform *f, const char *value, const char *namefmt, ...)
	__attribute__((format(printf, 3, 4)));
/* An integer value (canonical decimal, as Moodle requires). */
void mform_add_int(mform *f, int64_t value, const char *namefmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Appends all of src to dst. */
void mform_append(mform *dst, const mform *src);
void mform_reset(mform *f);
void mform_free(mform *f);

/* Percent-encodes s into sb (exported for tests and the transport). */
void mform_escape(strbuf *sb, const char *s);

#endif
