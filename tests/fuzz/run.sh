#!/bin/sh
# tests/fuzz/run.sh -- builds the parser's libFuzzer target (fuzz_parse.c)
# with clang, AddressSanitizer and UndefinedBehaviorSanitizer, and runs it
# for a while from a seed corpus of the project's own IMS files. Not part of
# `make check` (it needs clang and takes minutes); `make fuzz` runs it.
#
#   tests/fuzz/run.sh [SECONDS]          (default 300)
#
# Run from the build directory (it needs the config.h configure wrote).
# Environment: CLANG (default clang), FUZZ_DIR (where the binary, the
# growing corpus and any crash are kept; default ./fuzz).
# A crash is written to FUZZ_DIR/crash-* and the script exits 1; turn it
# into a case in tests/parse/edge once it is understood.
set -eu
seconds=${1:-300}
srcdir=$(cd "$(dirname "$0")/../.." && pwd)
clang=${CLANG:-clang}
dir=${FUZZ_DIR:-./fuzz}

if ! command -v "$clang" > /dev/null 2>&1; then
	echo "tests/fuzz/run.sh: $clang is missing (Debian: apt-get install clang)" >&2
	exit 77
fi
[ -f config.h ] || { echo "tests/fuzz/run.sh: run it from the build directory (no config.h here)" >&2; exit 64; }
mkdir -p "$dir/corpus" "$dir/seeds"

src="util arena strtab ptrmap log isodate ims_model ims_build ims_excerpt ims_events ims_repair ims_parse ims_summary"
files=""
for f in $src; do files="$files $srcdir/src/$f.c"; done
# shellcheck disable=SC2046,SC2086
"$clang" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-I. -I"$srcdir/src" $(pkg-config --cflags libxml-2.0 json-c) \
	-pthread "$srcdir/tests/fuzz/fuzz_parse.c" $files \
	$(pkg-config --libs libxml-2.0 json-c) -o "$dir/fuzz_parse"

# seeds: every small IMS file of the tree, behind a first byte of 0 (no
# repair, no fragment), of 7 (both repairs, fragments) and of 0xC0 (--strict)
for f in "$srcdir"/samples/*.xml "$srcdir"/tests/parse/edge/*.xml "$srcdir"/tests/parse/cases/*.xml \
	 "$srcdir"/tests/parse/real/*.xml; do
	[ -f "$f" ] || continue
	[ "$(wc -c < "$f")" -le 65536 ] || continue
	base=$(basename "$f" .xml)
	{ printf '\000'; cat "$f"; } > "$dir/seeds/$base-0"
	{ printf '\007'; cat "$f"; } > "$dir/seeds/$base-7"
	{ printf '\300'; cat "$f"; } > "$dir/seeds/$base-strict"
done
IMS2MOODLE_SCHEMA=$srcdir/schemas/ims_enterprise_1p1.xsd
export IMS2MOODLE_SCHEMA

cd "$dir"
echo "fuzzing the parser for $seconds s (corpus: $dir/corpus)"
exec ./fuzz_parse -max_total_time="$seconds" -max_len=65536 -timeout=20 -rss_limit_mb=2048 \
	-dict="$srcdir/tests/fuzz/ims.dict" -print_final_stats=1 corpus seeds
