# tests/report/site.sh -- sourced by the tests of tests/report that run a site: it
# finds the program and the emulator ($bin, $emu: IMS2MOODLE, FAKEMOODLE), skips the
# test (77) without them or python3, and makes the test's directory $work, removed on
# exit. skip WHY skips from the test itself; start_site starts the Moodle emulator on
# a free loopback port with a configuration for it in $work, stopped on exit; run
# EXIT ARGS runs ims2moodle ARGS against it and fails the test unless it exits EXIT.
# shellcheck shell=sh
bin=${IMS2MOODLE:-./ims2moodle}
emu=${FAKEMOODLE:-./tests/fakemoodle/fakemoodle}

skip() { echo "SKIP: $*"; exit 77; }
command -v python3 > /dev/null || skip "no python3"
[ -x "$bin" ] || skip "no ims2moodle at $bin"
[ -x "$emu" ] || skip "no emulator at $emu"

work=$(mktemp -d)
emu_pid=
cleanup() {
	[ -z "$emu_pid" ] || kill "$emu_pid" 2> /dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# start_site [CONFIGURATION LINES]: the lines are added after [moodle] url and [files] target
start_site() {
	token=report0123456789abcdef0123456789
	"$emu" --listen 127.0.0.1:0 --token "$token" > "$work/site.url" 2> "$work/emulator.log" &
	emu_pid=$!
	i=0
	while [ ! -s "$work/site.url" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -s "$work/site.url" ] || { echo "FAIL: the emulator did not start"; cat "$work/emulator.log"; exit 1; }
	head -n 1 "$work/site.url" > "$work/url" && mv "$work/url" "$work/site.url"
	printf '[moodle]\nurl = %s\n[files]\ntarget = Moodle\n%s\n' "$(cat "$work/site.url")" "$1" \
		> "$work/ims2moodle.conf"
	MOODLE_TOKEN=$token NO_COLOR=1
	export MOODLE_TOKEN NO_COLOR
}

run() {
	expect=$1
	shift
	set +e
	"$bin" "$@" --config "$work/ims2moodle.conf" --state-dir "$work/state" > "$work/out" 2>&1
	rc=$?
	set -e
	[ "$rc" -eq "$expect" ] || { echo "FAIL: ims2moodle $* exited $rc, expected $expect"; cat "$work/out"; exit 1; }
}
