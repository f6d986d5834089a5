/* summary: summary.json at the end of the run -- what ran, how long, how much.
 *
 *   rewire_version, experiment {name, file}, seed, dt_ms, simulated_time_s, wall_time_s,
 *   interrupted, synaptic_events, populations {NAME: {model, size, spikes, rate_hz}},
 *   projections {NAME: {pre, post, synapses, mean_weight, rule}}, plugins [{kind, name,
 *   version, path}], channels [NAME...]
 *
 * It consumes no records (channels lists every channel of the run) and prints nothing:
 * the CLI prints the human summary.  JSON is built with libjansson, which only this
 * plugin links.
 */
#include <jansson.h>
#include <math.h>
#include <rewire/plugin.h>
#include <stdlib.h>
#include <string.h>

typedef struct summary {
    const rewire_host *host;
    const rewire_run_info *run; /* lives until destroy */
} summary;

static int summary_create(const rewire_host *host, const rewire_param_value *params,
                          void **instance) {
    (void)params;
    summary *s = calloc(1, sizeof *s);
    if (!s) {
        host->set_error(host, "out of memory");
        return REWIRE_ENOMEM;
    }
    s->host = host;
    *instance = s;
    return REWIRE_OK;
}

static int summary_start(void *instance, const rewire_run_info *run, const bool *subscribed) {
    (void)subscribed;
    ((summary *)instance)->run = run;
    return REWIRE_OK;
}

static int summary_write(void *instance, const rewire_batch *batch) {
    (void)instance;
    (void)batch;
    return REWIRE_OK; /* records are not summarised; the run report carries the counts */
}

/* JSON has no NaN or infinity (a rate over zero simulated time): write null. */
static json_t *real_or_null(double x) { return isfinite(x) ? json_real(x) : json_null(); }
static json_t *string_or_null(const char *s) { return s ? json_string(s) : json_null(); }
static json_t *count(uint64_t n) {
    return json_integer(n > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)n);
}

/* json_object_set_new/json_array_append_new take ownership even on failure; a NULL
 * value (out of memory) makes them fail, which the final NULL check of the dump sees. */
static json_t *build(const rewire_run_info *run, const rewire_run_report *rep) {
    json_t *root = json_object();
    if (!root) return NULL;
    bool ok = true;
#define SET(obj, key, value) ok &= json_object_set_new((obj), (key), (value)) == 0
    SET(root, "rewire_version", string_or_null(run->rewire_version));
    json_t *experiment = json_object();
    if (experiment) {
        SET(experiment, "name", string_or_null(run->experiment_name));
        SET(experiment, "file", string_or_null(run->experiment_file));
    }
    SET(root, "experiment", experiment);
    SET(root, "seed", count(run->seed));
    SET(root, "dt_ms", real_or_null(run->dt));
    SET(root, "simulated_time_s", real_or_null(rep->simulated_time / 1000.0));
    SET(root, "wall_time_s", real_or_null(rep->wall_time));
    SET(root, "interrupted", json_boolean(rep->interrupted));
    SET(root, "synaptic_events", count(rep->synaptic_events));

    json_t *pops = json_object();
    for (uint32_t i = 0; pops && i < rep->n_populations; i++) {
        const rewire_population_report *p = &rep->populations[i];
        json_t *o = json_object();
        if (o) {
            SET(o, "model", string_or_null(p->model));
            SET(o, "size", json_integer(p->size));
            SET(o, "spikes", count(p->spikes));
            SET(o, "rate_hz", real_or_null(p->rate));
        }
        SET(pops, p->name ? p->name : "", o);
    }
    SET(root, "populations", pops);

    json_t *projs = json_object();
    for (uint32_t i = 0; projs && i < rep->n_projections; i++) {
        const rewire_projection_report *p = &rep->projections[i];
        json_t *o = json_object();
        if (o) {
            SET(o, "pre", string_or_null(p->pre));
            SET(o, "post", string_or_null(p->post));
            SET(o, "synapses", count(p->synapses));
            SET(o, "mean_weight", real_or_null(p->mean_weight));
            SET(o, "rule", string_or_null(p->rule));
        }
        SET(projs, p->name ? p->name : "", o);
    }
    SET(root, "projections", projs);

    json_t *plugins = json_array();
    for (uint32_t i = 0; plugins && i < run->n_plugins; i++) {
        const rewire_plugin_use *u = &run->plugins[i];
        json_t *o = json_object();
        if (o) {
            SET(o, "kind", string_or_null(u->kind));
            SET(o, "name", string_or_null(u->name));
            SET(o, "version", string_or_null(u->version));
            SET(o, "path", string_or_null(u->path));
        }
        ok &= json_array_append_new(plugins, o) == 0;
    }
    SET(root, "plugins", plugins);

    json_t *channels = json_array();
    for (uint32_t i = 0; channels && i < run->n_channels; i++)
        ok &= json_array_append_new(channels, string_or_null(run->channels[i].name)) == 0;
    SET(root, "channels", channels);
#undef SET
    if (!ok) {
        json_decref(root);
        return NULL;
    }
    return root;
}

static int summary_finish(void *instance, const rewire_run_report *report) {
    summary *s = instance;
    const rewire_host *h = s->host;
    if (!s->run) {
        h->set_error(h, "finish without start");
        return REWIRE_ESTATE;
    }
    json_t *root = build(s->run, report);
    /* 15 significant digits: 0.1 stays "0.1" instead of 0.10000000000000001. */
    char *text = root ? json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(15)) : NULL;
    json_decref(root);
    if (!text) {
        h->set_error(h, "out of memory while building summary.json");
        return REWIRE_ENOMEM;
    }
    rewire_file *f = NULL;
    int rc = h->file_open(h, "summary.json", &f);
    if (rc == REWIRE_OK) {
        size_t len = strlen(text);
        text[len] = '\n'; /* a final newline, replacing the terminator we no longer need */
        rc = h->file_write(h, f, text, len + 1);
        int rc_close = h->file_close(h, f);
        if (rc == REWIRE_OK) rc = rc_close;
    }
    free(text);
    return rc;
}

static void summary_destroy(void *instance) { free(instance); }

static const rewire_output_v1 summary_functions = {
    .struct_size = sizeof(rewire_output_v1),
    .create = summary_create,
    .start = summary_start,
    .write = summary_write,
    .phase = NULL,
    .finish = summary_finish,
    .destroy = summary_destroy,
};

static const rewire_plugin_descriptor summary_descriptor = {
    .struct_size = sizeof(rewire_plugin_descriptor),
    .abi_major = REWIRE_ABI_MAJOR,
    .abi_minor = REWIRE_ABI_MINOR,
    .kind = REWIRE_KIND_OUTPUT,
    .name = "summary",
    .version = "1.0.0",
    .summary = "summary.json: experiment, seed, times, spike counts and rates, weights, plugins",
    .params = NULL,
    .n_params = 0,
    .functions = &summary_functions,
    .functions_size = sizeof summary_functions,
};

REWIRE_PLUGIN_ENTRY(&summary_descriptor)
