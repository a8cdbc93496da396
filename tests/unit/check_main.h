/* check_main.h -- what every Check suite of tests/unit does once its file
 * has built the suite: runs it (each test in a child process, Check's
 * default) and exits non-zero when a test failed. */
#ifndef IMS2MOODLE_TESTS_CHECK_MAIN_H
#define IMS2MOODLE_TESTS_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

static inline int run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
