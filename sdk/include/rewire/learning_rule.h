/* Learning rules: plugins that change the weights (and their own state) of a projection.
 *
 * The host calls a rule once per batch, never once per synapse: with the presynaptic
 * neurons that spiked at a step, with the postsynaptic neurons that spiked at a step,
 * and (if asked) once per slice.  Within a slice the host calls, step by step in time
 * order: on_pre(step) after those spikes were delivered with the current weights, then
 * on_post(step).  A rule with REWIRE_RULE_PRE_BEFORE_DELIVERY gets on_pre(step) BEFORE
 * that step's spikes of its projection are delivered (then delivery, then on_post), so
 * it can set the release factor (view->pre_release) of the neurons that spike now.
 * A rule therefore sees events in time order whatever the slice size.
 * For plasticity, a spike's time is its emission step (delays count as dendritic).
 *
 * Threads: create/start/stop/destroy [loop]; on_pre/on_post/on_slice [kernel]: only
 * the projection view and the rule's own state may be touched there, and host services
 * marked [any].
 */
#ifndef REWIRE_LEARNING_RULE_H
#define REWIRE_LEARNING_RULE_H

#include "host.h"
#include "params.h"

#ifdef __cplusplus
extern "C" {
#endif

#define REWIRE_RULE_NEEDS_POST_INDEX 0x1u /* fill col_offsets/col_synapses */
#define REWIRE_RULE_ON_SLICE 0x2u         /* call on_slice once per slice */
/* ABI 1.1: allocate view->pre_release ([n_pre] floats, all 1): delivery multiplies the
 * weights of neuron i's row by pre_release[i] (short-term plasticity). */
#define REWIRE_RULE_PRE_RELEASE 0x4u
/* ABI 1.1: call on_pre(step) before delivering step's spikes, not after (see above). */
#define REWIRE_RULE_PRE_BEFORE_DELIVERY 0x8u
/* ABI 1.1: structural plasticity: the rule adds and removes synapses (see
 * rewire_projection_view: row_lengths, structure_changed).  When the rule is attached
 * the host gives every row i the capacity max(its initial length, row_reserve(instance))
 * and allocates view->row_lengths; syn_state arrays then have one float per slot of
 * capacity.  Requires the row_reserve function below.  With REWIRE_RULE_ON_SLICE, a
 * structural rule gets on_slice(step, step + 1) after every step's hooks (not once per
 * slice), so that what it adds or removes there carries spikes from step + 1 on,
 * whatever the slice size: keep it cheap when nothing is due. */
#define REWIRE_RULE_STRUCTURAL 0x10u
/* ABI 1.3: the rule can run on several kernel threads at once (see rewire_part and
 * on_pre_part / on_post_part below).  With more than one kernel thread the host then
 * calls on_pre_part and on_post_part instead of on_pre and on_post (with one thread it
 * calls on_pre and on_post).  Ignored on STRUCTURAL and PRE_BEFORE_DELIVERY rules. */
#define REWIRE_RULE_PARTITIONED 0x20u

/* ABI 1.3: what one thread owns of a projection in on_pre_part / on_post_part.  The
 * kernel splits every population into contiguous ranges, one per thread; part `index`
 * of `count` owns presynaptic neurons [pre_lo, pre_hi), postsynaptic neurons
 * [post_lo, post_hi) and every synapse whose target it owns.  Within its hook a part
 * may write only those synapses (weights, syn_state) and the per-neuron state of the
 * neurons it owns; it may read anything that no part writes during the same phase
 * (all on_pre_part calls of a step form one phase, all on_post_part calls the next).
 * Rows are sorted by target, so row i's synapses onto the part's targets are one
 * block: rewire_part_row gives it.  `cut` is the host's; read it only through that. */
typedef struct rewire_part {
    uint32_t struct_size;
    uint32_t index, count;
    uint32_t pre_lo, pre_hi;
    uint32_t post_lo, post_hi;
    const uint32_t *cut;
} rewire_part;

/* [any] Synapses [*begin, *end) of row i whose targets part p owns. */
static inline void rewire_part_row(const rewire_part *p, const rewire_projection_view *v,
                                   uint32_t i, uint32_t *begin, uint32_t *end) {
    uint32_t a = v->row_offsets[i], b = v->row_offsets[i + 1];
    if (p->count > 1) {
        const uint32_t *c = p->cut + (size_t)i * (p->count - 1);
        if (p->index > 0) a = c[p->index - 1];
        if (p->index + 1 < p->count) b = c[p->index];
    }
    *begin = a;
    *end = b;
}

typedef struct rewire_learning_rule_v1 {
    uint32_t struct_size;
    uint32_t flags;                     /* REWIRE_RULE_* */
    uint32_t n_syn_state;               /* per-synapse float arrays the host allocates */
    const char *const *syn_state_names; /* [n_syn_state], for recording */

    /* [loop] Make an instance for one projection; params follow the schema's order.
     * On failure return non-zero after host->set_error(). */
    int (*create)(const rewire_host *host, const rewire_param_value *params,
                  const rewire_projection_view *view, void **instance);
    /* [loop] Before the first step: initialise syn_state and per-neuron state. */
    int (*start)(void *instance, rewire_projection_view *view);
    /* [kernel] Presynaptic neurons pre[0..n) spiked at `step`. */
    void (*on_pre)(void *instance, rewire_projection_view *view, int64_t step,
                   const uint32_t *pre, size_t n);
    /* [kernel] Postsynaptic neurons post[0..n) spiked at `step`. */
    void (*on_post)(void *instance, rewire_projection_view *view, int64_t step,
                    const uint32_t *post, size_t n);
    /* [kernel] Steps [first_step, end_step) are done (continuous or structural rules;
     * structural ones get it step by step, see REWIRE_RULE_STRUCTURAL).
     * May be NULL unless REWIRE_RULE_ON_SLICE is set. */
    void (*on_slice)(void *instance, rewire_projection_view *view, int64_t first_step,
                     int64_t end_step);
    /* [loop] After the last step. May be NULL. */
    void (*stop)(void *instance, rewire_projection_view *view);
    /* [loop] Free everything; called for every instance create() returned. */
    void (*destroy)(void *instance);

    /* ---- ABI 1.1 ---- (the host reads it only when REWIRE_HAS_FIELD says it is there;
     * a 1.0 table ends before it) */

    /* [loop] REWIRE_RULE_STRUCTURAL only (else may be NULL): synapses of room per row,
     * asked once, after create() (so the rule answers from its parameters and the view
     * it was created on).  Row i gets max(initial length of row i, the answer). */
    uint32_t (*row_reserve)(void *instance);

    /* ---- ABI 1.3 ---- (REWIRE_RULE_PARTITIONED only, else may be NULL) */

    /* [kernel, several threads at once] on_pre for one part: pre[0..n) are ALL the
     * presynaptic neurons that spiked at `step` (in increasing order); update the
     * part's synapses and the state of the part's own neurons only.  Called after the
     * step's delivery; every part's call returns before any on_post_part of the step. */
    void (*on_pre_part)(void *instance, rewire_projection_view *view, const rewire_part *part,
                        int64_t step, const uint32_t *pre, size_t n);
    /* [kernel, several threads at once] on_post for one part: post[0..n) are the
     * postsynaptic neurons OF THIS PART (in [post_lo, post_hi)) that spiked at `step`. */
    void (*on_post_part)(void *instance, rewire_projection_view *view, const rewire_part *part,
                         int64_t step, const uint32_t *post, size_t n);
} rewire_learning_rule_v1;

#ifdef __cplusplus
}
#endif
#endif
