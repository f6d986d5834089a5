#!/usr/bin/env python3
"""Neuromodulator channels and timed events, end to end with the rstdp rule.

tests/integration/data/reward.yaml pairs input 0 three times and input 1 twice with the
output neuron (pre 5 ms before post), then a dopamine event at 1.5 s.  The expected
weight change is computed here, independently of the plugin, from the model's equations:
eligibility c from all-to-all pair STDP (A+ w_max e^{-dt/tau+}, -A- w_max e^{-dt/tau-}),
decaying with tau_c; dopamine d jumping by 1 at the event and decaying with tau_d toward
baseline 0; dw = integral of c d dt (t in s) from the event to the end of the run.

usage: test_neuromodulators.py REWIRE SOURCE_ROOT
"""
import math
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from tap import Tap, run  # noqa: E402

rewire, root = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
exp = os.path.join(root, "tests", "integration", "data", "reward.yaml")
t = Tap()

# rstdp defaults (plugins/learning/rstdp/README.md) and the experiment's values.
A_PLUS, A_MINUS, TAU_PLUS, TAU_MINUS, TAU_C, W_MAX = 0.025, 0.0375, 20.0, 20.0, 1000.0, 10.0
TAU_D, END = 200.0, 2000.0
PRE = {0: [100.0, 600.0, 1100.0], 1: [350.0, 850.0]}


def eligibility(pre_times, post_times, t_reward):
    c = 0.0
    for tp in pre_times:
        for tq in post_times:
            if tq >= tp:   # LTP, at the post spike
                c += A_PLUS * W_MAX * math.exp(-(tq - tp) / TAU_PLUS) * math.exp(-(t_reward - tq) / TAU_C)
            else:          # LTD, at the pre spike
                c -= A_MINUS * W_MAX * math.exp(-(tp - tq) / TAU_MINUS) * math.exp(-(t_reward - tp) / TAU_C)
    return c


def expected(post_times, t_reward, pulse=1.0):
    k = 1000.0 / TAU_C + 1000.0 / TAU_D          # 1/s: c and d both decay after the event
    integral = pulse * (1.0 - math.exp(-k * (END - t_reward) / 1000.0)) / k
    return [1.0 + eligibility(PRE[i], post_times, t_reward) * integral for i in (0, 1)]


def final_weights(out, *extra):
    r = run([rewire, "run", exp, "--out", out, "--quiet", *extra])
    if not t.check(r.returncode == 0, f"run {' '.join(extra) or '(as written)'}", r.stderr):
        return None, None
    w = np.load(os.path.join(out, "w.npy"))
    post = np.load(os.path.join(out, "post_spikes.npy"))["t_ms"]
    return w[w["t_ms"] == w["t_ms"].max()]["weight"], post


# float32 weights near 1.2 are spaced 1.2e-7 apart; the rule integrates over ~5000
# slices with a residual carry, so 2e-6 is well above rounding and far below any model
# error (a wrong tau_d or event time changes the result by > 1e-2).
TOL = 2e-6
with tempfile.TemporaryDirectory() as tmp:
    w, post = final_weights(os.path.join(tmp, "a"))
    if w is not None:
        t.check(len(post) > 0 and all(any(0 < q - p <= 12 for p in PRE[0] + PRE[1]) for q in post),
                "the output fires only just after the inputs (forced pairings)", post)
        want = expected(post, 1500.0)
        t.check(abs(w[0] - want[0]) < TOL and abs(w[1] - want[1]) < TOL,
                f"reward at 1.5 s: weights {w[0]:.7f}, {w[1]:.7f} as predicted {want[0]:.7f}, {want[1]:.7f}")
        t.check(w[0] > w[1] > 1.0, "the synapse paired more often gains more")

    w, _ = final_weights(os.path.join(tmp, "b"), "--set", "timeline.0.events=[]")
    if w is not None:
        t.check(np.all(w == 1.0), "without dopamine (baseline 0, no event) the weights do not move", w)

    w, post = final_weights(os.path.join(tmp, "c"), "--set", "timeline.0.events.0.at=1.9 s")
    if w is not None:
        want = expected(post, 1900.0)
        t.check(abs(w[0] - want[0]) < TOL and abs(w[1] - want[1]) < TOL,
                f"reward at 1.9 s: the eligibility has decayed: {w[0]:.7f} as predicted {want[0]:.7f}")

    w_set, _ = final_weights(os.path.join(tmp, "d"), "--set", "timeline.0.events=[{at: 1.5 s, set: {dopamine: 1}}]")
    w_add, _ = final_weights(os.path.join(tmp, "e"), "--set", "timeline.0.events=[{at: 1.5 s, add: {dopamine: 1}}]")
    if w_set is not None and w_add is not None:
        t.check(np.array_equal(w_set, w_add), "'set' to 1 from baseline 0 equals 'add' 1")

    w2, post = final_weights(os.path.join(tmp, "f"), "--set",
                             "timeline.0.events=[{at: 1.5 s, add: {dopamine: 0.5}}, {at: 1.5 s, add: {dopamine: 0.5}}]")
    w1, _ = final_weights(os.path.join(tmp, "g"))
    if w2 is not None and w1 is not None:
        t.check(np.allclose(w2, w1, atol=TOL), "two events at one time add up", (w2, w1))
t.done()
