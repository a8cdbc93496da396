/* cmd_check.c -- `ims2moodle check [--strict] [--format text|json] FILE...`:
 * reads each file in full, validates it and prints its summary. Needs no
 * Moodle site. */
#include "config.h"
#include "commands.h"
#include "ims_parse.h"
#include "ims_repair.h"
#include "ims_summary.h"
#include "log.h"
#include "util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void check_usage(FILE *out)
{
	fprintf(out,
		"usage: ims2moodle check [OPTIONS] FILE...\n"
		"Reads each IMS Enterprise file in full and prints a summary: counts, roles,\n"
		"recstatus, warnings and quarantined records. FILE may be - for standard input.\n"
		"\n"
		"  --strict             also validate against the IMS Enterprise 1.1 XML Schema\n"
		"  --schema FILE        the schema to use with --strict\n"
		"  --format text|json   output format (default text)\n"
		"  --repair LIST        repair harmless exporter defects: ampersand, leading-space\n"
		"  --apply-dtd-defaults read a role without roletype as 01 (Learner)\n"
		"  --accept-fragment    accept a single person/group/membership as the root\n"
		"  --threads N          1: read in one thread; 2: build the model in a second\n"
		"                       thread (default: 2 with two CPUs or more; 1 with --repair\n"
		"                       or --strict)\n"
		"  -q, --quiet          print nothing but errors\n"
		"  -v, --verbose        more diagnostics\n"
		"  -h, --help           this help\n"
		"\n"
		"Exit status: 0 every file is valid, 65 a file was refused, 66 a file is missing,\n"
		"64 usage error, 74 I/O error.\n");
}

static const char *default_schema(void)
{
	const char *env = getenv("IMS2MOODLE_SCHEMA");
	if (env && *env)
		return env;
	return PKGDATADIR "/ims_enterprise_1p1.xsd";
}

static bool use_color(void)
{
	return report_to_terminal(stdout);
}

/* The worse of two exit statuses: I/O and missing files over refusals. */
static int worse(int a, int b)
{
	static const int order[] = { 0, EXIT_DATAERR, EXIT_NOINPUT, EXIT_IOERR, EXIT_CONFIG };
	int ra = 0, rb = 0;
	for (size_t i = 0; i < ARRAY_LEN(order); i++) {
		if (order[i] == a)
			ra = (int)i;
		if (order[i] == b)
			rb = (int)i;
	}
	return ra >= rb ? a : b;
}

/* The deviations, one a line, as a JSON array. */
static json_object *schema_error_list(const strbuf *errors)
{
	json_object *list = json_object_new_array();
	const char *s = sb_str(errors);
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		if (n)
			json_object_array_add(list, json_object_new_string_len(s, (int)n));
		s += n + (nl ? 1 : 0);
	}
	return list;
}

int cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "strict", no_argument, NULL, 's' },
		{ "schema", required_argument, NULL, 'S' },
		{ "format", required_argument, NULL, 'f' },
		{ "repair", required_argument, NULL, 'r' },
		{ "apply-dtd-defaults", no_argument, NULL, 'd' },
		{ "accept-fragment", no_argument, NULL, 'a' },
		{ "threads", required_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	ims_parse_options opt;
	bool json = false, quiet = false;
	int c, status = 0;
	errinfo e = { 0 };

	ims_parse_options_init(&opt);
	opt.schema_path = default_schema();
	optind = 1;
	while ((c = getopt_long(argc, argv, "qvh", longopts, NULL)) != -1) {
		switch (c) {
		case 's': opt.strict = true; break;
		case 'S': opt.schema_path = optarg; break;
		case 'f':
			if (strcmp(optarg, "json") == 0)
				json = true;
			else if (strcmp(optarg, "text") != 0) {
				fprintf(stderr, "ims2moodle check: unknown format '%s' (text or json)\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'r':
			if (ims_repair_parse_list(optarg, &opt.repair, &e) < 0) {
				fprintf(stderr, "ims2moodle check: %s\n", e.msg);
				return EXIT_USAGE;
			}
			break;
		case 'd': opt.apply_dtd_defaults = true; break;
		case 'a': opt.accept_fragment = true; break;
		case 't':
			if (strcmp(optarg, "1") != 0 && strcmp(optarg, "2") != 0) {
				fprintf(stderr, "ims2moodle check: --threads takes 1 or 2, not '%s'\n", optarg);
				return EXIT_USAGE;
			}
			opt.threads = optarg[0] - '0';
			break;
		case 'q': quiet = true; log_set_level(LOG_ERROR); break;
		case 'v': log_set_level(log_get_level() + 1); break;
		case 'h': check_usage(stdout); return 0;
		default: check_usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "ims2moodle check: no file given\n");
		check_usage(stderr);
		return EXIT_USAGE;
	}

	json_object *all = json ? json_object_new_object() : NULL;
	json_object *files = json ? json_object_new_array() : NULL;
	uint64_t totals[7] = { 0 };
	bool color = !json && use_color();

	for (int i = optind; i < argc; i++) {
		ims_model *m = ims_model_new();
		strbuf schema_errors = STRBUF_INIT;
		const char *name = strcmp(argv[i], "-") == 0 ? "(standard input)" : argv[i];
		int rc = ims_parse_file(m, argv[i], &opt, &schema_errors, &e);
		bool read_ok = rc == 0 || (opt.strict && schema_errors.len && e.code == -EXIT_DATAERR &&
					   !ims_parse_refused(&e));

		if (rc < 0 && !read_ok) {
			fprintf(stderr, "ims2moodle: %s\n", e.msg);
			/* --strict: what the schema found before the refusal */
			if (schema_errors.len)
				fprintf(stderr, "  schema deviations before that:\n%s", schema_errors.buf);
			if (json) {
				json_object *f = json_object_new_object();
				json_object_object_add(f, "file", json_object_new_string(name));
				json_object_object_add(f, "status", json_object_new_string("refused"));
				json_object_object_add(f, "error", json_object_new_string(e.msg));
				if (schema_errors.len)
					json_object_object_add(f, "schema_errors", schema_error_list(&schema_errors));
				json_object_array_add(files, f);
			}
		} else {
			if (json) {
				json_object *f = ims_summary_json(m, name);
				if (rc < 0) {
					json_object_object_add(f, "status", json_object_new_string("schema-invalid"));
					json_object_object_add(f, "schema_errors", schema_error_list(&schema_errors));
				}
				json_object_array_add(files, f);
			} else if (!quiet) {
				ims_summary_text(stdout, m, name, color);
				if (rc < 0)
					printf("  schema:      %s\n%s", e.msg, sb_str(&schema_errors));
				else if (opt.strict)
					printf("  schema:      valid against %s\n", opt.schema_path);
			} else if (rc < 0) {
				fprintf(stderr, "ims2moodle: %s\n%s", e.msg, sb_str(&schema_errors));
			}
			const ims_counts *ct = &m->counts;
			uint64_t v[7] = { ct->persons, ct->groups, ct->memberships, ct->members, ct->roles,
					  ims_summary_warning_count(m), ct->quarantined };
			for (int k = 0; k < 7; k++)
				totals[k] += v[k];
		}
		log_debug("%s: model memory %zu bytes in the arena, %zu distinct strings (%zu bytes), "
			  "string table of %zu slots", name, m->mem.total, m->strings.count,
			  m->strings.bytes, m->strings.cap);
		if (rc < 0)
			status = worse(status, err_exit_status(rc));
		sb_free(&schema_errors);
		ims_model_free(m);
	}

	if (json) {
		static const char *const keys[7] = { "persons", "groups", "memberships", "members",
						     "roles", "warnings", "quarantined" };
		json_object *first = json_object_array_length(files) == 1 ? json_object_array_get_idx(files, 0) : NULL;
		for (int k = 0; k < 7; k++)
			json_object_object_add(all, keys[k], json_object_new_int64((int64_t)totals[k]));
		/* With one file, its details are at the top level too. */
		if (first) {
			json_object_object_foreach(first, key, val) {
				if (!json_object_object_get_ex(all, key, NULL))
					json_object_object_add(all, key, json_object_get(val));
			}
		}
		json_object_object_add(all, "files", files);
		puts(json_object_to_json_string_ext(all, JSON_C_TO_STRING_PRETTY |
								 JSON_C_TO_STRING_SPACED |
								 JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(all);
	}
	return status;
}
