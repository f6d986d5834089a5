/* Measures: the top-level `measures:` section (docs/experiment-format.md, "Measures").
 *
 * Each measure is sampled every `every` ms, at the end of every phase and at the end of
 * the run, and becomes one or more REWIRE_CHANNEL_METRIC channels (rows: time, index =
 * component, value), numbered after the record channels.  Weight-based measures are
 * taken between steps exactly like weight snapshots (the weights after every hook of
 * the steps before t); rates are the mean over the interval that ends at t.
 *
 * The computations below are plain functions of the kernel's arrays (contiguous loops
 * over rows of synapses in use, span[i]; nothing allocated per synapse), so unit tests
 * can call them on hand-built networks.  A NULL `alive` means every neuron is alive. */
#ifndef RW_MEASURES_H
#define RW_MEASURES_H

#include <rewire/channel.h>
#include <stdbool.h>
#include <stdint.h>

#include "model.h"
#include "network_internal.h"

typedef enum rw_measure_kind {
    RW_MEASURE_RATE = 0,
    RW_MEASURE_WEIGHTS = 1,
    RW_MEASURE_SYNAPSES = 2,
    RW_MEASURE_REPRESENTATION = 3,
    RW_MEASURE_RECEPTIVE_FIELD = 4,
    RW_MEASURE_TASK = 5
} rw_measure_kind;

/* Neurons of one population, by increasing index (owned). */
typedef struct rw_measure_sel {
    char *name;          /* region, population or inline key: names `NAME.area.<name>` */
    uint32_t pop;
    uint32_t n;
    uint32_t *index;     /* [n] */
} rw_measure_sel;

typedef struct rw_measure_spec {
    char *name;
    rw_loc loc;
    rw_measure_kind kind;
    double every;            /* ms */
    uint32_t target;         /* REPRESENTATION, TASK: population; WEIGHTS, SYNAPSES,
                              * RECEPTIVE_FIELD: projection; RATE: sel.pop */
    rw_measure_sel sel;      /* RATE: the neurons whose rate is measured */
    uint32_t bins;           /* WEIGHTS: histogram bins */
    bool has_range;          /* WEIGHTS: range given; else taken from the first sample */
    double lo, hi;           /* WEIGHTS: histogram range, internal weight units */
    uint32_t n_channels;     /* REPRESENTATION: the competing channels; TASK: 1 */
    rw_measure_sel *channels;
    /* Filled by the parser: the output channels, ids first_channel .. + n_out. */
    uint32_t first_channel;
    uint32_t n_out;
    char **out_names;        /* [n_out] */
} rw_measure_spec;

void rw_measure_spec_free(rw_measure_spec *m);
/* Name the output channels of m (name, kind and channels set): out_names, n_out.
 * False on out of memory. */
bool rw_measure_spec_outputs(rw_measure_spec *m);

/* ---- computations (each over the synapses in use of a projection) ---- */

/* Synapses in use. */
uint64_t rw_measure_synapse_count(const rw_proj *pr);
/* Mean and sd (population sd) of the weights in use, and their histogram over `bins`
 * equal bins of [lo, hi); weights below lo count in bin 0, at or above hi in the last
 * bin, so the counts sum to the synapse count.  hist may be NULL.  Returns the count
 * (mean and sd NaN when 0). */
uint64_t rw_measure_weight_stats(const rw_proj *pr, double lo, double hi, uint32_t bins,
                                 uint64_t *hist, double *mean, double *sd);
/* Smallest and largest weight in use (false when there is none). */
bool rw_measure_weight_range(const rw_proj *pr, double *lo, double *hi);
/* acc[post] += w for every synapse in use from the n_src sources src[] (rows). */
void rw_measure_drive_add(const rw_proj *pr, const uint32_t *src, uint32_t n_src, double *acc);
/* The winning channel per neuron: the k with the largest sums[k * n + i] (> 0; the
 * first on ties), or -1 when every sum is <= 0 or the neuron is dead.  area[k] counts
 * the neurons channel k wins. */
void rw_measure_winners(const double *sums, uint32_t n_channels, uint32_t n,
                        const uint8_t *alive, int32_t *winner, uint32_t *area);
/* Receptive fields of the post neurons: the centre (cx, cy) is the weight-weighted
 * mean position of a neuron's sources, the width the weighted root mean square
 * distance of the sources from that centre; NaN for neurons with no positive weight
 * or dead.  Weights <= 0 are left out.  sw is scratch [n_post]. */
void rw_measure_receptive_fields(const rw_proj *pr, const float *x, const float *y,
                                 const uint8_t *alive, double *sw, double *cx, double *cy,
                                 double *width);

/* ---- the sampler, owned by the recorder ---- */

typedef struct rw_measures rw_measures;

/* NULL on out of memory (a valid object with no measures when e has none). */
rw_measures *rw_measures_new(const rw_experiment *e, const rw_network *net);
void rw_measures_free(rw_measures *m);
/* Output channels, and their descriptions written into info[0 .. count) with ids
 * first_id + k. */
uint32_t rw_measures_channel_count(const rw_measures *m);
void rw_measures_describe(const rw_measures *m, rewire_channel_info *info);
size_t rw_measures_pending(const rw_measures *m);
/* Between steps: the weight-based samples due at `step`. */
int rw_measures_at(rw_measures *m, const rw_network *net, int64_t step);
/* After the slice [s0, s0 + n): rates, from the spike buffers (r_hist on rate
 * populations). */
int rw_measures_slice(rw_measures *m, const rw_network *net, int64_t s0, uint32_t n);
/* End of the run (also interrupted): the last samples at the current step. */
int rw_measures_finish(rw_measures *m, const rw_network *net);
/* Hand every channel's rows to sink (channel ids as described); a channel whose batch
 * the sink refuses keeps its rows. */
int rw_measures_drain(rw_measures *m, rw_batch_sink sink, void *ctx);

#endif
