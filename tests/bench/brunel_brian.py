"""The balanced random network with STDP (experiments/brunel_stdp.yaml) in Brian2.

BRUNEL below is THE parameter set of benchmark 3: bench.py derives from it both the
Brian2 network (build()) and the --set overrides of rewire's experiment (rewire_sets()),
and check_yaml() checks that the experiment file says the same, so the two simulators
cannot drift apart.  Units are those of the keys (ms, mV, pA, pF, Hz).

Equivalences with rewire (see tests/science/brian_reference.py for the general ones):
  * lif_cuba: C dV/dt = -g_L (V - E_L) + I_e + I_i, dI_x/dt = -I_x / tau_x, integrated
    exactly ('exact' here, Rotter & Diesmann in rewire); V clamped while refractory.
  * delays: a rewire delay d is a Brian2 delay d on the pathway that adds the weight.
  * STDP: rewire times plasticity at the spike's emission (delays are dendritic), so the
    learning pathway 'plast' has no delay while the delivering pathway 'pre' has D.
    rewire's stdp plugin, multiplicative, all-to-all pairing: pre spike: x_pre += 1,
    w -= A- x_post (w - w_min); post spike: x_post += 1, w += A+ x_pre (w_max - w); both
    clipped to [w_min, w_max]; pre before post within a step (Brian2 runs the pre
    pathways before the post pathway).
  * external drive: rewire gives each neuron its own Poisson source (one_to_one, fires at
    most once per step: one Bernoulli(rate dt) per step); Brian2's PoissonInput with N = 1
    draws the same Bernoulli per neuron and step.  It adds the weight at the end of the
    step of the draw, rewire one step later (its shortest delay): a stationary,
    memoryless drive shifted by one step is the same process.
  * fixed in-degree: rewire's fixed_indegree (sources without repetition, autapses as
    below) is Brian2's connect(i='k for k in sample(N_pre, size=K)').  Autapses are
    allowed in both (NEST's default, as in hpc_benchmark).
"""

BRUNEL = {
    'dt_ms': 0.1,
    'n': 10000,             # neurons; 80 % excitatory
    'k_e': 800,             # excitatory in-degree of every neuron
    'k_i': 200,             # inhibitory in-degree of every neuron
    'C_m_pF': 250.0,
    'tau_m_ms': 20.0,
    'E_L_mV': -70.0,
    'V_th_mV': -50.0,
    'V_reset_mV': -60.0,
    't_ref_ms': 2.0,
    'tau_syn_ms': 0.5,      # tau_e = tau_i
    'J_pA': 50.0,           # charge C_m * 0.1 mV: Brunel's J = 0.1 mV
    'g': 5.0,               # inhibitory weight -g J
    'delay_ms': 1.5,
    'ext_rate_Hz': 2000.0,  # one Poisson source per neuron
    'J_ext_pA': 500.0,
    'tau_plus_ms': 15.0,
    'tau_minus_ms': 20.0,
    'A_plus': 0.01,
    'A_minus': 0.01,
    'w_min_pA': 0.0,
    'w_max_pA': 100.0,
}


def sizes(p):
    n_e = int(round(0.8 * p['n']))
    return n_e, p['n'] - n_e


def synapse_count(p):
    """Recurrent synapses (the external drive adds one per neuron)."""
    return p['n'] * (p['k_e'] + p['k_i'])


def plastic_count(p):
    return sizes(p)[0] * p['k_e']


def rewire_sets(p, duration_ms):
    """--set overrides that turn experiments/brunel_stdp.yaml into the network p."""
    n_e, n_i = sizes(p)
    j, ji = p['J_pA'], -p['g'] * p['J_pA']
    s = [f'populations.exc.size={n_e}', f'populations.inh.size={n_i}',
         f'populations.ext_exc.size={n_e}', f'populations.ext_inh.size={n_i}',
         f'projections.ee.connect.k={p["k_e"]}', f'projections.ei.connect.k={p["k_e"]}',
         f'projections.ie.connect.k={p["k_i"]}', f'projections.ii.connect.k={p["k_i"]}',
         f'projections.ee.weight={j}pA', f'projections.ei.weight={j}pA',
         f'projections.ie.weight={ji}pA', f'projections.ii.weight={ji}pA',
         f'projections.drive_exc.weight={p["J_ext_pA"]}pA',
         f'projections.drive_inh.weight={p["J_ext_pA"]}pA',
         f'projections.ee.plasticity.params.w_max={p["w_max_pA"]}pA',
         f'timeline.0.duration={duration_ms}ms']
    return s


