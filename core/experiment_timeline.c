/* Injuries and interventions of the timeline (`injuries:` and `interventions:` of a
 * phase, or `interventions:` at the top level), their schedules, and the check that
 * no two overlapping interventions drive and suppress the same neurons.
 *
 * Times: `at:` and `window:` are simulated time measured from the start of the phase
 * (of the run, at the top level).  `schedule:` is clinical time (hours, days, weeks),
 * mapped to simulated time by the experiment's `time_scale: {day: ...}`.  Every
 * window must lie inside its phase (inside the run, at the top level). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiment_parse.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define DAY_MS 86400e3

/* `plugin:` of an entry, of the expected kind, with its `params:` validated. */
static bool parse_plugin_entry(const rw_experiment *e, const rw_node *entry, rewire_kind kind,
                               const char *what, rw_registry *reg, rw_plugin_ref *ref,
                               char **label, rw_diag *d) {
    const rw_node *pn = rw_require(entry, "plugin", what, d);
    const char *name;
    if (!pn || !rw_get_string(pn, "plugin name", &name, d)) return false;
    const rw_plugin *pl = rw_registry_find(reg, name);
    if (!pl || pl->desc->kind != kind) {
        rw_registry_report_unknown(reg, kind, name, pn->loc, d);
        return false;
    }
    ref->plugin = pl;
    ref->loc = pn->loc;
    ref->values = calloc(pl->desc->n_params ? pl->desc->n_params : 1, sizeof *ref->values);
    const rw_node *ln = rw_map_get(entry, "name");
    const char *lab = name;
    if (ln && !rw_get_string(ln, "name", &lab, d)) return false;
    *label = strdup(lab);
    if (!ref->values || !*label) return false;
    char pname[160];
    snprintf(pname, sizeof pname, "%s '%s'", kind == REWIRE_KIND_INJURY ? "injury" : "intervention",
             name);
    /* Selection and name-list parameters resolve against the experiment (space.h). */
    return rw_params_from_experiment(e, pl->desc->params, pl->desc->n_params,
                                     rw_map_get(entry, "params"), pn->loc, REWIRE_DIM_NONE, pname,
                                     ref->values, d);
}

bool rw_parse_injuries(rw_experiment *e, const rw_node *list, const rw_phase_spec *ph, double t0,
                       rw_registry *reg, rw_diag *d) {
    if (list->type != RW_NODE_SEQ) {
        rw_diag_error(d, list->loc, "phase '%s' injuries: expected a list, e.g. "
                      "[{plugin: lesion, at: 1 s, params: {region: core}}]", ph->name);
        return false;
    }
    static const char *const keys[] = {"plugin", "name", "at", "params"};
    bool ok = true;
    for (size_t i = 0; i < list->n; i++) {
        const rw_node *it = list->items[i];
        char what[160];
        snprintf(what, sizeof what, "phase '%s' injury %zu", ph->name, i);
        if (!rw_check_keys(it, keys, ARRAY_LEN(keys), what, d)) {
            ok = false;
            if (it->type != RW_NODE_MAP) continue;
        }
        rw_injury_spec *grown = realloc(e->injuries, (e->n_injuries + 1) * sizeof *e->injuries);
        if (!grown) return false;
        e->injuries = grown;
        rw_injury_spec *inj = &e->injuries[e->n_injuries++];
        memset(inj, 0, sizeof *inj);
        double at = 0;
        const rw_node *an = rw_map_get(it, "at");
        char awhat[200];
        snprintf(awhat, sizeof awhat, "%s time 'at' (from the start of the phase)", what);
        if (an && (!rw_get_quantity(an, REWIRE_DIM_TIME, awhat, &at, d) ||
                   !rw_check_range(an, at, 0, ph->duration, false, REWIRE_DIM_TIME, awhat, d)))
            ok = false;
        inj->time = t0 + at;
        ok = parse_plugin_entry(e, it, REWIRE_KIND_INJURY, what, reg, &inj->ref, &inj->label, d) && ok;
    }
    return ok;
}

/* ---- schedules ---- */

typedef struct windows {
    uint32_t n, cap;
    double *start, *end;
} windows;

static bool add_window(windows *w, double a, double b) {
    if (w->n == w->cap) {
        uint32_t cap = w->cap ? w->cap * 2 : 8;
        double *s = realloc(w->start, cap * sizeof *s);
        if (!s) return false;
        w->start = s;
        double *t = realloc(w->end, cap * sizeof *t);
        if (!t) return false;
        w->end = t;
        w->cap = cap;
    }
    w->start[w->n] = a;
    w->end[w->n] = b;
    w->n++;
    return true;
}

