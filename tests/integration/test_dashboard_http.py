#!/usr/bin/env python3
"""The dashboard output's server, read with plain sockets (docs/dashboard.md):

- `listen: 127.0.0.1:0` picks a free port; the URL is printed on stderr and written to
  the run folder as dashboard.url;
- GET / answers the page (text/html, the script that opens the WebSocket); other paths 404;
- a WebSocket receives the header (every channel, with its kind and view), then a history
  message, updates and the end message; the numbers agree with the csv output of the same
  run: the rate curve integrates to the spike count, the last weights histogram counts
  every synapse and its mean is the csv's mean, the metric curve is the csv's;
- a viewer that joins during `hold` gets the header, the whole history and the end;
- a viewer that never reads does not hold the run back, and SIGINT ends the hold early
  with exit status 0; a run that fails to start (another output refuses) still exits.

usage: test_dashboard_http.py REWIRE SOURCE_ROOT
"""
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import Tap, rewire_env, run  # noqa: E402
from wsclient import WebSocket  # noqa: E402

rewire = os.path.abspath(sys.argv[1])
t = Tap()

EXPERIMENT = """
experiment: {{name: dash, dt: 0.1 ms, seed: 5}}
populations:
  input: {{model: poisson, size: 200, rate: 20 Hz}}
  cells: {{model: lif_cuba, size: 50}}
projections:
  ff:
    from: input
    to: cells
    connect: {{rule: fixed_probability, p: 0.2}}
    weight: {{uniform: [50 pA, 250 pA]}}
    delay: 1 ms
    plasticity: {{rule: stdp, params: {{w_max: 300 pA}}}}
record:
  cell_spikes: {{spikes: cells}}
  input_spikes: {{spikes: input}}
  w: {{weights: ff, interval: 250 ms}}
  n_ff: {{synapses: ff, interval: 100 ms}}
timeline:
  - {{phase: develop, duration: {d1}}}
  - {{phase: test, duration: 500 ms}}
outputs:
  - {{plugin: csv}}
  - {{plugin: dashboard, params: {{listen: "127.0.0.1:0", hold: {hold}, update: 50 ms}}}}
{extra}
"""


def write(tmp, name, d1="1 s", hold="0 s", extra=""):
    path = os.path.join(tmp, name + ".yaml")
    with open(path, "w") as f:
        f.write(EXPERIMENT.format(d1=d1, hold=hold, extra=extra))
    return path


def wait_url(out, proc, timeout=30):
    path = os.path.join(out, "dashboard.url")
    end = time.time() + timeout
    while time.time() < end:
        if os.path.exists(path):
            text = open(path).read()
            if text.endswith("\n"):
                return text.strip()
        if proc.poll() is not None:
            return None
        time.sleep(0.02)
    return None


def host_port(url):
    hp = url.split("//", 1)[1].rstrip("/")
    h, p = hp.rsplit(":", 1)
    return h, int(p)


