/* The triplet_stdp plugin driven through its function table as the kernel drives it:
 * the defaults of Pfister & Gerstner 2006 (Table 4), the pair window, the triplet terms
 * with their "just before the spike" convention, all-to-all summation of the slow
 * traces, bounds, w_max scaling, plasticity gain and several synapses.  Every expected
 * value is written from the paper's equations, not from the plugin.
 *
 * usage: test_triplet_stdp TRIPLET_STDP.so
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "unit/loader/fake_host.h"
#include "unit/loader/test_support.h"
#include "unit/learning/spike_rule_harness.h"

static const rw_plugin *plugin;
static fake_host fh;

/* The schema's defaults, with w_max = 1 and bounds far away so no check is clipped. */
static params defaults(void) {
    params p = schema_defaults();
    set_real(&p, "w_max", 1.0); /* required: no default */
    set_real(&p, "w_min", -1.0);
    return p;
}

/* One pre and one post spike, lag_ms = t_post - t_pre apart. */
static double pair(const params *p, double lag_ms) {
    const double t_pre = 200.0, t_post = t_pre + lag_ms;
    spike s[2] = {{t_pre, false, 0}, {t_post, true, 0}};
    if (t_post < t_pre) {
        s[0] = (spike){t_post, true, 0};
        s[1] = (spike){t_pre, false, 0};
    }
    return delta_w(p, 0.0f, s, 2, 1.0f);
}

static void test_descriptor(void) {
    const rewire_learning_rule_v1 *fn = plugin->desc->functions;
    CHECK(fn->flags & REWIRE_RULE_NEEDS_POST_INDEX, "triplet_stdp asks for the post index");
    CHECK(fn->n_syn_state == 0 && fn->on_slice == NULL && !(fn->flags & REWIRE_RULE_ON_SLICE),
          "event-driven only: no per-synapse state, no slice hook");
    const rewire_param_spec *w_max = &plugin->desc->params[param_index("w_max")];
    CHECK((w_max->flags & REWIRE_PARAM_REQUIRED) && w_max->dim == REWIRE_DIM_WEIGHT,
          "w_max is a required weight");
    /* Pfister & Gerstner 2006, Table 4, visual cortex, all-to-all, minimal model. */
    params p = defaults();
    CHECK(get_real(&p, "tau_plus") == 16.8 && get_real(&p, "tau_minus") == 33.7 &&
              get_real(&p, "tau_y") == 114.0 && get_real(&p, "A2_plus") == 0.0 &&
              get_real(&p, "A3_plus") == 6.5e-3 && get_real(&p, "A2_minus") == 7.1e-3 &&
              get_real(&p, "A3_minus") == 0.0,
          "defaults: minimal all-to-all visual-cortex fit (tau 16.8/33.7/114 ms, A2+ 0, "
          "A3+ 6.5e-3, A2- 7.1e-3, A3- 0)");
    const char *timed[] = {"tau_plus", "tau_minus", "tau_x", "tau_y"};
    bool times_ok = true;
    for (size_t k = 0; k < 4; k++) {
        const rewire_param_spec *s = &plugin->desc->params[param_index(timed[k])];
        times_ok = times_ok && s->dim == REWIRE_DIM_TIME && (s->flags & REWIRE_PARAM_MIN_EXCLUSIVE);
    }
    CHECK(times_ok, "the four time constants are positive times");

    net n;
    one_synapse(&n, 0.0f);
    n.view.col_offsets = NULL;
    n.view.col_synapses = NULL;
    void *instance = NULL;
    if (fn->create(&fh.host, p.v, &n.view, &instance) == REWIRE_OK) {
        CHECK(fn->start(instance, &n.view) == REWIRE_EINVAL && strstr(fh.last_error, "post index"),
              "start without a post index fails with a reason: '%s'", fh.last_error);
        fn->destroy(instance);
    } else {
        CHECK(0, "create with the defaults: %s", fh.last_error);
    }
    set_real(&p, "w_min", 2.0);
    instance = NULL;
    CHECK(fn->create(&fh.host, p.v, &n.view, &instance) == REWIRE_EINVAL &&
              strcmp(fh.last_error, "w_min (2) must be below w_max (1)") == 0,
          "create refuses w_min >= w_max: '%s'", fh.last_error);
}

