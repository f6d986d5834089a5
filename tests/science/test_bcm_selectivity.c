/* Bienenstock, Cooper & Munro (1982); Intrator & Cooper (1992); Dayan & Abbott (2001)
 * ch. 8.2: with a sliding threshold that tracks the recent mean of y^2, a neuron shown
 * two patterns becomes selective: it ends responding to one of them only, and which
 * one is decided by chance (the unselective state is unstable).
 *
 * The bcm plugin is driven through its function table (no network: this test is the
 * neuron, a rectified linear unit y = [w . x]_+).  Ten inputs; pattern A drives inputs
 * 0-4 at 20 Hz, pattern B inputs 5-9; every input also gets a fresh uniform 0-2 Hz of
 * noise per presentation.  Each presentation lasts 20 ms (20 slices of 1 ms), the
 * pattern drawn at random (p = 1/2).  Weights start unselective: 0.1 +- 10%.
 * eta = 5e-6 Hz^-3 s^-1 (weights move on a ~5 s scale), tau_theta = 500 ms (25
 * presentations, so theta averages over many), y0 = 10 Hz; 300 s of learning.
 * Six seeds (weights, pattern order, noise).
 *
 * Checks, for each seed:
 *   - unselective at the start: selectivity 1 - y_min / y_max < 0.2 (mean responses
 *     to 200 fresh noisy presentations of each pattern, computed here, no learning);
 *   - selective at the end: 1 - y_min / y_max > 0.9 (the ideal with this noise is
 *     1 - 1 Hz / 21 Hz = 0.952: the non-preferred inputs' weights go to w_min = 0, the
 *     preferred ones still see the other half's 1 Hz mean noise);
 *   - the response to the preferred pattern sits at the BCM fixed point: y = theta =
 *     <y^2> / y0 = y^2 / (2 y0), so y = 2 y0 = 20 Hz, within 10% (theta lags within a
 *     presentation and fluctuates with the random order, which biases y by a few %);
 *   - theta is the running average of y^2 / y0 over tau_theta: theta, read out of every
 *     slice's weight change (theta = y - dw / (eta T x y)), against that average
 *     computed here (weights exp(-age / tau_theta) over the rates the test presented),
 *     within the resolution of the float weight (one ulp / (eta T x y)), all run long.
 * Over the seeds: both patterns win at least once (the outcome is symmetric).
 *
 * usage: test_bcm_selectivity BCM.so
 */
#include "tap.h"
#include "unit/learning/rate_rule_harness.h"

enum { N_IN = 10, PRESENT_SLICES = 20, TEST_PRESENTATIONS = 200 };
static const double DT = 0.1;    /* ms */
static const int64_t SLICE = 10; /* steps: T = 1 ms */
static const double T_S = 1e-3;
static const double HIGH = 20.0, NOISE = 2.0; /* Hz */
static const double ETA = 5e-6, TAU_THETA = 500.0, Y0 = 10.0;
static const double LEARN_S = 300.0;

static rate_rule bcm;

/* A noisy presentation of pattern 0 (inputs 0-4) or 1 (inputs 5-9). */
static void present(test_rng *g, int pattern, double *x) {
    for (int i = 0; i < N_IN; i++)
        x[i] = ((i < N_IN / 2) == (pattern == 0) ? HIGH : 0.0) + NOISE * test_uniform(g);
}

static double response(const float *w, const double *x) {
    double y = 0;
    for (int i = 0; i < N_IN; i++) y += (double)w[i] * x[i];
    return y > 0 ? y : 0;
}

/* Mean responses to fresh presentations of each pattern (no learning). */
static void mean_responses(const float *w, test_rng *g, double mean[2]) {
    double x[N_IN];
    for (int pat = 0; pat < 2; pat++) {
        mean[pat] = 0;
        for (int k = 0; k < TEST_PRESENTATIONS; k++) {
            present(g, pat, x);
            mean[pat] += response(w, x) / TEST_PRESENTATIONS;
        }
    }
}

static double selectivity(const double mean[2]) {
    const double hi = fmax(mean[0], mean[1]), lo = fmin(mean[0], mean[1]);
    return hi > 0 ? 1 - lo / hi : 0;
}

typedef struct outcome {
    double sel_start, sel_end, y_pref;
    int winner;
    double theta_worst;     /* worst |theta read out - theta expected| / allowed */
    double theta_worst_abs; /* Hz, at that slice */
    long theta_samples;
} outcome;

