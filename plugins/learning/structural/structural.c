/* structural: activity-dependent formation and pruning of synapses toward a set point
 * (Butz & van Ooyen 2013, PLoS Comput Biol 9:e1003259).
 *
 * Each postsynaptic neuron j keeps a calcium trace Ca_j, a rate estimate, and a number
 * of dendritic elements z_j (possible synapses) that grows while the neuron is below
 * its set point and shrinks while above (the paper's linear growth rule):
 *
 *   dCa_j/dt = -Ca_j / tau_Ca + beta_Ca * sum_k delta(t - t_j^k)      (Ca_j in Hz:
 *              a spike adds beta_Ca / tau_Ca, so Ca_j ~ beta_Ca x rate)
 *   dz_j/dt  = nu * (1 - Ca_j / epsilon),        z_j >= 0
 *
 * Every update_interval the rule compares floor(z_j) with the synapses onto j in use:
 * if there are fewer, it forms new ones from presynaptic neurons drawn uniformly (one
 * more synapse per missing element, weight w_new, delay delay_new); if there are more,
 * it deletes synapses onto j drawn uniformly.  Only dendritic elements are modelled:
 * the presynaptic side (the paper's axonal boutons) is taken as never limiting, so a
 * partner is any presynaptic neuron whose row has room (`reserve` synapses per row).
 * A pair may be connected more than once, as elements pair at random in the paper.
 *
 * Randomness is the host's counter-based generator keyed by (j, counter_j): the same
 * synapses form and go in every run with the same seed, whatever the slice size.
 * Structural rules get on_slice after every step (learning_rule.h); the rule works
 * only when a multiple of update_interval is reached.
 *
 * Ca_j starts at epsilon (a neuron is presumed on target until its spikes say
 * otherwise) and z_j at its initial in-degree + 1/2 (balanced, away from a floor
 * boundary).  Between updates Ca_j is decayed lazily (value + step of its last update),
 * and z_j integrates the exact integral of Ca_j over the interval.
 * plasticity_gain multiplies nu (0 freezes the structure; the trace keeps following).
 *
 * Dead neurons (killed by an injury, ABI 1.2 `alive`) take no part: a dead target's
 * elements are set to 0 and it gets no new synapse, and a dead source is never drawn as
 * a partner (a draw that hits one counts as a failed try).  Otherwise a lesion's dead
 * core, silent for good, would keep growing elements and synapses from and onto it.
 */
#include <math.h>
#include <rewire/plugin.h>
#include <stdlib.h>
#include <string.h>

enum {
    P_TAU_CA,
    P_BETA_CA,
    P_EPSILON,
    P_NU,
    P_W_NEW,
    P_DELAY_NEW,
    P_UPDATE_INTERVAL,
    P_RESERVE,
    N_PARAMS
};

#define POSITIVE (REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_MIN_EXCLUSIVE)

static const rewire_param_spec structural_params[N_PARAMS] = {
    [P_TAU_CA] = {.name = "tau_Ca", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_TIME,
                  .flags = POSITIVE, .def_real = 1000.0, .min = 0.0,
                  .doc = "Decay time constant of the calcium trace Ca (a rate estimate)."},
    [P_BETA_CA] = {.name = "beta_Ca", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_NONE,
                   .flags = POSITIVE, .def_real = 1.0, .min = 0.0,
                   .doc = "Calcium per spike: Ca jumps by beta_Ca / tau_Ca, so at a steady "
                          "rate r, Ca = beta_Ca r (Hz)."},
    [P_EPSILON] = {.name = "epsilon", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_FREQUENCY,
                   .flags = REWIRE_PARAM_REQUIRED | POSITIVE, .min = 0.0,
                   .doc = "Set point: the calcium level (Hz equivalent) at which dendritic "
                          "elements neither grow nor shrink."},
    [P_NU] = {.name = "nu", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_FREQUENCY,
              .flags = REWIRE_PARAM_HAS_MIN, .def_real = 1.0, .min = 0.0,
              .doc = "Growth rate of dendritic elements: dz/dt = nu (1 - Ca/epsilon), "
                     "elements per second."},
    [P_W_NEW] = {.name = "w_new", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_WEIGHT,
                 .flags = REWIRE_PARAM_REQUIRED,
                 .doc = "Weight of a newly formed synapse."},
    [P_DELAY_NEW] = {.name = "delay_new", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_TIME,
                     .flags = POSITIVE, .def_real = 1.0, .min = 0.0,
                     .doc = "Delay of a newly formed synapse (rounded to steps; the host keeps "
                            "it within the delays the network was built with)."},
    [P_UPDATE_INTERVAL] = {.name = "update_interval", .type = REWIRE_PARAM_REAL,
                           .dim = REWIRE_DIM_TIME, .flags = POSITIVE, .def_real = 100.0,
                           .min = 0.0,
                           .doc = "Time between structural updates (formation and deletion)."},
    [P_RESERVE] = {.name = "reserve", .type = REWIRE_PARAM_INT, .dim = REWIRE_DIM_NONE,
                   .flags = REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_HAS_MAX, .def_int = 64,
                   .min = 0.0, .max = 1000000.0,
                   .doc = "Synapses of room per presynaptic row: the most a presynaptic "
                          "neuron can have (rows already longer keep their length)."},
};

