/* The bcm plugin, driven through its function table as the kernel drives it: the exact
 * update of one slice, the sliding threshold, plasticity gain, bounds, several synapses
 * and the errors of create().  The emergence of selectivity is in
 * tests/science/test_bcm_selectivity.c.
 *
 * Expected values are computed here from the equations of the README
 *   dw/dt = eta x y (y - theta),   tau_theta dtheta/dt = y^2 / y0 - theta
 * (time in s, rates in Hz): w by one Euler step per slice with theta before the slice,
 * theta by its exact solution under constant y.
 *
 * usage: test_bcm BCM.so
 */
#include "rate_rule_harness.h"
#include "tap.h"

static rate_rule bcm;

/* Parameters chosen so that one slice changes w by ~0.1 (float keeps it to ~1e-7). */
static rule_params test_params(void) {
    rule_params p = rule_defaults(&bcm);
    rule_set(&bcm, &p, "eta", 1e-3);
    rule_set(&bcm, &p, "tau_theta", 50.0); /* ms */
    rule_set(&bcm, &p, "y0", 10.0);
    rule_set(&bcm, &p, "theta_init", 5.0);
    return p;
}

static const double DT = 0.1; /* ms */
static const int64_t SLICE = 10; /* steps: T = 1 ms */

static double theta_after(double theta, double y, double y0, double t_ms, double tau_ms) {
    const double target = y * y / y0;
    return target + (theta - target) * exp(-t_ms / tau_ms);
}

static void test_descriptor(void) {
    const rewire_learning_rule_v1 *fn = rate_rule_fn(&bcm);
    CHECK(fn->flags == REWIRE_RULE_ON_SLICE && fn->on_slice,
          "bcm asks for on_slice and for no post index");
    rule_params p = rule_defaults(&bcm);
    CHECK(rule_get(&bcm, &p, "w_min") == 0.0 && isinf(rule_get(&bcm, &p, "w_max")),
          "weights are bounded below by 0 and unbounded above by default");
    const rewire_param_spec *s = &bcm.plugin->desc->params[rule_param_index(&bcm, "tau_theta")];
    const rewire_param_spec *y0 = &bcm.plugin->desc->params[rule_param_index(&bcm, "y0")];
    CHECK(s->dim == REWIRE_DIM_TIME && y0->dim == REWIRE_DIM_FREQUENCY,
          "tau_theta is a time, y0 a rate");
}

