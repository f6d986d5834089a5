/* The istdp plugin (Vogels et al. 2011), driven through its function table as the kernel
 * drives it: the symmetric window, the depression alpha = 2 rho0 tau per presynaptic
 * spike, trace accumulation, bounds, plasticity gain, several synapses, its errors.
 *
 *   pre spike:  w += eta * (x_post - alpha)      post spike:  w += eta * x_pre
 *
 * usage: test_istdp ISTDP.so
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit/loader/fake_host.h"
#include "tap.h"
#include "unit/loader/test_support.h"
#include "unit/learning/spike_rule_harness.h"

static const rw_plugin *istdp;
static fake_host fh;

/* Float weights near 1 round to 6e-8; a few updates stay well within this. */
#define TOL 3e-7

/* The schema's defaults plus the required eta = 0.01 and w_max = 10. */
static params defaults(void) {
    params p = schema_defaults();
    set_real(&p, "eta", 0.01);
    set_real(&p, "w_max", 10.0);
    return p;
}

/* alpha of the paper, from the parameters (rho0 in Hz, tau in ms). */
static double alpha_of(const params *p) { return 2.0 * get_real(p, "rho0") * get_real(p, "tau") / 1000.0; }

/* One pre and one post spike, lag = t_post - t_pre, from w0 = 1. */
static double pair(const params *p, double lag_ms) {
    const double t_pre = 200.0, t_post = t_pre + lag_ms;
    spike s[2] = {{t_pre, false, 0}, {t_post, true, 0}};
    if (t_post < t_pre) {
        s[0] = (spike){t_post, true, 0};
        s[1] = (spike){t_pre, false, 0};
    }
    return delta_w(p, 1.0f, s, 2, 1.0f);
}

static void test_descriptor(void) {
    const rewire_learning_rule_v1 *fn = istdp->desc->functions;
    CHECK(fn->flags & REWIRE_RULE_NEEDS_POST_INDEX, "istdp asks for the post index");
    const rewire_param_spec *ps = istdp->desc->params;
    const rewire_param_spec *eta = &ps[param_index("eta")], *w_max = &ps[param_index("w_max")];
    CHECK((eta->flags & REWIRE_PARAM_REQUIRED) && eta->dim == REWIRE_DIM_WEIGHT &&
              (w_max->flags & REWIRE_PARAM_REQUIRED) && w_max->dim == REWIRE_DIM_WEIGHT,
          "eta and w_max are required weights");
    CHECK(ps[param_index("tau")].dim == REWIRE_DIM_TIME && ps[param_index("tau")].def_real == 20.0 &&
              ps[param_index("rho0")].dim == REWIRE_DIM_FREQUENCY &&
              ps[param_index("rho0")].def_real == 3.0 && ps[param_index("w_min")].def_real == 0.0,
          "defaults of the paper: tau 20 ms, rho0 3 Hz, w_min 0");
}

static void test_window(void) {
    params p = defaults();
    const double eta = 0.01, a = alpha_of(&p), tau = 20.0;
    CHECK_NEAR(a, 0.12, 1e-12, "alpha = 2 rho0 tau = 2 * 3 Hz * 20 ms = 0.12");
    double worst = 0, worst_lag = 0;
    int points = 0;
    for (int k = -1000; k <= 1000; k++) {
        if (k == 0) continue;
        const double lag = k * 0.1; /* -100 .. 100 ms, every step */
        const double expected = eta * (exp(-fabs(lag) / tau) - a);
        const double err = fabs(pair(&p, lag) - expected);
        if (!(err <= worst)) {
            worst = err;
            worst_lag = lag;
        }
        points++;
    }
    CHECK(worst <= TOL, "symmetric window eta (exp(-|lag|/tau) - alpha) over +-100 ms (%d lags): "
          "worst error %.2g at %g ms", points, worst, worst_lag);
    CHECK_NEAR(pair(&p, 0.0), eta * (1.0 - a), TOL,
               "same-step pre and post: the post update sees the pre spike (eta (1 - alpha))");
    const spike pre_only[] = {{50.0, false, 0}};
    CHECK_NEAR(delta_w(&p, 1.0f, pre_only, 1, 1.0f), -eta * a, TOL,
               "a presynaptic spike alone depresses by eta alpha");
    const spike post_only[] = {{50.0, true, 0}};
    CHECK(delta_w(&p, 1.0f, post_only, 1, 1.0f) == 0.0, "a postsynaptic spike alone changes nothing");

    set_real(&p, "tau", 50.0);
    set_real(&p, "rho0", 10.0);
    set_real(&p, "eta", 0.02);
    CHECK_NEAR(alpha_of(&p), 1.0, 1e-12, "alpha = 2 * 10 Hz * 50 ms = 1");
    CHECK_NEAR(pair(&p, 25.0), 0.02 * (exp(-0.5) - 1.0), TOL, "tau, rho0 and eta set the window");
    CHECK_NEAR(pair(&p, -25.0), 0.02 * (exp(-0.5) - 1.0), TOL, "... symmetric in the lag");
    /* Past the decay table (8 tau): a far pair, alpha 0 to see the tiny trace alone. */
    set_real(&p, "tau", 20.0);
    set_real(&p, "rho0", 0.0);
    const spike far[] = {{0.0, false, 0}, {300.0, true, 0}};
    CHECK_NEAR(delta_w(&p, 0.0f, far, 2, 1.0f), 0.02 * exp(-15.0), 1e-14,
               "traces decay as exp(-t/tau) also past the table (300 ms = 15 tau)");
}

