/* The stp plugin (Tsodyks-Markram short-term plasticity) driven through its function
 * table as the kernel drives it: on_pre(step) before the step's delivery, reading the
 * release factor it leaves in view->pre_release.  Expected values come from the model's
 * equations (Tsodyks, Pawelzik & Markram 1998; Markram, Wang & Tsodyks 1998, in the
 * event-based form of Fuhrmann et al. 2002 / NEST tsodyks2_synapse), written here in
 * closed form or as their recursion, never from the plugin:
 *
 *   at a spike, dt after the previous one:  u <- u e^{-dt/F} + U (1 - u e^{-dt/F})
 *                                           x <- 1 - (1 - x (1 - u_prev)) e^{-dt/D}
 *   release = u x;  first spike: u = U, x = 1.
 *
 * usage: test_stp STP.so
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "unit/loader/fake_host.h"
#include "unit/loader/test_support.h"

static const rw_plugin *plugin;
static fake_host fh;

#define DT 0.1
/* The release is stored as float: relative rounding <= 6e-8. */
#define TOL 1e-7

typedef struct params {
    rewire_param_value v[8];
} params;

static int param_index(const char *name) {
    for (uint32_t i = 0; i < plugin->desc->n_params; i++)
        if (strcmp(plugin->desc->params[i].name, name) == 0) return (int)i;
    printf("Bail out! stp has no parameter '%s'\n", name);
    exit(1);
}

static params make(double U, double tau_rec, double tau_facil) {
    params p;
    memset(&p, 0, sizeof p);
    p.v[param_index("U")].real = U;
    p.v[param_index("tau_rec")].real = tau_rec;
    p.v[param_index("tau_facil")].real = tau_facil;
    return p;
}

/* n_pre sources, each with one synapse onto post neuron 0, and their release factors. */
#define MAX_PRE 4
typedef struct net {
    uint32_t row_offsets[MAX_PRE + 1], targets[MAX_PRE];
    uint16_t delays[MAX_PRE];
    float weights[MAX_PRE], release[MAX_PRE];
    rewire_projection_view view;
} net;

