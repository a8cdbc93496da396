#!/bin/sh
# test_html_browser.sh -- the HTML report in a real browser: headless
# Chromium loads the pages tests/unit/test_report writes (--write-html) and
# dumps the DOM after the page's script ran: the search (?q=) and the kind
# filter (?hide=) hide exactly the rows they should, and the hostile names
# stay text (one <script> element, the page's own). Skips (77) without
# Chromium or the unit test binary. Run from the build directory, or set
# TEST_REPORT and CHROMIUM.
set -u
test_report=${TEST_REPORT:-tests/unit/test_report}
chromium=${CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || { echo "SKIP: no chromium at $chromium"; exit 77; }
[ -x "$test_report" ] || { echo "SKIP: no $test_report (build it first)"; exit 77; }

work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT INT TERM
"$test_report" --write-html "$work" || { echo "FAIL: test_report --write-html"; exit 1; }

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# dump PAGE QUERY OUT: the DOM of file://$work/PAGE?QUERY after its script ran
dump() {
	timeout 20 "$chromium" --headless --no-sandbox --disable-gpu --dump-dom \
		--virtual-time-budget=300 --user-data-dir="$work/profile" \
		"file://$work/$1${2:+?$2}" >"$work/$3" 2>"$work/chromium.log"
	[ -s "$work/$3" ] || { fail "no DOM for $1?$2"; cat "$work/chromium.log"; return 1; }
}

# visible_rows FILE: the data-kind and first cell of each shown row, one a line
visible_rows() {
	grep -o '<tr data-kind="[a-z_]*"[^>]*><td data-v="[0-9]*"' "$1" | grep -v 'display: none' |
		sed 's/<tr data-kind="\([a-z_]*\)".*data-v="\([0-9]*\)"/\1 \2/'
}

expect_rows() { # FILE WANT (the rows, one a line)
	got=$(visible_rows "$1")
	[ "$got" = "$2" ] || fail "$1: rows shown:
$got
expected:
$2"
}

# no query: every row shown
if dump typical.html "" all.dom; then
	expect_rows "$work/all.dom" "create_course 1
create_user 2
update_user 3
enrol 4
suspend 5
unenrol 6
skipped 40
quarantined 50"
fi

# a search for a person: only that person's rows
if dump typical.html "q=p3" search.dom; then
	expect_rows "$work/search.dom" "suspend 5"
fi

# a search for a course: its actions
if dump typical.html "q=chem101" course.dom; then
	expect_rows "$work/course.dom" "create_course 1
enrol 4"
fi

# kinds filtered out
if dump typical.html "hide=create_course,enrol,skipped" hide.dom; then
	expect_rows "$work/hide.dom" "create_user 2
update_user 3
suspend 5
unenrol 6
quarantined 50"
fi

# the hostile names are text: one script element, the page's own
if dump hostile.html "" hostile.dom; then
	n=$(grep -o '<script' "$work/hostile.dom" | wc -l)
	[ "$n" -eq 1 ] || fail "hostile.html: $n <script> elements"
	grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$work/hostile.dom" ||
		fail "hostile.html: the course's name is not shown as text"
	grep -q 'O.Brien &amp; "Sons"' "$work/hostile.dom" ||
		fail "hostile.html: the person's name is not shown as text"
	expect_rows "$work/hostile.dom" "create_course 1
create_user 2
enrol 3
quarantined 4"
fi

# an outcome page works too
if dump outcome.html "q=failed" outcome.dom; then
	expect_rows "$work/outcome.dom" "enrol 2"
fi

[ "$failures" -eq 0 ] || exit 1
echo "PASS: the HTML report's search and filters in headless Chromium"
