/* The recorder: one channel per record spec, each a set of growable columns that the
 * slice loop appends to and the scheduler drains to the outputs.
 *
 * When things are recorded (times in ms, step k is the interval [k dt, (k+1) dt)):
 *  - spikes: time = the start of the step in which V crossed threshold (Brian2's
 *    convention), emitted at the end of each slice in time order, then neuron order;
 *  - rate: bin b covers steps [b B, (b+1) B), B = round(bin / dt); its row (time =
 *    bin start, value = spikes / (neurons x bin length), in Hz) is emitted as soon as
 *    its last step is simulated.  rw_recorder_finish closes a partial last bin with the
 *    rate over the steps it actually covers.  On a rate population the value is the
 *    mean of r over the bin's steps and units (r at the start of each step, the value
 *    a state channel samples at that step's time);
 *  - state: sampled at t = 0, I, 2I, ... (I = round(interval / dt) steps) for every t
 *    before the end of the run: the value at time t, i.e. after the steps before t and
 *    before step t/dt (Brian2's StateMonitor); the end time itself is not sampled;
 *  - weights: snapshots at t = 0, every interval and at the end (rw_recorder_finish),
 *    each the weights after every learning-rule hook of the steps before t; a time is
 *    never snapshot twice.  Only synapses in use are listed (structural rules leave
 *    free room in rows);
 *  - synapses: the count of synapses in use, at the same times as weight snapshots
 *    (a metric channel: index 0);
 *  - measures (measures.c): their channels follow the records', sampled by the same
 *    calls as weight snapshots (rates from the slice's spikes). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "measures.h"
#include "network_internal.h"

typedef struct rw_channel {
    rw_record_kind kind;
    uint32_t target;
    rw_state_var var;
    int64_t every;        /* steps between rows: rate bin, state sample, weight snapshot */
    uint32_t n_neurons;   /* STATE: neurons[] to sample; 0 = all */
    uint32_t *neurons;
    int64_t bin_start;    /* RATE: first step of the open bin */
    uint64_t bin_count;   /* RATE: spikes in it so far */
    bool of_rates;        /* RATE: the population is a rate model: average r */
    double bin_sum;       /* RATE of rates: sum of r over the bin's steps and units */
    int64_t last_snapshot;/* WEIGHTS: step of the last snapshot, -1 before the first */
    /* Columns; the kind decides which are used (channel.h). */
    double *time;
    uint32_t *index, *index2;
    double *value;
    size_t n, cap;
} rw_channel;

struct rw_recorder {
    uint32_t n;           /* record channels */
    rw_channel *ch;
    uint32_t n_info;      /* all channels: the records', then the measures' */
    rewire_channel_info *info;
    rw_measures *measures;
    char **strings;       /* names this recorder owns: 2 per channel */
    double dt;
    uint32_t n_pops;
    bool *pop_sampled;    /* [n_pops]: some state channel samples this population */
};

static uint64_t synapses_in_use(const rw_proj *pr) {
    uint64_t n = 0;
    for (uint32_t i = 0; i < pr->n_pre; i++) n += pr->row_lengths[i];
    return n;
}

/* Metric rows carry index = component (channel.h): 0 for the synapse count. */
static bool uses_index(rw_record_kind k) { return k != RW_RECORD_RATE; }
static bool uses_index2(rw_record_kind k) { return k == RW_RECORD_WEIGHTS; }
static bool uses_value(rw_record_kind k) { return k != RW_RECORD_SPIKES; }

/* Room for `extra` more rows (geometric growth: appends are amortised O(1)). */
static int reserve(rw_channel *c, size_t extra) {
    if (c->n + extra <= c->cap) return 0;
    size_t cap = c->cap ? c->cap : 256;
    while (cap < c->n + extra) cap *= 2;
    double *t = realloc(c->time, cap * sizeof *t);
    if (!t) return REWIRE_ENOMEM;
    c->time = t;
    if (uses_index(c->kind)) {
        uint32_t *x = realloc(c->index, cap * sizeof *x);
        if (!x) return REWIRE_ENOMEM;
        c->index = x;
    }
    if (uses_index2(c->kind)) {
        uint32_t *x = realloc(c->index2, cap * sizeof *x);
        if (!x) return REWIRE_ENOMEM;
        c->index2 = x;
    }
    if (uses_value(c->kind)) {
        double *x = realloc(c->value, cap * sizeof *x);
        if (!x) return REWIRE_ENOMEM;
        c->value = x;
    }
    c->cap = cap;
    return 0;
}

