/* The experiment loader's `measures` section (measures.h), and the output channel names
 * that include the measures' channels.
 *
 *   measures:
 *     rates: {rate: POP_OR_SELECTION, every: 100 ms}
 *     w:     {weights: PROJ, every: 1 s, bins: 20, range: [0 nS, 4 nS]}
 *     n:     {synapses: PROJ, every: 1 s}
 *     map:   {representation: POP, channels: [hand, face], every: 1 s}
 *     rf:    {receptive_field: PROJ, every: 1 s}
 *     perf:  {task: CHANNEL, population: POP, every: 1 s}
 *
 * A selection (a rate's neurons, a channel) is a region name (`regions:`), a
 * population name (all of it) or an inline selection mapping (space.h); `channels:` is
 * a list of region or population names, or a mapping NAME -> selection. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiment_parse.h"
#include "measures.h"
#include "space.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char *const kind_keys[] = {"rate", "weights", "synapses", "representation",
                                        "receptive_field", "task"};

/* A selection (a region, a population: all of it, or an inline mapping; space.h),
 * copied into sel (the measure owns it); `name` names it, else the region's or the
 * population's name. */
static bool parse_selection(const rw_experiment *e, const rw_node *n, const char *name,
                            const char *what, rw_measure_sel *sel, rw_diag *d) {
    rewire_selection *rs;
    if (!rw_selection_from_node(e, n, what, &rs, d)) return false;
    int pop = rw_experiment_find_population(e, rs->population);
    if (pop < 0) return false; /* resolved selections name existing populations */
    sel->pop = (uint32_t)pop;
    sel->n = rs->n;
    sel->index = malloc((rs->n ? rs->n : 1) * sizeof *sel->index);
    if (!sel->index) return false;
    memcpy(sel->index, rs->index, rs->n * sizeof *sel->index);
    sel->name = strdup(name ? name : rs->name && rs->name[0] ? rs->name : rs->population);
    return sel->name != NULL;
}

static bool parse_every(const rw_experiment *e, const rw_node *mn, const char *what,
                        rw_measure_spec *m, rw_diag *d) {
    m->every = 100.0;
    const rw_node *n = rw_map_get(mn, "every");
    if (!n) return true;
    char sub[200];
    snprintf(sub, sizeof sub, "%s every", what);
    return rw_get_quantity(n, REWIRE_DIM_TIME, sub, &m->every, d) &&
           rw_check_range(n, m->every, e->dt, INFINITY, false, REWIRE_DIM_TIME, sub, d);
}

static bool parse_weights(const rw_experiment *e, const rw_node *mn, const char *what,
                          rw_measure_spec *m, rw_diag *d) {
    m->bins = 20;
    bool ok = true;
    char sub[200];
    const rw_node *n;
    if ((n = rw_map_get(mn, "bins"))) {
        int64_t b;
        snprintf(sub, sizeof sub, "%s bins", what);
        if (rw_get_int(n, sub, &b, d) &&
            rw_check_range(n, (double)b, 1, 100000, false, REWIRE_DIM_NONE, sub, d))
            m->bins = (uint32_t)b;
        else
            ok = false;
    }
    if ((n = rw_map_get(mn, "range"))) {
        rw_model_kind post = e->populations[e->projections[m->target].post].model;
        rewire_dim dim = rw_model_is_rate(post)         ? REWIRE_DIM_NONE
                         : post == RW_MODEL_LIF_COBA ? REWIRE_DIM_CONDUCTANCE
                                                        : REWIRE_DIM_CURRENT;
        snprintf(sub, sizeof sub, "%s range", what);
        if (n->type != RW_NODE_SEQ || n->n != 2) {
            rw_diag_error(d, n->loc, "%s: expected [low, high], e.g. [0 nS, 5 nS]", sub);
            return false;
        }
        if (!rw_get_quantity(n->items[0], dim, sub, &m->lo, d) ||
            !rw_get_quantity(n->items[1], dim, sub, &m->hi, d))
            return false;
        if (!(m->hi > m->lo)) {
            rw_diag_error(d, n->loc, "%s: high must be greater than low", sub);
            return false;
        }
        m->has_range = true;
    }
    return ok;
}

/* Projections that carry channel `sel` onto population `post` (measures.c counts the
 * excitatory ones). */
static bool check_reaches(const rw_experiment *e, const rw_measure_sel *sel, uint32_t post,
                          rw_loc loc, const char *what, rw_diag *d) {
    for (uint32_t j = 0; j < e->n_projections; j++)
        if (e->projections[j].pre == sel->pop && e->projections[j].post == post &&
            e->projections[j].receptor == RW_RECEPTOR_EXC)
            return true;
    rw_diag_error(d, loc,
                  "%s: channel '%s' (population '%s') has no excitatory projection onto "
                  "population '%s'",
                  what, sel->name, e->populations[sel->pop].name, e->populations[post].name);
    return false;
}

