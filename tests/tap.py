"""A minimal TAP producer for rewire's Python tests (meson runs them with protocol 'tap')."""
import os
import subprocess
import sys


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def check(self, ok, what, detail=None):
        self.n += 1
        print(f"{'ok' if ok else 'not ok'} {self.n} - {what}", flush=True)
        if not ok:
            self.failed += 1
            if detail:
                for line in str(detail).splitlines()[:40]:
                    print(f"#   {line}")
        return ok

    def note(self, msg):
        for line in str(msg).splitlines():
            print(f"# {line}", flush=True)

    def done(self):
        print(f"1..{self.n}", flush=True)
        sys.exit(1 if self.failed else 0)


def rewire_env():
    """The environment for running rewire in tests: only the build's plugins."""
    env = dict(os.environ)
    env["REWIRE_PLUGIN_PATH"] = ""
    env.pop("REWIRE_PLUGIN_SYSTEM_PATH", None)
    return env


def run(cmd, **kw):
    """Run a command, capturing text output; never raises on a non-zero exit."""
    kw.setdefault("env", rewire_env())
    return subprocess.run(cmd, capture_output=True, text=True, timeout=kw.pop("timeout", 300), **kw)
