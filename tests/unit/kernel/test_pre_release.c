/* Release factors (REWIRE_RULE_PRE_RELEASE) and on_pre before delivery
 * (REWIRE_RULE_PRE_BEFORE_DELIVERY), the kernel's support for short-term plasticity:
 *  - the host allocates pre_release only for rules that ask, filled with 1;
 *  - a spike delivers exactly w * pre_release[i] (the target's I_e jumps by it), for a
 *    constant and for mixed delays, and a factor of 1 delivers exactly w;
 *  - a rule with PRE_BEFORE_DELIVERY sees on_pre(t) before step t's spikes reach the
 *    ring (observed by a logging rule that reads the ring), others after;
 *  - a network whose rule changes the factor at every spike gives bit-identical
 *    results in slices of 1, of min_delay and of irregular sizes. */
#include <math.h>

#include "fixture.h"
#include "network_internal.h"
#include "tap.h"

#define DT 0.1

/* ---- a rule that logs on_pre and what the ring held then, and sets release factors ---- */

typedef struct probe {
    const rw_network *net;
    uint32_t proj;
    float factor;          /* written to pre_release[i] at each spike of i (if > 0) */
    float decay;           /* then factor *= decay (a stand-in for depression) */
    int calls;
    double ring_at_call;   /* sum of the target's ring at the last on_pre */
    int64_t pre_steps[64];
    uint64_t checksum;     /* of the factors written, for the slice-size comparison */
} probe;

static double ring_sum(const rw_network *net, uint32_t pop) {
    const rw_pop *p = &net->pops[pop];
    double s = 0;
    for (size_t k = 0; k < (size_t)p->ring_slots * p->n; k++) s += p->ring_e[k];
    return s;
}

static void probe_on_pre(void *inst, rewire_projection_view *v, int64_t step, const uint32_t *pre,
                         size_t n) {
    probe *pb = inst;
    const rw_proj *pr = &pb->net->projs[pb->proj];
    pb->ring_at_call = ring_sum(pb->net, pr->post);
    if (pb->calls < 64) pb->pre_steps[pb->calls] = step;
    pb->calls++;
    if (!(pb->factor > 0) || !v->pre_release) return;
    for (size_t k = 0; k < n; k++) {
        v->pre_release[pre[k]] = pb->factor;
        uint32_t bits;
        memcpy(&bits, &pb->factor, sizeof bits);
        pb->checksum = pb->checksum * 1000003u + bits + pre[k];
        pb->factor *= pb->decay;
    }
}

static void probe_on_post(void *inst, rewire_projection_view *v, int64_t step,
                          const uint32_t *post, size_t n) {
    (void)inst, (void)v, (void)step, (void)post, (void)n;
}

static const rewire_learning_rule_v1 release_rule = {
    .struct_size = sizeof release_rule,
    .flags = REWIRE_RULE_PRE_RELEASE | REWIRE_RULE_PRE_BEFORE_DELIVERY,
    .on_pre = probe_on_pre,
    .on_post = probe_on_post,
};
static const rewire_learning_rule_v1 release_after_rule = {
    .struct_size = sizeof release_after_rule,
    .flags = REWIRE_RULE_PRE_RELEASE,
    .on_pre = probe_on_pre,
    .on_post = probe_on_post,
};
static const rewire_learning_rule_v1 plain_rule = {
    .struct_size = sizeof plain_rule,
    .on_pre = probe_on_pre,
    .on_post = probe_on_post,
};

/* ---- one source spike onto a silent lif_cuba neuron: the I_e jump is the delivered amount ---- */

/* Spikes of source 0 of 2 at times[], all_to_all onto 1 silent neuron with weight w,
 * delay 0.5 ms (mixed: delays drawn in 0.5 .. 2 ms, so they differ between the two
 * synapses).  Records what each arrival added to the target's I_e. */
typedef struct jump_run {
    double jumps[8];
    int n;
    uint64_t events;
    bool mixed; /* the projection's delays differ */
    int rc;
} jump_run;