static void make_net(net *n, uint32_t n_pre) {
    memset(n, 0, sizeof *n);
    for (uint32_t i = 0; i < n_pre; i++) {
        n->row_offsets[i + 1] = i + 1;
        n->weights[i] = 2.5f;
        n->delays[i] = 1;
        n->release[i] = 1.0f; /* as the host fills it */
    }
    n->view = (rewire_projection_view){
        .struct_size = sizeof(rewire_projection_view), .name = "p", .pre_population = "a",
        .post_population = "b", .n_pre = n_pre, .n_post = 1, .n_syn = n_pre,
        .row_offsets = n->row_offsets, .targets = n->targets, .weights = n->weights,
        .delays = n->delays, .dt = DT, .plasticity_gain = 1.0f, .pre_release = n->release};
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

/* The release of each spike of neuron 0 at steps[k] (one-neuron batches). */
static bool releases(const params *p, const int64_t *steps, size_t count, double *out) {
    net n;
    make_net(&n, 1);
    rule r;
    if (!rule_start(&r, p, &n)) return false;
    const uint32_t zero = 0;
    for (size_t k = 0; k < count; k++) {
        r.fn->on_pre(r.instance, &n.view, steps[k], &zero, 1);
        out[k] = n.release[0];
    }
    r.fn->destroy(r.instance);
    return true;
}

/* The model's recursion, in the published form, in double. */
static void reference(double U, double D, double F, const int64_t *steps, size_t count,
                      double *out) {
    double u = U, x = 1.0;
    for (size_t k = 0; k < count; k++) {
        if (k > 0) {
            const double dt = (double)(steps[k] - steps[k - 1]) * DT;
            const double u_prev = u;
            const double ef = F > 0 ? exp(-dt / F) : 0.0;
            u = u * ef + U * (1.0 - u * ef);
            x = 1.0 - (1.0 - x * (1.0 - u_prev)) * exp(-dt / D);
        }
        out[k] = u * x;
    }
}

static void test_descriptor(void) {
    const rewire_learning_rule_v1 *fn = plugin->desc->functions;
    CHECK((fn->flags & REWIRE_RULE_PRE_RELEASE) && (fn->flags & REWIRE_RULE_PRE_BEFORE_DELIVERY) &&
              !(fn->flags & REWIRE_RULE_NEEDS_POST_INDEX) && fn->n_syn_state == 0,
          "flags: PRE_RELEASE | PRE_BEFORE_DELIVERY, no post index, no synapse state");
    const rewire_param_spec *ps = plugin->desc->params;
    const rewire_param_spec *U = &ps[param_index("U")], *D = &ps[param_index("tau_rec")],
                            *F = &ps[param_index("tau_facil")];
    CHECK(plugin->desc->n_params == 3 && U->dim == REWIRE_DIM_NONE && D->dim == REWIRE_DIM_TIME &&
              F->dim == REWIRE_DIM_TIME,
          "parameters U (dimensionless), tau_rec and tau_facil (time)");
    CHECK((U->flags & REWIRE_PARAM_HAS_MIN) && (U->flags & REWIRE_PARAM_MIN_EXCLUSIVE) &&
              U->min == 0.0 && (U->flags & REWIRE_PARAM_HAS_MAX) && U->max == 1.0 &&
              (D->flags & REWIRE_PARAM_MIN_EXCLUSIVE) && D->min == 0.0 &&
              (F->flags & REWIRE_PARAM_HAS_MIN) && !(F->flags & REWIRE_PARAM_MIN_EXCLUSIVE),
          "bounds: 0 < U <= 1, tau_rec > 0, tau_facil >= 0 (0 = no facilitation)");
    CHECK(U->def_real == 0.5 && D->def_real == 800.0 && F->def_real == 0.0,
          "defaults: the depressing cortical synapse U 0.5, tau_rec 800 ms, tau_facil 0");
    int documented = 1;
    for (uint32_t i = 0; i < plugin->desc->n_params; i++)
        documented &= ps[i].doc && strlen(ps[i].doc) > 20;
    CHECK(documented, "every parameter is documented");
}

static void test_depression(void) {
    const double U = 0.5, D = 800.0;
    params p = make(U, D, 0.0);
    net n;
    make_net(&n, 1);
    rule r;
    if (rule_start(&r, &p, &n)) {
        CHECK(n.release[0] == 0.5f, "start sets the release of a first spike to U");
        r.fn->destroy(r.instance);
    } else {
        CHECK(0, "start sets the release of a first spike to U");
    }

    /* Two spikes dt apart: u stays U, x = 1 - U e^{-dt/D}. */
    const int64_t two[] = {100, 100 + 500}; /* 50 ms */
    double got[2];
    if (!releases(&p, two, 2, got)) got[0] = got[1] = NAN;
    CHECK_NEAR(got[0], U, TOL, "first spike releases U");
    CHECK_NEAR(got[1], U * (1.0 - U * exp(-50.0 / D)), TOL,
               "second spike 50 ms later releases U (1 - U e^{-50/800})");

    /* A very long gap: full recovery, the release is U again. */
    const int64_t far[] = {0, 10, 20, 20 + 200000}; /* 20 s = 25 tau_rec */
    double gf[4];
    if (!releases(&p, far, 4, gf)) gf[3] = NAN;
    CHECK(gf[2] < 0.3 && fabs(gf[3] - U) <= 1e-6,
          "after 3 spikes 1 ms apart the release is down to %.3f; 20 s later it is U again "
          "(%.7f)", gf[2], gf[3]);

    /* A regular 20 Hz train converges to the analytic steady state. */
    int64_t train[60];
    for (int k = 0; k < 60; k++) train[k] = 500 * k;
    double gt[60];
    if (!releases(&p, train, 60, gt)) gt[59] = NAN;
    const double E = exp(-50.0 / D);
    const double steady = U * (1.0 - E) / (1.0 - (1.0 - U) * E);
    CHECK_NEAR(gt[59], steady, 1e-6, "20 Hz train: release -> U (1 - e^{-T/D}) / (1 - (1 - U) "
               "e^{-T/D}) = %.6f", steady);
    int falling = 1;
    for (int k = 1; k < 60; k++) falling &= gt[k] <= gt[k - 1];
    CHECK(falling, "a depressing synapse's release falls monotonically along the train");
}

static void test_facilitation(void) {
    const double U = 0.1, D = 100.0, F = 1000.0;
    params p = make(U, D, F);
    const int64_t two[] = {0, 200}; /* 20 ms */
    double got[2];
    if (!releases(&p, two, 2, got)) got[0] = got[1] = NAN;
    const double ef = exp(-20.0 / F), ed = exp(-20.0 / D);
    CHECK_NEAR(got[1], (U + U * (1.0 - U) * ef) * (1.0 - U * ed), TOL,
               "second spike 20 ms later: u = U + U (1 - U) e^{-dt/F}, x = 1 - U e^{-dt/D}");
    CHECK(got[1] > got[0], "paired-pulse facilitation: %.4f > %.4f", got[1], got[0]);

    /* 20 Hz: u converges as ((1 - U) e^{-T/F})^k = 0.856^k, 150 spikes leave < 1e-9. */
    int64_t train[150];
    for (int k = 0; k < 150; k++) train[k] = 500 * k;
    double gt[150];
    if (!releases(&p, train, 150, gt)) gt[149] = NAN;
    const double T = 50.0, EF = exp(-T / F), ED = exp(-T / D);
    const double us = U / (1.0 - (1.0 - U) * EF);
    const double xs = (1.0 - ED) / (1.0 - (1.0 - us) * ED);
    CHECK_NEAR(gt[149], us * xs, 1e-6, "20 Hz train: release -> u* x*, u* = U / (1 - (1 - U) "
               "e^{-T/F}) = %.4f, x* = %.4f", us, xs);
    CHECK(gt[149] > 3 * gt[0], "at 20 Hz the steady release (%.4f) is over 3 times the first "
          "(%.4f)", gt[149], gt[0]);

    /* 50 Hz: facilitation wins over the first spikes, then depression pulls it down. */
    for (int k = 0; k < 150; k++) train[k] = 200 * k;
    if (!releases(&p, train, 150, gt)) gt[149] = NAN;
    int peak = 0;
    for (int k = 1; k < 150; k++)
        if (gt[k] > gt[peak]) peak = k;
    CHECK(peak > 1 && gt[peak] > 2 * gt[0] && gt[149] < 0.9 * gt[peak],
          "50 Hz: the release grows first (peak %.4f at spike %d, first %.4f), then "
          "depression pulls it down to %.4f", gt[peak], peak + 1, gt[0], gt[149]);
}

/* An irregular train against the recursion, spike by spike (both parameter sets). */
static void test_recursion(void) {
    static const int64_t steps[] = {5,   12,   30,   31,   200,  260,  900, 905,
                                    911, 2000, 2040, 2041, 9000, 9100, 9150, 30000};
    const size_t n = sizeof steps / sizeof steps[0];
    const double sets[3][3] = {{0.5, 800.0, 0.0}, {0.1, 100.0, 1000.0}, {0.03, 300.0, 50.0}};
    for (int s = 0; s < 3; s++) {
        params p = make(sets[s][0], sets[s][1], sets[s][2]);
        double got[16], want[16];
        if (!releases(&p, steps, n, got)) got[0] = NAN;
        reference(sets[s][0], sets[s][1], sets[s][2], steps, n, want);
        double worst = 0;
        for (size_t k = 0; k < n; k++) {
            double err = fabs(got[k] - want[k]) / want[k];
            if (!(err <= worst)) worst = err;
        }
        CHECK(worst <= TOL, "U %g, D %g ms, F %g ms: %zu irregular spikes follow the recursion "
              "(worst relative error %.2g)", sets[s][0], sets[s][1], sets[s][2], n, worst);
    }
}

/* Several neurons: per-neuron state, one batch per step, only spiking neurons change. */
static void test_neurons(void) {
    const double U = 0.5, D = 800.0;
    params p = make(U, D, 0.0);
    net n;
    make_net(&n, 3);
    rule r;
    if (!rule_start(&r, &p, &n)) {
        CHECK(0, "three neurons start");
        return;
    }
    const uint32_t both[] = {0, 2}, first[] = {0};
    r.fn->on_pre(r.instance, &n.view, 10, both, 2);
    r.fn->on_pre(r.instance, &n.view, 20, first, 1);
    const double second = U * (1.0 - U * exp(-1.0 / D));
    CHECK(fabs(n.release[0] - second) <= TOL && fabs(n.release[2] - U) <= TOL &&
              fabs(n.release[1] - U) <= TOL,
          "neuron 0 spiked twice (%.6f), neurons 1 and 2 keep U (%.3f, %.3f)", n.release[0],
          n.release[1], n.release[2]);
    r.fn->on_pre(r.instance, &n.view, 30, both, 2);
    double want0, want2;
    {
        const int64_t s0[] = {10, 20, 30}, s2[] = {10, 30};
        double r0[3], r2[2];
        reference(U, D, 0.0, s0, 3, r0);
        reference(U, D, 0.0, s2, 2, r2);
        want0 = r0[2];
        want2 = r2[1];
    }
    CHECK(fabs(n.release[0] - want0) <= TOL && fabs(n.release[2] - want2) <= TOL,
          "a batch of two neurons updates each from its own history (%.6f, %.6f)",
          n.release[0], n.release[2]);
    int same_w = 1;
    for (int i = 0; i < 3; i++) same_w &= n.weights[i] == 2.5f;
    const uint32_t post0 = 0;
    r.fn->on_post(r.instance, &n.view, 40, &post0, 1);
    CHECK(same_w && n.weights[0] == 2.5f, "weights never change (on_pre nor on_post)");
    r.fn->destroy(r.instance);
}

static void test_errors(void) {
    params p = make(0.5, 800.0, 0.0);
    const rewire_learning_rule_v1 *fn = plugin->desc->functions;
    net n;
    void *inst;

    make_net(&n, 1);
    n.view.pre_release = NULL;
    inst = NULL;
    if (fn->create(&fh.host, p.v, &n.view, &inst) == REWIRE_OK) {
        CHECK(fn->start(inst, &n.view) == REWIRE_EINVAL && strstr(fh.last_error, "pre_release"),
              "start without release factors fails with a reason: '%s'", fh.last_error);
        fn->destroy(inst);
    }

    make_net(&n, 1);
    n.view.struct_size = (uint32_t)offsetof(rewire_projection_view, pre_rate);
    inst = NULL;
    if (fn->create(&fh.host, p.v, &n.view, &inst) == REWIRE_OK) {
        CHECK(fn->start(inst, &n.view) == REWIRE_EINVAL && strstr(fh.last_error, "ABI 1.1"),
              "a 1.0 host's view (no pre_release field) is refused, not read past: '%s'",
              fh.last_error);
        fn->destroy(inst);
    }

    make_net(&n, 1);
    double rates[1] = {5.0};
    n.view.pre_rate = rates;
    inst = NULL;
    if (fn->create(&fh.host, p.v, &n.view, &inst) == REWIRE_OK) {
        CHECK(fn->start(inst, &n.view) == REWIRE_EINVAL && strstr(fh.last_error, "rate population"),
              "a rate-model source is refused: '%s'", fh.last_error);
        fn->destroy(inst);
    }
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s STP.so\n", argv[0]);
        return 2;
    }
    rw_registry *r;
    plugin = load_plugin(argv[1], "stp", &r);
    if (!plugin || !fake_host_init(&fh, "projection 'p' learning rule 'stp'", NULL)) {
        printf("Bail out! cannot load the stp plugin from %s\n", argv[1]);
        rw_registry_free(r);
        return 1;
    }
    test_descriptor();
    test_depression();
    test_facilitation();
    test_recursion();
    test_neurons();
    test_errors();
    fake_host_cleanup(&fh);
    rw_registry_free(r);
    return tap_done();
}
