"""Client for rewire's `stream` output (docs/stream-protocol.md), standard library only;
record columns become numpy arrays when numpy is installed, lists otherwise.

    import rewire_stream
    with rewire_stream.connect("tcp:127.0.0.1:40123", channels=["spikes"]) as s:
        print(s.header["experiment"])
        for msg in s:                       # dicts; records have "columns"
            if msg["type"] == "data":
                print(msg["name"], msg["n"])

    python3 -m rewire_stream ADDR [--channels a,b] [--format binary|json]
                                  [--mode lossless|lossy] [--save out.npz] [--quiet]
                                  [--command status] [--token T]

ADDR: tcp:HOST:PORT, HOST:PORT, unix:PATH, a run folder (its stream.addr), or '-' to
read a stream from standard input (`rewire run exp.yaml --stream - | python3 -m
rewire_stream -`).
"""
import json
import os
import socket
import struct
import sys

try:
    import numpy as np
except ImportError:  # pragma: no cover - numpy is optional
    np = None

PROTOCOL = "rewire-stream/1"
FRAME_TAG = 0x1E
_FRAME_HEAD = struct.Struct("<IIdQII")  # channel, kind, t, seq, rows, columns


class StreamError(Exception):
    pass


def _parse_addr(addr):
    if addr == "-":
        return ("stdin", None)
    if os.path.isdir(addr):
        with open(os.path.join(addr, "stream.addr")) as f:
            addr = f.read().strip()
    if addr.startswith("unix:"):
        return ("unix", addr[5:])
    if addr.startswith("tcp:"):
        addr = addr[4:]
    if "/" in addr:
        return ("unix", addr)
    host, _, port = addr.rpartition(":")
    if not host or not port.isdigit():
        raise StreamError(f"expected tcp:HOST:PORT, unix:PATH, a run folder or '-', got {addr!r}")
    return ("tcp", (host.strip("[]"), int(port)))


