#!/usr/bin/env python3
"""test_faults.py -- fault injection: each kind happens at its rate and is
reproducible from the seed, the kinds that apply the change really apply it
(reset-after, stall, truncate, nonjson), the others apply nothing (5xx,
reset-before), and a deadlock rolls the whole batch back (ids burned)."""
import http.client
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fmtest import TOKEN, Emu, check, done, emulator_path  # noqa: E402

NOW = {"settings": {"now": 1767225600}}


def statuses(seed, n, spec="http503=0.25"):
    e = Emu("--faults", spec, "--seed", str(seed), state=NOW)
    try:
        seq = [e.ws("core_webservice_get_site_info")[0] for _ in range(n)]
        counted = e.stats()["faults"]["http503"]
    finally:
        e.stop()
    return seq, counted


def course_exists(e, shortname):
    r = e.call("core_course_get_courses_by_field", {"field": "shortname", "value": shortname})
    return len(r["courses"]) == 1


def create_course(e, shortname):
    return e.ws("core_course_create_courses",
                {"courses": [{"fullname": shortname, "shortname": shortname, "categoryid": 1}]})


def connection_error(fn):
    try:
        fn()
    except (ConnectionResetError, http.client.RemoteDisconnected, http.client.IncompleteRead, BrokenPipeError) as x:
        return type(x).__name__
    return None


def main():
    # rate and reproducibility
    seq1, c1 = statuses(42, 400)
    seq2, _ = statuses(42, 400)
    seq3, _ = statuses(43, 400)
    n503 = seq1.count(503)
    check(set(seq1) == {200, 503}, "only 200 and 503 replies")
    check(60 <= n503 <= 140, "http503 at rate 0.25 over 400 requests (got %d)" % n503)
    check(c1 == n503, "/__stats counts the injected faults")
    check(seq1 == seq2, "the same seed gives the same faults")
    check(seq1 != seq3, "another seed gives other faults")

    # restricted to functions; 5xx applies nothing
    for kind, code in (("http500", 500), ("http502", 502), ("http504", 504)):
        e = Emu("--faults", "%s=1@core_course_create_courses" % kind, "--seed", "1", state=NOW)
        try:
            check(e.ws("core_webservice_get_site_info")[0] == 200, "%s: other functions unaffected" % kind)
            status, ctype, body = create_course(e, "K" + kind)
            check(status == code and ctype.startswith("text/html") and b"nginx" in body,
                  "%s: the status with an HTML page" % kind)
            check(not course_exists(e, "K" + kind), "%s: nothing applied" % kind)
        finally:
            e.stop()

    # resets
    e = Emu("--faults", "reset-before=1@core_course_create_courses,reset-after=1@core_user_create_users",
            "--seed", "1", state=NOW)
    try:
        err = connection_error(lambda: create_course(e, "RB"))
        check(err is not None, "reset-before: the connection is reset (%s)" % err)
        check(not course_exists(e, "RB"), "reset-before: nothing applied")
        err = connection_error(lambda: e.ws("core_user_create_users", {"users": [
            {"username": "ra", "firstname": "R", "lastname": "A", "email": "ra@example.com", "password": "Passw0rd!"}]}))
        check(err is not None, "reset-after: the connection is reset (%s)" % err)
        r = e.call("core_user_get_users_by_field", {"field": "username", "values": ["ra"]})
        check(len(r) == 1, "reset-after: the user was created")
    finally:
        e.stop()

    # stall: 504 after stall-ms, the change lands commit-delay-ms later
    e = Emu("--faults", "stall=1@core_course_create_courses,stall-ms=200,commit-delay-ms=1500", "--seed", "1",
            state=NOW)
    try:
        status, ctype, body = create_course(e, "ST")
        check(status == 504 and b"Gateway Time-out" in body, "stall: nginx 504")
        check(not course_exists(e, "ST"), "stall: not yet applied right after the 504")
        deadline = time.time() + 20
        while time.time() < deadline and not course_exists(e, "ST"):
            time.sleep(0.1)
        check(course_exists(e, "ST"), "stall: applied after the commit delay")
    finally:
        e.stop()

    # deadlock: the whole batch rolled back, ids burned
    e = Emu("--faults", "deadlock=1@enrol_manual_enrol_users", "--seed", "1", "--debug", "15", state=NOW)
    try:
        e.call("core_course_create_courses", {"courses": [{"fullname": "D", "shortname": "D", "categoryid": 1}]})
        e.call("core_user_create_users", {"users": [
            {"username": "d%d" % i, "firstname": "D", "lastname": str(i), "email": "d%d@example.com" % i,
             "password": "Passw0rd!"} for i in range(3)]})
        before = json.loads(e.state())["sequences"]["user_enrolments"]
        r = e.call("enrol_manual_enrol_users", {"enrolments": [
            {"roleid": 5, "userid": 3 + i, "courseid": 2} for i in range(3)]})
        check(r.get("exception") == "dml_write_exception" and r.get("errorcode") == "dmlwriteexception" and
              "deadlock detected" in r.get("debuginfo", ""), "deadlock: dml_write_exception")
        st = json.loads(e.state())
        check(not st["user_enrolments"] and not st["role_assignments"], "deadlock: nothing stays")
        check(st["sequences"]["user_enrolments"] == before + 3, "deadlock: the inserts burned their ids")
        r = e.call("core_course_get_courses_by_field", {"field": "shortname", "value": "D"})
        check(len(r["courses"]) == 1, "deadlock: read functions are not hit")
    finally:
        e.stop()

    # truncate and nonjson apply the change
    e = Emu("--faults", "truncate=1@core_course_create_courses,nonjson=1@core_course_create_categories",
            "--seed", "1", state=NOW)
    try:
        err = connection_error(lambda: create_course(e, "TR"))
        check(err == "IncompleteRead", "truncate: body shorter than its length (%s)" % err)
        check(course_exists(e, "TR"), "truncate: applied")
        status, _, body = e.ws("core_course_create_categories", {"categories": [{"name": "NJ"}]})
        try:
            json.loads(body)
            parsed = True
        except ValueError:
            parsed = False
        check(status == 200 and not parsed and b"<b>Warning</b>" in body, "nonjson: 200 with a non-JSON body")
        r = e.call("core_course_get_categories", {"criteria": [{"key": "name", "value": "NJ"}]})
        check(len(r) == 1, "nonjson: applied")
    finally:
        e.stop()

    # a bad spec is a usage error
    p = subprocess.run([emulator_path(), "--listen", "127.0.0.1:0", "--token", TOKEN, "--faults", "nosuch=0.1"],
                       capture_output=True, text=True, timeout=30)
    check(p.returncode == 64 and "unknown kind" in p.stderr, "bad --faults spec refused")
    done("test_faults")


if __name__ == "__main__":
    main()
