/* dashboard aggregation: see aggregate.h.  All buffers are sized when a channel is first
 * used and grow only by doubling, never per record. */
#include "aggregate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A curve of (t, v) points with a fixed capacity; when full, neighbours merge. */
typedef struct curve {
    double *t, *v;
    uint32_t n, cap;
} curve;

typedef enum view { VIEW_NONE, VIEW_RASTER, VIEW_RATE, VIEW_WEIGHTS, VIEW_MEASURE, VIEW_MAP } view;

typedef struct chan {
    const rewire_channel_info *info;
    view view;
    /* spikes: rate bins and the thinned raster */
    uint32_t stride, rows;
    int64_t bin;            /* the open bin */
    uint64_t bin_count;     /* spikes in it */
    float *tick_t;          /* [RASTER_TICK_CAP] raster points of this update */
    uint32_t *tick_row;
    uint32_t tick_n, keep_every;
    uint64_t seen, thinned; /* eligible spikes this update; those thinned away */
    float *ring_t;          /* [RASTER_RING] the last points sent, for late viewers */
    uint32_t *ring_row;
    uint32_t ring_head, ring_n;
    /* rate, spikes, metric: curves (hist: kept; fresh: since the last update) */
    uint32_t n_curves;
    curve hist[MAX_COMPONENTS], fresh[MAX_COMPONENTS];
    uint64_t ignored;       /* metric rows of components past MAX_COMPONENTS */
    /* weights: the snapshot being received, and the histogram of the last complete one */
    double *snap;
    size_t snap_n, snap_cap;
    double snap_t;
    uint32_t counts[WEIGHT_BINS];
    double w_min, w_max, w_mean, w_t;
    uint64_t w_n;
    bool hist_valid, hist_fresh;
    /* map (".winner" metrics): latest value per component, positions if any */
    double *latest;
    uint32_t n_latest, latest_cap;
    double latest_t;
    bool map_valid, map_fresh;
    float *px, *py;         /* [info->source_size or population size] or NULL */
    uint32_t n_pos;
} chan;

typedef enum marker_kind {
    M_PHASE_START, M_PHASE_END, M_INJURY, M_INTERVENTION_BEGIN, M_INTERVENTION_END
} marker_kind;

typedef struct marker {
    marker_kind kind;
    char *label, *plugin;
    double t, t_end;
    uint32_t index;
} marker;

struct dash_agg {
    const rewire_host *host;
    const rewire_run_info *run;
    double bin_ms, update_ms, now_ms;
    bool ended;
    uint32_t n_chans;
    chan *chans;
    marker *markers;
    uint32_t n_markers, markers_cap, markers_sent;
};

/* ---- curves ---- */

static bool curve_push(curve *c, uint32_t cap, double t, double v) {
    if (!c->t) {
        c->t = malloc(cap * sizeof *c->t);
        c->v = malloc(cap * sizeof *c->v);
        if (!c->t || !c->v) return false;
        c->cap = cap;
    }
    if (c->n == c->cap) { /* merge neighbours: half the points, the same span */
        uint32_t h = c->n / 2;
        for (uint32_t i = 0; i < h; i++) {
            c->t[i] = c->t[2 * i];
            c->v[i] = 0.5 * (c->v[2 * i] + c->v[2 * i + 1]);
        }
        c->n = h;
    }
    c->t[c->n] = t;
    c->v[c->n] = v;
    c->n++;
    return true;
}

static void curve_free(curve *c) {
    free(c->t);
    free(c->v);
    *c = (curve){0};
}

/* ---- setup ---- */

static const char *kind_name(rewire_channel_kind k) {
    switch (k) {
    case REWIRE_CHANNEL_SPIKES: return "spikes";
    case REWIRE_CHANNEL_RATE: return "rate";
    case REWIRE_CHANNEL_STATE: return "state";
    case REWIRE_CHANNEL_WEIGHTS: return "weights";
    case REWIRE_CHANNEL_METRIC: return "metric";
    }
    return "unknown";
}

