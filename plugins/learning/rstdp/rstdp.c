/* rstdp: reward-modulated STDP with eligibility traces (Izhikevich 2007, "Solving the
 * distal reward problem through linkage of STDP and dopamine signaling", Cereb Cortex
 * 17:2443).
 *
 * STDP does not change a weight: it tags the synapse.  Each synapse keeps an
 * eligibility trace c (syn_state[0], in weight units); pre/post spike pairs add the
 * STDP window to c, c decays with tau_c, and the weight follows the dopamine level d:
 *
 *   dc/dt = -c / tau_c + STDP events        dw/dt = c * d        (t in seconds)
 *
 *   pre spike of i at t:   x_pre[i] += 1;  for each synapse i->j:  c -= A_minus * w_max * x_post[j](t)
 *   post spike of j at t:  x_post[j] += 1; for each synapse i->j:  c += A_plus  * w_max * x_pre[i](t)
 *
 * The per-neuron traces x decay with tau_plus / tau_minus and are decayed lazily, as in
 * the stdp plugin (all-to-all pairing; same-step pre and post pair as pre before post).
 *
 * d is the projection's neuromodulator level (view->neuromodulator), read as a rate per
 * second: an eligibility c held for one second under d = 1 moves w by c.  The host owns
 * d (its baseline, phasic releases and decay); the rule only reads it, once per slice,
 * and takes it as constant over the slice.
 *
 * Integration per slice.  on_slice(first, end) integrates both equations exactly over
 * T = (end - first) * dt for d constant: c decays by exp(-T/tau_c) and
 * w += gain * d * c * tau_c * (1 - exp(-T/tau_c)), then w is clipped to [w_min, w_max].
 * That is one pass over contiguous arrays per slice, which also keeps c decayed without
 * a per-synapse time stamp.
 *
 * Events inside a slice.  A tag added at step t in [first, end) exists only from t on,
 * while on_slice treats c as present from `first`.  So an event stores its tag scaled
 * by g = exp((t - first) dt / tau_c) (then on_slice's decay from `first` leaves exactly
 * the tag decayed from t) and takes back, at once, the integral on_slice will count for
 * [first, t): gain * d * tag * tau_c * (g - 1).  With this, the result does not depend
 * on how the host cuts time into slices (up to float rounding).  One exp() per spiking
 * step, none per synapse.
 *
 * Float weights and small steps.  Per slice the change of w is often below the float
 * spacing of w (tonic dopamine on a weak tag: 1e-8 of a weight near 1, spacing 1.2e-7),
 * and round-to-nearest would drop it every time, however long it lasts.  So the rule
 * keeps, per synapse, the part of w that float rounding lost (`residual`, |r| <= half a
 * spacing of w) and adds it back at the next update: compensated summation, 4 bytes per
 * synapse, owned by the rule.  When someone else writes w in between (an injury, the
 * host), the residual is off by at most half a spacing of the old w.
 *
 * plasticity_gain scales weight changes, not tags: at gain 0 the weights are frozen while
 * eligibility still builds and decays.
 */
#include <math.h>
#include <rewire/plugin.h>
#include <rewire/traces.h>
#include <stdlib.h>
#include <string.h>

enum { P_TAU_PLUS, P_TAU_MINUS, P_A_PLUS, P_A_MINUS, P_TAU_C, P_W_MIN, P_W_MAX, N_PARAMS };

#define POSITIVE (REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_MIN_EXCLUSIVE)
#define MS_PER_S 1000.0

/* Defaults: Izhikevich's daspnet.m (ModelDB 84167), the code of the paper's Fig. 1: STDP
 * traces of 0.1 mV (LTP) and 1.5 * 0.1 mV (LTD) with w_max = 4 mV, i.e. 0.025 and 0.0375
 * of w_max; tau_+ = tau_- = 20 ms; tau_c = 1 s. */
