/* The slice loop.
 *
 * A slice is at most min_delay steps, so no spike emitted inside it can arrive inside
 * it.  The populations therefore advance independently over the whole slice (one
 * population at a time: its state stays in cache), collecting their spikes per step.
 * Then, step by step in time order, every projection delivers the spikes of that step
 * into the rings of its target (projection order, then source order, then synapse
 * order) and its learning rule sees them: on_pre after delivery (before it for rules
 * with REWIRE_RULE_PRE_BEFORE_DELIVERY, which set the spikes' release), then on_post,
 * then a structural rule's on_slice for that one step (its edits carry spikes from the
 * next step on).  Rate
 * populations take the same path: a projection between them delivers, for every step,
 * w * r_pre(start of the step) into the target's ring slot step + delay.  Every ring
 * slot thus receives its contributions in the same order whatever the slice size,
 * which makes runs bit-identical across slice sizes.  Delivery reads the synapses in
 * use of row i, span[i] (row_offsets[i] + row_lengths[i]), not up to the next row's
 * offset: structural rules keep free room at the end of rows (rewire/network.h).
 *
 * Threads (rw_network_set_threads).  Each thread owns a contiguous range of every
 * population's neurons.  The populations' advance is one parallel job per slice
 * (per step for a population a recorder samples); each thread's spikes are merged in
 * thread order, which is neuron order.  Each step's delivery is one parallel job in
 * which every thread walks every projection's spikes in the same order as above but
 * adds only into the ring cells of its own neurons, so each cell gets the same terms
 * in the same order as with one thread: results are byte-identical for any thread
 * count.  Learning-rule hooks run on the calling thread between the jobs: first every
 * REWIRE_RULE_PRE_BEFORE_DELIVERY on_pre of the step, then the delivery, then the
 * other hooks projection by projection.  Rules with REWIRE_RULE_PARTITIONED run on the
 * threads instead: their on_pre parts right after each thread's delivery (in the same
 * job: a thread only changes the synapses onto its own neurons, which it has already
 * delivered), their on_post parts in a second job.  A hook only touches its own projection, and
 * a projection's delivery only reads its own weights and release factors, so this
 * order gives the same results as the one described above. */
#include "network_internal.h"
#include "pool.h"

/* Thread th's part of row i: [*a, *b).  With cuts, the synapses onto its neurons; else
 * the whole row (one thread, or an unsorted row that the caller filters). */
static inline void row_part(const rw_proj *pr, uint32_t i, uint32_t th, uint32_t *a,
                            uint32_t *b) {
    const rw_row_span sp = pr->span[i];
    if (!pr->cut) {
        *a = sp.begin;
        *b = sp.end;
        return;
    }
    const uint32_t T = pr->n_threads;
    const uint32_t *c = pr->cut + (size_t)i * (T - 1);
    *a = th ? c[th - 1] : sp.begin;
    *b = th + 1 < T ? c[th] : sp.end;
}

/* Add synapses [a, b) of a row into the ring: w (scaled: w * f, in double), at slot0
 * for a constant delay, else at the slot of each synapse's delay (base + delay < 2D: one
 * conditional subtraction replaces a modulo).  `filter` keeps only targets in [lo, hi)
 * (unsorted rows with several threads).  scaled and filter are constants at every call
 * site, so each combination compiles to its own tight loop.  Returns the synapses
 * added. */
static inline __attribute__((always_inline)) uint32_t
add_row(double *restrict ring, size_t n, uint32_t D, uint32_t base, uint32_t slot0,
        bool one_delay, const rw_proj *pr, uint32_t a, uint32_t b, bool scaled, double f,
        bool filter, uint32_t lo, uint32_t hi) {
    const uint32_t *restrict tgt = pr->targets;
    const float *restrict w = pr->weights;
    const uint16_t *restrict dl = pr->delays;
    if (filter) {
        uint32_t added = 0;
        for (uint32_t s = a; s < b; s++) {
            const uint32_t j = tgt[s];
            if (j < lo || j >= hi) continue;
            uint32_t slot = base + dl[s];
            slot -= slot >= D ? D : 0;
            ring[(size_t)slot * n + j] += scaled ? (double)w[s] * f : (double)w[s];
            added++;
        }
        return added;
    }
    if (one_delay) {
        double *restrict r = ring + (size_t)slot0 * n;
        for (uint32_t s = a; s < b; s++) r[tgt[s]] += scaled ? (double)w[s] * f : (double)w[s];
    } else {
        for (uint32_t s = a; s < b; s++) {
            uint32_t slot = base + dl[s];
            slot -= slot >= D ? D : 0;
            ring[(size_t)slot * n + tgt[s]] += scaled ? (double)w[s] * f : (double)w[s];
        }
    }
    return b - a;
}

