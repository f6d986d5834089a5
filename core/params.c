/* A plugin's `params:` map checked against the plugin's schema.  Every problem is
 * reported (not only the first), so one run lists all a user has to fix. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "space.h"
#include "units.h"

static rewire_param_value default_value(const rewire_param_spec *p) {
    rewire_param_value v;
    memset(&v, 0, sizeof v);
    switch (p->type) {
    case REWIRE_PARAM_REAL: v.real = p->def_real; break;
    case REWIRE_PARAM_INT: v.integer = p->def_int; break;
    case REWIRE_PARAM_BOOL: v.boolean = p->def_int != 0; break;
    case REWIRE_PARAM_ENUM: v.choice = (int32_t)p->def_int; break;
    case REWIRE_PARAM_STRING: v.string = p->def_string; break;
    /* Selections and name lists have no default: NULL when not given. */
    case REWIRE_PARAM_SELECTION: v.selection = NULL; break;
    case REWIRE_PARAM_PROJECTIONS:
    case REWIRE_PARAM_POPULATIONS: v.names = NULL; break;
    }
    return v;
}

static bool report_unknown_keys(const rewire_param_spec *schema, uint32_t n_params,
                                const rw_node *map, const char *plugin_name, rw_diag *d) {
    const char **names = calloc(n_params ? n_params : 1, sizeof *names);
    if (!names) abort();
    for (uint32_t i = 0; i < n_params; i++) names[i] = schema[i].name;
    size_t list_len = 1;
    for (uint32_t i = 0; i < n_params; i++) list_len += strlen(names[i] ? names[i] : "") + 2;
    char *list = malloc(list_len);
    if (!list) abort();
    list[0] = '\0';
    for (uint32_t i = 0; i < n_params; i++) {
        if (!names[i]) continue;
        if (list[0]) strcat(list, ", ");
        strcat(list, names[i]);
    }

    bool ok = true;
    for (size_t k = 0; k < map->n; k++) {
        const char *key = map->keys[k];
        bool known = false;
        for (uint32_t i = 0; i < n_params && !known; i++)
            known = names[i] && strcmp(key, names[i]) == 0;
        if (known) continue;
        ok = false;
        const char *s = rw_nearest(key, names, n_params);
        if (s)
            rw_diag_error(d, map->key_locs[k], "unknown parameter '%s' for %s; did you mean '%s'?",
                          key, plugin_name, s);
        else if (n_params == 0)
            rw_diag_error(d, map->key_locs[k], "unknown parameter '%s' for %s; it takes no parameters",
                          key, plugin_name);
        else
            rw_diag_error(d, map->key_locs[k], "unknown parameter '%s' for %s; expected one of: %s",
                          key, plugin_name, list);
    }
    free(list);
    free(names);
    return ok;
}

/* Read one present parameter; false (with an error) when it is not acceptable. */
static bool read_param(const rw_experiment *e, const rewire_param_spec *p, const rw_node *node,
                       rewire_dim weight_dim, const char *what, rewire_param_value *out,
                       rw_diag *d) {
    double min = (p->flags & REWIRE_PARAM_HAS_MIN) ? p->min : -INFINITY;
    double max = (p->flags & REWIRE_PARAM_HAS_MAX) ? p->max : INFINITY;
    bool min_exclusive = (p->flags & REWIRE_PARAM_MIN_EXCLUSIVE) != 0;
    switch (p->type) {
    case REWIRE_PARAM_REAL: {
        rewire_dim dim = p->dim == REWIRE_DIM_WEIGHT ? weight_dim : p->dim;
        double v;
        if (!rw_get_quantity(node, dim, what, &v, d) ||
            !rw_check_range(node, v, min, max, min_exclusive, dim, what, d))
            return false;
        out->real = v;
        return true;
    }
    case REWIRE_PARAM_INT: {
        int64_t v;
        if (!rw_get_int(node, what, &v, d) ||
            !rw_check_range(node, (double)v, min, max, min_exclusive, REWIRE_DIM_NONE, what, d))
            return false;
        out->integer = v;
        return true;
    }
    case REWIRE_PARAM_BOOL: {
        bool v;
        if (!rw_get_bool(node, what, &v, d)) return false;
        out->boolean = v;
        return true;
    }
    case REWIRE_PARAM_ENUM: {
        if (!p->choices) {
            rw_diag_error(d, node->loc, "%s: the plugin declares no choices for it", what);
            return false;
        }
        int v;
        if (!rw_get_choice(node, p->choices, what, &v, d)) return false;
        out->choice = v;
        return true;
    }
    case REWIRE_PARAM_STRING: {
        const char *v;
        if (!rw_get_string(node, what, &v, d)) return false;
        out->string = v;
        return true;
    }
    case REWIRE_PARAM_SELECTION:
    case REWIRE_PARAM_PROJECTIONS:
    case REWIRE_PARAM_POPULATIONS: {
        /* ABI 1.2: resolved against the experiment, which owns the results. */
        if (!e) {
            rw_diag_error(d, node->loc, "%s: names neurons or projections, which only an "
                          "experiment can resolve", what);
            return false;
        }
        if (p->type == REWIRE_PARAM_SELECTION) {
            rewire_selection *sel;
            if (!rw_selection_from_node(e, node, what, &sel, d)) return false;
            out->selection = sel;
            return true;
        }
        rewire_name_list *names;
        if (!rw_name_list_from_node(e, node, p->type == REWIRE_PARAM_PROJECTIONS, what, &names, d))
            return false;
        out->names = names;
        return true;
    }
    }
    rw_diag_error(d, node->loc, "%s: the plugin declares an unknown type (%d)", what, (int)p->type);
    return false;
}

bool rw_params_from_config(const rewire_param_spec *schema, uint32_t n_params,
                           const rw_node *map, rw_loc where, rewire_dim weight_dim,
                           const char *plugin_name, rewire_param_value *values,
                           rw_diag *d) {
    return rw_params_from_experiment(NULL, schema, n_params, map, where, weight_dim, plugin_name,
                                     values, d);
}

bool rw_params_from_experiment(const struct rw_experiment *e, const rewire_param_spec *schema,
                               uint32_t n_params, const rw_node *map, rw_loc where,
                               rewire_dim weight_dim, const char *plugin_name,
                               rewire_param_value *values, rw_diag *d) {
    for (uint32_t i = 0; i < n_params; i++) values[i] = default_value(&schema[i]);
    /* "params:" with nothing after it means no parameters, like leaving it out. */
    if (map && rw_node_is_null(map)) {
        where = map->loc;
        map = NULL;
    }
    if (map && map->type != RW_NODE_MAP) {
        char got[128];
        rw_diag_error(d, map->loc, "parameters of %s: expected a mapping, got %s", plugin_name,
                      rw_node_describe(map, got, sizeof got));
        return false;
    }
    bool ok = map ? report_unknown_keys(schema, n_params, map, plugin_name, d) : true;
    for (uint32_t i = 0; i < n_params; i++) {
        const rewire_param_spec *p = &schema[i];
        if (!p->name) continue;
        const rw_node *node = rw_map_get(map, p->name);
        if (!node) {
            if (p->flags & REWIRE_PARAM_REQUIRED) {
                rw_diag_error(d, map ? map->loc : where, "missing required parameter '%s' for %s",
                              p->name, plugin_name);
                ok = false;
            }
            continue;
        }
        char what[256];
        snprintf(what, sizeof what, "parameter '%s' of %s", p->name, plugin_name);
        if (!read_param(e, p, node, weight_dim, what, &values[i], d)) ok = false;
    }
    return ok;
}