static const rewire_param_spec rstdp_params[N_PARAMS] = {
    [P_TAU_PLUS] = {.name = "tau_plus", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_TIME,
                    .flags = POSITIVE, .def_real = 20.0, .min = 0.0,
                    .doc = "Time constant of the presynaptic trace: the LTP side of the STDP window."},
    [P_TAU_MINUS] = {.name = "tau_minus", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_TIME,
                     .flags = POSITIVE, .def_real = 20.0, .min = 0.0,
                     .doc = "Time constant of the postsynaptic trace: the LTD side of the STDP window."},
    [P_A_PLUS] = {.name = "A_plus", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_NONE,
                  .flags = REWIRE_PARAM_HAS_MIN, .def_real = 0.025, .min = 0.0,
                  .doc = "Eligibility added per pre-before-post pair at zero lag, as a fraction of "
                         "w_max (it changes w only under dopamine)."},
    [P_A_MINUS] = {.name = "A_minus", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_NONE,
                   .flags = REWIRE_PARAM_HAS_MIN, .def_real = 0.0375, .min = 0.0,
                   .doc = "Eligibility removed per post-before-pre pair at zero lag, as a fraction "
                          "of w_max."},
    [P_TAU_C] = {.name = "tau_c", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_TIME,
                 .flags = POSITIVE, .def_real = 1000.0, .min = 0.0,
                 .doc = "Decay time of the eligibility trace c: how long a pairing stays "
                        "eligible for a later reward.  The weight follows dw/dt = c * d, with the "
                        "projection's neuromodulator level d read as a rate per second."},
    [P_W_MIN] = {.name = "w_min", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_WEIGHT,
                 .def_real = 0.0,
                 .doc = "Lower weight bound (negative for inhibitory current-based synapses)."},
    [P_W_MAX] = {.name = "w_max", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_WEIGHT,
                 .flags = REWIRE_PARAM_REQUIRED | POSITIVE, .min = 0.0,
                 .doc = "Upper weight bound; A_plus and A_minus are fractions of it."},
};

typedef struct rstdp {
    const rewire_host *host;
    double tau_plus, tau_minus, tau_c;
    double ltp, ltd; /* A_plus * w_max, A_minus * w_max: weight units */
    double w_min, w_max;

    double dt;
    uint32_t n_pre, n_post;
    rewire_traces x_pre, x_post; /* [n_pre], [n_post] */
    rewire_decay_table decay_plus, decay_minus;

    /* Start of the slice in progress: the step eligibility is referred to (see the
     * header); set by the first hook after start(). */
    int64_t slice_start;
    bool slice_started;

    /* residual[s]: what float rounding took off weights[s] (see the header); sized for
     * residual_n_syn synapses, NULL when out of memory (plain rounding then). */
    float *residual;
    uint32_t residual_n_syn;

    rewire_col_sources sources; /* sources of the post index's synapses */
} rstdp;

static void free_state(rstdp *st) {
    rewire_traces_free(&st->x_pre);
    rewire_traces_free(&st->x_post);
    rewire_decay_table_free(&st->decay_plus);
    rewire_decay_table_free(&st->decay_minus);
    rewire_col_sources_free(&st->sources);
    free(st->residual);
    st->residual = NULL;
}

/* A residual array for the view's synapses (zeros): made in start(), made again only
 * when the host changed the number of synapses; NULL when out of memory. */
static float *residual_for(rstdp *st, const rewire_projection_view *v) {
    if (st->residual && st->residual_n_syn == v->n_syn) return st->residual;
    free(st->residual);
    st->residual = calloc(v->n_syn ? v->n_syn : 1, sizeof *st->residual);
    st->residual_n_syn = st->residual ? v->n_syn : 0;
    return st->residual;
}

static int rstdp_create(const rewire_host *host, const rewire_param_value *params,
                        const rewire_projection_view *view, void **instance) {
    (void)view;
    double w_min = params[P_W_MIN].real, w_max = params[P_W_MAX].real;
    if (!(w_min < w_max)) {
        host->set_error(host, "w_min (%g) must be below w_max (%g)", w_min, w_max);
        return REWIRE_EINVAL;
    }
    rstdp *st = calloc(1, sizeof *st);
    if (!st) {
        host->set_error(host, "out of memory");
        return REWIRE_ENOMEM;
    }
    st->host = host;
    st->tau_plus = params[P_TAU_PLUS].real;
    st->tau_minus = params[P_TAU_MINUS].real;
    st->tau_c = params[P_TAU_C].real;
    st->ltp = params[P_A_PLUS].real * w_max;
    st->ltd = params[P_A_MINUS].real * w_max;
    st->w_min = w_min;
    st->w_max = w_max;
    *instance = st;
    return REWIRE_OK;
}

