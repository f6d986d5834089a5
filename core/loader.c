/* The plugin registry: finds shared objects, loads them with dlopen(RTLD_NOW |
 * RTLD_LOCAL), checks the plugin ABI and every descriptor (plugin_check.c), and keeps
 * them loaded until the process exits, except those a run does not use
 * (rw_registry_unload_unused).
 *
 * Policy:
 *  - A file is all or nothing: if any of its descriptors is wrong (or clashes by name
 *    with a plugin already loaded), none of its plugins is registered and the file is
 *    closed again.  Every problem of the file is reported, not only the first.
 *  - Each file is tried once, identified by device and inode, so a folder listed twice
 *    or a symlink to a plugin does not produce duplicate-name errors.
 *  - Folders are walked in byte order of their entry names, so which of two clashing
 *    files counts as "first" does not depend on the file system.
 *  - Every string a diagnostic location points to (file paths) lives in the registry:
 *    print the diagnostics before rw_registry_free().
 */
#include "loader.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "paths.h"
#include "plugin_check.h"

/* Deeper folder trees than this are not plugin folders; the limit also stops walks
 * through symlink cycles that the ancestor check would miss (bind mounts). */
#define MAX_SCAN_DEPTH 32

typedef struct file_id {
    dev_t dev;
    ino_t ino;
} file_id;

struct rw_registry {
    rw_plugin **plugins; /* sorted by (kind, name); individually allocated, so stable */
    size_t n_plugins, cap_plugins;
    void **handles; /* dlopen handles of files that contributed plugins */
    size_t n_handles, cap_handles;
    char **strings; /* owned paths: rw_plugin.path and diagnostic locations point here */
    size_t n_strings, cap_strings;
    const char **dirs; /* folders searched, in order, without repeats (point into strings) */
    size_t n_dirs, cap_dirs;
    file_id *tried; /* every file already tried, loaded or not */
    size_t n_tried, cap_tried;
};

/* Where a file being loaded came from, for the note after each of its errors. */
typedef struct load_ctx {
    rw_loc origin;      /* origin.file == NULL: a built-in folder, no note */
    const char *folder; /* the folder given to scan_dir, or NULL for load_file */
} load_ctx;

/* ---- small utilities ---- */

static bool grow(void *array_ptr, size_t *cap, size_t need, size_t elem) {
    void **array = array_ptr;
    if (need <= *cap) return true;
    size_t new_cap = *cap ? *cap * 2 : 8;
    while (new_cap < need) new_cap *= 2;
    void *p = realloc(*array, new_cap * elem);
    if (!p) return false;
    *array = p;
    *cap = new_cap;
    return true;
}

/* A copy owned by the registry (alive until rw_registry_free), or NULL when out of memory. */
static const char *keep_string(rw_registry *r, const char *s) {
    if (!grow(&r->strings, &r->cap_strings, r->n_strings + 1, sizeof *r->strings)) return NULL;
    char *copy = strdup(s);
    if (!copy) return NULL;
    r->strings[r->n_strings++] = copy;
    return copy;
}

static char *join_path(const char *dir, const char *name) {
    char *out = NULL;
    size_t len = strlen(dir);
    bool slash = len > 0 && dir[len - 1] == '/';
    if (asprintf(&out, "%s%s%s", dir, slash ? "" : "/", name) < 0) return NULL;
    return out;
}

static bool ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

static void note_origin(const load_ctx *ctx, rw_diag *d) {
    if (!ctx || !ctx->origin.file) return;
    if (ctx->folder)
        rw_diag_note(d, ctx->origin, "plugin folder '%s' was listed here", ctx->folder);
    else
        rw_diag_note(d, ctx->origin, "this plugin file was listed here");
}

/* "FILE: error: MESSAGE" followed by the origin note (rw_plugin_file_error: without). */
__attribute__((format(printf, 4, 5))) static void file_error(const load_ctx *ctx,
                                                              const char *path, rw_diag *d,
                                                              const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    rw_plugin_vfile_error(path, d, fmt, ap);
    va_end(ap);
    note_origin(ctx, d);
}

static void out_of_memory(const load_ctx *ctx, const char *path, rw_diag *d) {
    file_error(ctx, path, d, "out of memory while loading plugins");
}

