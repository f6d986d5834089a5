/* A small persistent thread pool for the kernel's parallel phases.
 *
 * rw_pool_run(pool, fn, ctx) calls fn(ctx, t) once for every t in [0, n_threads), on
 * the calling thread or a worker (whichever claims share t first: on a busy machine
 * the caller does the shares of workers not yet running), and returns when all are
 * done (a full barrier: every write of every call is visible afterwards).  Workers
 * spin a little for the next job (the kernel dispatches a few jobs per time step, a
 * few microseconds apart), then sleep on a condition variable, so an idle pool costs
 * nothing.  Nothing is allocated and no lock is taken while a job runs. */
#ifndef RW_POOL_H
#define RW_POOL_H

#include <stdint.h>

typedef struct rw_pool rw_pool;
typedef void (*rw_pool_fn)(void *ctx, uint32_t thread);

/* n_threads >= 1 (1: no workers, rw_pool_run calls fn directly).  NULL when out of
 * memory or a thread could not be started. */
rw_pool *rw_pool_new(uint32_t n_threads);
void rw_pool_free(rw_pool *pool);
uint32_t rw_pool_threads(const rw_pool *pool);
void rw_pool_run(rw_pool *pool, rw_pool_fn fn, void *ctx);

/* The processors this process may use (at least 1). */
uint32_t rw_available_threads(void);

#endif
