#!/usr/bin/env python3
"""The plot output (plugins/output/plot): figure files exist and are valid PNG/SVG of
the requested size, index.html links every one, figures are not blank, markers of
injuries and intervention windows are drawn, an interrupted run still gets its figures,
and bad parameters are refused.  PNGs are decoded here with zlib (no imaging library).

usage: test_plot.py REWIRE SOURCE_ROOT BUILD_ROOT DRIVE_OUTPUT
"""
import os
import re
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from tap import Tap, rewire_env, run  # noqa: E402

rewire, root, build, drive = (os.path.abspath(a) for a in sys.argv[1:5])
data = os.path.join(root, "tests", "output", "data")
exp = os.path.join(data, "outputs.yaml")
t = Tap()


def read_png(path):
    """(width, height, rows of (r, g, b) tuples) of an 8-bit RGB or RGBA PNG."""
    with open(path, "rb") as f:
        raw = f.read()
    assert raw[:8] == b"\x89PNG\r\n\x1a\n", "PNG signature"
    pos, idat, ihdr = 8, b"", None
    while pos < len(raw):
        n, kind = struct.unpack(">I4s", raw[pos:pos + 8])
        body = raw[pos + 8:pos + 8 + n]
        if zlib.crc32(kind + body) != struct.unpack(">I", raw[pos + 8 + n:pos + 12 + n])[0]:
            raise ValueError(f"bad CRC in {kind}")
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype = ihdr[:4]
    assert depth == 8 and ctype in (2, 6), f"8-bit RGB(A) expected, got depth {depth} type {ctype}"
    bpp = 3 if ctype == 2 else 4
    data_ = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        ft = data_[y * (stride + 1)]
        line = bytearray(data_[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ft == 1:
                line[i] = (line[i] + a) & 255
            elif ft == 2:
                line[i] = (line[i] + b) & 255
            elif ft == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ft == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(w)])
        prev = line
    return w, h, rows


def count(rows, pred):
    return sum(1 for row in rows for p in row if pred(p))


def is_blue(p):  # the raster's marks: Tableau blue (31, 119, 180) and its anti-aliased edges
    return p[2] > 120 and p[2] - p[0] > 60 and p[2] - p[1] > 20


