#!/bin/sh
# samples/demo.sh -- the README's demo (`make demo`): reads every sample file
# with `ims2moodle check` and prints its summary. Run from the build
# directory; the sources are found next to this script.
set -e
here=$(cd "$(dirname "$0")" && pwd)
bin=${IMS2MOODLE:-./ims2moodle}
[ -x "$bin" ] || { echo "demo: build first (make), then run 'make demo'" >&2; exit 1; }
for f in "$here"/*.xml; do
	[ -e "$f" ] || continue
	echo "\$ ims2moodle check samples/$(basename "$f")"
	"$bin" check "$f"
	echo
done
