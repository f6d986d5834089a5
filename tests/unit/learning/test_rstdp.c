/* The rstdp plugin driven through its function table as the kernel drives it: one
 * pairing tags the synapse with the STDP window value, the tag decays with tau_c, the
 * weight stays put without dopamine and follows the exact integral of c * d with it,
 * whatever the slicing; gain, bounds and the descriptor.
 *
 * usage: test_rstdp RSTDP.so
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "unit/loader/fake_host.h"
#include "unit/loader/test_support.h"

static const rw_plugin *rstdp;
static fake_host fh;

typedef struct params {
    rewire_param_value v[16];
} params;

static int param_index(const char *name) {
    for (uint32_t i = 0; i < rstdp->desc->n_params; i++)
        if (strcmp(rstdp->desc->params[i].name, name) == 0) return (int)i;
    printf("Bail out! rstdp has no parameter '%s'\n", name);
    exit(1);
}

static params defaults(void) {
    params p;
    memset(&p, 0, sizeof p);
    for (uint32_t i = 0; i < rstdp->desc->n_params; i++) {
        const rewire_param_spec *s = &rstdp->desc->params[i];
        if (s->type == REWIRE_PARAM_REAL) p.v[i].real = s->def_real;
    }
    p.v[param_index("w_max")].real = 4.0; /* required: no default */
    return p;
}

static void set_real(params *p, const char *name, double x) { p->v[param_index(name)].real = x; }
static double get_real(const params *p, const char *name) { return p->v[param_index(name)].real; }

/* One pre neuron, one post neuron, one synapse, with its eligibility array. */
typedef struct net {
    uint32_t row_offsets[2], targets[1], col_offsets[2], col_synapses[1];
    uint16_t delays[1];
    float weights[1], eligibility[1];
    float *state[1];
    rewire_projection_view view;
} net;

static void one_synapse(net *n, float w) {
    memset(n, 0, sizeof *n);
    n->row_offsets[1] = 1;
    n->col_offsets[1] = 1;
    n->weights[0] = w;
    n->delays[0] = 1;
    n->state[0] = n->eligibility;
    n->view = (rewire_projection_view){
        .struct_size = sizeof(rewire_projection_view), .name = "p", .pre_population = "a",
        .post_population = "b", .n_pre = 1, .n_post = 1, .n_syn = 1,
        .row_offsets = n->row_offsets, .targets = n->targets, .weights = n->weights,
        .delays = n->delays, .col_offsets = n->col_offsets, .col_synapses = n->col_synapses,
        .n_syn_state = 1, .syn_state = n->state, .dt = 0.1, .plasticity_gain = 1.0f};
}

typedef struct rule {
    const rewire_learning_rule_v1 *fn;
    void *instance;
    int64_t next_step; /* first step not yet handed to on_slice */
} rule;

