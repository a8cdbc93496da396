# tests/unit/moodle.mk -- unit suites of the REST client.
if HAVE_CHECK
check_PROGRAMS += tests/unit/test_moodle
tests_unit_test_moodle_SOURCES = tests/unit/test_moodle.c
tests_unit_test_moodle_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_moodle_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_moodle

# The client against the emulator (FAKEMOODLE, set by make check; skipped
# when the emulator was not built).
check_PROGRAMS += tests/unit/test_client
tests_unit_test_client_SOURCES = tests/unit/test_client.c
tests_unit_test_client_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_client_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_client
endif