static bool parse_channels(const rw_experiment *e, const rw_node *cn, const char *what,
                           rw_measure_spec *m, rw_diag *d) {
    char sub[200];
    snprintf(sub, sizeof sub, "%s channels", what);
    bool is_map = cn->type == RW_NODE_MAP;
    if ((cn->type != RW_NODE_SEQ && !is_map) || cn->n == 0) {
        rw_diag_error(d, cn->loc,
                      "%s: expected a non-empty list of regions or populations, e.g. "
                      "[hand, face]",
                      sub);
        return false;
    }
    m->channels = calloc(cn->n, sizeof *m->channels);
    if (!m->channels) return false;
    bool ok = true;
    for (size_t i = 0; i < cn->n; i++) {
        rw_measure_sel *sel = &m->channels[m->n_channels];
        const char *name = is_map ? cn->keys[i] : NULL;
        rw_loc loc = is_map ? cn->key_locs[i] : cn->items[i]->loc;
        if (!is_map && cn->items[i]->type == RW_NODE_MAP) {
            rw_diag_error(d, loc, "%s: an inline selection needs a name: write channels as a "
                          "mapping, e.g. {hand: {population: skin, indices: [0, 10]}}", sub);
            ok = false;
            continue;
        }
        if (!parse_selection(e, cn->items[i], name, sub, sel, d)) {
            free(sel->index);
            free(sel->name);
            memset(sel, 0, sizeof *sel);
            ok = false;
            continue;
        }
        m->n_channels++;
        if (name && !rw_check_name(name, loc, "channel", d)) ok = false;
        for (uint32_t k = 0; k + 1 < m->n_channels; k++)
            if (strcmp(m->channels[k].name, sel->name) == 0) {
                rw_diag_error(d, loc, "%s: channel '%s' is listed twice", sub, sel->name);
                ok = false;
            }
        if (!check_reaches(e, sel, m->target, loc, what, d)) ok = false;
    }
    return ok;
}

static bool parse_measure(rw_experiment *e, rw_measure_spec *m, const rw_node *mn, rw_diag *d) {
    char what[128];
    snprintf(what, sizeof what, "measure '%s'", m->name);
    if (mn->type != RW_NODE_MAP) {
        rw_diag_error(d, mn->loc, "%s: expected a mapping such as {rate: POPULATION, every: 1 s}",
                      what);
        return false;
    }
    int kind = -1;
    for (size_t i = 0; i < mn->n; i++)
        for (int k = 0; k < (int)ARRAY_LEN(kind_keys); k++)
            if (strcmp(mn->keys[i], kind_keys[k]) == 0) {
                if (kind >= 0) {
                    rw_diag_error(d, mn->key_locs[i], "%s: measures one thing: '%s' or '%s', not both",
                                  what, kind_keys[kind], kind_keys[k]);
                    return false;
                }
                kind = k;
            }
    if (kind < 0) {
        /* A typo of a kind: "unknown key 'ratez' ...; did you mean 'rate'?" first. */
        static const char *const any[] = {"rate", "weights", "synapses", "representation",
                                          "receptive_field", "task", "every", "bins", "range",
                                          "channels", "population"};
        rw_check_keys(mn, any, ARRAY_LEN(any), what, d);
        rw_diag_error(d, mn->loc,
                      "%s: expected one of 'rate', 'weights', 'synapses', 'representation', "
                      "'receptive_field' or 'task'",
                      what);
        return false;
    }
    m->kind = (rw_measure_kind)kind;
    static const char *const k_rate[] = {"rate", "every"};
    static const char *const k_weights[] = {"weights", "every", "bins", "range"};
    static const char *const k_syn[] = {"synapses", "every"};
    static const char *const k_repr[] = {"representation", "channels", "every"};
    static const char *const k_rf[] = {"receptive_field", "every"};
    static const char *const k_task[] = {"task", "population", "every"};
    static const char *const *const keys[] = {k_rate, k_weights, k_syn, k_repr, k_rf, k_task};
    static const size_t n_keys[] = {ARRAY_LEN(k_rate), ARRAY_LEN(k_weights), ARRAY_LEN(k_syn),
                                    ARRAY_LEN(k_repr), ARRAY_LEN(k_rf), ARRAY_LEN(k_task)};
    bool ok = rw_check_keys(mn, keys[kind], n_keys[kind], what, d);
    ok = parse_every(e, mn, what, m, d) && ok;
    const rw_node *target = rw_map_get(mn, kind_keys[kind]);
    switch (m->kind) {
    case RW_MEASURE_RATE:
        if (!parse_selection(e, target, NULL, what, &m->sel, d)) return false;
        m->target = m->sel.pop;
        return ok;
    case RW_MEASURE_WEIGHTS:
        if (!rw_resolve_projection(e, target, what, &m->target, d)) return false;
        return parse_weights(e, mn, what, m, d) && ok;
    case RW_MEASURE_SYNAPSES:
    case RW_MEASURE_RECEPTIVE_FIELD:
        return rw_resolve_projection(e, target, what, &m->target, d) && ok;
    case RW_MEASURE_REPRESENTATION: {
        if (!rw_resolve_population(e, target, what, &m->target, d)) return false;
        const rw_node *cn = rw_require(mn, "channels", what, d);
        return cn && parse_channels(e, cn, what, m, d) && ok;
    }
    case RW_MEASURE_TASK: {
        const rw_node *pn = rw_require(mn, "population", what, d);
        if (!pn || !rw_resolve_population(e, pn, what, &m->target, d)) return false;
        m->channels = calloc(1, sizeof *m->channels);
        if (!m->channels) return false;
        char sub[160];
        snprintf(sub, sizeof sub, "%s task", what);
        if (!parse_selection(e, target, NULL, sub, &m->channels[0], d)) return false;
        m->n_channels = 1;
        return check_reaches(e, &m->channels[0], m->target, target->loc, what, d) && ok;
    }
    }
    return false;
}

