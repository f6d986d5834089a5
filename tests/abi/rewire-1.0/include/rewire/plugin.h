/* The plugin entry point.  Include this one header to write a plugin.
 *
 * A shared object exports exactly one symbol, rewire_plugin_entry (build with
 * -fvisibility=hidden; REWIRE_PLUGIN_ENTRY marks it visible).  It returns a table of
 * descriptors: one .so may carry several plugins.  The host checks abi_major of the
 * table and of each descriptor and refuses a mismatch with a clear message.
 */
#ifndef REWIRE_PLUGIN_H
#define REWIRE_PLUGIN_H

#include "abi.h"
#include "channel.h"
#include "host.h"
#include "injury.h"
#include "intervention.h"
#include "learning_rule.h"
#include "network.h"
#include "output.h"
#include "params.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rewire_plugin_descriptor {
    uint32_t struct_size;
    uint32_t abi_major;
    uint32_t abi_minor;
    rewire_kind kind;
    const char *name;       /* [a-z][a-z0-9_]*, unique among all loaded plugins */
    const char *version;    /* the plugin's own version, "1.0.0" */
    const char *summary;    /* one line */
    const rewire_param_spec *params;
    uint32_t n_params;
    /* The kind's function table (rewire_learning_rule_v1, ...), which starts with its
     * own struct_size; functions_size repeats it for the loader's checks. */
    const void *functions;
    uint32_t functions_size;
} rewire_plugin_descriptor;

typedef struct rewire_plugin_table {
    uint32_t abi_major;
    uint32_t abi_minor;
    uint32_t count;
    const rewire_plugin_descriptor *const *plugins;
} rewire_plugin_table;

typedef const rewire_plugin_table *(*rewire_plugin_entry_fn)(void);

/* Define the entry symbol returning the given descriptors:
 *     REWIRE_PLUGIN_ENTRY(&my_rule_descriptor)
 */
#define REWIRE_PLUGIN_ENTRY(...)                                                       \
    static const rewire_plugin_descriptor *const rewire__descriptors[] = {__VA_ARGS__}; \
    REWIRE_EXTERN_C REWIRE_EXPORT const rewire_plugin_table *rewire_plugin_entry(void);  \
    REWIRE_EXTERN_C REWIRE_EXPORT const rewire_plugin_table *rewire_plugin_entry(void) {  \
        static const rewire_plugin_table table = {                                     \
            REWIRE_ABI_MAJOR, REWIRE_ABI_MINOR,                                         \
            (uint32_t)(sizeof rewire__descriptors / sizeof rewire__descriptors[0]),     \
            rewire__descriptors};                                                       \
        return &table;                                                                  \
    }

/* Fill the common descriptor fields. */
#define REWIRE_DESCRIPTOR(KIND, NAME, VERSION, SUMMARY, PARAMS, FUNCS)                  \
    {sizeof(rewire_plugin_descriptor), REWIRE_ABI_MAJOR, REWIRE_ABI_MINOR, (KIND), (NAME), \
     (VERSION), (SUMMARY), (PARAMS), (uint32_t)(sizeof(PARAMS) / sizeof((PARAMS)[0])),  \
     &(FUNCS), (uint32_t)sizeof(FUNCS)}

#ifdef __cplusplus
}
#endif
#endif
