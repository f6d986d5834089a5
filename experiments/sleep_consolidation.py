#!/usr/bin/python3
"""Runs the arms of experiments/sleep_consolidation.yaml over seeds and prints mean weight,
relative strength of the learned pattern and recall contrast before and after the night
(see the YAML's header).  The science test (tests/science/test_sleep_consolidation.py)
imports run_arm() from here.

usage: /usr/bin/python3 experiments/sleep_consolidation.py [--rewire build/rewire] [SEED ...]
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXPERIMENT = os.path.join(REPO, 'experiments', 'sleep_consolidation.yaml')
N_PATTERN, N_REST = 20, 80      # inputs in the regions `pattern` and `rest`

# arm -> --set overrides (one file, see the YAML's header); timeline.3 is the night
ARMS = {
    'sleep': [],
    'awake': ['timeline.3.interventions=[]'],
    'downscale_only': ['timeline.3.interventions.0.params.replay_rate=0Hz'],
}


def relative_strength(m):
    """Mean weight of the pattern's synapses over the mean weight of the other inputs'."""
    return (m['w_pattern.total'] / N_PATTERN) / (m['w_rest.total'] / N_REST)


def contrast(r_pattern, r_other):
    return (r_pattern - r_other) / (r_pattern + r_other)


def run_arm(rewire, arm, seed):
    """Runs one arm; returns the figures before ('pre') and after ('post') the night."""
    out = tempfile.mkdtemp(prefix=f'rewire-sleep-{arm}-{seed}-')
    try:
        cmd = [os.path.abspath(rewire), 'run', EXPERIMENT, '--out', out, '--seed', str(seed), '--quiet']
        for kv in ARMS[arm]:
            cmd += ['--set', kv]
        p = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(f'{" ".join(cmd)}: exit {p.returncode}\n{p.stderr}')
        with open(os.path.join(out, 'summary.json')) as f:
            ph = {x['name']: x['metrics'] for x in json.load(f)['phases']}
    finally:
        shutil.rmtree(out, ignore_errors=True)
    res = {}
    for when in ('pre', 'post'):
        pat, oth = ph[when + '_pattern'], ph[when + '_other']
        # weights at the end of the test pair (learning frozen during the tests)
        res[when] = {'w_mean': oth['w.mean'], 'rel': relative_strength(oth),
                     'r_pattern': pat['rate'], 'r_other': oth['rate'],
                     'contrast': contrast(pat['rate'], oth['rate'])}
    return res


def main(argv):
    rewire = os.path.join(REPO, 'build', 'rewire')
    if len(argv) >= 2 and argv[0] == '--rewire':
        rewire, argv = argv[1], argv[2:]
    seeds = [int(s) for s in argv] or [1, 2, 3]
    print(f'{"arm":15s} {"seed":>4s} {"mean weight (pA)":>20s} {"relative strength":>18s} '
          f'{"pattern/other (Hz)":>26s} {"recall contrast":>16s}')
    for arm in ARMS:
        for seed in seeds:
            f = run_arm(rewire, arm, seed)
            a, b = f['pre'], f['post']
            print(f'{arm:15s} {seed:4d} {a["w_mean"]:7.1f} -> {b["w_mean"]:5.1f} '
                  f'({b["w_mean"] / a["w_mean"]:.3f}) {a["rel"]:6.3f} -> {b["rel"]:6.3f}  '
                  f'{a["r_pattern"]:5.1f}/{a["r_other"]:4.1f} -> {b["r_pattern"]:5.1f}/'
                  f'{b["r_other"]:4.1f}  {a["contrast"]:6.3f} -> {b["contrast"]:6.3f}')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
