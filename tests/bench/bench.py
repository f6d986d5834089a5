#!/usr/bin/python3
"""Benchmark rewire against Brian2 (cpp_standalone) on the same models.  Not a test.

    /usr/bin/python3 tests/bench/bench.py [--rewire build/rewire] [--reps 3]
        [--cases coba1,coba10,song,brunel10k,brunel20k,brunel40k] [--threads N]
        [--brian-threads N] [--quick] [--cold] [--markdown] [--json FILE] [--no-brian]

Cases (tests/bench/cases.py; the Brian2 twins are tests/science/brian_reference.py and
tests/bench/brunel_brian.py):
  coba1      experiments/coba.yaml, 4000 neurons, 1 s
  coba10     the same, 10 s
  song       experiments/song2000_stdp.yaml, 1000 inputs -> 1 neuron, 100 s
  brunel10k  experiments/brunel_stdp.yaml: balanced network with STDP on E->E, fixed
  brunel20k  in-degree 1000, N = 10,000 / 20,000 / 40,000 neurons (10 / 20 / 40 million
  brunel40k  synapses), 1 s
--quick: tiny versions of the same cases (the script's own test; no meaningful speed).

Every repetition runs every case with both simulators, one process at a time, the order
of the two swapped from one repetition to the next so that drifts of the machine hit
both alike; the table shows medians.  Brian2's project folder is kept per case
($REWIRE_BENCH_CACHE, default .cache/bench-brian), so its compilation is cached after
the first repetition; that first repetition's compile is reported apart (a cold one
with --cold, which deletes the cached projects first).

Columns (s: seconds; medians):
  process   whole process, exec to exit.  rewire: `rewire run ... --quiet` (parsing,
            building the network, the run, writing outputs).  Brian2: the python process
            (import, code generation, cached compilation, the compiled program, reading
            results back); medians of the cached repetitions
  compile   Brian2: code generation + compilation, cached; in parentheses the first
            repetition's (cold with --cold)
  run       the simulation itself: rewire's summary.json wall_time_s; Brian2's
            last_run_time (the network's run inside the compiled program)
  events/s  synaptic events (spike deliveries) / run.  rewire: summary.json
            synaptic_events; Brian2: for every spike the synapses leaving its neuron,
            counted from its spikes and connectivity (plus the expected number of
            external Poisson events of brunel, which Brian2 does not count)
  peak MB   peak resident memory of the simulating process, measured alone (wait4's
            ru_maxrss): rewire; Brian2's compiled program
  B/syn     peak resident memory / synapses (whole process: a floor that small
            networks do not amortise)
  rates     mean rate of each population, Hz.  The two simulators must agree within the
            case's tolerance (cases.py), or the comparison is VOID.
Ratios are rewire / Brian2 (below 1: rewire is faster / smaller).  For the brunel series
the fitted exponent is the slope of log(run) and log(peak memory) against log(synapses):
1 is linear.
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import shutil
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import cases as cases_mod  # noqa: E402
import procstat  # noqa: E402

SIMS = ('rewire', 'brian2')


def rewire_supports_threads(rewire):
    p = subprocess.run([rewire, 'run', '--help'], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    return '--threads' in p.stdout


def run_rewire(rewire, case, seed, threads):
    out = tempfile.mkdtemp(prefix='rewire-bench-')
    cmd = [rewire, 'run', case['exp'], '--out', out, '--seed', str(seed), '--quiet']
    for s in case['sets']:
        cmd += ['--set', s]
    if threads:
        cmd += ['--threads', str(threads)]
    try:
        rc, _, err, wall, rss = procstat.run(cmd, cwd=REPO)
        if rc != 0:
            raise RuntimeError(f'{" ".join(cmd)} failed (exit {rc}):\n{err[-3000:]}')
        with open(os.path.join(out, 'summary.json')) as f:
            s = json.load(f)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    pops = s['populations']
    r = {'process': wall, 'compile': None, 'sim': s['wall_time_s'],
         'events': s['synaptic_events'], 'simulated_s': s['simulated_time_s'],
         'rss': rss, 'synapses': sum(p['synapses'] for p in s['projections'].values()),
         'rates': {k: pops[k]['rate_hz'] for k in case['pops']}}
    # The kernel's own count of its synapse storage, where it reports one.
    mem = s.get('memory') or {}
    own = s.get('bytes_per_synapse', mem.get('bytes_per_synapse'))
    if own is not None:
        r['own_bytes_per_synapse'] = own
    return r


def brian_dir(case, quick):
    root = os.environ.get('REWIRE_BENCH_CACHE') or os.path.join(REPO, '.cache', 'bench-brian')
    return os.path.join(root, case['name'] + ('-quick' if quick else ''))


def run_brian(case, seed, quick, threads):
    spec = {'model': case['model'], 'seed': seed, 'duration_ms': case['duration_ms'],
            'params': case['params'], 'dir': brian_dir(case, quick)}
    if threads:
        spec['threads'] = threads
    env = dict(os.environ, PYTHONWARNINGS='ignore', PYTHONDONTWRITEBYTECODE='1')
    rc, out, err, wall, _ = procstat.run(
        [sys.executable, os.path.join(HERE, 'brian_child.py'), json.dumps(spec)], env=env)
    if rc != 0:
        raise RuntimeError(f'Brian2 {case["name"]} failed (exit {rc}):\n{err[-3000:]}')
    b = json.loads(out.strip().splitlines()[-1])
    return {'process': wall, 'compile': b['build_s'], 'sim': b['sim_s'],
            'events': b['synaptic_events'], 'simulated_s': case['duration_ms'] / 1000.0,
            'rss': b['binary_rss'], 'synapses': b['synapses'],
            'rates': {k: b['rates_hz'][k] for k in case['pops']},
            'binary_s': b['binary_s'], 'python_rss': b['python_rss'],
            'brian2': b.get('brian2')}


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def summarise(rows, sim):
    """Medians of one simulator's repetitions of one case (Brian2's process and compile
    over the cached repetitions when there are any)."""
    if not rows:
        return None
    cached = rows[1:] if sim == 'brian2' and len(rows) > 1 else rows
    s = {k: med([r[k] for r in rows]) for k in ('sim', 'events', 'rss', 'synapses')}
    s['process'] = med([r['process'] for r in cached])
    s['compile'] = med([r['compile'] for r in cached])
    s['first_compile'] = rows[0]['compile']
    s['first_process'] = rows[0]['process']
    s['simulated_s'] = rows[0]['simulated_s']
    s['rates'] = {k: med([r['rates'][k] for r in rows]) for k in rows[0]['rates']}
    s['events_per_s'] = s['events'] / s['sim'] if s['sim'] else None
    s['bytes_per_synapse'] = s['rss'] / s['synapses'] if s['synapses'] else None
    s['own_bytes_per_synapse'] = med([r.get('own_bytes_per_synapse') for r in rows])
    return s


def compare_rates(case, a, b):
    """(ok, worst relative difference): every population within the tolerance."""
    ok, worst = True, 0.0
    for k in case['pops']:
        x, y = a['rates'][k], b['rates'][k]
        mean = (x + y) / 2.0
        diff = abs(x - y)
        rel = diff / mean if mean > 0 else 0.0
        worst = max(worst, rel)
        if diff > max(case['tol'] * mean, cases_mod.RATE_ABS_HZ):
            ok = False
    return ok, worst


def ratio(a, b):
    return a / b if a is not None and b else None


def slope(xs, ys):
    """Least-squares slope of log y against log x."""
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = statistics.fmean(lx), statistics.fmean(ly)
    den = sum((u - mx) ** 2 for u in lx)
    return sum((u - mx) * (v - my) for u, v in zip(lx, ly)) / den if den else None


def fmt(x, spec, none='-'):
    return none if x is None else format(x, spec)


def rates_text(s):
    return ' '.join(f'{k} {v:.2f}' for k, v in s['rates'].items())


COLUMNS = ['case', 'simulator', 'simulated', 'process', 'compile (first)', 'run',
           'events/s', 'peak MB', 'B/syn', 'rates Hz']


def table_rows(cases, summ, verdicts):
    """One row per case and simulator, then a ratio row: lists of strings."""
    rows = []
    for c in cases:
        first = True
        for sim in SIMS:
            s = summ.get((c['name'], sim))
            if not s:
                continue
            comp = None if s['compile'] is None else \
                f'{s["compile"]:.2f} ({s["first_compile"]:.2f})'
            bps = fmt(s['bytes_per_synapse'], '.1f')
            if s['own_bytes_per_synapse'] is not None:
                bps += f' (own {s["own_bytes_per_synapse"]:.1f})'
            rows.append([c['name'] if first else '', sim, f'{s["simulated_s"]:g} s',
                         fmt(s['process'], '.3f'), comp or '-', fmt(s['sim'], '.3f'),
                         fmt(s['events_per_s'], '.3g'), f'{s["rss"] / 1e6:.1f}', bps,
                         rates_text(s)])
            first = False
        a, b = summ.get((c['name'], 'rewire')), summ.get((c['name'], 'brian2'))
        if a and b:
            ok, worst = verdicts[c['name']]
            rows.append(['', 'rewire/brian2', '', fmt(ratio(a['process'], b['process']), '.3f'),
                         '', fmt(ratio(a['sim'], b['sim']), '.3f'),
                         fmt(ratio(a['events_per_s'], b['events_per_s']), '.3g'),
                         fmt(ratio(a['rss'], b['rss']), '.3f'), '',
                         (f'agree (worst {100 * worst:.1f} % <= {100 * c["tol"]:.0f} %)' if ok
                          else f'VOID: differ by {100 * worst:.1f} % > {100 * c["tol"]:.0f} %')])
    return rows


def print_table(rows, markdown):
    if markdown:
        print('| ' + ' | '.join(COLUMNS) + ' |')
        print('|' + '|'.join('---' for _ in COLUMNS) + '|')
        for r in rows:
            print('| ' + ' | '.join(r) + ' |')
        return
    w = [max(len(COLUMNS[i]), *(len(r[i]) for r in rows)) if rows else len(COLUMNS[i])
         for i in range(len(COLUMNS))]
    line = '  '.join(COLUMNS[i].ljust(w[i]) for i in range(len(COLUMNS)))
    print(line)
    print('-' * len(line))
    for r in rows:
        print('  '.join(r[i].ljust(w[i]) if i in (0, 1, 9) else r[i].rjust(w[i])
                        for i in range(len(COLUMNS))))


def fits(cases, summ):
    """Fitted exponents over each series (brunel): {sim: {'run': e, 'memory': e}}."""
    out = {}
    series = [c for c in cases if c['series'] == 'brunel']
    for sim in SIMS:
        ss = [summ.get((c['name'], sim)) for c in series]
        ss = [s for s in ss if s]
        if len(ss) < 2:
            continue
        syn = [s['synapses'] for s in ss]
        out[sim] = {'run': slope(syn, [s['sim'] for s in ss]),
                    'memory': slope(syn, [s['rss'] for s in ss]),
                    'cases': [c['name'] for c in series if summ.get((c['name'], sim))]}
    return out


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--rewire', default=os.path.join(REPO, 'build', 'rewire'))
    ap.add_argument('--reps', type=int, default=3)
    ap.add_argument('--cases', default='coba1,coba10,song,brunel10k,brunel20k,brunel40k')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--threads', type=int, default=0,
                    help='pass --threads N to rewire (if it has the option)')
    ap.add_argument('--brian-threads', type=int, default=0,
                    help="Brian2's OpenMP threads (default: none, single-threaded)")
    ap.add_argument('--quick', action='store_true',
                    help='tiny versions of the cases, to test this script')
    ap.add_argument('--cold', action='store_true',
                    help="delete Brian2's cached projects first: the first repetition "
                         'compiles from scratch')
    ap.add_argument('--markdown', action='store_true', help='print the table in Markdown')
    ap.add_argument('--no-brian', action='store_true')
    ap.add_argument('--no-rewire', action='store_true')
    ap.add_argument('--json', help='also write all measurements to this file')
    a = ap.parse_args(argv)
    known = cases_mod.quick_cases() if a.quick else cases_mod.full_cases()
    names = [c for c in a.cases.split(',') if c]
    for c in names:
        if c not in known:
            ap.error(f'unknown case {c!r} (known: {", ".join(known)})')
    if a.reps < 1:
        ap.error('--reps must be at least 1')
    a.case_list = [known[c] for c in names]
    a.rewire = os.path.abspath(a.rewire)     # rewire runs in the source root
    if not a.no_rewire and not os.access(a.rewire, os.X_OK):
        ap.error(f'no rewire binary at {a.rewire} (build it, or --rewire PATH)')
    return a


def main(argv):
    a = parse_args(argv)
    if not a.no_brian:
        try:
            subprocess.run([sys.executable, '-c', 'import brian2'], check=True,
                           stderr=subprocess.DEVNULL)
        except subprocess.CalledProcessError:
            print('# brian2 not importable by this python: rewire only', file=sys.stderr)
            a.no_brian = True
    threads = 0
    if a.threads and not a.no_rewire:
        if rewire_supports_threads(a.rewire):
            threads = a.threads
        else:
            print(f'# {a.rewire} has no --threads: running it single-threaded',
                  file=sys.stderr)
    sims = [s for s in SIMS if not (s == 'rewire' and a.no_rewire)
            and not (s == 'brian2' and a.no_brian)]

    if a.cold and 'brian2' in sims:
        for c in a.case_list:
            shutil.rmtree(brian_dir(c, a.quick), ignore_errors=True)
    results = {(c['name'], s): [] for c in a.case_list for s in SIMS}
    for rep in range(a.reps):
        for c in a.case_list:
            order = sims if rep % 2 == 0 else sims[::-1]
            for sim in order:
                if sim == 'rewire':
                    r = run_rewire(a.rewire, c, a.seed, threads)
                else:
                    r = run_brian(c, a.seed, a.quick, a.brian_threads)
                results[(c['name'], sim)].append(r)
                print(f'# rep {rep + 1}/{a.reps} {c["name"]:10s} {sim:7s} process '
                      f'{r["process"]:8.2f} s  run {r["sim"]:8.3f} s  peak '
                      f'{r["rss"] / 1e6:8.1f} MB  {rates_text(r)}', file=sys.stderr,
                      flush=True)

    summ = {k: summarise(v, k[1]) for k, v in results.items() if v}
    verdicts = {}
    for c in a.case_list:
        x, y = summ.get((c['name'], 'rewire')), summ.get((c['name'], 'brian2'))
        if x and y:
            verdicts[c['name']] = compare_rates(c, x, y)
    f = fits(a.case_list, summ)

    print(f'medians of {a.reps} repetition(s), seed {a.seed}{" (quick sizes)" if a.quick else ""}; '
          f'rewire threads: {threads or "default"}, Brian2 threads: {a.brian_threads or 1}; '
          f'times in s')
    print_table(table_rows(a.case_list, summ, verdicts), a.markdown)
    for sim, e in f.items():
        print(f'fitted exponent, {sim}, {"/".join(e["cases"])}: run ~ synapses^'
              f'{e["run"]:.2f}, peak memory ~ synapses^{e["memory"]:.2f}')
    void = [n for n, (ok, _) in verdicts.items() if not ok]
    if void:
        print(f'VOID (rates disagree): {", ".join(void)}')
    if a.json:
        with open(a.json, 'w') as fh:
            json.dump({'reps': a.reps, 'seed': a.seed, 'quick': a.quick,
                       'rewire_threads': threads, 'brian_threads': a.brian_threads,
                       'runs': {f'{c}/{s}': v for (c, s), v in results.items()},
                       'medians': {f'{c}/{s}': v for (c, s), v in summ.items()},
                       'rates_agree': {n: ok for n, (ok, _) in verdicts.items()},
                       'fits': f}, fh, indent=1)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