def _quantity(text):
    """'250 pF' -> 250.0 (the unit is the key's; checked by the caller's key)."""
    return float(str(text).split()[0].rstrip('pAFmVHzks'))


def check_yaml(path, p=BRUNEL):
    """Differences between the experiment file and the parameter set p (a list of
    strings; empty when they agree).  Sizes, in-degrees and weights are not compared:
    bench.py sets them with --set."""
    import yaml
    with open(path) as f:
        y = yaml.safe_load(f)
    bad = []

    def want(what, got, expect):
        if abs(got - expect) > 1e-9 * max(1.0, abs(expect)):
            bad.append(f'{what}: file {got}, Brian2 twin {expect}')
    want('dt', _quantity(y['experiment']['dt']), p['dt_ms'])
    for pop in ('exc', 'inh'):
        q = y['populations'][pop]['params']
        for key, pk in (('C_m', 'C_m_pF'), ('tau_m', 'tau_m_ms'), ('E_L', 'E_L_mV'),
                        ('V_th', 'V_th_mV'), ('V_reset', 'V_reset_mV'),
                        ('t_ref', 't_ref_ms'), ('tau_e', 'tau_syn_ms'),
                        ('tau_i', 'tau_syn_ms')):
            want(f'{pop}.{key}', _quantity(q[key]), p[pk])
        lo, hi = y['populations'][pop]['v_init']['uniform']
        want(f'{pop}.v_init', _quantity(lo), p['E_L_mV'])
        want(f'{pop}.v_init', _quantity(hi), p['V_th_mV'])
    for pop in ('ext_exc', 'ext_inh'):
        r = str(y['populations'][pop]['rate'])
        want(f'{pop}.rate', _quantity(r) * (1000.0 if 'kHz' in r else 1.0), p['ext_rate_Hz'])
    for name, proj in y['projections'].items():
        if name.startswith('drive'):
            want(f'{name}.delay', _quantity(proj['delay']), p['dt_ms'])
            if proj['connect']['rule'] != 'one_to_one':
                bad.append(f'{name}: expected one_to_one')
        else:
            want(f'{name}.delay', _quantity(proj['delay']), p['delay_ms'])
            c = proj['connect']
            if c['rule'] != 'fixed_indegree' or c.get('multapses', False):
                bad.append(f'{name}: expected fixed_indegree without multapses')
            if name in ('ee', 'ii') and not c.get('autapses', False):
                bad.append(f'{name}: expected autapses: true (as Brian2 sample())')
    sp = y['projections']['ee']['plasticity']
    q = sp['params']
    if sp['rule'] != 'stdp' or q['weight_dependence'] != 'multiplicative' or \
            q['pairing'] != 'all_to_all':
        bad.append('ee: expected stdp, multiplicative, all_to_all')
    for key, pk in (('tau_plus', 'tau_plus_ms'), ('tau_minus', 'tau_minus_ms'),
                    ('A_plus', 'A_plus'), ('A_minus', 'A_minus'), ('w_min', 'w_min_pA')):
        want(f'ee.{key}', _quantity(q[key]), p[pk])
    for name in y['projections']:
        if name != 'ee' and 'plasticity' in y['projections'][name]:
            bad.append(f'{name}: only ee is plastic')
    return bad


