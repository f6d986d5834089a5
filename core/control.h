/* Run control: backpressure holds, pause/resume/stop, status, and the registry of
 * parameters that may be set while running.  The host extension "rewire.control/1"
 * (sdk/include/rewire/control.h) is this, seen from a plugin.
 *
 * The scheduler (sim.c) owns one rw_control per run, gives it hooks into itself, and
 * asks rw_control_blocked() before each slice.  Everything runs on the loop thread.
 *
 * Live parameters: whoever creates an instance with REWIRE_PARAM_LIVE parameters (the
 * intervention scheduler) registers each of them once, after the instance's create()
 * and before the run starts:
 *
 *     for (uint32_t k = 0; k < desc->n_params; k++)
 *         if (desc->params[k].flags & REWIRE_PARAM_LIVE)
 *             rw_control_register_live(ctx->control, label, &desc->params[k], k,
 *                                      REWIRE_DIM_NONE, fns->set_param, inst, host);
 *
 * `set` then parses the text as the experiment file's value would be (units, bounds,
 * choices) and calls set(instance, k, value) between slices. */
#ifndef RW_CONTROL_H
#define RW_CONTROL_H

#include <rewire/control.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct rw_control rw_control;

typedef struct rw_control_hooks {
    void *sim;
    void (*wake)(void *sim);  /* no longer held or paused: run slices again */
    void (*stop)(void *sim);  /* finish at the next slice boundary, as SIGINT */
    /* Fill state (STARTING, RUNNING, STOPPING or DONE), t, duration, phase, wall. */
    void (*status)(void *sim, rewire_control_status *out);
} rw_control_hooks;

/* The same signature as rewire_intervention_v1.set_param. */
typedef int (*rw_live_setter)(void *instance, uint32_t index, rewire_param_value value);

rw_control *rw_control_new(void);
void rw_control_free(rw_control *c);
void rw_control_set_hooks(rw_control *c, const rw_control_hooks *hooks);

/* Held by a consumer or paused: the kernel must not run a slice. */
bool rw_control_blocked(const rw_control *c);

/* Register one live parameter: `spec` (lives as long as the run), its index in the
 * instance's schema, the weight dimension for REWIRE_DIM_WEIGHT parameters, and the
 * instance's setter; `host` is the instance's host (its set_error message explains a
 * refusal).  0, REWIRE_EINVAL (not a settable type, or already registered), or
 * REWIRE_ENOMEM. */
int rw_control_register_live(rw_control *c, const char *target, const rewire_param_spec *spec,
                             uint32_t index, rewire_dim weight_dim, rw_live_setter set,
                             void *instance, const rewire_host *host);

/* Set a live parameter from text.  0, or a rewire_status with a message in err. */
int rw_control_set(rw_control *c, const char *target, const char *param, const char *value,
                   char *err, size_t errlen);

/* Backpressure and run state, by the instance asking (`who` keys its holds). */
void rw_control_hold(rw_control *c, const void *who);
void rw_control_release(rw_control *c, const void *who);
/* Drop every hold `who` still has (its instance is going away). */
void rw_control_release_all(rw_control *c, const void *who);
int rw_control_pause(rw_control *c);
int rw_control_resume(rw_control *c);
int rw_control_stop(rw_control *c);
void rw_control_status(const rw_control *c, rewire_control_status *out);

/* The extension table handed out by host->get_extension("rewire.control/1"). */
const rewire_control_v1 *rw_control_extension(void);

#endif
