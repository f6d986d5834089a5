#!/usr/bin/python3
"""Science test: experiments/lesion_structural.yaml, recovery of activity after a focal
lesion through homeostatic structural plasticity (Butz & van Ooyen 2013).

Usage: test_lesion_structural.py REWIRE REPO_ROOT

The published result: after a focal retinal lesion, cortical neurons in the lesion
projection zone (LPZ) fall silent and then regain their target activity by forming new
(lateral) synapses; neurons at their set point keep their connectivity.  For each seed
(sc.SEEDS) the file runs with structural plasticity and with growth blocked after the
lesion (plasticity_boost gain 1e-6: nu x 1e-6 grows 0.00008 elements in 40 s), and the
test checks:

  - the lesion deprives: the LPZ rate over the 3 s after the lesion is below 60 % of its
    rate over the last 5 s before it (the LPZ loses about half of its feedforward input);
  - recovery: over the last 10 s the LPZ rate has made up at least half of the drop, and
    is within 30 % of the set point epsilon (the rule's fixed point is Ca = epsilon; 30 %
    covers the spike-count noise of the 12 LPZ neurons over 10 s and the integer steps of the in-degree);
  - new synapses: the synapses onto the LPZ at the end outnumber those at the lesion by
    at least 20 % (the drop must be made up by new lateral synapses: the feedforward input
    cannot grow);
  - control: with growth blocked the LPZ rate over the last 10 s stays below the
    half-recovery level, and the synapse count onto the LPZ does not change.

Output: TAP, one test point per check.
"""
import os
import shutil
import sys

import numpy as np

import science_common as sc

EXPERIMENT = 'experiments/lesion_structural.yaml'
BLOCKED = ['timeline.1.interventions.0.params.gain=1e-6']
DROP_MAX = 0.60
RECOVER_MIN = 0.5
SET_POINT_TOL = 0.30
SYN_GROWTH_MIN = 1.20


def read_experiment(repo):
    doc = sc.load_yaml(os.path.join(repo, EXPERIMENT))
    if doc is None:   # PyYAML missing: the file's values, as written there
        return {'eps': 10.0, 'lesion_s': 30.0, 'grid': 20, 'centre': [0.5, 0.5], 'radius': 0.1}
    lpz = doc['regions']['lpz']['disc']
    return {'eps': sc.quantity(doc['projections']['lateral']['plasticity']['params']['epsilon'],
                               'Hz'),
            'lesion_s': sc.quantity(doc['timeline'][0]['duration'], 's'),
            'grid': doc['populations']['cortex']['layout']['grid'][0],
            'centre': lpz['center'], 'radius': lpz['radius']}


def lpz_mask(m):
    """The LPZ's neurons, as the region selects them (grid layout, periodic distances)."""
    n = m['grid']
    i = np.arange(n * n)
    x, y = (i % n + 0.5) / n, (i // n + 0.5) / n
    dx = np.abs(x - m['centre'][0])
    dy = np.abs(y - m['centre'][1])
    dx, dy = np.minimum(dx, 1 - dx), np.minimum(dy, 1 - dy)
    return np.hypot(dx, dy) <= m['radius']


def run(tap, rewire, repo, seed, tag, sets, m, mask):
    out = sc.tmpdir(f'lesion-{tag}-{seed}')
    try:
        ok, msg, wall = sc.run_rewire(rewire, repo, EXPERIMENT, seed, out, sets)
        if not tap.point(ok, f'seed {seed}: the {tag} arm runs ({wall:.1f} s)',
                         None if ok else msg):
            return None
        r = sc.load_channel(out, 'lpz_rate')
        t_s, v = r['t_ms'] / 1000.0, r['value']
        t0 = m['lesion_s']
        pre = v[(t_s > t0 - 5) & (t_s <= t0)].mean()
        drop = v[(t_s > t0) & (t_s <= t0 + 3)].mean()
        end = v[t_s > t_s[-1] - 10].mean()
        w = sc.load_channel(out, 'w')
        onto = mask[w['post']]
        syn_at = np.count_nonzero(onto & (w['t_ms'] == t0 * 1000.0))
        syn_end = np.count_nonzero(onto & (w['t_ms'] == w['t_ms'].max()))
        return pre, drop, end, syn_at, syn_end
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    rewire, repo = os.path.abspath(argv[0]), os.path.abspath(argv[1])
    tap = sc.Tap()
    m = read_experiment(repo)
    mask = lpz_mask(m)
    eps = m['eps']
    tap.diag(f'lesion + structural plasticity: rewire ({rewire}), seeds {sc.SEEDS}; '
             f'set point {eps:g} Hz, LPZ of {mask.sum()} neurons, lesion at {m["lesion_s"]:g} s')
    for seed in sc.SEEDS:
        grow = run(tap, rewire, repo, seed, 'structural', [], m, mask)
        block = run(tap, rewire, repo, seed, 'blocked', BLOCKED, m, mask)
        if not grow or not block:
            continue
        pre, drop, end, syn_at, syn_end = grow
        half = drop + RECOVER_MIN * (pre - drop)
        tap.diag(f'seed {seed}: LPZ {pre:.2f} Hz before, {drop:.2f} Hz after the lesion, '
                 f'{end:.2f} Hz at the end (blocked: {block[2]:.2f} Hz); synapses onto the '
                 f'LPZ {syn_at} -> {syn_end} (blocked: {block[3]} -> {block[4]})')
        tap.point(drop < DROP_MAX * pre,
                  f'seed {seed}: the lesion deprives the LPZ: {drop:.2f} Hz < {DROP_MAX:g} x '
                  f'{pre:.2f} Hz')
        tap.point(end >= half,
                  f'seed {seed}: the LPZ recovers at least half of the drop: {end:.2f} Hz >= '
                  f'{half:.2f} Hz')
        tap.point(abs(end / eps - 1) <= SET_POINT_TOL,
                  f'seed {seed}: the LPZ returns near the set point: {end:.2f} Hz within '
                  f'{SET_POINT_TOL:.0%} of {eps:g} Hz')
        tap.point(syn_end >= SYN_GROWTH_MIN * syn_at,
                  f'seed {seed}: new synapses onto the LPZ: {syn_at} -> {syn_end} '
                  f'(>= x{SYN_GROWTH_MIN:g})')
        b_pre, b_drop, b_end, b_at, b_endsyn = block
        b_half = b_drop + RECOVER_MIN * (b_pre - b_drop)
        tap.point(b_end < b_half and b_endsyn == b_at,
                  f'seed {seed}: with growth blocked no recovery: {b_end:.2f} Hz < {b_half:.2f} '
                  f'Hz, synapses onto the LPZ {b_at} -> {b_endsyn}')
    return tap.done()


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
