/* The recorder: channel descriptions, when rows are produced (spikes, rate bins, state
 * samples, weight snapshots), the partial last bin, draining. */
#include <math.h>

#include "fixture.h"
#include "tap.h"

#define DT 0.1

static void channel_info(void) {
    fx f;
    fx_init(&f, DT, 1);
    uint32_t co = fx_lif(&f, "co", RW_MODEL_LIF_COBA, 7);
    uint32_t cu = fx_lif(&f, "cu", RW_MODEL_LIF_CUBA, 5);
    uint32_t pj_co = fx_proj(&f, "to_co", cu, co, RW_CONNECT_ALL_TO_ALL, 1.0, 1.0);
    uint32_t pj_cu = fx_proj(&f, "to_cu", co, cu, RW_CONNECT_ALL_TO_ALL, 1.0, 1.0);
    fx_record(&f, "s", RW_RECORD_SPIKES, co, 0);
    fx_record(&f, "r", RW_RECORD_RATE, cu, 10.0);
    fx_record(&f, "v", RW_RECORD_STATE, co, 0.5);
    uint32_t g1 = fx_record(&f, "ge_co", RW_RECORD_STATE, co, 0.0); /* default: dt */
    f.recs[g1].variable = RW_VAR_G_E;
    uint32_t g2 = fx_record(&f, "gi_cu", RW_RECORD_STATE, cu, DT);
    f.recs[g2].variable = RW_VAR_G_I;
    fx_record(&f, "w_co", RW_RECORD_WEIGHTS, pj_co, 100.0);
    fx_record(&f, "w_cu", RW_RECORD_WEIGHTS, pj_cu, 100.0);
    rw_network *net = fx_build(&f);
    rw_recorder *rec = rw_recorder_new(&f.e, net);
    CHECK(rec && rw_recorder_count(rec) == 7, "one channel per record spec");
    const rewire_channel_info *c = rw_recorder_channels(rec);
    static const struct {
        const char *name, *source, *variable, *unit;
        rewire_channel_kind kind;
        double interval;
        uint32_t size;
    } want[] = {
        {"s", "co", NULL, "", REWIRE_CHANNEL_SPIKES, 0.0, 7},
        {"r", "cu", NULL, "Hz", REWIRE_CHANNEL_RATE, 10.0, 5},
        {"v", "co", "v", "mV", REWIRE_CHANNEL_STATE, 0.5, 7},
        {"ge_co", "co", "g_e", "nS", REWIRE_CHANNEL_STATE, DT, 7},
        {"gi_cu", "cu", "g_i", "pA", REWIRE_CHANNEL_STATE, DT, 5},
        {"w_co", "to_co", NULL, "nS", REWIRE_CHANNEL_WEIGHTS, 100.0, 35},
        {"w_cu", "to_cu", NULL, "pA", REWIRE_CHANNEL_WEIGHTS, 100.0, 35},
    };
    for (uint32_t k = 0; k < 7; k++) {
        int var_ok = want[k].variable ? c[k].variable && strcmp(c[k].variable, want[k].variable) == 0
                                      : c[k].variable == NULL;
        CHECK(c[k].struct_size == sizeof c[k] && c[k].id == k &&
                  strcmp(c[k].name, want[k].name) == 0 && strcmp(c[k].source, want[k].source) == 0 &&
                  var_ok && strcmp(c[k].unit, want[k].unit) == 0 && c[k].kind == want[k].kind &&
                  fabs(c[k].interval - want[k].interval) < 1e-12 && c[k].source_size == want[k].size,
              "channel %s: kind %d, source %s, unit '%s', interval %g, size %u", c[k].name,
              c[k].kind, c[k].source, c[k].unit, c[k].interval, c[k].source_size);
    }
    rw_recorder_free(rec);
    rw_network_free(net);
}

