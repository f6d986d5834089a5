/* Whether a plugin file's table and descriptors are well formed, and the table of
 * plugin kinds they are checked against.  Shared by plugin_check.c and loader.c only.
 *
 * The checks see one file at a time and know nothing of the registry: duplicate names
 * (within the file or against plugins already loaded) are the loader's business.
 * Their errors read "FILE: error: MESSAGE" and come without the note saying where the
 * file was listed: the loader adds that note once per file, after its last error. */
#ifndef RW_PLUGIN_CHECK_H
#define RW_PLUGIN_CHECK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include <rewire/plugin.h>

#include "diag.h"

/* How one kind of plugin is named in messages and output, and its v1 function table. */
typedef struct rw_kind_info {
    rewire_kind kind;
    const char *id;      /* "learning-rule": machine-readable (summary.json, `rewire plugins`) */
    const char *noun;    /* "learning rule" */
    const char *a_noun;  /* "a learning rule" */
    const char *plural;  /* "learning rules" */
    uint32_t v1_size;    /* size of the kind's v1 function table */
} rw_kind_info;

/* The entry of `kind`, or NULL for a kind this rewire does not know. */
const rw_kind_info *rw_find_kind_info(rewire_kind kind);

/* "PATH: error: MESSAGE", with no note after it. */
void rw_plugin_vfile_error(const char *path, rw_diag *d, const char *fmt, va_list ap);
__attribute__((format(printf, 3, 4))) void rw_plugin_file_error(const char *path, rw_diag *d,
                                                                const char *fmt, ...);

/* The plugin table's own fields: its ABI, a plausible count, a descriptor list.
 * Returns false after reporting the first problem (the descriptors are not looked at). */
bool rw_check_plugin_table(const char *path, const rewire_plugin_table *table, rw_diag *d);

/* Descriptor #index of the file at `path`: ABI, struct size, name, version, summary,
 * kind, function table and parameter specs.  Reports every problem it finds; returns
 * true when the descriptor can be registered. */
bool rw_check_descriptor(const char *path, uint32_t index, const rewire_plugin_descriptor *desc,
                         rw_diag *d);

#endif
