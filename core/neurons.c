/* Neuron and source models: state allocation, the per-step LIF loops and the
 * event-driven sources (the rate models' own state and update are in rate.c).
 *
 * LIF step (both models), for every neuron, from the state at the start of the step:
 *   1. V advances over dt (exactly on lif_cuba; exponential Euler on lif_coba) unless
 *      the neuron is refractory, then it stays at V_reset;
 *   2. synaptic variables decay exactly, then the ring slot of this step is added
 *      (input arriving at step t acts at the end of step t);
 *   3. refractoriness counts down; a neuron that is not refractory spikes when
 *      V >= V_th: V = V_reset.
 * One loop per model does all three with selects only (no calls, no branches), so the
 * compiler vectorises it; it flags the spikes, and a scan collects their indices.
 *
 * Refractoriness follows Brian2's convention (spike times are the start of the step
 * in which V crossed): after a spike at step s, V is V_reset at the times
 * (s+1)dt .. (s+R)dt, R = round(t_ref / dt), and integrates again from step s+R on.
 * So V is held at V_reset for t_ref after the spike time. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "network_internal.h"
#include "rng.h"
#include "vexp.h"

const char *rw_model_name(rw_model_kind m) {
    switch (m) {
    case RW_MODEL_LIF_CUBA: return "lif_cuba";
    case RW_MODEL_LIF_COBA: return "lif_coba";
    case RW_MODEL_POISSON: return "poisson";
    case RW_MODEL_SPIKE_TIMES: return "spike_times";
    case RW_MODEL_RATE: return "rate";
    case RW_MODEL_RATE_INPUT: return "rate_input";
    }
    return "?";
}

/* -expm1(-x) / x, continuous at 0 (where it is 1): the propagator of a synaptic current
 * onto V without the cancellation of the textbook formula when tau_syn ~ tau_m. */
static double phi(double x) { return x == 0.0 ? 1.0 : -expm1(-x) / x; }

static void lif_consts(rw_lif_consts *c, const rw_lif_params *lp, rw_model_kind model,
                       double h) {
    memset(c, 0, sizeof *c);
    c->E_L = lp->E_L;
    c->V_th = lp->V_th;
    c->V_reset = lp->V_reset;
    c->I_bias = lp->I_bias;
    double R = nearbyint(lp->t_ref / h);
    c->hold_steps = R > 1.0 ? (int32_t)fmin(R - 1.0, (double)INT32_MAX) : 0;
    c->P11e = exp(-h / lp->tau_e);
    c->P11i = exp(-h / lp->tau_i);
    if (model == RW_MODEL_LIF_CUBA) {
        /* Rotter & Diesmann 1999, as NEST's iaf_psc_exp:
         * P21 = tau_s tau_m / (C (tau_m - tau_s)) (e^{-h/tau_m} - e^{-h/tau_s}). */
        c->P22 = exp(-h / lp->tau_m);
        c->P21e = c->P22 * h / lp->C_m * phi(h * (1.0 / lp->tau_e - 1.0 / lp->tau_m));
        c->P21i = c->P22 * h / lp->C_m * phi(h * (1.0 / lp->tau_i - 1.0 / lp->tau_m));
        c->P20 = -lp->tau_m / lp->C_m * expm1(-h / lp->tau_m);
    } else {
        c->g_L = lp->C_m / lp->tau_m;
        c->E_e = lp->E_e;
        c->E_i = lp->E_i;
        c->dt_over_C = h / lp->C_m;
    }
}

static int spikes_reserve(rw_spike_buf *b, size_t need) {
    if (need <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) cap *= 2;
    uint32_t *idx = realloc(b->idx, cap * sizeof *idx);
    if (!idx) return REWIRE_ENOMEM;
    b->idx = idx;
    b->cap = cap;
    return 0;
}

/* ---- sources ---- */

