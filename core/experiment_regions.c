/* The experiment loader's `regions:` section: named selections of neurons
 * ({population: P, disc | rect | near, indices, fraction}), resolved once at load into
 * sorted indices (space.h).  Injuries, interventions and measures name them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiment_parse.h"
#include "space.h"

bool rw_parse_regions(rw_experiment *e, const rw_node *map, rw_diag *d) {
    if (!rw_space_pool_create(e)) {
        rw_diag_error(d, (rw_loc){e->file, 0, 0}, "out of memory");
        return false;
    }
    if (!map) return true;
    if (map->type != RW_NODE_MAP) {
        rw_diag_error(d, map->loc,
                      "regions: expected a mapping from names to selections, e.g. "
                      "{core: {population: map, disc: {center: [0.5, 0.5], radius: 0.2}}}");
        return false;
    }
    e->regions = calloc(map->n ? map->n : 1, sizeof *e->regions);
    if (!e->regions) return false;
    bool ok = true;
    for (size_t i = 0; i < map->n; i++) {
        rw_region_spec *r = &e->regions[e->n_regions++];
        r->name = strdup(map->keys[i]);
        if (!r->name) return false;
        r->loc = map->key_locs[i];
        r->sel.name = r->name;
        char what[128];
        snprintf(what, sizeof what, "region '%s'", r->name);
        bool good = rw_check_name(r->name, r->loc, "region", d);
        /* Selections name regions and populations alike: one name, one meaning. */
        if (good && rw_experiment_find_population(e, r->name) >= 0) {
            rw_diag_error(d, r->loc,
                          "region '%s' has the name of a population; a selection naming it "
                          "would be ambiguous (rename the region)",
                          r->name);
            good = false;
        }
        rw_selection_filter f;
        if (!rw_selection_filter_parse(e, map->items[i], what, &f, d) || !good) {
            ok = false;
            continue;
        }
        uint32_t *idx;
        uint32_t n = rw_selection_eval(e, &f, r->name, &idx);
        if (n == UINT32_MAX) {
            rw_diag_error(d, r->loc, "%s: out of memory resolving the selection", what);
            return false;
        }
        if (n == 0) {
            rw_diag_error(d, map->items[i]->loc, "%s selects no neuron", what);
            ok = false;
            continue;
        }
        const rw_population_spec *p = &e->populations[f.population];
        r->sel.population = p->name;
        r->sel.population_size = p->size;
        r->sel.n = n;
        r->sel.index = idx;
    }
    return ok;
}
