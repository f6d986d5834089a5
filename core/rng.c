/* Philox4x32-10 and the draws rewire builds on it.  See rng.h. */
#include "rng.h"

#include <math.h>

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u /* golden ratio */
#define PHILOX_W1 0xBB67AE85u /* sqrt(3) - 1 */

static inline void philox_round(uint32_t c[4], const uint32_t k[2]) {
    uint64_t p0 = (uint64_t)PHILOX_M0 * c[0];
    uint64_t p1 = (uint64_t)PHILOX_M1 * c[2];
    uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
    uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
    uint32_t n0 = hi1 ^ c[1] ^ k[0];
    uint32_t n2 = hi0 ^ c[3] ^ k[1];
    c[0] = n0;
    c[1] = lo1;
    c[2] = n2;
    c[3] = lo0;
}

void rw_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]) {
    uint32_t c[4] = {ctr[0], ctr[1], ctr[2], ctr[3]};
    uint32_t k[2] = {key[0], key[1]};
    philox_round(c, k);
    for (int r = 1; r < 10; r++) {
        k[0] += PHILOX_W0;
        k[1] += PHILOX_W1;
        philox_round(c, k);
    }
    out[0] = c[0];
    out[1] = c[1];
    out[2] = c[2];
    out[3] = c[3];
}

/* splitmix64's finaliser: a bijection on 64 bits with full avalanche. */
static uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

uint64_t rw_rng_key(uint64_t seed, uint64_t stream) {
    return mix64(mix64(seed + 0x9E3779B97F4A7C15ull) ^ stream);
}

void rw_rng_block(uint64_t key, uint64_t entity, uint64_t counter, uint32_t out[4]) {
    const uint32_t c[4] = {(uint32_t)counter, (uint32_t)(counter >> 32), (uint32_t)entity,
                           (uint32_t)(entity >> 32)};
    const uint32_t k[2] = {(uint32_t)key, (uint32_t)(key >> 32)};
    rw_philox4x32_10(c, k, out);
}

double rw_rng_uniform_k(uint64_t key, uint64_t entity, uint64_t counter) {
    uint32_t b[4];
    rw_rng_block(key, entity, counter, b);
    return rw_bits_to_unit(b[0], b[1]);
}

double rw_rng_uniform(uint64_t seed, uint64_t stream, uint64_t entity, uint64_t counter) {
    return rw_rng_uniform_k(rw_rng_key(seed, stream), entity, counter);
}

double rw_rng_normal_k(uint64_t key, uint64_t entity, uint64_t counter) {
    uint32_t b[4];
    rw_rng_block(key, entity, counter, b);
    double u1 = rw_bits_to_unit(b[0], b[1]);
    double u2 = rw_bits_to_unit(b[2], b[3]);
    /* 1 - u1 lies in (0, 1]: the logarithm is finite. */
    return sqrt(-2.0 * log1p(-u1)) * cos(2.0 * M_PI * u2);
}

double rw_rng_normal(uint64_t seed, uint64_t stream, uint64_t entity, uint64_t counter) {
    return rw_rng_normal_k(rw_rng_key(seed, stream), entity, counter);
}

uint64_t rw_geometric(double u, double log1m_p) {
    if (log1m_p == 0.0) return RW_GEOMETRIC_NEVER;
    /* P(G >= k) = (1-p)^k  <=>  G = floor(log(1-u) / log(1-p)). */
    double g = floor(log1p(-u) / log1m_p);
    if (!(g < (double)RW_GEOMETRIC_NEVER)) return RW_GEOMETRIC_NEVER;
    return (uint64_t)g;
}

double rw_exponential(double u) { return -log1p(-u); }

void rw_rng_seq_init(rw_rng_seq *s, uint64_t key, uint64_t entity) {
    s->key = key;
    s->entity = entity;
    s->block = 0;
    s->spare = 0.0;
    s->has_spare = 0;
}

double rw_rng_seq_uniform(rw_rng_seq *s) {
    if (s->has_spare) {
        s->has_spare = 0;
        return s->spare;
    }
    uint32_t b[4];
    rw_rng_block(s->key, s->entity, s->block++, b);
    s->spare = rw_bits_to_unit(b[2], b[3]);
    s->has_spare = 1;
    return rw_bits_to_unit(b[0], b[1]);
}
