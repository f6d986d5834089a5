/* The config tree: a YAML document (libyaml) as maps, sequences and scalars, every node
 * remembering file, line and column (1-based), plus the typed, validating getters that
 * the experiment loader is written with. */
#ifndef RW_CONFIG_H
#define RW_CONFIG_H

#include <rewire/params.h>
#include <stdbool.h>
#include <stdint.h>

#include "diag.h"

typedef enum rw_node_type { RW_NODE_SCALAR, RW_NODE_MAP, RW_NODE_SEQ } rw_node_type;

typedef struct rw_node rw_node;
struct rw_node {
    rw_node_type type;
    rw_loc loc;            /* where the node starts */
    char *scalar;          /* SCALAR: text as written (without quotes) */
    bool quoted;           /* SCALAR: was quoted, so it is a string even if it looks numeric */
    size_t n;              /* MAP: pairs; SEQ: items */
    char **keys;           /* MAP: [n] */
    rw_loc *key_locs;      /* MAP: [n] where each key is */
    rw_node **items;       /* MAP: values [n]; SEQ: items [n] */
    char *owned_file;      /* root of a loaded file only: the storage of loc.file */
};

/* Parse a file.  Syntax errors and duplicate keys are reported into d (with positions);
 * returns NULL when the document cannot be used at all (unreadable file, syntax error,
 * an alias, nesting deeper than 100).  Duplicate keys (the first is kept), non-scalar
 * keys (dropped) and a second document (ignored) are errors that still return the
 * tree, so callers check rw_diag_errors().  Anchors are ignored, aliases refused.  An
 * empty document is an empty MAP whose loc has line 0.  The file name string lives as
 * long as the tree (the root's owned_file). */
rw_node *rw_config_load_file(const char *path, rw_diag *d);
/* Parse text; `name` is used as the file name in locations. */
rw_node *rw_config_load_string(const char *name, const char *text, rw_diag *d);
void rw_node_free(rw_node *n);

/* A YAML null: an unquoted empty value, "~" or "null" ("key:" with nothing after). */
bool rw_node_is_null(const rw_node *n);
/* "a mapping", "a list", "nothing" (null) or "'TEXT'" / "the quoted string \"TEXT\"",
 * for "..., got X" messages; the result lives in buf. */
const char *rw_node_describe(const rw_node *n, char *buf, size_t len);

/* Apply "a.b.c=value" (a --set argument): value is parsed as a YAML scalar or flow
 * collection; sequence items are addressed by index ("timeline.0.duration=2 s").
 * Only the first '=' splits.  Creates a missing last key (or appends, when the last
 * index equals the length); a missing intermediate map or a path through a scalar is
 * an error.  Locations of the new node are "--set:ARGNO:COL", so later validation
 * errors point at the argument (ARGNO 0 prints as "--set: error: ...").  Returns false
 * (with an error in d, and the tree unchanged) on failure. */
bool rw_config_set(rw_node *root, const char *assignment, int argno, rw_diag *d);

/* MAP lookup; NULL when absent or when map is not a MAP. */
rw_node *rw_map_get(const rw_node *map, const char *key);
/* Where key `key` of map is (falls back to the map's own location). */
rw_loc rw_map_key_loc(const rw_node *map, const char *key);

/* Report every key of `map` not in allowed[], at the key, as
 *   "unknown key 'tau_n' in WHAT; did you mean 'tau_m'?"     (a plausible typo), or
 *   "unknown key 'foo' in WHAT; expected one of: a, b, c"    (otherwise).
 * Returns false if any was unknown, or if map is not a MAP
 * ("WHAT: expected a mapping, got a list"). */
bool rw_check_keys(const rw_node *map, const char *const *allowed, size_t n_allowed,
                   const char *what, rw_diag *d);

/* Typed getters.  Each reports a precise error at the node's location and returns
 * false when the node is of the wrong type, the wrong dimension or out of range.
 * `what` names the value in messages ("population 'exc' size").  Messages read
 * "WHAT: expected X, got Y"; a NULL node or a YAML null is "got nothing", a quoted
 * scalar is a string (never a number, quantity or bool).  rw_get_quantity wants
 * REWIRE_DIM_WEIGHT resolved by the caller; REWIRE_DIM_NONE means rw_get_real.
 * rw_get_int accepts exponent forms with an exact integer value ("1e3"), not "3.5";
 * rw_get_bool accepts true/false, yes/no, on/off (lower, Capitalised or UPPER). */
bool rw_get_quantity(const rw_node *n, rewire_dim dim, const char *what, double *out,
                     rw_diag *d);
bool rw_get_real(const rw_node *n, const char *what, double *out, rw_diag *d);
bool rw_get_int(const rw_node *n, const char *what, int64_t *out, rw_diag *d);
bool rw_get_bool(const rw_node *n, const char *what, bool *out, rw_diag *d);
/* Returned pointer is owned by the tree. */
bool rw_get_string(const rw_node *n, const char *what, const char **out, rw_diag *d);
/* ENUM: index into choices (NULL-terminated); error lists the choices + did you mean. */
bool rw_get_choice(const rw_node *n, const char *const *choices, const char *what,
                   int *out, rw_diag *d);
/* Range checks reporting "WHAT must be >= 0 (got -3)" / "must be > 0 ms" / "must be
 * <= 10 ms (got 20 ms)", values printed (%.6g) in the internal unit of dim.  Pass
 * -INFINITY / INFINITY for an open side. */
bool rw_check_range(const rw_node *n, double value, double min, double max,
                    bool min_exclusive, rewire_dim dim, const char *what, rw_diag *d);

/* Validate a plugin's `params:` map against its schema and fill values[n_params] in
 * schema order (defaults where absent).  `map` may be NULL or a YAML null (all
 * defaults).  weight_dim resolves REWIRE_DIM_WEIGHT.  `where` is the location used for
 * "missing required parameter" when map is NULL.  `plugin_name` is a phrase used
 * verbatim: "learning rule 'stdp'" gives "unknown parameter 'tau_plu' for learning rule
 * 'stdp'; did you mean 'tau_plus'?" and "parameter 'tau_plus' of learning rule 'stdp':
 * expected a time ...".  Strings point into the tree.  Returns false on any error (all
 * of them reported). */
bool rw_params_from_config(const rewire_param_spec *schema, uint32_t n_params,
                           const rw_node *map, rw_loc where, rewire_dim weight_dim,
                           const char *plugin_name, rewire_param_value *values,
                           rw_diag *d);

/* The same, resolving the ABI 1.2 parameter types against experiment e: SELECTION
 * (rw_selection_from_node: a region, a population or an inline selection),
 * PROJECTIONS and POPULATIONS (a name or a list of names, each checked to exist).
 * What they point to is owned by e.  rw_params_from_config is this with e == NULL,
 * which refuses those types. */
struct rw_experiment;
bool rw_params_from_experiment(const struct rw_experiment *e, const rewire_param_spec *schema,
                               uint32_t n_params, const rw_node *map, rw_loc where,
                               rewire_dim weight_dim, const char *plugin_name,
                               rewire_param_value *values, rw_diag *d);

/* Serialise a tree back to YAML text (used to record --set results); caller frees. */
char *rw_config_dump(const rw_node *root);

#endif
