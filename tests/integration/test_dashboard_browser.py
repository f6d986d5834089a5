#!/usr/bin/env python3
"""The dashboard page end to end in headless Chromium (Debian's `chromium`), driven over
the DevTools protocol with the standard library only:

a long run with the dashboard starts; Chromium loads the page while the run goes on; the
test reads, from the page itself, what it has drawn: the raster canvas has spikes and
non-background pixels, the rate and measure curves have points, the weights histogram has
bars, the status says "running" with updates received; the last metric value shown is the
synapse count the csv output of the same run records.  Then SIGINT stops the run.

usage: test_dashboard_browser.py REWIRE SOURCE_ROOT
"""
import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import Tap, rewire_env  # noqa: E402
from wsclient import WebSocket  # noqa: E402

rewire = os.path.abspath(sys.argv[1])
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
t = Tap()

# Large enough to run for minutes here; SIGINT ends it once the page has been read.
EXPERIMENT = """
experiment: {name: browser, dt: 0.1 ms, seed: 7}
populations:
  input: {model: poisson, size: 2000, rate: 20 Hz}
  cells: {model: lif_cuba, size: 1000}
projections:
  ff:
    from: input
    to: cells
    connect: {rule: fixed_probability, p: 0.2}
    weight: {uniform: [0 pA, 40 pA]}
    delay: 1 ms
    plasticity: {rule: stdp, params: {w_max: 300 pA}}
record:
  cell_spikes: {spikes: cells}
  input_spikes: {spikes: input}
  w: {weights: ff, interval: 500 ms}
  n_ff: {synapses: ff, interval: 100 ms}
timeline:
  - {phase: develop, duration: 300 s}
  - {phase: test, duration: 300 s}
outputs:
  - {plugin: csv, channels: [n_ff]}
  - {plugin: dashboard, params: {listen: "127.0.0.1:0", hold: 60 s}}
"""

# What the page has drawn, read from its DOM and its canvases' pixels.
PROBE = r"""
(() => {
  const c = id => document.getElementById(id);
  const inked = id => {           // pixels of the canvas that are not the white background
    const cv = c(id), d = cv.getContext("2d").getImageData(0, 0, cv.width, cv.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] < 250 || d[i + 1] < 250 || d[i + 2] < 250) n++;
    return n;
  };
  const st = c("status").dataset;
  return JSON.stringify({
    state: st.state, updates: +st.updates, t: +st.t,
    spikes: +c("raster").dataset.spikesDrawn, raster_ink: inked("raster"),
    rates: +c("rates").dataset.pointsDrawn, rates_ink: inked("rates"),
    bins: +c("weights").dataset.binsDrawn,
    measures: +c("measures").dataset.pointsDrawn,
    last: [...document.querySelectorAll(".metric-last")].map(e => [e.dataset.channel, +e.dataset.value, e.textContent]),
    title: document.getElementById("title").textContent,
  });
})()
"""


