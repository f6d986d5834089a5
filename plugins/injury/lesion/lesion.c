/* lesion: the neurons of a region die; an optional penumbra around it loses part of its
 * excitability and recovers.
 *
 * Model.  A focal ischaemic stroke has an infarct core where neurons die within minutes
 * and a surrounding penumbra, hypoperfused tissue that is electrically depressed but
 * viable and recovers over days when reperfused (Astrup, Siesjo & Symon 1981, Stroke
 * 12:723).  At apply():
 *  - `region` dies through host->kill_neurons: its neurons never spike again, their
 *    excitability becomes 0 and every synapse from or onto them, in every projection,
 *    is removed (spikes already in flight through those synapses are dropped);
 *  - the neurons of `penumbra` that are not in `region` get their excitability
 *    multiplied by f(t0) = penumbra_excitability, which recovers toward 1 as
 *        f(t) = 1 - (1 - penumbra_excitability) exp(-(t - t0) / recovery)
 *    after every slice (common/recovery.h: factors compose multiplicatively with
 *    whatever else scales excitability, and are constant within a slice).
 *
 * What it simplifies: death is instantaneous (no spreading depolarisation, no delayed
 * apoptosis); the penumbra is one number and one time constant for all its neurons
 * (no graded perfusion with distance, no penumbral neurons dying later); excitability
 * scales synaptic input and bias current together.
 */
#include <math.h>
#include <rewire/plugin.h>
#include <stdlib.h>
#include <string.h>

#include "injury_util.h"
#include "recovery.h"

enum { P_REGION, P_PENUMBRA, P_PENUMBRA_EXCITABILITY, P_RECOVERY, N_PARAMS };

static const rewire_param_spec lesion_params[N_PARAMS] = {
    [P_REGION] = {.name = "region", .type = REWIRE_PARAM_SELECTION,
                  .flags = REWIRE_PARAM_REQUIRED,
                  .doc = "The neurons that die (a region name, a population, or an inline "
                         "selection): the infarct core."},
    [P_PENUMBRA] = {.name = "penumbra", .type = REWIRE_PARAM_SELECTION,
                    .doc = "Neurons around the core, in the region's population, that lose "
                           "excitability and recover (those also in region just die). "
                           "None by default."},
    [P_PENUMBRA_EXCITABILITY] = {.name = "penumbra_excitability", .type = REWIRE_PARAM_REAL,
                                 .dim = REWIRE_DIM_NONE,
                                 .flags = REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_HAS_MAX,
                                 .def_real = 0.5, .min = 0.0, .max = 1.0,
                                 .doc = "Factor on the penumbra's excitability right after "
                                        "the lesion (0: silenced, 1: untouched)."},
    [P_RECOVERY] = {.name = "recovery", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_TIME,
                    .flags = REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_MIN_EXCLUSIVE,
                    .def_real = 10000.0, .min = 0.0,
                    .doc = "Time constant with which the penumbra's excitability returns "
                           "to 1: 1 - (1 - penumbra_excitability) exp(-t / recovery)."},
};

typedef struct lesion {
    const rewire_host *host;
    const rewire_selection *region;
    double tau, dt;
    injury_recovery penumbra; /* penumbra minus region; n == 0 without a penumbra */
} lesion;

static void lesion_destroy(void *instance) {
    lesion *st = instance;
    if (!st) return;
    injury_recovery_free(&st->penumbra);
    free(st);
}

