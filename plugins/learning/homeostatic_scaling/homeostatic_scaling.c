/* homeostatic_scaling: multiplicative synaptic scaling toward a target firing rate.
 *
 * Turrigiano et al. (1998, Nature 391:892) found that cortical neurons whose activity is
 * blocked or raised for days scale all their excitatory synapses by one common factor,
 * which moves the firing rate back toward where it was and keeps the relative strengths
 * of the synapses.  The model is that of van Rossum, Bi & Turrigiano (2000, J Neurosci
 * 20:8812): each postsynaptic neuron j keeps a slow activity sensor a_j, and every weight
 * onto j changes in proportion to itself:
 *
 *   tau_rate da_j/dt = -a_j + sum_k delta(t - t_j^k)   (a_j jumps by 1/tau_rate: a_j ~ rate)
 *   dw_ij/dt        = gain * w_ij * (rho - a_j) / (rho * tau_scaling)
 *
 * with rho = target_rate and gain = the projection's plasticity_gain.  This is van Rossum's
 * dw/dt = beta w (a_goal - a) with beta = 1 / (rho tau_scaling): a silent neuron's weights
 * grow e-fold every tau_scaling, and a neuron 10 % off target changes its weights by 10 %
 * per tau_scaling.  Weights are clipped to [w_min, w_max].
 *
 * Exact integration.  Within a slice a_j is a sum of decaying exponentials, so the
 * weight equation integrates exactly: over [t0, t1],
 *   w(t1) = w(t0) * exp(gain * (rho (t1 - t0) - integral of a_j) / (rho tau_scaling)).
 * The sensor is decayed lazily (value + step of its last update): on_post adds the
 * integral of a_j up to the spike and the jump; on_slice adds the rest of the slice,
 * turns the integral into the slice's log factor and resets it.  The result does not
 * depend on how the run is cut into slices, up to rounding.
 *
 * Why factors are accumulated before they touch the weights.  Weights are floats: a
 * per-slice factor closer to 1 than half a float ulp (6e-8; e.g. tau_scaling of an hour
 * and 1 ms slices) would round to no change at all, and applying every tiny factor also
 * adds one rounding per slice to each weight.  So each neuron sums its log factors in a
 * double and rescales its weights only once the sum leaves [-2^-14, 2^-14]: the weights
 * lag the exact solution by at most a relative 6e-5, each rescaling moves a weight by
 * >= 512 float ulps (its rounding is <= 0.1 % of the change), and the per-slice cost is
 * one pass over the post neurons plus, now and then, one pass over a neuron's inputs.
 *
 * Relative weights.  One neuron's inputs are all multiplied by the same double factor, so
 * their ratios change only by float rounding (2^-24 per rescaling), and by clipping.
 *
 * The sensor starts at target_rate: a neuron is presumed on target until its spikes say
 * otherwise (starting at 0 would read as silence and scale every input up during the
 * first tau_rate).  It follows activity also at gain 0 (it is the neuron's history).
 */
#include <math.h>
#include <rewire/plugin.h>
#include <stdlib.h>

enum { P_TARGET_RATE, P_TAU_RATE, P_TAU_SCALING, P_W_MIN, P_W_MAX, N_PARAMS };

#define POSITIVE (REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_MIN_EXCLUSIVE)

static const rewire_param_spec scaling_params[N_PARAMS] = {
    [P_TARGET_RATE] = {.name = "target_rate", .type = REWIRE_PARAM_REAL,
                       .dim = REWIRE_DIM_FREQUENCY, .flags = REWIRE_PARAM_REQUIRED | POSITIVE,
                       .min = 0.0,
                       .doc = "Firing rate each postsynaptic neuron is scaled toward (rho, "
                              "van Rossum et al. 2000's a_goal)."},
    [P_TAU_RATE] = {.name = "tau_rate", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_TIME,
                    .flags = POSITIVE, .def_real = 10000.0, .min = 0.0,
                    .doc = "Time constant of the rate sensor a (a jumps by 1/tau_rate per "
                           "spike); keep it well below tau_scaling, or the rate overshoots."},
    [P_TAU_SCALING] = {.name = "tau_scaling", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_TIME,
                       .flags = POSITIVE, .def_real = 1000000.0, .min = 0.0,
                       .doc = "Time constant of scaling: dw/dt = w (rho - a) / (rho tau_scaling); "
                              "a silent neuron's weights grow e-fold per tau_scaling."},
    [P_W_MIN] = {.name = "w_min", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_WEIGHT,
                 .def_real = 0.0,
                 .doc = "Lower weight bound (the rule is meant for excitatory inputs)."},
    [P_W_MAX] = {.name = "w_max", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_WEIGHT,
                 .def_real = INFINITY,
                 .doc = "Upper weight bound; none by default (scaling is bounded by the rate)."},
};

