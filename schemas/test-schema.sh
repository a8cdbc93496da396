#!/bin/sh
# schemas/test-schema.sh -- schemas/ims_enterprise_1p1.xsd accepts strictly
# standard IMS Enterprise 1.1 files (schemas/tests/valid, and what
# bench/gen-ims writes) and refuses each dialect in schemas/tests/invalid for
# the reason its `<!-- expect: ... -->` line names; `ims2moodle check
# --strict` (libxml2's validation plugged into its SAX parser) agrees with
# xmllint on every file. Needs xmllint (libxml2-utils).
set -eu
command -v xmllint > /dev/null 2>&1 || { echo "SKIP: xmllint (libxml2-utils) is not installed"; exit 77; }
src=${top_srcdir:-.}
build=${top_builddir:-.}
xsd=$src/schemas/ims_enterprise_1p1.xsd
tests=$src/schemas/tests
bin=${IMS2MOODLE:-$build/ims2moodle}
gen=$build/bench/gen-ims
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
checks=0
ok() { checks=$((checks + 1)); }
have_check=no
[ -x "$bin" ] && have_check=yes

xmllint --noout "$xsd" || fail "the schema is not well-formed"
ok

# valid FILE: xmllint and ims2moodle check --strict accept it
valid() {
	xmllint --noout --schema "$xsd" "$1" 2> "$tmp/err" || fail "$1 does not validate: $(cat "$tmp/err")"
	ok
	if [ "$have_check" = yes ]; then
		"$bin" check -q --strict --schema "$xsd" "$1" > "$tmp/out" 2>&1 ||
			fail "ims2moodle check --strict refuses $1: $(cat "$tmp/out")"
		ok
	fi
}

nvalid=0
for f in "$tests"/valid/*.xml; do
	valid "$f"
	nvalid=$((nvalid + 1))
done
[ "$nvalid" -ge 4 ] || fail "only $nvalid valid test files"

ninvalid=0
for f in "$tests"/invalid/*.xml; do
	ninvalid=$((ninvalid + 1))
	want=$(sed -n 's/^<!-- expect: \(.*\) -->$/\1/p' "$f")
	[ -n "$want" ] || fail "$f has no <!-- expect: ... --> line"
	# well-formed, so that it fails the schema and nothing else
	xmllint --noout "$f" || fail "$f is not well-formed"
	rc=0
	xmllint --noout --schema "$xsd" "$f" 2> "$tmp/err" || rc=$?
	[ "$rc" -eq 3 ] || fail "$f: xmllint exit status $rc, expected 3 (invalid): $(cat "$tmp/err")"
	grep -qF -- "$want" "$tmp/err" || fail "$f fails for another reason than '$want': $(cat "$tmp/err")"
	ok
	if [ "$have_check" = yes ]; then
		rc=0
		"$bin" check --strict --schema "$xsd" "$f" > "$tmp/out" 2>&1 || rc=$?
		[ "$rc" -eq 65 ] || fail "ims2moodle check --strict $f: exit status $rc, expected 65"
		# where ims2moodle's own refusal comes before the schema's, the
		# file says so in a <!-- check-expect: ... --> line
		want_check=$(sed -n 's/^<!-- check-expect: \(.*\) -->$/\1/p' "$f")
		[ -n "$want_check" ] || want_check=$want
		grep -qF -- "$want_check" "$tmp/out" ||
			fail "ims2moodle check --strict $f does not say '$want_check': $(cat "$tmp/out")"
		ok
	fi
done
[ "$ninvalid" -ge 5 ] || fail "only $ninvalid invalid test files"

# what the generator writes is standard, in both encodings and with every
# kind of record it has; with a namespace on the root it is not
if [ -x "$gen" ]; then
	"$gen" --persons 200 --groups 20 --members-per-group 8 --withdraw-fraction 0.1 --recstatus-fraction 0.1 \
		--delete-fraction 0.1 --encoding iso-8859-1 -o "$tmp/gen.xml"
	valid "$tmp/gen.xml"
	"$gen" --persons 200 --groups 20 --members-per-group 8 --night 2 --change-fraction 0.2 --one-line -o "$tmp/night.xml"
	valid "$tmp/night.xml"
	"$gen" --persons 200 --groups 20 --members-per-group 8 --night 2 --change-fraction 0.2 --delta -o "$tmp/delta.xml"
	valid "$tmp/delta.xml"
	"$gen" --persons 20 --groups 2 --members-per-group 3 --namespace urn:example:ims -o "$tmp/ns.xml"
	if xmllint --noout --schema "$xsd" "$tmp/ns.xml" 2> /dev/null; then fail "a namespaced root validates"; fi
	ok
fi

# ims2moodle finds the schema through IMS2MOODLE_SCHEMA without --schema
if [ "$have_check" = yes ]; then
	IMS2MOODLE_SCHEMA=$xsd "$bin" check -q --strict "$tests/valid/full.xml" > "$tmp/out" 2>&1 ||
		fail "check --strict with IMS2MOODLE_SCHEMA: $(cat "$tmp/out")"
	rc=0
	IMS2MOODLE_SCHEMA=$xsd "$bin" check -q --strict "$tests/invalid/idtype-attribute.xml" > /dev/null 2>&1 || rc=$?
	[ "$rc" -eq 65 ] || fail "check --strict with IMS2MOODLE_SCHEMA passed an invalid file (exit status $rc)"
	ok
fi
echo "test-schema: $checks checks passed ($nvalid valid and $ninvalid invalid files)"
