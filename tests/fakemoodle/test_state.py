#!/usr/bin/env python3
"""test_state.py -- the emulator's state: a hand-written --state file, the
/__state dump (content, determinism, round trip), --dump on SIGTERM, the
test hook, /__stats and the max_input_vars counters."""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fmtest import TOKEN, Emu, check, done  # noqa: E402

STATE = {
    "settings": {"now": 1767225600},
    "categories": [{"id": 2, "name": "Science", "idnumber": "SCI"},
                   {"id": 3, "name": "Physics", "parent": 2}],
    "courses": [
        {"id": 2, "shortname": "PHY101", "fullname": "Physics 1", "category": 3, "idnumber": "PHY101", "visible": 0},
        {"id": 3, "shortname": "PHY102", "fullname": "Physics 2", "category": 3},
    ],
    "users": [
        {"id": 3, "username": "alice", "firstname": "Alice", "lastname": "Archer", "email": "alice@example.com",
         "idnumber": "S1"},
        {"id": 4, "username": "bob", "firstname": "Bob", "lastname": "Baker", "email": "bob@example.com"},
        {"id": 5, "username": "svc", "firstname": "Service", "lastname": "Account", "email": "svc@example.com"},
    ],
    "user_enrolments": [{"courseid": 2, "userid": 3},
                        {"courseid": 2, "userid": 4, "status": 1, "timestart": 100, "timeend": 200}],
    "role_assignments": [{"userid": 3, "roleid": 5, "courseid": 2},
                         {"userid": 4, "roleid": 3, "contextlevel": "course", "instanceid": 2}],
    "groups": [{"id": 1, "courseid": 2, "name": "G1", "members": [3]}],
    "accounts": [{"token": "svc-token", "userid": 5, "caps": ["webservice/rest:use"], "allow_assign": True}],
}