class Stream:
    """One connection.  Iterate for messages (dicts).  Binary frames come out as
    {"type": "data", "channel", "name", "t", "seq", "n", "columns": {field: array}}, the
    same shape as JSON data messages."""

    def __init__(self, addr, channels=None, format="binary", mode="lossless", token=None,
                 hello=True, timeout=None):
        kind, where = _parse_addr(addr)
        self.sock = None
        self._pending = []
        if kind == "stdin":
            self._in = sys.stdin.buffer
        else:
            fam = socket.AF_UNIX if kind == "unix" else socket.AF_INET6 if ":" in where[0] else socket.AF_INET
            self.sock = socket.socket(fam, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            self.sock.connect(where)
            self._in = self.sock.makefile("rb")
        self.header = self._read_message()
        if not self.header or self.header.get("type") != "header":
            raise StreamError(f"expected the stream header, got {self.header!r}")
        if not self.header.get("protocol", "").startswith("rewire-stream/1"):
            raise StreamError(f"unsupported protocol {self.header.get('protocol')!r}")
        self.channels = {c["id"]: c for c in self.header["channels"]}
        self.welcome = None
        self.dropped = 0
        self.replies = []
        if hello and self.sock is not None:
            h = {"hello": PROTOCOL, "format": format, "mode": mode}
            if channels is not None:
                h["channels"] = list(channels)
            if token is not None:
                h["token"] = token
            self.send(h)

    # -- sending ---------------------------------------------------------------------
    def send(self, obj):
        """Send a JSON object (a hello or a command) or a text command line."""
        line = obj if isinstance(obj, str) else json.dumps(obj)
        self.sock.sendall(line.encode() + b"\n")

    def command(self, cmd, **fields):
        """Send a control command and return its reply (data read meanwhile is kept)."""
        self.send(dict(cmd=cmd, **fields))
        while True:
            m = self._read_message()
            if m is None:
                raise StreamError("the stream ended before the reply")
            if m.get("type") == "reply":
                return m
            self._pending.append(m)

    # -- reading ---------------------------------------------------------------------
    def _read_exact(self, n):
        buf = self._in.read(n)
        if buf is None or len(buf) < n:
            raise StreamError("the stream was cut in the middle of a frame")
        return buf

    def _read_message(self):
        first = self._in.read(1)
        if not first:
            return None
        if first[0] == FRAME_TAG:
            (length,) = struct.unpack("<I", self._read_exact(4))
            return self._decode_frame(self._read_exact(length))
        line = first + self._in.readline()
        if not line.endswith(b"\n"):
            raise StreamError("the stream was cut in the middle of a line")
        return json.loads(line)

    def _decode_frame(self, body):
        ch, kind, t, seq, rows, ncols = _FRAME_HEAD.unpack_from(body, 0)
        info = self.channels.get(ch)
        if info is None or len(info["fields"]) != ncols:
            raise StreamError(f"frame for unknown channel {ch}")
        off = _FRAME_HEAD.size
        cols = {}
        for f in info["fields"]:
            size = 4 if f["dtype"] == "<u4" else 8
            raw = body[off:off + rows * size]
            off += rows * size
            if np is not None:
                cols[f["name"]] = np.frombuffer(raw, dtype=f["dtype"]).copy()
            else:
                cols[f["name"]] = list(struct.unpack(f"<{rows}{'I' if size == 4 else 'd'}", raw))
        if off != len(body):
            raise StreamError("frame length does not match its columns")
        return {"type": "data", "channel": ch, "name": info["name"], "t": t, "seq": seq, "n": rows,
                "columns": cols, "binary": True}

    def __iter__(self):
        return self

    def __next__(self):
        if self._pending:
            return self._pending.pop(0)
        m = self._read_message()
        if m is None:
            raise StopIteration
        t = m.get("type")
        if t == "dropped":
            self.dropped += m["records"]
        elif t == "welcome":
            self.welcome = m
        elif t == "reply":
            self.replies.append(m)
        if t == "data" and np is not None and not m.get("binary"):
            info = self.channels[m["channel"]]
            m["columns"] = {f["name"]: np.array([np.nan if v is None else v for v in m["columns"][f["name"]]],
                                                dtype=f["dtype"]) for f in info["fields"]}
        return m

    def read_all(self):
        """Read to the end: (records per channel name as {field: array}, end message)."""
        parts, end = {}, None
        for m in self:
            if m["type"] == "data":
                parts.setdefault(m["name"], []).append(m["columns"])
            elif m["type"] == "end":
                end = m
        out = {}
        for name, chunks in parts.items():
            out[name] = {k: (np.concatenate([c[k] for c in chunks]) if np is not None
                             else [v for c in chunks for v in c[k]]) for k in chunks[0]}
        return out, end

    def close(self):
        if self.sock is not None:
            try:
                self._in.close()
                self.sock.close()
            except OSError:
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def connect(addr, **kw):
    return Stream(addr, **kw)


def main(argv=None):
    import argparse
    ap = argparse.ArgumentParser(prog="python3 -m rewire_stream", description=__doc__.split("\n\n")[0])
    ap.add_argument("addr", help="tcp:HOST:PORT, unix:PATH, a run folder, or - (stdin)")
    ap.add_argument("--channels", help="comma-separated channel names (default: all)")
    ap.add_argument("--format", choices=["binary", "json"], default="binary")
    ap.add_argument("--mode", choices=["lossless", "lossy"], default="lossless")
    ap.add_argument("--token")
    ap.add_argument("--command", action="append", default=[],
                    help="send a control command (e.g. status, pause, 'set x.y 1') and print the reply")
    ap.add_argument("--save", help="write the records to an .npz (numpy) or .json file at the end")
    ap.add_argument("--quiet", action="store_true", help="print nothing while reading")
    a = ap.parse_args(argv)
    chans = a.channels.split(",") if a.channels else None
    with Stream(a.addr, channels=chans, format=a.format, mode=a.mode, token=a.token,
                hello=not a.command) as s:
        if a.command:
            for c in a.command:
                s.send(c)
                while True:
                    m = s._read_message()
                    if m is None or m.get("type") == "reply":
                        print(json.dumps(m))
                        break
            return 0
        if not a.quiet:
            print(f"# {s.header['experiment']}: {len(s.channels)} channels, "
                  f"{s.header['duration']} ms", file=sys.stderr)
        parts, end = {}, None
        for m in s:
            t = m["type"]
            if t == "data":
                parts.setdefault(m["name"], []).append(m["columns"])
                if not a.quiet:
                    print(f"t={m['t']:.6g} ms {m['name']}: {m['n']} records")
            elif t == "end":
                end = m
            elif not a.quiet:
                print(json.dumps(m))
        if a.save:
            merged = {}
            for name, chunks in parts.items():
                for k in chunks[0]:
                    merged[f"{name}/{k}"] = [v for c in chunks for v in c[k]]
            if a.save.endswith(".npz") and np is not None:
                np.savez(a.save, **{k: np.asarray(v) for k, v in merged.items()})
            else:
                with open(a.save, "w") as f:
                    json.dump({k: [float(x) for x in v] for k, v in merged.items()}, f)
        if not a.quiet and end:
            print(json.dumps(end))
        if s.dropped:
            print(f"# {s.dropped} records dropped (lossy)", file=sys.stderr)
    return 0 if end else 1


if __name__ == "__main__":
    sys.exit(main())