/* Thread th's share of delivering the spikes of one step through one projection: one
 * row per spike, read sequentially.  With release factors (short-term plasticity) row
 * i's weights count pre_release[i] times, the product taken in double, so a factor of
 * 1 delivers exactly the weight. */
static uint64_t deliver(rw_network *net, const rw_proj *pr, int64_t step, const uint32_t *spk,
                        uint32_t n_spk, uint32_t th) {
    const rw_pop *post = &net->pops[pr->post];
    double *ring = pr->receptor == RW_RECEPTOR_INH ? post->ring_i : post->ring_e;
    const size_t n = post->n;
    const uint32_t D = post->ring_slots;
    const uint32_t base = (uint32_t)(step % D);
    const bool one_delay = pr->min_delay == pr->max_delay;
    uint32_t slot0 = base + pr->min_delay;
    slot0 -= slot0 >= D ? D : 0;
    const uint32_t lo = post->bound[th], hi = post->bound[th + 1];
    const bool filter = pr->n_threads > 1 && !pr->cut;
    const float *release = pr->pre_release;
    uint64_t events = 0;
    for (uint32_t k = 0; k < n_spk; k++) {
        uint32_t a, b;
        row_part(pr, spk[k], th, &a, &b);
        if (release) {
            const double f = release[spk[k]];
            events += filter ? add_row(ring, n, D, base, slot0, one_delay, pr, a, b, true, f, true, lo, hi)
                             : add_row(ring, n, D, base, slot0, one_delay, pr, a, b, true, f, false, 0, 0);
        } else {
            events += filter ? add_row(ring, n, D, base, slot0, one_delay, pr, a, b, false, 1.0, true, lo, hi)
                             : add_row(ring, n, D, base, slot0, one_delay, pr, a, b, false, 1.0, false, 0, 0);
        }
    }
    return events;
}

/* Thread th's share of adding w * r_pre(step) to the ring of a rate target for every
 * synapse, in source then synapse order.  Silent sources are skipped: their terms are
 * zeros, whose sum changes nothing (the ring starts at +0). */
static void deliver_rates(rw_network *net, const rw_proj *pr, int64_t step, const double *rate,
                          uint32_t th) {
    const rw_pop *post = &net->pops[pr->post];
    const size_t n = post->n;
    const uint32_t D = post->ring_slots;
    const uint32_t base = (uint32_t)(step % D);
    const bool one_delay = pr->min_delay == pr->max_delay;
    uint32_t slot0 = base + pr->min_delay;
    slot0 -= slot0 >= D ? D : 0;
    const uint32_t lo = post->bound[th], hi = post->bound[th + 1];
    const bool filter = pr->n_threads > 1 && !pr->cut;
    for (uint32_t i = 0; i < pr->n_pre; i++) {
        const double x = rate[i];
        if (x == 0.0) continue;
        uint32_t a, b;
        row_part(pr, i, th, &a, &b);
        if (filter) add_row(post->ring_e, n, D, base, slot0, one_delay, pr, a, b, true, x, true, lo, hi);
        else add_row(post->ring_e, n, D, base, slot0, one_delay, pr, a, b, true, x, false, 0, 0);
    }
}

/* ---- the parallel jobs ---- */

typedef struct step_job {
    rw_network *net;
    int64_t s0;
    uint32_t t0, t1;   /* slice-local steps [t0, t1) */
    int64_t only;      /* advance: this population only, or -1: all but sampled ones */
    const rw_recorder *rec;
} step_job;

