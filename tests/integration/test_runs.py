#!/usr/bin/env python3
"""Runs end to end: outputs are readable and consistent with each other, and results are
byte-identical across repeated runs and across slice sizes.

usage: test_runs.py REWIRE SOURCE_ROOT
"""
import csv
import filecmp
import json
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from tap import Tap, run  # noqa: E402

rewire, root = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
small = os.path.join(root, "tests", "integration", "data", "small.yaml")
t = Tap()
FILES = ["cell_spikes", "input_spikes", "cell_rate", "v", "w"]


def do_run(out, *extra):
    r = run([rewire, "run", small, "--out", out, "--quiet", *extra])
    t.check(r.returncode == 0, f"run {' '.join(extra) or '(default)'} succeeds", r.stderr)
    return r


with tempfile.TemporaryDirectory() as tmp:
    a, b, c, d = (os.path.join(tmp, x) for x in "abcd")
    do_run(a)
    do_run(b)
    do_run(c, "--slice-steps", "1")
    do_run(d, "--seed", "4")

    for name in FILES:
        for ext in ("npy", "csv"):
            f = f"{name}.{ext}"
            t.check(filecmp.cmp(os.path.join(a, f), os.path.join(b, f), shallow=False),
                    f"{f} is byte-identical across two runs with one seed")
            t.check(filecmp.cmp(os.path.join(a, f), os.path.join(c, f), shallow=False),
                    f"{f} is byte-identical with one-step slices")
    sa = np.load(os.path.join(a, "cell_spikes.npy"))
    sd = np.load(os.path.join(d, "cell_spikes.npy"))
    t.check(len(sa) != len(sd) or not np.array_equal(sa, sd), "another seed gives other spikes")

    summ = json.load(open(os.path.join(a, "summary.json")))
    t.check(summ["seed"] == 3 and abs(summ["simulated_time_s"] - 0.35) < 1e-9,
            "summary has the seed and the simulated time", summ)
    for key in ("rewire_version", "wall_time_s", "synaptic_events", "plugins", "projections", "populations"):
        t.check(key in summ, f"summary has {key}")
    names = {p["name"] for p in summ["plugins"]}
    t.check({"stdp", "npy", "csv", "summary"} <= names, "summary lists the plugins used", summ["plugins"])
    t.check(summ["populations"]["cells"]["spikes"] == len(sa),
            "summary spike count equals the recorded spikes", (summ["populations"]["cells"], len(sa)))

    t.check(sa.dtype.names == ("t_ms", "neuron"), "spikes.npy has fields t_ms, neuron", sa.dtype)
    t.check(np.all(np.diff(sa["t_ms"]) >= 0), "spikes are in time order")
    t.check(sa["neuron"].max() < 40 and sa["t_ms"].max() < 350, "spike neurons and times in range")
    cue_driven = sa[(sa["t_ms"] > 5) & (sa["t_ms"] < 12)]
    t.check(len(cue_driven) > 0, "the 10 nS kick from the cue at 5 ms makes cells fire",
            len(cue_driven))
    with open(os.path.join(a, "cell_spikes.csv")) as f:
        rows = list(csv.reader(f))
    t.check(rows[0] == ["t_ms", "neuron"] and len(rows) - 1 == len(sa), "spikes.csv matches spikes.npy",
            (rows[:2], len(rows), len(sa)))
    t.check(all(abs(float(r[0]) - x) < 1e-6 and int(r[1]) == n for r, (x, n) in zip(rows[1:], sa)),
            "csv and npy rows agree")

    rate = np.load(os.path.join(a, "cell_rate.npy"))
    t.check(len(rate) == 18 and np.allclose(rate["t_ms"][:3], [0, 20, 40]),
            "rate channel: 17 full 20 ms bins and a last partial one", rate[:3])
    expected = len(sa[sa["t_ms"] < 20]) / 40 / 0.020
    t.check(abs(rate["rate_hz"][0] - expected) < 1e-9, "first rate bin = spikes / neurons / bin",
            (rate["rate_hz"][0], expected))

    v = np.load(os.path.join(a, "v.npy"))
    t.check(set(np.unique(v["neuron"])) == {0, 3}, "state channel records the chosen neurons")
    t.check(len(v) == 2 * 350, "state sampled every 1 ms for 350 ms", len(v))
    t.check(np.all((v["value"] >= -80.0001) & (v["value"] < -49.99)), "v stays within [E_i, V_th]",
            (v["value"].min(), v["value"].max()))

    w = np.load(os.path.join(a, "w.npy"))
    times = np.unique(w["t_ms"])
    t.check(len(times) >= 4 and times[0] == 0, "weight snapshots at 0 and every 100 ms", times)
    last = w[w["t_ms"] == times[-1]]
    t.check(np.all((last["weight"] >= 0) & (last["weight"] <= 3.0 + 1e-6)), "STDP keeps weights within [0, w_max]")
    first = w[w["t_ms"] == 0]
    t.check(len(first) == len(last) and not np.array_equal(first["weight"], last["weight"]),
            "STDP changed the weights", len(first))
    t.check(abs(summ["projections"]["drive"]["synapses"] - len(first)) == 0,
            "summary synapse count equals the snapshot size")
t.done()
