/* The kernel's private data layout, shared by network.c (build, views, statistics),
 * connect.c (synapses), neurons.c (update loops), rate.c (rate models), kernel.c (the
 * slice loop) and record.c (the recorder reads state and spike buffers).  Nothing
 * outside these files includes it.
 *
 * Layout, chosen for the hot loops:
 *  - neuron state is structure of arrays, one array per variable;
 *  - synapses are CSR by source: a spike touches one contiguous row of uint32 targets,
 *    float weights and uint16 delays (10 bytes per synapse plus 4 per row);
 *  - input waits in ring buffers per target population and receptor: D slots of n
 *    doubles, D = the longest delay into the population + 1; slot (step % D) holds the
 *    input that arrives at `step`.  Rows of one slot are contiguous, so the neuron loop
 *    reads its input sequentially and partitions by neuron range;
 *  - spikes of the current slice are kept per population, by step then neuron;
 *  - rate populations keep, instead, their rates at the start of every step of the
 *    current slice (r_hist), which the slice's end delivers as spikes are delivered;
 *  - threads (rw_network_set_threads) own contiguous ranges of every population's
 *    neurons: each updates its neurons and delivers every spike into the ring cells of
 *    its neurons only, so no two threads write one cell and every cell receives its
 *    terms in the same order whatever the thread count (results are byte-identical).
 *    Rows are sorted by target, so a thread's part of a row is one contiguous block:
 *    cut[] keeps where each row crosses the threads' boundaries. */
#ifndef RW_NETWORK_INTERNAL_H
#define RW_NETWORK_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "network.h"

/* Spikes of one population during the current slice: step t of the slice (0-based)
 * emitted neurons idx[off[t] .. off[t+1]), in increasing neuron order. */
typedef struct rw_spike_buf {
    uint32_t *idx;
    size_t cap;
    size_t *off;    /* [max slice + 1] */
} rw_spike_buf;

/* What one thread owns of a population: neurons [lo, hi), the spikes it found there
 * this slice (merged into the population's buffer in thread order, which is neuron
 * order), its scratch for Poisson sources.  Aligned so threads never share a line. */
typedef struct rw_pop_part {
    _Alignas(64) uint32_t lo, hi;
    rw_spike_buf spk;
    uint32_t *scratch_step, *scratch_src;
    size_t scratch_cap;
    int rc;
    uint32_t seen_epoch;    /* the pop's source_epoch when this part last checked its rates */
} rw_pop_part;

/* Constants of a LIF population, precomputed from the parameters and dt. */
typedef struct rw_lif_consts {
    double E_L, V_th, V_reset, I_bias;
    int32_t hold_steps; /* steps without integration after the spike step */
    double P11e, P11i;  /* synaptic decay over one step */
    /* lif_cuba: V' = E_L + P22 (V - E_L) + P21e I_e + P21i I_i + P20 I_bias */
    double P22, P21e, P21i, P20;
    /* lif_coba: exponential Euler with g_tot = g_L + g_e + g_i */
    double g_L, E_e, E_i, dt_over_C;
} rw_lif_consts;

/* Constants of a rate population: r += (r_inf - r) * relax per step, with
 * r_inf = min(gain [x (I + I_bias) - threshold]_+, r_max), x the excitability. */
typedef struct rw_rate_consts {
    double relax;     /* 1 - exp(-dt / tau) */
    double gain, threshold, I_bias, r_max;
} rw_rate_consts;

