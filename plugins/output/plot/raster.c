/* Spike raster: time against neuron index, one small mark per stored spike (the store
 * already subsampled neurons and spikes; the title says how). */
#include <stdio.h>

#include "axes.h"
#include "plot.h"

void draw_raster(cairo_t *cr, double W, double H, const plot_channel *c, const plot_timeline *tl) {
    const raster_store *r = &c->raster;
    char title[256];
    int n = snprintf(title, sizeof title, "%s: spikes of %s (%llu", c->info->name, c->info->source,
                     (unsigned long long)r->total);
    if (r->neuron_step > 1 || r->stride > 1)
        n += snprintf(title + n, sizeof title - (size_t)n, "; shown: every %u. neuron, every %llu. spike",
                      r->neuron_step, (unsigned long long)r->stride);
    snprintf(title + n, sizeof title - (size_t)n, ")");
    plot_frame f;
    frame_begin(&f, cr, W, H, title, true, NULL, "neuron", 0, tl->t_end, 0,
                r->population_size ? r->population_size : 1);
    frame_markers(&f, tl);
    frame_clip(&f);
    /* A mark one row tall (at least 1 px) and about 1.5 px wide. */
    double rows = (double)r->population_size / r->neuron_step;
    double mh = f.h / (rows > 1 ? rows : 1), mw = 1.5;
    if (mh < 1) mh = 1;
    rgb col = plot_color(0);
    cairo_set_source_rgb(cr, col.r, col.g, col.b);
    for (uint32_t k = 0; k < r->n; k++) {
        double x = frame_x(&f, r->t[k]), y = frame_y(&f, r->i[k]);
        cairo_rectangle(cr, x - mw / 2, y - mh, mw, mh);
        if ((k & 1023) == 1023) cairo_fill(cr); /* keep paths short */
    }
    cairo_fill(cr);
    cairo_restore(cr);
}
