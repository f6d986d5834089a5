/* The dashboard's server-side aggregation: what the browser is sent instead of the
 * record firehose.
 *
 *  - spikes channels: the population rate per bin (bin_ms) and a thinned raster: at most
 *    RASTER_ROWS neurons (every stride-th) and at most RASTER_TICK_CAP points per update,
 *    thinned evenly over the update (keep every m-th, m doubling when full);
 *  - rate channels: their bins as they come;
 *  - weights channels: a histogram of the latest complete snapshot;
 *  - metric channels: one curve per component (the first MAX_COMPONENTS), except those
 *    whose name contains ".winner": the latest value per component (neuron), the
 *    representation map, with the population's positions when it has a layout;
 *  - phase edges, injuries and intervention windows as markers.
 *
 * Curves are kept for late viewers with a bounded length: when a curve fills, pairs of
 * points merge (value averaged), so the whole run stays visible at a coarser step.
 * Memory is bounded by the channel count, never by the run's length.
 *
 * Threads: everything on the loop thread.
 */
#ifndef REWIRE_DASHBOARD_AGGREGATE_H
#define REWIRE_DASHBOARD_AGGREGATE_H

#include <rewire/output.h>

#include "jbuf.h"

#define RASTER_ROWS 200u
#define RASTER_TICK_CAP 4096u
#define RASTER_RING 16384u
#define CURVE_CAP 4096u
#define FRESH_CAP 1024u
#define MAX_COMPONENTS 16u
#define WEIGHT_BINS 40u
#define MAP_MAX (1u << 20)
#define RASTER_WINDOW_MS 2000.0

typedef struct dash_agg dash_agg;

/* NULL on allocation failure (the reason is set on host). */
dash_agg *agg_new(const rewire_host *host, const rewire_run_info *run, const bool *subscribed,
                  double bin_ms, double update_ms);
void agg_free(dash_agg *a);

/* A batch of records; REWIRE_EINVAL for a channel this output was not given. */
int agg_write(dash_agg *a, const rewire_batch *b);
void agg_phase(dash_agg *a, const rewire_phase_event *ev);
void agg_event(dash_agg *a, const rewire_timeline_event *ev);
/* Every record before now_ms has arrived: close rate bins and weight snapshots up to it.
 * `final`: the run ended at now_ms; close the last, partial bin too. */
void agg_advance(dash_agg *a, double now_ms, bool final);

/* Messages (docs/dashboard.md).  Each returns false when out of memory. */
bool agg_header(const dash_agg *a, jbuf *out);
/* What arrived since the last update; the fresh data is then moved to the history. */
bool agg_update(dash_agg *a, jbuf *out, uint64_t seq);
/* Everything kept so far, for a viewer that joins late or fell behind. */
bool agg_history(const dash_agg *a, jbuf *out, uint64_t seq, uint64_t dropped);

#endif
