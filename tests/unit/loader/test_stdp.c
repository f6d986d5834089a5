/* The stdp plugin, driven through its function table as the kernel drives it: the STDP
 * window, bounds, weight dependence, pairing scheme and plasticity gain.
 *
 * usage: test_stdp STDP.so
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_host.h"
#include "tap.h"
#include "test_support.h"
#include "unit/learning/spike_rule_harness.h"

static const rw_plugin *stdp;
static fake_host fh;

/* The rule's parameters by name, starting from the schema's defaults. */
/* The schema's defaults, with w_max = 1 (required: no default). */
static params defaults(void) {
    params p = schema_defaults();
    set_real(&p, "w_max", 1.0);
    return p;
}

/* A pre spike and a post spike dt_ms apart (post - pre), in time order. */
static double pair(const params *p, float w0, double lag_ms, float gain) {
    const double t_pre = 200.0, t_post = t_pre + lag_ms;
    spike s[2] = {{t_pre, false, 0}, {t_post, true, 0}};
    if (t_post < t_pre) {
        s[0] = (spike){t_post, true, 0};
        s[1] = (spike){t_pre, false, 0};
    }
    return delta_w(p, w0, s, 2, gain);
}

static void test_window(void) {
    params p = defaults();
    /* Bounds far away and w0 = 0, so the float weight holds the change to 6e-8. */
    set_real(&p, "w_min", -1.0);
    set_real(&p, "w_max", 1.0);
    const double a_plus = get_real(&p, "A_plus"), a_minus = get_real(&p, "A_minus");
    const double tau_plus = get_real(&p, "tau_plus"), tau_minus = get_real(&p, "tau_minus");
    CHECK(a_plus == 0.01 && a_minus == 0.0105 && tau_plus == 20.0 && tau_minus == 20.0,
          "defaults: A_plus 0.01, A_minus 0.0105, tau 20 ms");
    double worst = 0, worst_lag = 0;
    int points = 0;
    for (int k = -1000; k <= 1000; k++) {
        const double lag = k * 0.1; /* -100 .. 100 ms, every step of dt = 0.1 ms */
        const double expected = lag >= 0 ? a_plus * exp(-lag / tau_plus)
                                         : -a_minus * exp(lag / tau_minus);
        const double err = fabs(pair(&p, 0.0f, lag, 1.0f) - expected) / fabs(expected);
        if (!(err <= worst)) {
            worst = err;
            worst_lag = lag;
        }
        points++;
    }
    CHECK(worst <= 1e-6, "window over +-100 ms (%d lags): worst relative error %.2g at %g ms",
          points, worst, worst_lag);
    CHECK_NEAR(pair(&p, 0.0f, 0.0, 1.0f), a_plus, 1e-9,
               "same-step pre and post: pre before post (Brian2 order), LTP of A_plus");
    set_real(&p, "w_max", 2.5);
    set_real(&p, "w_min", -2.5);
    CHECK_NEAR(pair(&p, 0.0f, 10.0, 1.0f), 2.5 * a_plus * exp(-10.0 / tau_plus), 1e-7,
               "amplitudes are fractions of w_max");
    set_real(&p, "tau_plus", 10.0);
    set_real(&p, "tau_minus", 40.0);
    CHECK_NEAR(pair(&p, 0.0f, 10.0, 1.0f), 2.5 * a_plus * exp(-1.0), 1e-7, "tau_plus shapes LTP");
    CHECK_NEAR(pair(&p, 0.0f, -10.0, 1.0f), -2.5 * a_minus * exp(-0.25), 1e-7, "tau_minus shapes LTD");
}

static void test_bounds(void) {
    params p = defaults();
    set_real(&p, "w_min", 0.0);
    set_real(&p, "w_max", 1.0);
    net n;
    one_synapse(&n, 0.995f);
    rule r;
    if (rule_start(&r, &p, &n)) {
        spike s[2] = {{10.0, false, 0}, {11.0, true, 0}};
        play(&r, &n, s, 2);
        CHECK(n.weights[0] == 1.0f, "LTP clips at w_max (w = %.9g)", (double)n.weights[0]);
        r.fn->destroy(r.instance);
    }
    CHECK_NEAR(pair(&p, 0.001f, -1.0, 1.0f), -0.001, 1e-9, "LTD clips at w_min");
    set_real(&p, "w_min", -0.5);
    CHECK_NEAR(pair(&p, -0.499f, -1.0, 1.0f), -0.001, 1e-7, "a negative w_min bounds too");

    set_real(&p, "w_min", 1.0);
    void *instance = NULL;
    one_synapse(&n, 0.5f);
    const rewire_learning_rule_v1 *fn = stdp->desc->functions;
    CHECK(fn->create(&fh.host, p.v, &n.view, &instance) == REWIRE_EINVAL &&
              strcmp(fh.last_error, "w_min (1) must be below w_max (1)") == 0,
          "create refuses w_min >= w_max: '%s'", fh.last_error);
}

