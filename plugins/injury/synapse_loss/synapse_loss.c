/* synapse_loss: remove a random fraction of the synapses of chosen projections.
 *
 * Model.  Diffuse loss of synapses, as in ageing, neurodegeneration (synapse loss is
 * the best correlate of cognitive decline in Alzheimer's disease: Terry et al. 1991,
 * Ann Neurol 30:572) or traumatic injury.  At apply() each synapse of each of
 * `projections` (onto `targets` only, when given) is removed independently with
 * probability `fraction`, through host->remove_synapses: the draws come from this
 * injury's own counter-based random stream, so a run with the same seed loses the same
 * synapses.  About fraction * n synapses go (binomially distributed); spikes already in
 * flight through them are dropped.
 *
 * What it simplifies: the loss is instantaneous and independent of weight, activity or
 * position (no preferential loss of weak or inactive synapses); neurons survive.
 */
#include <rewire/plugin.h>
#include <stdlib.h>
#include <string.h>

#include "injury_util.h"

enum { P_PROJECTIONS, P_FRACTION, P_TARGETS, N_PARAMS };

static const rewire_param_spec synapse_loss_params[N_PARAMS] = {
    [P_PROJECTIONS] = {.name = "projections", .type = REWIRE_PARAM_PROJECTIONS,
                       .flags = REWIRE_PARAM_REQUIRED,
                       .doc = "The projection (or list of projections) that loses synapses."},
    [P_FRACTION] = {.name = "fraction", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_NONE,
                    .flags = REWIRE_PARAM_REQUIRED | REWIRE_PARAM_HAS_MIN |
                             REWIRE_PARAM_MIN_EXCLUSIVE | REWIRE_PARAM_HAS_MAX,
                    .min = 0.0, .max = 1.0,
                    .doc = "Probability with which each synapse is removed, in (0, 1] "
                           "(1: all of them)."},
    [P_TARGETS] = {.name = "targets", .type = REWIRE_PARAM_SELECTION,
                   .doc = "Only synapses onto these neurons of the projections' "
                          "postsynaptic population (default: onto all)."},
};

typedef struct synapse_loss {
    const rewire_host *host;
    const rewire_name_list *projections;
    double fraction;
    const rewire_selection *targets;
} synapse_loss;

static int synapse_loss_create(const rewire_host *host, const rewire_param_value *params,
                               void **instance) {
    if (!injury_host_ok(host)) return REWIRE_ENOTSUP;
    const rewire_name_list *projections = params[P_PROJECTIONS].names;
    const double fraction = params[P_FRACTION].real;
    const rewire_selection *targets = params[P_TARGETS].selection;
    if (!projections || projections->n == 0) {
        host->set_error(host, "projections names no projection: say which lose synapses");
        return REWIRE_EINVAL;
    }
    if (!(fraction > 0.0 && fraction <= 1.0)) {
        host->set_error(host, "fraction must be in (0, 1], not %g", fraction);
        return REWIRE_EINVAL;
    }
    for (uint32_t k = 0; k < projections->n; k++) {
        rewire_projection_view *p = NULL;
        int rc = injury_projection(host, projections->names[k], &p);
        if (rc != REWIRE_OK) return rc;
        if (targets && strcmp(targets->population, p->post_population) != 0) {
            host->set_error(host, "targets selects neurons of population '%s', but projection "
                                  "'%s' goes to '%s': targets must be neurons of each "
                                  "projection's postsynaptic population",
                            targets->population, p->name, p->post_population);
            return REWIRE_EINVAL;
        }
    }
    synapse_loss *st = calloc(1, sizeof *st);
    if (!st) {
        host->set_error(host, "out of memory");
        return REWIRE_ENOMEM;
    }
    *st = (synapse_loss){.host = host, .projections = projections, .fraction = fraction,
                         .targets = targets};
    *instance = st;
    return REWIRE_OK;
}

static int synapse_loss_apply(void *instance, int64_t step) {
    (void)step;
    const synapse_loss *st = instance;
    const rewire_host *h = st->host;
    for (uint32_t k = 0; k < st->projections->n; k++) {
        const char *name = st->projections->names[k];
        uint64_t removed = 0;
        int rc = h->remove_synapses(h, name, NULL, st->targets, st->fraction, &removed);
        if (rc != REWIRE_OK) return rc;
        h->log(h, REWIRE_LOG_INFO, "removed %llu synapses of projection '%s' (fraction %g)",
               (unsigned long long)removed, name, st->fraction);
    }
    return REWIRE_OK;
}

static void synapse_loss_destroy(void *instance) { free(instance); }

static const rewire_injury_v1 synapse_loss_functions = {
    .struct_size = sizeof(rewire_injury_v1),
    .create = synapse_loss_create,
    .apply = synapse_loss_apply,
    .on_slice = NULL,
    .destroy = synapse_loss_destroy,
};

static const rewire_plugin_descriptor synapse_loss_descriptor =
    REWIRE_DESCRIPTOR(REWIRE_KIND_INJURY, "synapse_loss", "1.0.0",
                      "Remove a random fraction of the synapses of chosen projections",
                      synapse_loss_params, synapse_loss_functions);

REWIRE_PLUGIN_ENTRY(&synapse_loss_descriptor)