/* Draw the next spike of Poisson source i from step `from` on: a geometric number of
 * empty steps with p = rate dt, the same law as one Bernoulli(p) trial per step. */
/* The rate source i fires at now: its own rate through the interventions' gain and
 * drive (rewire/network.h), and nothing once it is dead. */
static inline double poisson_rate(const rw_pop *p, uint32_t i) {
    double r = p->rate[i] * (double)p->input_gain[i] + p->drive[i];
    return p->alive[i] && r > 0.0 ? r : 0.0; /* also maps NaN to 0 */
}

static void poisson_draw(rw_pop *p, uint32_t i, int64_t from, double dt) {
    const double rate = poisson_rate(p, i);
    if (rate != p->rate_drawn[i]) {
        double prob = rate * dt * 1e-3;
        prob = prob > 1.0 ? 1.0 : prob;
        p->log1m_p[i] = log1p(-prob);
        p->rate_drawn[i] = rate;
    }
    double u = rw_rng_uniform_k(p->rng_key, i, p->draws[i]++);
    p->next_spike[i] = from + (int64_t)rw_geometric(u, p->log1m_p[i]);
}

static int compare_events(const void *a, const void *b) {
    const int64_t *x = a, *y = b; /* (step, neuron) pairs */
    if (x[0] != y[0]) return x[0] < y[0] ? -1 : 1;
    return (x[1] > y[1]) - (x[1] < y[1]);
}

static int spike_times_init(rw_pop *p, const rw_population_spec *s, double dt) {
    int64_t *pairs = malloc(((size_t)s->n_spikes + 1) * 2 * sizeof *pairs);
    if (!pairs) return -1;
    for (uint32_t k = 0; k < s->n_spikes; k++) {
        pairs[2 * k] = (int64_t)llround(s->spike_time[k] / dt);
        pairs[2 * k + 1] = s->spike_neuron[k];
    }
    /* Sorted by time already, but rounding to steps can reorder neurons in a step. */
    qsort(pairs, s->n_spikes, 2 * sizeof *pairs, compare_events);
    p->ev_step = malloc(((size_t)s->n_spikes + 1) * sizeof *p->ev_step);
    p->ev_neuron = malloc(((size_t)s->n_spikes + 1) * sizeof *p->ev_neuron);
    if (!p->ev_step || !p->ev_neuron) {
        free(pairs);
        return -1;
    }
    /* Two times of one neuron that round to one step make one spike. */
    uint32_t m = 0;
    for (uint32_t k = 0; k < s->n_spikes; k++) {
        if (pairs[2 * k + 1] >= (int64_t)p->n) continue;
        if (m > 0 && p->ev_step[m - 1] == pairs[2 * k] &&
            p->ev_neuron[m - 1] == (uint32_t)pairs[2 * k + 1])
            continue;
        p->ev_step[m] = pairs[2 * k];
        p->ev_neuron[m] = (uint32_t)pairs[2 * k + 1];
        m++;
    }
    p->n_events = m;
    free(pairs);
    return 0;
}

/* ---- lifecycle ---- */

