#!/usr/bin/env python3
"""tests/site/test_changing_file.py -- a file that changes while ims2moodle
reads it (an export still being written, reference §8 #25) is refused with
exit status 75 and nothing is planned or applied; the same file, once it
stops changing, applies."""
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from applylib import Site, university, check, workdir  # noqa: E402


def main():
    work = workdir("ims2moodle-changing-")
    path = os.path.join(work, "university.xml")
    # large enough that reading it takes a while (about 3 MB)
    university(path, persons=3000, groups=300, members=40, seed=9)
    site = Site()
    try:
        for command in ("plan", "apply"):
            stop = threading.Event()

            def keep_writing():
                # whitespace after the root element is still well-formed XML,
                # so only the change itself can make the run refuse the file
                with open(path, "a") as f:
                    while not stop.is_set():
                        f.write("\n")
                        f.flush()
                        time.sleep(0.002)

            writer = threading.Thread(target=keep_writing)
            writer.start()
            try:
                p = site.run(command, path)
            finally:
                stop.set()
                writer.join()
            check(p.returncode == 75, f"{command} of a changing file exited {p.returncode}: {p.stderr[-800:]}")
            check(f"{path} changed while it was read" in p.stderr and "Nothing was planned or applied" in p.stderr,
                  f"{command}'s message: {p.stderr[-800:]}")
        state = site.emu.state()
        check(len(state["courses"]) == 1 and len(state["users"]) == 2,
              f"the site changed: {len(state['courses'])} courses, {len(state['users'])} users")
        p = site.run("apply", "-q", path)
        check(p.returncode == 0, f"apply of the finished file exited {p.returncode}: {p.stderr[-800:]}")
        check(len(site.emu.state()["courses"]) == 301, "the finished file was not applied")
    finally:
        site.close()
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
