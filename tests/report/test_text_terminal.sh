#!/bin/sh
# tests/report/test_text_terminal.sh -- the text report is in colour only on a
# terminal: plan and apply run on a pseudo-terminal (python3's pty) colour their
# output, unless NO_COLOR is set to something (set but empty does not count:
# no-color.org) or TERM is dumb; a pipe, --output F and apply --report F never get
# colour, and the coloured text is the plain one with the escape sequences added.
# Skips (77) without python3, the emulator or the program. About 1 s.
# Environment: IMS2MOODLE, FAKEMOODLE, top_srcdir (make check sets them).
set -eu

srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
here=$srcdir/tests/report

# shellcheck source=tests/report/site.sh
. "$here/site.sh"
start_site "$(printf '[courses]\nshortname = short')"
unset NO_COLOR
export TERM=xterm

python3 - "$bin" "$work" "$here/hostile.xml" << 'EOF'
import os
import pty
import re
import subprocess
import sys

binary, work, xml = sys.argv[1:]
conf = ["--config", os.path.join(work, "ims2moodle.conf"), "--state-dir", os.path.join(work, "state")]
failures = []
ESC = re.compile(r"\x1b\[[0-9;]*m")


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL: " + what)


def on_pty(args, env_changes):
    """Runs ims2moodle ARGS with its standard output on a pseudo-terminal; returns
    (exit status, what it wrote, CRLF made LF by the terminal turned back)."""
    env = dict(os.environ)
    for k, v in env_changes.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    master, slave = pty.openpty()
    p = subprocess.Popen([binary] + args + conf, stdout=slave, stderr=subprocess.DEVNULL, env=env)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the other end is closed
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    return p.wait(), out.decode("utf-8").replace("\r\n", "\n")


plain = subprocess.run([binary, "plan"] + conf + [xml], capture_output=True, text=True)
check(plain.returncode == 2 and "\x1b" not in plain.stdout, "plan into a pipe: colour or exit " + str(plain.returncode))

rc, coloured = on_pty(["plan", xml], {})
check(rc == 2, f"plan on a terminal exited {rc}")
check(coloured.startswith("\x1b[1mims2moodle plan\x1b[0m: "), "plan on a terminal: no bold title: " + coloured[:60])
check("\n  \x1b[32mcreate course           \x1b[0m        3\n" in coloured,
      "plan on a terminal: the summary's counts are not green")
check(ESC.sub("", coloured) == plain.stdout, "the coloured text is not the plain text with colours")

for name, env in (("NO_COLOR=1", {"NO_COLOR": "1"}), ("NO_COLOR=yes", {"NO_COLOR": "yes"}),
                  ("TERM=dumb", {"TERM": "dumb"}), ("no TERM", {"TERM": None})):
    rc, out = on_pty(["plan", xml], env)
    check(rc == 2 and "\x1b" not in out and out == plain.stdout, f"plan on a terminal with {name}: colour")
# set but empty is not set (no-color.org)
rc, out = on_pty(["plan", xml], {"NO_COLOR": ""})
check("\x1b[1m" in out, "plan on a terminal with NO_COLOR set to nothing: no colour")

# a file is no terminal, even when standard output is one
out_file = os.path.join(work, "plan.txt")
rc, out = on_pty(["plan", "--output", out_file, xml], {})
text = open(out_file, encoding="utf-8").read()
check(rc == 2 and "\x1b" not in text and text == plain.stdout, "plan --output F on a terminal: colour in F")
report = os.path.join(work, "outcome.txt")
rc, out = on_pty(["apply", "--report", report, xml], {})
check(rc == 0 and "\x1b[1mims2moodle apply\x1b[0m" in out, f"apply on a terminal: exit {rc}, no colour")
check("\x1b" not in open(report, encoding="utf-8").read(), "apply --report F on a terminal: colour in F")
if failures:
    sys.exit(1)
print("PASS: colour on a terminal only, NO_COLOR and TERM=dumb respected")
EOF
