"""Critical period for ocular dominance (experiments/critical_period.yaml), through the CLI:
monocular deprivation (MD) during the critical period shifts ocular dominance toward the
open eye, the same MD after the period has closed shifts it far less (Wiesel & Hubel
1963, 1965; Hubel & Wiesel 1970; Hensch 2005), in the BCM account (Bear, Cooper & Ebner
1987; Clothiaux, Bear & Cooper 1991).  OD = (W_open - W_closed) / (W_open + W_closed)
from the mean weight of each eye's projection at the end of each phase.

Checks, for each seed (science_common.SEEDS, 3 by default):
  - binocular before MD: |OD| < 0.1 in every arm (both eyes see the same patterns, so
    BCM gives each unit the same preference through both eyes);
  - early MD (age 15-25 s, critical period open): OD shifts by more than 1/6 toward the
    open eye, and stays below 0.4.  Why these bounds: the closed eye is silent, so its
    synapses see no presynaptic activity and BCM leaves them alone; the open eye
    potentiates until the preferred response is back at the BCM fixed point (2 y0), i.e.
    until its weights have doubled: OD -> 1/3.  More than half way (1/6) means the period
    let MD act; above 1/3 (+ margin for the fixed point's few % bias) would be a
    different mechanism;
  - the closed eye's mean weight is unchanged by the MD (to 1e-6 relative; no input, no
    BCM change);
  - late MD (age 75-85 s, after closure): OD shifts less than a third of the early shift
    of the same seed ("far less"; the critical period's factor integrated over the late
    window is ~1/11 of that over the early one), and still toward the open eye (> 0:
    adult plasticity g_min is not 0);
  - control (no MD): |OD shift| < 0.03, a tenth of the early effect.

usage: test_critical_period.py REWIRE SOURCE_ROOT
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import science_common as sc  # noqa: E402


def main(argv):
    tap = sc.Tap()
    rewire, repo = argv[0], argv[1]
    sys.path.insert(0, os.path.join(repo, 'experiments'))
    import critical_period as cp  # noqa: E402  (the experiment's own runner)
    for seed in sc.SEEDS:
        f = {}
        for arm in cp.ARMS:
            try:
                f[arm] = cp.run_arm(rewire, arm, seed)
            except RuntimeError as e:
                tap.point(False, f'seed {seed}: arm {arm} runs', str(e))
        if len(f) != len(cp.ARMS):
            continue
        e, la, c = f['early'], f['late'], f['control']
        tap.diag(f'seed {seed}: OD shift early {e["shift"]:+.3f} ({e["od_before"]:+.3f} -> '
                 f'{e["od_after"]:+.3f}), late {la["shift"]:+.3f}, control {c["shift"]:+.3f}')
        worst = max(abs(x['od_before']) for x in f.values())
        tap.point(worst < 0.1, f'seed {seed}: binocular after rearing: max |OD| {worst:.3f} < 0.1')
        tap.point(e['shift'] > 1 / 6 and e['od_after'] < 0.4,
                  f'seed {seed}: MD in the critical period shifts OD toward the open eye: '
                  f'{e["shift"]:+.3f} > 1/6, OD {e["od_after"]:.3f} < 0.4 (fixed point 1/3)')
        w0, w1 = e['w_left']
        tap.point(abs(w1 / w0 - 1) < 1e-6,
                  f'seed {seed}: the silent closed eye keeps its weights: {w0:.6f} -> {w1:.6f}')
        tap.point(0 < la['shift'] < e['shift'] / 3,
                  f'seed {seed}: MD after closure shifts OD far less: {la["shift"]:+.3f} in '
                  f'(0, {e["shift"] / 3:.3f}) (a third of the early shift)')
        tap.point(abs(c['shift']) < 0.03,
                  f'seed {seed}: no deprivation, no shift: |{c["shift"]:+.3f}| < 0.03')
    return tap.done()


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
