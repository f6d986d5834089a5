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
 * offset: structural rules keep free room at the end of rows (rewire/network.h). */
#include "network_internal.h"

/* deliver() for a projection with release factors (short-term plasticity): row i's
 * weights count pre_release[i] times.  The factor is hoisted out of the row; the
 * product is taken in double, so a factor of 1 delivers exactly the weight. */
static void deliver_released(rw_network *net, rw_proj *pr, int64_t step, const uint32_t *spk,
                             uint32_t n_spk) {
    rw_pop *post = &net->pops[pr->post];
    double *ring = pr->receptor == RW_RECEPTOR_INH ? post->ring_i : post->ring_e;
    const size_t n = post->n;
    const uint32_t D = post->ring_slots;
    const uint32_t base = (uint32_t)(step % D);
    const rw_row_span *restrict span = pr->span;
    const uint32_t *restrict tgt = pr->targets;
    const float *restrict w = pr->weights;
    const uint16_t *restrict dl = pr->delays;
    const float *restrict release = pr->pre_release;
    if (pr->hist_rel) rw_network_note_release(net, pr, step, spk, n_spk);
    const bool one_delay = pr->min_delay == pr->max_delay;
    uint32_t slot0 = base + pr->min_delay;
    slot0 -= slot0 >= D ? D : 0;
    uint64_t events = 0;
    for (uint32_t k = 0; k < n_spk; k++) {
        const uint32_t a = span[spk[k]].begin, b = span[spk[k]].end;
        const double f = release[spk[k]];
        if (one_delay) {
            double *restrict r = ring + (size_t)slot0 * n;
            for (uint32_t s = a; s < b; s++) r[tgt[s]] += (double)w[s] * f;
        } else {
            for (uint32_t s = a; s < b; s++) {
                uint32_t slot = base + dl[s];
                slot -= slot >= D ? D : 0;
                ring[(size_t)slot * n + tgt[s]] += (double)w[s] * f;
            }
        }
        events += b - a;
    }
    net->syn_events += events;
}

/* Add the spikes of one step to the rings of the projection's target.  One row per
 * spike, read sequentially; a constant delay (the common case) hoists the slot out. */
static void deliver(rw_network *net, rw_proj *pr, int64_t step, const uint32_t *spk,
                    uint32_t n_spk) {
    if (pr->pre_release) {
        deliver_released(net, pr, step, spk, n_spk);
        return;
    }
    rw_pop *post = &net->pops[pr->post];
    double *ring = pr->receptor == RW_RECEPTOR_INH ? post->ring_i : post->ring_e;
    const size_t n = post->n;
    const uint32_t D = post->ring_slots;
    const uint32_t base = (uint32_t)(step % D);
    const rw_row_span *restrict span = pr->span;
    const uint32_t *restrict tgt = pr->targets;
    const float *restrict w = pr->weights;
    uint64_t events = 0;
    if (pr->min_delay == pr->max_delay) {
        uint32_t slot = base + pr->min_delay;
        slot -= slot >= D ? D : 0;
        double *restrict r = ring + slot * n;
        for (uint32_t k = 0; k < n_spk; k++) {
            uint32_t a = span[spk[k]].begin, b = span[spk[k]].end;
            for (uint32_t s = a; s < b; s++) r[tgt[s]] += w[s];
            events += b - a;
        }
    } else {
        const uint16_t *restrict dl = pr->delays;
        for (uint32_t k = 0; k < n_spk; k++) {
            uint32_t a = span[spk[k]].begin, b = span[spk[k]].end;
            for (uint32_t s = a; s < b; s++) {
                /* base + delay < 2D: one conditional subtraction replaces a modulo. */
                uint32_t slot = base + dl[s];
                slot -= slot >= D ? D : 0;
                ring[slot * n + tgt[s]] += w[s];
            }
            events += b - a;
        }
    }
    net->syn_events += events;
}

/* Add w * r_pre(step) to the ring of a rate target for every synapse, in source then
 * synapse order.  Silent sources are skipped: their terms are zeros, whose sum changes
 * nothing (the ring starts at +0). */