static bool learn(uint64_t seed, outcome *out) {
    test_rng g = test_rng_seeded(seed);
    rule_params p = rule_defaults(&bcm);
    rule_set(&bcm, &p, "eta", ETA);
    rule_set(&bcm, &p, "tau_theta", TAU_THETA);
    rule_set(&bcm, &p, "y0", Y0);
    const double theta_init = rule_get(&bcm, &p, "theta_init");
    rate_net n;
    rate_net_all_to_all(&n, N_IN, 1, DT);
    for (int i = 0; i < N_IN; i++) n.weights[i] = (float)(0.1 * (1 + 0.1 * (2 * test_uniform(&g) - 1)));
    double mean[2];
    mean_responses(n.weights, &g, mean);
    out->sel_start = selectivity(mean);

    rule_run run;
    if (!rule_run_start(&run, &bcm, &p, &n)) {
        rate_net_free(&n);
        return false;
    }
    /* The running average of y^2/y0 over tau_theta, from the rates presented: each slice
     * weighs in with the part of its exp(-age/tau_theta) kernel that it covers. */
    const double keep = exp(-SLICE * DT / TAU_THETA);
    double theta = theta_init;
    out->theta_worst = 0;
    out->theta_worst_abs = 0;
    out->theta_samples = 0;
    const long presentations = (long)(LEARN_S * 1000 / (PRESENT_SLICES * SLICE * DT));
    for (long k = 0; k < presentations; k++) {
        present(&g, test_uniform(&g) < 0.5 ? 0 : 1, n.pre_rate);
        for (int s = 0; s < PRESENT_SLICES; s++) {
            const double y = response(n.weights, n.pre_rate);
            n.post_rate[0] = y;
            float before[N_IN];
            memcpy(before, n.weights, sizeof before);
            rule_run_slice(&run, &n, SLICE);
            /* theta read out of the strongest input whose weight was not clipped */
            int best = -1;
            for (int i = 0; i < N_IN; i++)
                if (before[i] > 0 && n.weights[i] > 0 && (best < 0 || n.pre_rate[i] > n.pre_rate[best]))
                    best = i;
            if (best >= 0 && n.pre_rate[best] * y >= 100) {
                const double gain = ETA * T_S * n.pre_rate[best] * y;
                const double dw = (double)n.weights[best] - before[best];
                const double read = y - dw / gain;
                const double ulp = nextafterf(n.weights[best], INFINITY) - n.weights[best];
                const double err = fabs(read - theta) / (ulp / gain);
                out->theta_samples++;
                if (err > out->theta_worst) {
                    out->theta_worst = err;
                    out->theta_worst_abs = fabs(read - theta);
                }
            }
            theta = y * y / Y0 * (1 - keep) + theta * keep;
        }
    }
    mean_responses(n.weights, &g, mean);
    out->sel_end = selectivity(mean);
    out->winner = mean[0] > mean[1] ? 0 : 1;
    out->y_pref = fmax(mean[0], mean[1]);
    rule_run_end(&run);
    rate_net_free(&n);
    return true;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s BCM.so\n", argv[0]);
        return 2;
    }
    rate_rule_load(&bcm, argv[1], "bcm");
    int wins[2] = {0, 0};
    const uint64_t seeds[] = {1, 2, 3, 4, 5, 6};
    for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; s++) {
        const unsigned long long seed = seeds[s];
        outcome o;
        if (!learn(seed, &o)) {
            CHECK(0, "seed %llu: bcm starts", seed);
            continue;
        }
        wins[o.winner]++;
        CHECK(o.sel_start < 0.2, "seed %llu: unselective at the start (selectivity %.3f < 0.2)", seed,
              o.sel_start);
        CHECK(o.sel_end > 0.9, "seed %llu: selective for pattern %c after %g s (selectivity %.3f > 0.9)",
              seed, 'A' + o.winner, LEARN_S, o.sel_end);
        CHECK(fabs(o.y_pref / (2 * Y0) - 1) < 0.1,
              "seed %llu: preferred response %.2f Hz at the fixed point 2 y0 = %g Hz (within 10%%)", seed,
              o.y_pref, 2 * Y0);
        CHECK(o.theta_samples > 100000 && o.theta_worst <= 1.0,
              "seed %llu: theta = running average of y^2/y0 over tau_theta in %ld slices "
              "(worst %.2g Hz, %.2f of the float resolution)",
              seed, o.theta_samples, o.theta_worst_abs, o.theta_worst);
    }
    CHECK(wins[0] > 0 && wins[1] > 0, "both patterns win (A %d, B %d of %zu seeds)", wins[0], wins[1],
          sizeof seeds / sizeof seeds[0]);
    rate_rule_unload(&bcm);
    return tap_done();
}
