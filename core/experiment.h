/* The experiment loader: YAML file (+ --set overrides) -> validated rw_experiment.
 * Every problem in the file is reported into d with its location; nothing is built
 * unless the whole file is valid. */
#ifndef RW_EXPERIMENT_H
#define RW_EXPERIMENT_H

#include <stdint.h>

#include "diag.h"
#include "loader.h"
#include "model.h"

typedef struct rw_load_options {
    const char *const *sets;   /* --set arguments ("a.b=c") */
    int n_sets;
    bool has_seed;             /* --seed given */
    uint64_t seed;
} rw_load_options;

/* Returns NULL when there were errors (all reported into d).  Plugin folders named in
 * the file's plugin_path are scanned into reg. */
rw_experiment *rw_experiment_load(const char *path, const rw_load_options *opts,
                                  rw_registry *reg, rw_diag *d);

#endif
