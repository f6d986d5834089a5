/* Record channels: what the kernel records and output plugins consume.
 *
 * A channel is one stream of records of one kind (spikes of a population, its binned
 * rate, sampled state, weight snapshots of a projection).  Records reach outputs in
 * batches of rows; each kind fills the columns listed next to it, the others are NULL.
 * Times are in ms.
 */
#ifndef REWIRE_CHANNEL_H
#define REWIRE_CHANNEL_H

#include "abi.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum rewire_channel_kind {
    REWIRE_CHANNEL_SPIKES = 1,  /* time, index = neuron */
    REWIRE_CHANNEL_RATE = 2,    /* time = bin start, value = population rate (Hz) */
    REWIRE_CHANNEL_STATE = 3,   /* time, index = neuron, value = variable (its unit) */
    REWIRE_CHANNEL_WEIGHTS = 4, /* time, index = pre, index2 = post, value = weight */
    /* time, index = component, value: a named measure (the `measures:` section, the
     * `synapses` record).  index is 0 for a scalar and the neuron, bin or channel
     * number for a vector measure, whose components share one time.  Hosts before
     * ABI 1.2 sent scalars without index (index NULL: read it as 0). */
    REWIRE_CHANNEL_METRIC = 5
} rewire_channel_kind;

typedef struct rewire_channel_info {
    uint32_t struct_size;
    uint32_t id;               /* index in rewire_run_info.channels */
    const char *name;          /* the key under `record:` */
    rewire_channel_kind kind;
    const char *source;        /* population or projection name */
    const char *variable;      /* STATE: the variable (e.g. "v"); else NULL */
    const char *unit;          /* unit of `value` ("Hz", "mV", "nS", ...), or "" */
    double interval;           /* sampling interval or bin width, ms (0: every event) */
    uint32_t source_size;      /* neurons in the population, or synapses at start;
                                * METRIC of a measure: components per time (index <) */
} rewire_channel_info;

typedef struct rewire_batch {
    uint32_t struct_size;
    uint32_t channel;          /* rewire_channel_info.id */
    size_t n;                  /* rows */
    const double *time;        /* ms */
    const uint32_t *index;
    const uint32_t *index2;
    const double *value;
} rewire_batch;

#ifdef __cplusplus
}
#endif
#endif
