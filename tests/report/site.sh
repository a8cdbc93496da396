# tests/report/site.sh -- sourced by the tests of tests/report: start_site starts the
# Moodle emulator on a free loopback port with a configuration for it in $work, stops
# it on exit; run EXIT ARGS runs ims2moodle ARGS against it and fails the test unless
# it exits EXIT. Needs $work (a directory of the test's), $bin and $emu.
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
