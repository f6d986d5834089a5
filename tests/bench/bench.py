#!/usr/bin/python3
"""Benchmark rewire against Brian2 (cpp_standalone) on the same models.  Not a test.

    /usr/bin/python3 tests/bench/bench.py [--rewire build/rewire] [--reps 3]
                                          [--cases coba1,coba10,song] [--no-brian]
                                          [--seed 1] [--json FILE]

Cases (the experiment files and their Brian2 twins in tests/science/brian_reference.py):
  coba1   experiments/coba.yaml, 1 s simulated
  coba10  experiments/coba.yaml --set timeline.0.duration=10s
  song    experiments/song2000_stdp.yaml, 100 s simulated

For each repetition the cases run in turn, each first with rewire and then with Brian2
(alternating, so that drifts of the machine hit both alike); the table shows medians.
Columns:
  process   whole-process wall time: `rewire run ...` from exec to exit; for Brian2 the
            python process from start to exit (import, code generation, C++ compilation,
            the run, reading the results back)
  compile   Brian2 only: code generation + compilation (+ loading the results), i.e.
            the process's build step minus the simulation
  sim       the simulation itself: rewire's summary.json wall_time_s; Brian2's
            device._last_run_time (the compiled binary's run)
  sim/wall  simulated time / sim (> 1: faster than real time)
  events/s  synaptic events / sim.  rewire: summary.json synaptic_events; Brian2:
            for every spike, the number of synapses leaving the spiking neuron (kick
            included), i.e. the same count of spike deliveries
Both are single-threaded here (Brian2's default: no OpenMP).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SCIENCE = os.path.join(REPO, 'tests', 'science')

CASES = {
    'coba1': ('coba', 'experiments/coba.yaml', 1000.0, []),
    'coba10': ('coba', 'experiments/coba.yaml', 10000.0, ['timeline.0.duration=10s']),
    'song': ('song2000', 'experiments/song2000_stdp.yaml', 100000.0, []),
}


def brian_child(model, seed, duration_ms):
    """In a child process: one Brian2 cpp_standalone build + run; print JSON."""
    sys.path.insert(0, SCIENCE)
    import brian_reference as br
    res = br.compute_one(model, seed, 'cpp_standalone', duration_ms)
    print(json.dumps(res))


def run_brian(model, seed, duration_ms):
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, os.path.abspath(__file__), '--brian-child', model,
                        str(seed), str(duration_ms)], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True,
                       env=dict(os.environ, PYTHONWARNINGS='ignore',
                                PYTHONDONTWRITEBYTECODE='1'))
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(f'Brian2 {model} failed:\n{p.stderr[-3000:]}')
    r = json.loads(p.stdout.strip().splitlines()[-1])
    return {'process': wall, 'compile': r['build_s'], 'sim': r['run_s'],
            'events': r['synaptic_events'], 'simulated_s': duration_ms / 1000.0}


def run_rewire(rewire, exp, seed, sets):
    out = tempfile.mkdtemp(prefix='rewire-bench-')
    cmd = [rewire, 'run', exp, '--out', out, '--seed', str(seed), '--quiet']
    for s in sets:
        cmd += ['--set', s]
    try:
        t0 = time.perf_counter()
        p = subprocess.run(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
        wall = time.perf_counter() - t0
        if p.returncode != 0:
            raise RuntimeError(f'{" ".join(cmd)} failed (exit {p.returncode}):\n'
                               f'{p.stderr[-3000:]}')
        with open(os.path.join(out, 'summary.json')) as f:
            s = json.load(f)
        return {'process': wall, 'compile': None, 'sim': s['wall_time_s'],
                'events': s['synaptic_events'], 'simulated_s': s['simulated_time_s']}
    finally:
        shutil.rmtree(out, ignore_errors=True)


def med(rows, key):
    xs = [r[key] for r in rows if r.get(key) is not None]
    return statistics.median(xs) if xs else None


def fmt(x, spec):
    width = int(''.join(ch for ch in spec.split('.')[0] if ch.isdigit()) or 0)
    return '-'.rjust(width) if x is None else format(x, spec)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--rewire', default=os.path.join(REPO, 'build', 'rewire'))
    ap.add_argument('--reps', type=int, default=3)
    ap.add_argument('--cases', default='coba1,coba10,song')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--no-brian', action='store_true')
    ap.add_argument('--no-rewire', action='store_true')
    ap.add_argument('--json', help='also write all measurements to this file')
    a = ap.parse_args()
    cases = [c for c in a.cases.split(',') if c]
    for c in cases:
        if c not in CASES:
            ap.error(f'unknown case {c!r} (known: {", ".join(CASES)})')
    if not a.no_rewire and not os.access(a.rewire, os.X_OK):
        ap.error(f'no rewire binary at {a.rewire} (build it, or --rewire PATH)')
    if not a.no_brian:
        try:
            subprocess.run([sys.executable, '-c', 'import brian2'], check=True,
                           stderr=subprocess.DEVNULL)
        except subprocess.CalledProcessError:
            print('# brian2 not importable by this python: rewire only', file=sys.stderr)
            a.no_brian = True

    results = {(c, t): [] for c in cases for t in ('rewire', 'brian2')}
    for rep in range(a.reps):
        for c in cases:
            model, exp, dur, sets = CASES[c]
            if not a.no_rewire:
                r = run_rewire(a.rewire, exp, a.seed, sets)
                results[(c, 'rewire')].append(r)
                print(f'# rep {rep + 1}/{a.reps} {c:7s} rewire  process {r["process"]:7.2f} s'
                      f'  sim {r["sim"]:7.2f} s', file=sys.stderr, flush=True)
            if not a.no_brian:
                r = run_brian(model, a.seed, dur)
                results[(c, 'brian2')].append(r)
                print(f'# rep {rep + 1}/{a.reps} {c:7s} brian2  process {r["process"]:7.2f} s'
                      f'  sim {r["sim"]:7.2f} s  compile {r["compile"]:6.2f} s',
                      file=sys.stderr, flush=True)

    head = (f'{"case":8s} {"simulator":10s} {"simulated":>9s} {"process":>9s} {"compile":>9s} '
            f'{"sim":>9s} {"sim/wall":>9s} {"events/s":>10s} {"events":>10s}')
    print(f'medians of {a.reps} repetition(s), seed {a.seed}; times in s')
    print(head)
    print('-' * len(head))
    for c in cases:
        for t in ('rewire', 'brian2'):
            rows = results[(c, t)]
            if not rows:
                continue
            sim, ev, simulated = med(rows, 'sim'), med(rows, 'events'), rows[0]['simulated_s']
            print(f'{c:8s} {t:10s} {simulated:9.1f} {fmt(med(rows, "process"), "9.2f")} '
                  f'{fmt(med(rows, "compile"), "9.2f")} {fmt(sim, "9.3f")} '
                  f'{fmt(simulated / sim if sim else None, "9.2f")} '
                  f'{fmt(ev / sim if sim else None, "10.3g")} {fmt(ev, "10.0f")}')
    if a.json:
        with open(a.json, 'w') as f:
            json.dump({f'{c}/{t}': v for (c, t), v in results.items()}, f, indent=1)
    return 0


if __name__ == '__main__':
    if len(sys.argv) == 5 and sys.argv[1] == '--brian-child':
        import warnings
        warnings.simplefilter('ignore')
        brian_child(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
        sys.exit(0)
    sys.exit(main())
