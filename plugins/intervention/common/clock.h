/* The simulation step for interventions: their parameters are in ms, their hooks in steps.
 *
 * rewire_population_view carries no dt (ABI 1.2); every projection view does, and all
 * share the network's dt, so it is read from the first projection (host->projection_at).
 * A network without projections has nothing for an intervention to change anyway. */
#ifndef RW_IV_CLOCK_H
#define RW_IV_CLOCK_H

#include <rewire/plugin.h>

/* The network's dt in ms, into *dt; an error (set on the host) when it cannot be known. */
int iv_dt(const rewire_host *h, double *dt);

/* Whole steps in `ms` (rounded to nearest), at least `min_steps`. */
int64_t iv_steps(double ms, double dt, int64_t min_steps);

#endif