typedef struct rw_pop {
    rw_model_kind model;
    char *name;
    uint32_t n;
    float *excitability; /* [n], LIF and rate: multiplies synaptic input and I_bias */

    /* LIF: membrane potential, synaptic variables (nS on coba, pA on cuba), steps of
     * refractoriness left, and the input rings of both receptors ([ring_slots][n]). */
    double *v, *g_e, *g_i;
    int32_t *ref;
    uint8_t *fired;      /* [n] scratch: which neurons spiked in the current step */
    double *ring_e, *ring_i;
    uint32_t ring_slots;
    rw_lif_consts c;

    /* POISSON: rate per source (writable through the view), the rate the pending
     * interval was drawn for, its log1p(-p), the step of the next spike, and how many
     * intervals each source has drawn (the counter of its next draw). */
    double *rate, *rate_drawn, *log1m_p;
    int64_t *next_spike;
    uint64_t *draws;
    uint64_t rng_key;

    /* SPIKE_TIMES: events sorted by (step, neuron), and the next one to emit. */
    uint32_t n_events;
    int64_t *ev_step;
    uint32_t *ev_neuron;
    uint32_t ev_next;

    /* RATE and RATE_INPUT: the rate of each unit now (Hz; what views show as pre_rate /
     * post_rate), and its value at the start of each step of the current slice
     * (r_hist[t * n + i], t < max slice).  RATE's input ring is ring_e (one input, signed
     * weights); ring_i stays NULL. */
    double *r, *r_hist;
    double r_sum;        /* sum over steps and units of r at step start: the run's mean rate */
    rw_rate_consts rc;
    /* RATE_INPUT: the patterns ([n_patterns][n], Hz), steps per presentation, whether
     * the order is random, the noise sd (Hz), the key of its draws, and the
     * presentation r shows now. */
    double *patterns;
    uint32_t n_patterns;
    int64_t interval_steps;
    bool random_order;
    double noise;
    uint64_t pattern_key;
    int64_t shown;

    /* Spike models only; a rate population's off[] stays all zero (it never spikes). */
    rw_spike_buf spikes;
    uint64_t spike_count;
    /* [n_threads]: each thread's range and scratch (see the top); bound[t] = part[t].lo,
     * bound[n_threads] = n. */
    rw_pop_part *part;
    uint32_t *bound;

    /* Injuries and interventions (rewire/network.h, ABI 1.2).  alive[i] = 0 once killed;
     * spike_counts per neuron (spiking models); sources (poisson, rate_input) emit
     * max(0, base * input_gain + drive) while alive. */
    uint8_t *alive;
    /* Bumped whenever a plugin may have changed rate, input_gain, drive or alive (see
     * rw_network_sources_changed): Poisson sources re-check their rates only then, not
     * every slice. */
    uint32_t source_epoch;
    uint64_t *spike_counts;
    float *input_gain;
    double *drive;
    double *base;        /* RATE_INPUT: the presentation shown, before gain and drive */
    /* The spikes of the last hist_len steps (only when the network keeps a history:
     * injuries that remove synapses recompute the input in flight from it).  Step s
     * is in slot s % hist_len: hist_n[slot] neurons hist_idx[slot][0 ..). */
    uint32_t **hist_idx;
    uint32_t *hist_n, *hist_cap;
    uint32_t hist_slots;

    /* Positions from the population's layout ([n] each), NULL without one (views show
     * them as x, y).  Copied from the spec: the network outlives no experiment, but
     * owns what its views point at.  Freed by rw_network_free. */
    float *x, *y;
} rw_pop;

typedef struct rw_row_span {
    uint32_t begin, end;
} rw_row_span;

