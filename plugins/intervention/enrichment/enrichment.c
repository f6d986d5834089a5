/* enrichment: an enriched environment -- varied, novel input patterns over a window.
 *
 * From the window's start, every `interval` brings a new pattern on the channel's
 * sources: `bumps` gaussian bumps, each centred on a neuron of the channel drawn at
 * random, with a width drawn uniformly in [width_min, width_max] and a peak rate drawn
 * uniformly in [rate_min, rate_max]; where bumps overlap the larger drive wins (so the
 * drive never exceeds rate_max).  Pattern p of the window opened at step S uses
 * host->random_uniform(entity S, counters 3 (p * bumps + b) + 0..2): the patterns depend
 * on step numbers only (not on the slicing), differ from window to window, and repeat
 * in every run with the same seed.  The drive is added to whatever the sources have and
 * taken away exactly at the window's end (common/sources.h).
 *
 * What it models: housing in a complex environment (Rosenzweig; van Praag, Kempermann &
 * Gage 2000), as rich, changing afferent activity across a sensory or motor map. */
#include <rewire/plugin.h>
#include <stdlib.h>

#include "../common/bump.h"
#include "../common/clock.h"
#include "../common/sources.h"

enum { P_CHANNEL, P_RATE_MIN, P_RATE_MAX, P_INTERVAL, P_BUMPS, P_WIDTH_MIN, P_WIDTH_MAX, N_PARAMS };

#define POSITIVE (REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_MIN_EXCLUSIVE)

static const rewire_param_spec enrichment_params[N_PARAMS] = {
    [P_CHANNEL] = {.name = "channel", .type = REWIRE_PARAM_SELECTION,
                   .flags = REWIRE_PARAM_REQUIRED | REWIRE_PARAM_DRIVES,
                   .doc = "The input sources (poisson or rate_input) that see the patterns."},
    [P_RATE_MIN] = {.name = "rate_min", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_FREQUENCY,
                    .flags = REWIRE_PARAM_HAS_MIN, .def_real = 10.0, .min = 0.0,
                    .doc = "Lowest peak drive of a bump (Hz)."},
    [P_RATE_MAX] = {.name = "rate_max", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_FREQUENCY,
                    .flags = REWIRE_PARAM_HAS_MIN, .def_real = 40.0, .min = 0.0,
                    .doc = "Highest peak drive of a bump (Hz), at least rate_min."},
    [P_INTERVAL] = {.name = "interval", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_TIME,
                    .flags = POSITIVE, .def_real = 200.0, .min = 0.0,
                    .doc = "How long each pattern lasts before the next one."},
    [P_BUMPS] = {.name = "bumps", .type = REWIRE_PARAM_INT,
                 .flags = REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_HAS_MAX, .def_int = 2, .min = 1,
                 .max = 64, .doc = "Bumps per pattern."},
    [P_WIDTH_MIN] = {.name = "width_min", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_NONE,
                     .flags = POSITIVE, .def_real = 0.05, .min = 0.0,
                     .doc = "Narrowest bump (standard deviation in the unit square of the "
                            "layout; without a layout neuron i of n sits at (i + 0.5) / n)."},
    [P_WIDTH_MAX] = {.name = "width_max", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_NONE,
                     .flags = POSITIVE, .def_real = 0.2, .min = 0.0,
                     .doc = "Widest bump, at least width_min."},
};

typedef struct enrichment {
    const rewire_host *host;
    iv_sources channel;
    double rate_min, rate_max, interval_ms, width_min, width_max;
    int64_t bumps;
    int64_t interval;       /* steps */
    float *px, *py;         /* [n] positions */
    double *buf;            /* [n] the pattern's drive */
    int64_t start, pattern; /* the window's first step; pattern shown, -1 none */
} enrichment;

static void enrichment_destroy(void *instance) {
    enrichment *e = instance;
    iv_sources_free(&e->channel);
    free(e->px);
    free(e->py);
    free(e->buf);
    free(e);
}

