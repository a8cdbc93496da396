#!/usr/bin/env python3
"""tests/parse/test_edge.py -- the parser's edge cases (reference §8), one small
IMS file each in tests/parse/edge/: NN-name.xml and NN-name.expect.

An .expect is JSON:
  "ref"      the reference item(s) the case checks (documentation only)
  "exit"     the exit status of `ims2moodle check --format json [args] FILE`
  "args"     extra arguments before the file (e.g. ["--repair", "ampersand"])
  "summary"  a subset of check's JSON summary that must match: objects are
             compared key by key (keys not named are not compared), except
             "warning_kinds", whose set of kinds must be exactly the one
             given (a count, or a subset of the kind's object, per kind);
             lists must have the same length, their items compared likewise
  "stderr"   substrings the refusal on standard error must contain, in order
  "never"    strings that must appear neither on standard output nor error
  "same_summary_as"  another case's file whose summary (read without args)
             must equal this one's, but for the file name and the repairs
  "generate" the file is written here (too big or deep to keep): see GENERATORS
  "known_bug" a reason: the program is known to be wrong here (see
             /work/notes/bugs.md); the case is run and reported, not counted
A refused file must also be reported "refused" with no records on standard
output. Each run is limited to 20 s, so a network fetch (#21) or an
unbounded expansion (#18) fails instead of hanging.

Needs IMS2MOODLE (the program); prints "N passed, M failed" and exits 1 on a
failure (77, skipped, without the program)."""
import difflib
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
EDGE = os.path.join(HERE, "edge")
TIMEOUT = 20

PROPS = "  <properties><datasource>SIS</datasource><datetime>2026-01-05</datetime></properties>\n"


def person(inner_name="Ann", extension=""):
    return ("  <person><sourcedid><source>SIS</source><id>p1</id></sourcedid><name><fn>%s</fn></name>%s</person>\n"
            % (inner_name, extension))


def wrap(body):
    return '<?xml version="1.0" encoding="UTF-8"?>\n<enterprise>\n' + PROPS + body + "</enterprise>\n"


def gen_depth():
    """§8 #22: an extension nested 10 000 levels (the cap is 256)."""
    return wrap(person(extension="<extension>" + "<x>" * 10000 + "</x>" * 10000 + "</extension>"))


def gen_fn_20mb():
    """§8 #23: 20 MB of text in fn (the field cap is 64 KiB)."""
    return wrap(person(inner_name="a" * (20 * 1024 * 1024)))


def gen_extension_20mb():
    """§8 #23: 20 MB of text in an extension (the extension cap is 1 MiB)."""
    return wrap(person(extension="<extension><note>" + "b" * (20 * 1024 * 1024) + "</note></extension>"))


GENERATORS = {"depth-10000": gen_depth, "fn-20mb": gen_fn_20mb, "extension-20mb": gen_extension_20mb}


