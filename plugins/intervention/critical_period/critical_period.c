/* critical_period: plasticity as a function of developmental age, high once the period
 * opens and closing with a time constant.
 *
 * Model.  Sensory cortex is most plastic during a critical period early in life: in
 * kittens, closing one eye for days shifts ocular dominance toward the open eye, while
 * the same deprivation in an adult does little (Wiesel & Hubel 1963; Hubel & Wiesel
 * 1970).  The period opens when inhibition matures and closes as brakes on plasticity
 * (perineuronal nets, myelin-associated signals) accumulate (Hensch 2005).  Here this is
 * a factor on the learning rate of the chosen projections, a function of the age t
 * (simulated time since the run started, so the same whether the intervention is at the
 * top level or inside a phase):
 *
 *   f(t) = g_min                                              t < onset
 *   f(t) = g_min + (g_max - g_min) exp(-(t - onset) / tau)    t >= onset
 *
 * The factor is g_max when the period opens and decays toward the adult value g_min
 * with time constant tau (after 3 tau it is within 5 % of g_min).  Before onset the
 * period has not opened and plasticity is as after closure (g_min): the period is a
 * window of heightened plasticity, not a default.
 *
 * Use.  Meant to be active over the whole run: a top-level intervention with no window
 * or schedule.  With a window, f is applied only while it is open, still as a function
 * of the age.
 *
 * Timing.  f is multiplied into each projection's plasticity_gain when the window opens
 * and updated after every slice to its value at the step the next slice starts with
 * (rules see the value at the slice's start), each time from the absolute age, composed
 * with other interventions' factors through gain_hold.h: the gain at a given step is the
 * same however the run was cut into slices, and it is restored exactly when the window
 * closes. */
#include <inttypes.h>
#include <math.h>
#include <rewire/plugin.h>
#include <stdlib.h>

#include "../gain_hold.h"

enum { P_PROJECTIONS, P_ONSET, P_G_MAX, P_G_MIN, P_TAU, N_PARAMS };

#define POSITIVE (REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_MIN_EXCLUSIVE)

static const rewire_param_spec cp_params[N_PARAMS] = {
    [P_PROJECTIONS] = {.name = "projections", .type = REWIRE_PARAM_PROJECTIONS,
                       .flags = REWIRE_PARAM_REQUIRED,
                       .doc = "The projections whose plasticity follows the critical period "
                              "(a name or a list)."},
    [P_ONSET] = {.name = "onset", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_TIME,
                 .flags = REWIRE_PARAM_HAS_MIN, .def_real = 0.0, .min = 0.0,
                 .doc = "Age (simulated time from the run's start) at which the period opens; "
                        "before it the factor is g_min."},
    [P_G_MAX] = {.name = "g_max", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_NONE,
                 .flags = POSITIVE, .def_real = 5.0, .min = 0.0,
                 .doc = "Factor on the plasticity gain when the period opens."},
    [P_G_MIN] = {.name = "g_min", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_NONE,
                 .flags = POSITIVE, .def_real = 1.0, .min = 0.0,
                 .doc = "Factor after closure (the adult plasticity), > 0."},
    [P_TAU] = {.name = "tau", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_TIME,
               .flags = REWIRE_PARAM_REQUIRED | POSITIVE, .min = 0.0,
               .doc = "Closure time constant: f = g_min + (g_max - g_min) exp(-(age - onset) "
                      "/ tau)."},
};

typedef struct critical_period {
    const rewire_host *host;
    const rewire_name_list *projections; /* owned by the host, valid until destroy */
    double onset, g_max, g_min, tau;     /* ms, -, -, ms */
    rewire_projection_view **views;      /* [projections->n], re-read at every hook */
    gain_hold *holds;                    /* [projections->n] */
    bool open;
} critical_period;