/* Draws of partners for one missing element before giving up (rows may be full). */
#define MAX_TRIES 16

typedef struct structural {
    const rewire_host *host;
    double tau_ca, jump, epsilon, nu, w_new, delay_ms, interval_ms;
    uint32_t reserve;

    int64_t every;        /* steps between updates */
    uint16_t delay_steps;
    uint32_t n_post;
    double *ca;           /* [n_post] Hz, at step ca_step[j] */
    int64_t *ca_step;     /* [n_post] */
    double *ca_integral;  /* [n_post] integral of Ca since the last update, Hz ms */
    double *z;            /* [n_post] dendritic elements */
    uint64_t *draws;      /* [n_post] counter of j's random draws */
    uint32_t *in_use;     /* [n_post] synapses onto j at the last update */
    uint8_t *doomed;      /* [n_syn] scratch: synapses to delete in this update */
    uint32_t n_syn;
    const uint8_t *pre_alive;   /* [n_pre] 0 once dead; NULL if the host does not say */
    const uint8_t *post_alive;  /* [n_post] */
} structural;

static void free_state(structural *st) {
    free(st->ca);
    free(st->ca_step);
    free(st->ca_integral);
    free(st->z);
    free(st->draws);
    free(st->in_use);
    free(st->doomed);
    st->ca = st->ca_integral = st->z = NULL;
    st->ca_step = NULL;
    st->draws = NULL;
    st->in_use = NULL;
    st->doomed = NULL;
}

static int structural_create(const rewire_host *host, const rewire_param_value *params,
                             const rewire_projection_view *view, void **instance) {
    (void)view;
    structural *st = calloc(1, sizeof *st);
    if (!st) {
        host->set_error(host, "out of memory");
        return REWIRE_ENOMEM;
    }
    st->host = host;
    st->tau_ca = params[P_TAU_CA].real;
    st->jump = params[P_BETA_CA].real * 1000.0 / st->tau_ca;
    st->epsilon = params[P_EPSILON].real;
    st->nu = params[P_NU].real;
    st->w_new = params[P_W_NEW].real;
    st->delay_ms = params[P_DELAY_NEW].real;
    st->interval_ms = params[P_UPDATE_INTERVAL].real;
    st->reserve = (uint32_t)params[P_RESERVE].integer;
    *instance = st;
    return REWIRE_OK;
}

static uint32_t structural_row_reserve(void *instance) {
    return ((structural *)instance)->reserve;
}

/* The populations' `alive` flags (ABI 1.2), NULL when the host has none. */
static const uint8_t *alive_of(const rewire_host *host, const char *population, uint32_t n) {
    rewire_population_view pv;
    memset(&pv, 0, sizeof pv);
    pv.struct_size = sizeof pv;
    if (!population || !host->population_find ||
        host->population_find(host, population, &pv) != REWIRE_OK || pv.size != n ||
        !REWIRE_HAS_FIELD(rewire_population_view, pv.struct_size, alive))
        return NULL;
    return pv.alive;
}

