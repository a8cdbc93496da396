#!/usr/bin/env python3
"""tests/site/test_bisect.py -- a batch with one record Moodle refuses: the
others are applied and exactly that one is reported, with Moodle's
errorcode; a deadlocked batch is sent again whole, never split (it holds no
bad record)."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from applylib import Site, essence, check, workdir  # noqa: E402

FILE = """<?xml version="1.0" encoding="UTF-8"?>
<enterprise><properties><datasource>SIS</datasource><datetime>2026-01-10</datetime></properties>
%s
</enterprise>
"""


def members(ids):
    return "".join(f'<member><sourcedid><id>{i}</id></sourcedid><idtype>1</idtype>'
                   f'<role roletype="01"><status>1</status></role></member>' for i in ids)


def main():
    work = workdir("ims2moodle-bisect-")
    path = os.path.join(work, "f.xml")
    people = [f"S{i:02d}" for i in range(12)]
    body = "".join(f'<membership><sourcedid><id>{c}</id></sourcedid>{members(people)}</membership>'
                   for c in ("GOOD1", "BAD", "GOOD2"))
    open(path, "w").write(FILE % body)
    users = [{"id": 10 + i, "username": p.lower(), "idnumber": p, "firstname": "F", "lastname": p,
              "email": f"{p.lower()}@example.edu"} for i, p in enumerate(people)]
    courses = [{"id": 2 + k, "shortname": c, "idnumber": c} for k, c in enumerate(("GOOD1", "BAD", "GOOD2"))]
    state = os.path.join(work, "state.json")
    json.dump({"users": users, "courses": courses}, open(state, "w"))

    # one course whose manual enrolment instance is disabled: Moodle refuses
    # every enrolment into it (wsnoinstance), in whatever batch it sits
    site = Site(emulator_args=("--state", state))
    try:
        site.emu.hook([{"op": "enrol_instance", "courseid": 3, "enrol": "manual", "set": {"status": 1}}])
        with open(site.conf, "a") as f:
            f.write("batch_enrol = 36\n")
        out = os.path.join(work, "outcome.json")
        p = site.run("apply", "--format", "json", "--report", out, path)
        check(p.returncode == 1, f"apply should report failed records (exit 1), got {p.returncode}: {p.stderr}")
        # on standard output the outcome in brief: the summary, then only what was not done
        text = p.stdout
        check("  enrol                          36   done 24, failed 12, unknown 0, not run 0" in text,
              f"the summary line: {text[:1500]}")
        listed = [line for line in text.splitlines() if line.startswith("    #")]
        check(len(listed) == 12 and all("[failed: " in line and "/wsnoinstance: " in line for line in listed),
              f"only the 12 failed enrolments are listed: {listed}")
        check("Not done (failed, unknown outcome, or not run), by course\n  BAD\n" in text,
              f"under their course: {text[:1500]}")
        outcome = json.load(open(out))
        failed = [a for a in outcome["actions"] if a["result"] == "failed"]
        done = [a for a in outcome["actions"] if a["result"] == "done"]
        check(len(failed) == 12 and all(a["group"] == "BAD" for a in failed),
              f"exactly the 12 enrolments into BAD fail: {[(a['group'], a['person']) for a in failed]}")
        check(all("wsnoinstance" in a["error"] for a in failed), f"errorcode in the report: {failed[0]['error']}")
        check(len(done) == 24, f"the 24 others are applied: {len(done)}")
        e = essence(site.emu.state())
        check(len(e["enrolments"]) == 24, f"24 enrolments on the site: {len(e['enrolments'])}")
    finally:
        site.close()

    # deadlocks: half of the enrolment calls are rolled back; every record
    # ends applied, and no batch was split (the number of enrol calls stays
    # close to the batches plus their retries)
    site = Site(emulator_args=("--state", state, "--faults", "deadlock=0.5@enrol_manual_enrol_users", "--seed", "5"))
    try:
        with open(site.conf, "a") as f:
            f.write("batch_enrol = 12\nwrite_retries = 10\n")
        p = site.run("apply", "-q", path)
        check(p.returncode == 0, f"apply under deadlocks failed: {p.stderr[-1500:]}")
        stats = site.emu.get("/__stats")
        calls = stats["functions"]["enrol_manual_enrol_users"]
        check(calls["fields_min"] == calls["fields_max"],
              f"a deadlocked batch was split: enrol calls of {calls['fields_min']} to {calls['fields_max']} fields")
        check(len(essence(site.emu.state())["enrolments"]) == 36, "all 36 enrolments applied")
        print(f"deadlocks: {calls['faults']} of {calls['count']} enrol calls rolled back, all retried whole")
    finally:
        site.close()
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
