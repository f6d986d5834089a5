#!/usr/bin/env python3
"""The malformed-experiment corpus: every file in tests/malformed/ must be refused by
`rewire validate` with exit status 2, printing exactly the errors its header promises,
without crashing (a sanitizer report or a signal fails the test).

Each corpus file starts with comment lines of the form
    # expect: LINE:COL: error: MESSAGE
(or "# expect: error: MESSAGE" for errors without a position, or a "note:").  Each one
must appear, prefixed by the file's path, as a whole line of stderr; and stderr must hold
no other "error:" lines than those expected.  Files may set overrides with
    # args: --set a.b=c
in which case expectations may name "--set:N:COL" positions with "# expect-raw: ...".

usage: test_malformed.py REWIRE SOURCE_ROOT
"""
import glob
import os
import shlex
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from tap import Tap, run  # noqa: E402

rewire, root = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
corpus = sorted(glob.glob(os.path.join(root, "tests", "malformed", "*.yaml")))
t = Tap()
t.check(len(corpus) >= 40, f"the corpus has at least 40 files ({len(corpus)})")

for path in corpus:
    name = os.path.basename(path)
    rel = os.path.relpath(path, root)
    expects, args = [], []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("# expect: "):
                exp = line[len("# expect: "):].rstrip("\n")
                expects.append(f"{rel}:{exp}" if not exp.startswith("error:") else f"{rel}: {exp}")
            elif line.startswith("# expect-raw: "):
                expects.append(line[len("# expect-raw: "):].rstrip("\n"))
            elif line.startswith("# args: "):
                args += shlex.split(line[len("# args: "):])
    r = run([rewire, "validate", rel, *args], cwd=root)
    err_lines = r.stderr.splitlines()
    crashed = r.returncode < 0 or "Sanitizer" in r.stderr or "runtime error" in r.stderr
    ok = r.returncode == 2 and not crashed and expects
    missing = [e for e in expects if e not in err_lines]
    expected_errors = [e for e in expects if ": error: " in e or e.startswith(f"{rel}: error:")]
    extra = [l for l in err_lines if " error: " in l and l not in expects]
    t.check(ok and not missing and not extra and len(expected_errors) > 0,
            f"{name}: exit 2 with exactly the expected errors",
            f"exit {r.returncode}\nmissing: {missing}\nunexpected: {extra}\nstderr:\n{r.stderr}")
t.done()
