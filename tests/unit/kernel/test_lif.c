/* LIF integration against analytic solutions: constant current, time to first spike,
 * refractoriness, the exact PSP of an exponential synaptic current (also tau_syn =
 * tau_m), COBA relaxation and exponential-Euler steps, excitability. */
#include <math.h>

#include "fixture.h"
#include "tap.h"
#include "vexp.h"

#define DT 0.1

/* Build, record v / g_e / spikes of population `pop` every step, run `steps`. */
typedef struct trace {
    rw_network *net;
    rw_recorder *rec;
    fx_sink sink;
    uint32_t ch_v, ch_g, ch_spk, ch_gi;
} trace;

static int trace_run(trace *tr, fx *f, uint32_t pop, int64_t steps) {
    tr->ch_v = fx_record(f, "v", RW_RECORD_STATE, pop, DT);
    tr->ch_g = fx_record(f, "g_e", RW_RECORD_STATE, pop, DT);
    f->recs[tr->ch_g].variable = RW_VAR_G_E;
    tr->ch_gi = fx_record(f, "g_i", RW_RECORD_STATE, pop, DT);
    f->recs[tr->ch_gi].variable = RW_VAR_G_I;
    tr->ch_spk = fx_record(f, "spikes", RW_RECORD_SPIKES, pop, 0);
    memset(&tr->sink, 0, sizeof tr->sink);
    tr->net = fx_build(f);
    if (!tr->net) return -1;
    tr->rec = rw_recorder_new(&f->e, tr->net);
    if (!tr->rec) return -1;
    return fx_run(tr->net, tr->rec, &tr->sink, steps, 1000);
}

static void trace_free(trace *tr) {
    rw_recorder_free(tr->rec);
    rw_network_free(tr->net);
    fx_sink_free(&tr->sink);
}

static void constant_current(void) {
    fx f;
    fx_init(&f, DT, 1);
    uint32_t pop = fx_lif(&f, "cell", RW_MODEL_LIF_CUBA, 1);
    f.pops[pop].lif.I_bias = 300; /* R I = 12 mV: stays below threshold */
    trace tr;
    int rc = trace_run(&tr, &f, pop, 1000);
    CHECK(rc == 0, "cuba with constant current runs");
    const fx_rows *v = &tr.sink.ch[tr.ch_v];
    double R = 10.0 / 250.0, err = 0;
    for (size_t k = 0; k < v->n; k++) {
        double t = k * DT;
        double expect = -70 + R * 300 * -expm1(-t / 10.0);
        err = fmax(err, fabs(v->value[k] - expect));
    }
    CHECK(v->n == 1000, "1000 samples of v (got %zu)", v->n);
    CHECK(err < 1e-11, "V(t) = E_L + R I (1 - exp(-t/tau)) exactly: max error %.3g mV", err);
    CHECK(tr.sink.ch[tr.ch_spk].n == 0, "no spike below threshold");
    trace_free(&tr);
}

static void first_spike_and_refractoriness(double t_ref) {
    fx f;
    fx_init(&f, DT, 1);
    uint32_t pop = fx_lif(&f, "cell", RW_MODEL_LIF_CUBA, 1);
    f.pops[pop].lif.I_bias = 500; /* R I = 20 mV > 15 mV to threshold */
    f.pops[pop].lif.t_ref = t_ref;
    trace tr;
    int rc = trace_run(&tr, &f, pop, 1000);
    CHECK(rc == 0, "driven cuba neuron runs (t_ref %g ms)", t_ref);
    /* Analytic crossing: V((k+1) dt) >= V_th first for k = ceil(T* / dt) - 1, and the
     * spike is stamped with the step's start k dt. */
    double T = -10.0 * log(1.0 - 15.0 / 20.0);
    int64_t k = 0;
    while (-70 + 20 * -expm1(-(k + 1) * DT / 10.0) < -55) k++;
    CHECK(k == (int64_t)ceil(T / DT) - 1, "crossing step %lld matches T* = %.4f ms", (long long)k, T);
    const fx_rows *s = &tr.sink.ch[tr.ch_spk];
    const fx_rows *v = &tr.sink.ch[tr.ch_v];
    CHECK(s->n >= 3, "several spikes (%zu)", s->n);
    if (s->n < 3) {
        trace_free(&tr);
        return;
    }
    CHECK_NEAR(s->time[0], k * DT, 1e-9, "first spike at the analytic step");
    /* From V_reset = E_L at the end of refractoriness the trajectory repeats. */
    int64_t R = (int64_t)llround(t_ref / DT), isi = (R > 1 ? R : 1) + k;
    int isi_ok = 1;
    for (size_t j = 1; j < s->n; j++) isi_ok &= llround((s->time[j] - s->time[j - 1]) / DT) == isi;
    CHECK(isi_ok, "every ISI is R + crossing steps = %lld steps", (long long)isi);
    /* V is V_reset at (s+1) dt .. (s+R) dt, then moves. */
    int held = 1, moves = 1;
    for (size_t j = 0; j < 3; j++) {
        int64_t sp = llround(s->time[j] / DT);
        int64_t last = sp + (R > 1 ? R : 1);
        for (int64_t m = sp + 1; m <= last; m++) held &= v->value[m] == -70.0;
        moves &= v->value[last + 1] > -70.0;
    }
    CHECK(held, "V held at V_reset for t_ref = %g ms after each spike", t_ref);
    CHECK(moves, "V integrates again right after the refractory period");
    trace_free(&tr);
}