static inline rw_spike_buf *part_buf(rw_pop *p, uint32_t th, uint32_t T) {
    return T == 1 ? &p->spikes : &p->part[th].spk;
}

/* Thread th advances its neurons of the LIF populations and its Poisson sources. */
static void advance_job(void *ctx, uint32_t th) {
    const step_job *J = ctx;
    rw_network *net = J->net;
    const uint32_t T = net->n_threads;
    int rc = 0;
    for (uint32_t i = 0; i < net->n_pops && !rc; i++) {
        rw_pop *p = &net->pops[i];
        const bool lif = p->model == RW_MODEL_LIF_CUBA || p->model == RW_MODEL_LIF_COBA;
        if (J->only >= 0 ? i != (uint64_t)J->only
                         : lif && J->rec && rw_recorder_samples(J->rec, i))
            continue;
        rw_pop_part *part = &p->part[th];
        rw_spike_buf *b = part_buf(p, th, T);
        if (lif) {
            if (J->t0 == 0) b->off[0] = 0;
            for (uint32_t t = J->t0; t < J->t1 && !rc; t++)
                rc = rw_lif_step(p, J->s0 + t, t, part->lo, part->hi, b);
        } else if (p->model == RW_MODEL_POISSON && J->only < 0) {
            rc = rw_poisson_slice(p, part, b, J->s0, J->t1, net->dt);
        }
    }
    if (rc) net->ts[th].rc = rc;
}

static int run_job(rw_network *net, rw_pool_fn fn, step_job *job) {
    rw_pool_run(net->pool, fn, job);
    int rc = 0;
    for (uint32_t th = 0; th < net->n_threads; th++) {
        if (!rc) rc = net->ts[th].rc;
        net->ts[th].rc = 0;
    }
    return rc;
}

/* Whether pr's rule runs in parts on the threads (REWIRE_RULE_PARTITIONED). */
static inline bool partitioned(const rw_proj *pr) {
    return pr->rule && pr->cut && (pr->rule->flags & REWIRE_RULE_PARTITIONED) &&
           !(pr->rule->flags & (REWIRE_RULE_STRUCTURAL | REWIRE_RULE_PRE_BEFORE_DELIVERY)) &&
           REWIRE_HAS_FIELD(rewire_learning_rule_v1, pr->rule->struct_size, on_post_part) &&
           pr->rule->on_pre_part && pr->rule->on_post_part;
}

static inline rewire_part part_of(const rw_network *net, const rw_proj *pr, uint32_t th) {
    const uint32_t *pb = net->pops[pr->pre].bound, *qb = net->pops[pr->post].bound;
    return (rewire_part){.struct_size = sizeof(rewire_part), .index = th,
                         .count = net->n_threads, .pre_lo = pb[th], .pre_hi = pb[th + 1],
                         .post_lo = qb[th], .post_hi = qb[th + 1], .cut = pr->cut};
}

/* Thread th delivers step t0's spikes (and rates) of every projection into its cells,
 * then runs the on_pre part of partitioned rules. */
static void deliver_job(void *ctx, uint32_t th) {
    const step_job *J = ctx;
    rw_network *net = J->net;
    const uint32_t t = J->t0;
    const int64_t step = J->s0 + t;
    uint64_t events = 0;
    for (uint32_t k = 0; k < net->n_projs; k++) {
        const rw_proj *pr = &net->projs[k];
        const rw_pop *pre_pop = &net->pops[pr->pre];
        if (pre_pop->r) deliver_rates(net, pr, step, pre_pop->r_hist + (size_t)t * pr->n_pre, th);
        const rw_spike_buf *pre = &pre_pop->spikes;
        const uint32_t n_spk = (uint32_t)(pre->off[t + 1] - pre->off[t]);
        if (n_spk) events += deliver(net, pr, step, pre->idx + pre->off[t], n_spk, th);
    }
    net->ts[th].events += events;
    for (uint32_t k = 0; k < net->n_projs; k++) {
        rw_proj *pr = &net->projs[k];
        if (!partitioned(pr) || !pr->rule->on_pre_part) continue;
        const rw_spike_buf *pre = &net->pops[pr->pre].spikes;
        const uint32_t n_spk = (uint32_t)(pre->off[t + 1] - pre->off[t]);
        if (!n_spk) continue;
        const rewire_part part = part_of(net, pr, th);
        pr->rule->on_pre_part(pr->instance, &pr->view, &part, step, pre->idx + pre->off[t], n_spk);
    }
}

