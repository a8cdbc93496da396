#!/usr/bin/env python3
"""tests/cases/run_cases.py -- runs the data-driven end-to-end cases.

Each case is a directory under tests/cases/ (in the spirit of curl's
tests/data): what the SIS sends, what the Moodle site holds before, how
ims2moodle is configured, and what must come out.

    case.json            title, refs (reference rows), and optional keys:
                           config      text appended to the configuration file
                           setup       IMS files applied first (to seed the store)
                           site_changes  Web Services calls made after the setup, as
                                       someone would by hand in Moodle: a list of
                                       {"wsfunction": F, "params": {FIELD: VALUE}}
                                       (fields in Moodle's bracket syntax)
                           plan_args   extra arguments for `plan`
                           plan_exit   expected exit status of `plan` (default 2)
                           apply       true: apply the plan and check the state
                           apply_args  extra arguments for `apply`
                           apply_exit  expected exit status of `apply` (default 0)
                           faults      emulator --faults SPEC (with --seed 1)
                           faults_fired  fault kinds that must have happened by the
                                       end (the draws depend on the requests made)
                           plan_requests the requests the (first) plan may send:
                                       {"total": N} and/or {WSFUNCTION: N},
                                       from the emulator's /__stats
    input.xml            the file planned (and applied)
    state.json           the emulator's state before (default: a fresh site)
    expected-plan.json   the plan as `plan --format json` prints it
    expected-state.json  a subset of /__state after apply (lists compared whole)
    expected-stderr.txt  for a file refused before planning (plan_exit 64, 65,
                         66, 74, 75 or 78): what plan prints on standard error,
                         compared whole (the case's directory is written DIR);
                         apply must refuse it the same way and change nothing

Every case's plan is made twice and must come out byte-identical. With
"apply", the runner also checks that apply did exactly what the plan
said (the outcome report's actions against the plan's, when apply_exit is
0) and that a second plan afterwards finds nothing to do.

The runner starts the emulator on a free loopback port per case, points
ims2moodle at it through a configuration file and MOODLE_TOKEN, and stops
it afterwards. On a mismatch it prints a unified diff of the JSON.

    run_cases.py [--update] [CASE...]

--update rewrites the expected files from what came out (review the diff
before committing). Environment: IMS2MOODLE, FAKEMOODLE (the binaries),
top_srcdir.
"""
import difflib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request

TOKEN = "0123456789abcdef0123456789abcdef"
HERE = os.path.dirname(os.path.abspath(__file__))


def pretty(obj):
    return json.dumps(obj, indent=2, sort_keys=False, ensure_ascii=False) + "\n"


def normalise_plan(plan):
    """Removes what legitimately differs between runs: the emulator's URL."""
    if isinstance(plan, dict):
        plan.pop("site", None)
    return plan


