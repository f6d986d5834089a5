#!/usr/bin/env python3
"""The stream output under load: 100 concurrent clients (lossless fast and slow readers,
lossy slow readers, clients vanishing mid-frame, clients sending garbage) on one run.
The run completes; every lossless client receives every record, equal bit for bit to
the npy files of the same run; lossy clients are told what they lost and what they got
plus what they lost is everything; garbage gets error replies only.  The slowdown
against the same run without clients is printed (bounded queue: queue_kb).

usage: test_stream_reliability.py REWIRE SOURCE_ROOT
"""
import json
import os
import random
import socket
import struct
import sys
import tempfile
import threading
import time

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, ".."))
sys.path.insert(0, here)
from tap import Tap, rewire_env  # noqa: E402
import streamlib as sl  # noqa: E402

rewire, root = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
exp = os.path.join(here, "data", "stream.yaml")
env = rewire_env()
t = Tap()
N_FAST, N_SLOW, N_LOSSY, N_VANISH, N_GARBAGE = 40, 10, 20, 20, 10
SETS = ["timeline.1.duration=18 s", "outputs.2={plugin: summary}", "outputs.1.params.queue_kb=256"]
rng = random.Random(7)


def hello(sock, **kw):
    sock.sendall((json.dumps(dict(hello="rewire-stream/1", **kw)) + "\n").encode())


def reader(target, res, key, fmt, mode, channels=None, chunk=1 << 16, pause=0.0, rcvbuf=0):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:  # small kernel buffers: the slowness reaches the server's queue
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.connect(target)
    h = dict(format=fmt, mode=mode)
    if channels is not None:
        h["channels"] = channels
    hello(s, **h)
    buf = bytearray()
    if mode == "lossy":
        time.sleep(0.5)  # a reader that falls behind at once
    while True:
        d = s.recv(chunk)
        if not d:
            break
        buf += d
        if pause:
            time.sleep(pause)
    s.close()
    res[key] = buf


def vanisher(target, res, key, limit):
    s = socket.create_connection(target)
    hello(s, format="binary", mode="lossless")
    got = 0
    while got < limit:
        d = s.recv(min(4096, limit - got))
        if not d:
            break
        got += len(d)
    # abort: RST, whatever frame was being written is cut
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    res[key] = got


def garbage(target, res, key):
    s = socket.create_connection(target)
    lines = [bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 300))).replace(b"\n", b"") for _ in range(20)]
    lines += [b"pause", b"stop", b"set a.b 1", b'{"cmd": "stop"}', b"{" * 50, b"\x00stop", b"resume x"]
    lines = [ln for ln in lines if ln.strip(b" \t\r")]  # blank lines are ignored, not answered
    for ln in lines:
        s.sendall(ln + b"\n")
        time.sleep(0.005)
    s.sendall(b"x" * 20000 + b"\n")
    s.shutdown(socket.SHUT_WR)
    buf = bytearray()
    s.settimeout(120)
    while True:
        d = s.recv(65536)
        if not d:
            break
        buf += d
    s.close()
    res[key] = (len(lines) + 1, buf)


def npy(out, name):
    return np.load(os.path.join(out, name + ".npy"))