/* ---- registry ---- */

rw_registry *rw_registry_new(void) { return calloc(1, sizeof(rw_registry)); }

void rw_registry_free(rw_registry *r) {
    if (!r) return;
    for (size_t i = 0; i < r->n_plugins; i++) free(r->plugins[i]);
    free(r->plugins);
    /* No dlclose: the modules stay until the process exits (loader.h says why). */
    free(r->handles);
    for (size_t i = 0; i < r->n_strings; i++) free(r->strings[i]);
    free(r->strings);
    free(r->dirs);
    free(r->tried);
    free(r);
}

static int plugin_order(const rw_plugin *a, const rw_plugin *b) {
    if (a->desc->kind != b->desc->kind) return a->desc->kind < b->desc->kind ? -1 : 1;
    return strcmp(a->desc->name, b->desc->name);
}

static bool insert_plugin(rw_registry *r, const rewire_plugin_descriptor *desc, const char *path,
                          void *handle) {
    if (!grow(&r->plugins, &r->cap_plugins, r->n_plugins + 1, sizeof *r->plugins)) return false;
    rw_plugin *p = malloc(sizeof *p);
    if (!p) return false;
    p->desc = desc;
    p->path = path;
    p->handle = handle;
    size_t at = r->n_plugins;
    while (at > 0 && plugin_order(r->plugins[at - 1], p) > 0) at--;
    memmove(&r->plugins[at + 1], &r->plugins[at], (r->n_plugins - at) * sizeof *r->plugins);
    r->plugins[at] = p;
    r->n_plugins++;
    return true;
}

void rw_registry_unload_unused(rw_registry *r, const rw_plugin *const *keep, size_t n_keep) {
    size_t kept_handles = 0;
    for (size_t h = 0; h < r->n_handles; h++) {
        void *handle = r->handles[h];
        bool used = false;
        for (size_t k = 0; k < n_keep && !used; k++) used = keep[k] && keep[k]->handle == handle;
        if (used) {
            r->handles[kept_handles++] = handle;
            continue;
        }
        size_t w = 0;
        for (size_t i = 0; i < r->n_plugins; i++) {
            if (r->plugins[i]->handle == handle) free(r->plugins[i]);
            else r->plugins[w++] = r->plugins[i];
        }
        r->n_plugins = w;
        dlclose(handle);
    }
    r->n_handles = kept_handles;
}

/* Mark a file as tried; false if it was tried before. */
static bool first_try(rw_registry *r, const struct stat *st) {
    for (size_t i = 0; i < r->n_tried; i++)
        if (r->tried[i].dev == st->st_dev && r->tried[i].ino == st->st_ino) return false;
    if (grow(&r->tried, &r->cap_tried, r->n_tried + 1, sizeof *r->tried))
        r->tried[r->n_tried++] = (file_id){st->st_dev, st->st_ino};
    return true;
}

static void remember_dir(rw_registry *r, const char *dir) {
    for (size_t i = 0; i < r->n_dirs; i++)
        if (strcmp(r->dirs[i], dir) == 0) return;
    const char *copy = keep_string(r, dir);
    if (copy && grow(&r->dirs, &r->cap_dirs, r->n_dirs + 1, sizeof *r->dirs))
        r->dirs[r->n_dirs++] = copy;
}

/* The descriptors of a file, each checked on its own (plugin_check.c), then against each
 * other and the registry. */
