/* Space and selection (space.h): layouts, distances, selection filters and their
 * evaluation, and the experiment's pool of resolved selections and name lists. */
#include "space.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiment_parse.h"
#include "rng.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the pool: blocks the experiment owns (selections, name lists) ---- */

struct rw_space_pool {
    size_t n, cap;
    void **blocks;
};

/* Keep `block` until the experiment is freed; false (block freed) when out of memory. */
static bool pool_keep(const rw_experiment *e, void *block) {
    struct rw_space_pool *p = e->space_pool;
    if (!p || !block) {
        free(block);
        return false;
    }
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 16;
        void **b = realloc(p->blocks, cap * sizeof *b);
        if (!b) {
            free(block);
            return false;
        }
        p->blocks = b;
        p->cap = cap;
    }
    p->blocks[p->n++] = block;
    return true;
}

bool rw_space_pool_create(rw_experiment *e) {
    if (!e->space_pool) e->space_pool = calloc(1, sizeof *e->space_pool);
    return e->space_pool != NULL;
}

void rw_space_free(rw_experiment *e) {
    struct rw_space_pool *p = e->space_pool;
    if (p) {
        for (size_t i = 0; i < p->n; i++) free(p->blocks[i]);
        free(p->blocks);
        free(p);
        e->space_pool = NULL;
    }
    for (uint32_t i = 0; i < e->n_regions; i++) {
        free(e->regions[i].name);
        free((void *)e->regions[i].sel.index);
    }
    free(e->regions);
    e->regions = NULL;
    e->n_regions = 0;
}

/* ---- layouts and distances ---- */

void rw_layout_positions(rw_layout_kind kind, uint32_t size, uint32_t nx, uint32_t ny, float *x,
                         float *y) {
    if (kind == RW_LAYOUT_LINE) {
        for (uint32_t i = 0; i < size; i++) {
            x[i] = (float)((i + 0.5) / size);
            y[i] = 0.5f;
        }
    } else if (kind == RW_LAYOUT_GRID && nx && ny) {
        for (uint32_t i = 0; i < size; i++) {
            x[i] = (float)((i % nx + 0.5) / nx);
            y[i] = (float)((i / nx + 0.5) / ny);
        }
    }
}

static double wrap(double dx, bool periodic) {
    dx = fabs(dx);
    return periodic && dx > 0.5 ? 1.0 - dx : dx;
}

double rw_space_distance(double x0, double y0, double x1, double y1, bool periodic) {
    return hypot(wrap(x1 - x0, periodic), wrap(y1 - y0, periodic));
}

/* [x, y], both numbers (any values: shapes may reach outside the square). */
static bool parse_point(const rw_node *n, const char *what, double *x, double *y, rw_diag *d) {
    if (n->type != RW_NODE_SEQ || n->n != 2) {
        char got[96];
        if (n->type == RW_NODE_SEQ)
            snprintf(got, sizeof got, "a list of %zu item%s", n->n, n->n == 1 ? "" : "s");
        else
            rw_node_describe(n, got, sizeof got);
        rw_diag_error(d, n->loc, "%s: expected a point [x, y], got %s", what, got);
        return false;
    }
    bool ok = rw_get_real(n->items[0], what, x, d);
    return rw_get_real(n->items[1], what, y, d) && ok;
}

