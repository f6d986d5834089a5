/* Injuries on the running network: neurons die, synapses are removed.
 *
 * The kernel delivers a spike into the delay rings of its targets when it is emitted,
 * so at the moment of a cut the rings already hold input that travels through the
 * removed synapses.  Rather than subtracting it (which leaves rounding residue, and
 * needs the weight each spike was sent with), the rings of every population that lost
 * synapses are rebuilt: cleared, then refilled from the spike history (the last
 * hist_len steps, kept only in experiments that have injuries) through the synapses
 * that remain, in the kernel's own order (emission step, projection, source,
 * synapse).  For static synapses the result is bit for bit the input a network built
 * without the removed synapses would hold; a plastic synapse's in-flight spikes count
 * with its weight now rather than at emission (a difference of at most the learning of
 * one delay).  Rate populations have no spike history: input in flight between rate
 * units (at most the longest delay) still arrives.
 *
 * Removal keeps every row's order.  Rows of projections without a structural rule
 * are then closed up (the CSR shrinks in place: n_syn and row_offsets change); rows of
 * structural projections keep their capacity and only row_lengths shrink.  The rules'
 * per-synapse state moves with the synapses; the post index is refilled. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "network_edit.h"
#include "network_internal.h"
#include "rng.h"

/* ---- history ---- */

int rw_network_keep_history(rw_network *net) {
    uint32_t len = 1;
    for (uint32_t k = 0; k < net->n_projs; k++)
        if (net->projs[k].max_delay > len) len = net->projs[k].max_delay;
    net->hist_len = len;
    for (uint32_t i = 0; i < net->n_pops; i++) {
        rw_pop *p = &net->pops[i];
        if (rw_model_is_rate(p->model)) continue;
        p->hist_slots = len;
        p->hist_idx = calloc(len, sizeof *p->hist_idx);
        p->hist_n = calloc(len, sizeof *p->hist_n);
        p->hist_cap = calloc(len, sizeof *p->hist_cap);
        if (!p->hist_idx || !p->hist_n || !p->hist_cap) return REWIRE_ENOMEM;
    }
    for (uint32_t k = 0; k < net->n_projs; k++) {
        rw_proj *pr = &net->projs[k];
        if (!pr->pre_release) continue;
        pr->hist_rel = calloc(len, sizeof *pr->hist_rel);
        if (!pr->hist_rel) return REWIRE_ENOMEM;
    }
    return 0;
}

/* Make room for m spikes in history slot `slot` of population p (and the release
 * factors of its STP projections).  Grows by doubling: no allocation in steady state. */
static int hist_reserve(rw_network *net, uint32_t pop, uint32_t slot, uint32_t m) {
    rw_pop *p = &net->pops[pop];
    if (m <= p->hist_cap[slot]) return 0;
    uint32_t cap = p->hist_cap[slot] ? p->hist_cap[slot] : 64;
    while (cap < m) cap = cap > UINT32_MAX / 2 ? m : cap * 2;
    uint32_t *idx = realloc(p->hist_idx[slot], (size_t)cap * sizeof *idx);
    if (!idx) return REWIRE_ENOMEM;
    p->hist_idx[slot] = idx;
    for (uint32_t k = 0; k < net->n_projs; k++) {
        rw_proj *pr = &net->projs[k];
        if (pr->pre != pop || !pr->hist_rel) continue;
        float *rel = realloc(pr->hist_rel[slot], (size_t)cap * sizeof *rel);
        if (!rel) return REWIRE_ENOMEM;
        pr->hist_rel[slot] = rel;
    }
    p->hist_cap[slot] = cap;
    return 0;
}

int rw_network_note_spikes(rw_network *net, int64_t s0, uint32_t n) {
    for (uint32_t i = 0; i < net->n_pops; i++) {
        rw_pop *p = &net->pops[i];
        if (!p->spike_counts) continue;
        const rw_spike_buf *b = &p->spikes;
        for (size_t k = 0; k < b->off[n]; k++) p->spike_counts[b->idx[k]]++;
        if (!p->hist_idx) continue;
        for (uint32_t t = 0; t < n; t++) {
            const uint32_t slot = (uint32_t)((s0 + t) % net->hist_len);
            const uint32_t m = (uint32_t)(b->off[t + 1] - b->off[t]);
            if (hist_reserve(net, i, slot, m)) return REWIRE_ENOMEM;
            if (m) memcpy(p->hist_idx[slot], b->idx + b->off[t], (size_t)m * sizeof *b->idx);
            p->hist_n[slot] = m;
        }
    }
    return 0;
}