static int enrichment_create(const rewire_host *host, const rewire_param_value *params,
                             void **instance) {
    const double rmin = params[P_RATE_MIN].real, rmax = params[P_RATE_MAX].real;
    const double wmin = params[P_WIDTH_MIN].real, wmax = params[P_WIDTH_MAX].real;
    if (rmin > rmax) {
        host->set_error(host, "rate_min (%g Hz) must not exceed rate_max (%g Hz)", rmin, rmax);
        return REWIRE_EINVAL;
    }
    if (wmin > wmax) {
        host->set_error(host, "width_min (%g) must not exceed width_max (%g)", wmin, wmax);
        return REWIRE_EINVAL;
    }
    enrichment *e = calloc(1, sizeof *e);
    if (!e) {
        host->set_error(host, "out of memory");
        return REWIRE_ENOMEM;
    }
    *e = (enrichment){.host = host, .rate_min = rmin, .rate_max = rmax,
                      .interval_ms = params[P_INTERVAL].real, .width_min = wmin,
                      .width_max = wmax, .bumps = params[P_BUMPS].integer, .pattern = -1};
    int rc = iv_sources_init(&e->channel, host, params[P_CHANNEL].selection, "channel");
    if (rc == REWIRE_OK) {
        const uint32_t n = e->channel.sel->n;
        e->px = malloc(n * sizeof *e->px);
        e->py = malloc(n * sizeof *e->py);
        e->buf = malloc(n * sizeof *e->buf);
        if (!e->px || !e->py || !e->buf) {
            host->set_error(host, "out of memory");
            rc = REWIRE_ENOMEM;
        }
    }
    double dt;
    if (rc == REWIRE_OK) rc = iv_dt(host, &dt);
    if (rc == REWIRE_OK) { /* positions and steps, now that the network exists */
        rewire_population_view v;
        rc = iv_sources_view(&e->channel, host, &v);
        if (rc == REWIRE_OK) iv_positions(&v, e->channel.sel, e->px, e->py);
        e->interval = iv_steps(e->interval_ms, dt, 1);
    }
    if (rc != REWIRE_OK) {
        enrichment_destroy(e);
        return rc;
    }
    *instance = e;
    return REWIRE_OK;
}

/* Pattern p of the current window into e->buf. */
static void draw_pattern(enrichment *e, int64_t p) {
    const uint32_t n = e->channel.sel->n;
    const rewire_host *h = e->host;
    for (uint32_t k = 0; k < n; k++) e->buf[k] = 0.0;
    for (int64_t b = 0; b < e->bumps; b++) {
        const uint64_t c = 3 * (uint64_t)(p * e->bumps + b);
        const uint32_t centre = iv_pick(h->random_uniform(h, (uint64_t)e->start, c), n);
        const double width =
            e->width_min + (e->width_max - e->width_min) * h->random_uniform(h, (uint64_t)e->start, c + 1);
        const double rate =
            e->rate_min + (e->rate_max - e->rate_min) * h->random_uniform(h, (uint64_t)e->start, c + 2);
        iv_bump_max(e->px, e->py, n, e->px[centre], e->py[centre], width, rate, e->buf);
    }
}

/* The slices from `step` on show pattern (step - start) / interval. */
static int advance(enrichment *e, int64_t step) {
    const int64_t p = (step - e->start) / e->interval;
    if (p == e->pattern) return REWIRE_OK;
    rewire_population_view v;
    int rc = iv_sources_view(&e->channel, e->host, &v);
    if (rc != REWIRE_OK) return rc;
    draw_pattern(e, p);
    iv_drive_set(&e->channel, &v, e->buf);
    e->pattern = p;
    return REWIRE_OK;
}

static int enrichment_begin(void *instance, int64_t step) {
    enrichment *e = instance;
    rewire_population_view v;
    int rc = iv_sources_view(&e->channel, e->host, &v);
    if (rc != REWIRE_OK) return rc;
    e->start = step;
    e->pattern = -1;
    return advance(e, step);
}

static int enrichment_on_slice(void *instance, int64_t first_step, int64_t end_step) {
    (void)first_step;
    return advance(instance, end_step);
}

static int enrichment_end(void *instance, int64_t step) {
    (void)step;
    enrichment *e = instance;
    rewire_population_view v;
    int rc = iv_sources_view(&e->channel, e->host, &v);
    if (rc != REWIRE_OK) return rc;
    iv_drive_remove(&e->channel, &v);
    e->pattern = -1;
    return REWIRE_OK;
}

static const rewire_intervention_v1 enrichment_functions = {
    .struct_size = sizeof(rewire_intervention_v1),
    .create = enrichment_create,
    .begin = enrichment_begin,
    .on_slice = enrichment_on_slice,
    .end = enrichment_end,
    .destroy = enrichment_destroy,
};

static const rewire_plugin_descriptor enrichment_descriptor =
    REWIRE_DESCRIPTOR(REWIRE_KIND_INTERVENTION, "enrichment", "1.0.0",
                      "Enriched environment: a new random pattern of bumps on a channel every "
                      "interval",
                      enrichment_params, enrichment_functions);

REWIRE_PLUGIN_ENTRY(&enrichment_descriptor)
