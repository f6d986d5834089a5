/* Space and selection: positions of a population from its `layout:`, distances in the
 * unit square (optionally on the unit torus), and selections of neurons (population,
 * region shape, index range, random fraction) resolved into rewire_selection.
 *
 * Everything here is a pure function of the experiment (and of its seed, for
 * fractions): the same file and seed select the same neurons. */
#ifndef RW_SPACE_H
#define RW_SPACE_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "model.h"

/* Positions of a layout into x[size], y[size]: LINE and GRID compute them (GRID needs
 * nx * ny == size); POSITIONS leaves them as given. */
void rw_layout_positions(rw_layout_kind kind, uint32_t size, uint32_t nx, uint32_t ny, float *x,
                         float *y);

/* Distance between (x0, y0) and (x1, y1); periodic: on the unit torus (each
 * coordinate difference d becomes min(|d|, 1 - |d|)). */
double rw_space_distance(double x0, double y0, double x1, double y1, bool periodic);

/* The filters of a selection, as parsed; applied by rw_selection_eval. */
typedef enum rw_shape_kind {
    RW_SHAPE_NONE = 0,
    RW_SHAPE_DISC = 1, /* distance to (a, b) <= r1 */
    RW_SHAPE_RECT = 2, /* a <= x < c and b <= y < d */
    RW_SHAPE_NEAR = 3  /* r0 <= distance to (a, b) < r1 */
} rw_shape_kind;

typedef struct rw_selection_filter {
    uint32_t population;
    rw_shape_kind shape;
    double a, b, c, d; /* DISC, NEAR: centre (a, b); RECT: min (a, b), max (c, d) */
    double r0, r1;
    bool has_indices;
    uint32_t first, end; /* [first, end) */
    double fraction;     /* 1: all */
} rw_selection_filter;

/* The indices (increasing) of population f->population that pass the filters:
 * shape AND index range, then, when fraction < 1, the round(fraction n) of those n
 * whose uniform draw (run seed, stream of the name, entity = neuron index) is
 * smallest.  The name seeds the draw: two selections of one name (or two inline ones,
 * named "") keep the same neurons.  Returns the count; *out is malloc'd (NULL when the
 * count is 0) or the count is UINT32_MAX when out of memory. */
uint32_t rw_selection_eval(const rw_experiment *e, const rw_selection_filter *f, const char *name,
                           uint32_t **out);

/* Parse an inline selection mapping ({population: P, disc | rect | near, indices,
 * fraction}) into f, reporting every problem at its node ("WHAT: ..."). */
bool rw_selection_filter_parse(const rw_experiment *e, const rw_node *map, const char *what,
                               rw_selection_filter *f, rw_diag *d);

/* Resolve a selection given as a region name (of `regions:`), a population name (all
 * of it) or an inline mapping; reports FILE:LINE:COL errors (unknown names with a
 * did-you-mean, bad shapes, "WHAT selects no neuron").  The selection is owned by the
 * experiment (freed by rw_experiment_free). */
bool rw_selection_from_node(const rw_experiment *e, const rw_node *node, const char *what,
                            rewire_selection **out, rw_diag *d);

/* A projection or population name, or a list of them (projections == true: projection
 * names), each checked to exist; the list is owned by the experiment. */
bool rw_name_list_from_node(const rw_experiment *e, const rw_node *node, bool projections,
                            const char *what, rewire_name_list **out, rw_diag *d);

/* `layout:` of population p (called by the populations parser). */
bool rw_parse_layout(rw_population_spec *p, const rw_node *layout, rw_diag *d);

/* `regions:` (may be NULL: none); also creates the experiment's pool of selections, so
 * the loader calls it even without regions, after the populations. */
bool rw_parse_regions(rw_experiment *e, const rw_node *map, rw_diag *d);

/* Create the experiment's pool of selections (rw_parse_regions does). */
bool rw_space_pool_create(rw_experiment *e);

/* Free the pool and the regions (rw_experiment_free). */
void rw_space_free(rw_experiment *e);

#endif
