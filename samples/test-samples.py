#!/usr/bin/env python3
"""samples/test-samples.py -- the dialect samples are what they say they are:
well-formed, in the encoding they declare (real Latin-1 bytes where they
declare ISO-8859-1), each with the dialect features its header names, none
valid against the strict schema (they are dialects); one-line.xml is
moodle-style.xml's data on one line; withdrawals.xml is a follow-up of
moodle-style.xml (it names only its persons and groups and changes what that
file enrolled); and `ims2moodle check` reads each with the exact counts of
records, roles, statuses and recstatus. Needs xmllint (libxml2-utils)."""
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

SRC = os.environ.get("top_srcdir", ".")
BUILD = os.environ.get("top_builddir", ".")
SAMPLES = os.path.join(SRC, "samples")
SCHEMA = os.path.join(SRC, "schemas", "ims_enterprise_1p1.xsd")
IMS2MOODLE = os.environ.get("IMS2MOODLE", os.path.join(BUILD, "ims2moodle"))
FILES = ["moodle-style.xml", "one-line.xml", "withdrawals.xml", "banner-lmb.xml", "namespaced.xml"]

checks = 0


def check(cond, what):
    global checks
    if not cond:
        print("FAIL: " + what)
        sys.exit(1)
    checks += 1


def path(name):
    return os.path.join(SAMPLES, name)


def raw(name):
    with open(path(name), "rb") as f:
        return f.read()


def local(tag):
    return tag.rsplit("}", 1)[-1]


def parse(name):
    return ET.parse(path(name)).getroot()


def find_all(root, name):
    return [e for e in root.iter() if isinstance(e.tag, str) and local(e.tag) == name]


def text(e):
    return (e.text or "") if e is not None else ""


def child(e, name):
    for c in e:
        if local(c.tag) == name:
            return c
    return None


def sourcedid(e):
    return text(child(child(e, "sourcedid"), "id")).strip()


def declared_encoding(data):
    m = re.match(rb'<\?xml[^>]*encoding="([^"]+)"', data)
    return m.group(1).decode().upper() if m else "UTF-8"


def test_well_formed_and_encoded():
    for name in FILES:
        r = subprocess.run(["xmllint", "--noout", path(name)], capture_output=True, text=True)
        check(r.returncode == 0, f"{name} is not well-formed: {r.stderr}")
        data = raw(name)
        check(not data.startswith(b"\xef\xbb\xbf"), f"{name} starts with a byte order mark")
        check(not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]", data), f"{name} holds control characters")
        enc = declared_encoding(data)
        if enc == "ISO-8859-1":
            check(re.search(rb"[\xa0-\xff]", data) is not None, f"{name}: no Latin-1 byte in an ISO-8859-1 file")
            try:
                data.decode("utf-8")
                check(False, f"{name}: declared ISO-8859-1 but its bytes are UTF-8")
            except UnicodeDecodeError:
                check(True, "")
        else:
            check(enc == "UTF-8", f"{name}: unexpected encoding {enc}")
            try:
                data.decode("utf-8")
                check(True, "")
            except UnicodeDecodeError as e:
                check(False, f"{name}: declared UTF-8 but not UTF-8: {e}")


