#!/usr/bin/env python3
"""tests/parse/run_cases.py -- the parser's data-driven cases.

Each case in tests/parse/cases is NN-name.expect, with the input NN-name.xml
beside it (or a `generate:` line that makes the input at test time, for the
large hostile files that are not committed). The runner copies the input into
a fresh directory, runs

    ims2moodle check --threads N --format json [ARGS] NN-name.xml

there (so messages name the file as NN-name.xml), once with one thread and
once with the model built in a second one (N = 1, 2), and compares each:

  exit: N            the exit status (required)
  json:              a JSON object that must be a subset of check's JSON:
                     every key given must be there with that value; objects
                     nest as subsets, lists must match element by element
  stderr:            standard error, exactly (when absent: it must be empty)
  stdout:            standard output, exactly (with `args: --format text`)

Other lines of a .expect file (one per line, before or between the blocks):

  # ...              a comment: what the case shows and the reference (§8 #N)
  args: ...          more arguments for check (shell words)
  encode: CODEC      the .xml (written in UTF-8 for reading) is written in
                     this Python codec before the run; utf-16-le and
                     utf-16-be get a byte order mark
  stdin: yes         the file is given on standard input (`check -`)
  aux: NAME TEXT     a file NAME holding TEXT is written beside the input
  aux-fifo: NAME     a named pipe NAME nobody writes to is made beside the input:
                     a run that opens it hangs (and fails after 60 s)
  generate: KIND N   the input is made by the generator KIND (see GENERATORS)
  lacks: TEXT        TEXT appears neither on standard output nor on standard
                     error (repeatable)
  max-rss-mb: N      the run's peak resident memory stays under N MiB
                     (not checked under AddressSanitizer)
  same-summary-as: CASE
                     check's JSON equals that of CASE (the same file written
                     correctly), but for the keys file, files and repairs

A block (json, stderr, stdout) runs to the next line that starts with one of
the words above and a colon. On a mismatch the runner prints a unified diff,
expected against actual. Usage: run_cases.py [--show] [CASE...]; --show prints
what check says for the cases without comparing.
"""
import difflib
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "cases")
DIRECTIVES = ("args", "exit", "json", "stderr", "stdout", "encode", "stdin", "aux", "aux-fifo",
              "generate", "lacks", "max-rss-mb", "same-summary-as")
BLOCKS = ("json", "stderr", "stdout")
MISSING = "<missing>"


def schema_path():
    src = os.environ.get("top_srcdir") or os.path.join(HERE, "..", "..")
    return os.path.abspath(os.path.join(src, "schemas", "ims_enterprise_1p1.xsd"))


def expand(text):
    """@SCHEMA@ in args and expected output: the XML Schema of the source tree."""
    return text.replace("@SCHEMA@", schema_path())


def ims2moodle():
    exe = os.environ.get("IMS2MOODLE")
    if not exe:
        exe = os.path.join(os.environ.get("top_builddir", "."), "ims2moodle")
    return os.path.abspath(exe)


def under_asan(exe):
    try:
        out = subprocess.run(["ldd", exe], capture_output=True, text=True).stdout
    except OSError:
        return False
    return "libasan" in out


# ---- generated inputs ------------------------------------------------------

HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<enterprise>\n' \
       '<properties><datasource>gen</datasource><datetime>2026-01-01</datetime></properties>\n'
PERSON = '<person><sourcedid><source>gen</source><id>{id}</id></sourcedid>' \
         '<name><fn>{fn}</fn></name></person>\n'


def gen_deep(path, n):
    """A person whose extension nests n elements (§8 #22)."""
    with open(path, "w") as f:
        f.write(HEAD + '<person><sourcedid><source>gen</source><id>P1</id></sourcedid>'
                '<name><fn>Deep</fn></name>\n<extension>')
        f.write("<x>" * n)
        f.write("</x>" * n)
        f.write("</extension></person>\n</enterprise>\n")


