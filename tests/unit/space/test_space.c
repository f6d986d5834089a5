/* Space and selection (core/space.c): the documented layout formulas, distances (plain
 * and periodic), each region shape against a brute-force check of the definition, index
 * ranges, random fractions (count round(f n), determinism, dependence on seed and name,
 * the proportion over many seeds), and resolution from the config tree: regions, whole
 * populations, inline mappings and their errors. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "space.h"
#include "tap.h"

static rw_population_spec pops[2];
static rw_experiment ex;

/* cortex: 20 x 20 grid (periodic or not); strip: 50 neurons on a line. */
static void setup(bool periodic, uint64_t seed) {
    static float gx[400], gy[400], lx[50], ly[50];
    memset(pops, 0, sizeof pops);
    memset(&ex, 0, sizeof ex);
    pops[0] = (rw_population_spec){.name = "cortex", .model = RW_MODEL_LIF_CUBA, .size = 400,
                                   .layout = RW_LAYOUT_GRID, .periodic = periodic,
                                   .grid_nx = 20, .grid_ny = 20, .x = gx, .y = gy};
    pops[1] = (rw_population_spec){.name = "strip", .model = RW_MODEL_LIF_CUBA, .size = 50,
                                   .layout = RW_LAYOUT_LINE, .x = lx, .y = ly};
    rw_layout_positions(RW_LAYOUT_GRID, 400, 20, 20, gx, gy);
    rw_layout_positions(RW_LAYOUT_LINE, 50, 0, 0, lx, ly);
    ex.file = "t.yaml";
    ex.seed = seed;
    ex.populations = pops;
    ex.n_populations = 2;
}

static void test_layouts(void) {
    float x[12], y[12];
    rw_layout_positions(RW_LAYOUT_LINE, 4, 0, 0, x, y);
    CHECK(x[0] == 0.125f && x[3] == 0.875f && y[0] == 0.5f && y[3] == 0.5f,
          "line: x = (i + 0.5) / n, y = 0.5");
    rw_layout_positions(RW_LAYOUT_GRID, 12, 4, 3, x, y);
    bool ok = true;
    for (uint32_t i = 0; i < 12; i++)
        ok = ok && x[i] == (float)((i % 4 + 0.5) / 4) && y[i] == (float)((i / 4 + 0.5) / 3);
    CHECK(ok, "grid [4, 3]: i = row nx + col, x = (col + 0.5) / nx, y = (row + 0.5) / ny");
}

static void test_distance(void) {
    CHECK_NEAR(rw_space_distance(0.1, 0.2, 0.4, 0.6, false), 0.5, 1e-12, "3-4-5 distance");
    CHECK_NEAR(rw_space_distance(0.05, 0.5, 0.95, 0.5, false), 0.9, 1e-12, "flat: across the square");
    CHECK_NEAR(rw_space_distance(0.05, 0.5, 0.95, 0.5, true), 0.1, 1e-12, "periodic: wraps in x");
    CHECK_NEAR(rw_space_distance(0.1, 0.1, 0.9, 0.9, true), sqrt(0.08), 1e-12,
               "periodic: wraps in x and y (corner to corner)");
    CHECK_NEAR(rw_space_distance(0.2, 0.3, 0.5, 0.3, true), 0.3, 1e-12,
               "periodic: no wrap below half the side");
    CHECK(rw_space_distance(0.0, 0.0, 0.5, 0.5, true) <= sqrt(0.5) + 1e-12,
          "periodic distances never exceed the half diagonal");
}

/* Brute force: the neurons of cortex inside the shape, by the definition. */
static uint32_t expect_shape(const rw_selection_filter *f, uint32_t *out) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < 400; i++) {
        double x = pops[0].x[i], y = pops[0].y[i], d = rw_space_distance(f->a, f->b, x, y, pops[0].periodic);
        bool in = f->shape == RW_SHAPE_DISC   ? d <= f->r1
                  : f->shape == RW_SHAPE_RECT ? (x >= f->a && x < f->c && y >= f->b && y < f->d)
                                              : (d >= f->r0 && d < f->r1);
        if (f->has_indices) in = in && i >= f->first && i < f->end;
        if (in) out[n++] = i;
    }
    return n;
}

static void check_shape(const char *what, rw_selection_filter f, uint32_t min_expected) {
    uint32_t want[400], *got;
    uint32_t nw = expect_shape(&f, want);
    uint32_t n = rw_selection_eval(&ex, &f, "r", &got);
    CHECK(n == nw && nw >= min_expected && (n == 0 || memcmp(got, want, n * sizeof *got) == 0),
          "%s: %u neurons, as the definition says (%u)", what, n, nw);
    free(got);
}