static bool rule_start(rule *r, const params *p, net *n) {
    r->fn = rstdp->desc->functions;
    r->instance = NULL;
    r->next_step = 0;
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

/* Close slices of `slice` steps up to step `until` (exclusive), as the kernel does. */
static void slices_until(rule *r, net *n, int64_t until, int64_t slice) {
    while (r->next_step < until) {
        int64_t end = r->next_step + slice < until ? r->next_step + slice : until;
        r->fn->on_slice(r->instance, &n->view, r->next_step, end);
        r->next_step = end;
    }
}

/* A spike at step `step`, after closing the slices before the slice that holds it. */
static void spike(rule *r, net *n, int64_t step, bool post, int64_t slice) {
    slices_until(r, n, step - step % slice, slice);
    const uint32_t zero = 0;
    if (post)
        r->fn->on_post(r->instance, &n->view, step, &zero, 1);
    else
        r->fn->on_pre(r->instance, &n->view, step, &zero, 1);
}

/* A pre and a post spike `lag_steps` apart (post - pre), starting at step 2000; slices
 * of `slice` steps closed up to step `until`.  The net is left for inspection. */
static bool pairing(rule *r, net *n, const params *p, float w0, int64_t lag_steps,
                    int64_t slice, int64_t until) {
    one_synapse(n, w0);
    if (!rule_start(r, p, n)) return false;
    const int64_t t_pre = 2000, t_post = t_pre + lag_steps;
    if (lag_steps >= 0) {
        spike(r, n, t_pre, false, slice);
        spike(r, n, t_post, true, slice);
    } else {
        spike(r, n, t_post, true, slice);
        spike(r, n, t_pre, false, slice);
    }
    slices_until(r, n, until, slice);
    return true;
}

/* The STDP window in weight units (w_max = 4). */
static double window(const params *p, double lag_ms) {
    const double w_max = get_real(p, "w_max");
    return lag_ms >= 0 ? get_real(p, "A_plus") * w_max * exp(-lag_ms / get_real(p, "tau_plus"))
                       : -get_real(p, "A_minus") * w_max * exp(lag_ms / get_real(p, "tau_minus"));
}

static void test_descriptor(void) {
    const rewire_learning_rule_v1 *fn = rstdp->desc->functions;
    CHECK((fn->flags & REWIRE_RULE_NEEDS_POST_INDEX) && (fn->flags & REWIRE_RULE_ON_SLICE) &&
              fn->on_slice,
          "rstdp asks for the post index and for on_slice");
    CHECK(fn->n_syn_state == 1 && strcmp(fn->syn_state_names[0], "eligibility") == 0,
          "one per-synapse state array, named 'eligibility'");
    const rewire_param_spec *w_max = &rstdp->desc->params[param_index("w_max")];
    CHECK((w_max->flags & REWIRE_PARAM_REQUIRED) && w_max->dim == REWIRE_DIM_WEIGHT,
          "w_max is a required weight");
    const rewire_param_spec *tau_c = &rstdp->desc->params[param_index("tau_c")];
    CHECK(tau_c->dim == REWIRE_DIM_TIME && tau_c->def_real == 1000.0,
          "tau_c is a time, 1 s by default (Izhikevich 2007)");
    params p = defaults();
    CHECK(get_real(&p, "tau_plus") == 20.0 && get_real(&p, "tau_minus") == 20.0 &&
              get_real(&p, "A_plus") == 0.025 && get_real(&p, "A_minus") == 0.0375,
          "defaults: tau_+- 20 ms, A_plus 0.025 and A_minus 0.0375 of w_max (0.1 and 0.15 of 4 mV)");

    net n;
    one_synapse(&n, 0.0f);
    void *instance = NULL;
    set_real(&p, "w_min", 4.0);
    CHECK(fn->create(&fh.host, p.v, &n.view, &instance) == REWIRE_EINVAL &&
              strcmp(fh.last_error, "w_min (4) must be below w_max (4)") == 0,
          "create refuses w_min >= w_max: '%s'", fh.last_error);
    p = defaults();
    n.view.n_syn_state = 0;
    n.view.syn_state = NULL;
    if (fn->create(&fh.host, p.v, &n.view, &instance) == REWIRE_OK) {
        CHECK(fn->start(instance, &n.view) == REWIRE_EINVAL && strstr(fh.last_error, "eligibility"),
              "start without the eligibility array fails with a reason: '%s'", fh.last_error);
        fn->destroy(instance);
    }
}

/* One pairing, no dopamine: the tag is the window value, decayed by tau_c from the
 * spike that made it to the end of the slice that closed it; the weight is untouched. */
static void test_tag(void) {
    params p = defaults();
    const double tau_c = get_real(&p, "tau_c");
    double worst = 0, worst_lag = 0;
    bool w_same = true;
    for (int k = -1000; k <= 1000; k++) { /* -100 .. 100 ms, every step of 0.1 ms */
        rule r;
        net n;
        const int64_t slice = 10, t_last = 2000 + (k > 0 ? k : 0);
        const int64_t end = t_last - t_last % slice + slice;
        if (!pairing(&r, &n, &p, 1.0f, k, slice, end)) return;
        const double expected = window(&p, k * 0.1) * exp(-(double)(end - t_last) * 0.1 / tau_c);
        const double err = fabs(n.eligibility[0] - expected) / fabs(expected);
        if (!(err <= worst)) {
            worst = err;
            worst_lag = k * 0.1;
        }
        w_same = w_same && n.weights[0] == 1.0f;
        r.fn->destroy(r.instance);
    }
    CHECK(worst <= 1e-6, "eligibility after one pairing = STDP window (+-100 ms, 2001 lags): "
                         "worst relative error %.2g at %g ms", worst, worst_lag);
    CHECK(w_same, "d = 0: no pairing changed the weight");
}

/* The tag decays as exp(-t / tau_c), and with d = 0 the weight stays put for seconds. */
static void test_decay(void) {
    params p = defaults();
    set_real(&p, "tau_c", 500.0);
    rule r;
    net n;
    if (!pairing(&r, &n, &p, 1.0f, 50, 10, 2060)) return;
    const double c0 = n.eligibility[0];
    slices_until(&r, &n, 2060 + 5000, 10); /* 500 ms = one tau_c later */
    CHECK_NEAR(n.eligibility[0] / c0, exp(-1.0), 1e-6, "eligibility decays by e after tau_c (500 ms)");
    slices_until(&r, &n, 2060 + 5000 + 15000, 7); /* 1.5 s more, in odd slices */
    CHECK_NEAR(n.eligibility[0] / c0, exp(-4.0), 1e-6, "and by e^4 after 4 tau_c, whatever the slices");
    CHECK(n.weights[0] == 1.0f, "d = 0 for 2 s: weight unchanged (%.9g)", (double)n.weights[0]);
    r.fn->destroy(r.instance);
}

/* dw = gain * d * integral of c dt (per second), exact for d constant, for any slicing
 * and for spikes anywhere inside a slice. */
static double weight_after(const params *p, int64_t lag, int64_t slice, float d, float gain,
                           float w0, int64_t until) {
    rule r;
    net n;
    one_synapse(&n, w0);
    n.view.neuromodulator = d;
    n.view.plasticity_gain = gain;
    if (!rule_start(&r, p, &n)) return NAN;
    const int64_t t_pre = 2003, t_post = t_pre + lag;
    spike(&r, &n, lag >= 0 ? t_pre : t_post, lag < 0, slice);
    spike(&r, &n, lag >= 0 ? t_post : t_pre, lag >= 0, slice);
    slices_until(&r, &n, until, slice);
    r.fn->destroy(r.instance);
    return n.weights[0];
}

static void test_integral(void) {
    params p = defaults();
    const double tau_c = get_real(&p, "tau_c");
    const int64_t lag = 57, t_post = 2003 + lag, until = t_post + 30000; /* 3 s after */
    const double c0 = window(&p, lag * 0.1), d = 0.5;
    /* c0 * d per second, for the 3 s that c lives after the post spike. */
    const double expected = c0 * d * tau_c / 1000.0 * (1.0 - exp(-3000.0 / tau_c));
    const int64_t slices[] = {1, 10, 64, 1000, 40000};
    for (size_t k = 0; k < sizeof slices / sizeof slices[0]; k++)
        CHECK_NEAR(weight_after(&p, lag, slices[k], (float)d, 1.0f, 1.0f, until) - 1.0, expected,
                   2e-6 * expected + 1e-7,
                   "d = 0.5 constant: dw = d * c0 * tau_c * (1 - e^-3) = %.6g, slices of %lld steps",
                   expected, (long long)slices[k]);
    /* Post at 2003 - lag, pre at 2003: the tag is made by the pre spike and lives until
     * `until` - 2003 steps. */
    const double ltd_ms = (double)(until - 2003) * 0.1;
    const double ltd = window(&p, -lag * 0.1) * d * tau_c / 1000.0 * (1.0 - exp(-ltd_ms / tau_c));
    CHECK_NEAR(weight_after(&p, -lag, 10, (float)d, 1.0f, 1.0f, until) - 1.0, ltd, 2e-6 * fabs(ltd),
               "post before pre: a negative tag depresses under dopamine (dw = %.6g)", ltd);
    CHECK_NEAR(weight_after(&p, lag, 10, (float)d, 0.5f, 1.0f, until) - 1.0, 0.5 * expected,
               1e-6 * expected, "plasticity_gain 0.5 halves dw");
    CHECK(weight_after(&p, lag, 10, (float)d, 0.0f, 1.0f, until) == 1.0f,
          "plasticity_gain 0 freezes the weight");
    CHECK_NEAR(weight_after(&p, lag, 10, -0.2f, 1.0f, 1.0f, until) - 1.0, -0.4 * expected,
               1e-6 * expected, "d below zero (a dopamine dip) reverses the change");
    /* Tonic-like dopamine on a weight of 3: each step adds ~1e-11, far below the float
     * spacing of 3 (2.4e-7); the changes must add up all the same. */
    const double tonic = expected * 0.002 / d;
    CHECK_NEAR(weight_after(&p, lag, 1, 0.002f, 1.0f, 3.0f, until) - 3.0, tonic, 0.01 * tonic,
               "changes below the float spacing of w add up (d = 0.002, w = 3: dw = %.4g)", tonic);
    CHECK(weight_after(&p, lag, 10, 1000.0f, 1.0f, 1.0f, until) == 4.0f,
          "w clips at w_max");
    CHECK(weight_after(&p, -lag, 10, 1000.0f, 1.0f, 1.0f, until) == 0.0f,
          "w clips at w_min");
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s RSTDP.so\n", argv[0]);
        return 2;
    }
    rw_registry *r;
    rstdp = load_plugin(argv[1], "rstdp", &r);
    if (!rstdp || !fake_host_init(&fh, "projection 'p' rule 'rstdp'", NULL)) {
        printf("Bail out! cannot load the rstdp plugin from %s\n", argv[1]);
        rw_registry_free(r);
        return 1;
    }
    test_descriptor();
    test_tag();
    test_decay();
    test_integral();
    fake_host_cleanup(&fh);
    rw_registry_free(r);
    return tap_done();
}
