#!/usr/bin/env python3
"""Injury plugins in real runs (plugins/injury): a lesioned region stops firing and its
synapses are gone from the recorded counts; a deafferented projection stops driving its
targets -- including spikes already in flight in the delay buffers at the cut -- while
its source keeps firing; synapse_loss removes about the fraction asked; a bad penumbra is
a load error with the file location.

The network: 40 Poisson sources (skin) drive 20 LIF neurons (cortex) all to all through
ff, with a long delay (20 ms) and weights strong enough that input spikes make the cells
fire; a second group of sources reaches the cortex through ff2, too weakly to matter.
The region `core` is cortex neurons 0..9.  Injuries come at t = 200 ms, the start of the
second phase.

usage: test_injuries.py REWIRE SOURCE_ROOT
"""
import json
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from tap import Tap, run  # noqa: E402

rewire = os.path.abspath(sys.argv[1])
t = Tap()

CUT_MS = 200.0
END_MS = 500.0
DELAY_MS = 20.0
N_SRC = 40
N_HALF = 10

EXPERIMENT = """
experiment: {{name: injured, dt: 0.1 ms, seed: {seed}}}
populations:
  skin: {{model: poisson, size: 40, rate: 20 Hz}}
  other: {{model: poisson, size: 40, rate: 20 Hz}}
  cortex: {{model: lif_cuba, size: 20}}
regions:
  core: {{population: cortex, indices: [0, 10]}}
projections:
  ff: {{from: skin, to: cortex, connect: {{rule: all_to_all}}, weight: 400 pA, delay: 20 ms}}
  ff2: {{from: other, to: cortex, connect: {{rule: all_to_all}}, weight: 1 pA, delay: 1 ms}}
record:
  cortex_spikes: {{spikes: cortex}}
  skin_spikes: {{spikes: skin}}
  n_ff: {{synapses: ff, interval: 50 ms}}
  n_ff2: {{synapses: ff2, interval: 50 ms}}
timeline:
  - {{phase: before, duration: 200 ms}}
  - phase: after
    duration: 300 ms
    injuries:
{injuries}
outputs: [{{plugin: summary}}, {{plugin: npy}}]
"""


def experiment(tmp, name, injuries, seed=4):
    path = os.path.join(tmp, name + ".yaml")
    with open(path, "w") as f:
        f.write(EXPERIMENT.format(injuries=injuries, seed=seed))
    return path


def run_exp(tmp, name, injuries, seed=4):
    out = os.path.join(tmp, name)
    r = run([rewire, "run", experiment(tmp, name, injuries, seed), "--out", out, "--quiet"])
    t.check(r.returncode == 0, f"{name}: the run succeeds", r.stderr)
    return out if r.returncode == 0 else None


def load(out, channel):
    return np.load(os.path.join(out, channel + ".npy"))


def spikes_of(sp, first, end, t0, t1):
    """Spikes of neurons [first, end) in [t0, t1) ms."""
    m = (sp["neuron"] >= first) & (sp["neuron"] < end) & (sp["t_ms"] >= t0) & (sp["t_ms"] < t1)
    return int(np.count_nonzero(m))


def count_at(n, t_ms):
    return [int(v) for tt, v in zip(n["t_ms"], n["value"]) if tt == t_ms]


N_CORTEX = 2 * N_HALF
N_FF = N_SRC * N_CORTEX

