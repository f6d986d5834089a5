#!/usr/bin/env python3
"""The `synapses` record kind end to end: `{synapses: PROJ, interval: I}` gives a metric
channel with columns t_ms, index (0: a scalar), value in csv and npy, one row at t = 0, every multiple of I
and the end, each the projection's synapse count (the summary's); `interval` defaults
to 100 ms; an unknown projection or key is a load error (exit 2) naming it.

usage: test_record_synapses.py REWIRE SOURCE_ROOT
"""
import csv
import json
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from tap import Tap, run  # noqa: E402

rewire = os.path.abspath(sys.argv[1])
t = Tap()

EXPERIMENT = """
experiment: {{name: count, dt: 0.1 ms, seed: 3}}
populations:
  src: {{model: poisson, size: 50, rate: 10 Hz}}
  cells: {{model: lif_cuba, size: 20}}
projections:
  ff: {{from: src, to: cells, connect: {{rule: fixed_probability, p: 0.2}}, weight: 50 pA, delay: 1 ms}}
record:
{record}
timeline: [{{phase: run, duration: 250 ms}}]
outputs: [{{plugin: summary}}, {{plugin: csv}}, {{plugin: npy}}]
"""


def write(tmp, name, record):
    path = os.path.join(tmp, name + ".yaml")
    with open(path, "w") as f:
        f.write(EXPERIMENT.format(record=record))
    return path


with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "out")
    path = write(tmp, "good", "  n_ff: {synapses: ff, interval: 50 ms}\n  n_default: {synapses: ff}")
    r = run([rewire, "run", path, "--out", out, "--quiet"])
    t.check(r.returncode == 0, "a run recording synapse counts succeeds", r.stderr)
    summary = json.load(open(os.path.join(out, "summary.json"))) if r.returncode == 0 else {}
    n_syn = summary.get("projections", {}).get("ff", {}).get("synapses", -1)
    rows = []
    if r.returncode == 0:
        with open(os.path.join(out, "n_ff.csv")) as f:
            rows = list(csv.reader(f))
    t.check(rows[:1] == [["t_ms", "index", "value"]], "csv columns: t_ms, index, value", rows[:2])
    t.check(all(x[1] == "0" for x in rows[1:]), "index 0 on every row (a scalar)", rows[:3])
    times = [float(x[0]) for x in rows[1:]]
    values = [float(x[2]) for x in rows[1:]]
    t.check(times == [0, 50, 100, 150, 200, 250], "a row at t = 0, every 50 ms and the end",
            times)
    t.check(n_syn > 100 and values == [n_syn] * len(times),
            f"every row counts the projection's {n_syn} synapses (the summary's)", values)
    npy = np.load(os.path.join(out, "n_ff.npy")) if r.returncode == 0 else None
    t.check(npy is not None and list(npy.dtype.names) == ["t_ms", "index", "value"] and
            list(npy["value"]) == values, "npy: the same table", npy)
    default = np.load(os.path.join(out, "n_default.npy")) if r.returncode == 0 else None
    t.check(default is not None and list(default["t_ms"]) == [0, 100, 200, 250],
            "interval defaults to 100 ms", default)

    bad = write(tmp, "bad_proj", "  n: {synapses: nope}")
    r = run([rewire, "run", bad, "--out", os.path.join(tmp, "x"), "--quiet"])
    t.check(r.returncode == 2 and "nope" in r.stderr, "an unknown projection: exit 2, named",
            r.stderr)
    bad = write(tmp, "bad_key", "  n: {synapses: ff, bin: 10 ms}")
    r = run([rewire, "run", bad, "--out", os.path.join(tmp, "y"), "--quiet"])
    t.check(r.returncode == 2 and "bin" in r.stderr, "an unknown key: exit 2, named", r.stderr)

t.done()
