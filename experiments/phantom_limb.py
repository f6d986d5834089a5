#!/usr/bin/python3
"""Run experiments/phantom_limb.yaml's two arms (no therapy, mirror therapy) over seeds
and print the face channel's cortical area before and after the amputation.

    /usr/bin/python3 experiments/phantom_limb.py [--rewire build/rewire] [--seeds 1 2 3]

The figures come from summary.json's per-phase metrics (`map.area.face` at the end of
the `develop` and `amputated` phases).  The arms differ only by the mirror's gain:
`--set timeline.1.interventions.0.params.gain=0` is the arm without therapy (the mirror
shows nothing), the file's gain of 1 is mirror therapy.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
EXPERIMENT = 'experiments/phantom_limb.yaml'
ARMS = {'no_therapy': ['timeline.1.interventions.0.params.gain=0'], 'mirror': []}


def run_arm(rewire, seed, sets, out):
    """Run one arm and seed; returns {phase name: metrics}."""
    cmd = [rewire, 'run', EXPERIMENT, '--out', out, '--seed', str(seed), '--quiet']
    for kv in sets:
        cmd += ['--set', kv]
    subprocess.run(cmd, cwd=REPO, check=True)
    with open(os.path.join(out, 'summary.json')) as f:
        return {p['name']: p['metrics'] for p in json.load(f)['phases']}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--rewire', default=os.path.join(REPO, 'build', 'rewire'))
    ap.add_argument('--seeds', type=int, nargs='+', default=[1, 2, 3])
    a = ap.parse_args()
    print(f'{"arm":<11} {"seed":>4} {"face before":>11} {"face after":>10} {"growth":>6} '
          f'{"hand after":>10}')
    with tempfile.TemporaryDirectory(prefix='phantom-') as tmp:
        for arm, sets in ARMS.items():
            for seed in a.seeds:
                m = run_arm(a.rewire, seed, sets, os.path.join(tmp, f'{arm}-{seed}'))
                before = m['develop']['map.area.face']
                after = m['amputated']['map.area.face']
                print(f'{arm:<11} {seed:>4} {before:>11.0f} {after:>10.0f} '
                      f'{after - before:>+6.0f} {m["amputated"]["map.area.hand"]:>10.0f}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
