# tests/unit/parse.mk -- unit suites of the parser, dates and repair filter.
if HAVE_CHECK
check_PROGRAMS += tests/unit/test_isodate
tests_unit_test_isodate_SOURCES = tests/unit/test_isodate.c
tests_unit_test_isodate_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_isodate_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_isodate

check_PROGRAMS += tests/unit/test_ims_repair
tests_unit_test_ims_repair_SOURCES = tests/unit/test_ims_repair.c
tests_unit_test_ims_repair_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_ims_repair_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_ims_repair

# what the parser puts in the model (values check's summary does not show)
check_PROGRAMS += tests/unit/test_ims_parse
tests_unit_test_ims_parse_SOURCES = tests/unit/test_ims_parse.c
tests_unit_test_ims_parse_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_ims_parse_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_ims_parse

# the queue between the parsing and the building thread
check_PROGRAMS += tests/unit/test_ims_events
tests_unit_test_ims_events_SOURCES = tests/unit/test_ims_events.c
tests_unit_test_ims_events_CFLAGS = $(UNIT_CFLAGS) -pthread
tests_unit_test_ims_events_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_ims_events
endif
