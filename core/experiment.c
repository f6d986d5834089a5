/* The experiment loader's top level: the file, --set overrides, the `experiment`,
 * `timeline` and `outputs` sections, and the helpers the section parsers share. */
#include "experiment.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiment_parse.h"
#include "space.h"
#include "units.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static char *dup_str(const char *s) {
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *c = malloc(n);
    if (c) memcpy(c, s, n);
    return c;
}

const rw_node *rw_require(const rw_node *map, const char *key, const char *what, rw_diag *d) {
    const rw_node *n = rw_map_get(map, key);
    if (!n) rw_diag_error(d, map->loc, "missing required key '%s' in %s", key, what);
    return n;
}

bool rw_check_name(const char *name, rw_loc loc, const char *what, rw_diag *d) {
    bool ok = name[0] && (isalpha((unsigned char)name[0]) || name[0] == '_');
    for (const char *p = name; ok && *p; p++)
        ok = isalnum((unsigned char)*p) || *p == '_';
    if (!ok)
        rw_diag_error(d, loc,
                      "invalid %s name '%s': use letters, digits and '_', starting with a letter",
                      what, name);
    return ok;
}

void rw_report_unknown_name(const char *kind, const char *name, rw_loc loc,
                            const char *const *names, size_t n, rw_diag *d) {
    const char *near = rw_nearest(name, names, n);
    if (near)
        rw_diag_error(d, loc, "unknown %s '%s'; did you mean '%s'?", kind, name, near);
    else if (n == 0)
        rw_diag_error(d, loc, "unknown %s '%s': the experiment defines none", kind, name);
    else {
        /* No plausible typo: list what there is, when that is short enough to read. */
        char list[512];
        size_t used = 0;
        for (size_t i = 0; i < n && used < sizeof list; i++)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", names[i]);
        if (n <= 12 && used < sizeof list)
            rw_diag_error(d, loc, "unknown %s '%s'; defined: %s", kind, name, list);
        else
            rw_diag_error(d, loc, "unknown %s '%s'", kind, name);
    }
}

/* The names of a section's entries, for did-you-mean: name_at(e, i) for i < count. */
typedef const char *(*name_at_fn)(const rw_experiment *e, uint32_t i);
static const char *population_name(const rw_experiment *e, uint32_t i) { return e->populations[i].name; }
static const char *projection_name(const rw_experiment *e, uint32_t i) { return e->projections[i].name; }

static bool resolve(const rw_experiment *e, const rw_node *n, const char *kind, uint32_t count,
                    name_at_fn name_at, const char *what, uint32_t *out, rw_diag *d) {
    const char *name;
    if (!rw_get_string(n, what, &name, d)) return false;
    for (uint32_t i = 0; i < count; i++)
        if (name_at(e, i) && strcmp(name_at(e, i), name) == 0) {
            *out = i;
            return true;
        }
    enum { MAX_NAMES = 1024 };
    const char *names[MAX_NAMES];
    size_t nn = 0;
    for (uint32_t i = 0; i < count && nn < MAX_NAMES; i++)
        if (name_at(e, i)) names[nn++] = name_at(e, i);
    rw_report_unknown_name(kind, name, n->loc, names, nn, d);
    return false;
}

bool rw_resolve_population(const rw_experiment *e, const rw_node *n, const char *what, uint32_t *out,
                           rw_diag *d) {
    /* Without populations the section's own error says it all: no cascade here. */
    if (e->n_populations == 0) return false;
    if (!resolve(e, n, "population", e->n_populations, population_name, what, out, d)) return false;
    return !e->populations[*out].broken; /* its errors are reported where it is defined */
}

bool rw_resolve_projection(const rw_experiment *e, const rw_node *n, const char *what, uint32_t *out,
                           rw_diag *d) {
    return resolve(e, n, "projection", e->n_projections, projection_name, what, out, d);
}