/* Rescale a neuron's inputs once its accumulated log factor leaves +-2^-14. */
#define APPLY_THRESHOLD (1.0 / 16384.0)

typedef struct scaling {
    const rewire_host *host;
    double rho;           /* Hz */
    double tau_rate;      /* ms */
    double tau_scaling;   /* ms */
    double jump;          /* Hz: 1000 / tau_rate, a's jump per spike */
    double w_min, w_max;

    uint32_t n_post;
    double *a;            /* [n_post] sensor (Hz) at step a_step[j] */
    int64_t *a_step;      /* [n_post] */
    double *integral;     /* [n_post] integral of a since the slice began, Hz ms */
    double *pending;      /* [n_post] log factor not yet applied to the weights */
} scaling;

static void free_state(scaling *st) {
    free(st->a);
    free(st->a_step);
    free(st->integral);
    free(st->pending);
    st->a = st->integral = st->pending = NULL;
    st->a_step = NULL;
}

static int scaling_create(const rewire_host *host, const rewire_param_value *params,
                          const rewire_projection_view *view, void **instance) {
    (void)view;
    const double w_min = params[P_W_MIN].real, w_max = params[P_W_MAX].real;
    if (!(w_min < w_max)) {
        host->set_error(host, "w_min (%g) must be below w_max (%g)", w_min, w_max);
        return REWIRE_EINVAL;
    }
    scaling *st = calloc(1, sizeof *st);
    if (!st) {
        host->set_error(host, "out of memory");
        return REWIRE_ENOMEM;
    }
    st->host = host;
    st->rho = params[P_TARGET_RATE].real;
    st->tau_rate = params[P_TAU_RATE].real;
    st->tau_scaling = params[P_TAU_SCALING].real;
    st->jump = 1000.0 / st->tau_rate;
    st->w_min = w_min;
    st->w_max = w_max;
    *instance = st;
    return REWIRE_OK;
}

static int scaling_start(void *instance, rewire_projection_view *view) {
    scaling *st = instance;
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
    st->n_post = view->n_post;
    const size_t n = view->n_post ? view->n_post : 1;
    st->a = malloc(n * sizeof *st->a);
    st->a_step = calloc(n, sizeof *st->a_step); /* the run starts at step 0 */
    st->integral = calloc(n, sizeof *st->integral);
    st->pending = calloc(n, sizeof *st->pending);
    if (!st->a || !st->a_step || !st->integral || !st->pending) {
        free_state(st);
        st->host->set_error(st->host, "out of memory for the rate sensors of %u neurons",
                            view->n_post);
        return REWIRE_ENOMEM;
    }
    for (uint32_t j = 0; j < view->n_post; j++) st->a[j] = st->rho;
    return REWIRE_OK;
}

/* Only the postsynaptic side matters. */
static void scaling_on_pre(void *instance, rewire_projection_view *view, int64_t step,
                           const uint32_t *pre, size_t n) {
    (void)instance, (void)view, (void)step, (void)pre, (void)n;
}

/* Bring neuron j's sensor to `step`, adding the integral of a over the elapsed time:
 * a decays as a e^{-t/tau}, whose integral is a tau (1 - e^{-t/tau}).  `em` is
 * expm1(-elapsed dt / tau) (expm1 keeps 1 - e^{-x} exact for the small x of a step). */