static int64_t steps_of(double ms, double dt) {
    double s = nearbyint(ms / dt);
    return s >= 1.0 ? (int64_t)s : 1;
}

static const char *variable_name(rw_state_var v) {
    switch (v) {
    case RW_VAR_G_E: return "g_e";
    case RW_VAR_G_I: return "g_i";
    case RW_VAR_R: return "r";
    case RW_VAR_V: break;
    }
    return "v";
}

static const char *unit_of(const rw_record_spec *r, const rw_experiment *e) {
    switch (r->kind) {
    case RW_RECORD_SPIKES: return "";
    case RW_RECORD_RATE: return "Hz";
    case RW_RECORD_STATE: {
        rw_model_kind m = e->populations[r->target].model;
        if (r->variable == RW_VAR_V) return "mV";
        if (r->variable == RW_VAR_R) return "Hz";
        return m == RW_MODEL_LIF_COBA ? "nS" : m == RW_MODEL_LIF_CUBA ? "pA" : "";
    }
    case RW_RECORD_SYNAPSES: return "";
    case RW_RECORD_WEIGHTS: {
        /* Weights onto rate units are plain numbers. */
        rw_model_kind m = e->populations[e->projections[r->target].post].model;
        return m == RW_MODEL_LIF_COBA ? "nS" : m == RW_MODEL_LIF_CUBA ? "pA" : "";
    }
    }
    return "";
}

void rw_recorder_free(rw_recorder *rec) {
    if (!rec) return;
    for (uint32_t k = 0; rec->ch && k < rec->n; k++) {
        rw_channel *c = &rec->ch[k];
        free(c->neurons);
        free(c->time);
        free(c->index);
        free(c->index2);
        free(c->value);
    }
    if (rec->strings)
        for (uint32_t k = 0; k < 2 * rec->n; k++) free(rec->strings[k]);
    free(rec->strings);
    free(rec->ch);
    free(rec->info);
    free(rec->pop_sampled);
    rw_measures_free(rec->measures);
    free(rec);
}

rw_recorder *rw_recorder_new(const rw_experiment *e, const rw_network *net) {
    rw_recorder *rec = calloc(1, sizeof *rec);
    if (!rec) return NULL;
    /* Before rec->n is set: on failure here rw_recorder_free has no channels to free. */
    rec->measures = rw_measures_new(e, net);
    if (!rec->measures) goto oom;
    rec->n = e->n_records;
    rec->dt = net->dt;
    rec->n_pops = net->n_pops;
    rec->n_info = rec->n + rw_measures_channel_count(rec->measures);
    size_t nc = e->n_records ? e->n_records : 1;
    rec->ch = calloc(nc, sizeof *rec->ch);
    rec->info = calloc(rec->n_info + 1, sizeof *rec->info);
    rec->strings = calloc(2 * nc, sizeof *rec->strings);
    rec->pop_sampled = calloc(net->n_pops ? net->n_pops : 1, sizeof *rec->pop_sampled);
    if (!rec->ch || !rec->info || !rec->strings || !rec->pop_sampled) goto oom;

    for (uint32_t k = 0; k < rec->n; k++) {
        const rw_record_spec *r = &e->records[k];
        rw_channel *c = &rec->ch[k];
        rewire_channel_info *in = &rec->info[k];
        c->kind = r->kind;
        c->target = r->target;
        c->var = r->variable;
        c->last_snapshot = -1;
        bool on_projection = r->kind == RW_RECORD_WEIGHTS || r->kind == RW_RECORD_SYNAPSES;
        const char *source = on_projection ? e->projections[r->target].name
                                           : e->populations[r->target].name;
        rec->strings[2 * k] = strdup(r->name ? r->name : "");
        rec->strings[2 * k + 1] = strdup(source ? source : "");
        if (!rec->strings[2 * k] || !rec->strings[2 * k + 1]) goto oom;

        in->struct_size = sizeof *in;
        in->id = k;
        in->name = rec->strings[2 * k];
        in->source = rec->strings[2 * k + 1];
        in->unit = unit_of(r, e);
        switch (r->kind) {
        case RW_RECORD_SPIKES:
            in->kind = REWIRE_CHANNEL_SPIKES;
            c->every = 0;
            break;
        case RW_RECORD_RATE:
            in->kind = REWIRE_CHANNEL_RATE;
            c->every = steps_of(r->interval, net->dt);
            c->of_rates = net->pops[r->target].r != NULL;
            break;
        case RW_RECORD_STATE:
            in->kind = REWIRE_CHANNEL_STATE;
            in->variable = variable_name(r->variable);
            c->every = r->interval > 0 ? steps_of(r->interval, net->dt) : 1;
            if (r->n_neurons) {
                c->n_neurons = r->n_neurons;
                c->neurons = malloc(r->n_neurons * sizeof *c->neurons);
                if (!c->neurons) goto oom;
                memcpy(c->neurons, r->neurons, r->n_neurons * sizeof *c->neurons);
            }
            /* Spike sources have no state to sample. */
            if (net->pops[r->target].v || net->pops[r->target].r) rec->pop_sampled[r->target] = true;
            break;
        case RW_RECORD_WEIGHTS:
            in->kind = REWIRE_CHANNEL_WEIGHTS;
            c->every = r->interval > 0 ? steps_of(r->interval, net->dt) : 0;
            break;
        case RW_RECORD_SYNAPSES:
            in->kind = REWIRE_CHANNEL_METRIC;
            c->every = r->interval > 0 ? steps_of(r->interval, net->dt) : 0;
            break;
        }
        in->interval = (double)c->every * net->dt;
        in->source_size = on_projection ? (uint32_t)synapses_in_use(&net->projs[r->target])
                                        : net->pops[r->target].n;
    }
    rw_measures_describe(rec->measures, rec->info + rec->n);
    return rec;
oom:
    rw_recorder_free(rec);
    return NULL;
}