static const char *view_name(view v) {
    static const char *const names[] = {"none", "raster", "rate", "weights", "measure", "map"};
    return names[v];
}

/* Positions of the population a ".winner" channel describes: its source, or the part
 * of its name before ".winner". */
static void find_positions(const rewire_host *h, chan *c) {
    const char *cand[2] = {c->info->source, NULL};
    char prefix[256];
    const char *dot = strstr(c->info->name, ".winner");
    if (dot && (size_t)(dot - c->info->name) < sizeof prefix) {
        memcpy(prefix, c->info->name, (size_t)(dot - c->info->name));
        prefix[dot - c->info->name] = '\0';
        cand[1] = prefix;
    }
    for (int k = 0; k < 2; k++) {
        if (!cand[k] || !cand[k][0]) continue;
        rewire_population_view pv = {.struct_size = sizeof pv};
        if (h->population_find(h, cand[k], &pv) != REWIRE_OK) continue;
        if (!REWIRE_HAS_FIELD(rewire_population_view, pv.struct_size, y) || !pv.x || !pv.y ||
            pv.size == 0 || pv.size > MAP_MAX)
            continue;
        c->px = malloc(pv.size * sizeof *c->px);
        c->py = malloc(pv.size * sizeof *c->py);
        if (!c->px || !c->py) {
            free(c->px);
            free(c->py);
            c->px = c->py = NULL;
            return; /* a strip instead: positions are a nicety */
        }
        memcpy(c->px, pv.x, pv.size * sizeof *c->px);
        memcpy(c->py, pv.y, pv.size * sizeof *c->py);
        c->n_pos = pv.size;
        return;
    }
}

dash_agg *agg_new(const rewire_host *host, const rewire_run_info *run, const bool *subscribed,
                  double bin_ms, double update_ms) {
    dash_agg *a = calloc(1, sizeof *a);
    if (!a || !(a->chans = calloc(run->n_channels ? run->n_channels : 1, sizeof *a->chans))) {
        free(a);
        host->set_error(host, "out of memory");
        return NULL;
    }
    a->host = host;
    a->run = run;
    a->bin_ms = bin_ms;
    a->update_ms = update_ms;
    a->n_chans = run->n_channels;
    for (uint32_t i = 0; i < run->n_channels; i++) {
        chan *c = &a->chans[i];
        c->info = &run->channels[i];
        if (!subscribed[i]) continue;
        switch (c->info->kind) {
        case REWIRE_CHANNEL_SPIKES: {
            c->view = VIEW_RASTER;
            uint32_t size = c->info->source_size ? c->info->source_size : 1;
            c->stride = (size + RASTER_ROWS - 1) / RASTER_ROWS;
            c->rows = (size + c->stride - 1) / c->stride;
            c->n_curves = 1;
            c->keep_every = 1;
            c->tick_t = malloc(RASTER_TICK_CAP * sizeof *c->tick_t);
            c->tick_row = malloc(RASTER_TICK_CAP * sizeof *c->tick_row);
            c->ring_t = malloc(RASTER_RING * sizeof *c->ring_t);
            c->ring_row = malloc(RASTER_RING * sizeof *c->ring_row);
            if (!c->tick_t || !c->tick_row || !c->ring_t || !c->ring_row) goto oom;
            break;
        }
        case REWIRE_CHANNEL_RATE:
            c->view = VIEW_RATE;
            c->n_curves = 1;
            break;
        case REWIRE_CHANNEL_WEIGHTS: c->view = VIEW_WEIGHTS; break;
        case REWIRE_CHANNEL_METRIC:
            if (strstr(c->info->name, ".winner")) {
                c->view = VIEW_MAP;
                find_positions(host, c);
            } else {
                c->view = VIEW_MEASURE;
            }
            break;
        default: c->view = VIEW_NONE; break; /* state: not drawn (docs/dashboard.md) */
        }
    }
    return a;
oom:
    agg_free(a);
    host->set_error(host, "out of memory");
    return NULL;
}

