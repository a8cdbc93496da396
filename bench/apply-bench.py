#!/usr/bin/env python3
"""bench/apply-bench.py -- the apply benchmark of doc/PERFORMANCE.md.

A generated university (by default 50,000 persons, 10,000 groups of 50
members: 500,000 memberships) is applied to an empty Moodle emulator; then
the same file again, in diff and in reconcile mode; then the next night's
file with about 1 % of the memberships changed (withdrawals, new
enrolments, role changes). For each run it reports the wall time, the peak
RSS of ims2moodle, the requests sent by function, and for the full load the
write requests against the fewest the batch limits allow.

    bench/apply-bench.py [--persons N] [--groups G] [--members M] [--seed S]
                         [--ims2moodle PATH] [--fakemoodle PATH] [--keep DIR]

Run from the build directory (the defaults are ./ims2moodle and
./tests/fakemoodle/fakemoodle). It needs /usr/bin/time (Debian: time).
Not a test: nothing here asserts a timing.
"""
import argparse
import json
import math
import os
import random
import shutil
import subprocess
import tempfile
import time
import urllib.request

TOKEN = "bench0123456789abcdef0123456789a"


def write_university(path, persons, groups, members, seed, change=0.0):
    """The university, or with change > 0 the same one a night later: that
    share of its memberships withdrawn, replaced by a new member, or moved
    to another role."""
    rnd = random.Random(seed)
    night = random.Random(seed + 1)
    with open(path, "w") as f:
        w = f.write
        w('<?xml version="1.0" encoding="UTF-8"?>\n<enterprise>\n <properties>\n'
          '  <datasource>Bench SIS</datasource>\n'
          f'  <datetime>2026-01-{12 if not change else 13}T02:00:00</datetime>\n </properties>\n')
        for i in range(persons):
            w(f' <person>\n  <sourcedid><source>Bench SIS</source><id>P{i:07d}</id></sourcedid>\n'
              f'  <userid>user{i:07d}</userid>\n  <name><fn>Given{i} Family{i}</fn>'
              f'<n><family>Family{i}</family><given>Given{i}</given></n></name>\n'
              f'  <email>user{i:07d}@example.edu</email>\n </person>\n')
        for g in range(groups):
            w(f' <group>\n  <sourcedid><source>Bench SIS</source><id>C{g:06d}</id></sourcedid>\n'
              f'  <description><short>C{g:06d}</short><long>Course {g}</long></description>\n'
              f'  <org><orgunit>Faculty {g % 25}</orgunit></org>\n </group>\n')
        for g in range(groups):
            w(f' <membership>\n  <sourcedid><source>Bench SIS</source><id>C{g:06d}</id></sourcedid>\n')
            chosen = rnd.sample(range(persons), members)
            for k, p in enumerate(chosen):
                role, status = ("02" if k == 0 else "01"), "1"
                if change and k and night.random() < change:
                    kind = night.randrange(3)
                    if kind == 0:
                        status = "0"
                    elif kind == 1:
                        role = "08"
                    else:
                        p = night.randrange(persons)
                w(f'  <member><sourcedid><source>Bench SIS</source><id>P{p:07d}</id></sourcedid>'
                  f'<idtype>1</idtype><role roletype="{role}"><status>{status}</status></role></member>\n')
            w(' </membership>\n')
        w('</enterprise>\n')


class Emulator:
    def __init__(self, binary):
        self.proc = subprocess.Popen([binary, "--listen", "127.0.0.1:0", "--token", TOKEN],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.url = self.proc.stdout.readline().strip()

    def call(self, path, post=False):
        req = urllib.request.Request(self.url + path, data=b"" if post else None)
        with urllib.request.urlopen(req, timeout=120) as r:
            return json.load(r)

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def run(args, conf, state, cmd, path, extra=()):
    env = dict(os.environ, MOODLE_TOKEN=TOKEN)
    t0 = time.monotonic()
    p = subprocess.run(["/usr/bin/time", "-f", "%M", args.ims2moodle, cmd, "-q", "--config", conf,
                        "--state-dir", state, *extra, path], capture_output=True, text=True, env=env)
    wall = time.monotonic() - t0
    rss = int(p.stderr.strip().splitlines()[-1]) // 1024
    return p.returncode, wall, rss


def summary(stats):
    writes = {k: v["count"] for k, v in stats["functions"].items()
              if not any(w in k for w in ("get_", "site_info"))}
    return stats["requests"], writes, {k: v["count"] for k, v in stats["functions"].items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=50000)
    ap.add_argument("--groups", type=int, default=10000)
    ap.add_argument("--members", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ims2moodle", default="./ims2moodle")
    ap.add_argument("--fakemoodle", default="./tests/fakemoodle/fakemoodle")
    ap.add_argument("--keep")
    args = ap.parse_args()
    work = args.keep or tempfile.mkdtemp(prefix="ims2moodle-bench-")
    os.makedirs(work, exist_ok=True)
    full = os.path.join(work, "university.xml")
    next_night = os.path.join(work, "university-next.xml")
    write_university(full, args.persons, args.groups, args.members, args.seed)
    write_university(next_night, args.persons, args.groups, args.members, args.seed, change=0.01)
    print(f"file: {os.path.getsize(full) / 1e6:.1f} MB, {args.persons} persons, {args.groups} groups, "
          f"{args.groups * args.members} memberships")

    emu = Emulator(args.fakemoodle)
    state = os.path.join(work, "state")
    shutil.rmtree(state, ignore_errors=True)
    conf = os.path.join(work, "ims2moodle.conf")
    # a large university raises the absolute withdrawal limit (1,000 by
    # default): a night of add/drop changes more than that
    open(conf, "w").write(f"[moodle]\nurl = {emu.url}\n[safety]\nsuspend_max_count = 20000\n")
    rows = []
    try:
        for label, path, extra in (("full load, empty site", full, ()),
                                   ("same file again, diff", full, ("--site-read", "diff")),
                                   ("same file again, reconcile", full, ("--site-read", "reconcile")),
                                   ("next night (1 % changed), diff", next_night, ("--site-read", "diff"))):
            emu.call("/__stats/reset", post=True)
            rc, wall, rss = run(args, conf, state, "apply", path, extra)
            total, writes, byfn = summary(emu.call("/__stats"))
            rows.append((label, rc, wall, rss, total, sum(writes.values()), byfn))
            print(f"{label}: exit {rc}, {wall:.1f} s, {rss} MB, {total} requests, writes {writes}")
            print(f"    requests by function: {dict(sorted(byfn.items()))}")
    finally:
        emu.stop()
    label, rc, wall, rss, total, nwrites, byfn = rows[0]
    enrolments = args.groups * args.members
    minimum = (math.ceil(args.groups / 20) + math.ceil(args.persons / 100) + math.ceil(enrolments / 200))
    print(f"\nfull load: {nwrites} write requests, at least {minimum} by the batch limits "
          f"(courses 20, users 100, enrolments 200 a request): {nwrites / minimum:.3f}x")
    print("\n| run | wall | peak RSS | requests | writes |\n| --- | --- | --- | --- | --- |")
    for label, rc, wall, rss, total, nwrites, _ in rows:
        print(f"| {label} | {wall:.1f} s | {rss} MB | {total} | {nwrites} |")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