static void test_shapes(void) {
    for (int periodic = 0; periodic < 2; periodic++) {
        setup(periodic, 1);
        const char *p = periodic ? "periodic" : "flat";
        char what[96];
        snprintf(what, sizeof what, "disc at the edge (%s)", p);
        check_shape(what, (rw_selection_filter){.shape = RW_SHAPE_DISC, .a = 0.02, .b = 0.5, .r1 = 0.2,
                                                .fraction = 1},
                    10);
        snprintf(what, sizeof what, "rect (%s)", p);
        check_shape(what, (rw_selection_filter){.shape = RW_SHAPE_RECT, .a = 0.2, .b = 0.1, .c = 0.6,
                                                .d = 0.3, .fraction = 1},
                    32);
        snprintf(what, sizeof what, "near, an annulus (%s)", p);
        check_shape(what, (rw_selection_filter){.shape = RW_SHAPE_NEAR, .a = 0.5, .b = 0.5, .r0 = 0.1,
                                                .r1 = 0.3, .fraction = 1},
                    50);
        snprintf(what, sizeof what, "disc AND index range (%s)", p);
        check_shape(what, (rw_selection_filter){.shape = RW_SHAPE_DISC, .a = 0.5, .b = 0.5, .r1 = 0.3,
                                                .has_indices = true, .first = 150, .end = 210,
                                                .fraction = 1},
                    5);
    }
    setup(true, 1);
    /* A grid neuron's disc of radius 0 holds the neuron itself only. */
    uint32_t *got;
    rw_selection_filter f = {.shape = RW_SHAPE_DISC, .a = pops[0].x[37], .b = pops[0].y[37],
                             .r1 = 0.0, .fraction = 1};
    uint32_t n = rw_selection_eval(&ex, &f, "r", &got);
    CHECK(n == 1 && got[0] == 37, "a disc of radius 0 on a neuron: that neuron");
    free(got);
    /* The rect is half-open: a rect ending on a row of neurons leaves it out. */
    f = (rw_selection_filter){.shape = RW_SHAPE_RECT, .a = 0, .b = 0, .c = 1, .d = 0.075, .fraction = 1};
    n = rw_selection_eval(&ex, &f, "r", &got);
    CHECK(n == 20 && got[0] == 0 && got[19] == 19, "rect [min, max): the row at y = max is out");
    free(got);
    f = (rw_selection_filter){.shape = RW_SHAPE_DISC, .a = 0.5, .b = 0.5, .r1 = 0.01, .fraction = 1};
    n = rw_selection_eval(&ex, &f, "r", &got);
    CHECK(n == 0 && got == NULL, "a disc between grid points selects nothing");
    f = (rw_selection_filter){.has_indices = true, .first = 7, .end = 12, .fraction = 1};
    n = rw_selection_eval(&ex, &f, "r", &got);
    CHECK(n == 5 && got[0] == 7 && got[4] == 11, "indices [7, 12): 7 .. 11");
    free(got);
}

static bool same(const uint32_t *a, uint32_t na, const uint32_t *b, uint32_t nb) {
    return na == nb && memcmp(a, b, na * sizeof *a) == 0;
}

static void test_fraction(void) {
    setup(false, 7);
    rw_selection_filter f = {.population = 0, .fraction = 0.25};
    uint32_t *a, *b, *c, *d2;
    uint32_t na = rw_selection_eval(&ex, &f, "lesion", &a);
    uint32_t nb = rw_selection_eval(&ex, &f, "lesion", &b);
    uint32_t nc = rw_selection_eval(&ex, &f, "other", &c);
    ex.seed = 8;
    uint32_t nd = rw_selection_eval(&ex, &f, "lesion", &d2);
    CHECK(na == 100, "fraction 0.25 of 400: exactly 100 (got %u)", na);
    bool inc = true;
    for (uint32_t k = 1; k < na; k++) inc = inc && a[k] > a[k - 1];
    CHECK(inc, "the kept neurons are increasing, without repeats");
    CHECK(same(a, na, b, nb), "same seed and name: the same neurons");
    CHECK(!same(a, na, c, nc), "another name: other neurons");
    CHECK(!same(a, na, d2, nd), "another seed: other neurons");
    free(a);
    free(b);
    free(c);
    free(d2);

    /* round(f n): 0.3 of 5 candidates keeps 2; a fraction rounding to 0 keeps none. */
    ex.seed = 7;
    f = (rw_selection_filter){.population = 1, .has_indices = true, .first = 0, .end = 5,
                              .fraction = 0.3};
    CHECK(rw_selection_eval(&ex, &f, "x", &a) == 2, "0.3 of 5 neurons: round(1.5) = 2");
    free(a);
    f.fraction = 0.05;
    CHECK(rw_selection_eval(&ex, &f, "x", &a) == 0, "0.05 of 5 neurons: none");

    /* Over many seeds each neuron of the strip is kept with probability 1/2: chi-square
     * over the 50 neurons (df 49; 0.9999 quantile below 100). */
    double counts[50] = {0};
    const int seeds = 200;
    f = (rw_selection_filter){.population = 1, .fraction = 0.5};
    bool all25 = true;
    for (int s = 0; s < seeds; s++) {
        ex.seed = 1000 + (uint64_t)s;
        uint32_t n = rw_selection_eval(&ex, &f, "half", &a);
        all25 = all25 && n == 25;
        for (uint32_t k = 0; k < n; k++) counts[a[k]]++;
        free(a);
    }
    double chi2 = 0;
    for (int i = 0; i < 50; i++) chi2 += (counts[i] - seeds / 2.0) * (counts[i] - seeds / 2.0) / (seeds / 4.0);
    CHECK(all25, "fraction 0.5 of 50: 25 every time");
    CHECK(chi2 < 100, "each neuron kept about half the time over %d seeds (chi2 %.1f, df 49)", seeds, chi2);
}