static int rstdp_start(void *instance, rewire_projection_view *view) {
    rstdp *st = instance;
    if (!view->col_offsets || !view->col_synapses) {
        st->host->set_error(st->host, "the host gave no post index (col_offsets) although the "
                                      "rule asked for it with REWIRE_RULE_NEEDS_POST_INDEX");
        return REWIRE_EINVAL;
    }
    if (view->n_syn_state < 1 || !view->syn_state || (view->n_syn && !view->syn_state[0])) {
        st->host->set_error(st->host, "the host gave no eligibility array (syn_state[0]) "
                                      "although the rule declared one");
        return REWIRE_EINVAL;
    }
    if (!(view->dt > 0)) {
        st->host->set_error(st->host, "the projection view has no time step (dt = %g)", view->dt);
        return REWIRE_EINVAL;
    }
    free_state(st);
    st->dt = view->dt;
    st->n_pre = view->n_pre;
    st->n_post = view->n_post;
    st->slice_started = false;
    if (!rewire_traces_alloc(&st->x_pre, view->n_pre) ||
        !rewire_traces_alloc(&st->x_post, view->n_post) ||
        rewire_decay_table_build(&st->decay_plus, view->dt, st->tau_plus) != REWIRE_OK ||
        rewire_decay_table_build(&st->decay_minus, view->dt, st->tau_minus) != REWIRE_OK ||
        !rewire_col_sources_build(&st->sources, view) || !residual_for(st, view)) {
        free_state(st);
        st->host->set_error(st->host, "out of memory for the traces of %u + %u neurons and %u synapses",
                            view->n_pre, view->n_post, view->n_syn);
        return REWIRE_ENOMEM;
    }
    /* The host zeroes syn_state; a restart must not inherit old tags either. */
    if (view->n_syn) memset(view->syn_state[0], 0, view->n_syn * sizeof(float));
    return REWIRE_OK;
}

/* w[s] += dw, clipped to [lo, hi], carrying what float rounding loses in r[s] (r may be
 * NULL: plain rounding). */
static inline void add_weight(float *w, float *r, uint32_t s, double dw, double lo, double hi) {
    const double exact = (double)w[s] + (r ? (double)r[s] : 0.0) + dw;
    const double bounded = exact < lo ? lo : (exact > hi ? hi : exact);
    const float stored = (float)bounded;
    w[s] = stored;
    if (r) r[s] = (float)(bounded - (double)stored);
}

/* How a tag made at `step` is stored: scaled by `grow`, and `take_back` * tag taken off
 * the weight at once (the header's "Events inside a slice"). */
typedef struct tagging {
    double grow, take_back;
} tagging;

static tagging tagging_at(rstdp *st, const rewire_projection_view *v, int64_t step) {
    if (!st->slice_started) {
        st->slice_start = step;
        st->slice_started = true;
    }
    const double u = (double)(step - st->slice_start) * st->dt / st->tau_c;
    const double rate = (double)v->plasticity_gain * (double)v->neuromodulator / MS_PER_S;
    return (tagging){exp(u), rate * st->tau_c * expm1(u)};
}

/* Tag one synapse; `touch_weight` is a constant at each call site, so the compiler emits
 * the dopamine-free loop without the weight update. */
static inline void tag(float *c, float *w, float *r, uint32_t s, double amount, tagging tg,
                       double w_min, double w_max, bool touch_weight) {
    c[s] = (float)((double)c[s] + amount * tg.grow);
    if (touch_weight) add_weight(w, r, s, -tg.take_back * amount, w_min, w_max);
}

/* LTD tags over the outgoing synapses of one presynaptic neuron. */
static inline void depress_row(const rstdp *st, rewire_projection_view *v, uint32_t i,
                               int64_t step, tagging tg, bool touch_weight, float *r) {
    const uint32_t *targets = v->targets;
    float *c = v->syn_state[0], *w = v->weights;
    for (uint32_t s = v->row_offsets[i], end = v->row_offsets[i + 1]; s < end; s++) {
        const uint32_t j = targets[s];
        const double x = rewire_trace_at(&st->x_post, &st->decay_minus, j, step);
        tag(c, w, r, s, -st->ltd * x, tg, st->w_min, st->w_max, touch_weight);
    }
}

/* LTP tags over the incoming synapses of one postsynaptic neuron; `sources` is aligned
 * with col_synapses, or NULL to find each source by binary search. */
static inline void potentiate_column(const rstdp *st, rewire_projection_view *v, uint32_t j,
                                     int64_t step, tagging tg, bool touch_weight,
                                     const uint32_t *sources, float *r) {
    const uint32_t *col = v->col_synapses;
    float *c = v->syn_state[0], *w = v->weights;
    for (uint32_t k = v->col_offsets[j], end = v->col_offsets[j + 1]; k < end; k++) {
        const uint32_t s = col[k];
        const uint32_t i = rewire_col_source(sources, v, k);
        const double x = rewire_trace_at(&st->x_pre, &st->decay_plus, i, step);
        tag(c, w, r, s, st->ltp * x, tg, st->w_min, st->w_max, touch_weight);
    }
}

