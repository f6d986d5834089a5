/* The experiment loader's `record` section: which channels the kernel records. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiment_parse.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char *const kind_keys[] = {"spikes", "rate", "state", "weights", "synapses"};

/* An interval of at least one step; `def` when absent. */
static bool parse_interval(rw_experiment *e, const rw_node *map, const char *key, double def,
                           const char *what, double *out, rw_diag *d) {
    const rw_node *n = rw_map_get(map, key);
    *out = def;
    if (!n) return true;
    char sub[160];
    snprintf(sub, sizeof sub, "%s %s", what, key);
    return rw_get_quantity(n, REWIRE_DIM_TIME, sub, out, d) &&
           rw_check_range(n, *out, e->dt, INFINITY, false, REWIRE_DIM_TIME, sub, d);
}

static bool parse_neuron_list(rw_record_spec *r, const rw_node *n, uint32_t size, const char *what,
                              rw_diag *d) {
    if (n->type != RW_NODE_SEQ || n->n == 0) {
        rw_diag_error(d, n->loc, "%s neurons: expected a list of neuron indices, e.g. [0, 1, 2]", what);
        return false;
    }
    r->neurons = malloc(n->n * sizeof *r->neurons);
    if (!r->neurons) return false;
    bool ok = true;
    char sub[160];
    snprintf(sub, sizeof sub, "%s neuron index", what);
    for (size_t i = 0; i < n->n; i++) {
        int64_t v;
        if (!rw_get_int(n->items[i], sub, &v, d) ||
            !rw_check_range(n->items[i], (double)v, 0, (double)size - 1, false, REWIRE_DIM_NONE, sub, d)) {
            ok = false;
            continue;
        }
        r->neurons[r->n_neurons++] = (uint32_t)v;
    }
    return ok;
}

static bool parse_record(rw_experiment *e, rw_record_spec *r, const rw_node *rn, rw_diag *d) {
    char what[128];
    snprintf(what, sizeof what, "record '%s'", r->name);
    if (rn->type != RW_NODE_MAP) {
        rw_diag_error(d, rn->loc, "%s: expected a mapping such as {spikes: POPULATION}", what);
        return false;
    }
    int kind = -1;
    for (size_t i = 0; i < rn->n; i++)
        for (int k = 0; k < (int)ARRAY_LEN(kind_keys); k++)
            if (strcmp(rn->keys[i], kind_keys[k]) == 0) {
                if (kind >= 0) {
                    rw_diag_error(d, rn->key_locs[i], "%s: records one thing: '%s' or '%s', not both",
                                  what, kind_keys[kind], kind_keys[k]);
                    return false;
                }
                kind = k;
            }
    if (kind < 0) {
        rw_check_keys(rn, kind_keys, ARRAY_LEN(kind_keys), what, d);
        rw_diag_error(d, rn->loc,
                      "%s: expected one of 'spikes', 'rate', 'state', 'weights' or 'synapses'", what);
        return false;
    }
    r->kind = (rw_record_kind)kind;
    static const char *const k_spikes[] = {"spikes"};
    static const char *const k_rate[] = {"rate", "bin"};
    static const char *const k_state[] = {"state", "variable", "interval", "neurons"};
    static const char *const k_weights[] = {"weights", "interval"};
    static const char *const k_synapses[] = {"synapses", "interval"};
    static const char *const *const keys[] = {k_spikes, k_rate, k_state, k_weights, k_synapses};
    static const size_t n_keys[] = {ARRAY_LEN(k_spikes), ARRAY_LEN(k_rate), ARRAY_LEN(k_state),
                                    ARRAY_LEN(k_weights), ARRAY_LEN(k_synapses)};
    bool ok = rw_check_keys(rn, keys[kind], n_keys[kind], what, d);
    const rw_node *target = rw_map_get(rn, kind_keys[kind]);
    switch (r->kind) {
    case RW_RECORD_SPIKES: {
        if (!rw_resolve_population(e, target, what, &r->target, d)) return false;
        const rw_population_spec *p = &e->populations[r->target];
        if (rw_model_is_rate(p->model)) {
            rw_diag_error(d, target->loc,
                          "%s: population '%s' is a rate population (%s) and never spikes; "
                          "record its 'rate' or its state variable 'r'",
                          what, p->name, rw_model_name(p->model));
            return false;
        }
        return ok;
    }
    case RW_RECORD_RATE:
        ok = rw_resolve_population(e, target, what, &r->target, d) && ok;
        return parse_interval(e, rn, "bin", 10.0, what, &r->interval, d) && ok;
    case RW_RECORD_STATE: {
        if (!rw_resolve_population(e, target, what, &r->target, d)) return false;
        const rw_population_spec *p = &e->populations[r->target];
        bool rate = rw_model_is_rate(p->model);
        if (p->model != RW_MODEL_LIF_CUBA && p->model != RW_MODEL_LIF_COBA && !rate) {
            rw_diag_error(d, target->loc, "%s: population '%s' is a source and has no state variables",
                          what, p->name);
            return false;
        }
        const rw_node *vn = rw_require(rn, "variable", what, d);
        /* LIF: v, g_e, g_i; rate models: r (in the order of rw_state_var). */
        static const char *const lif_vars[] = {"v", "g_e", "g_i", NULL};
        static const char *const rate_vars[] = {"r", NULL};
        int var;
        char vwhat[160];
        if (rate)
            snprintf(vwhat, sizeof vwhat, "%s variable of rate population '%s'", what, p->name);
        else
            snprintf(vwhat, sizeof vwhat, "%s variable", what);
        if (!vn || !rw_get_choice(vn, rate ? rate_vars : lif_vars, vwhat, &var, d)) return false;
        r->variable = rate ? RW_VAR_R : (rw_state_var)var;
        ok = parse_interval(e, rn, "interval", e->dt, what, &r->interval, d) && ok;
        const rw_node *nn = rw_map_get(rn, "neurons");
        if (nn) ok = parse_neuron_list(r, nn, p->size, what, d) && ok;
        return ok;
    }
    case RW_RECORD_WEIGHTS:
        ok = rw_resolve_projection(e, target, what, &r->target, d) && ok;
        /* Without an interval: a snapshot at the start and one at the end. */
        return parse_interval(e, rn, "interval", INFINITY, what, &r->interval, d) && ok;
    case RW_RECORD_SYNAPSES:
        /* How many synapses are in use: changes only under structural plasticity. */
        ok = rw_resolve_projection(e, target, what, &r->target, d) && ok;
        return parse_interval(e, rn, "interval", 100.0, what, &r->interval, d) && ok;
    }
    return false;
}

bool rw_parse_records(rw_experiment *e, const rw_node *map, rw_diag *d) {
    if (map->type != RW_NODE_MAP) {
        rw_diag_error(d, map->loc, "record: expected a mapping from channel names to what they record");
        return false;
    }
    e->records = calloc(map->n ? map->n : 1, sizeof *e->records);
    if (!e->records) return false;
    bool ok = true;
    for (size_t i = 0; i < map->n; i++) {
        rw_record_spec *r = &e->records[e->n_records++];
        r->name = strdup(map->keys[i]);
        r->loc = map->key_locs[i];
        ok = rw_check_name(r->name, r->loc, "record channel", d) && ok;
        if (!parse_record(e, r, map->items[i], d)) {
            ok = false;
            /* Keep the name (so outputs naming it get no second error) but mark it unusable. */
        }
    }
    return ok;
}
