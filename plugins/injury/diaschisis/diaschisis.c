/* diaschisis: populations connected to a lesioned region lose excitability for a while,
 * recovering with a time constant (depression at a distance).
 *
 * Model.  von Monakow (1914) named diaschisis the loss of function in intact brain
 * regions remote from a lesion but connected to it, which recovers over time; Carrera &
 * Tononi (2014, Brain 137:2408) review it as a change of activity in structurally intact
 * areas caused by the loss of their input from the damaged one.  Here each neuron j of
 * the chosen populations loses excitability in proportion to the share of its synaptic
 * input that came from the region:
 *
 *     lost_j = sum of |w| of synapses from the region onto j
 *              / sum of |w| of all synapses onto j (every projection into j's population)
 *     f_j(t) = 1 - depression * lost_j * exp(-(t - t0) / recovery)
 *
 * lost_j is computed at apply() from the projection views, with the weights as they are
 * then (rows of the region's neurons over each projection from the region's population).
 * f_j multiplies view.excitability and recovers after every slice (common/recovery.h:
 * factors compose multiplicatively with other injuries, constant within a slice).
 * A neuron that gets no input from the region is untouched; the region's own neurons
 * are never depressed by it (they are the lesion).
 *
 * Apply it BEFORE the lesion that kills the region (list it first among injuries at the
 * same time): a kill removes the region's synapses, and then there is nothing left to
 * measure.  apply() refuses a region whose neurons are already dead.
 *
 * What it simplifies: the loss is read from synaptic weight alone (inhibitory and
 * excitatory weights count alike, by magnitude); depression is a scaling of excitability,
 * not a change of transmitter or metabolism; one time constant for every neuron; no
 * second-order diaschisis (the depressed neurons do not depress their own targets).
 */
#include <math.h>
#include <rewire/plugin.h>
#include <stdlib.h>
#include <string.h>

#include "injury_util.h"
#include "recovery.h"

enum { P_REGION, P_DEPRESSION, P_RECOVERY, P_POPULATIONS, N_PARAMS };

static const rewire_param_spec diaschisis_params[N_PARAMS] = {
    [P_REGION] = {.name = "region", .type = REWIRE_PARAM_SELECTION,
                  .flags = REWIRE_PARAM_REQUIRED,
                  .doc = "The lesioned area whose lost output depresses its targets."},
    [P_DEPRESSION] = {.name = "depression", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_NONE,
                      .flags = REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_HAS_MAX, .def_real = 0.5,
                      .min = 0.0, .max = 1.0,
                      .doc = "Loss of excitability of a neuron all of whose input came from "
                             "the region; others lose it in proportion to their share."},
    [P_RECOVERY] = {.name = "recovery", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_TIME,
                    .flags = REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_MIN_EXCLUSIVE,
                    .def_real = 10000.0, .min = 0.0,
                    .doc = "Time constant of the recovery of excitability toward 1."},
    [P_POPULATIONS] = {.name = "populations", .type = REWIRE_PARAM_POPULATIONS,
                       .doc = "The populations depressed (default: every population other "
                              "than the region's own that receives a projection from it)."},
};

typedef struct diaschisis {
    const rewire_host *host;
    const rewire_selection *region;
    double depression, tau, dt;
    uint32_t n_targets;
    char **targets;            /* [n_targets] population names */
    injury_recovery *factors;  /* [n_targets], filled at apply */
} diaschisis;

static void diaschisis_destroy(void *instance) {
    diaschisis *st = instance;
    if (!st) return;
    for (uint32_t k = 0; k < st->n_targets; k++) {
        free(st->targets[k]);
        if (st->factors) injury_recovery_free(&st->factors[k]);
    }
    free(st->targets);
    free(st->factors);
    free(st);
}

/* Does a projection lead from population `pre` to population `post`? */
static bool has_projection(const rewire_host *h, const char *pre, const char *post) {
    rewire_projection_view *v = NULL;
    for (uint32_t k = 0; h->projection_at(h, k, &v) == REWIRE_OK; k++)
        if (v && strcmp(v->pre_population, pre) == 0 && strcmp(v->post_population, post) == 0)
            return true;
    return false;
}

