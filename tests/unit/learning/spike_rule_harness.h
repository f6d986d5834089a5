/* Driving a spike-timing learning rule (stdp, triplet_stdp, istdp) through its function
 * table as the kernel does, on a projection built by hand: parameters by name from the
 * schema, a one-synapse view with its post index, create + start, spikes played in time
 * order (on_pre before on_post at one step, the kernel's order) and the resulting weight
 * change.  The rate rules have their own harness (rate_rule_harness.h).
 *
 * One test program drives one rule: spike_harness_init() names the plugin and the fake
 * host every helper below uses.  Header-only: every helper is static inline. */
#ifndef RW_TEST_SPIKE_RULE_HARNESS_H
#define RW_TEST_SPIKE_RULE_HARNESS_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit/loader/fake_host.h"
#include "unit/loader/test_support.h"

static const rw_plugin *harness_plugin;
static fake_host *harness_host;

static inline void spike_harness_init(const rw_plugin *plugin, fake_host *fh) {
    harness_plugin = plugin;
    harness_host = fh;
}

/* ---- parameters by name ---- */

typedef struct params {
    rewire_param_value v[16];
} params;

static inline int param_index(const char *name) {
    const rewire_plugin_descriptor *d = harness_plugin->desc;
    for (uint32_t i = 0; i < d->n_params; i++)
        if (strcmp(d->params[i].name, name) == 0) return (int)i;
    printf("Bail out! %s has no parameter '%s'\n", d->name, name);
    exit(1);
}

/* The schema's defaults for reals and choices; required parameters stay 0 for the test
 * to set. */
static inline params schema_defaults(void) {
    params p;
    memset(&p, 0, sizeof p);
    const rewire_plugin_descriptor *d = harness_plugin->desc;
    for (uint32_t i = 0; i < d->n_params; i++) {
        const rewire_param_spec *s = &d->params[i];
        if (s->type == REWIRE_PARAM_REAL) p.v[i].real = s->def_real;
        if (s->type == REWIRE_PARAM_ENUM) p.v[i].choice = (int32_t)s->def_int;
    }
    return p;
}

static inline void set_real(params *p, const char *name, double x) {
    p->v[param_index(name)].real = x;
}

static inline double get_real(const params *p, const char *name) {
    return p->v[param_index(name)].real;
}

static inline void set_choice(params *p, const char *name, const char *choice) {
    const rewire_param_spec *s = &harness_plugin->desc->params[param_index(name)];
    for (int32_t k = 0; s->choices[k]; k++)
        if (strcmp(s->choices[k], choice) == 0) {
            p->v[param_index(name)].choice = k;
            return;
        }
    printf("Bail out! '%s' is not a choice of %s\n", choice, name);
    exit(1);
}

/* ---- a projection built by hand (up to 8 synapses), with its post index ---- */

typedef struct net {
    uint32_t row_offsets[8], targets[8], col_offsets[8], col_synapses[8];
    uint16_t delays[8];
    float weights[8];
    rewire_projection_view view;
} net;

/* One pre neuron, one post neuron, one synapse of weight w. */
static inline void one_synapse(net *n, float w) {
    memset(n, 0, sizeof *n);
    n->row_offsets[1] = 1;
    n->col_offsets[1] = 1;
    n->weights[0] = w;
    n->delays[0] = 1;
    n->view = (rewire_projection_view){
        .struct_size = sizeof(rewire_projection_view), .name = "p", .pre_population = "a",
        .post_population = "b", .n_pre = 1, .n_post = 1, .n_syn = 1,
        .row_offsets = n->row_offsets, .targets = n->targets, .weights = n->weights,
        .delays = n->delays, .col_offsets = n->col_offsets, .col_synapses = n->col_synapses,
        .dt = 0.1, .plasticity_gain = 1.0f};
}

/* ---- an instance of the rule ---- */

typedef struct rule {
    const rewire_learning_rule_v1 *fn;
    void *instance;
} rule;

/* create + start; on failure prints the plugin's message and returns false. */
static inline bool rule_start(rule *r, const params *p, net *n) {
    r->fn = harness_plugin->desc->functions;
    r->instance = NULL;
    harness_host->last_error[0] = '\0';
    if (r->fn->create(&harness_host->host, p->v, &n->view, &r->instance) != REWIRE_OK) {
        printf("# create failed: %s\n", harness_host->last_error);
        return false;
    }
    if (r->fn->start(r->instance, &n->view) != REWIRE_OK) {
        printf("# start failed: %s\n", harness_host->last_error);
        r->fn->destroy(r->instance);
        return false;
    }
    return true;
}

/* ---- spikes ---- */

/* Spikes in time order; same-time events in the kernel's order (pre, then post). */
typedef struct spike {
    double t_ms;
    bool post;
    uint32_t neuron;
} spike;

static inline void play(rule *r, net *n, const spike *spikes, size_t count) {
    for (size_t i = 0; i < count; i++) {
        int64_t step = (int64_t)llround(spikes[i].t_ms / n->view.dt);
        if (spikes[i].post)
            r->fn->on_post(r->instance, &n->view, step, &spikes[i].neuron, 1);
        else
            r->fn->on_pre(r->instance, &n->view, step, &spikes[i].neuron, 1);
    }
}

/* The weight change of one synapse after the spikes, from weight w0. */
static inline double delta_w(const params *p, float w0, const spike *spikes, size_t count,
                             float gain) {
    net n;
    one_synapse(&n, w0);
    n.view.plasticity_gain = gain;
    rule r;
    if (!rule_start(&r, p, &n)) return NAN;
    play(&r, &n, spikes, count);
    r.fn->destroy(r.instance);
    return (double)n.weights[0] - (double)w0;
}

#endif
