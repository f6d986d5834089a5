/* See axes.h. */
#include "axes.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MARGIN_L 72.0
#define MARGIN_R 24.0
#define MARGIN_T 40.0
#define MARGIN_B 52.0

rgb plot_color(unsigned k) {
    static const rgb tab10[] = {{0.122, 0.467, 0.706}, {1.000, 0.498, 0.055},
                                {0.173, 0.627, 0.173}, {0.839, 0.153, 0.157},
                                {0.580, 0.404, 0.741}, {0.549, 0.337, 0.294},
                                {0.890, 0.467, 0.761}, {0.498, 0.498, 0.498},
                                {0.737, 0.741, 0.133}, {0.090, 0.745, 0.812}};
    return tab10[k % 10];
}

/* A tick step of 1, 2 or 5 times a power of ten giving about `target` ticks. */
static double nice_step(double range, int target) {
    double raw = range / target;
    double mag = pow(10.0, floor(log10(raw)));
    double m = raw / mag;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * mag;
}

double frame_x(const plot_frame *f, double x) {
    return f->x0 + (x - f->xmin) / (f->xmax - f->xmin) * f->w;
}
double frame_y(const plot_frame *f, double y) {
    return f->y0 + f->h - (y - f->ymin) / (f->ymax - f->ymin) * f->h;
}

static void text_at(cairo_t *cr, double x, double y, const char *s, double ax, double ay) {
    cairo_text_extents_t e;
    cairo_text_extents(cr, s, &e);
    cairo_move_to(cr, x - ax * e.width - e.x_bearing, y - ay * e.height - e.y_bearing);
    cairo_show_text(cr, s);
}

static void ticks(plot_frame *f, bool x_axis) {
    cairo_t *cr = f->cr;
    double lo = x_axis ? f->xmin * f->xscale : f->ymin, hi = x_axis ? f->xmax * f->xscale : f->ymax;
    double step = nice_step(hi - lo, x_axis ? 6 : 5);
    char label[32];
    for (double v = ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) {
        double vv = fabs(v) < 1e-9 * step ? 0 : v;
        snprintf(label, sizeof label, "%g", vv);
        if (x_axis) {
            double x = frame_x(f, vv / f->xscale);
            cairo_move_to(cr, x, f->y0 + f->h);
            cairo_line_to(cr, x, f->y0 + f->h + 5);
            cairo_stroke(cr);
            text_at(cr, x, f->y0 + f->h + 8, label, 0.5, 0);
        } else {
            double y = frame_y(f, vv);
            cairo_move_to(cr, f->x0 - 5, y);
            cairo_line_to(cr, f->x0, y);
            cairo_stroke(cr);
            text_at(cr, f->x0 - 8, y, label, 1, 0.5);
        }
    }
}

void frame_begin(plot_frame *f, cairo_t *cr, double W, double H, const char *title,
                 bool time_axis, const char *xlabel, const char *ylabel, double xmin,
                 double xmax, double ymin, double ymax) {
    if (!(xmax > xmin)) xmax = xmin + 1;
    if (!(ymax > ymin)) ymax = ymin + 1;
    *f = (plot_frame){cr, W, H, MARGIN_L, MARGIN_T, W - MARGIN_L - MARGIN_R,
                      H - MARGIN_T - MARGIN_B, xmin, xmax, ymin, ymax, 1.0, 0};
    char xl[96];
    if (time_axis) {
        bool seconds = xmax - xmin > 2000;
        f->xscale = seconds ? 1e-3 : 1.0;
        snprintf(xl, sizeof xl, "time (%s)", seconds ? "s" : "ms");
        xlabel = xl;
    }
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_font_size(cr, 15);
    cairo_set_source_rgb(cr, 0, 0, 0);
    text_at(cr, W / 2, 12, title, 0.5, 0);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 12);
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, f->x0, f->y0, f->w, f->h);
    cairo_stroke(cr);
    ticks(f, true);
    ticks(f, false);
    text_at(cr, f->x0 + f->w / 2, H - 6, xlabel, 0.5, 1);
    cairo_save(cr);
    cairo_translate(cr, 14, f->y0 + f->h / 2);
    cairo_rotate(cr, -M_PI / 2);
    text_at(cr, 0, 0, ylabel, 0.5, 0.5);
    cairo_restore(cr);
}

