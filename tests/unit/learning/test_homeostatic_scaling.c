/* The homeostatic_scaling plugin, driven through its function table as the kernel drives
 * it (on_post per step with spikes, on_slice per slice) on a hand-built projection: the
 * scaling factor of a slice for known spikes, relative weights kept, slicing, slow
 * scaling below a float ulp per slice, no drift at the target rate, gain, bounds and
 * the errors of create()/start().
 *
 * Expected values come from the model's equations in closed form (README.md):
 *   tau_a da/dt = -a + sum_k delta(t - t_k)    (a jumps by 1/tau_a, starts at rho)
 *   dw/dt = gain w (rho - a) / (rho tau_s)  =>  w(T) = w(0) exp(gain (rho T - int a) / (rho tau_s))
 * with int_0^T a = a(0) tau_a (1 - e^{-T/tau_a}) + sum_k (1 - e^{-(T - t_k)/tau_a}) spikes.
 *
 * usage: test_homeostatic_scaling HOMEOSTATIC_SCALING.so
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit/loader/fake_host.h"
#include "tap.h"
#include "unit/loader/test_support.h"

static const rw_plugin *plugin;
static fake_host fh;

static const double DT = 0.1;      /* ms */
static const double RHO = 10.0;    /* Hz */
static const double TAU_A = 100.0; /* ms */
static const double TAU_S = 500.0; /* ms */

typedef struct params {
    rewire_param_value v[16];
} params;

static int param_index(const char *name) {
    for (uint32_t i = 0; i < plugin->desc->n_params; i++)
        if (strcmp(plugin->desc->params[i].name, name) == 0) return (int)i;
    printf("Bail out! homeostatic_scaling has no parameter '%s'\n", name);
    exit(1);
}

static const rewire_param_spec *spec(const char *name) {
    return &plugin->desc->params[param_index(name)];
}

static void set_real(params *p, const char *name, double x) { p->v[param_index(name)].real = x; }

/* The schema's defaults, then the test's rate and time constants. */
static params test_params(void) {
    params p;
    memset(&p, 0, sizeof p);
    for (uint32_t i = 0; i < plugin->desc->n_params && i < 16; i++)
        p.v[i].real = plugin->desc->params[i].def_real;
    set_real(&p, "target_rate", RHO);
    set_real(&p, "tau_rate", TAU_A);
    set_real(&p, "tau_scaling", TAU_S);
    return p;
}

/* 3 pre x 2 post, all to all: synapse s = 2 i + j (CSR by source), with its post index. */
enum { N_PRE = 3, N_POST = 2, N_SYN = 6 };
static const float W0[N_SYN] = {1.0f, 3.0f, 2.0f, 0.25f, 0.5f, 1.75f};

typedef struct net {
    uint32_t row_offsets[N_PRE + 1], targets[N_SYN], col_offsets[N_POST + 1],
        col_synapses[N_SYN];
    uint16_t delays[N_SYN];
    float weights[N_SYN];
    rewire_projection_view view;
} net;

static void build(net *n) {
    memset(n, 0, sizeof *n);
    for (uint32_t i = 0; i <= N_PRE; i++) n->row_offsets[i] = N_POST * i;
    for (uint32_t s = 0; s < N_SYN; s++) {
        n->targets[s] = s % N_POST;
        n->weights[s] = W0[s];
        n->delays[s] = 1;
    }
    for (uint32_t j = 0, k = 0; j < N_POST; j++) {
        n->col_offsets[j] = k;
        for (uint32_t i = 0; i < N_PRE; i++) n->col_synapses[k++] = N_POST * i + j;
    }
    n->col_offsets[N_POST] = N_SYN;
    n->view = (rewire_projection_view){
        .struct_size = sizeof(rewire_projection_view), .name = "p", .pre_population = "in",
        .post_population = "cells", .n_pre = N_PRE, .n_post = N_POST, .n_syn = N_SYN,
        .row_offsets = n->row_offsets, .targets = n->targets, .weights = n->weights,
        .delays = n->delays, .col_offsets = n->col_offsets, .col_synapses = n->col_synapses,
        .dt = DT, .plasticity_gain = 1.0f};
}

typedef struct rule {
    const rewire_learning_rule_v1 *fn;
    void *instance;
} rule;

static bool rule_start(rule *r, const params *p, net *n) {
    r->fn = plugin->desc->functions;
    r->instance = NULL;
    fh.last_error[0] = '\0';
    if (r->fn->create(&fh.host, p->v, &n->view, &r->instance) != REWIRE_OK) {
        printf("# create failed: %s\n", fh.last_error);
        return false;
    }
    if (r->fn->start(r->instance, &n->view) != REWIRE_OK) {
        printf("# start failed: %s\n", fh.last_error);
        r->fn->destroy(r->instance);
        return false;
    }
    return true;
}