/* A lone pair is pure pair STDP: the triplet terms read the slow trace of the spiking
 * neuron before its own increment, which is 0 for the first spike (the paper's t-). */
static void test_pair_window(void) {
    params p = defaults();
    set_real(&p, "A2_plus", 5e-3);
    set_real(&p, "A3_minus", 2.3e-4); /* triplet terms on: they must not touch a lone pair */
    const double a2p = 5e-3, a2m = get_real(&p, "A2_minus");
    const double tp = get_real(&p, "tau_plus"), tm = get_real(&p, "tau_minus");
    double worst = 0, worst_lag = 0;
    int points = 0;
    for (int k = -1000; k <= 1000; k++) {
        const double lag = k * 0.1; /* -100 .. 100 ms, every step of dt = 0.1 ms */
        const double expected = lag >= 0 ? a2p * exp(-lag / tp) : -a2m * exp(lag / tm);
        const double err = fabs(pair(&p, lag) - expected) / fabs(expected);
        if (!(err <= worst)) {
            worst = err;
            worst_lag = lag;
        }
        points++;
    }
    CHECK(worst <= 1e-6,
          "pair window over +-100 ms (%d lags): A2+ e^(-lag/tau_plus), -A2- e^(lag/tau_minus); "
          "worst relative error %.2g at %g ms",
          points, worst, worst_lag);
    CHECK_NEAR(pair(&p, 0.0), a2p, 1e-9, "same-step pre and post pair as pre before post: A2+");
    set_real(&p, "A2_plus", 0.0);
    CHECK(pair(&p, 10.0) == 0.0,
          "minimal model (A2+ = 0): a lone pre-post pair does not potentiate");
    CHECK_NEAR(pair(&p, -10.0), -a2m * exp(-10.0 / tm), 1e-9,
               "minimal model: a lone post-pre pair depresses by A2- e^(-10/tau_minus)");
}

/* post-pre-post: the second post spike's LTP is r1 * (A2+ + A3+ o2(t-)), o2 carrying the
 * first post spike (decayed with tau_y) but not the second. */
static void test_triplet_ltp(void) {
    params p = defaults();
    set_real(&p, "A2_plus", 1e-3);
    const double a2p = 1e-3, a3p = get_real(&p, "A3_plus"), a2m = get_real(&p, "A2_minus");
    const double tp = 16.8, tm = 33.7, ty = 114.0;
    const spike s[] = {{100.0, true, 0}, {130.0, false, 0}, {135.0, true, 0}};
    const double expected = -a2m * exp(-30.0 / tm) + exp(-5.0 / tp) * (a2p + a3p * exp(-35.0 / ty));
    CHECK_NEAR(delta_w(&p, 0.0f, s, 3, 1.0f), expected, 1e-9,
               "post-pre-post (30 ms, 5 ms): -A2- e^(-30/tau-) + e^(-5/tau+) (A2+ + A3+ e^(-35/tau_y))");
    set_real(&p, "tau_y", 40.0);
    const double expected40 = -a2m * exp(-30.0 / tm) + exp(-5.0 / tp) * (a2p + a3p * exp(-35.0 / 40.0));
    CHECK_NEAR(delta_w(&p, 0.0f, s, 3, 1.0f), expected40, 1e-9, "tau_y sets the reach of the triplet");

    /* all-to-all: o2 sums every earlier post spike; r1 every earlier pre spike. */
    set_real(&p, "tau_y", ty);
    const spike burst[] = {{100.0, true, 0}, {110.0, true, 0}, {120.0, true, 0},
                           {150.0, false, 0}, {160.0, true, 0}};
    const double o1 = exp(-50.0 / tm) + exp(-40.0 / tm) + exp(-30.0 / tm);
    const double o2 = exp(-60.0 / ty) + exp(-50.0 / ty) + exp(-40.0 / ty);
    const double first_ltp = 0.0; /* no pre spike yet: r1 = 0 for the three first posts */
    const double expected_burst = first_ltp - a2m * o1 + exp(-10.0 / tp) * (a2p + a3p * o2);
    CHECK_NEAR(delta_w(&p, 0.0f, burst, 5, 1.0f), expected_burst, 1e-9,
               "all-to-all: o1 and o2 sum three earlier post spikes");
}

