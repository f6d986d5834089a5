/* Storage for structural plasticity (REWIRE_RULE_STRUCTURAL): rows with free room,
 * row_lengths, and the host's side of adding and removing synapses.
 *  - attaching a structural rule gives each row max(length, row_reserve) of capacity
 *    and exposes row_lengths / edit_targets / edit_delays; other rules get NULL;
 *  - a scripted rule adds two synapses, then removes one: every spike is delivered to
 *    exactly the synapses in use at its step (the ring holds each target's sum), a
 *    removed synapse never delivers again, and synaptic events count only those;
 *  - removal moves the row's last synapse (with its syn_state) into the hole;
 *  - the post index is rebuilt over the synapses in use;
 *  - the synapse-count channel, weight snapshots, synapse count and mean weight see
 *    only synapses in use;
 *  - a rule rewiring at random gives bit-identical runs in slices of 1, of min_delay
 *    and of irregular sizes, and its out-of-range delays are clamped. */
#include <math.h>

#include "fixture.h"
#include "network_internal.h"
#include "tap.h"

#define DT 0.1

/* ---- the scripted rule ---- */

static const char *const tag_name[] = {"tag"};

typedef struct editor {
    const rw_network *net;
    uint32_t proj, reserve;
    int64_t add_step, remove_step;  /* on_slice(step, step + 1) edits at these steps */
    int64_t slice_calls;            /* on_slice calls (one per step for structural rules) */
    int n_arrivals;
    double arrivals[4][4];          /* per on_pre call: what each target's ring slot got */
    int64_t arrival_step[4];
} editor;

static uint32_t editor_reserve(void *inst) { return ((editor *)inst)->reserve; }

static int editor_start(void *inst, rewire_projection_view *v) {
    (void)inst;
    /* tag = 100 pre + post: shows that the state moves with its synapse */
    for (uint32_t i = 0; i < v->n_pre; i++)
        for (uint32_t s = v->row_offsets[i]; s < v->row_offsets[i] + v->row_lengths[i]; s++)
            v->syn_state[0][s] = (float)(100 * i + v->targets[s]);
    return 0;
}

static void editor_on_pre(void *inst, rewire_projection_view *v, int64_t step, const uint32_t *pre,
                          size_t n) {
    (void)v, (void)pre, (void)n;
    editor *ed = inst;
    const rw_proj *pr = &ed->net->projs[ed->proj];
    const rw_pop *post = &ed->net->pops[pr->post];
    /* after delivery: the slot of step + delay holds exactly this step's spikes */
    uint32_t slot = (uint32_t)((step + pr->min_delay) % post->ring_slots);
    if (ed->n_arrivals >= 4) return;
    for (uint32_t j = 0; j < 4; j++)
        ed->arrivals[ed->n_arrivals][j] = post->ring_e[(size_t)slot * post->n + j];
    ed->arrival_step[ed->n_arrivals++] = step;
}

static void editor_on_post(void *inst, rewire_projection_view *v, int64_t step,
                           const uint32_t *post, size_t n) {
    (void)inst, (void)v, (void)step, (void)post, (void)n;
}

static void add_synapse(rewire_projection_view *v, uint32_t i, uint32_t j, float w, uint16_t d,
                        float tag) {
    uint32_t s = v->row_offsets[i] + v->row_lengths[i];
    if (s >= v->row_offsets[i + 1]) return; /* the row is full */
    v->edit_targets[s] = j;
    v->weights[s] = w;
    v->edit_delays[s] = d;
    for (uint32_t k = 0; k < v->n_syn_state; k++) v->syn_state[k][s] = k == 0 ? tag : 0.0f;
    v->row_lengths[i]++;
    v->structure_changed = 1;
}

static void remove_synapse(rewire_projection_view *v, uint32_t i, uint32_t s) {
    uint32_t last = v->row_offsets[i] + v->row_lengths[i] - 1;
    v->edit_targets[s] = v->targets[last];
    v->weights[s] = v->weights[last];
    v->edit_delays[s] = v->delays[last];
    for (uint32_t k = 0; k < v->n_syn_state; k++) v->syn_state[k][s] = v->syn_state[k][last];
    v->row_lengths[i]--;
    v->structure_changed = 1;
}

