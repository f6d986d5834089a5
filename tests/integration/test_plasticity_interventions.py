#!/usr/bin/env python3
"""The plasticity interventions in real runs.

- plasticity_boost: STDP on a feed-forward projection for 1 s; a boost of gain 4 over
  the phase makes the weights move (mean |w_end - w_0|) much more than without, and a
  gain of 0.25 much less (STDP's changes are proportional to plasticity_gain).
- critical_period: with g_max 4 closing with tau 200 ms, the weights move more in the
  first 200 ms than in the last 200 ms of a 1 s run, while without it they move about
  as much in both.
- sleep on a static projection: every weight ends at exactly downscale_target x its
  value (each neuron's total input at onset is above its target, so all its inputs are
  scaled by the same 0.8); the senses are off during the night except for replay, the
  replay comes only in bursts and only from sources that fired since the run began, and
  the number of replayed spikes is Poisson with the mean the replay drive predicts.

usage: test_plasticity_interventions.py REWIRE SOURCE_ROOT
"""
import math
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from tap import Tap, run  # noqa: E402

rewire = os.path.abspath(sys.argv[1])
t = Tap()

NETWORK = """
experiment: {{name: pi, dt: 0.1 ms, seed: {seed}}}
populations:
  src: {{model: poisson, size: 80, rate: 15 Hz}}
  cells:
    model: lif_coba
    size: 20
    params: {{C_m: 200 pF, tau_m: 20 ms, E_L: -60 mV, V_th: -50 mV, V_reset: -60 mV,
             t_ref: 2 ms, tau_e: 5 ms, tau_i: 10 ms, E_e: 0 mV, E_i: -80 mV}}
projections:
  ff:
    from: src
    to: cells
    connect: {{rule: fixed_probability, p: 0.5}}
    weight: {{uniform: [0.5 nS, 1.5 nS]}}
    delay: 1 ms
{plasticity}
record:
  w: {{weights: ff, interval: {w_interval}}}
  s: {{spikes: src}}
timeline:
{timeline}
{interventions}
outputs: [{{plugin: npy}}]
"""

STDP = "    plasticity: {rule: stdp, params: {w_max: 3 nS, A_plus: 0.002, A_minus: 0.0021}}"


def experiment(tmp, name, seed=7, plasticity=STDP, w_interval="200 ms",
               timeline="  - {phase: learn, duration: 1 s}", interventions=""):
    path = os.path.join(tmp, name + ".yaml")
    with open(path, "w") as f:
        f.write(NETWORK.format(seed=seed, plasticity=plasticity, w_interval=w_interval,
                               timeline=timeline, interventions=interventions))
    out = os.path.join(tmp, name)
    r = run([rewire, "run", path, "--out", out, "--quiet"])
    t.check(r.returncode == 0, f"run '{name}' succeeds", r.stderr)
    return out if r.returncode == 0 else None


def weights(out):
    """{t_ms: weight array in snapshot order} (synapse order is the same in each)."""
    w = np.load(os.path.join(out, "w.npy"))
    return {float(tm): w["weight"][w["t_ms"] == tm].astype(float)
            for tm in np.unique(w["t_ms"])}


def mean_change(out, t0, t1):
    w = weights(out)
    return float(np.mean(np.abs(w[t1] - w[t0])))


def top(plugin, params, extra=""):
    return f"interventions:\n  - {{plugin: {plugin}, {extra}params: {params}}}"


