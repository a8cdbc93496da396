#!/usr/bin/env python3
"""tests/site/test_faults.py -- with the emulator injecting 10 % faults of
every kind (HTTP 500/502/503/504, resets before and after the change, stalls
whose change commits after the 504, deadlock rollbacks, truncated and
non-JSON bodies), apply plus at most two re-runs reaches the same site as a
fault-free apply, with no duplicate course, user or enrolment."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from applylib import Site, university, essence, check, workdir  # noqa: E402

# 10 % of the requests meet a fault, of every kind
FAULTS = ("http500=0.01,http502=0.01,http503=0.01,http504=0.01,reset-before=0.01,"
          "reset-after=0.01,stall=0.01,deadlock=0.01,truncate=0.01,nonjson=0.01,"
          "stall-ms=300,commit-delay-ms=300")


def apply_until_clean(site, path, runs):
    codes = []
    for _ in range(runs):
        p = site.run("apply", "-q", path)
        codes.append(p.returncode)
        check(p.returncode in (0, 1), f"apply exited {p.returncode}: {p.stderr[-2000:]}")
        if p.returncode == 0:
            break
    return codes


def main():
    work = workdir("ims2moodle-faults-")
    path = os.path.join(work, "university.xml")
    university(path, persons=120, groups=12, members=20, seed=3)

    clean = Site()
    try:
        codes = apply_until_clean(clean, path, 1)
        check(codes == [0], f"a fault-free apply must succeed at once: {codes}")
        reference = essence(clean.emu.state())
    finally:
        clean.close()
    check(reference["course_count"] == 12 and reference["user_count"] == 120,
          f"unexpected reference: {reference['course_count']} courses, {reference['user_count']} users")

    # `make stress` runs many more seeds (tests/stress.sh)
    seeds = [int(x) for x in os.environ.get("FAULT_SEEDS", "1 2 3").split()]
    for seed in seeds:
        # small batches, so that many requests meet a fault
        site = Site(emulator_args=("--faults", FAULTS, "--seed", str(seed)))
        try:
            with open(site.conf, "a") as f:
                f.write("batch_enrol = 5\nbatch_create_users = 4\nbatch_create_courses = 1\n")
            codes = apply_until_clean(site, path, 3)
            check(codes[-1] == 0, f"seed {seed}: still failing after two re-runs: {codes}")
            state = site.emu.state()
            got = essence(state)
            stats = site.emu.get("/__stats")
            faults = sum(stats["faults"].values())
            # the run must really have met faults; how many is chance (10 % of about
            # a hundred requests: fewer than a fortieth is a one-in-ten-thousand seed)
            check(faults >= max(1, stats["requests"] // 40),
                  f"seed {seed}: only {faults} faults in {stats['requests']} requests")
            check(got == reference, f"seed {seed}: the site differs from the fault-free one:\n"
                  f"{ {k: v for k, v in got.items() if v != reference[k]} }")
            plan = site.run("plan", "-q", path)
            check(plan.returncode == 0, f"seed {seed}: a plan after convergence has changes")
            print(f"seed {seed}: converged in {len(codes)} run(s), {faults} faults in "
                  f"{stats['requests']} requests: {stats['faults']}")
        finally:
            site.close()
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
