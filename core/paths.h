/* Where rewire's own files are: the build tree when the running executable lives in it,
 * otherwise the installed locations.  One answer for every part that needs one (the
 * plugin registry, the plugin templates of `rewire new-plugin`). */
#ifndef RW_PATHS_H
#define RW_PATHS_H

#include <stdbool.h>

/* Does the running executable live inside the build tree it was built in? */
bool rw_running_from_build_tree(void);

/* The built-in plugin folder: build/plugins, or PREFIX/LIBDIR/rewire/plugins. */
const char *rw_default_plugin_dir(void);

/* The plugin templates (one folder per kind): SOURCE/sdk/template, or
 * PREFIX/DATADIR/rewire/template. */
const char *rw_template_dir(void);

#endif
