/* An output whose create() fails with its own explanation, through host->set_error. */
#include "noop_hooks.h"

static const rewire_param_spec params[] = {
    {.name = "address", .type = REWIRE_PARAM_STRING, .def_string = "127.0.0.1:9",
     .doc = "where the recorder listens"},
};

static int failing_create(const rewire_host *host, const rewire_param_value *values,
                          void **instance) {
    *instance = NULL;
    host->set_error(host, "cannot reach the recorder at %s: connection refused",
                    values[0].string);
    return REWIRE_EPLUGIN;
}
static int never_start(void *instance, const rewire_run_info *run, const bool *subscribed) {
    (void)instance, (void)run, (void)subscribed;
    return REWIRE_ESTATE;
}
static int never_write(void *instance, const rewire_batch *batch) {
    (void)instance, (void)batch;
    return REWIRE_ESTATE;
}
static int never_finish(void *instance, const rewire_run_report *report) {
    (void)instance, (void)report;
    return REWIRE_ESTATE;
}

static const rewire_output_v1 functions = {
    .struct_size = sizeof(rewire_output_v1),
    .create = failing_create,
    .start = never_start,
    .write = never_write,
    .finish = never_finish,
    .destroy = noop_destroy,
};

static const rewire_plugin_descriptor failing = REWIRE_DESCRIPTOR(
    REWIRE_KIND_OUTPUT, "failing_output", "1.0.0", "an output that cannot start", params,
    functions);

REWIRE_PLUGIN_ENTRY(&failing)
