#!/usr/bin/env python3
"""The command line: help, version, exit statuses, plugin listing, usage errors.

usage: test_cli.py REWIRE SOURCE_ROOT
"""
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from tap import Tap, run  # noqa: E402

rewire, root = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
small = os.path.join(root, "tests", "integration", "data", "small.yaml")
t = Tap()

r = run([rewire, "--version"])
t.check(r.returncode == 0 and r.stdout.startswith("rewire ") and "ABI 1." in r.stdout,
        "--version prints the version and the plugin ABI", r.stdout + r.stderr)

r = run([rewire, "--help"])
t.check(r.returncode == 0 and "usage: rewire" in r.stdout and "validate" in r.stdout,
        "--help prints usage on stdout and exits 0", r.stdout + r.stderr)
for sub in ("run", "validate", "plugins"):
    r = run([rewire, sub, "--help"])
    t.check(r.returncode == 0 and f"usage: rewire {sub}" in r.stdout, f"{sub} --help", r.stdout + r.stderr)

r = run([rewire])
t.check(r.returncode == 2 and "usage" in r.stderr, "no command: usage on stderr, exit 2", r.stderr)
r = run([rewire, "rnu"])
t.check(r.returncode == 2 and "unknown command 'rnu'; did you mean 'run'?" in r.stderr,
        "unknown command: exit 2 with a did-you-mean", r.stderr)
r = run([rewire, "run"])
t.check(r.returncode == 2 and "expected an experiment file" in r.stderr, "run without a file: exit 2", r.stderr)
r = run([rewire, "run", small, "--sede", "3"])
t.check(r.returncode == 2 and "--sede" in r.stderr, "unknown option: exit 2 naming it", r.stderr)
r = run([rewire, "run", small, "--seed", "-4"])
t.check(r.returncode == 2 and "--seed expects a non-negative integer" in r.stderr, "bad --seed: exit 2", r.stderr)
r = run([rewire, "run", "/nonexistent/exp.yaml"])
t.check(r.returncode == 2 and "/nonexistent/exp.yaml" in r.stderr and "cannot read" in r.stderr,
        "missing experiment file: exit 2 naming it", r.stderr)

with tempfile.TemporaryDirectory() as tmp:
    r = run([rewire, "validate", small])
    t.check(r.returncode == 0 and "ok" in r.stdout, "validate accepts a valid experiment", r.stdout + r.stderr)
    t.check(not os.path.exists(os.path.join(tmp, "runs")), "validate writes nothing")

    r = run([rewire, "run", small, "--out", os.path.join(tmp, "out"), "--quiet"])
    t.check(r.returncode == 0 and r.stdout == "", "run --quiet succeeds and prints nothing", r.stdout + r.stderr)
    t.check(os.path.exists(os.path.join(tmp, "out", "summary.json")), "run writes summary.json into --out")

    r = run([rewire, "run", small, "--out", os.path.join(tmp, "out2")])
    t.check(r.returncode == 0 and "simulated" in r.stdout and "cells" in r.stdout,
            "run prints a short summary", r.stdout + r.stderr)
    t.check("ETA" not in r.stderr, "no progress line when stderr is not a terminal", r.stderr)

    blocker = os.path.join(tmp, "file")
    open(blocker, "w").close()
    r = run([rewire, "run", small, "--out", os.path.join(blocker, "sub"), "--quiet"])
    t.check(r.returncode == 1 and "output folder" in r.stderr,
            "an output folder that cannot be created is a runtime failure (exit 1)", r.stderr)

    r = run([rewire, "run", small, "--out", os.path.join(tmp, "set"), "--quiet",
             "--set", "populations.input.rate=2 Hz", "--set", "timeline.1.duration=50 ms"])
    t.check(r.returncode == 0, "--set overrides are applied", r.stderr)
    import json
    with open(os.path.join(tmp, "set", "summary.json")) as f:
        summ = json.load(f)
    t.check(abs(summ["simulated_time_s"] - 0.25) < 1e-9, "--set changed the duration to 0.25 s",
            summ.get("simulated_time_s"))
    t.check(abs(summ["populations"]["input"]["rate_hz"] - 2) < 1.0,
            "--set changed the Poisson rate to about 2 Hz", summ["populations"]["input"])

    r = run([rewire, "run", small, "--out", os.path.join(tmp, "bad"), "--set", "populations.input.rate=2 mV"])
    t.check(r.returncode == 2 and "--set:1:" in r.stderr and "frequency" in r.stderr,
            "--set values are validated and located at the argument", r.stderr)
    r = run([rewire, "run", small, "--set", "populations.inptu.rate=2 Hz"])
    t.check(r.returncode == 2 and "did you mean 'input'" in r.stderr,
            "--set path with a typo gets a did-you-mean", r.stderr)

# The README's example experiment is real: extract it and run it.
readme = open(os.path.join(root, "README.md"), encoding="utf-8").read()
example = readme.split("```yaml\n", 1)[1].split("```", 1)[0]
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "hello.yaml")
    with open(path, "w") as f:
        f.write(example)
    r = run([rewire, "run", path, "--out", os.path.join(tmp, "hello"), "--quiet"])
    t.check(r.returncode == 0 and os.path.exists(os.path.join(tmp, "hello", "w.npy")),
            "the README's example experiment runs", r.stderr)
    t.check(len(example.strip().splitlines()) <= 10, "the README's example is ten lines")

r = run([rewire, "plugins"])
lines = r.stdout.splitlines()
t.check(r.returncode == 0, "plugins exits 0", r.stderr)
for kind, name in (("learning-rule", "stdp"), ("output", "csv"), ("output", "npy"), ("output", "summary")):
    row = [l for l in lines if l.split()[:2] == [kind, name]]
    t.check(len(row) == 1 and len(row[0].split()) >= 4, f"plugins lists {kind} {name} with version and summary",
            r.stdout)

r = run([rewire, "plugins", "stdp"])
t.check(r.returncode == 0 and "w_max" in r.stdout and "tau_plus" in r.stdout and "ms" in r.stdout
        and "(required)" in r.stdout and "additive" in r.stdout,
        "plugins stdp shows parameters with units, defaults, choices", r.stdout + r.stderr)
r = run([rewire, "plugins", "stdpp"])
t.check(r.returncode == 2 and "did you mean 'stdp'" in r.stderr, "plugins with a typo: exit 2, did you mean",
        r.stderr)
t.done()
