"""tests/site/applylib.py -- what the apply tests share: starting the
Moodle emulator on a free loopback port, running ims2moodle against it with
a configuration of its own, a small deterministic university in IMS
Enterprise, and the site's state reduced to what the file decides (so that
two sites can be compared whatever ids they gave)."""
import atexit
import json
import os
import random
import shutil
import signal
import subprocess
import tempfile
import urllib.request

TOKEN = "0123456789abcdef0123456789abcdef"


def workdir(prefix):
    """A temporary directory for one test, removed when the test ends."""
    d = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, d, True)
    return d


class Emulator:
    def __init__(self, *args):
        cmd = [os.environ["FAKEMOODLE"], "--listen", "127.0.0.1:0", "--token", TOKEN] + list(args)
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.url = self.proc.stdout.readline().strip()
        if not self.url.startswith("http://127.0.0.1:"):
            self.stop()
            raise RuntimeError("the emulator did not start")

    def get(self, path):
        with urllib.request.urlopen(self.url + path, timeout=60) as r:
            return json.load(r)

    def hook(self, ops):
        req = urllib.request.Request(self.url + "/__hook", data=json.dumps(ops).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.load(r)

    def state(self):
        return self.get("/__state")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Site:
    """An emulator plus a working directory (configuration, state store)."""

    def __init__(self, emulator_args=(), config=""):
        self.emu = Emulator(*emulator_args)
        self.dir = tempfile.mkdtemp(prefix="ims2moodle-apply-")
        self.conf = os.path.join(self.dir, "ims2moodle.conf")
        with open(self.conf, "w") as f:
            f.write(f"[moodle]\nurl = {self.emu.url}\nretries = 8\nretry_max_time = 60s\n"
                    f"[apply]\nsettle_delay = 1s\n" + config)

    def run(self, *args, timeout=600, token=TOKEN):
        env = dict(os.environ, MOODLE_TOKEN=token, NO_COLOR="1")
        env.pop("MOODLE_TOKEN_FILE", None)
        env.pop("MOODLE_URL", None)
        cmd = [os.environ["IMS2MOODLE"], args[0], "--config", self.conf,
               "--state-dir", os.path.join(self.dir, "state")] + list(args[1:])
        return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)

    def spawn(self, *args):
        env = dict(os.environ, MOODLE_TOKEN=TOKEN, NO_COLOR="1")
        cmd = [os.environ["IMS2MOODLE"], args[0], "--config", self.conf,
               "--state-dir", os.path.join(self.dir, "state")] + list(args[1:])
        return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)

    def close(self):
        self.emu.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def university(path, persons=40, groups=8, members=12, seed=1, withdraw=0.0):
    """Writes a small university: persons, groups (courses), memberships with
    learners, an instructor per course, dates on some roles and, with
    withdraw > 0, some withdrawn roles."""
    rnd = random.Random(seed)
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<enterprise>",
           "<properties><datasource>SIS</datasource><datetime>2026-01-10</datetime></properties>"]
    for i in range(persons):
        out.append(f"<person><sourcedid><source>SIS</source><id>P{i:04d}</id></sourcedid>"
                   f"<userid>user{i:04d}</userid><name><fn>Given{i} Family{i}</fn><n><given>Given{i}</given>"
                   f"<family>Family{i}</family></n></name><email>user{i:04d}@example.edu</email></person>")
    for g in range(groups):
        out.append(f"<group><sourcedid><source>SIS</source><id>C{g:03d}</id></sourcedid>"
                   f"<description><short>C{g:03d}</short><long>Course {g} &amp; more</long></description></group>")
    for g in range(groups):
        out.append(f"<membership><sourcedid><source>SIS</source><id>C{g:03d}</id></sourcedid>")
        chosen = rnd.sample(range(persons), members)
        for k, p in enumerate(chosen):
            roletype = "02" if k == 0 else "01"
            status = "0" if rnd.random() < withdraw else "1"
            tf = ""
            if k % 3 == 1:
                tf = ('<timeframe><begin restrict="1">2026-02-01</begin>'
                      '<end restrict="1">2026-06-30</end></timeframe>')
            out.append(f"<member><sourcedid><source>SIS</source><id>P{p:04d}</id></sourcedid><idtype>1</idtype>"
                       f'<role roletype="{roletype}"><status>{status}</status>{tf}</role></member>')
        out.append("</membership>")
    out.append("</enterprise>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def essence(state):
    """What the file decides, keyed by names rather than ids: courses by
    idnumber (with visibility), users by username, enrolments and course
    role assignments. Also counts, to see duplicates."""
    courses = {c["id"]: c for c in state["courses"] if c["id"] != 1}
    users = {u["id"]: u for u in state["users"] if u["id"] > 2}
    enrols = sorted((courses[e["courseid"]]["idnumber"], users[e["userid"]]["username"], e["status"],
                     e["timestart"], e["timeend"])
                    for e in state["user_enrolments"] if e["courseid"] in courses)
    ctx_course = {c.get("contextid"): c for c in courses.values()}
    roles = sorted((ctx_course[r["contextid"]]["idnumber"], users[r["userid"]]["username"], r["roleid"])
                   for r in state["role_assignments"]
                   if r.get("contextid") in ctx_course and r["userid"] in users)
    return {
        "courses": sorted((c["idnumber"], c["shortname"], c["visible"]) for c in courses.values()),
        "users": sorted((u["username"], u["idnumber"], u["email"], u.get("suspended", 0)) for u in users.values()),
        "enrolments": enrols,
        "roles": roles,
        "course_count": len(courses),
        "user_count": len(users),
        "enrolment_count": len(state["user_enrolments"]),
    }


def check(cond, message):
    if not cond:
        raise AssertionError(message)
