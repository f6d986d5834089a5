#!/usr/bin/env python3
"""Injuries in the kernel: after synapses are removed (or neurons killed) no spike is
ever delivered through them, including spikes already in flight in the delay buffers at
the moment of the cut; the input that remains is exactly what a network without those
spikes would hold; recorded synapse counts reflect the cut.

The injuries are tests/integration/plugins/test_injuries.c (test_cut, test_kill), which
call the host's remove_synapses / kill_neurons directly.

usage: test_injury_core.py REWIRE SOURCE_ROOT TEST_PLUGIN_DIR
"""
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from tap import Tap, run  # noqa: E402

rewire = os.path.abspath(sys.argv[1])
plugin_dir = os.path.abspath(sys.argv[3])
from tap import rewire_env  # noqa: E402
env = dict(rewire_env(), REWIRE_PLUGIN_PATH=plugin_dir)
t = Tap()

CELL = "{C_m: 250 pF, tau_m: 10 ms, E_L: -70 mV, V_th: -55 mV, V_reset: -70 mV, t_ref: 2 ms}"


def go(tmp, name, text):
    path = os.path.join(tmp, name + ".yaml")
    with open(path, "w") as f:
        f.write(text)
    out = os.path.join(tmp, name)
    r = run([rewire, "run", path, "--out", out, "--quiet"], env=env)
    t.check(r.returncode == 0, "%s: the run succeeds" % name, r.stderr)
    return out


def npy(out, channel):
    path = os.path.join(out, channel + ".npy")
    return np.load(path) if os.path.exists(path) else None


# ---- 1. one spike in flight through a 5 ms synapse when the synapse is cut ----
ONE = """
experiment: {{name: one, dt: 0.1 ms, seed: 1}}
populations:
  src: {{model: spike_times, size: 1, spikes: [[1 ms]]}}
  post: {{model: lif_cuba, size: 1, params: %s}}
projections:
  a: {{from: src, to: post, connect: {{rule: all_to_all}}, weight: 800 pA, delay: 5 ms}}
record:
  ie: {{state: post, variable: g_e}}
  n_a: {{synapses: a, interval: 1 ms}}
timeline:
  - phase: run
    duration: 20 ms
{injuries}
outputs: [{{plugin: npy}}]
""" % CELL.replace("{", "{{").replace("}", "}}")


def one(tmp, name, at):
    inj = ("    injuries: [{plugin: test_cut, at: %s, params: {target: a}}]" % at) if at else ""
    return go(tmp, name, ONE.format(injuries=inj))


with tempfile.TemporaryDirectory() as tmp:
    intact = npy(one(tmp, "intact", None), "ie")
    cut_in_flight = one(tmp, "cut_in_flight", "3 ms")
    cut_after = npy(one(tmp, "cut_after", "8 ms"), "ie")
    ie = npy(cut_in_flight, "ie")
    ok = intact is not None and ie is not None and cut_after is not None
    t.check(ok and intact["value"].max() > 0,
            "control: without the cut the spike emitted at 1 ms arrives at 6 ms")
    t.check(ok and np.all(ie["value"] == 0.0),
            "cut at 3 ms, spike in flight: the target never receives it",
            ie["value"].max() if ok else None)
    t.check(ok and cut_after["value"].max() == intact["value"].max(),
            "cut at 8 ms, after the arrival: the input had already been delivered")
    n_a = npy(cut_in_flight, "n_a")
    # A snapshot at the injury's own time shows the network just before it (records at
    # t show the state after the steps before t; the injury applies before step t).
    t.check(n_a is not None and n_a["value"][n_a["t_ms"] <= 3].tolist() == [1.0] * 4 and
            np.all(n_a["value"][n_a["t_ms"] > 3] == 0),
            "the recorded synapse count drops from 1 to 0 after the cut",
            n_a.tolist() if n_a is not None else None)

# ---- 2. exact: cutting a projection at T equals never sending its last spikes ----
# src_a reaches post through a single 5 ms delay, so every spike src_a emits in
# [T - 5 ms, T) is in flight at T.  A run that cuts `a` at T must be bit for bit a run
# whose src_a stops firing at T - 5 ms (with src_b and its random delays untouched).
rng = np.random.default_rng(7)
times = np.sort(rng.uniform(0.0, 100.0, size=(20, 12)), axis=1).round(1)
T = 50.0


def spikes(limit):
    rows = []
    for row in times:
        kept = [x for x in row if x < limit]
        rows.append("[" + ", ".join("%g ms" % x for x in kept) + "]")
    return "[" + ", ".join(rows) + "]"


