/* plot: figures of the run as PNG and/or SVG (cairo), with an index.html linking them.
 *
 *   raster-CHANNEL   spikes: time against neuron, large populations subsampled
 *   rates            every rate channel's population rate over time
 *   weights-CHANNEL  weight histogram, first snapshot against the latest
 *   metric-CHANNEL   a metric channel over time (index 0, or each of the first
 *                    PLOT_MAX_COMPONENTS distinct indices)
 *   state-CHANNEL    sampled state of the first PLOT_MAX_COMPONENTS neurons recorded
 *
 * Every time axis marks phase boundaries (dashed, named), injuries (red lines) and
 * intervention windows (shaded), from the phase and timeline_event hooks.  Figures are
 * drawn in finish() (also for an interrupted run: what was recorded so far) and, with
 * every_phase, at each phase end as STEM-phaseK.
 *
 * Memory is bounded whatever the run's length (store.h): at most max_spikes spikes per
 * spike channel (neurons subsampled to max_neurons rows, then every 2^k-th spike),
 * max_points points per line (neighbours averaged when full), max_points weights per
 * snapshot (every k-th synapse).  Drawing happens on the loop thread, between slices.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../channel_columns.h"
#include "html.h"
#include "plot.h"
#include "render.h"

enum { P_FORMAT, P_EVERY_PHASE, P_WIDTH, P_HEIGHT, P_MAX_SPIKES, P_MAX_NEURONS, P_MAX_POINTS,
       P_BINS, N_PARAMS };
enum { FMT_PNG, FMT_SVG, FMT_BOTH };
static const char *const format_choices[] = {"png", "svg", "both", NULL};

#define BOUNDED(min_, max_) .flags = REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_HAS_MAX, .min = (min_), .max = (max_)
static const rewire_param_spec plot_params[N_PARAMS] = {
    [P_FORMAT] = {.name = "format", .type = REWIRE_PARAM_ENUM, .choices = format_choices,
                  .def_int = FMT_PNG, .doc = "Figure files: png, svg or both."},
    [P_EVERY_PHASE] = {.name = "every_phase", .type = REWIRE_PARAM_BOOL, .def_int = 0,
                       .doc = "Also draw the figures at the end of each phase (STEM-phaseK)."},
    [P_WIDTH] = {.name = "width", .type = REWIRE_PARAM_INT, BOUNDED(200, 8000), .def_int = 900,
                 .doc = "Figure width in pixels (PNG) or points (SVG)."},
    [P_HEIGHT] = {.name = "height", .type = REWIRE_PARAM_INT, BOUNDED(150, 8000), .def_int = 500,
                  .doc = "Figure height in pixels (PNG) or points (SVG)."},
    [P_MAX_SPIKES] = {.name = "max_spikes", .type = REWIRE_PARAM_INT, BOUNDED(100, 10000000),
                      .def_int = 50000, .doc = "Spikes kept per raster (evenly thinned beyond)."},
    [P_MAX_NEURONS] = {.name = "max_neurons", .type = REWIRE_PARAM_INT, BOUNDED(1, 1000000),
                       .def_int = 300, .doc = "Rows of a raster: every k-th neuron of larger populations."},
    [P_MAX_POINTS] = {.name = "max_points", .type = REWIRE_PARAM_INT, BOUNDED(16, 10000000),
                      .def_int = 4000,
                      .doc = "Points kept per line (neighbours averaged beyond) and weights per snapshot."},
    [P_BINS] = {.name = "bins", .type = REWIRE_PARAM_INT, BOUNDED(2, 1000), .def_int = 40,
                .doc = "Bins of the weight histograms."},
};

typedef struct plot {
    const rewire_host *host;
    bool png, svg, every_phase;
    int W, H;
    uint32_t max_spikes, max_neurons, max_points, bins;
    const rewire_run_info *run;
    uint32_t n_channels;
    plot_channel *ch;
    plot_timeline tl;
    figure_list figures;
    bool finished;
} plot;

static int oom(const rewire_host *h) {
    h->set_error(h, "out of memory");
    return REWIRE_ENOMEM;
}

static int plot_create(const rewire_host *host, const rewire_param_value *params, void **instance) {
    plot *p = calloc(1, sizeof *p);
    if (!p) return oom(host);
    p->host = host;
    int fmt = params[P_FORMAT].choice;
    p->png = fmt != FMT_SVG;
    p->svg = fmt != FMT_PNG;
    p->every_phase = params[P_EVERY_PHASE].boolean;
    p->W = (int)params[P_WIDTH].integer;
    p->H = (int)params[P_HEIGHT].integer;
    p->max_spikes = (uint32_t)params[P_MAX_SPIKES].integer;
    p->max_neurons = (uint32_t)params[P_MAX_NEURONS].integer;
    p->max_points = (uint32_t)params[P_MAX_POINTS].integer;
    p->bins = (uint32_t)params[P_BINS].integer;
    *instance = p;
    return REWIRE_OK;
}

static int plot_start(void *instance, const rewire_run_info *run, const bool *subscribed) {
    plot *p = instance;
    p->run = run;
    p->tl.t_end = run->duration;
    p->ch = calloc(run->n_channels ? run->n_channels : 1, sizeof *p->ch);
    if (!p->ch) return oom(p->host);
    p->n_channels = run->n_channels;
    for (uint32_t i = 0; i < run->n_channels; i++) {
        if (!subscribed[i]) continue;
        const rewire_channel_info *info = &run->channels[i];
        plot_channel *c = &p->ch[i];
        channel_columns cols;
        if (!channel_columns_of(info->kind, &cols)) {
            p->host->set_error(p->host, "channel '%s' has a kind (%d) the plot output does not know",
                               info->name, (int)info->kind);
            return REWIRE_ENOTSUP;
        }
        if (!safe_file_stem(info->name) || strlen(info->name) > 100) {
            p->host->set_error(p->host, "channel name '%s' cannot be a file name", info->name);
            return REWIRE_EINVAL;
        }
        c->kind = info->kind;
        c->info = info;
        int bad = 0;
        switch (info->kind) {
        case REWIRE_CHANNEL_SPIKES:
            bad = raster_init(&c->raster, p->max_spikes, info->source_size, p->max_neurons);
            break;
        case REWIRE_CHANNEL_WEIGHTS:
            bad = weights_init(&c->weights, p->max_points, info->source_size);
            break;
        default: /* series are made when their index first appears */
            break;
        }
        if (bad) return oom(p->host);
    }
    return REWIRE_OK;
}

