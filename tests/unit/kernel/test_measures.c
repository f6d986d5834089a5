/* Measures (core/measures.c) on small hand-built networks whose answers are known:
 * weight statistics and histograms over the synapses in use, the representation map
 * of a 1D topographic map (channel A reaches neurons 0..9, B 10..19), receptive-field
 * centres and widths as weighted means, and the sampler's timing through the recorder
 * (rates over each interval, samples at t = 0, every interval and the end). */
#include <math.h>

#include "fixture.h"
#include "measures.h"
#include "network_internal.h"
#include "tap.h"

#define DT 0.1

static void weight_stats(void) {
    /* 4 x 5 all-to-all: weights 0, 1, ..., 19 in storage order. */
    fx f;
    fx_init(&f, DT, 1);
    uint32_t a = fx_lif(&f, "a", RW_MODEL_LIF_CUBA, 4);
    uint32_t b = fx_lif(&f, "b", RW_MODEL_LIF_CUBA, 5);
    fx_proj(&f, "ab", a, b, RW_CONNECT_ALL_TO_ALL, 1.0, 1.0);
    rw_network *net = fx_build(&f);
    rw_proj *pr = &net->projs[0];
    for (uint32_t s = 0; s < 20; s++) pr->weights[s] = (float)s;
    uint64_t hist[5];
    double mean, sd;
    uint64_t n = rw_measure_weight_stats(pr, 0.0, 20.0, 4, hist, &mean, &sd);
    /* Uniform on 0..19: mean 9.5, population variance (20^2 - 1) / 12. */
    CHECK(n == 20 && rw_measure_synapse_count(pr) == 20, "20 synapses");
    CHECK_NEAR(mean, 9.5, 1e-12, "mean of 0..19");
    CHECK_NEAR(sd, sqrt(399.0 / 12.0), 1e-12, "sd of 0..19");
    CHECK(hist[0] == 5 && hist[1] == 5 && hist[2] == 5 && hist[3] == 5,
          "4 bins of width 5 over [0, 20): 5 each (%llu %llu %llu %llu)",
          (unsigned long long)hist[0], (unsigned long long)hist[1],
          (unsigned long long)hist[2], (unsigned long long)hist[3]);
    /* A narrower range: what falls outside counts in the end bins. */
    rw_measure_weight_stats(pr, 5.0, 10.0, 5, hist, &mean, &sd);
    uint64_t sum = 0;
    for (int k = 0; k < 5; k++) sum += hist[k];
    CHECK(sum == 20 && hist[0] == 6 && hist[4] == 11,
          "clipped into the end bins, the counts sum to the synapse count (%llu, %llu, %llu)",
          (unsigned long long)sum, (unsigned long long)hist[0], (unsigned long long)hist[4]);
    /* Synapses in use only: row 0 keeps 2 of its 5 (weights 0, 1), the rest are free room. */
    pr->row_lengths[0] = 2;
    rw_connect_fill_spans(pr);
    n = rw_measure_weight_stats(pr, 0.0, 20.0, 4, hist, &mean, &sd);
    CHECK(n == 17 && rw_measure_synapse_count(pr) == 17, "rows count their synapses in use only");
    double want = (0 + 1 + (5 + 19) * 15 / 2.0) / 17.0;
    CHECK_NEAR(mean, want, 1e-12, "the mean leaves the free room out");
    CHECK(hist[0] == 2 + 0 && hist[1] + hist[2] + hist[3] == 15, "so does the histogram");
    double lo, hi;
    CHECK(rw_measure_weight_range(pr, &lo, &hi) && lo == 0.0 && hi == 19.0, "range [0, 19]");
    rw_network_free(net);
}

/* skin (20 sources) -> cortex (20): neuron j gets weight 1 from its own half of skin
 * and 0.25 from the other half. */
