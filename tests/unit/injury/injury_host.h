/* A rewire host for the injury plugins' unit tests: a hand-built network (populations
 * with excitability and alive flags, CSR projections) and the ABI 1.2 services that
 * injuries call -- now, population/projection lookup and enumeration, kill_neurons and
 * remove_synapses -- implemented plainly on it, with every kill and removal recorded
 * (copies of the selections passed) so that a test checks what a plugin asked for.
 * No simulation runs: the test calls create/apply/on_slice itself.
 * The plugin is dlopen()ed and its descriptor read directly (no registry). */
#ifndef RW_TEST_INJURY_HOST_H
#define RW_TEST_INJURY_HOST_H

#include <rewire/plugin.h>

enum { IH_MAX_POPS = 6, IH_MAX_PROJS = 6, IH_MAX_CALLS = 8, IH_MAX_SEL = 64 };

typedef struct ih_population {
    rewire_population_view view;
    char name[32], model[16];
    float *excitability; /* NULL for sources */
    uint8_t *alive;
} ih_population;

typedef struct ih_projection {
    rewire_projection_view view;
    char name[32], pre[32], post[32];
    uint32_t *row_offsets, *row_lengths, *targets;
    float *weights;
    uint16_t *delays;
} ih_projection;

/* A selection as a plugin passed it, copied (NULL pointer: has == false). */
typedef struct ih_selection_copy {
    bool has;
    char population[32];
    uint32_t n;
    uint32_t index[IH_MAX_SEL];
} ih_selection_copy;

typedef struct ih_removal {
    char projection[32];
    ih_selection_copy pre, post;
    double fraction;
    uint64_t removed;
} ih_removal;

typedef struct injury_host {
    rewire_host host; /* first member: plugins get &ih->host */
    char last_error[1024];
    unsigned n_errors;
    int64_t now;
    uint32_t n_pops, n_projs;
    ih_population pops[IH_MAX_POPS];
    ih_projection projs[IH_MAX_PROJS];
    uint32_t n_kills, n_removals;
    ih_selection_copy kills[IH_MAX_CALLS];
    ih_removal removals[IH_MAX_CALLS];
} injury_host;

/* A host with no network; `old_abi`: it stops after projection_find (ABI 1.1). */
void ih_init(injury_host *ih, bool old_abi);
void ih_free(injury_host *ih);

/* A population of `size` neurons (model "lif_cuba": excitability 1, alive), or of
 * sources (model "poisson": no excitability).  Returns it. */
ih_population *ih_add_population(injury_host *ih, const char *name, const char *model,
                                 uint32_t size);
/* A projection from the synapses (pre[s], post[s], w[s]), s < n, in any order: CSR by
 * source in the order given within a row; dt 0.1 ms.  With `room` > 0 every row gets
 * `room` extra free slots filled with garbage (onto the last post neuron,
 * weight 1000) and row_lengths,
 * as a structural projection.  Returns it. */
ih_projection *ih_add_projection(injury_host *ih, const char *name, const char *pre_pop,
                                 const char *post_pop, uint32_t n, const uint32_t *pre,
                                 const uint32_t *post, const float *w, uint32_t room);
ih_population *ih_population_named(injury_host *ih, const char *name);
ih_projection *ih_projection_named(injury_host *ih, const char *name);
/* Is there a synapse pre -> post in the projection (among those in use)? */
bool ih_has_synapse(const ih_projection *p, uint32_t pre, uint32_t post);

/* A selection on the stack: IH_SELECTION(pop, size, 1, 2, 3). */
#define IH_SELECTION(pop, size, ...)                                                   \
    ((rewire_selection){"", (pop), (size),                                             \
                        (uint32_t)(sizeof((uint32_t[]){__VA_ARGS__}) / sizeof(uint32_t)), \
                        (const uint32_t[]){__VA_ARGS__}})

/* The plugin: dlopen(path), rewire_plugin_entry, the descriptor named `name`; exits with
 * a TAP bail-out when any of that fails.  *handle for ih_unload. */
const rewire_plugin_descriptor *ih_load(const char *path, const char *name, void **handle);
void ih_unload(void *handle);

/* Parameter values in schema order: defaults (REAL, INT, BOOL, ENUM), the rest zeroed
 * (no selection, no name list: "not given"). */
typedef struct ih_params {
    rewire_param_value v[16];
} ih_params;
ih_params ih_defaults(const rewire_plugin_descriptor *d);
/* The index of parameter `name`; exits with a TAP bail-out when there is none. */
int ih_param(const rewire_plugin_descriptor *d, const char *name);

/* Does `copy` hold exactly the selection `expected`? */
bool ih_same_selection(const ih_selection_copy *copy, const rewire_selection *expected);

#endif
