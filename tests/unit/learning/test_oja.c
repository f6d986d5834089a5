/* The oja plugin, driven through its function table as the kernel drives it: the exact
 * update of one slice, its fixed point, plasticity gain, bounds, several synapses and the
 * errors of create().  Convergence to the first principal component is in
 * tests/science/test_oja_pca.c.
 *
 * Expected values are computed here from dw/dt = eta y (x - y w) (time in s, rates in
 * Hz), one Euler step per slice.
 *
 * usage: test_oja OJA.so
 */
#include "rate_rule_harness.h"
#include "tap.h"

static rate_rule oja;

static const double DT = 0.1;      /* ms */
static const int64_t SLICE = 10;   /* steps: T = 1 ms */
static const double T_S = 1e-3;    /* SLICE * DT in s */
/* A float weight in [0.25, 1) is stored to within half an ulp, 3e-8: the resolution of a
 * weight change read back from it. */
static const double W_RES = 3e-8;

static rule_params test_params(double eta) {
    rule_params p = rule_defaults(&oja);
    rule_set(&oja, &p, "eta", eta);
    return p;
}

static void test_descriptor(void) {
    const rewire_learning_rule_v1 *fn = rate_rule_fn(&oja);
    CHECK(fn->flags == REWIRE_RULE_ON_SLICE && fn->on_slice,
          "oja asks for on_slice and for no post index");
    rule_params p = rule_defaults(&oja);
    CHECK(isinf(rule_get(&oja, &p, "w_min")) && rule_get(&oja, &p, "w_min") < 0 &&
              isinf(rule_get(&oja, &p, "w_max")) && rule_get(&oja, &p, "w_max") > 0,
          "weights are unbounded by default (the rule normalises itself)");
}

static void test_needs_rates(void) {
    const rewire_learning_rule_v1 *fn = rate_rule_fn(&oja);
    rule_params p = test_params(1e-3);
    rate_net n;
    rate_net_all_to_all(&n, 2, 1, DT);
    void *instance = NULL;
    n.view.pre_population = "cells";
    n.view.post_rate = NULL;
    int rc = fn->create(&oja.fh.host, p.v, &n.view, &instance);
    CHECK(rc == REWIRE_EINVAL &&
              strcmp(oja.fh.last_error,
                     "oja needs rate populations (model: rate / rate_input) at both ends of "
                     "projection 'p': population 'out' (post) has no rates") == 0,
          "create refuses a spiking post population: '%s'", oja.fh.last_error);
    if (rc == REWIRE_OK) fn->destroy(instance);
    n.view.post_rate = n.post_rate;
    n.view.pre_rate = NULL;
    rc = fn->create(&oja.fh.host, p.v, &n.view, &instance);
    CHECK(rc == REWIRE_EINVAL && strstr(oja.fh.last_error, "population 'cells' (pre) has no rates"),
          "create refuses a spiking pre population: '%s'", oja.fh.last_error);
    if (rc == REWIRE_OK) fn->destroy(instance);
    n.view.pre_rate = n.pre_rate;
    n.view.struct_size = (uint32_t)offsetof(rewire_projection_view, pre_rate);
    rc = fn->create(&oja.fh.host, p.v, &n.view, &instance);
    CHECK(rc == REWIRE_ENOTSUP && strstr(oja.fh.last_error, "ABI 1.0"),
          "create refuses an ABI 1.0 view (no rate fields): '%s'", oja.fh.last_error);
    if (rc == REWIRE_OK) fn->destroy(instance);
    rate_net_free(&n);
}

