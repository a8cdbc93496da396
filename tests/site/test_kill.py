#!/usr/bin/env python3
"""tests/site/test_kill.py -- apply killed with SIGKILL at random (seeded)
moments, then run again: every interrupted run is resumed by the next, and
the site ends as a run that was never interrupted leaves it, with nothing
created twice."""
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from applylib import Site, university, essence, check, workdir  # noqa: E402


def main():
    work = workdir("ims2moodle-kill-")
    path = os.path.join(work, "university.xml")
    university(path, persons=80, groups=10, members=16, seed=7)
    clean = Site()
    try:
        check(clean.run("apply", "-q", path).returncode == 0, "the uninterrupted apply failed")
        reference = essence(clean.emu.state())
    finally:
        clean.close()

    # `make stress` runs many more trials (tests/stress.sh)
    rnd = random.Random(int(os.environ.get("KILL_SEED", "42")))
    for trial in range(int(os.environ.get("KILL_TRIALS", "3"))):
        # 40 ms per request makes the run last long enough to be cut
        site = Site(emulator_args=("--latency", "40"))
        try:
            with open(site.conf, "a") as f:
                f.write("batch_enrol = 10\nbatch_create_users = 5\nbatch_create_courses = 1\n")
            kills = 0
            for _ in range(4):
                proc = site.spawn("apply", "-q", path)
                time.sleep(rnd.uniform(0.05, 1.0))
                if proc.poll() is None:
                    proc.kill()
                    kills += 1
                proc.wait()
            final = None
            for _ in range(3):
                final = site.run("apply", "-q", path)
                if final.returncode == 0:
                    break
            check(final.returncode == 0, f"trial {trial}: apply after the kills failed: {final.stderr[-1500:]}")
            got = essence(site.emu.state())
            check(got == reference, f"trial {trial}: the site differs from an uninterrupted run:\n"
                  f"{ {k: v for k, v in got.items() if v != reference[k]} }")
            again = site.run("plan", "-q", path)
            check(again.returncode == 0, f"trial {trial}: a plan after the resume still has changes")
            print(f"trial {trial}: {kills} kill(s), converged")
        finally:
            site.close()
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
