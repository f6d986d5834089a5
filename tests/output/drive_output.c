/* drive_output: run an output plugin through a synthetic run without the kernel, with
 * what the core does not yet send (injury and intervention markers, ABI 1.2
 * timeline_event), so tests can check how the hdf5 and plot outputs store and draw them.
 *
 *   drive_output PLUGIN.so OUT_DIR [name=value ...]
 *
 * The run: 400 ms in two phases (0-200, 200-400), dt 0.1 ms, channels
 *   spikes  population "cells" (100 neurons): neuron k fires at (3 + 7k) mod 20 ms and
 *           every 20 ms after: 20 spikes each, 2000 in all
 *   metric  "recovery": index 0 = t/400, index 1 = 1 - t/400, every 10 ms
 * and timeline events: injury "stroke" (plugin lesion) at 150 ms, intervention "cimt"
 * window 0 open 250-350 ms.  Exit status 0 when every hook returned 0; messages on
 * stderr.  The fake host writes files under OUT_DIR with stdio. */
#include <dlfcn.h>
#include <rewire/plugin.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rewire_file {
    FILE *fp;
};

static const char *out_dir;
static char last_error[1024];

static void h_log(const rewire_host *h, rewire_log_level level, const char *fmt, ...) {
    (void)h;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "[%d] ", (int)level);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}
static void h_set_error(const rewire_host *h, const char *fmt, ...) {
    (void)h;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
}
static const void *h_get_extension(const rewire_host *h, const char *id) {
    (void)h, (void)id;
    return NULL;
}
static const char *h_output_dir(const rewire_host *h) {
    (void)h;
    return out_dir;
}
static int h_file_open(const rewire_host *h, const char *rel, rewire_file **out) {
    (void)h;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", out_dir, rel);
    rewire_file *f = malloc(sizeof *f);
    if (!f || !(f->fp = fopen(path, "wb"))) {
        free(f);
        snprintf(last_error, sizeof last_error, "cannot create '%.900s'", path);
        return REWIRE_EIO;
    }
    *out = f;
    return 0;
}
static int h_file_write(const rewire_host *h, rewire_file *f, const void *buf, size_t n) {
    (void)h;
    return fwrite(buf, 1, n, f->fp) == n ? 0 : REWIRE_EIO;
}
static int h_file_pwrite(const rewire_host *h, rewire_file *f, const void *buf, size_t n,
                         uint64_t off) {
    long pos = ftell(f->fp);
    if (fseek(f->fp, (long)off, SEEK_SET) != 0) return REWIRE_EIO;
    int rc = h_file_write(h, f, buf, n);
    fseek(f->fp, pos, SEEK_SET);
    return rc;
}
static int h_file_close(const rewire_host *h, rewire_file *f) {
    (void)h;
    int rc = fclose(f->fp) == 0 ? 0 : REWIRE_EIO;
    free(f);
    return rc;
}

/* name=value onto the schema's defaults. */
static int set_param(const rewire_plugin_descriptor *d, rewire_param_value *v, const char *arg) {
    const char *eq = strchr(arg, '=');
    if (!eq) return -1;
    for (uint32_t i = 0; i < d->n_params; i++) {
        const rewire_param_spec *p = &d->params[i];
        if (strlen(p->name) != (size_t)(eq - arg) || strncmp(p->name, arg, (size_t)(eq - arg))) continue;
        const char *s = eq + 1;
        switch (p->type) {
        case REWIRE_PARAM_INT: v[i].integer = atoll(s); return 0;
        case REWIRE_PARAM_REAL: v[i].real = atof(s); return 0;
        case REWIRE_PARAM_BOOL: v[i].boolean = strcmp(s, "true") == 0; return 0;
        case REWIRE_PARAM_STRING: v[i].string = s; return 0;
        case REWIRE_PARAM_ENUM:
            for (int32_t k = 0; p->choices[k]; k++)
                if (strcmp(p->choices[k], s) == 0) return v[i].choice = k, 0;
            return -1;
        default: return -1;
        }
    }
    return -1;
}

