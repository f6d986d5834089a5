/* Weight histogram of a weights channel: the first snapshot (grey bars) against the
 * latest (coloured outline), on common bins over both. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "axes.h"
#include "plot.h"

static void count(const snapshot *s, double lo, double width, unsigned bins, double *out) {
    for (unsigned b = 0; b < bins; b++) out[b] = 0;
    for (uint32_t k = 0; k < s->n; k++) {
        long b = (long)floor((s->v[k] - lo) / width);
        if (b < 0) b = 0;
        if (b >= (long)bins) b = (long)bins - 1;
        out[b]++;
    }
}

void draw_histogram(cairo_t *cr, double W, double H, const plot_channel *c, unsigned bins) {
    const snapshot *first = &c->weights.first, *last = &c->weights.last;
    double lo = INFINITY, hi = -INFINITY;
    for (uint32_t k = 0; k < first->n; k++) lo = fmin(lo, first->v[k]), hi = fmax(hi, first->v[k]);
    for (uint32_t k = 0; k < last->n; k++) lo = fmin(lo, last->v[k]), hi = fmax(hi, last->v[k]);
    if (!isfinite(lo)) lo = 0, hi = 1;
    if (hi <= lo) hi = lo + (fabs(lo) > 0 ? fabs(lo) * 0.1 : 1);
    double width = (hi - lo) / bins;
    double *h1 = calloc(2 * (size_t)bins, sizeof *h1);
    if (!h1) return;
    double *h2 = h1 + bins, top = 1;
    count(first, lo, width, bins, h1);
    count(last, lo, width, bins, h2);
    for (unsigned b = 0; b < bins; b++) top = fmax(top, fmax(h1[b], h2[b]));

    char title[200], xlabel[96], ylabel[64], l1[64], l2[64];
    snprintf(title, sizeof title, "%s: weights of %s", c->info->name, c->info->source);
    snprintf(xlabel, sizeof xlabel, "weight%s%s%s", c->info->unit[0] ? " (" : "", c->info->unit,
             c->info->unit[0] ? ")" : "");
    if (first->step > 1) snprintf(ylabel, sizeof ylabel, "synapses (1 in %u)", first->step);
    else snprintf(ylabel, sizeof ylabel, "synapses");
    plot_frame f;
    frame_begin(&f, cr, W, H, title, false, xlabel, ylabel, lo, hi, 0, top * 1.08);
    frame_clip(&f);
    cairo_set_source_rgb(cr, 0.72, 0.72, 0.72);
    for (unsigned b = 0; b < bins; b++) {
        double x1 = frame_x(&f, lo + b * width), x2 = frame_x(&f, lo + (b + 1) * width);
        cairo_rectangle(cr, x1, frame_y(&f, h1[b]), x2 - x1, frame_y(&f, 0) - frame_y(&f, h1[b]));
    }
    cairo_fill(cr);
    rgb col = plot_color(3);
    cairo_set_source_rgb(cr, col.r, col.g, col.b);
    cairo_set_line_width(cr, 2);
    cairo_move_to(cr, frame_x(&f, lo), frame_y(&f, 0));
    for (unsigned b = 0; b < bins; b++) {
        cairo_line_to(cr, frame_x(&f, lo + b * width), frame_y(&f, h2[b]));
        cairo_line_to(cr, frame_x(&f, lo + (b + 1) * width), frame_y(&f, h2[b]));
    }
    cairo_line_to(cr, frame_x(&f, hi), frame_y(&f, 0));
    cairo_stroke(cr);
    cairo_restore(cr);
    snprintf(l1, sizeof l1, "t = %g ms", first->t);
    snprintf(l2, sizeof l2, "t = %g ms", last->t);
    frame_legend(&f, l1, (rgb){0.6, 0.6, 0.6});
    frame_legend(&f, l2, col);
    free(h1);
}
