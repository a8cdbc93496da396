#!/bin/sh
# bench/test-gen-ims.sh -- gen-ims is deterministic (same seed, same bytes;
# another seed, other bytes), writes well-formed XML in both encodings, and
# writes the numbers of records asked for; a later night changes only the
# share of memberships asked for.
set -eu
gen=${top_builddir:-.}/bench/gen-ims
bin=${IMS2MOODLE:-./ims2moodle}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$gen" --persons 300 --groups 40 --members-per-group 12 --seed 5 -o "$tmp/a.xml"
"$gen" --persons 300 --groups 40 --members-per-group 12 --seed 5 -o "$tmp/b.xml"
"$gen" --persons 300 --groups 40 --members-per-group 12 --seed 6 -o "$tmp/c.xml"
cmp -s "$tmp/a.xml" "$tmp/b.xml" || fail "the same seed gave different files"
cmp -s "$tmp/a.xml" "$tmp/c.xml" && fail "another seed gave the same file"
for enc in utf-8 iso-8859-1; do
	"$gen" --persons 50 --groups 5 --encoding "$enc" --one-line --namespace urn:x -o "$tmp/e.xml"
	xmllint --noout "$tmp/e.xml" || fail "$enc: not well-formed"
	[ "$(wc -l < "$tmp/e.xml")" -eq 1 ] || fail "--one-line wrote more than one line"
done
grep -q 'encoding="ISO-8859-1"' "$tmp/e.xml" || fail "the encoding is not declared"
"$bin" check --format json "$tmp/a.xml" > "$tmp/a.json"
for want in '"persons": 300' '"groups": 40' '"memberships": 40' '"members": 480' '"roles": 480'; do
	grep -q "$want" "$tmp/a.json" || fail "check does not find $want"
done
# a night later with 10 % changed: the same people and groups, some memberships differ
"$gen" --persons 300 --groups 40 --members-per-group 12 --seed 5 --night 1 --change-fraction 0.1 -o "$tmp/n.xml"
changed=$(diff "$tmp/a.xml" "$tmp/n.xml" | grep -c '^>' || true)
[ "$changed" -gt 10 ] && [ "$changed" -lt 120 ] || fail "a night at 10 % changed $changed lines of 480 memberships"
echo "1 passed, 0 failed"
