/* Counter-based random numbers: Philox4x32-10 (Salmon, Moraes, Dror & Shaw 2011,
 * "Parallel random numbers: as easy as 1, 2, 3").
 *
 * Every random number in rewire is a pure function of (seed, stream, entity, counter):
 * the key is a mix of the run seed and a stream id naming what the numbers are for
 * (connectivity of projection 3, Poisson sources of population 0, a plugin instance),
 * the 128-bit counter is (entity, counter) (the presynaptic row, the source, ...; and
 * the draw number for that entity).  No generator state is carried between calls, so
 * results do not depend on the order entities are visited, the slice size, or (later)
 * the number of threads or ranks.
 *
 * One Philox block is 128 random bits: two 53-bit uniforms, or one normal pair.
 */
#ifndef RW_RNG_H
#define RW_RNG_H

#include <stdint.h>

/* The raw bijection: 4x32-bit counter, 2x32-bit key -> 4x32-bit output, 10 rounds.
 * Word order as in Random123 (ctr[0] is the first word of its known-answer tests). */
void rw_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);

/* The key of (seed, stream): a bijection of the stream for a fixed seed, so two
 * streams of one run never share a key; different seeds scramble it. */
uint64_t rw_rng_key(uint64_t seed, uint64_t stream);

/* Philox with a 64-bit key and the 128-bit counter (entity, counter). */
void rw_rng_block(uint64_t key, uint64_t entity, uint64_t counter, uint32_t out[4]);

/* Stream ids.  The kernel's streams are (kind, index); the host hands each plugin
 * instance its own stream rw_stream_id(RW_STREAM_PLUGIN, instance number). */
typedef enum rw_stream_kind {
    RW_STREAM_CONNECT = 1, /* index = projection: which synapses exist */
    RW_STREAM_WEIGHT = 2,  /* index = projection: initial weights */
    RW_STREAM_DELAY = 3,   /* index = projection: delays */
    RW_STREAM_V_INIT = 4,  /* index = population: initial membrane potentials */
    RW_STREAM_POISSON = 5, /* index = population: Poisson source intervals */
    RW_STREAM_SELECTION = 6, /* index = hash of a region's name: its random fraction */
    RW_STREAM_PLUGIN = 16  /* index = plugin instance (host-assigned) */
} rw_stream_kind;

/* Kind in the top 16 bits, index in the low 48. */
static inline uint64_t rw_stream_id(rw_stream_kind kind, uint64_t index) {
    return ((uint64_t)kind << 48) | (index & 0xFFFFFFFFFFFFull);
}

/* The two 53-bit uniforms in [0, 1) of one block (halves 0 and 1). */
static inline double rw_bits_to_unit(uint32_t lo, uint32_t hi) {
    return (double)((((uint64_t)hi << 32) | lo) >> 11) * 0x1p-53;
}

/* Uniform in [0, 1): the first half of block (entity, counter). */
double rw_rng_uniform(uint64_t seed, uint64_t stream, uint64_t entity, uint64_t counter);
double rw_rng_uniform_k(uint64_t key, uint64_t entity, uint64_t counter);

/* Standard normal by Box-Muller from the two uniforms of block (entity, counter). */
double rw_rng_normal(uint64_t seed, uint64_t stream, uint64_t entity, uint64_t counter);
double rw_rng_normal_k(uint64_t key, uint64_t entity, uint64_t counter);

/* Failures before the first success of Bernoulli(p) trials, from a uniform u in
 * [0, 1), given log1m_p = log1p(-p) (precomputed: it is per-population or per-row).
 * p = 0 (log1m_p = 0) gives RW_GEOMETRIC_NEVER; huge values saturate to it. */
#define RW_GEOMETRIC_NEVER ((uint64_t)1 << 62)
uint64_t rw_geometric(double u, double log1m_p);

/* Exponential with mean 1 from a uniform u in [0, 1). */
double rw_exponential(double u);

/* Uniform integer in [0, n), n <= 2^32, from a 53-bit uniform (bias <= n / 2^53). */
static inline uint32_t rw_uniform_index(double u, uint32_t n) {
    uint32_t k = (uint32_t)(u * (double)n);
    return k < n ? k : n - 1;
}

/* A sequence of draws for one entity: draw j is half (j % 2) of block j / 2.  For
 * loops that need an unknown number of numbers per entity (a connectivity row). */
typedef struct rw_rng_seq {
    uint64_t key, entity, block;
    double spare;
    int has_spare;
} rw_rng_seq;

void rw_rng_seq_init(rw_rng_seq *s, uint64_t key, uint64_t entity);
double rw_rng_seq_uniform(rw_rng_seq *s);

#endif
