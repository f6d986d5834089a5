/* practice: task-specific training -- drive an input channel with the task's pattern in
 * repetitions, session after session.
 *
 * Each window of the intervention's schedule is a session.  Inside it, repetition k
 * (k = 0, 1, ... up to `repetitions`, 0: as many as fit) is on over
 * [k * spacing, k * spacing + duration) from the session's start; while it is on, the
 * channel's sources get `rate` Hz of extra drive -- on every neuron (pattern all) or as
 * a gaussian bump of width `width` around a neuron of the channel drawn for that
 * repetition (pattern bump).  Between repetitions and after the session the channel is
 * back to what it was: the plugin adds its own drive and takes exactly it away again,
 * so it composes with other interventions on the same sources (common/sources.h).
 * `rate` is live: the control channel may change it mid-session.
 *
 * What it models: repeated, task-specific use of a limb or sense (rehabilitation
 * practice), as extra afferent activity in the channel that represents it.  The drive
 * only changes between slices; the schedule is computed from step numbers, so it does
 * not depend on how the host slices the run (common/repetitions.h). */
#include <rewire/plugin.h>
#include <stdlib.h>

#include "../common/repetitions.h"

enum { P_CHANNEL, P_REP0, N_PARAMS = P_REP0 + IV_REP_N_PARAMS };

static const rewire_param_spec practice_params[N_PARAMS] = {
    {.name = "channel", .type = REWIRE_PARAM_SELECTION,
     .flags = REWIRE_PARAM_REQUIRED | REWIRE_PARAM_DRIVES,
     .doc = "The input sources of the practised task (poisson or rate_input neurons): a "
            "region, a population, or an inline selection."},
    IV_REPETITION_PARAMS,
};

static int practice_create(const rewire_host *host, const rewire_param_value *params,
                           void **instance) {
    iv_repeater *r = calloc(1, sizeof *r);
    if (!r) {
        host->set_error(host, "out of memory");
        return REWIRE_ENOMEM;
    }
    int rc = iv_repeater_create(r, host, params[P_CHANNEL].selection, "channel", params + P_REP0);
    if (rc != REWIRE_OK) {
        iv_repeater_free(r);
        free(r);
        return rc;
    }
    *instance = r;
    return REWIRE_OK;
}

static int practice_begin(void *instance, int64_t step) {
    return iv_repeater_begin(instance, step);
}

static int practice_on_slice(void *instance, int64_t first_step, int64_t end_step) {
    (void)first_step;
    return iv_repeater_advance(instance, end_step);
}

static int practice_end(void *instance, int64_t step) {
    (void)step;
    return iv_repeater_end(instance);
}

static int practice_set_param(void *instance, uint32_t index, rewire_param_value value) {
    iv_repeater *r = instance;
    if (index != P_REP0 + IV_REP_RATE) {
        r->host->set_error(r->host, "parameter '%s' of practice cannot change while running",
                           index < N_PARAMS ? practice_params[index].name : "?");
        return REWIRE_EINVAL;
    }
    return iv_repeater_set_rate(r, value.real);
}

static void practice_destroy(void *instance) {
    iv_repeater_free(instance);
    free(instance);
}

static const rewire_intervention_v1 practice_functions = {
    .struct_size = sizeof(rewire_intervention_v1),
    .create = practice_create,
    .begin = practice_begin,
    .on_slice = practice_on_slice,
    .end = practice_end,
    .set_param = practice_set_param,
    .destroy = practice_destroy,
};

static const rewire_plugin_descriptor practice_descriptor =
    REWIRE_DESCRIPTOR(REWIRE_KIND_INTERVENTION, "practice", "1.0.0",
                      "Task practice: repetitions of drive on an input channel in each session",
                      practice_params, practice_functions);

REWIRE_PLUGIN_ENTRY(&practice_descriptor)