static void test_multiplicative(void) {
    params p = defaults();
    set_real(&p, "w_min", 0.0);
    set_real(&p, "w_max", 2.0);
    set_choice(&p, "weight_dependence", "multiplicative");
    const double a_plus = get_real(&p, "A_plus"), a_minus = get_real(&p, "A_minus");
    const double w0 = 0.5; /* exact in float */
    CHECK_NEAR(pair(&p, (float)w0, 5.0, 1.0f), a_plus * (2.0 - w0) * exp(-5.0 / 20.0), 2e-7,
               "multiplicative LTP scales with w_max - w");
    CHECK_NEAR(pair(&p, (float)w0, -5.0, 1.0f), -a_minus * (w0 - 0.0) * exp(-5.0 / 20.0), 2e-7,
               "multiplicative LTD scales with w - w_min");
    set_real(&p, "w_min", 0.25);
    CHECK_NEAR(pair(&p, (float)w0, -5.0, 1.0f), -a_minus * (w0 - 0.25) * exp(-5.0 / 20.0), 2e-7,
               "multiplicative LTD vanishes toward w_min");
    CHECK_NEAR(pair(&p, 2.0f, 5.0, 1.0f), 0.0, 1e-9, "multiplicative LTP vanishes at w_max");
}

static void test_pairing(void) {
    params p = defaults();
    set_real(&p, "w_min", -1.0);
    const double a_plus = get_real(&p, "A_plus"), a_minus = get_real(&p, "A_minus");
    const spike pre_pre_post[] = {{100.0, false, 0}, {110.0, false, 0}, {115.0, true, 0}};
    const spike post_post_pre[] = {{100.0, true, 0}, {110.0, true, 0}, {115.0, false, 0}};
    const double e15 = exp(-15.0 / 20.0), e5 = exp(-5.0 / 20.0);
    CHECK_NEAR(delta_w(&p, 0.0f, pre_pre_post, 3, 1.0f), a_plus * (e15 + e5), 1e-8,
               "all_to_all: a post spike pairs with both earlier pre spikes");
    CHECK_NEAR(delta_w(&p, 0.0f, post_post_pre, 3, 1.0f), -a_minus * (e15 + e5), 1e-8,
               "all_to_all: a pre spike pairs with both earlier post spikes");
    set_choice(&p, "pairing", "nearest");
    CHECK_NEAR(delta_w(&p, 0.0f, pre_pre_post, 3, 1.0f), a_plus * e5, 1e-8,
               "nearest: a post spike pairs only with the nearest pre spike");
    CHECK_NEAR(delta_w(&p, 0.0f, post_post_pre, 3, 1.0f), -a_minus * e5, 1e-8,
               "nearest: a pre spike pairs only with the nearest post spike");
    /* Symmetric scheme: each of two post spikes pairs with the one pre spike before. */
    const spike pre_post_post[] = {{100.0, false, 0}, {105.0, true, 0}, {110.0, true, 0}};
    CHECK_NEAR(delta_w(&p, 0.0f, pre_post_post, 3, 1.0f), a_plus * (e5 + exp(-10.0 / 20.0)), 1e-8,
               "nearest (symmetric): both post spikes pair with the preceding pre spike");
}

static void test_gain(void) {
    params p = defaults();
    set_real(&p, "w_min", -1.0);
    const double full = pair(&p, 0.0f, 10.0, 1.0f);
    CHECK_NEAR(pair(&p, 0.0f, 10.0, 0.5f), 0.5 * full, 1e-9, "plasticity_gain 0.5 halves LTP");
    CHECK_NEAR(pair(&p, 0.0f, -10.0, 3.0f), 3.0 * pair(&p, 0.0f, -10.0, 1.0f), 1e-8,
               "plasticity_gain 3 triples LTD");
    CHECK(pair(&p, 0.25f, 10.0, 0.0f) == 0.0, "plasticity_gain 0 freezes the weights");
}

