/* Kernel test fixtures: experiments built directly as C structs (no YAML), with the
 * documented model defaults, and a batch sink that collects records per channel. */
#ifndef RW_TEST_KERNEL_FIXTURE_H
#define RW_TEST_KERNEL_FIXTURE_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "network.h"

#define FX_MAX 16

typedef struct fx {
    rw_experiment e;
    rw_population_spec pops[FX_MAX];
    rw_projection_spec projs[FX_MAX];
    rw_record_spec recs[FX_MAX];
} fx;

static inline rw_dist fx_const(double a) {
    return (rw_dist){RW_DIST_CONST, a, 0.0, -INFINITY, INFINITY};
}
static inline rw_dist fx_uniform(double a, double b) {
    return (rw_dist){RW_DIST_UNIFORM, a, b, -INFINITY, INFINITY};
}
static inline rw_dist fx_normal(double mean, double sd) {
    return (rw_dist){RW_DIST_NORMAL, mean, sd, -INFINITY, INFINITY};
}

static inline void fx_init(fx *f, double dt, uint64_t seed) {
    memset(f, 0, sizeof *f);
    f->e.name = (char *)"test";
    f->e.file = (char *)"test.yaml";
    f->e.seed = seed;
    f->e.dt = dt;
    f->e.populations = f->pops;
    f->e.projections = f->projs;
    f->e.records = f->recs;
}

/* docs/experiment-format.md defaults. */
static inline uint32_t fx_lif(fx *f, const char *name, rw_model_kind model, uint32_t size) {
    uint32_t k = f->e.n_populations++;
    rw_population_spec *p = &f->pops[k];
    p->name = (char *)name;
    p->model = model;
    p->size = size;
    bool coba = model == RW_MODEL_LIF_COBA;
    p->lif = (rw_lif_params){.C_m = 250, .tau_m = coba ? 15 : 10, .E_L = -70, .V_th = -55,
                             .V_reset = coba ? -60 : -70, .t_ref = 2, .tau_e = coba ? 0.2 : 2,
                             .tau_i = 2, .E_e = 0, .E_i = -85, .I_bias = 0};
    p->v_init = fx_const(p->lif.E_L);
    return k;
}

static inline uint32_t fx_poisson(fx *f, const char *name, uint32_t size, double rate) {
    uint32_t k = f->e.n_populations++;
    rw_population_spec *p = &f->pops[k];
    p->name = (char *)name;
    p->model = RW_MODEL_POISSON;
    p->size = size;
    p->rate = rate;
    return k;
}

/* spike_times: neuron[] / time[] must stay alive while the network is built. */
static inline uint32_t fx_spike_times(fx *f, const char *name, uint32_t size, uint32_t n,
                                      uint32_t *neuron, double *time) {
    uint32_t k = f->e.n_populations++;
    rw_population_spec *p = &f->pops[k];
    p->name = (char *)name;
    p->model = RW_MODEL_SPIKE_TIMES;
    p->size = size;
    p->n_spikes = n;
    p->spike_neuron = neuron;
    p->spike_time = time;
    return k;
}

static inline uint32_t fx_proj(fx *f, const char *name, uint32_t pre, uint32_t post,
                               rw_connect_kind connect, double weight, double delay) {
    uint32_t k = f->e.n_projections++;
    rw_projection_spec *p = &f->projs[k];
    p->name = (char *)name;
    p->pre = pre;
    p->post = post;
    p->receptor = RW_RECEPTOR_EXC;
    p->connect = connect;
    p->weight = fx_const(weight);
    p->delay = fx_const(delay);
    p->delay.lo = f->e.dt;
    return k;
}

static inline uint32_t fx_record(fx *f, const char *name, rw_record_kind kind, uint32_t target,
                                 double interval) {
    uint32_t k = f->e.n_records++;
    rw_record_spec *r = &f->recs[k];
    r->name = (char *)name;
    r->kind = kind;
    r->target = target;
    r->interval = interval;
    return k;
}

static inline rw_network *fx_build(fx *f) {
    rw_diag *d = rw_diag_new();
    rw_network *net = rw_network_build(&f->e, d);
    if (!net) rw_diag_print(d, stdout);
    rw_diag_free(d);
    return net;
}

/* Number of errors building f (0 when it builds; the network is freed). */
static inline size_t fx_build_errors(fx *f) {
    rw_diag *d = rw_diag_new();
    rw_network *net = rw_network_build(&f->e, d);
    size_t n = rw_diag_errors(d);
    rw_network_free(net);
    rw_diag_free(d);
    return n;
}

/* Rows drained from a recorder, per channel. */
typedef struct fx_rows {
    size_t n, cap;
    double *time, *value;
    uint32_t *index, *index2;
} fx_rows;

typedef struct fx_sink {
    fx_rows ch[FX_MAX];
    int batches;
} fx_sink;

static inline int fx_collect(void *ctx, const rewire_batch *b) {
    fx_sink *s = ctx;
    fx_rows *r = &s->ch[b->channel];
    if (r->n + b->n > r->cap) {
        size_t cap = (r->n + b->n) * 2;
        r->time = realloc(r->time, cap * sizeof *r->time);
        r->value = realloc(r->value, cap * sizeof *r->value);
        r->index = realloc(r->index, cap * sizeof *r->index);
        r->index2 = realloc(r->index2, cap * sizeof *r->index2);
        if (!r->time || !r->value || !r->index || !r->index2) abort();
        r->cap = cap;
    }
    for (size_t i = 0; i < b->n; i++) {
        r->time[r->n + i] = b->time[i];
        r->value[r->n + i] = b->value ? b->value[i] : NAN;
        r->index[r->n + i] = b->index ? b->index[i] : UINT32_MAX;
        r->index2[r->n + i] = b->index2 ? b->index2[i] : UINT32_MAX;
    }
    r->n += b->n;
    s->batches++;
    return 0;
}

static inline void fx_sink_free(fx_sink *s) {
    for (int k = 0; k < FX_MAX; k++) {
        free(s->ch[k].time);
        free(s->ch[k].value);
        free(s->ch[k].index);
        free(s->ch[k].index2);
    }
    memset(s, 0, sizeof *s);
}

/* Advance by `steps` in slices of at most `slice` steps (clipped to min_delay),
 * draining into sink after each slice.  Returns 0 or the first error. */
static inline int fx_run(rw_network *net, rw_recorder *rec, fx_sink *sink, int64_t steps,
                         int64_t slice) {
    int64_t md = rw_network_min_delay(net);
    if (slice > md) slice = md;
    while (steps > 0) {
        int64_t n = steps < slice ? steps : slice;
        int rc = rw_network_advance(net, n, rec);
        if (rc) return rc;
        if (rec && sink && (rc = rw_recorder_drain(rec, fx_collect, sink))) return rc;
        steps -= n;
    }
    return 0;
}

#endif