void agg_free(dash_agg *a) {
    if (!a) return;
    for (uint32_t i = 0; i < a->n_chans; i++) {
        chan *c = &a->chans[i];
        free(c->tick_t);
        free(c->tick_row);
        free(c->ring_t);
        free(c->ring_row);
        for (uint32_t k = 0; k < MAX_COMPONENTS; k++) {
            curve_free(&c->hist[k]);
            curve_free(&c->fresh[k]);
        }
        free(c->snap);
        free(c->latest);
        free(c->px);
        free(c->py);
    }
    for (uint32_t i = 0; i < a->n_markers; i++) {
        free(a->markers[i].label);
        free(a->markers[i].plugin);
    }
    free(a->markers);
    free(a->chans);
    free(a);
}

/* ---- records ---- */

static bool push_point(chan *c, uint32_t k, double t, double v) {
    return curve_push(&c->hist[k], CURVE_CAP, t, v) && curve_push(&c->fresh[k], FRESH_CAP, t, v);
}

/* Close the open rate bin of a spikes channel; `len` is its length in ms. */
static bool close_bin(const dash_agg *a, chan *c, double len) {
    double size = c->info->source_size ? c->info->source_size : 1;
    double rate = len > 0 ? (double)c->bin_count / (size * len * 1e-3) : 0;
    bool ok = push_point(c, 0, (double)c->bin * a->bin_ms, rate);
    c->bin++;
    c->bin_count = 0;
    return ok;
}

static int64_t bin_of(const dash_agg *a, double t) { return (int64_t)floor(t / a->bin_ms + 1e-9); }

static void raster_point(chan *c, double t, uint32_t neuron) {
    if (neuron % c->stride) return;
    if (c->seen++ % c->keep_every) {
        c->thinned++;
        return;
    }
    if (c->tick_n == RASTER_TICK_CAP) { /* keep every other point, and later every 2m-th */
        uint32_t h = 0;
        for (uint32_t i = 0; i < c->tick_n; i += 2, h++) {
            c->tick_t[h] = c->tick_t[i];
            c->tick_row[h] = c->tick_row[i];
        }
        c->thinned += c->tick_n - h;
        c->tick_n = h;
        c->keep_every *= 2;
    }
    c->tick_t[c->tick_n] = (float)t;
    c->tick_row[c->tick_n++] = neuron / c->stride;
}

static bool write_spikes(dash_agg *a, chan *c, const rewire_batch *b) {
    for (size_t r = 0; r < b->n; r++) {
        int64_t bin = bin_of(a, b->time[r]);
        while (c->bin < bin)
            if (!close_bin(a, c, a->bin_ms)) return false;
        c->bin_count++;
        raster_point(c, b->time[r], b->index[r]);
    }
    return true;
}

static void finish_snapshot(chan *c) {
    if (c->snap_n == 0) return;
    double lo = c->snap[0], hi = c->snap[0], sum = 0;
    for (size_t i = 0; i < c->snap_n; i++) {
        double w = c->snap[i];
        lo = w < lo ? w : lo;
        hi = w > hi ? w : hi;
        sum += w;
    }
    memset(c->counts, 0, sizeof c->counts);
    double width = (hi - lo) / WEIGHT_BINS;
    for (size_t i = 0; i < c->snap_n; i++) {
        uint32_t k = width > 0 ? (uint32_t)((c->snap[i] - lo) / width) : 0;
        c->counts[k < WEIGHT_BINS ? k : WEIGHT_BINS - 1]++;
    }
    c->w_min = lo;
    c->w_max = hi;
    c->w_mean = sum / (double)c->snap_n;
    c->w_n = c->snap_n;
    c->w_t = c->snap_t;
    c->hist_valid = c->hist_fresh = true;
    c->snap_n = 0;
}

