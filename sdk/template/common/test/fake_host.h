/* A fake rewire host for testing @NAME@'s hooks without running rewire: the plugin is
 * compiled into the test program, which calls its function table directly with a
 * network view it made itself.  Everything is static: include this header once. */
#ifndef FAKE_HOST_H
#define FAKE_HOST_H

#include <rewire/plugin.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const rewire_plugin_table *rewire_plugin_entry(void);

typedef struct fake_host {
    rewire_host host;                  /* first member: the plugin gets &fake.host */
    char error[512];                   /* the last set_error() message */
    rewire_population_view population; /* what population_find() finds, by its name */
    rewire_projection_view projection; /* what projection_find() finds, by its name */
} fake_host;

static int failures;

/* Print "ok - WHAT" or "not ok - WHAT"; main() returns failures != 0. */
#define CHECK(cond, what)                                          \
    do {                                                           \
        bool ok_ = (cond);                                         \
        printf("%s - %s\n", ok_ ? "ok" : "not ok", what);          \
        if (!ok_) failures++;                                      \
    } while (0)

static void fake_log(const rewire_host *h, rewire_log_level level, const char *fmt, ...) {
    (void)h;
    va_list ap;
    va_start(ap, fmt);
    printf("# [%d] ", (int)level);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
}

static void fake_set_error(const rewire_host *h, const char *fmt, ...) {
    fake_host *f = (fake_host *)h;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->error, sizeof f->error, fmt, ap);
    va_end(ap);
}

static const void *fake_get_extension(const rewire_host *h, const char *id) {
    (void)h, (void)id;
    return NULL;
}

/* Counter-based like rewire's own: a hash (splitmix64) of (entity, counter). */
static double fake_random_uniform(const rewire_host *h, uint64_t entity, uint64_t counter) {
    (void)h;
    uint64_t z = entity * 0x9E3779B97F4A7C15u + counter + 0x632BE59BD9B4E019u;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-53;
}

static int fake_population_find(const rewire_host *h, const char *name, rewire_population_view *out) {
    const fake_host *f = (const fake_host *)h;
    if (!f->population.name || strcmp(name, f->population.name) != 0) return REWIRE_ENOENT;
    *out = f->population;
    return REWIRE_OK;
}

static int fake_projection_find(const rewire_host *h, const char *name, rewire_projection_view **out) {
    fake_host *f = (fake_host *)h;
    if (!f->projection.name || strcmp(name, f->projection.name) != 0) return REWIRE_ENOENT;
    *out = &f->projection;
    return REWIRE_OK;
}

static void fake_host_init(fake_host *f) {
    memset(f, 0, sizeof *f);
    f->host = (rewire_host){.struct_size = sizeof(rewire_host), .abi_major = REWIRE_ABI_MAJOR,
                            .abi_minor = REWIRE_ABI_MINOR, .host_version = "fake",
                            .instance_name = "test", .log = fake_log, .set_error = fake_set_error,
                            .get_extension = fake_get_extension,
                            .random_uniform = fake_random_uniform,
                            .population_find = fake_population_find,
                            .projection_find = fake_projection_find};
    f->population.struct_size = sizeof f->population;
    f->projection.struct_size = sizeof f->projection;
}

/* The plugin's descriptor, as rewire finds it. */
static const rewire_plugin_descriptor *plugin_descriptor(void) {
    return rewire_plugin_entry()->plugins[0];
}

/* Parameter values as rewire hands them to create(), in schema order: the defaults
 * (values[] has room for n_params entries) ... */
static void default_params(rewire_param_value *values) {
    const rewire_plugin_descriptor *d = plugin_descriptor();
    for (uint32_t i = 0; i < d->n_params; i++) {
        const rewire_param_spec *p = &d->params[i];
        switch (p->type) {
        case REWIRE_PARAM_REAL: values[i].real = p->def_real; break;
        case REWIRE_PARAM_INT: values[i].integer = p->def_int; break;
        case REWIRE_PARAM_BOOL: values[i].boolean = p->def_int != 0; break;
        case REWIRE_PARAM_ENUM: values[i].choice = (int32_t)p->def_int; break;
        case REWIRE_PARAM_STRING: values[i].string = p->def_string; break;
        /* Selections and name lists have no default: a test sets them itself. */
        default: memset(&values[i], 0, sizeof values[i]); break;
        }
    }
}

/* ... with one of them set by name (in internal units: ms, mV, pA, nS, Hz). */
static void set_param(rewire_param_value *values, const char *name, rewire_param_value v) {
    const rewire_plugin_descriptor *d = plugin_descriptor();
    for (uint32_t i = 0; i < d->n_params; i++)
        if (strcmp(d->params[i].name, name) == 0) {
            values[i] = v;
            return;
        }
    printf("not ok - the plugin has a parameter '%s'\n", name);
    failures++;
}

#endif