EXACT = """
experiment: {{name: exact, dt: 0.1 ms, seed: 5}}
populations:
  src_a: {{model: spike_times, size: 20, spikes: {spikes}}}
  src_b: {{model: poisson, size: 50, rate: 20 Hz}}
  post: {{model: lif_cuba, size: 20, params: %s}}
projections:
  a: {{from: src_a, to: post, connect: {{rule: fixed_probability, p: 0.5}}, weight: 60 pA, delay: 5 ms}}
  b: {{from: src_b, to: post, connect: {{rule: fixed_probability, p: 0.3}}, weight: 45 pA,
      delay: {{uniform: [1 ms, 5 ms]}}}}
record:
  ie: {{state: post, variable: g_e}}
  v: {{state: post, variable: v}}
  s: {{spikes: post}}
timeline:
  - phase: run
    duration: 100 ms
{injuries}
outputs: [{{plugin: npy}}]
""" % CELL.replace("{", "{{").replace("}", "}}")

with tempfile.TemporaryDirectory() as tmp:
    cut = go(tmp, "cut", EXACT.format(spikes=spikes(1e9), injuries=(
        "    injuries: [{plugin: test_cut, at: %g ms, params: {target: a}}]" % T)))
    silent = go(tmp, "silent", EXACT.format(spikes=spikes(T - 5.0), injuries=""))
    uncut = go(tmp, "uncut", EXACT.format(spikes=spikes(1e9), injuries=""))
    a, b, c = (npy(cut, "ie"), npy(silent, "ie"), npy(uncut, "ie"))
    ok = a is not None and b is not None and c is not None
    t.check(ok and np.array_equal(a["value"], b["value"]),
            "input after a cut with spikes in flight is bit-identical to never sending them")
    t.check(ok and np.array_equal(npy(cut, "v")["value"], npy(silent, "v")["value"]) and
            np.array_equal(npy(cut, "s"), npy(silent, "s")),
            "membrane potentials and spikes are identical too")
    t.check(ok and not np.array_equal(a["value"], c["value"]),
            "control: without the cut the runs differ (the test can fail)")

# ---- 3. killed neurons: silent for good, their synapses gone ----
KILL = """
experiment: {name: kill, dt: 0.1 ms, seed: 2}
populations:
  src: {model: poisson, size: 100, rate: 20 Hz}
  cells: {model: lif_cuba, size: 20, params: %s}
projections:
  ff: {from: src, to: cells, connect: {rule: fixed_indegree, k: 30}, weight: 250 pA, delay: 2 ms}
  rec: {from: cells, to: cells, connect: {rule: fixed_probability, p: 0.3}, weight: 10 pA, delay: 3 ms}
record:
  s: {spikes: cells}
  n_ff: {synapses: ff, interval: 10 ms}
  n_rec: {synapses: rec, interval: 10 ms}
  w_rec: {weights: rec}
timeline:
  - phase: run
    duration: 200 ms
    injuries: [{plugin: test_kill, at: 50 ms, params: {target: cells, first: 0, count: 10}}]
outputs: [{plugin: npy}]
""" % CELL

with tempfile.TemporaryDirectory() as tmp:
    out = go(tmp, "kill", KILL)
    s = npy(out, "s")
    ok = s is not None
    before = s[s["t_ms"] < 50] if ok else None
    after = s[s["t_ms"] >= 50] if ok else None
    t.check(ok and np.any(before["neuron"] < 10), "the doomed neurons fired before the injury")
    t.check(ok and not np.any(after["neuron"] < 10), "killed neurons never fire again")
    t.check(ok and np.any(after["neuron"] >= 10), "the others keep firing")
    n_ff, n_rec, w = npy(out, "n_ff"), npy(out, "n_rec"), npy(out, "w_rec")
    ok = n_ff is not None and n_rec is not None and w is not None
    t.check(ok and n_ff["value"][0] == 600 and np.all(n_ff["value"][n_ff["t_ms"] > 50] == 300),
            "the input synapses onto killed neurons are gone (600 -> 300)",
            n_ff.tolist() if ok else None)
    last = w[w["t_ms"] == w["t_ms"].max()] if ok else None
    t.check(ok and len(last) > 0 and not np.any(last["pre"] < 10) and not np.any(last["post"] < 10)
            and n_rec["value"][-1] == len(last),
            "recurrent synapses from and onto killed neurons are gone from the weights")
t.done()
