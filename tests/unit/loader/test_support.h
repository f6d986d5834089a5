/* Helpers shared by the loader tests: temporary folders, diagnostics as text, loading
 * one plugin by path. */
#ifndef RW_TEST_SUPPORT_H
#define RW_TEST_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "loader.h"

/* A fresh folder under $TMPDIR (or /tmp), into buf; NULL on failure. */
char *temp_dir(char *buf, size_t size);
/* Remove a folder tree (symlinks are removed, not followed). */
void remove_tree(const char *dir);
/* Create a symlink dir/name -> target (making dir's missing parents is not done). */
bool link_into(const char *dir, const char *name, const char *target);

/* Everything d would print, as one string (caller frees). */
char *diag_text(const rw_diag *d);
/* Print the diagnostics as TAP comments ("#   " before each line). */
void print_as_comment(const rw_diag *d);
/* Is `line` one whole line of `text`? */
bool has_line(const char *text, const char *line);
/* Does a line of `text` start with `prefix`? */
bool has_line_prefix(const char *text, const char *prefix);
/* Is line `second` the line right after line `first` in `text`? */
bool lines_follow(const char *text, const char *first, const char *second);

/* Load the plugin `name` from the shared object at `path` into a new registry (kept
 * in *registry, free it after use); NULL (with the diagnostics on stdout) on failure. */
const rw_plugin *load_plugin(const char *path, const char *name, rw_registry **registry);

#endif
