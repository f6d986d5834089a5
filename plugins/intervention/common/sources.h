/* Editing the sources an intervention drives or suppresses so that interventions COMPOSE
 * (shared by the intervention plugins; compiled into each, nothing exported).
 *
 * A source's output is max(0, base * input_gain[i] + drive[i]) (network.h).  Several
 * interventions may act on the same sources at once, so none writes absolute values:
 *  - gain: iv_gain_apply multiplies the instance's own factor into input_gain and keeps
 *    the values before it; iv_gain_restore undoes it.  When nobody touched a neuron's
 *    gain in between, the saved value comes back bit for bit; when another intervention
 *    changed it meanwhile (windows that overlap without nesting), our factor is divided
 *    out (exact up to float rounding).  A 0 cannot be divided out: when we left a 0 and
 *    another intervention has since restored a gain from before it, our factor is not
 *    in that gain and it is left as it is.  What no instance can repair on its own: a
 *    factor f applied first, a factor 0 second, and f's window closing first -- the 0's
 *    saved gains still hold f, which comes back when the 0 is lifted.  Windows that
 *    nest (or a host that closes windows ending at the same step in the reverse order
 *    of their opening) never meet this.
 *  - drive: iv_drive_set makes the instance's own contribution to drive[] equal to the
 *    given values (adding the difference to what it added before); iv_drive_remove takes
 *    it away.  Every contribution is rounded to a multiple of 2^-20 Hz (about 1 uHz):
 *    sums and differences of such numbers (below 2^32 Hz) are exact in a double, so
 *    drives added and removed in any order, by any number of interventions, leave the
 *    drive exactly as it was.  (Were the drive not such a multiple to begin with, the
 *    value from before is still restored exactly when nobody else changed the drive
 *    since our last write.)
 * Views are re-read at every hook (their arrays may move between hooks). */
#ifndef RW_IV_SOURCES_H
#define RW_IV_SOURCES_H

#include <rewire/plugin.h>

typedef struct iv_sources {
    const char *param;           /* the parameter naming the selection, for messages */
    const rewire_selection *sel; /* owned by the host */
    float *gain_before;          /* [n] input_gain before our factor */
    float *gain_set;             /* [n] input_gain as we left it */
    double *drive_base;          /* [n] drive without our contribution */
    double *drive_set;           /* [n] drive as we left it */
    double *drive_mine;          /* [n] our contribution */
    float factor;
    bool gain_on, drive_on;
} iv_sources;

/* Allocate the bookkeeping for `sel` (the value of parameter `param`) and check that it
 * selects input sources (iv_sources_view); call it from create(). */
int iv_sources_init(iv_sources *s, const rewire_host *h, const rewire_selection *sel,
                    const char *param);
void iv_sources_free(iv_sources *s);

/* The view of the selection's population; an error unless it is a source population
 * (input_gain and drive present) of the size the selection was made for. */
int iv_sources_view(const iv_sources *s, const rewire_host *h, rewire_population_view *v);

void iv_gain_apply(iv_sources *s, rewire_population_view *v, float factor);
void iv_gain_restore(iv_sources *s, rewire_population_view *v);
/* Our drive becomes drive[k] for the k-th selected neuron (Hz). */
void iv_drive_set(iv_sources *s, rewire_population_view *v, const double *drive);
void iv_drive_remove(iv_sources *s, rewire_population_view *v);

/* Do two selections share a neuron (same population, a common index)? */
bool iv_selections_intersect(const rewire_selection *a, const rewire_selection *b);

/* Positions of the selected neurons (px, py: [sel->n]): the population's layout where it
 * has one, else neuron i of n sits at ((i + 0.5) / n, 0.5) as on a line layout. */
void iv_positions(const rewire_population_view *v, const rewire_selection *sel, float *px,
                  float *py);

#endif
