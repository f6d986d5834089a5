#!/usr/bin/env python3
"""Space and selection end to end (docs/experiment-format.md, "Layouts", "Topographic
projections", "Regions and selections").

- topographic connectivity: the fraction of pairs connected at distance d matches
  p exp(-d^2 / (2 sigma^2)) (a chi-square over distance bins, each pair Bernoulli), on
  the torus (periodic layouts) and in the square; the total count within 4 sd;
- the same seed gives the same synapses, another seed others;
- gaussian weights are peak exp(-d^2 / (2 sigma^2)) for the documented positions;
- regions and selection parameters (through a test output declaring the ABI 1.2 types,
  tests/integration/space_plugins/probe): disc / rect / near / indices membership computed
  here from the documented layout formulas, fraction counts round(f n), same neurons
  for the same seed and others for another, population views carry the positions;
- load errors of selection and name-list parameters (tests/integration/data/space,
  each with `# expect:` lines as in tests/malformed), and a plugin declaring ABI 1.1
  with a 1.2 parameter type is refused.

usage: test_space.py REWIRE SOURCE_ROOT PROBE_PLUGIN_DIR OLD_PLUGIN_DIR
"""
import csv
import glob
import math
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from tap import Tap, rewire_env, run  # noqa: E402

rewire, root, probe_dir, old_dir = (os.path.abspath(a) for a in sys.argv[1:5])
t = Tap()
probe_env = dict(rewire_env(), REWIRE_PLUGIN_PATH=probe_dir)