static bool write_weights(chan *c, const rewire_batch *b) {
    for (size_t r = 0; r < b->n; r++) {
        if (c->snap_n && b->time[r] != c->snap_t) finish_snapshot(c);
        if (c->snap_n == c->snap_cap) {
            size_t cap = c->snap_cap ? 2 * c->snap_cap : 1024;
            double *s = realloc(c->snap, cap * sizeof *s);
            if (!s) return false;
            c->snap = s;
            c->snap_cap = cap;
        }
        c->snap_t = b->time[r];
        c->snap[c->snap_n++] = b->value[r];
    }
    return true;
}

static bool write_map(chan *c, const rewire_batch *b) {
    for (size_t r = 0; r < b->n; r++) {
        uint32_t k = b->index ? b->index[r] : 0;
        if (k >= MAP_MAX) continue;
        if (k >= c->latest_cap) {
            uint32_t cap = c->latest_cap ? c->latest_cap : 64;
            while (cap <= k) cap *= 2;
            double *l = realloc(c->latest, cap * sizeof *l);
            if (!l) return false;
            for (uint32_t i = c->latest_cap; i < cap; i++) l[i] = NAN;
            c->latest = l;
            c->latest_cap = cap;
        }
        if (k >= c->n_latest) c->n_latest = k + 1;
        c->latest[k] = b->value[r];
        c->latest_t = b->time[r];
        c->map_valid = c->map_fresh = true;
    }
    return true;
}

static bool write_curves(chan *c, const rewire_batch *b) {
    for (size_t r = 0; r < b->n; r++) {
        uint32_t k = b->index ? b->index[r] : 0;
        if (k >= MAX_COMPONENTS) {
            c->ignored++;
            continue;
        }
        if (k >= c->n_curves) c->n_curves = k + 1;
        if (!push_point(c, k, b->time[r], b->value[r])) return false;
    }
    return true;
}

int agg_write(dash_agg *a, const rewire_batch *b) {
    if (b->channel >= a->n_chans) {
        a->host->set_error(a->host, "batch for channel %u, which this output was not given",
                           b->channel);
        return REWIRE_EINVAL;
    }
    chan *c = &a->chans[b->channel];
    bool need_index = c->view == VIEW_RASTER;
    bool need_value = c->view != VIEW_RASTER && c->view != VIEW_NONE;
    if (!b->time || (need_index && !b->index) || (need_value && !b->value)) {
        a->host->set_error(a->host, "batch for channel '%s' lacks a column", c->info->name);
        return REWIRE_EINVAL;
    }
    bool ok = true;
    switch (c->view) {
    case VIEW_RASTER: ok = write_spikes(a, c, b); break;
    case VIEW_RATE:
    case VIEW_MEASURE: ok = write_curves(c, b); break;
    case VIEW_WEIGHTS: ok = write_weights(c, b); break;
    case VIEW_MAP: ok = write_map(c, b); break;
    case VIEW_NONE: break;
    }
    if (!ok) {
        a->host->set_error(a->host, "out of memory");
        return REWIRE_ENOMEM;
    }
    return REWIRE_OK;
}

static void add_marker(dash_agg *a, marker m, const char *label, const char *plugin) {
    if (a->n_markers == a->markers_cap) {
        uint32_t cap = a->markers_cap ? 2 * a->markers_cap : 16;
        marker *ms = realloc(a->markers, cap * sizeof *ms);
        if (!ms) return; /* a missing marker is not worth failing the run */
        a->markers = ms;
        a->markers_cap = cap;
    }
    m.label = strdup(label ? label : "");
    m.plugin = strdup(plugin ? plugin : "");
    if (!m.label || !m.plugin) {
        free(m.label);
        free(m.plugin);
        return;
    }
    a->markers[a->n_markers++] = m;
}

void agg_phase(dash_agg *a, const rewire_phase_event *ev) {
    marker m = {.kind = ev->is_end ? M_PHASE_END : M_PHASE_START,
                .t = ev->is_end ? ev->t_end : ev->t_start, .t_end = ev->t_end, .index = ev->index};
    add_marker(a, m, ev->name, "");
}

