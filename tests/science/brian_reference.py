#!/usr/bin/python3
"""Brian2 reference figures for rewire's science tests.

    /usr/bin/python3 tests/science/brian_reference.py MODEL SEED [SEED ...]

MODEL is one of:

  coba      experiments/coba.yaml: the Vogels & Abbott (2005) network of benchmark 1 of
            Brette et al. (2007), 3200 exc + 800 inh conductance-based LIF neurons,
            p = 0.02, kicked for the first 50 ms, 1 s.  Figures: exc_rate_hz, inh_rate_hz
            (mean rates over the whole second), exc_rate_late_hz / inh_rate_late_hz
            (500-1000 ms: activity is self-sustained), exc_cv_isi (mean CV of the
            inter-spike intervals of excitatory neurons with >= 3 spikes: irregular),
            exc_sync (variance/mean of the excitatory population's spike count in 1 ms
            bins after the kick, 100-1000 ms: 1 = asynchronous Poisson, >> 1 =
            synchronous).
  song2000  experiments/song2000_stdp.yaml: Brian2's examples/synapses/STDP.py (Song,
            Miller & Abbott 2000): 1000 Poisson inputs at 15 Hz, additive STDP onto one
            neuron, 100 s.  Figures: frac_low / frac_high (weights < 0.1 gmax / > 0.9
            gmax at the end), rate_hz (output rate over the 100 s), rate_first10_hz,
            rate_last10_hz (output rate in the first / last 10 s).

It prints one JSON object: {"model", "brian2", "device", "script_hash", "runs": [...]},
one run per seed, in the order given.  Each seed runs in a child process with Brian2's
cpp_standalone device (compiled C++; reliable here and ~10x faster than the runtime
device on the 100 s STDP run).  Results are cached as JSON in $REWIRE_BRIAN_CACHE
(default <repo>/.cache/brian), keyed by model, seed and a hash of this script, so the
sanitizer run of the suite and the benchmark reuse them; --no-cache recomputes.

Exit status: 0 on success; 77 only when brian2 cannot be imported (meson: skip); 1 on
any other failure.

The model parameters below are THE reference: the experiment files must say the same
(the science tests check the main ones against these dicts).  Timing conventions that
make the two simulators agree step for step:
  * a rewire delay d equals a Brian2 delay d: a spike emitted at step s is added to
    g/I at the end of step s + d/dt in both, and seen by V from the step after (checked
    with one spike through a 1 ms delay: V first moves at 2.2 ms in both).  rewire's
    shortest delay is one step; Brian2's examples often use 0, so both use 0.1 ms here.
  * rewire's lif_coba/lif_cuba are exponential-Euler/exact like Brian2's
    'exponential_euler'/'exact'; rewire spikes on V >= V_th, Brian2 on v > Vt; rewire
    clamps V for round(t_ref/dt) steps, Brian2 one step less.  Both negligible.
  * Poisson sources: one Bernoulli draw with p = rate*dt per step in both.
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

# --------------------------------------------------------------------------------------
# Parameters (plain floats in the units named in the key: ms, mV, nS, pF, pA, Hz).
# --------------------------------------------------------------------------------------

# Brette et al. (2007) benchmark 1 (COBA), as in Brian's implementation for the paper
# (COBA.py, R. Brette, Dec 2007: taum 20 ms, taue 5 ms, taui 10 ms, Ee 0 mV, Ei -80 mV,
# El = Vr = -60 mV, Vt = -50 mV, refractory 5 ms, p = 0.02, we = 6/10 and wi = 67/10 in
# units of the leak conductance) with the paper's cell (area 20000 um^2, 1 uF/cm^2,
# 5e-5 S/cm^2: C_m = 200 pF, g_L = 10 nS, so we = 6 nS, wi = 67 nS).  Brian 1 started
# the activity with random initial conductances; rewire has no initial g, so the
# network is started as in the PyNN implementation of the same benchmark (VAbenchmarks):
# V uniform in [Vr, Vt] and 20 sources firing at 100 Hz during the first 50 ms onto
# every neuron with p = 0.01 and 0.1 uS.  The kick is a fixed spike list (below) so
# rewire (spike_times) and Brian2 (SpikeGeneratorGroup) see the same one.
COBA = {
    'dt_ms': 0.1,
    'duration_ms': 1000.0,
    'n_exc': 3200,
    'n_inh': 800,
    'p': 0.02,
    'C_m_pF': 200.0,
    'tau_m_ms': 20.0,          # g_L = C_m / tau_m = 10 nS
    'E_L_mV': -60.0,
    'V_th_mV': -50.0,
    'V_reset_mV': -60.0,
    't_ref_ms': 5.0,
    'tau_e_ms': 5.0,
    'tau_i_ms': 10.0,
    'E_e_mV': 0.0,
    'E_i_mV': -80.0,
    'w_exc_nS': 6.0,
    'w_inh_nS': 67.0,
    'delay_ms': 0.1,           # the same delay in both simulators
    'kick_n': 20,
    'kick_p': 0.01,
    'kick_w_nS': 100.0,
}
# Kick source i fires at 1 + 0.5 i + 10 k ms, k = 0..4: 100 Hz for 50 ms, staggered.
COBA_KICK_TIMES_MS = [[1.0 + 0.5 * i + 10.0 * k for k in range(5)]
                      for i in range(COBA['kick_n'])]

# Brian2 examples/synapses/STDP.py (Song, Miller & Abbott 2000; Song & Abbott 2001).
# Its membrane equation is dv/dt = (ge*(Ee-vr) + El - v)/taum: the synaptic drive uses
# the FIXED driving force Ee - vr = 60 mV, i.e. it is a current-based synapse.  The
# exact rewire equivalent is lif_cuba with C_m = 100 pF, tau_m = 10 ms (g_L = 10 nS)
# and weights I = g_L * (Ee - vr) * w = 600 pA * w: gmax = 0.01 -> 6 pA.  (A lif_coba
# version, with Ee - v, is a different model: it ends with ~24 % / 19 % instead of
# ~27.5 % / 17.5 %, so it would not test rewire against this reference.)
SONG = {
    'dt_ms': 0.1,
    'duration_ms': 100000.0,
    'n_inputs': 1000,
    'rate_Hz': 15.0,
    'C_m_pF': 100.0,
    'tau_m_ms': 10.0,
    'E_L_mV': -74.0,
    'V_th_mV': -54.0,
    'V_reset_mV': -60.0,
    't_ref_ms': 0.0,
    'tau_e_ms': 5.0,
    'E_e_mV': 0.0,             # only through (E_e - V_reset)
    'gmax': 0.01,              # in units of g_L, as in the example
    'w_max_pA': 6.0,           # = gmax * g_L * (E_e - V_reset) = 0.01 * 10 nS * 60 mV
    'A_plus': 0.01,            # dApre  = 0.01 gmax
    'A_minus': 0.0105,         # dApost = -1.05 dApre
    'tau_plus_ms': 20.0,
    'tau_minus_ms': 20.0,
    'delay_ms': 0.1,
}


def script_hash():
    with open(os.path.abspath(__file__), 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


def cache_dir():
    return os.environ.get('REWIRE_BRIAN_CACHE') or os.path.join(REPO, '.cache', 'brian')


# --------------------------------------------------------------------------------------
# Models.  build_*() set up the network in the current Brian2 scope/device and return
# (objects to analyse, figures function); used by this script and by tests/bench.
# --------------------------------------------------------------------------------------

def import_brian():
    warnings.simplefilter('ignore')          # numpy/pythran FutureWarnings on import
    import brian2
    brian2.prefs.logging.file_log = False
    brian2.prefs.logging.delete_log_on_exit = True
    return brian2


def build_coba(b2, seed, duration_ms=None):
    import numpy as np
    P_ = COBA
    ms, mV, nS, pF = b2.ms, b2.mV, b2.nS, b2.pF
    duration_ms = P_['duration_ms'] if duration_ms is None else duration_ms
    b2.defaultclock.dt = P_['dt_ms'] * ms
    b2.seed(seed)
    ns = {
        'Cm': P_['C_m_pF'] * pF, 'gL': P_['C_m_pF'] / P_['tau_m_ms'] * nS,
        'El': P_['E_L_mV'] * mV, 'Vt': P_['V_th_mV'] * mV, 'Vr': P_['V_reset_mV'] * mV,
        'Ee': P_['E_e_mV'] * mV, 'Ei': P_['E_i_mV'] * mV,
        'taue': P_['tau_e_ms'] * ms, 'taui': P_['tau_i_ms'] * ms,
        'we': P_['w_exc_nS'] * nS, 'wi': P_['w_inh_nS'] * nS, 'wk': P_['kick_w_nS'] * nS,
    }
    eqs = '''
    dv/dt = (gL*(El - v) + ge*(Ee - v) + gi*(Ei - v)) / Cm : volt (unless refractory)
    dge/dt = -ge / taue : siemens
    dgi/dt = -gi / taui : siemens
    '''
    n = P_['n_exc'] + P_['n_inh']
    net = b2.NeuronGroup(n, eqs, threshold='v > Vt', reset='v = Vr',
                         refractory=P_['t_ref_ms'] * ms, method='exponential_euler',
                         namespace=ns, name='coba')
    net.v = 'Vr + rand() * (Vt - Vr)'
    exc, inh = net[:P_['n_exc']], net[P_['n_exc']:]
    delay = P_['delay_ms'] * ms
    # Brian's P.connect(p=0.02) over all 4000 targets (autapses included, as in rewire's
    # experiment, which sets autapses: true on exc_exc and inh_inh).
    ce = b2.Synapses(exc, net, on_pre='ge += we', delay=delay, namespace=ns, name='ce')
    ce.connect(p=P_['p'])
    ci = b2.Synapses(inh, net, on_pre='gi += wi', delay=delay, namespace=ns, name='ci')
    ci.connect(p=P_['p'])
    idx = np.repeat(np.arange(P_['kick_n']), [len(t) for t in COBA_KICK_TIMES_MS])
    times = np.concatenate(COBA_KICK_TIMES_MS)
    kick = b2.SpikeGeneratorGroup(P_['kick_n'], idx, times * ms, name='kick')
    ck = b2.Synapses(kick, net, on_pre='ge += wk', delay=delay, namespace=ns, name='ck')
    ck.connect(p=P_['kick_p'])
    mon_e = b2.SpikeMonitor(exc, name='mon_e')
    mon_i = b2.SpikeMonitor(inh, name='mon_i')
    objs = [net, ce, ci, kick, ck, mon_e, mon_i]

    def figures():
        te = np.asarray(mon_e.t / ms)
        ti = np.asarray(mon_i.t / ms)
        ie = np.asarray(mon_e.i)
        d_s = duration_ms / 1000.0
        half = duration_ms / 2.0
        # synaptic events: every spike times its outgoing synapses (kick included)
        out_e = np.bincount(np.asarray(ce.i), minlength=P_['n_exc'])
        out_i = np.bincount(np.asarray(ci.i), minlength=P_['n_inh'])
        out_k = np.bincount(np.asarray(ck.i), minlength=P_['kick_n'])
        events = int(out_e[ie].sum() + out_i[np.asarray(mon_i.i)].sum() + out_k[idx].sum())
        return {
            'exc_rate_hz': len(te) / P_['n_exc'] / d_s,
            'inh_rate_hz': len(ti) / P_['n_inh'] / d_s,
            'exc_rate_late_hz': float(np.sum(te >= half)) / P_['n_exc'] / (d_s / 2),
            'inh_rate_late_hz': float(np.sum(ti >= half)) / P_['n_inh'] / (d_s / 2),
            'exc_cv_isi': cv_isi(te, ie),
            'exc_sync': population_fano(te, 100.0, duration_ms),
            'synapses': int(len(ce) + len(ci) + len(ck)),
            'synaptic_events': events,
        }
    return objs, figures


def build_song2000(b2, seed, duration_ms=None):
    import numpy as np
    P_ = SONG
    ms, mV, Hz = b2.ms, b2.mV, b2.Hz
    duration_ms = P_['duration_ms'] if duration_ms is None else duration_ms
    b2.defaultclock.dt = P_['dt_ms'] * ms
    b2.seed(seed)
    gmax = P_['gmax']
    ns = {
        'taum': P_['tau_m_ms'] * ms, 'taupre': P_['tau_plus_ms'] * ms,
        'taupost': P_['tau_minus_ms'] * ms, 'Ee': P_['E_e_mV'] * mV,
        'vt': P_['V_th_mV'] * mV, 'vr': P_['V_reset_mV'] * mV, 'El': P_['E_L_mV'] * mV,
        'taue': P_['tau_e_ms'] * ms, 'gmax': gmax,
        'dApre': P_['A_plus'] * gmax, 'dApost': -P_['A_minus'] * gmax,
    }
    inp = b2.PoissonGroup(P_['n_inputs'], rates=P_['rate_Hz'] * Hz, name='inputs')
    neuron = b2.NeuronGroup(1, '''dv/dt = (ge * (Ee - vr) + El - v) / taum : volt
                                 dge/dt = -ge / taue : 1''',
                            threshold='v > vt', reset='v = vr', method='exact',
                            namespace=ns, name='neuron')
    neuron.v = P_['E_L_mV'] * mV     # rewire's default v_init (E_L); Brian2's is 0 mV
    S = b2.Synapses(inp, neuron,
                    '''w : 1
                       dApre/dt = -Apre / taupre : 1 (event-driven)
                       dApost/dt = -Apost / taupost : 1 (event-driven)''',
                    on_pre='''ge += w
                              Apre += dApre
                              w = clip(w + Apost, 0, gmax)''',
                    on_post='''Apost += dApost
                               w = clip(w + Apre, 0, gmax)''',
                    delay=P_['delay_ms'] * ms, namespace=ns, name='stdp')
    S.connect()
    S.w = 'rand() * gmax'
    mon = b2.SpikeMonitor(neuron, name='out')
    in_count = b2.SpikeMonitor(inp, record=False, name='in_count')
    objs = [inp, neuron, S, mon, in_count]

    def figures():
        w = np.asarray(S.w) / gmax
        t = np.asarray(mon.t / ms)
        d_s = duration_ms / 1000.0
        ten = min(10000.0, duration_ms)
        return {
            'frac_low': float(np.mean(w < 0.1)),
            'frac_high': float(np.mean(w > 0.9)),
            'mean_weight_gmax': float(np.mean(w)),
            'rate_hz': len(t) / d_s,
            'rate_first10_hz': float(np.sum(t < ten)) / (ten / 1000.0),
            'rate_last10_hz': float(np.sum(t >= duration_ms - ten)) / (ten / 1000.0),
            'synapses': int(len(S)),
            'synaptic_events': int(in_count.num_spikes),   # one synapse per input
        }
    return objs, figures


def population_fano(t, t0, t1, bin_ms=1.0):
    """Variance / mean of the population spike count in bin_ms bins of [t0, t1): 1 for
    independent Poisson neurons, large when the population fires in synchrony."""
    import numpy as np
    nb = int(round((t1 - t0) / bin_ms))
    if nb < 2:
        return 0.0
    c = np.histogram(t, bins=nb, range=(t0, t1))[0]
    return float(c.var() / c.mean()) if c.mean() > 0 else 0.0


def cv_isi(t, i):
    """Mean over neurons with >= 3 spikes of std(ISI)/mean(ISI)."""
    import numpy as np
    if len(t) == 0:
        return 0.0
    order = np.lexsort((t, i))
    t, i = np.asarray(t)[order], np.asarray(i)[order]
    cvs = []
    bounds = np.flatnonzero(np.diff(i)) + 1
    for ts in np.split(t, bounds):
        if len(ts) >= 3:
            isi = np.diff(ts)
            m = isi.mean()
            if m > 0:
                cvs.append(isi.std() / m)
    return float(np.mean(cvs)) if cvs else 0.0


MODELS = {'coba': build_coba, 'song2000': build_song2000}


def compute_one(model, seed, device='cpp_standalone', duration_ms=None):
    """Run one model/seed in this process; return its figures (plus timings)."""
    import time
    b2 = import_brian()
    tmp = None
    if device == 'cpp_standalone':
        tmp = tempfile.mkdtemp(prefix=f'brian_{model}_{seed}_')
        b2.set_device('cpp_standalone', directory=tmp, build_on_run=False)
    try:
        objs, figures = MODELS[model](b2, seed, duration_ms)
        net = b2.Network(*objs)
        d = (duration_ms if duration_ms is not None else
             (COBA if model == 'coba' else SONG)['duration_ms'])
        t0 = time.perf_counter()
        net.run(d * b2.ms)
        if device == 'cpp_standalone':
            b2.device.build(directory=tmp, compile=True, run=True, with_output=False)
            run_s = float(b2.device._last_run_time)
        t1 = time.perf_counter()
        out = figures()
        out['seed'] = seed
        out['wall_s'] = t1 - t0
        if device == 'cpp_standalone':
            out['run_s'] = run_s                         # the simulation itself
            out['build_s'] = (t1 - t0) - run_s           # code generation + compile
        return out
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def main(argv):
    args = [a for a in argv if not a.startswith('--')]
    flags = [a for a in argv if a.startswith('--')]
    if '--help' in flags or len(args) < 2 or args[0] not in MODELS:
        sys.stderr.write(__doc__)
        return 1 if '--help' not in flags else 0
    try:
        import_brian()
    except Exception as e:  # noqa: BLE001 - any import failure means "no brian2 here"
        sys.stderr.write(f'brian_reference: cannot import brian2 ({e!r}); '
                         'install it for /usr/bin/python3 (Debian: python3-brian). '
                         'Skipping.\n')
        return 77
    import brian2
    model = args[0]
    seeds = [int(s) for s in args[1:]]

    if '--compute' in flags:          # child: one seed, print its figures
        print(json.dumps(compute_one(model, seeds[0])))
        return 0

    h = script_hash()
    cdir = cache_dir()
    use_cache = '--no-cache' not in flags
    runs = []
    for seed in seeds:
        path = os.path.join(cdir, f'{model}-seed{seed}-{h}.json')
        if use_cache and os.path.exists(path):
            with open(path) as f:
                res = json.load(f)
            res['cached'] = True
            runs.append(res)
            continue
        env = dict(os.environ, PYTHONWARNINGS='ignore')
        p = subprocess.run([sys.executable, os.path.abspath(__file__), model, str(seed),
                            '--compute'], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, env=env)
        if p.returncode != 0:
            sys.stderr.write(p.stderr[-4000:])
            sys.stderr.write(f'brian_reference: {model} seed {seed} failed '
                             f'(exit {p.returncode})\n')
            return 1
        res = json.loads(p.stdout.strip().splitlines()[-1])
        os.makedirs(cdir, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cdir, prefix='.tmp-', suffix='.json')
        with os.fdopen(fd, 'w') as f:
            json.dump(res, f, indent=1, sort_keys=True)
        os.replace(tmp, path)
        res['cached'] = False
        runs.append(res)
    print(json.dumps({'model': model, 'brian2': brian2.__version__,
                      'device': 'cpp_standalone', 'script_hash': h, 'runs': runs},
                     indent=1, sort_keys=True))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