def grid_xy(nx, ny):
    i = np.arange(nx * ny)
    return ((i % nx + 0.5) / nx).astype(np.float32), ((i // nx + 0.5) / ny).astype(np.float32)


def line_xy(n):
    return ((np.arange(n) + 0.5) / n).astype(np.float32), np.full(n, 0.5, np.float32)


def dist(x0, y0, x1, y1, periodic):
    dx = np.abs(x1.astype(np.float64) - x0.astype(np.float64))
    dy = np.abs(y1.astype(np.float64) - y0.astype(np.float64))
    if periodic:
        dx = np.where(dx > 0.5, 1 - dx, dx)
        dy = np.where(dy > 0.5, 1 - dy, dy)
    return np.hypot(dx, dy)


def weights_at_start(path):
    with open(path) as f:
        rows = list(csv.reader(f))[1:]
    a = np.array([[float(x) for x in r] for r in rows]) if rows else np.zeros((0, 4))
    return a[a[:, 0] == 0]


def check_topographic(name, syn, pre_xy, post_xy, p, sigma, periodic):
    """Each pair (i, j) exists with probability p exp(-d^2 / 2 sigma^2), independently."""
    n_pre, n_post = len(pre_xy[0]), len(post_xy[0])
    d = dist(pre_xy[0][:, None], pre_xy[1][:, None], post_xy[0][None, :], post_xy[1][None, :],
             periodic)
    prob = p * np.exp(-d * d / (2 * sigma * sigma))
    conn = np.zeros((n_pre, n_post), bool)
    conn[syn[:, 1].astype(int), syn[:, 2].astype(int)] = True
    t.check(len(syn) == conn.sum(), f"{name}: no pair connected twice")
    edges = np.linspace(0, 4 * sigma, 17)
    chi2, df = 0.0, 0
    worst = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (d >= lo) & (d < hi)
        if m.sum() == 0:
            continue
        e, v = prob[m].sum(), (prob[m] * (1 - prob[m])).sum()
        o = conn[m].sum()
        chi2 += (o - e) ** 2 / v
        df += 1
        worst.append(f"[{lo:.3f},{hi:.3f}) observed {o} expected {e:.1f}")
    # chi-square with df ~ 16: 0.9999 quantile below 45 (the test may fail once in 10^4).
    t.check(df >= 10 and chi2 < 45, f"{name}: connected fraction by distance matches "
            f"p exp(-d^2/2 sigma^2) (chi2 {chi2:.1f}, {df} bins)", "\n".join(worst))
    far = conn[d >= 4 * sigma].sum()
    far_e = prob[d >= 4 * sigma].sum()
    t.check(far <= far_e + 4 * math.sqrt(far_e) + 3,
            f"{name}: {far} pairs beyond 4 sigma ({far_e:.1f} expected)")
    total_e, total_v = prob.sum(), (prob * (1 - prob)).sum()
    t.check(abs(len(syn) - total_e) < 4 * math.sqrt(total_v),
            f"{name}: {len(syn)} synapses, {total_e:.0f} expected")


TOPO = """
experiment: {{name: topo, dt: 0.1 ms, seed: {seed}}}
populations:
  src: {{model: poisson, size: 900, rate: 1 Hz, layout: {{grid: [30, 30], periodic: true}}}}
  row: {{model: poisson, size: 200, rate: 1 Hz, layout: {{line: true}}}}
  dst: {{model: lif_cuba, size: 900, layout: {{grid: [30, 30], periodic: true}}}}
  tiny: {{model: lif_cuba, size: 6, layout: {{positions: [[0, 0], [1, 1], [0.3, 0.7], [0.5, 0.5], [0.9, 0.1], [0.2, 0.2]]}}}}
projections:
  torus: {{from: src, to: dst, connect: {{rule: topographic, p: 0.8, sigma: 0.1}}, weight: 1 pA}}
  square: {{from: row, to: dst, connect: {{rule: topographic, p: 0.5, sigma: 0.07}}, weight: 1 pA}}
  gauss: {{from: row, to: tiny, connect: {{rule: all_to_all}}, weight: {{gaussian: {{peak: 20 pA, sigma: 0.3}}}}}}
record:
  w_torus: {{weights: torus}}
  w_square: {{weights: square}}
  w_gauss: {{weights: gauss}}
timeline: [{{phase: run, duration: 1 ms}}]
outputs: [{{plugin: csv}}]
"""

with tempfile.TemporaryDirectory() as tmp:
    syn = {}
    for seed in (5, 5, 6):
        path = os.path.join(tmp, f"topo{seed}.yaml")
        with open(path, "w") as f:
            f.write(TOPO.format(seed=seed))
        out = os.path.join(tmp, f"out{seed}-{len(syn)}")
        r = run([rewire, "run", path, "--out", out, "--quiet"])
        t.check(r.returncode == 0, f"topographic experiment runs (seed {seed})", r.stderr)
        if r.returncode:
            continue
        syn[(seed, len(syn))] = {k: weights_at_start(os.path.join(out, f"w_{k}.csv"))
                                 for k in ("torus", "square", "gauss")}
    if len(syn) == 3:
        a, b, c = syn[(5, 0)], syn[(5, 1)], syn[(6, 2)]
        check_topographic("torus", a["torus"], grid_xy(30, 30), grid_xy(30, 30), 0.8, 0.1, True)
        check_topographic("square", a["square"], line_xy(200), grid_xy(30, 30), 0.5, 0.07, False)
        t.check(all(np.array_equal(a[k], b[k]) for k in a), "the same seed: the same synapses")
        t.check(len(a["torus"]) != len(c["torus"]) or
                not np.array_equal(a["torus"][:, 1:3], c["torus"][:, 1:3]),
                "another seed: other synapses")
        g = a["gauss"]
        tx, ty = np.array([0, 1, 0.3, 0.5, 0.9, 0.2], np.float32), np.array(
            [0, 1, 0.7, 0.5, 0.1, 0.2], np.float32)
        lx, ly = line_xy(200)
        i, j = g[:, 1].astype(int), g[:, 2].astype(int)
        d = dist(lx[i], ly[i], tx[j], ty[j], False)
        want = 20 * np.exp(-d * d / (2 * 0.3 * 0.3))
        t.check(len(g) == 1200 and np.allclose(g[:, 3], want, rtol=1e-5, atol=1e-6),
                "gaussian weights: peak exp(-d^2 / (2 sigma^2)) at the given positions",
                f"{len(g)} rows, max error {np.max(np.abs(g[:, 3] - want)) if len(g) else 0}")

# ---- regions and selection parameters, through the probe ----

REGIONS = """
experiment: {{name: sel, dt: 0.1 ms, seed: {seed}}}
populations:
  inp: {{model: poisson, size: 10, rate: 5 Hz}}
  cortex: {{model: lif_cuba, size: 400, layout: {{grid: [20, 20], periodic: {periodic}}}}}
  strip: {{model: lif_cuba, size: 50, layout: {{line: true}}}}
regions:
  core: {{population: cortex, disc: {{center: [0.05, 0.5], radius: 0.2}}}}
  box: {{population: cortex, rect: {{min: [0.2, 0.1], max: [0.6, 0.3]}}}}
  ring: {{population: cortex, near: {{point: [0.5, 0.5], min: 0.1, max: 0.3}}}}
  some: {{population: cortex, indices: [100, 300], fraction: 0.3}}
  few: {{population: strip, fraction: 0.5}}
projections:
  ff: {{from: inp, to: cortex, connect: {{rule: all_to_all}}, weight: 10 pA}}
  fs: {{from: inp, to: strip, connect: {{rule: all_to_all}}, weight: 10 pA}}
timeline: [{{phase: run, duration: 1 ms}}]
outputs:
{outputs}
"""


def probe_run(tmp, label, seed, periodic, params_list):
    outputs = "\n".join(f"  - {{plugin: space_probe, params: {p}}}" for p in params_list[:1])
    path = os.path.join(tmp, label + ".yaml")
    with open(path, "w") as f:
        f.write(REGIONS.format(seed=seed, periodic=str(periodic).lower(), outputs=outputs))
    out = os.path.join(tmp, label)
    r = run([rewire, "run", path, "--out", out, "--quiet"], env=probe_env)
    if r.returncode != 0:
        return None, r.stderr
    with open(os.path.join(out, "space_probe.txt")) as f:
        lines = f.read().splitlines()
    head = lines[0].split()
    idx = [int(l.split()[1]) for l in lines if l.startswith("index ")]
    xy = [(l.split()[2], l.split()[3]) for l in lines if l.startswith("index ")]
    rest = {l.split()[0]: l.split()[1:] for l in lines if l.startswith(("projections", "populations"))}
    return {"head": head, "index": idx, "xy": xy, **rest}, r.stderr


with tempfile.TemporaryDirectory() as tmp:
    gx, gy = grid_xy(20, 20)
    cases = [
        ("core", True, lambda: np.nonzero(dist(np.float32(0.05), np.float32(0.5), gx, gy, True) <= 0.2)[0]),
        ("core_flat", False, lambda: np.nonzero(dist(np.float32(0.05), np.float32(0.5), gx, gy, False) <= 0.2)[0]),
        ("box", True, lambda: np.nonzero((gx >= 0.2) & (gx < 0.6) & (gy >= 0.1) & (gy < 0.3))[0]),
        ("ring", True, lambda: np.nonzero((dist(np.float32(0.5), np.float32(0.5), gx, gy, True) >= 0.1) &
                                          (dist(np.float32(0.5), np.float32(0.5), gx, gy, True) < 0.3))[0]),
    ]
    for label, periodic, expected in cases:
        region = label.split("_")[0]
        res, err = probe_run(tmp, label, 1, periodic, [f"{{region: {region}}}"])
        want = list(expected())
        t.check(res is not None and res["index"] == want and res["head"][1:4] == [region, "cortex", "400"]
                and int(res["head"][4]) == len(want),
                f"region {region} ({'periodic' if periodic else 'flat'}): the {len(want)} neurons "
                "the layout puts inside", f"{err}\n{res and res['index']}\nwant {want}")
    # Positions in the population view (ABI 1.2 x, y) are the layout's.
    res, err = probe_run(tmp, "pos", 1, True, ["{region: box}"])
    ok = res is not None and all(abs(float(x) - gx[i]) < 1e-6 and abs(float(y) - gy[i]) < 1e-6
                                 for i, (x, y) in zip(res["index"], res["xy"]))
    t.check(ok and res["xy"], "the population view's x, y are the grid positions", err)

    # Fractions: round(f n) of the candidates, the same for the same seed, others for another.
    runs = {}
    for label, seed in (("f1", 1), ("f1b", 1), ("f2", 2)):
        runs[label], err = probe_run(tmp, label, seed, True, ["{region: some}"])
        t.check(runs[label] is not None, f"fraction selection runs ({label})", err)
    if all(runs.values()):
        idx = runs["f1"]["index"]
        t.check(len(idx) == 60 and all(100 <= i < 300 for i in idx) and idx == sorted(set(idx)),
                "indices [100, 300) and fraction 0.3: 60 distinct neurons in the range, increasing",
                idx)
        t.check(runs["f1b"]["index"] == idx, "the same seed: the same neurons")
        t.check(runs["f2"]["index"] != idx, "another seed: other neurons")
    # Fraction proportion over many seeds: each neuron of the strip kept half the time.
    counts = np.zeros(50)
    n_seeds = 40
    for seed in range(n_seeds):
        res, err = probe_run(tmp, f"few{seed}", seed + 10, True, ["{region: few}"])
        if res is None:
            t.check(False, "fraction runs", err)
            break
        counts[res["index"]] += 1
        if len(res["index"]) != 25:
            break
    # Each neuron is kept with probability 1/2: a chi-square over the 50 neurons (df 49,
    # 0.9999 quantile below 100).
    chi2 = float(((counts - n_seeds / 2) ** 2 / (n_seeds / 4)).sum())
    t.check(chi2 < 100, f"fraction 0.5 keeps every neuron about half the time (chi2 {chi2:.1f})",
            counts)

    # A population name selects it all; inline selections; name lists.
    res, err = probe_run(tmp, "all", 1, True,
                         ["{region: strip, projections: [fs, ff], populations: inp}"])
    t.check(res is not None and res["index"] == list(range(50)) and res["head"][1] == "-",
            "a population name selects all of it", err)
    t.check(res is not None and res["projections"] == ["fs", "ff"] and res["populations"] == ["inp"],
            "projections and populations parameters: the names, in the order given", res)
    res, err = probe_run(tmp, "inline", 1, True,
                         ["{region: {population: cortex, rect: {min: [0, 0], max: [1, 0.05]}, "
                          "indices: [5, 400]}}"])
    t.check(res is not None and res["index"] == list(range(5, 20)) and res["projections"] == ["-"],
            "an inline selection: rect AND index range", err)

# ---- load errors ----

for path in sorted(glob.glob(os.path.join(root, "tests", "integration", "data", "space", "*.yaml"))):
    name = os.path.basename(path)
    rel = os.path.relpath(path, root)
    with open(path) as f:
        expects = [f"{rel}:{l[len('# expect: '):].rstrip()}" for l in f if l.startswith("# expect: ")]
    r = run([rewire, "validate", rel], cwd=root, env=probe_env)
    lines = r.stderr.splitlines()
    missing = [e for e in expects if e not in lines]
    extra = [l for l in lines if " error: " in l and l not in expects]
    t.check(r.returncode == 2 and expects and not missing and not extra,
            f"{name}: exit 2 with exactly the expected errors",
            f"exit {r.returncode}\nmissing: {missing}\nunexpected: {extra}\n{r.stderr}")

r = run([rewire, "plugins"], env=dict(rewire_env(), REWIRE_PLUGIN_PATH=old_dir))
t.check(r.returncode != 0 and "parameter 'region' has type selection (6), which needs plugin ABI 1.2, "
        "and the descriptor declares ABI 1.1" in r.stderr,
        "a 1.1 descriptor with a selection parameter is refused", r.stderr)
t.done()
