/* Delay ring buffers: a spike emitted at step s with delay d acts at the end of step
 * s + d, whatever the delay, the slice size, or how often the ring has wrapped.
 *
 * Probe: a lif_cuba neuron with tau_e = infinity integrates its input current without
 * decay, so the increments of I_e between samples are exactly the arrivals. */
#include <math.h>

#include "fixture.h"
#include "tap.h"

#define DT 0.1

static uint32_t probe(fx *f, const char *name, uint32_t size) {
    uint32_t pop = fx_lif(f, name, RW_MODEL_LIF_CUBA, size);
    f->pops[pop].lif.tau_e = INFINITY;
    f->pops[pop].lif.V_th = INFINITY;
    return pop;
}

/* Run and return the per-step increments of I_e of population `pop` (samples k+1 - k:
 * what arrived at step k).  *n receives the number of steps. */
static double *arrivals(fx *f, uint32_t pop, int64_t steps, int64_t slice, int *rc) {
    uint32_t ch = fx_record(f, "I_e", RW_RECORD_STATE, pop, DT);
    f->recs[ch].variable = RW_VAR_G_E;
    rw_network *net = fx_build(f);
    rw_recorder *rec = net ? rw_recorder_new(&f->e, net) : NULL;
    fx_sink sink = {0};
    *rc = net && rec ? fx_run(net, rec, &sink, steps + 1, slice) : -1;
    double *inc = calloc((size_t)steps, sizeof *inc);
    if (*rc == 0 && sink.ch[ch].n == (size_t)steps + 1)
        for (int64_t k = 0; k < steps; k++) inc[k] = sink.ch[ch].value[k + 1] - sink.ch[ch].value[k];
    else if (*rc == 0)
        *rc = -2;
    rw_recorder_free(rec);
    rw_network_free(net);
    fx_sink_free(&sink);
    return inc;
}

static void several_delays(int64_t slice) {
    /* One spike at step 5 through projections of delays 3, 4, 9 and 64 steps with
     * weights 1, 2, 4, 8 pA: each arrival is identified by its weight. */
    static uint32_t neuron[1] = {0};
    static double time[1] = {0.5};
    const int delays[4] = {3, 4, 9, 64};
    fx f;
    fx_init(&f, DT, 1);
    uint32_t src = fx_spike_times(&f, "in", 1, 1, neuron, time);
    uint32_t pop = probe(&f, "probe", 1);
    for (int k = 0; k < 4; k++) fx_proj(&f, "d", src, pop, RW_CONNECT_ALL_TO_ALL, 1 << k, delays[k] * DT);
    int rc;
    double *inc = arrivals(&f, pop, 100, slice, &rc);
    int ok = rc == 0;
    for (int64_t s = 0; s < 100; s++) {
        double expect = 0;
        for (int k = 0; k < 4; k++) expect += 5 + delays[k] == s ? 1 << k : 0;
        ok &= inc[s] == expect;
    }
    CHECK(ok, "delays 3, 4, 9, 64 steps arrive exactly d steps after step 5 (slices of %lld)",
          (long long)slice);
    free(inc);
}

static double periodic_arrival(int64_t s, int64_t delay, int64_t period, int64_t phase, int n) {
    int64_t e = s - delay - phase; /* emission step */
    return e >= 0 && e % period == 0 && e / period < n ? 1.0 : 0.0;
}

