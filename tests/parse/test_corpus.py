#!/usr/bin/env python3
"""tests/parse/test_corpus.py -- the IMS files other systems produced
(tests/parse/real/, kept byte for byte with their provenance in its README):
`ims2moodle check --format json` reads each with exit 0 and exactly the
counts the README's table lists, and each file's distinctive trait comes out
as the IMS reference says it should, in check's summary and, where only a
plan shows it, in a plan against the emulator."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REAL = os.path.join(HERE, "real")
sys.path.insert(0, os.path.join(HERE, "..", "site"))
from applylib import Site, check  # noqa: E402


def readme_counts():
    """The README's table: file -> (persons, groups, memberships, members, roles)."""
    counts = {}
    for line in open(os.path.join(REAL, "README.md"), encoding="utf-8"):
        m = re.match(r"\| `([^`]+\.xml)` \|.*\| (\d+) / (\d+) / (\d+) / (\d+) / (\d+) \|", line)
        if m:
            counts[m.group(1)] = tuple(int(x) for x in m.groups()[1:])
    return counts


def check_json(name):
    p = subprocess.run([os.environ["IMS2MOODLE"], "check", "--format", "json", os.path.join(REAL, name)],
                       capture_output=True, text=True)
    check(p.returncode == 0, f"check {name} exited {p.returncode}: {p.stderr}")
    return json.loads(p.stdout), p.stdout


def plan_json(site, name, *args):
    p = site.run("plan", "--format", "json", *args, os.path.join(REAL, name))
    check(p.returncode in (0, 2), f"plan {name} exited {p.returncode}: {p.stderr}")
    return json.loads(p.stdout), p.stdout