/* pre-post-pre: the second pre spike's LTD is o1 * (A2- + A3- r2(t-)). */
static void test_triplet_ltd(void) {
    params p = defaults();
    set_real(&p, "A2_plus", 1e-3);
    set_real(&p, "A3_minus", 2.3e-4);
    const double a2p = 1e-3, a3p = get_real(&p, "A3_plus"), a2m = get_real(&p, "A2_minus");
    const double a3m = 2.3e-4, tp = 16.8, tm = 33.7, tx = get_real(&p, "tau_x");
    const spike s[] = {{100.0, false, 0}, {108.0, true, 0}, {120.0, false, 0}};
    /* post at 108: r1 = e^(-8/tau+), o2(t-) = 0 (first post spike): LTP = A2+ e^(-8/tau+). */
    const double expected =
        exp(-8.0 / tp) * (a2p + a3p * 0.0) - exp(-12.0 / tm) * (a2m + a3m * exp(-20.0 / tx));
    CHECK_NEAR(delta_w(&p, 0.0f, s, 3, 1.0f), expected, 1e-9,
               "pre-post-pre (8 ms, 12 ms): A2+ e^(-8/tau+) - e^(-12/tau-) (A2- + A3- e^(-20/tau_x))");
    set_real(&p, "tau_x", 20.0);
    const double expected20 =
        exp(-8.0 / tp) * a2p - exp(-12.0 / tm) * (a2m + a3m * exp(-20.0 / 20.0));
    CHECK_NEAR(delta_w(&p, 0.0f, s, 3, 1.0f), expected20, 1e-9, "tau_x sets the reach of the LTD triplet");
    set_real(&p, "A3_minus", 0.0);
    CHECK_NEAR(delta_w(&p, 0.0f, s, 3, 1.0f), exp(-8.0 / tp) * a2p - exp(-12.0 / tm) * a2m, 1e-9,
               "A3_minus = 0 (minimal model): no LTD triplet term");
}

static void test_bounds_and_gain(void) {
    params p = defaults();
    set_real(&p, "w_min", 0.0);
    set_real(&p, "w_max", 2.5);
    const double tm = 33.7, a2m = get_real(&p, "A2_minus");
    const spike post_pre[] = {{100.0, true, 0}, {110.0, false, 0}};
    const double ltd = -2.5 * a2m * exp(-10.0 / tm);
    CHECK_NEAR(delta_w(&p, 1.0f, post_pre, 2, 1.0f), ltd, 1e-7, "amplitudes are fractions of w_max");
    CHECK_NEAR(delta_w(&p, 1.0f, post_pre, 2, 0.5f), 0.5 * ltd, 1e-7, "plasticity_gain 0.5 halves LTD");
    const spike triplet[] = {{100.0, true, 0}, {110.0, false, 0}, {115.0, true, 0}};
    const double full = delta_w(&p, 1.0f, triplet, 3, 1.0f);
    CHECK_NEAR(delta_w(&p, 1.0f, triplet, 3, 3.0f), 3.0 * full, 1e-6,
               "plasticity_gain 3 triples the whole triplet change");
    CHECK(delta_w(&p, 1.0f, triplet, 3, 0.0f) == 0.0, "plasticity_gain 0 freezes the weights");
    CHECK_NEAR(delta_w(&p, 0.001f, post_pre, 2, 1.0f), -0.001, 1e-9, "LTD clips at w_min");
    set_real(&p, "A3_plus", 0.5);
    CHECK_NEAR(delta_w(&p, 2.4f, triplet, 3, 1.0f), 0.1, 1e-6, "LTP clips at w_max");

    /* The traces keep running while the gain is 0: a later pairing sees them. */
    p = defaults();
    net n;
    one_synapse(&n, 0.0f);
    rule r;
    if (rule_start(&r, &p, &n)) {
        n.view.plasticity_gain = 0.0f;
        const spike frozen[] = {{100.0, true, 0}, {110.0, false, 0}};
        play(&r, &n, frozen, 2);
        n.view.plasticity_gain = 1.0f;
        const spike live[] = {{115.0, true, 0}};
        play(&r, &n, live, 1);
        CHECK_NEAR(n.weights[0], exp(-5.0 / 16.8) * 6.5e-3 * exp(-15.0 / 114.0), 1e-9,
                   "traces built while the gain was 0 count after it is back");
        r.fn->destroy(r.instance);
    }
}

