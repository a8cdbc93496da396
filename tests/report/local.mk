# tests/report/local.mk -- the HTML report in a headless Chromium as a registrar uses it:
# the real planner's pages for tests/report/hostile*.xml against the emulator (about 3 s;
# skips, 77, without Chromium, python3 or the emulator). test_html_browser.sh, on the
# pages test_report writes, is listed in tests/unit/report.mk.
if HAVE_MHD
TESTS += tests/report/test_html_interactive.sh
endif
EXTRA_DIST += tests/report/test_html_interactive.sh tests/report/html_check.py \
	tests/report/hostile.xml tests/report/hostile-next.xml