void frame_clip(plot_frame *f) {
    cairo_save(f->cr);
    cairo_rectangle(f->cr, f->x0, f->y0, f->w, f->h);
    cairo_clip(f->cr);
}

/* An intervention window: from a BEGIN to the END of the same label and window. */
static double window_end(const plot_timeline *tl, uint32_t k) {
    const plot_event *b = &tl->events[k];
    for (uint32_t j = k + 1; j < tl->n_events; j++) {
        const plot_event *e = &tl->events[j];
        if (e->kind == REWIRE_EVENT_INTERVENTION_END && e->window == b->window &&
            strcmp(e->label, b->label) == 0)
            return e->t;
    }
    return tl->t_end; /* still open when the run stopped */
}

void frame_markers(plot_frame *f, const plot_timeline *tl) {
    cairo_t *cr = f->cr;
    frame_clip(f);
    cairo_set_font_size(cr, 10);
    for (uint32_t k = 0; k < tl->n_events; k++) { /* shaded windows first, under the rest */
        const plot_event *e = &tl->events[k];
        if (e->kind != REWIRE_EVENT_INTERVENTION_BEGIN) continue;
        double x1 = frame_x(f, e->t), x2 = frame_x(f, window_end(tl, k));
        cairo_set_source_rgba(cr, 0.2, 0.6, 0.2, 0.15);
        cairo_rectangle(cr, x1, f->y0, x2 - x1, f->h);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0.1, 0.45, 0.1);
        text_at(cr, x1 + 3, f->y0 + f->h - 4, e->label, 0, 1);
    }
    double dash[] = {4, 3};
    for (uint32_t k = 0; k < tl->n_phases; k++) {
        const plot_phase *p = &tl->phases[k];
        double x = frame_x(f, p->t_start);
        cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
        if (k > 0) {
            cairo_set_dash(cr, dash, 2, 0);
            cairo_move_to(cr, x, f->y0);
            cairo_line_to(cr, x, f->y0 + f->h);
            cairo_stroke(cr);
            cairo_set_dash(cr, NULL, 0, 0);
        }
        text_at(cr, x + 3, f->y0 + 3, p->name, 0, 0);
    }
    for (uint32_t k = 0; k < tl->n_events; k++) {
        const plot_event *e = &tl->events[k];
        if (e->kind != REWIRE_EVENT_INJURY) continue;
        double x = frame_x(f, e->t);
        cairo_set_source_rgb(cr, 0.85, 0.1, 0.1);
        cairo_set_line_width(cr, 2);
        cairo_move_to(cr, x, f->y0);
        cairo_line_to(cr, x, f->y0 + f->h);
        cairo_stroke(cr);
        cairo_set_line_width(cr, 1);
        text_at(cr, x + 3, f->y0 + 16, e->label, 0, 0);
    }
    cairo_restore(cr);
    cairo_set_font_size(cr, 12);
}

void frame_legend(plot_frame *f, const char *label, rgb c) {
    cairo_t *cr = f->cr;
    double y = f->y0 + 26 + 16 * f->legend_rows++;
    double x = f->x0 + f->w - 150;
    cairo_set_source_rgba(cr, 1, 1, 1, 0.85); /* keep the entry readable over the lines */
    cairo_rectangle(cr, x - 4, y - 8, 146, 16);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
    cairo_set_line_width(cr, 2);
    cairo_move_to(cr, x, y);
    cairo_line_to(cr, x + 20, y);
    cairo_stroke(cr);
    cairo_set_line_width(cr, 1);
    cairo_set_source_rgb(cr, 0, 0, 0);
    text_at(cr, x + 26, y, label, 0, 0.5);
}