bool rw_parse_layout(rw_population_spec *p, const rw_node *ln, rw_diag *d) {
    char what[160], sub[200];
    snprintf(what, sizeof what, "population '%s' layout", p->name);
    static const char *const keys[] = {"line", "grid", "positions", "periodic"};
    if (!rw_check_keys(ln, keys, ARRAY_LEN(keys), what, d)) return false;
    const rw_node *line = rw_map_get(ln, "line"), *grid = rw_map_get(ln, "grid"),
                  *pos = rw_map_get(ln, "positions"), *n;
    if ((line != NULL) + (grid != NULL) + (pos != NULL) != 1) {
        rw_diag_error(d, ln->loc,
                      "%s: expected exactly one of 'line: true', 'grid: [nx, ny]' or "
                      "'positions: [[x, y], ...]'",
                      what);
        return false;
    }
    bool ok = true;
    if ((n = rw_map_get(ln, "periodic"))) {
        snprintf(sub, sizeof sub, "%s periodic", what);
        ok = rw_get_bool(n, sub, &p->periodic, d);
    }
    if (line) {
        bool on;
        snprintf(sub, sizeof sub, "%s line", what);
        if (!rw_get_bool(line, sub, &on, d)) return false;
        if (!on) {
            rw_diag_error(d, line->loc, "%s: 'line: false' is no layout; leave 'layout' out", what);
            return false;
        }
        p->layout = RW_LAYOUT_LINE;
    } else if (grid) {
        int64_t g[2] = {0, 0};
        snprintf(sub, sizeof sub, "%s grid", what);
        if (grid->type != RW_NODE_SEQ || grid->n != 2) {
            rw_diag_error(d, grid->loc, "%s: expected [nx, ny], two numbers of columns and rows",
                          sub);
            return false;
        }
        for (int k = 0; k < 2; k++)
            if (!rw_get_int(grid->items[k], sub, &g[k], d) ||
                !rw_check_range(grid->items[k], (double)g[k], 1, 4294967295.0, false,
                                REWIRE_DIM_NONE, sub, d))
                return false;
        if ((uint64_t)g[0] * (uint64_t)g[1] != p->size) {
            rw_diag_error(d, grid->loc,
                          "%s: a grid of %lld x %lld holds %llu neurons, and the population has %u",
                          sub, (long long)g[0], (long long)g[1],
                          (unsigned long long)((uint64_t)g[0] * (uint64_t)g[1]), p->size);
            return false;
        }
        p->layout = RW_LAYOUT_GRID;
        p->grid_nx = (uint32_t)g[0];
        p->grid_ny = (uint32_t)g[1];
    } else {
        snprintf(sub, sizeof sub, "%s positions", what);
        if (pos->type != RW_NODE_SEQ || pos->n != p->size) {
            rw_diag_error(d, pos->loc, "%s: expected a list of %u points [x, y] (one per neuron)",
                          sub, p->size);
            return false;
        }
        p->layout = RW_LAYOUT_POSITIONS;
    }
    p->x = malloc((size_t)p->size * sizeof *p->x);
    p->y = malloc((size_t)p->size * sizeof *p->y);
    if (!p->x || !p->y) {
        rw_diag_error(d, ln->loc, "out of memory placing the %u neurons of population '%s'",
                      p->size, p->name);
        return false;
    }
    if (p->layout != RW_LAYOUT_POSITIONS) {
        rw_layout_positions(p->layout, p->size, p->grid_nx, p->grid_ny, p->x, p->y);
        return ok;
    }
    for (uint32_t i = 0; i < p->size; i++) {
        const rw_node *pt = pos->items[i];
        double x = 0, y = 0;
        if (!parse_point(pt, sub, &x, &y, d)) {
            ok = false;
            continue;
        }
        if (!(x >= 0 && x <= 1 && y >= 0 && y <= 1)) {
            rw_diag_error(d, pt->loc, "%s: point %u (%g, %g) is outside the unit square [0, 1] x [0, 1]",
                          sub, i, x, y);
            ok = false;
        }
        p->x[i] = (float)x;
        p->y[i] = (float)y;
    }
    return ok;
}

/* ---- selection filters ---- */

static const char *const shape_names[] = {"", "disc", "rect", "near"};

static bool parse_radius(const rw_node *map, const char *key, const char *what, bool positive,
                         double *out, rw_diag *d) {
    const rw_node *n = rw_require(map, key, what, d);
    char sub[256];
    snprintf(sub, sizeof sub, "%s %s", what, key);
    return n && rw_get_real(n, sub, out, d) &&
           rw_check_range(n, *out, 0, INFINITY, positive, REWIRE_DIM_NONE, sub, d);
}

