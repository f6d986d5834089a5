/* A table of the current ABI holding one descriptor that says it is ABI 2.3. */
#include "noop_hooks.h"

static const rewire_learning_rule_v1 functions = NOOP_RULE_FUNCTIONS;

static const rewire_plugin_descriptor future = {
    .struct_size = sizeof(rewire_plugin_descriptor),
    .abi_major = 2,
    .abi_minor = 3,
    .kind = REWIRE_KIND_LEARNING_RULE,
    .name = "future_rule",
    .version = "2.0.0",
    .summary = "from the future",
    .functions = &functions,
    .functions_size = sizeof functions,
};

REWIRE_PLUGIN_ENTRY(&future)
