/* ims_parse.h -- reads an IMS Enterprise file into the model with libxml2's
 * SAX2 push parser: one pass, no DOM, no copy of the file, hardened against
 * hostile input (no network, no DTD loading, no entities). */
#ifndef IMS2MOODLE_IMS_PARSE_H
#define IMS2MOODLE_IMS_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include "ims_model.h"
#include "util.h"

/* Repairs of real exporters' sloppiness, applied only when asked for. */
enum ims_repair {
	IMS_REPAIR_AMPERSAND = 1 << 0,     /* a bare & is read as &amp; */
	IMS_REPAIR_LEADING_SPACE = 1 << 1, /* whitespace before <?xml is skipped */
};

typedef struct ims_parse_options {
	bool strict;               /* validate against the XML Schema too */
	const char *schema_path;   /* the XSD for strict (default: installed one) */
	bool apply_dtd_defaults;   /* a role without roletype is 01 (§8 #48) */
	bool accept_fragment;      /* a root of person/group/membership (§8 #77) */
	unsigned repair;           /* enum ims_repair bits */
	size_t max_field;          /* bytes of one text field (default 64 KiB) */
	size_t max_extension;      /* bytes of one extension (default 1 MiB) */
	int max_depth;             /* element nesting (default 256) */
	int threads;               /* 1: one thread; 2: libxml2 in one, the model
	                            * built in another; 0 (default): 2 on a machine
	                            * with two CPUs or more. A repair and strict
	                            * always read in one thread. The model and any
	                            * refusal are the same either way. */
} ims_parse_options;

void ims_parse_options_init(ims_parse_options *opt);

/* Reads path ("-" for standard input) into m. Returns 0 when the whole file
 * was read and is well-formed (records may still be quarantined and
 * warnings recorded in m). On a refused file returns -EXIT_DATAERR (or
 * -EXIT_NOINPUT / -EXIT_IOERR) with e->msg naming the file, line and column,
 * the reason, and how to fix it. After a failure the model holds part of the
 * file and must not be used: free it. In strict mode schema deviations are
 * appended to *schema_errors (one line each, may be NULL) and make the call
 * return -EXIT_DATAERR once the file was read (a refused file keeps the
 * deviations found before the refusal: ims_parse_refused tells the two
 * apart). */
int ims_parse_file(ims_model *m, const char *path, const ims_parse_options *opt,
		   strbuf *schema_errors, errinfo *e);

/* Whether e (from a call above that returned -EXIT_DATAERR) refuses the
 * file, rather than report schema deviations of a file read in full. */
bool ims_parse_refused(const errinfo *e);

/* Same, from memory (tests, fuzzing). name is used in messages. */
int ims_parse_memory(ims_model *m, const char *name, const char *data, size_t len,
		     const ims_parse_options *opt, strbuf *schema_errors, errinfo *e);

#endif
