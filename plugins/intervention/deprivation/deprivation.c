/* deprivation: sensory deprivation -- lid suture, immobilisation, a blindfold or an
 * earplug: the channel's input is turned down (or off) for the window.
 *
 * At the window's start the plugin multiplies `factor` into the channel's input_gain
 * (0: no input at all; 0.1: a tenth of it) and, if `noise_rate` > 0, adds that much
 * constant drive to each source: a sutured eye still sees diffuse light, so its
 * afferents keep firing without pattern.  At the window's end both are taken back,
 * exactly (common/sources.h), so deprivation composes with other interventions on the
 * same sources; the host refuses a schedule in which another intervention drives the
 * channel while it is deprived (REWIRE_PARAM_SUPPRESSES against REWIRE_PARAM_DRIVES).
 *
 * What it models: monocular deprivation (Wiesel & Hubel 1963), limb immobilisation,
 * sensory input switched off. */
#include <rewire/plugin.h>
#include <stdlib.h>

#include "../common/sources.h"

enum { P_CHANNEL, P_FACTOR, P_NOISE_RATE, N_PARAMS };

static const rewire_param_spec deprivation_params[N_PARAMS] = {
    [P_CHANNEL] = {.name = "channel", .type = REWIRE_PARAM_SELECTION,
                   .flags = REWIRE_PARAM_REQUIRED | REWIRE_PARAM_SUPPRESSES,
                   .doc = "The deprived input sources (poisson or rate_input)."},
    [P_FACTOR] = {.name = "factor", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_NONE,
                  .flags = REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_HAS_MAX, .def_real = 0.0,
                  .min = 0.0, .max = 1.0,
                  .doc = "Factor on the sources' input gain while deprived: 0 removes their "
                         "input, 1 leaves it."},
    [P_NOISE_RATE] = {.name = "noise_rate", .type = REWIRE_PARAM_REAL,
                      .dim = REWIRE_DIM_FREQUENCY, .flags = REWIRE_PARAM_HAS_MIN,
                      .def_real = 0.0, .min = 0.0,
                      .doc = "Patternless drive each deprived source keeps (Hz; diffuse "
                             "light through a closed lid)."},
};

typedef struct deprivation {
    const rewire_host *host;
    iv_sources channel;
    float factor;
    double *noise; /* [n] noise_rate each, NULL when it is 0 */
} deprivation;

static void deprivation_destroy(void *instance) {
    deprivation *d = instance;
    iv_sources_free(&d->channel);
    free(d->noise);
    free(d);
}

static int deprivation_create(const rewire_host *host, const rewire_param_value *params,
                              void **instance) {
    deprivation *d = calloc(1, sizeof *d);
    if (!d) {
        host->set_error(host, "out of memory");
        return REWIRE_ENOMEM;
    }
    d->host = host;
    d->factor = (float)params[P_FACTOR].real;
    int rc = iv_sources_init(&d->channel, host, params[P_CHANNEL].selection, "channel");
    const double noise = params[P_NOISE_RATE].real;
    if (rc == REWIRE_OK && noise > 0) {
        d->noise = malloc(d->channel.sel->n * sizeof *d->noise);
        if (!d->noise) {
            host->set_error(host, "out of memory");
            rc = REWIRE_ENOMEM;
        } else {
            for (uint32_t k = 0; k < d->channel.sel->n; k++) d->noise[k] = noise;
        }
    }
    if (rc != REWIRE_OK) {
        deprivation_destroy(d);
        return rc;
    }
    *instance = d;
    return REWIRE_OK;
}

static int deprivation_begin(void *instance, int64_t step) {
    (void)step;
    deprivation *d = instance;
    rewire_population_view v;
    int rc = iv_sources_view(&d->channel, d->host, &v);
    if (rc != REWIRE_OK) return rc;
    iv_gain_apply(&d->channel, &v, d->factor);
    if (d->noise) iv_drive_set(&d->channel, &v, d->noise);
    return REWIRE_OK;
}

static int deprivation_end(void *instance, int64_t step) {
    (void)step;
    deprivation *d = instance;
    rewire_population_view v;
    int rc = iv_sources_view(&d->channel, d->host, &v);
    if (rc != REWIRE_OK) return rc;
    iv_drive_remove(&d->channel, &v);
    iv_gain_restore(&d->channel, &v);
    return REWIRE_OK;
}

static const rewire_intervention_v1 deprivation_functions = {
    .struct_size = sizeof(rewire_intervention_v1),
    .create = deprivation_create,
    .begin = deprivation_begin,
    .end = deprivation_end,
    .destroy = deprivation_destroy,
};

static const rewire_plugin_descriptor deprivation_descriptor =
    REWIRE_DESCRIPTOR(REWIRE_KIND_INTERVENTION, "deprivation", "1.0.0",
                      "Sensory deprivation: turn a channel's input down or off for the window",
                      deprivation_params, deprivation_functions);

REWIRE_PLUGIN_ENTRY(&deprivation_descriptor)
