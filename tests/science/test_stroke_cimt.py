#!/usr/bin/python3
"""Science test: stroke, learned non-use and CIMT ("use it or lose it", Han, Arbib &
Schweighofer 2008, PLoS Comput Biol 4:e1000133; Taub et al. 1999 for CIMT), end to end
through the CLI with experiments/stroke_cimt.yaml.

    /usr/bin/python3 tests/science/test_stroke_cimt.py REWIRE_BINARY REPO_ROOT

A motor map of linear rate units learns two limbs' channels with Oja's rule (each unit's
weight vector held at unit length, so the channels compete inside every unit that gets
both). After a lesion of most of the affected limb's territory, the affected channel's
daily-life input is scaled by 0.25 (learned non-use) except during the daily therapy
session. The arms run from the one file with --set (experiments/stroke_cimt.py). For
each seed of sc.SEEDS the test checks, on the affected channel's `task` measure (summed
weight onto live units) at the phase ends of summary.json:

  - the lesion: the affected task falls below half of its pre-stroke value (the infarct
    kills 21 of the ~30 units the affected limb wins, so ~0.3 of it is left), while the
    unaffected channel keeps > 90 % of its own (its territory is spared);
  - use it or lose it: without therapy the affected task declines over rehab by more
    than 5 %. Non-use scales that channel's input power by 0.25^2; in the units that
    receive both channels the other one then carries the leading eigenvector Oja's rule
    converges to, so the affected weights there decay (units reached by the affected
    channel only keep theirs: the loss is partial);
  - control: with the non-use factor set to 1 and no therapy the task stays within 5 %
    over rehab (both channels used alike: the competition is balanced, nothing drifts),
    and the untreated arm's decline is at least 5 points larger than the control's: the
    decline is caused by non-use, not by the lesion or the rule's own drift;
  - CIMT recovers: the task rises over rehab by more than 10 % (6 h a day of 40 Hz on
    the affected channel with the other one off: in the shared units the affected channel
    now has the larger input power, Oja's rule turns them toward it), and the affected
    channel's area of the map (units it wins) grows (Liepert et al. 2000: CIMT enlarges
    the affected hand's motor map);
  - ordering: after rehab CIMT > standard practice (20 Hz, no constraint) > no therapy,
    the more use of the affected channel the stronger its representation.

All thresholds follow from the mechanism (signs and coarse fractions), not from the
output of a run. Output: TAP, one test point per check.
"""
import os
import shutil
import sys

import science_common as sc

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                                'experiments'))
import stroke_cimt as ex  # noqa: E402  (the arms and the figure, shared with the table)

LESION_MAX = 0.5       # affected task after the lesion, relative to before
OTHER_MIN = 0.9        # unaffected task after the lesion, relative to before
DECLINE_MIN = 0.05     # untreated decline over rehab
CONTROL_TOL = 0.05     # full-use control: |change| over rehab
CIMT_MIN = 0.10        # CIMT recovery over rehab


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    rewire, repo = os.path.abspath(argv[0]), os.path.abspath(argv[1])
    experiment = os.path.join(repo, 'experiments', 'stroke_cimt.yaml')
    tap = sc.Tap()
    tap.diag(f'stroke / CIMT: rewire ({rewire}), seeds {sc.SEEDS}, arms {list(ex.ARMS)}')
    for seed in sc.SEEDS:
        out = sc.tmpdir(f'stroke-{seed}')
        fig, summ = {}, {}
        try:
            for arm, sets in ex.ARMS.items():
                summ[arm] = ex.run(rewire, experiment, seed, sets, os.path.join(out, arm))
                fig[arm] = ex.figure(summ[arm])
        except (RuntimeError, KeyError, OSError) as e:
            tap.point(False, f'seed {seed}: the arms run', str(e))
            shutil.rmtree(out, ignore_errors=True)
            continue
        tap.point(True, f'seed {seed}: the arms run')
        for arm, f in fig.items():
            tap.diag(f'seed {seed} {arm:<13}: affected task {f["pre"]:.3f} (pre) -> '
                     f'{f["start"]:.3f} (start of rehab) -> {f["end"]:.3f} ({f["change"]:+.1%}); '
                     f'unaffected {f["b_end"]:.3f}; affected area {f["area_start"]:.0f} -> '
                     f'{f["area_end"]:.0f}')
        none, std, cimt, ctl = fig['none'], fig['standard'], fig['cimt'], fig['none_full_use']
        m = ex.phase_metrics(summ['none'])
        b_keep = m['acute']['task_b'] / m['development']['task_b']
        tap.point(none['start'] / none['pre'] < LESION_MAX and b_keep > OTHER_MIN,
                  f'seed {seed}: the lesion leaves {none["start"] / none["pre"]:.2f} of the '
                  f'affected task (< {LESION_MAX}) and {b_keep:.2f} of the other (> {OTHER_MIN})')
        tap.point(none['change'] < -DECLINE_MIN,
                  f'seed {seed}: no therapy: the affected task declines by '
                  f'{-none["change"]:.1%} (> {DECLINE_MIN:.0%})')
        tap.point(abs(ctl['change']) < CONTROL_TOL and
                  ctl['change'] - none['change'] > DECLINE_MIN,
                  f'seed {seed}: without non-use the untreated task changes by '
                  f'{ctl["change"]:+.1%} (within {CONTROL_TOL:.0%}; at least '
                  f'{DECLINE_MIN:.0%} above the non-use arm\'s {none["change"]:+.1%})')
        tap.point(cimt['change'] > CIMT_MIN and cimt['area_end'] > cimt['area_start'],
                  f'seed {seed}: CIMT: the affected task recovers by {cimt["change"]:+.1%} '
                  f'(> {CIMT_MIN:.0%}), its area {cimt["area_start"]:.0f} -> '
                  f'{cimt["area_end"]:.0f} units')
        tap.point(cimt['end'] > std['end'] > none['end'],
                  f'seed {seed}: after rehab CIMT {cimt["end"]:.3f} > standard '
                  f'{std["end"]:.3f} > no therapy {none["end"]:.3f}')
        shutil.rmtree(out, ignore_errors=True)
    return tap.done()


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
