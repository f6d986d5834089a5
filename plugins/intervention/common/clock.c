/* clock.c: dt from a projection view, durations in steps. */
#include "clock.h"

#include <math.h>

int iv_dt(const rewire_host *h, double *dt) {
    rewire_projection_view *p = NULL;
    if (!REWIRE_HAS_FIELD(rewire_host, h->struct_size, projection_at) || !h->projection_at ||
        h->projection_at(h, 0, &p) != REWIRE_OK || !p || !(p->dt > 0)) {
        h->set_error(h, "cannot learn the simulation step dt: it is read from the network's "
                        "projections (host ABI >= 1.2), and there is none");
        return REWIRE_ENOTSUP;
    }
    *dt = p->dt;
    return REWIRE_OK;
}

int64_t iv_steps(double ms, double dt, int64_t min_steps) {
    const int64_t n = llround(ms / dt);
    return n < min_steps ? min_steps : n;
}