uint32_t rw_recorder_count(const rw_recorder *rec) { return rec->n_info; }
const rewire_channel_info *rw_recorder_channels(const rw_recorder *rec) { return rec->info; }

size_t rw_recorder_pending(const rw_recorder *rec) {
    size_t n = 0;
    for (uint32_t k = 0; k < rec->n; k++) n += rec->ch[k].n;
    return n + rw_measures_pending(rec->measures);
}

/* ---- called by the slice loop ---- */

bool rw_recorder_samples(const rw_recorder *rec, uint32_t pop) {
    return pop < rec->n_pops && rec->pop_sampled[pop];
}

int rw_recorder_sample(rw_recorder *rec, const rw_network *net, uint32_t pop, int64_t step) {
    const rw_pop *p = &net->pops[pop];
    for (uint32_t k = 0; k < rec->n; k++) {
        rw_channel *c = &rec->ch[k];
        if (c->kind != RW_RECORD_STATE || c->target != pop || step % c->every) continue;
        const double *x = c->var == RW_VAR_G_E ? p->g_e
                          : c->var == RW_VAR_G_I ? p->g_i
                          : c->var == RW_VAR_R   ? p->r
                                                 : p->v;
        size_t m = c->n_neurons ? c->n_neurons : p->n;
        if (reserve(c, m)) return REWIRE_ENOMEM;
        double t = (double)step * rec->dt;
        for (size_t j = 0; j < m; j++) {
            uint32_t i = c->n_neurons ? c->neurons[j] : (uint32_t)j;
            c->time[c->n + j] = t;
            c->index[c->n + j] = i;
            c->value[c->n + j] = x[i];
        }
        c->n += m;
    }
    return 0;
}

/* The weights of the synapses in use, row by row. */
static int snapshot_weights(rw_channel *c, const rw_proj *pr, double t) {
    if (reserve(c, pr->n_syn)) return REWIRE_ENOMEM;
    size_t r = c->n;
    for (uint32_t i = 0; i < pr->n_pre; i++)
        for (uint32_t s = pr->row_offsets[i]; s < pr->row_offsets[i] + pr->row_lengths[i];
             s++, r++) {
            c->time[r] = t;
            c->index[r] = i;
            c->index2[r] = pr->targets[s];
            c->value[r] = pr->weights[s];
        }
    c->n = r;
    return 0;
}

static int snapshot_count(rw_channel *c, const rw_proj *pr, double t) {
    if (reserve(c, 1)) return REWIRE_ENOMEM;
    c->time[c->n] = t;
    c->index[c->n] = 0;
    c->value[c->n] = (double)synapses_in_use(pr);
    c->n++;
    return 0;
}

static bool is_snapshot(rw_record_kind k) {
    return k == RW_RECORD_WEIGHTS || k == RW_RECORD_SYNAPSES;
}