def build(b2, seed, duration_ms, p=BRUNEL):
    """Set up the network in the current Brian2 device; return (objects, figures)."""
    import numpy as np
    ms, mV, pA, pF, Hz = b2.ms, b2.mV, b2.pA, b2.pF, b2.Hz
    b2.defaultclock.dt = p['dt_ms'] * ms
    b2.seed(seed)
    n_e, n_i = sizes(p)
    ns = {
        'Cm': p['C_m_pF'] * pF, 'taum': p['tau_m_ms'] * ms, 'El': p['E_L_mV'] * mV,
        'Vt': p['V_th_mV'] * mV, 'Vr': p['V_reset_mV'] * mV,
        'taus': p['tau_syn_ms'] * ms,
        'je': p['J_pA'] * pA, 'ji': -p['g'] * p['J_pA'] * pA,
        'taup': p['tau_plus_ms'] * ms, 'taun': p['tau_minus_ms'] * ms,
        'Ap': p['A_plus'], 'An': p['A_minus'],
        'wmin': p['w_min_pA'] * pA, 'wmax': p['w_max_pA'] * pA,
    }
    eqs = '''
    dv/dt = (El - v) / taum + (Ie + Ii) / Cm : volt (unless refractory)
    dIe/dt = -Ie / taus : amp
    dIi/dt = -Ii / taus : amp
    '''
    net = b2.NeuronGroup(p['n'], eqs, threshold='v > Vt', reset='v = Vr',
                         refractory=p['t_ref_ms'] * ms, method='exact', namespace=ns,
                         name='brunel')
    net.v = 'El + rand() * (Vt - El)'
    exc, inh = net[:n_e], net[n_e:]
    d = p['delay_ms'] * ms
    ee = b2.Synapses(exc, exc, '''w : amp
                     dxpre/dt = -xpre / taup : 1 (event-driven)
                     dxpost/dt = -xpost / taun : 1 (event-driven)''',
                     on_pre={'pre': 'Ie_post += w',
                             'plast': '''xpre += 1
                                         w = clip(w - An * xpost * (w - wmin), wmin, wmax)'''},
                     on_post='''xpost += 1
                                w = clip(w + Ap * xpre * (wmax - w), wmin, wmax)''',
                     delay={'pre': d, 'plast': 0 * ms}, namespace=ns, name='ee')
    ee.connect(i=f'k for k in sample(N_pre, size={p["k_e"]})')
    ee.w = 'je'
    ei = b2.Synapses(exc, inh, on_pre='Ie_post += je', delay=d, namespace=ns, name='ei')
    ei.connect(i=f'k for k in sample(N_pre, size={p["k_e"]})')
    # ie and ii of the experiment in one object: every neuron draws k_i inhibitory sources.
    ci = b2.Synapses(inh, net, on_pre='Ii_post += ji', delay=d, namespace=ns, name='ci')
    ci.connect(i=f'k for k in sample(N_pre, size={p["k_i"]})')
    drive = b2.PoissonInput(net, 'Ie', 1, p['ext_rate_Hz'] * Hz, p['J_ext_pA'] * pA)
    mon_e = b2.SpikeMonitor(exc, name='mon_e')
    mon_i = b2.SpikeMonitor(inh, name='mon_i')
    objs = [net, ee, ei, ci, drive, mon_e, mon_i]

    def figures():
        ie_ = np.asarray(mon_e.i)
        ii_ = np.asarray(mon_i.i)
        d_s = duration_ms / 1000.0
        out_e = (np.bincount(np.asarray(ee.i), minlength=n_e) +
                 np.bincount(np.asarray(ei.i), minlength=n_e))
        out_i = np.bincount(np.asarray(ci.i), minlength=n_i)
        # External events: PoissonInput keeps no count; its expected number (N rate T,
        # relative sd ~ 2e-4 at N = 10,000) stands in for it.
        ext = p['n'] * p['ext_rate_Hz'] * d_s
        events = int(out_e[ie_].sum() + out_i[ii_].sum() + round(ext))
        w = np.asarray(ee.w / pA)
        return {
            'rates_hz': {'exc': len(ie_) / n_e / d_s, 'inh': len(ii_) / n_i / d_s},
            'synapses': int(len(ee) + len(ei) + len(ci)),
            'plastic_synapses': int(len(ee)),
            'mean_ee_weight_pA': float(w.mean()),
            'synaptic_events': events,
        }
    return objs, figures
