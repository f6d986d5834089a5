/* stdp: pair-based spike-timing-dependent plasticity with per-neuron traces.
 *
 * Each presynaptic neuron i keeps a trace x_pre[i], each postsynaptic neuron j a trace
 * x_post[j]; a spike adds 1 to its neuron's trace (all_to_all) or sets it to 1
 * (nearest: the symmetric nearest-neighbour scheme of Morrison et al. 2008).  Traces
 * decay as exp(-dt_elapsed / tau) and are decayed lazily: a neuron stores its trace
 * value and the step it was last updated, and a reader computes the decayed value for
 * the step at hand.  No work happens on steps without spikes.
 *
 *   pre spike of i at t:   x_pre[i] += 1;  for each synapse i->j:  w -= A_minus * x_post[j](t) * D-
 *   post spike of j at t:  x_post[j] += 1; for each synapse i->j:  w += A_plus  * x_pre[i](t)  * D+
 *
 * additive:       D+ = w_max,            D- = w_max
 * multiplicative: D+ = w_max - w,        D- = w - w_min   (soft bounds: Guetig et al. 2003,
 *                                                          van Rossum et al. 2000)
 * Every change is scaled by the projection's plasticity_gain, then w is clipped to
 * [w_min, w_max].
 *
 * Same-step pairing.  The host calls on_pre(t) and then on_post(t) (learning_rule.h),
 * as Brian2 runs the pre pathway before the post pathway in its STDP example.  So a
 * pre and a post spike at the same step pair as "pre before post": the post spike sees
 * the pre trace that already includes the same-step pre spike (LTP of A_plus * D+),
 * while the pre spike's LTD sees only post spikes of earlier steps.
 *
 * Finding the source of a synapse on a post spike.  start() builds a table of the
 * sources aligned with the host's post index (rewire/traces.h explains the trade-off):
 * 2 bytes per synapse with at most 65,536 sources, else 4 (the post index itself costs
 * 4, weights+targets+delays 10: 16 bytes per plastic synapse in all).  It
 * is rebuilt if the host changes the projection's synapses; if that allocation fails
 * the rule falls back to a binary search of row_offsets rather than stopping.
 *
 * Threads (REWIRE_RULE_PARTITIONED): with several kernel threads each thread runs the
 * rule over the synapses onto its own postsynaptic neurons (on_pre_part, on_post_part),
 * and the pre traces of its own presynaptic neurons; the result is the same as on one
 * thread, bit for bit.
 */
#include <math.h>
#include <rewire/plugin.h>
#include <rewire/traces.h>
#include <stdlib.h>
#include <string.h>

enum {
    P_TAU_PLUS,
    P_TAU_MINUS,
    P_A_PLUS,
    P_A_MINUS,
    P_W_MIN,
    P_W_MAX,
    P_WEIGHT_DEPENDENCE,
    P_PAIRING,
    N_PARAMS
};

static const char *const weight_dependence_choices[] = {"additive", "multiplicative", NULL};
static const char *const pairing_choices[] = {"all_to_all", "nearest", NULL};
enum { DEP_ADDITIVE = 0, DEP_MULTIPLICATIVE = 1 };
enum { PAIR_ALL_TO_ALL = 0, PAIR_NEAREST = 1 };

#define POSITIVE (REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_MIN_EXCLUSIVE)

static const rewire_param_spec stdp_params[N_PARAMS] = {
    [P_TAU_PLUS] = {.name = "tau_plus", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_TIME,
                    .flags = POSITIVE, .def_real = 20.0, .min = 0.0,
                    .doc = "Time constant of the presynaptic trace: the LTP side of the window."},
    [P_TAU_MINUS] = {.name = "tau_minus", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_TIME,
                     .flags = POSITIVE, .def_real = 20.0, .min = 0.0,
                     .doc = "Time constant of the postsynaptic trace: the LTD side of the window."},
    [P_A_PLUS] = {.name = "A_plus", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_NONE,
                  .flags = REWIRE_PARAM_HAS_MIN, .def_real = 0.01, .min = 0.0,
                  .doc = "Potentiation per pre-before-post pair at zero lag, as a fraction of w_max."},
    [P_A_MINUS] = {.name = "A_minus", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_NONE,
                   .flags = REWIRE_PARAM_HAS_MIN, .def_real = 0.0105, .min = 0.0,
                   .doc = "Depression per post-before-pre pair at zero lag, as a fraction of w_max."},
    [P_W_MIN] = {.name = "w_min", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_WEIGHT,
                 .def_real = 0.0,
                 .doc = "Lower weight bound (negative for inhibitory current-based synapses)."},
    [P_W_MAX] = {.name = "w_max", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_WEIGHT,
                 .flags = REWIRE_PARAM_REQUIRED | POSITIVE, .min = 0.0,
                 .doc = "Upper weight bound; A_plus and A_minus are fractions of it."},
    [P_WEIGHT_DEPENDENCE] = {.name = "weight_dependence", .type = REWIRE_PARAM_ENUM,
                             .def_int = DEP_ADDITIVE, .choices = weight_dependence_choices,
                             .doc = "additive: changes independent of w, hard bounds; "
                                    "multiplicative: LTP scales with w_max - w, LTD with w - w_min."},
    [P_PAIRING] = {.name = "pairing", .type = REWIRE_PARAM_ENUM, .def_int = PAIR_ALL_TO_ALL,
                   .choices = pairing_choices,
                   .doc = "all_to_all: every pair counts (traces add up); nearest: only nearest "
                          "neighbours pair (traces reset to 1), Morrison et al. 2008."},
};

