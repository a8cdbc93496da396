#!/usr/bin/env python3
"""tests/site/test_ping.py -- `ims2moodle ping` against the emulator: all
well with the site administrator's token; a service account without
moodle/user:viewalldetails reported with its fix (Moodle never reports it);
a function missing from the service reported with its fix; a refused token
and an unreachable site exit 69; no token exits 78."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from applylib import Site, check, workdir  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
NARROW = "narrow0123456789narrow0123456789"


def main():
    top = os.environ.get("top_srcdir", os.path.join(HERE, "..", ".."))
    accounts = json.load(open(os.path.join(top, "tests", "fakemoodle", "transcripts",
                                           "21-service-accounts.json")))["accounts"]
    work = workdir("ims2moodle-ping-")
    state = os.path.join(work, "state.json")
    json.dump({"users": [{"id": 3, "username": "svc", "firstname": "S", "lastname": "A",
                          "email": "svc@example.edu"}],
               "accounts": [{"token": NARROW, "userid": 3, "caps": accounts["noalldetails"]["caps"],
                             "allow_assign": True}]}, open(state, "w"))
    site = Site(emulator_args=("--state", state))
    try:
        p = site.run("ping")
        check(p.returncode == 0, f"the admin token: exit {p.returncode}: {p.stdout}{p.stderr}")
        check("OK       functions: all 18 are in the token's service" in p.stdout, p.stdout)
        check("site administrator" in p.stdout and "The site can be used." in p.stdout, p.stdout)
        check("welcome message" in p.stdout, "the welcome message is mentioned")

        p = site.run("ping", token=NARROW)
        check(p.returncode == 1, f"the narrow account: exit {p.returncode}")
        check("MISSING  moodle/user:viewalldetails" in p.stdout and
              "give the account's role moodle/user:viewalldetails at system level" in p.stdout, p.stdout)
        check("moodle/course:visibility: cannot be probed" in p.stdout, p.stdout)

        p = site.run("ping", "--format", "json", token=NARROW)
        out = json.loads(p.stdout)
        check(out["problems"] == 1 and out["userid"] == 3 and not out["siteadmin"], out)
        check(any(c["check"] == "moodle/user:viewalldetails" and c["verdict"] == "MISSING"
                  for c in out["checks"]), out)

        site.emu.hook([{"op": "service", "add": [], "remove": ["core_role_unassign_roles"]}])
        p = site.run("ping")
        check(p.returncode == 1, f"a missing function: exit {p.returncode}")
        check("MISSING  core_role_unassign_roles: not in the token's service" in p.stdout and
              "Add functions: core_role_unassign_roles" in p.stdout, p.stdout)

        p = site.run("ping", token="ffffffffffffffffffffffffffffffff")
        check(p.returncode == 69 and "invalidtoken" in p.stderr, f"a refused token: {p.returncode} {p.stderr}")
        check("ffffffffffffffffffffffffffffffff" not in p.stderr + p.stdout, "the token is never printed")

        p = site.run("ping", token="")
        check(p.returncode == 78 and "no web service token" in p.stderr, f"no token: {p.returncode} {p.stderr}")
    finally:
        site.close()
    # nothing listens on port 9 of loopback
    site = Site()
    try:
        with open(site.conf, "w") as f:
            f.write("[moodle]\nurl = http://127.0.0.1:9\nretries = 1\nconnect_timeout = 2s\n")
        p = site.run("ping")
        check(p.returncode == 69, f"an unreachable site: exit {p.returncode}: {p.stderr}")
    finally:
        site.close()
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
