/* The kernel: populations (neuron state as structure of arrays), projections (synapses
 * CSR by source, SoA), delay ring buffers, and the step loop.
 *
 * The simulation advances in slices of at most the minimum delay: within a slice no
 * spike can reach a neuron, so spikes emitted in the slice are delivered at its end,
 * step by step in time order (then projection order, then source order), which makes
 * results independent of the slice size.  Learning rules are called per step with the
 * batch of spikes of that step (see rewire/learning_rule.h): for each step, for each
 * projection in order, delivery, then on_pre (if presynaptic spikes), then on_post (if
 * postsynaptic spikes); on_slice once per slice after the last step.  A rule with
 * REWIRE_RULE_PRE_BEFORE_DELIVERY gets on_pre before its projection's delivery.
 *
 * Randomness comes from rng.h keyed by (seed, stream, entity, counter): connectivity
 * by presynaptic row (fixed_probability) or postsynaptic neuron (fixed_indegree),
 * weights/delays by (pre, post, k-th copy), Poisson sources by (source, draw number),
 * initial potentials by neuron. */
#ifndef RW_NETWORK_H
#define RW_NETWORK_H

#include <rewire/plugin.h>

#include "diag.h"
#include "model.h"

typedef struct rw_network rw_network;
typedef struct rw_recorder rw_recorder;

/* Build the network the experiment describes: allocate state, draw connectivity,
 * weights, delays and initial potentials.  On failure (out of memory, a projection
 * over 2^32-1 synapses, a delay beyond the ring buffer limit of 65535 steps) reports
 * into d at the spec's location and returns NULL. */
rw_network *rw_network_build(const rw_experiment *e, rw_diag *d);
void rw_network_free(rw_network *net);

/* Run the kernel on n_threads threads (1 after building; clamped to
 * [1, RW_MAX_THREADS]).  Each owns a contiguous range of every population's neurons:
 * their updates and the delivery of every spike into their input.  Results are
 * byte-identical for any thread count.  Call between slices, after rules are attached.
 * 0 or REWIRE_ENOMEM (the network then stays unusable). */
int rw_network_set_threads(rw_network *net, uint32_t n_threads);
uint32_t rw_network_threads(const rw_network *net);
#define RW_MAX_THREADS 1024

int64_t rw_network_step(const rw_network *net);      /* steps simulated so far */
int64_t rw_network_min_delay(const rw_network *net); /* steps: the longest slice */
/* min_delay of a network without synapses: nothing bounds its slices. */
#define RW_UNCONNECTED_SLICE 100
double rw_network_dt(const rw_network *net);

/* Simulate steps [step, step + n_steps); 1 <= n_steps <= min_delay.  Spikes, samples
 * and snapshots go into rec (may be NULL).  Returns 0, REWIRE_EINVAL for a bad n_steps
 * (nothing simulated) or REWIRE_ENOMEM when a spike or record buffer could not grow
 * (the run cannot continue). */
int rw_network_advance(rw_network *net, int64_t n_steps, rw_recorder *rec);

/* Views for plugins.  The projection view is owned by the network and stays valid
 * for its lifetime (its arrays may move when synapses are added or removed; rules
 * re-read them each hook). */
rewire_projection_view *rw_network_projection_view(rw_network *net, uint32_t proj);
/* LIF populations have v and excitability, Poisson sources rate (a change takes effect
 * from the next slice: the pending interval is redrawn), spike_times none of them.
 * Returns 0 or REWIRE_ENOENT. */
int rw_network_population_view(rw_network *net, uint32_t pop, rewire_population_view *out);

/* Attach a created learning-rule instance to projection `proj`: allocates the rule's
 * per-synapse state (zeroed), builds the post index when the rule asks for it, and the
 * release factors (all 1) for REWIRE_RULE_PRE_RELEASE.
 * Does not call start(), and never destroy(): the instance stays the caller's.
 * Returns 0, REWIRE_ENOMEM, REWIRE_ENOENT (no such projection) or REWIRE_ESTATE (the
 * projection has a rule already). */
int rw_network_attach_rule(rw_network *net, uint32_t proj, const rewire_learning_rule_v1 *rule,
                           void *instance);

/* Statistics for the run report. */
uint64_t rw_network_population_spikes(const rw_network *net, uint32_t pop);
/* Mean rate over neurons and the time simulated (Hz): spikes for spiking populations,
 * the time average of r for rate populations. */
double rw_network_population_mean_rate(const rw_network *net, uint32_t pop);
uint64_t rw_network_projection_synapses(const rw_network *net, uint32_t proj);
double rw_network_projection_mean_weight(const rw_network *net, uint32_t proj);
uint64_t rw_network_synaptic_events(const rw_network *net); /* spikes x synapses delivered */
/* Neurons plus synapses: the size of a step's work, for choosing a thread count. */
uint64_t rw_network_work(const rw_network *net);

/* ---- recording (record.c) ---- */

/* One channel per record spec, in the same order.  When rows are produced (times in
 * ms; step k covers [k dt, (k+1) dt)):
 *  - spikes: time = k dt of the step in which V crossed threshold (Brian2's convention),
 *    in time order, then neuron order;
 *  - rate: bin b covers steps [b B, (b+1) B), B = round(bin / dt); its row (bin start,
 *    spikes / (neurons x bin length) in Hz) appears once its last step is simulated;
 *    rw_recorder_finish closes a partial last bin with the rate over its actual length;
 *  - state: at t = 0, I, 2I, ... (I = round(interval / dt) steps) for every t before
 *    the end of the run, the value at time t (after the steps before t), as Brian2's
 *    StateMonitor; the end time itself is not sampled;
 *  - weights: snapshots at t = 0, at every multiple of the interval and at the end
 *    (finish), each showing the weights after every rule hook of the steps before t;
 *    no time is snapshot twice.
 * Returns NULL when out of memory. */
rw_recorder *rw_recorder_new(const rw_experiment *e, const rw_network *net);
void rw_recorder_free(rw_recorder *rec);
uint32_t rw_recorder_count(const rw_recorder *rec);
const rewire_channel_info *rw_recorder_channels(const rw_recorder *rec);

/* Hand every record buffered since the last drain to sink, one batch per channel that
 * has rows (in channel order), then empty the buffers (keeping their memory). */
typedef int (*rw_batch_sink)(void *ctx, const rewire_batch *batch);
int rw_recorder_drain(rw_recorder *rec, rw_batch_sink sink, void *ctx);
/* At the end of the run (or an interrupt): close the partial rate bin and take the
 * final weight snapshot, so the last drain has everything. */
int rw_recorder_finish(rw_recorder *rec, const rw_network *net); /* 0 or REWIRE_ENOMEM */
/* Rows buffered now (the scheduler drains when this grows large). */
size_t rw_recorder_pending(const rw_recorder *rec);

#endif