static void rstdp_on_pre(void *instance, rewire_projection_view *view, int64_t step,
                         const uint32_t *pre, size_t n) {
    rstdp *st = instance;
    const tagging tg = tagging_at(st, view, step);
    float *r = tg.take_back != 0 ? residual_for(st, view) : NULL;
    for (size_t k = 0; k < n; k++) {
        const uint32_t i = pre[k];
        rewire_trace_spike(&st->x_pre, &st->decay_plus, i, step);
        if (tg.take_back != 0)
            depress_row(st, view, i, step, tg, true, r);
        else
            depress_row(st, view, i, step, tg, false, NULL);
    }
}

static void rstdp_on_post(void *instance, rewire_projection_view *view, int64_t step,
                          const uint32_t *post, size_t n) {
    rstdp *st = instance;
    const tagging tg = tagging_at(st, view, step);
    const uint32_t *sources = rewire_col_sources_get(&st->sources, view, true);
    float *r = tg.take_back != 0 ? residual_for(st, view) : NULL;
    for (size_t k = 0; k < n; k++) {
        const uint32_t j = post[k];
        rewire_trace_spike(&st->x_post, &st->decay_minus, j, step);
        if (tg.take_back != 0)
            potentiate_column(st, view, j, step, tg, true, sources, r);
        else
            potentiate_column(st, view, j, step, tg, false, sources, NULL);
    }
}

/* The continuous part: decay every tag and let the weights follow c * d over the slice. */
static void rstdp_on_slice(void *instance, rewire_projection_view *view, int64_t first_step,
                           int64_t end_step) {
    rstdp *st = instance;
    const int64_t from = st->slice_started ? st->slice_start : first_step;
    st->slice_start = end_step;
    st->slice_started = true;
    if (end_step <= from) return;
    const double span = (double)(end_step - from) * st->dt; /* ms */
    /* Double factors: a float `keep` would bias a tag by its rounding once per slice. */
    const double keep = exp(-span / st->tau_c);
    /* Weight change per unit of c at the slice start: gain * d * integral of exp(-t/tau_c). */
    const double rate = (double)view->plasticity_gain * (double)view->neuromodulator / MS_PER_S;
    const double per_c = rate * st->tau_c * -expm1(-span / st->tau_c);
    float *restrict c = view->syn_state[0];
    float *restrict w = view->weights;
    const uint32_t n = view->n_syn;
    if (per_c == 0.0) {
        for (uint32_t s = 0; s < n; s++) c[s] = (float)((double)c[s] * keep);
        return;
    }
    const double lo = st->w_min, hi = st->w_max;
    float *restrict r = residual_for(st, view);
    if (r) {
        for (uint32_t s = 0; s < n; s++) {
            const double cs = c[s], exact = (double)w[s] + (double)r[s] + per_c * cs;
            const double bounded = exact < lo ? lo : (exact > hi ? hi : exact);
            const float stored = (float)bounded;
            w[s] = stored;
            r[s] = (float)(bounded - (double)stored);
            c[s] = (float)(cs * keep);
        }
    } else {
        for (uint32_t s = 0; s < n; s++) {
            const double cs = c[s], exact = (double)w[s] + per_c * cs;
            w[s] = (float)(exact < lo ? lo : (exact > hi ? hi : exact));
            c[s] = (float)(cs * keep);
        }
    }
}

static void rstdp_destroy(void *instance) {
    rstdp *st = instance;
    if (!st) return;
    free_state(st);
    free(st);
}

static const char *const rstdp_state_names[] = {"eligibility"};

static const rewire_learning_rule_v1 rstdp_functions = {
    .struct_size = sizeof(rewire_learning_rule_v1),
    .flags = REWIRE_RULE_NEEDS_POST_INDEX | REWIRE_RULE_ON_SLICE,
    .n_syn_state = 1,
    .syn_state_names = rstdp_state_names,
    .create = rstdp_create,
    .start = rstdp_start,
    .on_pre = rstdp_on_pre,
    .on_post = rstdp_on_post,
    .on_slice = rstdp_on_slice,
    .stop = NULL,
    .destroy = rstdp_destroy,
};

static const rewire_plugin_descriptor rstdp_descriptor =
    REWIRE_DESCRIPTOR(REWIRE_KIND_LEARNING_RULE, "rstdp", "1.0.0",
                      "Reward-modulated STDP (Izhikevich 2007): STDP tags an eligibility trace, "
                      "the weight follows eligibility x neuromodulator (per second)",
                      rstdp_params, rstdp_functions);

REWIRE_PLUGIN_ENTRY(&rstdp_descriptor)