typedef struct stdp {
    const rewire_host *host;
    double tau_plus, tau_minus;
    double a_plus, a_minus; /* fractions of w_max */
    double w_min, w_max;
    bool multiplicative, nearest;

    uint32_t n_pre, n_post;
    rewire_traces x_pre, x_post; /* [n_pre], [n_post] */
    rewire_decay_table decay_plus, decay_minus;
    rewire_col_sources sources;
    double *x_now; /* [n_post] scratch: post traces decayed to the step (post_traces_now) */
} stdp;

static void free_state(stdp *st) {
    rewire_traces_free(&st->x_pre);
    rewire_traces_free(&st->x_post);
    rewire_decay_table_free(&st->decay_plus);
    rewire_decay_table_free(&st->decay_minus);
    rewire_col_sources_free(&st->sources);
    free(st->x_now);
    st->x_now = NULL;
}

static int stdp_create(const rewire_host *host, const rewire_param_value *params,
                       const rewire_projection_view *view, void **instance) {
    (void)view;
    double w_min = params[P_W_MIN].real, w_max = params[P_W_MAX].real;
    if (!(w_min < w_max)) {
        host->set_error(host, "w_min (%g) must be below w_max (%g)", w_min, w_max);
        return REWIRE_EINVAL;
    }
    stdp *st = calloc(1, sizeof *st);
    if (!st) {
        host->set_error(host, "out of memory");
        return REWIRE_ENOMEM;
    }
    st->host = host;
    st->tau_plus = params[P_TAU_PLUS].real;
    st->tau_minus = params[P_TAU_MINUS].real;
    st->a_plus = params[P_A_PLUS].real;
    st->a_minus = params[P_A_MINUS].real;
    st->w_min = w_min;
    st->w_max = w_max;
    st->multiplicative = params[P_WEIGHT_DEPENDENCE].choice == DEP_MULTIPLICATIVE;
    st->nearest = params[P_PAIRING].choice == PAIR_NEAREST;
    *instance = st;
    return REWIRE_OK;
}

static int stdp_start(void *instance, rewire_projection_view *view) {
    stdp *st = instance;
    if (!view->col_offsets || !view->col_synapses) {
        st->host->set_error(st->host, "the host gave no post index (col_offsets) although the "
                                      "rule asked for it with REWIRE_RULE_NEEDS_POST_INDEX");
        return REWIRE_EINVAL;
    }
    if (!(view->dt > 0)) {
        st->host->set_error(st->host, "the projection view has no time step (dt = %g)", view->dt);
        return REWIRE_EINVAL;
    }
    free_state(st);
    st->n_pre = view->n_pre;
    st->n_post = view->n_post;
    if (!rewire_traces_alloc(&st->x_pre, view->n_pre) ||
        !rewire_traces_alloc(&st->x_post, view->n_post) ||
        rewire_decay_table_build(&st->decay_plus, view->dt, st->tau_plus) != REWIRE_OK ||
        rewire_decay_table_build(&st->decay_minus, view->dt, st->tau_minus) != REWIRE_OK ||
        !(st->sources.compact = true, rewire_col_sources_build(&st->sources, view)) ||
        !(st->x_now = malloc((view->n_post ? view->n_post : 1) * sizeof *st->x_now))) {
        free_state(st);
        st->host->set_error(st->host, "out of memory for the traces of %u + %u neurons and %u synapses",
                            view->n_pre, view->n_post, view->n_syn);
        return REWIRE_ENOMEM;
    }
    return REWIRE_OK;
}

