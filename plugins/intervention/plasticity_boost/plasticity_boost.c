/* plasticity_boost: exercise, BDNF, a plasticity-enhancing drug.  While a window is open,
 * the learning rules of the chosen projections change weights `gain` times as fast.
 *
 * Model.  Aerobic exercise raises BDNF and the capacity for LTP (Cotman & Berchtold
 * 2002; Ploughman et al. 2015), and drugs such as fluoxetine reopen plasticity in the
 * adult cortex (Maya Vetencourt et al. 2008); what they share at the level of a network
 * model is a multiplier on the learning rate.  The plugin multiplies its factor f(t)
 * into each projection's plasticity_gain (the multiplier every rule applies to its
 * weight changes) and takes it out again when the window closes:
 *
 *   f(t) = 1 + (gain - 1) * min(1, (t - t_begin) / ramp)     (f = gain when ramp = 0)
 *
 * The ramp models onset (a drug's absorption, BDNF building up over a session): the
 * factor rises linearly from 1 at the window's opening to `gain` after `ramp`, then
 * stays there.  There is no ramp down: the host calls nothing after the window closes,
 * so the factor is removed at once at its end (a washout is modelled by a longer window,
 * or a second boost with a lower gain).  gain < 1 slows learning (a sedative).
 *
 * Timing.  The factor changes between slices: it is set at the opening and again after
 * each slice, to its value at the step the next slice starts with, so within a slice the
 * rules see the value at the slice's start (a lag of at most one slice on the ramp).
 * Each value is computed from the absolute step, never accumulated, and composed with
 * other interventions' factors through gain_hold.h: alone, the plugin leaves every gain
 * exactly as it found it.
 *
 * Parameters: projections (one name or a list), gain (> 0, live: a control channel may
 * change it while a window is open), ramp (ms, 0 = immediate). */
#include <inttypes.h>
#include <rewire/plugin.h>
#include <stdlib.h>

#include "../gain_hold.h"

enum { P_PROJECTIONS, P_GAIN, P_RAMP, N_PARAMS };

static const rewire_param_spec boost_params[N_PARAMS] = {
    [P_PROJECTIONS] = {.name = "projections", .type = REWIRE_PARAM_PROJECTIONS,
                       .flags = REWIRE_PARAM_REQUIRED,
                       .doc = "The projections whose plasticity is boosted (a name or a list)."},
    [P_GAIN] = {.name = "gain", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_NONE,
                .flags = REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_MIN_EXCLUSIVE | REWIRE_PARAM_LIVE,
                .def_real = 2.0, .min = 0.0,
                .doc = "Factor on the projections' plasticity_gain once the ramp is done "
                       "(2: twice as fast learning, < 1 slows it)."},
    [P_RAMP] = {.name = "ramp", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_TIME,
                .flags = REWIRE_PARAM_HAS_MIN, .def_real = 0.0, .min = 0.0,
                .doc = "Time over which the factor rises linearly from 1 to gain after the "
                       "window opens (0: at once); it is removed at once at the window's end."},
};

typedef struct boost {
    const rewire_host *host;
    const rewire_name_list *projections; /* owned by the host, valid until destroy */
    double gain, ramp;                   /* ramp in ms */
    double dt;                           /* ms, of the first projection */
    rewire_projection_view **views;      /* [projections->n], re-read at every hook */
    gain_hold *holds;                    /* [projections->n] */
    bool open;
    int64_t begin_step, last_step;       /* the window's opening, the last update */
} boost;

static int boost_create(const rewire_host *host, const rewire_param_value *params,
                        void **instance) {
    const rewire_name_list *names = params[P_PROJECTIONS].names;
    if (!names || names->n == 0) {
        host->set_error(host, "projections: expected at least one projection name");
        return REWIRE_EINVAL;
    }
    if (!(params[P_GAIN].real > 0)) {
        host->set_error(host, "gain must be > 0 (got %g): it is a factor, divided out again",
                        params[P_GAIN].real);
        return REWIRE_EINVAL;
    }
    boost *b = calloc(1, sizeof *b);
    if (b) {
        b->views = calloc(names->n, sizeof *b->views);
        b->holds = calloc(names->n, sizeof *b->holds);
    }
    if (!b || !b->views || !b->holds) {
        if (b) free(b->views), free(b->holds);
        free(b);
        host->set_error(host, "out of memory");
        return REWIRE_ENOMEM;
    }
    b->host = host;
    b->projections = names;
    b->gain = params[P_GAIN].real;
    b->ramp = params[P_RAMP].real;
    *instance = b;
    return REWIRE_OK;
}