int rw_experiment_find_population(const rw_experiment *e, const char *name) {
    for (uint32_t i = 0; i < e->n_populations; i++)
        if (e->populations[i].name && strcmp(e->populations[i].name, name) == 0) return (int)i;
    return -1;
}


/* ---- distributions ---- */

static bool check_bounds(const rw_node *n, double v, double lo, double hi, rewire_dim dim,
                         const char *what, rw_diag *d) {
    return rw_check_range(n, v, lo, hi, false, dim, what, d);
}

bool rw_parse_dist(const rw_node *n, rewire_dim dim, double lo, double hi, const char *what,
                   rw_dist *out, rw_diag *d) {
    out->lo = lo;
    out->hi = hi;
    if (n->type != RW_NODE_MAP) {
        out->kind = RW_DIST_CONST;
        if (!rw_get_quantity(n, dim, what, &out->a, d)) return false;
        out->b = out->a;
        return check_bounds(n, out->a, lo, hi, dim, what, d);
    }
    static const char *const forms[] = {"uniform", "normal"};
    if (n->n != 1) {
        rw_diag_error(d, n->loc,
                      "%s: expected a %s (e.g. '%s'), {uniform: [low, high]} or "
                      "{normal: {mean: m, sd: s}}",
                      what, rw_dim_name(dim), rw_dim_example(dim));
        return false;
    }
    if (!rw_check_keys(n, forms, ARRAY_LEN(forms), what, d)) return false;
    const rw_node *v = n->items[0];
    char sub[256];
    if (strcmp(n->keys[0], "uniform") == 0) {
        out->kind = RW_DIST_UNIFORM;
        if (v->type != RW_NODE_SEQ || v->n != 2) {
            rw_diag_error(d, v->loc, "%s: uniform expects two bounds [low, high] in %s", what,
                          rw_dim_unit(dim)[0] ? rw_dim_unit(dim) : "plain numbers");
            return false;
        }
        snprintf(sub, sizeof sub, "%s uniform low", what);
        bool ok = rw_get_quantity(v->items[0], dim, sub, &out->a, d) &&
                  check_bounds(v->items[0], out->a, lo, hi, dim, sub, d);
        snprintf(sub, sizeof sub, "%s uniform high", what);
        ok = rw_get_quantity(v->items[1], dim, sub, &out->b, d) &&
             check_bounds(v->items[1], out->b, lo, hi, dim, sub, d) && ok;
        if (ok && !(out->b > out->a)) {
            rw_diag_error(d, v->loc, "%s: uniform high must be greater than low", what);
            ok = false;
        }
        return ok;
    }
    out->kind = RW_DIST_NORMAL;
    static const char *const normal_keys[] = {"mean", "sd"};
    snprintf(sub, sizeof sub, "%s normal", what);
    if (!rw_check_keys(v, normal_keys, ARRAY_LEN(normal_keys), sub, d)) return false;
    const rw_node *mean = rw_require(v, "mean", sub, d);
    const rw_node *sd = rw_require(v, "sd", sub, d);
    if (!mean || !sd) return false;
    snprintf(sub, sizeof sub, "%s normal mean", what);
    bool ok = rw_get_quantity(mean, dim, sub, &out->a, d);
    snprintf(sub, sizeof sub, "%s normal sd", what);
    ok = rw_get_quantity(sd, dim, sub, &out->b, d) &&
         rw_check_range(sd, out->b, 0, INFINITY, false, dim, sub, d) && ok;
    return ok;
}

/* ---- sections ---- */

