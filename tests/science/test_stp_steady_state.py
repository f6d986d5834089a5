#!/usr/bin/python3
"""Science test: Tsodyks-Markram short-term plasticity (the stp plugin) on regular spike
trains, end to end through the CLI.

    /usr/bin/python3 tests/science/test_stp_steady_state.py REWIRE_BINARY REPO_ROOT

The model (Tsodyks, Pawelzik & Markram 1998, Neural Comput 10:821; facilitation as in
Markram, Wang & Tsodyks 1998, PNAS 95:5323), in the exact event-based form of Fuhrmann
et al. 2002 (J Neurophysiol 87:140) that NEST's tsodyks2_synapse implements: at each
presynaptic spike, dt after the previous one,

    u <- u e^{-dt/F} + U (1 - u e^{-dt/F})          (u <- U when F = 0)
    x <- 1 - (1 - x (1 - u_prev)) e^{-dt/D}
    efficacy = u x                                   (u = U, x = 1 at the first spike)

and the spike is delivered with amplitude w u x.  For a regular train of period T the
recursion has the fixed point (derived by setting u_{n+1} = u_n, x_{n+1} = x_n):

    u* = U / (1 - (1 - U) e^{-T/F}),   x* = (1 - e^{-T/D}) / (1 - (1 - u*) e^{-T/D}).

The protocol: one spike_times source fires N_SPIKES spikes at a regular frequency f (5,
10, 20, 50 and 100 Hz, one run each) onto two lif_cuba neurons with an unreachable
threshold (they never fire), through two stp projections of weight W = 100 pA: the
cortical depressing synapse of Markram & Tsodyks (U 0.5, D 800 ms, F 0) and the
facilitating one of the issue (U 0.1, D 100 ms, F 1000 ms).  I_e of both neurons is
recorded every step.  On lif_cuba, I_e' = e^{-dt/tau_e} I_e + input, so the input that
arrived in a step is I_e(t + dt) - e^{-dt/tau_e} I_e(t), and its value / W is the
efficacy u x of that spike.

Checks (TAP), for each frequency and synapse:
  * one arrival per spike, each `delay` after it (the run delivered what was sent);
  * (a) the efficacy of every spike vs the recursion above computed here in double:
    relative error <= 2e-7.  The floor is float32: the plugin hands the kernel u x as a
    float (relative rounding <= 2^-24 = 6e-8); the I_e arithmetic adds ~1e-13;
  * (b) the last spike's efficacy vs the analytic steady state u* x*: relative error
    <= 1e-6, i.e. the float32 floor plus what the finite train leaves of the transient
    (the recursion's distance to the fixed point after N_SPIKES spikes, printed: below
    1e-9 for every train here).
Classic facts (Tsodyks & Markram 1997, PNAS 94:719; Markram et al. 1998), on rewire's
efficacies:
  * depression: the steady efficacy falls with f, and above the limiting frequency
    1/(U D) = 2.5 Hz as ~1/f: u* x* f D -> 1, so at 50 and 100 Hz u* x* f D lies within
    5 % of 1 (the exact values are 0.964 and 0.982) and eff(100 Hz) / eff(50 Hz) within
    5 % of 1/2;
  * facilitation: at every frequency the second spike is stronger than the first; at
    10 and 20 Hz the steady efficacy is over 3 times the first; at 50 and 100 Hz it grows
    over the first spikes and then falls (depression catches up).

The protocol is deterministic (spike_times only, no random number is drawn): seeds
would give byte-identical runs, so the five frequencies stand in for the seeds.
"""
import math
import os
import shutil
import sys

import numpy as np

import science_common as sc

DT_MS = 0.1
TAU_E_MS = 2.0             # lif_cuba default, written out in the experiment
DELAY_MS = 1.0
W_PA = 100.0               # exact in float32
T0_MS = 10.0
N_SPIKES = 150
FREQS_HZ = [5.0, 10.0, 20.0, 50.0, 100.0]   # periods 200, 100, 50, 20, 10 ms: on the grid
SYNAPSES = {               # name: (U, D ms, F ms)
    'depressing': (0.5, 800.0, 0.0),     # Markram & Tsodyks 1996/1997 cortical depression
    'facilitating': (0.1, 100.0, 1000.0),
}
SEQ_TOL = 2e-7             # relative, (a): float32 release, see the docstring
STEADY_TOL = 1e-6          # relative, (b)


