/* abi10_rule: a learning rule compiled against the frozen ABI 1.0 headers
 * (tests/abi/rewire-1.0/include, copied from the commit that released ABI 1.0), never
 * against sdk/include.  The current host must load it and run it: this is what a plugin
 * built and shipped before ABI 1.1 meets.
 *
 * The rule: every presynaptic spike moves its synapses by `step` (signed, clipped at
 * 0), scaled by plasticity_gain.  It reads only ABI 1.0 fields of the projection view. */
#include <rewire/plugin.h>
#include <stdlib.h>

_Static_assert(REWIRE_ABI_MAJOR == 1 && REWIRE_ABI_MINOR == 0,
               "plugin_abi10.c must be built against the frozen ABI 1.0 headers");

static const rewire_param_spec params[] = {
    {.name = "step", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_WEIGHT, .def_real = 1,
     .doc = "Weight change per presynaptic spike (signed)."},
};

typedef struct rule {
    double step;
} rule;

static int abi10_create(const rewire_host *host, const rewire_param_value *values,
                        const rewire_projection_view *view, void **instance) {
    (void)view;
    rule *r = malloc(sizeof *r);
    if (!r) {
        host->set_error(host, "out of memory");
        return REWIRE_ENOMEM;
    }
    r->step = values[0].real;
    *instance = r;
    return REWIRE_OK;
}

static int abi10_start(void *instance, rewire_projection_view *view) {
    (void)instance, (void)view;
    return REWIRE_OK;
}

static void abi10_on_pre(void *instance, rewire_projection_view *v, int64_t step,
                         const uint32_t *pre, size_t n) {
    const rule *r = instance;
    (void)step;
    const float dw = (float)(r->step * v->plasticity_gain);
    for (size_t k = 0; k < n; k++)
        for (uint32_t s = v->row_offsets[pre[k]]; s < v->row_offsets[pre[k] + 1]; s++) {
            const float w = v->weights[s] + dw;
            v->weights[s] = w > 0 ? w : 0;
        }
}

static void abi10_on_post(void *instance, rewire_projection_view *v, int64_t step,
                          const uint32_t *post, size_t n) {
    (void)instance, (void)v, (void)step, (void)post, (void)n;
}

static void abi10_destroy(void *instance) { free(instance); }

static const rewire_learning_rule_v1 functions = {
    .struct_size = sizeof functions,
    .create = abi10_create,
    .start = abi10_start,
    .on_pre = abi10_on_pre,
    .on_post = abi10_on_post,
    .destroy = abi10_destroy,
};

static const rewire_plugin_descriptor descriptor =
    REWIRE_DESCRIPTOR(REWIRE_KIND_LEARNING_RULE, "abi10_rule", "1.0.0",
                      "Built against the frozen ABI 1.0 headers (tests/abi)", params, functions);

REWIRE_PLUGIN_ENTRY(&descriptor)
