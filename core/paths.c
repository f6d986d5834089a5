/* Build tree or installed, decided from /proc/self/exe: build/rewire uses the build's
 * plugins and the source tree's templates, never an older installed copy of them. */
#include "paths.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if !defined(REWIRE_BUILD_ROOT) || !defined(REWIRE_SOURCE_ROOT) || \
    !defined(REWIRE_BUILD_PLUGIN_DIR) || !defined(REWIRE_INSTALL_PLUGIN_DIR) || \
    !defined(REWIRE_INSTALL_TEMPLATE_DIR)
#error "paths.c needs REWIRE_BUILD_ROOT, REWIRE_SOURCE_ROOT, REWIRE_BUILD_PLUGIN_DIR, REWIRE_INSTALL_PLUGIN_DIR and REWIRE_INSTALL_TEMPLATE_DIR (core_c_args)"
#endif

bool rw_running_from_build_tree(void) {
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return false;
    exe[n] = '\0';
    char root[PATH_MAX];
    /* /proc/self/exe is already resolved; resolve the root too (it may contain symlinks). */
    if (!realpath(REWIRE_BUILD_ROOT, root)) return false;
    size_t len = strlen(root);
    return strncmp(exe, root, len) == 0 && (exe[len] == '/' || (len > 0 && root[len - 1] == '/'));
}

const char *rw_default_plugin_dir(void) {
    return rw_running_from_build_tree() ? REWIRE_BUILD_PLUGIN_DIR : REWIRE_INSTALL_PLUGIN_DIR;
}

const char *rw_template_dir(void) {
    return rw_running_from_build_tree() ? REWIRE_SOURCE_ROOT "/sdk/template"
                                        : REWIRE_INSTALL_TEMPLATE_DIR;
}
