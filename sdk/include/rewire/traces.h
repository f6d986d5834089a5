/* Per-neuron spike traces for learning rules, and the sources of synapses in the post
 * index: the machinery that spike-timing rules (stdp, rstdp, triplet_stdp, istdp) share.
 * Header-only (static inline): a plugin that includes it links against nothing new.
 *
 * Lazy traces.  A trace that decays as exp(-t / tau) is stored as its value at the last
 * update and the step of that update; a reader decays it to the step at hand.  So a
 * step without spikes costs nothing and no hook loops over all neurons.  Decay factors
 * exp(-k dt / tau) for short gaps come from a table (a load instead of exp()); longer
 * gaps, where the trace is nearly gone, call exp().
 *
 * Sources of synapses.  The host's post index lists, for post neuron j, the synapse ids
 * col_synapses[col_offsets[j] .. col_offsets[j+1]); the CSR stores synapses by source,
 * so a synapse's source is implicit.  rewire_col_sources keeps source[k] = source of
 * col_synapses[k], aligned with the post index: 4 bytes per synapse, read sequentially
 * next to col_synapses on a post spike.  The alternative without memory, a binary search
 * of row_offsets per synapse and post spike (rewire_source_of), costs log2(n_pre)
 * dependent loads in the hottest loop; it stays the fallback when the table could not
 * be allocated.  The table records the arrays it was built for and is rebuilt when the
 * host changes the projection's synapses (n_syn or moved arrays).
 *
 * Threads: each function says where it may be called, as in host.h:  [any]  any hook;
 * [loop]  create/start/stop/destroy.  Functions marked [any] never allocate, except
 * rewire_col_sources_get with rebuild set, and then only when the host changed the
 * projection's synapses since the table was built.
 */
#ifndef REWIRE_TRACES_H
#define REWIRE_TRACES_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "abi.h"
#include "network.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A decay table covers 8 time constants (3e-4 of the value is left), at most 64k
 * entries (512 KiB). */
#define REWIRE_DECAY_TAUS 8.0
#define REWIRE_DECAY_MAX_ENTRIES 65536

/* Decay factors exp(-k dt / tau) for k < n.  Zero-initialise it (factor NULL). */
typedef struct rewire_decay_table {
    double *factor;
    int64_t n;
    double rate; /* dt / tau */
} rewire_decay_table;

/* [loop] Fill t for time step dt and time constant tau (both > 0, ms), replacing a
 * table it held.  REWIRE_OK, or REWIRE_ENOMEM (t unchanged). */
static inline int rewire_decay_table_build(rewire_decay_table *t, double dt, double tau) {
    double want = ceil(REWIRE_DECAY_TAUS * tau / dt) + 1.0;
    int64_t n = want > REWIRE_DECAY_MAX_ENTRIES ? REWIRE_DECAY_MAX_ENTRIES : (int64_t)want;
    double *f = (double *)malloc((size_t)n * sizeof *f);
    if (!f) return REWIRE_ENOMEM;
    t->rate = dt / tau;
    for (int64_t k = 0; k < n; k++) f[k] = exp(-(double)k * t->rate);
    free(t->factor);
    t->factor = f;
    t->n = n;
    return REWIRE_OK;
}

/* [loop] Free the table; t can be built again. */
static inline void rewire_decay_table_free(rewire_decay_table *t) {
    free(t->factor);
    t->factor = NULL;
    t->n = 0;
}

/* [any] x decayed over `elapsed` >= 0 steps. */
static inline double rewire_decayed(const rewire_decay_table *t, double x, int64_t elapsed) {
    return x * (elapsed < t->n ? t->factor[elapsed] : exp(-(double)elapsed * t->rate));
}

/* One lazily decayed trace per neuron of one side (pre or post): value[k] at step[k],
 * the step of its last update.  Zero-initialise it (arrays NULL). */
typedef struct rewire_traces {
    double *value;
    int64_t *step;
} rewire_traces;

/* [loop] Allocate empty traces for n neurons (at least one entry, so n = 0 works);
 * false when out of memory (then call rewire_traces_free).  An empty trace's step does
 * not matter while its value is 0. */
static inline bool rewire_traces_alloc(rewire_traces *tr, uint32_t n) {
    const size_t count = n ? n : 1;
    tr->value = (double *)calloc(count, sizeof *tr->value);
    tr->step = (int64_t *)calloc(count, sizeof *tr->step);
    return tr->value && tr->step;
}

/* [loop] Free the traces; they can be allocated again. */
static inline void rewire_traces_free(rewire_traces *tr) {
    free(tr->value);
    free(tr->step);
    tr->value = NULL;
    tr->step = NULL;
}

/* [any] Neuron k's trace at `step` (not before its last update). */
static inline double rewire_trace_at(const rewire_traces *tr, const rewire_decay_table *t,
                                     uint32_t k, int64_t step) {
    return rewire_decayed(t, tr->value[k], step - tr->step[k]);
}

/* [any] Neuron k spikes at `step`: its trace decays to `step`, then gains 1. */
static inline void rewire_trace_spike(rewire_traces *tr, const rewire_decay_table *t,
                                      uint32_t k, int64_t step) {
    tr->value[k] = rewire_trace_at(tr, t, k, step) + 1.0;
    tr->step[k] = step;
}

/* [any] The presynaptic neuron of synapse s: the row of the CSR that contains s
 * (binary search of row_offsets). */
