/* Connectivity: which synapses a projection has, their weights and delays, as CSR by
 * source with every row sorted by target.
 *
 * Keys (rng.h) make the result independent of generation order:
 *  - fixed_probability: row i (presynaptic) draws its targets from the sequence
 *    (connect stream, entity i), skipping geometrically to the next target;
 *  - fixed_indegree: post neuron j draws its k sources from (connect stream, entity j);
 *  - topographic: pair (i, j) uses block (connect stream, entity i, counter j);
 *  - weights and delays: synapse (pre i, post j, its k-th copy) uses block
 *    (entity = i << 32 | j, counter = k) of the weight / delay stream.
 * So rows can later be generated in parallel, or per rank, with the same result.
 * Allocations are per projection (a few arrays), never per synapse. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "network_internal.h"
#include "rng.h"
#include "space.h"

double rw_dist_draw(const rw_dist *dist, uint64_t key, uint64_t entity, uint64_t counter) {
    double x;
    switch (dist->kind) {
    case RW_DIST_UNIFORM:
        x = dist->a + (dist->b - dist->a) * rw_rng_uniform_k(key, entity, counter);
        break;
    case RW_DIST_NORMAL:
        x = dist->a + dist->b * rw_rng_normal_k(key, entity, counter);
        break;
    case RW_DIST_CONST:
    default:
        x = dist->a;
        break;
    }
    if (x < dist->lo) x = dist->lo;
    if (x > dist->hi) x = dist->hi;
    return x;
}

static void report_oom(const rw_projection_spec *ps, rw_diag *d) {
    rw_diag_error(d, ps->loc, "out of memory building the synapses of projection '%s'",
                  ps->name);
}

static void report_too_many(const rw_projection_spec *ps, uint64_t n, rw_diag *d) {
    rw_diag_error(d, ps->loc,
                  "projection '%s' would have %llu synapses; a projection holds at most "
                  "4294967295",
                  ps->name, (unsigned long long)n);
}

/* ---- the rules: each fills row_offsets and targets ---- */

static int connect_all_to_all(rw_proj *pr, bool skip_self, const rw_projection_spec *ps,
                              rw_diag *d) {
    uint64_t per_row = pr->n_post - (skip_self ? 1u : 0u);
    uint64_t n = (uint64_t)pr->n_pre * per_row;
    if (n > UINT32_MAX) {
        report_too_many(ps, n, d);
        return -1;
    }
    pr->targets = malloc((n ? n : 1) * sizeof *pr->targets);
    if (!pr->targets) {
        report_oom(ps, d);
        return -1;
    }
    uint32_t s = 0;
    for (uint32_t i = 0; i < pr->n_pre; i++) {
        pr->row_offsets[i] = s;
        for (uint32_t j = 0; j < pr->n_post; j++)
            if (!(skip_self && j == i)) pr->targets[s++] = j;
    }
    pr->row_offsets[pr->n_pre] = s;
    pr->n_syn = s;
    return 0;
}

static int connect_one_to_one(rw_proj *pr, const rw_projection_spec *ps, rw_diag *d) {
    uint32_t n = pr->n_pre < pr->n_post ? pr->n_pre : pr->n_post;
    pr->targets = malloc((n ? n : 1) * sizeof *pr->targets);
    if (!pr->targets) {
        report_oom(ps, d);
        return -1;
    }
    for (uint32_t i = 0; i <= pr->n_pre; i++) pr->row_offsets[i] = i < n ? i : n;
    for (uint32_t i = 0; i < n; i++) pr->targets[i] = i;
    pr->n_syn = n;
    return 0;
}

/* Each pair independently with probability p: per row, the gaps between successive
 * targets are geometric, so the cost is proportional to the synapses drawn. */