static int add_target(diaschisis *st, const char *name) {
    for (uint32_t k = 0; k < st->n_targets; k++)
        if (strcmp(st->targets[k], name) == 0) return REWIRE_OK; /* listed twice */
    char **grown = realloc(st->targets, (st->n_targets + 1) * sizeof *grown);
    if (!grown) return REWIRE_ENOMEM;
    st->targets = grown;
    if (!(st->targets[st->n_targets] = strdup(name))) return REWIRE_ENOMEM;
    st->n_targets++;
    return REWIRE_OK;
}

/* The populations to depress: the ones given, each checked, or the default. */
static int choose_targets(diaschisis *st, const rewire_name_list *given) {
    const rewire_host *h = st->host;
    const char *source = st->region->population;
    if (given && given->n > 0) {
        for (uint32_t k = 0; k < given->n; k++) {
            const char *name = given->names[k];
            rewire_population_view v;
            if (h->population_find(h, name, &v) != REWIRE_OK) {
                h->set_error(h, "populations: no population named '%s'", name);
                return REWIRE_ENOENT;
            }
            if (!v.excitability) {
                h->set_error(h, "populations: '%s' (model %s) has no excitability to depress",
                             name, v.model ? v.model : "?");
                return REWIRE_EINVAL;
            }
            if (!has_projection(h, source, name)) {
                h->set_error(h, "populations: '%s' receives no projection from '%s' (the "
                                "region's population), so losing the region costs it nothing",
                             name, source);
                return REWIRE_EINVAL;
            }
            if (add_target(st, name) != REWIRE_OK) return REWIRE_ENOMEM;
        }
        return REWIRE_OK;
    }
    rewire_projection_view *p = NULL;
    for (uint32_t k = 0; h->projection_at(h, k, &p) == REWIRE_OK; k++) {
        if (!p || strcmp(p->pre_population, source) != 0 ||
            strcmp(p->post_population, source) == 0)
            continue;
        rewire_population_view v;
        if (h->population_find(h, p->post_population, &v) != REWIRE_OK || !v.excitability)
            continue; /* nothing to depress there */
        if (add_target(st, p->post_population) != REWIRE_OK) return REWIRE_ENOMEM;
    }
    if (st->n_targets == 0) {
        h->set_error(h, "no other population receives a projection from '%s' (the region's "
                        "population): nothing to depress at a distance; name them in "
                        "populations",
                     source);
        return REWIRE_EINVAL;
    }
    return REWIRE_OK;
}

static int diaschisis_create(const rewire_host *host, const rewire_param_value *params,
                             void **instance) {
    if (!injury_host_ok(host)) return REWIRE_ENOTSUP;
    const rewire_selection *region = params[P_REGION].selection;
    if (!region || region->n == 0) {
        host->set_error(host, "region selects no neuron");
        return REWIRE_EINVAL;
    }
    diaschisis *st = calloc(1, sizeof *st);
    if (!st) {
        host->set_error(host, "out of memory");
        return REWIRE_ENOMEM;
    }
    st->host = host;
    st->region = region;
    st->depression = params[P_DEPRESSION].real;
    st->tau = params[P_RECOVERY].real;
    int rc = choose_targets(st, params[P_POPULATIONS].names);
    if (rc == REWIRE_ENOMEM) host->set_error(host, "out of memory");
    if (rc == REWIRE_OK) {
        st->dt = injury_time_step(host, "the recovery from diaschisis");
        if (!(st->dt > 0)) rc = REWIRE_EINVAL;
    }
    if (rc == REWIRE_OK && !(st->factors = calloc(st->n_targets, sizeof *st->factors))) {
        host->set_error(host, "out of memory");
        rc = REWIRE_ENOMEM;
    }
    if (rc != REWIRE_OK) {
        diaschisis_destroy(st);
        return rc;
    }
    *instance = st;
    return REWIRE_OK;
}

/* Sum |w| over the synapses of rows [rows] (all rows when rows is NULL) into acc. */
static void add_rows(const rewire_projection_view *v, const uint32_t *rows, uint32_t n_rows,
                     double *acc) {
    const uint32_t n = rows ? n_rows : v->n_pre;
    for (uint32_t r = 0; r < n; r++) {
        const uint32_t i = rows ? rows[r] : r;
        if (i >= v->n_pre) break; /* rows are increasing */
        for (uint32_t s = v->row_offsets[i], end = injury_row_end(v, i); s < end; s++)
            acc[v->targets[s]] += fabs((double)v->weights[s]);
    }
}