static void synapses_evolve_while_refractory(void) {
    /* The neuron of first_spike_and_refractoriness spikes at step 138; an input spike
     * emitted at 142 with delay 1 step arrives at 143, inside the refractory period. */
    uint32_t neuron[1] = {0};
    double time[1] = {14.2};
    fx f;
    fx_init(&f, DT, 1);
    uint32_t pop = fx_lif(&f, "cell", RW_MODEL_LIF_CUBA, 1);
    f.pops[pop].lif.I_bias = 500;
    uint32_t src = fx_spike_times(&f, "in", 1, 1, neuron, time);
    fx_proj(&f, "drive", src, pop, RW_CONNECT_ALL_TO_ALL, 80.0, DT);
    trace tr;
    int rc = trace_run(&tr, &f, pop, 300);
    const fx_rows *g = &tr.sink.ch[tr.ch_g], *v = &tr.sink.ch[tr.ch_v];
    CHECK(rc == 0 && tr.sink.ch[tr.ch_spk].n >= 1 &&
              llround(tr.sink.ch[tr.ch_spk].time[0] / DT) == 138,
          "reference spike at step 138");
    CHECK(g->value[143] == 0.0 && g->value[144] == 80.0, "input arrives at step 143 (I_e = w at 144)");
    CHECK_NEAR(g->value[145], 80.0 * exp(-DT / 2.0), 1e-12, "I_e decays during refractoriness");
    CHECK(v->value[144] == -70.0 && v->value[145] == -70.0, "V stays clamped meanwhile");
    /* Refractoriness ends at 158: the current then adds to the bias drive. */
    double Rm = 10.0 / 250.0;
    double drive_only = -70 + Rm * 500 * -expm1(-DT / 10.0);
    CHECK(v->value[159] > drive_only + 1e-3, "the decayed input still depolarises after t_ref");
    trace_free(&tr);
}

/* Exact PSP of an exponential current w e^{-s/tau_s} onto the membrane (s = t - t0). */
static double psp(double w, double C, double tau_m, double tau_s, double s) {
    if (tau_s == tau_m) return w / C * s * exp(-s / tau_m);
    return w / C * tau_s * tau_m / (tau_m - tau_s) * (exp(-s / tau_m) - exp(-s / tau_s));
}

static void single_psp(double tau_syn, rw_receptor receptor, double w, double rel_tol,
                       double model_tau_syn) {
    uint32_t neuron[1] = {0};
    double time[1] = {1.0}; /* step 10; delay 10 steps: arrives at 20, acts from t0 = 2.1 ms */
    fx f;
    fx_init(&f, DT, 1);
    uint32_t pop = fx_lif(&f, "cell", RW_MODEL_LIF_CUBA, 1);
    f.pops[pop].lif.V_th = 1e9;
    if (receptor == RW_RECEPTOR_EXC) f.pops[pop].lif.tau_e = model_tau_syn;
    else f.pops[pop].lif.tau_i = model_tau_syn;
    uint32_t src = fx_spike_times(&f, "in", 1, 1, neuron, time);
    uint32_t pj = fx_proj(&f, "syn", src, pop, RW_CONNECT_ONE_TO_ONE, w, 1.0);
    f.projs[pj].receptor = receptor;
    trace tr;
    int rc = trace_run(&tr, &f, pop, 800);
    const fx_rows *v = &tr.sink.ch[tr.ch_v];
    const fx_rows *I = &tr.sink.ch[receptor == RW_RECEPTOR_EXC ? tr.ch_g : tr.ch_gi];
    const fx_rows *other = &tr.sink.ch[receptor == RW_RECEPTOR_EXC ? tr.ch_gi : tr.ch_g];
    double peak = 0, err = 0, ierr = 0;
    int before = 1, other_zero = 1;
    for (size_t k = 0; k < v->n; k++) {
        other_zero &= other->value[k] == 0.0;
        if (k <= 21) {
            before &= v->value[k] == -70.0 && (k <= 20 ? I->value[k] == 0.0 : 1);
            continue;
        }
        double s = (k - 21) * DT;
        double expect = -70.0 + psp(w, 250.0, 10.0, tau_syn, s);
        peak = fmax(peak, fabs(expect + 70.0));
        err = fmax(err, fabs(v->value[k] - expect));
        ierr = fmax(ierr, fabs(I->value[k] - w * exp(-s / model_tau_syn)) / fabs(w));
    }
    CHECK(rc == 0 && v->n == 800, "PSP run (tau_syn %.12g ms, %s)", model_tau_syn,
          receptor == RW_RECEPTOR_EXC ? "excitatory" : "inhibitory");
    CHECK(before, "nothing moves before the input acts (t0 = 2.1 ms)");
    CHECK(other_zero, "the other receptor stays at 0");
    CHECK(ierr < 1e-12, "synaptic current decays exactly: rel. error %.3g", ierr);
    CHECK(err / peak < rel_tol, "V follows the analytic PSP: rel. error %.3g (bound %.0e)",
          err / peak, rel_tol);
    trace_free(&tr);
}

