#!/bin/sh
# tests/report/test_csv_libreoffice.sh -- the CSV report opened in a real spreadsheet:
# plans tests/report/formulas.xml (ids and names beginning with = + - @, a title over
# two lines, non-ASCII letters) against the Moodle emulator and has LibreOffice Calc
# read the CSV (UTF-8, its default options otherwise, under which a cell "=1+2"
# becomes a formula) and write it as a flat ODF spreadsheet: no cell is a formula,
# every row has the 16 columns, and each value is the text ims2moodle wrote.
# Skips (77) without LibreOffice (soffice), python3, the emulator or the program.
# Environment: IMS2MOODLE, FAKEMOODLE, top_srcdir (make check sets them); SOFFICE.
set -eu

srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
here=$srcdir/tests/report
soffice=${SOFFICE:-$(command -v soffice || echo /usr/bin/soffice)}

# shellcheck source=tests/report/site.sh
. "$here/site.sh"
[ -x "$soffice" ] || skip "no LibreOffice (set SOFFICE)"
start_site "$(printf '[courses]\nshortname = short')"
run 2 plan --format csv --output "$work/plan.csv" "$here/formulas.xml"

# 44 comma, 34 quote, 76 UTF-8, from line 1 (a person picks UTF-8 in the import dialog;
# LibreOffice 7.4 run headless does not look at the byte order mark)
HOME=$work timeout 60 "$soffice" --headless --norestore "-env:UserInstallation=file://$work/profile" \
	--infilter=CSV:44,34,76,1 --convert-to fods --outdir "$work" "$work/plan.csv" > "$work/soffice.log" 2>&1 ||
	{ echo "FAIL: LibreOffice did not convert the CSV"; cat "$work/soffice.log"; exit 1; }
[ -s "$work/plan.fods" ] || { echo "FAIL: no plan.fods"; cat "$work/soffice.log"; exit 1; }

python3 - "$work/plan.fods" << 'EOF'
import sys
import xml.etree.ElementTree as ET

NS = {"table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
      "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
      "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0"}
T = "{%s}" % NS["table"]
body = ET.parse(sys.argv[1]).getroot().find("office:body", NS)
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL: " + what)


def text_of(cell):
    """A cell's text: its paragraphs joined by line breaks."""
    paras = []
    for p in cell.findall("text:p", NS):
        s = "".join(p.itertext())
        paras.append(s)
    return "\n".join(paras)


formulas = [c.get(T + "formula") for c in body.iter(T + "table-cell") if c.get(T + "formula")]
check(formulas == [], f"formula cells: {formulas}")

rows = []
for r in body.iter(T + "table-row"):
    cells = []
    for c in r.findall("table:table-cell", NS):
        cells += [text_of(c)] * int(c.get(T + "number-columns-repeated", "1"))
    while cells and cells[-1] == "":
        cells.pop()
    if cells:
        rows.append(cells)
HEADER = ["seq", "type", "action", "line", "course", "courseid", "person", "userid", "username", "role",
          "timestart", "timeend", "detail", "reason", "result", "error"]
check(len(rows) == 7, f"{len(rows)} rows, expected the header, 5 actions and 1 quarantined member")


def row(i, **want):
    """Row i has these values (by column name), and every other column of `fields` empty."""
    got = dict(zip(HEADER, rows[i] + [""] * (16 - len(rows[i])))) if i < len(rows) else {}
    check(i < len(rows) and len(rows[i]) <= 16, f"row {i}: more than 16 columns: {rows[i] if i < len(rows) else None}")
    for k, v in want.items():
        check(got.get(k) == v, f"row {i} {k}: {got.get(k)!r}, expected {v!r}")


row(0, **{h: h for h in HEADER})  # the byte order mark is not part of the first cell
row(1, seq="1", type="action", action="create_course", line="23", course="'=1+2",
    detail="'-5+6: First line\nsecond line (hidden)",
    reason="no Moodle course has this idnumber; created hidden")
row(2, seq="2", action="create_user", line="11", person="'+SUM(1,1)", username="plus",
    detail="'=HYPERLINK(\"http://example.com/x\",\"y\") Plus <pat.plus@example.edu>",
    reason="no Moodle user has idnumber '+SUM(1,1)'")
row(3, seq="3", action="create_user", line="17", person="'@SUM(2,2)", username="zoe",
    detail="Zoë Ångström, \"Jr.\" <zoe@example.edu>", reason="no Moodle user has idnumber '@SUM(2,2)'")
row(4, seq="4", action="enrol", line="30", course="'=1+2", person="'+SUM(1,1)", username="plus",
    role="student", reason="the course is created by this plan")
row(5, seq="5", action="enrol", line="32", course="'=1+2", person="'@SUM(2,2)", username="zoe",
    role="editingteacher", reason="the course is created by this plan")
row(6, seq="", type="quarantine", action="member", line="33", course="'=1+2", person="'-3+4",
    reason="the person is neither in the file nor a Moodle user (no user has it as idnumber)")
if failures:
    sys.exit(1)
print("PASS: LibreOffice reads the CSV report: 16 columns, UTF-8, line breaks in a cell, no formula")
EOF
