/* istdp: inhibitory spike-timing-dependent plasticity of Vogels, Sprekeler, Zenke,
 * Clopath & Gerstner (2011), "Inhibitory plasticity balances excitation and inhibition
 * in sensory pathways and memory networks", Science 334:1569.
 *
 * On a projection from inhibitory neurons onto excitatory ones (receptor: inhibitory),
 * each presynaptic neuron i keeps a trace x_pre[i], each postsynaptic neuron j a trace
 * x_post[j]; a spike adds 1 to its neuron's trace and traces decay with tau:
 *
 *   pre spike of i at t:   x_pre[i] += 1;  for each synapse i->j:  w += eta * (x_post[j](t) - alpha)
 *   post spike of j at t:  x_post[j] += 1; for each synapse i->j:  w += eta * x_pre[i](t)
 *
 *   alpha = 2 * rho0 * tau
 *
 * The window is symmetric: near-coincident spikes in either order strengthen the
 * synapse, and every presynaptic spike weakens it by eta * alpha.  For uncorrelated
 * spike trains the mean drift is eta * rho_pre * 2 tau (rho_post - rho0): inhibition
 * onto a neuron grows while it fires above the target rate rho0 and shrinks below it,
 * which settles each postsynaptic neuron near rho0 with its inhibition matched to its
 * excitation.
 *
 * Weights are inhibitory conductances, w >= 0, scaled by the projection's
 * plasticity_gain and clipped to [w_min, w_max] after every change.  eta is in weight
 * units (as in Brian2's example, `w += eta * (Apost - alpha)` with w in nS): the rule
 * is additive, and w_max is a safety bound that need not bind.  On lif_cuba,
 * inhibitory weights are negative currents and "more inhibition" would be a smaller
 * weight; the rule refuses them rather than make inhibition excitatory.
 *
 * Same-step pairing.  The host calls on_pre(t) and then on_post(t), as Brian2 runs the
 * pre pathway before the post pathway: the pre update sees only post spikes of earlier
 * steps, the post update sees the pre trace including the same-step pre spike.
 *
 * Traces are decayed lazily (value + step of the last update, decayed when read), so
 * steps without spikes cost nothing.  The post update needs the source of each incoming
 * synapse: start() builds a table of sources aligned with the host's post index
 * (rewire/traces.h; 4 bytes per synapse, read sequentially), rebuilt if the host
 * changes the synapses; without memory for it the rule falls back to a binary search
 * of row_offsets.
 */
#include <math.h>
#include <rewire/plugin.h>
#include <rewire/traces.h>
#include <stdlib.h>
#include <string.h>

enum { P_TAU, P_ETA, P_RHO0, P_W_MIN, P_W_MAX, N_PARAMS };

#define POSITIVE (REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_MIN_EXCLUSIVE)
#define MS_PER_S 1000.0

/* Defaults: the paper's tau = 20 ms and rho0 = 3 Hz (Vogels et al. 2011, Fig. 4 and
 * Brian2's examples/frompapers/Vogels_et_al_2011.py).  eta and w_max depend on the
 * weight scale of the model, so the experiment gives them. */
static const rewire_param_spec istdp_params[N_PARAMS] = {
    [P_TAU] = {.name = "tau", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_TIME,
               .flags = POSITIVE, .def_real = 20.0, .min = 0.0,
               .doc = "Time constant of the pre and post traces: the width of the symmetric "
                      "window."},
    [P_ETA] = {.name = "eta", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_WEIGHT,
               .flags = REWIRE_PARAM_REQUIRED | REWIRE_PARAM_HAS_MIN, .min = 0.0,
               .doc = "Learning rate, in weight units: a pair at zero lag adds eta, every "
                      "presynaptic spike removes eta * alpha (Brian2's example: 0.01 nS)."},
    [P_RHO0] = {.name = "rho0", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_FREQUENCY,
                .flags = REWIRE_PARAM_HAS_MIN, .def_real = 3.0, .min = 0.0,
                .doc = "Target rate of the postsynaptic neurons; the depression per "
                       "presynaptic spike is eta * alpha with alpha = 2 * rho0 * tau."},
    [P_W_MIN] = {.name = "w_min", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_WEIGHT,
                 .flags = REWIRE_PARAM_HAS_MIN, .def_real = 0.0, .min = 0.0,
                 .doc = "Lower weight bound (inhibitory conductances are >= 0)."},
    [P_W_MAX] = {.name = "w_max", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_WEIGHT,
                 .flags = REWIRE_PARAM_REQUIRED | POSITIVE, .min = 0.0,
                 .doc = "Upper weight bound (Brian2's example: 100 nS, far above what the rule "
                        "reaches)."},
};