/* create() refuses projections without rates, naming the end that lacks them. */
static void test_needs_rates(void) {
    const rewire_learning_rule_v1 *fn = rate_rule_fn(&bcm);
    rule_params p = test_params();
    rate_net n;
    rate_net_all_to_all(&n, 2, 1, DT);
    void *instance = NULL;
    struct {
        bool pre, post;
        const char *message;
    } cases[] = {
        {false, true, "bcm needs rate populations (model: rate / rate_input) at both ends of "
                      "projection 'p': population 'in' (pre) has no rates"},
        {true, false, "bcm needs rate populations (model: rate / rate_input) at both ends of "
                      "projection 'p': population 'out' (post) has no rates"},
        {false, false, "bcm needs rate populations (model: rate / rate_input) at both ends of "
                       "projection 'p': populations 'in' (pre) and 'out' (post) have no rates"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        n.view.pre_rate = cases[k].pre ? n.pre_rate : NULL;
        n.view.post_rate = cases[k].post ? n.post_rate : NULL;
        bcm.fh.last_error[0] = '\0';
        int rc = fn->create(&bcm.fh.host, p.v, &n.view, &instance);
        CHECK(rc == REWIRE_EINVAL && strcmp(bcm.fh.last_error, cases[k].message) == 0,
              "create refuses a projection without %s rates: '%s'",
              !cases[k].pre && !cases[k].post ? "pre and post" : (cases[k].pre ? "post" : "pre"),
              bcm.fh.last_error);
        if (rc == REWIRE_OK) fn->destroy(instance);
    }
    /* A 1.0 host's view ends before pre_rate: the rule must not read past it. */
    n.view.pre_rate = n.pre_rate;
    n.view.post_rate = n.post_rate;
    n.view.struct_size = (uint32_t)offsetof(rewire_projection_view, pre_rate);
    int rc = fn->create(&bcm.fh.host, p.v, &n.view, &instance);
    CHECK(rc == REWIRE_ENOTSUP && strstr(bcm.fh.last_error, "ABI 1.0"),
          "create refuses an ABI 1.0 view (no rate fields): '%s'", bcm.fh.last_error);
    if (rc == REWIRE_OK) fn->destroy(instance);
    n.view.struct_size = sizeof(rewire_projection_view);

    rule_set(&bcm, &p, "w_max", 0.0);
    rc = fn->create(&bcm.fh.host, p.v, &n.view, &instance);
    CHECK(rc == REWIRE_EINVAL && strcmp(bcm.fh.last_error, "w_min (0) must be below w_max (0)") == 0,
          "create refuses w_min >= w_max: '%s'", bcm.fh.last_error);
    if (rc == REWIRE_OK) fn->destroy(instance);
    rate_net_free(&n);
}

/* One synapse over several slices of constant rates: w and theta step by step. */
static void test_exact_updates(void) {
    rule_params p = test_params();
    const double eta = 1e-3, y0 = 10.0, tau = 50.0, t_ms = SLICE * DT, t_s = t_ms * 1e-3;
    rate_net n;
    rate_net_all_to_all(&n, 1, 1, DT);
    n.weights[0] = 2.0f;
    rule_run run;
    if (!rule_run_start(&run, &bcm, &p, &n)) {
        CHECK(0, "bcm starts on a 1-synapse projection");
        rate_net_free(&n);
        return;
    }
    const double x = 20.0, y = 15.0; /* theta 5 -> 22.5: LTP first, then LTD */
    n.pre_rate[0] = x;
    n.post_rate[0] = y;
    double theta = 5.0, worst = 0;
    bool ltp_then_ltd = true, crossed = false;
    for (int k = 0; k < 200; k++) {
        const double w_before = n.weights[0];
        const double expected = eta * t_s * x * y * (y - theta);
        rule_run_slice(&run, &n, SLICE);
        const double dw = (double)n.weights[0] - w_before;
        if (k == 0)
            CHECK_NEAR(dw, 1e-3 * 1e-3 * 20 * 15 * (15 - 5), 2e-7,
                       "first slice: dw = eta T x y (y - theta_init) = 3e-3");
        if (fabs(dw - expected) > worst) worst = fabs(dw - expected);
        if (dw < 0) crossed = true;
        if (crossed && dw > 0) ltp_then_ltd = false;
        theta = theta_after(theta, y, y0, t_ms, tau);
    }
    CHECK(worst <= 1e-6, "200 slices: each dw = eta T x y (y - theta) with theta relaxing to "
                         "y^2/y0 over tau_theta (worst error %.2g)", worst);
    CHECK(crossed && ltp_then_ltd,
          "y = 15 Hz above theta_init = 5 Hz potentiates, then theta passes y (-> 22.5 Hz) "
          "and the same activity depresses");
    rule_run_end(&run);
    rate_net_free(&n);
}

/* theta after a history of y (slices of steps_each steps), read out through the rule's
 * only output, the weights: a probing slice with x = 100 Hz, y = 10 Hz changes w by
 * eta T x y (10 - theta), so theta = 10 - dw / (eta T x y). */
static double theta_probe(const rule_params *p, const double *ys, int n_ys, int64_t steps_each,
                          float gain) {
    rate_net n;
    rate_net_all_to_all(&n, 1, 1, DT);
    n.weights[0] = 5.0f;
    rule_run run;
    if (!rule_run_start(&run, &bcm, p, &n)) {
        rate_net_free(&n);
        return NAN;
    }
    n.pre_rate[0] = 0.0; /* the history moves theta only, w stays at 5 */
    n.view.plasticity_gain = gain;
    for (int k = 0; k < n_ys; k++) {
        n.post_rate[0] = ys[k];
        rule_run_slice(&run, &n, steps_each);
    }
    n.view.plasticity_gain = 1.0f;
    n.pre_rate[0] = 100.0;
    n.post_rate[0] = 10.0;
    const double w_before = n.weights[0];
    rule_run_slice(&run, &n, SLICE);
    const double dw = (double)n.weights[0] - w_before;
    rule_run_end(&run);
    rate_net_free(&n);
    return 10.0 - dw / (1e-3 * (double)SLICE * DT * 1e-3 * 100.0 * 10.0);
}

static void test_threshold(void) {
    rule_params p = test_params();
    /* float weights near 5 resolve dw to 5e-7, i.e. theta to 5e-7 / (eta T x y) = 5e-4 Hz */
    const double tol = 1e-3;
    const double none[1] = {0};
    CHECK_NEAR(theta_probe(&p, none, 0, SLICE, 1.0f), 5.0, tol, "theta starts at theta_init");
    double ramp[30], expected = 5.0;
    for (int k = 0; k < 30; k++) {
        ramp[k] = 2.0 * k; /* 0 .. 58 Hz */
        expected = theta_after(expected, ramp[k], 10.0, SLICE * DT, 50.0);
    }
    CHECK_NEAR(theta_probe(&p, ramp, 30, SLICE, 1.0f), expected, tol,
               "theta is the running average of y^2/y0 over tau_theta (%.3f Hz after a ramp)",
               expected);
    /* One slice of 100 steps and 100 slices of 1 step with the same y give the same theta:
     * its update is the exact solution, not an Euler step. */
    const double y40[1] = {40.0};
    double y40s[100];
    for (int k = 0; k < 100; k++) y40s[k] = 40.0;
    const double one = theta_probe(&p, y40, 1, 100, 1.0f);
    const double many = theta_probe(&p, y40s, 100, 1, 1.0f);
    CHECK_NEAR(one, many, tol, "theta after 10 ms at 40 Hz: one slice %.4f, 100 slices %.4f", one,
               many);
    CHECK_NEAR(one, theta_after(5.0, 40.0, 10.0, 10.0, 50.0), tol,
               "theta after 10 ms at 40 Hz follows exp(-t/tau_theta) (%.4f Hz)", one);
    rule_set(&bcm, &p, "tau_theta", 5.0);
    CHECK_NEAR(theta_probe(&p, y40, 1, 100, 1.0f), theta_after(5.0, 40.0, 10.0, 10.0, 5.0), tol,
               "tau_theta sets the speed (5 ms: theta near y^2/y0 = 160 Hz after 10 ms)");
    rule_set(&bcm, &p, "tau_theta", 50.0);
    rule_set(&bcm, &p, "y0", 20.0);
    CHECK_NEAR(theta_probe(&p, y40, 1, 100, 1.0f), theta_after(5.0, 40.0, 20.0, 10.0, 50.0), tol,
               "y0 sets the target y^2/y0");
    rule_set(&bcm, &p, "y0", 10.0);
    CHECK_NEAR(theta_probe(&p, y40, 1, 100, 0.0f), theta_after(5.0, 40.0, 10.0, 10.0, 50.0), tol,
               "theta follows activity also at plasticity_gain 0");
}

/* The weight change of one slice from w0 with the given rates, theta_init and gain. */
static double one_slice(rule_params p, float w0, double x, double y, float gain) {
    rate_net n;
    rate_net_all_to_all(&n, 1, 1, DT);
    n.weights[0] = w0;
    n.pre_rate[0] = x;
    n.post_rate[0] = y;
    n.view.plasticity_gain = gain;
    rule_run run;
    if (!rule_run_start(&run, &bcm, &p, &n)) {
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
    rule_params p = test_params();
    const double full = one_slice(p, 1.0f, 20.0, 15.0, 1.0f);
    CHECK_NEAR(one_slice(p, 1.0f, 20.0, 15.0, 0.5f), 0.5 * full, 2e-7, "plasticity_gain 0.5 halves dw");
    CHECK_NEAR(one_slice(p, 1.0f, 20.0, 15.0, 3.0f), 3.0 * full, 4e-7, "plasticity_gain 3 triples dw");
    CHECK(one_slice(p, 1.0f, 20.0, 15.0, 0.0f) == 0.0, "plasticity_gain 0 freezes the weights");
    CHECK(one_slice(p, 1.0f, 20.0, 0.0, 1.0f) == 0.0 && one_slice(p, 1.0f, 0.0, 15.0, 1.0f) == 0.0,
          "a silent pre or post neuron changes nothing");
    /* y = 2 Hz below theta = 5 Hz: dw = eta T x y (y - theta) = -1.2e-4 */
    CHECK_NEAR(one_slice(p, 1e-4f, 20.0, 2.0, 1.0f), -1e-4, 1e-9, "LTD stops at w_min = 0");
    rule_set(&bcm, &p, "w_min", -1.0);
    CHECK_NEAR(one_slice(p, 1e-4f, 20.0, 2.0, 1.0f), -1.2e-4, 1e-9, "a lower w_min lets it go on");
    rule_set(&bcm, &p, "w_max", 1.001);
    CHECK_NEAR(one_slice(p, 1.0f, 20.0, 15.0, 1.0f), 0.001, 1e-7, "LTP stops at w_max");
}

/* Three pre neurons onto two post neurons with rows of different lengths: each synapse
 * pairs its own pre rate with its own post neuron's rate and threshold. */
static void test_many_synapses(void) {
    /* s0: 0->1, s1: 1->0, s2: 1->1, s3: 2->0 */
    uint32_t rows[] = {0, 1, 3, 4}, targets[] = {1, 0, 1, 0};
    uint16_t delays[4] = {1, 1, 1, 1};
    float w[4] = {1, 1, 1, 1};
    double x[3] = {10, 20, 30}, y[2] = {8, 30};
    rewire_projection_view v = {
        .struct_size = sizeof v, .name = "p", .pre_population = "in", .post_population = "out",
        .n_pre = 3, .n_post = 2, .n_syn = 4, .row_offsets = rows, .targets = targets,
        .weights = w, .delays = delays, .dt = DT, .plasticity_gain = 1.0f, .pre_rate = x,
        .post_rate = y};
    rule_params p = test_params();
    rule_set(&bcm, &p, "eta", 1e-4);
    rule_run run;
    rate_net holder = {.view = v};
    if (!rule_run_start(&run, &bcm, &p, &holder)) {
        CHECK(0, "bcm starts on a 4-synapse projection");
        return;
    }
    const double t_s = SLICE * DT * 1e-3, eta = 1e-4;
    double theta[2] = {5, 5}, worst = 0;
    for (int k = 0; k < 50; k++) {
        y[0] = 8 + k % 3;
        y[1] = 30 - k % 5;
        float before[4];
        memcpy(before, w, sizeof w);
        rule_run_slice(&run, &holder, SLICE);
        for (int s = 0; s < 4; s++) {
            const uint32_t i = s == 0 ? 0 : (s == 3 ? 2 : 1), j = targets[s];
            const double expected = eta * t_s * x[i] * y[j] * (y[j] - theta[j]);
            const double err = fabs(((double)w[s] - before[s]) - expected);
            if (err > worst) worst = err;
        }
        for (int j = 0; j < 2; j++) theta[j] = theta_after(theta[j], y[j], 10.0, SLICE * DT, 50.0);
    }
    CHECK(worst <= 2e-7, "4 synapses, 50 slices: each uses its own x_i, y_j and theta_j (worst error %.2g)",
          worst);
    rule_run_end(&run);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s BCM.so\n", argv[0]);
        return 2;
    }
    rate_rule_load(&bcm, argv[1], "bcm");
    test_descriptor();
    test_needs_rates();
    test_exact_updates();
    test_threshold();
    test_gain_and_bounds();
    test_many_synapses();
    rate_rule_unload(&bcm);
    return tap_done();
}
