#!/usr/bin/python3
"""Science test: experiments/phantom_limb.yaml, cortical reorganisation after amputation
and its reduction by mirror therapy.

Usage: test_phantom_limb.py REWIRE REPO_ROOT

The published result (Merzenich et al. 1984; Pons et al. 1991; Ramachandran & Hirstein
1998; Flor et al. 1995): after the hand loses its afferents, the neighbouring face
representation expands into the deprived hand cortex; mirror therapy (Ramachandran &
Rogers-Ramachandran 1996), which brings hand-like input back to the hand representation,
reduces that reorganisation (Foell et al. 2014).  For each seed (sc.SEEDS) the two arms
of the file run, without therapy (mirror gain 0) and with mirror therapy (the file), and
the test checks:

  - invasion: without therapy the face area at the end exceeds its area at the end of
    development by more than the border's own jitter, measured in the same run as the
    largest deviation of the face area from its final development value over the second
    half of development (competition at the border moves it by a neuron or two even with
    intact input), and by at least 2 neurons;
  - it is the deprived hand cortex that is invaded, from the border: every neuron that
    was the hand's at the end of development and is the face's at the end lies within
    3 connection widths (3 x the projection's `sigma`) of the face half of the map, where
    face synapses reach (Oja's rule grows no synapses: beyond that reach there is no face
    input to win with);
  - plasticity does it, not the cut itself: with a learning rate a million times smaller
    the face area does not change at the amputation (the deafferentation removes the
    skin -> relay synapses, not the weights that the representation measure reads);
  - mirror therapy reduces the invasion: for every seed the face area grows less with
    the mirror than without (the arms are identical up to the amputation, so this is a
    paired comparison), and the mean growth over seeds is at most 3/4 of the untreated
    one (sessions fill a quarter of each day; during them the hand inputs are active
    again, so the hand inputs should keep well more than a quarter of the lost ground).

Output: TAP, one test point per check.
"""
import os
import shutil
import sys

import numpy as np

import science_common as sc

EXPERIMENT = 'experiments/phantom_limb.yaml'
NO_THERAPY = ['timeline.1.interventions.0.params.gain=0']
NO_PLASTICITY = NO_THERAPY + ['projections.relay_cortex.plasticity.params.eta=5e-9']
MIN_GROWTH = 2          # neurons
MIRROR_MAX_SHARE = 0.75


def read_experiment(repo):
    doc = sc.load_yaml(os.path.join(repo, EXPERIMENT))
    if doc is None:   # PyYAML missing: the file's values, as written there
        return {'sigma': 0.08, 'develop_s': 20.0, 'n': 60, 'face_first': 30}
    face = doc['regions']['face']['indices']
    return {'sigma': doc['projections']['relay_cortex']['connect']['sigma'],
            'develop_s': sc.quantity(doc['timeline'][0]['duration'], 's'),
            'n': doc['populations']['cortex']['size'], 'face_first': face[0]}


def run(tap, rewire, repo, seed, tag, sets):
    """One arm: (phases {name: metrics}, face area time series) or None."""
    out = sc.tmpdir(f'phantom-{tag}-{seed}')
    try:
        ok, msg, wall = sc.run_rewire(rewire, repo, EXPERIMENT, seed, out, sets)
        if not tap.point(ok, f'seed {seed}: the {tag} arm runs ({wall:.1f} s)',
                         None if ok else msg):
            return None
        phases = {p['name']: p['metrics'] for p in sc.load_summary(out)['phases']}
        return phases, sc.load_channel(out, 'map.area.face')
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    rewire, repo = os.path.abspath(argv[0]), os.path.abspath(argv[1])
    tap = sc.Tap()
    m = read_experiment(repo)
    n, face_first = m['n'], m['face_first']
    border = face_first / n                      # x where the face half of the map begins
    reach = 3 * m['sigma']
    tap.diag(f'phantom limb: rewire ({rewire}), seeds {sc.SEEDS}; face half from x = '
             f'{border:g}, face reach 3 sigma = {reach:g}')
    growth = {'none': [], 'mirror': []}
    for seed in sc.SEEDS:
        none = run(tap, rewire, repo, seed, 'no-therapy', NO_THERAPY)
        mirror = run(tap, rewire, repo, seed, 'mirror', [])
        frozen = run(tap, rewire, repo, seed, 'no-plasticity', NO_PLASTICITY)
        if not none or not mirror or not frozen:
            continue
        for arm, (ph, _) in (('none', none), ('mirror', mirror)):
            growth[arm].append(ph['amputated']['map.area.face'] - ph['develop']['map.area.face'])
        ph, series = none
        before = ph['develop']['map.area.face']
        t_s = series['t_ms'] / 1000.0
        late = (t_s >= m['develop_s'] / 2) & (t_s <= m['develop_s'])
        jitter = np.max(np.abs(series['value'][late] - before))
        g_none, g_mirror = growth['none'][-1], growth['mirror'][-1]
        tap.diag(f'seed {seed}: face area {before:.0f} -> {before + g_none:.0f} without '
                 f'therapy, -> {mirror[0]["amputated"]["map.area.face"]:.0f} with the mirror '
                 f'(its development ended at {mirror[0]["develop"]["map.area.face"]:.0f}); '
                 f'border jitter {jitter:.0f}')
        tap.point(g_none > jitter and g_none >= MIN_GROWTH,
                  f'seed {seed}: without therapy the face invades: +{g_none:.0f} neurons > '
                  f'jitter {jitter:.0f} and >= {MIN_GROWTH}')
        w0 = np.asarray(ph['develop']['map.winner'])
        w1 = np.asarray(ph['amputated']['map.winner'])
        x = (np.arange(n) + 0.5) / n
        switched = (w0 == 0) & (w1 == 1)
        far = switched & (border - x > reach)
        tap.point(switched.any() and not far.any(),
                  f'seed {seed}: {switched.sum()} hand neurons switched to the face, all within '
                  f'{reach:g} of the face half (x of the farthest: '
                  f'{x[switched].min() if switched.any() else float("nan"):.3f})')
        f0 = frozen[0]['develop']['map.area.face']
        f1 = frozen[0]['amputated']['map.area.face']
        tap.point(f1 == f0, f'seed {seed}: without plasticity the face area stays '
                            f'{f0:.0f} -> {f1:.0f} after the amputation')
        tap.point(g_mirror < g_none,
                  f'seed {seed}: mirror therapy reduces the invasion: +{g_mirror:.0f} < '
                  f'+{g_none:.0f} neurons')
    if growth['none'] and len(growth['none']) == len(growth['mirror']):
        mn, mm = np.mean(growth['none']), np.mean(growth['mirror'])
        tap.point(mm <= MIRROR_MAX_SHARE * mn,
                  f'mean growth with the mirror {mm:.2f} <= {MIRROR_MAX_SHARE:g} x without '
                  f'therapy {mn:.2f} neurons')
    else:
        tap.point(False, 'mean growth over seeds: some runs failed')
    return tap.done()


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