static bool parse_experiment_section(rw_experiment *e, const rw_node *sec, rw_diag *d) {
    static const char *const keys[] = {"name", "dt", "seed", "plugin_path", "time_scale"};
    bool ok = rw_check_keys(sec, keys, ARRAY_LEN(keys), "'experiment'", d);
    if (sec->type != RW_NODE_MAP) return false;
    const rw_node *n;
    const char *s;
    if ((n = rw_map_get(sec, "name"))) {
        if (rw_get_string(n, "experiment name", &s, d)) {
            free(e->name);
            e->name = dup_str(s);
        } else {
            ok = false;
        }
    }
    if ((n = rw_map_get(sec, "dt")))
        ok = rw_get_quantity(n, REWIRE_DIM_TIME, "experiment dt", &e->dt, d) &&
             rw_check_range(n, e->dt, 0, 10.0, true, REWIRE_DIM_TIME, "experiment dt", d) && ok;
    if ((n = rw_map_get(sec, "seed"))) {
        int64_t seed;
        if (rw_get_int(n, "experiment seed", &seed, d) &&
            rw_check_range(n, (double)seed, 0, 9007199254740992.0, false, REWIRE_DIM_NONE,
                           "experiment seed", d))
            e->seed = (uint64_t)seed;
        else
            ok = false;
    }
    if ((n = rw_map_get(sec, "time_scale"))) ok = rw_parse_time_scale(e, n, d) && ok;
    if ((n = rw_map_get(sec, "plugin_path"))) {
        if (n->type != RW_NODE_SEQ) {
            rw_diag_error(d, n->loc, "experiment plugin_path: expected a list of folders");
            return false;
        }
        e->plugin_paths = calloc(n->n ? n->n : 1, sizeof *e->plugin_paths);
        for (size_t i = 0; e->plugin_paths && i < n->n; i++) {
            if (!rw_get_string(n->items[i], "plugin_path entry", &s, d)) {
                ok = false;
                continue;
            }
            e->plugin_paths[e->n_plugin_paths++] = dup_str(s);
        }
    }
    return ok;
}

static bool parse_modulators(rw_experiment *e, const rw_node *map, rw_diag *d) {
    if (map->type != RW_NODE_MAP) {
        rw_diag_error(d, map->loc,
                      "neuromodulators: expected a mapping from names to channels, e.g. "
                      "{dopamine: {baseline: 0.002, tau: 200 ms}}");
        return false;
    }
    e->modulators = calloc(map->n ? map->n : 1, sizeof *e->modulators);
    if (!e->modulators) return false;
    static const char *const keys[] = {"baseline", "tau"};
    bool ok = true;
    for (size_t i = 0; i < map->n; i++) {
        rw_modulator_spec *m = &e->modulators[e->n_modulators++];
        m->name = dup_str(map->keys[i]);
        m->loc = map->key_locs[i];
        m->tau = 200.0;
        ok = rw_check_name(m->name, m->loc, "neuromodulator", d) && ok;
        const rw_node *mn = map->items[i];
        char what[128], sub[160];
        snprintf(what, sizeof what, "neuromodulator '%s'", m->name);
        if (!rw_check_keys(mn, keys, ARRAY_LEN(keys), what, d)) {
            ok = false;
            if (mn->type != RW_NODE_MAP) continue;
        }
        const rw_node *n;
        if ((n = rw_map_get(mn, "baseline"))) {
            snprintf(sub, sizeof sub, "%s baseline", what);
            ok = rw_get_real(n, sub, &m->baseline, d) && ok;
        }
        if ((n = rw_map_get(mn, "tau"))) {
            snprintf(sub, sizeof sub, "%s tau", what);
            ok = rw_get_quantity(n, REWIRE_DIM_TIME, sub, &m->tau, d) &&
                 rw_check_range(n, m->tau, 0, INFINITY, true, REWIRE_DIM_TIME, sub, d) && ok;
        }
    }
    return ok;
}

static const char *modulator_name(const rw_experiment *e, uint32_t i) { return e->modulators[i].name; }

bool rw_resolve_modulator(const rw_experiment *e, const rw_node *n, const char *what, uint32_t *out,
                          rw_diag *d) {
    return resolve(e, n, "neuromodulator", e->n_modulators, modulator_name, what, out, d);
}

