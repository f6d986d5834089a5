/* Measures: computations over the kernel's arrays and the sampler that turns them into
 * metric channels (measures.h; docs/experiment-format.md, "Measures").
 *
 * Output channels of a measure NAME, by kind (index = component of each row):
 *   rate              NAME (Hz, index 0)
 *   weights           NAME.mean, NAME.sd (weight unit, index 0), NAME.hist (count per
 *                     bin, index = bin), NAME.edges (bins + 1 edges, index = edge; at
 *                     the first sample only)
 *   synapses          NAME (count, index 0)
 *   representation    NAME.winner (index = neuron, value = channel number or -1),
 *                     NAME.area.CH (neurons channel CH wins, index 0), one per channel
 *   receptive_field   NAME.x, NAME.y, NAME.width (index = post neuron, unit square),
 *                     NAME.mean_x, NAME.mean_y, NAME.mean_width (means over the
 *                     neurons that have a receptive field, index 0)
 *   task              NAME (relative to the first sample, index 0), NAME.total
 *                     (summed weight, weight unit, index 0)
 *
 * Memory: every buffer a sample needs is allocated once in rw_measures_new; a sample
 * only appends rows to the (geometrically grown) columns. */
#include "measures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_alive(const uint8_t *alive, uint32_t i) { return !alive || alive[i]; }

/* ---- computations ---- */

uint64_t rw_measure_synapse_count(const rw_proj *pr) {
    uint64_t n = 0;
    for (uint32_t i = 0; i < pr->n_pre; i++) n += pr->span[i].end - pr->span[i].begin;
    return n;
}

bool rw_measure_weight_range(const rw_proj *pr, double *lo, double *hi) {
    bool any = false;
    float a = 0, b = 0;
    for (uint32_t i = 0; i < pr->n_pre; i++)
        for (uint32_t s = pr->span[i].begin; s < pr->span[i].end; s++) {
            float w = pr->weights[s];
            if (!any || w < a) a = w;
            if (!any || w > b) b = w;
            any = true;
        }
    *lo = a;
    *hi = b;
    return any;
}

uint64_t rw_measure_weight_stats(const rw_proj *pr, double lo, double hi, uint32_t bins,
                                 uint64_t *hist, double *mean, double *sd) {
    /* Two passes (mean, then squared deviations): no cancellation for narrow spreads. */
    uint64_t n = 0;
    double sum = 0.0;
    for (uint32_t i = 0; i < pr->n_pre; i++) {
        for (uint32_t s = pr->span[i].begin; s < pr->span[i].end; s++) sum += pr->weights[s];
        n += pr->span[i].end - pr->span[i].begin;
    }
    if (hist) memset(hist, 0, bins * sizeof *hist);
    if (n == 0) {
        *mean = *sd = NAN;
        return 0;
    }
    const double m = sum / (double)n;
    const double scale = hi > lo ? (double)bins / (hi - lo) : 0.0;
    double ss = 0.0;
    for (uint32_t i = 0; i < pr->n_pre; i++)
        for (uint32_t s = pr->span[i].begin; s < pr->span[i].end; s++) {
            const double w = pr->weights[s];
            ss += (w - m) * (w - m);
            if (!hist) continue;
            const double b = (w - lo) * scale;
            uint32_t k = b <= 0.0 ? 0 : b >= (double)bins ? bins - 1 : (uint32_t)b;
            hist[k]++;
        }
    *mean = m;
    *sd = sqrt(ss / (double)n);
    return n;
}

void rw_measure_drive_add(const rw_proj *pr, const uint32_t *src, uint32_t n_src, double *acc) {
    const uint32_t *restrict tgt = pr->targets;
    const float *restrict w = pr->weights;
    for (uint32_t k = 0; k < n_src; k++) {
        const rw_row_span r = pr->span[src[k]];
        for (uint32_t s = r.begin; s < r.end; s++) acc[tgt[s]] += w[s];
    }
}

void rw_measure_winners(const double *sums, uint32_t n_channels, uint32_t n,
                        const uint8_t *alive, int32_t *winner, uint32_t *area) {
    memset(area, 0, n_channels * sizeof *area);
    for (uint32_t i = 0; i < n; i++) {
        int32_t best = -1;
        double top = 0.0;
        for (uint32_t k = 0; k < n_channels; k++)
            if (sums[(size_t)k * n + i] > top) {
                top = sums[(size_t)k * n + i];
                best = (int32_t)k;
            }
        if (!is_alive(alive, i)) best = -1;
        winner[i] = best;
        if (best >= 0) area[best]++;
    }
}