with tempfile.TemporaryDirectory() as tmp:
    # ---- lesion: the core dies ----
    out = run_exp(tmp, "lesion", "      - {plugin: lesion, params: {region: core}}")
    if out:
        sp = load(out, "cortex_spikes")
        t.check(spikes_of(sp, 0, N_HALF, 0, CUT_MS) > 20,
                "lesion: the core fires before the lesion", spikes_of(sp, 0, N_HALF, 0, CUT_MS))
        t.check(spikes_of(sp, 0, N_HALF, CUT_MS, END_MS) == 0,
                "lesion: the core never fires after it", sp[sp["t_ms"] >= CUT_MS][:10])
        t.check(spikes_of(sp, N_HALF, N_CORTEX, CUT_MS, END_MS) > 20,
                "lesion: the rest of the cortex keeps firing")
        n_ff, n_ff2 = load(out, "n_ff"), load(out, "n_ff2")
        t.check(count_at(n_ff, 0) == [N_FF] and count_at(n_ff, CUT_MS + 50) == [N_FF // 2] and
                count_at(n_ff, END_MS) == [N_FF // 2],
                "lesion: the synapses onto the dead are gone from the recorded count",
                list(zip(n_ff["t_ms"], n_ff["value"])))
        t.check(count_at(n_ff2, END_MS) == [N_FF // 2],
                "lesion: ... in every projection onto them", list(n_ff2["value"]))
        summary = json.load(open(os.path.join(out, "summary.json")))
        t.check(summary.get("projections", {}).get("ff", {}).get("synapses") == N_FF // 2,
                "lesion: the summary counts the synapses left", summary.get("projections"))

    # ---- deafferent: ff is cut onto the core; skin keeps firing ----
    out = run_exp(tmp, "deafferent",
                  "      - {plugin: deafferent, params: {projections: ff, targets: core}}")
    if out:
        sp, skin = load(out, "cortex_spikes"), load(out, "skin_spikes")
        before = spikes_of(sp, 0, N_HALF, 0, CUT_MS)
        t.check(before > 20, "deafferent: ff drives the core before the cut", before)
        # Spikes emitted in [180, 200) ms are in flight at the cut and would arrive in
        # [200, 220) ms; the synaptic current already delivered decays with tau_e = 2 ms.
        late = spikes_of(sp, 0, N_HALF, CUT_MS + 5, END_MS)
        t.check(late == 0, "deafferent: no core spike from 205 ms on: spikes in flight "
                "through the cut synapses are never delivered", sp[sp["t_ms"] >= CUT_MS + 5][:10])
        t.check(spikes_of(sp, N_HALF, N_CORTEX, CUT_MS + 5, END_MS) > 20,
                "deafferent: the rest of the cortex, still reached by ff, keeps firing")
        after_src = int(np.count_nonzero(skin["t_ms"] >= CUT_MS))
        expected = N_SRC * 20.0 * (END_MS - CUT_MS) / 1000.0
        t.check(abs(after_src - expected) < 5 * np.sqrt(expected),
                f"deafferent: skin keeps firing at 20 Hz after the cut ({after_src} spikes, "
                f"{expected:.0f} expected)")
        n_ff, n_ff2 = load(out, "n_ff"), load(out, "n_ff2")
        t.check(count_at(n_ff, CUT_MS + 50) == [N_FF // 2] and count_at(n_ff, END_MS) == [N_FF // 2],
                "deafferent: the recorded count of ff drops by the synapses onto the core",
                list(zip(n_ff["t_ms"], n_ff["value"])))
        t.check(all(v == N_FF for v in n_ff2["value"]), "deafferent: ff2 is not cut")

    # ---- deafferent of part: from the first 20 sources onto the first 5 targets ----
    out = run_exp(tmp, "deafferent_part",
                  "      - {plugin: deafferent, params: {projections: ff, "
                  "sources: {population: skin, indices: [0, 20]}, "
                  "targets: {population: cortex, indices: [0, 5]}}}")
    if out:
        n_ff = load(out, "n_ff")
        t.check(count_at(n_ff, END_MS) == [N_FF - 20 * 5],
                "deafferent: a partial cut removes exactly sources x targets synapses",
                list(zip(n_ff["t_ms"], n_ff["value"])))

    # ---- synapse_loss: about half of ff ----
    loss = "      - {plugin: synapse_loss, params: {projections: ff, fraction: 0.5}}"
    out = run_exp(tmp, "loss", loss)
    if out:
        n_ff = load(out, "n_ff")
        left = count_at(n_ff, END_MS)
        sd = np.sqrt(N_FF * 0.25)
        t.check(len(left) == 1 and abs(left[0] - N_FF / 2) < 5 * sd,
                f"synapse_loss: about half of {N_FF} synapses are left (binomial sd {sd:.0f})",
                left)
        t.check(count_at(n_ff, CUT_MS - 50) == [N_FF], "synapse_loss: none lost before its time")
        t.check(all(v == N_FF for v in load(out, "n_ff2")["value"]),
                "synapse_loss: other projections keep theirs")
    again = run_exp(tmp, "loss_again", loss)
    if out and again:
        t.check(np.array_equal(load(out, "n_ff"), load(again, "n_ff")),
                "synapse_loss: the same seed loses the same number of synapses")

    # ---- a penumbra outside the region's population: a load error with its location ----
    path = experiment(tmp, "bad_penumbra",
                      "      - {plugin: lesion, params: {region: core, penumbra: skin}}")
    r = run([rewire, "run", path, "--out", os.path.join(tmp, "bad"), "--quiet"])
    t.check(r.returncode != 0 and "bad_penumbra.yaml:" in r.stderr and "same population" in r.stderr,
            "a penumbra in another population is refused before the run, with the file "
            "location", r.stderr)

t.done()
