/* The kernel's thread pool (pool.h).
 *
 * A job is published by bumping a generation counter; the caller and the workers then
 * claim its shares one at a time (an atomic counter next to the generation) and count
 * `done` up; the caller returns when every share is done.  Waiting is a spin (the next job of a time step comes within
 * microseconds) that turns into sleeping on a condition variable for a worker, and into
 * sched_yield for the caller (so an oversubscribed machine still makes progress).
 * `sleepers` and `gen` are sequentially consistent: a worker that registers as a
 * sleeper either sees the new generation or is seen by the publisher, which then
 * broadcasts under the mutex the sleeper holds until it waits, so no wake-up is lost. */
#include "pool.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>
#include <uv.h>

#define SPIN_LIMIT 4000 /* pauses before a worker sleeps / the caller yields */

typedef struct rw_worker {
    struct rw_pool *pool;
    pthread_t thread;
} rw_worker;

struct rw_pool {
    uint32_t n_threads;
    rw_worker *workers; /* [n_threads - 1] */
    uint32_t n_started;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    /* The job: generation in the high 32 bits, the next share to claim in the low. */
    _Alignas(64) _Atomic uint64_t claim;
    _Alignas(64) _Atomic uint32_t done;     /* shares finished */
    _Atomic uint32_t sleepers;
    rw_pool_fn fn;
    void *ctx;
    bool stop;
};

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

static inline uint32_t gen_of(uint64_t c) { return (uint32_t)(c >> 32); }

/* Claim and run shares of generation g until none is left.  A successful claim keeps
 * the job from completing, so fn and ctx (read after it) are still g's. */
static void run_shares(rw_pool *p, uint32_t g) {
    uint64_t c = atomic_load(&p->claim);
    for (;;) {
        if (gen_of(c) != g || (uint32_t)c >= p->n_threads) return;
        if (!atomic_compare_exchange_weak(&p->claim, &c, c + 1)) continue;
        p->fn(p->ctx, (uint32_t)c);
        atomic_fetch_add_explicit(&p->done, 1, memory_order_release);
        c = atomic_load(&p->claim);
    }
}

/* Wait until the generation differs from `seen`; return it. */
static uint32_t wait_job(rw_pool *p, uint32_t seen) {
    uint32_t g;
    for (int spins = 0; spins < SPIN_LIMIT; spins++) {
        if ((g = gen_of(atomic_load_explicit(&p->claim, memory_order_acquire))) != seen) return g;
        cpu_relax();
    }
    pthread_mutex_lock(&p->lock);
    atomic_fetch_add(&p->sleepers, 1);
    while ((g = gen_of(atomic_load(&p->claim))) == seen) pthread_cond_wait(&p->wake, &p->lock);
    atomic_fetch_sub(&p->sleepers, 1);
    pthread_mutex_unlock(&p->lock);
    return g;
}

static void *worker_main(void *arg) {
    rw_worker *w = arg;
    rw_pool *p = w->pool;
    uint32_t seen = 0;
    for (;;) {
        seen = wait_job(p, seen);
        if (p->stop) return NULL;
        run_shares(p, seen);
    }
}

/* Start generation g + 1 with no share claimed. */
static uint32_t publish(rw_pool *p) {
    uint32_t g = gen_of(atomic_load(&p->claim)) + 1;
    atomic_store(&p->claim, (uint64_t)g << 32);
    if (atomic_load(&p->sleepers)) {
        pthread_mutex_lock(&p->lock);
        pthread_cond_broadcast(&p->wake);
        pthread_mutex_unlock(&p->lock);
    }
    return g;
}

rw_pool *rw_pool_new(uint32_t n_threads) {
    if (n_threads < 1) n_threads = 1;
    rw_pool *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->n_threads = n_threads;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    if (n_threads == 1) return p;
    p->workers = calloc(n_threads - 1, sizeof *p->workers);
    if (!p->workers) {
        rw_pool_free(p);
        return NULL;
    }
    for (uint32_t t = 1; t < n_threads; t++) {
        rw_worker *w = &p->workers[t - 1];
        w->pool = p;
        if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
            rw_pool_free(p);
            return NULL;
        }
        p->n_started++;
    }
    return p;
}

void rw_pool_free(rw_pool *p) {
    if (!p) return;
    if (p->n_started) {
        p->stop = true;
        publish(p);
        for (uint32_t t = 0; t < p->n_started; t++) pthread_join(p->workers[t].thread, NULL);
    }
    free(p->workers);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->wake);
    free(p);
}

uint32_t rw_pool_threads(const rw_pool *p) { return p ? p->n_threads : 1; }

void rw_pool_run(rw_pool *p, rw_pool_fn fn, void *ctx) {
    if (!p || p->n_threads == 1) {
        fn(ctx, 0);
        return;
    }
    p->fn = fn;
    p->ctx = ctx;
    atomic_store_explicit(&p->done, 0, memory_order_relaxed);
    const uint32_t g = publish(p);
    /* The caller takes shares too: a worker the OS has not scheduled yet costs no wait,
     * its share is simply run here (shares are defined by index, not by thread). */
    run_shares(p, g);
    for (int spins = 0; atomic_load_explicit(&p->done, memory_order_acquire) < p->n_threads;
         spins++) {
        if (spins < SPIN_LIMIT) cpu_relax();
        else sched_yield();
    }
}

uint32_t rw_available_threads(void) {
    unsigned n = uv_available_parallelism();
    return n ? n : 1;
}
