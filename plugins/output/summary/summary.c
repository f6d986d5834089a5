/* summary: summary.json at the end of the run -- what ran, how long, how much.
 *
 *   rewire_version, experiment {name, file}, seed, dt_ms, simulated_time_s, wall_time_s,
 *   interrupted, synaptic_events, populations {NAME: {model, size, spikes, rate_hz}},
 *   projections {NAME: {pre, post, synapses, mean_weight, rule}}, plugins [{kind, name,
 *   version, path}], channels [NAME...],
 *   phases [{name, t_end_ms, metrics {CHANNEL: value}}], metrics {CHANNEL: value}
 *
 * Of the records it keeps only the metric channels it is subscribed to (measures, the
 * synapse count): `phases` holds, per phase, each metric's last sample at or before
 * the phase's end, and `metrics` the last sample of the run.  A sample with one
 * component (index 0) is a number; a vector (winner per neuron, histogram) an array
 * by index; NaN (e.g. a receptive field of a neuron without input) is null.  It
 * prints nothing: the CLI prints the human summary.  JSON is built with libjansson,
 * which only this plugin links.
 *
 * Phases and samples arrive separately (a phase's start is announced before its
 * records are drained), so a sample is assigned to phases when the next sample of its
 * channel (or the end of the run) shows it was the last one before their ends.
 */
#include <jansson.h>
#include <math.h>
#include <rewire/plugin.h>
#include <stdlib.h>
#include <string.h>

/* One value per index of a metric's sample at one time. */
typedef struct sample {
    uint32_t n;
    double *v;
} sample;

typedef struct metric {
    bool on;               /* a subscribed metric channel */
    double t;              /* time of the current sample; NAN before the first */
    sample cur;
    uint32_t cap;
    uint32_t next_phase;   /* the first phase not yet given a value */
    sample *at_phase;      /* [phase_cap]: the value at the end of each phase */
} metric;

typedef struct phase {
    const char *name;      /* the host's string: lives until destroy */
    double t_end;
} phase;

typedef struct summary {
    const rewire_host *host;
    const rewire_run_info *run; /* lives until destroy */
    metric *metrics;            /* [run->n_channels] */
    uint32_t n_phases, phase_cap;
    phase *phases;
    bool oom;
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
    summary *s = instance;
    s->run = run;
    s->metrics = calloc(run->n_channels + 1, sizeof *s->metrics);
    if (!s->metrics) {
        s->host->set_error(s->host, "out of memory");
        return REWIRE_ENOMEM;
    }
    for (uint32_t i = 0; i < run->n_channels; i++) {
        s->metrics[i].on = subscribed[i] && run->channels[i].kind == REWIRE_CHANNEL_METRIC;
        s->metrics[i].t = NAN;
    }
    return REWIRE_OK;
}

static bool copy_sample(sample *to, const sample *from) {
    to->v = malloc((from->n ? from->n : 1) * sizeof *to->v);
    if (!to->v) return false;
    memcpy(to->v, from->v, from->n * sizeof *to->v);
    to->n = from->n;
    return true;
}

/* The current sample of m is the last before every phase ending before t_next
 * (INFINITY: the run is over, every known phase gets it). */
static void assign_phases(summary *s, metric *m, double t_next) {
    while (m->next_phase < s->n_phases && s->phases[m->next_phase].t_end < t_next) {
        if (!isnan(m->t) && m->t <= s->phases[m->next_phase].t_end &&
            !copy_sample(&m->at_phase[m->next_phase], &m->cur))
            s->oom = true;
        m->next_phase++;
    }
}

static bool set_value(metric *m, uint32_t index, double v) {
    if (index >= m->cap) {
        uint32_t cap = m->cap ? m->cap : 16;
        while (cap <= index) cap *= 2;
        double *nv = realloc(m->cur.v, cap * sizeof *nv);
        if (!nv) return false;
        m->cur.v = nv;
        m->cap = cap;
    }
    for (uint32_t i = m->cur.n; i < index; i++) m->cur.v[i] = NAN; /* gaps */
    m->cur.v[index] = v;
    if (index >= m->cur.n) m->cur.n = index + 1;
    return true;
}

static int summary_write(void *instance, const rewire_batch *b) {
    summary *s = instance;
    if (!s->metrics || b->channel >= s->run->n_channels || !s->metrics[b->channel].on)
        return REWIRE_OK; /* other records are not summarised: the run report counts */
    if (b->n && (!b->time || !b->value)) {
        s->host->set_error(s->host, "metric batch without time or value");
        return REWIRE_EINVAL;
    }
    metric *m = &s->metrics[b->channel];
    for (size_t r = 0; r < b->n; r++) {
        if (b->time[r] != m->t) {
            assign_phases(s, m, b->time[r]);
            m->t = b->time[r];
            m->cur.n = 0;
        }
        if (!set_value(m, b->index ? b->index[r] : 0, b->value[r])) {
            s->host->set_error(s->host, "out of memory");
            return REWIRE_ENOMEM;
        }
    }
    return REWIRE_OK;
}

