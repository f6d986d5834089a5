/* Shared by the experiment loader's files (experiment*.c); not used elsewhere. */
#ifndef RW_EXPERIMENT_PARSE_H
#define RW_EXPERIMENT_PARSE_H

#include "config.h"
#include "loader.h"
#include "model.h"

/* The value of required key `key`, or NULL after reporting
 * "missing required key 'KEY' in WHAT". */
const rw_node *rw_require(const rw_node *map, const char *key, const char *what, rw_diag *d);

/* A constant quantity or {uniform: [lo, hi]} or {normal: {mean: m, sd: s}} of dimension
 * dim.  Values outside [lo, hi] are an error for constants and uniform bounds; a normal
 * distribution is clipped to them.  `lo_what` explains the lower bound in messages. */
bool rw_parse_dist(const rw_node *n, rewire_dim dim, double lo, double hi, const char *what,
                   rw_dist *out, rw_diag *d);

/* A name usable as a key and in file names: [A-Za-z_][A-Za-z0-9_]*. */
bool rw_check_name(const char *name, rw_loc loc, const char *what, rw_diag *d);

/* The population / projection that scalar node n names, reporting an unknown name with a
 * did-you-mean.  A population that had errors of its own resolves to false silently. */
bool rw_resolve_population(const rw_experiment *e, const rw_node *n, const char *what, uint32_t *out,
                           rw_diag *d);
bool rw_resolve_projection(const rw_experiment *e, const rw_node *n, const char *what, uint32_t *out,
                           rw_diag *d);

/* Report an unknown name with a "did you mean" among names[0..n). */
void rw_report_unknown_name(const char *kind, const char *name, rw_loc loc,
                            const char *const *names, size_t n, rw_diag *d);

bool rw_resolve_modulator(const rw_experiment *e, const rw_node *n, const char *what, uint32_t *out,
                          rw_diag *d);

bool rw_parse_populations(rw_experiment *e, const rw_node *map, rw_diag *d);
bool rw_parse_projections(rw_experiment *e, const rw_node *map, rw_registry *reg, rw_diag *d);
bool rw_parse_records(rw_experiment *e, const rw_node *map, rw_diag *d);

/* experiment_timeline.c */
bool rw_parse_time_scale(rw_experiment *e, const rw_node *n, rw_diag *d);
/* `injuries:` of phase ph, which starts at t0 ms. */
bool rw_parse_injuries(rw_experiment *e, const rw_node *list, const rw_phase_spec *ph, double t0,
                       rw_registry *reg, rw_diag *d);
/* `interventions:` of a phase (or the top level: `where`), spanning [t0, t1) ms. */
bool rw_parse_interventions(rw_experiment *e, const rw_node *list, const char *where, double t0,
                            double t1, rw_registry *reg, rw_diag *d);
void rw_sort_injuries(rw_experiment *e);
bool rw_check_intervention_conflicts(const rw_experiment *e, rw_diag *d);
void rw_free_timeline_plugins(rw_experiment *e);
/* experiment_measures.c: the `measures` section (after `record`: measure channels are
 * numbered after the records'), the number of channels of both, and an output's
 * `channels:` entry (a record, a measure: all its channels, or one measure channel). */
bool rw_parse_measures(rw_experiment *e, const rw_node *map, rw_diag *d);
uint32_t rw_experiment_channel_count(const rw_experiment *e);
bool rw_resolve_output_channel(const rw_experiment *e, const rw_node *n, bool *subscribed,
                               rw_diag *d);
void rw_experiment_free_measures(rw_experiment *e);

#endif