static void rate_bins(void) {
    /* 4 neurons; bins of 10 ms = 100 steps.  Spikes: 3 in bin 0, 5 in bin 1, 2 in the
     * partial bin [200, 250). */
    static uint32_t neuron[] = {0, 1, 2, 3, 0, 1, 2, 3, 0, 1};
    static double time[] = {0.0, 5.0, 9.9, 10.0, 12.0, 13.0, 14.0, 19.9, 20.0, 24.9};
    fx f;
    fx_init(&f, DT, 1);
    uint32_t pop = fx_spike_times(&f, "given", 4, 10, neuron, time);
    uint32_t ch = fx_record(&f, "rate", RW_RECORD_RATE, pop, 10.0);
    uint32_t sp = fx_record(&f, "spikes", RW_RECORD_SPIKES, pop, 0);
    rw_network *net = fx_build(&f);
    rw_recorder *rec = rw_recorder_new(&f.e, net);
    fx_sink sink = {0};
    int rc = fx_run(net, rec, &sink, 150, 30);
    CHECK(rc == 0 && sink.ch[ch].n == 1, "after 150 steps only the complete bin is out");
    CHECK(rw_recorder_pending(rec) == 0, "drained: nothing pending");
    rc |= fx_run(net, rec, &sink, 100, 7);
    CHECK(rc == 0 && sink.ch[ch].n == 2, "after 250 steps two bins");
    CHECK(rw_recorder_finish(rec, net) == 0 && rw_recorder_pending(rec) == 1,
          "finish closes the partial bin");
    CHECK(rw_recorder_finish(rec, net) == 0 && rw_recorder_pending(rec) == 1,
          "finishing twice adds nothing");
    rw_recorder_drain(rec, fx_collect, &sink);
    const fx_rows *r = &sink.ch[ch];
    CHECK(r->n == 3 && r->time[0] == 0.0 && fabs(r->time[1] - 10.0) < 1e-12 &&
              fabs(r->time[2] - 20.0) < 1e-12,
          "bins stamped with their start");
    CHECK_NEAR(r->value[0], 3 / (4 * 0.010), 1e-9, "bin 0: 3 spikes / 4 neurons / 10 ms");
    CHECK_NEAR(r->value[1], 5 / (4 * 0.010), 1e-9, "bin 1: 5 spikes");
    CHECK_NEAR(r->value[2], 2 / (4 * 0.005), 1e-9, "partial bin: 2 spikes over its 5 ms");
    CHECK(r->index[0] == UINT32_MAX && r->index2[0] == UINT32_MAX,
          "rate batches carry time and value only");
    const fx_rows *s = &sink.ch[sp];
    CHECK(s->n == 10 && isnan(s->value[0]) && s->index[9] == 1 && fabs(s->time[9] - 24.9) < 1e-9,
          "spike batches carry time and neuron");
    rw_recorder_free(rec);
    rw_network_free(net);
    fx_sink_free(&sink);
}

static void state_samples(void) {
    fx f;
    fx_init(&f, DT, 1);
    uint32_t pop = fx_lif(&f, "cells", RW_MODEL_LIF_CUBA, 4);
    f.pops[pop].lif.I_bias = 200;
    uint32_t ch = fx_record(&f, "v", RW_RECORD_STATE, pop, 0.5);
    static uint32_t which[] = {2, 0};
    f.recs[ch].n_neurons = 2;
    f.recs[ch].neurons = which;
    uint32_t all = fx_record(&f, "all", RW_RECORD_STATE, pop, 1.0);
    rw_network *net = fx_build(&f);
    rw_recorder *rec = rw_recorder_new(&f.e, net);
    fx_sink sink = {0};
    int rc = fx_run(net, rec, &sink, 23, 100);
    rc |= rw_recorder_finish(rec, net);
    rc |= rw_recorder_drain(rec, fx_collect, &sink);
    const fx_rows *r = &sink.ch[ch];
    int ok = rc == 0 && r->n == 10;
    for (size_t k = 0; ok && k < 10; k++)
        ok &= fabs(r->time[k] - 0.5 * (double)(k / 2)) < 1e-12 && r->index[k] == which[k % 2];
    CHECK(ok, "samples at t = 0, 0.5, ..., 2.0 ms of neurons 2 and 0, in the order asked");
    CHECK(r->value[0] == -70.0 && r->value[2] > -70.0, "t = 0 is the initial state; later ones move");
    CHECK_NEAR(r->value[4], -70 + 10.0 / 250.0 * 200 * -expm1(-1.0 / 10.0), 1e-11,
               "the sample at t = 1 ms is V(1 ms)");
    const fx_rows *a = &sink.ch[all];
    CHECK(a->n == 12 && a->index[11] == 3 && fabs(a->time[11] - 2.0) < 1e-12,
          "all neurons by default; the end time (2.3 ms) is not sampled");
    rw_recorder_free(rec);
    rw_network_free(net);
    fx_sink_free(&sink);
}

