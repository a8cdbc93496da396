# tests/report/local.mk -- the reports opened by the programs people open them with, on the
# real planner's output against the emulator: the HTML report in a headless Chromium
# (test_html_interactive.sh, about 5 s), the CSV report in LibreOffice Calc
# (test_csv_libreoffice.sh, about 2 s), and the text report's colour on a pseudo-terminal
# (test_text_terminal.sh, 1 s). Each skips (77) without its program, python3 or the
# emulator. test_html_browser.sh, on the pages test_report writes, is listed in
# tests/unit/report.mk.
if HAVE_MHD
TESTS += tests/report/test_html_interactive.sh tests/report/test_csv_libreoffice.sh \
	tests/report/test_text_terminal.sh
endif
EXTRA_DIST += tests/report/site.sh tests/report/test_html_interactive.sh tests/report/html_check.py \
	tests/report/hostile.xml tests/report/hostile-next.xml \
	tests/report/test_csv_libreoffice.sh tests/report/formulas.xml tests/report/test_text_terminal.sh