static void run_jumps(jump_run *out, const rewire_learning_rule_v1 *rule, probe *pb,
                      bool mixed_delays, const double *times, int n_times, double w) {
    memset(out, 0, sizeof *out);
    fx f;
    fx_init(&f, DT, 1);
    uint32_t neuron[8] = {0};
    double time[8];
    for (int k = 0; k < n_times; k++) time[k] = times[k];
    uint32_t src = fx_spike_times(&f, "src", 2, (uint32_t)n_times, neuron, time);
    uint32_t tgt = fx_lif(&f, "tgt", RW_MODEL_LIF_CUBA, 1);
    f.pops[tgt].lif.V_th = 1e9; /* never fires */
    uint32_t p = fx_proj(&f, "syn", src, tgt, RW_CONNECT_ALL_TO_ALL, w, 0.5);
    if (mixed_delays) {
        /* source 1 (never spiking) gets a longer delay: a projection of mixed delays */
        f.projs[p].delay = fx_uniform(0.5, 2.0);
        f.projs[p].delay.lo = DT;
    }
    rw_network *net = fx_build(&f);
    if (!net) {
        out->rc = -1;
        return;
    }
    pb->net = net;
    pb->proj = p;
    if (rule && (out->rc = rw_network_attach_rule(net, p, rule, pb))) {
        rw_network_free(net);
        return;
    }
    const rw_pop *post = &net->pops[tgt];
    out->mixed = net->projs[p].min_delay != net->projs[p].max_delay;
    /* I_e' = P11e I_e + input: what arrived in a step is I_e' - P11e I_e (exact up to
     * the rounding of I_e, ~1e-14 pA here). */
    double prev = 0;
    int64_t step = 0, end = (int64_t)llround(times[n_times - 1] / DT) + 40;
    while (step < end && !out->rc) {
        out->rc = rw_network_advance(net, 1, NULL);
        step++;
        const double in = post->g_e[0] - post->c.P11e * prev;
        if (fabs(in) > 1e-6 * w && out->n < 8) out->jumps[out->n++] = in;
        prev = post->g_e[0];
    }
    out->events = rw_network_synaptic_events(net);
    rw_network_free(net);
}

static void test_allocation(void) {
    fx f;
    fx_init(&f, DT, 1);
    uint32_t src = fx_poisson(&f, "src", 5, 10.0);
    uint32_t tgt = fx_lif(&f, "tgt", RW_MODEL_LIF_CUBA, 3);
    fx_proj(&f, "a", src, tgt, RW_CONNECT_ALL_TO_ALL, 1.0, 1.0);
    fx_proj(&f, "b", src, tgt, RW_CONNECT_ALL_TO_ALL, 1.0, 1.0);
    rw_network *net = fx_build(&f);
    if (!net) {
        CHECK(0, "the allocation network builds");
        return;
    }
    probe pa = {.net = net}, pb = {.net = net, .proj = 1};
    CHECK(rw_network_attach_rule(net, 0, &release_rule, &pa) == 0 &&
              rw_network_attach_rule(net, 1, &plain_rule, &pb) == 0,
          "rules attach");
    const rewire_projection_view *a = rw_network_projection_view(net, 0);
    const rewire_projection_view *b = rw_network_projection_view(net, 1);
    int ones = a->pre_release != NULL;
    for (uint32_t i = 0; ones && i < a->n_pre; i++) ones = a->pre_release[i] == 1.0f;
    CHECK(ones && a->n_pre == 5, "PRE_RELEASE: the view has pre_release[n_pre], all 1");
    CHECK(b->pre_release == NULL, "a rule without PRE_RELEASE gets no pre_release (NULL)");
    CHECK(REWIRE_HAS_FIELD(rewire_projection_view, a->struct_size, pre_release),
          "the host's view is large enough to hold pre_release (ABI 1.1)");
    rw_network_free(net);
}