/* `events:` of a phase starting at t0 (ms) and lasting `duration`. */
static bool parse_events(rw_experiment *e, const rw_node *evs, const rw_phase_spec *ph, double t0,
                         rw_diag *d) {
    char what[160];
    snprintf(what, sizeof what, "phase '%s' events", ph->name ? ph->name : "?");
    if (evs->type != RW_NODE_SEQ) {
        rw_diag_error(d, evs->loc, "%s: expected a list, e.g. [{at: 1 s, add: {dopamine: 0.5}}]",
                      what);
        return false;
    }
    static const char *const keys[] = {"at", "add", "set"};
    bool ok = true;
    for (size_t i = 0; i < evs->n; i++) {
        const rw_node *ev = evs->items[i];
        char ewhat[160];
        snprintf(ewhat, sizeof ewhat, "phase '%s' event %zu", ph->name ? ph->name : "?", i);
        if (!rw_check_keys(ev, keys, ARRAY_LEN(keys), ewhat, d)) {
            ok = false;
            if (ev->type != RW_NODE_MAP) continue;
        }
        const rw_node *at = rw_require(ev, "at", ewhat, d);
        const rw_node *add = rw_map_get(ev, "add"), *set = rw_map_get(ev, "set");
        double t;
        char sub[256];
        snprintf(sub, sizeof sub, "%s time 'at' (within the phase)", ewhat);
        if (!at || !rw_get_quantity(at, REWIRE_DIM_TIME, sub, &t, d) ||
            !rw_check_range(at, t, 0, ph->duration, false, REWIRE_DIM_TIME, sub, d)) {
            ok = false;
            continue;
        }
        if (!add == !set) {
            rw_diag_error(d, ev->loc, "%s: expected exactly one of 'add' or 'set', e.g. "
                          "{at: 1 s, add: {dopamine: 0.5}}", ewhat);
            ok = false;
            continue;
        }
        const rw_node *changes = add ? add : set;
        if (changes->type != RW_NODE_MAP || changes->n == 0) {
            rw_diag_error(d, changes->loc, "%s: expected a mapping from neuromodulator names to "
                          "values, e.g. {dopamine: 0.5}", ewhat);
            ok = false;
            continue;
        }
        for (size_t k = 0; k < changes->n; k++) {
            rw_event_spec *out = realloc(e->events, (e->n_events + 1) * sizeof *e->events);
            if (!out) return false;
            e->events = out;
            rw_event_spec *es = &e->events[e->n_events];
            es->loc = changes->key_locs[k];
            es->time = t0 + t;
            es->set = set != NULL;
            /* The key names the channel: resolve it as a scalar at the key's place. */
            rw_node key = {.type = RW_NODE_SCALAR, .loc = changes->key_locs[k],
                           .scalar = changes->keys[k]};
            snprintf(sub, sizeof sub, "%s value", ewhat);
            if (!rw_resolve_modulator(e, &key, "neuromodulator", &es->modulator, d) ||
                !rw_get_real(changes->items[k], sub, &es->value, d)) {
                ok = false;
                continue;
            }
            e->n_events++;
        }
    }
    return ok;
}

static int event_order(const void *a, const void *b) {
    const rw_event_spec *x = a, *y = b;
    if (x->time != y->time) return x->time < y->time ? -1 : 1;
    /* Same time: file order (locations increase through the file). */
    if (x->loc.line != y->loc.line) return x->loc.line < y->loc.line ? -1 : 1;
    return (x->loc.col > y->loc.col) - (x->loc.col < y->loc.col);
}