def test_dialects():
    ms_bytes = raw("moodle-style.xml")
    ms = parse("moodle-style.xml")
    check(declared_encoding(ms_bytes) == "ISO-8859-1", "moodle-style.xml is not ISO-8859-1")
    check("Hélène" in ET.tostring(ms, encoding="unicode"), "moodle-style.xml: no accented name")
    idtypes = find_all(ms, "idtype")
    check(idtypes and all(e.get("idtype") == "1" and not text(e) for e in idtypes),
          "moodle-style.xml: idtype is not the attribute form")
    member_ids = [text(child(child(m, "sourcedid"), "id")) for m in find_all(ms, "member")]
    check(all(i != i.strip() for i in member_ids), "moodle-style.xml: member ids are not padded")
    check(any(not text(u) for u in find_all(ms, "userid")), "moodle-style.xml: no empty <userid/>")
    begins = [b for r in find_all(ms, "role") for tf in r if local(tf.tag) == "timeframe" for b in tf]
    check(any(b.get("restrict") == "1" for b in begins), "moodle-style.xml: no role timeframe restrict=1")
    check(any(local(c.tag) == "cohort" for x in find_all(ms, "extension") for c in x),
          "moodle-style.xml: no extension/cohort")
    check(re.search(rb'recstatus = "1"', ms_bytes) is not None, "moodle-style.xml: no spaces around =")

    lmb_bytes = raw("banner-lmb.xml")
    lmb = parse("banner-lmb.xml")
    groups = {sourcedid(g): g for g in find_all(lmb, "group")}
    check(any(re.fullmatch(r"\d{5}\.\d{6}", i) for i in groups), "banner-lmb.xml: no CRN.TERM id")
    kinds = {text(t) for t in find_all(lmb, "typevalue")}
    check({"Term", "CourseSection", "CrossListedSection"} <= kinds, f"banner-lmb.xml: group kinds {kinds}")
    check(find_all(lmb, "relationship") and find_all(lmb, "enrollcontrol"),
          "banner-lmb.xml: no relationship or enrollcontrol")
    check(all(len([u for u in p if local(u.tag) == "userid" and u.get("useridtype")]) >= 3
              for p in find_all(lmb, "person")), "banner-lmb.xml: a person without several userids")
    check(re.search(rb'roletype = "0[12]"', lmb_bytes) is not None, "banner-lmb.xml: no roletype = with spaces")
    check(find_all(lmb, "interimresult") and find_all(lmb, "finalresult"), "banner-lmb.xml: no results")
    check(any(text(child(m, "idtype")) == "2" for m in find_all(lmb, "member")),
          "banner-lmb.xml: no group member (idtype 2)")

    ns = parse("namespaced.xml")
    check(ns.tag.startswith("{") and local(ns.tag) == "enterprise", "namespaced.xml: no namespace on the root")
    root_ns = ns.tag[1:].split("}")[0]
    vendor = [e for x in find_all(ns, "extension") for e in x.iter()
              if e.tag.startswith("{") and not e.tag.startswith("{" + root_ns + "}")]
    check(vendor, "namespaced.xml: no prefixed vendor element in an extension")
    check(b"campusone:" in raw("namespaced.xml"), "namespaced.xml: the vendor elements are not prefixed")


def same_data(a, b, where):
    """Elements, attributes and text equal, whitespace-only text ignored."""
    check(a.tag == b.tag and a.attrib == b.attrib, f"{where}: <{a.tag} {a.attrib}> against <{b.tag} {b.attrib}>")
    ta, tb = (a.text or "").strip() and a.text, (b.text or "").strip() and b.text
    check(ta == tb, f"{where}/{a.tag}: text {ta!r} against {tb!r}")
    check(len(a) == len(b), f"{where}/{a.tag}: {len(a)} children against {len(b)}")
    for ca, cb in zip(a, b):
        same_data(ca, cb, f"{where}/{local(a.tag)}")


def test_one_line():
    data = raw("one-line.xml")
    check(data.count(b"\n") == 1 and data.endswith(b"\n"), "one-line.xml is not one line")
    check(declared_encoding(data) == "ISO-8859-1", "one-line.xml is not in moodle-style.xml's encoding")
    same_data(parse("moodle-style.xml"), parse("one-line.xml"), "one-line.xml")