static bool parse_shape(rw_selection_filter *f, rw_shape_kind kind, const rw_node *sn,
                        const char *what, rw_diag *d) {
    char sw[224], sub[256];
    snprintf(sw, sizeof sw, "%s %s", what, shape_names[kind]);
    static const char *const disc_keys[] = {"center", "radius"};
    static const char *const rect_keys[] = {"min", "max"};
    static const char *const near_keys[] = {"point", "max", "min"};
    f->shape = kind;
    if (kind == RW_SHAPE_DISC) {
        if (!rw_check_keys(sn, disc_keys, ARRAY_LEN(disc_keys), sw, d)) return false;
        const rw_node *c = rw_require(sn, "center", sw, d);
        snprintf(sub, sizeof sub, "%s center", sw);
        bool ok = c && parse_point(c, sub, &f->a, &f->b, d);
        return parse_radius(sn, "radius", sw, true, &f->r1, d) && ok;
    }
    if (kind == RW_SHAPE_RECT) {
        if (!rw_check_keys(sn, rect_keys, ARRAY_LEN(rect_keys), sw, d)) return false;
        const rw_node *lo = rw_require(sn, "min", sw, d), *hi = rw_require(sn, "max", sw, d);
        if (!lo || !hi) return false;
        snprintf(sub, sizeof sub, "%s min", sw);
        bool ok = parse_point(lo, sub, &f->a, &f->b, d);
        snprintf(sub, sizeof sub, "%s max", sw);
        ok = parse_point(hi, sub, &f->c, &f->d, d) && ok;
        if (ok && !(f->c > f->a && f->d > f->b)) {
            rw_diag_error(d, hi->loc, "%s: max [%g, %g] must be above min [%g, %g] in x and y", sw,
                          f->c, f->d, f->a, f->b);
            return false;
        }
        return ok;
    }
    if (!rw_check_keys(sn, near_keys, ARRAY_LEN(near_keys), sw, d)) return false;
    const rw_node *pt = rw_require(sn, "point", sw, d);
    snprintf(sub, sizeof sub, "%s point", sw);
    bool ok = pt && parse_point(pt, sub, &f->a, &f->b, d);
    ok = parse_radius(sn, "max", sw, true, &f->r1, d) && ok;
    f->r0 = 0;
    if (rw_map_get(sn, "min")) ok = parse_radius(sn, "min", sw, false, &f->r0, d) && ok;
    if (ok && !(f->r0 < f->r1)) {
        rw_diag_error(d, rw_map_get(sn, "min")->loc, "%s: min (%g) must be below max (%g)", sw,
                      f->r0, f->r1);
        return false;
    }
    return ok;
}

bool rw_selection_filter_parse(const rw_experiment *e, const rw_node *map, const char *what,
                               rw_selection_filter *f, rw_diag *d) {
    static const char *const keys[] = {"population", "disc", "rect", "near", "indices", "fraction"};
    memset(f, 0, sizeof *f);
    f->fraction = 1.0;
    bool ok = rw_check_keys(map, keys, ARRAY_LEN(keys), what, d);
    if (map->type != RW_NODE_MAP) return false;
    const rw_node *pn = rw_require(map, "population", what, d);
    if (!pn || !rw_resolve_population(e, pn, "population", &f->population, d)) return false;
    const rw_population_spec *pop = &e->populations[f->population];
    char sub[224];
    /* A shape: at most one, and only on a population with positions. */
    const rw_node *shape = NULL;
    for (int k = RW_SHAPE_DISC; k <= RW_SHAPE_NEAR; k++) {
        const rw_node *sn = rw_map_get(map, shape_names[k]);
        if (!sn) continue;
        if (shape) {
            rw_diag_error(d, rw_map_key_loc(map, shape_names[k]),
                          "%s: give at most one of disc, rect and near (got %s and %s)", what,
                          shape_names[f->shape], shape_names[k]);
            ok = false;
            continue;
        }
        shape = sn;
        if (pop->layout == RW_LAYOUT_NONE) {
            rw_diag_error(d, rw_map_key_loc(map, shape_names[k]),
                          "%s: '%s' selects by position, and population '%s' has no layout "
                          "(give it one, e.g. 'layout: {grid: [10, 10]}', or select by indices)",
                          what, shape_names[k], pop->name);
            f->shape = (rw_shape_kind)k;
            ok = false;
            continue;
        }
        ok = parse_shape(f, (rw_shape_kind)k, sn, what, d) && ok;
    }
    const rw_node *n;
    if ((n = rw_map_get(map, "indices"))) {
        snprintf(sub, sizeof sub, "%s indices", what);
        int64_t a = -1, b = -1;
        bool good = n->type == RW_NODE_SEQ && n->n == 2 && rw_get_int(n->items[0], sub, &a, d) &&
                    rw_get_int(n->items[1], sub, &b, d);
        if (!good || !(a >= 0 && a < b && b <= (int64_t)pop->size)) {
            char got[96];
            if (good)
                snprintf(got, sizeof got, "[%lld, %lld]", (long long)a, (long long)b);
            else if (n->type == RW_NODE_SEQ)
                snprintf(got, sizeof got, "a list of %zu item%s", n->n, n->n == 1 ? "" : "s");
            else
                rw_node_describe(n, got, sizeof got);
            rw_diag_error(d, n->loc,
                          "%s: expected [first, end) with 0 <= first < end <= %u (the size of "
                          "population '%s'), got %s",
                          sub, pop->size, pop->name, got);
            ok = false;
        } else {
            f->has_indices = true;
            f->first = (uint32_t)a;
            f->end = (uint32_t)b;
        }
    }
    if ((n = rw_map_get(map, "fraction"))) {
        snprintf(sub, sizeof sub, "%s fraction", what);
        ok = rw_get_real(n, sub, &f->fraction, d) &&
             rw_check_range(n, f->fraction, 0, 1, true, REWIRE_DIM_NONE, sub, d) && ok;
    }
    return ok;
}

