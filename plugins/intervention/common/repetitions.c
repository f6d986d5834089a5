/* repetitions.c: the repetition schedule and the drive it gives (see repetitions.h). */
#include "repetitions.h"

#include <stdlib.h>

#include "bump.h"
#include "clock.h"

const char *const iv_pattern_choices[] = {"all", "bump", NULL};

int64_t iv_repetition_at(int64_t start, int64_t step, int64_t repetitions, int64_t duration,
                         int64_t spacing) {
    if (step < start) return -1;
    const int64_t k = (step - start) / spacing;
    if (repetitions > 0 && k >= repetitions) return -1;
    return step - start - k * spacing < duration ? k : -1;
}

/* dt and positions, read when the plugin is created (the network exists by then). */
static int prepare(iv_repeater *r, const rewire_population_view *v) {
    if (r->ready) return REWIRE_OK;
    double dt;
    int rc = iv_dt(r->host, &dt);
    if (rc != REWIRE_OK) return rc;
    r->duration = iv_steps(r->duration_ms, dt, 1);
    r->spacing = iv_steps(r->spacing_ms, dt, 1);
    if (r->spacing < r->duration) r->spacing = r->duration;
    iv_positions(v, r->src.sel, r->px, r->py);
    r->ready = true;
    return REWIRE_OK;
}

int iv_repeater_create(iv_repeater *r, const rewire_host *h, const rewire_selection *sel,
                       const char *param, const rewire_param_value *v) {
    *r = (iv_repeater){.host = h, .rep = -1};
    r->rate = v[IV_REP_RATE].real;
    r->repetitions = v[IV_REP_REPETITIONS].integer;
    r->duration_ms = v[IV_REP_DURATION].real;
    r->spacing_ms = v[IV_REP_SPACING].real;
    r->pattern = v[IV_REP_PATTERN].choice;
    r->width = v[IV_REP_WIDTH].real;
    if (r->spacing_ms < r->duration_ms) {
        h->set_error(h, "spacing (%g ms) must be at least duration (%g ms): repetitions "
                        "follow one another, they do not overlap", r->spacing_ms, r->duration_ms);
        return REWIRE_EINVAL;
    }
    int rc = iv_sources_init(&r->src, h, sel, param);
    if (rc != REWIRE_OK) return rc;
    r->px = malloc(sel->n * sizeof *r->px);
    r->py = malloc(sel->n * sizeof *r->py);
    r->buf = malloc(sel->n * sizeof *r->buf);
    if (!r->px || !r->py || !r->buf) {
        iv_repeater_free(r);
        h->set_error(h, "out of memory for the %u neurons of '%s'", sel->n, param);
        return REWIRE_ENOMEM;
    }
    rewire_population_view view;
    rc = iv_sources_view(&r->src, h, &view);
    return rc == REWIRE_OK ? prepare(r, &view) : rc;
}

void iv_repeater_free(iv_repeater *r) {
    iv_sources_free(&r->src);
    free(r->px);
    free(r->py);
    free(r->buf);
    r->px = r->py = NULL;
    r->buf = NULL;
}

/* The drive of repetition k into r->buf. */
static void repetition_drive(iv_repeater *r, int64_t k) {
    const uint32_t n = r->src.sel->n;
    if (r->pattern == IV_PATTERN_BUMP) {
        for (uint32_t i = 0; i < n; i++) r->buf[i] = 0.0;
        const double u = r->host->random_uniform(r->host, (uint64_t)r->start, (uint64_t)k);
        const uint32_t c = iv_pick(u, n);
        iv_bump_max(r->px, r->py, n, r->px[c], r->py[c], r->width, r->rate, r->buf);
    } else {
        for (uint32_t i = 0; i < n; i++) r->buf[i] = r->rate;
    }
}

int iv_repeater_advance(iv_repeater *r, int64_t step) {
    if (!r->open) return REWIRE_OK;
    const int64_t k = iv_repetition_at(r->start, step, r->repetitions, r->duration, r->spacing);
    if (k == r->rep && !r->stale) return REWIRE_OK;
    rewire_population_view v;
    int rc = iv_sources_view(&r->src, r->host, &v);
    if (rc != REWIRE_OK) return rc;
    if (k < 0) {
        iv_drive_remove(&r->src, &v);
    } else {
        repetition_drive(r, k);
        iv_drive_set(&r->src, &v, r->buf);
    }
    r->rep = k;
    r->stale = false;
    return REWIRE_OK;
}

int iv_repeater_begin(iv_repeater *r, int64_t step) {
    if (!r->ready) return REWIRE_ESTATE; /* create() failed */
    r->open = true;
    r->start = step;
    r->rep = -1;
    r->stale = false;
    return iv_repeater_advance(r, step);
}

int iv_repeater_end(iv_repeater *r) {
    if (!r->open) return REWIRE_OK;
    rewire_population_view v;
    int rc = iv_sources_view(&r->src, r->host, &v);
    if (rc != REWIRE_OK) return rc;
    iv_drive_remove(&r->src, &v);
    r->open = false;
    r->rep = -1;
    return REWIRE_OK;
}

int iv_repeater_set_rate(iv_repeater *r, double rate) {
    r->rate = rate;
    if (!r->open) return REWIRE_OK;
    r->stale = true;
    const rewire_host *h = r->host;
    /* Between slices: the next slice starts at now(); without it, at the next on_slice. */
    if (REWIRE_HAS_FIELD(rewire_host, h->struct_size, now) && h->now)
        return iv_repeater_advance(r, h->now(h));
    return REWIRE_OK;
}
