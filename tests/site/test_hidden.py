#!/usr/bin/env python3
"""tests/site/test_hidden.py -- a service account without
moodle/course:visibility gets a visible course when it asks for a hidden
one, and Moodle says nothing (reference §1.10). apply reads new courses
back, stops the run loudly with the fix, and enrols nobody in them."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from applylib import Site, check, workdir  # noqa: E402

CAPS = ["webservice/rest:use", "moodle/course:create", "moodle/course:update", "moodle/course:view",
        "moodle/course:viewhiddencourses", "moodle/course:changeidnumber", "moodle/course:changeshortname",
        "moodle/course:changefullname", "moodle/course:changesummary", "moodle/course:changecategory",
        "moodle/category:manage", "moodle/category:viewhiddencategories", "moodle/user:create",
        "moodle/user:update", "moodle/user:viewdetails", "moodle/user:viewalldetails",
        "moodle/user:viewhiddendetails", "enrol/manual:enrol", "enrol/manual:unenrol", "moodle/role:assign",
        "moodle/course:enrolreview", "moodle/course:viewparticipants", "moodle/course:managegroups",
        "moodle/site:accessallgroups", "moodle/course:viewhiddenuserfields"]  # no course:visibility
NARROW = "fedcba9876543210fedcba9876543210"

FILE = """<?xml version="1.0" encoding="UTF-8"?>
<enterprise><properties><datasource>SIS</datasource><datetime>2026-01-10</datetime></properties>
<person><sourcedid><id>P1</id></sourcedid><userid>p1</userid><name><fn>A B</fn><n><given>A</given><family>B</family></n></name><email>p1@example.edu</email></person>
<group><sourcedid><id>C1</id></sourcedid><description><short>C1</short></description></group>
<membership><sourcedid><id>C1</id></sourcedid><member><sourcedid><id>P1</id></sourcedid><idtype>1</idtype><role roletype="01"><status>1</status></role></member></membership>
</enterprise>
"""


def main():
    work = workdir("ims2moodle-hidden-")
    path = os.path.join(work, "f.xml")
    open(path, "w").write(FILE)
    state = os.path.join(work, "state.json")
    json.dump({"users": [{"id": 3, "username": "svc", "firstname": "Service", "lastname": "Account",
                          "email": "svc@example.edu"}],
               "accounts": [{"token": NARROW, "userid": 3, "caps": CAPS, "allow_assign": True}]},
              open(state, "w"))
    site = Site(emulator_args=("--state", state))
    try:
        p = site.run("apply", "-q", path, token=NARROW)
        check(p.returncode != 0, "apply must stop")
        check("created VISIBLE although ims2moodle asked for it hidden" in p.stderr and
              "moodle/course:visibility" in p.stderr, f"the message names the problem and the fix: {p.stderr}")
        st = site.emu.state()
        course = [c for c in st["courses"] if c["idnumber"] == "C1"]
        check(len(course) == 1 and course[0]["visible"] == 1, "the course exists, visible (Moodle's doing)")
        check(not [e for e in st["user_enrolments"] if e["courseid"] == course[0]["id"]],
              "nobody was enrolled in it")
    finally:
        site.close()
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
