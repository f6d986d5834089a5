#!/usr/bin/python3
"""Science test: structural plasticity after input deprivation (Butz & van Ooyen 2013,
PLoS Comput Biol 9:e1003259), end to end through the CLI with
experiments/structural_deprivation.yaml.

    /usr/bin/python3 tests/science/test_structural_deprivation.py REWIRE_BINARY REPO_ROOT

Two groups of 20 LIF neurons share 400 Poisson sources; the control group starts with 40
inputs per neuron (near the set point), the deprived group with 20 (nearly silent).
Both carry the `structural` rule: dz/dt = nu (1 - Ca/epsilon), synapses formed or deleted
to match floor(z) every 100 ms.  For seeds 1, 2, 3 the model must produce (Butz & van
Ooyen 2013: neurons deprived of input regain their set-point activity by forming new
synapses, while neurons at their set point keep their connectivity):

  - deprivation: the deprived group starts far below the set point (first 1 s < 30 % of
    epsilon), so the test starts from a real deficit;
  - recovery: over the last 10 s the deprived group's rate is epsilon within 15 %, and
    so is the control group's.  At the rule's fixed point the time average of Ca, an
    unbiased rate estimate (beta_Ca = 1), is epsilon exactly; what remains is noise:
    20 neurons x 10 s x 10 Hz = 2000 spikes (Poisson scatter ~2 %), and z wanders with
    the calcium noise (std ~sqrt(r / 2 tau_Ca) ~ 3 Hz) so the in-degree moves by a few
    synapses of ~38, each ~3 % of the drive.  15 % is several standard errors of that;
    a rule without formation leaves the deprived group at < 1 Hz;
  - new synapses: the deprived projection gains synapses, and ends with an in-degree
    within 10 % of the control's (both groups see the same inputs and set point, so the
    fixed-point in-degree is the same: the deprived group catches up, it does not stop
    halfway); the control's in-degree stays within 10 % of its initial 40;
  - time course: the deprived group first reaches 80 % of epsilon (1 s bins) after
    about the time to grow the missing elements at full speed, T = (K* - 20) / nu (K*
    the control's final in-degree): while nearly silent dz/dt ~ nu, slower as the rate
    rises, and Ca lags by tau_Ca.  Checked: between 0.75 T and 2 T + 1 s;
  - slice-size invariance: seed 1 again with --slice-steps 1 gives identical channels.

Output: TAP, one test point per check.
"""
import os
import shutil
import subprocess
import sys

import numpy as np

import science_common as sc

EXPERIMENT = 'experiments/structural_deprivation.yaml'
CHANNELS = ['control_rate', 'deprived_rate', 'control_synapses', 'deprived_synapses']
START_MAX = 0.30     # deprived start: below 30 % of the set point
RATE_TOL = 0.15      # final rates: epsilon within 15 %
DEGREE_TOL = 0.10    # final in-degrees: deprived vs control, control vs 40
FINAL_S = 10.0