def gen_big_fn(path, mib):
    """A person whose fn is mib MiB of text (§8 #23)."""
    with open(path, "w") as f:
        f.write(HEAD + '<person><sourcedid><source>gen</source><id>P1</id></sourcedid>\n<name><fn>')
        chunk = "Ab" * 32768
        for _ in range(mib * 16):
            f.write(chunk)
        f.write("</fn></name></person>\n</enterprise>\n")


def gen_big_extension(path, mib):
    """A person whose extension holds mib MiB in many small elements (§8 #23)."""
    with open(path, "w") as f:
        f.write(HEAD + '<person><sourcedid><source>gen</source><id>P1</id></sourcedid>'
                '<name><fn>Big</fn></name>\n<extension>\n')
        line = "<pad>" + "x" * 1000 + "</pad>\n"
        for _ in range(mib * 1024 * 1024 // len(line) + 1):
            f.write(line)
        f.write("</extension></person>\n</enterprise>\n")


def gen_big_attribute(path, mib):
    """A userid whose password attribute is mib MiB long (§8 #23)."""
    with open(path, "w") as f:
        f.write(HEAD + '<person><sourcedid><source>gen</source><id>P1</id></sourcedid>\n'
                '<userid password="')
        chunk = "pw" * 32768
        for _ in range(mib * 16):
            f.write(chunk)
        f.write('">p1</userid><name><fn>Big</fn></name></person>\n</enterprise>\n')


def gen_big_file(path, mib):
    """mib MiB of well-formed file whose bulk is comments between three
    persons: memory must follow the model, not the file (§8 #24)."""
    with open(path, "w") as f:
        f.write(HEAD + PERSON.format(id="P1", fn="First"))
        block = ("<!-- " + "padding " * 12 + "-->\n") * 1000
        for _ in range(mib * 1024 * 1024 // len(block) + 1):
            f.write(block)
        f.write(PERSON.format(id="P2", fn="Second") + PERSON.format(id="P3", fn="Third"))
        f.write("</enterprise>\n")


GENERATORS = {"deep": gen_deep, "big-fn": gen_big_fn, "big-extension": gen_big_extension,
              "big-attribute": gen_big_attribute, "big-file": gen_big_file}


# ---- .expect files -----------------------------------------------------------

def parse_expect(path):
    exp = {"args": [], "aux": [], "aux-fifo": [], "lacks": [], "encode": None, "stdin": False,
           "generate": None, "max-rss-mb": None, "same-summary-as": None}
    block = None
    lines = open(path, encoding="utf-8").read().split("\n")
    for lineno, line in enumerate(lines, 1):
        key, sep, rest = line.partition(":")
        if sep and key in DIRECTIVES:
            block = None
            rest = rest.strip()
            if key in BLOCKS:
                block = key
                exp[key] = []
                if rest:
                    raise SystemExit(f"{path}:{lineno}: put the {key} block on the next lines")
            elif key == "exit":
                exp["exit"] = int(rest)
            elif key == "args":
                exp["args"] += shlex.split(expand(rest))
            elif key == "aux":
                name, _, text = rest.partition(" ")
                exp["aux"].append((name, text))
            elif key == "aux-fifo":
                exp["aux-fifo"].append(rest)
            elif key == "lacks":
                exp["lacks"].append(rest)
            elif key == "stdin":
                exp["stdin"] = rest == "yes"
            elif key == "generate":
                kind, n = rest.split()
                exp["generate"] = (kind, int(n))
            elif key == "max-rss-mb":
                exp["max-rss-mb"] = int(rest)
            else:
                exp[key] = rest
        elif block:
            exp[block].append(expand(line))
        elif line.strip() and not line.startswith("#"):
            raise SystemExit(f"{path}:{lineno}: not a directive: {line!r}")
    for b in BLOCKS:
        if b in exp:
            while exp[b] and not exp[b][-1].strip():
                exp[b].pop()
    if "exit" not in exp:
        raise SystemExit(f"{path}: no exit: line")
    if "json" in exp:
        try:
            exp["json"] = json.loads("\n".join(exp["json"]))
        except ValueError as e:
            raise SystemExit(f"{path}: the json block is not JSON: {e}")
    return exp


# ---- running and comparing ------------------------------------------------------

def prepare(name, exp, workdir):
    """Writes the case's input (and aux files) into workdir; returns its name."""
    xml = name + ".xml"
    dest = os.path.join(workdir, xml)
    if exp["generate"]:
        kind, n = exp["generate"]
        GENERATORS[kind](dest, n)
    elif exp["encode"]:
        text = open(os.path.join(CASES, xml), encoding="utf-8").read()
        codec = exp["encode"]
        bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}.get(codec, b"")
        with open(dest, "wb") as f:
            f.write(bom + text.encode(codec))
    else:
        shutil.copyfile(os.path.join(CASES, xml), dest)
    for aux, text in exp["aux"]:
        with open(os.path.join(workdir, aux), "w", encoding="utf-8") as f:
            f.write(text + "\n")
    for fifo in exp["aux-fifo"]:
        # nobody ever writes to it: a program that opens it to read hangs
        # (and is killed after 60 s), so the case shows the file is never opened
        os.mkfifo(os.path.join(workdir, fifo))
    return xml


def run(exe, name, exp, workdir, threads):
    xml = prepare(name, exp, workdir)
    args = [exe, "check", "--threads", str(threads)]
    if "--format" not in exp["args"]:
        args += ["--format", "json"]
    args += exp["args"]
    stdin = None
    if exp["stdin"]:
        args.append("-")
        stdin = open(os.path.join(workdir, xml), "rb")
    else:
        args.append(xml)
    t0 = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(args, cwd=workdir, stdin=stdin or subprocess.DEVNULL,
                                stdout=out, stderr=err)
        timer = threading.Timer(60, proc.kill)
        timer.start()
        try:
            # wait4 gives this child's own peak memory
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
            if stdin:
                stdin.close()
        proc.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.monotonic() - t0
        out.seek(0)
        err.seek(0)
        p = subprocess.CompletedProcess(args, proc.returncode, out.read(), err.read())
    rss_mib = usage.ru_maxrss / 1024
    return p, elapsed, rss_mib


def project(expected, actual):
    """actual reduced to the keys expected names (objects nest as subsets)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        return {k: project(v, actual.get(k, MISSING)) for k, v in expected.items()}
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        return [project(e, a) for e, a in zip(expected, actual)]
    return actual


def summary_only(j):
    """check's JSON without what names the file or tells how it was read."""
    j = dict(j)
    for k in ("file", "files", "repairs"):
        j.pop(k, None)
    return j


def diff(expected, actual, what):
    return "".join(difflib.unified_diff([l + "\n" for l in expected], [l + "\n" for l in actual],
                                        f"expected {what}", f"actual {what}"))


def check_case(exe, asan, name, show):
    """Each case is read with one thread and with two (the model built in a
    second thread): both must give exactly what the case expects."""
    ok = True
    for threads in (1, 2):
        ok = check_case_with(exe, asan, name, show, threads) and ok
        if show:
            break
    if ok and not show:
        print(f"ok   {name}")
    return ok


def check_case_with(exe, asan, name, show, threads):
    exp = parse_expect(os.path.join(CASES, name + ".expect"))
    workdir = tempfile.mkdtemp(prefix="ims2moodle-parse-")
    try:
        p, elapsed, rss = run(exe, name, exp, workdir, threads)
    finally:
        shutil.rmtree(workdir, True)
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    if show:
        print(f"=== {name}: exit {p.returncode}, {elapsed:.2f} s" +
              (f", {rss:.0f} MiB" if rss else ""))
        print("--- stdout\n" + out + "--- stderr\n" + err, end="")
        return True
    problems = []
    if p.returncode != exp["exit"]:
        problems.append(f"exit status {p.returncode}, expected {exp['exit']}")
    actual = {}
    if "json" in exp:
        try:
            actual = json.loads(out)
        except ValueError:
            problems.append("standard output is not JSON:\n" + out)
        else:
            got = project(exp["json"], actual)
            if got != exp["json"]:
                problems.append("JSON differs:\n" + diff(
                    json.dumps(exp["json"], indent=2, ensure_ascii=False).split("\n"),
                    json.dumps(got, indent=2, ensure_ascii=False).split("\n"), "json"))
    if "json" in exp and not problems and actual.get("status") == "refused":
        # the JSON's error is the message on standard error (which --strict
        # may follow with the schema deviations found before the refusal)
        if not err.startswith("ims2moodle: " + actual.get("error", "") + "\n"):
            problems.append("the JSON error is not the message on standard error:\n" +
                            diff(err.rstrip("\n").split("\n"),
                                 ("ims2moodle: " + actual.get("error", "")).split("\n"), "error"))
    for stream, text in (("stderr", err), ("stdout", out)):
        if stream in exp:
            want = exp[stream]
        elif stream == "stderr":
            want = []
        else:
            continue
        got = text.rstrip("\n").split("\n") if text.rstrip("\n") else []
        if got != want:
            problems.append(f"{stream} differs:\n" + diff(want, got, stream))
    if exp["same-summary-as"] and actual:
        # the same file written correctly reads the same, repairs aside
        other = exp["same-summary-as"]
        oexp = parse_expect(os.path.join(CASES, other + ".expect"))
        odir = tempfile.mkdtemp(prefix="ims2moodle-parse-")
        try:
            op, _, _ = run(exe, other, oexp, odir, threads)
        finally:
            shutil.rmtree(odir, True)
        mine, theirs = summary_only(actual), summary_only(json.loads(op.stdout))
        if mine != theirs:
            problems.append(f"the summary differs from {other}'s:\n" + diff(
                json.dumps(theirs, indent=2, ensure_ascii=False).split("\n"),
                json.dumps(mine, indent=2, ensure_ascii=False).split("\n"), "summary"))
    for text in exp["lacks"]:
        if text in out or text in err:
            problems.append(f"the output contains {text!r}")
    if exp["max-rss-mb"] and not asan and rss and rss > exp["max-rss-mb"]:
        problems.append(f"peak memory {rss:.0f} MiB, more than {exp['max-rss-mb']} MiB")
    if problems:
        print(f"FAIL {name} (read with {threads} thread{'s' if threads > 1 else ''})")
        for pr in problems:
            print("  " + pr.replace("\n", "\n  ").rstrip())
        return False
    return True


def main(argv):
    show = "--show" in argv
    names = [a for a in argv if not a.startswith("--")]
    exe = ims2moodle()
    if not os.access(exe, os.X_OK):
        raise SystemExit(f"{exe} is not a program: build it, or set IMS2MOODLE")
    asan = under_asan(exe)
    all_names = sorted(f[:-len(".expect")] for f in os.listdir(CASES) if f.endswith(".expect"))
    if names:
        names = [n[:-len(".expect")] if n.endswith(".expect") else n for n in names]
        names = [os.path.basename(n) for n in names]
        unknown = [n for n in names if n not in all_names]
        if unknown:
            raise SystemExit(f"no such case: {', '.join(unknown)}")
    else:
        names = all_names
    # every input belongs to a case
    orphans = [f for f in os.listdir(CASES) if f.endswith(".xml") and f[:-4] not in all_names]
    failed = [n for n in names if not check_case(exe, asan, n, show)]
    if orphans and not show:
        print(f"FAIL inputs without a .expect: {', '.join(sorted(orphans))}")
        failed.append("orphans")
    if not show:
        print(f"{len(names) - len([f for f in failed if f != 'orphans'])} passed, "
              f"{len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
