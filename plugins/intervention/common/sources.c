/* sources.c: composable edits of input_gain and drive (see sources.h for the rules). */
#include "sources.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int iv_sources_init(iv_sources *s, const rewire_host *h, const rewire_selection *sel,
                    const char *param) {
    memset(s, 0, sizeof *s);
    s->param = param;
    s->sel = sel;
    if (!sel || sel->n == 0) {
        h->set_error(h, "'%s' selects no neuron", param);
        return REWIRE_EINVAL;
    }
    const size_t n = sel->n;
    s->gain_before = malloc(n * sizeof *s->gain_before);
    s->gain_set = malloc(n * sizeof *s->gain_set);
    s->drive_base = malloc(n * sizeof *s->drive_base);
    s->drive_set = malloc(n * sizeof *s->drive_set);
    s->drive_mine = calloc(n, sizeof *s->drive_mine);
    if (!s->gain_before || !s->gain_set || !s->drive_base || !s->drive_set || !s->drive_mine) {
        iv_sources_free(s);
        h->set_error(h, "out of memory for the %u neurons of '%s'", sel->n, param);
        return REWIRE_ENOMEM;
    }
    /* The network exists when plugins are created: refuse a selection of non-sources
     * now, before the run, rather than when the first window opens. */
    rewire_population_view v;
    return iv_sources_view(s, h, &v);
}

void iv_sources_free(iv_sources *s) {
    free(s->gain_before);
    free(s->gain_set);
    free(s->drive_base);
    free(s->drive_set);
    free(s->drive_mine);
    s->gain_before = s->gain_set = NULL;
    s->drive_base = s->drive_set = s->drive_mine = NULL;
}

int iv_sources_view(const iv_sources *s, const rewire_host *h, rewire_population_view *v) {
    const rewire_selection *sel = s->sel;
    memset(v, 0, sizeof *v);
    if (h->population_find(h, sel->population, v) != REWIRE_OK) {
        h->set_error(h, "'%s': no population '%s' in the network", s->param, sel->population);
        return REWIRE_ENOENT;
    }
    if (!REWIRE_HAS_FIELD(rewire_population_view, v->struct_size, drive) || !v->input_gain ||
        !v->drive) {
        h->set_error(h,
                     "'%s' must select input sources (model poisson or rate_input): population "
                     "'%s' is a %s population, which has no input gain or drive",
                     s->param, sel->population, v->model ? v->model : "(unknown)");
        return REWIRE_EINVAL;
    }
    if (v->size != sel->population_size) {
        h->set_error(h, "'%s': population '%s' has %u neurons, the selection was made for %u",
                     s->param, sel->population, v->size, sel->population_size);
        return REWIRE_EINVAL;
    }
    return REWIRE_OK;
}

void iv_gain_apply(iv_sources *s, rewire_population_view *v, float factor) {
    const uint32_t *idx = s->sel->index;
    float *g = v->input_gain;
    for (uint32_t k = 0; k < s->sel->n; k++) {
        s->gain_before[k] = g[idx[k]];
        g[idx[k]] *= factor;
        s->gain_set[k] = g[idx[k]];
    }
    s->factor = factor;
    s->gain_on = true;
}

void iv_gain_restore(iv_sources *s, rewire_population_view *v) {
    if (!s->gain_on) return;
    const uint32_t *idx = s->sel->index;
    float *g = v->input_gain;
    for (uint32_t k = 0; k < s->sel->n; k++) {
        const uint32_t i = idx[k];
        if (g[i] == s->gain_set[k])
            g[i] = s->gain_before[k]; /* untouched since: exactly as before */
        else if (s->gain_set[k] != 0.0f)
            g[i] = (float)((double)g[i] / s->factor); /* others changed it: divide ours out */
        /* else we left a 0 (our factor 0, or a gain already 0) and another intervention
         * has since put back a gain from before it: our factor is not in it. */
    }
    s->gain_on = false;
}

/* x rounded to a multiple of 2^-20 (see sources.h: it makes drive sums exact). */
static double dyadic(double x) { return ldexp(nearbyint(ldexp(x, 20)), -20); }

void iv_drive_set(iv_sources *s, rewire_population_view *v, const double *drive) {
    const uint32_t *idx = s->sel->index;
    double *d = v->drive;
    for (uint32_t k = 0; k < s->sel->n; k++) {
        const uint32_t i = idx[k];
        if (!s->drive_on)
            s->drive_base[k] = d[i];
        else if (d[i] != s->drive_set[k])
            s->drive_base[k] = d[i] - s->drive_mine[k]; /* others changed it meanwhile */
        s->drive_mine[k] = dyadic(drive[k]);
        d[i] = s->drive_set[k] = s->drive_base[k] + s->drive_mine[k];
    }
    s->drive_on = true;
}

void iv_drive_remove(iv_sources *s, rewire_population_view *v) {
    if (!s->drive_on) return;
    const uint32_t *idx = s->sel->index;
    double *d = v->drive;
    for (uint32_t k = 0; k < s->sel->n; k++) {
        const uint32_t i = idx[k];
        d[i] = d[i] == s->drive_set[k] ? s->drive_base[k] : d[i] - s->drive_mine[k];
        s->drive_mine[k] = 0.0;
    }
    s->drive_on = false;
}

bool iv_selections_intersect(const rewire_selection *a, const rewire_selection *b) {
    if (strcmp(a->population, b->population) != 0) return false;
    /* Both index lists are increasing: one merge pass. */
    uint32_t i = 0, j = 0;
    while (i < a->n && j < b->n) {
        if (a->index[i] == b->index[j]) return true;
        if (a->index[i] < b->index[j])
            i++;
        else
            j++;
    }
    return false;
}

void iv_positions(const rewire_population_view *v, const rewire_selection *sel, float *px,
                  float *py) {
    const bool layout = REWIRE_HAS_FIELD(rewire_population_view, v->struct_size, y) && v->x && v->y;
    for (uint32_t k = 0; k < sel->n; k++) {
        const uint32_t i = sel->index[k];
        px[k] = layout ? v->x[i] : (float)((i + 0.5) / v->size);
        py[k] = layout ? v->y[i] : 0.5f;
    }
}