static bool check_table(rw_registry *r, const load_ctx *ctx, const char *path,
                        const rewire_plugin_table *table, rw_diag *d) {
    if (!rw_check_plugin_table(path, table, d)) {
        note_origin(ctx, d);
        return false;
    }
    bool ok = true;
    for (uint32_t i = 0; i < table->count; i++) {
        const rewire_plugin_descriptor *desc = table->plugins[i];
        if (!rw_check_descriptor(path, i, desc, d)) {
            ok = false;
            continue;
        }
        for (uint32_t j = 0; j < i; j++) {
            const rewire_plugin_descriptor *earlier = table->plugins[j];
            if (earlier && earlier->name && strcmp(earlier->name, desc->name) == 0) {
                rw_plugin_file_error(path, d, "plugin name '%s' is declared twice in this file",
                                     desc->name);
                ok = false;
            }
        }
        const rw_plugin *existing = rw_registry_find(r, desc->name);
        if (existing) {
            rw_plugin_file_error(path, d,
                                 "duplicate plugin name '%s': a plugin of that name is already "
                                 "loaded (remove one of the two files from the plugin folders, "
                                 "or rename one plugin)",
                                 desc->name);
            rw_diag_note(d, (rw_loc){existing->path, 0, 0}, "'%s' was first loaded from here",
                         desc->name);
            ok = false;
        }
    }
    if (!ok) note_origin(ctx, d); /* once per file, not after each of its errors */
    return ok;
}

static void load_one(rw_registry *r, const char *path_in, const load_ctx *ctx, rw_diag *d) {
    const char *path = keep_string(r, path_in);
    if (!path) {
        out_of_memory(ctx, path_in, d);
        return;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        file_error(ctx, path, d, "cannot load plugin: %s", strerror(errno));
        return;
    }
    if (!first_try(r, &st)) return;

    /* dlopen searches the library path for a name without '/': make it a path. */
    char *open_path = NULL;
    if (!strchr(path, '/') && asprintf(&open_path, "./%s", path) < 0) {
        out_of_memory(ctx, path, d);
        return;
    }
    dlerror();
    void *handle = dlopen(open_path ? open_path : path, RTLD_NOW | RTLD_LOCAL);
    free(open_path);
    if (!handle) {
        const char *why = dlerror();
        file_error(ctx, path, d, "cannot load plugin: %s", why ? why : "unknown dlopen error");
        return;
    }
    void *sym = dlsym(handle, REWIRE_ENTRY_SYMBOL);
    if (!sym) {
        file_error(ctx, path, d,
                   "not a rewire plugin: no '" REWIRE_ENTRY_SYMBOL "' symbol (build it with "
                   "REWIRE_PLUGIN_ENTRY from <rewire/plugin.h>, or remove it from this plugin folder)");
        dlclose(handle);
        return;
    }
    rewire_plugin_entry_fn entry;
    memcpy(&entry, &sym, sizeof entry); /* object pointer to function pointer, as POSIX allows */
    const rewire_plugin_table *table = entry();
    if (!table) {
        file_error(ctx, path, d,
                   "'" REWIRE_ENTRY_SYMBOL "' returned NULL instead of the plugin table (define "
                   "it with REWIRE_PLUGIN_ENTRY from <rewire/plugin.h>)");
        dlclose(handle);
        return;
    }
    if (!check_table(r, ctx, path, table, d)) {
        dlclose(handle);
        return;
    }
    if (!grow(&r->handles, &r->cap_handles, r->n_handles + 1, sizeof *r->handles)) {
        out_of_memory(ctx, path, d);
        dlclose(handle);
        return;
    }
    r->handles[r->n_handles++] = handle;
    for (uint32_t i = 0; i < table->count; i++) {
        if (!insert_plugin(r, table->plugins[i], path, handle)) {
            out_of_memory(ctx, path, d);
            return; /* the handle stays: plugins registered before this one point into it */
        }
    }
}

void rw_registry_load_file(rw_registry *r, const char *path, rw_loc origin, rw_diag *d) {
    load_ctx ctx = {origin, NULL};
    load_one(r, path, &ctx, d);
}

static int compare_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entry names of a folder (without hidden ones), sorted; NULL with errno on failure. */
static char **list_dir(const char *dir, size_t *count) {
    DIR *dp = opendir(dir);
    if (!dp) return NULL;
    char **names = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        errno = 0;
        struct dirent *e = readdir(dp);
        if (!e) {
            if (errno) goto fail;
            break;
        }
        if (e->d_name[0] == '.') continue; /* ".", "..", and hidden files such as .git */
        char *copy = strdup(e->d_name);
        if (!copy || !grow(&names, &cap, n + 1, sizeof *names)) {
            free(copy);
            goto fail;
        }
        names[n++] = copy;
    }
    closedir(dp);
    if (n) qsort(names, n, sizeof *names, compare_names);
    *count = n;
    if (!names) names = calloc(1, sizeof *names); /* an empty folder is not a failure */
    return names;
