/* triplet_stdp: the triplet rule of Pfister & Gerstner 2006, "Triplets of spikes in a
 * model of spike timing-dependent plasticity", J Neurosci 26:9673, all-to-all
 * interaction.
 *
 * Each presynaptic neuron i keeps two traces r1[i] (tau_plus) and r2[i] (tau_x), each
 * postsynaptic neuron j two traces o1[j] (tau_minus) and o2[j] (tau_y).  A spike adds 1
 * to both traces of its neuron (all-to-all: traces add up, they are never reset).
 *
 *   pre spike of i at t:   for each synapse i->j:  w -= o1[j](t) * (A2_minus + A3_minus * r2[i](t-)) * D
 *                          then r1[i] += 1, r2[i] += 1
 *   post spike of j at t:  for each synapse i->j:  w += r1[i](t) * (A2_plus + A3_plus * o2[j](t-)) * D
 *                          then o1[j] += 1, o2[j] += 1
 *
 * t- is "just before t", as in the paper: the triplet term of a spike reads its own
 * neuron's slow trace without the spike's own increment, so a lone pair is pure pair
 * STDP and a triplet term needs an earlier spike of the same neuron.
 *
 * Weights.  The paper's amplitudes are relative weight changes; here they are fractions
 * of w_max, D = w_max (additive, like the stdp plugin), every change is scaled by the
 * projection's plasticity_gain and w is clipped to [w_min, w_max] (hard bounds).
 *
 * Traces are decayed lazily: a neuron stores its trace values and the step of their last
 * update, and a reader decays them to the step at hand (through a table of exp(-k dt/tau)
 * for short gaps).  Both traces of a neuron share one step stamp.  No work happens on
 * steps without spikes.
 *
 * Same-step pairing.  The host calls on_pre(t) before on_post(t) (learning_rule.h), so a
 * pre and a post spike in one step pair as "pre before post", as in the stdp plugin: the
 * post spike's LTP reads r1 with the same-step pre spike in it, the pre spike's LTD reads
 * o1 without the same-step post spike.
 *
 * The source of a synapse on a post spike comes from a table aligned with the host's
 * post index (4 bytes per synapse, rebuilt when the host's arrays change; binary search
 * of row_offsets as the fallback when that allocation fails): rewire/traces.h, whose
 * header explains the trade-off.
 */
#include <math.h>
#include <rewire/plugin.h>
#include <rewire/traces.h>
#include <stdlib.h>
#include <string.h>

enum {
    P_TAU_PLUS,
    P_TAU_MINUS,
    P_TAU_X,
    P_TAU_Y,
    P_A2_PLUS,
    P_A3_PLUS,
    P_A2_MINUS,
    P_A3_MINUS,
    P_W_MIN,
    P_W_MAX,
    N_PARAMS
};

#define POSITIVE (REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_MIN_EXCLUSIVE)

/* Defaults: the minimal all-to-all model fitted to the visual-cortex data of Sjoestroem
 * et al. 2001 (Pfister & Gerstner 2006, Table 4): A2_plus = A3_minus = 0.  tau_plus and
 * tau_minus are fixed in the paper from the pair window (Bi & Poo); tau_x is unused while
 * A3_minus = 0 and defaults to the full model's fitted 101 ms. */
