/* rewire plugin ABI: versioning, error codes, export macro.
 *
 * Rules of the ABI (see docs/plugins.md):
 *  - REWIRE_ABI_MAJOR changes only on a breaking change; the host refuses a plugin
 *    whose major differs from its own.
 *  - REWIRE_ABI_MINOR grows when something is added.  Every function table starts
 *    with its struct_size, tables only grow at the end, and the host never reads a
 *    field that struct_size says is absent (REWIRE_HAS_FIELD).
 *  - Functions return 0 or a negative rewire_status.
 *
 * History: 1.0 first release; 1.1 rewire_projection_view gained pre_rate/post_rate and
 * pre_release, learning rules the PRE_RELEASE and PRE_BEFORE_DELIVERY flags; for
 * structural plasticity the view gained row_lengths, edit_targets, edit_delays and
 * structure_changed, the rule table row_reserve (flag STRUCTURAL).  1.3 (threads):
 * learning rules the PARTITIONED flag, on_pre_part and on_post_part, rewire_part.
 */
#ifndef REWIRE_ABI_H
#define REWIRE_ABI_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

#define REWIRE_ABI_MAJOR 1
#define REWIRE_ABI_MINOR 3

/* The one symbol every plugin shared object exports. */
#define REWIRE_ENTRY_SYMBOL "rewire_plugin_entry"

#if defined(__GNUC__)
#define REWIRE_EXPORT __attribute__((visibility("default")))
#else
#define REWIRE_EXPORT
#endif

#ifdef __cplusplus
#define REWIRE_EXTERN_C extern "C"
#else
#define REWIRE_EXTERN_C
#endif

/* True when a table of reported size `size` contains `field` of type T. */
#define REWIRE_HAS_FIELD(T, size, field) \
    ((size) >= offsetof(T, field) + sizeof(((T *)0)->field))

typedef enum rewire_status {
    REWIRE_OK = 0,
    REWIRE_EINVAL = -1,   /* invalid argument or parameter */
    REWIRE_ENOMEM = -2,   /* out of memory */
    REWIRE_EIO = -3,      /* file or socket error */
    REWIRE_ENOTSUP = -4,  /* function or extension not supported */
    REWIRE_ENOENT = -5,   /* named thing does not exist */
    REWIRE_ESTATE = -6,   /* called in the wrong lifecycle state */
    REWIRE_EPLUGIN = -7   /* plugin-specific failure; details via set_error */
} rewire_status;

typedef enum rewire_kind {
    REWIRE_KIND_LEARNING_RULE = 1,
    REWIRE_KIND_INJURY = 2,
    REWIRE_KIND_INTERVENTION = 3,
    REWIRE_KIND_OUTPUT = 4
} rewire_kind;

#ifdef __cplusplus
}
#endif
#endif