void rw_network_note_release(rw_network *net, rw_proj *pr, int64_t step, const uint32_t *spk,
                             uint32_t n_spk) {
    float *rel = pr->hist_rel[step % net->hist_len];
    for (uint32_t k = 0; k < n_spk; k++) rel[k] = pr->pre_release[spk[k]];
}

/* ---- rebuilding the input in flight ---- */

/* Clear the rings of LIF population `post` and add back what the history sends
 * through the synapses in use: every spike of step e whose synapse delay d makes it
 * arrive at e + d >= now (steps before now are consumed). */
static void refill_rings(rw_network *net, uint32_t post) {
    rw_pop *P = &net->pops[post];
    if (!P->ring_i || !net->hist_len) return; /* rate populations: see the top */
    const uint32_t D = P->ring_slots;
    const size_t n = P->n;
    const int64_t now = net->step;
    memset(P->ring_e, 0, (size_t)D * n * sizeof *P->ring_e);
    memset(P->ring_i, 0, (size_t)D * n * sizeof *P->ring_i);
    int64_t first = now - (int64_t)(D - 1);
    if (first < now - (int64_t)net->hist_len) first = now - (int64_t)net->hist_len;
    if (first < 0) first = 0;
    for (int64_t e = first; e < now; e++) {
        const uint32_t hs = (uint32_t)(e % net->hist_len);
        for (uint32_t k = 0; k < net->n_projs; k++) {
            const rw_proj *pr = &net->projs[k];
            const rw_pop *pre = &net->pops[pr->pre];
            if (pr->post != post || !pre->hist_idx) continue;
            double *ring = pr->receptor == RW_RECEPTOR_INH ? P->ring_i : P->ring_e;
            const uint32_t *idx = pre->hist_idx[hs];
            const float *rel = pr->hist_rel ? pr->hist_rel[hs] : NULL;
            for (uint32_t q = 0; q < pre->hist_n[hs]; q++) {
                const rw_row_span sp = pr->span[idx[q]];
                for (uint32_t s = sp.begin; s < sp.end; s++) {
                    const int64_t arrival = e + pr->delays[s];
                    if (arrival < now) continue;
                    double *cell = ring + (size_t)(arrival % D) * n + pr->targets[s];
                    /* The same expressions as deliver() / deliver_released(). */
                    if (rel) *cell += (double)pr->weights[s] * (double)rel[q];
                    else *cell += pr->weights[s];
                }
            }
        }
    }
}

/* ---- removing synapses ---- */

static void move_synapse(rw_proj *pr, uint32_t to, uint32_t from) {
    pr->targets[to] = pr->targets[from];
    pr->weights[to] = pr->weights[from];
    pr->delays[to] = pr->delays[from];
    for (uint32_t k = 0; k < pr->view.n_syn_state; k++) pr->syn_state[k][to] = pr->syn_state[k][from];
}

/* Close the gaps left in the rows of a projection without spare capacity. */
static void close_rows(rw_proj *pr) {
    uint32_t o = 0;
    for (uint32_t i = 0; i < pr->n_pre; i++) {
        const uint32_t a = pr->row_offsets[i], len = pr->row_lengths[i];
        if (a != o)
            for (uint32_t q = 0; q < len; q++) move_synapse(pr, o + q, a + q);
        pr->row_offsets[i] = o;
        o += len;
    }
    pr->row_offsets[pr->n_pre] = o;
    pr->n_syn = o;
}