static const rewire_param_spec triplet_params[N_PARAMS] = {
    [P_TAU_PLUS] = {.name = "tau_plus", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_TIME,
                    .flags = POSITIVE, .def_real = 16.8, .min = 0.0,
                    .doc = "Time constant of the fast presynaptic trace r1: the LTP side of the "
                           "pair window."},
    [P_TAU_MINUS] = {.name = "tau_minus", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_TIME,
                     .flags = POSITIVE, .def_real = 33.7, .min = 0.0,
                     .doc = "Time constant of the fast postsynaptic trace o1: the LTD side of the "
                            "pair window."},
    [P_TAU_X] = {.name = "tau_x", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_TIME,
                 .flags = POSITIVE, .def_real = 101.0, .min = 0.0,
                 .doc = "Time constant of the slow presynaptic trace r2, read by the triplet "
                        "LTD term (unused while A3_minus = 0)."},
    [P_TAU_Y] = {.name = "tau_y", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_TIME,
                 .flags = POSITIVE, .def_real = 114.0, .min = 0.0,
                 .doc = "Time constant of the slow postsynaptic trace o2, read by the triplet "
                        "LTP term: how long an earlier post spike boosts potentiation."},
    [P_A2_PLUS] = {.name = "A2_plus", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_NONE,
                   .flags = REWIRE_PARAM_HAS_MIN, .def_real = 0.0, .min = 0.0,
                   .doc = "Pair LTP per pre-before-post pair at zero lag, as a fraction of w_max."},
    [P_A3_PLUS] = {.name = "A3_plus", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_NONE,
                   .flags = REWIRE_PARAM_HAS_MIN, .def_real = 6.5e-3, .min = 0.0,
                   .doc = "Triplet LTP (post-pre-post) at zero lags, as a fraction of w_max; "
                          "multiplies r1 * o2."},
    [P_A2_MINUS] = {.name = "A2_minus", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_NONE,
                    .flags = REWIRE_PARAM_HAS_MIN, .def_real = 7.1e-3, .min = 0.0,
                    .doc = "Pair LTD per post-before-pre pair at zero lag, as a fraction of w_max."},
    [P_A3_MINUS] = {.name = "A3_minus", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_NONE,
                    .flags = REWIRE_PARAM_HAS_MIN, .def_real = 0.0, .min = 0.0,
                    .doc = "Triplet LTD (pre-post-pre) at zero lags, as a fraction of w_max; "
                           "multiplies o1 * r2 (0 in the minimal model)."},
    [P_W_MIN] = {.name = "w_min", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_WEIGHT,
                 .def_real = 0.0,
                 .doc = "Lower weight bound (negative for inhibitory current-based synapses)."},
    [P_W_MAX] = {.name = "w_max", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_WEIGHT,
                 .flags = REWIRE_PARAM_REQUIRED | POSITIVE, .min = 0.0,
                 .doc = "Upper weight bound; the amplitudes A2_*, A3_* are fractions of it."},
};

/* A pair of traces per neuron of one side, sharing the step of their last update (so not
 * two rewire_traces). */
typedef struct trace_pair {
    double *fast;  /* r1 (pre) or o1 (post) */
    double *slow;  /* r2 (pre) or o2 (post) */
    int64_t *step; /* step of the last update of both */
} trace_pair;

typedef struct triplet {
    const rewire_host *host;
    double tau_plus, tau_minus, tau_x, tau_y;
    double a2_plus, a3_plus, a2_minus, a3_minus; /* fractions of w_max */
    double w_min, w_max;

    trace_pair pre, post; /* pre: r1, r2; post: o1, o2 */
    rewire_decay_table decay_plus, decay_minus, decay_x, decay_y;
    rewire_col_sources sources; /* sources of the post index's synapses */
} triplet;

static void free_traces(trace_pair *p) {
    free(p->fast);
    free(p->slow);
    free(p->step);
    p->fast = p->slow = NULL;
    p->step = NULL;
}

/* Traces start empty; their step is irrelevant while the values are 0. */
static bool alloc_traces(trace_pair *p, uint32_t n) {
    size_t count = n ? n : 1;
    p->fast = calloc(count, sizeof *p->fast);
    p->slow = calloc(count, sizeof *p->slow);
    p->step = calloc(count, sizeof *p->step);
    return p->fast && p->slow && p->step;
}

static void free_state(triplet *tr) {
    free_traces(&tr->pre);
    free_traces(&tr->post);
    rewire_decay_table_free(&tr->decay_plus);
    rewire_decay_table_free(&tr->decay_minus);
    rewire_decay_table_free(&tr->decay_x);
    rewire_decay_table_free(&tr->decay_y);
    rewire_col_sources_free(&tr->sources);
}

