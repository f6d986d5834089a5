/* Injuries: applied once, at their time in the timeline, and optionally a recovery
 * process afterwards (penumbra, diaschisis).  They reach the network through the
 * host's population/projection views.
 *
 * Threads: all hooks [loop], between slices.
 */
#ifndef REWIRE_INJURY_H
#define REWIRE_INJURY_H

#include "host.h"
#include "params.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rewire_injury_v1 {
    uint32_t struct_size;
    int (*create)(const rewire_host *host, const rewire_param_value *params, void **instance);
    /* Apply the injury at `step` (before that step is simulated). */
    int (*apply)(void *instance, int64_t step);
    /* Steps [first_step, end_step) are done; recovery processes run here. May be NULL. */
    int (*on_slice)(void *instance, int64_t first_step, int64_t end_step);
    void (*destroy)(void *instance);
} rewire_injury_v1;

#ifdef __cplusplus
}
#endif
#endif