static void test_traces(void) {
    params p = defaults();
    const double eta = 0.01, a = alpha_of(&p);
    const double e5 = exp(-5.0 / 20), e15 = exp(-15.0 / 20);
    /* pre 100, pre 110, post 115: two pre updates (no post trace yet), then the post
     * spike reads the sum of both pre traces. */
    const spike pre_pre_post[] = {{100.0, false, 0}, {110.0, false, 0}, {115.0, true, 0}};
    CHECK_NEAR(delta_w(&p, 1.0f, pre_pre_post, 3, 1.0f), eta * (-2 * a + e15 + e5), TOL,
               "pre traces add up: a post spike pairs with every earlier pre spike");
    const spike post_post_pre[] = {{100.0, true, 0}, {110.0, true, 0}, {115.0, false, 0}};
    CHECK_NEAR(delta_w(&p, 1.0f, post_post_pre, 3, 1.0f), eta * (e15 + e5 - a), TOL,
               "post traces add up: a pre spike pairs with every earlier post spike");
    /* pre 100, post 105, pre 110, post 115 */
    const spike alternating[] = {{100.0, false, 0}, {105.0, true, 0}, {110.0, false, 0}, {115.0, true, 0}};
    const double expected = eta * (-a + e5 + (e5 - a) + (e15 + e5));
    CHECK_NEAR(delta_w(&p, 1.0f, alternating, 4, 1.0f), expected, TOL,
               "alternating pre/post: every update reads the decayed sum of the other side");
}

static void test_bounds_and_gain(void) {
    params p = defaults();
    const double eta = 0.01, a = alpha_of(&p);
    const spike pre_only[] = {{50.0, false, 0}};
    CHECK(delta_w(&p, 0.0005f, pre_only, 1, 1.0f) == -0.0005f, "depression clips at w_min = 0");
    set_real(&p, "w_min", 0.5);
    CHECK_NEAR(delta_w(&p, 0.5005f, pre_only, 1, 1.0f), -0.0005, 1e-7, "and at a positive w_min");
    set_real(&p, "w_min", 0.0);
    set_real(&p, "w_max", 1.0);
    const spike pre_post[] = {{50.0, false, 0}, {51.0, true, 0}};
    CHECK(delta_w(&p, 0.999f, pre_post, 2, 1.0f) == 1.0f - 0.999f, "potentiation clips at w_max");

    set_real(&p, "w_max", 10.0);
    const double full = eta * (exp(-1.0 / 20) - a);
    CHECK_NEAR(delta_w(&p, 1.0f, pre_post, 2, 0.5f), 0.5 * full, TOL, "plasticity_gain 0.5 halves a change");
    CHECK_NEAR(delta_w(&p, 1.0f, pre_post, 2, 3.0f), 3.0 * full, TOL, "plasticity_gain 3 triples it");
    CHECK(delta_w(&p, 1.0f, pre_post, 2, 0.0f) == 0.0, "plasticity_gain 0 freezes the weights");

    /* Traces keep running while the gain is 0: a pre spike then, a post spike after. */
    net n;
    one_synapse(&n, 1.0f);
    rule r;
    if (rule_start(&r, &p, &n)) {
        n.view.plasticity_gain = 0.0f;
        const spike pre[] = {{10.0, false, 0}};
        play(&r, &n, pre, 1);
        n.view.plasticity_gain = 1.0f;
        const spike post[] = {{20.0, true, 0}};
        play(&r, &n, post, 1);
        CHECK_NEAR((double)n.weights[0] - 1.0, eta * exp(-10.0 / 20), TOL,
                   "the pre trace of a spike at gain 0 still counts later");
        r.fn->destroy(r.instance);
    }
}