static int connect_fixed_probability(rw_proj *pr, bool skip_self, uint64_t key,
                                     const rw_projection_spec *ps, rw_diag *d) {
    double p = ps->p;
    double expect = (double)pr->n_pre * (double)pr->n_post * p;
    size_t cap = (size_t)fmin(expect * 1.02 + 6.0 * sqrt(expect) + 64.0, (double)UINT32_MAX);
    uint32_t *targets = malloc(cap * sizeof *targets);
    if (!targets) {
        report_oom(ps, d);
        return -1;
    }
    double log1m_p = log1p(-p);
    uint64_t n = 0;
    for (uint32_t i = 0; i < pr->n_pre; i++) {
        pr->row_offsets[i] = (uint32_t)n;
        if (p <= 0.0) continue;
        rw_rng_seq seq;
        rw_rng_seq_init(&seq, key, i);
        uint64_t j = rw_geometric(rw_rng_seq_uniform(&seq), log1m_p);
        while (j < pr->n_post) {
            if (!(skip_self && j == i)) {
                if (n == cap) {
                    if (cap >= UINT32_MAX) {
                        free(targets);
                        report_too_many(ps, n + 1, d);
                        return -1;
                    }
                    size_t ncap = cap * 2 > UINT32_MAX ? UINT32_MAX : cap * 2;
                    uint32_t *t = realloc(targets, ncap * sizeof *t);
                    if (!t) {
                        free(targets);
                        report_oom(ps, d);
                        return -1;
                    }
                    targets = t;
                    cap = ncap;
                }
                targets[n++] = (uint32_t)j;
            }
            j += 1 + rw_geometric(rw_rng_seq_uniform(&seq), log1m_p);
        }
    }
    pr->row_offsets[pr->n_pre] = (uint32_t)n;
    /* Give back the slack of the estimate. */
    uint32_t *t = realloc(targets, (n ? n : 1) * sizeof *t);
    pr->targets = t ? t : targets;
    pr->n_syn = n;
    return 0;
}

/* Targets of one row appended to a growing array (doubling: rows are short). */
typedef struct grow_u32 {
    uint32_t *v;
    size_t n, cap;
} grow_u32;

static bool grow_push(grow_u32 *g, uint32_t x) {
    if (g->n == g->cap) {
        if (g->cap >= UINT32_MAX) return false;
        size_t cap = g->cap * 2 > UINT32_MAX ? UINT32_MAX : g->cap * 2;
        uint32_t *v = realloc(g->v, cap * sizeof *v);
        if (!v) return false;
        g->v = v;
        g->cap = cap;
    }
    g->v[g->n++] = x;
    return true;
}

/* Pair (i, j) exists with probability p exp(-d^2 / (2 sigma^2)), d the distance between
 * the positions of pre i and post j: one uniform per pair, block (entity i, counter j),
 * so every pair's fate depends on the seed and the pair only. */
static int connect_topographic(rw_proj *pr, const rw_experiment *e, bool skip_self, uint64_t key,
                               const rw_projection_spec *ps, rw_diag *d) {
    const rw_population_spec *a = &e->populations[ps->pre], *b = &e->populations[ps->post];
    const double inv2s2 = 1.0 / (2.0 * ps->connect_sigma * ps->connect_sigma);
    grow_u32 g = {malloc(1024 * sizeof(uint32_t)), 0, 1024};
    if (!g.v) {
        report_oom(ps, d);
        return -1;
    }
    for (uint32_t i = 0; i < pr->n_pre; i++) {
        pr->row_offsets[i] = (uint32_t)g.n;
        if (ps->p <= 0.0) continue;
        const double xi = a->x[i], yi = a->y[i];
        for (uint32_t j = 0; j < pr->n_post; j++) {
            if (skip_self && j == i) continue;
            double r = rw_space_distance(xi, yi, b->x[j], b->y[j], ps->periodic);
            if (rw_rng_uniform_k(key, i, j) >= ps->p * exp(-r * r * inv2s2)) continue;
            if (!grow_push(&g, j)) {
                free(g.v);
                if (g.n >= UINT32_MAX)
                    report_too_many(ps, g.n + 1, d);
                else
                    report_oom(ps, d);
                return -1;
            }
        }
    }
    pr->row_offsets[pr->n_pre] = (uint32_t)g.n;
    uint32_t *t = realloc(g.v, (g.n ? g.n : 1) * sizeof *t);
    pr->targets = t ? t : g.v;
    pr->n_syn = g.n;
    return 0;
}

/* Each post neuron j gets exactly k sources drawn from its entity's sequence: with
 * replacement when multapses are allowed, else a uniformly random k-subset by Floyd's
 * algorithm (k draws, a bitmap for membership).  The (post, source) lists are then
 * counting-sorted into rows; visiting posts in increasing order keeps rows sorted. */