typedef struct istdp {
    const rewire_host *host;
    double tau, eta, rho0, alpha;
    double w_min, w_max;

    rewire_traces x_pre, x_post; /* [n_pre], [n_post] */
    rewire_decay_table decay;    /* both traces decay with tau */
    rewire_col_sources sources;  /* sources of the post index's synapses */
} istdp;

static void free_state(istdp *st) {
    rewire_traces_free(&st->x_pre);
    rewire_traces_free(&st->x_post);
    rewire_decay_table_free(&st->decay);
    rewire_col_sources_free(&st->sources);
}

/* Current-based targets carry inhibition as negative weights: this rule would turn
 * them excitatory.  The fake hosts of unit tests know no populations (ENOENT): then
 * start() still refuses negative weights. */
static bool post_is_current_based(const rewire_host *host, const rewire_projection_view *view) {
    rewire_population_view pop;
    memset(&pop, 0, sizeof pop);
    pop.struct_size = sizeof pop;
    return view->post_population &&
           host->population_find(host, view->post_population, &pop) == REWIRE_OK && pop.model &&
           strcmp(pop.model, "lif_cuba") == 0;
}

static int istdp_create(const rewire_host *host, const rewire_param_value *params,
                        const rewire_projection_view *view, void **instance) {
    const double w_min = params[P_W_MIN].real, w_max = params[P_W_MAX].real;
    if (!(w_min < w_max)) {
        host->set_error(host, "w_min (%g) must be below w_max (%g)", w_min, w_max);
        return REWIRE_EINVAL;
    }
    if (post_is_current_based(host, view)) {
        host->set_error(host, "istdp needs conductance-based targets (lif_coba, receptor: "
                              "inhibitory): on lif_cuba population '%s' inhibitory weights are "
                              "negative currents, which this rule would make excitatory",
                        view->post_population);
        return REWIRE_EINVAL;
    }
    istdp *st = calloc(1, sizeof *st);
    if (!st) {
        host->set_error(host, "out of memory");
        return REWIRE_ENOMEM;
    }
    st->host = host;
    st->tau = params[P_TAU].real;
    st->eta = params[P_ETA].real;
    st->rho0 = params[P_RHO0].real;
    st->alpha = 2.0 * st->rho0 * st->tau / MS_PER_S; /* Hz * ms -> dimensionless */
    st->w_min = w_min;
    st->w_max = w_max;
    *instance = st;
    return REWIRE_OK;
}