/* One slice [first, first + len) in which post neuron `who` spikes at the given steps
 * (sorted, inside the slice), as the kernel calls the rule. */
static void slice(rule *r, net *n, int64_t first, int64_t len, uint32_t who,
                  const int64_t *steps, size_t n_steps) {
    for (size_t k = 0; k < n_steps; k++) r->fn->on_post(r->instance, &n->view, steps[k], &who, 1);
    r->fn->on_slice(r->instance, &n->view, first, first + len);
}

/* The model: int of a over [0, T) from a(0) and spikes at offsets t_k (ms), and a(T). */
static double a_integral(double a0, double t_ms, const double *t_k, size_t n) {
    double sum = a0 * TAU_A * (1.0 - exp(-t_ms / TAU_A));
    for (size_t k = 0; k < n; k++) sum += 1000.0 * (1.0 - exp(-(t_ms - t_k[k]) / TAU_A));
    return sum;
}

static double a_end(double a0, double t_ms, const double *t_k, size_t n) {
    double a = a0 * exp(-t_ms / TAU_A);
    for (size_t k = 0; k < n; k++) a += 1000.0 / TAU_A * exp(-(t_ms - t_k[k]) / TAU_A);
    return a;
}

static double log_factor(double gain, double t_ms, double integral) {
    return gain * (RHO * t_ms - integral) / (RHO * TAU_S);
}

/* Worst |w / (w0 * factor) - 1| over the inputs of post neuron j. */
static double worst_scaled(const net *n, uint32_t j, double factor) {
    double worst = 0;
    for (uint32_t s = j; s < N_SYN; s += N_POST) {
        const double e = fabs((double)n->weights[s] / ((double)W0[s] * factor) - 1.0);
        if (e > worst) worst = e;
    }
    return worst;
}

/* Worst change of the ratio of any two inputs of post neuron j (relative). */
static double worst_ratio_change(const net *n, uint32_t j) {
    double worst = 0;
    for (uint32_t s = j; s < N_SYN; s += N_POST)
        for (uint32_t q = j; q < N_SYN; q += N_POST) {
            const double before = (double)W0[s] / W0[q];
            const double after = (double)n->weights[s] / n->weights[q];
            const double e = fabs(after / before - 1.0);
            if (e > worst) worst = e;
        }
    return worst;
}

/* Float rounding of one rescaling: half an ulp, 2^-24 relative; a ratio of two: 2^-23. */
static const double ONE_ROUNDING = 1.0 / 16777216.0;

static void test_descriptor(void) {
    const rewire_learning_rule_v1 *fn = plugin->desc->functions;
    CHECK(fn->flags == (REWIRE_RULE_NEEDS_POST_INDEX | REWIRE_RULE_ON_SLICE) && fn->on_slice &&
              fn->n_syn_state == 0,
          "asks for the post index and on_slice, keeps no per-synapse state");
    CHECK((spec("target_rate")->flags & REWIRE_PARAM_REQUIRED) &&
              spec("target_rate")->dim == REWIRE_DIM_FREQUENCY,
          "target_rate is a required frequency");
    CHECK(spec("tau_rate")->def_real == 10000.0 && spec("tau_scaling")->def_real == 1e6 &&
              spec("tau_rate")->dim == REWIRE_DIM_TIME && spec("tau_scaling")->dim == REWIRE_DIM_TIME,
          "defaults: tau_rate 10 s, tau_scaling 1000 s");
    CHECK(spec("w_min")->def_real == 0.0 && isinf(spec("w_max")->def_real) &&
              spec("w_max")->dim == REWIRE_DIM_WEIGHT,
          "weights bounded to [0, inf) by default, in the projection's weight unit");
}

/* One 10 ms slice: neuron 0 spikes 3 times, neuron 1 is silent. */
static void test_one_slice(void) {
    const params p = test_params();
    net n;
    build(&n);
    rule r;
    if (!rule_start(&r, &p, &n)) return;
    const int64_t steps[] = {10, 40, 70}; /* 1, 4, 7 ms */
    const double t_k[] = {1.0, 4.0, 7.0}, T = 10.0;
    slice(&r, &n, 0, 100, 0, steps, 3);
    const double f0 = exp(log_factor(1.0, T, a_integral(RHO, T, t_k, 3)));
    const double f1 = exp(log_factor(1.0, T, a_integral(RHO, T, NULL, 0)));
    TAP_NOTE("3 spikes in 10 ms (300 Hz against 10 Hz): factor %.9f; silent: %.9f", f0, f1);
    CHECK(worst_scaled(&n, 0, f0) <= ONE_ROUNDING,
          "3 spikes in a slice: every input of the neuron scaled by exp((rho T - int a)/(rho "
          "tau_s)) = %.6f (worst error %.2g)", f0, worst_scaled(&n, 0, f0));
    CHECK(worst_scaled(&n, 1, f1) <= ONE_ROUNDING,
          "silent neuron, sensor decaying from rho: scaled up by %.6f (worst error %.2g)", f1,
          worst_scaled(&n, 1, f1));
    CHECK(worst_ratio_change(&n, 0) <= 2 * ONE_ROUNDING && worst_ratio_change(&n, 1) <= 2 * ONE_ROUNDING,
          "relative weights onto each neuron kept to one float rounding (worst %.2g, %.2g)",
          worst_ratio_change(&n, 0), worst_ratio_change(&n, 1));
    r.fn->destroy(r.instance);
}