static int connect_fixed_indegree(rw_proj *pr, bool skip_self, uint64_t key,
                                  const rw_projection_spec *ps, rw_diag *d) {
    uint32_t k = ps->indegree;
    uint32_t n_cand = pr->n_pre - (skip_self ? 1u : 0u);
    if (k > 0 && (n_cand == 0 || (!ps->multapses && k > n_cand))) {
        rw_diag_error(d, ps->loc,
                      "projection '%s': fixed_indegree k = %u but only %u distinct sources "
                      "are available%s",
                      ps->name, k, n_cand, ps->multapses ? "" : " (set multapses: true?)");
        return -1;
    }
    uint64_t n = (uint64_t)pr->n_post * k;
    if (n > UINT32_MAX) {
        report_too_many(ps, n, d);
        return -1;
    }
    uint32_t *src = malloc((n ? n : 1) * sizeof *src);
    uint64_t *taken = calloc(((size_t)n_cand + 63) / 64 + 1, sizeof *taken);
    pr->targets = malloc((n ? n : 1) * sizeof *pr->targets);
    if (!src || !taken || !pr->targets) {
        free(src);
        free(taken);
        report_oom(ps, d);
        return -1;
    }
    for (uint32_t j = 0; j < pr->n_post; j++) {
        uint32_t *out = src + (size_t)j * k;
        rw_rng_seq seq;
        rw_rng_seq_init(&seq, key, j);
        if (ps->multapses) {
            for (uint32_t m = 0; m < k; m++)
                out[m] = rw_uniform_index(rw_rng_seq_uniform(&seq), n_cand);
        } else {
            uint32_t m = 0;
            for (uint32_t r = n_cand - k; r < n_cand; r++) {
                uint32_t c = rw_uniform_index(rw_rng_seq_uniform(&seq), r + 1);
                if (taken[c >> 6] & (1ull << (c & 63))) c = r;
                taken[c >> 6] |= 1ull << (c & 63);
                out[m++] = c;
            }
            for (m = 0; m < k; m++) taken[out[m] >> 6] &= ~(1ull << (out[m] & 63));
        }
        /* Candidates skip j itself when autapses are excluded. */
        if (skip_self)
            for (uint32_t m = 0; m < k; m++)
                if (out[m] >= j) out[m]++;
    }
    free(taken);

    /* Counting sort by source: row lengths, offsets, then scatter in post order. */
    memset(pr->row_offsets, 0, ((size_t)pr->n_pre + 1) * sizeof *pr->row_offsets);
    for (uint64_t s = 0; s < n; s++) pr->row_offsets[src[s] + 1]++;
    for (uint32_t i = 0; i < pr->n_pre; i++) pr->row_offsets[i + 1] += pr->row_offsets[i];
    uint32_t *fill = malloc(((size_t)pr->n_pre + 1) * sizeof *fill);
    if (!fill) {
        free(src);
        report_oom(ps, d);
        return -1;
    }
    memcpy(fill, pr->row_offsets, (size_t)pr->n_pre * sizeof *fill);
    for (uint32_t j = 0; j < pr->n_post; j++)
        for (uint32_t m = 0; m < k; m++) {
            uint32_t i = src[(size_t)j * k + m];
            pr->targets[fill[i]++] = j;
        }
    free(fill);
    free(src);
    pr->n_syn = n;
    return 0;
}

/* ---- weights and delays ---- */