class Cdp:
    def __init__(self, ws_url):
        hp, path = ws_url.split("//", 1)[1].split("/", 1)
        host, port = hp.rsplit(":", 1)
        self.ws = WebSocket(host, int(port), "/" + path, timeout=30)
        self.next_id = 0

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send_text(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = self.ws.recv_json()
            if msg is None:
                raise ConnectionError("DevTools connection closed")
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(msg["error"])
                return msg["result"]

    def evaluate(self, expr):
        r = self.call("Runtime.evaluate", expression=expr, returnByValue=True)
        return r["result"].get("value")


def wait_file(path, proc, timeout=60, complete=lambda text: text.endswith("\n")):
    end = time.time() + timeout
    while time.time() < end:
        if os.path.exists(path):
            text = open(path).read()
            if complete(text):
                return text.strip()
        if proc is not None and proc.poll() is not None:
            return None
        time.sleep(0.05)
    return None


with tempfile.TemporaryDirectory() as tmp:
    exp = os.path.join(tmp, "browser.yaml")
    open(exp, "w").write(EXPERIMENT)
    out = os.path.join(tmp, "out")
    run = subprocess.Popen([rewire, "run", exp, "--out", out, "--quiet"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, env=rewire_env())
    url = wait_file(os.path.join(out, "dashboard.url"), run)
    t.check(url is not None, "the run writes dashboard.url", url)
    profile = os.path.join(tmp, "profile")
    browser = subprocess.Popen([CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu",
                                "--no-first-run", "--remote-debugging-port=0",
                                f"--user-data-dir={profile}", "--window-size=1300,1500", url or "about:blank"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seen, running_seen, shot = {}, None, b""
    try:
        # Chromium writes its port, a newline and the browser target's path.
        port_line = wait_file(os.path.join(profile, "DevToolsActivePort"), browser,
                              complete=lambda text: len(text.splitlines()) >= 2)
        port = int(port_line.splitlines()[0]) if port_line else 0
        targets = []
        for _ in range(100):
            targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10))
            targets = [x for x in targets if x.get("type") == "page"]
            if targets:
                break
            time.sleep(0.1)
        cdp = Cdp(targets[0]["webSocketDebuggerUrl"])
        deadline = time.time() + 90
        while time.time() < deadline:
            seen = json.loads(cdp.evaluate(PROBE) or "{}")
            if seen.get("state") == "running" and seen.get("updates", 0) > 0 and running_seen is None:
                running_seen = dict(seen)
            if (running_seen and seen.get("spikes", 0) > 0 and seen.get("bins", 0) > 0
                    and seen.get("measures", 0) > 0):
                break
            time.sleep(0.25)
        shot = base64.b64decode(cdp.call("Page.captureScreenshot", format="png")["data"])
        cdp.ws.close()
    except (OSError, ConnectionError, RuntimeError, ValueError, KeyError, IndexError) as e:
        t.note(f"DevTools: {e!r}")
    finally:
        browser.terminate()
        try:
            browser.wait(timeout=20)
        except subprocess.TimeoutExpired:
            browser.kill()
            browser.wait()

    t.note(json.dumps({k: v for k, v in seen.items() if k != "last"}))
    t.check(running_seen is not None, "the page received updates while the run was going", seen)
    t.check(seen.get("title", "").startswith("rewire · browser"), "the title names the experiment", seen.get("title"))
    t.check(seen.get("spikes", 0) > 100, "the raster draws spikes", seen.get("spikes"))
    t.check(seen.get("raster_ink", 0) > 1000, "the raster canvas has ink beyond the background",
            seen.get("raster_ink"))
    t.check(seen.get("rates", 0) > 10 and seen.get("rates_ink", 0) > 500, "the rate curves are drawn",
            (seen.get("rates"), seen.get("rates_ink")))
    t.check(seen.get("bins", 0) >= 10, "the weights histogram has bars", seen.get("bins"))
    t.check(seen.get("measures", 0) > 0, "the measures plot has points", seen.get("measures"))
    if os.environ.get("DASHBOARD_SCREENSHOT"):  # for a look by eye
        open(os.environ["DASHBOARD_SCREENSHOT"], "wb").write(shot)
    t.check(shot[:8] == b"\x89PNG\r\n\x1a\n" and len(shot) > 20000, "a screenshot of the page can be taken",
            len(shot))

    still_running = run.poll() is None
    run.send_signal(signal.SIGINT)
    try:
        _, err = run.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        run.kill()
        _, err = run.communicate()
    t.check(still_running and run.returncode == 128 + signal.SIGINT,
            "the run was still going, and SIGINT stops it", (run.returncode, err))
    # The synapse count the page showed last is the one the csv output recorded.
    rows = open(os.path.join(out, "n_ff.csv")).read().split()[1:] if os.path.exists(
        os.path.join(out, "n_ff.csv")) else []
    counts = {float(r.split(",")[-1]) for r in rows}  # t_ms, index, value
    last = [x for x in seen.get("last", []) if x[0] == "n_ff"]
    t.check(len(counts) == 1 and last and last[0][1] in counts and str(int(last[0][1])) in last[0][2],
            "the last metric value shown is the csv's synapse count", (last, counts))

t.done()
