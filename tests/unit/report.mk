# tests/unit/report.mk -- the unit suite of the four report renderers (text,
# CSV, JSON, HTML), each written to memory from plans made by hand.
if HAVE_CHECK
check_PROGRAMS += tests/unit/test_report
tests_unit_test_report_SOURCES = tests/unit/test_report.c
tests_unit_test_report_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_report_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_report
endif
# The HTML report in headless Chromium (about 9 s; skips, 77, without it).
if HAVE_CHECK
TESTS += tests/report/test_html_browser.sh
endif
EXTRA_DIST += tests/report/test_html_browser.sh
