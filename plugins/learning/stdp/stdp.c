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
 * Finding the source of a synapse on a post spike.  The host's post index lists, for
 * post neuron j, the synapse ids col_synapses[col_offsets[j] .. col_offsets[j+1]); the
 * CSR stores synapses by source, so the source of a synapse is implicit.  start()
 * builds col_sources[k] = source of col_synapses[k], aligned with the post index:
 * 4 bytes per synapse (the post index itself costs 8, weights+targets+delays 10), read
 * sequentially next to col_synapses in on_post.  The alternative without memory, a
 * binary search of row_offsets per synapse and post spike, costs log2(n_pre) dependent
 * loads in the hottest loop.  The table is rebuilt if the host changes the projection's
 * synapses (detected by n_syn or moved arrays); if that allocation fails the rule falls
 * back to the binary search rather than stopping.
 */
#include <math.h>
#include <rewire/plugin.h>
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

/* Decay factors exp(-k dt / tau) for k < n, so most trace reads cost a table load
 * instead of exp(); longer gaps, where the trace is nearly gone, call exp(). */
typedef struct decay_table {
    double *factor;
    int64_t n;
    double rate; /* dt / tau */
} decay_table;

/* Cover 8 time constants (the trace has decayed to 3e-4 of its value), at most 64k
 * entries (512 KiB). */
#define DECAY_TAUS 8.0
#define DECAY_MAX_ENTRIES 65536

typedef struct stdp {
    const rewire_host *host;
    double tau_plus, tau_minus;
    double a_plus, a_minus; /* fractions of w_max */
    double w_min, w_max;
    bool multiplicative, nearest;

    uint32_t n_pre, n_post;
    double *x_pre;         /* [n_pre] trace value at its last update */
    int64_t *x_pre_step;   /* [n_pre] step of that update */
    double *x_post;        /* [n_post] */
    int64_t *x_post_step;  /* [n_post] */
    decay_table decay_plus, decay_minus;

    /* col_sources[k] = source of col_synapses[k]; valid for the arrays recorded here. */
    uint32_t *col_sources;
    uint32_t sources_n_syn;
    const uint32_t *sources_row_offsets;
    const uint32_t *sources_col_synapses;
} stdp;

static inline double decayed(const decay_table *t, double x, int64_t elapsed) {
    return x * (elapsed < t->n ? t->factor[elapsed] : exp(-(double)elapsed * t->rate));
}

static int build_decay(decay_table *t, double dt, double tau) {
    double want = ceil(DECAY_TAUS * tau / dt) + 1.0;
    int64_t n = want > DECAY_MAX_ENTRIES ? DECAY_MAX_ENTRIES : (int64_t)want;
    double *f = malloc((size_t)n * sizeof *f);
    if (!f) return REWIRE_ENOMEM;
    t->rate = dt / tau;
    for (int64_t k = 0; k < n; k++) f[k] = exp(-(double)k * t->rate);
    free(t->factor);
    t->factor = f;
    t->n = n;
    return REWIRE_OK;
}