static int structural_start(void *instance, rewire_projection_view *view) {
    structural *st = instance;
    if (!REWIRE_HAS_FIELD(rewire_projection_view, view->struct_size, structure_changed) ||
        !view->row_lengths || !view->edit_targets || !view->edit_delays || !view->col_offsets) {
        st->host->set_error(st->host, "this host does not support structural plasticity "
                                      "(no row_lengths / post index in the projection view)");
        return REWIRE_ENOTSUP;
    }
    if (!(view->dt > 0)) {
        st->host->set_error(st->host, "the projection view has no time step (dt = %g)", view->dt);
        return REWIRE_EINVAL;
    }
    free_state(st);
    st->every = (int64_t)llround(st->interval_ms / view->dt);
    if (st->every < 1) st->every = 1;
    double d = nearbyint(st->delay_ms / view->dt);
    st->delay_steps = (uint16_t)(d < 1 ? 1 : d > 65535 ? 65535 : d);
    st->n_post = view->n_post;
    st->n_syn = view->n_syn;
    st->pre_alive = alive_of(st->host, view->pre_population, view->n_pre);
    st->post_alive = alive_of(st->host, view->post_population, view->n_post);
    const size_t n = view->n_post ? view->n_post : 1;
    st->ca = malloc(n * sizeof *st->ca);
    st->ca_step = calloc(n, sizeof *st->ca_step);
    st->ca_integral = calloc(n, sizeof *st->ca_integral);
    st->z = malloc(n * sizeof *st->z);
    st->draws = calloc(n, sizeof *st->draws);
    st->in_use = malloc(n * sizeof *st->in_use);
    st->doomed = calloc(view->n_syn ? view->n_syn : 1, 1);
    if (!st->ca || !st->ca_step || !st->ca_integral || !st->z || !st->draws || !st->in_use ||
        !st->doomed) {
        free_state(st);
        st->host->set_error(st->host, "out of memory for the state of %u neurons", view->n_post);
        return REWIRE_ENOMEM;
    }
    for (uint32_t j = 0; j < view->n_post; j++) {
        st->ca[j] = st->epsilon;
        st->in_use[j] = view->col_offsets[j + 1] - view->col_offsets[j];
        st->z[j] = (double)st->in_use[j] + 0.5;
    }
    return REWIRE_OK;
}

/* Only the postsynaptic side matters. */
static void structural_on_pre(void *instance, rewire_projection_view *view, int64_t step,
                              const uint32_t *pre, size_t n) {
    (void)instance, (void)view, (void)step, (void)pre, (void)n;
}

/* Bring Ca_j to `step`, adding its integral over the elapsed time: Ca decays as
 * Ca e^{-t/tau}, whose integral is Ca tau (1 - e^{-t/tau}). */
static inline void advance_ca(structural *st, uint32_t j, int64_t step, double dt) {
    const double em = expm1(-(double)(step - st->ca_step[j]) * dt / st->tau_ca);
    st->ca_integral[j] -= st->ca[j] * st->tau_ca * em;
    st->ca[j] *= 1.0 + em;
    st->ca_step[j] = step;
}

static void structural_on_post(void *instance, rewire_projection_view *view, int64_t step,
                               const uint32_t *post, size_t n) {
    structural *st = instance;
    if (view->n_post != st->n_post) return; /* a misused view */
    for (size_t k = 0; k < n; k++) {
        advance_ca(st, post[k], step, view->dt);
        st->ca[post[k]] += st->jump;
    }
}

static inline double draw(structural *st, uint32_t j) {
    return st->host->random_uniform(st->host, j, st->draws[j]++);
}

/* Mark `excess` synapses onto j, drawn uniformly without replacement from its column. */
static void mark_deletions(structural *st, const rewire_projection_view *v, uint32_t j,
                           uint32_t excess) {
    const uint32_t first = v->col_offsets[j], have = v->col_offsets[j + 1] - first;
    /* Selection sampling (Knuth's algorithm S): one pass, each subset equally likely. */
    uint32_t need = excess;
    for (uint32_t k = 0; k < have && need; k++)
        if (draw(st, j) * (double)(have - k) < (double)need) {
            st->doomed[v->col_synapses[first + k]] = 1;
            need--;
        }
}

/* Remove every marked synapse, row by row, keeping rows compact: a hole takes the row's
 * last synapse (rewire/network.h).  The rule declares no syn_state, so nothing else
 * moves. */
