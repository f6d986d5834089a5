/* See store.h. */
#include "store.h"

#include <stdlib.h>

int series_init(series *s, uint32_t cap) {
    *s = (series){.cap = cap + (cap & 1u), .stride = 1};
    s->t = malloc(s->cap * sizeof *s->t);
    s->v = malloc(s->cap * sizeof *s->v);
    return s->t && s->v ? 0 : -1;
}

void series_free(series *s) {
    free(s->t);
    free(s->v);
    s->t = s->v = NULL;
}

void series_add(series *s, double t, double v) {
    if (s->pending == 0) s->acc_t = t, s->acc_v = 0;
    s->acc_v += v;
    if (++s->pending < s->stride) return;
    if (s->n == s->cap) { /* full: merge neighbours, each point now stands for 2x more */
        for (uint32_t k = 0; k < s->cap / 2; k++) {
            s->t[k] = s->t[2 * k];
            s->v[k] = 0.5 * (s->v[2 * k] + s->v[2 * k + 1]);
        }
        s->n = s->cap / 2;
        s->stride *= 2;
        if (s->pending < s->stride) return; /* keep accumulating into the wider group */
    }
    s->t[s->n] = s->acc_t;
    s->v[s->n++] = s->acc_v / s->pending;
    s->pending = 0;
}

uint32_t series_view(const series *s, const double **t, const double **v, double *last_t,
                     double *last_v, bool *has_last) {
    *t = s->t;
    *v = s->v;
    *has_last = s->pending > 0;
    if (*has_last) *last_t = s->acc_t, *last_v = s->acc_v / s->pending;
    return s->n;
}

int raster_init(raster_store *r, uint32_t cap, uint32_t population_size, uint32_t max_neurons) {
    *r = (raster_store){.cap = cap + (cap & 1u), .stride = 1, .population_size = population_size};
    r->neuron_step = population_size > max_neurons
                         ? (population_size + max_neurons - 1) / max_neurons : 1;
    r->t = malloc(r->cap * sizeof *r->t);
    r->i = malloc(r->cap * sizeof *r->i);
    return r->t && r->i ? 0 : -1;
}

void raster_free(raster_store *r) {
    free(r->t);
    free(r->i);
    r->t = NULL;
    r->i = NULL;
}

void raster_add(raster_store *r, double t, uint32_t neuron) {
    r->total++;
    if (neuron % r->neuron_step) return;
    if (r->seen++ % r->stride) return;
    if (r->n == r->cap) { /* keep every other stored spike: those at multiples of 2*stride */
        for (uint32_t k = 0; k < r->cap / 2; k++) {
            r->t[k] = r->t[2 * k];
            r->i[k] = r->i[2 * k];
        }
        r->n = r->cap / 2;
        r->stride *= 2;
        if ((r->seen - 1) % r->stride) return;
    }
    r->t[r->n] = (float)t;
    r->i[r->n++] = neuron;
}

static int snapshot_init(snapshot *s, uint32_t cap, uint32_t synapses) {
    *s = (snapshot){.cap = cap, .step = synapses > cap ? (synapses + cap - 1) / cap : 1};
    s->v = malloc(cap * sizeof *s->v);
    return s->v ? 0 : -1;
}

static void snapshot_add(snapshot *s, double value) {
    /* A snapshot larger than at start (structural growth) is cut at cap: still bounded. */
    if (s->rows++ % s->step == 0 && s->n < s->cap) s->v[s->n++] = value;
}

int weights_init(weights_store *w, uint32_t cap, uint32_t synapses) {
    int a = snapshot_init(&w->first, cap, synapses);
    int b = snapshot_init(&w->last, cap, synapses);
    return a || b ? -1 : 0;
}

void weights_free(weights_store *w) {
    free(w->first.v);
    free(w->last.v);
    w->first.v = w->last.v = NULL;
}

/* Rows of one snapshot share its time; a later time starts the next snapshot. */
void weights_add(weights_store *w, double t, double value) {
    if (!w->first.set || t == w->first.t) {
        w->first.set = true;
        w->first.t = t;
        snapshot_add(&w->first, value);
    }
    if (!w->last.set || t != w->last.t) {
        w->last.set = true;
        w->last.t = t;
        w->last.n = 0;
        w->last.rows = 0;
    }
    snapshot_add(&w->last, value);
}