/* Several synapses with an unsorted post index: each synapse pairs with its own source's
 * r1 and its own target's o2. */
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
    rule r;
    if (!rule_start(&r, &p, &n)) {
        CHECK(0, "triplet_stdp starts on a 5-synapse projection");
        return;
    }
    const double a3p = 6.5e-3, a2m = 7.1e-3, tp = 16.8, tm = 33.7, ty = 114.0;
    /* Post 1 fires at 0 (sets o1, o2 of post 1 only); pres 0, 1, 2 at 10, 12, 14; post 1
     * again at 20, post 0 (first spike: o2 = 0, no LTP in the minimal model) at 22. */
    const spike s[] = {{0.0, true, 1},   {10.0, false, 0}, {12.0, false, 1},
                       {14.0, false, 2}, {20.0, true, 1},  {22.0, true, 0}};
    play(&r, &n, s, 6);
    const double o2 = exp(-20.0 / ty);
    const double want[5] = {
        -a2m * exp(-10.0 / tm) + exp(-10.0 / tp) * a3p * o2, /* s0: 0->1 */
        0.0,                                                 /* s1: 0->0 */
        -a2m * exp(-12.0 / tm) + exp(-8.0 / tp) * a3p * o2,  /* s2: 1->1 */
        0.0,                                                 /* s3: 2->0 */
        -a2m * exp(-14.0 / tm) + exp(-6.0 / tp) * a3p * o2,  /* s4: 2->1 */
    };
    double worst = 0;
    for (int k = 0; k < 5; k++) worst = fmax(worst, fabs(n.weights[k] - want[k]));
    CHECK(worst <= 1e-9, "each synapse uses its source's r1 and its target's o1/o2 (worst %.2g)", worst);

    /* The host moved the post index (same content, new array): sources still right. */
    uint32_t moved[5];
    memcpy(moved, col_syn, sizeof moved);
    n.view.col_synapses = moved;
    float before[5];
    memcpy(before, n.weights, sizeof before);
    const spike again[] = {{30.0, true, 0}};
    play(&r, &n, again, 1);
    /* post 0's second spike: o2 = e^(-8/tau_y); synapses onto 0 are s1 (from 0), s3 (from 2) */
    const double o2b = exp(-8.0 / ty);
    CHECK(fabs((n.weights[1] - before[1]) - exp(-20.0 / tp) * a3p * o2b) < 1e-9 &&
              fabs((n.weights[3] - before[3]) - exp(-16.0 / tp) * a3p * o2b) < 1e-9 &&
              n.weights[0] == before[0] && n.weights[2] == before[2] && n.weights[4] == before[4],
          "after the post index moved, a post spike changes only its own synapses, by their sources' r1");
    r.fn->destroy(r.instance);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s TRIPLET_STDP.so\n", argv[0]);
        return 2;
    }
    rw_registry *r;
    plugin = load_plugin(argv[1], "triplet_stdp", &r);
    if (!plugin || !fake_host_init(&fh, "projection 'p' rule 'triplet_stdp'", NULL)) {
        printf("Bail out! cannot load the triplet_stdp plugin from %s\n", argv[1]);
        rw_registry_free(r);
        return 1;
    }
    spike_harness_init(plugin, &fh);
    test_descriptor();
    test_pair_window();
    test_triplet_ltp();
    test_triplet_ltd();
    test_bounds_and_gain();
    test_many_synapses();
    fake_host_cleanup(&fh);
    rw_registry_free(r);
    return tap_done();
}
