/* The timeline scheduler's plugin side: injuries applied at their step, intervention
 * windows opened and closed at theirs, and the per-slice hooks in between.  Slices
 * never cross one of these steps: the scheduler asks rw_timeline_limit how far the
 * next slice may go. */
#ifndef RW_TIMELINE_H
#define RW_TIMELINE_H

#include <stdint.h>

#include "diag.h"
#include "run_plugins.h"

typedef struct rw_timeline {
    rw_run_plugins *plugins;
    double dt;
    int64_t *injury_step;         /* [n_injuries] */
    uint32_t next_injury;
    int64_t **win_begin, **win_end; /* [n_interventions][n_windows] steps */
    uint32_t *next_window;        /* per intervention: the next window to open */
    bool *open;                   /* per intervention: a window is open now */
} rw_timeline;

/* Steps of every injury and window.  0 or REWIRE_ENOMEM. */
int rw_timeline_init(rw_timeline *tl, rw_run_plugins *p, const rw_experiment *e);
void rw_timeline_free(rw_timeline *tl);

/* Before simulating `step`: close the windows that end at it, apply the injuries due,
 * open the windows that begin.  Returns 0, or 1 after reporting a plugin's failure. */
int rw_timeline_before(rw_timeline *tl, int64_t step, rw_diag *d);
/* The longest slice from `step` (at most n) that reaches no scheduled step. */
int64_t rw_timeline_limit(const rw_timeline *tl, int64_t step, int64_t n);
/* After the slice [first, end): recovery hooks of applied injuries, on_slice of the
 * open interventions.  0 or 1. */
int rw_timeline_after(rw_timeline *tl, int64_t first, int64_t end, rw_diag *d);
/* At the end of the run: close the windows still open (end hook at `step`). */
int rw_timeline_close_all(rw_timeline *tl, int64_t step, rw_diag *d);

#endif
