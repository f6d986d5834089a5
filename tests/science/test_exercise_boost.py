#!/usr/bin/python3
"""Science test: exercise / BDNF as a plasticity boost speeds rehabilitation after a
stroke (Vaynman & Gomez-Pinilla 2005; Ploughman et al. 2009), end to end through the CLI
with experiments/exercise_boost.yaml.

    /usr/bin/python3 tests/science/test_exercise_boost.py REWIRE_BINARY REPO_ROOT

The model of experiments/stroke_cimt.yaml (a motor map learning two limbs' channels with
Oja's rule, a lesion of most of the affected limb's territory, learned non-use outside
therapy) gets two weeks of standard practice (6 h a day), with the map's plasticity x 3
during every session (the file as written) or x 1 (--set interventions.0.params.gain=1),
and the same boost without practice. The arms run with experiments/exercise_boost.py's
helpers. Recovery is the affected channel's `task` measure minus its value at the start
of rehab. For each seed of sc.SEEDS:

  - the arms share everything before rehab: the same task value at its start (the boost's
    schedule starts on day 12, after development and the acute phase);
  - faster early: after week 1 the boosted recovery is positive and at least 1.5 x the
    unboosted one (> 0). During sessions every weight change is 3 x larger; the hours of
    non-use are not boosted, so the early gain lies between 1 x and 3 x; half-way, 1.5 x,
    is what a real speed-up must exceed;
  - time to a level: the boosted arm reaches the unboosted arm's two-week recovery in at
    most half the days (a 3 x faster approach would take about a third);
  - not worse later: after week 2 the boosted arm is at least as far as the unboosted;
  - a boost amplifies what is practised: the boost without practice recovers less than a
    quarter of what boost and practice recover together (in the model, plasticity without
    a use bias toward the affected limb has nothing to strengthen it with).

Thresholds follow from the mechanism (a gain on the learning rate), not from a run's
output. Output: TAP, one test point per check.
"""
import os
import shutil
import sys

import science_common as sc

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                                'experiments'))
import exercise_boost as ex  # noqa: E402  (the arms and the figure, shared with the table)

EARLY_RATIO = 1.5      # week-1 recovery, boost / no boost
TIME_RATIO = 0.5       # days to the no-boost 2-week level, boost / no boost
ALONE_MAX = 0.25       # boost alone vs boost with practice, week-2 recovery


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    rewire, repo = os.path.abspath(argv[0]), os.path.abspath(argv[1])
    ex.EXPERIMENT = os.path.join(repo, 'experiments', 'exercise_boost.yaml')
    doc = sc.load_yaml(ex.EXPERIMENT)
    day_ms = sc.quantity(doc['experiment']['time_scale']['day'], 'ms') if doc else 1000.0
    tap = sc.Tap()
    tap.diag(f'exercise boost: rewire ({rewire}), seeds {sc.SEEDS}, arms {list(ex.ARMS)}, '
             f'a day = {day_ms:g} ms')
    for seed in sc.SEEDS:
        out = sc.tmpdir(f'boost-{seed}')
        try:
            f = ex.run_seed(rewire, seed, out, day_ms)
        except (RuntimeError, KeyError, OSError, StopIteration) as e:
            tap.point(False, f'seed {seed}: the arms run', str(e))
            shutil.rmtree(out, ignore_errors=True)
            continue
        tap.point(True, f'seed {seed}: the arms run')
        for arm, g in f.items():
            tap.diag(f'seed {seed} {arm:<11}: start {g["start"]:.3f}, recovery week 1 '
                     f'{g["week1"]:+.3f}, week 2 {g["week2"]:+.3f}, days to the no-boost '
                     f'2-week level {g["days"]:g}')
        b, n, alone = f['boost'], f['no_boost'], f['boost_alone']
        starts = [g['start'] for g in f.values()]
        tap.point(max(starts) == min(starts),
                  f'seed {seed}: every arm starts rehab from the same task {starts[0]:.4f}')
        tap.point(n['week1'] > 0 and b['week1'] >= EARLY_RATIO * n['week1'],
                  f'seed {seed}: week-1 recovery {b["week1"]:+.3f} with the boost >= '
                  f'{EARLY_RATIO} x {n["week1"]:+.3f} without (> 0)')
        tap.point(b['days'] <= TIME_RATIO * n['days'],
                  f'seed {seed}: the no-boost 2-week level is reached in {b["days"]:g} days '
                  f'with the boost, <= {TIME_RATIO} x {n["days"]:g} without')
        tap.point(b['week2'] >= n['week2'],
                  f'seed {seed}: after week 2 the boosted recovery {b["week2"]:+.3f} >= '
                  f'{n["week2"]:+.3f}')
        tap.point(b['week2'] > 0 and alone['week2'] < ALONE_MAX * b['week2'],
                  f'seed {seed}: the boost alone recovers {alone["week2"]:+.3f}, < '
                  f'{ALONE_MAX} x {b["week2"]:+.3f} with practice')
        shutil.rmtree(out, ignore_errors=True)
    return tap.done()


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
