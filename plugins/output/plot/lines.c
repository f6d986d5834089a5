/* Lines over time: population rates (one line per rate channel) or the components of a
 * metric or state channel; the y range covers every line (and 0 for rates). */
#include <math.h>

#include "axes.h"
#include "plot.h"

void draw_lines(cairo_t *cr, double W, double H, const char *title, const char *ylabel,
                const plot_line *lines, unsigned n, const plot_timeline *tl) {
    double lo = INFINITY, hi = -INFINITY;
    for (unsigned k = 0; k < n; k++) {
        const double *t, *v;
        double lt, lv;
        bool has_last;
        uint32_t m = series_view(lines[k].s, &t, &v, &lt, &lv, &has_last);
        for (uint32_t j = 0; j < m; j++) lo = fmin(lo, v[j]), hi = fmax(hi, v[j]);
        if (has_last) lo = fmin(lo, lv), hi = fmax(hi, lv);
    }
    if (!isfinite(lo)) lo = 0, hi = 1;
    double pad = (hi - lo) * 0.05;
    if (pad == 0) pad = fabs(hi) > 0 ? fabs(hi) * 0.05 : 1;
    plot_frame f;
    frame_begin(&f, cr, W, H, title, true, NULL, ylabel, 0, tl->t_end, lo - pad, hi + pad);
    frame_markers(&f, tl);
    frame_clip(&f);
    cairo_set_line_width(cr, 1.5);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    for (unsigned k = 0; k < n; k++) {
        const double *t, *v;
        double lt, lv;
        bool has_last;
        uint32_t m = series_view(lines[k].s, &t, &v, &lt, &lv, &has_last);
        rgb c = plot_color(k);
        cairo_set_source_rgb(cr, c.r, c.g, c.b);
        for (uint32_t j = 0; j < m; j++) {
            if (j == 0) cairo_move_to(cr, frame_x(&f, t[j]), frame_y(&f, v[j]));
            else cairo_line_to(cr, frame_x(&f, t[j]), frame_y(&f, v[j]));
        }
        if (has_last) {
            if (m == 0) cairo_move_to(cr, frame_x(&f, lt), frame_y(&f, lv));
            cairo_line_to(cr, frame_x(&f, lt), frame_y(&f, lv));
        }
        if (m + has_last == 1) { /* a single point: a dot */
            double x, y;
            cairo_get_current_point(cr, &x, &y);
            cairo_new_path(cr);
            cairo_arc(cr, x, y, 2.5, 0, 2 * M_PI);
            cairo_fill(cr);
        }
        cairo_stroke(cr);
    }
    cairo_restore(cr);
    for (unsigned k = 0; k < n && n > 1; k++) frame_legend(&f, lines[k].label, plot_color(k));
}