static int cp_create(const rewire_host *host, const rewire_param_value *params,
                     void **instance) {
    const rewire_name_list *names = params[P_PROJECTIONS].names;
    if (!names || names->n == 0) {
        host->set_error(host, "projections: expected at least one projection name");
        return REWIRE_EINVAL;
    }
    if (!(params[P_G_MAX].real > 0) || !(params[P_G_MIN].real > 0) || !(params[P_TAU].real > 0)) {
        host->set_error(host, "g_max (%g), g_min (%g) and tau (%g ms) must be > 0",
                        params[P_G_MAX].real, params[P_G_MIN].real, params[P_TAU].real);
        return REWIRE_EINVAL;
    }
    critical_period *c = calloc(1, sizeof *c);
    if (c) {
        c->views = calloc(names->n, sizeof *c->views);
        c->holds = calloc(names->n, sizeof *c->holds);
    }
    if (!c || !c->views || !c->holds) {
        if (c) free(c->views), free(c->holds);
        free(c);
        host->set_error(host, "out of memory");
        return REWIRE_ENOMEM;
    }
    c->host = host;
    c->projections = names;
    c->onset = params[P_ONSET].real;
    c->g_max = params[P_G_MAX].real;
    c->g_min = params[P_G_MIN].real;
    c->tau = params[P_TAU].real;
    *instance = c;
    return REWIRE_OK;
}

/* f at age t (ms). */
static double cp_factor(const critical_period *c, double t) {
    if (t < c->onset) return c->g_min;
    return c->g_min + (c->g_max - c->g_min) * exp(-(t - c->onset) / c->tau);
}

/* Every projection's gain to f at the age of `step` (the run starts at step 0). */
static int cp_apply(critical_period *c, int64_t step) {
    int rc = find_projections(c->host, c->projections, c->views);
    if (rc != REWIRE_OK) return rc;
    for (uint32_t k = 0; k < c->projections->n; k++) {
        rewire_projection_view *v = c->views[k];
        gain_hold_set(&c->holds[k], &v->plasticity_gain, cp_factor(c, (double)step * v->dt));
    }
    return REWIRE_OK;
}

static int cp_begin(void *instance, int64_t step) {
    critical_period *c = instance;
    if (c->open) {
        c->host->set_error(c->host, "a window opened at step %" PRId64 " while one was open",
                           step);
        return REWIRE_ESTATE;
    }
    const int rc = cp_apply(c, step);
    if (rc != REWIRE_OK) return rc;
    c->open = true;
    c->host->log(c->host, REWIRE_LOG_INFO,
                 "step %" PRId64 ": critical period (onset %g ms, gain %g -> %g, tau %g ms)",
                 step, c->onset, c->g_max, c->g_min, c->tau);
    return REWIRE_OK;
}

static int cp_on_slice(void *instance, int64_t first_step, int64_t end_step) {
    critical_period *c = instance;
    (void)first_step;
    return c->open ? cp_apply(c, end_step) : REWIRE_OK;
}

static int cp_end(void *instance, int64_t step) {
    critical_period *c = instance;
    (void)step;
    if (!c->open) return REWIRE_OK;
    const int rc = find_projections(c->host, c->projections, c->views);
    if (rc != REWIRE_OK) return rc;
    for (uint32_t k = c->projections->n; k-- > 0;)
        gain_hold_release(&c->holds[k], &c->views[k]->plasticity_gain);
    c->open = false;
    return REWIRE_OK;
}

static void cp_destroy(void *instance) {
    critical_period *c = instance;
    if (!c) return;
    free(c->views);
    free(c->holds);
    free(c);
}

static const rewire_intervention_v1 cp_functions = {
    .struct_size = sizeof(rewire_intervention_v1),
    .create = cp_create,
    .begin = cp_begin,
    .on_slice = cp_on_slice,
    .end = cp_end,
    .set_param = NULL,
    .destroy = cp_destroy,
};

static const rewire_plugin_descriptor cp_descriptor =
    REWIRE_DESCRIPTOR(REWIRE_KIND_INTERVENTION, "critical_period", "1.0.0",
                      "Plasticity gain by developmental age: g_max at onset, closing toward "
                      "g_min with time constant tau (Hubel & Wiesel 1970; Hensch 2005)",
                      cp_params, cp_functions);

REWIRE_PLUGIN_ENTRY(&cp_descriptor)