void rw_measure_receptive_fields(const rw_proj *pr, const float *x, const float *y,
                                 const uint8_t *alive, double *sw, double *cx, double *cy,
                                 double *width) {
    const uint32_t n = pr->n_post;
    const uint32_t *restrict tgt = pr->targets;
    const float *restrict w = pr->weights;
    memset(sw, 0, n * sizeof *sw);
    memset(cx, 0, n * sizeof *cx);
    memset(cy, 0, n * sizeof *cy);
    memset(width, 0, n * sizeof *width);
    /* Pass 1: weighted sums of positions; pass 2: squared distances from the centres. */
    for (uint32_t i = 0; i < pr->n_pre; i++)
        for (uint32_t s = pr->span[i].begin; s < pr->span[i].end; s++) {
            if (!(w[s] > 0.0f)) continue;
            sw[tgt[s]] += w[s];
            cx[tgt[s]] += (double)w[s] * x[i];
            cy[tgt[s]] += (double)w[s] * y[i];
        }
    for (uint32_t j = 0; j < n; j++) {
        if (sw[j] > 0.0 && is_alive(alive, j)) {
            cx[j] /= sw[j];
            cy[j] /= sw[j];
        } else {
            cx[j] = cy[j] = NAN;
        }
    }
    for (uint32_t i = 0; i < pr->n_pre; i++)
        for (uint32_t s = pr->span[i].begin; s < pr->span[i].end; s++) {
            const uint32_t j = tgt[s];
            if (!(w[s] > 0.0f) || isnan(cx[j])) continue;
            const double dx = x[i] - cx[j], dy = y[i] - cy[j];
            width[j] += (double)w[s] * (dx * dx + dy * dy);
        }
    for (uint32_t j = 0; j < n; j++) width[j] = isnan(cx[j]) ? NAN : sqrt(width[j] / sw[j]);
}

/* ---- specs ---- */

void rw_measure_spec_free(rw_measure_spec *m) {
    free(m->name);
    free(m->sel.name);
    free(m->sel.index);
    for (uint32_t k = 0; k < m->n_channels; k++) {
        free(m->channels[k].name);
        free(m->channels[k].index);
    }
    free(m->channels);
    for (uint32_t k = 0; k < m->n_out; k++) free(m->out_names[k]);
    free(m->out_names);
    memset(m, 0, sizeof *m);
}

static char *concat(const char *a, const char *b) {
    size_t n = strlen(a) + strlen(b) + 1;
    char *s = malloc(n);
    if (s) snprintf(s, n, "%s%s", a, b);
    return s;
}

bool rw_measure_spec_outputs(rw_measure_spec *m) {
    static const char *const weights[] = {".mean", ".sd", ".hist", ".edges"};
    static const char *const rf[] = {".x", ".y", ".width", ".mean_x", ".mean_y", ".mean_width"};
    static const char *const task[] = {"", ".total"};
    const char *const *suffix = NULL;
    uint32_t n = 1;
    switch (m->kind) {
    case RW_MEASURE_RATE:
    case RW_MEASURE_SYNAPSES: break;
    case RW_MEASURE_WEIGHTS: suffix = weights, n = 4; break;
    case RW_MEASURE_RECEPTIVE_FIELD: suffix = rf, n = 6; break;
    case RW_MEASURE_TASK: suffix = task, n = 2; break;
    case RW_MEASURE_REPRESENTATION: n = 1 + m->n_channels; break;
    }
    m->out_names = calloc(n, sizeof *m->out_names);
    if (!m->out_names) return false;
    m->n_out = n;
    for (uint32_t k = 0; k < n; k++) {
        if (m->kind == RW_MEASURE_REPRESENTATION) {
            char sub[256];
            if (k == 0)
                snprintf(sub, sizeof sub, ".winner");
            else
                snprintf(sub, sizeof sub, ".area.%s", m->channels[k - 1].name);
            m->out_names[k] = concat(m->name, sub);
        } else {
            m->out_names[k] = concat(m->name, suffix ? suffix[k] : "");
        }
        if (!m->out_names[k]) return false;
    }
    return true;
}