static void representation(void) {
    fx f;
    fx_init(&f, DT, 1);
    uint32_t skin = fx_poisson(&f, "skin", 20, 0.0);
    uint32_t cortex = fx_lif(&f, "cortex", RW_MODEL_LIF_CUBA, 20);
    fx_proj(&f, "map", skin, cortex, RW_CONNECT_ALL_TO_ALL, 1.0, 1.0);
    rw_network *net = fx_build(&f);
    rw_proj *pr = &net->projs[0];
    for (uint32_t i = 0; i < 20; i++)
        for (uint32_t s = pr->span[i].begin; s < pr->span[i].end; s++)
            pr->weights[s] = (i < 10) == (pr->targets[s] < 10) ? 1.0f : 0.25f;
    uint32_t hand[10], face[10];
    for (uint32_t i = 0; i < 10; i++) hand[i] = i, face[i] = 10 + i;
    double sums[2 * 20] = {0};
    rw_measure_drive_add(pr, hand, 10, sums);
    rw_measure_drive_add(pr, face, 10, sums + 20);
    CHECK_NEAR(sums[0], 10.0, 1e-12, "hand drives neuron 0 with 10 x 1");
    CHECK_NEAR(sums[20 + 0], 2.5, 1e-12, "face drives neuron 0 with 10 x 0.25");
    int32_t winner[20];
    uint32_t area[2];
    rw_measure_winners(sums, 2, 20, NULL, winner, area);
    bool ok = true;
    for (uint32_t j = 0; j < 20; j++) ok &= winner[j] == (j < 10 ? 0 : 1);
    CHECK(ok && area[0] == 10 && area[1] == 10, "hand wins 0..9, face 10..19: areas 10 and 10");
    uint8_t alive[20];
    memset(alive, 1, sizeof alive);
    alive[3] = alive[4] = 0;
    rw_measure_winners(sums, 2, 20, alive, winner, area);
    CHECK(winner[3] == -1 && winner[4] == -1 && area[0] == 8 && area[1] == 10,
          "dead neurons have no winner and leave the area");
    /* Amputation: the hand's synapses weigh nothing; the face now wins everywhere. */
    for (uint32_t i = 0; i < 10; i++)
        for (uint32_t s = pr->span[i].begin; s < pr->span[i].end; s++) pr->weights[s] = 0.0f;
    memset(sums, 0, sizeof sums);
    rw_measure_drive_add(pr, hand, 10, sums);
    rw_measure_drive_add(pr, face, 10, sums + 20);
    rw_measure_winners(sums, 2, 20, NULL, winner, area);
    CHECK(area[0] == 0 && area[1] == 20, "without the hand's weights the face takes the map");
    memset(sums, 0, sizeof sums);
    rw_measure_winners(sums, 2, 20, NULL, winner, area);
    CHECK(winner[0] == -1 && area[0] == 0 && area[1] == 0, "all sums 0: no winner");
    rw_network_free(net);
}

static void receptive_fields(void) {
    fx f;
    fx_init(&f, DT, 1);
    uint32_t a = fx_poisson(&f, "a", 4, 0.0);
    uint32_t b = fx_lif(&f, "b", RW_MODEL_LIF_CUBA, 3);
    fx_proj(&f, "ab", a, b, RW_CONNECT_ALL_TO_ALL, 0.0, 1.0);
    rw_network *net = fx_build(&f);
    rw_proj *pr = &net->projs[0];
    const float x[4] = {0.1f, 0.3f, 0.6f, 0.9f}, y[4] = {0.2f, 0.2f, 0.8f, 0.4f};
    /* Post 0: weight 1 from pre 1, 3 from pre 2 (and a negative one, left out).
     * Post 1: one source, pre 3.  Post 2: nothing positive. */
    for (uint32_t i = 0; i < 4; i++)
        for (uint32_t s = pr->span[i].begin; s < pr->span[i].end; s++) {
            uint32_t j = pr->targets[s];
            pr->weights[s] = j == 0 ? (i == 1 ? 1.0f : i == 2 ? 3.0f : i == 0 ? -2.0f : 0.0f)
                             : j == 1 ? (i == 3 ? 0.5f : 0.0f)
                                      : -1.0f;
        }
    double sw[3], cx[3], cy[3], width[3];
    rw_measure_receptive_fields(pr, x, y, NULL, sw, cx, cy, width);
    double wx = (1 * 0.3 + 3 * 0.6) / 4.0, wy = (1 * 0.2 + 3 * 0.8) / 4.0;
    CHECK_NEAR(cx[0], wx, 1e-6, "centre x: the weighted mean of the sources' x");
    CHECK_NEAR(cy[0], wy, 1e-6, "centre y: the weighted mean of the sources' y");
    double d1 = pow(0.3 - wx, 2) + pow(0.2 - wy, 2), d2 = pow(0.6 - wx, 2) + pow(0.8 - wy, 2);
    CHECK_NEAR(width[0], sqrt((1 * d1 + 3 * d2) / 4.0), 1e-6,
               "width: the weighted rms distance from the centre");
    CHECK_NEAR(cx[1], 0.9, 1e-6, "a single source: the centre is its position");
    CHECK_NEAR(width[1], 0.0, 1e-12, "... and the width 0");
    CHECK(isnan(cx[2]) && isnan(width[2]), "no positive weight: no receptive field (NaN)");
    uint8_t alive[3] = {0, 1, 1};
    rw_measure_receptive_fields(pr, x, y, alive, sw, cx, cy, width);
    CHECK(isnan(cx[0]) && !isnan(cx[1]), "a dead neuron has no receptive field");
    rw_network_free(net);
}

