/* Excitability factors that recover exponentially: the penumbra of a lesion and the
 * depression at a distance of diaschisis.
 *
 * Neuron k of a set starts at factor f_k(0) = 1 - d_k (d_k, its deficit, in [0, 1]) at
 * the apply step t0 and recovers toward 1 with time constant tau:
 *
 *     f_k(t) = 1 - d_k exp(-(t - t0) / tau)
 *
 * Factors COMPOSE with everything else that scales excitability (other injuries, the
 * host's own kill): the set multiplies its factor into view.excitability at apply and,
 * after each slice, divides out the factor it had put in and multiplies in the new one.
 * It never writes an absolute value, except out of a factor of 0 (which cannot be
 * divided out): then the excitability the neuron had before apply, times the new factor.
 * Within a slice the factor is constant: it takes the value for the slice's end, so the
 * next slice runs with f(end).  Once d_k exp(-(t - t0)/tau) is below 2^-25 (a float 1
 * cannot tell it apart) the factor is divided out for good and the set stops.
 * Neurons that died meanwhile (alive[k] == 0) are left alone at their 0. */
#ifndef REWIRE_INJURY_RECOVERY_H
#define REWIRE_INJURY_RECOVERY_H

#include <rewire/plugin.h>

typedef struct injury_recovery {
    char *population;  /* owned copy of the population's name */
    uint32_t n;        /* neurons in the set */
    uint32_t *index;   /* [n] neuron indices (increasing) */
    double *deficit;   /* [n] d_k = 1 - f_k(t0) */
    double *applied;   /* [n] the factor now multiplied into excitability */
    float *before;     /* [n] excitability just before apply (for factors of 0) */
    int64_t start;     /* t0, the apply step */
    bool active;       /* applied and not yet recovered */
} injury_recovery;

/* Room for n neurons of `population` (index and deficit to be filled by the caller);
 * REWIRE_ENOMEM with set_error on failure.  n may be 0 (nothing to do). */
int injury_recovery_init(injury_recovery *r, const rewire_host *h, const char *population,
                         uint32_t n);
void injury_recovery_free(injury_recovery *r);

/* Multiply each f_k(t0) = 1 - d_k into the excitability, t0 = step. */
int injury_recovery_apply(injury_recovery *r, const rewire_host *h, int64_t step);

/* Move every factor to f_k(end_step * dt) (dt in ms, tau in ms). */
int injury_recovery_update(injury_recovery *r, const rewire_host *h, int64_t end_step,
                           double dt, double tau);

/* The factor of the set's k-th neuron at `step` (what update would apply). */
double injury_recovery_factor(const injury_recovery *r, uint32_t k, int64_t step, double dt,
                              double tau);

#endif
