#!/usr/bin/python3
"""The benchmark script itself, on tiny models (bench.py --quick, one repetition).

    test_bench.py REWIRE SOURCE_ROOT

Checks that bench.py still runs both simulators on every kind of case (COBA, Song 2000,
the Brunel series), prints every column, measures what it claims (positive times,
memory, events; Brian2's compile apart), finds the firing rates of the two simulators in
agreement (tiny networks, but the same models: they must agree as the big ones do), and
fits the series' exponent.  Also that the Brunel experiment file and its Brian2 twin
(brunel_brian.py) have the same parameters and, run at a size set by bench.py, the same
synapse counts.  So the script cannot rot unnoticed; its figures are not checked (they
are not test material on a shared machine).

REWIRE_BENCH_NO_BRIAN=1 runs rewire alone (no Brian2 compile: about 1 s instead of
about a minute cold, ~20 s once Brian2's projects are cached in $REWIRE_BENCH_CACHE).
"""
import json
import math
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE)))
from tap import Tap  # noqa: E402
import brunel_brian  # noqa: E402
import cases  # noqa: E402

CASES = ['coba1', 'song', 'brunel10k', 'brunel20k']
COLUMNS = ['case', 'simulator', 'simulated', 'process', 'compile (first)', 'run',
           'events/s', 'peak MB', 'B/syn', 'rates Hz']


def main(argv):
    rewire, root = argv[1], argv[2]
    t = Tap()
    no_brian = os.environ.get('REWIRE_BENCH_NO_BRIAN', '') not in ('', '0')
    sims = ['rewire'] if no_brian else ['rewire', 'brian2']

    bad = brunel_brian.check_yaml(os.path.join(root, 'experiments', 'brunel_stdp.yaml'))
    t.check(not bad, 'experiments/brunel_stdp.yaml has the parameters of brunel_brian.BRUNEL',
            '\n'.join(bad))

    with tempfile.TemporaryDirectory(prefix='rewire-test-bench-') as tmp:
        js = os.path.join(tmp, 'bench.json')
        cmd = [sys.executable, os.path.join(HERE, 'bench.py'), '--quick', '--reps', '1',
               '--rewire', rewire, '--cases', ','.join(CASES), '--json', js, '--markdown']
        if no_brian:
            cmd.append('--no-brian')
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        if not t.check(p.returncode == 0, 'bench.py --quick runs', p.stderr[-3000:]):
            t.done()
        out = p.stdout
        t.note(out)
        header = next((ln for ln in out.splitlines() if ln.startswith('| case')), '')
        cols = [c.strip() for c in header.strip('|').split('|')]
        t.check(cols == COLUMNS, 'the Markdown table has every column', header)
        rows = [ln for ln in out.splitlines() if ln.startswith('| ') and ln != header]
        t.check(len(rows) == len(CASES) * len(sims) + (0 if no_brian else len(CASES)),
                'one row per case and simulator, plus a ratio row per case', out)
        with open(js) as f:
            j = json.load(f)

    quick = cases.quick_cases()
    for c in CASES:
        for sim in sims:
            m = j['medians'].get(f'{c}/{sim}')
            if not t.check(m is not None, f'{c} {sim}: measured'):
                continue
            t.check(all(m[k] > 0 for k in ('process', 'sim', 'rss', 'events', 'synapses')) and
                    m['process'] >= m['sim'],
                    f'{c} {sim}: process, run, peak memory, events, synapses > 0, '
                    'process >= run', m)
            t.check(m['simulated_s'] == quick[c]['duration_ms'] / 1000.0,
                    f'{c} {sim}: simulated the case duration', m)
            t.check(all(r > 0 for r in m['rates'].values()) and
                    set(m['rates']) == set(quick[c]['pops']),
                    f'{c} {sim}: rates of {", ".join(quick[c]["pops"])} > 0', m['rates'])
            if sim == 'brian2':
                t.check(m['compile'] is not None and m['compile'] > 0 and m['first_compile'] > 0,
                        f'{c} brian2: compile timed apart from the run', m)
        if c.startswith('brunel'):
            p_ = dict(brunel_brian.BRUNEL, **quick[c]['params'])
            want = brunel_brian.synapse_count(p_)
            rw = j['medians'][f'{c}/rewire']['synapses']
            t.check(rw == want + p_['n'], f'{c} rewire: {want} recurrent synapses '
                    f'(+ {p_["n"]} drive) from the --set sizes', rw)
            if not no_brian:
                b = j['medians'][f'{c}/brian2']['synapses']
                t.check(b == want, f'{c} brian2: {want} synapses, as rewire', b)
        if not no_brian:
            t.check(j['rates_agree'].get(c) is True,
                    f'{c}: the two simulators\' rates agree within '
                    f'{100 * quick[c]["tol"]:.0f} %',
                    {s: j['medians'][f'{c}/{s}']['rates'] for s in sims})
    for sim in sims:
        f = j['fits'].get(sim, {})
        t.check(f.get('cases') == ['brunel10k', 'brunel20k'] and
                all(isinstance(f.get(k), float) and math.isfinite(f[k])
                    for k in ('run', 'memory')),
                f'{sim}: exponent of cost vs synapses fitted over the brunel series', f)
    t.done()


if __name__ == '__main__':
    main(sys.argv)
