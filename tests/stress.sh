#!/bin/sh
# tests/stress.sh -- `make stress`: the long suites kept out of `make check`
# (which must stay under 15 minutes). Run from the build directory.
#
#  1. apply under 10 % injected faults of every kind, with 20 seeds instead of 3;
#  2. apply killed with SIGKILL at random moments, 20 trials instead of 3;
#  3. a 1 GB generated file read by `check`: accepted, with peak memory bounded by
#     the model, not the file (reference §8 #24).
#
# Each part prints what it checked; the script exits non-zero if any failed.
# Needs about 1.1 GB in STRESS_DIR (default: a directory under /tmp) and
# /usr/bin/time (Debian package: time) for part 3.
set -u
top_builddir=$(pwd)
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
IMS2MOODLE=$top_builddir/ims2moodle
FAKEMOODLE=$top_builddir/tests/fakemoodle/fakemoodle
export top_builddir top_srcdir IMS2MOODLE FAKEMOODLE

failed=0
part() {
	echo "== $1"
	shift
	if "$@"; then
		echo "-- ok"
	else
		echo "-- FAILED"
		failed=$((failed + 1))
	fi
}

part "apply under faults, 20 seeds" \
	env FAULT_SEEDS="$(seq -s ' ' 1 20)" python3 "$top_srcdir/tests/site/test_faults.py"
part "apply killed at random moments, 20 trials" \
	env KILL_TRIALS=20 KILL_SEED=4242 python3 "$top_srcdir/tests/site/test_kill.py"

# A 1 GB file: check accepts it and its peak RSS stays below the file's size
# (the model holds interned strings and records, never the file or a DOM).
big_file() {
	dir=$(mktemp -d "${STRESS_DIR:-/tmp}/ims2moodle-stress-XXXXXX") || return 1
	file=$dir/big.xml
	"$top_builddir/bench/gen-ims" --persons 450000 --groups 90000 --members-per-group 50 \
		--seed 11 -o "$file" || { rm -rf "$dir"; return 1; }
	size=$(wc -c < "$file")
	/usr/bin/time -f '%M' -o "$dir/rss" "$IMS2MOODLE" check --format json "$file" > "$dir/out.json"
	rc=$?
	rss_kb=$(cat "$dir/rss")
	persons=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["persons"])' "$dir/out.json" 2>/dev/null)
	rm -rf "$dir"
	echo "file $size bytes, exit $rc, $persons persons, peak RSS $rss_kb KB"
	[ "$rc" -eq 0 ] && [ "$persons" = 450000 ] && [ $((rss_kb * 1024)) -lt "$size" ]
}
part "a 1 GB file within bounded memory" big_file

echo "$failed part(s) failed"
[ "$failed" -eq 0 ]
