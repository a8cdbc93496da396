#!/usr/bin/env python3
"""tests/site/test_write_once.py -- a write whose connection is reset after
the site committed it is sent once, never again by the transport: libcurl
resends a request by itself when a kept-alive connection dies before the
answer, which would make a creation twice. Every creation of a small file
meets such a reset; each is sent exactly once, its outcome found by reading
it back after the settle delay, and nothing exists twice."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from applylib import Site, university, essence, check, workdir  # noqa: E402

WRITES = ("core_course_create_courses", "core_user_create_users")


def main():
    work = workdir("ims2moodle-write-once-")
    path = os.path.join(work, "university.xml")
    university(path, persons=6, groups=2, members=3, seed=4)
    faults = ",".join(f"reset-after=1.0@{f}" for f in WRITES)
    site = Site(emulator_args=("--faults", faults, "--seed", "1"))
    try:
        codes = []
        for _ in range(3):
            p = site.run("apply", "-q", path)
            codes.append(p.returncode)
            stats = site.emu.get("/__stats")["functions"]
            # 2 courses and 6 users are one batch each: one request each
            for f in WRITES:
                check(stats.get(f, {}).get("count") == 1,
                      f"{f}: {stats.get(f, {}).get('count')} requests for one batch: a write was "
                      f"sent again")
            if p.returncode == 0:
                break
        check(codes == [0], f"the creations were not all found after their resets: {codes}")
        e = essence(site.emu.state())
        check(e["course_count"] == 2 and e["user_count"] == 6 and e["enrolment_count"] == 6,
              f"the site: {e['course_count']} courses, {e['user_count']} users, "
              f"{e['enrolment_count']} enrolments")
        print(f"converged in {len(codes)} run(s); every write sent once: "
              f"{ {f: stats[f]['count'] for f in WRITES if f in stats} }")
    finally:
        site.close()
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
