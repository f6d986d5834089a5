"""The benchmark cases: for each, rewire's experiment (+ --set overrides) and the Brian2
twin (model name and parameter overrides for brian_child.py), built from one place so
the two always describe the same network.

--quick replaces every case by a tiny version of the same model (seconds in all), used
by test_bench.py to check the script itself; its figures mean nothing for speed.
"""
import brunel_brian

# Rates (population means) must agree within this relative tolerance (of the mean of the
# two simulators' rates), or by RATE_ABS_HZ, whichever is larger, or the comparison is
# void.  The networks average thousands of neurons; Song 2000 is one neuron whose rate
# depends on how its 1000 weights compete (Brian2 alone, seeds 1-3: 31.7, 28.7, 32.0 Hz
# over 100 s), so it gets more room.
RATE_TOL_NETWORK = 0.15
RATE_TOL_SINGLE = 0.25
RATE_ABS_HZ = 1.0


def _case(name, model, exp, duration_ms, sets=(), params=None, pops=('exc', 'inh'),
          tol=RATE_TOL_NETWORK, series=None):
    return {'name': name, 'model': model, 'exp': exp, 'duration_ms': float(duration_ms),
            'sets': list(sets), 'params': dict(params or {}), 'pops': list(pops),
            'tol': tol, 'series': series}


def _brunel(name, duration_ms, **over):
    p = dict(brunel_brian.BRUNEL, **over)
    changed = {k: v for k, v in p.items() if brunel_brian.BRUNEL[k] != v}
    return _case(name, 'brunel', 'experiments/brunel_stdp.yaml', duration_ms,
                 brunel_brian.rewire_sets(p, duration_ms), changed, series='brunel')


def full_cases():
    c = [
        _case('coba1', 'coba', 'experiments/coba.yaml', 1000),
        _case('coba10', 'coba', 'experiments/coba.yaml', 10000, ['timeline.0.duration=10s']),
        _case('song', 'song2000', 'experiments/song2000_stdp.yaml', 100000, pops=('neuron',),
              tol=RATE_TOL_SINGLE),
        _brunel('brunel10k', 1000, n=10000),
        _brunel('brunel20k', 1000, n=20000),
        _brunel('brunel40k', 1000, n=40000),
    ]
    return {x['name']: x for x in c}


def quick_cases():
    # COBA stays at full size (its run is a fraction of a second; a smaller COBA
    # network's rate depends too much on its draw to compare two simulators), shorter.
    # Brunel with 100 inputs per neuron: ten times the weights keep K_E J.
    tiny = {'k_e': 80, 'k_i': 20, 'J_pA': 500.0, 'w_max_pA': 1000.0}
    c = [
        _case('coba1', 'coba', 'experiments/coba.yaml', 500, ['timeline.0.duration=500ms']),
        _case('coba10', 'coba', 'experiments/coba.yaml', 1000),
        _case('song', 'song2000', 'experiments/song2000_stdp.yaml', 5000,
              ['timeline.0.duration=5s'], pops=('neuron',), tol=RATE_TOL_SINGLE),
        _brunel('brunel10k', 200, n=1000, **tiny),
        _brunel('brunel20k', 200, n=2000, **tiny),
        _brunel('brunel40k', 200, n=4000, **tiny),
    ]
    return {x['name']: x for x in c}