static void coba_relaxation(double I_bias) {
    fx f;
    fx_init(&f, DT, 1);
    uint32_t pop = fx_lif(&f, "cell", RW_MODEL_LIF_COBA, 2);
    f.pops[pop].v_init = fx_const(-50.0);
    f.pops[pop].lif.V_th = 1e9;
    f.pops[pop].lif.I_bias = I_bias;
    trace tr;
    int rc = trace_run(&tr, &f, pop, 600);
    const fx_rows *v = &tr.sink.ch[tr.ch_v];
    double g_L = 250.0 / 15.0, V_inf = -70.0 + I_bias / g_L, err = 0;
    for (size_t r = 0; r < v->n; r++) {
        double t = (double)(r / 2) * DT;
        err = fmax(err, fabs(v->value[r] - (V_inf + (-50.0 - V_inf) * exp(-t / 15.0))));
    }
    CHECK(rc == 0 && v->n == 1200, "coba relaxation runs (I_bias %g pA)", I_bias);
    CHECK(err < 1e-11, "coba without input relaxes exactly to %g mV: max error %.3g", V_inf, err);
    trace_free(&tr);
}

static void coba_steps(void) {
    uint32_t neuron[2] = {0, 0};
    double time[2] = {0.5, 0.9};
    fx f;
    fx_init(&f, DT, 1);
    uint32_t pop = fx_lif(&f, "cell", RW_MODEL_LIF_COBA, 1);
    f.pops[pop].lif.V_th = 1e9;
    f.pops[pop].lif.tau_e = 5.0;
    f.pops[pop].lif.I_bias = 40.0;
    uint32_t src = fx_spike_times(&f, "in", 1, 2, neuron, time);
    fx_proj(&f, "exc", src, pop, RW_CONNECT_ALL_TO_ALL, 5.0, DT);
    uint32_t pi = fx_proj(&f, "inh", src, pop, RW_CONNECT_ALL_TO_ALL, 3.0, 2 * DT);
    f.projs[pi].receptor = RW_RECEPTOR_INH;
    trace tr;
    int rc = trace_run(&tr, &f, pop, 300);
    const fx_rows *v = &tr.sink.ch[tr.ch_v], *ge = &tr.sink.ch[tr.ch_g], *gi = &tr.sink.ch[tr.ch_gi];
    /* Spikes at steps 5 and 9, excitatory delay 1: g_e = 5 nS at sample 7, then decays;
     * the second adds at sample 11. */
    CHECK(rc == 0 && ge->value[6] == 0.0 && ge->value[7] == 5.0, "g_e jumps by w at step 7");
    CHECK_NEAR(ge->value[11], 5.0 * exp(-4 * DT / 5.0) + 5.0, 1e-12, "second input adds at 11");
    CHECK_NEAR(ge->value[100], (5.0 * exp(-93 * DT / 5.0) + 5.0 * exp(-89 * DT / 5.0)), 1e-12,
               "g_e decays exactly");
    CHECK(gi->value[7] == 0.0 && gi->value[8] == 3.0, "inhibitory delay 2: g_i at step 8");
    double g_L = 250.0 / 15.0, err = 0;
    for (size_t k = 0; k + 1 < v->n; k++) {
        double gt = g_L + ge->value[k] + gi->value[k];
        double vinf = (g_L * -70.0 + ge->value[k] * 0.0 + gi->value[k] * -85.0 + 40.0) / gt;
        double expect = vinf + (v->value[k] - vinf) * exp(-DT * gt / 250.0);
        err = fmax(err, fabs(v->value[k + 1] - expect));
    }
    CHECK(err < 1e-12, "every coba step is exponential Euler on the step-start conductances "
                       "(max error %.3g mV)", err);
    CHECK(v->value[20] > v->value[7], "excitation depolarises");
    trace_free(&tr);
}