static inline uint32_t rewire_source_of(const rewire_projection_view *v, uint32_t s) {
    uint32_t lo = 0, hi = v->n_pre; /* row_offsets[lo] <= s < row_offsets[hi] */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (v->row_offsets[mid] <= s)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* source[k] = source of col_synapses[k], valid for the arrays recorded with it.
 * Zero-initialise it (source NULL). */
typedef struct rewire_col_sources {
    uint32_t *source;
    uint32_t n_syn;
    const uint32_t *row_offsets;
    const uint32_t *col_synapses;
    /* Set `compact` before building to store sources in 2 bytes (source16, source
     * NULL) when the projection has at most 65,536 sources: a plastic synapse then costs
     * 2 bytes less.  Read a compact table with rewire_col_source_in. */
    bool compact;
    uint16_t *source16;
} rewire_col_sources;

/* [any] Whether c matches the view's current synapses. */
static inline bool rewire_col_sources_current(const rewire_col_sources *c,
                                              const rewire_projection_view *v) {
    return (c->source || c->source16) && c->n_syn == v->n_syn && c->row_offsets == v->row_offsets &&
           c->col_synapses == v->col_synapses;
}

/* [loop] (Re)build c for the view's current synapses (the view needs its post index);
 * false when out of memory (c is then empty and rules fall back to rewire_source_of).
 * Call it in start(). */
static inline bool rewire_col_sources_build(rewire_col_sources *c, const rewire_projection_view *v) {
    free(c->source);
    free(c->source16);
    c->source = NULL;
    c->source16 = NULL;
    const size_t n = v->n_syn ? v->n_syn : 1;
    uint32_t *src = NULL;
    uint16_t *src16 = NULL;
    if (c->compact && v->n_pre <= 65536u) src16 = (uint16_t *)malloc(n * sizeof *src16);
    else src = (uint32_t *)malloc(n * sizeof *src);
    if (!src && !src16) return false;
    /* The host lists each column's synapses in increasing id order, so walking the rows
     * in order meets every column's entries in its order: a cursor per column places
     * each source (O(n_syn), n_post cursors).  Should an entry not be where expected
     * (or the cursors not fit in memory), a binary search per entry does it instead. */
    bool placed = false;
    uint32_t *at = (uint32_t *)malloc(((size_t)v->n_post + 1) * sizeof *at);
    if (at && v->col_offsets) {
        placed = true;
        for (uint32_t j = 0; j < v->n_post; j++) at[j] = v->col_offsets[j];
        for (uint32_t i = 0; i < v->n_pre && placed; i++) {
            const uint32_t a = v->row_offsets[i];
            const uint32_t b = v->row_lengths ? a + v->row_lengths[i] : v->row_offsets[i + 1];
            for (uint32_t s = a; s < b; s++) {
                const uint32_t j = v->targets[s];
                if (at[j] >= v->col_offsets[j + 1] || v->col_synapses[at[j]] != s) {
                    placed = false;
                    break;
                }
                if (src) src[at[j]++] = i;
                else src16[at[j]++] = (uint16_t)i;
            }
        }
    }
    free(at);
    if (!placed)
        for (uint32_t k = 0; k < v->n_syn; k++) {
            const uint32_t i = rewire_source_of(v, v->col_synapses[k]);
            if (src) src[k] = i;
            else src16[k] = (uint16_t)i;
        }
    c->source = src;
    c->source16 = src16;
    c->n_syn = v->n_syn;
    c->row_offsets = v->row_offsets;
    c->col_synapses = v->col_synapses;
    return true;
}

/* [loop] Free the table; it can be built again. */
static inline void rewire_col_sources_free(rewire_col_sources *c) {
    free(c->source);
    free(c->source16);
    c->source = NULL;
    c->source16 = NULL;
}

/* [any] For on_post: the table aligned with the view's post index, or NULL when it is
 * stale or missing (then find sources with rewire_col_source).  With `rebuild`, a stale
 * table is rebuilt first (this allocates: pass false when the rule will not read
 * sources on this call, e.g. at plasticity_gain 0). */
static inline const uint32_t *rewire_col_sources_get(rewire_col_sources *c,
                                                     const rewire_projection_view *v,
                                                     bool rebuild) {
    if (rebuild && !rewire_col_sources_current(c, v)) rewire_col_sources_build(c, v);
    return rewire_col_sources_current(c, v) ? c->source : NULL; /* NULL when compact */
}

/* [any] As rewire_col_sources_get, for tables of either width: c itself when current,
 * else NULL (then rewire_col_source_in searches). */
static inline const rewire_col_sources *rewire_col_sources_table(rewire_col_sources *c,
                                                                 const rewire_projection_view *v,
                                                                 bool rebuild) {
    if (rebuild && !rewire_col_sources_current(c, v)) rewire_col_sources_build(c, v);
    return rewire_col_sources_current(c, v) ? c : NULL;
}

/* [any] The source of synapse col_synapses[k] from a table of either width (what
 * rewire_col_sources_table returned), or by binary search when it is NULL. */
static inline uint32_t rewire_col_source_in(const rewire_col_sources *c,
                                            const rewire_projection_view *v, uint32_t k) {
    if (!c) return rewire_source_of(v, v->col_synapses[k]);
    return c->source16 ? c->source16[k] : c->source[k];
}

/* [any] The source of synapse col_synapses[k]: from `sources` (what
 * rewire_col_sources_get returned) or, when that is NULL, by binary search. */
static inline uint32_t rewire_col_source(const uint32_t *sources, const rewire_projection_view *v,
                                         uint32_t k) {
    return sources ? sources[k] : rewire_source_of(v, v->col_synapses[k]);
}

#ifdef __cplusplus
}
#endif

#endif
