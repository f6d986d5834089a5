"""Shared helpers of the science tests (test_coba.py, test_song2000.py): TAP output,
running rewire and the Brian2 reference, the tolerance rule, reading the experiment
files.  Run with /usr/bin/python3 (numpy; brian2 for the reference)."""
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# The seeds of both simulators.  REWIRE_SCIENCE_SEEDS="1 2 3 4 5" runs more (rewire takes
# ~0.1 s per COBA and ~1 s per Song run; each new Brian2 seed ~10-20 s, then cached); the
# tolerance rule below uses n = len(SEEDS) (K is set for n = 3 and is conservative above).
SEEDS = [int(s) for s in os.environ.get('REWIRE_SCIENCE_SEEDS', '1 2 3').split()]

# ------------------------------------------------------------------ tolerance rule
# A rewire figure and the Brian2 figure of the same model are compared across the same
# n = 3 seeds (different random streams, so independent samples):
#
#     |mean_rewire - mean_brian| <= K * sqrt(sd_rewire^2 / n + sd_brian^2 / n) + floor
#
# K = 4.6 is the two-sided 99 % quantile of Student's t with 4 degrees of freedom, the
# Welch degrees of freedom of two samples of 3 with equal variances: if rewire simulates
# the same model, a test point fails by chance with probability ~1 %, less with the floor.
# (The seeds are fixed, so a pass or fail is reproducible; it can only change when an
# RNG stream changes.)  The absolute floor, set per figure, covers what the seed spread
# cannot see with three samples and the small known differences between the two
# simulators: Brian2 clamps V one step shorter after a spike, spikes on v > Vt instead
# of V >= V_th, and may use other floating-point orders or precisions.  Each floor is
# small against the effect of a modelling error (measured with Brian2: the lif_coba
# variant of the Song model moves frac_low by 0.045; a refractory period of 4 instead of
# 5 ms moves the COBA rates by +4.5 Hz and the CV of the ISIs by +0.22).  With three
# seeds the COBA rate tolerance is ~2.5-3 Hz (~15 %): the seed-to-seed spread of a 1 s
# run of this network is ~1 Hz.
K = 4.6


def mean_sd(xs):
    n = len(xs)
    m = sum(xs) / n
    sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (n - 1)) if n > 1 else 0.0
    return m, sd


def tolerance(rw, br, floor):
    _, sr = mean_sd(rw)
    _, sb = mean_sd(br)
    return K * math.sqrt(sr * sr / len(rw) + sb * sb / len(br)) + floor


# ------------------------------------------------------------------------------- TAP
class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def diag(self, msg):
        for line in str(msg).splitlines() or ['']:
            print('# ' + line)
        sys.stdout.flush()

    def point(self, ok, name, diag=None, skip=None):
        self.n += 1
        if skip:
            print(f'ok {self.n} - {name} # SKIP {skip}')
        else:
            print(f'{"ok" if ok else "not ok"} {self.n} - {name}')
            if not ok:
                self.failed += 1
        if diag:
            self.diag(diag)
        sys.stdout.flush()
        return ok

    def compare(self, name, rw, br, floor, unit=''):
        """One test point: the rewire and Brian2 means agree within tolerance()."""
        if br is None:
            return self.point(True, f'{name}: rewire vs Brian2', skip='no Brian2 reference')
        if not rw or any(x is None for x in rw):
            return self.point(False, f'{name}: rewire vs Brian2', 'no rewire figures')
        mr, sr = mean_sd(rw)
        mb, sb = mean_sd(br)
        tol = tolerance(rw, br, floor)
        ok = abs(mr - mb) <= tol
        d = (f'rewire {fmt(rw)} -> {mr:.4g} +- {sr:.3g}{unit}; '
             f'Brian2 {fmt(br)} -> {mb:.4g} +- {sb:.3g}{unit}; '
             f'|diff| {abs(mr - mb):.3g} <= {tol:.3g} (K={K}, floor {floor}{unit})')
        return self.point(ok, f'{name}: rewire {mr:.4g} vs Brian2 {mb:.4g}{unit}', d)

    def done(self):
        print(f'1..{self.n}')
        sys.stdout.flush()
        return 0          # meson reads the result from the TAP lines


def fmt(xs):
    return '[' + ', '.join(f'{x:.4g}' for x in xs) + ']'


