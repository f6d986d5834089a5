/* A host for driving one intervention plugin through its function table, as rewire's
 * timeline does (begin, on_slice after each slice of an open window, end), on
 * populations and projections the test builds by hand.
 *
 * The plugin is the built shared object, opened with dlopen (argv[1]): the tests see what
 * ships.  It is not loaded through rewire's registry, whose parameter checks are tested
 * elsewhere; create() gets parameter values the way the host hands them over (schema
 * order, internal units).  Everything is static: include this header once. */
#ifndef RW_TEST_INTERVENTION_HARNESS_H
#define RW_TEST_INTERVENTION_HARNESS_H

#include <dlfcn.h>
#include <rewire/plugin.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

enum { MAX_PARTS = 4, MAX_PARAMS = 16 };

typedef struct test_host {
    rewire_host host; /* first member: plugins get &th.host */
    char error[1024]; /* the last set_error() message */
    rewire_population_view pops[MAX_PARTS];
    uint32_t n_pops;
    rewire_projection_view *projs[MAX_PARTS];
    uint32_t n_projs;
    int64_t now;
} test_host;

static test_host th;
static const rewire_plugin_descriptor *desc;
static const rewire_intervention_v1 *fn;

static inline void th_log(const rewire_host *h, rewire_log_level level, const char *fmt, ...) {
    (void)h;
    va_list ap;
    va_start(ap, fmt);
    printf("# [%d] ", (int)level);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
}

static inline void th_set_error(const rewire_host *h, const char *fmt, ...) {
    test_host *t = (test_host *)h;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->error, sizeof t->error, fmt, ap);
    va_end(ap);
}

static inline const void *th_get_extension(const rewire_host *h, const char *id) {
    (void)h, (void)id;
    return NULL;
}

static inline double th_random_uniform(const rewire_host *h, uint64_t entity, uint64_t counter) {
    (void)h;
    uint64_t z = entity * 0x9E3779B97F4A7C15ull + counter + 0x632BE59BD9B4E019ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-53;
}

static inline int th_population_find(const rewire_host *h, const char *name,
                              rewire_population_view *out) {
    const test_host *t = (const test_host *)h;
    for (uint32_t k = 0; k < t->n_pops; k++)
        if (strcmp(t->pops[k].name, name) == 0) {
            *out = t->pops[k];
            return REWIRE_OK;
        }
    return REWIRE_ENOENT;
}

static inline int th_projection_find(const rewire_host *h, const char *name,
                              rewire_projection_view **out) {
    const test_host *t = (const test_host *)h;
    for (uint32_t k = 0; k < t->n_projs; k++)
        if (strcmp(t->projs[k]->name, name) == 0) {
            *out = t->projs[k];
            return REWIRE_OK;
        }
    return REWIRE_ENOENT;
}

static inline int th_population_at(const rewire_host *h, uint32_t index, rewire_population_view *out) {
    const test_host *t = (const test_host *)h;
    if (index >= t->n_pops) return REWIRE_ENOENT;
    *out = t->pops[index];
    return REWIRE_OK;
}

static inline int th_projection_at(const rewire_host *h, uint32_t index, rewire_projection_view **out) {
    const test_host *t = (const test_host *)h;
    if (index >= t->n_projs) return REWIRE_ENOENT;
    *out = t->projs[index];
    return REWIRE_OK;
}

static inline int64_t th_now(const rewire_host *h) { return ((const test_host *)h)->now; }

static inline double th_day_length(const rewire_host *h) {
    (void)h;
    return 0.0;
}

/* A fresh host with no network parts. */
static inline void th_reset(void) {
    memset(&th, 0, sizeof th);
    th.host = (rewire_host){.struct_size = sizeof(rewire_host), .abi_major = REWIRE_ABI_MAJOR,
                            .abi_minor = REWIRE_ABI_MINOR, .host_version = "test",
                            .instance_name = "test", .log = th_log, .set_error = th_set_error,
                            .get_extension = th_get_extension,
                            .random_uniform = th_random_uniform,
                            .population_find = th_population_find,
                            .projection_find = th_projection_find, .now = th_now,
                            .day_length = th_day_length, .population_at = th_population_at,
                            .projection_at = th_projection_at};
}

static inline void th_add_projection(rewire_projection_view *v) { th.projs[th.n_projs++] = v; }
static inline void th_add_population(rewire_population_view v) { th.pops[th.n_pops++] = v; }

/* Open the plugin at `path`; exits (TAP bail out) when it is not an intervention. */
static inline void th_load(const char *path) {
    void *so = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!so) {
        printf("Bail out! cannot open %s: %s\n", path, dlerror());
        exit(1);
    }
    /* dlsym returns a data pointer; the cast through a union avoids -Wpedantic. */
    union {
        void *p;
        rewire_plugin_entry_fn f;
    } entry = {.p = dlsym(so, REWIRE_ENTRY_SYMBOL)};
    if (!entry.p) {
        printf("Bail out! %s exports no %s\n", path, REWIRE_ENTRY_SYMBOL);
        exit(1);
    }
    const rewire_plugin_table *table = entry.f();
    desc = table->plugins[0];
    if (desc->kind != REWIRE_KIND_INTERVENTION) {
        printf("Bail out! %s is not an intervention\n", path);
        exit(1);
    }
    fn = desc->functions;
    /* The handle stays open until exit: the descriptor points into it. */
}

