/* stp: Tsodyks-Markram short-term plasticity (facilitation and depression).
 *
 * Each presynaptic neuron i keeps a utilisation u[i] and a fraction of available
 * resources x[i], shared by all its outgoing synapses, and the step of its last spike.
 * The model is the event-based (exact) form of Tsodyks, Pawelzik & Markram 1998 with the
 * facilitation of Markram, Wang & Tsodyks 1998, in the variant of NEST's
 * tsodyks2_synapse (Fuhrmann et al. 2002): between spikes u relaxes to 0 with tau_facil
 * and x recovers to 1 with tau_rec.  At a spike of i at time t, Δt after its previous
 * spike, with u, x the values just after that previous spike:
 *
 *   x <- 1 - (1 - x (1 - u)) exp(-Δt / tau_rec)       recovery of what the last spike left
 *   u <- U + u (1 - U) exp(-Δt / tau_facil)           facilitation (u <- U if tau_facil = 0)
 *   release = u x                                      this spike's efficacy
 *
 * and the spike is delivered with amplitude w u x.  Before the first spike u = U, x = 1,
 * so the first spike releases U (the equations above give the same with Δt = infinity).
 * The state kept per neuron is (u, x) just BEFORE the release of the last spike, so the
 * release of that spike, u x, is taken away at the next update: x (1 - u).
 *
 * Steady state for a regular train of period T (the fixed point of the recursion):
 *   u* = U / (1 - (1 - U) exp(-T / tau_facil)),
 *   x* = (1 - exp(-T / tau_rec)) / (1 - (1 - u*) exp(-T / tau_rec)),
 * efficacy u* x*, which tests/science/test_stp_steady_state.py checks end to end.
 *
 * The rule works through the kernel's release factors (REWIRE_RULE_PRE_RELEASE): on_pre
 * runs before the step's delivery (REWIRE_RULE_PRE_BEFORE_DELIVERY) and writes u x into
 * view->pre_release[i], which delivery multiplies into row i's weights.  Weights are
 * never changed, so the rule leaves plasticity_gain alone and composes with nothing (one
 * rule per projection).
 */
#include <math.h>
#include <rewire/plugin.h>
#include <stdlib.h>

enum { P_U, P_TAU_REC, P_TAU_FACIL, N_PARAMS };

static const rewire_param_spec stp_params[N_PARAMS] = {
    [P_U] = {.name = "U", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_NONE,
             .flags = REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_MIN_EXCLUSIVE | REWIRE_PARAM_HAS_MAX,
             .def_real = 0.5, .min = 0.0, .max = 1.0,
             .doc = "Utilisation increment (0 < U <= 1): the fraction of the available "
                    "resources the first spike releases, and the level u relaxes back to."},
    [P_TAU_REC] = {.name = "tau_rec", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_TIME,
                   .flags = REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_MIN_EXCLUSIVE,
                   .def_real = 800.0, .min = 0.0,
                   .doc = "Recovery time constant of the resources x (depression, D); "
                          "800 ms: cortical depressing synapse of Markram & Tsodyks."},
    [P_TAU_FACIL] = {.name = "tau_facil", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_TIME,
                     .flags = REWIRE_PARAM_HAS_MIN, .def_real = 0.0, .min = 0.0,
                     .doc = "Decay time constant of the utilisation u (facilitation, F); "
                            "0 = no facilitation (u = U at every spike)."},
};

typedef struct stp {
    const rewire_host *host;
    double U, tau_rec, tau_facil; /* ms */
    uint32_t n_pre;
    /* Per presynaptic neuron (structure of arrays): u and x just before the release of
     * its last spike, and that spike's step (INT64_MIN: no spike yet). */
    double *u, *x;
    int64_t *last_step;
} stp;

static void free_state(stp *st) {
    free(st->u);
    free(st->x);
    free(st->last_step);
    st->u = st->x = NULL;
    st->last_step = NULL;
}

static int stp_create(const rewire_host *host, const rewire_param_value *params,
                      const rewire_projection_view *view, void **instance) {
    (void)view;
    stp *st = calloc(1, sizeof *st);
    if (!st) {
        host->set_error(host, "out of memory");
        return REWIRE_ENOMEM;
    }
    st->host = host;
    st->U = params[P_U].real;
    st->tau_rec = params[P_TAU_REC].real;
    st->tau_facil = params[P_TAU_FACIL].real;
    *instance = st;
    return REWIRE_OK;
}