static int summary_phase(void *instance, const rewire_phase_event *ev) {
    summary *s = instance;
    if (!s->metrics) return REWIRE_OK;
    if (ev->is_end) {
        /* An interrupted run ends its phase early. */
        if (ev->index < s->n_phases) s->phases[ev->index].t_end = ev->t_end;
        return REWIRE_OK;
    }
    if (ev->index != s->n_phases) return REWIRE_OK; /* phases are announced in order */
    if (s->n_phases == s->phase_cap) {
        uint32_t cap = s->phase_cap ? 2 * s->phase_cap : 8;
        phase *np = realloc(s->phases, cap * sizeof *np);
        if (!np) return (s->oom = true), REWIRE_ENOMEM;
        s->phases = np;
        for (uint32_t i = 0; i < s->run->n_channels; i++) {
            metric *m = &s->metrics[i];
            if (!m->on) continue;
            sample *na = realloc(m->at_phase, cap * sizeof *na);
            if (!na) return (s->oom = true), REWIRE_ENOMEM;
            memset(na + s->phase_cap, 0, (cap - s->phase_cap) * sizeof *na);
            m->at_phase = na;
        }
        s->phase_cap = cap;
    }
    s->phases[s->n_phases++] = (phase){ev->name, ev->t_end};
    return REWIRE_OK;
}

/* JSON has no NaN or infinity (a rate over zero simulated time): write null. */
static json_t *real_or_null(double x) { return isfinite(x) ? json_real(x) : json_null(); }
static json_t *string_or_null(const char *s) { return s ? json_string(s) : json_null(); }
static json_t *sample_json(const sample *x) {
    if (x->n == 1) return real_or_null(x->v[0]);
    json_t *a = json_array();
    for (uint32_t i = 0; a && i < x->n; i++)
        if (json_array_append_new(a, real_or_null(x->v[i])) != 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

static json_t *count(uint64_t n) {
    return json_integer(n > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)n);
}

/* json_object_set_new/json_array_append_new take ownership even on failure; a NULL
 * value (out of memory) makes them fail, which the final NULL check of the dump sees. */
static json_t *build(const summary *s, const rewire_run_info *run, const rewire_run_report *rep) {
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

    json_t *phases = json_array();
    for (uint32_t p = 0; phases && p < s->n_phases; p++) {
        json_t *o = json_object(), *values = json_object();
        if (o) {
            SET(o, "name", string_or_null(s->phases[p].name));
            SET(o, "t_end_ms", real_or_null(s->phases[p].t_end));
        }
        for (uint32_t i = 0; values && i < run->n_channels; i++)
            if (s->metrics[i].on && s->metrics[i].at_phase[p].v)
                SET(values, run->channels[i].name, sample_json(&s->metrics[i].at_phase[p]));
        if (o) SET(o, "metrics", values);
        else json_decref(values);
        ok &= json_array_append_new(phases, o) == 0;
    }
    SET(root, "phases", phases);
    json_t *final = json_object();
    for (uint32_t i = 0; final && i < run->n_channels; i++)
        if (s->metrics[i].on && !isnan(s->metrics[i].t))
            SET(final, run->channels[i].name, sample_json(&s->metrics[i].cur));
    SET(root, "metrics", final);
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
    for (uint32_t i = 0; i < s->run->n_channels; i++)
        if (s->metrics[i].on) assign_phases(s, &s->metrics[i], INFINITY);
    json_t *root = s->oom ? NULL : build(s, s->run, report);
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

static void summary_destroy(void *instance) {
    summary *s = instance;
    if (!s) return;
    if (s->metrics && s->run)
        for (uint32_t i = 0; i < s->run->n_channels; i++) {
            metric *m = &s->metrics[i];
            free(m->cur.v);
            for (uint32_t p = 0; m->at_phase && p < s->phase_cap; p++) free(m->at_phase[p].v);
            free(m->at_phase);
        }
    free(s->metrics);
    free(s->phases);
    free(s);
}

static const rewire_output_v1 summary_functions = {
    .struct_size = sizeof(rewire_output_v1),
    .create = summary_create,
    .start = summary_start,
    .write = summary_write,
    .phase = summary_phase,
    .finish = summary_finish,
    .destroy = summary_destroy,
};

static const rewire_plugin_descriptor summary_descriptor = {
    .struct_size = sizeof(rewire_plugin_descriptor),
    .abi_major = REWIRE_ABI_MAJOR,
    .abi_minor = REWIRE_ABI_MINOR,
    .kind = REWIRE_KIND_OUTPUT,
    .name = "summary",
    .version = "1.1.0",
    .summary = "summary.json: experiment, seed, times, spike counts and rates, weights, plugins, "
               "metrics per phase",
    .params = NULL,
    .n_params = 0,
    .functions = &summary_functions,
    .functions_size = sizeof summary_functions,
};

REWIRE_PLUGIN_ENTRY(&summary_descriptor)
