#!/bin/sh
# bench/test-gen-ims.sh -- gen-ims is deterministic (same seed, same bytes;
# another seed, other bytes), writes well-formed XML in both encodings with
# the same content, writes the numbers of records and the shares of roles,
# statuses and recstatus asked for, picks distinct members, and a later night
# changes only the share of members asked for; the night's --delta, applied
# to the night before, gives the night's snapshot. Needs xmllint
# (libxml2-utils).
set -eu
command -v xmllint > /dev/null 2>&1 || { echo "SKIP: xmllint (libxml2-utils) is not installed"; exit 77; }
gen=${top_builddir:-.}/bench/gen-ims
bin=${IMS2MOODLE:-${top_builddir:-.}/ims2moodle}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
checks=0
ok() { checks=$((checks + 1)); }

# count XPATH FILE: the number xmllint finds
count() { xmllint --xpath "count($1)" "$2"; }
# in_range WHAT VALUE LOW HIGH
in_range() {
	[ "$2" -ge "$3" ] && [ "$2" -le "$4" ] || fail "$1: $2 is not within $3..$4"
	ok
}
# expect WHAT VALUE WANTED
expect() {
	[ "$2" = "$3" ] || fail "$1: $2, expected $3"
	ok
}

## determinism
small="--persons 300 --groups 40 --members-per-group 12"
# shellcheck disable=SC2086
"$gen" $small --seed 5 -o "$tmp/a.xml"
# shellcheck disable=SC2086
"$gen" $small --seed 5 > "$tmp/b.xml"
# shellcheck disable=SC2086
"$gen" $small --seed 6 -o "$tmp/c.xml"
cmp -s "$tmp/a.xml" "$tmp/b.xml" || fail "the same seed gave different files"
cmp -s "$tmp/a.xml" "$tmp/c.xml" && fail "another seed gave the same file"
ok

## well-formed, counts by XPath and by lines of the pretty-printed file
for f in a c; do
	xmllint --noout "$tmp/$f.xml" || fail "$f.xml is not well-formed"
	expect "persons" "$(count /enterprise/person "$tmp/$f.xml")" 300
	expect "groups" "$(count /enterprise/group "$tmp/$f.xml")" 40
	expect "memberships" "$(count /enterprise/membership "$tmp/$f.xml")" 40
	expect "members" "$(count /enterprise/membership/member "$tmp/$f.xml")" 480
	expect "roles" "$(count //member/role "$tmp/$f.xml")" 480
	expect "idtype 1" "$(count "//member[idtype='1']" "$tmp/$f.xml")" 480
	expect "instructors first" "$(count "//membership/member[1]/role[@roletype='02']" "$tmp/$f.xml")" 40
done
expect "person lines" "$(grep -c '^ <person>' "$tmp/a.xml")" 300
expect "group lines" "$(grep -c '^ <group>' "$tmp/a.xml")" 40
expect "membership lines" "$(grep -c '^ <membership>' "$tmp/a.xml")" 40
expect "member lines" "$(grep -c '^  <member>' "$tmp/a.xml")" 480
expect "role lines" "$(grep -c '^   <role ' "$tmp/a.xml")" 480
# the parts of a record the brief asks for
for want in '<datasource>Generated SIS</datasource>' '<type>DATABASE UPDATE</type>' \
	'<datetime>2026-01-12T02:00:00</datetime>' '<userid useridtype="Logon ID">u0000000</userid>' \
	'<tel teltype="Mobile">' '<adr><street>' '<institutionrole primaryrole="Yes"' \
	'<typevalue level="1">CourseSection</typevalue>' '<orgunit>Faculty of Science</orgunit><orgunit>Chemistry</orgunit>' \
	'Ethics &amp; Governance' '<begin restrict="1">2026-01-19</begin>' \
	'<status>1</status><timeframe><begin restrict="1">'; do
	grep -qF "$want" "$tmp/a.xml" || fail "no $want"
	ok
done
# each membership's members are distinct persons
dups=$(awk '/<membership>/ { m++ } /<member>/ { getline; print m, $0 }' "$tmp/a.xml" | sort | uniq -d | wc -l)
expect "members named twice in one membership" "$dups" 0

