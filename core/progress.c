/* The progress line: simulated time, wall time, speed and ETA. */
#include "progress.h"

#include <math.h>
#include <stdio.h>

void rw_format_duration(char *buf, size_t n, double s) {
    if (!(s >= 0) || isinf(s))
        snprintf(buf, n, "?");
    else if (s < 1)
        snprintf(buf, n, "%.0f ms", s * 1e3);
    else if (s < 60)
        snprintf(buf, n, "%.1f s", s);
    else if (s < 3600)
        snprintf(buf, n, "%d min %02d s", (int)(s / 60), (int)fmod(s, 60));
    else
        snprintf(buf, n, "%d h %02d min", (int)(s / 3600), (int)fmod(s / 60, 60));
}

void rw_progress_format(char *buf, size_t n, double sim_ms, double total_ms, double wall_s) {
    char sim[32], total[32], wall[32], eta[32];
    rw_format_duration(sim, sizeof sim, sim_ms / 1e3);
    rw_format_duration(total, sizeof total, total_ms / 1e3);
    rw_format_duration(wall, sizeof wall, wall_s);
    double speed = wall_s > 0 ? sim_ms / 1e3 / wall_s : 0;
    double remaining = speed > 0 ? (total_ms - sim_ms) / 1e3 / speed : INFINITY;
    rw_format_duration(eta, sizeof eta, remaining);
    int pct = total_ms > 0 ? (int)(100.0 * sim_ms / total_ms) : 100;
    snprintf(buf, n, "t %s / %s (%d%%) | wall %s | %.3gx realtime | ETA %s", sim, total, pct,
             wall, speed, eta);
}
