/* Driving an intervention plugin through its function table as the host does, without a
 * network: the test owns a few populations (rates, input_gain, drive, spike counts,
 * positions) and one projection "p" (dt 0.1 ms, plasticity_gain 1; found by name and as
 * projection 0), and calls begin / on_slice / end itself.  The
 * plugin's source is compiled into the test program (one plugin per test), so the tests
 * do not depend on the loader.  Header-only, static. */
#ifndef RW_TEST_IV_HARNESS_H
#define RW_TEST_IV_HARNESS_H

#include <rewire/plugin.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

const rewire_plugin_table *rewire_plugin_entry(void);

#define IV_MAX_POPS 4
#define IV_MAX_N 64

typedef struct iv_pop {
    char name[16];
    const char *model;
    uint32_t size;
    double rate[IV_MAX_N];
    float input_gain[IV_MAX_N];
    double drive[IV_MAX_N];
    uint64_t spike_counts[IV_MAX_N];
    float x[IV_MAX_N], y[IV_MAX_N];
    float excitability[IV_MAX_N];
    uint8_t alive[IV_MAX_N];
    bool layout;
} iv_pop;

typedef struct iv_host {
    rewire_host host; /* first: the plugin gets &host */
    char error[512];
    iv_pop pops[IV_MAX_POPS];
    uint32_t n_pops;
    rewire_projection_view proj;
    int64_t now;
    uint64_t rng_salt; /* a different stream per instance, as the real host gives */
} iv_host;

static inline void iv_log(const rewire_host *h, rewire_log_level level, const char *fmt, ...) {
    (void)h;
    va_list ap;
    va_start(ap, fmt);
    printf("# [%d] ", (int)level);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
}

static inline void iv_set_error(const rewire_host *h, const char *fmt, ...) {
    iv_host *f = (iv_host *)h;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->error, sizeof f->error, fmt, ap);
    va_end(ap);
}

static inline double iv_random(const rewire_host *h, uint64_t entity, uint64_t counter) {
    uint64_t z = (entity ^ ((const iv_host *)h)->rng_salt) * 0x9E3779B97F4A7C15u + counter +
                 0x632BE59BD9B4E019u;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-53;
}

static inline int iv_population_find(const rewire_host *h, const char *name, rewire_population_view *out) {
    iv_host *f = (iv_host *)h;
    for (uint32_t i = 0; i < f->n_pops; i++) {
        iv_pop *p = &f->pops[i];
        if (strcmp(p->name, name) != 0) continue;
        const bool source = strcmp(p->model, "poisson") == 0 || strcmp(p->model, "rate_input") == 0;
        const bool rate_model = strcmp(p->model, "rate") == 0 || strcmp(p->model, "rate_input") == 0;
        memset(out, 0, sizeof *out);
        *out = (rewire_population_view){
            .struct_size = sizeof *out, .name = p->name, .model = p->model, .size = p->size,
            .excitability = p->excitability,
            .rate = source || rate_model ? p->rate : NULL,
            .x = p->layout ? p->x : NULL, .y = p->layout ? p->y : NULL,
            .input_gain = source ? p->input_gain : NULL, .drive = source ? p->drive : NULL,
            .spike_counts = rate_model ? NULL : p->spike_counts, .alive = p->alive};
        return REWIRE_OK;
    }
    return REWIRE_ENOENT;
}

static inline int iv_projection_at(const rewire_host *h, uint32_t index, rewire_projection_view **out) {
    iv_host *f = (iv_host *)h;
    if (index > 0 || !f->proj.name) return REWIRE_ENOENT;
    *out = &f->proj;
    return REWIRE_OK;
}

static inline int iv_projection_find(const rewire_host *h, const char *name,
                                     rewire_projection_view **out) {
    iv_host *f = (iv_host *)h;
    if (!f->proj.name || strcmp(name, f->proj.name) != 0) return REWIRE_ENOENT;
    *out = &f->proj;
    return REWIRE_OK;
}

static inline int64_t iv_now(const rewire_host *h) { return ((const iv_host *)h)->now; }
static inline double iv_day_length(const rewire_host *h) { (void)h; return 2000.0; }

/* A host with dt = 0.1 ms and no populations yet. */
static inline void iv_host_init(iv_host *f) {
    memset(f, 0, sizeof *f);
    f->host = (rewire_host){.struct_size = sizeof(rewire_host), .abi_major = REWIRE_ABI_MAJOR,
                            .abi_minor = REWIRE_ABI_MINOR, .host_version = "test",
                            .instance_name = "intervention", .log = iv_log,
                            .set_error = iv_set_error, .random_uniform = iv_random,
                            .population_find = iv_population_find,
                            .projection_find = iv_projection_find, .now = iv_now,
                            .day_length = iv_day_length, .projection_at = iv_projection_at};
    f->proj = (rewire_projection_view){.struct_size = sizeof f->proj, .name = "p", .dt = 0.1,
                                       .plasticity_gain = 1.0f};
}

/* A population of n neurons on a line layout (x = (i + 0.5) / n), rates `rate` Hz,
 * input_gain 1, drive 0. */
