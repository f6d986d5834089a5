/* Gaussian bumps of drive over the positions of a channel's neurons (practice's `bump`
 * pattern, enrichment's patterns).  Centres are neurons of the channel, so a bump always
 * lies on it, whatever the channel's shape. */
#ifndef RW_IV_BUMP_H
#define RW_IV_BUMP_H

#include <stdint.h>

/* The neuron (0..n-1) a uniform number u in [0, 1) picks as a centre. */
static inline uint32_t iv_pick(double u, uint32_t n) {
    uint32_t k = (uint32_t)(u * n);
    return k < n ? k : n - 1;
}

/* out[k] = max(out[k], rate * exp(-d_k^2 / (2 width^2))), d_k the distance from neuron k
 * at (px[k], py[k]) to (cx, cy).  Start from zeros for one bump; overlapping bumps take
 * the larger drive, so a pattern never exceeds its largest rate. */
void iv_bump_max(const float *px, const float *py, uint32_t n, float cx, float cy,
                 double width, double rate, double *out);

#endif