/* ---- from the config tree ---- */

static rw_node *load(const char *text, rw_diag *d) { return rw_config_load_string("s.yaml", text, d); }

static void test_nodes(void) {
    setup(false, 3);
    /* rw_experiment_free is not used: the fixture's populations are static. */
    rw_diag *d = rw_diag_new();
    rw_node *root = load("regions:\n"
                         "  core: {population: cortex, disc: {center: [0.5, 0.5], radius: 0.1}}\n"
                         "  half: {population: strip, fraction: 0.5}\n"
                         "a: core\n"
                         "b: strip\n"
                         "c: {population: cortex, indices: [3, 9], fraction: 0.5}\n"
                         "e: cre\n"
                         "f: {population: strip, rect: {min: [0, 0], max: [0.1, 0.1]}}\n"
                         "g: {population: cortex, indices: [9, 3]}\n"
                         "h: [core]\n"
                         "i: {population: strip, disc: {center: [0.5, 0.5], radius: 0.1}, rect: {min: [0, 0], max: [1, 1]}}\n",
                         d);
    CHECK(rw_parse_regions(&ex, rw_map_get(root, "regions"), d) && rw_diag_errors(d) == 0,
          "regions parse");
    CHECK(ex.n_regions == 2 && ex.regions[0].sel.n == 12 && strcmp(ex.regions[0].sel.population, "cortex") == 0,
          "region core: 12 grid points within 0.1 of the centre (got %u)",
          ex.n_regions ? ex.regions[0].sel.n : 0);
    rewire_selection *s;
    CHECK(rw_selection_from_node(&ex, rw_map_get(root, "a"), "a", &s, d) && s == &ex.regions[0].sel,
          "a region name resolves to the region's selection");
    CHECK(rw_selection_from_node(&ex, rw_map_get(root, "b"), "b", &s, d) && s->n == 50 &&
              s->index[49] == 49 && strcmp(s->name, "") == 0,
          "a population name selects all of it");
    CHECK(rw_selection_from_node(&ex, rw_map_get(root, "c"), "c", &s, d) && s->n == 3 &&
              s->index[0] >= 3 && s->index[2] < 9,
          "an inline mapping: indices then fraction");
    CHECK(rw_diag_errors(d) == 0, "no errors so far");
    CHECK(!rw_selection_from_node(&ex, rw_map_get(root, "e"), "e", &s, d), "unknown name fails");
    CHECK(!rw_selection_from_node(&ex, rw_map_get(root, "f"), "f", &s, d), "empty selection fails");
    CHECK(!rw_selection_from_node(&ex, rw_map_get(root, "g"), "g", &s, d), "reversed indices fail");
    CHECK(!rw_selection_from_node(&ex, rw_map_get(root, "h"), "h", &s, d), "a list fails");
    CHECK(!rw_selection_from_node(&ex, rw_map_get(root, "i"), "i", &s, d), "two shapes fail");
    char *text = rw_diag_format(d);
    CHECK(strstr(text, "s.yaml:7:4: error: unknown region or population 'cre'; did you mean 'core'?") != NULL,
          "unknown: FILE:LINE:COL with a did-you-mean");
    CHECK(strstr(text, "s.yaml:8:4: error: f selects no neuron") != NULL, "empty: 'selects no neuron'");
    CHECK(strstr(text, "s.yaml:9:34: error: g indices: expected [first, end) with 0 <= first < end <= 400") != NULL,
          "reversed indices: the expected range");
    CHECK(strstr(text, "s.yaml:10:4: error: h: expected a region name") != NULL, "a list: what is expected");
    CHECK(strstr(text, "error: i: give at most one of disc, rect and near") != NULL, "two shapes: named");
    free(text);
    rw_node_free(root);
    rw_space_free(&ex);
    rw_diag_free(d);
}

int main(void) {
    test_layouts();
    test_distance();
    test_shapes();
    test_fraction();
    test_nodes();
    return tap_done();
}
