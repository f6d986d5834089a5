/* bcm: the Bienenstock-Cooper-Munro rule with a sliding threshold, on firing rates.
 *
 * For synapse i -> j, with presynaptic rate x_i and postsynaptic rate y_j (Hz, read from
 * the view's pre_rate / post_rate), in the form of Intrator & Cooper (1992) and Dayan &
 * Abbott (2001, Theoretical Neuroscience, ch. 8.2):
 *
 *   dw_ij/dt              = eta * x_i * y_j * (y_j - theta_j)
 *   tau_theta dtheta_j/dt = y_j^2 / y0 - theta_j
 *
 * theta_j is an exponential running average of y_j^2 / y0 over the last tau_theta: above
 * it activity potentiates, below it depresses, and the threshold rising faster than the
 * response (y^2 against y) is what makes the rule stable and selective.  y0 only sets
 * the scale: a neuron firing steadily at y0 has theta = y0, and one that answers one of
 * K equally frequent patterns at rate y settles where y = theta = y^2 / (K y0), i.e. at
 * y = K * y0.  Time in the rule is in seconds (rates are in Hz), so eta is in
 * Hz^-3 s^-1.
 *
 * Integration.  The host calls on_slice once per slice [first, end) with the rates at
 * the end of the slice; the rule integrates over the slice's duration (end - first) * dt
 * holding those rates constant: an Euler step for w (with theta as it was before the
 * slice), then the exact solution for theta under constant y (so theta cannot overshoot
 * whatever the slice length).  This is accurate while slices are short against tau_theta
 * and the time over which w changes; the host's slices are at most the shortest delay
 * (about 1 ms), far below the seconds these rules work on.
 *
 * Every weight change is scaled by the projection's plasticity_gain, then w is clipped to
 * [w_min, w_max].  The threshold follows activity even at gain 0 (it is the neuron's
 * activity history, not a weight).
 *
 * Work per slice: one pass over the post neurons (their factor y (y - theta), scaled),
 * one pass over the CSR rows (w += x_i * factor_j), one pass to advance theta.
 */
#include <math.h>
#include <rewire/plugin.h>
#include <rewire/rate_rules.h>
#include <stdlib.h>

enum { P_ETA, P_TAU_THETA, P_Y0, P_THETA_INIT, P_W_MIN, P_W_MAX, N_PARAMS };

#define POSITIVE (REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_MIN_EXCLUSIVE)

static const rewire_param_spec bcm_params[N_PARAMS] = {
    [P_ETA] = {.name = "eta", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_NONE,
               .flags = POSITIVE, .def_real = 1e-5, .min = 0.0,
               .doc = "Learning rate in Hz^-3 s^-1: dw/dt = eta x y (y - theta) with rates in Hz "
                      "and time in seconds."},
    [P_TAU_THETA] = {.name = "tau_theta", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_TIME,
                     .flags = POSITIVE, .def_real = 1000.0, .min = 0.0,
                     .doc = "Time constant of the sliding threshold, the running average of "
                            "y^2 / y0; keep it shorter than the time the weights take to change."},
    [P_Y0] = {.name = "y0", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_FREQUENCY,
              .flags = POSITIVE, .def_real = 10.0, .min = 0.0,
              .doc = "Rate scale of the threshold (theta tracks y^2 / y0): a neuron selective "
                     "for one of K equally frequent patterns settles at K * y0."},
    [P_THETA_INIT] = {.name = "theta_init", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_FREQUENCY,
                      .flags = REWIRE_PARAM_HAS_MIN, .def_real = 0.0, .min = 0.0,
                      .doc = "Threshold of every postsynaptic neuron at the start (0: any "
                             "activity potentiates until theta has caught up)."},
    [P_W_MIN] = {.name = "w_min", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_WEIGHT,
                 .def_real = 0.0,
                 .doc = "Lower weight bound (excitatory synapses stay excitatory)."},
    [P_W_MAX] = {.name = "w_max", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_WEIGHT,
                 .def_real = INFINITY,
                 .doc = "Upper weight bound; none by default (the sliding threshold bounds "
                        "the response)."},
};

typedef struct bcm {
    const rewire_host *host;
    double eta, tau_theta_s, y0, theta_init;
    double w_min, w_max;
    uint32_t n_post;
    double *theta;  /* [n_post] Hz */
    double *factor; /* [n_post] scratch: eta * gain * T * y (y - theta), per slice */
} bcm;

static void free_state(bcm *b) {
    free(b->theta);
    free(b->factor);
    b->theta = b->factor = NULL;
}

