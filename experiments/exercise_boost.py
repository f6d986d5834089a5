#!/usr/bin/python3
"""Run the arms of experiments/exercise_boost.yaml over seeds and print the figure.

    /usr/bin/python3 experiments/exercise_boost.py [REWIRE] [--seeds 1 2 3] [--keep DIR]

REWIRE defaults to build/rewire. Arms: practice with the exercise boost (gain 3, the file
as written), practice without it (gain 1), the boost without practice, and neither. For
each it prints the affected channel's task at the start of rehab (end of the acute
phase), its recovery (task - start) at the ends of week 1 and week 2 (summary.json's
per-phase metrics), and the day on which the task first reaches the no-boost arm's
two-week level (from the daily samples in task_a.npy).
"""
import argparse
import os
import sys
import tempfile

import numpy as np

from stroke_cimt import phase_metrics, run

HERE = os.path.dirname(os.path.abspath(__file__))
EXPERIMENT = os.path.join(HERE, 'exercise_boost.yaml')

NO_BOOST = ['interventions.0.params.gain=1']
NO_PRACTICE = ['timeline.2.interventions.0.params.rate=0Hz',
               'timeline.3.interventions.0.params.rate=0Hz']
ARMS = {'boost': [], 'no_boost': NO_BOOST, 'boost_alone': NO_PRACTICE,
        'neither': NO_BOOST + NO_PRACTICE}


def figure(summary):
    m = phase_metrics(summary)
    start = m['acute']['task_a']
    return {'start': start, 't_start_ms': next(p['t_end_ms'] for p in summary['phases']
                                               if p['name'] == 'acute'),
            'week1': m['week1']['task_a'] - start, 'week2': m['week2']['task_a'] - start}


def days_to_reach(out, f, level, day_ms):
    """Days from the start of rehab until the task first reaches `level` (inf: never)."""
    a = np.load(os.path.join(out, 'task_a.npy'))
    after = a['t_ms'] >= f['t_start_ms']
    hit = np.nonzero(after & (a['value'] >= level))[0]
    return (a['t_ms'][hit[0]] - f['t_start_ms']) / day_ms if len(hit) else float('inf')


def run_seed(rewire, seed, base, day_ms=1000.0):
    """All arms for one seed: {arm: figure}, with 'days' to the no-boost 2-week level."""
    figs = {}
    for arm, sets in ARMS.items():
        out = os.path.join(base, f'{arm}-{seed}')
        figs[arm] = figure(run(rewire, EXPERIMENT, seed, sets, out))
        figs[arm]['out'] = out
    level = figs['no_boost']['start'] + figs['no_boost']['week2']
    for f in figs.values():
        f['days'] = days_to_reach(f['out'], f, level, day_ms)
    return figs


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('rewire', nargs='?', default='build/rewire')
    ap.add_argument('--seeds', type=int, nargs='+', default=[1, 2, 3])
    ap.add_argument('--keep', help='folder for the run outputs (default: a temporary one)')
    a = ap.parse_args(argv)
    base = a.keep or tempfile.mkdtemp(prefix='exercise_boost-')
    print(f'{"arm":<12} {"seed":>4} {"start":>6} {"week 1":>7} {"week 2":>7} '
          f'{"days to no-boost 2-week level":>30}')
    for seed in a.seeds:
        for arm, f in run_seed(a.rewire, seed, base).items():
            print(f'{arm:<12} {seed:>4} {f["start"]:6.3f} {f["week1"]:+7.3f} {f["week2"]:+7.3f} '
                  f'{f["days"]:30g}')
    print(f'(recovery = affected task - its value at the start of rehab; runs in {base})')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
