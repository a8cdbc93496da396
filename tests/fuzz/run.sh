#!/bin/sh
# tests/fuzz/run.sh -- builds the libFuzzer targets with clang,
# AddressSanitizer and UndefinedBehaviorSanitizer, and runs them for a while:
# the IMS parser (fuzz_parse.c) from a seed corpus of the project's own IMS
# files, then the classifier of Moodle's replies (fuzz_reply.c) from the
# replies recorded in the emulator's transcripts. Not part of `make check`
# (it needs clang and takes minutes); `make fuzz` runs it.
#
#   tests/fuzz/run.sh [SECONDS [parse|reply|all]]   (default 300 all: the
#                                                    parser SECONDS, the
#                                                    replies a fifth of it)
#
# Run from the build directory (it needs the config.h configure wrote).
# Environment: CLANG (default clang), FUZZ_DIR (where the binaries, the
# growing corpora and any crash are kept, a directory per target under it;
# default ./fuzz). A crash is written to FUZZ_DIR/TARGET/crash-* and the
# script stops with libFuzzer's status; turn it into a case (tests/parse/edge
# or cases, tests/unit/test_client.c) once it is understood.
set -eu
seconds=${1:-300}
which=${2:-all}
srcdir=$(cd "$(dirname "$0")/../.." && pwd)
clang=${CLANG:-clang}
dir=${FUZZ_DIR:-./fuzz}

if ! command -v "$clang" > /dev/null 2>&1; then
	echo "tests/fuzz/run.sh: $clang is missing (Debian: apt-get install clang)" >&2
	exit 77
fi
[ -f config.h ] || { echo "tests/fuzz/run.sh: run it from the build directory (no config.h here)" >&2; exit 64; }
case $which in
parse|reply|all) ;;
*) echo "tests/fuzz/run.sh: no target $which (parse, reply or all)" >&2; exit 64 ;;
esac

# build TARGET SOURCES...: the target's fuzzer with the named src/ modules
build() {
	target=$1
	shift
	files=""
	for f in "$@"; do files="$files $srcdir/src/$f.c"; done
	# shellcheck disable=SC2046,SC2086
	"$clang" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-I. -I"$srcdir/src" $(pkg-config --cflags libxml-2.0 json-c) \
		-pthread "$srcdir/tests/fuzz/fuzz_$target.c" $files \
		$(pkg-config --libs libxml-2.0 json-c) -o "$dir/$target/fuzz_$target"
}

fuzz_parse() {
	mkdir -p "$dir/parse/corpus" "$dir/parse/seeds"
	build parse util arena strtab ptrmap log isodate ims_model ims_build ims_excerpt ims_events \
		ims_repair ims_parse ims_summary
	# seeds: every small IMS file of the tree, behind a first byte of 0 (no
	# repair, no fragment), of 7 (both repairs, fragments) and of 0xC0 (--strict)
	for f in "$srcdir"/samples/*.xml "$srcdir"/tests/parse/edge/*.xml "$srcdir"/tests/parse/cases/*.xml \
		 "$srcdir"/tests/parse/real/*.xml; do
		[ -f "$f" ] || continue
		[ "$(wc -c < "$f")" -le 65536 ] || continue
		base=$(basename "$f" .xml)
		{ printf '\000'; cat "$f"; } > "$dir/parse/seeds/$base-0"
		{ printf '\007'; cat "$f"; } > "$dir/parse/seeds/$base-7"
		{ printf '\300'; cat "$f"; } > "$dir/parse/seeds/$base-strict"
	done
	echo "fuzzing the parser for $1 s (corpus: $dir/parse/corpus)"
	(cd "$dir/parse" && IMS2MOODLE_SCHEMA=$srcdir/schemas/ims_enterprise_1p1.xsd \
		./fuzz_parse -max_total_time="$1" -max_len=65536 -timeout=20 -rss_limit_mb=2048 \
		-dict="$srcdir/tests/fuzz/ims.dict" -print_final_stats=1 corpus seeds)
}

fuzz_reply() {
	mkdir -p "$dir/reply/corpus" "$dir/reply/seeds"
	build reply util moodle_reply
	# seeds: every reply the emulator's transcripts recorded from Moodle,
	# behind a first byte of 0 (HTTP 200, JSON)
	python3 - "$srcdir/tests/fakemoodle/transcripts" "$dir/reply/seeds" <<'PY'
import json, os, sys
src, out = sys.argv[1], sys.argv[2]
n = 0
for name in sorted(os.listdir(src)):
    if not name.endswith(".json"):
        continue
    for step in json.load(open(os.path.join(src, name))).get("steps", []):
        if "response" in step:
            body = json.dumps(step["response"], ensure_ascii=False).encode()
            open(os.path.join(out, "%s-%d" % (name[:-5], n)), "wb").write(b"\0" + body)
            n += 1
PY
	echo "fuzzing the reply classifier for $1 s (corpus: $dir/reply/corpus)"
	(cd "$dir/reply" && ./fuzz_reply -max_total_time="$1" -max_len=8192 -timeout=20 \
		-print_final_stats=1 corpus seeds)
}

case $which in
parse) fuzz_parse "$seconds" ;;
reply) fuzz_reply "$seconds" ;;
all)
	fuzz_parse "$seconds"
	fuzz_reply "$((seconds / 5 > 10 ? seconds / 5 : 10))" ;;
esac