static bool parse_timeline(rw_experiment *e, const rw_node *tl, rw_registry *reg, rw_diag *d) {
    if (tl->type != RW_NODE_SEQ || tl->n == 0) {
        rw_diag_error(d, tl->loc,
                      "timeline: expected a non-empty list of phases, e.g. "
                      "[{phase: run, duration: 1 s}]");
        return false;
    }
    e->phases = calloc(tl->n, sizeof *e->phases);
    if (!e->phases) return false;
    static const char *const keys[] = {"phase", "duration", "events", "injuries", "interventions"};
    bool ok = true;
    double t0 = 0;
    for (size_t i = 0; i < tl->n; i++) {
        const rw_node *ph = tl->items[i];
        rw_phase_spec *p = &e->phases[e->n_phases++];
        p->loc = ph->loc;
        char what[64];
        snprintf(what, sizeof what, "timeline phase %zu", i);
        if (!rw_check_keys(ph, keys, ARRAY_LEN(keys), what, d)) {
            ok = false;
            if (ph->type != RW_NODE_MAP) continue;
        }
        const rw_node *name = rw_require(ph, "phase", what, d);
        const rw_node *dur = rw_require(ph, "duration", what, d);
        const char *s;
        if (name && rw_get_string(name, "phase name", &s, d))
            p->name = dup_str(s);
        else
            ok = false;
        if (!dur) {
            ok = false;
            continue;
        }
        char dwhat[96];
        snprintf(dwhat, sizeof dwhat, "phase '%s' duration", p->name ? p->name : "?");
        if (!rw_get_quantity(dur, REWIRE_DIM_TIME, dwhat, &p->duration, d) ||
            !rw_check_range(dur, p->duration, 0, INFINITY, true, REWIRE_DIM_TIME, dwhat, d)) {
            ok = false;
        } else if (p->duration < e->dt * 0.5) {
            rw_diag_error(d, dur->loc, "%s is shorter than one step (dt = %g ms)", dwhat, e->dt);
            ok = false;
        } else {
            const rw_node *evs = rw_map_get(ph, "events");
            if (evs) ok = parse_events(e, evs, p, t0, d) && ok;
            const rw_node *inj = rw_map_get(ph, "injuries"), *iv = rw_map_get(ph, "interventions");
            if (p->name && inj) ok = rw_parse_injuries(e, inj, p, t0, reg, d) && ok;
            char where[96];
            snprintf(where, sizeof where, "phase '%s'", p->name ? p->name : "?");
            if (iv) ok = rw_parse_interventions(e, iv, where, t0, t0 + p->duration, reg, d) && ok;
            t0 += p->duration;
        }
    }
    if (e->n_events > 1) qsort(e->events, e->n_events, sizeof *e->events, event_order);
    rw_sort_injuries(e);
    return ok;
}

static bool parse_outputs(rw_experiment *e, const rw_node *outs, rw_registry *reg, rw_diag *d) {
    if (outs->type != RW_NODE_SEQ) {
        rw_diag_error(d, outs->loc, "outputs: expected a list, e.g. [{plugin: summary}]");
        return false;
    }
    e->outputs = calloc(outs->n ? outs->n : 1, sizeof *e->outputs);
    if (!e->outputs) return false;
    static const char *const keys[] = {"plugin", "channels", "params"};
    bool ok = true;
    for (size_t i = 0; i < outs->n; i++) {
        const rw_node *o = outs->items[i];
        char what[64];
        snprintf(what, sizeof what, "output %zu", i);
        if (!rw_check_keys(o, keys, ARRAY_LEN(keys), what, d)) {
            ok = false;
            if (o->type != RW_NODE_MAP) continue;
        }
        const rw_node *pn = rw_require(o, "plugin", what, d);
        const char *name;
        if (!pn || !rw_get_string(pn, "output plugin", &name, d)) {
            ok = false;
            continue;
        }
        const rw_plugin *pl = rw_registry_find(reg, name);
        if (!pl || pl->desc->kind != REWIRE_KIND_OUTPUT) {
            rw_registry_report_unknown(reg, REWIRE_KIND_OUTPUT, name, pn->loc, d);
            ok = false;
            continue;
        }
        rw_output_spec *out = &e->outputs[e->n_outputs++];
        out->ref.plugin = pl;
        out->ref.loc = pn->loc;
        const uint32_t n_channels = rw_experiment_channel_count(e);
        out->subscribed = calloc(n_channels ? n_channels : 1, sizeof *out->subscribed);
        out->ref.values = calloc(pl->desc->n_params ? pl->desc->n_params : 1,
                                 sizeof *out->ref.values);
        if (!out->subscribed || !out->ref.values) return false;
        char pname[128];
        snprintf(pname, sizeof pname, "output '%s'", name);
        ok = rw_params_from_experiment(e, pl->desc->params, pl->desc->n_params,
                                       rw_map_get(o, "params"), pn->loc, REWIRE_DIM_NONE, pname,
                                       out->ref.values, d) &&
             ok;
        const rw_node *ch = rw_map_get(o, "channels");
        if (!ch) {
            for (uint32_t r = 0; r < n_channels; r++) out->subscribed[r] = true;
            continue;
        }
        if (ch->type != RW_NODE_SEQ) {
            rw_diag_error(d, ch->loc, "output '%s' channels: expected a list of record names",
                          name);
            ok = false;
            continue;
        }
        for (size_t c = 0; c < ch->n; c++)
            ok = rw_resolve_output_channel(e, ch->items[c], out->subscribed, d) && ok;
    }
    return ok;
}

