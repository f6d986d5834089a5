/* Neuromodulator channels (dopamine-like): a level per channel that relaxes toward its
 * baseline with a time constant and jumps at timed events.  Projections bound to a
 * channel see, in their view's `neuromodulator`, the level's mean over each slice, so a
 * continuous rule integrating over the slice (rstdp) sees the exact integral of the
 * level; the level itself is computed from the last event in closed form, so it does
 * not accumulate rounding with the number of slices. */
#ifndef RW_MODULATORS_H
#define RW_MODULATORS_H

#include <stdbool.h>

typedef struct rw_level {
    double baseline;
    double tau;      /* ms; relaxation toward baseline */
    double t_event;  /* ms: time of the last event (0 at the start) */
    double at_event; /* level right after it */
} rw_level;

void rw_level_init(rw_level *l, double baseline, double tau);
/* The level at time t >= t_event. */
double rw_level_at(const rw_level *l, double t);
/* Its mean over [t0, t1) (t_event <= t0 < t1). */
double rw_level_mean(const rw_level *l, double t0, double t1);
/* An event at time t: the level becomes value (set) or level(t) + value (add). */
void rw_level_event(rw_level *l, double t, bool set, double value);

#endif