bool rw_parse_measures(rw_experiment *e, const rw_node *map, rw_diag *d) {
    if (map->type != RW_NODE_MAP) {
        rw_diag_error(d, map->loc,
                      "measures: expected a mapping from names to measures, e.g. "
                      "{rates: {rate: cells, every: 100 ms}}");
        return false;
    }
    e->measures = calloc(map->n ? map->n : 1, sizeof *e->measures);
    if (!e->measures) return false;
    bool ok = true;
    uint32_t id = e->n_records;
    for (size_t i = 0; i < map->n; i++) {
        rw_measure_spec *m = &e->measures[e->n_measures++];
        m->name = strdup(map->keys[i]);
        if (!m->name) return false;
        m->loc = map->key_locs[i];
        bool good = rw_check_name(m->name, m->loc, "measure", d);
        for (uint32_t r = 0; good && r < e->n_records; r++)
            if (e->records[r].name && strcmp(e->records[r].name, m->name) == 0) {
                rw_diag_error(d, m->loc, "measure '%s': a record channel has that name", m->name);
                good = false;
            }
        good = parse_measure(e, m, map->items[i], d) && good;
        /* A broken measure keeps its name and no channels (outputs naming it get no
         * second error). */
        if (good && !rw_measure_spec_outputs(m)) return false;
        m->first_channel = id;
        id += m->n_out;
        ok = good && ok;
    }
    return ok;
}

uint32_t rw_experiment_channel_count(const rw_experiment *e) {
    uint32_t n = e->n_records;
    for (uint32_t k = 0; k < e->n_measures; k++) n += e->measures[k].n_out;
    return n;
}

bool rw_resolve_output_channel(const rw_experiment *e, const rw_node *n, bool *subscribed,
                               rw_diag *d) {
    const char *name;
    if (!rw_get_string(n, "output channel", &name, d)) return false;
    for (uint32_t r = 0; r < e->n_records; r++)
        if (e->records[r].name && strcmp(e->records[r].name, name) == 0) {
            subscribed[r] = true;
            return true;
        }
    /* A measure's name subscribes all its channels; one of its channels, that one. */
    for (uint32_t k = 0; k < e->n_measures; k++) {
        const rw_measure_spec *m = &e->measures[k];
        bool all = strcmp(m->name, name) == 0;
        for (uint32_t j = 0; j < m->n_out; j++)
            if (all || strcmp(m->out_names[j], name) == 0) {
                subscribed[m->first_channel + j] = true;
                if (!all) return true;
            }
        if (all) return true;
    }
    enum { MAX_NAMES = 1024 };
    const char *names[MAX_NAMES];
    size_t nn = 0;
    for (uint32_t r = 0; r < e->n_records && nn < MAX_NAMES; r++)
        if (e->records[r].name) names[nn++] = e->records[r].name;
    for (uint32_t k = 0; k < e->n_measures && nn < MAX_NAMES; k++) names[nn++] = e->measures[k].name;
    rw_report_unknown_name(e->n_measures ? "record channel or measure" : "record channel", name,
                           n->loc, names, nn, d);
    return false;
}

void rw_experiment_free_measures(rw_experiment *e) {
    for (uint32_t k = 0; k < e->n_measures; k++) rw_measure_spec_free(&e->measures[k]);
    free(e->measures);
    e->measures = NULL;
    e->n_measures = 0;
}