static void editor_on_slice(void *inst, rewire_projection_view *v, int64_t first, int64_t end) {
    editor *ed = inst;
    ed->slice_calls++;
    (void)end;
    if (first == ed->add_step) {
        add_synapse(v, 0, 2, 2.0f, v->delays[v->row_offsets[0]], 2.0f);
        add_synapse(v, 0, 3, 3.0f, v->delays[v->row_offsets[0]], 3.0f);
    }
    if (first == ed->remove_step)
        for (uint32_t s = v->row_offsets[0]; s < v->row_offsets[0] + v->row_lengths[0]; s++)
            if (v->targets[s] == 0) {
                remove_synapse(v, 0, s);
                break;
            }
}

static const rewire_learning_rule_v1 editor_rule = {
    .struct_size = sizeof editor_rule,
    .flags = REWIRE_RULE_STRUCTURAL | REWIRE_RULE_ON_SLICE | REWIRE_RULE_NEEDS_POST_INDEX,
    .n_syn_state = 1,
    .syn_state_names = tag_name,
    .start = editor_start,
    .on_pre = editor_on_pre,
    .on_post = editor_on_post,
    .on_slice = editor_on_slice,
    .row_reserve = editor_reserve,
};

static const rewire_learning_rule_v1 plain_rule = {
    .struct_size = sizeof plain_rule,
    .on_pre = editor_on_pre,
    .on_post = editor_on_post,
};

/* The post index lists exactly the synapses in use, each under its target, in id order. */
static bool post_index_matches(const rw_proj *pr) {
    uint32_t listed = 0;
    for (uint32_t j = 0; j < pr->n_post; j++) {
        uint32_t expect = pr->col_offsets[j], prev = 0;
        bool first = true;
        for (uint32_t i = 0; i < pr->n_pre; i++)
            for (uint32_t s = pr->row_offsets[i]; s < pr->row_offsets[i] + pr->row_lengths[i]; s++) {
                if (pr->targets[s] != j) continue;
                if (expect >= pr->col_offsets[j + 1] || pr->col_synapses[expect] != s) return false;
                if (!first && s <= prev) return false;
                prev = s;
                first = false;
                expect++;
            }
        if (expect != pr->col_offsets[j + 1]) return false;
        listed += pr->col_offsets[j + 1] - pr->col_offsets[j];
    }
    uint32_t used = 0;
    for (uint32_t i = 0; i < pr->n_pre; i++) used += pr->row_lengths[i];
    return listed == used;
}

static bool same_arrivals(const double *got, const double *want) {
    for (int j = 0; j < 4; j++)
        if (got[j] != want[j]) return false;
    return true;
}

