/* Built twice (TWIN_FILE = "a" and "b"): two files declaring the learning rule 'twin'. */
#include "noop_hooks.h"

static const rewire_learning_rule_v1 functions = NOOP_RULE_FUNCTIONS;

static const rewire_plugin_descriptor twin = {
    .struct_size = sizeof(rewire_plugin_descriptor),
    .abi_major = REWIRE_ABI_MAJOR,
    .abi_minor = REWIRE_ABI_MINOR,
    .kind = REWIRE_KIND_LEARNING_RULE,
    .name = "twin",
    .version = "1.0.0",
    .summary = "one of two plugins with the same name (" TWIN_FILE ")",
    .functions = &functions,
    .functions_size = sizeof functions,
};

REWIRE_PLUGIN_ENTRY(&twin)
