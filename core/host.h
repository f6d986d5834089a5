/* The services table handed to each plugin instance (sdk/include/rewire/host.h),
 * implemented on the run's libuv loop and network. */
#ifndef RW_HOST_H
#define RW_HOST_H

#include <rewire/host.h>
#include <uv.h>

#include "model.h"
#include "network.h"

typedef struct rw_run_ctx {
    uv_loop_t *loop;
    const char *out_dir;
    rw_network *net;              /* NULL until built */
    const rw_experiment *exp;
    rewire_log_level log_level;   /* messages above it are dropped */
    struct rw_control *control;   /* run control (control.h), or NULL */
} rw_run_ctx;

/* A host table for one instance; `stream` keys its random numbers. */
rewire_host *rw_host_new(rw_run_ctx *ctx, const char *instance_name, uint64_t stream);
void rw_host_free(rewire_host *h);
/* The message the plugin left with set_error, or "" (cleared by rw_host_clear_error). */
const char *rw_host_error(const rewire_host *h);
void rw_host_clear_error(rewire_host *h);
/* The run control of the instance's run, or NULL. */
struct rw_control *rw_host_control(const rewire_host *h);

#endif