static void test_scripted(void) {
    fx f;
    fx_init(&f, DT, 1);
    uint32_t neuron[] = {0, 0, 0, 1};
    double time[] = {2.0, 10.0, 20.0, 20.0};
    uint32_t src = fx_spike_times(&f, "src", 4, 4, neuron, time);
    uint32_t tgt = fx_lif(&f, "tgt", RW_MODEL_LIF_CUBA, 4);
    f.pops[tgt].lif.V_th = 1e9; /* silent: only the ring matters */
    uint32_t p = fx_proj(&f, "syn", src, tgt, RW_CONNECT_ONE_TO_ONE, 1.0, 0.5);
    uint32_t q = fx_proj(&f, "other", src, tgt, RW_CONNECT_ONE_TO_ONE, 0.0, 0.5);
    uint32_t ch_count = fx_record(&f, "count", RW_RECORD_SYNAPSES, p, 1.0);
    uint32_t ch_w = fx_record(&f, "w", RW_RECORD_WEIGHTS, p, 25.0);
    rw_network *net = fx_build(&f);
    if (!net) {
        CHECK(0, "the scripted network builds");
        return;
    }
    editor ed = {.net = net, .proj = p, .reserve = 4, .add_step = 50, .remove_step = 150};
    editor other = {.net = net, .proj = q};
    int rc = rw_network_attach_rule(net, p, &editor_rule, &ed);
    rc = rc ? rc : rw_network_attach_rule(net, q, &plain_rule, &other);
    rewire_projection_view *v = rw_network_projection_view(net, p);
    const rewire_projection_view *vq = rw_network_projection_view(net, q);
    if (!rc) rc = editor_start(&ed, v);
    CHECK(rc == 0, "the structural and the plain rule attach");
    if (rc) {
        rw_network_free(net);
        return;
    }
    const rw_proj *pr = &net->projs[p];
    bool room = v->n_syn == 16 && v->row_lengths != NULL && v->edit_targets == pr->targets &&
                v->edit_delays == pr->delays;
    for (uint32_t i = 0; room && i < 4; i++)
        room = v->row_offsets[i] == 4 * i && v->row_lengths[i] == 1 &&
               v->targets[v->row_offsets[i]] == i && v->weights[v->row_offsets[i]] == 1.0f;
    CHECK(room && REWIRE_HAS_FIELD(rewire_projection_view, v->struct_size, structure_changed),
          "structural: rows of capacity max(1, reserve 4) (n_syn %u), row_lengths 1, edit_* "
          "alias targets/delays", v->n_syn);
    CHECK(vq->row_lengths == NULL && vq->edit_targets == NULL && vq->edit_delays == NULL &&
              vq->n_syn == 4,
          "a rule without REWIRE_RULE_STRUCTURAL gets no row_lengths / edit_* and no room");
    CHECK(rw_network_projection_synapses(net, p) == 4, "the count is of synapses in use (4)");

    rw_recorder *rec = rw_recorder_new(&f.e, net);
    fx_sink sink = {0};
    rc = rec ? fx_run(net, rec, &sink, 250, 1000) : -1;
    if (!rc) rc = rw_recorder_finish(rec, net);
    if (!rc) rc = rw_recorder_drain(rec, fx_collect, &sink);
    CHECK(rc == 0 && ed.slice_calls == 250,
          "the run completes; the structural rule got on_slice once per step (%lld calls)",
          (long long)ed.slice_calls);

    static const double before[4] = {1, 0, 0, 0}, added[4] = {1, 0, 2, 3}, removed[4] = {0, 1, 2, 3};
    CHECK(ed.n_arrivals == 3 && ed.arrival_step[0] == 20 && same_arrivals(ed.arrivals[0], before),
          "2 ms: source 0 reaches target 0 only (%g %g %g %g)", ed.arrivals[0][0],
          ed.arrivals[0][1], ed.arrivals[0][2], ed.arrivals[0][3]);
    CHECK(ed.n_arrivals == 3 && ed.arrival_step[1] == 100 && same_arrivals(ed.arrivals[1], added),
          "10 ms, after 0->2 (w 2) and 0->3 (w 3) were added: 1 0 2 3 (%g %g %g %g)",
          ed.arrivals[1][0], ed.arrivals[1][1], ed.arrivals[1][2], ed.arrivals[1][3]);
    CHECK(ed.n_arrivals == 3 && ed.arrival_step[2] == 200 && same_arrivals(ed.arrivals[2], removed),
          "20 ms, after 0->0 was removed: nothing reaches target 0, 1 1 from row 1 (%g %g %g %g)",
          ed.arrivals[2][0], ed.arrivals[2][1], ed.arrivals[2][2], ed.arrivals[2][3]);
    CHECK(rw_network_synaptic_events(net) == 1 + 3 + 3 + 4,
          "synaptic events count synapses in use only (%llu; 7 + 4 of the plain projection)",
          (unsigned long long)rw_network_synaptic_events(net));

    const uint32_t a = pr->row_offsets[0];
    CHECK(pr->row_lengths[0] == 2 && pr->targets[a] == 3 && pr->weights[a] == 3.0f &&
              pr->syn_state[0][a] == 3.0f && pr->targets[a + 1] == 2 &&
              pr->syn_state[0][a + 1] == 2.0f,
          "the removal moved the row's last synapse (0->3, w 3, tag 3) into the hole, with "
          "its syn_state");
    CHECK(post_index_matches(pr) && pr->col_offsets[1] - pr->col_offsets[0] == 0 &&
              pr->col_offsets[4] - pr->col_offsets[3] == 2,
          "the post index lists the synapses in use: none onto 0, two onto 3");

    const fx_rows *cnt = &sink.ch[ch_count];
    bool counts = cnt->n == 26;
    for (size_t k = 0; counts && k < cnt->n; k++) {
        double t = cnt->time[k], want = t <= 5.0 ? 4 : t <= 15.0 ? 6 : 5;
        counts = fabs(t - (double)k) < 1e-9 && cnt->value[k] == want;
    }
    CHECK(counts, "synapse-count channel: 4 until 5 ms, 6 until 15 ms, then 5 (%zu rows)", cnt->n);
    const fx_rows *w = &sink.ch[ch_w];
    size_t at_end = 0;
    bool no_removed = true;
    double sum_end = 0;
    for (size_t k = 0; k < w->n; k++) {
        if (w->time[k] != 25.0) continue;
        at_end++;
        sum_end += w->value[k];
        if (w->index[k] == 0 && w->index2[k] == 0) no_removed = false;
    }
    CHECK(at_end == 5 && no_removed && sum_end == 8.0,
          "the last weight snapshot lists the 5 synapses in use, not 0->0 (%zu rows, sum %g)",
          at_end, sum_end);
    CHECK(rw_network_projection_synapses(net, p) == 5 &&
              rw_network_projection_mean_weight(net, p) == 8.0 / 5.0,
          "statistics: 5 synapses, mean weight 1.6 (%g)", rw_network_projection_mean_weight(net, p));
    fx_sink_free(&sink);
    rw_recorder_free(rec);
    rw_network_free(net);
}