static inline void advance_sensor(scaling *st, uint32_t j, int64_t step, double em) {
    st->integral[j] -= st->a[j] * st->tau_rate * em;
    st->a[j] *= 1.0 + em;
    st->a_step[j] = step;
}

static void scaling_on_post(void *instance, rewire_projection_view *view, int64_t step,
                            const uint32_t *post, size_t n) {
    scaling *st = instance;
    if (view->n_post != st->n_post) return; /* a misused view; see on_slice */
    const double rate = view->dt / st->tau_rate;
    for (size_t k = 0; k < n; k++) {
        const uint32_t j = post[k];
        advance_sensor(st, j, step, expm1(-(double)(step - st->a_step[j]) * rate));
        st->a[j] += st->jump;
    }
}

static inline float clip(double w, double lo, double hi) {
    return (float)(w < lo ? lo : (w > hi ? hi : w));
}

/* Multiply every input of post neuron j by `factor`, walking the post index. */
static void rescale_inputs(const scaling *st, rewire_projection_view *v, uint32_t j,
                           double factor) {
    const uint32_t *col = v->col_synapses;
    float *w = v->weights;
    const double w_min = st->w_min, w_max = st->w_max;
    for (uint32_t k = v->col_offsets[j], end = v->col_offsets[j + 1]; k < end; k++) {
        const uint32_t s = col[k];
        w[s] = clip((double)w[s] * factor, w_min, w_max);
    }
}

static void scaling_on_slice(void *instance, rewire_projection_view *view, int64_t first_step,
                             int64_t end_step) {
    scaling *st = instance;
    const uint32_t n_post = st->n_post;
    /* The populations of a run do not change size; the guard keeps a misused view from
     * reading past the sensor arrays. */
    if (view->n_post != n_post || end_step <= first_step || !view->col_offsets) return;
    const double t_ms = (double)(end_step - first_step) * view->dt;
    const double rate = view->dt / st->tau_rate;
    /* Neurons that did not spike in this slice were last updated at its start: they all
     * share one decay. */
    const double em_slice = expm1(-(double)(end_step - first_step) * rate);
    const double gain = (double)view->plasticity_gain;
    const double scale = gain / (st->rho * st->tau_scaling); /* per Hz ms */
    const double budget = st->rho * t_ms;                    /* integral of a at target */
    for (uint32_t j = 0; j < n_post; j++) {
        const int64_t elapsed = end_step - st->a_step[j];
        advance_sensor(st, j, end_step,
                       st->a_step[j] == first_step ? em_slice : expm1(-(double)elapsed * rate));
        const double log_factor = scale * (budget - st->integral[j]);
        st->integral[j] = 0.0;
        if (log_factor == 0.0) continue;
        const double pending = st->pending[j] + log_factor;
        if (fabs(pending) < APPLY_THRESHOLD) {
            st->pending[j] = pending;
            continue;
        }
        rescale_inputs(st, view, j, exp(pending));
        st->pending[j] = 0.0;
    }
}

static void scaling_destroy(void *instance) {
    scaling *st = instance;
    if (!st) return;
    free_state(st);
    free(st);
}

static const rewire_learning_rule_v1 scaling_functions = {
    .struct_size = sizeof(rewire_learning_rule_v1),
    .flags = REWIRE_RULE_NEEDS_POST_INDEX | REWIRE_RULE_ON_SLICE,
    .n_syn_state = 0,
    .syn_state_names = NULL,
    .create = scaling_create,
    .start = scaling_start,
    .on_pre = scaling_on_pre,
    .on_post = scaling_on_post,
    .on_slice = scaling_on_slice,
    .stop = NULL,
    .destroy = scaling_destroy,
};

static const rewire_plugin_descriptor scaling_descriptor =
    REWIRE_DESCRIPTOR(REWIRE_KIND_LEARNING_RULE, "homeostatic_scaling", "1.0.0",
                      "Multiplicative synaptic scaling toward a target rate (Turrigiano 1998; "
                      "van Rossum, Bi & Turrigiano 2000)",
                      scaling_params, scaling_functions);

REWIRE_PLUGIN_ENTRY(&scaling_descriptor)