static void wrap_around(void) {
    /* Source 0 fires every 3 steps, source 1 every 5 steps from step 1, 1000 times each;
     * each reaches its probe neuron through delays 7 (weight 1) and 13 (weight 1/4): a
     * ring of 14 slots, turned hundreds of times. */
    enum { N = 1000, STEPS = 5 * N + 20 };
    static uint32_t neuron[2 * N];
    static double time[2 * N];
    for (int k = 0; k < N; k++) {
        neuron[2 * k] = 0;
        time[2 * k] = 3 * k * DT;
        neuron[2 * k + 1] = 1;
        time[2 * k + 1] = (5 * k + 1) * DT;
    }
    fx f;
    fx_init(&f, DT, 1);
    uint32_t src = fx_spike_times(&f, "in", 2, 2 * N, neuron, time);
    uint32_t pop = probe(&f, "probe", 2);
    fx_proj(&f, "near", src, pop, RW_CONNECT_ONE_TO_ONE, 1.0, 7 * DT);
    fx_proj(&f, "far", src, pop, RW_CONNECT_ONE_TO_ONE, 0.25, 13 * DT);
    uint32_t ch = fx_record(&f, "I_e", RW_RECORD_STATE, pop, DT);
    f.recs[ch].variable = RW_VAR_G_E;
    rw_network *net = fx_build(&f);
    rw_recorder *rec = rw_recorder_new(&f.e, net);
    fx_sink sink = {0};
    int rc = fx_run(net, rec, &sink, STEPS, 7);
    const fx_rows *r = &sink.ch[ch];
    int ok = rc == 0 && r->n == 2 * (size_t)STEPS;
    size_t arrived = 0;
    for (int64_t s = 0; ok && s + 1 < STEPS; s++) {
        double i0 = r->value[2 * (s + 1)] - r->value[2 * s];
        double i1 = r->value[2 * (s + 1) + 1] - r->value[2 * s + 1];
        double e0 = periodic_arrival(s, 7, 3, 0, N) + 0.25 * periodic_arrival(s, 13, 3, 0, N);
        double e1 = periodic_arrival(s, 7, 5, 1, N) + 0.25 * periodic_arrival(s, 13, 5, 1, N);
        ok &= i0 == e0 && i1 == e1;
        arrived += (e0 != 0) + (e1 != 0);
    }
    CHECK(ok && arrived > 3000, "4000 spikes arrive on time over hundreds of ring revolutions");
    rw_recorder_free(rec);
    rw_network_free(net);
    fx_sink_free(&sink);
}

static void mixed_delays_in_one_projection(int64_t slice) {
    /* 8 sources fire at step 10; all_to_all with delays uniform in [0.1, 3) ms, weights
     * 2^i: the per-synapse delay path of the delivery loop. */
    static uint32_t neuron[8];
    static double time[8];
    for (int i = 0; i < 8; i++) {
        neuron[i] = (uint32_t)i;
        time[i] = 1.0;
    }
    fx f;
    fx_init(&f, DT, 3);
    uint32_t src = fx_spike_times(&f, "in", 8, 8, neuron, time);
    uint32_t pop = probe(&f, "probe", 1);
    uint32_t pj = fx_proj(&f, "mixed", src, pop, RW_CONNECT_ALL_TO_ALL, 1.0, DT);
    f.projs[pj].delay = fx_uniform(0.1, 3.0);
    f.projs[pj].delay.lo = DT;
    rw_network *net = fx_build(&f);
    rewire_projection_view *v = rw_network_projection_view(net, pj);
    uint16_t d[8];
    int distinct = 0;
    for (int i = 0; i < 8; i++) {
        d[i] = v->delays[v->row_offsets[i]];
        v->weights[v->row_offsets[i]] = (float)(1 << i); /* rules may write weights */
        for (int j = 0; j < i; j++) distinct |= d[i] != d[j];
    }
    CHECK(distinct && v->n_syn == 8, "delays differ between synapses");
    uint32_t ch = fx_record(&f, "I_e", RW_RECORD_STATE, pop, DT);
    f.recs[ch].variable = RW_VAR_G_E;
    rw_recorder *rec = rw_recorder_new(&f.e, net);
    fx_sink sink = {0};
    int rc = fx_run(net, rec, &sink, 60, slice);
    const fx_rows *r = &sink.ch[ch];
    int ok = rc == 0 && r->n == 60;
    for (int64_t s = 0; ok && s + 1 < 60; s++) {
        double expect = 0;
        for (int i = 0; i < 8; i++) expect += 10 + d[i] == s ? 1 << i : 0;
        ok &= r->value[s + 1] - r->value[s] == expect;
    }
    CHECK(ok, "each synapse's own delay is honoured (slices of %lld)", (long long)slice);
    rw_recorder_free(rec);
    rw_network_free(net);
    fx_sink_free(&sink);
}