/* ---- random rewiring: slice-size invariance and delay clamping ---- */

typedef struct rewirer {
    int64_t edits;
    uint32_t bad_delays;  /* delays written out of range */
} rewirer;

static uint64_t mix(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    return x ^ (x >> 33);
}

static uint32_t rewirer_reserve(void *inst) {
    (void)inst;
    return 24;
}

/* Every 7th step: remove one synapse of a row and add one to another, both chosen by a
 * hash of the step (so the same edits at the same steps whatever the slicing). */
static void rewirer_on_slice(void *inst, rewire_projection_view *v, int64_t first, int64_t end) {
    (void)end;
    rewirer *rw = inst;
    if (first % 7) return;
    uint64_t h = mix((uint64_t)first);
    uint32_t i = (uint32_t)(h % v->n_pre);
    if (v->row_lengths[i] > 0) remove_synapse(v, i, v->row_offsets[i] + (uint32_t)((h >> 20) % v->row_lengths[i]));
    uint32_t k = (uint32_t)((h >> 32) % v->n_pre);
    uint16_t d = (uint16_t)(1 + (h >> 40) % 30); /* 0.1 .. 3 ms: partly out of range */
    add_synapse(v, k, (uint32_t)((h >> 8) % v->n_post), 300.0f + (float)(h >> 50 & 0xff),
                d, (float)first);
    rw->edits++;
    if (d < 5 || d > 20) rw->bad_delays++;
}

static void noop_pre(void *inst, rewire_projection_view *v, int64_t step, const uint32_t *x,
                     size_t n) {
    (void)inst, (void)v, (void)step, (void)x, (void)n;
}

static const rewire_learning_rule_v1 rewire_rule = {
    .struct_size = sizeof rewire_rule,
    .flags = REWIRE_RULE_STRUCTURAL | REWIRE_RULE_ON_SLICE | REWIRE_RULE_NEEDS_POST_INDEX,
    .n_syn_state = 1,
    .syn_state_names = tag_name,
    .on_pre = noop_pre,
    .on_post = noop_pre,
    .on_slice = rewirer_on_slice,
    .row_reserve = rewirer_reserve,
};

typedef struct outcome {
    fx_sink sink;
    uint64_t spikes, events;
    int64_t edits;
    uint32_t bad_delays;
    bool delays_in_range, index_ok;
    int rc;
} outcome;

static void run_sliced(outcome *o, const int64_t *slices, size_t n_slices) {
    fx f;
    fx_init(&f, DT, 7);
    uint32_t in = fx_poisson(&f, "in", 60, 25.0);
    uint32_t exc = fx_lif(&f, "exc", RW_MODEL_LIF_CUBA, 30);
    f.pops[exc].v_init = fx_uniform(-70.0, -55.0);
    uint32_t p = fx_proj(&f, "in_exc", in, exc, RW_CONNECT_FIXED_PROBABILITY, 350.0, 1.0);
    f.projs[p].p = 0.25;
    f.projs[p].delay = fx_uniform(0.5, 2.0);
    f.projs[p].delay.lo = DT;
    fx_record(&f, "spikes", RW_RECORD_SPIKES, exc, 0);
    fx_record(&f, "count", RW_RECORD_SYNAPSES, p, 2.0);
    fx_record(&f, "w", RW_RECORD_WEIGHTS, p, 50.0);
    memset(o, 0, sizeof *o);
    rw_network *net = fx_build(&f);
    if (!net) {
        o->rc = -1;
        return;
    }
    rewirer rw = {0};
    o->rc = rw_network_attach_rule(net, p, &rewire_rule, &rw);
    rw_recorder *rec = rw_recorder_new(&f.e, net);
    int64_t done = 0, md = rw_network_min_delay(net);
    for (size_t k = 0; done < 3000 && !o->rc; k++) {
        int64_t n = slices[k % n_slices];
        if (n > md) n = md;
        if (n > 3000 - done) n = 3000 - done;
        o->rc = rw_network_advance(net, n, rec);
        if (!o->rc) o->rc = rw_recorder_drain(rec, fx_collect, &o->sink);
        done += n;
    }
    if (!o->rc) o->rc = rw_recorder_finish(rec, net);
    if (!o->rc) o->rc = rw_recorder_drain(rec, fx_collect, &o->sink);
    const rw_proj *pr = &net->projs[p];
    o->delays_in_range = pr->min_delay >= 5 && pr->max_delay <= 20;
    for (uint32_t i = 0; i < pr->n_pre; i++)
        for (uint32_t s = pr->row_offsets[i]; s < pr->row_offsets[i] + pr->row_lengths[i]; s++)
            if (pr->delays[s] < 5 || pr->delays[s] > 20) o->delays_in_range = false;
    o->index_ok = post_index_matches(pr);
    o->edits = rw.edits;
    o->bad_delays = rw.bad_delays;
    o->spikes = rw_network_population_spikes(net, exc);
    o->events = rw_network_synaptic_events(net);
    rw_recorder_free(rec);
    rw_network_free(net);
}