static void test_delivered_amount(void) {
    static const double times[] = {1.0, 3.0, 7.5};
    const double w = 40.0;
    jump_run plain, one, scaled, mixed;
    probe p0 = {0}, p1 = {.factor = 1.0f, .decay = 1.0f};
    run_jumps(&plain, NULL, &p0, false, times, 3, w);
    run_jumps(&one, &release_rule, &p1, false, times, 3, w);
    CHECK(plain.rc == 0 && one.rc == 0 && plain.n == 3 && one.n == 3 &&
              memcmp(plain.jumps, one.jumps, sizeof plain.jumps) == 0 && plain.jumps[0] == w,
          "a release factor of 1 delivers exactly w (%g pA), as without a rule", plain.jumps[0]);

    /* Factors 0.75, 0.75*0.3, 0.75*0.09: each spike delivers w times its own factor,
     * set by on_pre of the same step (before delivery). */
    probe ps = {.factor = 0.75f, .decay = 0.3f};
    run_jumps(&scaled, &release_rule, &ps, false, times, 3, w);
    float fs[3] = {0.75f, 0.75f * 0.3f, 0.75f * 0.3f * 0.3f};
    int exact = scaled.rc == 0 && scaled.n == 3;
    double worst = 0;
    for (int k = 0; exact && k < 3; k++) {
        /* the ring adds w f in double: exact up to the rounding of the I_e arithmetic */
        double want = w * (double)fs[k];
        worst = fmax(worst, fabs(scaled.jumps[k] - want));
    }
    CHECK(exact && worst <= 1e-12 * w,
          "each spike delivers w * pre_release[i] set for it: %.6g %.6g %.6g pA (want %.6g %.6g "
          "%.6g, worst %.2g)", scaled.jumps[0], scaled.jumps[1], scaled.jumps[2], w * fs[0],
          w * fs[1], w * fs[2], worst);
    CHECK(scaled.events == plain.events && scaled.events == 3,
          "scaled delivery counts the same synaptic events (%llu)",
          (unsigned long long)scaled.events);

    probe pm = {.factor = 0.5f, .decay = 0.5f};
    run_jumps(&mixed, &release_rule, &pm, true, times, 3, w);
    CHECK(mixed.rc == 0 && mixed.mixed && mixed.n == 3 && fabs(mixed.jumps[0] - 0.5 * w) <= 1e-12 * w &&
              fabs(mixed.jumps[1] - 0.25 * w) <= 1e-12 * w &&
              fabs(mixed.jumps[2] - 0.125 * w) <= 1e-12 * w,
          "mixed delays: the same scaling (%.6g %.6g %.6g pA)", mixed.jumps[0], mixed.jumps[1],
          mixed.jumps[2]);

    /* Without PRE_BEFORE_DELIVERY, on_pre(t) runs after t's delivery: the factor it
     * writes applies to the neuron's NEXT spike, the first spike delivers 1 * w. */
    jump_run after;
    probe pa = {.factor = 0.75f, .decay = 0.3f};
    run_jumps(&after, &release_after_rule, &pa, false, times, 3, w);
    CHECK(after.rc == 0 && after.n == 3 && after.jumps[0] == w &&
              fabs(after.jumps[1] - w * (double)fs[0]) <= 1e-12 * w &&
              fabs(after.jumps[2] - w * (double)fs[1]) <= 1e-12 * w,
          "PRE_RELEASE alone: the factor written at a spike scales the next one "
          "(%.6g %.6g %.6g pA)", after.jumps[0], after.jumps[1], after.jumps[2]);
}

static void test_order(void) {
    static const double times[] = {2.0};
    jump_run r;
    probe before = {.factor = 1.0f, .decay = 1.0f}, after = {0};
    run_jumps(&r, &release_rule, &before, false, times, 1, 10.0);
    CHECK(r.rc == 0 && before.calls == 1 && before.ring_at_call == 0.0 &&
              before.pre_steps[0] == 20,
          "PRE_BEFORE_DELIVERY: on_pre(step 20) sees the ring before the spike is in it "
          "(ring sum %g)", before.ring_at_call);
    run_jumps(&r, &plain_rule, &after, false, times, 1, 10.0);
    CHECK(r.rc == 0 && after.calls == 1 && after.ring_at_call == 10.0 &&
              after.pre_steps[0] == 20,
          "default order: on_pre(step 20) sees the spike already in the ring (ring sum %g)",
          after.ring_at_call);
}

/* ---- slice-size invariance with changing release factors ---- */

typedef struct outcome {
    fx_sink sink;
    uint64_t checksum, spikes, events;
    int calls, rc;
} outcome;

