/* fuzz_parse.c -- a libFuzzer target for the IMS parser: any bytes as a file,
 * read with the options the first byte picks (repairs, fragments, DTD
 * defaults, small limits, and --strict when IMS2MOODLE_SCHEMA names the
 * schema, as run.sh sets it), then, when the file is accepted, summarised as
 * check prints it (text and JSON). What it looks for is what the sanitizers
 * see (memory errors, undefined behaviour, leaks) and two promises of the
 * parser: a file's data error is always a whole refusal whose message names
 * the file, an accepted file's counts are what its lists hold, and reading
 * with the model built in a second thread gives what one thread gives (the
 * same result, message, counts and warnings).
 * Built and run by tests/fuzz/run.sh (`make fuzz`), never by `make check`. */
#include "config.h"
#include "ims_model.h"
#include "ims_parse.h"
#include "ims_summary.h"
#include "util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t count_members(const ims_model *m, uint64_t *roles)
{
	uint64_t n = 0;
	*roles = 0;
	for (const ims_membership *ms = m->memberships; ms; ms = ms->next)
		for (const ims_member *mb = ms->members; mb; mb = mb->next) {
			n++;
			for (const ims_role *r = mb->roles; r; r = r->next)
				(*roles)++;
		}
	return n;
}

static uint64_t warnings(const ims_model *m)
{
	uint64_t n = 0;
	for (int k = 0; k < W_KIND_COUNT; k++)
		n += m->warnings[k].count;
	return n;
}

/* Reads the input again with two threads and aborts unless the outcome is
 * the one-thread read's: rc and e, and the counts of m. */
static void same_with_two_threads(const uint8_t *data, size_t size, const ims_parse_options *opt1,
				  int rc, const errinfo *e, const strbuf *deviations, const ims_model *m)
{
	ims_parse_options opt = *opt1;
	opt.threads = 2;
	ims_model *m2 = ims_model_new();
	errinfo e2 = { 0 };
	strbuf deviations2 = STRBUF_INIT;
	int rc2 = ims_parse_memory(m2, "fuzz.xml", (const char *)data + 1, size - 1, &opt, &deviations2,
				   &e2);
	if (rc2 != rc || strcmp(e2.msg, e->msg) != 0 ||
	    strcmp(sb_str(&deviations2), sb_str(deviations)) != 0) {
		fprintf(stderr, "one thread: %d %s\n%s\ntwo threads: %d %s\n%s\n", rc, e->msg,
			sb_str(deviations), rc2, e2.msg, sb_str(&deviations2));
		abort();
	}
	sb_free(&deviations2);
	if (rc == 0 && (memcmp(&m2->counts, &m->counts, sizeof m->counts) != 0 ||
			warnings(m2) != warnings(m))) {
		fprintf(stderr, "one thread and two threads count differently\n");
		abort();
	}
	ims_model_free(m2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	uint8_t flags = data[0];
	ims_parse_options opt;
	ims_parse_options_init(&opt);
	opt.repair = (flags & 1 ? IMS_REPAIR_AMPERSAND : 0) | (flags & 2 ? IMS_REPAIR_LEADING_SPACE : 0);
	opt.accept_fragment = flags & 4;
	opt.apply_dtd_defaults = flags & 8;
	if (flags & 16) {
		/* the limits, small enough for a fuzzer's inputs to reach them */
		opt.max_field = 40;
		opt.max_extension = 200;
		opt.max_depth = 12;
	}
	/* a quarter of the inputs under --strict (loading the schema is slow) */
	const char *schema = getenv("IMS2MOODLE_SCHEMA");
	if ((flags & 192) == 192 && schema && *schema) {
		opt.strict = true;
		opt.schema_path = schema;
	}
	strbuf deviations = STRBUF_INIT;

	ims_model *m = ims_model_new();
	errinfo e = { 0 };
	opt.threads = 1;
	int rc = ims_parse_memory(m, "fuzz.xml", (const char *)data + 1, size - 1, &opt, &deviations, &e);
	if (!opt.repair) /* (a repair always reads in one thread) */
		same_with_two_threads(data, size, &opt, rc, &e, &deviations, m);
	if (rc == -EXIT_CONFIG && opt.strict) {
		fprintf(stderr, "the schema did not load: %s\n", e.msg);
		abort();
	}
	bool deviated = rc == -EXIT_DATAERR && !ims_parse_refused(&e) && deviations.len > 0;
	if (rc < 0 && !deviated) {
		if (!ims_parse_refused(&e) && e.code == -EXIT_DATAERR) {
			fprintf(stderr, "a data error that is not a refusal: %s\n", e.msg);
			abort();
		}
		if (strncmp(e.msg, "fuzz.xml", 8) != 0) {
			fprintf(stderr, "a refusal that does not name the file: %s\n", e.msg);
			abort();
		}
	} else {
		/* read in full (with --strict perhaps not valid): counted */
		uint64_t roles, members = count_members(m, &roles);
		if (members != m->counts.members || roles != m->counts.roles) {
			fprintf(stderr, "counts %llu members %llu roles, lists %llu and %llu\n",
				(unsigned long long)m->counts.members, (unsigned long long)m->counts.roles,
				(unsigned long long)members, (unsigned long long)roles);
			abort();
		}
		FILE *out = fopen("/dev/null", "w");
		if (out) {
			ims_summary_text(out, m, "fuzz.xml", flags & 32);
			fclose(out);
		}
		json_object *j = ims_summary_json(m, "fuzz.xml");
		json_object_put(j);
	}
	sb_free(&deviations);
	ims_model_free(m);
	return 0;
}
