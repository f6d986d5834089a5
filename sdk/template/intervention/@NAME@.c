/* @NAME@: a plasticity boost.  While a window of the intervention's schedule is open, the
 * plasticity_gain of one projection is `gain`: learning rules scale their weight changes
 * by it, so 0 freezes the weights and 2 doubles the learning rate (a drug, a critical
 * period reopened).  When the window closes, the gain found at its opening is restored.
 * `gain` is live: a control channel may change it while a window is open.
 *
 * rewire's core does not schedule interventions yet (an experiment cannot name one):
 * this plugin builds, loads (`rewire plugins`) and is tested through a fake host
 * (test/test_@NAME@.c). */
#include <inttypes.h>
#include <rewire/plugin.h>
#include <stdlib.h>

enum { P_PROJECTION, P_GAIN, N_PARAMS };

static const rewire_param_spec params[N_PARAMS] = {
    [P_PROJECTION] = {.name = "projection", .type = REWIRE_PARAM_STRING,
                      .flags = REWIRE_PARAM_REQUIRED,
                      .doc = "The projection whose plasticity is changed (its name under projections:)."},
    [P_GAIN] = {.name = "gain", .type = REWIRE_PARAM_REAL, .def_real = 2,
                .flags = REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_LIVE, .min = 0,
                .doc = "plasticity_gain while a window is open (1: no change, 0: weights frozen)."},
};

typedef struct boost {
    const rewire_host *host;
    const char *projection; /* owned by the host, valid until destroy */
    double gain;
    rewire_projection_view *view; /* non-NULL while a window is open */
    float gain_before;            /* the gain found when the window opened */
} boost;

static int boost_create(const rewire_host *host, const rewire_param_value *values,
                        void **instance) {
    boost *b = malloc(sizeof *b);
    if (!b) {
        host->set_error(host, "out of memory");
        return REWIRE_ENOMEM;
    }
    *b = (boost){.host = host, .projection = values[P_PROJECTION].string,
                 .gain = values[P_GAIN].real};
    *instance = b;
    return REWIRE_OK;
}

/* [loop] Between slices: learning rules, which read the gain on the kernel thread, are
 * not running. */
static int boost_begin(void *instance, int64_t step) {
    boost *b = instance;
    const rewire_host *h = b->host;
    rewire_projection_view *view = NULL;
    if (h->projection_find(h, b->projection, &view) != REWIRE_OK) {
        h->set_error(h, "no projection named '%s'", b->projection);
        return REWIRE_ENOENT;
    }
    b->view = view;
    b->gain_before = view->plasticity_gain;
    view->plasticity_gain = (float)b->gain;
    h->log(h, REWIRE_LOG_INFO, "step %" PRId64 ": plasticity of '%s' x %g", step, b->projection,
           b->gain);
    return REWIRE_OK;
}

static int boost_end(void *instance, int64_t step) {
    boost *b = instance;
    if (!b->view) {
        b->host->set_error(b->host, "window closed at step %" PRId64 " but was never opened", step);
        return REWIRE_ESTATE;
    }
    b->view->plasticity_gain = b->gain_before;
    b->view = NULL;
    return REWIRE_OK;
}

static int boost_set_param(void *instance, uint32_t index, rewire_param_value value) {
    boost *b = instance;
    if (index != P_GAIN) {
        b->host->set_error(b->host, "parameter #%u is not live", index);
        return REWIRE_EINVAL;
    }
    b->gain = value.real;
    if (b->view) b->view->plasticity_gain = (float)b->gain;
    return REWIRE_OK;
}

static void boost_destroy(void *instance) { free(instance); }

static const rewire_intervention_v1 functions = {
    .struct_size = sizeof functions,
    .create = boost_create,
    .begin = boost_begin,
    .on_slice = NULL,
    .end = boost_end,
    .set_param = boost_set_param,
    .destroy = boost_destroy,
};

static const rewire_plugin_descriptor descriptor = REWIRE_DESCRIPTOR(
    REWIRE_KIND_INTERVENTION, "@NAME@", "0.1.0",
    "Plasticity boost: sets a projection's plasticity_gain while a window is open", params,
    functions);

REWIRE_PLUGIN_ENTRY(&descriptor)