# ------------------------------------------------------------------ the model
def recursion(U, D, F, times_ms):
    """Efficacy u x of each spike, from the published event-based equations."""
    out = []
    u, x, last = U, 1.0, None
    for t in times_ms:
        if last is not None:
            dt = t - last
            ef = math.exp(-dt / F) if F > 0 else 0.0
            u_prev = u
            u = u * ef + U * (1.0 - u * ef)
            x = 1.0 - (1.0 - x * (1.0 - u_prev)) * math.exp(-dt / D)
        last = t
        out.append(u * x)
    return out


def steady_state(U, D, F, T):
    us = U / (1.0 - (1.0 - U) * math.exp(-T / F)) if F > 0 else U
    ed = math.exp(-T / D)
    return us * (1.0 - ed) / (1.0 - (1.0 - us) * ed)


# ------------------------------------------------------------------ the experiment
def train(f):
    period = 1000.0 / f
    return [round(T0_MS + k * period, 6) for k in range(N_SPIKES)]


def experiment_yaml(f):
    times = train(f)
    end_ms = times[-1] + 20.0
    pops = '\n'.join(
        f'  {name}: {{model: lif_cuba, size: 1, params: {{V_th: 1000 mV, tau_e: {TAU_E_MS} ms}}}}'
        for name in SYNAPSES)
    projs = '\n'.join(
        f'  to_{name}:\n'
        f'    from: pre\n'
        f'    to: {name}\n'
        f'    connect: {{rule: all_to_all}}\n'
        f'    weight: {W_PA} pA\n'
        f'    delay: {DELAY_MS} ms\n'
        f'    plasticity: {{rule: stp, params: {{U: {U}, tau_rec: {D} ms, tau_facil: {F} ms}}}}'
        for name, (U, D, F) in SYNAPSES.items())
    recs = '\n'.join(f'  I_{name}: {{state: {name}, variable: g_e}}' for name in SYNAPSES)
    return f"""# generated by tests/science/test_stp_steady_state.py
experiment: {{name: stp_{f:g}Hz, dt: {DT_MS} ms, seed: 1}}
populations:
  pre:
    model: spike_times
    size: 1
    spikes:
      - [{', '.join(f'{t:.1f} ms' for t in times)}]
{pops}
projections:
{projs}
record:
  pre_spikes: {{spikes: pre}}
{recs}
timeline: [{{phase: train, duration: {end_ms / 1000.0:.4f} s}}]
outputs: [{{plugin: npy}}]
"""


def arrivals(rec):
    """(times of the steps in which input arrived, input / W), from I_e sampled each step."""
    order = np.argsort(rec['t_ms'], kind='stable')
    t, i_e = rec['t_ms'][order], rec['value'][order]
    p11 = math.exp(-DT_MS / TAU_E_MS)
    came = i_e[1:] - p11 * i_e[:-1]          # input consumed in the step starting at t[:-1]
    hit = np.nonzero(np.abs(came) > 1e-6 * W_PA)[0]
    return t[hit], came[hit] / W_PA


