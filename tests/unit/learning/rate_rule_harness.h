/* Driving a rate learning rule (bcm, oja) through its function table as the kernel does,
 * without a network: the test owns the projection (CSR arrays, weights, rates), sets the
 * rates each "slice" and calls on_slice.  Shared by the unit tests in tests/unit/learning
 * and the science tests in tests/science (test_bcm_selectivity.c, test_oja_pca.c).
 * Header-only: every helper is static inline, so a test that uses a part pays nothing
 * for the rest. */
#ifndef RW_TEST_RATE_RULE_HARNESS_H
#define RW_TEST_RATE_RULE_HARNESS_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit/loader/fake_host.h"
#include "unit/loader/test_support.h"

/* ---- the plugin and its parameters ---- */

typedef struct rate_rule {
    const rw_plugin *plugin;
    rw_registry *registry;
    fake_host fh;
} rate_rule;

/* Load plugin `name` from `path`; exits with a TAP bail-out when it cannot. */
static inline void rate_rule_load(rate_rule *r, const char *path, const char *name) {
    r->plugin = load_plugin(path, name, &r->registry);
    if (!r->plugin || !fake_host_init(&r->fh, "projection 'p' rule", NULL)) {
        printf("Bail out! cannot load the %s plugin from %s\n", name, path);
        rw_registry_free(r->registry);
        exit(1);
    }
}

static inline void rate_rule_unload(rate_rule *r) {
    fake_host_cleanup(&r->fh);
    rw_registry_free(r->registry);
}

static inline const rewire_learning_rule_v1 *rate_rule_fn(const rate_rule *r) {
    return r->plugin->desc->functions;
}

typedef struct rule_params {
    rewire_param_value v[16];
} rule_params;

static inline int rule_param_index(const rate_rule *r, const char *name) {
    const rewire_plugin_descriptor *d = r->plugin->desc;
    for (uint32_t i = 0; i < d->n_params; i++)
        if (strcmp(d->params[i].name, name) == 0) return (int)i;
    printf("Bail out! %s has no parameter '%s'\n", d->name, name);
    exit(1);
}

/* The schema's defaults, as the experiment loader fills them. */
static inline rule_params rule_defaults(const rate_rule *r) {
    rule_params p;
    memset(&p, 0, sizeof p);
    const rewire_plugin_descriptor *d = r->plugin->desc;
    for (uint32_t i = 0; i < d->n_params && i < 16; i++)
        if (d->params[i].type == REWIRE_PARAM_REAL) p.v[i].real = d->params[i].def_real;
    return p;
}

static inline void rule_set(const rate_rule *r, rule_params *p, const char *name, double x) {
    p->v[rule_param_index(r, name)].real = x;
}

static inline double rule_get(const rate_rule *r, const rule_params *p, const char *name) {
    return p->v[rule_param_index(r, name)].real;
}

/* ---- a projection between two rate populations ---- */

typedef struct rate_net {
    uint32_t *row_offsets, *targets;
    uint16_t *delays;
    float *weights;
    double *pre_rate, *post_rate;
    rewire_projection_view view;
} rate_net;

/* n_pre x n_post all-to-all: synapse i * n_post + j connects i -> j.  dt in ms. */
static inline void rate_net_all_to_all(rate_net *n, uint32_t n_pre, uint32_t n_post, double dt) {
    const uint32_t n_syn = n_pre * n_post;
    n->row_offsets = calloc(n_pre + 1, sizeof *n->row_offsets);
    n->targets = calloc(n_syn, sizeof *n->targets);
    n->delays = calloc(n_syn, sizeof *n->delays);
    n->weights = calloc(n_syn, sizeof *n->weights);
    n->pre_rate = calloc(n_pre, sizeof *n->pre_rate);
    n->post_rate = calloc(n_post, sizeof *n->post_rate);
    if (!n->row_offsets || !n->targets || !n->delays || !n->weights || !n->pre_rate ||
        !n->post_rate) {
        printf("Bail out! out of memory\n");
        exit(1);
    }
    for (uint32_t i = 0; i <= n_pre; i++) n->row_offsets[i] = i * n_post;
    for (uint32_t s = 0; s < n_syn; s++) {
        n->targets[s] = s % n_post;
        n->delays[s] = 1;
    }
    n->view = (rewire_projection_view){
        .struct_size = sizeof(rewire_projection_view), .name = "p", .pre_population = "in",
        .post_population = "out", .n_pre = n_pre, .n_post = n_post, .n_syn = n_syn,
        .row_offsets = n->row_offsets, .targets = n->targets, .weights = n->weights,
        .delays = n->delays, .dt = dt, .plasticity_gain = 1.0f,
        .pre_rate = n->pre_rate, .post_rate = n->post_rate};
}

static inline void rate_net_free(rate_net *n) {
    free(n->row_offsets);
    free(n->targets);
    free(n->delays);
    free(n->weights);
    free(n->pre_rate);
    free(n->post_rate);
    memset(n, 0, sizeof *n);
}

/* ---- an instance on a projection ---- */

typedef struct rule_run {
    const rewire_learning_rule_v1 *fn;
    void *instance;
    int64_t step; /* the next slice starts here */
} rule_run;

/* create + start; false (with the plugin's message as a TAP comment) on failure. */
static inline bool rule_run_start(rule_run *run, rate_rule *r, const rule_params *p, rate_net *n) {
    run->fn = rate_rule_fn(r);
    run->instance = NULL;
    run->step = 0;
    r->fh.last_error[0] = '\0';
    if (run->fn->create(&r->fh.host, p->v, &n->view, &run->instance) != REWIRE_OK) {
        printf("# create failed: %s\n", r->fh.last_error);
        return false;
    }
    if (run->fn->start(run->instance, &n->view) != REWIRE_OK) {
        printf("# start failed: %s\n", r->fh.last_error);
        run->fn->destroy(run->instance);
        return false;
    }
    return true;
}

/* One slice of `steps` steps, with the rates the test has set. */
static inline void rule_run_slice(rule_run *run, rate_net *n, int64_t steps) {
    run->fn->on_slice(run->instance, &n->view, run->step, run->step + steps);
    run->step += steps;
}

static inline void rule_run_end(rule_run *run) { run->fn->destroy(run->instance); }

/* ---- seeded random numbers for the science tests ---- */

/* splitmix64 (Steele et al. 2014): a full-period 64-bit generator, enough for tests. */
typedef struct test_rng {
    uint64_t s;
    bool has_spare;
    double spare;
} test_rng;

static inline uint64_t test_rng_mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* The seed is mixed into the starting point: seeds s and s+1 must not start one step
 * apart on the generator's one cycle (their sequences would be shifted copies). */
static inline test_rng test_rng_seeded(uint64_t seed) {
    return (test_rng){.s = test_rng_mix(seed ^ 0x5DEECE66Dull)};
}

static inline uint64_t test_rng_next(test_rng *g) { return test_rng_mix(g->s += 0x9E3779B97F4A7C15ull); }

/* Uniform in [0, 1). */
static inline double test_uniform(test_rng *g) { return (double)(test_rng_next(g) >> 11) * 0x1p-53; }

/* Standard normal (Box-Muller, both values used). */
static inline double test_normal(test_rng *g) {
    if (g->has_spare) {
        g->has_spare = false;
        return g->spare;
    }
    double u = 0;
    while (u <= 0) u = test_uniform(g);
    const double v = test_uniform(g), r = sqrt(-2.0 * log(u)), a = 6.283185307179586 * v;
    g->spare = r * sin(a);
    g->has_spare = true;
    return r * cos(a);
}

#endif