# ---------------------------------------------------------------------- the two sides
def brian(model, tap):
    """The Brian2 reference runs for SEEDS, or None (with a diagnostic) if unavailable."""
    script = os.path.join(HERE, 'brian_reference.py')
    t0 = time.time()
    p = subprocess.run([sys.executable, script, model] + [str(s) for s in SEEDS],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode == 77:
        tap.diag('Brian2 is not importable here: the comparisons are skipped.\n' +
                 p.stderr.strip())
        return None, 'brian2 not importable'
    if p.returncode != 0:
        tap.diag(f'brian_reference.py {model} failed (exit {p.returncode}):\n' +
                 p.stderr.strip()[-3000:])
        return None, 'error'
    doc = json.loads(p.stdout)
    cached = sum(1 for r in doc['runs'] if r.get('cached'))
    tap.diag(f'Brian2 {doc["brian2"]} ({doc["device"]}) reference for {model}, seeds '
             f'{SEEDS}: {cached} cached, {time.time() - t0:.1f} s')
    return doc['runs'], None


def run_rewire(rewire, repo, experiment, seed, out, extra=()):
    """rewire run EXPERIMENT --out OUT --seed SEED --quiet; returns (ok, message, wall)."""
    cmd = [rewire, 'run', experiment, '--out', out, '--seed', str(seed), '--quiet']
    for kv in extra:
        cmd += ['--set', kv]
    t0 = time.time()
    try:
        p = subprocess.run(cmd, cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=1800)
    except (OSError, subprocess.TimeoutExpired) as e:
        return False, f'{" ".join(cmd)}: {e}', time.time() - t0
    wall = time.time() - t0
    msg = ' '.join(cmd) + f'\n(exit {p.returncode}, {wall:.1f} s)'
    if p.returncode != 0:
        msg += '\n' + (p.stderr.strip() or p.stdout.strip())[-3000:]
    return p.returncode == 0, msg, wall


def load_summary(out):
    with open(os.path.join(out, 'summary.json')) as f:
        return json.load(f)


def load_channel(out, name):
    import numpy as np
    return np.load(os.path.join(out, name + '.npy'))


def tmpdir(tag):
    return tempfile.mkdtemp(prefix=f'rewire-science-{tag}-')


# ------------------------------------------------------- the experiment vs the reference
_PREFIX = {'G': 1e9, 'M': 1e6, 'k': 1e3, '': 1.0, 'm': 1e-3, 'u': 1e-6, 'µ': 1e-6,
           'n': 1e-9, 'p': 1e-12, 'f': 1e-15}
_BASE = {'s': 's', 'V': 'V', 'A': 'A', 'S': 'S', 'F': 'F', 'Hz': 'Hz'}


def quantity(text, unit):
    """'20 ms' -> 20.0 for unit 'ms' (SI prefixes, as in docs/experiment-format.md)."""
    if isinstance(text, (int, float)):
        return float(text)
    m = re.fullmatch(r'\s*([-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?)\s*([A-Za-zµ]*)\s*', str(text))
    if not m:
        raise ValueError(f'not a quantity: {text!r}')
    value, u = float(m.group(1)), m.group(2)

    def scale(u):
        for base in sorted(_BASE, key=len, reverse=True):
            if u.endswith(base) and u[:-len(base)] in _PREFIX:
                return base, _PREFIX[u[:-len(base)]]
        raise ValueError(f'unknown unit {u!r}')
    b1, s1 = scale(u)
    b2, s2 = scale(unit)
    if b1 != b2:
        raise ValueError(f'{text!r} is not in {unit}')
    return value * s1 / s2


def load_yaml(path):
    try:
        import yaml
    except ImportError:
        return None
    with open(path) as f:
        return yaml.safe_load(f)


def check_params(tap, name, path, pairs):
    """One test point: every (getter, unit, expected) of pairs holds in the YAML file."""
    doc = load_yaml(path)
    if doc is None:
        return tap.point(True, name, skip='PyYAML not available')
    bad = []
    for label, get, unit, want in pairs:
        try:
            got = get(doc)
            got = quantity(got, unit) if unit else got
            if isinstance(want, float):
                same = math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12)
            else:
                same = got == want
        except Exception as e:  # noqa: BLE001 - report any mismatch in the file's shape
            got, same = f'<{e}>', False
        if not same:
            bad.append(f'{label}: experiment has {got!r}, brian_reference.py has {want!r}')
    return tap.point(not bad, name, '\n'.join(bad) if bad else None)