typedef struct rw_proj {
    rewire_projection_view view;  /* what rules see; points at the arrays below */
    char *name;
    uint32_t pre, post;
    rw_receptor receptor;
    uint32_t n_pre, n_post;
    uint64_t n_syn;
    uint32_t *row_offsets;        /* [n_pre + 1]: row i's capacity is [i], [i+1]) */
    /* [n_pre] synapses in use at the start of each row.  Always allocated (equal to the
     * row's capacity unless a structural rule changed it), so delivery never branches
     * on whether the projection is structural. */
    uint32_t *row_lengths;
    /* [n_pre] what delivery reads: row i's synapses in use are [span[i].begin,
     * span[i].end), both in one 8-byte load (as row_offsets[i], [i+1] were).  Follows
     * row_offsets + row_lengths: rebuilt after every structural change. */
    rw_row_span *span;
    uint32_t *targets;            /* [n_syn], sorted within each row until a rule rewires */
    float *weights;               /* [n_syn] */
    uint16_t *delays;             /* [n_syn], steps >= 1 */
    uint16_t min_delay, max_delay;/* over the synapses (both 0 when there are none) */
    /* With several threads: row i's synapses onto thread t's neurons (t = 1 ..
     * n_threads - 1 start there) begin at cut[i * (n_threads - 1) + t - 1]; thread 0's
     * begin at span[i].begin, the last thread's end at span[i].end.  NULL with one
     * thread, and on projections whose rows are not sorted by target (structural rules
     * append): there every thread reads the whole row and keeps its own targets. */
    uint32_t *cut;
    uint32_t n_threads;
    const uint32_t *post_bound;   /* the post population's bound[] */

    const rewire_learning_rule_v1 *rule;
    void *instance;
    float *syn_state_block;       /* n_syn_state x n_syn floats */
    float **syn_state;            /* [n_syn_state] pointers into the block */
    uint32_t *col_offsets, *col_synapses;
    uint32_t *col_fill;           /* [n_post + 1] scratch: rebuilding the post index allocates nothing */
    /* REWIRE_RULE_STRUCTURAL: the delays a new synapse may have (the slice and the ring
     * of the post population bound them). */
    uint16_t delay_lo, delay_hi;
    /* [n_pre], only for rules with REWIRE_RULE_PRE_RELEASE (else NULL): delivery scales
     * row i's weights by pre_release[i] (short-term plasticity). */
    float *pre_release;
    /* With a spike history and release factors: the factor each spike of the history
     * was delivered with (hist_rel[slot][k] for the pre population's hist_idx[slot][k]). */
    float **hist_rel;
} rw_proj;

/* Per-thread counters, one cache line each. */
typedef struct rw_thread_state {
    _Alignas(64) uint64_t events;
    int rc;
} rw_thread_state;

struct rw_network {
    double dt;
    uint64_t seed;
    int64_t step;
    int64_t min_delay;            /* the longest slice */
    uint32_t n_pops;
    rw_pop *pops;
    uint32_t n_projs;
    rw_proj *projs;
    uint64_t syn_events;
    /* Threads (rw_network_set_threads): the pool and each thread's counters. */
    uint32_t n_threads;
    struct rw_pool *pool;
    rw_thread_state *ts;   /* [n_threads] */
    /* Steps of spike history kept (0: none): the longest delay of any projection, so
     * every spike still in flight is in it. */
    uint32_t hist_len;
};

/* ---- connect.c ---- */

/* A value of the distribution keyed by (key, entity, counter), clipped to [lo, hi]. */
double rw_dist_draw(const rw_dist *dist, uint64_t key, uint64_t entity, uint64_t counter);

/* Draw projection `index` of e into pr: CSR, weights, delays.  Reports errors into d
 * at the projection's location and returns -1; pr then owns whatever was allocated. */
int rw_connect_build(rw_proj *pr, const rw_experiment *e, uint32_t index, rw_diag *d);
/* The post index (CSC) over the synapses in use: col_offsets[n_post + 1],
 * col_synapses[n_syn] (allocates; replaces an existing one). */
int rw_connect_build_post_index(rw_proj *pr);
/* span[i] = [row_offsets[i], row_offsets[i] + row_lengths[i]) for every row. */
void rw_connect_fill_spans(rw_proj *pr);
/* Refill the existing post index in place after synapses were added or removed. */
void rw_connect_fill_post_index(rw_proj *pr);
/* Give pr the row cuts of n_threads threads over post_bound (none when n_threads is 1
 * or rows are not sorted), filled.  0 or REWIRE_ENOMEM. */
int rw_connect_alloc_cuts(rw_proj *pr, uint32_t n_threads, const uint32_t *post_bound,
                          bool sorted);

/* ---- network.c ---- */

/* After a structural rule set view.structure_changed: clamp new delays into
 * [delay_lo, delay_hi], recompute min/max delay over the synapses in use, refill the
 * post index, clear the flag.  O(n_syn), allocates nothing. */
void rw_proj_restructure(rw_proj *pr);

/* Whether a learning rule keeps spare room in its rows (REWIRE_RULE_STRUCTURAL). */
static inline bool rw_rule_is_structural(const rewire_learning_rule_v1 *rule) {
    return rule && (rule->flags & REWIRE_RULE_STRUCTURAL);
}