/* Rows of a drained channel. */
static bool rows_are(const fx_rows *r, size_t n, const double *t, const double *v) {
    if (r->n != n) return false;
    for (size_t k = 0; k < n; k++)
        if (fabs(r->time[k] - t[k]) > 1e-9 || fabs(r->value[k] - v[k]) > 1e-9 || r->index[k] != 0)
            return false;
    return true;
}

static void sampler(void) {
    /* 4 neurons, 2 selected (1 and 2); spikes of the selected ones: 3 in (0, 10 ms],
     * 1 in (10, 20], 2 in the partial (20, 25]. */
    static uint32_t neuron[] = {1, 2, 0, 1, 3, 2, 1, 2};
    static double time[] = {0.0, 5.0, 6.0, 9.9, 10.0, 15.0, 21.0, 24.0};
    fx f;
    fx_init(&f, DT, 1);
    uint32_t src = fx_spike_times(&f, "src", 4, 8, neuron, time);
    uint32_t tgt = fx_lif(&f, "tgt", RW_MODEL_LIF_CUBA, 3);
    fx_proj(&f, "st", src, tgt, RW_CONNECT_ALL_TO_ALL, 1.0, 1.0);
    fx_record(&f, "spk", RW_RECORD_SPIKES, src, 0);
    uint32_t sel[] = {1, 2};
    rw_measure_spec m[2] = {
        {.name = strdup("r"), .kind = RW_MEASURE_RATE, .every = 10.0, .target = src,
         .sel = {.name = strdup("part"), .pop = src, .n = 2, .index = malloc(sizeof sel)}},
        {.name = strdup("n"), .kind = RW_MEASURE_SYNAPSES, .every = 10.0, .target = 0},
    };
    memcpy(m[0].sel.index, sel, sizeof sel);
    CHECK(rw_measure_spec_outputs(&m[0]) && rw_measure_spec_outputs(&m[1]) &&
              strcmp(m[0].out_names[0], "r") == 0 && strcmp(m[1].out_names[0], "n") == 0,
          "scalar measures have one channel, named as the measure");
    f.e.measures = m;
    f.e.n_measures = 2;
    rw_network *net = fx_build(&f);
    rw_recorder *rec = rw_recorder_new(&f.e, net);
    const rewire_channel_info *c = rw_recorder_channels(rec);
    CHECK(rw_recorder_count(rec) == 3 && c[1].id == 1 && strcmp(c[1].name, "r") == 0 &&
              c[1].kind == REWIRE_CHANNEL_METRIC && strcmp(c[1].unit, "Hz") == 0 &&
              fabs(c[1].interval - 10.0) < 1e-12 && strcmp(c[2].name, "n") == 0 &&
              strcmp(c[2].source, "st") == 0,
          "measure channels follow the records, metric kind, with unit and interval");
    fx_sink sink = {0};
    int rc = fx_run(net, rec, &sink, 250, 7);
    rc |= rw_recorder_finish(rec, net);
    rc |= rw_recorder_drain(rec, fx_collect, &sink);
    /* 2 neurons: 3 spikes in 10 ms = 150 Hz, 1 -> 50 Hz, 2 in 5 ms -> 200 Hz. */
    const double rt[] = {10, 20, 25}, rv[] = {150, 50, 200};
    CHECK(rc == 0 && rows_are(&sink.ch[1], 3, rt, rv),
          "rates of the selection over each interval, stamped at its end; a partial last "
          "one over its length (%zu rows)", sink.ch[1].n);
    const double nt[] = {0, 10, 20, 25}, nv[] = {12, 12, 12, 12};
    CHECK(rows_are(&sink.ch[2], 4, nt, nv), "synapse counts at 0, every 10 ms and the end");
    fx_sink_free(&sink);
    rw_recorder_free(rec);
    rw_network_free(net);
    rw_measure_spec_free(&m[0]);
    rw_measure_spec_free(&m[1]);
}

int main(void) {
    weight_stats();
    representation();
    receptive_fields();
    sampler();
    return tap_done();
}
