#!/usr/bin/python3
"""Run the arms of experiments/stroke_cimt.yaml over seeds and print the figure.

    /usr/bin/python3 experiments/stroke_cimt.py [REWIRE] [--seeds 1 2 3] [--keep DIR]

REWIRE defaults to build/rewire. For every seed and arm (no therapy, standard practice,
CIMT, and the control without learned non-use) it runs the experiment with the arm's
`--set` overrides and prints, from summary.json's per-phase metrics, the affected
channel's task performance before the stroke (end of development), at the start of
therapy (end of the acute phase) and after it (end of rehab), its change over rehab, the
unaffected channel's task and the affected channel's area of the map. The helpers are
shared with experiments/exercise_boost.py.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
EXPERIMENT = os.path.join(HERE, 'stroke_cimt.yaml')

THERAPY = 'timeline.2.interventions.0.params.'
NON_USE = ['timeline.1.interventions.0.params.factor=1',
           'timeline.2.interventions.1.params.factor=1']
# name -> --set overrides (the file as written is the CIMT arm)
ARMS = {
    'none': [THERAPY + 'rate=0Hz', THERAPY + 'constraint=1'],
    'standard': [THERAPY + 'rate=20Hz', THERAPY + 'constraint=1'],
    'cimt': [],
    'none_full_use': [THERAPY + 'rate=0Hz', THERAPY + 'constraint=1'] + NON_USE,
}


def run(rewire, experiment, seed, sets, out):
    """One run; returns summary.json as a dict (raises with rewire's message on failure)."""
    cmd = [rewire, 'run', experiment, '--out', out, '--seed', str(seed), '--quiet']
    for s in sets:
        cmd += ['--set', s]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(' '.join(cmd) + f'\nexit {p.returncode}: ' + p.stderr.strip())
    with open(os.path.join(out, 'summary.json')) as f:
        return json.load(f)


def phase_metrics(summary):
    """{phase name: {metric: value}} from summary.json's per-phase metrics."""
    return {p['name']: p['metrics'] for p in summary['phases']}


def figure(summary):
    """The figure of one run: the affected task at the three phase ends, and more."""
    m = phase_metrics(summary)
    pre, start, end = (m[p]['task_a'] for p in ('development', 'acute', 'rehab'))
    return {'pre': pre, 'start': start, 'end': end, 'change': end / start - 1,
            'b_end': m['rehab']['task_b'],
            'area_start': m['acute']['map_area.area.affected'],
            'area_end': m['rehab']['map_area.area.affected']}


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('rewire', nargs='?', default='build/rewire')
    ap.add_argument('--seeds', type=int, nargs='+', default=[1, 2, 3])
    ap.add_argument('--keep', help='folder for the run outputs (default: a temporary one)')
    a = ap.parse_args(argv)
    base = a.keep or tempfile.mkdtemp(prefix='stroke_cimt-')
    print(f'{"arm":<14} {"seed":>4} {"A pre":>6} {"A start":>8} {"A end":>6} '
          f'{"change":>7} {"B end":>6} {"area A":>8}')
    for seed in a.seeds:
        for arm, sets in ARMS.items():
            f = figure(run(a.rewire, EXPERIMENT, seed, sets, os.path.join(base, f'{arm}-{seed}')))
            print(f'{arm:<14} {seed:>4} {f["pre"]:6.3f} {f["start"]:8.3f} {f["end"]:6.3f} '
                  f'{f["change"]:+7.1%} {f["b_end"]:6.3f} {f["area_start"]:3.0f}->{f["area_end"]:<3.0f}')
    print(f'(runs in {base})')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
