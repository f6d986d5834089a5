#!/usr/bin/env python3
"""ABI stability: a plugin built against the frozen ABI 1.0 headers loads into this host
and runs; every ABI 1.0 type keeps its layout; a plugin of another ABI major is refused.

The refusal of another major is tested through experiments (plugin_path and
$REWIRE_PLUGIN_PATH) in tests/integration/test_plugin_errors.py; here it is checked once
more through `rewire plugins --plugin-path`, next to the plugin that must load.

usage: test_abi.py REWIRE PLUGIN_ABI10_SO LAYOUT_1_0 LAYOUT_CURRENT BROKEN_PLUGIN_DIR
"""
import csv
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from tap import Tap, run  # noqa: E402

rewire, plugin, layout_10, layout_now, broken = (os.path.abspath(a) for a in sys.argv[1:6])
t = Tap()

# ---- layouts ----
old = run([layout_10]).stdout.splitlines()
new = run([layout_now]).stdout.splitlines()
t.check(len(old) > 150 and len(old) == len(new),
        f"both layout programs describe the same {len(old)} ABI 1.0 fields, sizes and constants",
        f"{len(old)} lines against {len(new)}")
changed = [f"1.0: {a}\n now: {b}" for a, b in zip(old, new) if a != b]
t.check(not changed, "every ABI 1.0 field keeps its offset and size, fixed types their size, "
        "constants their value", "\n".join(changed))

# ---- the 1.0 plugin in this host ----
EXPERIMENT = """experiment: {name: abi10, seed: 3, plugin_path: [plugins]}
populations:
  inp: {model: poisson, size: 20, rate: 20 Hz}
  cells: {model: lif_cuba, size: 4}
projections:
  ff: {from: inp, to: cells, connect: {rule: all_to_all}, weight: 10 pA,
       plasticity: {rule: abi10_rule, params: {step: 0.5 pA}}}
record:
  inp_spikes: {spikes: inp}
  w: {weights: ff}
timeline: [{phase: run, duration: 500 ms}]
outputs: [{plugin: csv, params: {precision: 17}}, {plugin: summary}]
"""

with tempfile.TemporaryDirectory() as tmp:
    folder = os.path.join(tmp, "plugins")
    os.makedirs(folder)
    shutil.copy(plugin, folder)

    r = run([rewire, "plugins", "--plugin-path", folder, "abi10_rule"])
    t.check(r.returncode == 0 and "learning-rule abi10_rule 1.0.0 (ABI 1.0)" in r.stdout,
            "rewire plugins loads the ABI 1.0 plugin and reports ABI 1.0", r.stdout + r.stderr)

    exp = os.path.join(tmp, "abi10.yaml")
    with open(exp, "w") as f:
        f.write(EXPERIMENT)
    out = os.path.join(tmp, "out")
    r = run([rewire, "run", exp, "--out", out, "--quiet"])
    t.check(r.returncode == 0, "an experiment using the ABI 1.0 rule runs", r.stderr)
    if r.returncode == 0:
        with open(os.path.join(out, "inp_spikes.csv")) as f:
            spikes = {}
            for row in csv.DictReader(f):
                spikes[int(row["neuron"])] = spikes.get(int(row["neuron"]), 0) + 1
        with open(os.path.join(out, "w.csv")) as f:
            rows = list(csv.DictReader(f))
        end = max(float(row["t_ms"]) for row in rows)
        last = {(int(r_["pre"]), int(r_["post"])): float(r_["weight"]) for r_ in rows
                if float(r_["t_ms"]) == end}
        # The rule adds `step` per presynaptic spike: w_end = 10 pA + 0.5 pA * spikes(pre),
        # exact in float32 for these small multiples of 0.5.
        wrong = [(k, w, 10 + 0.5 * spikes.get(k[0], 0)) for k, w in last.items()
                 if w != 10 + 0.5 * spikes.get(k[0], 0)]
        t.check(len(last) == 80 and sum(spikes.values()) > 0 and not wrong,
                "its weights changed as the rule says: 10 pA + 0.5 pA per presynaptic spike",
                wrong[:10])
        with open(os.path.join(out, "summary.json")) as f:
            t.check('"name": "abi10_rule"' in f.read(), "summary.json lists the ABI 1.0 plugin")

    # ---- another major is refused ----
    other = os.path.join(tmp, "abi2")
    os.makedirs(other)
    shutil.copy(os.path.join(broken, "broken-abi2-table.so"), other)
    r = run([rewire, "plugins", "--plugin-path", other])
    t.check(r.returncode == 2 and "broken-abi2-table.so: error: " in r.stderr
            and "built for rewire plugin ABI 2.0, this rewire speaks ABI 1." in r.stderr
            and "rebuild it" in r.stderr,
            "a plugin built for ABI 2.0 is refused: exit 2, naming the file, both versions and the fix",
            r.stderr)
t.done()