static char *read_text(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf) buf[n] = '\0';
    return buf;
}

static char *default_name(const char *path) {
    char *copy = dup_str(path);
    if (!copy) return NULL;
    char *base = basename(copy);
    char *dot = strrchr(base, '.');
    if (dot && dot != base) *dot = '\0';
    char *name = dup_str(base);
    free(copy);
    return name;
}

/* Folders in plugin_path are relative to the experiment file's folder. */
static void scan_plugin_paths(rw_experiment *e, const rw_node *root, rw_registry *reg,
                              rw_diag *d) {
    const rw_node *sec = rw_map_get(root, "experiment");
    const rw_node *pp = sec ? rw_map_get(sec, "plugin_path") : NULL;
    char *copy = dup_str(e->file);
    if (!copy) return;
    const char *dir = dirname(copy);
    for (uint32_t i = 0; i < e->n_plugin_paths; i++) {
        const char *p = e->plugin_paths[i];
        char full[4096];
        if (p[0] == '/')
            snprintf(full, sizeof full, "%s", p);
        else
            snprintf(full, sizeof full, "%s/%s", dir, p);
        rw_loc origin = pp && i < pp->n ? pp->items[i]->loc : root->loc;
        rw_registry_scan_dir(reg, full, origin, d);
    }
    free(copy);
}

static char *join_overrides(const rw_load_options *o) {
    size_t len = 1;
    for (int i = 0; i < o->n_sets; i++) len += strlen(o->sets[i]) + 1;
    if (o->has_seed) len += 48;
    char *s = malloc(len), *p = s;
    if (!s) return NULL;
    *p = '\0';
    for (int i = 0; i < o->n_sets; i++) p += sprintf(p, "%s\n", o->sets[i]);
    if (o->has_seed) sprintf(p, "experiment.seed=%" PRIu64 "\n", o->seed);
    return s;
}