/* Neuron k spikes at `step`: add 1 to its decayed trace, or reset it to 1 (nearest). */
static inline void spike_trace(rewire_traces *x, uint32_t k, const rewire_decay_table *t,
                               bool nearest, int64_t step) {
    if (nearest) {
        x->value[k] = 1.0;
        x->step[k] = step;
    } else {
        rewire_trace_spike(x, t, k, step);
    }
}

static inline float clip(double w, double lo, double hi) {
    return (float)(w < lo ? lo : (w > hi ? hi : w));
}

/* LTD over the outgoing synapses of one presynaptic neuron.  `multiplicative` is a
 * constant at each call site, so the compiler emits two loops without the branch. */
static inline __attribute__((always_inline)) void
depress_row(const stdp *st, rewire_projection_view *v, uint32_t begin, uint32_t end,
            int64_t step, double gain, bool multiplicative, const double *xd) {
    const uint32_t *targets = v->targets;
    float *w = v->weights;
    const double scale = gain * st->a_minus;
    const double w_min = st->w_min, w_max = st->w_max;
    for (uint32_t s = begin; s < end; s++) {
        const uint32_t j = targets[s];
        const double x = xd ? xd[j] : rewire_trace_at(&st->x_post, &st->decay_minus, j, step);
        const double ws = w[s];
        const double dw = -scale * x * (multiplicative ? ws - w_min : w_max);
        w[s] = clip(ws + dw, w_min, w_max);
    }
}

/* LTP over the incoming synapses of one postsynaptic neuron; `sources` is the table
 * aligned with col_synapses, or NULL to find each source by binary search. */
static inline void potentiate_column(const stdp *st, rewire_projection_view *v, uint32_t j,
                                     int64_t step, double gain, bool multiplicative,
                                     const rewire_col_sources *sources) {
    const uint32_t *col = v->col_synapses;
    float *w = v->weights;
    const double scale = gain * st->a_plus;
    const double w_min = st->w_min, w_max = st->w_max;
    for (uint32_t k = v->col_offsets[j], end = v->col_offsets[j + 1]; k < end; k++) {
        const uint32_t s = col[k];
        const uint32_t i = rewire_col_source_in(sources, v, k);
        const double x = rewire_trace_at(&st->x_pre, &st->decay_plus, i, step);
        const double ws = w[s];
        const double dw = scale * x * (multiplicative ? w_max - ws : w_max);
        w[s] = clip(ws + dw, w_min, w_max);
    }
}

/* LTD of the rows of pre[0..n) over their synapses onto [lo, hi) (the part's block of
 * each row, or the whole row). */
static void depress_rows(stdp *st, rewire_projection_view *view, const rewire_part *part,
                         int64_t step, const uint32_t *pre, size_t n, double gain);

static void stdp_on_pre(void *instance, rewire_projection_view *view, int64_t step,
                        const uint32_t *pre, size_t n) {
    stdp *st = instance;
    const double gain = view->plasticity_gain;
    /* LTD reads only post traces, so the pre traces may all be updated first. */
    for (size_t k = 0; k < n; k++) spike_trace(&st->x_pre, pre[k], &st->decay_plus, st->nearest, step);
    if (gain == 0) return; /* plasticity switched off: keep the traces only */
    const rewire_part whole = {.struct_size = sizeof whole, .index = 0, .count = 1,
                               .pre_lo = 0, .pre_hi = view->n_pre, .post_lo = 0,
                               .post_hi = view->n_post, .cut = NULL};
    depress_rows(st, view, &whole, step, pre, n, gain);
}

/* Whether the pre spikes of a step touch so many synapses that decaying the post traces
 * of [lo, hi) once, into x_now, is cheaper than decaying one per synapse: then it is
 * done, and x_now returned (the same products, so the same values); else NULL. */
static const double *post_traces_now(stdp *st, const rewire_projection_view *v, size_t n_spk,
                                     uint32_t lo, uint32_t hi, int64_t step) {
    const double per_row = v->n_pre ? (double)v->n_syn / v->n_pre : 0.0;
    if (!st->x_now || lo >= hi || (double)n_spk * per_row < 2.0 * (double)v->n_post) return NULL;
    for (uint32_t j = lo; j < hi; j++)
        st->x_now[j] = rewire_trace_at(&st->x_post, &st->decay_minus, j, step);
    return st->x_now;
}

