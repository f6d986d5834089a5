/* @NAME@: a focal lesion.  When the injury is applied, each neuron of one population is
 * hit with probability `fraction`, and a hit neuron's excitability is multiplied by
 * `factor` (0 silences it: neither synaptic input nor bias current reaches it any more;
 * 0.5 halves them).  Hits are drawn with the host's counter-based random numbers, keyed
 * by the run's seed and the neuron, so the same seed lesions the same neurons.
 *
 * rewire's core does not schedule injuries yet (an experiment cannot name one): this
 * plugin builds, loads (`rewire plugins`) and is tested through a fake host
 * (test/test_@NAME@.c). */
#include <inttypes.h>
#include <rewire/plugin.h>
#include <stdlib.h>

enum { P_POPULATION, P_FRACTION, P_FACTOR, N_PARAMS };

#define UNIT_INTERVAL (REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_HAS_MAX)
static const rewire_param_spec params[N_PARAMS] = {
    [P_POPULATION] = {.name = "population", .type = REWIRE_PARAM_STRING,
                      .flags = REWIRE_PARAM_REQUIRED,
                      .doc = "The population to lesion (its name under populations:)."},
    [P_FRACTION] = {.name = "fraction", .type = REWIRE_PARAM_REAL, .def_real = 1,
                    .flags = UNIT_INTERVAL, .min = 0, .max = 1,
                    .doc = "Probability that a neuron of the population is hit."},
    [P_FACTOR] = {.name = "factor", .type = REWIRE_PARAM_REAL, .def_real = 0,
                  .flags = UNIT_INTERVAL, .min = 0, .max = 1,
                  .doc = "Multiplier on a hit neuron's excitability: 0 silences it."},
};

typedef struct lesion {
    const rewire_host *host;
    const char *population; /* owned by the host, valid until destroy */
    double fraction, factor;
} lesion;

static int lesion_create(const rewire_host *host, const rewire_param_value *values,
                         void **instance) {
    lesion *l = malloc(sizeof *l);
    if (!l) {
        host->set_error(host, "out of memory");
        return REWIRE_ENOMEM;
    }
    *l = (lesion){.host = host, .population = values[P_POPULATION].string,
                  .fraction = values[P_FRACTION].real, .factor = values[P_FACTOR].real};
    *instance = l;
    return REWIRE_OK;
}

/* [loop] Between slices, before `step` is simulated. */
static int lesion_apply(void *instance, int64_t step) {
    lesion *l = instance;
    const rewire_host *h = l->host;
    rewire_population_view pop = {.struct_size = sizeof pop};
    if (h->population_find(h, l->population, &pop) != REWIRE_OK) {
        h->set_error(h, "no population named '%s'", l->population);
        return REWIRE_ENOENT;
    }
    if (!pop.excitability) {
        h->set_error(h, "population '%s' (%s) has no excitability to lower", pop.name, pop.model);
        return REWIRE_ENOTSUP;
    }
    uint32_t hit = 0;
    for (uint32_t i = 0; i < pop.size; i++) {
        if (h->random_uniform(h, i, 0) >= l->fraction) continue;
        pop.excitability[i] *= (float)l->factor;
        hit++;
    }
    h->log(h, REWIRE_LOG_INFO, "step %" PRId64 ": %u of %u neurons of '%s' hit (excitability x %g)",
           step, hit, pop.size, pop.name, l->factor);
    return REWIRE_OK;
}

static void lesion_destroy(void *instance) { free(instance); }

static const rewire_injury_v1 functions = {
    .struct_size = sizeof functions,
    .create = lesion_create,
    .apply = lesion_apply,
    .on_slice = NULL, /* no recovery process */
    .destroy = lesion_destroy,
};

static const rewire_plugin_descriptor descriptor = REWIRE_DESCRIPTOR(
    REWIRE_KIND_INJURY, "@NAME@", "0.1.0",
    "Focal lesion: lowers the excitability of a random fraction of a population", params,
    functions);

REWIRE_PLUGIN_ENTRY(&descriptor)