/* A linear neuron over a few slices: each step is dw = eta T y (x - y w). */
static void test_exact_updates(void) {
    const double eta = 2e-3;
    rule_params p = test_params(eta);
    rate_net n;
    rate_net_all_to_all(&n, 3, 1, DT);
    const float w0[3] = {0.5f, -0.25f, 1.0f};
    memcpy(n.weights, w0, sizeof w0);
    rule_run run;
    if (!rule_run_start(&run, &oja, &p, &n)) {
        CHECK(0, "oja starts on a 3-synapse projection");
        rate_net_free(&n);
        return;
    }
    const double xs[4][3] = {{10, 0, 5}, {-3, 8, 2}, {7, 7, 7}, {0, -12, 4}};
    double worst = 0;
    for (int k = 0; k < 4; k++) {
        double y = 0, before[3];
        for (int i = 0; i < 3; i++) {
            n.pre_rate[i] = xs[k][i];
            before[i] = n.weights[i];
            y += before[i] * xs[k][i];
        }
        n.post_rate[0] = y;
        rule_run_slice(&run, &n, SLICE);
        for (int i = 0; i < 3; i++) {
            const double expected = eta * T_S * y * (xs[k][i] - y * before[i]);
            const double err = fabs(((double)n.weights[i] - before[i]) - expected);
            if (err > worst) worst = err;
        }
    }
    CHECK(worst <= 2e-7, "4 slices of a 3-input linear neuron: dw_i = eta T y (x_i - y w_i) "
                         "(worst error %.2g)", worst);
    /* the first step by hand: y = 0.5*10 + 1*5 = 10, dw_0 = 2e-6 * 10 * (10 - 10*0.5) = 1e-4 */
    rule_run_end(&run);
    memcpy(n.weights, w0, sizeof w0);
    if (!rule_run_start(&run, &oja, &p, &n)) {
        rate_net_free(&n);
        return;
    }
    n.pre_rate[0] = 10, n.pre_rate[1] = 0, n.pre_rate[2] = 5;
    n.post_rate[0] = 10;
    rule_run_slice(&run, &n, SLICE);
    CHECK_NEAR((double)n.weights[0] - 0.5, 1e-4, W_RES, "dw_0 = eta T y (x_0 - y w_0) = 1e-4");
    CHECK_NEAR((double)n.weights[1] + 0.25, 2e-6 * 10 * (0 + 10 * 0.25), W_RES,
               "a silent input decays as -eta T y^2 w (here up from -0.25)");
    rule_run_end(&run);
    rate_net_free(&n);
}

/* w = x / |x| with y = w . x = |x| is a fixed point for that input: the Hebbian growth
 * y x and the decay y^2 w cancel exactly. */
static void test_fixed_point(void) {
    rule_params p = test_params(1e-2);
    rate_net n;
    rate_net_all_to_all(&n, 2, 1, DT);
    n.weights[0] = 0.6f, n.weights[1] = 0.8f;
    n.pre_rate[0] = 30, n.pre_rate[1] = 40;
    n.post_rate[0] = 0.6 * 30 + 0.8 * 40; /* 50 = |x| */
    rule_run run;
    if (!rule_run_start(&run, &oja, &p, &n)) {
        CHECK(0, "oja starts");
        rate_net_free(&n);
        return;
    }
    for (int k = 0; k < 100; k++) rule_run_slice(&run, &n, SLICE);
    CHECK(fabs(n.weights[0] - 0.6) < 1e-6 && fabs(n.weights[1] - 0.8) < 1e-6,
          "w = x/|x| stays put (%.8f, %.8f)", (double)n.weights[0], (double)n.weights[1]);
    /* From twice that norm the decay wins: dw = eta T y (x - y w) with y = 100, w = 2 x/|x|. */
    n.weights[0] = 1.2f, n.weights[1] = 1.6f;
    n.post_rate[0] = 100;
    rule_run_slice(&run, &n, SLICE);
    CHECK_NEAR((double)n.weights[0], 1.2 + 1e-5 * 100 * (30 - 100 * 1.2), 1e-6,
               "a weight vector longer than 1 shrinks along itself");
    rule_run_end(&run);
    rate_net_free(&n);
}