static int failing_sink(void *ctx, const rewire_batch *b) {
    (void)b;
    return ++*(int *)ctx >= 2 ? REWIRE_EIO : 0;
}

static void weight_snapshots(void) {
    fx f;
    fx_init(&f, DT, 3);
    uint32_t a = fx_lif(&f, "a", RW_MODEL_LIF_COBA, 6);
    uint32_t b = fx_lif(&f, "b", RW_MODEL_LIF_COBA, 5);
    uint32_t pj = fx_proj(&f, "ab", a, b, RW_CONNECT_FIXED_PROBABILITY, 1.0, 0.5);
    f.projs[pj].p = 0.5;
    f.projs[pj].weight = fx_uniform(0.0, 1.0);
    uint32_t ch = fx_record(&f, "w", RW_RECORD_WEIGHTS, pj, 1.0);
    uint32_t once = fx_record(&f, "w_end", RW_RECORD_WEIGHTS, pj, 0.0); /* t = 0 and the end */
    rw_network *net = fx_build(&f);
    rw_recorder *rec = rw_recorder_new(&f.e, net);
    rewire_projection_view *v = rw_network_projection_view(net, pj);
    uint32_t n = v->n_syn;
    fx_sink sink = {0};
    int rc = fx_run(net, rec, &sink, 12, 5);
    v->weights[0] = 42.0f; /* as a rule would, between slices */
    rc |= fx_run(net, rec, &sink, 8, 5);   /* to step 20: snapshot at 20 */
    rc |= rw_recorder_finish(rec, net);    /* already taken at 20: nothing new */
    rc |= rw_recorder_drain(rec, fx_collect, &sink);
    const fx_rows *r = &sink.ch[ch];
    CHECK(rc == 0 && n > 5 && r->n == 3 * (size_t)n, "snapshots at 0, 1 and 2 ms, none twice (%zu rows)",
          r->n);
    int rows_ok = 1;
    for (uint32_t i = 0, k = 0; i < v->n_pre; i++)
        for (uint32_t s = v->row_offsets[i]; s < v->row_offsets[i + 1]; s++, k++)
            for (int snap = 0; snap < 3; snap++) {
                size_t row = snap * (size_t)n + k;
                rows_ok &= r->index[row] == i && r->index2[row] == v->targets[s] &&
                           fabs(r->time[row] - snap * 1.0) < 1e-12;
            }
    CHECK(rows_ok, "rows list (pre, post) in CSR order, stamped with the snapshot time");
    CHECK(r->value[0] != 42.0 && r->value[(size_t)n] != 42.0 && r->value[2 * (size_t)n] == 42.0,
          "a snapshot shows the weights of its time");
    CHECK(sink.ch[once].n == 2 * (size_t)n && fabs(sink.ch[once].time[n] - 2.0) < 1e-12,
          "without interval: t = 0 and the end");

    /* A failing sink stops the drain and keeps the rows it did not take. */
    rc = rw_network_advance(net, 5, rec);
    rc |= rw_recorder_finish(rec, net);
    size_t pending = rw_recorder_pending(rec);
    int calls = 0;
    CHECK(rc == 0 && pending == 2 * (size_t)n, "a final snapshot per channel pending");
    CHECK(rw_recorder_drain(rec, failing_sink, &calls) == REWIRE_EIO && calls == 2 &&
              rw_recorder_pending(rec) == (size_t)n,
          "a sink error is returned; the refused batch stays pending");
    rw_recorder_free(rec);
    rw_network_free(net);
    fx_sink_free(&sink);
}

int main(void) {
    channel_info();
    rate_bins();
    state_samples();
    weight_snapshots();
    return tap_done();
}