static int triplet_create(const rewire_host *host, const rewire_param_value *params,
                          const rewire_projection_view *view, void **instance) {
    (void)view;
    double w_min = params[P_W_MIN].real, w_max = params[P_W_MAX].real;
    if (!(w_min < w_max)) {
        host->set_error(host, "w_min (%g) must be below w_max (%g)", w_min, w_max);
        return REWIRE_EINVAL;
    }
    triplet *tr = calloc(1, sizeof *tr);
    if (!tr) {
        host->set_error(host, "out of memory");
        return REWIRE_ENOMEM;
    }
    tr->host = host;
    tr->tau_plus = params[P_TAU_PLUS].real;
    tr->tau_minus = params[P_TAU_MINUS].real;
    tr->tau_x = params[P_TAU_X].real;
    tr->tau_y = params[P_TAU_Y].real;
    tr->a2_plus = params[P_A2_PLUS].real;
    tr->a3_plus = params[P_A3_PLUS].real;
    tr->a2_minus = params[P_A2_MINUS].real;
    tr->a3_minus = params[P_A3_MINUS].real;
    tr->w_min = w_min;
    tr->w_max = w_max;
    *instance = tr;
    return REWIRE_OK;
}

static int triplet_start(void *instance, rewire_projection_view *view) {
    triplet *tr = instance;
    if (!view->col_offsets || !view->col_synapses) {
        tr->host->set_error(tr->host, "the host gave no post index (col_offsets) although the "
                                      "rule asked for it with REWIRE_RULE_NEEDS_POST_INDEX");
        return REWIRE_EINVAL;
    }
    if (!(view->dt > 0)) {
        tr->host->set_error(tr->host, "the projection view has no time step (dt = %g)", view->dt);
        return REWIRE_EINVAL;
    }
    free_state(tr);
    if (!alloc_traces(&tr->pre, view->n_pre) || !alloc_traces(&tr->post, view->n_post) ||
        rewire_decay_table_build(&tr->decay_plus, view->dt, tr->tau_plus) != REWIRE_OK ||
        rewire_decay_table_build(&tr->decay_minus, view->dt, tr->tau_minus) != REWIRE_OK ||
        rewire_decay_table_build(&tr->decay_x, view->dt, tr->tau_x) != REWIRE_OK ||
        rewire_decay_table_build(&tr->decay_y, view->dt, tr->tau_y) != REWIRE_OK ||
        !rewire_col_sources_build(&tr->sources, view)) {
        free_state(tr);
        tr->host->set_error(tr->host, "out of memory for the traces of %u + %u neurons and %u synapses",
                            view->n_pre, view->n_post, view->n_syn);
        return REWIRE_ENOMEM;
    }
    return REWIRE_OK;
}

/* Neuron k of one side spikes at `step`: decay both traces to `step`, return the slow
 * trace as it was just before the spike (the triplet term's t-), then add 1 to both. */
static inline double spike_traces(trace_pair *p, uint32_t k, const rewire_decay_table *fast,
                                  const rewire_decay_table *slow, int64_t step) {
    const int64_t elapsed = step - p->step[k];
    const double slow_before = rewire_decayed(slow, p->slow[k], elapsed);
    p->fast[k] = rewire_decayed(fast, p->fast[k], elapsed) + 1.0;
    p->slow[k] = slow_before + 1.0;
    p->step[k] = step;
    return slow_before;
}

static inline float clip(double w, double lo, double hi) {
    return (float)(w < lo ? lo : (w > hi ? hi : w));
}

