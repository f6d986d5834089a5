/* Rate models: linear-threshold rate units (`rate`) and pattern inputs (`rate_input`).
 *
 * rate:  tau dr/dt = -r + min(gain [I - threshold]_+, r_max),  I = x (sum_j w_ij r_j(t - d)
 *        + I_bias), x the unit's excitability (1 = intact).  The input is held over the
 *        step, so the step is exact: r += (r_inf - r) (1 - e^{-dt/tau}).  r_inf <= r_max
 *        and r starts in [0, r_max], so r stays there without a clip of its own.
 * rate_input: r is the pattern of the current presentation; presentation k covers
 *        steps [k P, (k+1) P), P = the interval in steps, and shows pattern k mod
 *        n_patterns (sequential) or one drawn uniformly for k (random), plus gaussian
 *        noise per unit, clipped at 0.
 *
 * Timing: r_hist[t] is r at the start of step s0 + t, i.e. r(t_s); the slice's end adds
 * w r(t_s) into the target's ring slot s + d, which the target reads as its input over
 * step s + d.  A rate change at time t thus reaches the target's input at t + delay,
 * and (as for spikes) each slot gets its terms in step, projection, source order
 * whatever the slice size.
 *
 * Randomness (rng.h): presentation k of a random rate_input draws its pattern from
 * block (entity k, counter 0) and the noise of unit i from block (k, 1 + i) of the
 * population's source stream (RW_STREAM_POISSON: a population is one kind of source or
 * the other, never both), so the same presentation shows the same rates for any slice
 * size.  Initial rates of `rate` units use the initial-state stream, by unit. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "network_internal.h"
#include "rng.h"

/* Fill r with presentation k of a rate_input population. */
static void show_presentation(rw_pop *p, int64_t k) {
    uint32_t pattern;
    if (p->random_order)
        pattern = rw_uniform_index(rw_rng_uniform_k(p->pattern_key, (uint64_t)k, 0), p->n_patterns);
    else
        pattern = (uint32_t)((uint64_t)k % p->n_patterns);
    const double *row = p->patterns + (size_t)pattern * p->n;
    if (p->noise > 0.0) {
        for (uint32_t i = 0; i < p->n; i++) {
            double x = row[i] + p->noise * rw_rng_normal_k(p->pattern_key, (uint64_t)k, 1 + (uint64_t)i);
            p->base[i] = x > 0.0 ? x : 0.0;
        }
    } else {
        memcpy(p->base, row, (size_t)p->n * sizeof *p->base);
    }
    p->shown = k;
}

/* What a rate_input unit shows: its presentation through the interventions' gain and
 * drive, nothing once dead.  Computed every step, so an intervention's change shows at
 * once (gain 1, drive 0 leave the presentation exactly as it is). */
static void show_inputs(rw_pop *p) {
    for (uint32_t i = 0; i < p->n; i++) {
        double x = p->base[i] * (double)p->input_gain[i] + p->drive[i];
        p->r[i] = p->alive[i] && x > 0.0 ? x : 0.0;
    }
}

int rw_rate_init(rw_pop *p, const rw_population_spec *s, const rw_experiment *e,
                 uint32_t index, int64_t max_slice) {
    size_t n = p->n;
    p->r = malloc(n * sizeof *p->r);
    p->r_hist = malloc((size_t)max_slice * n * sizeof *p->r_hist);
    if (!p->r || !p->r_hist) return -1;
    if (s->model == RW_MODEL_RATE) {
        const rw_rate_params *rp = &s->rate_params;
        p->rc = (rw_rate_consts){.relax = -expm1(-e->dt / rp->tau),
                                 .gain = rp->gain,
                                 .threshold = rp->threshold,
                                 .I_bias = rp->I_bias,
                                 .r_max = rp->r_max};
        p->excitability = malloc(n * sizeof *p->excitability);
        if (!p->excitability) return -1;
        uint64_t key = rw_rng_key(e->seed, rw_stream_id(RW_STREAM_V_INIT, index));
        for (size_t i = 0; i < n; i++) {
            p->r[i] = rw_dist_draw(&s->r_init, key, i, 0);
            p->excitability[i] = 1.0f;
        }
        return 0;
    }
    size_t cells = (size_t)s->n_patterns * n;
    p->patterns = malloc((cells ? cells : 1) * sizeof *p->patterns);
    if (!p->patterns || s->n_patterns == 0) return -1;
    memcpy(p->patterns, s->patterns, cells * sizeof *p->patterns);
    p->n_patterns = s->n_patterns;
    double steps = nearbyint(s->interval / e->dt);
    p->interval_steps = steps >= 1.0 ? (steps < 9.0e18 ? (int64_t)steps : INT64_MAX) : 1;
    p->random_order = s->random_order;
    p->noise = s->noise;
    p->pattern_key = rw_rng_key(e->seed, rw_stream_id(RW_STREAM_POISSON, index));
    if (!(p->base = malloc(n * sizeof *p->base))) return -1;
    show_presentation(p, 0);
    show_inputs(p);
    return 0;
}

/* The update loop, written for the vectoriser (selects, no calls); -ffp-contract=off
 * (core/meson.build) keeps it bit-identical at every vector width. */
static void rate_update(uint32_t n, const rw_rate_consts *c, double *restrict r,
                        const float *restrict exc, double *restrict in) {
    const double relax = c->relax, gain = c->gain, th = c->threshold, bias = c->I_bias;
    const double r_max = c->r_max;
#pragma omp simd
    for (uint32_t i = 0; i < n; i++) {
        double drive = gain * ((double)exc[i] * (in[i] + bias) - th);
        drive = drive > 0.0 ? drive : 0.0;
        drive = drive < r_max ? drive : r_max;
        r[i] = r[i] + (drive - r[i]) * relax;
        in[i] = 0.0;
    }
}

void rw_rate_step(rw_pop *p, int64_t step, uint32_t t) {
    memcpy(p->r_hist + (size_t)t * p->n, p->r, (size_t)p->n * sizeof *p->r);
    double sum = 0.0;
    for (uint32_t i = 0; i < p->n; i++) sum += p->r[i];
    p->r_sum += sum;
    if (p->model == RW_MODEL_RATE) {
        double *in = p->ring_e + (size_t)(step % p->ring_slots) * p->n;
        rate_update(p->n, &p->rc, p->r, p->excitability, in);
        return;
    }
    int64_t k = (step + 1) / p->interval_steps;
    if (k != p->shown) show_presentation(p, k);
    show_inputs(p);
}
