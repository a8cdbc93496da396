#!/usr/bin/env python3
"""tests/site/test_history.py -- `ims2moodle history` lists the runs the
state store remembers, newest first, each with a readable summary of what it
did; `ims2moodle show RUN` prints that run and every change it journalled,
with its result and the SHA-256 of the file it applied; unknown runs, bad run numbers and a missing store are
refused with their own exit status."""
import hashlib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from applylib import Site, university, check, workdir  # noqa: E402


def main():
    work = workdir("ims2moodle-history-")
    path = os.path.join(work, "university.xml")
    university(path, persons=6, groups=2, members=3, seed=5)
    site = Site()
    try:
        p = site.run("history")
        check(p.returncode == 66 and "no state store" in p.stderr,
              f"history without a store: {p.returncode} {p.stderr}")

        check(site.run("apply", "-q", path).returncode == 0, "the first apply failed")
        # the same file again changes nothing, and is a run of its own
        check(site.run("apply", "-q", path).returncode == 0, "the second apply failed")

        p = site.run("history")
        check(p.returncode == 0, f"history exited {p.returncode}: {p.stderr}")
        lines = p.stdout.splitlines()
        check(lines[0].split() == ["run", "started", "finished", "status", "mode", "read", "file"],
              f"header: {lines[0]}")
        # newest first: run 2 (nothing to do), then run 1
        check(lines[1].split()[0] == "2" and lines[1].split()[5:7] == ["done", "event"],
              f"run 2: {lines[1]}")
        check(lines[1].endswith(path), f"run 2's file: {lines[1]}")
        check(lines[2].strip() == "nothing to do", f"run 2's summary: {lines[2]}")
        check(lines[3].split()[0] == "1", f"run 1: {lines[3]}")
        # 2 courses, 6 users, 2 x 3 enrolments, all done
        check(lines[4].strip() == "create_course 2; create_user 6; enrol 6", f"run 1's summary: {lines[4]}")
        check(len(lines) == 5, f"unexpected lines: {lines[5:]}")

        p = site.run("history", "--limit", "1")
        check(p.returncode == 0 and len(p.stdout.splitlines()) == 3, f"--limit 1: {p.stdout}")

        p = site.run("show", "1")
        check(p.returncode == 0, f"show 1 exited {p.returncode}: {p.stderr}")
        out = p.stdout.splitlines()
        check(out[1].split()[0] == "1" and out[2].strip() == "create_course 2; create_user 6; enrol 6",
              f"show's header: {out[:3]}")
        digest = hashlib.sha256(open(path, "rb").read()).hexdigest()
        check(out[3] == f"      file SHA-256 {digest}", f"show's file digest: {out[3]}")
        check(out[4] == "      file dated 2026-01-10", f"show's file date: {out[4]}")
        entries = [line.split() for line in out[6:]]
        kinds = [e[2] for e in entries]
        check(kinds == ["create_course"] * 2 + ["create_user"] * 6 + ["enrol"] * 6, f"journal kinds: {kinds}")
        check(all(e[3] == "done" for e in entries), f"journal results: {entries}")
        check(sorted(e[4] for e in entries if e[2] == "create_course") == ["C000", "C001"],
              f"course targets: {entries[:2]}")

        p = site.run("show", "2")
        check(p.returncode == 0 and p.stdout.splitlines()[-1] == "(the run changed nothing)",
              f"show 2: {p.returncode} {p.stdout}")
        p = site.run("show", "9")
        check(p.returncode == 66 and "there is no run 9" in p.stderr, f"show 9: {p.returncode} {p.stderr}")
        p = site.run("show", "1x")
        check(p.returncode == 64 and "'1x' is not a run number" in p.stderr, f"show 1x: {p.returncode} {p.stderr}")
        p = site.run("show")
        check(p.returncode == 64, f"show without a run: {p.returncode}")
    finally:
        site.close()
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