/* A clinical quantity (h, day, week ...) of a schedule key, or `def` when absent. */
static bool clinical(const rw_node *sched, const char *key, double def, const char *what,
                     double *out, rw_diag *d) {
    const rw_node *n = rw_map_get(sched, key);
    *out = def;
    if (!n) return true;
    char sub[256];
    snprintf(sub, sizeof sub, "%.200s '%.40s'", what, key);
    return rw_get_quantity(n, REWIRE_DIM_TIME, sub, out, d) &&
           rw_check_range(n, *out, 0, INFINITY, false, REWIRE_DIM_TIME, sub, d);
}

static bool count_key(const rw_node *sched, const char *key, int64_t def, int64_t lo, int64_t hi,
                      const char *what, int64_t *out, rw_diag *d) {
    const rw_node *n = rw_map_get(sched, key);
    *out = def;
    if (!n) return true;
    char sub[256];
    snprintf(sub, sizeof sub, "%.200s '%.40s'", what, key);
    return rw_get_int(n, sub, out, d) &&
           rw_check_range(n, (double)*out, (double)lo, (double)hi, false, REWIRE_DIM_NONE, sub, d);
}

/* `schedule:` from clinical time to windows in simulated ms from the run's start. */
static bool parse_schedule(const rw_experiment *e, const rw_node *s, double t0, double t1,
                           const char *what, windows *w, rw_diag *d) {
    static const char *const keys[] = {"start", "sessions_per_day", "session", "spacing",
                                       "days_per_week", "weeks", "days"};
    char sw[200];
    snprintf(sw, sizeof sw, "%s schedule", what);
    if (!rw_check_keys(s, keys, ARRAY_LEN(keys), sw, d) || s->type != RW_NODE_MAP) return false;
    if (e->day_length <= 0) {
        rw_diag_error(d, s->loc, "%s: a schedule counts clinical time (hours, days, weeks) and "
                      "needs experiment.time_scale, e.g. time_scale: {day: 2 s}", sw);
        return false;
    }
    const rw_node *sn = rw_require(s, "session", sw, d);
    double start, session = 0, spacing;
    int64_t per_day, per_week, weeks, days;
    bool ok = sn != NULL;
    ok = clinical(s, "start", 0, sw, &start, d) && ok;
    ok = clinical(s, "session", 0, sw, &session, d) && ok;
    ok = count_key(s, "sessions_per_day", 1, 1, 1000, sw, &per_day, d) && ok;
    ok = clinical(s, "spacing", DAY_MS / (double)(per_day > 0 ? per_day : 1), sw, &spacing, d) && ok;
    ok = count_key(s, "days_per_week", 7, 1, 7, sw, &per_week, d) && ok;
    ok = count_key(s, "weeks", 0, 1, 10000, sw, &weeks, d) && ok;
    ok = count_key(s, "days", 0, 1, 70000, sw, &days, d) && ok;
    if (!ok) return false;
    if (session <= 0) {
        rw_diag_error(d, sn->loc, "%s 'session': expected a session length > 0, e.g. 1 h", sw);
        return false;
    }
    if ((double)(per_day - 1) * spacing + session > DAY_MS) {
        rw_diag_error(d, s->loc, "%s: %lld sessions of %g h, %g h apart, do not fit in a day", sw,
                      (long long)per_day, session / 3600e3, spacing / 3600e3);
        return false;
    }
    if (per_day > 1 && spacing < session) {
        rw_diag_error(d, s->loc, "%s: sessions overlap (spacing %g h < session %g h)", sw,
                      spacing / 3600e3, session / 3600e3);
        return false;
    }
    if (weeks && days) {
        rw_diag_error(d, s->loc, "%s: give 'weeks' or 'days', not both", sw);
        return false;
    }
    const double scale = e->day_length / DAY_MS; /* simulated ms per clinical ms */
    /* Calendar days: weeks x 7, or `days`, or as many whole days as the phase holds. */
    int64_t n_days = weeks ? weeks * 7 : days;
    if (!n_days) n_days = (int64_t)floor((t1 - t0 - start * scale) / e->day_length + 1e-9);
    if (n_days < 1) {
        rw_diag_error(d, s->loc, "%s does not fit: not one day (%g ms simulated) after its start "
                      "before the phase ends", sw, e->day_length);
        return false;
    }
    for (int64_t day = 0; day < n_days; day++) {
        if (day % 7 >= per_week) continue;
        for (int64_t k = 0; k < per_day; k++) {
            double a = t0 + (start + (double)day * DAY_MS + (double)k * spacing) * scale;
            if (!add_window(w, a, a + session * scale)) return false;
        }
    }
    double last = w->n ? w->end[w->n - 1] : t0;
    if (last > t1 * (1 + 1e-12)) {
        rw_diag_error(d, s->loc, "%s does not fit the timeline: its last session ends at %g s, "
                      "after the end of its phase at %g s", sw, last * 1e-3, t1 * 1e-3);
        return false;
    }
    return true;
}

