/* Bounded, deterministic in-memory stores for the plot output: whatever the run's
 * length, each holds at most a fixed number of points, chosen the same way in every run
 * (no randomness), so figures of equal runs are equal. */
#ifndef REWIRE_PLOT_STORE_H
#define REWIRE_PLOT_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A time series decimated by averaging: `stride` consecutive points become one (first
 * time, mean value); when the store is full, neighbours merge and the stride doubles. */
typedef struct series {
    double *t, *v;
    uint32_t n, cap; /* cap even */
    uint32_t stride, pending;
    double acc_t, acc_v;
} series;

int series_init(series *s, uint32_t cap);
void series_free(series *s);
void series_add(series *s, double t, double v);
/* The points, with a partly filled last group included (the store is not changed). */
uint32_t series_view(const series *s, const double **t, const double **v, double *last_t,
                     double *last_v, bool *has_last);

/* Spikes of one population for a raster: neurons with index % neuron_step == 0 only,
 * and of those every `stride`-th spike (stride doubling when full). */
typedef struct raster_store {
    float *t;
    uint32_t *i;
    uint32_t n, cap, neuron_step;
    uint64_t stride, seen, total;
    uint32_t population_size;
} raster_store;

int raster_init(raster_store *r, uint32_t cap, uint32_t population_size, uint32_t max_neurons);
void raster_free(raster_store *r);
void raster_add(raster_store *r, double t, uint32_t neuron);

/* One weight snapshot, every `step`-th synapse of it (step from the size at start). */
typedef struct snapshot {
    double *v;
    uint32_t n, cap, step;
    uint64_t rows; /* rows of this snapshot seen */
    double t;
    bool set;
} snapshot;

/* First and latest snapshot of a weights channel. */
typedef struct weights_store {
    snapshot first, last;
} weights_store;

int weights_init(weights_store *w, uint32_t cap, uint32_t synapses);
void weights_free(weights_store *w);
void weights_add(weights_store *w, double t, double value);

#endif
