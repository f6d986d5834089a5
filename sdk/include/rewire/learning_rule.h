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
} rewire_learning_rule_v1;

#ifdef __cplusplus
}
#endif
#endif
