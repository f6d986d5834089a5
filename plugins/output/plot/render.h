/* Figures to files through the host's file services (so they land in the run folder
 * like every output's files): PNG from an image surface, SVG from cairo's SVG surface
 * streamed to the file. */
#ifndef REWIRE_PLOT_RENDER_H
#define REWIRE_PLOT_RENDER_H

#include <cairo.h>
#include <rewire/host.h>
#include <stdbool.h>

typedef void (*figure_fn)(cairo_t *cr, double W, double H, const void *arg);

/* Draw fn into STEM.png and/or STEM.svg; 0 or a negative rewire_status (error set). */
int render_figure(const rewire_host *host, const char *stem, bool png, bool svg, int W, int H,
                  figure_fn fn, const void *arg);

#endif