/* The line following `index` (made on first sight), or NULL past PLOT_MAX_COMPONENTS. */
static series *component(plot *p, plot_channel *c, uint32_t index, int *err) {
    for (uint32_t k = 0; k < c->n_comp; k++)
        if (c->comp_index[k] == index) return &c->comp[k];
    if (c->n_comp == PLOT_MAX_COMPONENTS) return NULL;
    if (series_init(&c->comp[c->n_comp], p->max_points)) {
        series_free(&c->comp[c->n_comp]);
        *err = oom(p->host);
        return NULL;
    }
    c->comp_index[c->n_comp] = index;
    return &c->comp[c->n_comp++];
}

static int plot_write(void *instance, const rewire_batch *b) {
    plot *p = instance;
    if (b->channel >= p->n_channels || !p->ch[b->channel].kind) {
        p->host->set_error(p->host, "batch for channel %u, which this output was not given",
                           b->channel);
        return REWIRE_EINVAL;
    }
    plot_channel *c = &p->ch[b->channel];
    if (b->n == 0) return REWIRE_OK;
    bool need_index = c->kind == REWIRE_CHANNEL_SPIKES || c->kind == REWIRE_CHANNEL_STATE;
    bool need_value = c->kind != REWIRE_CHANNEL_SPIKES;
    if (!b->time || (need_index && !b->index) || (need_value && !b->value)) {
        p->host->set_error(p->host, "batch for channel '%s' lacks a column", c->info->name);
        return REWIRE_EINVAL;
    }
    int err = 0;
    for (size_t r = 0; r < b->n && !err; r++) {
        switch (c->kind) {
        case REWIRE_CHANNEL_SPIKES: raster_add(&c->raster, b->time[r], b->index[r]); break;
        case REWIRE_CHANNEL_WEIGHTS: weights_add(&c->weights, b->time[r], b->value[r]); break;
        case REWIRE_CHANNEL_RATE:
        case REWIRE_CHANNEL_METRIC:
        case REWIRE_CHANNEL_STATE: {
            /* Rates have one line; metrics without an index column are component 0. */
            uint32_t idx = c->kind == REWIRE_CHANNEL_RATE || !b->index ? 0 : b->index[r];
            series *s = component(p, c, idx, &err);
            if (s) series_add(s, b->time[r], b->value[r]);
            break;
        }
        }
    }
    return err;
}