with tempfile.TemporaryDirectory() as tmp:
    # ---- plasticity_boost ----
    base = experiment(tmp, "no_boost")
    boost = experiment(tmp, "boost", interventions=top(
        "plasticity_boost", "{projections: ff, gain: 4}"))
    slow = experiment(tmp, "slow", interventions=top(
        "plasticity_boost", "{projections: [ff], gain: 0.25}"))
    if base and boost and slow:
        d0, d4, dq = (mean_change(o, 0.0, 1000.0) for o in (base, boost, slow))
        t.note(f"mean |dw| over 1 s: gain 1 {d0:.4g}, gain 4 {d4:.4g}, gain 0.25 {dq:.4g} nS")
        t.check(d0 > 0, "STDP moves the weights without a boost")
        t.check(d4 > 2.5 * d0, "a boost of 4 moves them far more (> 2.5 x)", (d4, d0))
        t.check(dq < 0.5 * d0, "a gain of 0.25 far less (< 0.5 x)", (dq, d0))

    # ---- critical_period ----
    cp = experiment(tmp, "cp", interventions=top(
        "critical_period", "{projections: ff, g_max: 4, g_min: 0.5, tau: 200 ms}"))
    if base and cp:
        early, late = mean_change(cp, 0.0, 200.0), mean_change(cp, 800.0, 1000.0)
        b_early, b_late = mean_change(base, 0.0, 200.0), mean_change(base, 800.0, 1000.0)
        t.note(f"critical period: early {early:.4g}, late {late:.4g}; "
               f"without: {b_early:.4g}, {b_late:.4g} nS")
        t.check(early > 3 * late, "in a critical period early changes dwarf late ones",
                (early, late))
        t.check(b_early < 2 * b_late, "without one they are of the same order",
                (b_early, b_late))

    # ---- sleep ----
    # Day 1 (300 ms): sources 0-39 are kept silent by a first sleep instance used as a
    # plain silencer, so only 40-79 have recent activity.  Night (200 ms): senses off,
    # replay in bursts of 50 ms every 100 ms at 40 Hz peak, downscaling to 0.8.
    timeline = """  - phase: day
    duration: 300 ms
    interventions:
      - {plugin: sleep, params: {inputs: {population: src, indices: [0, 40]}}}
  - phase: night
    duration: 200 ms
    interventions:
      - plugin: sleep
        params: {inputs: src, replay: src, replay_rate: 40 Hz, burst: 50 ms,
                 burst_interval: 100 ms, projections: ff, downscale_target: 0.8}
  - {phase: morning, duration: 100 ms}"""
    night = experiment(tmp, "sleep", plasticity="", w_interval="1 s", timeline=timeline)
    if night:
        w = weights(night)
        w0, w1 = w[0.0], w[max(w)]
        t.check(len(w0) > 0 and np.allclose(w1, 0.8 * w0, rtol=1e-5, atol=0),
                "every weight ends at 0.8 x its value (each neuron's total above target)",
                np.max(np.abs(w1 / w0 - 0.8)) if len(w0) else None)
        s = np.load(os.path.join(night, "s.npy"))
        tm, n = s["t_ms"].astype(float), s["neuron"].astype(int)
        day = (tm < 300.0)
        t.check(not np.any(day & (n < 40)), "sources 0-39 silenced during the day")
        t.check(np.sum(day & (n >= 40)) > 100, "sources 40-79 fired during the day")
        in_night = (tm >= 300.0) & (tm < 500.0)
        # Burst edges fall on slice boundaries: allow one 1 ms slice of lag.
        in_burst = in_night & (((tm - 300.0) % 100.0) < 51.0)
        t.check(not np.any(in_night & ~in_burst), "at night nothing fires between bursts",
                tm[in_night & ~in_burst][:10])
        t.check(not np.any(in_night & (n < 40)),
                "sources silent all day replay nothing at night")
        counts = np.bincount(n[day], minlength=80).astype(float)
        rate = 40.0 * counts / counts.max()                 # Hz per source during bursts
        expected = float(np.sum(rate) * 2 * 0.050)          # two bursts of 50 ms
        got = int(np.sum(in_night))
        t.note(f"replayed spikes: {got}, predicted mean {expected:.1f}")
        t.check(abs(got - expected) < 4 * math.sqrt(expected) + 0.02 * expected,
                "replayed spikes match the drive the day's counts predict", (got, expected))
        morning = tm >= 500.0
        t.check(np.sum(morning & (n < 40)) > 20, "the senses are back in the morning")

t.done()
