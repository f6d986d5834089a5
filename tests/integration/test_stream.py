#!/usr/bin/env python3
"""The stream output end to end: a real run read by sdk/python/rewire_stream.py and by a
plain socket in a second process, both compared bit for bit with the npy files of the
same run; the Unix socket's mode; `--stream -` piped; the control channel (commands,
malformed lines, token, control off).

usage: test_stream.py REWIRE SOURCE_ROOT
"""
import json
import os
import socket
import stat
import subprocess
import sys
import tempfile
import time

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, ".."))
sys.path.insert(0, here)
from tap import Tap, rewire_env  # noqa: E402
import streamlib as sl  # noqa: E402

rewire, root = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
sys.path.insert(0, os.path.join(root, "sdk", "python"))
import rewire_stream  # noqa: E402

exp = os.path.join(here, "data", "stream.yaml")
py = sys.executable
env = rewire_env()
t = Tap()

PLAIN_CLIENT = r"""
import json, socket, sys
host, port = sys.argv[1], int(sys.argv[2])
s = socket.create_connection((host, port))
s.sendall(b'{"hello": "rewire-stream/1", "channels": ["rate", "v"], "format": "json"}\n')
buf = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    buf += d
sys.stdout.buffer.write(buf)
"""


def npy(out, name):
    return np.load(os.path.join(out, name + ".npy"))