with tempfile.TemporaryDirectory() as tmp:
    # Baseline: the same run, the stream output listening, nobody connected.
    base = os.path.join(tmp, "base")
    p = sl.start(rewire, exp, base, SETS, env)
    rc = p.wait(timeout=300)
    t.check(rc == 0, "baseline run without clients", p.stderr.read().decode())
    base_wall = json.load(open(os.path.join(base, "summary.json")))["wall_time_s"]

    out = os.path.join(tmp, "load")
    n_hello = N_FAST + N_SLOW + N_LOSSY + N_VANISH
    p = sl.start(rewire, exp, out, SETS + [f"outputs.1.params.wait_for={n_hello}"], env)
    target = sl.tcp_target(sl.wait_addr(out, p))
    res, threads = {}, []
    for i in range(N_FAST):
        threads.append(threading.Thread(target=reader, args=(target, res, ("fast", i), "binary", "lossless")))
    for i in range(N_SLOW):
        fmt = "json" if i % 2 else "binary"
        threads.append(threading.Thread(target=reader, args=(target, res, ("slow", i), fmt, "lossless",
                                                             ["spikes", "v", "rate"], 4096, 0.002)))
    for i in range(N_LOSSY):
        threads.append(threading.Thread(target=reader, args=(target, res, ("lossy", i), "binary", "lossy",
                                                             None, 4096, 0.05, 8192)))
    for i in range(N_VANISH):
        threads.append(threading.Thread(target=vanisher, args=(target, res, ("vanish", i),
                                                               rng.randint(1, 400000))))
    for i in range(N_GARBAGE):
        threads.append(threading.Thread(target=garbage, args=(target, res, ("garbage", i))))
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=400)
    rc = p.wait(timeout=300)
    err = p.stderr.read().decode()
    t.check(rc == 0, "the run with 100 clients completes", err[-500:])
    t.check(all(not th.is_alive() for th in threads), "every client thread finished")
    summ = json.load(open(os.path.join(out, "summary.json")))
    wall = summ["wall_time_s"]
    truth = {n: npy(out, n) for n in ("spikes", "v", "rate")}
    total = sum(len(a) for a in truth.values())

    ok_lossless, checked = True, 0
    for kind, n in (("fast", N_FAST), ("slow", N_SLOW)):
        for i in range(n):
            msgs, rest = sl.parse(res.get((kind, i), b""))
            recs, contiguous = sl.records(msgs, msgs[0]) if msgs else ({}, False)
            end = msgs[-1] if msgs else {}
            good = (not rest and contiguous and end.get("type") == "end" and end.get("dropped") == 0 and
                    all(sl.same_as_npy(recs.get(k), v) for k, v in truth.items()))
            checked += 1
            if not good:
                ok_lossless = False
                t.note(f"{kind} {i}: rest={len(rest)} contiguous={contiguous} end={end}")
    t.check(ok_lossless and checked == N_FAST + N_SLOW,
            f"{checked} lossless clients (fast and slow, binary and JSON): every record, "
            f"equal to the npy files ({total} records each)")

    drops, got_all, notices_ok = [], True, True
    for i in range(N_LOSSY):
        msgs, rest = sl.parse(res.get(("lossy", i), b""))
        recs, _ = sl.records(msgs, msgs[0]) if msgs else ({}, False)
        end = msgs[-1] if msgs else {}
        received = sum(len(r["t_ms"]) for r in recs.values())
        noticed = sum(m["records"] for m in msgs if m["type"] == "dropped")
        drops.append(end.get("dropped", -1))
        got_all &= end.get("type") == "end" and received + end.get("dropped", 0) == total and not rest
        # every drop before the last message is announced; drops of the last moments
        # are in the end message
        notices_ok &= noticed <= end.get("dropped", 0) and (noticed > 0 or end.get("dropped", 0) == 0)
    t.check(got_all, "lossy clients: records received + records dropped = every record", drops)
    t.check(sum(1 for d in drops if d > 0) >= N_LOSSY // 2 and notices_ok,
            "slow lossy clients were told of drops (dropped notices and the end message)", drops)

    ok_garbage = True
    for i in range(N_GARBAGE):
        sent, buf = res.get(("garbage", i), (0, b""))
        msgs, rest = sl.parse(buf)
        replies = [m for m in msgs if m["type"] == "reply"]
        if len(replies) != sent or any(m["ok"] for m in replies) or msgs[0]["type"] != "header":
            ok_garbage = False
            t.note(f"garbage {i}: {sent} lines, {len(replies)} replies, ok: {[m['ok'] for m in replies if m['ok']]}")
    t.check(ok_garbage, "garbage clients: one error reply per line, nothing obeyed")
    t.check(not summ["interrupted"] and summ["simulated_time_s"] == 20.0,
            "the run was neither stopped nor paused by the garbage", summ["simulated_time_s"])
    vanished = sum(1 for i in range(N_VANISH) if ("vanish", i) in res)
    t.check(vanished == N_VANISH, "20 clients vanished mid-stream (RST), the run went on")

    t.note(f"figures: baseline (no clients) wall {base_wall:.3f} s; with 100 clients {wall:.3f} s "
           f"(x{wall / base_wall:.1f}); queue bound 256 KiB per client")
    t.note(f"figures: {total} records per lossless client ({len(truth['spikes'])} spikes, "
           f"{len(truth['v'])} state, {len(truth['rate'])} rate), {N_FAST + N_SLOW} lossless clients "
           f"all complete; lossy clients dropped min {min(drops)} / max {max(drops)} records "
           f"(mean {sum(drops) / len(drops):.0f})")
t.done()
