#!/bin/sh
# replay-transcripts.sh -- make check: replays the recorded Moodle 4.5
# transcripts against a fresh fakemoodle per scenario (see replay.py).
srcdir=${top_srcdir:-.}
exec python3 "$srcdir/tests/fakemoodle/replay.py" \
	--emulator "${FAKEMOODLE:-tests/fakemoodle/fakemoodle}" \
	--transcripts "$srcdir/tests/fakemoodle/transcripts"
