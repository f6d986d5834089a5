/* recovery.c: see recovery.h. */
#include "recovery.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Below this remaining deficit a float excitability of 1 no longer changes. */
#define RECOVERED 0x1p-25

int injury_recovery_init(injury_recovery *r, const rewire_host *h, const char *population,
                         uint32_t n) {
    memset(r, 0, sizeof *r);
    const size_t m = n ? n : 1;
    r->population = strdup(population);
    r->index = calloc(m, sizeof *r->index);
    r->deficit = calloc(m, sizeof *r->deficit);
    r->applied = calloc(m, sizeof *r->applied);
    r->before = calloc(m, sizeof *r->before);
    if (!r->population || !r->index || !r->deficit || !r->applied || !r->before) {
        injury_recovery_free(r);
        h->set_error(h, "out of memory for the excitability factors of %u neurons", n);
        return REWIRE_ENOMEM;
    }
    r->n = n;
    return REWIRE_OK;
}

void injury_recovery_free(injury_recovery *r) {
    free(r->population);
    free(r->index);
    free(r->deficit);
    free(r->applied);
    free(r->before);
    memset(r, 0, sizeof *r);
}

/* The population's view, with the arrays the factors need. */
static int find_view(const injury_recovery *r, const rewire_host *h, rewire_population_view *v) {
    if (h->population_find(h, r->population, v) != REWIRE_OK) {
        h->set_error(h, "no population named '%s'", r->population);
        return REWIRE_ENOENT;
    }
    if (!v->excitability) {
        h->set_error(h, "population '%s' (model %s) has no excitability to scale",
                     r->population, v->model ? v->model : "?");
        return REWIRE_EINVAL;
    }
    return REWIRE_OK;
}

static bool is_dead(const rewire_population_view *v, uint32_t j) {
    return REWIRE_HAS_FIELD(rewire_population_view, v->struct_size, alive) && v->alive &&
           !v->alive[j];
}

int injury_recovery_apply(injury_recovery *r, const rewire_host *h, int64_t step) {
    if (r->n == 0) return REWIRE_OK;
    rewire_population_view v;
    int rc = find_view(r, h, &v);
    if (rc != REWIRE_OK) return rc;
    for (uint32_t k = 0; k < r->n; k++) {
        const uint32_t j = r->index[k];
        const double f = 1.0 - r->deficit[k];
        r->before[k] = v.excitability[j];
        r->applied[k] = f;
        if (!is_dead(&v, j)) v.excitability[j] = (float)((double)v.excitability[j] * f);
    }
    r->start = step;
    r->active = true;
    return REWIRE_OK;
}

double injury_recovery_factor(const injury_recovery *r, uint32_t k, int64_t step, double dt,
                              double tau) {
    const double elapsed = (double)(step - r->start) * dt;
    const double left = r->deficit[k] * exp(-(elapsed > 0 ? elapsed : 0.0) / tau);
    return left < RECOVERED ? 1.0 : 1.0 - left;
}

int injury_recovery_update(injury_recovery *r, const rewire_host *h, int64_t end_step,
                           double dt, double tau) {
    if (!r->active || r->n == 0) return REWIRE_OK;
    rewire_population_view v;
    int rc = find_view(r, h, &v);
    if (rc != REWIRE_OK) return rc;
    bool all_recovered = true;
    for (uint32_t k = 0; k < r->n; k++) {
        const uint32_t j = r->index[k];
        const double f = injury_recovery_factor(r, k, end_step, dt, tau);
        if (f < 1.0) all_recovered = false;
        if (f == r->applied[k]) continue;
        if (!is_dead(&v, j)) {
            const double old = r->applied[k];
            const double x = old > 0 ? (double)v.excitability[j] / old : (double)r->before[k];
            v.excitability[j] = (float)(x * f);
        }
        r->applied[k] = f;
    }
    if (all_recovered) r->active = false;
    return REWIRE_OK;
}