def main():
    counts = readme_counts()
    files = sorted(f for f in os.listdir(REAL) if f.endswith(".xml"))
    check(sorted(counts) == files and len(files) == 8, f"the README lists {sorted(counts)}, the folder has {files}")
    summaries = {}
    for name in files:
        s, _ = check_json(name)
        got = (s["persons"], s["groups"], s["memberships"], s["members"], s["roles"])
        check(got == counts[name], f"{name}: {got}, the README says {counts[name]}")
        check(s["quarantined"] == 0, f"{name}: check quarantined {s['quarantine']}")
        summaries[name] = s
        print(f"ok   {name}: {got}")

    # the warnings of each file, exactly: in particular no idtype-missing
    # (Moodle's <idtype idtype="1"/>, LMB's <idtype>1</idtype> and 2), no
    # unknown-element (LMB's stray <type>meta</type> in a membership) and no
    # foreign-namespace (PIFU's default namespace is the root's)
    expected_warnings = {
        "lmb_member_group.xml": {"no-properties": 1},
        "lmb_person.xml": {"no-properties": 1},
        "lmb_person_member.xml": {"no-properties": 1},
        "lmb_section.xml": {"no-properties": 1},
        "moodle_example-oneline.xml": {"datetime-format": 1},
        "moodle_example.xml": {"datetime-format": 1},
        "pifu_sas_eksempel.xml": {"begin-after-end": 1, "self-relationship": 1},
        "pifu_sas_eksempel_fravar_2_kompakt.xml": {},
    }
    for name in files:
        got = {k: v["count"] for k, v in summaries[name]["warning_kinds"].items()}
        check(got == expected_warnings[name], f"{name}: warnings {got}, expected {expected_warnings[name]}")

    # PIFU's default namespace (§8 #30): each file reads exactly as the same
    # file without it
    for name in ("pifu_sas_eksempel.xml", "pifu_sas_eksempel_fravar_2_kompakt.xml"):
        raw = open(os.path.join(REAL, name), "rb").read()
        ns = b' xmlns="http://pifu.no/xsd/pifu-ims_sas/pifu-ims_sas-1.1"'
        check(raw.count(ns) == 1, f"{name}: the default namespace is not on its root")
        tmp = tempfile.mkdtemp(prefix="ims2moodle-corpus-")
        try:
            bare = os.path.join(tmp, name)
            with open(bare, "wb") as f:
                f.write(raw.replace(ns, b""))
            p = subprocess.run([os.environ["IMS2MOODLE"], "check", "--format", "json", bare],
                               capture_output=True, text=True)
            check(p.returncode == 0, f"{name} without its namespace: {p.stderr}")
            strip = lambda j: {k: v for k, v in j.items() if k not in ("file", "files")}
            check(strip(json.loads(p.stdout)) == strip(summaries[name]),
                  f"{name} reads differently without its default namespace")
        finally:
            shutil.rmtree(tmp, True)

    # the membership-only file (§8 #81): valid, nothing quarantined by check
    kompakt = summaries["pifu_sas_eksempel_fravar_2_kompakt.xml"]
    check(kompakt["status"] == "valid" and kompakt["roles_by_status"]["active"] == 2, f"{kompakt}")
    # the cross-list's members are sections (idtype 2): their roles without
    # roletype are not quarantined (no enrolment comes of them, §8 #38, #48)
    check(summaries["lmb_member_group.xml"]["quarantine"] == [], "cross-list members quarantined")

    # Moodle's example: ISO-8859-1, <idtype idtype="1"/>, non-ISO datetime kept
    # with a warning (#82); its one-line twin reads the same
    ex = summaries["moodle_example.xml"]
    check(ex["properties"]["datetime"] == "28/Oct/2005", f"datetime: {ex['properties']}")
    check(list(ex["warning_kinds"]) == ["datetime-format"], f"warnings: {ex['warning_kinds']}")
    one = dict(summaries["moodle_example-oneline.xml"])
    for k in ("file", "files"):
        one.pop(k, None)
        ex = dict(ex)
        ex.pop(k, None)
    one_kinds = {k: v["count"] for k, v in one.pop("warning_kinds").items()}
    ex_kinds = {k: v["count"] for k, v in ex.pop("warning_kinds").items()}
    check(one == ex and one_kinds == ex_kinds, "the one-line file reads differently from the pretty one")
    check(summaries["moodle_example.xml"]["roles_by_type"]["01"] == 4 and
          summaries["moodle_example.xml"]["roles_by_type"]["02"] == 1, "roles by type of the example")

    # PIFU: a default namespace, a member with two roles (17 members, 18 roles),
    # begin after end (#58), a group naming itself (#73)
    pifu = summaries["pifu_sas_eksempel.xml"]
    check(pifu["warning_kinds"].get("begin-after-end", {}).get("count") == 1 and
          pifu["warning_kinds"].get("self-relationship", {}).get("count") == 1,
          f"PIFU warnings: {pifu['warning_kinds']}")
    check(pifu["properties"]["datasource"] == "mitt-sas@måne.kommune.no", "non-ASCII decoded")

    # LMB: <idtype>1</idtype> as text, a status 0 role and a recstatus 3 role
    pm = summaries["lmb_person_member.xml"]
    check(pm["roles_by_status"] == {"active": 2, "inactive": 1, "invalid": 0}, f"{pm['roles_by_status']}")
    check(pm["recstatus"]["role"]["delete"] == 1, f"{pm['recstatus']}")
    # a cross-list: roles without roletype (#48), counted as missing, never guessed
    mg = summaries["lmb_member_group.xml"]
    check(mg["roles_by_type"]["missing"] == 2, f"{mg['roles_by_type']}")
    # the section: one group, recstatus 1 (add)
    check(summaries["lmb_section.xml"]["recstatus"]["group"]["add"] == 1, "the section's recstatus")
    # clear-text passwords are never shown (#63)
    _, raw = check_json("lmb_person.xml")
    for pw in ("012345", "234567", "456789", "678901", "890123"):
        check(pw not in raw, f"check printed the password {pw}")

    site = Site()
    try:
        # the padded member ids (<id> 91046433  </id>) are the persons' ids:
        # each member is quarantined with its person (no email in the example),
        # never as unknown
        plan, _ = plan_json(site, "moodle_example.xml")
        members = {q["id"]: q["reason"] for q in plan["quarantined"] if q["what"] == "member"}
        check(sorted(members) == ["90078058", "90182274", "90528553", "91046433", "DSTOW61"],
              f"members: {members}")
        check(all(r.startswith("the person is quarantined: ") for r in members.values()), f"{members}")
        # the empty <userid/> makes no username (#61: empty means unknown)
        persons = {q["id"]: q["reason"] for q in plan["quarantined"] if q["what"] == "person"}
        check(persons["91046433"].startswith("no userid to make a username from"), f"{persons}")

        # LMB's five userid types: the username comes from the Logon ID, and no
        # password appears in the plan
        plan, raw = plan_json(site, "lmb_person.xml")
        users = [a["object"]["username"] for a in plan["actions"] if a["action"] == "create_user"]
        check(users == ["loginiduserid"], f"usernames: {users}")
        for pw in ("012345", "234567", "456789", "678901", "890123"):
            check(pw not in raw, f"the plan printed the password {pw}")

        # the cross-list's members are sections (idtype 2): never users (#38)
        plan, _ = plan_json(site, "lmb_member_group.xml")
        check(not [a for a in plan["actions"] if a["action"] in ("create_user", "enrol")],
              f"a section became a user: {plan['actions']}")

        # a membership-only file (#81): accepted; its persons and groups are
        # neither in the file nor in Moodle, so those memberships are quarantined
        plan, _ = plan_json(site, "pifu_sas_eksempel_fravar_2_kompakt.xml")
        check(plan["actions"] == [] and len(plan["quarantined"]) == 2 and
              all(q["what"] == "membership" for q in plan["quarantined"]), f"{plan['quarantined']}")

        # PIFU's non-ASCII ids are kept, decoded (#70)
        plan, _ = plan_json(site, "pifu_sas_eksempel.xml")
        courses = {a["group"] for a in plan["actions"] if a["action"] == "create_course"}
        check("global_ID_basis_Måneflekken_7A" in courses, f"courses: {sorted(courses)}")
    finally:
        site.close()
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