with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "run")
    r = run([rewire, "run", exp, "--out", out, "--quiet"])
    t.check(r.returncode == 0, "the experiment runs with the plot output (format both, every_phase)", r.stderr)
    stems = ["raster-cell_spikes", "raster-input_spikes", "rates", "weights-w", "metric-n_syn", "state-v"]
    expected = [s + sfx for s in stems for sfx in ("", "-phase0", "-phase1")]
    missing = [s + e for s in expected for e in (".png", ".svg") if not os.path.exists(os.path.join(out, s + e))]
    t.check(not missing, "every figure is drawn at the end and at each phase end, as PNG and SVG", missing)
    bad = []
    for s in expected:
        png = os.path.join(out, s + ".png")
        if not os.path.exists(png):
            continue
        try:
            w, h, _ = read_png(png)
            if (w, h) != (900, 500):
                bad.append((s, w, h))
        except Exception as e:  # noqa: BLE001 - any decoding failure is a failed check
            bad.append((s, str(e)))
    t.check(not bad, "every PNG decodes (signature, CRCs, zlib, filters) at 900x500", bad)
    svg_bad = []
    for s in expected:
        path = os.path.join(out, s + ".svg")
        if os.path.exists(path):
            txt = open(path).read()
            if not (txt.startswith("<?xml") and "<svg" in txt and txt.rstrip().endswith("</svg>")
                    and re.search(r'width="900(pt)?"', txt)):
                svg_bad.append(s)
    t.check(not svg_bad, "every SVG is a complete document 900 wide", svg_bad)

    index = os.path.join(out, "index.html")
    html = open(index).read() if os.path.exists(index) else ""
    links = set(re.findall(r'(?:href|src)="([^"]+)"', html))
    figures = {f for f in os.listdir(out) if f.endswith((".png", ".svg"))}
    t.check(html.startswith("<!DOCTYPE html>") and figures <= links,
            "index.html links every figure file", sorted(figures - links))
    t.check(all(os.path.exists(os.path.join(out, ln)) for ln in links), "every link of index.html exists",
            sorted(ln for ln in links if not os.path.exists(os.path.join(out, ln))))
    t.check(html.count("<figcaption>") == len(expected), "one captioned figure per drawing",
            html.count("<figcaption>"))

    _, _, rows = read_png(os.path.join(out, "raster-cell_spikes.png"))
    n_spikes = sum(1 for _ in open(os.path.join(out, "cell_spikes.csv"))) - 1
    blue = count(rows, is_blue)
    t.check(n_spikes > 1000 and blue > 1000, "the raster of a spiking population is not blank",
            (n_spikes, blue))
    same = open(os.path.join(out, "raster-cell_spikes-phase1.png"), "rb").read() == \
        open(os.path.join(out, "raster-cell_spikes.png"), "rb").read()
    t.check(same, "the raster at the last phase's end is the end-of-run raster (same data, same pixels)")
    t.check(open(os.path.join(out, "raster-cell_spikes-phase0.png"), "rb").read() !=
            open(os.path.join(out, "raster-cell_spikes.png"), "rb").read(),
            "the raster at the end of phase 0 differs from the final one")

    # Markers through drive_output (injury at 150 ms, intervention window 250-350 ms of 400).
    dout = os.path.join(tmp, "drive")
    os.makedirs(dout)
    so = os.path.join(build, "plugins", "output", "plot", "rewire-plot.so")
    r = subprocess.run([drive, so, dout, "width=800", "height=400"], capture_output=True, text=True)
    t.check(r.returncode == 0, "drive_output runs the plot output through a synthetic run", r.stderr)
    w, h, rows = read_png(os.path.join(dout, "metric-recovery.png"))
    t.check((w, h) == (800, 400), "width and height parameters set the PNG's size", (w, h))
    red_cols = [x for x in range(w) if sum(1 for y in range(h) if rows[y][x][0] > 180 and rows[y][x][1] < 80
                                           and rows[y][x][2] < 80) > h // 2]
    t.check(red_cols and all(0.3 * w < x < 0.5 * w for x in red_cols),
            "the injury at 150 of 400 ms is a red line across the plot, 3/8 of the way along", red_cols)
    shaded = [x for x in range(w) if rows[h // 2][x][1] > rows[h // 2][x][0] + 8
              and rows[h // 2][x][1] > rows[h // 2][x][2] + 8]
    t.check(len(shaded) > 0.15 * w and all(0.55 * w < x < 0.9 * w for x in shaded),
            "the intervention window (250-350 ms) is shaded, and only there",
            (min(shaded, default=None), max(shaded, default=None), len(shaded)))
    _, _, rows = read_png(os.path.join(dout, "raster-cells_spikes.png"))
    t.check(count(rows, is_blue) > 2000, "the raster of 2000 synthetic spikes shows them")
    colours = {p for row in rows for p in row if not is_blue(p)}
    t.check(len(colours) > 2, "the raster has axes and labels as well as marks", len(colours))

    # An interrupted run still gets its figures and index.
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
    t.check(p.returncode == 130 and os.path.exists(os.path.join(lout, "raster-spikes.png"))
            and "interrupted" in open(os.path.join(lout, "index.html")).read(),
            "SIGINT: the figures so far and an index saying the run was interrupted", (p.returncode, err))

    # Bad parameters.
    for setting, words in (("format=jpeg", ["format", "png, svg, both"]), ("width=10", ["width"]),
                           ("every_phase=3", ["every_phase"]), ("bins=1", ["bins"])):
        r = run([rewire, "run", exp, "--out", os.path.join(tmp, "bad"), "--set", "outputs.2.params." + setting])
        t.check(r.returncode == 2 and "--set:1:" in r.stderr and " error: " in r.stderr
                and all(wd in r.stderr for wd in words), f"{setting} is refused, pointing at the --set", r.stderr)
t.done()