static int draw_weights_and_delays(rw_proj *pr, const rw_experiment *e, uint32_t index,
                                   const rw_projection_spec *ps, rw_diag *d) {
    size_t n = pr->n_syn ? (size_t)pr->n_syn : 1;
    pr->weights = malloc(n * sizeof *pr->weights);
    pr->delays = malloc(n * sizeof *pr->delays);
    if (!pr->weights || !pr->delays) {
        report_oom(ps, d);
        return -1;
    }
    uint64_t wkey = rw_rng_key(e->seed, rw_stream_id(RW_STREAM_WEIGHT, index));
    uint64_t dkey = rw_rng_key(e->seed, rw_stream_id(RW_STREAM_DELAY, index));
    bool const_w = ps->weight.kind == RW_DIST_CONST;
    bool const_d = ps->delay.kind == RW_DIST_CONST;
    float w_const = (float)rw_dist_draw(&ps->weight, wkey, 0, 0);
    double d_const = rw_dist_draw(&ps->delay, dkey, 0, 0);
    const rw_population_spec *pre = &e->populations[ps->pre], *post = &e->populations[ps->post];
    const bool gauss = ps->weight_gaussian && pre->x && post->x;
    const double inv2s2 = gauss ? 1.0 / (2.0 * ps->weight_sigma * ps->weight_sigma) : 0.0;
    uint16_t dmin = UINT16_MAX, dmax = 0;
    for (uint32_t i = 0; i < pr->n_pre; i++) {
        uint32_t k = 0; /* copies of this (i, j) pair before the current synapse */
        for (uint32_t s = pr->row_offsets[i]; s < pr->row_offsets[i + 1]; s++) {
            uint32_t j = pr->targets[s];
            k = (s > pr->row_offsets[i] && pr->targets[s - 1] == j) ? k + 1 : 0;
            uint64_t entity = ((uint64_t)i << 32) | j;
            if (gauss) {
                /* peak exp(-d^2 / (2 sigma^2)) between the two positions. */
                double r = rw_space_distance(pre->x[i], pre->y[i], post->x[j], post->y[j],
                                             ps->periodic);
                pr->weights[s] = (float)(ps->weight.a * exp(-r * r * inv2s2));
            } else {
                pr->weights[s] =
                    const_w ? w_const : (float)rw_dist_draw(&ps->weight, wkey, entity, k);
            }
            double ms = const_d ? d_const : rw_dist_draw(&ps->delay, dkey, entity, k);
            double steps = nearbyint(ms / e->dt);
            if (steps < 1.0) steps = 1.0;
            if (steps > (double)UINT16_MAX) {
                rw_diag_error(d, ps->loc,
                              "projection '%s': a delay of %g ms is %.0f steps of dt = %g ms; "
                              "the ring buffers hold at most 65535",
                              ps->name, ms, steps, e->dt);
                return -1;
            }
            uint16_t ds = (uint16_t)steps;
            pr->delays[s] = ds;
            if (ds < dmin) dmin = ds;
            if (ds > dmax) dmax = ds;
        }
    }
    pr->min_delay = pr->n_syn ? dmin : 0;
    pr->max_delay = pr->n_syn ? dmax : 0;
    return 0;
}

int rw_connect_build(rw_proj *pr, const rw_experiment *e, uint32_t index, rw_diag *d) {
    const rw_projection_spec *ps = &e->projections[index];
    pr->n_pre = e->populations[ps->pre].size;
    pr->n_post = e->populations[ps->post].size;
    pr->row_offsets = malloc(((size_t)pr->n_pre + 1) * sizeof *pr->row_offsets);
    if (!pr->row_offsets) {
        report_oom(ps, d);
        return -1;
    }
    bool skip_self = ps->pre == ps->post && !ps->autapses;
    uint64_t key = rw_rng_key(e->seed, rw_stream_id(RW_STREAM_CONNECT, index));
    int rc;
    switch (ps->connect) {
    case RW_CONNECT_ALL_TO_ALL: rc = connect_all_to_all(pr, skip_self, ps, d); break;
    case RW_CONNECT_ONE_TO_ONE: rc = connect_one_to_one(pr, ps, d); break;
    case RW_CONNECT_FIXED_PROBABILITY:
        rc = connect_fixed_probability(pr, skip_self, key, ps, d);
        break;
    case RW_CONNECT_FIXED_INDEGREE:
        rc = connect_fixed_indegree(pr, skip_self, key, ps, d);
        break;
    case RW_CONNECT_TOPOGRAPHIC:
        if (!e->populations[ps->pre].x || !e->populations[ps->post].x) {
            rw_diag_error(d, ps->loc, "projection '%s': topographic needs layouts at both ends",
                          ps->name);
            rc = -1;
            break;
        }
        rc = connect_topographic(pr, e, skip_self, key, ps, d);
        break;
    default:
        rw_diag_error(d, ps->loc, "projection '%s': unknown connectivity rule %d", ps->name,
                      (int)ps->connect);
        rc = -1;
    }
    if (rc) return rc;
    /* Every row starts full; only structural rules ever shorten or lengthen one. */
    pr->row_lengths = malloc((pr->n_pre ? (size_t)pr->n_pre : 1) * sizeof *pr->row_lengths);
    pr->span = malloc((pr->n_pre ? (size_t)pr->n_pre : 1) * sizeof *pr->span);
    if (!pr->row_lengths || !pr->span) {
        report_oom(ps, d);
        return -1;
    }
    for (uint32_t i = 0; i < pr->n_pre; i++)
        pr->row_lengths[i] = pr->row_offsets[i + 1] - pr->row_offsets[i];
    rw_connect_fill_spans(pr);
    return draw_weights_and_delays(pr, e, index, ps, d);
}

