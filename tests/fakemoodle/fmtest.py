"""fmtest.py -- helpers shared by the emulator's Python tests: start and
stop a fakemoodle, call it over raw HTTP (so resets and truncated bodies
can be seen), small assertions."""
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import urllib.parse

TOKEN = "0123456789abcdef0123456789abcde0"


def emulator_path():
    p = os.environ.get("FAKEMOODLE") or os.path.join(os.getcwd(), "tests/fakemoodle/fakemoodle")
    if not os.path.exists(p):
        sys.exit("fakemoodle not found: %s (set $FAKEMOODLE)" % p)
    return p


class Emu:
    def __init__(self, *extra, state=None):
        self.tmp = None
        args = [emulator_path(), "--listen", "127.0.0.1:0", "--token", TOKEN]
        if state is not None:
            fd, self.tmp = tempfile.mkstemp(suffix=".json", prefix="fm-state-")
            with os.fdopen(fd, "w") as f:
                json.dump(state, f)
            args += ["--state", self.tmp]
        args += list(extra)
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=sys.stderr, text=True)
        self.url = self.proc.stdout.readline().strip()
        if not self.url.startswith("http://127.0.0.1:"):
            self.stop()
            raise RuntimeError("fakemoodle did not start")
        self.port = int(self.url.rsplit(":", 1)[1])

    def raw(self, method, path, body=None, ctype="application/x-www-form-urlencoded", timeout=30):
        """Returns (status, content_type, body bytes) or raises the connection error."""
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            headers = {"Connection": "close"}
            if body is not None:
                headers["Content-Type"] = ctype
            c.request(method, path, body=body.encode() if isinstance(body, str) else body, headers=headers)
            r = c.getresponse()
            data = r.read()
            return r.status, r.getheader("Content-Type", ""), data
        finally:
            c.close()

    def ws(self, function, params=None, token=TOKEN, **kw):
        pairs = [("wstoken", token), ("wsfunction", function), ("moodlewsrestformat", "json"),
                 ("moodlewssettingraw", "1")]
        pairs += flatten("", params or {})
        status, ctype, data = self.raw("POST", "/webservice/rest/server.php",
                                       "&".join("%s=%s" % (k, urllib.parse.quote(str(v), safe="-._~"))
                                                for k, v in pairs), **kw)
        return status, ctype, data

    def call(self, function, params=None, token=TOKEN):
        status, ctype, data = self.ws(function, params, token)
        assert status == 200, (function, status, data)
        return json.loads(data)

    def state(self):
        status, _, data = self.raw("GET", "/__state")
        assert status == 200
        return data

    def stats(self):
        return json.loads(self.raw("GET", "/__stats")[2])

    def hook(self, ops):
        status, _, data = self.raw("POST", "/__hook", json.dumps(ops), "application/json")
        assert status == 200, data
        return json.loads(data)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)
        if self.proc.stdout:
            self.proc.stdout.close()
        if self.tmp:
            os.unlink(self.tmp)
        return self.proc.returncode


def flatten(prefix, v):
    out = []
    if isinstance(v, dict):
        for k, x in v.items():
            out += flatten("%s[%s]" % (prefix, k) if prefix else k, x)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            out += flatten("%s[%d]" % (prefix, i), x)
    else:
        out.append((prefix, v))
    return out


FAILED = []


def check(cond, what):
    if not cond:
        FAILED.append(what)
        print("FAIL: " + what)
    return cond


def done(name):
    if FAILED:
        print("%s: %d check(s) failed" % (name, len(FAILED)))
        sys.exit(1)
    print("%s: all checks passed" % name)
    sys.exit(0)