/* The first of the sorted spikes idx[a, b) that is >= x. */
static size_t first_at_least(const uint32_t *idx, size_t a, size_t b, uint32_t x) {
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (idx[mid] < x) a = mid + 1;
        else b = mid;
    }
    return a;
}

/* Thread th runs the on_post part of partitioned rules with its neurons' spikes. */
static void post_job(void *ctx, uint32_t th) {
    const step_job *J = ctx;
    rw_network *net = J->net;
    const uint32_t t = J->t0;
    for (uint32_t k = 0; k < net->n_projs; k++) {
        rw_proj *pr = &net->projs[k];
        if (!partitioned(pr)) continue;
        const rw_pop *q = &net->pops[pr->post];
        const rw_spike_buf *post = &q->spikes;
        size_t a = first_at_least(post->idx, post->off[t], post->off[t + 1], q->bound[th]);
        size_t b = first_at_least(post->idx, a, post->off[t + 1], q->bound[th + 1]);
        if (a == b) continue;
        const rewire_part part = part_of(net, pr, th);
        pr->rule->on_post_part(pr->instance, &pr->view, &part, J->s0 + t, post->idx + a, b - a);
    }
}

/* A structural rule that added or removed synapses in its hook: the post index and
 * the delay range follow before anything else reads them.  Only such rules are
 * trusted with the flag (others never see row_lengths). */
static inline void after_hook(rw_proj *pr) {
    if (pr->view.structure_changed && (pr->rule->flags & REWIRE_RULE_STRUCTURAL))
        rw_proj_restructure(pr);
}

/* Whether pr's rule wants on_slice and is (structural = REWIRE_RULE_STRUCTURAL) or is
 * not (structural = 0) a structural rule: those get it after every step instead. */
static inline bool on_slice_of(const rw_proj *pr, uint32_t structural) {
    return pr->rule && (pr->rule->flags & REWIRE_RULE_ON_SLICE) && pr->rule->on_slice &&
           (pr->rule->flags & REWIRE_RULE_STRUCTURAL) == structural;
}

static int advance_populations(rw_network *net, int64_t s0, uint32_t n, rw_recorder *rec) {
    /* LIF populations and Poisson sources in parallel, a sampled one step by step. */
    step_job job = {.net = net, .s0 = s0, .t0 = 0, .t1 = n, .only = -1, .rec = rec};
    int rc = run_job(net, advance_job, &job);
    for (uint32_t i = 0; i < net->n_pops && !rc; i++) {
        rw_pop *p = &net->pops[i];
        const bool sample = rec && rw_recorder_samples(rec, i);
        switch (p->model) {
        case RW_MODEL_LIF_CUBA:
        case RW_MODEL_LIF_COBA:
            if (!sample) break;
            for (uint32_t t = 0; t < n && !rc; t++) {
                rc = rw_recorder_sample(rec, net, i, s0 + t);
                step_job one = {.net = net, .s0 = s0, .t0 = t, .t1 = t + 1, .only = i};
                if (!rc) rc = run_job(net, advance_job, &one);
            }
            break;
        case RW_MODEL_POISSON: break;
        case RW_MODEL_SPIKE_TIMES: rc = rw_spike_times_slice(p, s0, n); break;
        case RW_MODEL_RATE:
        case RW_MODEL_RATE_INPUT:
            for (uint32_t t = 0; t < n && !rc; t++) {
                if (sample) rc = rw_recorder_sample(rec, net, i, s0 + t);
                if (!rc) rw_rate_step(p, s0 + t, t);
            }
            break;
        }
        if (rc) break;
        if (net->n_threads > 1 && (p->model == RW_MODEL_LIF_CUBA ||
                                   p->model == RW_MODEL_LIF_COBA || p->model == RW_MODEL_POISSON))
            rc = rw_pop_merge_parts(p, net->n_threads, n);
        p->spike_count += p->spikes.off[n];
    }
    return rc;
}