int rw_connect_build_post_index(rw_proj *pr) {
    size_t n = pr->n_syn ? (size_t)pr->n_syn : 1;
    uint32_t *off = calloc((size_t)pr->n_post + 1, sizeof *off);
    uint32_t *syn = malloc(n * sizeof *syn);
    uint32_t *fill = malloc(((size_t)pr->n_post + 1) * sizeof *fill);
    if (!off || !syn || !fill) {
        free(off);
        free(syn);
        free(fill);
        return REWIRE_ENOMEM;
    }
    free(pr->col_offsets);
    free(pr->col_synapses);
    free(pr->col_fill);
    pr->col_offsets = off;
    pr->col_synapses = syn;
    pr->col_fill = fill;
    rw_connect_fill_post_index(pr);
    return REWIRE_OK;
}

/* The first synapse in [a, b) of a sorted row whose target is >= x. */
static uint32_t lower_bound(const uint32_t *tgt, uint32_t a, uint32_t b, uint32_t x) {
    while (a < b) {
        uint32_t mid = a + (b - a) / 2;
        if (tgt[mid] < x) a = mid + 1;
        else b = mid;
    }
    return a;
}

static void fill_cuts(rw_proj *pr) {
    const uint32_t T = pr->n_threads;
    for (uint32_t i = 0; i < pr->n_pre; i++) {
        uint32_t a = pr->span[i].begin;
        const uint32_t b = pr->span[i].end;
        for (uint32_t t = 1; t < T; t++)
            pr->cut[(size_t)i * (T - 1) + t - 1] = a = lower_bound(pr->targets, a, b, pr->post_bound[t]);
    }
}

void rw_connect_fill_spans(rw_proj *pr) {
    for (uint32_t i = 0; i < pr->n_pre; i++)
        pr->span[i] = (rw_row_span){pr->row_offsets[i], pr->row_offsets[i] + pr->row_lengths[i]};
    if (pr->cut) fill_cuts(pr);
}

int rw_connect_alloc_cuts(rw_proj *pr, uint32_t n_threads, const uint32_t *post_bound,
                          bool sorted) {
    free(pr->cut);
    pr->cut = NULL;
    pr->n_threads = n_threads;
    pr->post_bound = post_bound;
    if (n_threads < 2 || !sorted) return REWIRE_OK;
    pr->cut = malloc(((size_t)pr->n_pre * (n_threads - 1) + 1) * sizeof *pr->cut);
    if (!pr->cut) return REWIRE_ENOMEM;
    fill_cuts(pr);
    return REWIRE_OK;
}

void rw_connect_fill_post_index(rw_proj *pr) {
    uint32_t *off = pr->col_offsets, *syn = pr->col_synapses, *fill = pr->col_fill;
    const uint32_t *rows = pr->row_offsets, *len = pr->row_lengths, *tgt = pr->targets;
    memset(off, 0, ((size_t)pr->n_post + 1) * sizeof *off);
    for (uint32_t i = 0; i < pr->n_pre; i++)
        for (uint32_t s = rows[i]; s < rows[i] + len[i]; s++) off[tgt[s] + 1]++;
    for (uint32_t j = 0; j < pr->n_post; j++) off[j + 1] += off[j];
    memcpy(fill, off, (size_t)pr->n_post * sizeof *fill);
    /* Synapses in increasing id order: each column lists its sources in order. */
    for (uint32_t i = 0; i < pr->n_pre; i++)
        for (uint32_t s = rows[i]; s < rows[i] + len[i]; s++) syn[fill[tgt[s]]++] = s;
}
