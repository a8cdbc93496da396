#!/bin/sh
# replay-differential.sh -- make check: replays the 20 seeded call
# sequences answered by a real Moodle 4.5 against fakemoodle (see replay.py).
srcdir=${top_srcdir:-.}
exec python3 "$srcdir/tests/fakemoodle/replay.py" \
	--emulator "${FAKEMOODLE:-tests/fakemoodle/fakemoodle}" \
	--differential "$srcdir/tests/fakemoodle/differential"
