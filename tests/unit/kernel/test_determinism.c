/* Slice-size invariance: a recurrent network with Poisson drive, delays of several
 * steps, both LIF models and a plastic projection gives bit-identical spikes, state,
 * weights and learning-rule calls whether it advances 1 step at a time, min_delay
 * steps at a time, or in irregular slices. */
#include <math.h>

#include "fixture.h"
#include "tap.h"

#define DT 0.1
#define STEPS 3000

/* ---- a learning rule that logs every call and changes weights ---- */

typedef struct call {
    char hook;      /* 'p' on_pre, 'q' on_post */
    int64_t step;
    uint32_t n;
    uint64_t ids;   /* a checksum of the neuron ids */
} call;

typedef struct rule_log {
    call *calls;
    size_t n, cap;
    int64_t slices, next_first; /* on_slice bookkeeping */
    int contiguous, monotonic;
    int64_t last_step;
} rule_log;

static void log_call(rule_log *log, char hook, int64_t step, const uint32_t *ids, size_t n) {
    if (log->n == log->cap) {
        log->cap = log->cap ? 2 * log->cap : 1024;
        log->calls = realloc(log->calls, log->cap * sizeof *log->calls);
        if (!log->calls) abort();
    }
    uint64_t sum = 0;
    for (size_t k = 0; k < n; k++) sum = sum * 1000003u + ids[k];
    log->calls[log->n++] = (call){hook, step, (uint32_t)n, sum};
    log->monotonic &= step >= log->last_step;
    log->last_step = step;
}

static void on_pre(void *inst, rewire_projection_view *v, int64_t step, const uint32_t *pre,
                   size_t n) {
    log_call(inst, 'p', step, pre, n);
    for (size_t k = 0; k < n; k++)
        for (uint32_t s = v->row_offsets[pre[k]]; s < v->row_offsets[pre[k] + 1]; s++) {
            v->weights[s] *= 1.0f - 0.01f * v->plasticity_gain;
            v->syn_state[0][s] += 1.0f;
        }
}

static void on_post(void *inst, rewire_projection_view *v, int64_t step, const uint32_t *post,
                    size_t n) {
    log_call(inst, 'q', step, post, n);
    for (size_t k = 0; k < n; k++)
        for (uint32_t c = v->col_offsets[post[k]]; c < v->col_offsets[post[k] + 1]; c++)
            v->weights[v->col_synapses[c]] += 0.02f;
}

static void on_slice(void *inst, rewire_projection_view *v, int64_t first, int64_t end) {
    (void)v;
    rule_log *log = inst;
    log->contiguous &= first == log->next_first && end > first;
    log->next_first = end;
    log->slices++;
}

static const char *const state_names[] = {"pre_count"};
static const rewire_learning_rule_v1 logging_rule = {
    .struct_size = sizeof logging_rule,
    .flags = REWIRE_RULE_NEEDS_POST_INDEX | REWIRE_RULE_ON_SLICE,
    .n_syn_state = 1,
    .syn_state_names = state_names,
    .on_pre = on_pre,
    .on_post = on_post,
    .on_slice = on_slice,
};

/* ---- the network ---- */