/* ---- the sampler ---- */

typedef struct mcol {
    double *time;
    uint32_t *index;
    double *value;
    size_t n, cap;
} mcol;

typedef struct meas {
    const rw_measure_spec *s;
    uint32_t first_id;
    int64_t every;           /* steps */
    int64_t last;            /* step of the last sample, -1 before the first */
    mcol *col;               /* [s->n_out] */
    uint32_t n;              /* neurons of the measured population (post of a projection) */
    /* RATE: which neurons of the population count (NULL: all), spikes (or the sum of
     * r) since the last sample, over how many steps. */
    uint8_t *member;
    double acc;
    int64_t acc_steps;
    /* WEIGHTS */
    double lo, hi;
    bool ranged;
    uint64_t *hist;
    /* REPRESENTATION, TASK: projections from channel k's population into the target:
     * proj[proj_off[k] .. proj_off[k + 1]). */
    uint32_t *proj, *proj_off;
    double *sums;            /* REPRESENTATION [K * n]; TASK, RECEPTIVE_FIELD [n] */
    int32_t *winner;
    uint32_t *area;
    /* RECEPTIVE_FIELD: pre positions (a line when the population has no layout). */
    float *x, *y;
    double *cx, *cy, *width;
    /* TASK */
    double first;
    bool has_first;
} meas;

struct rw_measures {
    const rw_experiment *e;
    uint32_t n;
    meas *m;
    uint32_t n_channels;
    double dt;
    uint32_t n_phase_end;
    int64_t *phase_end;      /* steps at which phases end, increasing */
};

static int reserve(mcol *c, size_t extra) {
    if (c->n + extra <= c->cap) return 0;
    size_t cap = c->cap ? c->cap : 64;
    while (cap < c->n + extra) cap *= 2;
    double *t = realloc(c->time, cap * sizeof *t);
    if (!t) return REWIRE_ENOMEM;
    c->time = t;
    uint32_t *x = realloc(c->index, cap * sizeof *x);
    if (!x) return REWIRE_ENOMEM;
    c->index = x;
    double *v = realloc(c->value, cap * sizeof *v);
    if (!v) return REWIRE_ENOMEM;
    c->value = v;
    c->cap = cap;
    return 0;
}

static int push(mcol *c, double t, uint32_t index, double v) {
    if (reserve(c, 1)) return REWIRE_ENOMEM;
    c->time[c->n] = t;
    c->index[c->n] = index;
    c->value[c->n] = v;
    c->n++;
    return 0;
}

/* n rows at time t, index 0 .. n-1, values v[0 .. n) (doubles) */
static int push_vector(mcol *c, double t, const double *v, uint32_t n) {
    if (reserve(c, n)) return REWIRE_ENOMEM;
    for (uint32_t i = 0; i < n; i++) {
        c->time[c->n + i] = t;
        c->index[c->n + i] = i;
        c->value[c->n + i] = v[i];
    }
    c->n += n;
    return 0;
}

static const char *weight_unit(const rw_experiment *e, uint32_t proj) {
    rw_model_kind m = e->populations[e->projections[proj].post].model;
    return m == RW_MODEL_LIF_COBA ? "nS" : m == RW_MODEL_LIF_CUBA ? "pA" : "";
}

static bool on_projection(rw_measure_kind k) {
    return k == RW_MEASURE_WEIGHTS || k == RW_MEASURE_SYNAPSES || k == RW_MEASURE_RECEPTIVE_FIELD;
}

/* Projections (excitatory ones; any between rate populations) from each channel's
 * population into population `post`. */
static int find_projections(meas *q, const rw_network *net, uint32_t post) {
    const rw_measure_spec *s = q->s;
    q->proj_off = calloc(s->n_channels + 1, sizeof *q->proj_off);
    q->proj = calloc((size_t)s->n_channels * net->n_projs + 1, sizeof *q->proj);
    if (!q->proj_off || !q->proj) return REWIRE_ENOMEM;
    uint32_t n = 0;
    for (uint32_t k = 0; k < s->n_channels; k++) {
        q->proj_off[k] = n;
        for (uint32_t j = 0; j < net->n_projs; j++) {
            const rw_proj *pr = &net->projs[j];
            if (pr->pre == s->channels[k].pop && pr->post == post &&
                pr->receptor == RW_RECEPTOR_EXC)
                q->proj[n++] = j;
        }
    }
    q->proj_off[s->n_channels] = n;
    return 0;
}

