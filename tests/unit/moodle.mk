# tests/unit/moodle.mk -- unit suites of the REST client.
if HAVE_CHECK
check_PROGRAMS += tests/unit/test_moodle
tests_unit_test_moodle_SOURCES = tests/unit/test_moodle.c
tests_unit_test_moodle_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_moodle_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_moodle
endif