static bool passes_shape(const rw_selection_filter *f, double x, double y, bool periodic) {
    switch (f->shape) {
    case RW_SHAPE_DISC: return rw_space_distance(f->a, f->b, x, y, periodic) <= f->r1;
    case RW_SHAPE_RECT: return x >= f->a && x < f->c && y >= f->b && y < f->d;
    case RW_SHAPE_NEAR: {
        double r = rw_space_distance(f->a, f->b, x, y, periodic);
        return r >= f->r0 && r < f->r1;
    }
    case RW_SHAPE_NONE:
    default: return true;
    }
}

/* FNV-1a: the stream of a region's name. */
static uint64_t name_hash(const char *s) {
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

typedef struct ranked {
    double u;
    uint32_t i;
} ranked;

static int by_draw(const void *a, const void *b) {
    const ranked *x = a, *y = b;
    if (x->u != y->u) return x->u < y->u ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

static int by_index(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

uint32_t rw_selection_eval(const rw_experiment *e, const rw_selection_filter *f, const char *name,
                           uint32_t **out) {
    *out = NULL;
    const rw_population_spec *p = &e->populations[f->population];
    uint32_t lo = f->has_indices ? f->first : 0, hi = f->has_indices ? f->end : p->size;
    uint32_t *idx = malloc((size_t)(hi > lo ? hi - lo : 1) * sizeof *idx);
    if (!idx) return UINT32_MAX;
    uint32_t n = 0;
    for (uint32_t i = lo; i < hi; i++)
        if (f->shape == RW_SHAPE_NONE || (p->x && passes_shape(f, p->x[i], p->y[i], p->periodic)))
            idx[n++] = i;
    if (f->fraction < 1.0 && n > 0) {
        /* Rank by a draw per neuron (its own counter: independent of the other filters),
         * keep the round(f n) lowest. */
        ranked *r = malloc((size_t)n * sizeof *r);
        if (!r) {
            free(idx);
            return UINT32_MAX;
        }
        uint64_t stream = rw_stream_id(RW_STREAM_SELECTION, name_hash(name ? name : ""));
        for (uint32_t k = 0; k < n; k++)
            r[k] = (ranked){rw_rng_uniform(e->seed, stream, idx[k], 0), idx[k]};
        qsort(r, n, sizeof *r, by_draw);
        uint32_t keep = (uint32_t)nearbyint(f->fraction * n);
        for (uint32_t k = 0; k < keep; k++) idx[k] = r[k].i;
        free(r);
        n = keep;
        qsort(idx, n, sizeof *idx, by_index);
    }
    if (n == 0) {
        free(idx);
        return 0;
    }
    *out = idx;
    return n;
}

/* ---- resolving a node ---- */

/* A selection block: the struct and its indices in one allocation, kept in the pool. */
typedef struct sel_block {
    rewire_selection sel;
    uint32_t index[];
} sel_block;

static rewire_selection *keep_selection(const rw_experiment *e, uint32_t pop, const char *name,
                                        const uint32_t *idx, uint32_t n) {
    sel_block *b = malloc(sizeof *b + (size_t)n * sizeof(uint32_t));
    if (!b) return NULL;
    memcpy(b->index, idx, (size_t)n * sizeof(uint32_t));
    b->sel = (rewire_selection){name, e->populations[pop].name, e->populations[pop].size, n,
                                b->index};
    return pool_keep(e, b) ? &b->sel : NULL;
}

static bool oom(const rw_node *n, const char *what, rw_diag *d) {
    rw_diag_error(d, n->loc, "%s: out of memory resolving the selection", what);
    return false;
}

bool rw_selection_from_node(const rw_experiment *e, const rw_node *node, const char *what,
                            rewire_selection **out, rw_diag *d) {
    *out = NULL;
    if (node && node->type == RW_NODE_MAP) {
        rw_selection_filter f;
        if (!rw_selection_filter_parse(e, node, what, &f, d)) return false;
        uint32_t *idx;
        uint32_t n = rw_selection_eval(e, &f, "", &idx);
        if (n == UINT32_MAX) return oom(node, what, d);
        if (n == 0) {
            rw_diag_error(d, node->loc, "%s selects no neuron", what);
            return false;
        }
        *out = keep_selection(e, f.population, "", idx, n);
        free(idx);
        return *out ? true : oom(node, what, d);
    }
    if (!node || node->type != RW_NODE_SCALAR || rw_node_is_null(node)) {
        char got[96];
        rw_diag_error(d, node ? node->loc : (rw_loc){e->file, 0, 0},
                      "%s: expected a region name, a population name or a selection "
                      "{population: P, disc | rect | near: ..., indices: [first, end], "
                      "fraction: f}, got %s",
                      what, rw_node_describe(node, got, sizeof got));
        return false;
    }
    const char *name;
    if (!rw_get_string(node, what, &name, d)) return false;
    for (uint32_t r = 0; r < e->n_regions; r++)
        if (strcmp(e->regions[r].name, name) == 0) {
            *out = &e->regions[r].sel;
            /* A region with errors has no neurons: its own errors say why. */
            return e->regions[r].sel.n > 0;
        }
    int p = rw_experiment_find_population(e, name);
    if (p >= 0) {
        if (e->populations[p].broken) return false;
        uint32_t size = e->populations[p].size;
        uint32_t *idx = malloc((size_t)size * sizeof *idx);
        if (!idx) return oom(node, what, d);
        for (uint32_t i = 0; i < size; i++) idx[i] = i;
        *out = keep_selection(e, (uint32_t)p, "", idx, size);
        free(idx);
        return *out ? true : oom(node, what, d);
    }
    size_t nn = (size_t)e->n_regions + e->n_populations;
    const char **names = malloc((nn ? nn : 1) * sizeof *names);
    if (!names) return oom(node, what, d);
    size_t k = 0;
    for (uint32_t r = 0; r < e->n_regions; r++) names[k++] = e->regions[r].name;
    for (uint32_t i = 0; i < e->n_populations; i++)
        if (e->populations[i].name) names[k++] = e->populations[i].name;
    rw_report_unknown_name("region or population", name, node->loc, names, k, d);
    free(names);
    return false;
}

/* A name list block: the struct and its names in one allocation, kept in the pool. */
typedef struct names_block {
    rewire_name_list list;
    const char *names[];
} names_block;

bool rw_name_list_from_node(const rw_experiment *e, const rw_node *node, bool projections,
                            const char *what, rewire_name_list **out, rw_diag *d) {
    *out = NULL;
    const char *kind = projections ? "projection" : "population";
    bool seq = node && node->type == RW_NODE_SEQ;
    if (!node || (!seq && node->type != RW_NODE_SCALAR) || rw_node_is_null(node) ||
        (seq && node->n == 0)) {
        char got[96];
        rw_diag_error(d, node ? node->loc : (rw_loc){e->file, 0, 0},
                      "%s: expected a %s name or a non-empty list of them, got %s", what, kind,
                      rw_node_describe(node, got, sizeof got));
        return false;
    }
    size_t n = seq ? node->n : 1;
    names_block *b = malloc(sizeof *b + n * sizeof(const char *));
    if (!b) return oom(node, what, d);
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        const rw_node *item = seq ? node->items[i] : node;
        uint32_t k = 0;
        bool found = projections ? rw_resolve_projection(e, item, what, &k, d)
                                 : rw_resolve_population(e, item, what, &k, d);
        if (!found) {
            ok = false;
            continue;
        }
        b->names[i] = projections ? e->projections[k].name : e->populations[k].name;
        for (size_t j = 0; j < i && ok; j++)
            if (b->names[j] == b->names[i]) {
                rw_diag_error(d, item->loc, "%s: %s '%s' is listed twice", what, kind,
                              b->names[i]);
                ok = false;
            }
    }
    if (!ok) {
        free(b);
        return false;
    }
    b->list = (rewire_name_list){(uint32_t)n, b->names};
    if (!pool_keep(e, b)) return oom(node, what, d);
    *out = &b->list;
    return true;
}
