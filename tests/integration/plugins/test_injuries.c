/* Injuries for the core's own tests (tests/integration/test_injury_core.py): they call
 * the host's injury services with plain parameters, so the tests exercise the kernel's
 * removal of synapses and neurons independently of the injury plugins. */
#include <rewire/injury.h>
#include <rewire/plugin.h>
#include <stdlib.h>

typedef struct cut {
    const rewire_host *h;
    const char *target;   /* projection (test_cut) or population (test_kill) */
    int64_t first, count;
    double fraction;
} cut;

static const rewire_param_spec cut_params[] = {
    {.name = "target", .type = REWIRE_PARAM_STRING, .flags = REWIRE_PARAM_REQUIRED,
     .doc = "projection (test_cut) or population (test_kill)"},
    {.name = "first", .type = REWIRE_PARAM_INT, .def_int = 0, .doc = "first source / neuron"},
    {.name = "count", .type = REWIRE_PARAM_INT, .def_int = -1, .doc = "how many (-1: all)"},
    {.name = "fraction", .type = REWIRE_PARAM_REAL, .def_real = 1.0, .doc = "test_cut: probability"},
};

static int create(const rewire_host *h, const rewire_param_value *p, void **out) {
    cut *c = calloc(1, sizeof *c);
    if (!c) return REWIRE_ENOMEM;
    *c = (cut){h, p[0].string, p[1].integer, p[2].integer, p[3].real};
    *out = c;
    return 0;
}

/* Neurons first .. first + count of a population of `size` (count -1: to the end). */
static rewire_selection *select_range(const cut *c, const char *pop, uint32_t size) {
    int64_t n = c->count < 0 ? (int64_t)size - c->first : c->count;
    rewire_selection *s = calloc(1, sizeof *s);
    uint32_t *idx = calloc((size_t)(n > 0 ? n : 1), sizeof *idx);
    if (!s || !idx) {
        free(s);
        free(idx);
        return NULL;
    }
    for (int64_t k = 0; k < n; k++) idx[k] = (uint32_t)(c->first + k);
    *s = (rewire_selection){"", pop, size, (uint32_t)n, idx};
    return s;
}

static void free_range(rewire_selection *s) {
    if (s) free((void *)s->index);
    free(s);
}

static int apply_cut(void *inst, int64_t step) {
    (void)step;
    cut *c = inst;
    rewire_projection_view *v;
    int rc = c->h->projection_find(c->h, c->target, &v);
    if (rc) return rc;
    rewire_selection *pre = select_range(c, v->pre_population, v->n_pre);
    if (!pre) return REWIRE_ENOMEM;
    uint64_t removed = 0;
    rc = c->h->remove_synapses(c->h, c->target, pre, NULL, c->fraction, &removed);
    c->h->log(c->h, REWIRE_LOG_INFO, "removed %llu synapses", (unsigned long long)removed);
    free_range(pre);
    return rc;
}

static int apply_kill(void *inst, int64_t step) {
    (void)step;
    cut *c = inst;
    rewire_population_view v;
    int rc = c->h->population_find(c->h, c->target, &v);
    if (rc) return rc;
    rewire_selection *s = select_range(c, v.name, v.size);
    if (!s) return REWIRE_ENOMEM;
    rc = c->h->kill_neurons(c->h, s);
    free_range(s);
    return rc;
}

static void destroy(void *inst) { free(inst); }

static const rewire_injury_v1 cut_fns = {sizeof cut_fns, create, apply_cut, NULL, destroy};
static const rewire_injury_v1 kill_fns = {sizeof kill_fns, create, apply_kill, NULL, destroy};
static const rewire_plugin_descriptor cut_desc =
    REWIRE_DESCRIPTOR(REWIRE_KIND_INJURY, "test_cut", "1.0.0",
                      "remove a projection's synapses from a range of sources", cut_params, cut_fns);
static const rewire_plugin_descriptor kill_desc =
    REWIRE_DESCRIPTOR(REWIRE_KIND_INJURY, "test_kill", "1.0.0", "kill a range of neurons",
                      cut_params, kill_fns);
REWIRE_PLUGIN_ENTRY(&cut_desc, &kill_desc)