static int meas_init(meas *q, const rw_measure_spec *s, const rw_experiment *e,
                     const rw_network *net) {
    q->s = s;
    q->last = -1;
    double steps = nearbyint(s->every / net->dt);
    q->every = steps >= 1.0 ? (int64_t)steps : 1;
    q->col = calloc(s->n_out ? s->n_out : 1, sizeof *q->col);
    if (!q->col) return REWIRE_ENOMEM;
    switch (s->kind) {
    case RW_MEASURE_RATE: {
        const rw_pop *p = &net->pops[s->sel.pop];
        q->n = p->n;
        if (s->sel.n < p->n) {
            q->member = calloc(p->n, 1);
            if (!q->member) return REWIRE_ENOMEM;
            for (uint32_t k = 0; k < s->sel.n; k++) q->member[s->sel.index[k]] = 1;
        }
        return 0;
    }
    case RW_MEASURE_WEIGHTS:
        q->lo = s->lo;
        q->hi = s->hi;
        q->ranged = s->has_range;
        q->hist = calloc(s->bins, sizeof *q->hist);
        return q->hist ? 0 : REWIRE_ENOMEM;
    case RW_MEASURE_SYNAPSES: return 0;
    case RW_MEASURE_REPRESENTATION:
    case RW_MEASURE_TASK: {
        q->n = net->pops[s->target].n;
        uint32_t k = s->kind == RW_MEASURE_TASK ? 1 : s->n_channels;
        q->sums = calloc((size_t)k * q->n + 1, sizeof *q->sums);
        if (!q->sums) return REWIRE_ENOMEM;
        if (s->kind == RW_MEASURE_REPRESENTATION) {
            q->winner = calloc(q->n + 1, sizeof *q->winner);
            q->area = calloc(s->n_channels + 1, sizeof *q->area);
            if (!q->winner || !q->area) return REWIRE_ENOMEM;
        }
        return find_projections(q, net, s->target);
    }
    case RW_MEASURE_RECEPTIVE_FIELD: {
        const rw_proj *pr = &net->projs[s->target];
        q->n = pr->n_post;
        q->sums = calloc(q->n + 1, sizeof *q->sums);
        q->cx = calloc(q->n + 1, sizeof *q->cx);
        q->cy = calloc(q->n + 1, sizeof *q->cy);
        q->width = calloc(q->n + 1, sizeof *q->width);
        q->x = calloc(pr->n_pre + 1, sizeof *q->x);
        q->y = calloc(pr->n_pre + 1, sizeof *q->y);
        if (!q->sums || !q->cx || !q->cy || !q->width || !q->x || !q->y) return REWIRE_ENOMEM;
        /* Without a layout a population lies on a line in index order (layout: {line: true}). */
        const rw_population_spec *pre = &e->populations[pr->pre];
        for (uint32_t i = 0; i < pr->n_pre; i++) {
            q->x[i] = pre->x ? pre->x[i] : (float)(((double)i + 0.5) / (double)pr->n_pre);
            q->y[i] = pre->y ? pre->y[i] : 0.5f;
        }
        return 0;
    }
    }
    return 0;
}

static void meas_free(meas *q) {
    if (q->col)
        for (uint32_t k = 0; k < q->s->n_out; k++) {
            free(q->col[k].time);
            free(q->col[k].index);
            free(q->col[k].value);
        }
    free(q->col);
    free(q->member);
    free(q->hist);
    free(q->proj);
    free(q->proj_off);
    free(q->sums);
    free(q->winner);
    free(q->area);
    free(q->x);
    free(q->y);
    free(q->cx);
    free(q->cy);
    free(q->width);
}

void rw_measures_free(rw_measures *m) {
    if (!m) return;
    for (uint32_t k = 0; k < m->n; k++) meas_free(&m->m[k]);
    free(m->m);
    free(m->phase_end);
    free(m);
}