with tempfile.TemporaryDirectory() as tmp:
    # --- TCP: the Python client (binary frames) and a plain socket (JSON) -------------
    out = os.path.join(tmp, "tcp")
    p = sl.start(rewire, exp, out, ["outputs.1.params.wait_for=2"], env)
    addr = sl.wait_addr(out, p)
    t.check(addr.startswith("tcp:127.0.0.1:") and not addr.endswith(":0"),
            "port 0 picks a free port, written to stream.addr", addr)
    host, port = sl.tcp_target(addr)
    plain = subprocess.Popen([py, "-c", PLAIN_CLIENT, host, str(port)], stdout=subprocess.PIPE)
    client = rewire_stream.connect(out, format="binary", mode="lossless")  # the run folder works
    recs, end = client.read_all()
    client.close()
    raw, _ = plain.communicate(timeout=120)
    rc = p.wait(timeout=120)
    t.check(rc == 0, "the run with two clients completes", p.stderr.read().decode())
    t.check(client.header["experiment"] == "streamed" and
            [c["name"] for c in client.header["channels"]] == ["spikes", "v", "rate"],
            "header: experiment and channels", client.header.get("channels"))
    v = next(c for c in client.header["channels"] if c["name"] == "v")
    t.check(v["kind"] == "state" and v["unit"] == "mV" and
            [f["name"] for f in v["fields"]] == ["t_ms", "neuron", "value"] and
            v["fields"][2]["unit"] == "mV" and v["fields"][1]["dtype"] == "<u4",
            "header: fields, units and dtypes of a state channel", v)
    for name in ("spikes", "v", "rate"):
        t.check(sl.same_as_npy(recs.get(name), npy(out, name)),
                f"python client: every '{name}' record, equal to {name}.npy", len(npy(out, name)))
    t.check(end and end["records"]["spikes"] == len(npy(out, "spikes")) and end["dropped"] == 0 and
            not end["interrupted"], "end message: counts per channel, nothing dropped", end)
    msgs, rest = sl.parse(raw)
    header = msgs[0] if msgs else {}
    t.check(header.get("type") == "header" and not rest, "plain socket: header first, whole messages")
    prec, contiguous = sl.records(msgs, header)
    t.check(set(prec) == {"rate", "v"} and contiguous, "plain socket: only the channels it asked for, "
            "without gaps", sorted(prec))
    for name in ("rate", "v"):
        t.check(sl.same_as_npy(prec.get(name), npy(out, name)),
                f"plain socket (JSON, second process): every '{name}' record, equal to {name}.npy")
    types = [m["type"] for m in msgs]
    t.check(types.count("phase") == 4 and types[-1] == "end" and "welcome" in types,
            "phases start and end, welcome, end last", types[:6])

    # --- Unix socket, 0600 -----------------------------------------------------------------
    out = os.path.join(tmp, "unix")
    p = sl.start(rewire, exp, out, ["outputs.1.params.wait_for=1", "outputs.1.params.listen=unix:s.sock"], env)
    addr = sl.wait_addr(out, p)
    path = addr[5:]
    mode = stat.S_IMODE(os.stat(path).st_mode) if os.path.exists(path) else None
    t.check(addr.startswith("unix:") and stat.S_ISSOCK(os.stat(path).st_mode) and mode == 0o600,
            "unix socket in the run folder, mode 0600", (addr, oct(mode or 0)))
    with rewire_stream.connect(addr, channels=["spikes"]) as c:
        recs, end = c.read_all()
    t.check(p.wait(timeout=120) == 0 and sl.same_as_npy(recs.get("spikes"), npy(out, "spikes")) and
            set(recs) == {"spikes"}, "unix socket: every spike, only spikes")
    t.check(not os.path.exists(path), "the socket file is removed at the end")

    # --- --stream - piped -------------------------------------------------------------------
    out = os.path.join(tmp, "pipe")
    r = subprocess.run([rewire, "run", exp, "--out", out, "--stream", "-", "--set",
                        "outputs.1.params.listen=127.0.0.1:0", "--set", "outputs.1.params.control=false"],
                       env=env, capture_output=True, timeout=300)
    msgs, rest = sl.parse(r.stdout)
    t.check(r.returncode == 0 and msgs and msgs[0]["type"] == "header" and not rest and
            msgs[-1]["type"] == "end", "--stream -: stdout holds the stream and nothing else",
            (r.returncode, r.stdout[:200], rest[:100]))
    t.check(b"streamed: done" in r.stderr, "--stream -: the summary goes to stderr", r.stderr[-300:])
    prec, contiguous = sl.records(msgs, msgs[0])
    t.check(contiguous and all(sl.same_as_npy(prec.get(n), npy(out, n)) for n in ("spikes", "v", "rate")),
            "--stream -: every record of every channel, equal to the npy files")
    r2 = subprocess.run(f"'{rewire}' run '{exp}' --out '{out}2' --stream - -q "
                        f"| {py} -m rewire_stream - --quiet --save '{tmp}/piped.npz'", shell=True,
                        env=dict(env, PYTHONPATH=os.path.join(root, "sdk", "python")),
                        capture_output=True, timeout=300)
    saved = np.load(f"{tmp}/piped.npz") if os.path.exists(f"{tmp}/piped.npz") else {}
    t.check(r2.returncode == 0 and "spikes/t_ms" in saved and
            np.array_equal(saved["spikes/t_ms"], npy(out + "2", "spikes")["t_ms"]),
            "python3 -m rewire_stream - --save reads a piped stream", r2.stderr[-300:])

    # --- control channel ------------------------------------------------------------------
    out = os.path.join(tmp, "ctl")
    p = sl.start(rewire, exp, out, ["timeline.1.duration=200 s", "outputs.1.params.format=binary"], env)
    addr = sl.wait_addr(out, p)
    c = rewire_stream.connect(addr, hello=False)
    def ask(line):
        c.send(line)
        while True:
            m = c._read_message()
            if m is None or m.get("type") in ("reply", "welcome"):
                return m
    w = ask(json.dumps({"hello": "rewire-stream/1", "channels": [], "token": "opensesame"}))
    t.check(w and w["ok"] and w["control"], "hello with the token: control granted", w)
    st = ask("status")
    t.check(st["ok"] and st["state"] in ("running", "starting") and st["duration"] == 202000.0,
            "status: running, with the duration", st)
    r = ask("pause")
    time.sleep(0.2)
    s1 = ask("status")
    time.sleep(0.5)
    s2 = ask("status")
    t.check(r["ok"] and s1["state"] == "paused" and s1["t"] == s2["t"],
            "pause: the simulated time stops", (r, s1.get("t"), s2.get("t")))
    t.check(ask("pause")["ok"] is False, "pause twice: error")
    bad = [b"\x00\xff\xfe garbage \x01", b"{not json", b"[1,2]", b"fly", b"pause now", b"set", b"set x 1",
           b"set nosuch.param 3", b'{"cmd": 7}', b'{"cmd": "set", "name": "a.b"}', b"x" * 9000,
           b'{"hello": 1, "channels": ["nope"]}', b'{"hello": 1, "mode": "sometimes"}']
    replies = []
    for line in bad:
        c.sock.sendall(line + b"\n")
        while True:
            m = c._read_message()
            if m is None or m.get("type") == "reply":
                break
        replies.append(m)
    t.check(all(m and m["ok"] is False and m.get("error") for m in replies),
            "malformed and unknown commands: an error reply each", [m and m.get("error") for m in replies])
    s3 = ask("status")
    t.check(s3["state"] == "paused" and s3["t"] == s2["t"], "after the garbage: still paused, nothing changed")
    # a second client without the token cannot steer
    c2 = rewire_stream.connect(addr, channels=[])
    c2.send("resume")
    m = None
    while True:
        m = c2._read_message()
        if m is None or m.get("type") == "reply":
            break
    t.check(m and not m["ok"] and "token" in m["error"], "without the token: refused", m)
    c2.send('{"hello": 1, "token": "wrong"}')
    while True:
        m = c2._read_message()
        if m is None or m.get("type") in ("reply", "welcome"):
            break
    t.check(m and not m["ok"] and "token" in m["error"], "wrong token: refused", m)
    c2.close()
    t.check(ask("status")["state"] == "paused", "still paused after the refused resume")
    r = ask("resume")
    time.sleep(0.3)
    s4 = ask("status")
    t.check(r["ok"] and s4["state"] == "running" and s4["t"] > s3["t"], "resume: time goes on", s4)
    # `set` of a live intervention parameter (practice's rate), checked like the file's value
    r = ask("set drill.rate 5Hz")
    t.check(r and r["ok"], "set drill.rate 5Hz: a live parameter of a running intervention", r)
    r_unit = ask("set drill.rate 5mV")
    r_bound = ask("set drill.rate -3Hz")
    r_fixed = ask("set drill.duration 1s")
    t.check(all(m and m["ok"] is False and m.get("error") for m in (r_unit, r_bound, r_fixed)),
            "set: a wrong unit, a value out of bounds, a parameter not live: errors",
            [m and m.get("error") for m in (r_unit, r_bound, r_fixed)])
    r = ask('{"cmd": "stop", "id": 42}')
    t.check(r["ok"] and r.get("id") == 42, "stop (JSON form, id echoed)", r)
    rest = []
    while True:
        m = c._read_message()
        if m is None:
            break
        rest.append(m)
    c.close()
    rc = p.wait(timeout=60)
    t.check(rc == 130 and rest and rest[-1]["type"] == "end" and rest[-1]["interrupted"],
            "stop ends the run as SIGINT does (130), the end message says interrupted",
            (rc, rest[-1:] if rest else None))
    t.check(len(npy(out, "spikes")) > 0, "and the npy files are valid")

    # control off: commands refused, nothing changes
    out = os.path.join(tmp, "noctl")
    p = sl.start(rewire, exp, out, ["timeline.1.duration=100 s", "outputs.1.params.control=false"], env)
    addr = sl.wait_addr(out, p)
    with rewire_stream.connect(addr, channels=[], hello=False) as c:
        c.send("stop")
        m = c._read_message()
        t.check(c.header["control"] is False and m and not m["ok"] and "control is off" in m["error"],
                "control off: stop refused", m)
    rc = p.wait(timeout=120)
    t.check(rc == 0, "control off: the run completes normally", rc)

    r = subprocess.run([rewire, "validate", exp, "--stream", "-"], env=env, capture_output=True, text=True)
    t.check(r.returncode == 2 and "--stream" in r.stderr, "validate --stream: usage error", r.stderr)

t.done()