static void network(fx *f) {
    fx_init(f, DT, 17);
    uint32_t in = fx_poisson(f, "in", 200, 15.0);
    uint32_t exc = fx_lif(f, "exc", RW_MODEL_LIF_COBA, 320);
    uint32_t inh = fx_lif(f, "inh", RW_MODEL_LIF_COBA, 80);
    uint32_t cub = fx_lif(f, "cuba", RW_MODEL_LIF_CUBA, 100);
    for (uint32_t p = exc; p <= inh; p++) {
        f->pops[p].v_init = fx_uniform(-70.0, -55.0);
        f->pops[p].lif.tau_e = 5.0;
        f->pops[p].lif.tau_i = 10.0;
    }
    f->pops[cub].lif.I_bias = 340.0;
    struct {
        const char *name;
        uint32_t pre, post;
        rw_receptor rec;
        double p, w, d_lo, d_hi;
    } pj[] = {
        {"in_exc", in, exc, RW_RECEPTOR_EXC, 0.2, 3.0, 0.5, 2.0},
        {"in_inh", in, inh, RW_RECEPTOR_EXC, 0.2, 3.0, 0.5, 2.0},
        {"ee", exc, exc, RW_RECEPTOR_EXC, 0.1, 0.8, 0.5, 3.0},
        {"ei", exc, inh, RW_RECEPTOR_EXC, 0.1, 0.8, 0.5, 3.0},
        {"ie", inh, exc, RW_RECEPTOR_INH, 0.2, 4.0, 0.5, 1.5},
        {"ii", inh, inh, RW_RECEPTOR_INH, 0.2, 4.0, 0.5, 1.5},
    };
    for (size_t k = 0; k < sizeof pj / sizeof pj[0]; k++) {
        uint32_t p = fx_proj(f, pj[k].name, pj[k].pre, pj[k].post, RW_CONNECT_FIXED_PROBABILITY,
                             pj[k].w, 1.0);
        f->projs[p].p = pj[k].p;
        f->projs[p].receptor = pj[k].rec;
        f->projs[p].weight = fx_normal(pj[k].w, 0.2 * pj[k].w);
        f->projs[p].weight.lo = 0.0;
        f->projs[p].delay = fx_uniform(pj[k].d_lo, pj[k].d_hi);
        f->projs[p].delay.lo = DT;
    }
    uint32_t ec = fx_proj(f, "exc_cuba", exc, cub, RW_CONNECT_FIXED_INDEGREE, 40.0, 1.0);
    f->projs[ec].indegree = 20;
    uint32_t ic = fx_proj(f, "inh_cuba", inh, cub, RW_CONNECT_FIXED_INDEGREE, -60.0, 0.7);
    f->projs[ic].indegree = 10;
    f->projs[ic].receptor = RW_RECEPTOR_INH;

    fx_record(f, "exc_spikes", RW_RECORD_SPIKES, exc, 0);
    fx_record(f, "inh_spikes", RW_RECORD_SPIKES, inh, 0);
    fx_record(f, "cuba_spikes", RW_RECORD_SPIKES, cub, 0);
    fx_record(f, "in_spikes", RW_RECORD_SPIKES, in, 0);
    uint32_t g = fx_record(f, "exc_ge", RW_RECORD_STATE, exc, 0.7);
    f->recs[g].variable = RW_VAR_G_E;
    uint32_t gi = fx_record(f, "cuba_Ii", RW_RECORD_STATE, cub, 0.3);
    f->recs[gi].variable = RW_VAR_G_I;
    fx_record(f, "exc_rate", RW_RECORD_RATE, exc, 5.0);
    fx_record(f, "ee_weights", RW_RECORD_WEIGHTS, 2, 25.0);
}

typedef struct outcome {
    fx_sink sink;
    rule_log log;
    double *v[4];
    float *w;
    uint32_t n_w;
    uint64_t events, spikes[4];
    int64_t advances, min_delay;
    int rc;
} outcome;

static void run(outcome *o, const int64_t *slices, size_t n_slices) {
    fx f;
    network(&f);
    memset(o, 0, sizeof *o);
    o->log.contiguous = o->log.monotonic = 1;
    rw_network *net = fx_build(&f);
    if (!net) {
        o->rc = -1;
        return;
    }
    o->min_delay = rw_network_min_delay(net);
    o->rc = rw_network_attach_rule(net, 2, &logging_rule, &o->log);
    rw_recorder *rec = rw_recorder_new(&f.e, net);
    int64_t done = 0;
    for (size_t k = 0; done < STEPS && !o->rc; k++) {
        int64_t n = slices[k % n_slices];
        if (n > o->min_delay) n = o->min_delay;
        if (n > STEPS - done) n = STEPS - done;
        o->rc = rw_network_advance(net, n, rec);
        if (!o->rc) o->rc = rw_recorder_drain(rec, fx_collect, &o->sink);
        done += n;
        o->advances++;
    }
    if (!o->rc) o->rc = rw_recorder_finish(rec, net);
    if (!o->rc) o->rc = rw_recorder_drain(rec, fx_collect, &o->sink);
    for (uint32_t p = 0; p < 4; p++) {
        rewire_population_view pv;
        rw_network_population_view(net, p, &pv);
        o->spikes[p] = rw_network_population_spikes(net, p);
        if (!pv.v) continue;
        o->v[p] = malloc(pv.size * sizeof(double));
        memcpy(o->v[p], pv.v, pv.size * sizeof(double));
    }
    const rewire_projection_view *ee = rw_network_projection_view(net, 2);
    o->n_w = ee->n_syn;
    o->w = malloc(o->n_w * sizeof *o->w);
    memcpy(o->w, ee->weights, o->n_w * sizeof *o->w);
    o->events = rw_network_synaptic_events(net);
    rw_recorder_free(rec);
    rw_network_free(net);
}

