#!/bin/sh
# bench/client-bench.sh -- requests per second of the REST client and of the
# Moodle emulator, on loopback: bench/client_rps (moodle_client) and wrk with
# bench/wrk-site-info.lua and bench/wrk-enrol.lua, each with 1, 4 and 16
# requests in flight, for core_webservice_get_site_info (a small read) and for
# enrol_manual_enrol_users batches of BATCH enrolments (default 200, as
# apply.batch_enrol). Prints the median of RUNS runs (default 5) of each,
# with the lowest and highest, and for the client its own CPU time per
# request (median, microseconds). The client sends each write on a connection
# of its own; "kept alive" is the same enrol batches sent as reads, on
# kept-alive connections, to show what that costs.
# Not a test: nothing here asserts a timing. The figures are in
# bench/client-results.md.
#
#   bench/client-bench.sh [client|emulator]...    (default: both)
#
# Run from the build directory after `make` (and make
# tests/fakemoodle/fakemoodle: the emulator is a check program). The
# environment may set RUNS, BATCH, INFLIGHT (default "1 4 16"), REQUESTS
# (site-info requests per client run, default 10000), ENROL_REQUESTS
# (default 2000), WRK_SECONDS (default 5), FAKEMOODLE, CLIENT_RPS and WRK.
# The emulator is started once per part with 1,000 users and a course whose
# manual instance sends no welcome message, on 127.0.0.1 port 0, and stopped
# at the end.
set -eu
RUNS=${RUNS:-5}
BATCH=${BATCH:-200}
INFLIGHT=${INFLIGHT:-"1 4 16"}
REQUESTS=${REQUESTS:-10000}
ENROL_REQUESTS=${ENROL_REQUESTS:-2000}
WRK_SECONDS=${WRK_SECONDS:-5}
fakemoodle=${FAKEMOODLE:-./tests/fakemoodle/fakemoodle}
client=${CLIENT_RPS:-./bench/client_rps}
wrk=${WRK:-wrk}
srcdir=$(cd "$(dirname "$0")/.." && pwd)
MOODLE_TOKEN=benchtoken0123456789abcdef012345
export MOODLE_TOKEN BATCH

[ -x "$fakemoodle" ] || { echo "client-bench: $fakemoodle is missing: make tests/fakemoodle/fakemoodle" >&2; exit 69; }
work=$(mktemp -d /tmp/client-bench-XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

# the state: course 2 (its manual instance without welcome message), users 3..1002
{
	printf '{"settings": {"now": 1767225600},\n'
	printf ' "courses": [{"id": 2, "shortname": "BENCH", "enrol": [{"id": 1, "enrol": "manual", "status": 0, "roleid": 5, "customint1": 0}]}],\n'
	printf ' "users": ['
	i=3
	while [ $i -le 1002 ]; do
		[ $i -gt 3 ] && printf ','
		printf '{"id": %d, "username": "b%05d", "firstname": "B", "lastname": "%d", "email": "b%05d@example.com"}' $i $i $i $i
		i=$((i + 1))
	done
	printf ']}\n'
} > "$work/state.json"

start_emulator() {
	rm -f "$work/url"
	"$fakemoodle" --listen 127.0.0.1:0 --token "$MOODLE_TOKEN" --state "$work/state.json" \
		> "$work/url" 2> "$work/emulator.log" &
	pid=$!
	n=0
	while [ ! -s "$work/url" ] && [ $n -lt 100 ]; do sleep 0.05; n=$((n + 1)); done
	url=$(head -1 "$work/url")
	[ -n "$url" ] || { echo "client-bench: the emulator did not start" >&2; cat "$work/emulator.log" >&2; exit 1; }
}

stop_emulator() {
	kill "$pid" && wait "$pid" || true
	pid=
}

# median: the median of the numbers on standard input, and their range
median() {
	sort -g | awk '{ v[NR] = $1 }
		END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		      printf "%.0f (%.0f-%.0f)\n", m, v[1], v[NR] }'
}

# client CALL N: the median rps of RUNS client_rps runs, then the median CPU
# microseconds per request
client() {
	call=$1 n=$2
	case $call in
	enrol) set -- --requests "$ENROL_REQUESTS" --batch "$BATCH" ;;
	enrol-kept-alive) call=enrol; set -- --requests "$ENROL_REQUESTS" --batch "$BATCH" --keep-alive ;;
	*) set -- --requests "$REQUESTS" ;;
	esac
	r=0
	: > "$work/client.out"
	while [ $r -lt "$RUNS" ]; do
		"$client" --url "$url" --call "$call" --inflight "$n" "$@" >> "$work/client.out"
		r=$((r + 1))
	done
	rps=$(sed 's/.* rps=\([0-9.]*\) .*/\1/' "$work/client.out" | median)
	cpu=$(sed 's/.* cpu_us=\([0-9.]*\) .*/\1/' "$work/client.out" | median | cut -d' ' -f1)
	echo "$rps, ${cpu} us CPU"
}

# emulator SCRIPT N: the median Requests/sec of RUNS wrk runs (2 threads, or 1 for one connection)
emulator() {
	script=$1 n=$2
	t=2
	[ "$n" -lt 2 ] && t=1
	r=0
	while [ $r -lt "$RUNS" ]; do
		"$wrk" -t$t -c"$n" -d"${WRK_SECONDS}s" -s "$srcdir/bench/$script" "$url" > "$work/wrk.out"
		if grep -q -e 'Non-2xx' -e 'Socket errors' "$work/wrk.out"; then
			cat "$work/wrk.out" >&2
			exit 1
		fi
		sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$work/wrk.out"
		r=$((r + 1))
	done | median
}

parts=${*:-client emulator}
for part in $parts; do
	start_emulator
	case $part in
	client)
		echo "client (bench/client_rps, moodle_client), requests per second, median of $RUNS:"
		for n in $INFLIGHT; do
			echo "  in flight $n: site-info $(client site-info "$n"); enrol x$BATCH $(client enrol "$n");" \
			     "the same kept alive $(client enrol-kept-alive "$n")"
		done ;;
	emulator)
		command -v "$wrk" > /dev/null 2>&1 || { echo "client-bench: wrk is missing" >&2; exit 69; }
		echo "emulator (wrk, ${WRK_SECONDS} s), requests per second, median of $RUNS:"
		for n in $INFLIGHT; do
			echo "  connections $n: site-info $(emulator wrk-site-info.lua "$n"), enrol x$BATCH $(emulator wrk-enrol.lua "$n")"
		done ;;
	*)
		echo "usage: bench/client-bench.sh [client|emulator]..." >&2
		exit 64 ;;
	esac
	stop_emulator
done
