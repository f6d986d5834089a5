/* injury_util.c: see injury_util.h. */
#include "injury_util.h"

#include <string.h>

bool injury_host_ok(const rewire_host *h) {
    const bool ok = REWIRE_HAS_FIELD(rewire_host, h->struct_size, remove_synapses) &&
                    h->now && h->population_at && h->projection_at && h->kill_neurons &&
                    h->remove_synapses;
    if (!ok)
        h->set_error(h, "this host (rewire %s, plugin ABI %u.%u) has no injury services "
                        "(kill_neurons, remove_synapses): injuries need ABI 1.2 or newer",
                     h->host_version ? h->host_version : "?", h->abi_major, h->abi_minor);
    return ok;
}

double injury_time_step(const rewire_host *h, const char *why) {
    rewire_projection_view *v = NULL;
    for (uint32_t k = 0; h->projection_at(h, k, &v) == REWIRE_OK; k++)
        if (v && v->dt > 0) return v->dt;
    h->set_error(h, "cannot tell the time step for %s: the network has no projection "
                    "(the host gives dt through projection views)", why);
    return 0.0;
}

bool injury_selection_has(const rewire_selection *sel, uint32_t neuron) {
    uint32_t lo = 0, hi = sel->n;
    while (lo < hi) {
        const uint32_t mid = lo + (hi - lo) / 2;
        if (sel->index[mid] < neuron)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < sel->n && sel->index[lo] == neuron;
}

int injury_projection(const rewire_host *h, const char *name, rewire_projection_view **out) {
    if (h->projection_find(h, name, out) != REWIRE_OK || !*out) {
        h->set_error(h, "no projection named '%s'", name);
        return REWIRE_ENOENT;
    }
    return REWIRE_OK;
}
