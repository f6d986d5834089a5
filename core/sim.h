/* Running an experiment: the network, plugin instances and outputs wired together on a
 * libuv loop, with the timeline scheduler advancing the kernel slice by slice. */
#ifndef RW_SIM_H
#define RW_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "diag.h"
#include "model.h"

typedef struct rw_run_options {
    const char *out_dir;       /* created if missing */
    bool quiet;                /* no summary on stdout, no info logs */
    bool progress;             /* progress line on stderr (the CLI sets it for a terminal) */
    int64_t max_slice_steps;   /* 0: the minimum delay; smaller slices give identical results */
    uint32_t threads;          /* kernel threads; 0: every processor available */
} rw_run_options;

/* Exit status of a run: 0 done; 1 runtime failure (an output could not write, a plugin
 * failed mid-run); 2 the experiment cannot be built (errors in d); 128 + signal when
 * interrupted by SIGINT/SIGTERM (outputs flushed and closed first). */
int rw_run(rw_experiment *e, const rw_run_options *o, rw_diag *d);

#endif