def subset_diff(expected, actual, path="$"):
    """Returns the first difference of expected as a subset of actual, or None.
    Objects: every expected key must match; lists: compared element by element
    and of equal length."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{path}: expected an object, got {json.dumps(actual)[:200]}"
        for k, v in expected.items():
            if k not in actual:
                return f"{path}.{k}: missing (expected {json.dumps(v)[:200]})"
            d = subset_diff(v, actual[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            n = len(actual) if isinstance(actual, list) else "not a list"
            return f"{path}: expected {len(expected)} items, got {n}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            d = subset_diff(e, a, f"{path}[{i}]")
            if d:
                return d
        return None
    if expected != actual:
        return f"{path}: expected {json.dumps(expected)}, got {json.dumps(actual)}"
    return None


# exit statuses of a run refused before it plans: usage, the file, no input,
# I/O, try again later, configuration
REFUSALS = (64, 65, 66, 74, 75, 78)


def check_refusal(ims, common, env, d, spec, emu):
    """A file refused whole: plan and apply exit with plan_exit and print
    expected-stderr.txt; the site is not touched."""
    before = emu.state()
    expected_path = os.path.join(d, "expected-stderr.txt")
    for command in ("plan", "apply"):
        p = run(ims, [command] + common + spec.get("plan_args", []) + [os.path.join(d, "input.xml")],
                env, spec["plan_exit"])
        actual = p.stderr.replace(d + "/", "DIR/")
        if command == "plan" and "--update" in sys.argv:
            open(expected_path, "w").write(actual)
        expected = open(expected_path).read()
        if actual != expected:
            diff = difflib.unified_diff(expected.splitlines(), actual.splitlines(),
                                        "expected-stderr.txt", f"{command}'s standard error", lineterm="")
            raise Failure(f"{command}'s refusal differs:\n" + "\n".join(diff))
        if p.stdout.strip():
            raise Failure(f"{command} printed a report for a refused file:\n{p.stdout[:1000]}")
    if emu.state() != before:
        raise Failure("the site changed although the file was refused")


def check_requests(emu, expected):
    """The requests the plan sent, against {"total": N, WSFUNCTION: N}."""
    with urllib.request.urlopen(emu.url + "/__stats", timeout=30) as r:
        stats = json.load(r)
    got = {"total": stats["requests"]}
    got.update({f: v["count"] for f, v in stats["functions"].items()})
    differs = {k: (v, got.get(k, 0)) for k, v in expected.items() if got.get(k, 0) != v}
    if differs:
        raise Failure(f"the plan's requests (expected, sent): {differs}; all: {got}")


def learnt_only(planned, applied):
    """Whether an applied object is the planned one plus ids Moodle gave
    (a new category's categoryid, the parentid of a category made earlier in
    the run, ...): every planned key unchanged, except ids the plan left 0
    (made by an earlier action), and the added keys ids."""
    if not isinstance(planned, dict) or not isinstance(applied, dict):
        return False
    same = all(applied.get(k) == v or (k.endswith("id") and v == 0 and isinstance(applied.get(k), int))
               for k, v in planned.items())
    return same and all(k.endswith("id") for k in applied if k not in planned)


def compare_outcome(plan, outcome):
    """Apply must do exactly what the plan said: the same actions in the same
    order, each with the plan's fields unchanged (the outcome only adds the
    Moodle ids it learnt and the result), and every one done."""
    planned = plan.get("actions", [])
    done = outcome.get("actions", [])
    if len(planned) != len(done):
        raise Failure(f"the plan had {len(planned)} actions, apply reports {len(done)}")
    for p, a in zip(planned, done):
        if a.get("result") != "done":
            raise Failure(f"action {p.get('seq')} ({p.get('action')}) was not done: "
                          f"{json.dumps(a)[:500]}")
        differs = {k: (v, a.get(k)) for k, v in p.items()
                   if a.get(k) != v and not (k == "object" and learnt_only(v, a.get(k)))}
        if differs:
            raise Failure(f"action {p.get('seq')} differs between plan and apply "
                          f"(planned, applied): {differs}")


class Emulator:
    def __init__(self, binary, state=None, faults=None):
        args = [binary, "--listen", "127.0.0.1:0", "--token", TOKEN]
        if state:
            args += ["--state", state]
        if faults:
            args += ["--faults", faults, "--seed", "1"]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        self.url = self.proc.stdout.readline().strip()
        if not self.url.startswith("http://127.0.0.1:"):
            self.stop()
            raise RuntimeError(f"the emulator did not start: {self.proc.stderr.read()}")

    def state(self):
        with urllib.request.urlopen(self.url + "/__state", timeout=30) as r:
            return json.load(r)

    def call(self, wsfunction, params):
        """A Web Services call; a Moodle exception fails the case."""
        form = dict(params, wstoken=TOKEN, wsfunction=wsfunction, moodlewsrestformat="json")
        data = urllib.parse.urlencode({k: str(v) for k, v in form.items()}).encode()
        with urllib.request.urlopen(self.url + "/webservice/rest/server.php", data=data, timeout=30) as r:
            reply = json.load(r)
        if isinstance(reply, dict) and "exception" in reply:
            raise Failure(f"site change {wsfunction} failed: {reply}")
        return reply

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Failure(Exception):
    pass


def run(binary, args, env, expect):
    p = subprocess.run([binary] + args, capture_output=True, text=True, env=env, timeout=600)
    if expect is not None and p.returncode != expect:
        raise Failure(f"`ims2moodle {' '.join(args)}` exited {p.returncode}, expected {expect}\n"
                      f"stdout:\n{p.stdout[-3000:]}\nstderr:\n{p.stderr[-3000:]}")
    return p


def run_case(name, update):
    d = os.path.join(HERE, name)
    spec = json.load(open(os.path.join(d, "case.json")))
    ims = os.environ["IMS2MOODLE"]
    work = tempfile.mkdtemp(prefix="ims2moodle-case-")
    state = os.path.join(d, "state.json")
    emu = Emulator(os.environ["FAKEMOODLE"], state if os.path.exists(state) else None,
                   spec.get("faults"))
    try:
        conf = os.path.join(work, "ims2moodle.conf")
        with open(conf, "w") as f:
            f.write(f"[moodle]\nurl = {emu.url}\n")
            f.write(spec.get("config", ""))
        env = dict(os.environ, MOODLE_TOKEN=TOKEN, NO_COLOR="1")
        # the emulator's clock, when the case fixes it, is ims2moodle's too
        now = (json.load(open(state)).get("settings", {}).get("now")
               if os.path.exists(state) else None)
        if now:
            env["IMS2MOODLE_NOW"] = str(now)
        env.pop("MOODLE_TOKEN_FILE", None)
        env.pop("MOODLE_URL", None)
        common = ["--config", conf, "--state-dir", os.path.join(work, "state")]
        for s in spec.get("setup", []):
            run(ims, ["apply"] + common + [os.path.join(d, s)], env, 0)
        for call in spec.get("site_changes", []):
            emu.call(call["wsfunction"], call.get("params", {}))
        urllib.request.urlopen(urllib.request.Request(emu.url + "/__stats/reset", data=b"",
                                                      method="POST"), timeout=30).read()
        p = run(ims, ["plan"] + common + ["--format", "json"] + spec.get("plan_args", []) +
                [os.path.join(d, "input.xml")], env, spec.get("plan_exit", 2))
        if spec.get("plan_exit") in REFUSALS:
            check_refusal(ims, common, env, d, spec, emu)
            return
        if spec.get("plan_requests"):
            check_requests(emu, spec["plan_requests"])
        # planning is a pure function: the same site and file, the same bytes
        twice = run(ims, ["plan"] + common + ["--format", "json"] + spec.get("plan_args", []) +
                    [os.path.join(d, "input.xml")], env, spec.get("plan_exit", 2))
        if twice.stdout != p.stdout:
            diff = difflib.unified_diff(p.stdout.splitlines(), twice.stdout.splitlines(),
                                        "first plan", "second plan", lineterm="")
            raise Failure("two plans of the same site and file differ:\n" + "\n".join(list(diff)[:100]))
        # paths differ between checkouts: names in messages are kept relative
        actual = normalise_plan(json.loads(p.stdout.replace(d + "/", "")))
        # file paths differ between checkouts: keep the base name
        if isinstance(actual, dict) and actual.get("file"):
            actual["file"] = os.path.basename(actual["file"])
        expected_path = os.path.join(d, "expected-plan.json")
        if update:
            open(expected_path, "w").write(pretty(actual))
        else:
            expected = json.load(open(expected_path))
            if expected != actual:
                diff = difflib.unified_diff(pretty(expected).splitlines(),
                                            pretty(actual).splitlines(),
                                            "expected-plan.json", "actual plan", lineterm="")
                raise Failure("the plan differs:\n" + "\n".join(list(diff)[:200]))
        if spec.get("apply"):
            outcome_path = os.path.join(work, "outcome.json")
            run(ims, ["apply"] + common + ["--format", "json", "--report", outcome_path] +
                spec.get("apply_args", []) + [os.path.join(d, "input.xml")], env,
                spec.get("apply_exit", 0))
            if spec.get("apply_exit", 0) == 0:
                compare_outcome(actual, json.load(open(outcome_path)))
            site = emu.state()
            if spec.get("faults_fired"):
                with urllib.request.urlopen(emu.url + "/__stats", timeout=30) as r:
                    fired = json.load(r).get("faults", {})
                missing = [k for k in spec["faults_fired"] if not fired.get(k)]
                if missing:
                    raise Failure(f"these faults never happened, so the case tests nothing of them: "
                                  f"{missing} (fired: {fired}); choose other rates")
            expected_state = os.path.join(d, "expected-state.json")
            if os.path.exists(expected_state):
                diff = subset_diff(json.load(open(expected_state)), site)
                if diff:
                    raise Failure("the site after apply differs: " + diff)
            again = run(ims, ["plan"] + common + ["--format", "json"] + spec.get("plan_args", []) +
                        [os.path.join(d, "input.xml")], env, None)
            # nothing left to do; a refused plan (3) stays refused, changing nothing
            settled = (0, 3) if spec.get("plan_exit") == 3 else (0,)
            if again.returncode not in settled:
                raise Failure("a second plan after apply still has changes:\n" + again.stdout[-3000:])
    finally:
        emu.stop()
        shutil.rmtree(work, ignore_errors=True)


def main():
    update = "--update" in sys.argv
    names = [a for a in sys.argv[1:] if not a.startswith("--")]
    if not names:
        names = sorted(n for n in os.listdir(HERE)
                       if os.path.isfile(os.path.join(HERE, n, "case.json")))
    passed = failed = 0
    for name in names:
        try:
            run_case(name, update)
            passed += 1
            print(f"ok   {name}")
        except Failure as e:
            failed += 1
            print(f"FAIL {name}: {e}")
        except Exception as e:  # the runner's own trouble is a failure too
            failed += 1
            print(f"FAIL {name}: {type(e).__name__}: {e}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
