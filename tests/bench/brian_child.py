#!/usr/bin/python3
"""brian_child.py SPEC_JSON: one Brian2 cpp_standalone build and run; prints JSON.

Run by bench.py in a process of its own (so its whole-process time and memory are its
own).  SPEC: {"model": "coba" | "song2000" | "brunel", "seed": int, "duration_ms": float,
"params": {overrides of the model's parameter dict}, "dir": project directory,
"threads": OpenMP threads (optional; default none, single-threaded)}.

The project directory is kept between runs: Brian2 rewrites only the files whose code
changed and make recompiles only those, so from the second run of the same model on the
compile step is cached (as a user rerunning a script sees it).  The compiled simulation
runs behind rss_exec.py, which measures its peak memory alone.

Prints: rates_hz {population: Hz}, synapses, synaptic_events, sim_s (the network's run,
Brian2's own last_run_time), binary_s (the compiled program from start to exit:
synapse creation, the run, writing results), build_s (code generation + compilation:
the time from net.run() to the end of device.build() minus binary_s), binary_rss
(bytes), python_rss (bytes, this process without its children).
"""
import json
import os
import resource
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, 'tests', 'science'))
sys.path.insert(0, HERE)


def build_model(br, b2, spec):
    """Objects and figures function of the model, its parameters overridden by spec."""
    model, seed, dur = spec['model'], spec['seed'], spec['duration_ms']
    over = spec.get('params', {})
    if model == 'brunel':
        import brunel_brian
        p = dict(brunel_brian.BRUNEL, **over)
        return brunel_brian.build(b2, seed, dur, p)
    # brian_reference's builders read their module-level dicts when called.
    table = {'coba': br.COBA, 'song2000': br.SONG}[model]
    unknown = set(over) - set(table)
    if unknown:
        raise KeyError(f'unknown {model} parameters: {sorted(unknown)}')
    table.update(over)
    objs, figures = br.MODELS[model](b2, seed, dur)

    def rates():
        f = figures()
        f['rates_hz'] = ({'exc': f['exc_rate_hz'], 'inh': f['inh_rate_hz']}
                         if model == 'coba' else {'neuron': f['rate_hz']})
        return f
    return objs, rates


def main(argv):
    spec = json.loads(argv[1])
    import brian_reference as br
    b2 = br.import_brian()
    d = spec['dir']
    os.makedirs(d, exist_ok=True)
    b2.set_device('cpp_standalone', directory=d, build_on_run=False)
    b2.prefs.devices.cpp_standalone.run_cmd_unix = [
        sys.executable, os.path.join(HERE, 'rss_exec.py'), 'results/binary_maxrss_kib',
        './main']
    if spec.get('threads'):
        b2.prefs.devices.cpp_standalone.openmp_threads = int(spec['threads'])
    objs, figures = build_model(br, b2, spec)
    net = b2.Network(*objs)
    rss_file = os.path.join(d, 'results', 'binary_maxrss_kib')
    if os.path.exists(rss_file):
        os.remove(rss_file)               # never report a previous run's figure
    t0 = time.perf_counter()
    net.run(spec['duration_ms'] * b2.ms)
    b2.device.build(directory=d, compile=True, run=True, with_output=False)
    t1 = time.perf_counter()
    binary_s = float(b2.device.timers['run_binary'])
    out = figures()
    with open(rss_file) as f:
        binary_rss = int(f.read()) * 1024
    out.update({
        'sim_s': float(b2.device._last_run_time),
        'binary_s': binary_s,
        'build_s': (t1 - t0) - binary_s,
        'binary_rss': binary_rss,
        'python_rss': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        'brian2': b2.__version__,
    })
    print(json.dumps(out))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