def main():
    if len(sys.argv) != 3:
        print('usage: test_stp_steady_state.py REWIRE_BINARY REPO_ROOT', file=sys.stderr)
        return 2
    rewire, repo = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    tap = sc.Tap()
    work = sc.tmpdir('stp')
    steady = {}      # (name, f) -> rewire's last efficacy
    seqs = {}        # (name, f) -> rewire's efficacies
    try:
        for f in FREQS_HZ:
            exp = os.path.join(work, f'stp_{f:g}.yaml')
            with open(exp, 'w') as fh:
                fh.write(experiment_yaml(f))
            out = os.path.join(work, f'out_{f:g}')
            ok, msg, wall = sc.run_rewire(rewire, repo, exp, 1, out)
            tap.point(ok, f'{f:g} Hz: rewire runs {N_SPIKES} spikes onto both synapses '
                      f'({wall:.1f} s)', msg)
            if not ok:
                continue
            times = train(f)
            want_arrival = np.array(times) + DELAY_MS
            for name, (U, D, F) in SYNAPSES.items():
                t_in, eff = arrivals(sc.load_channel(out, f'I_{name}'))
                good = len(t_in) == N_SPIKES and np.max(np.abs(t_in - want_arrival)) < 1e-6
                tap.point(good, f'{f:g} Hz {name}: one arrival per spike, {DELAY_MS:g} ms after it '
                          f'({len(t_in)} arrivals)')
                if not good:
                    continue
                seqs[(name, f)] = eff
                model = np.array(recursion(U, D, F, times))
                rel = np.abs(eff - model) / model
                k = int(np.argmax(rel))
                tap.point(rel[k] <= SEQ_TOL,
                          f'{f:g} Hz {name}: all {N_SPIKES} efficacies follow the recursion '
                          f'(worst relative error {rel[k]:.2g} at spike {k + 1} <= {SEQ_TOL:g})',
                          f'first efficacies rewire {np.array2string(eff[:4], precision=6)} '
                          f'model {np.array2string(model[:4], precision=6)}')
                ss = steady_state(U, D, F, 1000.0 / f)
                transient = abs(model[-1] - ss) / ss
                err = abs(eff[-1] - ss) / ss
                steady[(name, f)] = float(eff[-1])
                tap.point(err <= STEADY_TOL,
                          f'{f:g} Hz {name}: last efficacy {eff[-1]:.7f} vs analytic steady '
                          f'state u*x* {ss:.7f} (relative {err:.2g} <= {STEADY_TOL:g}; '
                          f'transient left by the recursion {transient:.2g})')

        tap.diag('steady efficacy u* x* (rewire, last spike of the train):')
        tap.diag('   f Hz   depressing   x f D      facilitating  first->second')
        for f in FREQS_HZ:
            d = steady.get(('depressing', f), math.nan)
            fa = steady.get(('facilitating', f), math.nan)
            s = seqs.get(('facilitating', f))
            pp = f'{s[0]:.4f}->{s[1]:.4f}' if s is not None else '-'
            tap.diag(f'  {f:5g}   {d:.6f}   {d * f * SYNAPSES["depressing"][1] / 1000:.4f}'
                     f'    {fa:.6f}      {pp}')

        # Classic facts, on rewire's numbers.
        dep = [steady.get(('depressing', f), math.nan) for f in FREQS_HZ]
        D_s = SYNAPSES['depressing'][1] / 1000.0
        tap.point(all(b < a for a, b in zip(dep, dep[1:])),
                  'depressing: the steady efficacy falls with the frequency')
        high = [(f, steady.get(('depressing', f), math.nan) * f * D_s) for f in (50.0, 100.0)]
        tap.point(all(abs(v - 1.0) <= 0.05 for _, v in high),
                  'depressing, above the limiting frequency 1/(U D) = 2.5 Hz: efficacy ~ 1/(f D) '
                  '(' + ', '.join(f'{f:g} Hz: eff f D = {v:.3f}' for f, v in high) + ', within 5 % of 1)')
        ratio = steady.get(('depressing', 100.0), math.nan) / steady.get(('depressing', 50.0), math.nan)
        tap.point(abs(ratio - 0.5) <= 0.025,
                  f'depressing: doubling f from 50 to 100 Hz halves the steady amplitude '
                  f'(ratio {ratio:.3f}, within 5 % of 1/2)')
        fac_pp = [seqs.get(('facilitating', f)) for f in FREQS_HZ]
        tap.point(all(s is not None and s[1] > s[0] for s in fac_pp),
                  'facilitating: at every frequency the second spike is stronger than the first')
        grown = [steady.get(('facilitating', f), math.nan) / 0.1 for f in (10.0, 20.0)]
        tap.point(all(g > 3.0 for g in grown),
                  f'facilitating: at 10 and 20 Hz the steady efficacy is {grown[0]:.2f} and '
                  f'{grown[1]:.2f} times the first (> 3)')
        rise_fall = []
        for f in (50.0, 100.0):
            s = seqs.get(('facilitating', f))
            if s is None:
                rise_fall.append(False)
                continue
            k = int(np.argmax(s))
            rise_fall.append(k > 0 and s[k] > 1.5 * s[0] and s[-1] < 0.9 * s[k])
        tap.point(all(rise_fall),
                  'facilitating at 50 and 100 Hz: the efficacy grows over the first spikes, '
                  'then falls as depression catches up')
        return tap.done()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