static inline int param_index(const char *name) {
    for (uint32_t i = 0; i < desc->n_params; i++)
        if (strcmp(desc->params[i].name, name) == 0) return (int)i;
    printf("Bail out! %s has no parameter '%s'\n", desc->name, name);
    exit(1);
}

static inline const rewire_param_spec *param_spec(const char *name) {
    return &desc->params[param_index(name)];
}

typedef struct params {
    rewire_param_value v[MAX_PARAMS];
} params;

/* The schema's defaults (selections and name lists: none). */
static inline params default_params(void) {
    params p;
    memset(&p, 0, sizeof p);
    for (uint32_t i = 0; i < desc->n_params && i < MAX_PARAMS; i++) {
        const rewire_param_spec *s = &desc->params[i];
        if (s->type == REWIRE_PARAM_REAL) p.v[i].real = s->def_real;
        else if (s->type == REWIRE_PARAM_INT) p.v[i].integer = s->def_int;
        else if (s->type == REWIRE_PARAM_BOOL) p.v[i].boolean = s->def_int != 0;
    }
    return p;
}

static inline void set_real(params *p, const char *name, double x) { p->v[param_index(name)].real = x; }
static inline void set_names(params *p, const char *name, const rewire_name_list *l) {
    p->v[param_index(name)].names = l;
}
static inline void set_selection(params *p, const char *name, const rewire_selection *s) {
    p->v[param_index(name)].selection = s;
}

static void *create_or_null(const params *p) {
    void *inst = NULL;
    th.error[0] = '\0';
    const int rc = fn->create(&th.host, p->v, &inst);
    if (rc != REWIRE_OK) {
        printf("# create failed (%d): %s\n", rc, th.error);
        return NULL;
    }
    return inst;
}

/* ---- a hand-built projection: all-to-all n_pre x n_post, CSR by source ---- */

enum { TP_MAX_PRE = 8, TP_MAX_POST = 8, TP_MAX_SYN = TP_MAX_PRE * TP_MAX_POST };

typedef struct test_proj {
    uint32_t row_offsets[TP_MAX_PRE + 1], targets[TP_MAX_SYN], col_offsets[TP_MAX_POST + 1],
        col_synapses[TP_MAX_SYN], row_lengths[TP_MAX_PRE];
    uint16_t delays[TP_MAX_SYN];
    float weights[TP_MAX_SYN];
    rewire_projection_view view;
} test_proj;

/* Synapse s = n_post i + j goes from i to j.  With `post_index`, the view has the
 * post index (col_offsets); with `room`, every row has capacity n_post but only its
 * first n_post - 1 synapses are in use (a structural projection: row_lengths). */
static inline void test_proj_build(test_proj *p, const char *name, uint32_t n_pre, uint32_t n_post,
                            bool post_index, bool room) {
    memset(p, 0, sizeof *p);
    for (uint32_t i = 0; i <= n_pre; i++) p->row_offsets[i] = n_post * i;
    for (uint32_t s = 0; s < n_pre * n_post; s++) {
        p->targets[s] = s % n_post;
        p->weights[s] = 1.0f;
        p->delays[s] = 1;
    }
    for (uint32_t i = 0; i < n_pre; i++) p->row_lengths[i] = room ? n_post - 1 : n_post;
    uint32_t k = 0;
    for (uint32_t j = 0; j < n_post; j++) {
        p->col_offsets[j] = k;
        for (uint32_t i = 0; i < n_pre; i++)
            if (j < p->row_lengths[i]) p->col_synapses[k++] = n_post * i + j;
    }
    p->col_offsets[n_post] = k;
    p->view = (rewire_projection_view){
        .struct_size = sizeof(rewire_projection_view), .name = name, .pre_population = "pre",
        .post_population = "post", .n_pre = n_pre, .n_post = n_post, .n_syn = n_pre * n_post,
        .row_offsets = p->row_offsets, .targets = p->targets, .weights = p->weights,
        .delays = p->delays, .col_offsets = post_index ? p->col_offsets : NULL,
        .col_synapses = post_index ? p->col_synapses : NULL, .dt = 0.1,
        .plasticity_gain = 1.0f, .row_lengths = room ? p->row_lengths : NULL};
}

/* Is synapse s of p in use? */
static inline bool test_proj_used(const test_proj *p, uint32_t s) {
    const uint32_t n_post = p->view.n_post, i = s / n_post;
    return s % n_post < p->row_lengths[i];
}

#endif
