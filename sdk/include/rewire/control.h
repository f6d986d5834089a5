/* Host extension "rewire.control/1": run control for output plugins that serve other
 * processes (the `stream` output's control channel and backpressure).
 *
 *     const rewire_control_v1 *ctl = host->get_extension(host, REWIRE_CONTROL_EXTENSION);
 *     if (ctl) ctl->hold(host);   // NULL from a host without it
 *
 * Holding, pausing and stopping act between slices: the kernel never stops mid-slice.
 * While the run is held or paused the loop keeps serving sockets, timers and signals;
 * only the simulation waits.
 *
 * Threads: all functions [loop].
 */
#ifndef REWIRE_CONTROL_H
#define REWIRE_CONTROL_H

#include "host.h"
#include "params.h"

#ifdef __cplusplus
extern "C" {
#endif

#define REWIRE_CONTROL_EXTENSION "rewire.control/1"

typedef enum rewire_run_state {
    REWIRE_RUN_STARTING = 0,  /* outputs created, no slice run yet */
    REWIRE_RUN_RUNNING = 1,
    REWIRE_RUN_PAUSED = 2,    /* pause() until resume() */
    REWIRE_RUN_STOPPING = 3,  /* stop() or a signal: the run is finishing */
    REWIRE_RUN_DONE = 4
} rewire_run_state;

typedef struct rewire_control_status {
    uint32_t struct_size;
    rewire_run_state state;
    double t;                 /* ms simulated so far */
    double duration;          /* ms, the whole timeline */
    const char *phase;        /* the current phase's name, "" before the first */
    uint32_t holds;           /* hold() calls not yet released, all instances together */
    bool held;                /* holds > 0: the kernel is waiting for a consumer */
    double wall;              /* s since the run started */
} rewire_control_status;

/* One parameter that may be changed while running (an intervention's parameter flagged
 * REWIRE_PARAM_LIVE), as control.live_param lists them. */
typedef struct rewire_live_param_info {
    uint32_t struct_size;
    const char *target;       /* the instance's label (e.g. the intervention's name) */
    const char *param;        /* the parameter's name */
    const rewire_param_spec *spec;
} rewire_live_param_info;

typedef struct rewire_control_v1 {
    uint32_t struct_size;
    /* Backpressure.  While any hold is outstanding the kernel runs no further slice;
     * each hold() is undone by one release() from the same instance (a host also
     * releases what an instance still holds when it is destroyed). */
    void (*hold)(const rewire_host *h);
    void (*release)(const rewire_host *h);
    /* Pause and resume the simulation (REWIRE_ESTATE when already so or finishing). */
    int (*pause)(const rewire_host *h);
    int (*resume)(const rewire_host *h);
    /* Stop as SIGINT does: the run finishes at the next slice boundary, outputs are
     * flushed and closed, the exit status is 130. */
    int (*stop)(const rewire_host *h);
    int (*status)(const rewire_host *h, rewire_control_status *out);
    /* Set `param` of the live-settable instance `target` from text, checked as the
     * experiment file's value would be ("0.5", "20 Hz", "true", a choice).  0, or
     * REWIRE_ENOENT (no such live parameter) / REWIRE_EINVAL (bad value) / the
     * instance's own error, with a message for the user in err (may be NULL). */
    int (*set_live_param)(const rewire_host *h, const char *target, const char *param,
                          const char *value, char *err, size_t errlen);
    /* The live parameters, by index; REWIRE_ENOENT past the end. */
    int (*live_param)(const rewire_host *h, uint32_t index, rewire_live_param_info *out);
} rewire_control_v1;

#ifdef __cplusplus
}
#endif
#endif