#define CALL(what, expr)                                                  \
    do {                                                                  \
        int rc_ = (expr);                                                 \
        if (rc_ != 0) {                                                   \
            fprintf(stderr, "%s failed (%d): %s\n", what, rc_, last_error); \
            return 1;                                                     \
        }                                                                 \
    } while (0)

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: drive_output PLUGIN.so OUT_DIR [name=value ...]\n");
        return 2;
    }
    out_dir = argv[2];
    void *so = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    rewire_plugin_entry_fn entry = so ? (rewire_plugin_entry_fn)dlsym(so, REWIRE_ENTRY_SYMBOL) : NULL;
    if (!entry) {
        fprintf(stderr, "cannot load %s: %s\n", argv[1], dlerror());
        return 2;
    }
    const rewire_plugin_descriptor *d = entry()->plugins[0];
    const rewire_output_v1 *fns = d->functions;
    rewire_param_value values[32] = {0};
    for (uint32_t i = 0; i < d->n_params && i < 32; i++) {
        const rewire_param_spec *p = &d->params[i];
        if (p->type == REWIRE_PARAM_REAL) values[i].real = p->def_real;
        else if (p->type == REWIRE_PARAM_BOOL) values[i].boolean = p->def_int != 0;
        else if (p->type == REWIRE_PARAM_ENUM) values[i].choice = (int32_t)p->def_int;
        else if (p->type == REWIRE_PARAM_STRING) values[i].string = p->def_string;
        else values[i].integer = p->def_int;
    }
    for (int a = 3; a < argc; a++)
        if (set_param(d, values, argv[a])) {
            fprintf(stderr, "bad parameter '%s'\n", argv[a]);
            return 2;
        }

    rewire_host host = {.struct_size = sizeof host, .abi_major = REWIRE_ABI_MAJOR,
                        .abi_minor = REWIRE_ABI_MINOR, .host_version = "drive_output",
                        .instance_name = d->name, .log = h_log, .set_error = h_set_error,
                        .get_extension = h_get_extension, .output_dir = h_output_dir,
                        .file_open = h_file_open, .file_write = h_file_write,
                        .file_pwrite = h_file_pwrite, .file_close = h_file_close};
    rewire_channel_info ch[2] = {
        {sizeof ch[0], 0, "cells_spikes", REWIRE_CHANNEL_SPIKES, "cells", NULL, "", 0, 100},
        {sizeof ch[1], 1, "recovery", REWIRE_CHANNEL_METRIC, "cells", NULL, "", 10, 100}};
    rewire_plugin_use uses[1] = {{"output", d->name, d->version, argv[1]}};
    rewire_run_info run = {sizeof run, "test", "drive", "drive.yaml", "experiment: {name: drive}\n",
                           "", 11, 0.1, 400, 2, ch, 1, uses};
    bool subscribed[2] = {true, true};
    void *inst = NULL;
    CALL("create", fns->create(&host, values, &inst));
    CALL("start", fns->start(inst, &run, subscribed));

    const char *phase_names[2] = {"before", "after"};
    for (uint32_t ph = 0; ph < 2; ph++) {
        double t0 = 200.0 * ph, t1 = t0 + 200;
        rewire_phase_event pe = {sizeof pe, phase_names[ph], ph, t0, t1, false};
        CALL("phase start", fns->phase ? fns->phase(inst, &pe) : 0);
        for (double t = t0; t < t1; t += 10) { /* one slice of 10 ms */
            double times[1000], values2[2];
            uint32_t idx[1000], cidx[2] = {0, 1};
            size_t n = 0;
            for (int o = 0; o < 10; o++) /* in time order, then neuron order */
                for (uint32_t k = 0; k < 100; k++)
                    if ((3 + 7 * k) % 20 == (uint32_t)(t + o) % 20) {
                        times[n] = t + o;
                        idx[n++] = k;
                    }
            rewire_batch b = {sizeof b, 0, n, times, idx, NULL, NULL};
            CALL("write spikes", fns->write(inst, &b));
            double mt[2] = {t, t};
            values2[0] = t / 400;
            values2[1] = 1 - t / 400;
            rewire_batch m = {sizeof m, 1, 2, mt, cidx, NULL, values2};
            CALL("write metric", fns->write(inst, &m));
            rewire_timeline_event ev = {sizeof ev, 0, NULL, NULL, t, 0};
            if (t == 150) ev = (rewire_timeline_event){sizeof ev, REWIRE_EVENT_INJURY, "lesion", "stroke", 150, 0};
            if (t == 250) ev = (rewire_timeline_event){sizeof ev, REWIRE_EVENT_INTERVENTION_BEGIN, "cimt", "cimt", 250, 0};
            if (t == 350) ev = (rewire_timeline_event){sizeof ev, REWIRE_EVENT_INTERVENTION_END, "cimt", "cimt", 350, 0};
            if (ev.kind && fns->timeline_event) CALL("timeline_event", fns->timeline_event(inst, &ev));
        }
        pe.is_end = true;
        CALL("phase end", fns->phase ? fns->phase(inst, &pe) : 0);
    }
    rewire_run_report report = {sizeof report, false, 400, 0.5, 0, 0, NULL, 0, NULL};
    CALL("finish", fns->finish(inst, &report));
    fns->destroy(inst);
    /* Never dlclose: rewire keeps plugins loaded (and leak reports keep their symbols). */
    (void)so;
    return 0;
}