/* LTD over the outgoing synapses of presynaptic neuron i: each loses o1[j](t) * scale. */
static void depress_row(const triplet *tr, rewire_projection_view *v, uint32_t i, int64_t step,
                        double scale) {
    const uint32_t *targets = v->targets;
    float *w = v->weights;
    const double *o1 = tr->post.fast;
    const int64_t *o_step = tr->post.step;
    const double w_min = tr->w_min, w_max = tr->w_max;
    for (uint32_t s = v->row_offsets[i], end = v->row_offsets[i + 1]; s < end; s++) {
        const uint32_t j = targets[s];
        const double x = rewire_decayed(&tr->decay_minus, o1[j], step - o_step[j]);
        w[s] = clip((double)w[s] - scale * x, w_min, w_max);
    }
}

/* LTP over the incoming synapses of postsynaptic neuron j: each gains r1[i](t) * scale.
 * `sources` is aligned with col_synapses, or NULL to find each source by binary search. */
static void potentiate_column(const triplet *tr, rewire_projection_view *v, uint32_t j,
                              int64_t step, double scale, const uint32_t *sources) {
    const uint32_t *col = v->col_synapses;
    float *w = v->weights;
    const double *r1 = tr->pre.fast;
    const int64_t *r_step = tr->pre.step;
    const double w_min = tr->w_min, w_max = tr->w_max;
    for (uint32_t k = v->col_offsets[j], end = v->col_offsets[j + 1]; k < end; k++) {
        const uint32_t s = col[k];
        const uint32_t i = rewire_col_source(sources, v, k);
        const double x = rewire_decayed(&tr->decay_plus, r1[i], step - r_step[i]);
        w[s] = clip((double)w[s] + scale * x, w_min, w_max);
    }
}

static void triplet_on_pre(void *instance, rewire_projection_view *view, int64_t step,
                           const uint32_t *pre, size_t n) {
    triplet *tr = instance;
    const double gain = view->plasticity_gain;
    for (size_t k = 0; k < n; k++) {
        const uint32_t i = pre[k];
        /* The traces of i are only read by LTP (r1, at post spikes), so updating them
         * before this spike's own LTD changes nothing but hands us r2(t-). */
        const double r2 = spike_traces(&tr->pre, i, &tr->decay_plus, &tr->decay_x, step);
        const double scale = gain * tr->w_max * (tr->a2_minus + tr->a3_minus * r2);
        if (scale == 0) continue; /* plasticity off, or nothing to depress: traces only */
        depress_row(tr, view, i, step, scale);
    }
}

static void triplet_on_post(void *instance, rewire_projection_view *view, int64_t step,
                            const uint32_t *post, size_t n) {
    triplet *tr = instance;
    const double gain = view->plasticity_gain;
    const uint32_t *sources = rewire_col_sources_get(&tr->sources, view, gain != 0);
    for (size_t k = 0; k < n; k++) {
        const uint32_t j = post[k];
        const double o2 = spike_traces(&tr->post, j, &tr->decay_minus, &tr->decay_y, step);
        const double scale = gain * tr->w_max * (tr->a2_plus + tr->a3_plus * o2);
        if (scale == 0) continue;
        potentiate_column(tr, view, j, step, scale, sources);
    }
}

static void triplet_destroy(void *instance) {
    triplet *tr = instance;
    if (!tr) return;
    free_state(tr);
    free(tr);
}

static const rewire_learning_rule_v1 triplet_functions = {
    .struct_size = sizeof(rewire_learning_rule_v1),
    .flags = REWIRE_RULE_NEEDS_POST_INDEX,
    .n_syn_state = 0,
    .syn_state_names = NULL,
    .create = triplet_create,
    .start = triplet_start,
    .on_pre = triplet_on_pre,
    .on_post = triplet_on_post,
    .on_slice = NULL,
    .stop = NULL,
    .destroy = triplet_destroy,
};

static const rewire_plugin_descriptor triplet_descriptor =
    REWIRE_DESCRIPTOR(REWIRE_KIND_LEARNING_RULE, "triplet_stdp", "1.0.0",
                      "Triplet STDP (Pfister & Gerstner 2006), all-to-all; defaults: the minimal "
                      "model fitted to visual cortex",
                      triplet_params, triplet_functions);

REWIRE_PLUGIN_ENTRY(&triplet_descriptor)
