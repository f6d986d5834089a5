/* A plugin whose descriptor says ABI 1.1 but declares a SELECTION parameter (an ABI 1.2
 * type): the loader must refuse it, since a 1.1 plugin cannot know that the value is a
 * pointer.  Built only for tests/integration/test_space.py. */
#include <rewire/plugin.h>
#include <stdlib.h>

static const rewire_param_spec params[] = {
    {.name = "region", .type = REWIRE_PARAM_SELECTION, .doc = "neurons"},
};

static int old_create(const rewire_host *h, const rewire_param_value *v, void **instance) {
    (void)h;
    (void)v;
    *instance = NULL;
    return REWIRE_OK;
}
static int old_start(void *i, const rewire_run_info *r, const bool *s) {
    (void)i;
    (void)r;
    (void)s;
    return REWIRE_OK;
}
static int old_write(void *i, const rewire_batch *b) {
    (void)i;
    (void)b;
    return REWIRE_OK;
}
static int old_finish(void *i, const rewire_run_report *r) {
    (void)i;
    (void)r;
    return REWIRE_OK;
}
static void old_destroy(void *i) { (void)i; }

static const rewire_output_v1 functions = {
    .struct_size = sizeof(rewire_output_v1),
    .create = old_create,
    .start = old_start,
    .write = old_write,
    .finish = old_finish,
    .destroy = old_destroy,
};

static const rewire_plugin_descriptor descriptor = {
    .struct_size = sizeof(rewire_plugin_descriptor),
    .abi_major = REWIRE_ABI_MAJOR,
    .abi_minor = 1,
    .kind = REWIRE_KIND_OUTPUT,
    .name = "old_selection",
    .version = "1.0.0",
    .summary = "declares ABI 1.1 and a 1.2 parameter type",
    .params = params,
    .n_params = 1,
    .functions = &functions,
    .functions_size = sizeof functions,
};

REWIRE_PLUGIN_ENTRY(&descriptor)