def test_withdrawals_follow_moodle_style():
    first = parse("moodle-style.xml")
    night = parse("withdrawals.xml")
    persons = {sourcedid(p) for p in find_all(first, "person")}
    groups = {sourcedid(g) for g in find_all(first, "group")}
    enrolled = {}
    for m in find_all(first, "membership"):
        for mem in find_all(m, "member"):
            for r in find_all(mem, "role"):
                enrolled[(sourcedid(m), sourcedid(mem))] = (r.get("roletype"), text(child(r, "status")).strip())
    updates = [p for p in find_all(night, "person")]
    check(len(updates) == 1 and updates[0].get("recstatus") == "2" and sourcedid(updates[0]) in persons,
          "withdrawals.xml: not one recstatus 2 update of a person of moodle-style.xml")
    kinds = []
    for m in find_all(night, "membership"):
        check(sourcedid(m) in groups, f"withdrawals.xml: group {sourcedid(m)} is not in moodle-style.xml")
        for mem in find_all(m, "member"):
            key = (sourcedid(m), sourcedid(mem))
            check(enrolled.get(key, (None, None))[1] == "1", f"withdrawals.xml: {key} was not enrolled")
            for r in find_all(mem, "role"):
                check(r.get("roletype") == enrolled[key][0], f"withdrawals.xml: {key} in another role")
                kinds.append((r.get("recstatus"), text(child(r, "status")).strip()))
    check(sorted(kinds, key=str) == sorted([(None, "0"), ("3", "0")], key=str),
          f"withdrawals.xml: expected a status 0 withdrawal and a recstatus 3 role, found {kinds}")


def test_schema_refuses_dialects():
    for name in FILES:
        r = subprocess.run(["xmllint", "--noout", "--schema", SCHEMA, path(name)], capture_output=True, text=True)
        check(r.returncode == 3, f"{name} is valid against the strict schema (exit {r.returncode}): "
                                 "a dialect sample should not be")


EXPECTED = {
    # persons, groups, memberships, members, roles, active, inactive
    "moodle-style.xml": (7, 2, 2, 8, 8, 8, 0),
    "one-line.xml": (7, 2, 2, 8, 8, 8, 0),
    "withdrawals.xml": (1, 0, 2, 2, 2, 0, 2),
    "banner-lmb.xml": (4, 4, 6, 7, 7, 7, 0),
    "namespaced.xml": (3, 2, 2, 5, 6, 6, 0),
}


def test_check_reads_them():
    if not os.access(IMS2MOODLE, os.X_OK):
        return
    for name, want in EXPECTED.items():
        r = subprocess.run([IMS2MOODLE, "check", "--format", "json", path(name)], capture_output=True, text=True)
        check(r.returncode == 0, f"ims2moodle check {name}: exit {r.returncode}: {r.stderr}")
        d = json.loads(r.stdout)
        got = (d["persons"], d["groups"], d["memberships"], d["members"], d["roles"],
               d["roles_by_status"]["active"], d["roles_by_status"]["inactive"])
        check(got == want, f"ims2moodle check {name}: {got}, expected {want}")
        check(d["quarantined"] == 0, f"ims2moodle check {name}: {d['quarantined']} quarantined")
    d = json.loads(subprocess.run([IMS2MOODLE, "check", "--format", "json", path("withdrawals.xml")],
                                  capture_output=True, text=True).stdout)
    check(d["recstatus"]["person"]["update"] == 1 and d["recstatus"]["role"]["delete"] == 1,
          f"withdrawals.xml: recstatus read as {d['recstatus']}")
    d = json.loads(subprocess.run([IMS2MOODLE, "check", "--format", "json", path("namespaced.xml")],
                                  capture_output=True, text=True).stdout)
    check(d["roles_by_type"]["08"] == 1, "namespaced.xml: TeachingAssistant is not read as 08")


def main():
    if not shutil.which("xmllint"):
        print("SKIP: xmllint (libxml2-utils) is not installed")
        sys.exit(77)
    test_well_formed_and_encoded()
    test_dialects()
    test_one_line()
    test_withdrawals_follow_moodle_style()
    test_schema_refuses_dialects()
    test_check_reads_them()
    print(f"test-samples: {checks} checks passed")


if __name__ == "__main__":
    main()