/* ---- drawing ---- */

typedef struct lines_job {
    const char *title, *ylabel;
    plot_line lines[16];
    unsigned n;
    const plot_timeline *tl;
} lines_job;

typedef struct channel_job {
    const plot_channel *c;
    const plot_timeline *tl;
    unsigned bins;
} channel_job;

static void fig_raster(cairo_t *cr, double W, double H, const void *arg) {
    const channel_job *j = arg;
    draw_raster(cr, W, H, j->c, j->tl);
}
static void fig_hist(cairo_t *cr, double W, double H, const void *arg) {
    const channel_job *j = arg;
    draw_histogram(cr, W, H, j->c, j->bins);
}
static void fig_lines(cairo_t *cr, double W, double H, const void *arg) {
    const lines_job *j = arg;
    draw_lines(cr, W, H, j->title, j->ylabel, j->lines, j->n, j->tl);
}

/* Draw STEM[SUFFIX] and list it in the index under `section`. */
static int figure(plot *p, const char *stem, const char *suffix, const char *caption,
                  const char *section, figure_fn fn, const void *arg) {
    char name[160];
    snprintf(name, sizeof name, "%s%s", stem, suffix);
    int rc = render_figure(p->host, name, p->png, p->svg, p->W, p->H, fn, arg);
    if (rc == 0 && figures_add(&p->figures, name, caption, section)) rc = oom(p->host);
    return rc;
}

static void unit_label(char *out, size_t n, const char *what, const char *unit) {
    if (unit && unit[0]) snprintf(out, n, "%s (%s)", what, unit);
    else snprintf(out, n, "%s", what);
}

static int draw_all(plot *p, const char *suffix, const char *section) {
    int rc = REWIRE_OK;
    char stem[160], caption[256], title[160], ylabel[96];
    lines_job rates = {.title = "Population rates", .ylabel = "rate (Hz)", .tl = &p->tl};
    for (uint32_t i = 0; i < p->n_channels && rc == 0; i++) {
        plot_channel *c = &p->ch[i];
        const rewire_channel_info *info = c->info;
        channel_job cj = {c, &p->tl, p->bins};
        switch (c->kind) {
        case REWIRE_CHANNEL_SPIKES:
            snprintf(stem, sizeof stem, "raster-%s", info->name);
            snprintf(caption, sizeof caption, "Spike raster of population %s (channel %s)",
                     info->source, info->name);
            rc = figure(p, stem, suffix, caption, section, fig_raster, &cj);
            break;
        case REWIRE_CHANNEL_WEIGHTS:
            if (!c->weights.first.set) break;
            snprintf(stem, sizeof stem, "weights-%s", info->name);
            snprintf(caption, sizeof caption,
                     "Weights of projection %s: first snapshot (t = %g ms) against the latest (t = %g ms)",
                     info->source, c->weights.first.t, c->weights.last.t);
            rc = figure(p, stem, suffix, caption, section, fig_hist, &cj);
            break;
        case REWIRE_CHANNEL_RATE:
            if (c->n_comp && rates.n < 16) {
                rates.lines[rates.n].s = &c->comp[0];
                snprintf(rates.lines[rates.n++].label, sizeof rates.lines[0].label, "%s", info->source);
            }
            break;
        case REWIRE_CHANNEL_METRIC:
        case REWIRE_CHANNEL_STATE: {
            if (!c->n_comp) break;
            bool metric = c->kind == REWIRE_CHANNEL_METRIC;
            lines_job lj = {.title = title, .ylabel = ylabel, .n = c->n_comp, .tl = &p->tl};
            for (uint32_t k = 0; k < c->n_comp; k++) {
                lj.lines[k].s = &c->comp[k];
                snprintf(lj.lines[k].label, sizeof lj.lines[k].label, "%s %u",
                         metric ? "index" : "neuron", c->comp_index[k]);
            }
            snprintf(stem, sizeof stem, "%s-%s", metric ? "metric" : "state", info->name);
            if (metric) snprintf(title, sizeof title, "%s (%s)", info->name, info->source);
            else snprintf(title, sizeof title, "%s: %s of %s", info->name, info->variable, info->source);
            unit_label(ylabel, sizeof ylabel, metric ? info->name : info->variable, info->unit);
            snprintf(caption, sizeof caption, "%s over time%s", title,
                     c->n_comp == PLOT_MAX_COMPONENTS ? " (the first components only)" : "");
            rc = figure(p, stem, suffix, caption, section, fig_lines, &lj);
            break;
        }
        }
    }
    if (rc == 0 && rates.n)
        rc = figure(p, "rates", suffix, "Population rates over time (Hz), per rate channel",
                    section, fig_lines, &rates);
    return rc;
}