/* Point the projection's view at its current arrays (after building, attaching a rule
 * or removing synapses). */
void rw_proj_sync_view(rw_network *net, rw_proj *pr);

/* ---- network_edit.c ---- */

/* After the populations advanced over [s0, s0 + n): add the slice's spikes to the
 * per-neuron counts and, when kept, to the history.  0 or REWIRE_ENOMEM. */
int rw_network_note_spikes(rw_network *net, int64_t s0, uint32_t n);
/* With a history: the release factors the spikes of `step` are delivered with. */
void rw_network_note_release(rw_network *net, rw_proj *pr, int64_t step, const uint32_t *spk,
                             uint32_t n_spk);

/* ---- neurons.c ---- */

/* Allocate and initialise population `index` of e (state, v_init draws, the first
 * Poisson intervals, the sorted spike list).  max_slice sizes the per-step offsets. */
int rw_pop_init(rw_pop *p, const rw_experiment *e, uint32_t index, int64_t max_slice);
/* Input rings of ring_slots x n doubles, zeroed: one per receptor on LIF, one on
 * rate populations. */
int rw_pop_alloc_rings(rw_pop *p, uint32_t ring_slots);
void rw_pop_free(rw_pop *p);

/* Advance neurons [lo, hi) of a LIF population by step `step` (slice-local index t):
 * integrate, consume the ring slot of `step`, append the spikes to b (b->off[t] ..
 * off[t+1]).  Does not count them in spike_count. */
int rw_lif_step(rw_pop *p, int64_t step, uint32_t t, uint32_t lo, uint32_t hi,
                rw_spike_buf *b);
/* Emit the spikes of sources [part->lo, part->hi) for steps [s0, s0 + n) into b, using
 * part's scratch.  Does not count them in spike_count. */
int rw_poisson_slice(rw_pop *p, rw_pop_part *part, rw_spike_buf *b, int64_t s0, uint32_t n,
                     double dt);
/* Several threads: the parts' spikes of steps [0, n) into the population's buffer, in
 * step then thread order (= neuron order).  0 or REWIRE_ENOMEM. */
int rw_pop_merge_parts(rw_pop *p, uint32_t n_threads, uint32_t n);
/* Split every population between n threads and allocate their parts (frees the old
 * ones); max_slice sizes the per-step offsets.  0 or -1 (out of memory). */
int rw_pop_alloc_parts(rw_pop *p, uint32_t n_threads, int64_t max_slice);
int rw_spike_times_slice(rw_pop *p, int64_t s0, uint32_t n);

/* ---- rate.c ---- */

/* Allocate and initialise the rate state of population p (rw_pop_init has set model,
 * n and name): r_init draws or the first pattern, r_hist for max_slice steps. */
int rw_rate_init(rw_pop *p, const rw_population_spec *s, const rw_experiment *e,
                 uint32_t index, int64_t max_slice);
/* Advance a rate population by step `step` (slice-local index t): keep r in
 * r_hist[t], then RATE integrates over the step with the input of the ring slot of
 * `step` (consumed), RATE_INPUT shows the pattern of time (step + 1) dt. */
void rw_rate_step(rw_pop *p, int64_t step, uint32_t t);

/* ---- record.c, called by the slice loop ---- */

/* Whether some state channel samples population `pop`. */
bool rw_recorder_samples(const rw_recorder *rec, uint32_t pop);
/* Before step `step` of population `pop` is simulated: take the samples due then. */
int rw_recorder_sample(rw_recorder *rec, const rw_network *net, uint32_t pop, int64_t step);
/* Weight snapshots due at `step`: weights after every hook of the steps before it. */
int rw_recorder_weights_at(rw_recorder *rec, const rw_network *net, int64_t step);
/* After the slice [s0, s0 + n): spikes and completed rate bins from the spike buffers
 * (from r_hist on rate populations). */
int rw_recorder_slice_spikes(rw_recorder *rec, const rw_network *net, int64_t s0, uint32_t n);

#endif