int rw_pop_init(rw_pop *p, const rw_experiment *e, uint32_t index, int64_t max_slice) {
    const rw_population_spec *s = &e->populations[index];
    size_t n = s->size;
    memset(p, 0, sizeof *p);
    p->model = s->model;
    p->n = s->size;
    p->name = strdup(s->name ? s->name : "");
    p->spikes.off = calloc((size_t)max_slice + 1, sizeof *p->spikes.off);
    if (!p->name || !p->spikes.off || spikes_reserve(&p->spikes, n + 64)) return -1;
    p->alive = malloc(n ? n : 1);
    if (!p->alive) return -1;
    memset(p->alive, 1, n);
    if (!rw_model_is_rate(s->model) && !(p->spike_counts = calloc(n ? n : 1, sizeof *p->spike_counts)))
        return -1;
    if (s->model == RW_MODEL_POISSON || s->model == RW_MODEL_RATE_INPUT) {
        p->input_gain = malloc((n ? n : 1) * sizeof *p->input_gain);
        p->drive = calloc(n ? n : 1, sizeof *p->drive);
        if (!p->input_gain || !p->drive) return -1;
        for (size_t i = 0; i < n; i++) p->input_gain[i] = 1.0f;
    }

    if (s->model == RW_MODEL_LIF_CUBA || s->model == RW_MODEL_LIF_COBA) {
        p->v = malloc(n * sizeof *p->v);
        p->g_e = calloc(n, sizeof *p->g_e);
        p->g_i = calloc(n, sizeof *p->g_i);
        p->ref = calloc(n, sizeof *p->ref);
        p->fired = calloc(n, sizeof *p->fired);
        p->excitability = malloc(n * sizeof *p->excitability);
        if (!p->v || !p->g_e || !p->g_i || !p->ref || !p->fired || !p->excitability) return -1;
        lif_consts(&p->c, &s->lif, s->model, e->dt);
        uint64_t key = rw_rng_key(e->seed, rw_stream_id(RW_STREAM_V_INIT, index));
        for (size_t i = 0; i < n; i++) {
            p->v[i] = rw_dist_draw(&s->v_init, key, i, 0);
            p->excitability[i] = 1.0f;
        }
    } else if (s->model == RW_MODEL_POISSON) {
        p->rate = malloc(n * sizeof *p->rate);
        p->rate_drawn = malloc(n * sizeof *p->rate_drawn);
        p->log1m_p = malloc(n * sizeof *p->log1m_p);
        p->next_spike = malloc(n * sizeof *p->next_spike);
        p->draws = calloc(n, sizeof *p->draws);
        if (!p->rate || !p->rate_drawn || !p->log1m_p || !p->next_spike || !p->draws)
            return -1;
        p->rng_key = rw_rng_key(e->seed, rw_stream_id(RW_STREAM_POISSON, index));
        for (uint32_t i = 0; i < p->n; i++) {
            p->rate[i] = s->rate;
            p->rate_drawn[i] = NAN; /* forces the first draw to compute log1m_p */
            poisson_draw(p, i, 0, e->dt);
        }
    } else if (rw_model_is_rate(s->model)) {
        if (rw_rate_init(p, s, e, index, max_slice)) return -1;
    } else {
        if (spike_times_init(p, s, e->dt)) return -1;
    }
    return 0;
}

int rw_pop_alloc_rings(rw_pop *p, uint32_t ring_slots) {
    p->ring_slots = ring_slots;
    p->ring_e = calloc((size_t)ring_slots * p->n, sizeof *p->ring_e);
    if (p->model == RW_MODEL_RATE) return p->ring_e ? 0 : -1;
    p->ring_i = calloc((size_t)ring_slots * p->n, sizeof *p->ring_i);
    return p->ring_e && p->ring_i ? 0 : -1;
}

static void free_parts(rw_pop *p) {
    for (uint32_t t = 0; p->part && p->part[t].hi != UINT32_MAX; t++) {
        free(p->part[t].spk.idx);
        free(p->part[t].spk.off);
        free(p->part[t].scratch_step);
        free(p->part[t].scratch_src);
    }
    free(p->part);
    free(p->bound);
    p->part = NULL;
    p->bound = NULL;
}

/* Thread t gets neurons [t c, (t + 1) c) (clipped to n), c = ceil(n / T) rounded up
 * to 8: whole cache lines of the ring and of fired[], and the 8-flag words of
 * collect_spikes.  part[n_threads] is a sentinel (hi = UINT32_MAX) that ends the
 * list for free_parts.  With one thread the population's own buffer is the part's. */
