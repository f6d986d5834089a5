/* @NAME@: presynaptically gated Hebbian plasticity, the spiking form of the covariance rule
 * dw/dt = (v - theta) u (Sejnowski 1977; Dayan & Abbott 2001, eq. 8.5).  Post neuron j keeps
 * a trace x[j]: +1 per spike, decaying with tau.  A spike of pre neuron i changes each synapse
 * i->j by plasticity_gain * eta * w_max * (x[j] - theta), keeping w in [0, w_max]. */
#include <math.h>
#include <rewire/plugin.h>
#include <stdlib.h>

enum { TAU, ETA, THETA, W_MAX };
static const rewire_param_spec params[] = {
    {.name = "tau", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_TIME, .def_real = 20,
     .flags = REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_MIN_EXCLUSIVE, .doc = "Decay time of the trace."},
    {.name = "eta", .type = REWIRE_PARAM_REAL, .def_real = 0.01, .flags = REWIRE_PARAM_HAS_MIN,
     .doc = "Change per presynaptic spike and unit of (x - theta), as a fraction of w_max."},
    {.name = "theta", .type = REWIRE_PARAM_REAL, .def_real = 0.2, .flags = REWIRE_PARAM_HAS_MIN,
     .doc = "Trace level between depression and potentiation (x averages rate * tau)."},
    {.name = "w_max", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_WEIGHT, .min = 0,
     .flags = REWIRE_PARAM_REQUIRED | REWIRE_PARAM_HAS_MIN, .doc = "Upper bound of w (lower: 0)."},
};

typedef struct trace { double x; int64_t step; } trace; /* value at its last update, and when */
typedef struct rule {
    const rewire_host *host;
    double decay, eta, theta, w_max; /* decay = dt / tau */
    trace *post;                     /* [n_post] */
} rule;

/* The trace of postsynaptic neuron j at `step`, decayed lazily: only when it is read. */
static double trace_at(const rule *r, uint32_t j, int64_t step) {
    return r->post[j].x * exp(-r->decay * (double)(step - r->post[j].step));
}

static int create(const rewire_host *host, const rewire_param_value *p,
                  const rewire_projection_view *view, void **out) {
    rule *r = malloc(sizeof *r);
    if (!r) host->set_error(host, "out of memory");
    else *r = (rule){.host = host, .decay = view->dt / p[TAU].real, .eta = p[ETA].real,
                     .theta = p[THETA].real, .w_max = p[W_MAX].real};
    *out = r;
    return r ? REWIRE_OK : REWIRE_ENOMEM;
}

static int start(void *instance, rewire_projection_view *v) {
    rule *r = instance;
    r->post = calloc(v->n_post, sizeof *r->post);
    if (r->post) return REWIRE_OK;
    r->host->set_error(r->host, "out of memory for the traces of %u neurons", v->n_post);
    return REWIRE_ENOMEM;
}

static void on_pre(void *instance, rewire_projection_view *v, int64_t step, const uint32_t *pre,
                   size_t n) {
    rule *r = instance;
    const double scale = v->plasticity_gain * r->eta * r->w_max;
    for (size_t k = 0; k < n; k++)
        for (uint32_t s = v->row_offsets[pre[k]]; s < v->row_offsets[pre[k] + 1]; s++) {
            const double w = v->weights[s] + scale * (trace_at(r, v->targets[s], step) - r->theta);
            v->weights[s] = (float)fmin(fmax(w, 0), r->w_max);
        }
}

static void on_post(void *instance, rewire_projection_view *v, int64_t step, const uint32_t *post,
                    size_t n) {
    rule *r = instance;
    (void)v;
    for (size_t k = 0; k < n; k++) r->post[post[k]] = (trace){trace_at(r, post[k], step) + 1, step};
}

static void destroy(void *instance) {
    rule *r = instance;
    free(r->post);
    free(r);
}

static const rewire_learning_rule_v1 functions = {.struct_size = sizeof functions,
    .create = create, .start = start, .on_pre = on_pre, .on_post = on_post, .destroy = destroy};
static const rewire_plugin_descriptor descriptor = REWIRE_DESCRIPTOR(REWIRE_KIND_LEARNING_RULE,
    "@NAME@", "0.1.0", "Presynaptically gated Hebbian rule (covariance rule)", params, functions);
REWIRE_PLUGIN_ENTRY(&descriptor)