/* The penumbra's neurons that are not in the region (both lists increasing). */
static int build_penumbra(lesion *st, const rewire_selection *pen, double excitability) {
    const rewire_host *h = st->host;
    const rewire_selection *core = st->region;
    if (strcmp(pen->population, core->population) != 0) {
        h->set_error(h, "penumbra selects neurons of population '%s' but region is in '%s': "
                        "the penumbra surrounds the region, in the same population",
                     pen->population, core->population);
        return REWIRE_EINVAL;
    }
    uint32_t n = 0;
    for (uint32_t k = 0, c = 0; k < pen->n; k++) {
        while (c < core->n && core->index[c] < pen->index[k]) c++;
        if (!(c < core->n && core->index[c] == pen->index[k])) n++;
    }
    if (n == 0) {
        h->set_error(h, "penumbra selects no neuron outside region (all %u of its neurons "
                        "are in the region, which dies): widen it or leave it out",
                     pen->n);
        return REWIRE_EINVAL;
    }
    rewire_population_view v;
    if (h->population_find(h, pen->population, &v) != REWIRE_OK) {
        h->set_error(h, "no population named '%s'", pen->population);
        return REWIRE_ENOENT;
    }
    if (!v.excitability) {
        h->set_error(h, "penumbra: population '%s' (model %s) has no excitability to "
                        "depress; a penumbra needs a population of neurons",
                     pen->population, v.model ? v.model : "?");
        return REWIRE_EINVAL;
    }
    int rc = injury_recovery_init(&st->penumbra, h, pen->population, n);
    if (rc != REWIRE_OK) return rc;
    n = 0;
    for (uint32_t k = 0, c = 0; k < pen->n; k++) {
        while (c < core->n && core->index[c] < pen->index[k]) c++;
        if (c < core->n && core->index[c] == pen->index[k]) continue;
        st->penumbra.index[n] = pen->index[k];
        st->penumbra.deficit[n] = 1.0 - excitability;
        n++;
    }
    return REWIRE_OK;
}

static int lesion_create(const rewire_host *host, const rewire_param_value *params,
                         void **instance) {
    if (!injury_host_ok(host)) return REWIRE_ENOTSUP;
    const rewire_selection *region = params[P_REGION].selection;
    if (!region || region->n == 0) {
        host->set_error(host, "region selects no neuron: a lesion needs at least one");
        return REWIRE_EINVAL;
    }
    lesion *st = calloc(1, sizeof *st);
    if (!st) {
        host->set_error(host, "out of memory");
        return REWIRE_ENOMEM;
    }
    st->host = host;
    st->region = region;
    st->tau = params[P_RECOVERY].real;
    const rewire_selection *pen = params[P_PENUMBRA].selection;
    if (pen) {
        int rc = build_penumbra(st, pen, params[P_PENUMBRA_EXCITABILITY].real);
        if (rc == REWIRE_OK) {
            st->dt = injury_time_step(host, "the penumbra's recovery");
            if (!(st->dt > 0)) rc = REWIRE_EINVAL;
        }
        if (rc != REWIRE_OK) {
            lesion_destroy(st);
            return rc;
        }
    }
    *instance = st;
    return REWIRE_OK;
}

static int lesion_apply(void *instance, int64_t step) {
    lesion *st = instance;
    int rc = st->host->kill_neurons(st->host, st->region);
    if (rc != REWIRE_OK) return rc;
    st->host->log(st->host, REWIRE_LOG_INFO, "%u neurons of '%s' died%s", st->region->n,
                  st->region->population, st->penumbra.n ? ", with a penumbra" : "");
    return injury_recovery_apply(&st->penumbra, st->host, step);
}

static int lesion_on_slice(void *instance, int64_t first_step, int64_t end_step) {
    (void)first_step;
    lesion *st = instance;
    return injury_recovery_update(&st->penumbra, st->host, end_step, st->dt, st->tau);
}

static const rewire_injury_v1 lesion_functions = {
    .struct_size = sizeof(rewire_injury_v1),
    .create = lesion_create,
    .apply = lesion_apply,
    .on_slice = lesion_on_slice,
    .destroy = lesion_destroy,
};

static const rewire_plugin_descriptor lesion_descriptor =
    REWIRE_DESCRIPTOR(REWIRE_KIND_INJURY, "lesion", "1.0.0",
                      "Neurons of a region die; an optional penumbra loses excitability and "
                      "recovers exponentially",
                      lesion_params, lesion_functions);

REWIRE_PLUGIN_ENTRY(&lesion_descriptor)
