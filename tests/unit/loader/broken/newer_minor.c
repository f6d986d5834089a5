/* A plugin from a newer minor version of the ABI: its table, descriptor and function
 * table are larger than v1 (grown at the end, as the ABI rules allow).  It must load. */
#include "noop_hooks.h"

/* What a v1.1 learning-rule table could look like: v1, then one more hook. */
typedef struct rule_v1_1 {
    rewire_learning_rule_v1 v1;
    int (*on_reward)(void *instance, double reward);
} rule_v1_1;

static int on_reward(void *instance, double reward) {
    (void)instance, (void)reward;
    return REWIRE_OK;
}

static const rule_v1_1 functions = {
    .v1 = {.struct_size = sizeof(rule_v1_1), .create = noop_rule_create,
           .start = noop_rule_start, .on_pre = noop_rule_spikes, .on_post = noop_rule_spikes,
           .destroy = noop_destroy},
    .on_reward = on_reward,
};

/* A v1.1 descriptor with one field more at the end. */
typedef struct descriptor_v1_1 {
    rewire_plugin_descriptor v1;
    const char *homepage;
} descriptor_v1_1;

static const descriptor_v1_1 descriptor = {
    .v1 = {.struct_size = sizeof(descriptor_v1_1), .abi_major = REWIRE_ABI_MAJOR,
           .abi_minor = REWIRE_ABI_MINOR + 1, .kind = REWIRE_KIND_LEARNING_RULE,
           .name = "newer_rule", .version = "1.1.0", .summary = "built against ABI 1.(minor+1)",
           .functions = &functions, .functions_size = sizeof functions},
    .homepage = "https://example.org",
};

REWIRE_EXTERN_C REWIRE_EXPORT const rewire_plugin_table *rewire_plugin_entry(void);
REWIRE_EXTERN_C REWIRE_EXPORT const rewire_plugin_table *rewire_plugin_entry(void) {
    static const rewire_plugin_descriptor *const list[] = {&descriptor.v1};
    static const rewire_plugin_table table = {REWIRE_ABI_MAJOR, REWIRE_ABI_MINOR + 1, 1, list};
    return &table;
}
