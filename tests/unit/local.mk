# tests/unit/local.mk -- Check unit suites, one per module.
if HAVE_CHECK
UNIT_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(XML_CFLAGS) $(JSONC_CFLAGS) $(CURL_CFLAGS) $(SQLITE_CFLAGS)
UNIT_LDADD = $(LIBIMS2MOODLE_LIBS) $(CHECK_LIBS)
EXTRA_DIST += tests/unit/check_main.h

check_PROGRAMS += tests/unit/test_util
tests_unit_test_util_SOURCES = tests/unit/test_util.c
tests_unit_test_util_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_util_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_util

check_PROGRAMS += tests/unit/test_plan
tests_unit_test_plan_SOURCES = tests/unit/test_plan.c
tests_unit_test_plan_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_plan_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_plan

check_PROGRAMS += tests/unit/test_state
tests_unit_test_state_SOURCES = tests/unit/test_state.c
tests_unit_test_state_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_state_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_state

check_PROGRAMS += tests/unit/test_conf
tests_unit_test_conf_SOURCES = tests/unit/test_conf.c
tests_unit_test_conf_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_conf_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_conf
endif
include $(srcdir)/tests/unit/moodle.mk
include $(srcdir)/tests/unit/parse.mk
include $(srcdir)/tests/unit/state.mk
include $(srcdir)/tests/unit/report.mk