def read_experiment(repo):
    doc = sc.load_yaml(os.path.join(repo, EXPERIMENT))
    if doc is None:   # PyYAML missing: the file's values, as written there
        return {'eps': 10.0, 'nu': 5.0, 'k_control': 40, 'k_deprived': 20, 'n': 20}
    params = doc['projections']['to_deprived']['plasticity']['params']
    return {'eps': sc.quantity(params['epsilon'], 'Hz'), 'nu': sc.quantity(params['nu'], 'Hz'),
            'k_control': doc['projections']['to_control']['connect']['k'],
            'k_deprived': doc['projections']['to_deprived']['connect']['k'],
            'n': doc['populations']['deprived']['size']}


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    rewire, repo = os.path.abspath(argv[0]), os.path.abspath(argv[1])
    tap = sc.Tap()
    m = read_experiment(repo)
    eps, nu, n = m['eps'], m['nu'], m['n']
    tap.diag(f'structural deprivation: rewire ({rewire}), seeds {sc.SEEDS}; epsilon {eps} Hz, '
             f'nu {nu} /s, in-degree {m["k_control"]} (control) vs {m["k_deprived"]} (deprived)')
    for seed in sc.SEEDS:
        out = sc.tmpdir(f'structural-{seed}')
        ok, msg, wall = sc.run_rewire(rewire, repo, EXPERIMENT, seed, out)
        if not tap.point(ok, f'seed {seed}: the experiment runs ({wall:.1f} s)', None if ok else msg):
            continue
        ch = {c: sc.load_channel(out, c) for c in CHANNELS}
        t_s = ch['deprived_rate']['t_ms'] / 1000.0
        dep, ctl = ch['deprived_rate']['rate_hz'], ch['control_rate']['rate_hz']
        end = t_s[-1] + 1.0
        last = t_s >= end - FINAL_S
        dep_end, ctl_end = dep[last].mean(), ctl[last].mean()
        k_dep = ch['deprived_synapses']['value'] / n
        k_ctl = ch['control_synapses']['value'] / n
        tap.diag(f'seed {seed}: deprived rate {dep[0]:.2f} Hz (first 1 s) -> {dep_end:.2f} Hz '
                 f'(last {FINAL_S:g} s), control {ctl[0]:.2f} -> {ctl_end:.2f} Hz; in-degree '
                 f'deprived {k_dep[0]:.1f} -> {k_dep[-1]:.1f}, control {k_ctl[0]:.1f} -> '
                 f'{k_ctl[-1]:.1f}')
        tap.point(dep[0] < START_MAX * eps,
                  f'seed {seed}: deprived start {dep[0]:.2f} Hz < {START_MAX:g} x epsilon')
        tap.point(abs(dep_end / eps - 1) <= RATE_TOL,
                  f'seed {seed}: deprived rate returns to the set point: {dep_end:.2f} Hz within '
                  f'{RATE_TOL:.0%} of {eps:g} Hz')
        tap.point(abs(ctl_end / eps - 1) <= RATE_TOL,
                  f'seed {seed}: control rate stays at the set point: {ctl_end:.2f} Hz within '
                  f'{RATE_TOL:.0%} of {eps:g} Hz')
        tap.point(k_dep[0] == m['k_deprived'] and
                  abs(k_dep[-1] / k_ctl[-1] - 1) <= DEGREE_TOL,
                  f'seed {seed}: new synapses onto the deprived neurons: in-degree '
                  f'{k_dep[0]:.1f} -> {k_dep[-1]:.1f}, within {DEGREE_TOL:.0%} of the '
                  f'control\'s {k_ctl[-1]:.1f}')
        tap.point(abs(k_ctl[-1] / m['k_control'] - 1) <= DEGREE_TOL,
                  f'seed {seed}: the control in-degree stays near {m["k_control"]}: '
                  f'{k_ctl[-1]:.1f}')
        reached = np.nonzero(dep >= 0.8 * eps)[0]
        t_reach = t_s[reached[0]] + 1.0 if len(reached) else np.inf  # end of the bin
        t_pred = (k_ctl[-1] - m['k_deprived']) / nu
        tap.point(0.75 * t_pred <= t_reach <= 2.0 * t_pred + 1.0,
                  f'seed {seed}: 80 % of the set point reached at {t_reach:.0f} s; growing '
                  f'the missing elements at nu takes T = {t_pred:.1f} s (window 0.75 T .. 2 T + 1 s)')
        if seed == sc.SEEDS[0]:
            out1 = sc.tmpdir('structural-slices')
            p = subprocess.run([rewire, 'run', EXPERIMENT, '--out', out1, '--seed', str(seed),
                                '--quiet', '--slice-steps', '1'], cwd=repo,
                               capture_output=True, text=True)
            ok1, msg1 = p.returncode == 0, p.stderr
            same = ok1 and all(np.array_equal(ch[c], sc.load_channel(out1, c)) for c in CHANNELS)
            tap.point(same, f'seed {seed}: slices of 1 step give identical rates and synapse '
                            'counts', None if same else msg1)
            shutil.rmtree(out1, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
    return tap.done()


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
