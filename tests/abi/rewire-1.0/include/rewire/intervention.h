/* Interventions: active over windows of the timeline (sessions of a schedule).  The host
 * turns the schedule into windows and calls begin/end at their edges.
 *
 * Threads: all hooks [loop], between slices.
 */
#ifndef REWIRE_INTERVENTION_H
#define REWIRE_INTERVENTION_H

#include "host.h"
#include "params.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rewire_intervention_v1 {
    uint32_t struct_size;
    int (*create)(const rewire_host *host, const rewire_param_value *params, void **instance);
    /* A window opens at `step` (before it is simulated). */
    int (*begin)(void *instance, int64_t step);
    /* Steps [first_step, end_step) of an open window are done. May be NULL. */
    int (*on_slice)(void *instance, int64_t first_step, int64_t end_step);
    /* The window closes at `step`. */
    int (*end)(void *instance, int64_t step);
    /* A parameter declared REWIRE_PARAM_LIVE changed (control channel). May be NULL. */
    int (*set_param)(void *instance, uint32_t index, rewire_param_value value);
    void (*destroy)(void *instance);
} rewire_intervention_v1;

#ifdef __cplusplus
}
#endif
#endif