/* lost_j for every neuron of population `name`, then its factors. */
static int depress(diaschisis *st, uint32_t k, int64_t step) {
    const rewire_host *h = st->host;
    const char *name = st->targets[k];
    const char *source = st->region->population;
    rewire_population_view pop;
    if (h->population_find(h, name, &pop) != REWIRE_OK) {
        h->set_error(h, "no population named '%s'", name);
        return REWIRE_ENOENT;
    }
    double *total = calloc(pop.size ? pop.size : 1, sizeof *total);
    double *lost = calloc(pop.size ? pop.size : 1, sizeof *lost);
    if (!total || !lost) {
        free(total);
        free(lost);
        h->set_error(h, "out of memory");
        return REWIRE_ENOMEM;
    }
    rewire_projection_view *v = NULL;
    for (uint32_t p = 0; h->projection_at(h, p, &v) == REWIRE_OK; p++) {
        if (!v || strcmp(v->post_population, name) != 0 || v->n_post != pop.size) continue;
        add_rows(v, NULL, 0, total);
        if (strcmp(v->pre_population, source) == 0)
            add_rows(v, st->region->index, st->region->n, lost);
    }
    const bool own = strcmp(name, source) == 0;
    uint32_t n = 0;
    for (uint32_t j = 0; j < pop.size; j++)
        if (lost[j] > 0 && total[j] > 0 && !(own && injury_selection_has(st->region, j))) n++;
    int rc = injury_recovery_init(&st->factors[k], h, name, n);
    if (rc == REWIRE_OK) {
        double sum = 0;
        n = 0;
        for (uint32_t j = 0; j < pop.size; j++) {
            if (!(lost[j] > 0 && total[j] > 0 && !(own && injury_selection_has(st->region, j))))
                continue;
            st->factors[k].index[n] = j;
            st->factors[k].deficit[n] = st->depression * lost[j] / total[j];
            sum += lost[j] / total[j];
            n++;
        }
        h->log(h, REWIRE_LOG_INFO, "%u neurons of '%s' depressed (mean lost input %.3g)", n,
               name, n ? sum / n : 0.0);
        rc = injury_recovery_apply(&st->factors[k], h, step);
    }
    free(total);
    free(lost);
    return rc;
}

static int diaschisis_apply(void *instance, int64_t step) {
    diaschisis *st = instance;
    const rewire_host *h = st->host;
    rewire_population_view src;
    if (h->population_find(h, st->region->population, &src) != REWIRE_OK) {
        h->set_error(h, "no population named '%s'", st->region->population);
        return REWIRE_ENOENT;
    }
    if (REWIRE_HAS_FIELD(rewire_population_view, src.struct_size, alive) && src.alive) {
        uint32_t dead = 0;
        for (uint32_t r = 0; r < st->region->n; r++)
            if (st->region->index[r] < src.size && !src.alive[st->region->index[r]]) dead++;
        if (dead) {
            h->set_error(h, "%u of the region's %u neurons are already dead, and their "
                            "synapses gone: the input they gave cannot be measured; list "
                            "diaschisis before the lesion (injuries at the same time apply "
                            "in the order listed)",
                         dead, st->region->n);
            return REWIRE_EINVAL;
        }
    }
    for (uint32_t k = 0; k < st->n_targets; k++) {
        int rc = depress(st, k, step);
        if (rc != REWIRE_OK) return rc;
    }
    return REWIRE_OK;
}

static int diaschisis_on_slice(void *instance, int64_t first_step, int64_t end_step) {
    (void)first_step;
    diaschisis *st = instance;
    for (uint32_t k = 0; k < st->n_targets; k++) {
        int rc = injury_recovery_update(&st->factors[k], st->host, end_step, st->dt, st->tau);
        if (rc != REWIRE_OK) return rc;
    }
    return REWIRE_OK;
}

static const rewire_injury_v1 diaschisis_functions = {
    .struct_size = sizeof(rewire_injury_v1),
    .create = diaschisis_create,
    .apply = diaschisis_apply,
    .on_slice = diaschisis_on_slice,
    .destroy = diaschisis_destroy,
};

static const rewire_plugin_descriptor diaschisis_descriptor =
    REWIRE_DESCRIPTOR(REWIRE_KIND_INJURY, "diaschisis", "1.0.0",
                      "Populations connected to a lesioned region lose excitability in "
                      "proportion to their lost input, and recover (von Monakow; Carrera & "
                      "Tononi 2014)",
                      diaschisis_params, diaschisis_functions);

REWIRE_PLUGIN_ENTRY(&diaschisis_descriptor)