static double one_slice(rule_params p, float w0, double x, double y, float gain) {
    rate_net n;
    rate_net_all_to_all(&n, 1, 1, DT);
    n.weights[0] = w0;
    n.pre_rate[0] = x;
    n.post_rate[0] = y;
    n.view.plasticity_gain = gain;
    rule_run run;
    if (!rule_run_start(&run, &oja, &p, &n)) {
        rate_net_free(&n);
        return NAN;
    }
    rule_run_slice(&run, &n, SLICE);
    rule_run_end(&run);
    const double dw = (double)n.weights[0] - (double)w0;
    rate_net_free(&n);
    return dw;
}

static void test_gain_and_bounds(void) {
    rule_params p = test_params(1e-3);
    const double full = one_slice(p, 0.5f, 20.0, 10.0, 1.0f); /* 1e-6 * 10 * 15 = 1.5e-4 */
    CHECK_NEAR(full, 1.5e-4, W_RES, "dw = eta T y (x - y w) = 1.5e-4");
    CHECK_NEAR(one_slice(p, 0.5f, 20.0, 10.0, 0.5f), 0.5 * full, 2 * W_RES, "plasticity_gain 0.5 halves dw");
    CHECK(one_slice(p, 0.5f, 20.0, 10.0, 0.0f) == 0.0, "plasticity_gain 0 freezes the weights");
    CHECK(one_slice(p, 0.5f, 20.0, 0.0, 1.0f) == 0.0, "a silent post neuron changes nothing");
    rule_set(&oja, &p, "w_max", 0.5001);
    CHECK_NEAR(one_slice(p, 0.5f, 20.0, 10.0, 1.0f), 1e-4, 1e-7, "w_max bounds when given");
    rule_set(&oja, &p, "w_min", 0.4999);
    /* x = 0, y = 20: dw = -eta T y^2 w = -2e-4, stopped at 0.4999 */
    CHECK_NEAR(one_slice(p, 0.5f, 0.0, 20.0, 1.0f), -1e-4, 1e-7, "w_min bounds when given");
}

/* Rows of different lengths onto two post neurons. */
static void test_many_synapses(void) {
    /* s0: 0->1, s1: 1->0, s2: 1->1, s3: 2->0 */
    uint32_t rows[] = {0, 1, 3, 4}, targets[] = {1, 0, 1, 0};
    uint16_t delays[4] = {1, 1, 1, 1};
    float w[4] = {0.1f, 0.2f, 0.3f, 0.4f};
    double x[3] = {10, -20, 30}, y[2] = {5, -7};
    rate_net holder = {.view = {
        .struct_size = sizeof(rewire_projection_view), .name = "p", .pre_population = "in",
        .post_population = "out", .n_pre = 3, .n_post = 2, .n_syn = 4, .row_offsets = rows,
        .targets = targets, .weights = w, .delays = delays, .dt = DT, .plasticity_gain = 1.0f,
        .pre_rate = x, .post_rate = y}};
    const double eta = 1e-2;
    rule_params p = test_params(eta);
    rule_run run;
    if (!rule_run_start(&run, &oja, &p, &holder)) {
        CHECK(0, "oja starts on a 4-synapse projection");
        return;
    }
    const float w0[4] = {0.1f, 0.2f, 0.3f, 0.4f};
    rule_run_slice(&run, &holder, SLICE);
    const uint32_t source[4] = {0, 1, 1, 2};
    double worst = 0;
    for (int s = 0; s < 4; s++) {
        const double yj = y[targets[s]];
        const double expected = eta * T_S * yj * (x[source[s]] - yj * w0[s]);
        const double err = fabs(((double)w[s] - w0[s]) - expected);
        if (err > worst) worst = err;
    }
    CHECK(worst <= 1e-8, "4 synapses: each uses its own x_i and y_j (worst error %.2g)", worst);
    rule_run_end(&run);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s OJA.so\n", argv[0]);
        return 2;
    }
    rate_rule_load(&oja, argv[1], "oja");
    test_descriptor();
    test_needs_rates();
    test_exact_updates();
    test_fixed_point();
    test_gain_and_bounds();
    test_many_synapses();
    rate_rule_unload(&oja);
    return tap_done();
}