static bool same_rows(const fx_rows *a, const fx_rows *b) {
    return a->n == b->n && memcmp(a->time, b->time, a->n * sizeof *a->time) == 0 &&
           memcmp(a->index, b->index, a->n * sizeof *a->index) == 0 &&
           memcmp(a->index2, b->index2, a->n * sizeof *a->index2) == 0 &&
           memcmp(a->value, b->value, a->n * sizeof *a->value) == 0;
}

static void test_slices(void) {
    static const int64_t one[] = {1}, whole[] = {1 << 20}, irregular[] = {3, 1, 4, 1, 5};
    outcome a, b, c;
    run_sliced(&a, one, 1);
    run_sliced(&b, whole, 1);
    run_sliced(&c, irregular, 5);
    const fx_rows *cnt = &a.sink.ch[1];
    bool varies = false;
    for (size_t k = 1; k < cnt->n; k++) varies |= cnt->value[k] != cnt->value[0];
    CHECK(a.rc == 0 && b.rc == 0 && c.rc == 0 && a.edits > 400 && a.spikes > 100 && varies,
          "the rewiring network runs, is active and changes its synapse count (%lld edits, "
          "%llu spikes)", (long long)a.edits, (unsigned long long)a.spikes);
    const char *what[] = {"slices of min_delay", "irregular slices"};
    const outcome *other[] = {&b, &c};
    for (int k = 0; k < 2; k++) {
        const outcome *o = other[k];
        CHECK(same_rows(&a.sink.ch[0], &o->sink.ch[0]) && same_rows(&a.sink.ch[1], &o->sink.ch[1]) &&
                  same_rows(&a.sink.ch[2], &o->sink.ch[2]) && a.events == o->events &&
                  a.spikes == o->spikes,
              "slices of 1 vs %s: bit-identical spikes, synapse counts and weight snapshots",
              what[k]);
    }
    CHECK(a.bad_delays > 0 && a.delays_in_range && b.delays_in_range && c.delays_in_range,
          "delays written outside [shortest network delay, ring] (%u times) are clamped into it",
          a.bad_delays);
    CHECK(a.index_ok && b.index_ok && c.index_ok,
          "after hundreds of edits the post index still lists exactly the synapses in use");
    fx_sink_free(&a.sink);
    fx_sink_free(&b.sink);
    fx_sink_free(&c.sink);
}

/* A structural rule on a projection whose post population's ring has no room for any
 * delay at least the slice length cannot attach. */
static void test_no_room_for_delays(void) {
    fx f;
    fx_init(&f, DT, 1);
    uint32_t src = fx_poisson(&f, "src", 3, 10.0);
    uint32_t tgt = fx_lif(&f, "tgt", RW_MODEL_LIF_CUBA, 3);
    uint32_t p = fx_proj(&f, "empty", src, tgt, RW_CONNECT_FIXED_PROBABILITY, 1.0, 1.0);
    f.projs[p].p = 0.0;
    rw_network *net = fx_build(&f);
    editor ed = {.net = net, .proj = p, .reserve = 2};
    CHECK(net && rw_network_attach_rule(net, p, &editor_rule, &ed) == REWIRE_EINVAL,
          "structural rule on a projection with no delay room (empty, no ring): REWIRE_EINVAL");
    rw_network_free(net);
}

int main(void) {
    test_scripted();
    test_slices();
    test_no_room_for_delays();
    return tap_done();
}