rw_measures *rw_measures_new(const rw_experiment *e, const rw_network *net) {
    rw_measures *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->e = e;
    m->dt = net->dt;
    m->m = calloc(e->n_measures + 1, sizeof *m->m);
    m->phase_end = calloc(e->n_phases + 1, sizeof *m->phase_end);
    if (!m->m || !m->phase_end) goto oom;
    /* The steps at which phases end, as the scheduler computes them (sim.c). */
    double t = 0;
    for (uint32_t i = 0; i < e->n_phases; i++) {
        t += e->phases[i].duration;
        int64_t end = llround(t / e->dt);
        if (i > 0 && end <= m->phase_end[i - 1]) end = m->phase_end[i - 1] + 1;
        m->phase_end[m->n_phase_end++] = end;
    }
    uint32_t id = e->n_records;
    for (uint32_t k = 0; k < e->n_measures; k++) {
        meas *q = &m->m[m->n++];
        q->first_id = id;
        id += e->measures[k].n_out;
        if (meas_init(q, &e->measures[k], e, net)) goto oom;
    }
    m->n_channels = id - e->n_records;
    return m;
oom:
    rw_measures_free(m);
    return NULL;
}

uint32_t rw_measures_channel_count(const rw_measures *m) { return m->n_channels; }

/* Components per row time of output j (index < this). */
static uint32_t components(const meas *q, uint32_t j) {
    switch (q->s->kind) {
    case RW_MEASURE_WEIGHTS: return j == 2 ? q->s->bins : j == 3 ? q->s->bins + 1 : 1;
    case RW_MEASURE_REPRESENTATION: return j == 0 ? q->n : 1;
    case RW_MEASURE_RECEPTIVE_FIELD: return j < 3 ? q->n : 1;
    default: return 1;
    }
}

static const char *unit_of(const rw_experiment *e, const rw_measure_spec *s, uint32_t j) {
    switch (s->kind) {
    case RW_MEASURE_RATE: return "Hz";
    case RW_MEASURE_WEIGHTS: return j == 2 ? "" : weight_unit(e, s->target);
    case RW_MEASURE_TASK: {
        if (j == 0) return "";
        /* The channel's projections onto the population share its model's unit. */
        for (uint32_t p = 0; p < e->n_projections; p++)
            if (e->projections[p].post == s->target) return weight_unit(e, p);
        return "";
    }
    default: return "";
    }
}

void rw_measures_describe(const rw_measures *m, rewire_channel_info *info) {
    const rw_experiment *e = m->e;
    uint32_t c = 0;
    for (uint32_t k = 0; k < m->n; k++) {
        const meas *q = &m->m[k];
        const rw_measure_spec *s = q->s;
        const char *source = on_projection(s->kind) ? e->projections[s->target].name
                             : s->kind == RW_MEASURE_RATE ? e->populations[s->sel.pop].name
                                                          : e->populations[s->target].name;
        for (uint32_t j = 0; j < s->n_out; j++, c++)
            info[c] = (rewire_channel_info){
                .struct_size = sizeof info[c],
                .id = q->first_id + j,
                .name = s->out_names[j],
                .kind = REWIRE_CHANNEL_METRIC,
                .source = source,
                .variable = NULL,
                .unit = unit_of(e, s, j),
                .interval = (double)q->every * m->dt,
                .source_size = components(q, j),
            };
    }
}

size_t rw_measures_pending(const rw_measures *m) {
    size_t n = 0;
    for (uint32_t k = 0; k < m->n; k++)
        for (uint32_t j = 0; j < m->m[k].s->n_out; j++) n += m->m[k].col[j].n;
    return n;
}

static bool is_phase_end(const rw_measures *m, int64_t step) {
    uint32_t lo = 0, hi = m->n_phase_end;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (m->phase_end[mid] < step)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < m->n_phase_end && m->phase_end[lo] == step;
}

