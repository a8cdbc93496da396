#!/bin/sh
# samples/test-conf-example.sh -- the example configuration stays valid: every
# key it sets exists and has a value of the right type (`config --check`
# refuses anything else with 78), and the values it sets are the ones read.
set -u
conf="$top_srcdir/samples/ims2moodle.conf.example"
out=$("$IMS2MOODLE" config --check --config "$conf" 2>&1)
rc=$?
if [ "$rc" -ne 0 ]; then
	echo "config --check exited $rc:"
	echo "$out"
	exit 1
fi
fail=0
for want in "url = https://moodle.northfield.example.edu" "repair = ampersand" \
	"useridtypes = Logon ID,Email ID" "withdraw = suspend" "suspend_max_count = 2000" \
	"timezone = Europe/London"; do
	if ! printf '%s\n' "$out" | grep -q "^$want  *# .*ims2moodle.conf.example:"; then
		echo "not read from the example: $want"
		fail=1
	fi
done
[ "$fail" -eq 0 ] && echo "1 passed, 0 failed"
exit "$fail"