static void deliver_rates(rw_network *net, rw_proj *pr, int64_t step, const double *rate) {
    rw_pop *post = &net->pops[pr->post];
    const size_t n = post->n;
    const uint32_t D = post->ring_slots;
    const uint32_t base = (uint32_t)(step % D);
    const rw_row_span *restrict span = pr->span;
    const uint32_t *restrict tgt = pr->targets;
    const float *restrict w = pr->weights;
    const uint16_t *restrict dl = pr->delays;
    const bool one_delay = pr->min_delay == pr->max_delay;
    uint32_t slot = base + pr->min_delay;
    slot -= slot >= D ? D : 0;
    double *restrict ring = post->ring_e;
    for (uint32_t i = 0; i < pr->n_pre; i++) {
        const double x = rate[i];
        if (x == 0.0) continue;
        uint32_t a = span[i].begin, b = span[i].end;
        if (one_delay) {
            double *restrict r = ring + (size_t)slot * n;
            for (uint32_t s = a; s < b; s++) r[tgt[s]] += (double)w[s] * x;
        } else {
            for (uint32_t s = a; s < b; s++) {
                uint32_t sl = base + dl[s];
                sl -= sl >= D ? D : 0;
                ring[(size_t)sl * n + tgt[s]] += (double)w[s] * x;
            }
        }
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
    for (uint32_t i = 0; i < net->n_pops; i++) {
        rw_pop *p = &net->pops[i];
        p->spikes.off[0] = 0;
        int rc = 0;
        switch (p->model) {
        case RW_MODEL_LIF_CUBA:
        case RW_MODEL_LIF_COBA: {
            bool sample = rec && rw_recorder_samples(rec, i);
            for (uint32_t t = 0; t < n && !rc; t++) {
                if (sample) rc = rw_recorder_sample(rec, net, i, s0 + t);
                if (!rc) rc = rw_lif_step(p, s0 + t, t);
            }
            break;
        }
        case RW_MODEL_POISSON: rc = rw_poisson_slice(p, s0, n, net->dt); break;
        case RW_MODEL_SPIKE_TIMES: rc = rw_spike_times_slice(p, s0, n); break;
        case RW_MODEL_RATE:
        case RW_MODEL_RATE_INPUT: {
            bool sample = rec && rw_recorder_samples(rec, i);
            for (uint32_t t = 0; t < n && !rc; t++) {
                if (sample) rc = rw_recorder_sample(rec, net, i, s0 + t);
                if (!rc) rw_rate_step(p, s0 + t, t);
            }
            break;
        }
        }
        if (rc) return rc;
    }
    return 0;
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
        for (uint32_t k = 0; k < net->n_projs; k++) {
            rw_proj *pr = &net->projs[k];
            const rw_pop *pre_pop = &net->pops[pr->pre];
            if (pre_pop->r) deliver_rates(net, pr, step, pre_pop->r_hist + (size_t)t * pr->n_pre);
            const rw_spike_buf *pre = &pre_pop->spikes;
            const uint32_t *spk = pre->idx + pre->off[t];
            uint32_t n_spk = (uint32_t)(pre->off[t + 1] - pre->off[t]);
            /* A short-term plasticity rule sets the release of this step's spikes in
             * on_pre, so it runs first (REWIRE_RULE_PRE_BEFORE_DELIVERY). */
            const bool pre_first =
                pr->rule && (pr->rule->flags & REWIRE_RULE_PRE_BEFORE_DELIVERY);
            if (n_spk && pre_first && pr->rule->on_pre) {
                pr->rule->on_pre(pr->instance, &pr->view, step, spk, n_spk);
                after_hook(pr);
            }
            if (n_spk) deliver(net, pr, step, spk, n_spk);
            if (!pr->rule) continue;
            if (n_spk && !pre_first && pr->rule->on_pre) {
                pr->rule->on_pre(pr->instance, &pr->view, step, spk, n_spk);
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