static int plot_phase_hook(void *instance, const rewire_phase_event *ev) {
    plot *p = instance;
    timeline_phase(&p->tl, ev);
    if (!ev->is_end || !p->every_phase) return REWIRE_OK;
    char suffix[32], section[96];
    snprintf(suffix, sizeof suffix, "-phase%u", ev->index);
    snprintf(section, sizeof section, "End of phase %u (%s, t = %g ms)", ev->index, ev->name,
             ev->t_end);
    double planned = p->tl.t_end;
    p->tl.t_end = ev->t_end; /* the figure covers the run so far */
    int rc = draw_all(p, suffix, section);
    p->tl.t_end = planned;
    return rc;
}

static int plot_timeline_event(void *instance, const rewire_timeline_event *ev) {
    timeline_event(&((plot *)instance)->tl, ev);
    return REWIRE_OK;
}

static int plot_finish(void *instance, const rewire_run_report *r) {
    plot *p = instance;
    if (p->finished) return REWIRE_OK;
    p->finished = true;
    if (r->simulated_time > 0) p->tl.t_end = r->simulated_time;
    const char *section = r->interrupted ? "End of the run (interrupted)" : "End of the run";
    int rc = draw_all(p, "", section);
    if (rc == 0) {
        char title[160];
        snprintf(title, sizeof title, "rewire: %s (seed %llu)", p->run->experiment_name,
                 (unsigned long long)p->run->seed);
        rc = write_index(p->host, &p->figures, title, section, p->png, p->svg);
    }
    return rc;
}

static void plot_destroy(void *instance) {
    plot *p = instance;
    if (!p) return;
    for (uint32_t i = 0; i < p->n_channels; i++) {
        plot_channel *c = &p->ch[i];
        raster_free(&c->raster);
        weights_free(&c->weights);
        for (uint32_t k = 0; k < c->n_comp; k++) series_free(&c->comp[k]);
    }
    free(p->ch);
    figures_free(&p->figures);
    free(p);
}

static const rewire_output_v1 plot_functions = {
    .struct_size = sizeof(rewire_output_v1),
    .create = plot_create,
    .start = plot_start,
    .write = plot_write,
    .phase = plot_phase_hook,
    .finish = plot_finish,
    .destroy = plot_destroy,
    .timeline_event = plot_timeline_event,
};

static const rewire_plugin_descriptor plot_descriptor =
    REWIRE_DESCRIPTOR(REWIRE_KIND_OUTPUT, "plot", "1.0.0",
                      "PNG/SVG figures (raster, rates, weights, metrics) and an index.html",
                      plot_params, plot_functions);

REWIRE_PLUGIN_ENTRY(&plot_descriptor)
