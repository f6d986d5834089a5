#!/usr/bin/python3
"""Runs the arms of experiments/critical_period.yaml over seeds and prints the ocular
dominance table (see the YAML's header).  The science test
(tests/science/test_critical_period.py) imports run_arm() from here.

usage: /usr/bin/python3 experiments/critical_period.py [--rewire build/rewire] [SEED ...]
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXPERIMENT = os.path.join(REPO, 'experiments', 'critical_period.yaml')

# arm -> --set overrides (one file, see the YAML's header)
ARMS = {
    'early': [],                                              # MD at age 15-25 s
    'late': ['timeline.0.duration=75s'],                      # MD at age 75-85 s
    'control': ['timeline.1.interventions.0.params.factor=1'],  # no deprivation
}


def od(metrics):
    """Ocular dominance toward the open (right) eye from the mean weight of each eye."""
    r, l = metrics['w_right.mean'], metrics['w_left.mean']
    return (r - l) / (r + l)


def run_arm(rewire, arm, seed):
    """Runs one arm; returns {od_before, od_after, shift, w_left, w_right (before, after)}."""
    out = tempfile.mkdtemp(prefix=f'rewire-cp-{arm}-{seed}-')
    try:
        cmd = [os.path.abspath(rewire), 'run', EXPERIMENT, '--out', out, '--seed', str(seed), '--quiet']
        for kv in ARMS[arm]:
            cmd += ['--set', kv]
        p = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(f'{" ".join(cmd)}: exit {p.returncode}\n{p.stderr}')
        with open(os.path.join(out, 'summary.json')) as f:
            phases = {ph['name']: ph['metrics'] for ph in json.load(f)['phases']}
    finally:
        shutil.rmtree(out, ignore_errors=True)
    before, after = phases['rearing'], phases['deprivation']
    return {'od_before': od(before), 'od_after': od(after), 'shift': od(after) - od(before),
            'w_left': (before['w_left.mean'], after['w_left.mean']),
            'w_right': (before['w_right.mean'], after['w_right.mean'])}


def main(argv):
    rewire = os.path.join(REPO, 'build', 'rewire')
    if len(argv) >= 2 and argv[0] == '--rewire':
        rewire, argv = argv[1], argv[2:]
    seeds = [int(s) for s in argv] or [1, 2, 3]
    print(f'{"arm":8s} {"seed":>4s} {"OD before":>10s} {"OD after":>9s} {"shift":>7s} '
          f'{"W closed":>17s} {"W open":>17s}')
    for arm in ARMS:
        shifts = []
        for seed in seeds:
            f = run_arm(rewire, arm, seed)
            shifts.append(f['shift'])
            print(f'{arm:8s} {seed:4d} {f["od_before"]:+10.3f} {f["od_after"]:+9.3f} '
                  f'{f["shift"]:+7.3f} {f["w_left"][0]:.4f} -> {f["w_left"][1]:.4f} '
                  f'{f["w_right"][0]:.4f} -> {f["w_right"][1]:.4f}')
        print(f'{arm:8s} mean shift {sum(shifts) / len(shifts):+.3f}')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