int rw_pop_alloc_parts(rw_pop *p, uint32_t n_threads, int64_t max_slice) {
    free_parts(p);
    p->part = aligned_alloc(64, ((size_t)n_threads + 1) * sizeof *p->part);
    p->bound = malloc(((size_t)n_threads + 1) * sizeof *p->bound);
    if (!p->part || !p->bound) {
        free(p->part);
        free(p->bound);
        p->part = NULL;
        p->bound = NULL;
        return -1;
    }
    memset(p->part, 0, ((size_t)n_threads + 1) * sizeof *p->part);
    p->part[n_threads].hi = UINT32_MAX;
    uint64_t chunk = ((uint64_t)p->n + n_threads - 1) / n_threads;
    chunk = (chunk + 7) & ~(uint64_t)7;
    for (uint32_t t = 0; t <= n_threads; t++) {
        uint64_t b = (uint64_t)t * chunk;
        p->bound[t] = b < p->n ? (uint32_t)b : p->n;
    }
    int rc = 0;
    for (uint32_t t = 0; t < n_threads; t++) {
        rw_pop_part *q = &p->part[t];
        q->lo = p->bound[t];
        q->hi = p->bound[t + 1];
        q->seen_epoch = p->source_epoch - 1; /* the first slice checks every rate */
        if (n_threads == 1) continue;
        q->spk.off = calloc((size_t)max_slice + 1, sizeof *q->spk.off);
        if (!q->spk.off || spikes_reserve(&q->spk, (size_t)(q->hi - q->lo) + 64)) rc = -1;
    }
    return rc;
}

void rw_pop_free(rw_pop *p) {
    free(p->name);
    free(p->alive);
    free(p->spike_counts);
    free(p->input_gain);
    free(p->drive);
    free(p->base);
    for (uint32_t k = 0; p->hist_idx && k < p->hist_slots; k++) free(p->hist_idx[k]);
    free(p->hist_idx);
    free(p->hist_n);
    free(p->hist_cap);
    free(p->excitability);
    free(p->v);
    free(p->g_e);
    free(p->g_i);
    free(p->ref);
    free(p->fired);
    free(p->ring_e);
    free(p->ring_i);
    free(p->rate);
    free(p->rate_drawn);
    free(p->log1m_p);
    free(p->next_spike);
    free(p->draws);
    free_parts(p);
    free(p->ev_step);
    free(p->ev_neuron);
    free(p->r);
    free(p->r_hist);
    free(p->patterns);
    free(p->spikes.idx);
    free(p->spikes.off);
    memset(p, 0, sizeof *p);
}

/* ---- the LIF loops ---- */

/* The update loops are compiled for several instruction sets and the best one the CPU
 * has is picked at load time (GCC function multiversioning).  Contraction into FMA is
 * off (-ffp-contract=off, core/meson.build), so every version computes bit-identical
 * results: runs do not depend on the machine's vector width. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define RW_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define RW_VECTOR_CLONES
#endif

/* After V was advanced to vn: refractory neurons stay at V_reset and count down; the
 * others spike when vn >= V_th, are reset and start their hold.  Selects only. */
static inline __attribute__((always_inline)) void
lif_threshold(uint32_t i, double vn, double V_reset, double V_th, int32_t hold,
              double *restrict v, int32_t *restrict ref, uint8_t *restrict fired) {
    int32_t r = ref[i];
    int held = r > 0;
    double vh = held ? V_reset : vn;
    int spike = !held & (vh >= V_th);
    v[i] = spike ? V_reset : vh;
    ref[i] = spike ? hold : r - held;
    fired[i] = (uint8_t)spike;
}