void agg_event(dash_agg *a, const rewire_timeline_event *ev) {
    marker_kind k = ev->kind == REWIRE_EVENT_INJURY ? M_INJURY
                    : ev->kind == REWIRE_EVENT_INTERVENTION_BEGIN ? M_INTERVENTION_BEGIN
                                                                   : M_INTERVENTION_END;
    add_marker(a, (marker){.kind = k, .t = ev->t, .t_end = ev->t, .index = ev->window}, ev->label,
               ev->plugin);
}

void agg_advance(dash_agg *a, double now_ms, bool final) {
    if (now_ms > a->now_ms) a->now_ms = now_ms;
    a->ended = a->ended || final;
    for (uint32_t i = 0; i < a->n_chans; i++) {
        chan *c = &a->chans[i];
        if (c->view == VIEW_RASTER) {
            int64_t last = bin_of(a, a->now_ms); /* bins before it are complete */
            while (c->bin < last) close_bin(a, c, a->bin_ms);
            double start = (double)c->bin * a->bin_ms;
            if (final && a->now_ms > start + 1e-9) close_bin(a, c, a->now_ms - start);
        } else if (c->view == VIEW_WEIGHTS) {
            /* a snapshot is recorded within one step, and all of it is drained together */
            finish_snapshot(c);
        }
    }
}

/* ---- messages ---- */

static void put_curve_points(jbuf *o, const curve *cv) {
    jb_char(o, '[');
    for (uint32_t i = 0; i < cv->n; i++) {
        if (i) jb_char(o, ',');
        jb_num(o, cv->t[i]);
        jb_char(o, ',');
        jb_num(o, cv->v[i]);
    }
    jb_char(o, ']');
}

static void put_series(const dash_agg *a, jbuf *o, bool fresh) {
    jb_key(o, "series", false);
    jb_char(o, '[');
    bool first = true;
    for (uint32_t i = 0; i < a->n_chans; i++) {
        const chan *c = &a->chans[i];
        for (uint32_t k = 0; k < c->n_curves; k++) {
            const curve *cv = fresh ? &c->fresh[k] : &c->hist[k];
            if (cv->n == 0) continue;
            if (!first) jb_char(o, ',');
            first = false;
            jb_str(o, "{\"ch\":");
            jb_u64(o, i);
            jb_str(o, ",\"c\":");
            jb_u64(o, k);
            jb_str(o, ",\"p\":");
            put_curve_points(o, cv);
            jb_char(o, '}');
        }
    }
    jb_char(o, ']');
}

static void put_raster_points(jbuf *o, const float *t, const uint32_t *row, uint32_t n,
                              uint32_t start, uint32_t mod, double t_min) {
    bool first = true;
    for (uint32_t j = 0; j < n; j++) {
        uint32_t i = mod ? (start + j) % mod : j;
        if (t[i] < t_min) continue;
        if (!first) jb_char(o, ',');
        first = false;
        jb_num(o, t[i]);
        jb_char(o, ',');
        jb_u64(o, row[i]);
    }
}

static void put_raster(const dash_agg *a, jbuf *o, bool fresh) {
    jb_key(o, "raster", false);
    jb_char(o, '[');
    bool first = true;
    for (uint32_t i = 0; i < a->n_chans; i++) {
        const chan *c = &a->chans[i];
        if (c->view != VIEW_RASTER) continue;
        if (!first) jb_char(o, ',');
        first = false;
        jb_str(o, "{\"ch\":");
        jb_u64(o, i);
        jb_str(o, ",\"p\":[");
        if (fresh) {
            put_raster_points(o, c->tick_t, c->tick_row, c->tick_n, 0, 0, -INFINITY);
        } else { /* the ring, oldest first, within the window */
            uint32_t start = (c->ring_head + RASTER_RING - c->ring_n) % RASTER_RING;
            put_raster_points(o, c->ring_t, c->ring_row, c->ring_n, start, RASTER_RING,
                              a->now_ms - RASTER_WINDOW_MS);
        }
        jb_str(o, "],\"thinned\":");
        jb_u64(o, c->thinned);
        jb_char(o, '}');
    }
    jb_char(o, ']');
}

