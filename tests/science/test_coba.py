#!/usr/bin/python3
"""Science test: the COBA benchmark network (experiments/coba.yaml) in rewire vs Brian2.

    /usr/bin/python3 tests/science/test_coba.py REWIRE_BINARY REPO_ROOT

Runs `rewire run experiments/coba.yaml --out TMP --seed S --quiet` for seeds 1, 2, 3,
reads exc_spikes.npy / inh_spikes.npy / summary.json, and compares with the Brian2
reference of the same model (brian_reference.py coba 1 2 3, cached): mean rates of the
excitatory and inhibitory populations over the 1 s and over its second half, the
irregularity (CV of the ISIs) and synchrony (population Fano factor) of the excitatory
population.  The tolerance rule is in science_common.py.  Absolute checks from the
paper (Vogels & Abbott 2005; Brette et al. 2007): the activity is self-sustained after
the 50 ms kick, asynchronous and irregular, at a few to a few tens of Hz.
Output: TAP, one test point per check.
"""
import math
import os
import shutil
import sys

import numpy as np

import science_common as sc
from brian_reference import COBA, COBA_KICK_TIMES_MS, cv_isi, population_fano

EXPERIMENT = 'experiments/coba.yaml'
FLOORS = {  # absolute floors of the tolerance (see science_common.py)
    'exc_rate_hz': 0.5, 'inh_rate_hz': 0.5, 'exc_rate_late_hz': 0.5,
    'inh_rate_late_hz': 0.5, 'exc_cv_isi': 0.05, 'exc_sync': 0.5,
}
UNITS = {'exc_rate_hz': ' Hz', 'inh_rate_hz': ' Hz', 'exc_rate_late_hz': ' Hz',
         'inh_rate_late_hz': ' Hz', 'exc_cv_isi': '', 'exc_sync': ''}


def figures(out):
    """The reference's figures from one rewire run folder."""
    s = sc.load_summary(out)
    e = sc.load_channel(out, 'exc_spikes')
    i = sc.load_channel(out, 'inh_spikes')
    d_ms = COBA['duration_ms']
    te, ie = np.asarray(e['t_ms'], float), np.asarray(e['neuron'], np.int64)
    ti = np.asarray(i['t_ms'], float)
    d_s, half = d_ms / 1000.0, d_ms / 2.0
    f = {
        'exc_rate_hz': len(te) / COBA['n_exc'] / d_s,
        'inh_rate_hz': len(ti) / COBA['n_inh'] / d_s,
        'exc_rate_late_hz': float(np.sum(te >= half)) / COBA['n_exc'] / (d_s / 2),
        'inh_rate_late_hz': float(np.sum(ti >= half)) / COBA['n_inh'] / (d_s / 2),
        'exc_cv_isi': cv_isi(te, ie),
        'exc_sync': population_fano(te, 100.0, d_ms),
    }
    return f, s, (e, i)


def consistency(s, e, i):
    """Problems in one run's outputs: summary vs spike files vs the experiment."""
    bad = []
    pops = s.get('populations', {})
    for name, size, arr in (('exc', COBA['n_exc'], e), ('inh', COBA['n_inh'], i)):
        p = pops.get(name, {})
        if p.get('size') != size:
            bad.append(f'summary populations.{name}.size = {p.get("size")}, expected {size}')
        if p.get('spikes') != len(arr):
            bad.append(f'summary populations.{name}.spikes = {p.get("spikes")}, '
                       f'{name}_spikes.npy has {len(arr)}')
        if len(arr) and (arr['neuron'].max() >= size or arr['t_ms'].min() < 0 or
                         arr['t_ms'].max() >= COBA['duration_ms']):
            bad.append(f'{name}_spikes.npy: neuron or time out of range')
        if len(arr) and np.any(np.diff(arr['t_ms']) < 0):
            bad.append(f'{name}_spikes.npy: times not in order')
    if pops.get('kick', {}).get('spikes') not in (None, sum(map(len, COBA_KICK_TIMES_MS))):
        bad.append(f'kick fired {pops["kick"]["spikes"]} spikes, expected 100')
    if not math.isclose(s.get('simulated_time_s', -1), COBA['duration_ms'] / 1000.0):
        bad.append(f'simulated_time_s = {s.get("simulated_time_s")}, expected 1')
    if not math.isclose(s.get('dt_ms', -1), COBA['dt_ms']):
        bad.append(f'dt_ms = {s.get("dt_ms")}')
    return bad