int rw_network_advance(rw_network *net, int64_t n_steps, rw_recorder *rec) {
    if (n_steps < 1 || n_steps > net->min_delay) return REWIRE_EINVAL;
    const int64_t s0 = net->step;
    const uint32_t n = (uint32_t)n_steps;
    int rc = advance_populations(net, s0, n, rec);
    if (rc || (rc = rw_network_note_spikes(net, s0, n))) return rc;

    for (uint32_t t = 0; t < n; t++) {
        const int64_t step = s0 + t;
        if (rec && (rc = rw_recorder_weights_at(rec, net, step))) return rc;
        /* A short-term plasticity rule sets the release of this step's spikes in
         * on_pre, so it runs before delivery (REWIRE_RULE_PRE_BEFORE_DELIVERY). */
        for (uint32_t k = 0; k < net->n_projs; k++) {
            rw_proj *pr = &net->projs[k];
            const rw_spike_buf *pre = &net->pops[pr->pre].spikes;
            const uint32_t n_spk = (uint32_t)(pre->off[t + 1] - pre->off[t]);
            if (!n_spk) continue;
            const uint32_t *spk = pre->idx + pre->off[t];
            if (pr->rule && (pr->rule->flags & REWIRE_RULE_PRE_BEFORE_DELIVERY) &&
                pr->rule->on_pre) {
                pr->rule->on_pre(pr->instance, &pr->view, step, spk, n_spk);
                after_hook(pr);
            }
            if (pr->pre_release && pr->hist_rel) rw_network_note_release(net, pr, step, spk, n_spk);
        }
        step_job job = {.net = net, .s0 = s0, .t0 = t, .t1 = t + 1};
        rw_pool_run(net->pool, deliver_job, &job);
        /* Partitioned rules' on_post parts, once every on_pre part of the step is done. */
        bool post_parts = false;
        for (uint32_t k = 0; k < net->n_projs && !post_parts; k++) {
            const rw_spike_buf *post = &net->pops[net->projs[k].post].spikes;
            post_parts = partitioned(&net->projs[k]) && post->off[t + 1] > post->off[t];
        }
        if (post_parts) rw_pool_run(net->pool, post_job, &job);
        for (uint32_t k = 0; k < net->n_projs; k++) {
            rw_proj *pr = &net->projs[k];
            if (!pr->rule || partitioned(pr)) continue;
            const rw_spike_buf *pre = &net->pops[pr->pre].spikes;
            const uint32_t n_spk = (uint32_t)(pre->off[t + 1] - pre->off[t]);
            if (n_spk && !(pr->rule->flags & REWIRE_RULE_PRE_BEFORE_DELIVERY) && pr->rule->on_pre) {
                pr->rule->on_pre(pr->instance, &pr->view, step, pre->idx + pre->off[t], n_spk);
                after_hook(pr);
            }
            const rw_spike_buf *post = &net->pops[pr->post].spikes;
            uint32_t n_post = (uint32_t)(post->off[t + 1] - post->off[t]);
            if (n_post && pr->rule->on_post) {
                pr->rule->on_post(pr->instance, &pr->view, step, post->idx + post->off[t],
                                  n_post);
                after_hook(pr);
            }
            /* Structural rules: the synapses they add or remove now carry the spikes
             * from step + 1 on, whatever the slice size. */
            if (on_slice_of(pr, REWIRE_RULE_STRUCTURAL)) {
                pr->rule->on_slice(pr->instance, &pr->view, step, step + 1);
                after_hook(pr);
            }
        }
    }
    for (uint32_t th = 0; th < net->n_threads; th++) {
        net->syn_events += net->ts[th].events;
        net->ts[th].events = 0;
    }
    for (uint32_t k = 0; k < net->n_projs; k++) {
        rw_proj *pr = &net->projs[k];
        if (on_slice_of(pr, 0)) pr->rule->on_slice(pr->instance, &pr->view, s0, s0 + n);
    }
    net->step = s0 + n;
    if (rec) {
        if ((rc = rw_recorder_slice_spikes(rec, net, s0, n))) return rc;
        if ((rc = rw_recorder_weights_at(rec, net, net->step))) return rc;
    }
    return 0;
}
