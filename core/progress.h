/* The progress line shown on a terminal during long runs. */
#ifndef RW_PROGRESS_H
#define RW_PROGRESS_H

#include <stddef.h>

/* "t 12.3 s / 100 s (12%) | wall 4.1 s | 3.00x realtime | ETA 29 s" */
void rw_progress_format(char *buf, size_t n, double sim_ms, double total_ms, double wall_s);

/* "950 ms", "12.3 s", "4 min 05 s", "1 h 02 min" */
void rw_format_duration(char *buf, size_t n, double seconds);

#endif
