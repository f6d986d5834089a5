/* exp() that the compiler can vectorise.
 *
 * libm's exp is a call, so a loop that uses it stays scalar (glibc only declares its
 * vector variants under -ffast-math, which rewire does not use: results must not
 * depend on reassociation).  The COBA update needs one exp per neuron and step; this
 * one is straight-line arithmetic: x = k ln2 + r with |r| <= ln2/2 (Cody-Waite), e^r
 * by its Taylor polynomial to degree 13 (truncation below 1e-17), 2^k built in the
 * exponent bits.  Accurate to about 1 ulp over [-708, 709]; inputs outside are
 * clamped there (e^-708 ~ 3e-308, so underflow goes to the smallest normal scale
 * instead of 0, harmless for the decay factors it computes). */
#ifndef RW_VEXP_H
#define RW_VEXP_H

#include <stdint.h>
#include <string.h>

static inline double rw_vexp(double x) {
    const double log2e = 1.4426950408889634074;
    const double ln2_hi = 6.93147180369123816490e-01; /* 32 significant bits: k ln2_hi is exact */
    const double ln2_lo = 1.90821492927058770002e-10;
    const double shifter = 0x1.8p52; /* adding it rounds to an integer held in the low bits */
    x = x < -708.0 ? -708.0 : x;
    x = x > 709.0 ? 709.0 : x;
    double kk = x * log2e + shifter;
    double k = kk - shifter;
    double r = (x - k * ln2_hi) - k * ln2_lo;
    double p = 1.0 / 6227020800.0; /* 1/13! */
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    /* The bits of kk are those of the shifter plus k: rebuild 2^k from them. */
    uint64_t bits;
    memcpy(&bits, &kk, sizeof bits);
    bits = (bits - UINT64_C(0x4338000000000000) + 1023) << 52;
    double scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

#endif