def connectivity(s):
    """Problems in the synapse counts: binomial within 5 sd of the expectation."""
    bad = []
    proj = s.get('projections', {})
    ne, ni, p = COBA['n_exc'], COBA['n_inh'], COBA['p']
    expect = {'exc_exc': (ne * ne, p), 'exc_inh': (ne * ni, p), 'inh_exc': (ni * ne, p),
              'inh_inh': (ni * ni, p), 'kick_exc': (COBA['kick_n'] * ne, COBA['kick_p']),
              'kick_inh': (COBA['kick_n'] * ni, COBA['kick_p'])}
    for name, (pairs, q) in expect.items():
        n = proj.get(name, {}).get('synapses')
        mu, sd = pairs * q, math.sqrt(pairs * q * (1 - q))
        if n is None or abs(n - mu) > 5 * sd:
            bad.append(f'{name}: {n} synapses, expected {mu:.0f} +- {sd:.0f}')
    return bad


def yaml_pairs():
    """(label, getter, unit, expected) for the experiment-vs-reference check."""
    C = COBA
    pairs = [('experiment.dt', lambda d: d['experiment']['dt'], 'ms', C['dt_ms']),
             ('timeline duration', lambda d: d['timeline'][0]['duration'], 'ms',
              C['duration_ms']),
             ('exc size', lambda d: d['populations']['exc']['size'], None, C['n_exc']),
             ('inh size', lambda d: d['populations']['inh']['size'], None, C['n_inh']),
             ('kick spikes', lambda d: [[sc.quantity(t, 'ms') for t in ts]
                                        for ts in d['populations']['kick']['spikes']],
              None, COBA_KICK_TIMES_MS)]
    for pop in ('exc', 'inh'):
        for key, unit, ref in (('C_m', 'pF', 'C_m_pF'), ('tau_m', 'ms', 'tau_m_ms'),
                               ('E_L', 'mV', 'E_L_mV'), ('V_th', 'mV', 'V_th_mV'),
                               ('V_reset', 'mV', 'V_reset_mV'), ('t_ref', 'ms', 't_ref_ms'),
                               ('tau_e', 'ms', 'tau_e_ms'), ('tau_i', 'ms', 'tau_i_ms'),
                               ('E_e', 'mV', 'E_e_mV'), ('E_i', 'mV', 'E_i_mV')):
            pairs.append((f'{pop}.{key}', lambda d, p=pop, k=key: d['populations'][p]['params'][k],
                          unit, C[ref]))
        pairs.append((f'{pop}.v_init low', lambda d, p=pop: d['populations'][p]['v_init']['uniform'][0],
                      'mV', C['V_reset_mV']))
        pairs.append((f'{pop}.v_init high', lambda d, p=pop: d['populations'][p]['v_init']['uniform'][1],
                      'mV', C['V_th_mV']))
    for name, w, p in (('exc_exc', 'w_exc_nS', 'p'), ('exc_inh', 'w_exc_nS', 'p'),
                       ('inh_exc', 'w_inh_nS', 'p'), ('inh_inh', 'w_inh_nS', 'p'),
                       ('kick_exc', 'kick_w_nS', 'kick_p'), ('kick_inh', 'kick_w_nS', 'kick_p')):
        pairs.append((f'{name}.weight', lambda d, n=name: d['projections'][n]['weight'], 'nS', C[w]))
        pairs.append((f'{name}.p', lambda d, n=name: float(d['projections'][n]['connect']['p']),
                      None, C[p]))
        pairs.append((f'{name}.delay', lambda d, n=name: d['projections'][n].get('delay', '0.1 ms'),
                      'ms', C['delay_ms']))
        pairs.append((f'{name}.receptor',
                      lambda d, n=name: d['projections'][n].get('receptor', 'excitatory'), None,
                      'inhibitory' if name.startswith('inh') else 'excitatory'))
    return pairs


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    rewire, repo = os.path.abspath(argv[0]), os.path.abspath(argv[1])
    tap = sc.Tap()
    tap.diag(f'COBA: rewire ({rewire}) vs Brian2, seeds {sc.SEEDS}')

    ref, why = sc.brian('coba', tap)

    rw, summaries, outs = [], [], []
    for seed in sc.SEEDS:
        out = sc.tmpdir(f'coba-{seed}')
        outs.append(out)
        ok, msg, wall = sc.run_rewire(rewire, repo, EXPERIMENT, seed, out)
        f = None
        if ok:
            try:
                f, s, (e, i) = figures(out)
                summaries.append((s, e, i))
            except Exception as ex:  # noqa: BLE001 - missing/garbled outputs fail here
                ok, msg = False, msg + f'\nreading the outputs: {ex!r}'
        rw.append(f)
        tap.point(ok, f'rewire run {EXPERIMENT} --seed {seed} ({wall:.1f} s)',
                  msg if not ok else None)
    good = [x for x in rw if x is not None]

    if summaries:
        bad = []
        for seed, (s, e, i) in zip(sc.SEEDS, summaries):
            bad += [f'seed {seed}: {b}' for b in consistency(s, e, i)]
        tap.point(not bad, 'summary.json agrees with the spike files and the experiment',
                  '\n'.join(bad) or None)
        bad = []
        for seed, (s, _, _) in zip(sc.SEEDS, summaries):
            bad += [f'seed {seed}: {b}' for b in connectivity(s)]
        tap.point(not bad, 'synapse counts: fixed_probability p = 0.02 (and 0.01 from the '
                  'kick) within 5 sd of binomial', '\n'.join(bad) or None)
    else:
        tap.point(False, 'summary.json agrees with the spike files and the experiment',
                  'no rewire run')
        tap.point(False, 'synapse counts', 'no rewire run')

    sc.check_params(tap, f'{EXPERIMENT} has the parameters of brian_reference.py',
                    os.path.join(repo, EXPERIMENT), yaml_pairs())

    for key in FLOORS:
        rv = [f[key] for f in good] if len(good) == len(sc.SEEDS) else None
        bv = [r[key] for r in ref] if ref else None
        if bv is None:
            tap.point(True, f'{key}: rewire vs Brian2', skip=why)
        else:
            tap.compare(key, rv, bv, FLOORS[key], UNITS[key])

    # Absolute checks (Vogels & Abbott 2005, Brette et al. 2007): AI state.
    def every(pred):
        return len(good) == len(sc.SEEDS) and all(pred(f) for f in good)

    def show(*keys):
        return '\n'.join(f'{k}: ' + sc.fmt([f[k] for f in good]) for k in keys)
    tap.point(every(lambda f: 2.0 <= f['exc_rate_hz'] <= 40.0 and 2.0 <= f['inh_rate_hz'] <= 40.0),
              'rates in the AI range of the benchmark (2-40 Hz, exc and inh)',
              show('exc_rate_hz', 'inh_rate_hz'))
    tap.point(every(lambda f: f['exc_rate_late_hz'] >= 2.0 and f['inh_rate_late_hz'] >= 2.0),
              'activity is self-sustained: >= 2 Hz in 500-1000 ms, long after the 50 ms kick',
              show('exc_rate_late_hz', 'inh_rate_late_hz'))
    tap.point(every(lambda f: f['exc_cv_isi'] >= 0.8),
              'irregular: mean CV of the ISIs >= 0.8', show('exc_cv_isi'))
    tap.point(every(lambda f: f['exc_sync'] <= 20.0),
              'asynchronous: population Fano factor (1 ms bins) <= 20', show('exc_sync'))

    for out in outs:
        shutil.rmtree(out, ignore_errors=True)
    return tap.done()


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