/* The same spikes over ten 1 ms slices: the sensor carries over, the result is the same. */
static void test_slicing(void) {
    const params p = test_params();
    net n;
    build(&n);
    rule r;
    if (!rule_start(&r, &p, &n)) return;
    const int64_t steps[] = {10, 40, 70};
    for (int64_t s0 = 0; s0 < 100; s0 += 10) {
        size_t k = 0;
        while (k < 3 && steps[k] < s0) k++;
        const bool spikes = k < 3 && steps[k] < s0 + 10;
        slice(&r, &n, s0, 10, 0, spikes ? &steps[k] : NULL, spikes ? 1 : 0);
    }
    const double t_k[] = {1.0, 4.0, 7.0}, T = 10.0;
    const double f0 = exp(log_factor(1.0, T, a_integral(RHO, T, t_k, 3)));
    const double f1 = exp(log_factor(1.0, T, a_integral(RHO, T, NULL, 0)));
    CHECK(worst_scaled(&n, 0, f0) <= 1e-6 && worst_scaled(&n, 1, f1) <= 1e-6,
          "ten 1 ms slices give one 10 ms slice's factors (worst error %.2g, %.2g)",
          worst_scaled(&n, 0, f0), worst_scaled(&n, 1, f1));
    /* Then 30 ms of silence: the sensor decays from its value at 10 ms. */
    for (int64_t s0 = 100; s0 < 400; s0 += 10) slice(&r, &n, s0, 10, 0, NULL, 0);
    const double a10 = a_end(RHO, T, t_k, 3);
    const double f0b = f0 * exp(log_factor(1.0, 30.0, a_integral(a10, 30.0, NULL, 0)));
    CHECK(worst_scaled(&n, 0, f0b) <= 1e-6,
          "the sensor carries over slices: 30 ms of silence after the spikes scale by %.6f "
          "in all (worst error %.2g)", f0b, worst_scaled(&n, 0, f0b));
    r.fn->destroy(r.instance);
}

/* Scaling slower than a float ulp per slice still happens: 100 s of 1 ms slices with
 * tau_scaling = 1e8 ms change each weight by ~1e-8 per slice (below half a float ulp:
 * 1 + 1e-8 rounds to 1), 1e-3 in all. */
static void test_slow_scaling(void) {
    params p = test_params();
    const double tau_s = 1e8;
    set_real(&p, "tau_scaling", tau_s);
    net n;
    build(&n);
    rule r;
    if (!rule_start(&r, &p, &n)) return;
    const int64_t slices = 100000, len = 10;
    for (int64_t k = 0; k < slices; k++) r.fn->on_slice(r.instance, &n.view, k * len, (k + 1) * len);
    const double T = (double)(slices * len) * DT;
    const double expected = (RHO * T - RHO * TAU_A * (1.0 - exp(-T / TAU_A))) / (RHO * tau_s);
    const double got = log((double)n.weights[0] / W0[0]);
    /* The rule applies factors once they pass 2^-14, so the weights may lag by that. */
    CHECK(fabs(got - expected) <= 1.0 / 16384.0 + 1e-7,
          "1e5 slices of ~1e-8 each add up: ln(w/w0) = %.4g, model %.4g (lag <= 2^-14)", got,
          expected);
    CHECK(got > 0.9 * expected, "slow scaling is not lost to float rounding (%.3g of %.3g)", got,
          expected);
    r.fn->destroy(r.instance);
}

/* A neuron firing regularly at exactly the target rate does not drift. */
static void test_no_drift_at_target(void) {
    const params p = test_params();
    net n;
    build(&n);
    rule r;
    if (!rule_start(&r, &p, &n)) return;
    const int64_t period = (int64_t)llround(1000.0 / RHO / DT), len = 10; /* 100 ms, 1 ms */
    float after_10[N_SYN] = {0};
    for (int64_t s0 = 0; s0 < 200 * period; s0 += len) {
        if (s0 == 10 * period) memcpy(after_10, n.weights, sizeof after_10);
        const int64_t spike = s0 + len / 2;
        const bool fires = s0 % period == 0;
        slice(&r, &n, s0, len, 0, fires ? &spike : NULL, fires ? 1 : 0);
    }
    /* After the sensor's transient (its start at rho is off the periodic orbit) the
     * factor of each period is exactly 1: one spike integrates to rho * period. */
    const double drift = fabs(log((double)n.weights[0] / after_10[0]));
    CHECK(drift <= 1.0 / 16384.0 + 1e-6,
          "firing at exactly 10 Hz for 20 s: ln w changes by %.2g after the first second "
          "(<= the 2^-14 application lag)", drift);
    r.fn->destroy(r.instance);
}

