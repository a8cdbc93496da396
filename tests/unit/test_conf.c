/* test_conf.c -- unit tests of the configuration file and of the settings
 * read from it: types, defaults, errors that name file:line, the example. */
#include "config.h"
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "settings.h"
#include "check_main.h"

static char path[256];

static void write_conf(const char *text)
{
	snprintf(path, sizeof path, "%s/ims2moodle-conf-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static int load(const char *text, config **out, errinfo *e)
{
	write_conf(text);
	*out = config_new();
	int rc = config_load(*out, path, e);
	unlink(path);
	return rc;
}

START_TEST(test_values_defaults_and_types)
{
	config *c;
	errinfo e;
	ck_assert_int_eq(load("# comment\n; another\n[moodle]\nurl = https://m.example.edu\n"
			      "concurrency = 2\ntimeout = 2m\n\n[users]\nmatch = username\n"
			      "useridtypes = \"Logon ID, SCTID\"\n[safety]\nsuspend_max_percent = 25%\n"
			      "unenrol_max_percent = none\n", &c, &e), 0);
	ck_assert_str_eq(config_str(c, "moodle", "url"), "https://m.example.edu");
	ck_assert_int_eq(config_int(c, "moodle", "concurrency"), 2);
	ck_assert_int_eq(config_int(c, "moodle", "max_input_vars"), 5000); /* default */
	ck_assert(config_duration(c, "moodle", "timeout") == 120.0);
	ck_assert(config_percent(c, "safety", "suspend_max_percent") == 25.0);
	ck_assert(config_percent(c, "safety", "unenrol_max_percent") == -1.0);
	const char **types = config_list(c, "users", "useridtypes");
	ck_assert_str_eq(types[0], "Logon ID");
	ck_assert_str_eq(types[1], "SCTID");
	ck_assert_ptr_null(types[2]);
	ck_assert(config_is_set(c, "users", "match"));
	ck_assert(!config_is_set(c, "users", "create"));
	ck_assert_str_eq(config_origin(c, "users", "create"), "default");
	ck_assert_ptr_nonnull(strstr(config_origin(c, "users", "match"), ":9"));

	settings s;
	ck_assert_int_eq(settings_load(&s, c, &e), 0);
	ck_assert_int_eq(s.user_match, MATCH_USERNAME);
	ck_assert(s.global[SAFE_SUSPEND].max_percent == 25.0);
	ck_assert(s.global[SAFE_UNENROL].max_percent == -1.0);
	ck_assert_str_eq(s.role_map[ROLE_LEARNER], "student");
	ck_assert_ptr_null(s.role_map[ROLE_MANAGER]);
	ck_assert_str_eq(s.role_id_names[3], "student");
	ck_assert_int_eq(s.role_ids[3], 5);
	ck_assert_int_eq(s.withdraw, WITHDRAW_SUSPEND);
	ck_assert(!s.courses_visible);
	ck_assert_int_eq(s.fullname_from[0], NAME_FULL);
	ck_assert_int_eq(s.fullname_from[3], NAME_ID);
	settings_free(&s);
	config_free(c);
}
END_TEST

START_TEST(test_errors_name_file_and_line)
{
	config *c;
	errinfo e;
	ck_assert_int_eq(load("[moodle]\nurl = x\nconcurency = 3\n", &c, &e), -EXIT_CONFIG);
	ck_assert_ptr_nonnull(strstr(e.msg, ":3: unknown key 'concurency' in [moodle]"));
	config_free(c);
	ck_assert_int_eq(load("[mooodle]\n", &c, &e), -EXIT_CONFIG);
	ck_assert_ptr_nonnull(strstr(e.msg, ":1: unknown section [mooodle]"));
	config_free(c);
	ck_assert_int_eq(load("[moodle]\nconcurrency = lots\n", &c, &e), -EXIT_CONFIG);
	ck_assert_ptr_nonnull(strstr(e.msg, ":2: moodle.concurrency must be a whole number, not 'lots'"));
	config_free(c);
	ck_assert_int_eq(load("[moodle]\nconcurrency = 99\n", &c, &e), -EXIT_CONFIG);
	ck_assert_ptr_nonnull(strstr(e.msg, "must be from 1 to 32"));
	config_free(c);
	ck_assert_int_eq(load("[enrolments]\nwithdraw = delete\n", &c, &e), -EXIT_CONFIG);
	ck_assert_ptr_nonnull(strstr(e.msg, "enrolments.withdraw is one of suspend|unenrol|ignore, not 'delete'"));
	config_free(c);
	ck_assert_int_eq(load("url = x\n", &c, &e), -EXIT_CONFIG);
	ck_assert_ptr_nonnull(strstr(e.msg, ":1: a key before any [section]"));
	config_free(c);

	settings s;
	ck_assert_int_eq(load("[enrolments]\ntimezone = Mars/Olympus\n", &c, &e), 0);
	ck_assert_int_eq(settings_load(&s, c, &e), -EXIT_CONFIG);
	ck_assert_ptr_nonnull(strstr(e.msg, "not a known time zone"));
	settings_free(&s);
	config_free(c);
	ck_assert_int_eq(load("[courses]\nmatch = idnumber,fullname\n", &c, &e), 0);
	ck_assert_int_eq(settings_load(&s, c, &e), -EXIT_CONFIG);
	ck_assert_ptr_nonnull(strstr(e.msg, "courses.match lists idnumber, shortname; not 'fullname'"));
	settings_free(&s);
	config_free(c);
	ck_assert_int_eq(load("[roles]\nids = student=5\n", &c, &e), 0);
	ck_assert_int_eq(settings_load(&s, c, &e), -EXIT_CONFIG);
	ck_assert_ptr_nonnull(strstr(e.msg, "roles.ids items are shortname:id"));
	settings_free(&s);
	config_free(c);
}
END_TEST

START_TEST(test_example_loads_and_equals_the_defaults)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	config_write_example(f);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(text, "[safety]\n"));
	ck_assert_ptr_nonnull(strstr(text, "#withdraw = suspend\n"));
	/* uncomment every key: the file then sets every default explicitly */
	strbuf sb = STRBUF_INIT;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (line[0] == '#' && line[1] != ' ' && strchr(line, '='))
			line++;
		sb_addf(&sb, "%s\n", line);
	}
	config *c;
	errinfo e;
	ck_assert_int_eq(load(sb.buf, &c, &e), 0);
	settings a, b;
	settings_defaults(&a);
	ck_assert_int_eq(settings_load(&b, c, &e), 0);
	ck_assert_int_eq(a.user_match, b.user_match);
	ck_assert_int_eq(a.withdraw, b.withdraw);
	ck_assert_int_eq(a.mode, b.mode);
	ck_assert(a.global[SAFE_SUSPEND].max_percent == b.global[SAFE_SUSPEND].max_percent);
	ck_assert_int_eq(a.global[SAFE_UNENROL].max_count, b.global[SAFE_UNENROL].max_count);
	ck_assert_int_eq(a.default_category, b.default_category);
	ck_assert_str_eq(a.auth, b.auth);
	for (int r = 1; r < ROLE_COUNT; r++)
		ck_assert_msg(str_eq(a.role_map[r], b.role_map[r]), "role %d", r);
	settings_free(&b);
	config_free(c);
	sb_free(&sb);
	free(text);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("conf");
	tcase_add_test(tc, test_values_defaults_and_types);
	tcase_add_test(tc, test_errors_name_file_and_line);
	tcase_add_test(tc, test_example_loads_and_equals_the_defaults);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
