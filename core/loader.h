/* The plugin registry: finds shared objects, dlopen()s them (RTLD_NOW | RTLD_LOCAL),
 * checks the ABI and keeps them loaded for the whole run (a run unloads the ones it
 * does not use). */
#ifndef RW_LOADER_H
#define RW_LOADER_H

#include <rewire/plugin.h>

#include "diag.h"

typedef struct rw_plugin {
    const rewire_plugin_descriptor *desc;
    const char *path;        /* the shared object */
    void *handle;            /* its dlopen handle (several plugins may share one) */
} rw_plugin;

typedef struct rw_registry rw_registry;

rw_registry *rw_registry_new(void);
/* Frees the registry; the modules it loaded stay loaded until the process exits (a
 * library a plugin used, such as fontconfig under cairo, may keep process-wide state
 * that must outlive the plugin). */
void rw_registry_free(rw_registry *r);
/* Unload every shared object none of whose plugins is in keep[0 .. n_keep), and forget
 * its plugins: a run then holds in memory only the modules (and the libraries, such as
 * libhdf5 or cairo) it uses.  Pointers to kept plugins stay valid. */
void rw_registry_unload_unused(rw_registry *r, const rw_plugin *const *keep, size_t n_keep);

/* Diagnostic locations of loader errors point at paths the registry owns: print the
 * diagnostics before rw_registry_free().  `origin.file == NULL` means "built-in folder"
 * (no note); otherwise every error is followed by a note at `origin`. */

/* Load every *.so under `dir` (recursively; entries in byte order, hidden entries
 * skipped; `dir` may also name one plugin file).  A missing directory is not an error.
 * A file with any bad descriptor registers none of its plugins.
 * Errors (each naming the file and what to do): a shared object that dlopen refuses,
 * one without the rewire_plugin_entry symbol, an ABI major mismatch (table or
 * descriptor), a malformed descriptor (empty name, functions_size smaller than the
 * kind's v1 table), two plugins with one name (naming both files).  `origin` says
 * why the folder is searched, for messages ("REWIRE_PLUGIN_PATH", a file location). */
void rw_registry_scan_dir(rw_registry *r, const char *dir, rw_loc origin, rw_diag *d);
/* Load one shared object by path. */
void rw_registry_load_file(rw_registry *r, const char *path, rw_loc origin, rw_diag *d);

/* The default search: the build's plugin folder when this binary runs from the build
 * tree, else the installed plugin folder -- or, when $REWIRE_PLUGIN_SYSTEM_PATH is set
 * (even empty), its entries instead; then each entry of $REWIRE_PLUGIN_PATH
 * (colon-separated, empty entries skipped). */
void rw_registry_scan_default(rw_registry *r, rw_diag *d);

/* Look up by name.  On miss, NULL; rw_registry_report_unknown() writes
 *   "unknown learning rule 'stdpp'; did you mean 'stdp'?" + a note listing the
 *   plugins of that kind and where they were searched. */
const rw_plugin *rw_registry_find(const rw_registry *r, const char *name);
void rw_registry_report_unknown(const rw_registry *r, rewire_kind kind, const char *name,
                                rw_loc loc, rw_diag *d);
/* The plugin `name` if it is of `kind`, else NULL. */
const rw_plugin *rw_registry_find_kind(const rw_registry *r, rewire_kind kind, const char *name);
/* find_kind, reporting a miss: "unknown learning rule 'stdpp'; did you mean 'stdp'?", or
 * for a plugin of another kind "'csv' is an output plugin, not a learning rule"; both
 * followed by the note of rw_registry_report_unknown. */
const rw_plugin *rw_registry_lookup(const rw_registry *r, rewire_kind kind, const char *name,
                                    rw_loc loc, rw_diag *d);

size_t rw_registry_count(const rw_registry *r);
const rw_plugin *rw_registry_at(const rw_registry *r, size_t i); /* sorted by kind, name */
/* The folders searched so far, for messages and `rewire plugins`. */
size_t rw_registry_dir_count(const rw_registry *r);
const char *rw_registry_dir_at(const rw_registry *r, size_t i);

const char *rw_kind_name(rewire_kind kind); /* "learning-rule", "injury", ... */
const char *rw_kind_noun(rewire_kind kind); /* "learning rule", "injury", ... (for prose) */

#endif
