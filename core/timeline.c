/* Injuries and intervention windows on the step grid (see timeline.h).
 *
 * Times are rounded to steps once; a window shorter than a step still lasts one.  At
 * one step, windows close first, then injuries apply (in time, then file order), then
 * windows open: a therapy that ends as a stroke begins never sees the stroke, and one
 * that begins with it sees the injured network. */
#include "timeline.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"

static void marker(rw_timeline *tl, rewire_timeline_event_kind kind, const char *plugin,
                   const char *label, int64_t step, uint32_t window) {
    rewire_timeline_event ev = {.struct_size = sizeof ev, .kind = kind, .plugin = plugin,
                                .label = label, .t = (double)step * tl->dt, .window = window};
    rw_run_plugins_timeline_event(tl->plugins, &ev);
}

int rw_timeline_init(rw_timeline *tl, rw_run_plugins *p, const rw_experiment *e) {
    memset(tl, 0, sizeof *tl);
    tl->plugins = p;
    tl->dt = e->dt;
    uint32_t ni = p->n_injuries, nv = p->n_interventions;
    tl->injury_step = calloc(ni + 1, sizeof *tl->injury_step);
    tl->win_begin = calloc(nv + 1, sizeof *tl->win_begin);
    tl->win_end = calloc(nv + 1, sizeof *tl->win_end);
    tl->next_window = calloc(nv + 1, sizeof *tl->next_window);
    tl->open = calloc(nv + 1, sizeof *tl->open);
    if (!tl->injury_step || !tl->win_begin || !tl->win_end || !tl->next_window || !tl->open)
        return REWIRE_ENOMEM;
    for (uint32_t i = 0; i < ni; i++) tl->injury_step[i] = llround(p->injuries[i].spec->time / e->dt);
    for (uint32_t i = 0; i < nv; i++) {
        const rw_intervention_spec *s = p->interventions[i].spec;
        tl->win_begin[i] = calloc(s->n_windows + 1, sizeof **tl->win_begin);
        tl->win_end[i] = calloc(s->n_windows + 1, sizeof **tl->win_end);
        if (!tl->win_begin[i] || !tl->win_end[i]) return REWIRE_ENOMEM;
        int64_t prev_end = 0;
        for (uint32_t k = 0; k < s->n_windows; k++) {
            int64_t b = llround(s->start[k] / e->dt), en = llround(s->end[k] / e->dt);
            if (b < prev_end) b = prev_end; /* rounding never makes windows overlap */
            if (en <= b) en = b + 1;
            tl->win_begin[i][k] = b;
            tl->win_end[i][k] = en;
            prev_end = en;
        }
    }
    return 0;
}

void rw_timeline_free(rw_timeline *tl) {
    for (uint32_t i = 0; tl->win_begin && tl->plugins && i < tl->plugins->n_interventions; i++) {
        free(tl->win_begin[i]);
        free(tl->win_end[i]);
    }
    free(tl->injury_step);
    free(tl->win_begin);
    free(tl->win_end);
    free(tl->next_window);
    free(tl->open);
    memset(tl, 0, sizeof *tl);
}

static int close_window(rw_timeline *tl, uint32_t i, int64_t step, rw_diag *d) {
    rw_intervention_instance *v = &tl->plugins->interventions[i];
    tl->open[i] = false;
    uint32_t k = tl->next_window[i]++;
    int rc = v->fns->end(v->inst, step);
    marker(tl, REWIRE_EVENT_INTERVENTION_END, v->spec->ref.plugin->desc->name, v->spec->label, step, k);
    if (rc) {
        rw_run_plugins_failed(d, v->spec->ref.loc, "ending a window of intervention",
                              v->spec->ref.plugin->desc->name, v->host, rc);
        return 1;
    }
    return 0;
}

int rw_timeline_before(rw_timeline *tl, int64_t step, rw_diag *d) {
    rw_run_plugins *p = tl->plugins;
    for (uint32_t i = 0; i < p->n_interventions; i++)
        if (tl->open[i] && tl->win_end[i][tl->next_window[i]] <= step && close_window(tl, i, step, d))
            return 1;
    while (tl->next_injury < p->n_injuries && tl->injury_step[tl->next_injury] <= step) {
        rw_injury_instance *ii = &p->injuries[tl->next_injury++];
        int rc = ii->fns->apply(ii->inst, step);
        ii->applied = true;
        marker(tl, REWIRE_EVENT_INJURY, ii->spec->ref.plugin->desc->name, ii->spec->label, step, 0);
        if (rc) {
            rw_run_plugins_failed(d, ii->spec->ref.loc, "applying injury",
                                  ii->spec->ref.plugin->desc->name, ii->host, rc);
            return 1;
        }
    }
    for (uint32_t i = 0; i < p->n_interventions; i++) {
        rw_intervention_instance *v = &p->interventions[i];
        uint32_t k = tl->next_window[i];
        if (tl->open[i] || k >= v->spec->n_windows || tl->win_begin[i][k] > step) continue;
        tl->open[i] = true;
        marker(tl, REWIRE_EVENT_INTERVENTION_BEGIN, v->spec->ref.plugin->desc->name, v->spec->label,
               step, k);
        int rc = v->fns->begin(v->inst, step);
        if (rc) {
            rw_run_plugins_failed(d, v->spec->ref.loc, "opening a window of intervention",
                                  v->spec->ref.plugin->desc->name, v->host, rc);
            return 1;
        }
    }
    return 0;
}

int64_t rw_timeline_limit(const rw_timeline *tl, int64_t step, int64_t n) {
    const rw_run_plugins *p = tl->plugins;
    int64_t limit = step + n;
    if (tl->next_injury < p->n_injuries && tl->injury_step[tl->next_injury] < limit)
        limit = tl->injury_step[tl->next_injury];
    for (uint32_t i = 0; i < p->n_interventions; i++) {
        uint32_t k = tl->next_window[i];
        if (k >= p->interventions[i].spec->n_windows) continue;
        int64_t next = tl->open[i] ? tl->win_end[i][k] : tl->win_begin[i][k];
        if (next < limit) limit = next;
    }
    return limit > step ? limit - step : n;
}

int rw_timeline_after(rw_timeline *tl, int64_t first, int64_t end, rw_diag *d) {
    rw_run_plugins *p = tl->plugins;
    for (uint32_t i = 0; i < p->n_injuries; i++) {
        rw_injury_instance *ii = &p->injuries[i];
        if (!ii->applied || !ii->fns->on_slice) continue;
        int rc = ii->fns->on_slice(ii->inst, first, end);
        if (rc) {
            rw_run_plugins_failed(d, ii->spec->ref.loc, "recovery of injury",
                                  ii->spec->ref.plugin->desc->name, ii->host, rc);
            return 1;
        }
    }
    for (uint32_t i = 0; i < p->n_interventions; i++) {
        rw_intervention_instance *v = &p->interventions[i];
        if (!tl->open[i] || !v->fns->on_slice) continue;
        int rc = v->fns->on_slice(v->inst, first, end);
        if (rc) {
            rw_run_plugins_failed(d, v->spec->ref.loc, "intervention",
                                  v->spec->ref.plugin->desc->name, v->host, rc);
            return 1;
        }
    }
    return 0;
}

int rw_timeline_close_all(rw_timeline *tl, int64_t step, rw_diag *d) {
    int status = 0;
    for (uint32_t i = 0; tl->plugins && i < tl->plugins->n_interventions; i++)
        if (tl->open[i] && close_window(tl, i, step, d)) status = 1;
    return status;
}