/* Several synapses with an unsorted post index: each synapse pairs with its own source,
 * also after the host moved the post index (the rule rebuilds its source table). */
static void test_many_synapses(void) {
    /* s0: 0->1, s1: 0->0, s2: 1->1, s3: 2->0, s4: 2->1 */
    net n;
    memset(&n, 0, sizeof n);
    const uint32_t rows[] = {0, 2, 3, 5}, targets[] = {1, 0, 1, 0, 1};
    const uint32_t cols[] = {0, 2, 5}, col_syn[] = {3, 1, 4, 0, 2};
    memcpy(n.row_offsets, rows, sizeof rows);
    memcpy(n.targets, targets, sizeof targets);
    memcpy(n.col_offsets, cols, sizeof cols);
    memcpy(n.col_synapses, col_syn, sizeof col_syn);
    n.view = (rewire_projection_view){
        .struct_size = sizeof(rewire_projection_view), .n_pre = 3, .n_post = 2, .n_syn = 5,
        .row_offsets = n.row_offsets, .targets = n.targets, .weights = n.weights,
        .delays = n.delays, .col_offsets = n.col_offsets, .col_synapses = n.col_synapses,
        .dt = 0.1, .plasticity_gain = 1.0f};
    params p = defaults();
    set_real(&p, "w_min", -1.0);
    const double a = get_real(&p, "A_plus");
    rule r;
    if (!rule_start(&r, &p, &n)) {
        CHECK(0, "stdp starts on a 5-synapse projection");
        return;
    }
    const spike pres[] = {{0.0, false, 0}, {2.0, false, 1}, {4.0, false, 2}, {10.0, true, 1}};
    play(&r, &n, pres, 4);
    CHECK(fabs(n.weights[0] - a * exp(-10.0 / 20)) < 1e-9 &&
              fabs(n.weights[2] - a * exp(-8.0 / 20)) < 1e-9 &&
              fabs(n.weights[4] - a * exp(-6.0 / 20)) < 1e-9 && n.weights[1] == 0 && n.weights[3] == 0,
          "a post spike potentiates each incoming synapse by its own source's trace");

    /* The host moved the post index (same content, new array). */
    uint32_t moved[5];
    memcpy(moved, col_syn, sizeof moved);
    n.view.col_synapses = moved;
    const spike post0[] = {{12.0, true, 0}};
    play(&r, &n, post0, 1);
    CHECK(fabs(n.weights[1] - a * exp(-12.0 / 20)) < 1e-9 && fabs(n.weights[3] - a * exp(-8.0 / 20)) < 1e-9,
          "after the post index moved, sources are still right");
    r.fn->destroy(r.instance);
}

static void test_descriptor(void) {
    const rewire_learning_rule_v1 *fn = stdp->desc->functions;
    CHECK(fn->flags & REWIRE_RULE_NEEDS_POST_INDEX, "stdp asks for the post index");
    const rewire_param_spec *w_max = &stdp->desc->params[param_index("w_max")];
    CHECK((w_max->flags & REWIRE_PARAM_REQUIRED) && w_max->dim == REWIRE_DIM_WEIGHT,
          "w_max is a required weight");
    net n;
    one_synapse(&n, 0.0f);
    n.view.col_offsets = NULL;
    n.view.col_synapses = NULL;
    params p = defaults();
    void *instance = NULL;
    int rc = fn->create(&fh.host, p.v, &n.view, &instance);
    if (rc == REWIRE_OK) {
        CHECK(fn->start(instance, &n.view) == REWIRE_EINVAL && strstr(fh.last_error, "post index"),
              "start without a post index fails with a reason: '%s'", fh.last_error);
        fn->destroy(instance);
    }
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s STDP.so\n", argv[0]);
        return 2;
    }
    rw_registry *r;
    stdp = load_plugin(argv[1], "stdp", &r);
    if (!stdp || !fake_host_init(&fh, "projection 'p' rule 'stdp'", NULL)) {
        printf("Bail out! cannot load the stdp plugin from %s\n", argv[1]);
        rw_registry_free(r);
        return 1;
    }
    spike_harness_init(stdp, &fh);
    test_descriptor();
    test_window();
    test_bounds();
    test_multiplicative();
    test_pairing();
    test_gain();
    test_many_synapses();
    fake_host_cleanup(&fh);
    rw_registry_free(r);
    return tap_done();
}