static int snapshot(rw_channel *c, const rw_proj *pr, int64_t step, double dt) {
    const double t = (double)step * dt;
    int rc = c->kind == RW_RECORD_WEIGHTS ? snapshot_weights(c, pr, t) : snapshot_count(c, pr, t);
    if (!rc) c->last_snapshot = step;
    return rc;
}

int rw_recorder_weights_at(rw_recorder *rec, const rw_network *net, int64_t step) {
    for (uint32_t k = 0; k < rec->n; k++) {
        rw_channel *c = &rec->ch[k];
        if (!is_snapshot(c->kind) || c->last_snapshot == step) continue;
        bool due = c->every ? step % c->every == 0 : step == 0;
        if (due && snapshot(c, &net->projs[c->target], step, rec->dt)) return REWIRE_ENOMEM;
    }
    return rw_measures_at(rec->measures, net, step);
}

static int emit_rate(rw_channel *c, uint32_t n_neurons, int64_t steps, double dt) {
    if (reserve(c, 1)) return REWIRE_ENOMEM;
    c->time[c->n] = (double)c->bin_start * dt;
    c->value[c->n] = c->of_rates
                         ? c->bin_sum / ((double)n_neurons * (double)steps)
                         : (double)c->bin_count / ((double)n_neurons * (double)steps * dt * 1e-3);
    c->n++;
    c->bin_start += steps;
    c->bin_count = 0;
    c->bin_sum = 0.0;
    return 0;
}

/* The sum over units of r at the start of slice step t (the same order for any slice). */
static double rates_at(const rw_pop *p, uint32_t t) {
    const double *r = p->r_hist + (size_t)t * p->n;
    double sum = 0.0;
    for (uint32_t i = 0; i < p->n; i++) sum += r[i];
    return sum;
}

int rw_recorder_slice_spikes(rw_recorder *rec, const rw_network *net, int64_t s0, uint32_t n) {
    for (uint32_t k = 0; k < rec->n; k++) {
        rw_channel *c = &rec->ch[k];
        if (c->kind != RW_RECORD_SPIKES && c->kind != RW_RECORD_RATE) continue;
        const rw_pop *p = &net->pops[c->target];
        const rw_spike_buf *b = &p->spikes;
        if (c->kind == RW_RECORD_SPIKES) {
            if (reserve(c, b->off[n])) return REWIRE_ENOMEM;
            for (uint32_t t = 0; t < n; t++) {
                double time = (double)(s0 + t) * rec->dt;
                for (size_t j = b->off[t]; j < b->off[t + 1]; j++) {
                    c->time[c->n] = time;
                    c->index[c->n] = b->idx[j];
                    c->n++;
                }
            }
            continue;
        }
        for (uint32_t t = 0; t < n; t++) {
            if (c->of_rates)
                c->bin_sum += rates_at(p, t);
            else
                c->bin_count += b->off[t + 1] - b->off[t];
            if (s0 + t + 1 - c->bin_start == c->every &&
                emit_rate(c, p->n, c->every, rec->dt))
                return REWIRE_ENOMEM;
        }
    }
    return rw_measures_slice(rec->measures, net, s0, n);
}

/* ---- end of run, draining ---- */

int rw_recorder_finish(rw_recorder *rec, const rw_network *net) {
    int64_t now = net->step;
    for (uint32_t k = 0; k < rec->n; k++) {
        rw_channel *c = &rec->ch[k];
        if (c->kind == RW_RECORD_RATE && now > c->bin_start &&
            emit_rate(c, net->pops[c->target].n, now - c->bin_start, rec->dt))
            return REWIRE_ENOMEM;
        if (is_snapshot(c->kind) && c->last_snapshot != now &&
            snapshot(c, &net->projs[c->target], now, rec->dt))
            return REWIRE_ENOMEM;
    }
    return rw_measures_finish(rec->measures, net);
}

int rw_recorder_drain(rw_recorder *rec, rw_batch_sink sink, void *ctx) {
    for (uint32_t k = 0; k < rec->n; k++) {
        rw_channel *c = &rec->ch[k];
        if (!c->n) continue;
        rewire_batch b = {
            .struct_size = sizeof b,
            .channel = k,
            .n = c->n,
            .time = c->time,
            .index = uses_index(c->kind) ? c->index : NULL,
            .index2 = uses_index2(c->kind) ? c->index2 : NULL,
            .value = uses_value(c->kind) ? c->value : NULL,
        };
        int rc = sink(ctx, &b);
        if (rc) return rc; /* this channel keeps its rows */
        c->n = 0;
    }
    return rw_measures_drain(rec->measures, sink, ctx);
}