def http_get(host, port, path):
    s = socket.create_connection((host, port), timeout=10)
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode())
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = [int(line.split(b":")[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:")]
        if length and len(body) >= length[0]:
            break
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return head.decode(errors="replace"), body


def read_csv(path):
    with open(path) as f:
        rows = list(csv.reader(f))
    return rows[0], [[float(x) for x in r] for r in rows[1:]]


def collect(ws, limit=60):
    """Messages until the end message (or the connection closes)."""
    msgs, end = [], time.time() + limit
    while time.time() < end:
        m = ws.recv_json()
        if m is None:
            break
        msgs.append(m)
        if m["type"] == "end":
            break
    return msgs


with tempfile.TemporaryDirectory() as tmp:
    # 1. A run held open 30 s: connect after the run ended, read everything, SIGINT.
    out = os.path.join(tmp, "held")
    proc = subprocess.Popen([rewire, "run", write(tmp, "held", hold="30 s"), "--out", out, "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=rewire_env())
    url = wait_url(out, proc)
    t.check(url is not None and url.startswith("http://127.0.0.1:"), "dashboard.url holds the URL", url)
    host, port = host_port(url) if url else ("127.0.0.1", 1)
    t.check(port > 0, "port 0 became a real port", port)

    head, body = http_get(host, port, "/")
    t.check(head.startswith("HTTP/1.1 200"), "GET / answers 200", head)
    t.check("text/html" in head.lower(), "the page is text/html", head)
    page = body.decode(errors="replace")
    t.check("<canvas id=\"raster\"" in page and "new WebSocket(" in page,
            "the page has the raster canvas and opens a WebSocket", page[:300])
    t.check("http://" not in page.replace("http://\" +", "") and "https://" not in page,
            "the page loads nothing from elsewhere (no CDN)")
    head404, _ = http_get(host, port, "/nothing-here")
    t.check(head404.startswith("HTTP/1.1 404"), "other paths answer 404", head404)

    # Wait for the run itself to be over (the hold message), then join as a late viewer.
    deadline = time.time() + 60
    while time.time() < deadline and not os.path.exists(os.path.join(out, "cell_spikes.csv")):
        time.sleep(0.05)
    time.sleep(0.5)
    ws = WebSocket(host, port, protocol="rewire-dashboard")
    t.check(ws.headers.get("sec-websocket-protocol") == "rewire-dashboard",
            "the handshake accepts the rewire-dashboard subprotocol", ws.headers)
    msgs = collect(ws)
    ws.close()
    types = [m["type"] for m in msgs]
    t.check(types[:1] == ["header"], "the first message is the header", types)
    header = msgs[0] if msgs else {}
    chans = {c["name"]: c for c in header.get("channels", [])}
    t.check(set(chans) == {"cell_spikes", "input_spikes", "w", "n_ff"},
            "the header lists every channel", list(chans))
    t.check(chans.get("cell_spikes", {}).get("view") == "raster" and chans["cell_spikes"]["size"] == 50
            and chans.get("w", {}).get("view") == "weights" and chans.get("n_ff", {}).get("view") == "measure",
            "channels carry their kind, view and size", chans)
    t.check(header.get("experiment") == "dash" and header.get("duration") == 1500 and header.get("dt") == 0.1,
            "the header describes the run", {k: header.get(k) for k in ("experiment", "duration", "dt")})
    t.check("history" in types and types[-1] == "end", "a late viewer gets the history, then the end", types)
    hist = next((m for m in msgs if m["type"] == "history"), {})
    end = msgs[-1] if msgs else {}
    t.check(end.get("t") == 1500 and end.get("interrupted") is False and end.get("hold_s") == 30,
            "the end message says the run ended at 1500 ms, not interrupted", end)

    ids = {c["id"]: c["name"] for c in header.get("channels", [])}
    series = {(ids.get(s["ch"]), s["c"]): s["p"] for s in hist.get("series", [])}
    _, spikes = read_csv(os.path.join(out, "cell_spikes.csv"))
    _, ispikes = read_csv(os.path.join(out, "input_spikes.csv"))
    for name, rows, size in (("cell_spikes", spikes, 50), ("input_spikes", ispikes, 200)):
        p = series.get((name, 0), [])
        ts, vs = p[0::2], p[1::2]
        bin_ms = header.get("bin_ms", 10)
        # rate (Hz) * size * bin (s) summed over bins = spikes; bins cover [0, 1500) ms
        total = sum(v * size * bin_ms * 1e-3 for v in vs)
        t.check(len(ts) == 150 and ts[:2] == [0, bin_ms] and abs(total - len(rows)) < 0.5,
                f"{name}: 150 rate bins of {bin_ms} ms that add up to the csv's {len(rows)} spikes",
                (len(ts), ts[:3], total))
    t.check(len(spikes) > 20, "the cells fire (the test network is not silent)", len(spikes))
    raster = {ids.get(r["ch"]): r["p"] for r in hist.get("raster", [])}
    cell_pts = raster.get("cell_spikes", [])
    t.check(len(cell_pts) // 2 == len(spikes) and all(0 <= r < 50 for r in cell_pts[1::2]),
            "the raster of the small population is complete (no thinning below the caps)",
            (len(cell_pts) // 2, len(spikes)))

    _, wrows = read_csv(os.path.join(out, "w.csv"))
    last_t = max(r[0] for r in wrows)
    last = [r[3] for r in wrows if r[0] == last_t]
    h = next((x for x in hist.get("hist", []) if ids.get(x["ch"]) == "w"), {})
    t.check(h.get("t") == last_t and h.get("n") == len(last) and sum(h.get("counts", [])) == len(last),
            "the weights histogram is the last snapshot's, every synapse counted",
            (h.get("t"), h.get("n"), last_t, len(last)))
    mean = sum(last) / len(last)
    close = lambda a, b: abs(a - b) <= 1e-5 * abs(b)  # noqa: E731  (sent with 6 digits)
    t.check(close(h.get("mean", 0), mean) and close(h.get("min", 0), min(last))
            and close(h.get("max", 0), max(last)), "its mean, min and max are the csv's",
            (h, mean, min(last), max(last)))

    _, nrows = read_csv(os.path.join(out, "n_ff.csv"))
    p = series.get(("n_ff", 0), [])
    t.check(p[0::2] == [r[0] for r in nrows] and p[1::2] == [r[-1] for r in nrows],
            "the metric curve is the csv's rows", (p[:6], nrows[:3]))
    kinds = [(m["kind"], m["label"]) for m in hist.get("markers", [])]
    t.check(kinds == [("phase_start", "develop"), ("phase_end", "develop"),
                      ("phase_start", "test"), ("phase_end", "test")],
            "phase edges are markers", kinds)

    t.check(proc.poll() is None, "the run is still serving during the hold")
    t0 = time.time()
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    t.check(proc.returncode == 0 and time.time() - t0 < 10,
            "SIGINT ends the hold early, exit status 0", (proc.returncode, err))
    t.check(f"dashboard: {url}" in err, "the URL is printed on stderr", err)

    # 2. A bigger run that would take minutes, with a viewer that never reads: another
    # viewer keeps getting updates with advancing time (the loop is not held back), a
    # third that joins later is told updates were dropped; then SIGINT stops the run.
    out = os.path.join(tmp, "live")
    big = open(write(tmp, "live", d1="300 s")).read()
    big = big.replace("size: 200, rate: 20 Hz", "size: 2000, rate: 20 Hz").replace(
        "cells: {model: lif_cuba, size: 50}", "cells: {model: lif_cuba, size: 1000}")
    big = big.replace("weight: {uniform: [50 pA, 250 pA]}", "weight: {uniform: [0 pA, 40 pA]}")
    big = big.replace("update: 50 ms", "update: 20 ms")
    path = os.path.join(tmp, "live.yaml")
    open(path, "w").write(big)
    proc = subprocess.Popen([rewire, "run", path, "--out", out, "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=rewire_env())
    url = wait_url(out, proc)
    host, port = host_port(url) if url else ("127.0.0.1", 1)
    # More updates than the stuck viewer's queue and socket buffers hold.
    # (a slower build sends smaller updates: also wait for enough bytes).
    N_UPDATES, MIN_BYTES = 250, 8 << 20
    stuck, times, late = None, [], {}
    try:
        stuck = socket.socket()
        stuck.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        stuck.connect((host, port))
        stuck.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        ws = WebSocket(host, port)  # no subprotocol: the first (only) one serves it
        deadline = time.time() + 120
        received = 0
        while time.time() < deadline and (len(times) < N_UPDATES or received < MIN_BYTES):
            text = ws.recv_text()
            if text is None:
                break
            received += len(text)
            m = json.loads(text)
            if m["type"] == "update" and len(times) < N_UPDATES:
                times.append((m["seq"], m["t"], m["ended"]))
        t.note(f"read {len(times)} updates, {received} bytes")
        ws2 = WebSocket(host, port, protocol="rewire-dashboard")
        deadline = time.time() + 30
        while time.time() < deadline:
            m = ws2.recv_json()
            if m is None or m["type"] == "history":
                late = m or {}
                break
        ws.close()
        ws2.close()
    except (OSError, ConnectionError) as e:
        t.note(f"connection failed: {e}")
    still_running = proc.poll() is None
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    if stuck:
        stuck.close()
    seqs = [x[0] for x in times]
    t.check(len(times) == N_UPDATES and seqs == sorted(set(seqs)) and not any(x[2] for x in times),
            f"a viewer gets {N_UPDATES} updates in order while the run goes on", times[:5])
    t.check(len(times) == N_UPDATES and times[-1][1] > times[0][1],
            "simulated time advances although another viewer reads nothing",
            times[:1] + times[-1:])
    t.check(late.get("dropped", 0) > 0, "the viewer that reads nothing had updates dropped",
            {k: late.get(k) for k in ("type", "dropped", "seq")})
    t.check(still_running and proc.returncode == 128 + signal.SIGINT and "interrupted" in err,
            "SIGINT during the run stops it as usual (status 130)", (proc.returncode, err))

    # 3. Another output fails to start after the dashboard did: rewire still exits.
    path = write(tmp, "fails", extra="  - {plugin: npy}\n")
    os.makedirs(os.path.join(tmp, "fails-out", "cell_spikes.npy"))  # a folder: npy cannot open it
    r = run([rewire, "run", path, "--out", os.path.join(tmp, "fails-out"), "--quiet"], timeout=60)
    t.check(r.returncode != 0 and "cell_spikes" in r.stderr,
            "a run whose other output cannot start exits with an error (no hang)", (r.returncode, r.stderr))

    # 4. A bad listen address is a clear error.
    path = write(tmp, "badlisten")
    text = open(path).read().replace('"127.0.0.1:0"', '"127.0.0.1:99999"')
    open(path, "w").write(text)
    r = run([rewire, "run", path, "--out", os.path.join(tmp, "bad"), "--quiet"], timeout=60)
    t.check(r.returncode != 0 and "HOST:PORT" in r.stderr, "listen with port 99999 is refused", r.stderr)

    # 5. A port in use, and a host that is not an address, are errors before the run.
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    for listen, expect in ((f"127.0.0.1:{busy.getsockname()[1]}", "in use"),
                           ("example.invalid:0", "not an IPv4 address")):
        open(path, "w").write(text.replace('"127.0.0.1:99999"', f'"{listen}"'))
        r = run([rewire, "run", path, "--out", os.path.join(tmp, "bad"), "--quiet"], timeout=60)
        t.check(r.returncode == 1 and "starting output 'dashboard' failed" in r.stderr and expect in r.stderr,
                f"listen {listen}: a clear error, exit status 1", (r.returncode, r.stderr))
    busy.close()

t.done()