static int stp_start(void *instance, rewire_projection_view *view) {
    stp *st = instance;
    if (!REWIRE_HAS_FIELD(rewire_projection_view, view->struct_size, pre_release) ||
        !view->pre_release) {
        st->host->set_error(st->host, "the host gave no release factors (pre_release) although "
                                      "the rule asked for them with REWIRE_RULE_PRE_RELEASE "
                                      "(needs a rewire host with plugin ABI 1.1)");
        return REWIRE_EINVAL;
    }
    if (view->pre_rate) {
        st->host->set_error(st->host, "short-term plasticity acts on spikes; population '%s' "
                                      "is a rate population", view->pre_population);
        return REWIRE_EINVAL;
    }
    if (!(view->dt > 0)) {
        st->host->set_error(st->host, "the projection view has no time step (dt = %g)", view->dt);
        return REWIRE_EINVAL;
    }
    free_state(st);
    const size_t n = view->n_pre ? view->n_pre : 1;
    st->n_pre = view->n_pre;
    st->u = malloc(n * sizeof *st->u);
    st->x = malloc(n * sizeof *st->x);
    st->last_step = malloc(n * sizeof *st->last_step);
    if (!st->u || !st->x || !st->last_step) {
        free_state(st);
        st->host->set_error(st->host, "out of memory for the state of %u presynaptic neurons",
                            view->n_pre);
        return REWIRE_ENOMEM;
    }
    for (uint32_t i = 0; i < view->n_pre; i++) {
        st->u[i] = st->U;
        st->x[i] = 1.0;
        st->last_step[i] = INT64_MIN;
        view->pre_release[i] = (float)st->U; /* what a first spike releases */
    }
    return REWIRE_OK;
}

/* The spikes of pre[0..n) at `step`, before their delivery: advance each neuron's u and
 * x over the time since its last spike, and set the release of this spike. */
static void stp_on_pre(void *instance, rewire_projection_view *view, int64_t step,
                       const uint32_t *pre, size_t n) {
    stp *st = instance;
    float *release = view->pre_release;
    double *u = st->u, *x = st->x;
    int64_t *last = st->last_step;
    const double U = st->U, dt = view->dt;
    const double rec_rate = dt / st->tau_rec;
    const bool facil = st->tau_facil > 0;
    const double facil_rate = facil ? dt / st->tau_facil : 0.0;
    for (size_t k = 0; k < n; k++) {
        const uint32_t i = pre[k];
        if (last[i] != INT64_MIN) {
            const double elapsed = (double)(step - last[i]);
            const double left = x[i] * (1.0 - u[i]); /* after the last spike's release */
            x[i] = 1.0 - (1.0 - left) * exp(-elapsed * rec_rate);
            u[i] = facil ? U + u[i] * (1.0 - U) * exp(-elapsed * facil_rate) : U;
        }
        last[i] = step;
        release[i] = (float)(u[i] * x[i]);
    }
}

/* Short-term plasticity ignores postsynaptic spikes. */
static void stp_on_post(void *instance, rewire_projection_view *view, int64_t step,
                        const uint32_t *post, size_t n) {
    (void)instance, (void)view, (void)step, (void)post, (void)n;
}

static void stp_destroy(void *instance) {
    stp *st = instance;
    if (!st) return;
    free_state(st);
    free(st);
}

static const rewire_learning_rule_v1 stp_functions = {
    .struct_size = sizeof(rewire_learning_rule_v1),
    .flags = REWIRE_RULE_PRE_RELEASE | REWIRE_RULE_PRE_BEFORE_DELIVERY,
    .n_syn_state = 0,
    .syn_state_names = NULL,
    .create = stp_create,
    .start = stp_start,
    .on_pre = stp_on_pre,
    .on_post = stp_on_post,
    .on_slice = NULL,
    .stop = NULL,
    .destroy = stp_destroy,
};

static const rewire_plugin_descriptor stp_descriptor =
    REWIRE_DESCRIPTOR(REWIRE_KIND_LEARNING_RULE, "stp", "1.0.0",
                      "Tsodyks-Markram short-term facilitation and depression (release u x "
                      "per presynaptic spike; weights unchanged)",
                      stp_params, stp_functions);

REWIRE_PLUGIN_ENTRY(&stp_descriptor)
