/* The plot output's state, shared by the plugin (plot.c), the figure drawers
 * (raster.c, lines.c, histogram.c) and the file writers (render.c, html.c). */
#ifndef REWIRE_PLOT_PLOT_H
#define REWIRE_PLOT_PLOT_H

#include <cairo.h>
#include <rewire/plugin.h>

#include "store.h"
#include "timeline.h"

/* Metric and state channels: the first few distinct indices seen get a line each. */
#define PLOT_MAX_COMPONENTS 4

typedef struct plot_channel {
    rewire_channel_kind kind; /* 0: not subscribed */
    const rewire_channel_info *info;
    raster_store raster;                      /* SPIKES */
    series comp[PLOT_MAX_COMPONENTS];         /* RATE: comp[0]; METRIC, STATE */
    uint32_t comp_index[PLOT_MAX_COMPONENTS]; /* the index each comp[] follows */
    uint32_t n_comp;
    weights_store weights;                    /* WEIGHTS */
} plot_channel;

typedef struct plot_line {
    const series *s;
    char label[96];
} plot_line;

/* Figure drawers: paint a whole W x H figure with cr. */
void draw_raster(cairo_t *cr, double W, double H, const plot_channel *c, const plot_timeline *tl);
void draw_lines(cairo_t *cr, double W, double H, const char *title, const char *ylabel,
                const plot_line *lines, unsigned n, const plot_timeline *tl);
void draw_histogram(cairo_t *cr, double W, double H, const plot_channel *c, unsigned bins);

#endif