/* `window: {start: S, duration: D}` or `{start: S, end: E}`, simulated, from t0. */
static bool parse_window(const rw_node *wn, double t0, double t1, const char *what, windows *w,
                         rw_diag *d) {
    static const char *const keys[] = {"start", "duration", "end"};
    char ww[200];
    snprintf(ww, sizeof ww, "%s window", what);
    if (!rw_check_keys(wn, keys, ARRAY_LEN(keys), ww, d) || wn->type != RW_NODE_MAP) return false;
    const rw_node *sn = rw_map_get(wn, "start"), *dn = rw_map_get(wn, "duration"),
                  *en = rw_map_get(wn, "end");
    double start = 0, end = t1 - t0, dur;
    if (sn && !rw_get_quantity(sn, REWIRE_DIM_TIME, ww, &start, d)) return false;
    if (dn && en) {
        rw_diag_error(d, wn->loc, "%s: give 'duration' or 'end', not both", ww);
        return false;
    }
    if (dn) {
        if (!rw_get_quantity(dn, REWIRE_DIM_TIME, ww, &dur, d)) return false;
        end = start + dur;
    }
    if (en && !rw_get_quantity(en, REWIRE_DIM_TIME, ww, &end, d)) return false;
    if (start < 0 || end <= start || t0 + end > t1 * (1 + 1e-12)) {
        rw_diag_error(d, wn->loc, "%s [%g s, %g s) does not fit the timeline: expected "
                      "0 <= start < end <= %g s", ww, start * 1e-3, end * 1e-3, (t1 - t0) * 1e-3);
        return false;
    }
    return add_window(w, t0 + start, t0 + end);
}

bool rw_parse_interventions(rw_experiment *e, const rw_node *list, const char *where, double t0,
                            double t1, rw_registry *reg, rw_diag *d) {
    if (list->type != RW_NODE_SEQ) {
        rw_diag_error(d, list->loc, "%s interventions: expected a list, e.g. [{plugin: practice, "
                      "schedule: {session: 1 h, weeks: 2}, params: {channel: hand}}]", where);
        return false;
    }
    static const char *const keys[] = {"plugin", "name", "schedule", "window", "params"};
    bool ok = true;
    for (size_t i = 0; i < list->n; i++) {
        const rw_node *it = list->items[i];
        char what[160];
        snprintf(what, sizeof what, "%s intervention %zu", where, i);
        if (!rw_check_keys(it, keys, ARRAY_LEN(keys), what, d)) {
            ok = false;
            if (it->type != RW_NODE_MAP) continue;
        }
        rw_intervention_spec *grown =
            realloc(e->interventions, (e->n_interventions + 1) * sizeof *e->interventions);
        if (!grown) return false;
        e->interventions = grown;
        rw_intervention_spec *iv = &e->interventions[e->n_interventions++];
        memset(iv, 0, sizeof *iv);
        ok = parse_plugin_entry(e, it, REWIRE_KIND_INTERVENTION, what, reg, &iv->ref, &iv->label, d) &&
             ok;
        const rw_node *sn = rw_map_get(it, "schedule"), *wn = rw_map_get(it, "window");
        windows w = {0};
        bool fine;
        if (sn && wn) {
            rw_diag_error(d, wn->loc, "%s: give 'schedule' (clinical time) or 'window' "
                          "(simulated time), not both", what);
            fine = false;
        } else if (sn) {
            fine = parse_schedule(e, sn, t0, t1, what, &w, d);
        } else if (wn) {
            fine = parse_window(wn, t0, t1, what, &w, d);
        } else {
            fine = add_window(&w, t0, t1);
        }
        iv->n_windows = w.n;
        iv->start = w.start;
        iv->end = w.end;
        ok = fine && ok;
    }
    return ok;
}

/* ---- conflicts ---- */

