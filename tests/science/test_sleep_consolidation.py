"""Sleep consolidation (experiments/sleep_consolidation.yaml), through the CLI: a pattern
learned with STDP, then a night of sleep (inputs off, replay of the day's activity,
synaptic downscaling to 0.8 of each cell's summed input) against a night spent awake
and against downscaling without replay.  The synaptic homeostasis hypothesis (Tononi &
Cirelli 2003, 2014): sleep lowers synaptic strength overall while what was learned keeps
its relative strength and is recalled as well or better (higher signal to noise);
Diekelmann & Born 2010 for the behavioural consolidation.

Figures (from summary.json; experiments/sleep_consolidation.py computes them): the mean
weight; the relative strength = mean pattern synapse / mean synapse of the other 80
inputs; the recall contrast (r_p - r_o) / (r_p + r_o) of the cells' rates when the
pattern or an equally large control set of inputs is driven (learning frozen), before
and after the night.

Checks, for each seed (science_common.SEEDS, 3 by default):
  - sleep lowers the mean weight to the downscaling target: post / pre in [0.75, 0.85]
    (downscale_target 0.8 of the sums at sleep onset; never scaled up);
  - the learned pattern's relative strength holds: it keeps at least 90 % of the
    advantage it learned, rel_post - 1 >= 0.9 (rel_pre - 1) (downscaling alone keeps
    each cell's weight ratios exactly; replay drives every input, the others at a
    quarter of the pattern's rate, so its STDP moves the ratio by a few % either way:
    -2.4 % to +3.9 % over seeds 1-12, i.e. at worst ~6 % of the advantage);
  - recall holds or improves: contrast after >= contrast before;
  - awake (control): the mean weight does not fall (post / pre > 0.95): no downscaling
    without sleep;
  - downscaling alone keeps the relative strength within 1 % (ratios kept per cell).
Across the seeds: the mean contrast gain with sleep exceeds the one of the awake night.

usage: test_sleep_consolidation.py REWIRE SOURCE_ROOT
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
    import sleep_consolidation as sl  # noqa: E402  (the experiment's own runner)
    gains = {'sleep': [], 'awake': []}
    for seed in sc.SEEDS:
        f = {}
        for arm in sl.ARMS:
            try:
                f[arm] = sl.run_arm(rewire, arm, seed)
            except RuntimeError as e:
                tap.point(False, f'seed {seed}: arm {arm} runs', str(e))
        if len(f) != len(sl.ARMS):
            continue
        for arm in f:
            a, b = f[arm]['pre'], f[arm]['post']
            tap.diag(f'seed {seed} {arm}: mean weight {a["w_mean"]:.1f} -> {b["w_mean"]:.1f} pA, '
                     f'relative strength {a["rel"]:.3f} -> {b["rel"]:.3f}, rates pattern/other '
                     f'{a["r_pattern"]:.1f}/{a["r_other"]:.1f} -> {b["r_pattern"]:.1f}/'
                     f'{b["r_other"]:.1f} Hz, contrast {a["contrast"]:.3f} -> {b["contrast"]:.3f}')
        s, w, d = f['sleep'], f['awake'], f['downscale_only']
        for arm in gains:
            gains[arm].append(f[arm]['post']['contrast'] - f[arm]['pre']['contrast'])
        ratio = s['post']['w_mean'] / s['pre']['w_mean']
        tap.point(0.75 <= ratio <= 0.85,
                  f'seed {seed}: sleep lowers the mean weight to the target: x{ratio:.3f} in '
                  f'[0.75, 0.85]')
        kept = (s['post']['rel'] - 1) / (s['pre']['rel'] - 1)
        tap.point(kept >= 0.9,
                  f'seed {seed}: the pattern keeps its relative strength: '
                  f'{s["pre"]["rel"]:.3f} -> {s["post"]["rel"]:.3f}, {kept:.0%} of its learned '
                  f'advantage (>= 90 %)')
        tap.point(s['post']['contrast'] >= s['pre']['contrast'],
                  f'seed {seed}: recall holds or improves after sleep: contrast '
                  f'{s["pre"]["contrast"]:.3f} -> {s["post"]["contrast"]:.3f}')
        wr = w['post']['w_mean'] / w['pre']['w_mean']
        tap.point(wr > 0.95, f'seed {seed}: awake, the mean weight does not fall: x{wr:.3f} > 0.95')
        dr = d['post']['rel'] / d['pre']['rel']
        tap.point(abs(dr - 1) <= 0.01,
                  f'seed {seed}: downscaling alone keeps the relative strength: x{dr:.4f} '
                  f'within 1 %')
    if gains['sleep'] and len(gains['sleep']) == len(gains['awake']):
        ms, ma = (sum(g) / len(g) for g in (gains['sleep'], gains['awake']))
        tap.point(ms > ma, f'over the seeds, recall gains more with sleep ({ms:+.3f}) than '
                           f'awake ({ma:+.3f})')
    return tap.done()


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
