/* oja: Oja's (1982) normalised Hebbian rule, on firing rates.
 *
 * For synapse i -> j, with presynaptic rate x_i and postsynaptic rate y_j (Hz, read from
 * the view's pre_rate / post_rate):
 *
 *   dw_ij/dt = eta * y_j * (x_i - y_j * w_ij)
 *
 * The Hebbian term y x grows the weights along the inputs' correlations; the decay
 * -y^2 w keeps sum_i w_ij^2 at 1.  For a linear neuron y = w . x the weight vector
 * converges to the unit-norm leading eigenvector of the inputs' correlation matrix
 * E[x x^T] (the covariance when the inputs have zero mean): the first principal
 * component.  No bounds are needed; w_min / w_max exist for models that want them.
 * Time in the rule is in seconds (rates are in Hz), so eta is in Hz^-2 s^-1.
 *
 * Integration.  The host calls on_slice once per slice [first, end) with the rates at
 * the end of the slice; the rule takes one Euler step over the slice's duration
 * T = (end - first) * dt with those rates.  Slices must be short against the rule's time
 * constant 1 / (eta y^2): eta T y^2 << 1 (at 2 the decay term overshoots and the step is
 * unstable).  The host's slices are at most the shortest delay (about 1 ms).  The
 * weights then fluctuate around the eigenvector by an amount that scales with eta T
 * (tests/science/test_oja_pca.c states and checks it).
 *
 * Every weight change is scaled by the projection's plasticity_gain, then w is clipped to
 * [w_min, w_max].  Work per slice: one pass over the CSR rows.
 */
#include <math.h>
#include <rewire/plugin.h>
#include <rewire/rate_rules.h>
#include <stdlib.h>

enum { P_ETA, P_W_MIN, P_W_MAX, N_PARAMS };

static const rewire_param_spec oja_params[N_PARAMS] = {
    [P_ETA] = {.name = "eta", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_NONE,
               .flags = REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_MIN_EXCLUSIVE, .def_real = 1e-4,
               .min = 0.0,
               .doc = "Learning rate in Hz^-2 s^-1: dw/dt = eta y (x - y w) with rates in Hz "
                      "and time in seconds."},
    [P_W_MIN] = {.name = "w_min", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_WEIGHT,
                 .def_real = -INFINITY,
                 .doc = "Lower weight bound; none by default (the rule normalises itself)."},
    [P_W_MAX] = {.name = "w_max", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_WEIGHT,
                 .def_real = INFINITY,
                 .doc = "Upper weight bound; none by default (the rule normalises itself)."},
};

typedef struct oja {
    double eta;
    double w_min, w_max;
} oja;

static int oja_create(const rewire_host *host, const rewire_param_value *params,
                      const rewire_projection_view *view, void **instance) {
    const double w_min = params[P_W_MIN].real, w_max = params[P_W_MAX].real;
    if (!(w_min < w_max)) {
        host->set_error(host, "w_min (%g) must be below w_max (%g)", w_min, w_max);
        return REWIRE_EINVAL;
    }
    int rc = rewire_require_rates(host, view, "oja");
    if (rc != REWIRE_OK) return rc;
    oja *o = calloc(1, sizeof *o);
    if (!o) {
        host->set_error(host, "out of memory");
        return REWIRE_ENOMEM;
    }
    o->eta = params[P_ETA].real;
    o->w_min = w_min;
    o->w_max = w_max;
    *instance = o;
    return REWIRE_OK;
}

/* The rule keeps no state besides its parameters. */
static int oja_start(void *instance, rewire_projection_view *view) {
    (void)instance, (void)view;
    return REWIRE_OK;
}

/* Rate populations emit no spikes: the rule learns in on_slice only. */
static void oja_on_pre(void *instance, rewire_projection_view *view, int64_t step,
                       const uint32_t *pre, size_t n) {
    (void)instance, (void)view, (void)step, (void)pre, (void)n;
}

static void oja_on_post(void *instance, rewire_projection_view *view, int64_t step,
                        const uint32_t *post, size_t n) {
    (void)instance, (void)view, (void)step, (void)post, (void)n;
}

static inline float clip(double w, double lo, double hi) {
    return (float)(w < lo ? lo : (w > hi ? hi : w));
}

static void oja_on_slice(void *instance, rewire_projection_view *view, int64_t first_step,
                         int64_t end_step) {
    const oja *o = instance;
    const double *x = view->pre_rate, *y = view->post_rate;
    const double t_s = (double)(end_step - first_step) * view->dt * 1e-3;
    const double scale = o->eta * (double)view->plasticity_gain * t_s;
    if (!x || !y || scale == 0 || !(t_s > 0)) return;
    const uint32_t *rows = view->row_offsets, *targets = view->targets;
    float *w = view->weights;
    const double w_min = o->w_min, w_max = o->w_max;
    for (uint32_t i = 0; i < view->n_pre; i++) {
        const double xi = x[i];
        for (uint32_t s = rows[i], end = rows[i + 1]; s < end; s++) {
            const double yj = y[targets[s]], ws = w[s];
            w[s] = clip(ws + scale * yj * (xi - yj * ws), w_min, w_max);
        }
    }
}

static void oja_destroy(void *instance) { free(instance); }

static const rewire_learning_rule_v1 oja_functions = {
    .struct_size = sizeof(rewire_learning_rule_v1),
    .flags = REWIRE_RULE_ON_SLICE,
    .n_syn_state = 0,
    .syn_state_names = NULL,
    .create = oja_create,
    .start = oja_start,
    .on_pre = oja_on_pre,
    .on_post = oja_on_post,
    .on_slice = oja_on_slice,
    .stop = NULL,
    .destroy = oja_destroy,
};

static const rewire_plugin_descriptor oja_descriptor =
    REWIRE_DESCRIPTOR(REWIRE_KIND_LEARNING_RULE, "oja", "1.0.0",
                      "Oja's normalised Hebbian rate rule: w -> unit-norm first principal "
                      "component; needs rate populations",
                      oja_params, oja_functions);

REWIRE_PLUGIN_ENTRY(&oja_descriptor)
