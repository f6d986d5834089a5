/* Philox4x32-10 and the draws built on it: known answers, uniformity, independence of
 * streams / entities / counters, determinism, and the derived distributions. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "tap.h"

/* Chi-square bound: mean df, sd sqrt(2 df); 5 sd either side (a too-even histogram
 * also fails: it means the numbers are not random). */
static int chi2_ok(double chi2, double df) { return fabs(chi2 - df) < 5.0 * sqrt(2.0 * df); }

static double correlation(const double *x, const double *y, size_t n) {
    double mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0;
    for (size_t i = 0; i < n; i++) {
        mx += x[i];
        my += y[i];
    }
    mx /= (double)n;
    my /= (double)n;
    for (size_t i = 0; i < n; i++) {
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
        sxy += (x[i] - mx) * (y[i] - my);
    }
    return sxy / sqrt(sxx * syy);
}

static void known_answers(void) {
    /* Random123's kat_vectors for philox4x32_10. */
    static const struct {
        uint32_t ctr[4], key[2], out[4];
    } kat[] = {
        {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
        {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
         {0xffffffff, 0xffffffff},
         {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
        {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
         {0xa4093822, 0x299f31d0},
         {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
    };
    for (size_t k = 0; k < sizeof kat / sizeof kat[0]; k++) {
        uint32_t out[4];
        rw_philox4x32_10(kat[k].ctr, kat[k].key, out);
        CHECK(memcmp(out, kat[k].out, sizeof out) == 0,
              "Philox4x32-10 known answer %zu: %08x %08x %08x %08x", k, out[0], out[1], out[2],
              out[3]);
    }
    /* rw_rng_block is Philox on (counter lo, counter hi, entity lo, entity hi). */
    uint64_t key = 0x299f31d0a4093822ull, entity = 0x0370734413198a2eull,
             counter = 0x85a308d3243f6a88ull;
    uint32_t out[4];
    rw_rng_block(key, entity, counter, out);
    CHECK(out[0] == 0xd16cfe09 && out[1] == 0x94fdcceb && out[2] == 0x5001e420 &&
              out[3] == 0x24126ea1,
          "rw_rng_block maps (key, entity, counter) onto Philox's words");
}

static void determinism(void) {
    double a = rw_rng_uniform(7, 3, 11, 13), b = rw_rng_uniform(7, 3, 11, 13);
    CHECK(a == b, "same (seed, stream, entity, counter), same number");
    CHECK(rw_rng_uniform(8, 3, 11, 13) != a, "another seed, another number");
    CHECK(rw_rng_uniform(7, 4, 11, 13) != a, "another stream, another number");
    CHECK(rw_rng_uniform(7, 3, 12, 13) != a, "another entity, another number");
    CHECK(rw_rng_uniform(7, 3, 11, 14) != a, "another counter, another number");
    CHECK(rw_rng_uniform_k(rw_rng_key(7, 3), 11, 13) == a, "keyed form agrees");
    CHECK(rw_rng_normal(7, 3, 11, 13) == rw_rng_normal(7, 3, 11, 13), "normal is deterministic");

    CHECK(rw_stream_id(RW_STREAM_CONNECT, 5) != rw_stream_id(RW_STREAM_WEIGHT, 5) &&
              rw_stream_id(RW_STREAM_CONNECT, 5) != rw_stream_id(RW_STREAM_CONNECT, 6) &&
              rw_stream_id(RW_STREAM_PLUGIN, 0) >> 48 == RW_STREAM_PLUGIN,
          "stream ids separate kinds and indices");
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void key_collisions(void) {
    size_t n = 200000;
    uint64_t *keys = malloc(n * sizeof *keys);
    for (size_t i = 0; i < n; i++)
        keys[i] = rw_rng_key(i % 4, rw_stream_id((rw_stream_kind)(1 + (i / 4) % 5), i / 20));
    qsort(keys, n, sizeof *keys, cmp_u64);
    size_t dup = 0;
    for (size_t i = 1; i < n; i++) dup += keys[i] == keys[i - 1];
    free(keys);
    CHECK(dup == 0, "200000 (seed, stream) pairs give distinct keys (%zu duplicates)", dup);
}

static void uniformity(void) {
    enum { BINS = 1000 };
    const size_t n = 1000000;
    static double count[3][BINS];
    memset(count, 0, sizeof count);
    double lo = 1, hi = 0, sum = 0, sum2 = 0;
    size_t fine_bits = 0;
    uint64_t key = rw_rng_key(42, rw_stream_id(RW_STREAM_POISSON, 0));
    rw_rng_seq seq;
    rw_rng_seq_init(&seq, key, 99);
    for (size_t i = 0; i < n; i++) {
        double u = rw_rng_uniform_k(key, i, 0);     /* across entities */
        double w = rw_rng_uniform_k(key, 5, i);     /* across counters */
        double s = rw_rng_seq_uniform(&seq);        /* a sequence */
        count[0][(int)(u * BINS)]++;
        count[1][(int)(w * BINS)]++;
        count[2][(int)(s * BINS)]++;
        lo = fmin(lo, fmin(u, fmin(w, s)));
        hi = fmax(hi, fmax(u, fmax(w, s)));
        sum += u;
        sum2 += u * u;
        /* 53 bits: the part below 2^-32 is not always zero. */
        double scaled = u * 0x1p32;
        fine_bits += scaled != floor(scaled);
    }
    CHECK(lo >= 0.0 && hi < 1.0, "uniforms lie in [0, 1): min %g max %.17g", lo, hi);
    const char *what[3] = {"entities", "counters", "a sequence"};
    for (int k = 0; k < 3; k++) {
        double e = (double)n / BINS, chi2 = 0;
        for (int b = 0; b < BINS; b++) chi2 += (count[k][b] - e) * (count[k][b] - e) / e;
        CHECK(chi2_ok(chi2, BINS - 1), "uniform over %s: chi2 = %.1f for %d dof", what[k], chi2,
              BINS - 1);
    }
    double mean = sum / (double)n, var = sum2 / (double)n - mean * mean;
    CHECK_NEAR(mean, 0.5, 5.0 * sqrt(1.0 / 12.0 / (double)n), "uniform mean 1/2");
    CHECK_NEAR(var, 1.0 / 12.0, 5.0 * sqrt(1.0 / 180.0 / (double)n), "uniform variance 1/12");
    CHECK(fine_bits > n * 99 / 100, "uniforms carry bits below 2^-32 (%zu of %zu)", fine_bits, n);

    /* 2-D uniformity of consecutive draws: pairs (u_i, u_{i+1}) on a 32x32 grid. */
    static double grid[32][32];
    memset(grid, 0, sizeof grid);
    rw_rng_seq_init(&seq, key, 7);
    size_t pairs = 500000;
    for (size_t i = 0; i < pairs; i++) {
        double a = rw_rng_seq_uniform(&seq), b = rw_rng_seq_uniform(&seq);
        grid[(int)(a * 32)][(int)(b * 32)]++;
    }
    double e = (double)pairs / 1024.0, chi2 = 0;
    for (int i = 0; i < 32; i++)
        for (int j = 0; j < 32; j++) chi2 += (grid[i][j] - e) * (grid[i][j] - e) / e;
    CHECK(chi2_ok(chi2, 1023), "pairs of consecutive draws fill the square: chi2 = %.1f", chi2);
}

static void independence(void) {
    const size_t n = 200000;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    double bound = 5.0 / sqrt((double)n);
    struct {
        const char *what;
        uint64_t s1, st1, de1, dc1; /* seed, stream, entity offset, counter offset */
        uint64_t s2, st2, de2, dc2;
    } cases[] = {
        {"two streams", 1, rw_stream_id(RW_STREAM_CONNECT, 0), 0, 0, 1,
         rw_stream_id(RW_STREAM_CONNECT, 1), 0, 0},
        {"two stream kinds", 1, rw_stream_id(RW_STREAM_WEIGHT, 0), 0, 0, 1,
         rw_stream_id(RW_STREAM_DELAY, 0), 0, 0},
        {"two seeds", 1, 5, 0, 0, 2, 5, 0, 0},
        {"neighbouring entities", 1, 5, 0, 0, 1, 5, 1, 0},
        {"neighbouring counters", 1, 5, 0, 0, 1, 5, 0, 1},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        for (size_t i = 0; i < n; i++) {
            x[i] = rw_rng_uniform(cases[c].s1, cases[c].st1, i + cases[c].de1, 3 + cases[c].dc1);
            y[i] = rw_rng_uniform(cases[c].s2, cases[c].st2, i + cases[c].de2, 3 + cases[c].dc2);
        }
        double r = correlation(x, y, n);
        CHECK(fabs(r) < bound, "%s are uncorrelated: r = %.5f", cases[c].what, r);
    }
    /* The two halves of one block (Box-Muller's pair). */
    uint64_t key = rw_rng_key(3, 9);
    for (size_t i = 0; i < n; i++) {
        uint32_t b[4];
        rw_rng_block(key, i, 0, b);
        x[i] = rw_bits_to_unit(b[0], b[1]);
        y[i] = rw_bits_to_unit(b[2], b[3]);
    }
    double r = correlation(x, y, n);
    CHECK(fabs(r) < bound, "the halves of a block are uncorrelated: r = %.5f", r);
    free(x);
    free(y);
}

static void sequences(void) {
    uint64_t key = rw_rng_key(11, 22);
    rw_rng_seq s;
    rw_rng_seq_init(&s, key, 33);
    int ok = 1;
    for (uint64_t j = 0; j < 100; j++) {
        uint32_t b[4];
        rw_rng_block(key, 33, j / 2, b);
        double expect = j % 2 ? rw_bits_to_unit(b[2], b[3]) : rw_bits_to_unit(b[0], b[1]);
        ok &= rw_rng_seq_uniform(&s) == expect;
    }
    CHECK(ok, "sequence draw j is half j%%2 of block j/2");
    CHECK(rw_rng_uniform_k(key, 33, 4) == (rw_rng_seq_init(&s, key, 33), s.block = 4,
                                           rw_rng_seq_uniform(&s)),
          "uniform is the first half of its block");
}

static void normals(void) {
    const size_t n = 1000000;
    double m1 = 0, m2 = 0, m3 = 0, m4 = 0;
    size_t tail = 0;
    uint64_t key = rw_rng_key(5, rw_stream_id(RW_STREAM_WEIGHT, 2));
    int finite = 1;
    for (size_t i = 0; i < n; i++) {
        double z = rw_rng_normal_k(key, i, 0);
        finite &= isfinite(z);
        m1 += z;
        m2 += z * z;
        m3 += z * z * z;
        m4 += z * z * z * z;
        tail += fabs(z) > 1.959963984540054;
    }
    m1 /= (double)n;
    m2 /= (double)n;
    m3 /= (double)n;
    m4 /= (double)n;
    double sn = sqrt((double)n);
    CHECK(finite, "normals are finite");
    CHECK_NEAR(m1, 0.0, 5.0 / sn, "normal mean 0");
    CHECK_NEAR(m2, 1.0, 5.0 * sqrt(2.0) / sn, "normal variance 1");
    CHECK_NEAR(m3, 0.0, 5.0 * sqrt(15.0) / sn, "normal skewness 0");
    CHECK_NEAR(m4, 3.0, 5.0 * sqrt(96.0) / sn, "normal kurtosis 3");
    double p = 0.05;
    CHECK_NEAR((double)tail / (double)n, p, 5.0 * sqrt(p * (1 - p) / (double)n),
               "5%% of normals beyond 1.96");
}

static void geometric_and_exponential(void) {
    const size_t n = 400000;
    double p = 0.1, l = log1p(-p);
    double sum = 0, sum2 = 0;
    size_t zeros = 0;
    uint64_t key = rw_rng_key(1, 1);
    for (size_t i = 0; i < n; i++) {
        double g = (double)rw_geometric(rw_rng_uniform_k(key, i, 0), l);
        sum += g;
        sum2 += g * g;
        zeros += g == 0;
    }
    double mean = sum / (double)n, var = sum2 / (double)n - mean * mean;
    double m = (1 - p) / p, v = (1 - p) / (p * p);
    CHECK_NEAR(mean, m, 5.0 * sqrt(v / (double)n), "geometric mean (1-p)/p");
    CHECK_NEAR(var, v, 0.03 * v, "geometric variance (1-p)/p^2");
    CHECK_NEAR((double)zeros / (double)n, p, 5.0 * sqrt(p * (1 - p) / (double)n),
               "P(G = 0) = p, as one Bernoulli trial");
    CHECK(rw_geometric(0.999999, log1p(-1.0)) == 0 && rw_geometric(0.0, log1p(-1.0)) == 0,
          "p = 1: no failures");
    CHECK(rw_geometric(0.5, 0.0) == RW_GEOMETRIC_NEVER, "p = 0: never");
    CHECK(rw_geometric(0.9999999999, log1p(-1e-300)) == RW_GEOMETRIC_NEVER,
          "astronomical waits saturate");

    double es = 0;
    for (size_t i = 0; i < n; i++) es += rw_exponential(rw_rng_uniform_k(key, i, 1));
    CHECK_NEAR(es / (double)n, 1.0, 5.0 / sqrt((double)n), "exponential mean 1");
    CHECK(isfinite(rw_exponential(0.0)) && rw_exponential(0.0) == 0.0, "exponential(0) = 0");

    int in_range = 1;
    size_t hist[7] = {0};
    for (size_t i = 0; i < 70000; i++) {
        uint32_t k = rw_uniform_index(rw_rng_uniform_k(key, i, 2), 7);
        in_range &= k < 7;
        if (k < 7) hist[k]++;
    }
    double chi2 = 0;
    for (int k = 0; k < 7; k++) chi2 += (hist[k] - 10000.0) * (hist[k] - 10000.0) / 10000.0;
    CHECK(in_range, "uniform_index stays below n");
    CHECK(chi2 < 6 + 5 * sqrt(12.0), "uniform_index is uniform: chi2 = %.2f", chi2);
    CHECK(rw_uniform_index(0.9999999999999999, 5) == 4 && rw_uniform_index(0.0, 5) == 0,
          "uniform_index maps the ends of [0, 1) to 0 and n - 1");
}

int main(void) {
    known_answers();
    determinism();
    key_collisions();
    uniformity();
    independence();
    sequences();
    normals();
    geometric_and_exponential();
    return tap_done();
}