static void delete_marked(structural *st, rewire_projection_view *v) {
    for (uint32_t i = 0; i < v->n_pre; i++) {
        const uint32_t a = v->row_offsets[i];
        uint32_t end = a + v->row_lengths[i];
        for (uint32_t s = a; s < end;) {
            if (!st->doomed[s]) {
                s++;
                continue;
            }
            st->doomed[s] = 0;
            end--;
            if (s != end) {
                v->edit_targets[s] = v->targets[end];
                v->weights[s] = v->weights[end];
                v->edit_delays[s] = v->delays[end];
                st->doomed[s] = st->doomed[end];
                st->doomed[end] = 0;
            }
        }
        v->row_lengths[i] = end - a;
    }
}

/* Form `missing` synapses onto j from uniformly drawn presynaptic neurons with room. */
static uint32_t form(structural *st, rewire_projection_view *v, uint32_t j, uint32_t missing) {
    uint32_t formed = 0;
    for (uint32_t m = 0; m < missing; m++)
        for (int t = 0; t < MAX_TRIES; t++) {
            uint32_t i = (uint32_t)(draw(st, j) * (double)v->n_pre);
            if (i >= v->n_pre) i = v->n_pre - 1;
            if (st->pre_alive && !st->pre_alive[i]) continue; /* a dead source */
            const uint32_t s = v->row_offsets[i] + v->row_lengths[i];
            if (s >= v->row_offsets[i + 1]) continue; /* full row */
            v->edit_targets[s] = j;
            v->weights[s] = (float)st->w_new;
            v->edit_delays[s] = st->delay_steps;
            v->row_lengths[i]++;
            formed++;
            break;
        }
    return formed;
}

static void structural_on_slice(void *instance, rewire_projection_view *view, int64_t first_step,
                                int64_t end_step) {
    (void)first_step;
    structural *st = instance;
    if (end_step % st->every || view->n_post != st->n_post || view->n_syn != st->n_syn ||
        !view->row_lengths || view->n_pre == 0)
        return;
    const double window_ms = (double)st->every * view->dt;
    const double rate = st->nu * (double)view->plasticity_gain * 1e-3; /* per ms */
    bool deleted = false, changed = false;
    /* z integrates exactly: its change is nu (window - integral of Ca / epsilon). */
    for (uint32_t j = 0; j < st->n_post; j++) {
        advance_ca(st, j, end_step, view->dt);
        st->z[j] += rate * (window_ms - st->ca_integral[j] / st->epsilon);
        if (st->z[j] < 0.0 || (st->post_alive && !st->post_alive[j])) st->z[j] = 0.0;
        st->ca_integral[j] = 0.0;
        const uint32_t have = view->col_offsets[j + 1] - view->col_offsets[j];
        const double want = floor(st->z[j]);
        if (want < (double)have) {
            mark_deletions(st, view, j, have - (uint32_t)want);
            deleted = true;
        }
    }
    if (deleted) delete_marked(st, view);
    changed = deleted;
    for (uint32_t j = 0; j < st->n_post; j++) {
        const uint32_t had = view->col_offsets[j + 1] - view->col_offsets[j];
        const double want = floor(st->z[j]);
        if (want > (double)had) {
            /* Elements beyond what can be placed stay free for the next update. */
            double cap = want - (double)had;
            uint32_t missing = cap > 1e6 ? 1000000u : (uint32_t)cap;
            changed |= form(st, view, j, missing) > 0;
        }
    }
    if (changed) view->structure_changed = 1;
}

static void structural_destroy(void *instance) {
    structural *st = instance;
    if (!st) return;
    free_state(st);
    free(st);
}

static const rewire_learning_rule_v1 structural_functions = {
    .struct_size = sizeof(rewire_learning_rule_v1),
    .flags = REWIRE_RULE_STRUCTURAL | REWIRE_RULE_ON_SLICE | REWIRE_RULE_NEEDS_POST_INDEX,
    .n_syn_state = 0,
    .syn_state_names = NULL,
    .create = structural_create,
    .start = structural_start,
    .on_pre = structural_on_pre,
    .on_post = structural_on_post,
    .on_slice = structural_on_slice,
    .stop = NULL,
    .destroy = structural_destroy,
    .row_reserve = structural_row_reserve,
};

static const rewire_plugin_descriptor structural_descriptor =
    REWIRE_DESCRIPTOR(REWIRE_KIND_LEARNING_RULE, "structural", "1.0.0",
                      "Activity-dependent synapse formation and pruning toward a calcium set "
                      "point (Butz & van Ooyen 2013)",
                      structural_params, structural_functions);

REWIRE_PLUGIN_ENTRY(&structural_descriptor)