fail: {
    int saved = errno ? errno : ENOMEM;
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    closedir(dp);
    errno = saved;
    return NULL;
}
}

static void scan_rec(rw_registry *r, const char *dir, const load_ctx *ctx, file_id *ancestors,
                     int depth, rw_diag *d) {
    size_t n = 0;
    char **names = list_dir(dir, &n);
    if (!names) {
        int err = errno;
        const char *kept = keep_string(r, dir); /* the location must outlive this walk */
        file_error(ctx, kept ? kept : ctx->folder, d, "cannot read plugin folder: %s",
                   strerror(err));
        return;
    }
    for (size_t i = 0; i < n; i++) {
        char *path = join_path(dir, names[i]);
        struct stat st;
        if (!path) {
            out_of_memory(ctx, ctx->folder, d);
        } else if (stat(path, &st) != 0) {
            /* A dangling symlink named like a plugin deserves a word; anything else not. */
            if (ends_with(names[i], ".so")) {
                int err = errno;
                const char *kept = keep_string(r, path);
                file_error(ctx, kept ? kept : ctx->folder, d, "cannot load plugin: %s",
                           strerror(err));
            }
        } else if (S_ISDIR(st.st_mode)) {
            bool cycle = depth + 1 >= MAX_SCAN_DEPTH;
            for (int a = 0; a <= depth && !cycle; a++)
                cycle = ancestors[a].dev == st.st_dev && ancestors[a].ino == st.st_ino;
            if (!cycle) {
                ancestors[depth + 1] = (file_id){st.st_dev, st.st_ino};
                scan_rec(r, path, ctx, ancestors, depth + 1, d);
            }
        } else if (S_ISREG(st.st_mode) && ends_with(names[i], ".so")) {
            load_one(r, path, ctx, d);
        }
        free(path);
        free(names[i]);
    }
    free(names);
}

void rw_registry_scan_dir(rw_registry *r, const char *dir, rw_loc origin, rw_diag *d) {
    remember_dir(r, dir);
    const char *kept = NULL;
    for (size_t i = 0; i < r->n_dirs && !kept; i++)
        if (strcmp(r->dirs[i], dir) == 0) kept = r->dirs[i];
    load_ctx ctx = {origin, kept ? kept : dir};
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (errno == ENOENT) return; /* a missing folder is not an error */
        file_error(&ctx, kept ? kept : dir, d, "cannot read plugin folder: %s", strerror(errno));
        return;
    }
    if (S_ISREG(st.st_mode)) { /* a path entry may name a plugin file directly */
        load_one(r, dir, &ctx, d);
        return;
    }
    file_id ancestors[MAX_SCAN_DEPTH];
    ancestors[0] = (file_id){st.st_dev, st.st_ino};
    scan_rec(r, kept ? kept : dir, &ctx, ancestors, 0, d);
}

/* Scan each entry of a colon-separated list (empty entries are skipped). */
static void scan_path_list(rw_registry *r, const char *list, rw_loc origin, rw_diag *d) {
    const char *p = list;
    while (*p) {
        const char *end = strchr(p, ':');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > 0) {
            char *dir = strndup(p, len);
            if (!dir) {
                rw_diag_error(d, origin, "out of memory while searching plugin folders");
                return;
            }
            rw_registry_scan_dir(r, dir, origin, d);
            free(dir);
        }
        p += len;
        if (*p == ':') p++;
    }
}

void rw_registry_scan_default(rw_registry *r, rw_diag *d) {
    /* REWIRE_PLUGIN_SYSTEM_PATH, when set (even empty), replaces the built-in folder:
     * tests use it to see only the plugins they mean to. */
    const char *system_path = getenv("REWIRE_PLUGIN_SYSTEM_PATH");
    if (system_path) {
        scan_path_list(r, system_path, (rw_loc){"REWIRE_PLUGIN_SYSTEM_PATH", 0, 0}, d);
    } else {
        rw_registry_scan_dir(r, rw_default_plugin_dir(), (rw_loc){NULL, 0, 0}, d);
    }
    const char *user_path = getenv("REWIRE_PLUGIN_PATH");
    if (user_path) scan_path_list(r, user_path, (rw_loc){"REWIRE_PLUGIN_PATH", 0, 0}, d);
}