/* Several synapses, unsorted post index: each synapse reads its own source's and
 * target's traces, also after the host moved the post index. */
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
    for (int s = 0; s < 5; s++) n.weights[s] = 1.0f;
    n.view = (rewire_projection_view){
        .struct_size = sizeof(rewire_projection_view), .n_pre = 3, .n_post = 2, .n_syn = 5,
        .row_offsets = n.row_offsets, .targets = n.targets, .weights = n.weights,
        .delays = n.delays, .col_offsets = n.col_offsets, .col_synapses = n.col_synapses,
        .dt = 0.1, .plasticity_gain = 1.0f};
    params p = defaults();
    set_real(&p, "rho0", 0.0); /* alpha 0: only the pairings move the weights */
    const double eta = 0.01;
    rule r;
    if (!rule_start(&r, &p, &n)) {
        CHECK(0, "istdp starts on a 5-synapse projection");
        return;
    }
    const spike s1[] = {{0.0, false, 0}, {2.0, false, 1}, {4.0, false, 2}, {10.0, true, 1}};
    play(&r, &n, s1, 4);
    CHECK(fabs(n.weights[0] - 1 - eta * exp(-10.0 / 20)) < TOL &&
              fabs(n.weights[2] - 1 - eta * exp(-8.0 / 20)) < TOL &&
              fabs(n.weights[4] - 1 - eta * exp(-6.0 / 20)) < TOL && n.weights[1] == 1.0f &&
              n.weights[3] == 1.0f,
          "a post spike potentiates each incoming synapse by its own source's trace");
    uint32_t moved[5];
    memcpy(moved, col_syn, sizeof moved);
    n.view.col_synapses = moved;
    const spike s2[] = {{12.0, true, 0}};
    play(&r, &n, s2, 1);
    CHECK(fabs(n.weights[1] - 1 - eta * exp(-12.0 / 20)) < TOL &&
              fabs(n.weights[3] - 1 - eta * exp(-8.0 / 20)) < TOL,
          "after the post index moved, sources are still right");
    /* Neuron 2 fires again at 14 ms: its synapses read the traces of posts 0 (12 ms) and
     * 1 (10 ms). */
    const float w3 = n.weights[3], w4 = n.weights[4];
    const spike s3[] = {{14.0, false, 2}};
    play(&r, &n, s3, 1);
    CHECK(fabs(n.weights[3] - w3 - eta * exp(-2.0 / 20)) < TOL &&
              fabs(n.weights[4] - w4 - eta * exp(-4.0 / 20)) < TOL,
          "a pre spike reads each target's own post trace");
    r.fn->destroy(r.instance);
}

static void test_errors(void) {
    const rewire_learning_rule_v1 *fn = istdp->desc->functions;
    params p = defaults();
    net n;
    one_synapse(&n, 1.0f);
    void *instance = NULL;
    set_real(&p, "w_min", 10.0);
    CHECK(fn->create(&fh.host, p.v, &n.view, &instance) == REWIRE_EINVAL &&
              strcmp(fh.last_error, "w_min (10) must be below w_max (10)") == 0,
          "create refuses w_min >= w_max: '%s'", fh.last_error);

    p = defaults();
    one_synapse(&n, -0.5f);
    instance = NULL;
    if (fn->create(&fh.host, p.v, &n.view, &instance) == REWIRE_OK) {
        CHECK(fn->start(instance, &n.view) == REWIRE_EINVAL && strstr(fh.last_error, "negative weight"),
              "start refuses negative (current-based inhibitory) weights: '%s'", fh.last_error);
        fn->destroy(instance);
    }
    one_synapse(&n, 1.0f);
    n.view.col_offsets = NULL;
    n.view.col_synapses = NULL;
    instance = NULL;
    if (fn->create(&fh.host, p.v, &n.view, &instance) == REWIRE_OK) {
        CHECK(fn->start(instance, &n.view) == REWIRE_EINVAL && strstr(fh.last_error, "post index"),
              "start without a post index fails with a reason: '%s'", fh.last_error);
        fn->destroy(instance);
    }
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s ISTDP.so\n", argv[0]);
        return 2;
    }
    rw_registry *r;
    istdp = load_plugin(argv[1], "istdp", &r);
    if (!istdp || !fake_host_init(&fh, "projection 'inh_exc' rule 'istdp'", NULL)) {
        printf("Bail out! cannot load the istdp plugin from %s\n", argv[1]);
        rw_registry_free(r);
        return 1;
    }
    spike_harness_init(istdp, &fh);
    test_descriptor();
    test_window();
    test_traces();
    test_bounds_and_gain();
    test_many_synapses();
    test_errors();
    fake_host_cleanup(&fh);
    rw_registry_free(r);
    return tap_done();
}
