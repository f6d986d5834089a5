/* Injuries on the running network (network_edit.c): neurons die, synapses are removed,
 * and no spike in flight is ever delivered through a removed synapse.  Called between
 * slices, on the loop thread. */
#ifndef RW_NETWORK_EDIT_H
#define RW_NETWORK_EDIT_H

#include <stdint.h>

#include "network.h"

/* Keep the spikes of the last (longest delay) steps from now on, which removing
 * synapses needs.  Call before the first slice.  0 or REWIRE_ENOMEM. */
int rw_network_keep_history(rw_network *net);

/* Remove the synapses of projection `proj` from sources with pre_mask[i] != 0 onto
 * targets with post_mask[j] != 0 (a NULL mask: all), each with probability `fraction`
 * (>= 1: all) drawn from `key` by (source, place in its row).  Returns how many went. */
uint64_t rw_network_cut(rw_network *net, uint32_t proj, const uint8_t *pre_mask,
                        const uint8_t *post_mask, double fraction, uint64_t key);

/* The n neurons idx[] of population `pop` die (rewire_host.kill_neurons).  Returns the
 * synapses removed, or UINT64_MAX when out of memory (nothing changed then). */
uint64_t rw_network_kill(rw_network *net, uint32_t pop, const uint32_t *idx, uint32_t n);

/* A plugin hook ran that may have written sources' rate, input_gain or drive through a
 * population view: Poisson sources re-check their rates before the next slice. */
void rw_network_sources_changed(rw_network *net);

#endif
