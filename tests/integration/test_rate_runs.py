#!/usr/bin/env python3
"""Rate populations end to end (tests/integration/data/rate_small.yaml): `rewire run`
writes every channel; results are byte-identical across slice sizes; the recorded input
shows its noisy patterns; at the end of each presentation the units sit at the fixed
point r = min(gain [W x + L r + I_bias - threshold]_+, r_max) that numpy computes from the
recorded input and weights; the rate channel is the mean of r; a rate learning rule runs
on a rate projection when one is installed.

usage: test_rate_runs.py REWIRE SOURCE_ROOT
"""
import filecmp
import json
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from tap import Tap, run  # noqa: E402

rewire, root = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
small = os.path.join(root, "tests", "integration", "data", "rate_small.yaml")
t = Tap()
CHANNELS = ["stim_r", "cells_r", "cells_rate", "readout_r", "w_ff", "w_lateral"]
# The file's parameters (cells), for the fixed point.
GAIN, THRESHOLD, BIAS, R_MAX = 1.5, 8.0, 1.0, 100.0
INTERVAL, DELAY_FF, DURATION = 50.0, 2.0, 500.0
PATTERNS = np.array([[20, 20, 20, 0, 0, 0], [0, 0, 0, 20, 20, 20]], dtype=float)


def do_run(out, *extra):
    r = run([rewire, "run", small, "--out", out, "--quiet", *extra])
    t.check(r.returncode == 0, f"run {' '.join(extra) or '(default)'} succeeds", r.stderr)
    return r


def weight_matrix(w, n_pre, n_post):
    """W[post, pre] from the first snapshot of a weights channel."""
    first = w[w["t_ms"] == 0]
    m = np.zeros((n_post, n_pre))
    np.add.at(m, (first["post"], first["pre"]), first["weight"])
    return m, len(first)


with tempfile.TemporaryDirectory() as tmp:
    a, b, c = (os.path.join(tmp, x) for x in "abc")
    do_run(a)
    do_run(b, "--slice-steps", "1")
    do_run(c, "--seed", "8")
    for name in CHANNELS:
        f = f"{name}.npy"
        t.check(filecmp.cmp(os.path.join(a, f), os.path.join(b, f), shallow=False),
                f"{f} is byte-identical with one-step slices")
    load = lambda d, name: np.load(os.path.join(d, f"{name}.npy"))  # noqa: E731
    stim, cells = load(a, "stim_r"), load(a, "cells_r")
    t.check(not np.array_equal(stim["value"], load(c, "stim_r")["value"]),
            "another seed gives other input noise")

    # The input: 6 units sampled every 1 ms; each 50 ms presentation holds one noisy
    # pattern (noise sd 1 Hz, clipped at 0).
    x = stim["value"].reshape(-1, 6)
    t.check(x.shape == (500, 6) and np.all(x >= 0), "stim: 500 samples of 6 rates >= 0", x.shape)
    per = x.reshape(10, 50, 6)
    t.check(np.all(per == per[:, :1, :]), "each presentation holds its rates for 50 ms")
    shown = [int(np.argmin([np.abs(p[0] - q).max() for q in PATTERNS])) for p in per]
    worst = max(np.abs(p[0] - PATTERNS[k]).max() for p, k in zip(per, shown))
    t.check(worst < 5.0 and len(set(shown)) == 2,
            f"presentations show pattern A or B plus 1 Hz noise (order {shown}, worst {worst:.2f} Hz)")

    # The fixed point at the end of each presentation: r has relaxed for 48 ms, 17 times
    # its slowest time constant 2.5 ms / (1 - 1.5 x 0.05) = 2.7 ms, so it is within
    # e^-17 = 4e-8 of the last jump (at most ~25 Hz), 1e-6 Hz: tolerance 1e-5 Hz.
    W, n_ff = weight_matrix(load(a, "w_ff"), 6, 4)
    L, _ = weight_matrix(load(a, "w_lateral"), 4, 4)
    r_all = cells["value"].reshape(-1, 4)
    t.check(r_all.shape == (5000, 4) and np.all((r_all >= 0) & (r_all <= R_MAX)),
            "cells: r every step, within [0, r_max]", r_all.shape)
    worst, active = 0.0, 0
    for k in range(10):
        t_end = (k + 1) * INTERVAL - 1.0                     # ms, in presentation k
        inp = x[int(t_end - DELAY_FF)]                       # x(t - delay): same presentation
        r = np.zeros(4)
        for _ in range(200):                                 # a contraction: gain |L| < 1
            r = np.minimum(GAIN * np.maximum(W @ inp + L @ r + BIAS - THRESHOLD, 0), R_MAX)
        got = r_all[int(round(t_end / 0.1))]
        worst = max(worst, np.max(np.abs(got - r)))
        active += int(np.sum(r > 1))
    t.check(worst < 1e-5 and 5 <= active <= 35,
            f"r at the end of each presentation = gain [W x + L r + I_bias - threshold]_+ "
            f"(worst error {worst:.2g} Hz; {active} of 40 unit-presentations above 1 Hz)")

    rate = load(a, "cells_rate")
    want = r_all.reshape(50, 100, 4).mean(axis=(1, 2))
    t.check(len(rate) == 50 and np.allclose(rate["t_ms"], np.arange(50) * 10.0) and
            np.allclose(rate["rate_hz"], want, rtol=1e-12, atol=1e-12),
            "rate channel: the mean of r over each 10 ms bin and the units",
            (len(rate), rate["rate_hz"][:3], want[:3]))
    ro = load(a, "readout_r")
    t.check(len(ro) == 1000 and set(np.unique(ro["neuron"])) == {1} and ro["value"].max() > 0,
            "readout: the chosen unit every 0.5 ms, driven by the cells", (len(ro), ro["value"].max()))

    summ = json.load(open(os.path.join(a, "summary.json")))
    pops = summ["populations"]
    t.check(pops["stim"]["model"] == "rate_input" and pops["cells"]["model"] == "rate" and
            summ["projections"]["ff"]["synapses"] == n_ff,
            "summary names the rate models and the synapse count", summ["populations"])
    with open(os.path.join(a, "cells_r.csv")) as f:
        t.check(f.readline().strip() == "t_ms,neuron,value", "cells_r.csv has t_ms,neuron,value")

    # A rate rule on a rate projection, when the build has one (bcm): the host fills the
    # view's rates, so the rule starts, runs and moves the weights.
    listing = run([rewire, "plugins"]).stdout
    if any(line.split()[:2] == ["learning-rule", "bcm"] for line in listing.splitlines()):
        d = os.path.join(tmp, "d")
        r = do_run(d, "--set", "projections.ff.plasticity={rule: bcm, params: {eta: 1e-4}}")
        w = load(d, "w_ff") if r.returncode == 0 else None
        moved = w is not None and not np.array_equal(w[w["t_ms"] == 0]["weight"],
                                                     w[w["t_ms"] == DURATION]["weight"])
        t.check(moved and np.all(np.isfinite(w["weight"])), "bcm on ff changes its weights")
    else:
        t.check(True, "# SKIP the bcm plugin is not built")
        t.check(True, "# SKIP the bcm plugin is not built")
t.done()
