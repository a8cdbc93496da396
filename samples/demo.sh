#!/bin/sh
# samples/demo.sh -- the README's demo (`make demo`): starts the bundled Moodle
# emulator on a free loopback port, then checks, plans and applies
# samples/university.xml and the next night's delta against it, and writes
# the HTML reports. Run from the build directory (make demo does).
set -e
here=$(cd "$(dirname "$0")" && pwd)
bin=${IMS2MOODLE:-./ims2moodle}
emu=${FAKEMOODLE:-./tests/fakemoodle/fakemoodle}
[ -x "$bin" ] && [ -x "$emu" ] || { echo "demo: run 'make demo' in the build directory" >&2; exit 1; }

work=${DEMO_DIR:-./demo}
rm -rf "$work"
mkdir -p "$work"
token=demo0123456789abcdef0123456789ab
"$emu" --listen 127.0.0.1:0 --token "$token" > "$work/emulator.url" 2> "$work/emulator.log" &
emu_pid=$!
trap 'kill $emu_pid 2>/dev/null' EXIT INT TERM
for _ in 1 2 3 4 5 6 7 8 9 10; do
	[ -s "$work/emulator.url" ] && break
	sleep 0.2
done
url=$(head -n 1 "$work/emulator.url")
cat > "$work/ims2moodle.conf" <<CONF
# The demo's configuration (ims2moodle config prints every key).
[moodle]
url = $url
[files]
target = Moodle
[courses]
category_from_orgunit = yes
CONF
export MOODLE_TOKEN="$token" NO_COLOR=1
echo "The Moodle emulator listens at $url (a stand-in for a real Moodle 4.5 site)."
echo
echo "\$ ims2moodle check samples/university.xml"
"$bin" check "$here/university.xml"
shift_run() { cmd=$1; shift; echo; echo "\$ ims2moodle $cmd $*"; "$bin" "$cmd" --config "$work/ims2moodle.conf" --state-dir "$work/state" "$@" || true; }
shift_run plan "$here/university.xml"
shift_run plan --format html --output "$work/plan.html" "$here/university.xml"
shift_run apply --format html --report "$work/outcome.html" "$here/university.xml"
shift_run plan "$here/university.xml"
shift_run plan "$here/university-next-night.xml"
shift_run apply "$here/university-next-night.xml"
shift_run history
echo
echo "Reports: $work/plan.html and $work/outcome.html (open them in a browser)."