static void put_hists(const dash_agg *a, jbuf *o, bool fresh) {
    jb_key(o, "hist", false);
    jb_char(o, '[');
    bool first = true;
    for (uint32_t i = 0; i < a->n_chans; i++) {
        const chan *c = &a->chans[i];
        if (!c->hist_valid || (fresh && !c->hist_fresh)) continue;
        if (!first) jb_char(o, ',');
        first = false;
        jb_str(o, "{\"ch\":");
        jb_u64(o, i);
        jb_str(o, ",\"t\":");
        jb_num(o, c->w_t);
        jb_str(o, ",\"n\":");
        jb_u64(o, c->w_n);
        jb_str(o, ",\"min\":");
        jb_num(o, c->w_min);
        jb_str(o, ",\"max\":");
        jb_num(o, c->w_max);
        jb_str(o, ",\"mean\":");
        jb_num(o, c->w_mean);
        jb_str(o, ",\"counts\":[");
        for (uint32_t k = 0; k < WEIGHT_BINS; k++) {
            if (k) jb_char(o, ',');
            jb_u64(o, c->counts[k]);
        }
        jb_str(o, "]}");
    }
    jb_char(o, ']');
}

static void put_maps(const dash_agg *a, jbuf *o, bool fresh) {
    jb_key(o, "maps", false);
    jb_char(o, '[');
    bool first = true;
    for (uint32_t i = 0; i < a->n_chans; i++) {
        const chan *c = &a->chans[i];
        if (!c->map_valid || (fresh && !c->map_fresh)) continue;
        if (!first) jb_char(o, ',');
        first = false;
        jb_str(o, "{\"ch\":");
        jb_u64(o, i);
        jb_str(o, ",\"t\":");
        jb_num(o, c->latest_t);
        jb_str(o, ",\"v\":[");
        for (uint32_t k = 0; k < c->n_latest; k++) {
            if (k) jb_char(o, ',');
            jb_num(o, c->latest[k]);
        }
        jb_str(o, "]}");
    }
    jb_char(o, ']');
}

static void put_markers(const dash_agg *a, jbuf *o, uint32_t from) {
    static const char *const kinds[] = {"phase_start", "phase_end", "injury",
                                        "intervention_begin", "intervention_end"};
    jb_key(o, "markers", false);
    jb_char(o, '[');
    for (uint32_t i = from; i < a->n_markers; i++) {
        const marker *m = &a->markers[i];
        if (i > from) jb_char(o, ',');
        jb_str(o, "{\"kind\":");
        jb_quoted(o, kinds[m->kind]);
        jb_str(o, ",\"label\":");
        jb_quoted(o, m->label);
        jb_str(o, ",\"plugin\":");
        jb_quoted(o, m->plugin);
        jb_str(o, ",\"t\":");
        jb_num(o, m->t);
        jb_str(o, ",\"t_end\":");
        jb_num(o, m->t_end);
        jb_str(o, ",\"index\":");
        jb_u64(o, m->index);
        jb_char(o, '}');
    }
    jb_char(o, ']');
}

static void put_head(const dash_agg *a, jbuf *o, const char *type, uint64_t seq) {
    jb_str(o, "{\"type\":");
    jb_quoted(o, type);
    jb_str(o, ",\"seq\":");
    jb_u64(o, seq);
    jb_str(o, ",\"t\":");
    jb_num(o, a->now_ms);
    jb_str(o, ",\"ended\":");
    jb_str(o, a->ended ? "true" : "false");
}