RW_VECTOR_CLONES
static void cuba_update(uint32_t n, const rw_lif_consts *c, double *restrict v,
                        double *restrict I_e, double *restrict I_i, int32_t *restrict ref,
                        const float *restrict exc, double *restrict in_e,
                        double *restrict in_i, uint8_t *restrict fired) {
    const double E_L = c->E_L, V_reset = c->V_reset, V_th = c->V_th, bias = c->P20 * c->I_bias;
    const double P22 = c->P22, P21e = c->P21e, P21i = c->P21i;
    const double P11e = c->P11e, P11i = c->P11i;
    const int32_t hold = c->hold_steps;
#pragma omp simd
    for (uint32_t i = 0; i < n; i++) {
        double x = exc[i];
        double vn = E_L + P22 * (v[i] - E_L) + P21e * I_e[i] + P21i * I_i[i] + bias * x;
        I_e[i] = P11e * I_e[i] + x * in_e[i];
        I_i[i] = P11i * I_i[i] + x * in_i[i];
        in_e[i] = 0.0;
        in_i[i] = 0.0;
        lif_threshold(i, vn, V_reset, V_th, hold, v, ref, fired);
    }
}

RW_VECTOR_CLONES
static void coba_update(uint32_t n, const rw_lif_consts *c, double *restrict v,
                        double *restrict g_e, double *restrict g_i, int32_t *restrict ref,
                        const float *restrict exc, double *restrict in_e,
                        double *restrict in_i, uint8_t *restrict fired) {
    const double g_L = c->g_L, gLEL = c->g_L * c->E_L, E_e = c->E_e, E_i = c->E_i;
    const double V_reset = c->V_reset, V_th = c->V_th, I_bias = c->I_bias, k = -c->dt_over_C;
    const double P11e = c->P11e, P11i = c->P11i;
    const int32_t hold = c->hold_steps;
#pragma omp simd
    for (uint32_t i = 0; i < n; i++) {
        double x = exc[i];
        double ge = g_e[i], gi = g_i[i];
        double g_tot = g_L + ge + gi;
        double v_inf = (gLEL + ge * E_e + gi * E_i + I_bias * x) / g_tot;
        double vn = v_inf + (v[i] - v_inf) * rw_vexp(k * g_tot);
        g_e[i] = P11e * ge + x * in_e[i];
        g_i[i] = P11i * gi + x * in_i[i];
        in_e[i] = 0.0;
        in_i[i] = 0.0;
        lif_threshold(i, vn, V_reset, V_th, hold, v, ref, fired);
    }
}

/* Indices of the set flags, in order; eight flags are tested at a time since spikes
 * are rare. */
static uint32_t collect_spikes(uint32_t n, const uint8_t *fired, uint32_t *out) {
    uint32_t m = 0, i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t word;
        memcpy(&word, fired + i, sizeof word);
        if (!word) continue;
        for (uint32_t j = i; j < i + 8; j++)
            if (fired[j]) out[m++] = j;
    }
    for (; i < n; i++)
        if (fired[i]) out[m++] = i;
    return m;
}

int rw_lif_step(rw_pop *p, int64_t step, uint32_t t, uint32_t lo, uint32_t hi,
                rw_spike_buf *b) {
    size_t base = b->off[t];
    if (spikes_reserve(b, base + (hi - lo))) return REWIRE_ENOMEM;
    size_t slot = (size_t)(step % p->ring_slots) * p->n;
    const uint32_t m = hi - lo;
    if (p->model == RW_MODEL_LIF_CUBA)
        cuba_update(m, &p->c, p->v + lo, p->g_e + lo, p->g_i + lo, p->ref + lo,
                    p->excitability + lo, p->ring_e + slot + lo, p->ring_i + slot + lo,
                    p->fired + lo);
    else
        coba_update(m, &p->c, p->v + lo, p->g_e + lo, p->g_i + lo, p->ref + lo,
                    p->excitability + lo, p->ring_e + slot + lo, p->ring_i + slot + lo,
                    p->fired + lo);
    uint32_t k = collect_spikes(m, p->fired + lo, b->idx + base);
    for (uint32_t q = 0; q < k; q++) b->idx[base + q] += lo;
    b->off[t + 1] = base + k;
    return 0;
}