static void longest_delay(void) {
    static uint32_t neuron[2] = {0, 0};
    static double time[2] = {0.0, 0.3};
    fx f;
    fx_init(&f, DT, 1);
    uint32_t src = fx_spike_times(&f, "in", 1, 2, neuron, time);
    uint32_t pop = probe(&f, "probe", 1);
    fx_proj(&f, "far", src, pop, RW_CONNECT_ALL_TO_ALL, 1.0, 65535 * DT);
    rw_network *net = fx_build(&f);
    CHECK(net && rw_network_min_delay(net) == 65535, "a delay of 65535 steps is accepted");
    rw_network_free(net);
    int rc;
    double *inc = arrivals(&f, pop, 65545, 65535, &rc);
    int ok = rc == 0;
    for (int64_t s = 0; ok && s < 65545; s++)
        ok &= inc[s] == (s == 65535 || s == 65538 ? 1.0 : 0.0);
    CHECK(ok, "spikes at steps 0 and 3 arrive 65535 steps later, nothing else moves");
    free(inc);

    fx_init(&f, DT, 1);
    src = fx_spike_times(&f, "in", 1, 2, neuron, time);
    pop = probe(&f, "probe", 1);
    fx_proj(&f, "too_far", src, pop, RW_CONNECT_ALL_TO_ALL, 1.0, 65536 * DT);
    CHECK(fx_build_errors(&f) == 1, "a delay of 65536 steps is refused");
}

static void slice_bounds(void) {
    static uint32_t neuron[1] = {0};
    static double time[1] = {0.0};
    fx f;
    fx_init(&f, DT, 1);
    uint32_t src = fx_spike_times(&f, "in", 1, 1, neuron, time);
    uint32_t pop = probe(&f, "probe", 1);
    uint32_t pj = fx_proj(&f, "p", src, pop, RW_CONNECT_ALL_TO_ALL, 1.0, 0.4);
    f.projs[pj].delay = fx_uniform(0.35, 2.0); /* 0.35 ms rounds to 4 steps at least */
    f.projs[pj].delay.lo = DT;
    rw_network *net = fx_build(&f);
    int64_t md = rw_network_min_delay(net);
    const rewire_projection_view *v = rw_network_projection_view(net, pj);
    CHECK(md == v->delays[0] && md >= 4, "min delay is the shortest synaptic delay (%lld)",
          (long long)md);
    CHECK(rw_network_advance(net, md + 1, NULL) == REWIRE_EINVAL, "a slice longer than min delay is refused");
    CHECK(rw_network_advance(net, 0, NULL) == REWIRE_EINVAL, "an empty slice is refused");
    CHECK(rw_network_step(net) == 0, "refused slices simulate nothing");
    CHECK(rw_network_advance(net, md, NULL) == 0 && rw_network_step(net) == md,
          "a slice of min delay steps advances the clock");
    rw_network_free(net);

    fx_init(&f, DT, 1);
    probe(&f, "alone", 1);
    net = fx_build(&f);
    CHECK(net && rw_network_min_delay(net) == RW_UNCONNECTED_SLICE &&
              rw_network_advance(net, RW_UNCONNECTED_SLICE, NULL) == 0,
          "an unconnected network advances in slices of %d steps", RW_UNCONNECTED_SLICE);
    rw_network_free(net);
}

int main(void) {
    several_delays(1);
    several_delays(1000);
    wrap_around();
    mixed_delays_in_one_projection(1);
    mixed_delays_in_one_projection(1000);
    longest_delay();
    slice_bounds();
    return tap_done();
}
