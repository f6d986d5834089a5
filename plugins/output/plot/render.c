/* See render.h. */
#include "render.h"

#include <cairo-svg.h>
#include <stdio.h>

typedef struct sink {
    const rewire_host *host;
    rewire_file *file;
    int status;
} sink;

static cairo_status_t sink_write(void *closure, const unsigned char *data, unsigned int length) {
    sink *s = closure;
    if (s->status) return CAIRO_STATUS_WRITE_ERROR;
    s->status = s->host->file_write(s->host, s->file, data, length);
    return s->status ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

static int open_sink(sink *s, const rewire_host *host, const char *stem, const char *ext) {
    char path[256];
    snprintf(path, sizeof path, "%s.%s", stem, ext);
    *s = (sink){host, NULL, 0};
    return host->file_open(host, path, &s->file);
}

static int close_sink(sink *s, cairo_status_t st, const char *stem) {
    int rc = s->host->file_close(s->host, s->file);
    if (s->status) return s->status; /* the host's message is set */
    if (st != CAIRO_STATUS_SUCCESS) {
        s->host->set_error(s->host, "cairo: cannot draw figure '%s': %s", stem,
                           cairo_status_to_string(st));
        return REWIRE_EPLUGIN;
    }
    return rc;
}

static int render_png(const rewire_host *host, const char *stem, int W, int H, figure_fn fn,
                      const void *arg) {
    cairo_surface_t *surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, W, H);
    cairo_t *cr = cairo_create(surf);
    fn(cr, W, H, arg);
    cairo_status_t st = cairo_status(cr);
    cairo_destroy(cr);
    sink s;
    int rc = open_sink(&s, host, stem, "png");
    if (rc == 0) {
        if (st == CAIRO_STATUS_SUCCESS) st = cairo_surface_write_to_png_stream(surf, sink_write, &s);
        rc = close_sink(&s, st, stem);
    }
    cairo_surface_destroy(surf);
    return rc;
}

static int render_svg(const rewire_host *host, const char *stem, int W, int H, figure_fn fn,
                      const void *arg) {
    sink s;
    int rc = open_sink(&s, host, stem, "svg");
    if (rc) return rc;
    cairo_surface_t *surf = cairo_svg_surface_create_for_stream(sink_write, &s, W, H);
    cairo_t *cr = cairo_create(surf);
    fn(cr, W, H, arg);
    cairo_status_t st = cairo_status(cr);
    cairo_destroy(cr);
    cairo_surface_finish(surf); /* writes the rest of the document */
    if (st == CAIRO_STATUS_SUCCESS) st = cairo_surface_status(surf);
    cairo_surface_destroy(surf);
    return close_sink(&s, st, stem);
}

int render_figure(const rewire_host *host, const char *stem, bool png, bool svg, int W, int H,
                  figure_fn fn, const void *arg) {
    int rc = png ? render_png(host, stem, W, H, fn, arg) : 0;
    if (rc == 0 && svg) rc = render_svg(host, stem, W, H, fn, arg);
    return rc;
}