static int sample_weights(meas *q, const rw_proj *pr, double t) {
    const rw_measure_spec *s = q->s;
    if (!q->ranged) {
        /* The first sample fixes the range: [min(0, smallest), largest). */
        double a, b;
        if (!rw_measure_weight_range(pr, &a, &b)) a = b = 0.0;
        q->lo = a < 0.0 ? a : 0.0;
        q->hi = b > q->lo ? b : q->lo + 1.0;
        q->ranged = true;
    }
    double mean, sd;
    rw_measure_weight_stats(pr, q->lo, q->hi, s->bins, q->hist, &mean, &sd);
    int rc = push(&q->col[0], t, 0, mean) | push(&q->col[1], t, 0, sd);
    if (reserve(&q->col[2], s->bins)) return REWIRE_ENOMEM;
    for (uint32_t b = 0; b < s->bins; b++) rc |= push(&q->col[2], t, b, (double)q->hist[b]);
    if (q->last < 0)
        for (uint32_t b = 0; b <= s->bins; b++)
            rc |= push(&q->col[3], t, b, q->lo + (q->hi - q->lo) * b / s->bins);
    return rc ? REWIRE_ENOMEM : 0;
}

static int sample_representation(meas *q, const rw_network *net, double t) {
    const rw_measure_spec *s = q->s;
    memset(q->sums, 0, (size_t)s->n_channels * q->n * sizeof *q->sums);
    for (uint32_t k = 0; k < s->n_channels; k++)
        for (uint32_t j = q->proj_off[k]; j < q->proj_off[k + 1]; j++)
            rw_measure_drive_add(&net->projs[q->proj[j]], s->channels[k].index, s->channels[k].n,
                                 q->sums + (size_t)k * q->n);
    rw_measure_winners(q->sums, s->n_channels, q->n, net->pops[s->target].alive, q->winner,
                       q->area);
    mcol *c = &q->col[0];
    if (reserve(c, q->n)) return REWIRE_ENOMEM;
    for (uint32_t i = 0; i < q->n; i++) {
        c->time[c->n] = t;
        c->index[c->n] = i;
        c->value[c->n] = q->winner[i];
        c->n++;
    }
    for (uint32_t k = 0; k < s->n_channels; k++)
        if (push(&q->col[1 + k], t, 0, q->area[k])) return REWIRE_ENOMEM;
    return 0;
}

static int sample_task(meas *q, const rw_network *net, double t) {
    const rw_measure_spec *s = q->s;
    memset(q->sums, 0, q->n * sizeof *q->sums);
    for (uint32_t j = q->proj_off[0]; j < q->proj_off[1]; j++)
        rw_measure_drive_add(&net->projs[q->proj[j]], s->channels[0].index, s->channels[0].n,
                             q->sums);
    const uint8_t *alive = net->pops[s->target].alive;
    double total = 0.0;
    for (uint32_t i = 0; i < q->n; i++)
        if (is_alive(alive, i)) total += q->sums[i];
    if (!q->has_first) {
        q->first = total;
        q->has_first = true;
    }
    double rel = q->first != 0.0 ? total / q->first : NAN;
    return push(&q->col[0], t, 0, rel) | push(&q->col[1], t, 0, total) ? REWIRE_ENOMEM : 0;
}

static double mean_defined(const double *v, uint32_t n) {
    double sum = 0.0;
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++)
        if (!isnan(v[i])) sum += v[i], k++;
    return k ? sum / k : NAN;
}

static int sample_receptive_fields(meas *q, const rw_network *net, double t) {
    const rw_proj *pr = &net->projs[q->s->target];
    rw_measure_receptive_fields(pr, q->x, q->y, net->pops[pr->post].alive, q->sums, q->cx,
                                q->cy, q->width);
    int rc = push_vector(&q->col[0], t, q->cx, q->n) | push_vector(&q->col[1], t, q->cy, q->n) |
             push_vector(&q->col[2], t, q->width, q->n);
    rc |= push(&q->col[3], t, 0, mean_defined(q->cx, q->n));
    rc |= push(&q->col[4], t, 0, mean_defined(q->cy, q->n));
    rc |= push(&q->col[5], t, 0, mean_defined(q->width, q->n));
    return rc ? REWIRE_ENOMEM : 0;
}

/* A weight-based sample of q at `step`. */
static int sample(meas *q, const rw_network *net, int64_t step, double dt) {
    const double t = (double)step * dt;
    const rw_measure_spec *s = q->s;
    int rc = 0;
    switch (s->kind) {
    case RW_MEASURE_RATE: return 0;
    case RW_MEASURE_WEIGHTS: rc = sample_weights(q, &net->projs[s->target], t); break;
    case RW_MEASURE_SYNAPSES:
        rc = push(&q->col[0], t, 0, (double)rw_measure_synapse_count(&net->projs[s->target]));
        break;
    case RW_MEASURE_REPRESENTATION: rc = sample_representation(q, net, t); break;
    case RW_MEASURE_RECEPTIVE_FIELD: rc = sample_receptive_fields(q, net, t); break;
    case RW_MEASURE_TASK: rc = sample_task(q, net, t); break;
    }
    if (!rc) q->last = step;
    return rc;
}

