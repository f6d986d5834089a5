#!/usr/bin/env python3
"""The hdf5 output (plugins/output/hdf5): the SONATA spike-report layout and the run's
metadata, read back with h5py, against the csv output of the same run; a run stopped by
SIGINT leaves a file h5py opens; injury/intervention markers land in /events; bad
parameters are refused.

usage: test_hdf5.py REWIRE SOURCE_ROOT BUILD_ROOT DRIVE_OUTPUT
"""
import csv
import os
import signal
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from tap import Tap, rewire_env, run  # noqa: E402

rewire, root, build, drive = (os.path.abspath(a) for a in sys.argv[1:5])
data = os.path.join(root, "tests", "output", "data")
exp = os.path.join(data, "outputs.yaml")
t = Tap()


def read_csv(path):
    with open(path) as f:
        rows = list(csv.reader(f))
    return rows[0], np.array(rows[1:], dtype=float).reshape(-1, len(rows[0]))


def text(v):
    return v.decode() if isinstance(v, bytes) else v


with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "run")
    r = run([rewire, "run", exp, "--out", out, "--quiet"])
    t.check(r.returncode == 0, "the experiment runs with csv, hdf5 and plot outputs", r.stderr)
    path = os.path.join(out, "run.h5")
    t.check(os.path.exists(path), "run.h5 is written")
    with h5py.File(path, "r") as f:
        # SONATA spike report: /spikes/<population>/{timestamps, node_ids}, sorting enum.
        t.check(sorted(f["spikes"].keys()) == ["cells", "input"],
                "/spikes holds one group per recorded population, named after it", list(f["spikes"]))
        for chan, pop, size in (("cell_spikes", "cells", 60), ("input_spikes", "input", 300)):
            g = f["spikes"][pop]
            ts, ids = g["timestamps"], g["node_ids"]
            t.check(text(ts.attrs["units"]) == "ms", f"{pop}: timestamps carry units='ms'")
            t.check(ts.dtype == np.float64 and ids.dtype == np.uint64,
                    f"{pop}: timestamps float64, node_ids uint64 (SONATA)", (ts.dtype, ids.dtype))
            enum = h5py.check_enum_dtype(g.attrs.get_id("sorting").dtype)
            t.check(enum == {"none": 0, "by_id": 1, "by_time": 2} and g.attrs["sorting"] == 2,
                    f"{pop}: sorting is the SONATA enum, by_time", (enum, g.attrs.get("sorting")))
            times, nodes = ts[:], ids[:]
            t.check(len(times) > 100 and np.all(np.diff(times) >= 0),
                    f"{pop}: spikes are sorted by time as the attribute says", len(times))
            _, ref = read_csv(os.path.join(out, chan + ".csv"))
            t.check(len(times) == len(ref), f"{pop}: as many spikes as {chan}.csv", (len(times), len(ref)))
            if len(times) == len(ref):
                t.check(np.array_equal(times, ref[:, 0]) and np.array_equal(nodes, ref[:, 1].astype(np.uint64)),
                        f"{pop}: the same spike times and neurons as {chan}.csv")
            t.check(nodes.max() < size, f"{pop}: node ids within the population ({size})")

        # Channels with units.
        ch = f["channels"]
        t.check(sorted(ch.keys()) == ["cell_rate", "n_syn", "v", "w"],
                "/channels holds every non-spike channel", list(ch))
        for name, cols in (("cell_rate", ["time", "value"]), ("v", ["time", "index", "value"]),
                           ("w", ["time", "pre", "post", "value"]), ("n_syn", ["time", "index", "value"])):
            g = ch[name]
            _, ref = read_csv(os.path.join(out, name + ".csv"))
            arrays = [g[c][:] for c in cols]
            if name == "n_syn":  # a scalar metric: index 0 throughout (csv: t_ms, index, value)
                t.check(np.all(arrays[1] == 0), "n_syn: a scalar metric has index 0")
            same = all(len(a) == len(ref) for a in arrays) and all(
                np.array_equal(a.astype(float), ref[:, k]) for k, a in enumerate(arrays))
            t.check(same, f"{name}: the same rows as {name}.csv", [len(a) for a in arrays] + [len(ref)])
            t.check(text(g["time"].attrs["units"]) == "ms", f"{name}: time carries units='ms'")
        t.check(text(ch["cell_rate"]["value"].attrs["units"]) == "Hz", "cell_rate: value in Hz")
        t.check(text(ch["v"]["value"].attrs["units"]) == "mV", "v: value in mV")
        t.check(text(ch["w"]["value"].attrs["units"]) == "nS", "w: weights in nS (conductance-based)")
        t.check(text(ch["v"].attrs["kind"]) == "state" and text(ch["v"].attrs["variable"]) == "v",
                "v: the group says its kind and variable")

        # Root attributes: experiment text and run metadata.
        a = f.attrs
        with open(exp) as fy:
            t.check(text(a["experiment_yaml"]) == fy.read(), "experiment_yaml is the experiment file's text")
        t.check(int(a["seed"]) == 7 and float(a["dt"]) == 0.1 and float(a["duration"]) == 500.0,
                "seed, dt and duration as the experiment says", (a.get("seed"), a.get("dt"), a.get("duration")))
        plugins = [text(p) for p in a["plugins"]]
        t.check("output hdf5 1.0.0" in plugins and any(p.startswith("learning-rule stdp") for p in plugins),
                "plugins lists the outputs and learning rules used", plugins)
        t.check(text(a["rewire_version"]) != "" and int(a["interrupted"]) == 0
                and float(a["simulated_time"]) == 500.0, "version, interrupted=0 and simulated_time at the end")
        ph = f["phases"][:]
        t.check([text(x) for x in ph["name"]] == ["first", "second"]
                and list(ph["t_start"]) == [0, 300] and list(ph["t_end"]) == [300, 500],
                "/phases lists both phases with their times", ph)
    d = subprocess.run(["h5dump", "-H", path], capture_output=True, text=True)
    t.check(d.returncode == 0 and 'GROUP "spikes"' in d.stdout, "h5dump reads the file")

    # Markers (ABI 1.2 timeline_event) through the synthetic run of drive_output.
    dout = os.path.join(tmp, "drive")
    os.makedirs(dout)
    so = os.path.join(build, "plugins", "output", "hdf5", "rewire-hdf5.so")
    r = subprocess.run([drive, so, dout, "file=drive.h5"], capture_output=True, text=True)
    t.check(r.returncode == 0, "drive_output runs the hdf5 output through a synthetic run", r.stderr)
    with h5py.File(os.path.join(dout, "drive.h5"), "r") as f:
        ev = f["events"][:]
        got = [(float(e["t"]), text(e["kind"]), text(e["plugin"]), text(e["label"]), int(e["window"])) for e in ev]
        t.check(got == [(150.0, "injury", "lesion", "stroke", 0), (250.0, "intervention_begin", "cimt", "cimt", 0),
                        (350.0, "intervention_end", "cimt", "cimt", 0)],
                "/events holds the injury and the intervention window, in order", got)
        ts, ids = f["spikes/cells/timestamps"][:], f["spikes/cells/node_ids"][:]
        t.check(len(ts) == 2000 and np.all(np.bincount(ids.astype(int), minlength=100) == 20),
                "2000 synthetic spikes, 20 per neuron", len(ts))
        rec = f["channels/recovery"]
        t.check(list(np.unique(rec["index"][:])) == [0, 1] and len(rec["time"]) == 80,
                "a metric with two components keeps its index column", len(rec["time"]))

    # SIGINT mid-run: the file is closed by finish() and readable.
    lout = os.path.join(tmp, "long")
    p = subprocess.Popen([rewire, "run", os.path.join(data, "long.yaml"), "--out", lout, "--quiet"],
                         env=rewire_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(2.0)
    p.send_signal(signal.SIGINT)
    try:
        _, err = p.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        err = "did not stop"
    t.check(p.returncode == 128 + signal.SIGINT, "SIGINT stops the run (exit 130)", (p.returncode, err))
    try:
        with h5py.File(os.path.join(lout, "run.h5"), "r") as f:
            n = len(f["spikes/cells/timestamps"])
            _, ref = read_csv(os.path.join(lout, "spikes.csv"))
            t.check(int(f.attrs["interrupted"]) == 1 and 0 < float(f.attrs["simulated_time"]) < 1e6,
                    "the interrupted file says so, with the time reached", dict(f.attrs).get("simulated_time"))
            t.check(n > 0 and n == len(ref) and len(f["spikes/cells/node_ids"]) == n,
                    "it holds every spike recorded until the stop, as spikes.csv", (n, len(ref)))
            ph = f["phases"][:]
            t.check(len(ph) == 1 and ph["completed"][0] == 0 and ph["t_end"][0] < 1e6,
                    "the phase cut short is listed, not completed", ph)
    except OSError as e:
        t.check(False, "the interrupted run's run.h5 opens", e)

    # Parameters: bounds are checked before the run, the file name when the output starts.
    r = run([rewire, "run", exp, "--out", os.path.join(tmp, "bad1"), "--set", "outputs.1.params.compression=12"])
    t.check(r.returncode == 2 and "--set:1:" in r.stderr and "'compression'" in r.stderr and "<= 9" in r.stderr,
            "compression: 12 is refused", r.stderr)
    r = run([rewire, "run", exp, "--out", os.path.join(tmp, "bad2"), "--set", "outputs.1.params.file=../x.h5"])
    t.check(r.returncode == 2 and "outputs.yaml:" in r.stderr and "must be a plain file name" in r.stderr,
            "a file name leaving the run folder is refused with the experiment's location", r.stderr)
    r = run([rewire, "run", exp, "--out", os.path.join(tmp, "bad3"), "--set", "outputs.1.params.chunk_rows=abc"])
    t.check(r.returncode == 2 and "--set:1:" in r.stderr and "'chunk_rows'" in r.stderr,
            "chunk_rows must be an integer", r.stderr)
t.done()
