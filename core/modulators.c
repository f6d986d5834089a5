/* Neuromodulator levels: exponential relaxation toward a baseline, in closed form. */
#include "modulators.h"

#include <math.h>

void rw_level_init(rw_level *l, double baseline, double tau) {
    *l = (rw_level){baseline, tau, 0.0, baseline};
}

double rw_level_at(const rw_level *l, double t) {
    return l->baseline + (l->at_event - l->baseline) * exp(-(t - l->t_event) / l->tau);
}

double rw_level_mean(const rw_level *l, double t0, double t1) {
    double T = t1 - t0;
    double excess = rw_level_at(l, t0) - l->baseline;
    /* (1/T) * integral of excess * exp(-s/tau) over [0, T); -expm1 keeps precision
     * when T << tau. */
    return l->baseline + excess * (l->tau / T) * -expm1(-T / l->tau);
}

void rw_level_event(rw_level *l, double t, bool set, double value) {
    double now = rw_level_at(l, t);
    l->at_event = set ? value : now + value;
    l->t_event = t;
}