static void outcome_free(outcome *o) {
    fx_sink_free(&o->sink);
    free(o->log.calls);
    for (int p = 0; p < 4; p++) free(o->v[p]);
    free(o->w);
}

static int same_rows(const fx_rows *a, const fx_rows *b) {
    return a->n == b->n && memcmp(a->time, b->time, a->n * sizeof *a->time) == 0 &&
           memcmp(a->index, b->index, a->n * sizeof *a->index) == 0 &&
           memcmp(a->index2, b->index2, a->n * sizeof *a->index2) == 0 &&
           (a->n == 0 || memcmp(a->value, b->value, a->n * sizeof *a->value) == 0 ||
            isnan(a->value[0]));
}

static void compare(const outcome *a, const outcome *b, const char *what) {
    static const char *const channel[] = {"exc spikes", "inh spikes", "cuba spikes", "input spikes",
                                          "exc g_e samples", "cuba I_i samples", "exc rate",
                                          "ee weight snapshots"};
    CHECK(a->rc == 0 && b->rc == 0, "%s: both runs complete", what);
    for (int c = 0; c < 8; c++)
        CHECK(same_rows(&a->sink.ch[c], &b->sink.ch[c]) && a->sink.ch[c].n > 0,
              "%s: identical %s (%zu rows)", what, channel[c], a->sink.ch[c].n);
    int v_same = 1;
    for (int p = 1; p < 4; p++) {
        uint32_t n = p == 1 ? 320 : p == 2 ? 80 : 100;
        v_same &= memcmp(a->v[p], b->v[p], n * sizeof(double)) == 0;
    }
    CHECK(v_same, "%s: identical membrane potentials at the end", what);
    CHECK(a->n_w == b->n_w && memcmp(a->w, b->w, a->n_w * sizeof *a->w) == 0,
          "%s: identical plastic weights", what);
    int calls_same = a->log.n == b->log.n;
    for (size_t k = 0; calls_same && k < a->log.n; k++)
        calls_same = a->log.calls[k].hook == b->log.calls[k].hook &&
                     a->log.calls[k].step == b->log.calls[k].step &&
                     a->log.calls[k].n == b->log.calls[k].n &&
                     a->log.calls[k].ids == b->log.calls[k].ids;
    CHECK(calls_same && a->log.n > 100, "%s: identical learning-rule calls (%zu)", what, a->log.n);
    CHECK(a->events == b->events && memcmp(a->spikes, b->spikes, sizeof a->spikes) == 0,
          "%s: identical statistics", what);
}

int main(void) {
    static const int64_t one[] = {1};
    static const int64_t whole[] = {1 << 20};
    static const int64_t irregular[] = {3, 1, 4, 1, 5, 9, 2, 6};
    outcome a, b, c;
    run(&a, one, 1);
    run(&b, whole, 1);
    run(&c, irregular, 8);
    CHECK(a.min_delay >= 5, "delays of several steps: min delay %lld", (long long)a.min_delay);
    CHECK(a.spikes[1] > 200 && a.spikes[2] > 50 && a.spikes[3] > 50,
          "the network is active (exc %llu, inh %llu, cuba %llu spikes)",
          (unsigned long long)a.spikes[1], (unsigned long long)a.spikes[2],
          (unsigned long long)a.spikes[3]);
    compare(&a, &b, "slices of 1 vs min_delay");
    compare(&a, &c, "slices of 1 vs irregular");
    CHECK(a.log.monotonic && b.log.monotonic && c.log.monotonic,
          "rule calls come in time order");
    CHECK(a.log.contiguous && b.log.contiguous && c.log.contiguous &&
              a.log.slices == a.advances && b.log.slices == b.advances && b.advances < a.advances,
          "on_slice once per slice, covering the run without gaps (%lld and %lld slices)",
          (long long)a.log.slices, (long long)b.log.slices);
    int pre_then_post = 1;
    for (size_t k = 1; k < a.log.n; k++)
        if (a.log.calls[k].step == a.log.calls[k - 1].step)
            pre_then_post &= a.log.calls[k - 1].hook == 'p' && a.log.calls[k].hook == 'q';
    CHECK(pre_then_post, "within a step, on_pre before on_post");
    outcome_free(&a);
    outcome_free(&b);
    outcome_free(&c);
    return tap_done();
}