rw_experiment *rw_experiment_load(const char *path, const rw_load_options *opts,
                                  rw_registry *reg, rw_diag *d) {
    static const rw_load_options none = {0};
    if (!opts) opts = &none;
    rw_experiment *e = calloc(1, sizeof *e);
    if (!e) return NULL;
    e->file = dup_str(path);
    e->dt = 0.1;
    e->seed = 1;
    e->name = default_name(path);
    e->overrides = join_overrides(opts);
    size_t errors_before = rw_diag_errors(d);

    rw_node *root = rw_config_load_file(path, d);
    e->tree = root;
    if (!root) goto fail;
    e->text = read_text(path);
    for (int i = 0; i < opts->n_sets; i++) rw_config_set(root, opts->sets[i], i + 1, d);
    if (opts->has_seed) {
        char arg[64];
        snprintf(arg, sizeof arg, "experiment.seed=%" PRIu64, opts->seed);
        if (!rw_map_get(root, "experiment")) rw_config_set(root, "experiment={}", 0, d);
        rw_config_set(root, arg, 0, d);
    }
    if (rw_diag_errors(d) > errors_before) goto fail;

    static const char *const top[] = {"experiment", "populations", "neuromodulators",
                                      "projections", "record",     "measures", "timeline",
                                      "outputs",     "interventions", "regions"};
    rw_check_keys(root, top, ARRAY_LEN(top), "the experiment file", d);
    if (root->type != RW_NODE_MAP) goto fail;

    const rw_node *sec;
    if ((sec = rw_map_get(root, "experiment")) && parse_experiment_section(e, sec, d))
        scan_plugin_paths(e, root, reg, d);
    if ((sec = rw_require(root, "populations", "the experiment file", d)))
        rw_parse_populations(e, sec, d);
    rw_parse_regions(e, rw_map_get(root, "regions"), d); /* even without: creates the pool */
    if ((sec = rw_map_get(root, "neuromodulators"))) parse_modulators(e, sec, d);
    if ((sec = rw_map_get(root, "projections"))) rw_parse_projections(e, sec, reg, d);
    if ((sec = rw_map_get(root, "record"))) rw_parse_records(e, sec, d);
    if ((sec = rw_map_get(root, "measures"))) rw_parse_measures(e, sec, d);
    if ((sec = rw_require(root, "timeline", "the experiment file", d))) parse_timeline(e, sec, reg, d);
    if ((sec = rw_map_get(root, "interventions")) && e->n_phases)
        rw_parse_interventions(e, sec, "top-level", 0, rw_experiment_duration(e), reg, d);
    rw_check_intervention_conflicts(e, d);
    if ((sec = rw_map_get(root, "outputs"))) parse_outputs(e, sec, reg, d);

    if (rw_diag_errors(d) > errors_before) goto fail;
    /* Weight snapshots without an interval: one at the start, one at the end. */
    for (uint32_t i = 0; i < e->n_records; i++)
        if (e->records[i].kind == RW_RECORD_WEIGHTS && isinf(e->records[i].interval))
            e->records[i].interval = rw_experiment_duration(e);
    return e;
fail:
    rw_experiment_free(e);
    return NULL;
}

double rw_experiment_duration(const rw_experiment *e) {
    double t = 0;
    for (uint32_t i = 0; i < e->n_phases; i++) t += e->phases[i].duration;
    return t;
}

void rw_experiment_free(rw_experiment *e) {
    if (!e) return;
    for (uint32_t i = 0; i < e->n_populations; i++) {
        rw_population_spec *p = &e->populations[i];
        free(p->name);
        free(p->spike_neuron);
        free(p->spike_time);
        free(p->patterns);
        free(p->x);
        free(p->y);
    }
    free(e->populations);
    for (uint32_t i = 0; i < e->n_projections; i++) {
        free(e->projections[i].name);
        free(e->projections[i].rule.values);
    }
    free(e->projections);
    for (uint32_t i = 0; i < e->n_records; i++) {
        free(e->records[i].name);
        free(e->records[i].neurons);
    }
    free(e->records);
    rw_experiment_free_measures(e);
    for (uint32_t i = 0; i < e->n_phases; i++) free(e->phases[i].name);
    free(e->phases);
    for (uint32_t i = 0; i < e->n_outputs; i++) {
        free(e->outputs[i].subscribed);
        free(e->outputs[i].ref.values);
    }
    free(e->outputs);
    for (uint32_t i = 0; i < e->n_modulators; i++) free(e->modulators[i].name);
    free(e->modulators);
    free(e->events);
    rw_free_timeline_plugins(e);
    for (uint32_t i = 0; i < e->n_plugin_paths; i++) free(e->plugin_paths[i]);
    free(e->plugin_paths);
    rw_space_free(e);
    free(e->name);
    free(e->file);
    free(e->text);
    free(e->overrides);
    rw_node_free(e->tree);
    free(e);
}