static int istdp_start(void *instance, rewire_projection_view *view) {
    istdp *st = instance;
    if (!view->col_offsets || !view->col_synapses) {
        st->host->set_error(st->host, "the host gave no post index (col_offsets) although the "
                                      "rule asked for it with REWIRE_RULE_NEEDS_POST_INDEX");
        return REWIRE_EINVAL;
    }
    if (!(view->dt > 0)) {
        st->host->set_error(st->host, "the projection view has no time step (dt = %g)", view->dt);
        return REWIRE_EINVAL;
    }
    for (uint32_t s = 0; s < view->n_syn; s++)
        if (view->weights[s] < 0) {
            st->host->set_error(st->host, "synapse %u has a negative weight (%g): istdp works on "
                                          "inhibitory conductances (>= 0)",
                                s, (double)view->weights[s]);
            return REWIRE_EINVAL;
        }
    free_state(st);
    if (!rewire_traces_alloc(&st->x_pre, view->n_pre) ||
        !rewire_traces_alloc(&st->x_post, view->n_post) ||
        rewire_decay_table_build(&st->decay, view->dt, st->tau) != REWIRE_OK ||
        !rewire_col_sources_build(&st->sources, view)) {
        free_state(st);
        st->host->set_error(st->host, "out of memory for the traces of %u + %u neurons and %u synapses",
                            view->n_pre, view->n_post, view->n_syn);
        return REWIRE_ENOMEM;
    }
    return REWIRE_OK;
}

static inline float clip(double w, double lo, double hi) {
    return (float)(w < lo ? lo : (w > hi ? hi : w));
}

static void istdp_on_pre(void *instance, rewire_projection_view *view, int64_t step,
                         const uint32_t *pre, size_t n) {
    istdp *st = instance;
    const double scale = view->plasticity_gain * st->eta;
    const double alpha = st->alpha, w_min = st->w_min, w_max = st->w_max;
    const uint32_t *targets = view->targets;
    float *w = view->weights;
    for (size_t k = 0; k < n; k++) {
        const uint32_t i = pre[k];
        rewire_trace_spike(&st->x_pre, &st->decay, i, step);
        if (scale == 0) continue; /* plasticity off: keep the traces only */
        for (uint32_t s = view->row_offsets[i], end = view->row_offsets[i + 1]; s < end; s++) {
            const uint32_t j = targets[s];
            const double x = rewire_trace_at(&st->x_post, &st->decay, j, step);
            w[s] = clip((double)w[s] + scale * (x - alpha), w_min, w_max);
        }
    }
}

static void istdp_on_post(void *instance, rewire_projection_view *view, int64_t step,
                          const uint32_t *post, size_t n) {
    istdp *st = instance;
    const double scale = view->plasticity_gain * st->eta;
    const double w_min = st->w_min, w_max = st->w_max;
    const uint32_t *sources = rewire_col_sources_get(&st->sources, view, scale != 0);
    const uint32_t *col = view->col_synapses;
    float *w = view->weights;
    for (size_t k = 0; k < n; k++) {
        const uint32_t j = post[k];
        rewire_trace_spike(&st->x_post, &st->decay, j, step);
        if (scale == 0) continue;
        for (uint32_t c = view->col_offsets[j], end = view->col_offsets[j + 1]; c < end; c++) {
            const uint32_t s = col[c];
            const uint32_t i = rewire_col_source(sources, view, c);
            const double x = rewire_trace_at(&st->x_pre, &st->decay, i, step);
            w[s] = clip((double)w[s] + scale * x, w_min, w_max);
        }
    }
}

static void istdp_destroy(void *instance) {
    istdp *st = instance;
    if (!st) return;
    free_state(st);
    free(st);
}

static const rewire_learning_rule_v1 istdp_functions = {
    .struct_size = sizeof(rewire_learning_rule_v1),
    .flags = REWIRE_RULE_NEEDS_POST_INDEX,
    .n_syn_state = 0,
    .syn_state_names = NULL,
    .create = istdp_create,
    .start = istdp_start,
    .on_pre = istdp_on_pre,
    .on_post = istdp_on_post,
    .on_slice = NULL,
    .stop = NULL,
    .destroy = istdp_destroy,
};

static const rewire_plugin_descriptor istdp_descriptor =
    REWIRE_DESCRIPTOR(REWIRE_KIND_LEARNING_RULE, "istdp", "1.0.0",
                      "Inhibitory STDP of Vogels et al. 2011: symmetric window, target rate "
                      "rho0; inhibition grows onto neurons firing above rho0",
                      istdp_params, istdp_functions);

REWIRE_PLUGIN_ENTRY(&istdp_descriptor)