## the shares asked for (fixed seeds: the counts are exact, the ranges only
## say that they are the share asked for)
# shellcheck disable=SC2086
"$gen" $small --seed 9 --withdraw-fraction 0.25 --recstatus-fraction 0.2 --delete-fraction 0.1 \
	--roles 01:50,05:50 -o "$tmp/f.xml"
in_range "status 0" "$(count "//role[status='0']" "$tmp/f.xml")" 110 200
in_range "persons recstatus 2" "$(count "/enterprise/person[@recstatus='2']" "$tmp/f.xml")" 35 85
in_range "persons recstatus 3" "$(count "/enterprise/person[@recstatus='3']" "$tmp/f.xml")" 12 50
in_range "roles recstatus 2" "$(count "//role[@recstatus='2']" "$tmp/f.xml")" 60 135
in_range "roles recstatus 3" "$(count "//role[@recstatus='3']" "$tmp/f.xml")" 25 75
in_range "groups recstatus 2 or 3" "$(count "/enterprise/group[@recstatus]" "$tmp/f.xml")" 3 25
expect "deleted roles still active" "$(count "//role[@recstatus='3' and status='1']" "$tmp/f.xml")" 0
in_range "roletype 05" "$(count "//role[@roletype='05']" "$tmp/f.xml")" 170 270
expect "roletype 08 with the mix 01:50,05:50" "$(count "//role[@roletype='08']" "$tmp/f.xml")" 0
expect "roletype 02 (only the first members)" "$(count "//role[@roletype='02']" "$tmp/f.xml")" 40

## encodings: the same content, well-formed, Latin-1 bytes in ISO-8859-1
for enc in utf-8 iso-8859-1; do
	"$gen" --persons 200 --groups 20 --members-per-group 5 --encoding "$enc" -o "$tmp/$enc.xml"
	xmllint --noout "$tmp/$enc.xml" || fail "$enc: not well-formed"
	xmllint --c14n "$tmp/$enc.xml" > "$tmp/$enc.c14n"
done
grep -q '^<?xml version="1.0" encoding="ISO-8859-1"?>' "$tmp/iso-8859-1.xml" || fail "ISO-8859-1 not declared"
cmp -s "$tmp/utf-8.c14n" "$tmp/iso-8859-1.c14n" || fail "the ISO-8859-1 file does not say what the UTF-8 one says"
LC_ALL=C grep -q "$(printf 'M\374ller')" "$tmp/iso-8859-1.xml" || fail "no Latin-1 byte for u-umlaut"
grep -q '&#321;ukasz' "$tmp/iso-8859-1.xml" || fail "no character reference for a name beyond Latin-1"
grep -q 'Łukasz' "$tmp/utf-8.xml" || fail "no name beyond Latin-1 in UTF-8"
ok

## one line, a namespace
"$gen" --persons 50 --groups 5 --one-line --namespace 'urn:x:ims&1' -o "$tmp/e.xml"
xmllint --noout "$tmp/e.xml" || fail "one-line: not well-formed"
expect "lines of --one-line" "$(wc -l < "$tmp/e.xml")" 1
grep -q '<enterprise xmlns="urn:x:ims&amp;1">' "$tmp/e.xml" || fail "the namespace is not on the root"
expect "namespaced persons" "$(count "/*[local-name()='enterprise']/*[local-name()='person']" "$tmp/e.xml")" 50

## usage errors
for bad in "--persons x" "--persons 0" "--withdraw-fraction 2" "--persons 10 --members-per-group 11" \
	"--delta" "--roles 01:x" "--recstatus-fraction 0.6 --delete-fraction 0.6" "--encoding latin2" "stray"; do
	# shellcheck disable=SC2086
	if "$gen" $bad > /dev/null 2>&1; then fail "gen-ims $bad succeeded"; fi
	# shellcheck disable=SC2086
	"$gen" $bad > /dev/null 2>&1 || [ $? -eq 64 ] || fail "gen-ims $bad: not exit status 64"
	ok
done
for opt in persons groups members-per-group seed roles withdraw-fraction recstatus-fraction delete-fraction \
	categories night change-fraction delta encoding namespace one-line output help; do
	"$gen" --help | grep -q -- "--$opt" || fail "--help does not document --$opt"
	ok
done

## nights: 10 % changed; the snapshot of night 2 is night 1 with night 2's delta applied
# tuples FILE: "group person roletype status" of every role
tuples() {
	awk '
	/<membership>/ { want = "g"; next }
	/<member>/ { want = "p"; next }
	/<id>/ && want != "" {
		s = $0; sub(/.*<id>/, "", s); sub(/<\/id>.*/, "", s)
		if (want == "g") g = s; else p = s
		want = ""
	}
	/<role / {
		r = $0; sub(/.*roletype="/, "", r); sub(/".*/, "", r)
		st = $0; sub(/.*<status>/, "", st); sub(/<\/status>.*/, "", st)
		print g, p, r, st
	}' "$1"
}
active() { tuples "$1" | awk '$4 == 1 { print $1, $2, $3 }' | sort; }
for n in 1 2; do
	# shellcheck disable=SC2086
	"$gen" $small --seed 5 --night $n --change-fraction 0.1 -o "$tmp/n$n.xml"
	# shellcheck disable=SC2086
	"$gen" $small --seed 5 --night $n --change-fraction 0.1 --delta -o "$tmp/d$n.xml"
	xmllint --noout "$tmp/n$n.xml" "$tmp/d$n.xml" || fail "night $n: not well-formed"