static int bcm_create(const rewire_host *host, const rewire_param_value *params,
                      const rewire_projection_view *view, void **instance) {
    const double w_min = params[P_W_MIN].real, w_max = params[P_W_MAX].real;
    if (!(w_min < w_max)) {
        host->set_error(host, "w_min (%g) must be below w_max (%g)", w_min, w_max);
        return REWIRE_EINVAL;
    }
    int rc = rewire_require_rates(host, view, "bcm");
    if (rc != REWIRE_OK) return rc;
    bcm *b = calloc(1, sizeof *b);
    if (!b) {
        host->set_error(host, "out of memory");
        return REWIRE_ENOMEM;
    }
    b->host = host;
    b->eta = params[P_ETA].real;
    b->tau_theta_s = params[P_TAU_THETA].real * 1e-3;
    b->y0 = params[P_Y0].real;
    b->theta_init = params[P_THETA_INIT].real;
    b->w_min = w_min;
    b->w_max = w_max;
    *instance = b;
    return REWIRE_OK;
}

static int bcm_start(void *instance, rewire_projection_view *view) {
    bcm *b = instance;
    if (!(view->dt > 0)) {
        b->host->set_error(b->host, "the projection view has no time step (dt = %g)", view->dt);
        return REWIRE_EINVAL;
    }
    free_state(b);
    b->n_post = view->n_post;
    const size_t n = view->n_post ? view->n_post : 1;
    b->theta = malloc(n * sizeof *b->theta);
    b->factor = malloc(n * sizeof *b->factor);
    if (!b->theta || !b->factor) {
        free_state(b);
        b->host->set_error(b->host, "out of memory for the thresholds of %u neurons", view->n_post);
        return REWIRE_ENOMEM;
    }
    for (uint32_t j = 0; j < view->n_post; j++) b->theta[j] = b->theta_init;
    return REWIRE_OK;
}

/* Rate populations emit no spikes: the rule learns in on_slice only. */
static void bcm_on_pre(void *instance, rewire_projection_view *view, int64_t step,
                       const uint32_t *pre, size_t n) {
    (void)instance, (void)view, (void)step, (void)pre, (void)n;
}

static void bcm_on_post(void *instance, rewire_projection_view *view, int64_t step,
                        const uint32_t *post, size_t n) {
    (void)instance, (void)view, (void)step, (void)post, (void)n;
}

static inline float clip(double w, double lo, double hi) {
    return (float)(w < lo ? lo : (w > hi ? hi : w));
}

static void bcm_on_slice(void *instance, rewire_projection_view *view, int64_t first_step,
                         int64_t end_step) {
    bcm *b = instance;
    const double *x = view->pre_rate, *y = view->post_rate;
    const double t_s = (double)(end_step - first_step) * view->dt * 1e-3;
    /* The populations of a run do not change size; the guard keeps a misused view from
     * reading past the threshold array. */
    if (!x || !y || !(t_s > 0) || view->n_post != b->n_post) return;
    double *theta = b->theta, *factor = b->factor;
    const uint32_t n_post = b->n_post;

    const double scale = b->eta * (double)view->plasticity_gain * t_s;
    if (scale != 0) {
        for (uint32_t j = 0; j < n_post; j++) factor[j] = scale * y[j] * (y[j] - theta[j]);
        const uint32_t *rows = view->row_offsets, *targets = view->targets;
        float *w = view->weights;
        const double w_min = b->w_min, w_max = b->w_max;
        for (uint32_t i = 0; i < view->n_pre; i++) {
            const double xi = x[i];
            for (uint32_t s = rows[i], end = rows[i + 1]; s < end; s++)
                w[s] = clip((double)w[s] + xi * factor[targets[s]], w_min, w_max);
        }
    }

    /* theta -> y^2/y0 exponentially, exact for y constant over the slice. */
    const double keep = exp(-t_s / b->tau_theta_s), inv_y0 = 1.0 / b->y0;
    for (uint32_t j = 0; j < n_post; j++) {
        const double target = y[j] * y[j] * inv_y0;
        theta[j] = target + (theta[j] - target) * keep;
    }
}

static void bcm_destroy(void *instance) {
    bcm *b = instance;
    if (!b) return;
    free_state(b);
    free(b);
}

static const rewire_learning_rule_v1 bcm_functions = {
    .struct_size = sizeof(rewire_learning_rule_v1),
    .flags = REWIRE_RULE_ON_SLICE,
    .n_syn_state = 0,
    .syn_state_names = NULL,
    .create = bcm_create,
    .start = bcm_start,
    .on_pre = bcm_on_pre,
    .on_post = bcm_on_post,
    .on_slice = bcm_on_slice,
    .stop = NULL,
    .destroy = bcm_destroy,
};

static const rewire_plugin_descriptor bcm_descriptor =
    REWIRE_DESCRIPTOR(REWIRE_KIND_LEARNING_RULE, "bcm", "1.0.0",
                      "BCM rate rule with a sliding threshold (theta tracks y^2/y0): "
                      "selectivity; needs rate populations",
                      bcm_params, bcm_functions);

REWIRE_PLUGIN_ENTRY(&bcm_descriptor)