int rw_pop_merge_parts(rw_pop *p, uint32_t n_threads, uint32_t n) {
    size_t total = 0;
    for (uint32_t th = 0; th < n_threads; th++) total += p->part[th].spk.off[n];
    rw_spike_buf *b = &p->spikes;
    if (spikes_reserve(b, total)) return REWIRE_ENOMEM;
    size_t m = 0;
    for (uint32_t t = 0; t < n; t++) {
        b->off[t] = m;
        for (uint32_t th = 0; th < n_threads; th++) {
            const rw_spike_buf *q = &p->part[th].spk;
            const size_t k = q->off[t + 1] - q->off[t];
            memcpy(b->idx + m, q->idx + q->off[t], k * sizeof *b->idx);
            m += k;
        }
    }
    b->off[n] = m;
    return 0;
}

/* ---- sources, per slice ---- */

int rw_poisson_slice(rw_pop *p, rw_pop_part *part, rw_spike_buf *b, int64_t s0, uint32_t n,
                     double dt) {
    const int64_t end = s0 + n;
    const uint32_t lo = part->lo, hi = part->hi;
    /* A rate changed through the view since the pending draw: redraw from now on
     * (geometric intervals are memoryless, so this is exact). */
    if (part->seen_epoch != p->source_epoch) {
        part->seen_epoch = p->source_epoch;
        for (uint32_t i = lo; i < hi; i++)
            if (poisson_rate(p, i) != p->rate_drawn[i]) poisson_draw(p, i, s0, dt);
    }

    /* Spikes per source, then a stable counting sort by step keeps neurons in order. */
    size_t m = 0;
    for (uint32_t i = lo; i < hi; i++) {
        while (p->next_spike[i] < end) {
            if (m == part->scratch_cap) {
                size_t cap = part->scratch_cap ? part->scratch_cap * 2 : 1024;
                uint32_t *st = realloc(part->scratch_step, cap * sizeof *st);
                if (!st) return REWIRE_ENOMEM;
                part->scratch_step = st;
                uint32_t *sr = realloc(part->scratch_src, cap * sizeof *sr);
                if (!sr) return REWIRE_ENOMEM;
                part->scratch_src = sr;
                part->scratch_cap = cap;
            }
            part->scratch_step[m] = (uint32_t)(p->next_spike[i] - s0);
            part->scratch_src[m] = i;
            m++;
            poisson_draw(p, i, p->next_spike[i] + 1, dt);
        }
    }
    if (spikes_reserve(b, m)) return REWIRE_ENOMEM;
    memset(b->off, 0, ((size_t)n + 1) * sizeof *b->off);
    for (size_t k = 0; k < m; k++) b->off[part->scratch_step[k] + 1]++;
    for (uint32_t t = 0; t < n; t++) b->off[t + 1] += b->off[t];
    /* Scatter using off[t] as the fill cursor of step t, then shift back. */
    for (size_t k = 0; k < m; k++) b->idx[b->off[part->scratch_step[k]]++] = part->scratch_src[k];
    for (uint32_t t = n; t > 0; t--) b->off[t] = b->off[t - 1];
    b->off[0] = 0;
    return 0;
}

int rw_spike_times_slice(rw_pop *p, int64_t s0, uint32_t n) {
    rw_spike_buf *b = &p->spikes;
    const int64_t end = s0 + n;
    /* Events before s0 (times before the run started) are skipped. */
    while (p->ev_next < p->n_events && p->ev_step[p->ev_next] < s0) p->ev_next++;
    uint32_t first = p->ev_next, last = first;
    while (last < p->n_events && p->ev_step[last] < end) last++;
    if (spikes_reserve(b, last - first)) return REWIRE_ENOMEM;
    uint32_t m = 0;
    b->off[0] = 0;
    for (uint32_t t = 0; t < n; t++) {
        while (first + m < last && p->ev_step[first + m] == s0 + t) {
            b->idx[m] = p->ev_neuron[first + m];
            m++;
        }
        b->off[t + 1] = m;
    }
    p->ev_next = last;
    return 0;
}