static void excitability(void) {
    uint32_t neuron[1] = {0};
    double time[1] = {0.0};
    fx f;
    fx_init(&f, DT, 1);
    uint32_t pop = fx_lif(&f, "cells", RW_MODEL_LIF_CUBA, 3);
    f.pops[pop].lif.I_bias = 100;
    uint32_t src = fx_spike_times(&f, "in", 1, 1, neuron, time);
    fx_proj(&f, "drive", src, pop, RW_CONNECT_ALL_TO_ALL, 100.0, 0.5);
    uint32_t ch_g = fx_record(&f, "g", RW_RECORD_STATE, pop, DT);
    f.recs[ch_g].variable = RW_VAR_G_E;
    uint32_t ch_v = fx_record(&f, "v", RW_RECORD_STATE, pop, DT);
    rw_network *net = fx_build(&f);
    rw_recorder *rec = rw_recorder_new(&f.e, net);
    rewire_population_view view;
    CHECK(rw_network_population_view(net, pop, &view) == 0 && view.excitability &&
              view.excitability[0] == 1.0f && view.excitability[2] == 1.0f,
          "excitability defaults to 1");
    view.excitability[1] = 0.5f;
    view.excitability[2] = 0.0f;
    fx_sink sink = {0};
    int rc = fx_run(net, rec, &sink, 100, 5);
    const fx_rows *g = &sink.ch[ch_g], *v = &sink.ch[ch_v];
    /* Rows: time-major, 3 neurons per sample.  Input arrives at step 5. */
    CHECK(rc == 0 && g->value[3 * 6 + 0] == 100.0 && g->value[3 * 6 + 1] == 50.0 &&
              g->value[3 * 6 + 2] == 0.0,
          "synaptic input scaled by excitability 1, 0.5, 0");
    int silent = 1;
    for (size_t k = 0; k < 100; k++) silent &= v->value[3 * k + 2] == -70.0;
    CHECK(silent, "excitability 0 silences the bias current too");
    CHECK_NEAR(v->value[3 * 5 + 1] + 70.0, 0.5 * (v->value[3 * 5 + 0] + 70.0), 1e-12,
               "half excitability, half the bias response");
    rw_recorder_free(rec);
    rw_network_free(net);
    fx_sink_free(&sink);
}

/* Distance in units in the last place between two positive doubles. */
static double ulps(double a, double b) {
    int64_t x, y;
    memcpy(&x, &a, sizeof x);
    memcpy(&y, &b, sizeof y);
    return (double)llabs(x - y);
}

static void vector_exp(void) {
    double worst = 0, worst_small = 0;
    for (int k = 0; k <= 2000000; k++) {
        double x = -708.0 + 1417.0 * k / 2000000.0; /* the whole clamped range */
        worst = fmax(worst, ulps(rw_vexp(x), exp(x)));
    }
    for (int k = 0; k <= 1000000; k++) {
        double x = -2.0 * k / 1000000.0; /* decay factors of a step */
        worst_small = fmax(worst_small, ulps(rw_vexp(x), exp(x)));
    }
    CHECK(worst <= 2, "vectorisable exp within %g ulp of libm over [-708, 709]", worst);
    CHECK(worst_small <= 1, "... within %g ulp over [-2, 0]", worst_small);
    CHECK(rw_vexp(0.0) == 1.0 && rw_vexp(-1e-300) == 1.0, "exp(0) = 1");
    CHECK(rw_vexp(-1e6) > 0.0 && rw_vexp(-1e6) < 1e-300 && isfinite(rw_vexp(1e6)),
          "arguments beyond the range are clamped, never inf or nan");
}

int main(void) {
    vector_exp();
    constant_current();
    first_spike_and_refractoriness(2.0);
    first_spike_and_refractoriness(0.0);
    first_spike_and_refractoriness(0.1);
    synapses_evolve_while_refractory();
    single_psp(2.0, RW_RECEPTOR_EXC, 100.0, 1e-9, 2.0);
    single_psp(5.0, RW_RECEPTOR_INH, -50.0, 1e-9, 5.0);
    single_psp(10.0, RW_RECEPTOR_EXC, 100.0, 1e-9, 10.0);           /* tau_syn = tau_m */
    single_psp(10.0, RW_RECEPTOR_EXC, 100.0, 1e-7, 10.0 * (1 + 1e-9)); /* near the limit */
    coba_relaxation(0.0);
    coba_relaxation(100.0);
    coba_steps();
    excitability();
    return tap_done();
}
