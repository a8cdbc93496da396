#!/bin/sh
# tests/report/test_html_interactive.sh -- the HTML report in a real browser, as a
# registrar uses it (test_html_browser.sh beside it checks the pages test_report
# writes by hand; this one the real planner's): plans
# tests/report/hostile.xml against the Moodle emulator, applies it, plans
# hostile-next.xml, and has html_check.py load both reports in a headless Chromium
# (filter, search, sort, print style, escaping, nothing loaded from outside).
# Skips (77) without Chromium, python3, the emulator or the program; about 5 s.
# Environment: IMS2MOODLE, FAKEMOODLE, top_srcdir (make check sets them); CHROMIUM
# names the browser (default: chromium on the PATH, or /usr/bin/chromium).
set -eu

srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
here=$srcdir/tests/report
browser=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || echo /usr/bin/chromium)}

# shellcheck source=tests/report/site.sh
. "$here/site.sh"
[ -x "$browser" ] || skip "no Chromium (set CHROMIUM)"
start_site "$(printf '[courses]\nshortname = short')"
run 2 plan --format html --output "$work/night1.html" "$here/hostile.xml"
run 0 apply -q --format html --report "$work/outcome1.html" "$here/hostile.xml"
run 2 plan --format html --output "$work/night2.html" "$here/hostile-next.xml"

# the same plan twice, the same bytes, in every format
run 2 plan --format html --output "$work/again.html" "$here/hostile-next.xml"
cmp "$work/night2.html" "$work/again.html" || { echo "FAIL: two plans of one site and file differ"; exit 1; }
for f in text csv json; do
	run 2 plan --format $f --output "$work/once.$f" "$here/hostile-next.xml"
	run 2 plan --format $f --output "$work/twice.$f" "$here/hostile-next.xml"
	cmp "$work/once.$f" "$work/twice.$f" || { echo "FAIL: two $f plans of one site and file differ"; exit 1; }
done

python3 "$here/html_check.py" "$browser" "$work"