int rw_measures_at(rw_measures *m, const rw_network *net, int64_t step) {
    if (m->n == 0) return 0;
    const bool end = is_phase_end(m, step);
    for (uint32_t k = 0; k < m->n; k++) {
        meas *q = &m->m[k];
        if (q->s->kind == RW_MEASURE_RATE || q->last == step) continue;
        if ((end || step % q->every == 0) && sample(q, net, step, m->dt)) return REWIRE_ENOMEM;
    }
    return 0;
}

/* The rate row over the steps since the last one, at the end of step `step - 1`. */
static int emit_rate(meas *q, const rw_network *net, int64_t step, double dt) {
    const rw_pop *p = &net->pops[q->s->sel.pop];
    const uint8_t *alive = p->alive;
    uint32_t live = 0;
    for (uint32_t k = 0; k < q->s->sel.n; k++) live += is_alive(alive, q->s->sel.index[k]);
    double v = NAN;
    if (live && q->acc_steps)
        v = p->r ? q->acc / ((double)live * (double)q->acc_steps)
                 : q->acc / ((double)live * (double)q->acc_steps * dt * 1e-3);
    q->acc = 0.0;
    q->acc_steps = 0;
    q->last = step;
    return push(&q->col[0], (double)step * dt, 0, v);
}

/* Spikes (or summed r) of the selected live neurons in slice step t. */
static double step_activity(const meas *q, const rw_pop *p, uint32_t t) {
    if (p->r) {
        const double *r = p->r_hist + (size_t)t * p->n;
        const uint8_t *alive = p->alive;
        double sum = 0.0;
        for (uint32_t k = 0; k < q->s->sel.n; k++) {
            uint32_t i = q->s->sel.index[k];
            if (is_alive(alive, i)) sum += r[i];
        }
        return sum;
    }
    const rw_spike_buf *b = &p->spikes;
    if (!q->member) return (double)(b->off[t + 1] - b->off[t]);
    uint64_t n = 0;
    for (size_t j = b->off[t]; j < b->off[t + 1]; j++) n += q->member[b->idx[j]];
    return (double)n;
}

int rw_measures_slice(rw_measures *m, const rw_network *net, int64_t s0, uint32_t n) {
    for (uint32_t k = 0; k < m->n; k++) {
        meas *q = &m->m[k];
        if (q->s->kind != RW_MEASURE_RATE) continue;
        const rw_pop *p = &net->pops[q->s->sel.pop];
        for (uint32_t t = 0; t < n; t++) {
            q->acc += step_activity(q, p, t);
            q->acc_steps++;
            const int64_t next = s0 + t + 1;
            if ((next % q->every == 0 || is_phase_end(m, next)) && emit_rate(q, net, next, m->dt))
                return REWIRE_ENOMEM;
        }
    }
    return 0;
}

int rw_measures_finish(rw_measures *m, const rw_network *net) {
    const int64_t now = net->step;
    for (uint32_t k = 0; k < m->n; k++) {
        meas *q = &m->m[k];
        if (q->last == now) continue;
        int rc = q->s->kind == RW_MEASURE_RATE ? (q->acc_steps ? emit_rate(q, net, now, m->dt) : 0)
                                               : sample(q, net, now, m->dt);
        if (rc) return rc;
    }
    return 0;
}

int rw_measures_drain(rw_measures *m, rw_batch_sink sink, void *ctx) {
    for (uint32_t k = 0; k < m->n; k++) {
        meas *q = &m->m[k];
        for (uint32_t j = 0; j < q->s->n_out; j++) {
            mcol *c = &q->col[j];
            if (!c->n) continue;
            rewire_batch b = {.struct_size = sizeof b, .channel = q->first_id + j, .n = c->n,
                              .time = c->time, .index = c->index, .index2 = NULL,
                              .value = c->value};
            int rc = sink(ctx, &b);
            if (rc) return rc;
            c->n = 0;
        }
    }
    return 0;
}