bool agg_header(const dash_agg *a, jbuf *o) {
    const rewire_run_info *r = a->run;
    jb_str(o, "{\"type\":\"header\",\"protocol\":1");
    jb_key(o, "rewire_version", false);
    jb_quoted(o, r->rewire_version);
    jb_key(o, "experiment", false);
    jb_quoted(o, r->experiment_name);
    jb_key(o, "seed", false);
    jb_u64(o, r->seed);
    jb_key(o, "dt", false);
    jb_num(o, r->dt);
    jb_key(o, "duration", false);
    jb_num(o, r->duration);
    jb_key(o, "bin_ms", false);
    jb_num(o, a->bin_ms);
    jb_key(o, "update_ms", false);
    jb_num(o, a->update_ms);
    jb_key(o, "raster_window_ms", false);
    jb_num(o, RASTER_WINDOW_MS);
    jb_key(o, "weight_bins", false);
    jb_u64(o, WEIGHT_BINS);
    jb_key(o, "channels", false);
    jb_char(o, '[');
    bool first = true;
    for (uint32_t i = 0; i < a->n_chans; i++) {
        const chan *c = &a->chans[i];
        if (c->view == VIEW_NONE && c->info->kind != REWIRE_CHANNEL_STATE) continue;
        if (!first) jb_char(o, ',');
        first = false;
        jb_str(o, "{\"id\":");
        jb_u64(o, i);
        jb_key(o, "name", false);
        jb_quoted(o, c->info->name);
        jb_key(o, "kind", false);
        jb_quoted(o, kind_name(c->info->kind));
        jb_key(o, "view", false);
        jb_quoted(o, view_name(c->view));
        jb_key(o, "source", false);
        jb_quoted(o, c->info->source);
        jb_key(o, "unit", false);
        jb_quoted(o, c->info->unit);
        jb_key(o, "interval", false);
        jb_num(o, c->info->interval);
        jb_key(o, "size", false);
        jb_u64(o, c->info->source_size);
        if (c->view == VIEW_RASTER) {
            jb_key(o, "rows", false);
            jb_u64(o, c->rows);
            jb_key(o, "stride", false);
            jb_u64(o, c->stride);
        }
        if (c->px) {
            jb_key(o, "x", false);
            jb_char(o, '[');
            for (uint32_t k = 0; k < c->n_pos; k++) {
                if (k) jb_char(o, ',');
                jb_num(o, c->px[k]);
            }
            jb_str(o, "],\"y\":[");
            for (uint32_t k = 0; k < c->n_pos; k++) {
                if (k) jb_char(o, ',');
                jb_num(o, c->py[k]);
            }
            jb_char(o, ']');
        }
        jb_char(o, '}');
    }
    jb_str(o, "]}");
    return !o->oom;
}

bool agg_update(dash_agg *a, jbuf *o, uint64_t seq) {
    put_head(a, o, "update", seq);
    put_series(a, o, true);
    put_raster(a, o, true);
    put_hists(a, o, true);
    put_maps(a, o, true);
    put_markers(a, o, a->markers_sent);
    jb_char(o, '}');
    /* What was sent is now history: curves are already in hist, raster points go to the
     * ring, and the fresh buffers start over. */
    a->markers_sent = a->n_markers;
    for (uint32_t i = 0; i < a->n_chans; i++) {
        chan *c = &a->chans[i];
        for (uint32_t k = 0; k < c->n_curves; k++) c->fresh[k].n = 0;
        c->hist_fresh = c->map_fresh = false;
        if (c->view != VIEW_RASTER) continue;
        for (uint32_t j = 0; j < c->tick_n; j++) {
            c->ring_t[c->ring_head] = c->tick_t[j];
            c->ring_row[c->ring_head] = c->tick_row[j];
            c->ring_head = (c->ring_head + 1) % RASTER_RING;
            if (c->ring_n < RASTER_RING) c->ring_n++;
        }
        c->tick_n = 0;
        c->keep_every = 1;
        c->seen = 0;
    }
    return !o->oom;
}

bool agg_history(const dash_agg *a, jbuf *o, uint64_t seq, uint64_t dropped) {
    put_head(a, o, "history", seq);
    jb_key(o, "dropped", false);
    jb_u64(o, dropped);
    put_series(a, o, false);
    put_raster(a, o, false);
    put_hists(a, o, false);
    put_maps(a, o, false);
    put_markers(a, o, 0);
    jb_char(o, '}');
    return !o->oom;
}