static inline iv_pop *iv_add_pop(iv_host *f, const char *name, const char *model, uint32_t n, double rate) {
    iv_pop *p = &f->pops[f->n_pops++];
    snprintf(p->name, sizeof p->name, "%s", name);
    p->model = model;
    p->size = n;
    p->layout = true;
    for (uint32_t i = 0; i < n; i++) {
        p->rate[i] = rate;
        p->input_gain[i] = 1.0f;
        p->drive[i] = 0.0;
        p->x[i] = (float)((i + 0.5) / n);
        p->y[i] = 0.5f;
        p->excitability[i] = 1.0f;
        p->alive[i] = 1;
    }
    return p;
}

/* A selection of indices [first, end) of population p (the storage is the caller's). */
typedef struct iv_sel {
    rewire_selection sel;
    uint32_t index[IV_MAX_N];
} iv_sel;

static inline const rewire_selection *iv_range(iv_sel *s, const iv_pop *p, uint32_t first, uint32_t end) {
    s->sel = (rewire_selection){.name = "", .population = p->name, .population_size = p->size,
                                .n = end - first, .index = s->index};
    for (uint32_t i = first; i < end; i++) s->index[i - first] = i;
    return &s->sel;
}

/* ---- the plugin ---- */

static inline const rewire_plugin_descriptor *iv_descriptor(void) {
    return rewire_plugin_entry()->plugins[0];
}

static inline const rewire_intervention_v1 *iv_fn(void) { return iv_descriptor()->functions; }

typedef struct iv_params {
    rewire_param_value v[16];
} iv_params;

static inline uint32_t iv_param_index(const char *name) {
    const rewire_plugin_descriptor *d = iv_descriptor();
    for (uint32_t i = 0; i < d->n_params; i++)
        if (strcmp(d->params[i].name, name) == 0) return i;
    printf("Bail out! %s has no parameter '%s'\n", d->name, name);
    exit(1);
}

/* The schema's defaults, as the experiment loader fills them (selections NULL). */
static inline iv_params iv_defaults(void) {
    iv_params p;
    memset(&p, 0, sizeof p);
    const rewire_plugin_descriptor *d = iv_descriptor();
    for (uint32_t i = 0; i < d->n_params && i < 16; i++) {
        const rewire_param_spec *s = &d->params[i];
        switch (s->type) {
        case REWIRE_PARAM_REAL: p.v[i].real = s->def_real; break;
        case REWIRE_PARAM_INT: p.v[i].integer = s->def_int; break;
        case REWIRE_PARAM_BOOL: p.v[i].boolean = s->def_int != 0; break;
        case REWIRE_PARAM_ENUM: p.v[i].choice = (int32_t)s->def_int; break;
        case REWIRE_PARAM_STRING: p.v[i].string = s->def_string; break;
        default: break;
        }
    }
    return p;
}

static inline void iv_real(iv_params *p, const char *name, double x) { p->v[iv_param_index(name)].real = x; }
static inline void iv_int(iv_params *p, const char *name, int64_t x) { p->v[iv_param_index(name)].integer = x; }
static inline void iv_choice(iv_params *p, const char *name, int32_t x) { p->v[iv_param_index(name)].choice = x; }
static inline void iv_select(iv_params *p, const char *name, const rewire_selection *s) {
    p->v[iv_param_index(name)].selection = s;
}

/* create(), bailing out when it fails (tests of failures call create themselves). */
static inline void *iv_create(iv_host *f, const iv_params *p) {
    void *inst = NULL;
    int rc = iv_fn()->create(&f->host, p->v, &inst);
    if (rc != REWIRE_OK || !inst) {
        printf("Bail out! create failed (%d): %s\n", rc, f->error);
        exit(1);
    }
    return inst;
}

/* Run steps [first, end) in slices of `slice` steps: on_slice after each (now() moves). */
static inline int iv_run(iv_host *f, void *inst, int64_t first, int64_t end, int64_t slice) {
    for (int64_t s = first; s < end; s += slice) {
        const int64_t e = s + slice < end ? s + slice : end;
        f->now = e;
        int rc = iv_fn()->on_slice ? iv_fn()->on_slice(inst, s, e) : REWIRE_OK;
        if (rc != REWIRE_OK) return rc;
    }
    return REWIRE_OK;
}

static inline int iv_begin(iv_host *f, void *inst, int64_t step) {
    f->now = step;
    return iv_fn()->begin(inst, step);
}

static inline int iv_end(iv_host *f, void *inst, int64_t step) {
    f->now = step;
    return iv_fn()->end(inst, step);
}

/* Give the population's gains and drives distinctive values, as other interventions
 * might have left them (their drives are multiples of 2^-20 Hz), to check they come back
 * bit for bit. */
static inline void iv_scramble(iv_pop *p) {
    for (uint32_t i = 0; i < p->size; i++) {
        p->input_gain[i] = 0.3f + 0.017f * (float)i;
        p->drive[i] = 0.125 * i - 0.75 + 0x1p-20 * (double)(i * 37 % 11);
    }
}

/* Are gains and drives exactly as in `ref`? */
static inline bool iv_same_sources(const iv_pop *p, const iv_pop *ref) {
    return memcmp(p->input_gain, ref->input_gain, sizeof p->input_gain) == 0 &&
           memcmp(p->drive, ref->drive, sizeof p->drive) == 0;
}

#endif