/* After rows changed: spans, delay range, post index, view. */
static void after_removal(rw_network *net, rw_proj *pr) {
    if (rw_rule_is_structural(pr->rule)) {
        rw_proj_restructure(pr);
    } else {
        close_rows(pr);
        uint16_t dmin = UINT16_MAX, dmax = 0;
        for (uint32_t s = 0; s < pr->n_syn; s++) {
            if (pr->delays[s] < dmin) dmin = pr->delays[s];
            if (pr->delays[s] > dmax) dmax = pr->delays[s];
        }
        /* Without synapses any single delay does: delivery has nothing to add. */
        if (dmax) {
            pr->min_delay = dmin;
            pr->max_delay = dmax;
        } else {
            pr->max_delay = pr->min_delay;
        }
        rw_connect_fill_spans(pr);
        if (pr->col_offsets) rw_connect_fill_post_index(pr);
    }
    rw_proj_sync_view(net, pr);
}

/* Remove, in row i, the synapses whose target passes post_mask (NULL: all) and whose
 * draw passes `fraction`; keeps the row's order.  Returns how many went. */
static uint32_t cut_row(rw_proj *pr, uint32_t i, const uint8_t *post_mask, double fraction,
                        uint64_t key) {
    const uint32_t a = pr->row_offsets[i], len = pr->row_lengths[i];
    uint32_t w = a;
    for (uint32_t q = 0; q < len; q++) {
        const uint32_t s = a + q;
        bool cut = !post_mask || post_mask[pr->targets[s]];
        /* The draw is keyed by (source, place in the row): the same network and seed
         * lose the same synapses whatever the slice size. */
        if (cut && fraction < 1.0) cut = rw_rng_uniform_k(key, i, q) < fraction;
        if (!cut) {
            if (w != s) move_synapse(pr, w, s);
            w++;
        }
    }
    pr->row_lengths[i] = w - a;
    return len - (w - a);
}

uint64_t rw_network_cut(rw_network *net, uint32_t proj, const uint8_t *pre_mask,
                        const uint8_t *post_mask, double fraction, uint64_t key) {
    rw_proj *pr = &net->projs[proj];
    uint64_t removed = 0;
    for (uint32_t i = 0; i < pr->n_pre; i++)
        if (!pre_mask || pre_mask[i]) removed += cut_row(pr, i, post_mask, fraction, key);
    if (removed) {
        after_removal(net, pr);
        refill_rings(net, pr->post);
    }
    return removed;
}

void rw_network_sources_changed(rw_network *net) {
    for (uint32_t i = 0; i < net->n_pops; i++) net->pops[i].source_epoch++;
}

/* ---- neurons dying ---- */

uint64_t rw_network_kill(rw_network *net, uint32_t pop, const uint32_t *idx, uint32_t n) {
    rw_pop *p = &net->pops[pop];
    uint8_t *mask = calloc(p->n ? p->n : 1, 1);
    if (!mask) return UINT64_MAX;
    for (uint32_t k = 0; k < n; k++) {
        const uint32_t i = idx[k];
        mask[i] = 1;
        p->alive[i] = 0;
        if (p->excitability) p->excitability[i] = 0.0f;
        if (p->v) {
            /* Held at reset for good: a LIF neuron that is refractory forever never
             * integrates nor fires, whatever its parameters. */
            p->v[i] = p->c.V_reset;
            p->g_e[i] = 0.0;
            p->g_i[i] = 0.0;
            p->ref[i] = INT32_MAX;
        }
        if (p->r) p->r[i] = 0.0;
        if (p->drive) p->drive[i] = 0.0;
    }
    rw_network_sources_changed(net);
    uint64_t removed = 0;
    for (uint32_t k = 0; k < net->n_projs; k++) {
        rw_proj *pr = &net->projs[k];
        if (pr->pre != pop && pr->post != pop) continue;
        uint64_t cut = 0;
        for (uint32_t i = 0; i < pr->n_pre; i++) {
            if (pr->pre == pop && mask[i]) cut += cut_row(pr, i, NULL, 1.0, 0);
            else if (pr->post == pop) cut += cut_row(pr, i, mask, 1.0, 0);
        }
        if (cut) {
            after_removal(net, pr);
            removed += cut;
        }
    }
    /* Every population that lost input synapses gets its rings rebuilt once. */
    for (uint32_t q = 0; q < net->n_pops; q++) {
        bool touched = false;
        for (uint32_t k = 0; k < net->n_projs && !touched; k++)
            touched = net->projs[k].post == q && (net->projs[k].pre == pop || q == pop);
        if (touched) refill_rings(net, q);
    }
    free(mask);
    return removed;
}