static bool selections_meet(const rewire_selection *a, const rewire_selection *b) {
    if (!a || !b || !a->population || !b->population || strcmp(a->population, b->population) != 0)
        return false;
    for (uint32_t i = 0, j = 0; i < a->n && j < b->n;) {
        if (a->index[i] == b->index[j]) return true;
        if (a->index[i] < b->index[j]) i++;
        else j++;
    }
    return false;
}

/* The first time both are active, or -1. */
static double overlap(const rw_intervention_spec *a, const rw_intervention_spec *b) {
    for (uint32_t i = 0, j = 0; i < a->n_windows && j < b->n_windows;) {
        double lo = fmax(a->start[i], b->start[j]), hi = fmin(a->end[i], b->end[j]);
        if (lo < hi) return lo;
        if (a->end[i] < b->end[j]) i++;
        else j++;
    }
    return -1;
}

/* Does some DRIVES selection of a meet some SUPPRESSES selection of b?  Names them. */
static bool drives_what_suppresses(const rw_intervention_spec *a, const rw_intervention_spec *b,
                                   const char **pa, const char **pb) {
    const rewire_plugin_descriptor *da = a->ref.plugin->desc, *db = b->ref.plugin->desc;
    for (uint32_t i = 0; i < da->n_params; i++) {
        if (da->params[i].type != REWIRE_PARAM_SELECTION || !(da->params[i].flags & REWIRE_PARAM_DRIVES))
            continue;
        for (uint32_t j = 0; j < db->n_params; j++) {
            if (db->params[j].type != REWIRE_PARAM_SELECTION ||
                !(db->params[j].flags & REWIRE_PARAM_SUPPRESSES))
                continue;
            if (selections_meet(a->ref.values[i].selection, b->ref.values[j].selection)) {
                *pa = da->params[i].name;
                *pb = db->params[j].name;
                return true;
            }
        }
    }
    return false;
}

bool rw_check_intervention_conflicts(const rw_experiment *e, rw_diag *d) {
    bool ok = true;
    for (uint32_t i = 0; i < e->n_interventions; i++)
        for (uint32_t j = 0; j < e->n_interventions; j++) {
            const rw_intervention_spec *a = &e->interventions[i], *b = &e->interventions[j];
            if (i == j || !a->ref.values || !b->ref.values) continue;
            const char *pa, *pb;
            if (!drives_what_suppresses(a, b, &pa, &pb)) continue;
            double t = overlap(a, b);
            if (t < 0) continue;
            rw_diag_error(d, a->ref.loc, "intervention '%s' drives neurons ('%s') that intervention "
                          "'%s' (line %d) suppresses ('%s') while both are active from t = %g s: "
                          "move one of their windows", a->label, pa, b->label, b->ref.loc.line, pb,
                          t * 1e-3);
            ok = false;
        }
    return ok;
}

static int injury_order(const void *x, const void *y) {
    const rw_injury_spec *a = x, *b = y;
    if (a->time != b->time) return a->time < b->time ? -1 : 1;
    if (a->ref.loc.line != b->ref.loc.line) return a->ref.loc.line < b->ref.loc.line ? -1 : 1;
    return (a->ref.loc.col > b->ref.loc.col) - (a->ref.loc.col < b->ref.loc.col);
}

void rw_sort_injuries(rw_experiment *e) {
    if (e->n_injuries > 1) qsort(e->injuries, e->n_injuries, sizeof *e->injuries, injury_order);
}

bool rw_parse_time_scale(rw_experiment *e, const rw_node *n, rw_diag *d) {
    static const char *const keys[] = {"day"};
    if (!rw_check_keys(n, keys, ARRAY_LEN(keys), "experiment time_scale", d) || n->type != RW_NODE_MAP)
        return false;
    const rw_node *day = rw_require(n, "day", "experiment time_scale", d);
    return day &&
           rw_get_quantity(day, REWIRE_DIM_TIME, "time_scale day (simulated time per clinical day)",
                           &e->day_length, d) &&
           rw_check_range(day, e->day_length, 0, INFINITY, true, REWIRE_DIM_TIME,
                          "time_scale day", d);
}

void rw_free_timeline_plugins(rw_experiment *e) {
    for (uint32_t i = 0; i < e->n_injuries; i++) {
        free(e->injuries[i].label);
        free(e->injuries[i].ref.values);
    }
    free(e->injuries);
    for (uint32_t i = 0; i < e->n_interventions; i++) {
        free(e->interventions[i].label);
        free(e->interventions[i].ref.values);
        free(e->interventions[i].start);
        free(e->interventions[i].end);
    }
    free(e->interventions);
}
