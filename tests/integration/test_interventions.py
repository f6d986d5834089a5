#!/usr/bin/env python3
"""Input interventions in real runs (tests/integration/data/interventions.yaml, cimt.yaml):
the spike rates of the driven channels rise during their windows as the plugins define
(docs/interventions.md), suppressed channels fall silent, and every channel returns to
its own rate after.  Rates are counted from the recorded spikes of 40 Poisson sources;
tolerances are 4 standard deviations of the Poisson count (sqrt(rate * 40 * T) / (40 T)).

usage: test_interventions.py REWIRE SOURCE_ROOT
"""
import math
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from tap import Tap, run  # noqa: E402

rewire, root = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
data = os.path.join(root, "tests", "integration", "data")
t = Tap()
N = 40


def spikes(out, name):
    return np.load(os.path.join(out, name + ".npy"))["t_ms"]


def rate_in(times, intervals):
    """Mean rate per source (Hz) over a list of [a, b) intervals in ms."""
    total = sum(b - a for a, b in intervals)
    n = sum(np.count_nonzero((times >= a) & (times < b)) for a, b in intervals)
    return n / N / (total / 1000.0), total


def check_rate(times, intervals, want, what):
    got, total = rate_in(times, intervals)
    tol = 4 * math.sqrt(max(want, 1.0) * N * total / 1000.0) / (N * total / 1000.0)
    t.check(abs(got - want) <= tol, f"{what}: {got:.2f} Hz, expected {want:g} +- {tol:.2f}")


def reps(first_ms, on):
    """The 100 ms repetitions (on=True) or the gaps between them (on=False) of practice's
    window [1000, 2000) ms: repetition k covers [1000 + 200 k, 1100 + 200 k)."""
    return [(first_ms + 200 * k + (0 if on else 100), first_ms + 200 * k + (100 if on else 200))
            for k in range(5)]


with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "iv")
    r = run([rewire, "run", os.path.join(data, "interventions.yaml"), "--out", out, "--quiet"])
    if t.check(r.returncode == 0, "interventions.yaml runs", r.stderr):
        a, b, eye, world = (spikes(out, c) for c in ("a", "b", "eye", "world"))
        check_rate(a, [(0, 1000)], 5, "hand_a before practice")
        check_rate(a, reps(1000, True), 55, "hand_a during practice's repetitions (5 + 50 Hz)")
        check_rate(a, reps(1000, False), 5, "hand_a between repetitions")
        check_rate(a, [(2000, 4000)], 5, "hand_a after practice")
        # mirror: hand_b gets hand_a's output rate (5 or 55 Hz) on top of its own 5 Hz
        check_rate(b, [(0, 1000)], 5, "hand_b before mirror")
        check_rate(b, reps(1000, True), 60, "hand_b mirrors hand_a's repetitions (5 + 55 Hz)")
        check_rate(b, reps(1000, False) + [(2000, 3000)], 10, "hand_b mirrors hand_a at rest (5 + 5 Hz)")
        check_rate(b, [(3000, 4000)], 5, "hand_b after mirror")
        # deprivation
        check_rate(eye, [(0, 1000)], 10, "eye before deprivation")
        quiet = np.count_nonzero(((eye >= 1000) & (eye < 2000)) | ((eye >= 2500) & (eye < 3000)))
        t.check(quiet == 0, f"the deprived eye sends no spike (factor 0): {quiet}")
        check_rate(eye, [(2000, 2500)], 4, "nested partial deprivation: only its 4 Hz diffuse drive")
        check_rate(eye, [(3000, 4000)], 10, "eye after deprivation: its own 10 Hz again")
        # enrichment: bumps of 20..40 Hz peak somewhere in each 250 ms pattern
        check_rate(world, [(0, 1000)], 2, "world before enrichment")
        got, _ = rate_in(world, [(1000, 3000)])
        t.check(got > 2 + 3, f"world during enrichment: {got:.1f} Hz, well above its own 2 Hz")
        per = [np.bincount(np.load(os.path.join(out, "world.npy"))["neuron"][(world >= lo) & (world < lo + 250)],
                           minlength=N) for lo in range(1000, 3000, 250)]
        t.check(len({int(np.argmax(p)) for p in per}) >= 3,
                "the most driven source moves from pattern to pattern", [int(np.argmax(p)) for p in per])
        check_rate(world, [(3000, 4000)], 2, "world after enrichment")

    out = os.path.join(tmp, "cimt")
    r = run([rewire, "run", os.path.join(data, "cimt.yaml"), "--out", out, "--quiet"])
    if t.check(r.returncode == 0, "cimt.yaml runs", r.stderr):
        a, b = spikes(out, "a"), spikes(out, "b")
        sessions = [(0, 500), (1000, 1500), (2000, 2500), (3000, 3500)]
        rest = [(500, 1000), (1500, 2000), (2500, 3000), (3500, 5000)]
        check_rate(a, sessions, 50, "affected hand during sessions (5 + 45 Hz)")
        check_rate(a, rest, 5, "affected hand between sessions and after")
        silent = sum(np.count_nonzero((b >= lo) & (b < hi)) for lo, hi in sessions)
        t.check(silent == 0, f"the constrained hand sends no spike in a session: {silent}")
        check_rate(b, rest, 5, "constrained hand between sessions and after: its own 5 Hz")

t.done()