/* ---- lookup ---- */

const rw_plugin *rw_registry_find(const rw_registry *r, const char *name) {
    for (size_t i = 0; i < r->n_plugins; i++)
        if (strcmp(r->plugins[i]->desc->name, name) == 0) return r->plugins[i];
    return NULL;
}

const rw_plugin *rw_registry_find_kind(const rw_registry *r, rewire_kind kind, const char *name) {
    const rw_plugin *p = rw_registry_find(r, name);
    return p && p->desc->kind == kind ? p : NULL;
}

/* "available learning rules: a, b; plugin folders searched: X, Y" (or what is missing). */
static void note_available(const rw_registry *r, const rw_kind_info *k, rw_loc loc, rw_diag *d) {
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    if (!f) return;
    size_t shown = 0;
    for (size_t i = 0; i < r->n_plugins; i++) {
        if (r->plugins[i]->desc->kind != k->kind) continue;
        fprintf(f, "%s%s", shown ? ", " : "", r->plugins[i]->desc->name);
        shown++;
    }
    if (!shown) fprintf(f, "no %s plugins were found", k->noun);
    if (r->n_dirs == 0) {
        fprintf(f, "; no plugin folders were searched");
    } else {
        fprintf(f, "; plugin folders searched: ");
        for (size_t i = 0; i < r->n_dirs; i++) fprintf(f, "%s%s", i ? ", " : "", r->dirs[i]);
    }
    fprintf(f, " (add folders with experiment.plugin_path or REWIRE_PLUGIN_PATH)");
    if (fclose(f) == 0 && text) {
        if (shown)
            rw_diag_note(d, loc, "available %s: %s", k->plural, text);
        else
            rw_diag_note(d, loc, "%s", text);
    }
    free(text);
}

void rw_registry_report_unknown(const rw_registry *r, rewire_kind kind, const char *name,
                                rw_loc loc, rw_diag *d) {
    const rw_kind_info *k = rw_find_kind_info(kind);
    if (!k) {
        rw_diag_error(d, loc, "unknown plugin '%s'", name);
        return;
    }
    const rw_plugin *other = rw_registry_find(r, name);
    if (other && other->desc->kind != kind) {
        const rw_kind_info *ok = rw_find_kind_info(other->desc->kind);
        rw_diag_error(d, loc, "'%s' is %s plugin, not %s", name, ok ? ok->a_noun : "another",
                      k->a_noun);
        note_available(r, k, loc, d);
        return;
    }
    const char **candidates = malloc((r->n_plugins ? r->n_plugins : 1) * sizeof *candidates);
    size_t n = 0;
    for (size_t i = 0; candidates && i < r->n_plugins; i++)
        if (r->plugins[i]->desc->kind == kind) candidates[n++] = r->plugins[i]->desc->name;
    const char *guess = candidates ? rw_nearest(name, candidates, n) : NULL;
    if (guess)
        rw_diag_error(d, loc, "unknown %s '%s'; did you mean '%s'?", k->noun, name, guess);
    else
        rw_diag_error(d, loc, "unknown %s '%s'", k->noun, name);
    free(candidates);
    note_available(r, k, loc, d);
}

const rw_plugin *rw_registry_lookup(const rw_registry *r, rewire_kind kind, const char *name,
                                    rw_loc loc, rw_diag *d) {
    const rw_plugin *p = rw_registry_find_kind(r, kind, name);
    if (!p) rw_registry_report_unknown(r, kind, name, loc, d);
    return p;
}

size_t rw_registry_count(const rw_registry *r) { return r->n_plugins; }

const rw_plugin *rw_registry_at(const rw_registry *r, size_t i) {
    return i < r->n_plugins ? r->plugins[i] : NULL;
}

size_t rw_registry_dir_count(const rw_registry *r) { return r->n_dirs; }

const char *rw_registry_dir_at(const rw_registry *r, size_t i) {
    return i < r->n_dirs ? r->dirs[i] : NULL;
}