def main():
    e = Emu(state=STATE)
    try:
        dump = e.state()
        st = json.loads(dump)
        cats = {c["id"]: c for c in st["categories"]}
        check(cats[3]["path"] == "/2/3" and cats[3]["depth"] == 2 and cats[3]["sortorder"] == 30000,
              "category tree derived from the file")
        courses = {c["id"]: c for c in st["courses"]}
        check([x["enrol"] for x in courses[2]["enrol"]] == ["manual", "guest", "self"],
              "default enrol instances for a course without 'enrol'")
        check(courses[3]["sortorder"] == 30001 and courses[2]["sortorder"] == 30002,
              "courses of a category ordered newest first")
        check(len(st["user_enrolments"]) == 2 and st["user_enrolments"][1]["status"] == 1,
              "enrolments loaded by course and plugin")
        check(st["groups"][0]["members"][0]["userid"] == 3, "group members loaded")
        check(st["sequences"]["user"] == 6 and st["sequences"]["course"] == 4, "sequences follow the ids")

        # the state is what the functions see
        r = e.call("core_course_get_courses_by_field", {"field": "idnumber", "value": "PHY101"})
        check(r["courses"][0]["visible"] == 0 and r["courses"][0]["enrollmentmethods"] == ["manual"],
              "hidden course with its manual instance")
        r = e.call("core_enrol_get_enrolled_users", {"courseid": 2, "options": [
            {"name": "userfields", "value": "id,username,roles,groups"}]})
        check([u["id"] for u in r] == [3, 4], "enrolled users")
        check(r[0]["roles"][0]["shortname"] == "student" and r[0]["groups"][0]["name"] == "G1",
              "roles and groups of an enrolled user")
        r = e.call("core_enrol_get_enrolled_users", {"courseid": 2, "options": [{"name": "onlysuspended", "value": "1"},
                                                                                {"name": "userfields", "value": "id"}]})
        check([u["id"] for u in r] == [4], "suspended enrolment from the file")
        r = e.call("core_webservice_get_site_info", token="svc-token")
        check(r["userid"] == 5 and r["userissiteadmin"] is False and r["userquota"] == 104857600,
              "service account token from the file")
        r = e.call("core_user_create_users", {"users": [{"username": "x"}]}, token="svc-token")
        check(r.get("errorcode") == "invalidparameter", "validation before capabilities")
        r = e.call("core_user_create_users", {"users": [{"username": "x", "firstname": "X", "lastname": "Y",
                                                         "email": "x@example.com", "password": "Passw0rd!"}]},
                   token="svc-token")
        check(r.get("errorcode") == "nopermissions", "a bare account cannot create users")

        # round trip and determinism
        fd, path = tempfile.mkstemp(suffix=".json")
        os.write(fd, dump)
        os.close(fd)
        e2 = Emu("--state", path)
        try:
            check(e2.state() == dump, "a dump loads back to a byte-identical dump")
        finally:
            e2.stop()
        e3 = Emu(state=STATE)
        try:
            check(e3.state() == dump, "two emulators from one state file dump identically")
        finally:
            e3.stop()
        os.unlink(path)

        # test hook
        e.hook({"op": "settings", "set": {"debug": 15}})
        status, _, data = e.ws("core_course_get_courses", {"foo": 1})
        check(json.loads(data).get("debuginfo") == "Unexpected keys (foo) detected in parameter array.",
              "hook: debug 15 gives debuginfo")
        r = e.call("core_user_delete_users", {"userids": [4]})
        check(r.get("errorcode") == "accessexception", "delete_users is not in the service")
        e.hook([{"op": "service", "add": ["core_user_delete_users"]},
                {"op": "enrol_instance", "courseid": 3, "enrol": "manual", "set": {"status": 1}}])
        check(e.call("core_user_delete_users", {"userids": [4]}) is None, "hook: service add")
        st = json.loads(e.state())
        bob = [u for u in st["users"] if u["id"] == 4][0]
        check(bob["deleted"] == 1 and bob["username"].startswith("bob@example.com.") and
              bob["email"] == "9f9d51bc70ef21ca5c14f307980a29d8", "soft delete renames the user")
        check(not [x for x in st["user_enrolments"] if x["userid"] == 4], "deleted user unenrolled")
        r = e.call("enrol_manual_enrol_users", {"enrolments": [{"roleid": 5, "userid": 3, "courseid": 3}]})
        check(r.get("errorcode") == "wsnoinstance", "hook: manual instance disabled")
        status, _, data = e.raw("POST", "/__hook", '{"op": "nope"}', "application/json")
        check(status == 400 and b"unknown operation" in data, "hook: bad operation refused")

        # stats
        e.raw("POST", "/__stats/reset", "")
        for _ in range(3):
            e.call("core_webservice_get_site_info")
        e.call("core_user_get_users_by_field", {"field": "id", "values": [1, 2, 3]})
        s = e.stats()
        check(s["requests"] == 4 and s["functions"]["core_webservice_get_site_info"]["count"] == 3,
              "stats count calls per function")
        f = s["functions"]["core_user_get_users_by_field"]
        check(f["fields_max"] == 8 and f["fields_total"] == 8 and f["fields_dropped"] == 0,
              "stats count the name=value pairs")
    finally:
        e.stop()

    # max_input_vars and --dump on SIGTERM
    fd, dumpfile = tempfile.mkstemp(suffix=".json")
    os.close(fd)
    e = Emu("--max-input-vars", "10", "--dump", dumpfile, state={"settings": {"now": 1767225600}})
    try:
        r = e.call("core_user_get_users_by_field", {"field": "id", "values": list(range(1, 17))})
        check([u["id"] for u in r] == [1, 2], "body cut after max_input_vars + 1 pairs")
        f = e.stats()["functions"]["core_user_get_users_by_field"]
        check(f["fields_max"] == 21 and f["fields_dropped"] == 10, "dropped pairs counted")
        # the query string keeps max_input_vars pairs (not one more)
        status, _, data = e.raw("GET", "/webservice/rest/server.php?wstoken=%s&wsfunction=core_user_get_users_by_field"
                                "&moodlewsrestformat=json&field=id" % TOKEN +
                                "".join("&values[%d]=%d" % (i, i + 1) for i in range(12)))
        check(status == 200 and [u["id"] for u in json.loads(data)] == [1, 2], "GET requests are served")
        f = e.stats()["functions"]["core_user_get_users_by_field"]
        check(f["fields_max"] == 21 and f["fields_dropped"] == 10 + 6, "the query keeps max_input_vars pairs")
        e.call("core_course_create_categories", {"categories": [{"name": "Late"}]})
        before = e.state()
    finally:
        rc = e.stop()
    check(rc == 0, "SIGTERM exits 0")
    check(open(dumpfile, "rb").read() == before, "--dump writes the final state on SIGTERM")
    os.unlink(dumpfile)
    done("test_state")


if __name__ == "__main__":
    main()
