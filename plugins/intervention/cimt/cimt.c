/* cimt: constraint-induced movement therapy -- constrain the unaffected channel and
 * practise through the affected one.
 *
 * For each window (session) of the schedule:
 *  - `unaffected` (e.g. the intact hand's afferents) is constrained: the plugin multiplies
 *    `constraint` into those sources' input_gain (0: no input at all, the mitt; 0.2: a
 *    fifth of it) and puts the gains back exactly as they were when the window closes;
 *  - `affected` is practised exactly as the practice plugin does it (same parameters:
 *    rate, repetitions, duration, spacing, pattern, width; common/repetitions.h).
 * The two selections must not share a neuron.  Both edits compose with other
 * interventions on the same sources (common/sources.h); the host refuses a schedule in
 * which another intervention drives the unaffected channel while cimt's windows are open
 * (REWIRE_PARAM_SUPPRESSES against REWIRE_PARAM_DRIVES).
 *
 * What it models: Taub's CIMT, where restraining the intact limb forces use of the
 * paretic one, counteracting learned non-use (in the computational form of Han, Arbib &
 * Schweighofer 2008: the affected channel's use, hence its plasticity, rises). */
#include <rewire/plugin.h>
#include <stdlib.h>

#include "../common/repetitions.h"

enum {
    P_AFFECTED,
    P_REP0,
    P_UNAFFECTED = P_REP0 + IV_REP_N_PARAMS,
    P_CONSTRAINT,
    N_PARAMS
};

static const rewire_param_spec cimt_params[N_PARAMS] = {
    {.name = "affected", .type = REWIRE_PARAM_SELECTION,
     .flags = REWIRE_PARAM_REQUIRED | REWIRE_PARAM_DRIVES,
     .doc = "Input sources of the affected limb or sense, practised in each session."},
    IV_REPETITION_PARAMS,
    {.name = "unaffected", .type = REWIRE_PARAM_SELECTION,
     .flags = REWIRE_PARAM_REQUIRED | REWIRE_PARAM_SUPPRESSES,
     .doc = "Input sources of the intact counterpart, constrained during each session."},
    {.name = "constraint", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_NONE,
     .flags = REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_HAS_MAX, .def_real = 0.0, .min = 0.0,
     .max = 1.0,
     .doc = "Factor on the unaffected sources' input gain during a session: 0 constrains "
            "them fully, 1 not at all."},
};

typedef struct cimt {
    iv_repeater practice; /* the affected channel */
    iv_sources constrained;
    float constraint;
} cimt;

static void cimt_destroy(void *instance) {
    cimt *c = instance;
    iv_repeater_free(&c->practice);
    iv_sources_free(&c->constrained);
    free(c);
}

static int cimt_create(const rewire_host *host, const rewire_param_value *params,
                       void **instance) {
    const rewire_selection *aff = params[P_AFFECTED].selection;
    const rewire_selection *unaff = params[P_UNAFFECTED].selection;
    if (aff && unaff && iv_selections_intersect(aff, unaff)) {
        host->set_error(host, "'affected' and 'unaffected' share neurons of population '%s': "
                              "cimt cannot practise and constrain the same sources",
                        aff->population);
        return REWIRE_EINVAL;
    }
    cimt *c = calloc(1, sizeof *c);
    if (!c) {
        host->set_error(host, "out of memory");
        return REWIRE_ENOMEM;
    }
    int rc = iv_repeater_create(&c->practice, host, aff, "affected", params + P_REP0);
    if (rc == REWIRE_OK) rc = iv_sources_init(&c->constrained, host, unaff, "unaffected");
    if (rc != REWIRE_OK) {
        cimt_destroy(c);
        return rc;
    }
    c->constraint = (float)params[P_CONSTRAINT].real;
    *instance = c;
    return REWIRE_OK;
}

static int cimt_begin(void *instance, int64_t step) {
    cimt *c = instance;
    rewire_population_view v;
    int rc = iv_sources_view(&c->constrained, c->practice.host, &v);
    if (rc != REWIRE_OK) return rc;
    /* Looked up first so that a bad population leaves nothing half done. */
    rc = iv_repeater_begin(&c->practice, step);
    if (rc != REWIRE_OK) return rc;
    iv_gain_apply(&c->constrained, &v, c->constraint);
    return REWIRE_OK;
}

static int cimt_on_slice(void *instance, int64_t first_step, int64_t end_step) {
    (void)first_step;
    cimt *c = instance;
    return iv_repeater_advance(&c->practice, end_step);
}

static int cimt_end(void *instance, int64_t step) {
    (void)step;
    cimt *c = instance;
    int rc = iv_repeater_end(&c->practice);
    rewire_population_view v;
    int rc2 = iv_sources_view(&c->constrained, c->practice.host, &v);
    if (rc2 == REWIRE_OK) iv_gain_restore(&c->constrained, &v);
    return rc != REWIRE_OK ? rc : rc2;
}

static int cimt_set_param(void *instance, uint32_t index, rewire_param_value value) {
    cimt *c = instance;
    if (index != P_REP0 + IV_REP_RATE) {
        const rewire_host *h = c->practice.host;
        h->set_error(h, "parameter '%s' of cimt cannot change while running",
                     index < N_PARAMS ? cimt_params[index].name : "?");
        return REWIRE_EINVAL;
    }
    return iv_repeater_set_rate(&c->practice, value.real);
}

static const rewire_intervention_v1 cimt_functions = {
    .struct_size = sizeof(rewire_intervention_v1),
    .create = cimt_create,
    .begin = cimt_begin,
    .on_slice = cimt_on_slice,
    .end = cimt_end,
    .set_param = cimt_set_param,
    .destroy = cimt_destroy,
};

static const rewire_plugin_descriptor cimt_descriptor =
    REWIRE_DESCRIPTOR(REWIRE_KIND_INTERVENTION, "cimt", "1.0.0",
                      "Constraint-induced movement therapy: constrain the unaffected channel, "
                      "practise the affected one",
                      cimt_params, cimt_functions);

REWIRE_PLUGIN_ENTRY(&cimt_descriptor)
