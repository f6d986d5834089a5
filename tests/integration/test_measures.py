#!/usr/bin/env python3
"""Measures end to end: an experiment with a `measures:` section run through csv and
summary.  The network is a 1D topographic map set up so that every answer is known
without simulating: skin (20 silent sources on a line) -> cortex (20 neurons) one to one
with weight 2 pA, regions hand = skin 0..9 and face = skin 10..19, and two phases.

  - map.winner: neuron j is won by hand (0) for j < 10 and face (1) for j >= 10;
    map.area.hand = map.area.face = 10;
  - rf.x of neuron j = the position of its only source, (j + 0.5) / 20; rf.width = 0;
  - w.mean = 2 pA, w.sd = 0, w.hist counts sum to the 20 synapses;
  - n = 20; perf (task: hand onto cortex) = 1, perf.total = 10 x 2 pA;
  - rates of silent sources = 0 Hz, rows at the end of each interval;
  - samples at t = 0, every interval, at the phase boundary (300 ms) and the end;
  - summary.json: phases [{name, t_end_ms, metrics}] with each metric's value at the
    end of the phase, and metrics with the final values.

usage: test_measures.py REWIRE SOURCE_ROOT
"""
import csv
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from tap import Tap, run  # noqa: E402

rewire = os.path.abspath(sys.argv[1])
t = Tap()

EXPERIMENT = """
experiment: {name: measures, dt: 0.1 ms, seed: 5}
populations:
  skin: {model: poisson, size: 20, rate: 0 Hz, layout: {line: true}}
  cortex: {model: lif_cuba, size: 20, layout: {line: true}}
projections:
  ff: {from: skin, to: cortex, connect: {rule: one_to_one}, weight: 2 pA, delay: 1 ms}
regions:
  hand: {population: skin, indices: [0, 10]}
  face: {population: skin, indices: [10, 20]}
measures:
  rates: {rate: skin, every: 200 ms}
  w: {weights: ff, every: 200 ms, bins: 4, range: [0 pA, 4 pA]}
  n: {synapses: ff, every: 200 ms}
  map: {representation: cortex, channels: [hand, face], every: 200 ms}
  rf: {receptive_field: ff, every: 200 ms}
  perf: {task: hand, population: cortex, every: 200 ms}
timeline:
  - {phase: develop, duration: 300 ms}
  - {phase: test, duration: 200 ms}
outputs: [{plugin: summary}, {plugin: csv}]
"""


def table(out, name):
    with open(os.path.join(out, name + ".csv")) as f:
        rows = list(csv.reader(f))
    return rows[0], [(float(a), int(b), float(c)) for a, b, c in rows[1:]]


with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "m.yaml")
    with open(path, "w") as f:
        f.write(EXPERIMENT)
    out = os.path.join(tmp, "out")
    r = run([rewire, "run", path, "--out", out, "--quiet"])
    t.check(r.returncode == 0, "a run with measures succeeds", r.stderr)
    if r.returncode != 0:
        t.done()

    header, winner = table(out, "map.winner")
    t.check(header == ["t_ms", "index", "value"], "metric columns: t_ms, index, value", header)
    times = sorted({row[0] for row in winner})
    t.check(times == [0, 200, 300, 400, 500],
            "samples at 0, every 200 ms, the phase boundary and the end", times)
    last = {i: v for (tm, i, v) in winner if tm == 500}
    t.check(last == {j: (0.0 if j < 10 else 1.0) for j in range(20)},
            "winner: hand (0) on neurons 0..9, face (1) on 10..19", last)
    _, hand = table(out, "map.area.hand")
    _, face = table(out, "map.area.face")
    t.check([v for _, _, v in hand] == [10.0] * 5 and [v for _, _, v in face] == [10.0] * 5,
            "area per channel: 10 neurons each", (hand, face))

    _, rfx = table(out, "rf.x")
    xs = {i: v for (tm, i, v) in rfx if tm == 0}
    t.check(all(abs(xs[j] - (j + 0.5) / 20) < 1e-6 for j in range(20)),
            "rf centre: the position of the only source, (j + 0.5) / 20", xs)
    _, width = table(out, "rf.width")
    t.check(all(v == 0 for _, _, v in width), "rf width 0 with a single source")

    _, mean = table(out, "w.mean")
    _, sd = table(out, "w.sd")
    _, hist = table(out, "w.hist")
    t.check(all(v == 2 for _, _, v in mean) and all(v == 0 for _, _, v in sd),
            "weights: mean 2 pA, sd 0", (mean, sd))
    h0 = [(i, v) for tm, i, v in hist if tm == 0]
    t.check(h0 == [(0, 0.0), (1, 0.0), (2, 20.0), (3, 0.0)],
            "histogram over [0, 4) pA in 4 bins: all 20 in bin 2, counts sum to 20", h0)
    _, edges = table(out, "w.edges")
    t.check([v for _, _, v in edges] == [0, 1, 2, 3, 4], "bin edges 0..4 pA", edges)
    _, n = table(out, "n")
    t.check([v for _, _, v in n] == [20.0] * 5, "20 synapses at every sample", n)
    _, perf = table(out, "perf")
    _, total = table(out, "perf.total")
    t.check([v for _, _, v in perf] == [1.0] * 5 and [v for _, _, v in total] == [20.0] * 5,
            "task: 1 relative to the start, total 10 x 2 pA", (perf, total))
    _, rates = table(out, "rates")
    t.check([(tm, v) for tm, _, v in rates] == [(200, 0), (300, 0), (400, 0), (500, 0)],
            "rates of silent sources: 0 Hz at the end of each interval", rates)

    s = json.load(open(os.path.join(out, "summary.json")))
    phases = s.get("phases", [])
    t.check([(p.get("name"), p.get("t_end_ms")) for p in phases] == [("develop", 300), ("test", 500)],
            "summary phases: name and t_end_ms", phases)
    m0 = phases[0].get("metrics", {}) if phases else {}
    t.check(m0.get("map.area.hand") == 10 and m0.get("n") == 20 and m0.get("perf") == 1 and
            m0.get("map.winner") == [0] * 10 + [1] * 10 and m0.get("w.hist") == [0, 0, 20, 0],
            "phase metrics: scalars as numbers, vectors as arrays", m0)
    fin = s.get("metrics", {})
    t.check(fin.get("rates") == 0 and fin.get("rf.mean_width") == 0 and
            abs(fin.get("rf.mean_x", -1) - 0.5) < 1e-6, "final metrics", fin)

    # An output may take a measure (all its channels) or one of its channels.
    sub = EXPERIMENT.replace("outputs: [{plugin: summary}, {plugin: csv}]",
                             "outputs: [{plugin: csv, channels: [map, w.mean]}]")
    with open(path, "w") as f:
        f.write(sub)
    out2 = os.path.join(tmp, "out2")
    r = run([rewire, "run", path, "--out", out2, "--quiet"])
    files = sorted(os.listdir(out2)) if r.returncode == 0 else []
    t.check(files == ["map.area.face.csv", "map.area.hand.csv", "map.winner.csv", "w.mean.csv"],
            "channels: a measure's name selects all its channels, a channel name one", files)

t.done()