/* plasticity_gain multiplies the log factor; at 0 the sensor still follows the spikes. */
static void test_gain(void) {
    const params p = test_params();
    const double T = 10.0, silent = log_factor(1.0, T, a_integral(RHO, T, NULL, 0));
    for (int g = 0; g <= 2; g += 2) {
        net n;
        build(&n);
        n.view.plasticity_gain = (float)g;
        rule r;
        if (!rule_start(&r, &p, &n)) return;
        slice(&r, &n, 0, 100, 0, NULL, 0);
        CHECK(worst_scaled(&n, 0, exp(g * silent)) <= ONE_ROUNDING,
              "gain %d: factor exp(%d x %.3g)", g, g, silent);
        r.fn->destroy(r.instance);
    }
    net n;
    build(&n);
    n.view.plasticity_gain = 0.0f;
    rule r;
    if (!rule_start(&r, &p, &n)) return;
    const int64_t steps[] = {10, 40, 70};
    const double t_k[] = {1.0, 4.0, 7.0};
    slice(&r, &n, 0, 100, 0, steps, 3);
    const bool unchanged = n.weights[0] == W0[0];
    n.view.plasticity_gain = 1.0f;
    slice(&r, &n, 100, 100, 0, NULL, 0);
    const double f = exp(log_factor(1.0, T, a_integral(a_end(RHO, T, t_k, 3), T, NULL, 0)));
    CHECK(unchanged && worst_scaled(&n, 0, f) <= ONE_ROUNDING,
          "gain 0 keeps the weights but the sensor follows the spikes: the next slice at gain 1 "
          "scales by %.6f (from the sensor after the spikes)", f);
    r.fn->destroy(r.instance);
}

static void test_bounds_and_errors(void) {
    params p = test_params();
    set_real(&p, "w_max", 2.5);
    net n;
    build(&n);
    rule r;
    if (rule_start(&r, &p, &n)) {
        /* Silent for 100 ms with tau_s = 500 ms: factor ~1.15, so 3.0 would pass 2.5. */
        for (int64_t s0 = 0; s0 < 1000; s0 += 10) slice(&r, &n, s0, 10, 0, NULL, 0);
        const double f = exp(log_factor(1.0, 100.0, a_integral(RHO, 100.0, NULL, 0)));
        CHECK(n.weights[1] == 2.5f && fabs((double)n.weights[3] / (W0[3] * f) - 1) <= 1e-6,
              "w_max clips the input that would pass it (3 -> %.4g), the others scale by %.4f",
              (double)n.weights[1], f);
        r.fn->destroy(r.instance);
    }
    set_real(&p, "w_min", 2.5);
    void *instance = NULL;
    const rewire_learning_rule_v1 *fn = plugin->desc->functions;
    CHECK(fn->create(&fh.host, p.v, &n.view, &instance) == REWIRE_EINVAL &&
              strcmp(fh.last_error, "w_min (2.5) must be below w_max (2.5)") == 0,
          "create refuses w_min >= w_max: '%s'", fh.last_error);

    p = test_params();
    build(&n);
    n.view.col_offsets = NULL;
    n.view.col_synapses = NULL;
    fh.last_error[0] = '\0';
    int rc = fn->create(&fh.host, p.v, &n.view, &instance);
    if (rc == REWIRE_OK) {
        rc = fn->start(instance, &n.view);
        fn->destroy(instance);
    }
    CHECK(rc == REWIRE_EINVAL && strstr(fh.last_error, "no post index"),
          "start without the post index fails: '%s'", fh.last_error);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s HOMEOSTATIC_SCALING.so\n", argv[0]);
        return 2;
    }
    rw_registry *reg = NULL;
    plugin = load_plugin(argv[1], "homeostatic_scaling", &reg);
    if (!plugin || !fake_host_init(&fh, "projection 'p' rule 'homeostatic_scaling'", NULL)) {
        printf("Bail out! cannot load the homeostatic_scaling plugin from %s\n", argv[1]);
        rw_registry_free(reg);
        return 1;
    }
    test_descriptor();
    test_one_slice();
    test_slicing();
    test_slow_scaling();
    test_no_drift_at_target();
    test_gain();
    test_bounds_and_errors();
    fake_host_cleanup(&fh);
    rw_registry_free(reg);
    return tap_done();
}
