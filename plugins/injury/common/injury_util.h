/* Helpers the injury plugins share: checking that the host offers the ABI 1.2 services
 * they need, the simulation time step, and membership tests on selections.
 * Compiled into each injury plugin (no shared library between plugins). */
#ifndef REWIRE_INJURY_UTIL_H
#define REWIRE_INJURY_UTIL_H

#include <rewire/plugin.h>

/* Does the host have kill_neurons, remove_synapses, now, population_at and
 * projection_at (ABI 1.2)?  If not, set_error says which rewire is needed. */
bool injury_host_ok(const rewire_host *h);

/* The time step (ms), read from the first projection view that has one: the host
 * table has no dt of its own.  0 (and set_error) when the network has no projection. */
double injury_time_step(const rewire_host *h, const char *why);

/* Is `neuron` in `sel` (binary search: indices are increasing)? */
bool injury_selection_has(const rewire_selection *sel, uint32_t neuron);

/* The population a projection comes from / goes to; ENOENT (and set_error) when the
 * host has no projection of that name. */
int injury_projection(const rewire_host *h, const char *name, rewire_projection_view **out);

/* The synapses of row i in use: [row_offsets[i], end) -- row_lengths bounds the row in
 * a structural projection (its rows have free room at their ends). */
static inline uint32_t injury_row_end(const rewire_projection_view *v, uint32_t i) {
    if (REWIRE_HAS_FIELD(rewire_projection_view, v->struct_size, row_lengths) && v->row_lengths)
        return v->row_offsets[i] + v->row_lengths[i];
    return v->row_offsets[i + 1];
}

#endif