static void network(fx *f) {
    fx_init(f, DT, 5);
    uint32_t in = fx_poisson(f, "in", 100, 20.0);
    uint32_t exc = fx_lif(f, "exc", RW_MODEL_LIF_CUBA, 50);
    f->pops[exc].v_init = fx_uniform(-70.0, -55.0);
    uint32_t p = fx_proj(f, "in_exc", in, exc, RW_CONNECT_FIXED_PROBABILITY, 400.0, 1.0);
    f->projs[p].p = 0.3;
    f->projs[p].delay = fx_uniform(0.5, 2.0);
    f->projs[p].delay.lo = DT;
    uint32_t r = fx_proj(f, "exc_exc", exc, exc, RW_CONNECT_FIXED_PROBABILITY, 30.0, 0.8);
    f->projs[r].p = 0.2;
    fx_record(f, "exc_spikes", RW_RECORD_SPIKES, exc, 0);
    uint32_t g = fx_record(f, "exc_Ie", RW_RECORD_STATE, exc, 0.3);
    f->recs[g].variable = RW_VAR_G_E;
}

static void run_sliced(outcome *o, const int64_t *slices, size_t n_slices) {
    fx f;
    network(&f);
    memset(o, 0, sizeof *o);
    rw_network *net = fx_build(&f);
    if (!net) {
        o->rc = -1;
        return;
    }
    /* the factor shrinks at every spike: every spike has its own release */
    probe pb = {.net = net, .proj = 0, .factor = 1.0f, .decay = 0.9995f};
    o->rc = rw_network_attach_rule(net, 0, &release_rule, &pb);
    rw_recorder *rec = rw_recorder_new(&f.e, net);
    int64_t done = 0, md = rw_network_min_delay(net);
    for (size_t k = 0; done < 4000 && !o->rc; k++) {
        int64_t n = slices[k % n_slices];
        if (n > md) n = md;
        if (n > 4000 - done) n = 4000 - done;
        o->rc = rw_network_advance(net, n, rec);
        if (!o->rc) o->rc = rw_recorder_drain(rec, fx_collect, &o->sink);
        done += n;
    }
    o->checksum = pb.checksum;
    o->calls = pb.calls;
    o->spikes = rw_network_population_spikes(net, 1);
    o->events = rw_network_synaptic_events(net);
    rw_recorder_free(rec);
    rw_network_free(net);
}

static int same_rows(const fx_rows *a, const fx_rows *b) {
    return a->n == b->n && memcmp(a->time, b->time, a->n * sizeof *a->time) == 0 &&
           memcmp(a->index, b->index, a->n * sizeof *a->index) == 0 &&
           memcmp(a->value, b->value, a->n * sizeof *a->value) == 0;
}

static void test_slices(void) {
    static const int64_t one[] = {1}, whole[] = {1 << 20}, irregular[] = {3, 1, 4, 1, 5};
    outcome a, b, c;
    run_sliced(&a, one, 1);
    run_sliced(&b, whole, 1);
    run_sliced(&c, irregular, 5);
    CHECK(a.rc == 0 && b.rc == 0 && c.rc == 0 && a.calls > 100 && a.spikes > 50,
          "the released network runs and is active (%d on_pre calls, %llu spikes)", a.calls,
          (unsigned long long)a.spikes);
    const char *what[] = {"slices of min_delay", "irregular slices"};
    const outcome *other[] = {&b, &c};
    for (int k = 0; k < 2; k++) {
        const outcome *o = other[k];
        CHECK(same_rows(&a.sink.ch[0], &o->sink.ch[0]) && same_rows(&a.sink.ch[1], &o->sink.ch[1]) &&
                  a.checksum == o->checksum && a.events == o->events && a.spikes == o->spikes,
              "slices of 1 vs %s: bit-identical spikes, I_e samples and release factors", what[k]);
    }
    fx_sink_free(&a.sink);
    fx_sink_free(&b.sink);
    fx_sink_free(&c.sink);
}

int main(void) {
    test_allocation();
    test_delivered_amount();
    test_order();
    test_slices();
    return tap_done();
}
