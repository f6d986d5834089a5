/* bump.c: gaussian bumps of drive. */
#include "bump.h"

#include <math.h>

void iv_bump_max(const float *px, const float *py, uint32_t n, float cx, float cy,
                 double width, double rate, double *out) {
    const double inv = 1.0 / (2.0 * width * width);
    for (uint32_t k = 0; k < n; k++) {
        const double dx = px[k] - cx, dy = py[k] - cy;
        const double r = rate * exp(-(dx * dx + dy * dy) * inv);
        if (r > out[k]) out[k] = r;
    }
}
