/* space_probe: a test output (ABI 1.2) declaring the three 1.2 parameter types, so the
 * integration tests can see what the host resolved.  At start it writes
 * space_probe.txt into the run's folder:
 *   selection NAME POPULATION SIZE N
 *   index I X Y          (one per selected neuron; X, Y from the population's view, or
 *                         "- -" when the population has no layout)
 *   projections A B ...  /  populations A B ...   (or "projections -" when not given)
 * Not shipped: built only for tests/integration/test_space.py. */
#include <rewire/plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { P_REGION, P_PROJECTIONS, P_POPULATIONS };

static const rewire_param_spec params[] = {
    [P_REGION] = {.name = "region", .type = REWIRE_PARAM_SELECTION,
                  .flags = REWIRE_PARAM_REQUIRED, .doc = "neurons to list"},
    [P_PROJECTIONS] = {.name = "projections", .type = REWIRE_PARAM_PROJECTIONS,
                       .doc = "projections to list"},
    [P_POPULATIONS] = {.name = "populations", .type = REWIRE_PARAM_POPULATIONS,
                       .doc = "populations to list"},
};

typedef struct probe {
    const rewire_host *host;
    const rewire_selection *sel;
    const rewire_name_list *proj, *pops;
} probe;

static int probe_create(const rewire_host *host, const rewire_param_value *v, void **instance) {
    probe *p = calloc(1, sizeof *p);
    if (!p) return REWIRE_ENOMEM;
    p->host = host;
    p->sel = v[P_REGION].selection;
    p->proj = v[P_PROJECTIONS].names;
    p->pops = v[P_POPULATIONS].names;
    *instance = p;
    return REWIRE_OK;
}

static int put(probe *p, rewire_file *f, const char *s) {
    return p->host->file_write(p->host, f, s, strlen(s));
}

static void put_names(probe *p, rewire_file *f, const char *what, const rewire_name_list *l) {
    char line[256];
    snprintf(line, sizeof line, "%s", what);
    put(p, f, line);
    if (!l) put(p, f, " -");
    for (uint32_t i = 0; l && i < l->n; i++) {
        snprintf(line, sizeof line, " %s", l->names[i]);
        put(p, f, line);
    }
    put(p, f, "\n");
}

static int probe_start(void *instance, const rewire_run_info *run, const bool *subscribed) {
    (void)run;
    (void)subscribed;
    probe *p = instance;
    rewire_file *f;
    int rc = p->host->file_open(p->host, "space_probe.txt", &f);
    if (rc) return rc;
    char line[256];
    const rewire_selection *s = p->sel;
    snprintf(line, sizeof line, "selection %s %s %u %u\n", s->name[0] ? s->name : "-",
             s->population, s->population_size, s->n);
    put(p, f, line);
    rewire_population_view view;
    memset(&view, 0, sizeof view);
    bool has_xy = p->host->population_find(p->host, s->population, &view) == REWIRE_OK &&
                  REWIRE_HAS_FIELD(rewire_population_view, view.struct_size, y) && view.x;
    for (uint32_t k = 0; k < s->n; k++) {
        uint32_t i = s->index[k];
        if (has_xy)
            snprintf(line, sizeof line, "index %u %.6f %.6f\n", i, view.x[i], view.y[i]);
        else
            snprintf(line, sizeof line, "index %u - -\n", i);
        put(p, f, line);
    }
    put_names(p, f, "projections", p->proj);
    put_names(p, f, "populations", p->pops);
    return p->host->file_close(p->host, f);
}

static int probe_write(void *instance, const rewire_batch *batch) {
    (void)instance;
    (void)batch;
    return REWIRE_OK;
}

static int probe_finish(void *instance, const rewire_run_report *report) {
    (void)instance;
    (void)report;
    return REWIRE_OK;
}

static void probe_destroy(void *instance) { free(instance); }

static const rewire_output_v1 functions = {
    .struct_size = sizeof(rewire_output_v1),
    .create = probe_create,
    .start = probe_start,
    .write = probe_write,
    .finish = probe_finish,
    .destroy = probe_destroy,
};

static const rewire_plugin_descriptor descriptor =
    REWIRE_DESCRIPTOR(REWIRE_KIND_OUTPUT, "space_probe", "1.0.0",
                      "test output: writes the selection and names it was given", params,
                      functions);

REWIRE_PLUGIN_ENTRY(&descriptor)