/* The presynaptic neuron of synapse s: the row of the CSR that contains s. */
static uint32_t source_of(const rewire_projection_view *v, uint32_t s) {
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

static bool sources_current(const stdp *st, const rewire_projection_view *v) {
    return st->col_sources && st->sources_n_syn == v->n_syn &&
           st->sources_row_offsets == v->row_offsets &&
           st->sources_col_synapses == v->col_synapses;
}

/* (Re)build col_sources for the view's current synapses; false when out of memory. */
static bool build_sources(stdp *st, const rewire_projection_view *v) {
    free(st->col_sources);
    st->col_sources = NULL;
    uint32_t *src = malloc((v->n_syn ? v->n_syn : 1) * sizeof *src);
    if (!src) return false;
    /* Walking rows and scattering needs the inverse of col_synapses; a binary search per
     * entry needs no temporary n_syn array and runs once. */
    for (uint32_t k = 0; k < v->n_syn; k++) src[k] = source_of(v, v->col_synapses[k]);
    st->col_sources = src;
    st->sources_n_syn = v->n_syn;
    st->sources_row_offsets = v->row_offsets;
    st->sources_col_synapses = v->col_synapses;
    return true;
}

static void free_state(stdp *st) {
    free(st->x_pre);
    free(st->x_pre_step);
    free(st->x_post);
    free(st->x_post_step);
    free(st->decay_plus.factor);
    free(st->decay_minus.factor);
    free(st->col_sources);
    st->x_pre = st->x_post = NULL;
    st->x_pre_step = st->x_post_step = NULL;
    st->decay_plus.factor = st->decay_minus.factor = NULL;
    st->col_sources = NULL;
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
    /* Traces start empty; their step is irrelevant while the value is 0. */
    st->x_pre = calloc(view->n_pre ? view->n_pre : 1, sizeof *st->x_pre);
    st->x_pre_step = calloc(view->n_pre ? view->n_pre : 1, sizeof *st->x_pre_step);
    st->x_post = calloc(view->n_post ? view->n_post : 1, sizeof *st->x_post);
    st->x_post_step = calloc(view->n_post ? view->n_post : 1, sizeof *st->x_post_step);
    if (!st->x_pre || !st->x_pre_step || !st->x_post || !st->x_post_step ||
        build_decay(&st->decay_plus, view->dt, st->tau_plus) != REWIRE_OK ||
        build_decay(&st->decay_minus, view->dt, st->tau_minus) != REWIRE_OK ||
        !build_sources(st, view)) {
        free_state(st);
        st->host->set_error(st->host, "out of memory for the traces of %u + %u neurons and %u synapses",
                            view->n_pre, view->n_post, view->n_syn);
        return REWIRE_ENOMEM;
    }
    return REWIRE_OK;
}

/* A spike of the trace's neuron at `step`: add 1 to the decayed trace, or reset it to 1. */
static inline void spike_trace(double *x, int64_t *x_step, const decay_table *t, bool nearest,
                               int64_t step) {
    *x = nearest ? 1.0 : decayed(t, *x, step - *x_step) + 1.0;
    *x_step = step;
}

static inline float clip(double w, double lo, double hi) {
    return (float)(w < lo ? lo : (w > hi ? hi : w));
}

/* LTD over the outgoing synapses of one presynaptic neuron.  `multiplicative` is a
 * constant at each call site, so the compiler emits two loops without the branch. */
static inline void depress_row(const stdp *st, rewire_projection_view *v, uint32_t i,
                               int64_t step, double gain, bool multiplicative) {
    const uint32_t *targets = v->targets;
    float *w = v->weights;
    const double scale = gain * st->a_minus;
    const double w_min = st->w_min, w_max = st->w_max;
    for (uint32_t s = v->row_offsets[i], end = v->row_offsets[i + 1]; s < end; s++) {
        const uint32_t j = targets[s];
        const double x = decayed(&st->decay_minus, st->x_post[j], step - st->x_post_step[j]);
        const double ws = w[s];
        const double dw = -scale * x * (multiplicative ? ws - w_min : w_max);
        w[s] = clip(ws + dw, w_min, w_max);
    }
}

/* LTP over the incoming synapses of one postsynaptic neuron; `sources` is aligned with
 * col_synapses, or NULL to find each source by binary search. */
static inline void potentiate_column(const stdp *st, rewire_projection_view *v, uint32_t j,
                                     int64_t step, double gain, bool multiplicative,
                                     const uint32_t *sources) {
    const uint32_t *col = v->col_synapses;
    float *w = v->weights;
    const double scale = gain * st->a_plus;
    const double w_min = st->w_min, w_max = st->w_max;
    for (uint32_t k = v->col_offsets[j], end = v->col_offsets[j + 1]; k < end; k++) {
        const uint32_t s = col[k];
        const uint32_t i = sources ? sources[k] : source_of(v, s);
        const double x = decayed(&st->decay_plus, st->x_pre[i], step - st->x_pre_step[i]);
        const double ws = w[s];
        const double dw = scale * x * (multiplicative ? w_max - ws : w_max);
        w[s] = clip(ws + dw, w_min, w_max);
    }
}

static void stdp_on_pre(void *instance, rewire_projection_view *view, int64_t step,
                        const uint32_t *pre, size_t n) {
    stdp *st = instance;
    const double gain = view->plasticity_gain;
    for (size_t k = 0; k < n; k++) {
        const uint32_t i = pre[k];
        spike_trace(&st->x_pre[i], &st->x_pre_step[i], &st->decay_plus, st->nearest, step);
        if (gain == 0) continue; /* plasticity switched off: keep the traces only */
        if (st->multiplicative)
            depress_row(st, view, i, step, gain, true);
        else
            depress_row(st, view, i, step, gain, false);
    }
}

static void stdp_on_post(void *instance, rewire_projection_view *view, int64_t step,
                         const uint32_t *post, size_t n) {
    stdp *st = instance;
    const double gain = view->plasticity_gain;
    if (gain != 0 && !sources_current(st, view)) build_sources(st, view);
    const uint32_t *sources = sources_current(st, view) ? st->col_sources : NULL;
    for (size_t k = 0; k < n; k++) {
        const uint32_t j = post[k];
        spike_trace(&st->x_post[j], &st->x_post_step[j], &st->decay_minus, st->nearest, step);
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
    .flags = REWIRE_RULE_NEEDS_POST_INDEX,
    .n_syn_state = 0,
    .syn_state_names = NULL,
    .create = stdp_create,
    .start = stdp_start,
    .on_pre = stdp_on_pre,
    .on_post = stdp_on_post,
    .on_slice = NULL,
    .stop = NULL,
    .destroy = stdp_destroy,
};

static const rewire_plugin_descriptor stdp_descriptor =
    REWIRE_DESCRIPTOR(REWIRE_KIND_LEARNING_RULE, "stdp", "1.0.0",
                      "Pair-based STDP with exponential traces (additive or multiplicative, "
                      "all-to-all or nearest pairing)",
                      stdp_params, stdp_functions);

REWIRE_PLUGIN_ENTRY(&stdp_descriptor)