def run_check(prog, directory, filename, args):
    cmd = [prog, "check", "--format", "json"] + list(args) + [filename]
    try:
        p = subprocess.run(cmd, cwd=directory, capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, "", "timed out after %d s" % TIMEOUT
    return (p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"))


def compare(expected, got, path, errors, exact_keys=False):
    """Appends a line to errors for each place got does not match expected."""
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            errors.append("%s: expected an object, got %s" % (path, json.dumps(got)))
            return
        if exact_keys and sorted(expected) != sorted(got):
            errors.append("%s: kinds %s, expected %s" % (path, sorted(got), sorted(expected)))
        for k, v in expected.items():
            if k not in got:
                errors.append("%s.%s: missing (expected %s)" % (path, k, json.dumps(v, ensure_ascii=False)))
                continue
            if path == "summary.warning_kinds" and isinstance(v, int):
                compare(v, got[k].get("count") if isinstance(got[k], dict) else got[k], path + "." + k + ".count", errors)
            else:
                compare(v, got[k], path + "." + k, errors, exact_keys=(k == "warning_kinds"))
    elif isinstance(expected, list):
        if not isinstance(got, list) or len(got) != len(expected):
            errors.append("%s: %s, expected %d item(s)" % (path, json.dumps(got, ensure_ascii=False),
                                                            len(expected)))
            return
        for i, (e, g) in enumerate(zip(expected, got)):
            compare(e, g, "%s[%d]" % (path, i), errors)
    elif expected != got:
        errors.append("%s: got %s, expected %s" % (path, json.dumps(got, ensure_ascii=False),
                                                  json.dumps(expected, ensure_ascii=False)))


def without_names(summary):
    s = {k: v for k, v in summary.items() if k not in ("file", "files", "repairs")}
    return json.dumps(s, indent=2, sort_keys=True, ensure_ascii=False).splitlines()


def run_case(prog, name, exp, tmp):
    """Returns a list of problems (empty when the case passes)."""
    problems = []
    if "generate" in exp:
        directory, filename = tmp, name + ".xml"
        with open(os.path.join(tmp, filename), "w", encoding="utf-8") as f:
            f.write(GENERATORS[exp["generate"]]())
    else:
        directory, filename = EDGE, name + ".xml"
    rc, out, err = run_check(prog, directory, filename, exp.get("args", []))
    if "generate" in exp:
        os.unlink(os.path.join(tmp, filename))
    if rc is None:
        return [err]
    if rc != exp["exit"]:
        problems.append("exit %d, expected %d" % (rc, exp["exit"]))
    try:
        summary = json.loads(out)
    except ValueError:
        summary = None
        problems.append("standard output is not JSON: %r" % out[:300])
    if exp["exit"] != 0 and summary is not None:
        files = summary.get("files") or [{}]
        if files[0].get("status") != "refused" or summary.get("persons") != 0 or summary.get("roles") != 0:
            problems.append("a refused file must be reported refused with no records: %s" % out[:300])
    pos = 0
    for s in exp.get("stderr", []):
        at = err.find(s, pos)
        if at < 0:
            problems.append("standard error lacks %r (in this order)" % s)
        else:
            pos = at + len(s)
    if exp["exit"] == 0 and err.strip():
        problems.append("standard error is not empty")
    for s in exp.get("never", []):
        if s in out or s in err:
            problems.append("the output contains %r" % s)
    if "summary" in exp and summary is not None:
        errors = []
        compare(exp["summary"], summary, "summary", errors)
        problems += errors
        if errors:
            problems.append("expected (subset):\n" + json.dumps(exp["summary"], indent=2, ensure_ascii=False))
    if "same_summary_as" in exp and summary is not None:
        rc2, out2, err2 = run_check(prog, EDGE, exp["same_summary_as"], [])
        if rc2 != 0:
            problems.append("%s: exit %s: %s" % (exp["same_summary_as"], rc2, err2))
        else:
            a, b = without_names(json.loads(out2)), without_names(summary)
            if a != b:
                problems.append("summary differs from %s's:\n%s" % (
                    exp["same_summary_as"], "\n".join(difflib.unified_diff(a, b, exp["same_summary_as"], name, lineterm=""))))
    if problems:
        problems.append("standard error was:\n" + "\n".join("    " + l for l in err.splitlines()))
    return problems


def main():
    prog = os.environ.get("IMS2MOODLE")
    if not prog:
        print("IMS2MOODLE is not set: skipped")
        return 77
    only = sys.argv[1:]
    names = sorted(f[:-7] for f in os.listdir(EDGE) if f.endswith(".expect"))
    if only:
        names = [n for n in names if any(o in n for o in only)]
    passed = failed = known = 0
    with tempfile.TemporaryDirectory(prefix="ims-edge-") as tmp:
        for name in names:
            with open(os.path.join(EDGE, name + ".expect"), encoding="utf-8") as f:
                exp = json.load(f)
            problems = run_case(prog, name, exp, tmp)
            if "known_bug" in exp:
                known += 1
                state = "still wrong" if problems else "PASSES NOW (remove known_bug)"
                print("bug  %s: %s; %s" % (name, exp["known_bug"], state))
            elif problems:
                failed += 1
                print("FAIL %s (%s)" % (name, exp.get("ref", "")))
                for p in problems:
                    print("     " + p.replace("\n", "\n     "))
            else:
                passed += 1
                print("ok   %s" % name)
    print("%d passed, %d failed%s" % (passed, failed, ", %d known bugs" % known if known else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
