"""Helpers of the stream tests: start a run with the stream output, wait for its address,
and an independent parser of the wire format (docs/stream-protocol.md) for raw bytes,
written from the document, not from sdk/python/rewire_stream.py."""
import json
import os
import struct
import subprocess
import time

import numpy as np


def start(rewire, exp, out, sets=(), env=None, extra=()):
    cmd = [rewire, "run", exp, "--out", out, "--quiet"] + list(extra)
    for s in sets:
        cmd += ["--set", s]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_addr(out, proc, timeout=30):
    path = os.path.join(out, "stream.addr")
    t0 = time.time()
    while time.time() - t0 < timeout:
        if os.path.exists(path):
            text = open(path).read()
            if text.endswith("\n"):
                return text.strip()
        if proc.poll() is not None:
            raise RuntimeError(f"rewire exited early: {proc.stderr.read().decode()}")
        time.sleep(0.02)
    raise RuntimeError("no stream.addr")


def tcp_target(addr):
    assert addr.startswith("tcp:"), addr
    host, _, port = addr[4:].rpartition(":")
    return host, int(port)


def parse(buf, header=None):
    """All complete messages in buf: a list of dicts; binary frames become
    {"type": "data", "channel", "seq", "n", "t", "columns": {name: ndarray}}.
    Returns (messages, leftover bytes)."""
    msgs, i = [], 0
    chans = {c["id"]: c for c in header["channels"]} if header else {}
    while i < len(buf):
        if buf[i] == 0x1E:
            if i + 5 > len(buf):
                break
            (length,) = struct.unpack_from("<I", buf, i + 1)
            if i + 5 + length > len(buf):
                break
            body = bytes(buf[i + 5:i + 5 + length])
            ch, kind, t, seq, rows, ncols = struct.unpack_from("<IIdQII", body, 0)
            off, cols = 32, {}
            for f in chans[ch]["fields"]:
                size = 4 if f["dtype"] == "<u4" else 8
                cols[f["name"]] = np.frombuffer(body[off:off + rows * size], dtype=f["dtype"])
                off += rows * size
            assert off == length, (off, length)
            msgs.append({"type": "data", "channel": ch, "kind": kind, "t": t, "seq": seq, "n": rows,
                         "columns": cols})
            i += 5 + length
        else:
            j = buf.find(b"\n", i)
            if j < 0:
                break
            m = json.loads(bytes(buf[i:j]))
            if m["type"] == "header":
                header = m
                chans = {c["id"]: c for c in m["channels"]}
            if m["type"] == "data":
                f = {x["name"]: x["dtype"] for x in chans[m["channel"]]["fields"]}
                m["columns"] = {k: np.array(v, dtype=f[k]) for k, v in m["columns"].items()}
            msgs.append(m)
            i = j + 1
    return msgs, buf[i:]


def records(msgs, header):
    """Records per channel name, concatenated, as {field: array}; and whether each
    channel's seq numbers run without a gap."""
    names = {c["id"]: c["name"] for c in header["channels"]}
    parts, contiguous = {}, True
    expect = {}
    for m in msgs:
        if m["type"] != "data":
            continue
        name = names[m["channel"]]
        if name in expect and m["seq"] != expect[name]:
            contiguous = False
        expect[name] = m["seq"] + m["n"]
        parts.setdefault(name, []).append(m["columns"])
    out = {n: {k: np.concatenate([c[k] for c in ps]) for k in ps[0]} for n, ps in parts.items()}
    return out, contiguous


def same_as_npy(recs, npy):
    """Every field of recs equals the npy structured array's column, bit for bit."""
    if len(npy) == 0:
        return recs is None
    if recs is None:
        return False
    return all(len(recs[k]) == len(npy) and np.array_equal(recs[k], npy[k]) for k in npy.dtype.names)
