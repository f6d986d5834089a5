#!/usr/bin/python3
"""Science test: STDP competition of Song, Miller & Abbott (2000) in rewire vs Brian2.

    /usr/bin/python3 tests/science/test_song2000.py REWIRE_BINARY REPO_ROOT

Runs `rewire run experiments/song2000_stdp.yaml --out TMP --seed S --quiet` for seeds
1, 2, 3, reads spikes.npy / weights.npy / summary.json, and compares with the Brian2
reference of the same model (Brian2's examples/synapses/STDP.py; brian_reference.py
song2000 1 2 3, cached): the fractions of weights below 0.1 w_max and above 0.9 w_max
after 100 s, the mean weight, and the output rate over the 100 s, the first 10 s and the
last 10 s.  The tolerance rule is in science_common.py.  Absolute checks from the paper:
the weights end bimodal (both fractions > 10 %) and the output rate falls as STDP
regulates the total input.  Output: TAP, one test point per check.
"""
import math
import os
import shutil
import sys

import numpy as np

import science_common as sc
from brian_reference import SONG

EXPERIMENT = 'experiments/song2000_stdp.yaml'
PROJECTION = 'input_neuron'
FLOORS = {  # absolute floors of the tolerance (see science_common.py)
    'frac_low': 0.01, 'frac_high': 0.01, 'mean_weight_gmax': 0.01,
    'rate_hz': 1.0, 'rate_first10_hz': 1.0, 'rate_last10_hz': 1.0,
}
UNITS = {'rate_hz': ' Hz', 'rate_first10_hz': ' Hz', 'rate_last10_hz': ' Hz'}


def figures(out):
    s = sc.load_summary(out)
    sp = sc.load_channel(out, 'spikes')
    wt = sc.load_channel(out, 'weights')
    d_ms = SONG['duration_ms']
    t = np.asarray(sp['t_ms'], float)
    t_end = wt['t_ms'].max()
    w = np.asarray(wt['weight'][wt['t_ms'] == t_end], float) / SONG['w_max_pA']
    ten = 10000.0
    f = {
        'frac_low': float(np.mean(w < 0.1)),
        'frac_high': float(np.mean(w > 0.9)),
        'mean_weight_gmax': float(np.mean(w)),
        'rate_hz': len(t) / (d_ms / 1000.0),
        'rate_first10_hz': float(np.sum(t < ten)) / (ten / 1000.0),
        'rate_last10_hz': float(np.sum(t >= d_ms - ten)) / (ten / 1000.0),
    }
    return f, s, sp, wt


def consistency(s, sp, wt):
    bad = []
    n_in = SONG['n_inputs']
    pops = s.get('populations', {})
    if pops.get('neuron', {}).get('spikes') != len(sp):
        bad.append(f'summary populations.neuron.spikes = {pops.get("neuron", {}).get("spikes")}'
                   f', spikes.npy has {len(sp)}')
    if pops.get('inputs', {}).get('size') != n_in:
        bad.append(f'summary populations.inputs.size = {pops.get("inputs", {}).get("size")}')
    proj = s.get('projections', {}).get(PROJECTION, {})
    if proj.get('synapses') != n_in:
        bad.append(f'summary projections.{PROJECTION}.synapses = {proj.get("synapses")}')
    if not math.isclose(s.get('simulated_time_s', -1), SONG['duration_ms'] / 1000.0):
        bad.append(f'simulated_time_s = {s.get("simulated_time_s")}, expected 100')
    if len(sp) and (sp['neuron'].max() != 0 or sp['t_ms'].max() >= SONG['duration_ms']):
        bad.append('spikes.npy: neuron or time out of range')
    # weights every 10 s and at the end: snapshots at 10, 20, ..., 100 s of 1000 synapses
    times = np.unique(wt['t_ms'])
    want = np.arange(10000.0, SONG['duration_ms'] + 1, 10000.0)
    if not all(np.any(np.isclose(times, x)) for x in want):
        bad.append(f'weights.npy snapshots at {times.tolist()} ms, expected every 10 s')
    for x in times:
        snap = wt[wt['t_ms'] == x]
        if len(snap) != n_in:
            bad.append(f'weights.npy at {x} ms: {len(snap)} synapses, expected {n_in}')
            break
        if len(np.unique(snap['pre'])) != n_in or np.any(snap['post'] != 0):
            bad.append(f'weights.npy at {x} ms: pre/post indices wrong')
            break
    w = wt['weight']
    if len(w) and (w.min() < -1e-6 or w.max() > SONG['w_max_pA'] * (1 + 1e-6)):
        bad.append(f'weights outside [0, w_max]: {w.min()}..{w.max()} pA')
    if proj.get('mean_weight') is not None and len(w):
        last = w[wt['t_ms'] == wt['t_ms'].max()]
        if not math.isclose(proj['mean_weight'], float(last.mean()), rel_tol=1e-3, abs_tol=1e-6):
            bad.append(f'summary mean_weight {proj["mean_weight"]} != final weights mean '
                       f'{float(last.mean())}')
    return bad


