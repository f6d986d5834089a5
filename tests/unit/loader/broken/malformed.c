/* One file with a catalogue of malformed descriptors, each wrong in one way, and one
 * correct descriptor that must not be registered either (a file is all or nothing). */
#include "noop_hooks.h"

static const rewire_learning_rule_v1 rule = NOOP_RULE_FUNCTIONS;

/* A learning-rule table cut short after its header fields. */
typedef struct short_rule {
    uint32_t struct_size;
    uint32_t flags;
    uint32_t n_syn_state;
    const char *const *syn_state_names;
} short_rule;
static const short_rule short_table = {sizeof(short_rule), 0, 0, NULL};

static const rewire_learning_rule_v1 no_create_table = {
    .struct_size = sizeof(rewire_learning_rule_v1), .start = noop_rule_start,
    .on_pre = noop_rule_spikes, .on_post = noop_rule_spikes, .destroy = noop_destroy};

static const char *const no_choices[] = {NULL};
static const rewire_param_spec enum_without_choices[] = {
    {.name = "mode", .type = REWIRE_PARAM_ENUM, .choices = no_choices},
};
static const rewire_param_spec default_out_of_bounds[] = {
    {.name = "tau", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_TIME,
     .flags = REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_HAS_MAX, .def_real = 500, .min = 0, .max = 100},
};

/* Every field spelled out, so each descriptor below differs from a correct one in
 * exactly the argument that makes it wrong. */
#define DESC(SIZE, KIND, NAME, FUNCS, FUNCS_SIZE, PARAMS, N_PARAMS)                        \
    {.struct_size = (SIZE), .abi_major = REWIRE_ABI_MAJOR, .abi_minor = REWIRE_ABI_MINOR, \
     .kind = (KIND), .name = (NAME), .version = "1.0.0", .summary = "malformed on purpose", \
     .params = (PARAMS), .n_params = (N_PARAMS), .functions = (FUNCS),                     \
     .functions_size = (FUNCS_SIZE)}
#define OK_SIZE sizeof(rewire_plugin_descriptor)
#define RULE REWIRE_KIND_LEARNING_RULE

static const rewire_plugin_descriptor bad_name =
    DESC(OK_SIZE, RULE, "Bad-Name", &rule, sizeof rule, NULL, 0);
static const rewire_plugin_descriptor empty_name =
    DESC(OK_SIZE, RULE, "", &rule, sizeof rule, NULL, 0);
static const rewire_plugin_descriptor bad_kind =
    DESC(OK_SIZE, (rewire_kind)9, "bad_kind", &rule, sizeof rule, NULL, 0);
static const rewire_plugin_descriptor no_functions =
    DESC(OK_SIZE, RULE, "no_functions", NULL, sizeof rule, NULL, 0);
static const rewire_plugin_descriptor short_functions =
    DESC(OK_SIZE, RULE, "short_functions", &short_table, sizeof short_table, NULL, 0);
static const rewire_plugin_descriptor tiny = DESC(8, RULE, "tiny", &rule, sizeof rule, NULL, 0);
static const rewire_plugin_descriptor params_null =
    DESC(OK_SIZE, RULE, "params_null", &rule, sizeof rule, NULL, 2);
static const rewire_plugin_descriptor enum_no_choices =
    DESC(OK_SIZE, RULE, "enum_no_choices", &rule, sizeof rule, enum_without_choices, 1);
static const rewire_plugin_descriptor default_out =
    DESC(OK_SIZE, RULE, "default_out", &rule, sizeof rule, default_out_of_bounds, 1);
static const rewire_plugin_descriptor no_create =
    DESC(OK_SIZE, RULE, "no_create", &no_create_table, sizeof no_create_table, NULL, 0);
static const rewire_plugin_descriptor innocent =
    DESC(OK_SIZE, RULE, "innocent", &rule, sizeof rule, NULL, 0);

REWIRE_PLUGIN_ENTRY(&bad_name, &empty_name, &bad_kind, &no_functions, &short_functions, &tiny,
                    &params_null, &enum_no_choices, &default_out, &no_create, &innocent)
