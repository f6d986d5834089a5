#!/usr/bin/env python3
"""Threads change nothing: every output file of a run is byte for byte the same with
--threads 1, 2 and 3 (summary.json after dropping its wall times).

The kernel splits every population's neurons between threads, and each thread delivers
every spike into its own neurons' input only (docs/performance.md, "Threads"); the
experiments below exercise every path of that: conductance and current LIF, Poisson and
spike_times sources, sampled state (the per-step path), constant and mixed delays,
sorted rows (cuts) and a structural rule's unsorted rows (filtering), STDP, iSTDP,
short-term plasticity (release factors), rate populations, and injuries that cut
synapses and kill neurons (the rings rebuilt from the spike history).  Three threads do
not divide the populations evenly, and some parts are empty.

usage: test_threads.py REWIRE SOURCE_ROOT TEST_PLUGIN_DIR
"""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from tap import Tap, rewire_env, run  # noqa: E402

rewire = os.path.abspath(sys.argv[1])
root = os.path.abspath(sys.argv[2])
plugin_dir = os.path.abspath(sys.argv[3])
env = dict(rewire_env(), REWIRE_PLUGIN_PATH=plugin_dir)
t = Tap()

# A recurrent current-based network with every feature the shipped examples lack:
# mixed delays, STP, STDP, a sampled state, weight snapshots, a cut and a kill.
INJURED = """
experiment: {name: injured, dt: 0.1 ms, seed: 7}
populations:
  drive: {model: poisson, size: 150, rate: 40 Hz}
  exc: {model: lif_cuba, size: 203, params: {C_m: 250 pF, tau_m: 10 ms, E_L: -70 mV,
        V_th: -55 mV, V_reset: -70 mV, t_ref: 2 ms}, v_init: {uniform: [-70 mV, -55 mV]}}
  inh: {model: lif_cuba, size: 51, params: {C_m: 250 pF, tau_m: 10 ms, E_L: -70 mV,
        V_th: -55 mV, V_reset: -70 mV, t_ref: 2 ms}, v_init: {uniform: [-70 mV, -55 mV]}}
projections:
  drive_exc: {from: drive, to: exc, connect: {rule: fixed_indegree, k: 20},
              weight: 700 pA, delay: {uniform: [1 ms, 4 ms]},
              plasticity: {rule: stp, params: {U: 0.5, tau_rec: 100 ms, tau_facil: 20 ms}}}
  drive_inh: {from: drive, to: inh, connect: {rule: fixed_probability, p: 0.1},
              weight: 250 pA, delay: 1.5 ms}
  exc_exc: {from: exc, to: exc, connect: {rule: fixed_probability, p: 0.1},
            weight: {uniform: [10 pA, 40 pA]}, delay: {uniform: [1 ms, 3 ms]},
            plasticity: {rule: stdp, params: {w_max: 60 pA}}}
  exc_inh: {from: exc, to: inh, connect: {rule: fixed_probability, p: 0.2}, weight: 30 pA,
            delay: 1 ms}
  inh_exc: {from: inh, to: exc, receptor: inhibitory,
            connect: {rule: fixed_probability, p: 0.2}, weight: -40 pA, delay: 1 ms}
record:
  exc_spikes: {spikes: exc}
  inh_spikes: {spikes: inh}
  v: {state: exc, variable: v, interval: 0.5 ms}
  w: {weights: exc_exc, interval: 100 ms}
timeline:
  - phase: run
    duration: 400 ms
    injuries:
      - {plugin: test_cut, at: 120 ms, params: {target: exc_exc, fraction: 0.3}}
      - {plugin: test_kill, at: 250 ms, params: {target: exc, first: 90, count: 40}}
outputs: [{plugin: summary}, {plugin: npy}]
"""

CASES = [
    ("coba", os.path.join(root, "experiments", "coba.yaml"), ["timeline.0.duration=300ms"]),
    ("ei_stdp", os.path.join(root, "experiments", "ei_stdp.yaml"),
     ["timeline.0.duration=500ms"]),
    # The quickstart: a lesion, intervention windows, measures, hdf5 and plot outputs.
    ("quickstart", os.path.join(root, "experiments", "quickstart.yaml"),
     ["timeline.2.duration=2s", "timeline.2.interventions.0.schedule.days=2",
      "timeline.2.interventions.1.schedule.days=2"]),
    ("song2000", os.path.join(root, "experiments", "song2000_stdp.yaml"),
     ["timeline.0.duration=3s"]),
    ("istdp", os.path.join(root, "experiments", "istdp_vogels2011.yaml"),
     ["timeline.0.duration=500ms"]),
    ("structural", os.path.join(root, "experiments", "structural_deprivation.yaml"),
     ["timeline.0.duration=2s"]),
    ("rate", os.path.join(root, "tests", "integration", "data", "rate_small.yaml"), []),
    ("injured", None, []),
]


def outputs(folder):
    """Every file of a run's folder, summary.json without its wall times."""
    files = {}
    for dirpath, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(dirpath, name)
            with open(path, "rb") as f:
                data = f.read()
            if name == "summary.json":
                doc = json.loads(data)

                def strip(x):
                    if isinstance(x, dict):
                        return {k: strip(v) for k, v in x.items() if "wall" not in k}
                    if isinstance(x, list):
                        return [strip(v) for v in x]
                    return x
                data = json.dumps(strip(doc), sort_keys=True).encode()
            elif name.endswith(".h5"):
                data = h5_content(path)
            files[os.path.relpath(path, folder)] = data
    return files


def h5_content(path):
    """Every dataset and attribute of an HDF5 file, but the wall time (the file's bytes
    also hold object times and free-space layout, which say nothing of the run)."""
    import h5py  # python3-h5py, installed by ./setup
    parts = []

    def attrs(name, obj):
        for k in sorted(obj.attrs):
            if k != "wall_time":
                parts.append(("%s@%s=%r" % (name, k, obj.attrs[k])).encode())

    def visit(name, obj):
        attrs(name, obj)
        if isinstance(obj, h5py.Dataset):
            v = obj[()]
            # Numbers by their bytes; tables with strings by value (their bytes are pointers).
            data = v.tobytes() if v.dtype.kind in "iufb" else repr(v.tolist()).encode()
            parts.append(name.encode() + b"=" + data)

    with h5py.File(path, "r") as f:
        attrs("/", f)
        f.visititems(visit)
    return b"\n".join(parts)


with tempfile.TemporaryDirectory() as tmp:
    injured = os.path.join(tmp, "injured.yaml")
    with open(injured, "w") as f:
        f.write(INJURED)
    for name, path, sets in CASES:
        path = path or injured
        runs = {}
        for threads in (1, 2, 3):
            out = os.path.join(tmp, "%s-%d" % (name, threads))
            cmd = [rewire, "run", path, "--out", out, "--quiet", "--threads", str(threads)]
            for s in sets:
                cmd += ["--set", s]
            r = run(cmd, env=env)
            t.check(r.returncode == 0, "%s, %d threads: the run succeeds" % (name, threads),
                    r.stderr)
            runs[threads] = outputs(out) if r.returncode == 0 else {}
        base = runs[1]
        t.check(len(base) >= 2, "%s: the run wrote its outputs" % name, sorted(base))
        for threads in (2, 3):
            other = runs[threads]
            differ = sorted(k for k in set(base) | set(other) if base.get(k) != other.get(k))
            t.check(not differ and other,
                    "%s: %d threads write the same files, byte for byte, as 1" % (name, threads),
                    "differ: %s" % differ)
t.done()