/* The same per part (REWIRE_RULE_PARTITIONED): the part's block of each row, the pre
 * traces of the part's own presynaptic neurons.  Every synapse sees the same updates
 * in the same order as with on_pre, so results do not depend on the thread count. */
static void stdp_on_pre_part(void *instance, rewire_projection_view *view,
                             const rewire_part *part, int64_t step, const uint32_t *pre,
                             size_t n) {
    stdp *st = instance;
    const double gain = view->plasticity_gain;
    for (size_t k = 0; k < n; k++) {
        const uint32_t i = pre[k];
        if (i >= part->pre_lo && i < part->pre_hi)
            spike_trace(&st->x_pre, i, &st->decay_plus, st->nearest, step);
    }
    if (gain == 0) return;
    if (part->index == 0) rewire_col_sources_table(&st->sources, view, true);
    depress_rows(st, view, part, step, pre, n, gain);
}

static void depress_rows(stdp *st, rewire_projection_view *view, const rewire_part *part,
                         int64_t step, const uint32_t *pre, size_t n, double gain) {
    const double *xd = post_traces_now(st, view, n, part->post_lo, part->post_hi, step);
    for (size_t k = 0; k < n; k++) {
        uint32_t a, b;
        rewire_part_row(part, view, pre[k], &a, &b);
        if (st->multiplicative) {
            if (xd) depress_row(st, view, a, b, step, gain, true, xd);
            else depress_row(st, view, a, b, step, gain, true, NULL);
        } else {
            if (xd) depress_row(st, view, a, b, step, gain, false, xd);
            else depress_row(st, view, a, b, step, gain, false, NULL);
        }
    }
}

static void stdp_on_post(void *instance, rewire_projection_view *view, int64_t step,
                         const uint32_t *post, size_t n) {
    stdp *st = instance;
    const double gain = view->plasticity_gain;
    const rewire_col_sources *sources = rewire_col_sources_table(&st->sources, view, gain != 0);
    for (size_t k = 0; k < n; k++) {
        const uint32_t j = post[k];
        spike_trace(&st->x_post, j, &st->decay_minus, st->nearest, step);
        if (gain == 0) continue;
        if (st->multiplicative)
            potentiate_column(st, view, j, step, gain, true, sources);
        else
            potentiate_column(st, view, j, step, gain, false, sources);
    }
}

/* on_post per part: post[] are the part's own neurons, whose columns hold only the
 * part's synapses.  The source table is only read here (part 0 rebuilds it in
 * on_pre_part after the host changed the synapses, a phase in which no part reads it;
 * until then the binary search stands in). */
static void stdp_on_post_part(void *instance, rewire_projection_view *view,
                              const rewire_part *part, int64_t step, const uint32_t *post,
                              size_t n) {
    (void)part;
    stdp *st = instance;
    const double gain = view->plasticity_gain;
    const rewire_col_sources *sources = rewire_col_sources_table(&st->sources, view, false);
    for (size_t k = 0; k < n; k++) {
        const uint32_t j = post[k];
        spike_trace(&st->x_post, j, &st->decay_minus, st->nearest, step);
        if (gain == 0) continue;
        if (st->multiplicative)
            potentiate_column(st, view, j, step, gain, true, sources);
        else
            potentiate_column(st, view, j, step, gain, false, sources);
    }
}

static void stdp_destroy(void *instance) {
    stdp *st = instance;
    if (!st) return;
    free_state(st);
    free(st);
}

static const rewire_learning_rule_v1 stdp_functions = {
    .struct_size = sizeof(rewire_learning_rule_v1),
    .flags = REWIRE_RULE_NEEDS_POST_INDEX | REWIRE_RULE_PARTITIONED,
    .n_syn_state = 0,
    .syn_state_names = NULL,
    .create = stdp_create,
    .start = stdp_start,
    .on_pre = stdp_on_pre,
    .on_post = stdp_on_post,
    .on_slice = NULL,
    .stop = NULL,
    .destroy = stdp_destroy,
    .on_pre_part = stdp_on_pre_part,
    .on_post_part = stdp_on_post_part,
};

static const rewire_plugin_descriptor stdp_descriptor =
    REWIRE_DESCRIPTOR(REWIRE_KIND_LEARNING_RULE, "stdp", "1.0.0",
                      "Pair-based STDP with exponential traces (additive or multiplicative, "
                      "all-to-all or nearest pairing)",
                      stdp_params, stdp_functions);

REWIRE_PLUGIN_ENTRY(&stdp_descriptor)