def yaml_pairs():
    S = SONG

    def prm(key):
        return lambda d: d['populations']['neuron']['params'][key]

    def stdp(key):
        return lambda d: d['projections'][PROJECTION]['plasticity']['params'][key]
    g_l_nS = S['C_m_pF'] / S['tau_m_ms']
    w_max = S['gmax'] * g_l_nS * (S['E_e_mV'] - S['V_reset_mV'])     # nS * mV = pA
    assert math.isclose(w_max, S['w_max_pA'])
    return [
        ('experiment.dt', lambda d: d['experiment']['dt'], 'ms', S['dt_ms']),
        ('timeline duration', lambda d: d['timeline'][0]['duration'], 'ms', S['duration_ms']),
        ('inputs.size', lambda d: d['populations']['inputs']['size'], None, S['n_inputs']),
        ('inputs.rate', lambda d: d['populations']['inputs']['rate'], 'Hz', S['rate_Hz']),
        ('neuron.model', lambda d: d['populations']['neuron']['model'], None, 'lif_cuba'),
        ('neuron.C_m', prm('C_m'), 'pF', S['C_m_pF']),
        ('neuron.tau_m', prm('tau_m'), 'ms', S['tau_m_ms']),
        ('neuron.E_L', prm('E_L'), 'mV', S['E_L_mV']),
        ('neuron.V_th', prm('V_th'), 'mV', S['V_th_mV']),
        ('neuron.V_reset', prm('V_reset'), 'mV', S['V_reset_mV']),
        ('neuron.t_ref', prm('t_ref'), 'ms', S['t_ref_ms']),
        ('neuron.tau_e', prm('tau_e'), 'ms', S['tau_e_ms']),
        ('weight low', lambda d: d['projections'][PROJECTION]['weight']['uniform'][0], 'pA', 0.0),
        ('weight high', lambda d: d['projections'][PROJECTION]['weight']['uniform'][1], 'pA',
         S['w_max_pA']),
        ('delay', lambda d: d['projections'][PROJECTION].get('delay', '0.1 ms'), 'ms',
         S['delay_ms']),
        ('connect', lambda d: d['projections'][PROJECTION]['connect']['rule'], None, 'all_to_all'),
        ('stdp rule', lambda d: d['projections'][PROJECTION]['plasticity']['rule'], None, 'stdp'),
        ('tau_plus', stdp('tau_plus'), 'ms', S['tau_plus_ms']),
        ('tau_minus', stdp('tau_minus'), 'ms', S['tau_minus_ms']),
        ('A_plus', stdp('A_plus'), None, S['A_plus']),
        ('A_minus', stdp('A_minus'), None, S['A_minus']),
        ('w_min', stdp('w_min'), 'pA', 0.0),
        ('w_max', stdp('w_max'), 'pA', S['w_max_pA']),
        ('weight_dependence', stdp('weight_dependence'), None, 'additive'),
        ('pairing', stdp('pairing'), None, 'all_to_all'),
    ]


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    rewire, repo = os.path.abspath(argv[0]), os.path.abspath(argv[1])
    tap = sc.Tap()
    tap.diag(f'Song, Miller & Abbott 2000: rewire ({rewire}) vs Brian2, seeds {sc.SEEDS}')

    ref, why = sc.brian('song2000', tap)

    rw, runs, outs = [], [], []
    for seed in sc.SEEDS:
        out = sc.tmpdir(f'song-{seed}')
        outs.append(out)
        ok, msg, wall = sc.run_rewire(rewire, repo, EXPERIMENT, seed, out)
        f = None
        if ok:
            try:
                f, s, sp, wt = figures(out)
                runs.append((s, sp, wt))
            except Exception as ex:  # noqa: BLE001 - missing/garbled outputs fail here
                ok, msg = False, msg + f'\nreading the outputs: {ex!r}'
        rw.append(f)
        tap.point(ok, f'rewire run {EXPERIMENT} --seed {seed} ({wall:.1f} s)',
                  msg if not ok else None)
    good = [x for x in rw if x is not None]

    bad = [] if runs else ['no rewire run']
    for seed, (s, sp, wt) in zip(sc.SEEDS, runs):
        bad += [f'seed {seed}: {b}' for b in consistency(s, sp, wt)]
    tap.point(not bad, 'summary.json, spikes.npy and weights.npy (every 10 s) agree',
              '\n'.join(bad) or None)

    sc.check_params(tap, f'{EXPERIMENT} has the parameters of brian_reference.py',
                    os.path.join(repo, EXPERIMENT), yaml_pairs())

    for key in FLOORS:
        rv = [f[key] for f in good] if len(good) == len(sc.SEEDS) else None
        bv = [r[key] for r in ref] if ref else None
        if bv is None:
            tap.point(True, f'{key}: rewire vs Brian2', skip=why)
        else:
            tap.compare(key, rv, bv, FLOORS[key], UNITS.get(key, ''))

    # Absolute checks (Song, Miller & Abbott 2000, Fig. 1-2).
    def every(pred):
        return len(good) == len(sc.SEEDS) and all(pred(f) for f in good)

    def show(*keys):
        return '\n'.join(f'{k}: ' + sc.fmt([f[k] for f in good]) for k in keys)
    tap.point(every(lambda f: f['frac_low'] > 0.10 and f['frac_high'] > 0.10),
              'weights end bimodal: > 10 % below 0.1 w_max and > 10 % above 0.9 w_max',
              show('frac_low', 'frac_high'))
    tap.point(every(lambda f: f['frac_low'] + f['frac_high'] > 0.30),
              'STDP drove the weights apart: > 30 % at the bounds (uniform start: 20 %)',
              show('frac_low', 'frac_high'))
    tap.point(every(lambda f: f['rate_last10_hz'] < 0.6 * f['rate_first10_hz']),
              'output rate falls: last 10 s < 0.6 x first 10 s',
              show('rate_first10_hz', 'rate_last10_hz'))

    for out in outs:
        shutil.rmtree(out, ignore_errors=True)
    return tap.done()


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
