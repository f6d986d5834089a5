/* deafferent: cut a projection, or part of it: the input keeps firing but no longer
 * reaches its targets.
 *
 * Model.  Amputation, dorsal rhizotomy or a retinal lesion removes the afferents of a
 * cortical representation while the rest of the brain carries on; the deprived cortex is
 * then invaded by its neighbours' inputs (Merzenich et al. 1984, J Comp Neurol 224:591;
 * Pons et al. 1991, Science 252:1857).  At apply() every synapse of each of
 * `projections` whose source is in `sources` and whose target is in `targets` (either
 * left out: all) is removed through host->remove_synapses.  The presynaptic neurons are
 * untouched and keep firing -- through their other projections, in recordings, to the
 * measures -- and spikes already in flight through the cut synapses are dropped.
 *
 * What it simplifies: the cut is instantaneous and complete (no degeneration over days,
 * no sprouting of the cut axons: structural plasticity rules may grow new synapses
 * afterwards); the deafferented neurons themselves are unharmed.
 */
#include <rewire/plugin.h>
#include <stdlib.h>
#include <string.h>

#include "injury_util.h"

enum { P_PROJECTIONS, P_SOURCES, P_TARGETS, N_PARAMS };

static const rewire_param_spec deafferent_params[N_PARAMS] = {
    [P_PROJECTIONS] = {.name = "projections", .type = REWIRE_PARAM_PROJECTIONS,
                       .flags = REWIRE_PARAM_REQUIRED,
                       .doc = "The projection (or list of projections) to cut."},
    [P_SOURCES] = {.name = "sources", .type = REWIRE_PARAM_SELECTION,
                   .doc = "Cut only the synapses from these neurons of the projections' "
                          "presynaptic population (default: from all)."},
    [P_TARGETS] = {.name = "targets", .type = REWIRE_PARAM_SELECTION,
                   .doc = "Cut only the synapses onto these neurons of the projections' "
                          "postsynaptic population (default: onto all)."},
};

typedef struct deafferent {
    const rewire_host *host;
    const rewire_name_list *projections;
    const rewire_selection *sources, *targets;
} deafferent;

/* `sel` (the parameter `what`) must lie in `population`, the `side` of projection `p`. */
static bool same_population(const rewire_host *h, const char *what,
                            const rewire_selection *sel, const char *side,
                            const rewire_projection_view *p, const char *population) {
    if (!sel || strcmp(sel->population, population) == 0) return true;
    h->set_error(h, "%s selects neurons of population '%s', but projection '%s' %s '%s': "
                    "%s must be neurons of each projection's %s population",
                 what, sel->population, p->name, side, population, what,
                 strcmp(side, "comes from") == 0 ? "presynaptic" : "postsynaptic");
    return false;
}

static int deafferent_create(const rewire_host *host, const rewire_param_value *params,
                             void **instance) {
    if (!injury_host_ok(host)) return REWIRE_ENOTSUP;
    const rewire_name_list *projections = params[P_PROJECTIONS].names;
    const rewire_selection *sources = params[P_SOURCES].selection;
    const rewire_selection *targets = params[P_TARGETS].selection;
    if (!projections || projections->n == 0) {
        host->set_error(host, "projections names no projection: say which to cut");
        return REWIRE_EINVAL;
    }
    for (uint32_t k = 0; k < projections->n; k++) {
        rewire_projection_view *p = NULL;
        int rc = injury_projection(host, projections->names[k], &p);
        if (rc != REWIRE_OK) return rc;
        if (!same_population(host, "sources", sources, "comes from", p, p->pre_population) ||
            !same_population(host, "targets", targets, "goes to", p, p->post_population))
            return REWIRE_EINVAL;
    }
    deafferent *st = calloc(1, sizeof *st);
    if (!st) {
        host->set_error(host, "out of memory");
        return REWIRE_ENOMEM;
    }
    *st = (deafferent){.host = host, .projections = projections, .sources = sources,
                       .targets = targets};
    *instance = st;
    return REWIRE_OK;
}

static int deafferent_apply(void *instance, int64_t step) {
    (void)step;
    const deafferent *st = instance;
    const rewire_host *h = st->host;
    for (uint32_t k = 0; k < st->projections->n; k++) {
        const char *name = st->projections->names[k];
        uint64_t removed = 0;
        int rc = h->remove_synapses(h, name, st->sources, st->targets, 1.0, &removed);
        if (rc != REWIRE_OK) return rc;
        h->log(h, REWIRE_LOG_INFO, "cut %llu synapses of projection '%s'",
               (unsigned long long)removed, name);
    }
    return REWIRE_OK;
}

static void deafferent_destroy(void *instance) { free(instance); }

static const rewire_injury_v1 deafferent_functions = {
    .struct_size = sizeof(rewire_injury_v1),
    .create = deafferent_create,
    .apply = deafferent_apply,
    .on_slice = NULL,
    .destroy = deafferent_destroy,
};

static const rewire_plugin_descriptor deafferent_descriptor =
    REWIRE_DESCRIPTOR(REWIRE_KIND_INJURY, "deafferent", "1.0.0",
                      "Cut a projection or part of it (amputation, retinal lesion): the "
                      "input keeps firing but no longer reaches its targets",
                      deafferent_params, deafferent_functions);

REWIRE_PLUGIN_ENTRY(&deafferent_descriptor)
