#!/usr/bin/env python3
"""SIGINT/SIGTERM stop a run at the next slice with every output flushed and valid, and
the progress line appears on a terminal only.

usage: test_signals.py REWIRE SOURCE_ROOT
"""
import json
import os
import pty
import signal
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from tap import Tap, rewire_env  # noqa: E402

rewire, root = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
long_exp = os.path.join(root, "tests", "integration", "data", "long.yaml")
t = Tap()


def interrupted_run(sig, tmp):
    out = os.path.join(tmp, f"sig{sig}")
    p = subprocess.Popen([rewire, "run", long_exp, "--out", out, "--quiet"], env=rewire_env(),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(2.0)
    p.send_signal(sig)
    try:
        _, err = p.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        t.check(False, f"signal {sig} stops the run within 60 s")
        return
    name = signal.Signals(sig).name
    t.check(p.returncode == 128 + sig, f"{name}: exit status 128+{sig}", (p.returncode, err))
    summ_path = os.path.join(out, "summary.json")
    t.check(os.path.exists(summ_path), f"{name}: summary.json written")
    if os.path.exists(summ_path):
        summ = json.load(open(summ_path))
        t.check(summ["interrupted"] is True and 0 < summ["simulated_time_s"] < 1000,
                f"{name}: summary says interrupted, with the time reached", summ.get("simulated_time_s"))
    spikes = np.load(os.path.join(out, "spikes.npy"))
    t.check(len(spikes) > 0, f"{name}: spikes.npy is a valid array with the spikes so far", len(spikes))
    with open(os.path.join(out, "spikes.csv")) as f:
        lines = f.read().split("\n")
    t.check(lines[-1] == "" and len(lines) - 2 == len(spikes),
            f"{name}: spikes.csv ends with a complete line and holds the same spikes", (len(lines), len(spikes)))


with tempfile.TemporaryDirectory() as tmp:
    interrupted_run(signal.SIGINT, tmp)
    interrupted_run(signal.SIGTERM, tmp)

    # Progress on a terminal: stderr is a pseudo-terminal, the run is stopped after 3 s.
    master, slave = pty.openpty()
    p = subprocess.Popen([rewire, "run", long_exp, "--out", os.path.join(tmp, "tty")], env=rewire_env(),
                         stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    time.sleep(3.0)
    p.send_signal(signal.SIGINT)
    chunks = []
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    p.wait(timeout=60)
    os.close(master)
    text = b"".join(chunks).decode(errors="replace")
    t.check("realtime" in text and "ETA" in text and "wall" in text and "/ 16 min 40 s" in text,
            "a terminal shows simulated time, total, wall time, speed and ETA", text[-400:])
t.done()