/* f at `step`: from the absolute step, so the value never depends on the slicing. */
static double boost_factor(const boost *b, int64_t step, double dt) {
    if (!(b->ramp > 0)) return b->gain;
    const double t = (double)(step - b->begin_step) * dt;
    const double x = t >= b->ramp ? 1.0 : (t > 0 ? t / b->ramp : 0.0);
    return 1.0 + (b->gain - 1.0) * x;
}

static int boost_apply(boost *b, int64_t step) {
    int rc = find_projections(b->host, b->projections, b->views);
    if (rc != REWIRE_OK) return rc;
    for (uint32_t k = 0; k < b->projections->n; k++) {
        rewire_projection_view *v = b->views[k];
        gain_hold_set(&b->holds[k], &v->plasticity_gain, boost_factor(b, step, v->dt));
    }
    b->last_step = step;
    b->dt = b->views[0]->dt;
    return REWIRE_OK;
}

static int boost_begin(void *instance, int64_t step) {
    boost *b = instance;
    if (b->open) {
        b->host->set_error(b->host, "a window opened at step %" PRId64 " while one was open",
                           step);
        return REWIRE_ESTATE;
    }
    b->begin_step = step;
    const int rc = boost_apply(b, step);
    if (rc != REWIRE_OK) return rc;
    b->open = true;
    b->host->log(b->host, REWIRE_LOG_INFO,
                 "step %" PRId64 ": plasticity of %u projection(s) x %g (ramp %g ms)", step,
                 b->projections->n, b->gain, b->ramp);
    return REWIRE_OK;
}

/* After a slice the next one starts at end_step: the ramp's value there. */
static int boost_on_slice(void *instance, int64_t first_step, int64_t end_step) {
    boost *b = instance;
    (void)first_step;
    if (!b->open || !(b->ramp > 0)) return REWIRE_OK;
    /* Once the ramp is done the factor stays at gain: nothing to update. */
    if ((double)(b->last_step - b->begin_step) * b->dt >= b->ramp) return REWIRE_OK;
    return boost_apply(b, end_step);
}

static int boost_end(void *instance, int64_t step) {
    boost *b = instance;
    if (!b->open) return REWIRE_OK;
    const int rc = find_projections(b->host, b->projections, b->views);
    if (rc != REWIRE_OK) return rc;
    /* In reverse, so a projection named twice unwinds in the order it was wound. */
    for (uint32_t k = b->projections->n; k-- > 0;)
        gain_hold_release(&b->holds[k], &b->views[k]->plasticity_gain);
    b->open = false;
    b->host->log(b->host, REWIRE_LOG_INFO, "step %" PRId64 ": plasticity boost removed", step);
    return REWIRE_OK;
}

static int boost_set_param(void *instance, uint32_t index, rewire_param_value value) {
    boost *b = instance;
    if (index != P_GAIN) return REWIRE_ENOTSUP;
    if (!(value.real > 0)) {
        b->host->set_error(b->host, "gain must be > 0 (got %g)", value.real);
        return REWIRE_EINVAL;
    }
    b->gain = value.real;
    return b->open ? boost_apply(b, b->last_step) : REWIRE_OK;
}

static void boost_destroy(void *instance) {
    boost *b = instance;
    if (!b) return;
    free(b->views);
    free(b->holds);
    free(b);
}

static const rewire_intervention_v1 boost_functions = {
    .struct_size = sizeof(rewire_intervention_v1),
    .create = boost_create,
    .begin = boost_begin,
    .on_slice = boost_on_slice,
    .end = boost_end,
    .set_param = boost_set_param,
    .destroy = boost_destroy,
};

static const rewire_plugin_descriptor boost_descriptor =
    REWIRE_DESCRIPTOR(REWIRE_KIND_INTERVENTION, "plasticity_boost", "1.0.0",
                      "Exercise, BDNF or a drug: the chosen projections' plasticity gain x gain "
                      "for the window, with an optional linear ramp-up",
                      boost_params, boost_functions);

REWIRE_PLUGIN_ENTRY(&boost_descriptor)