done
expect "persons a night later" "$(count /enterprise/person "$tmp/n1.xml")" 300
expect "persons in a delta" "$(count /enterprise/person "$tmp/d1.xml")" 0
grep -q '<datetime>2026-01-13T02:00:00</datetime>' "$tmp/n1.xml" || fail "night 1 is not dated a day later"
ok
# the persons and groups are the same; only memberships change
sed '/<membership>/,$d;/<datetime>/d' "$tmp/a.xml" > "$tmp/a.head"
sed '/<membership>/,$d;/<datetime>/d' "$tmp/n1.xml" > "$tmp/n1.head"
cmp -s "$tmp/a.head" "$tmp/n1.head" || fail "night 1 changed persons or groups"
ok
tuples "$tmp/a.xml" | sort > "$tmp/t0"
tuples "$tmp/n1.xml" | sort > "$tmp/t1"
changed=$(comm -13 "$tmp/t0" "$tmp/t1" | wc -l)
in_range "roles changed by night 1 at 10 % of 440 members" "$changed" 25 70
dups=$(awk '{ print $1, $2 }' "$tmp/t1" | sort | uniq -d | wc -l)
expect "a person enrolled twice in a group on night 1" "$dups" 0
# night 1's delta applied to night 0 gives night 1 (the active roles)
for n in 1 2; do
	prev=$tmp/a.xml
	[ "$n" = 2 ] && prev=$tmp/n1.xml
	active "$prev" > "$tmp/before"
	tuples "$tmp/d$n.xml" > "$tmp/delta"
	[ -s "$tmp/delta" ] || fail "night $n: empty delta"
	awk 'FILENAME == ARGV[1] { on[$1 " " $2 " " $3] = 1; next }
	     { k = $1 " " $2 " " $3; if ($4 == 1) on[k] = 1; else delete on[k] }
	     END { for (k in on) print k }' "$tmp/before" "$tmp/delta" | sort > "$tmp/applied"
	active "$tmp/n$n.xml" > "$tmp/after"
	cmp -s "$tmp/applied" "$tmp/after" || fail "night $n: the delta applied to the night before is not the snapshot"
	ok
	expect "night $n: delta roles" "$(wc -l < "$tmp/delta")" \
		"$(($(comm -13 "$tmp/before" "$tmp/after" | wc -l) + $(comm -23 "$tmp/before" "$tmp/after" | wc -l)))"
done

## what ims2moodle check reads in a generated file (when it is built)
if [ -x "$bin" ]; then
	"$bin" check --format json "$tmp/a.xml" > "$tmp/a.json"
	for want in '"persons": 300' '"groups": 40' '"memberships": 40' '"members": 480' '"roles": 480' \
		'"status": "valid"'; do
		grep -q "$want" "$tmp/a.json" || fail "check does not find $want"
		ok
	done
fi
echo "test-gen-ims: $checks checks passed"
