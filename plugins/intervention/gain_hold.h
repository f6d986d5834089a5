/* gain_hold.h: one intervention's factor on a shared float multiplier (a projection's
 * plasticity_gain), composed with everyone else's.
 *
 * Interventions compose by multiplication: each multiplies its own factor into the
 * multiplier and later divides it out, never writing absolute values.  Dividing floats
 * back out is not exact, though, and a factor that changes every slice (a ramp, a
 * critical period closing) would add a rounding each slice.  So a hold remembers the
 * product of everyone else's factors (`base`, the value before ours, in double) and what
 * it last wrote:
 *  - when the multiplier still holds what we wrote, nobody else changed it: the new value
 *    is base * factor, computed afresh from base, and releasing restores base exactly;
 *  - when it holds something else, another intervention changed it meanwhile: base is
 *    re-derived by dividing our current factor out of it (one rounding, as plain
 *    composition would have).
 * So the multiplier depends only on the current factors, not on how often they changed
 * (the slicing), and an intervention acting alone leaves it exactly as it found it.
 * Factors must be > 0 (the plugins' schemas say so), so the division is always defined.
 *
 * Header-only: each plugin is one self-contained shared object. */
#ifndef REWIRE_INTERVENTION_GAIN_HOLD_H
#define REWIRE_INTERVENTION_GAIN_HOLD_H

#include <rewire/plugin.h>
#include <stdbool.h>

typedef struct gain_hold {
    double base;    /* the product of everyone else's factors */
    double factor;  /* ours, as last applied */
    float written;  /* the value we last stored */
    bool held;      /* our factor is in the multiplier */
} gain_hold;

/* Put `factor` (> 0) in *g, replacing our previous factor if we hold one. */
static inline void gain_hold_set(gain_hold *h, float *g, double factor) {
    if (!h->held)
        h->base = (double)*g;
    else if (*g != h->written)
        h->base = (double)*g / h->factor;
    h->factor = factor;
    h->written = (float)(h->base * factor);
    h->held = true;
    *g = h->written;
}

/* Take our factor out of *g again. */
static inline void gain_hold_release(gain_hold *h, float *g) {
    if (!h->held) return;
    *g = *g == h->written ? (float)h->base : (float)((double)*g / h->factor);
    h->held = false;
}

/* The simulation time step (ms), which only projection views carry: from the first
 * projection of the network.  0 when the host cannot tell (then the caller reports it). */
static inline double network_dt(const rewire_host *host) {
    if (!REWIRE_HAS_FIELD(rewire_host, host->struct_size, projection_at) || !host->projection_at)
        return 0.0;
    rewire_projection_view *view = NULL;
    if (host->projection_at(host, 0, &view) != REWIRE_OK || !view) return 0.0;
    return view->dt;
}

/* Does the host offer the ABI 1.2 services an intervention needs (now, projection_at)? */
static inline bool host_has_timeline(const rewire_host *host) {
    return REWIRE_HAS_FIELD(rewire_host, host->struct_size, projection_at) && host->now &&
           host->projection_at;
}

/* The views of the named projections, into views[n] (NULL on a missing one, with the
 * error set). */
static inline int find_projections(const rewire_host *host, const rewire_name_list *names,
                                   rewire_projection_view **views) {
    for (uint32_t k = 0; k < names->n; k++) {
        views[k] = NULL;
        if (host->projection_find(host, names->names[k], &views[k]) != REWIRE_OK || !views[k]) {
            host->set_error(host, "no projection named '%s'", names->names[k]);
            return REWIRE_ENOENT;
        }
    }
    return REWIRE_OK;
}

#endif
