/* A figure's frame: background, title, axes with "nice" ticks and labels, the mapping
 * from data to device coordinates, and the timeline markers every time axis carries. */
#ifndef REWIRE_PLOT_AXES_H
#define REWIRE_PLOT_AXES_H

#include <cairo.h>
#include <stdbool.h>

#include "timeline.h"

typedef struct plot_frame {
    cairo_t *cr;
    double W, H;           /* figure size, device units */
    double x0, y0, w, h;   /* plot area; y0 is its top */
    double xmin, xmax, ymin, ymax;
    double xscale;         /* tick labels show x * xscale (ms -> s for long runs) */
    int legend_rows;
} plot_frame;

typedef struct rgb {
    double r, g, b;
} rgb;

/* The k-th colour of the palette (Tableau 10, as matplotlib's default cycle). */
rgb plot_color(unsigned k);

/* Draw background, title and axes for data in [xmin, xmax] x [ymin, ymax].
 * time_axis: x is time in ms (labelled in s when the range passes 2 s). */
void frame_begin(plot_frame *f, cairo_t *cr, double W, double H, const char *title,
                 bool time_axis, const char *xlabel, const char *ylabel, double xmin,
                 double xmax, double ymin, double ymax);
double frame_x(const plot_frame *f, double x);
double frame_y(const plot_frame *f, double y);
/* Clip drawing to the plot area (restore with cairo_restore). */
void frame_clip(plot_frame *f);
/* Phase boundaries and names, injuries (red lines), intervention windows (shaded). */
void frame_markers(plot_frame *f, const plot_timeline *tl);
/* One legend entry (top right, stacked). */
void frame_legend(plot_frame *f, const char *label, rgb c);

#endif
