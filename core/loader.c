/* The plugin registry: finds shared objects, loads them with dlopen(RTLD_NOW |
 * RTLD_LOCAL), checks the plugin ABI and every descriptor, and keeps them loaded until
 * rw_registry_free().
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
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if !defined(REWIRE_BUILD_ROOT) || !defined(REWIRE_BUILD_PLUGIN_DIR) || \
    !defined(REWIRE_INSTALL_PLUGIN_DIR)
#error "loader.c needs REWIRE_BUILD_ROOT, REWIRE_BUILD_PLUGIN_DIR and REWIRE_INSTALL_PLUGIN_DIR (core_c_args)"
#endif

/* A plugin table longer than this is surely garbage (an uninitialised count). */
#define MAX_PLUGINS_PER_FILE 4096u
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

static void vfile_error(const char *path, rw_diag *d, const char *fmt, va_list ap) {
    char *msg = NULL;
    int n = vasprintf(&msg, fmt, ap);
    rw_diag_error(d, (rw_loc){path, 0, 0}, "%s",
                  n < 0 ? "out of memory while reporting a plugin error" : msg);
    free(msg);
}

/* "FILE: error: MESSAGE" followed by the origin note. */
__attribute__((format(printf, 4, 5))) static void file_error(const load_ctx *ctx,
                                                              const char *path, rw_diag *d,
                                                              const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfile_error(path, d, fmt, ap);
    va_end(ap);
    note_origin(ctx, d);
}

/* "FILE: error: MESSAGE" alone: the caller adds its own notes, then note_origin(). */
__attribute__((format(printf, 3, 4))) static void file_error_only(const char *path, rw_diag *d,
                                                                   const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfile_error(path, d, fmt, ap);
    va_end(ap);
}

static void out_of_memory(const load_ctx *ctx, const char *path, rw_diag *d) {
    file_error(ctx, path, d, "out of memory while loading plugins");
}

/* ---- kinds ---- */

typedef struct kind_info {
    rewire_kind kind;
    const char *id;      /* "learning-rule": machine-readable (summary.json, `rewire plugins`) */
    const char *noun;    /* "learning rule" */
    const char *a_noun;  /* "a learning rule" */
    const char *plural;  /* "learning rules" */
    uint32_t v1_size;    /* size of the kind's v1 function table */
} kind_info;

static const kind_info kinds[] = {
    {REWIRE_KIND_LEARNING_RULE, "learning-rule", "learning rule", "a learning rule",
     "learning rules", (uint32_t)sizeof(rewire_learning_rule_v1)},
    {REWIRE_KIND_INJURY, "injury", "injury", "an injury", "injuries",
     (uint32_t)sizeof(rewire_injury_v1)},
    {REWIRE_KIND_INTERVENTION, "intervention", "intervention", "an intervention",
     "interventions", (uint32_t)sizeof(rewire_intervention_v1)},
    {REWIRE_KIND_OUTPUT, "output", "output", "an output", "outputs",
     (uint32_t)sizeof(rewire_output_v1)},
};

static const kind_info *find_kind(rewire_kind kind) {
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (kinds[i].kind == kind) return &kinds[i];
    return NULL;
}

const char *rw_kind_name(rewire_kind kind) {
    const kind_info *k = find_kind(kind);
    return k ? k->id : "unknown";
}

const char *rw_kind_noun(rewire_kind kind) {
    const kind_info *k = find_kind(kind);
    return k ? k->noun : "plugin";
}

/* ---- descriptor checks ---- */

/* Plugin names: [a-z][a-z0-9_]* (they become experiment keys and file names). */
static bool valid_plugin_name(const char *s) {
    if (!(s[0] >= 'a' && s[0] <= 'z')) return false;
    for (const char *p = s + 1; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) return false;
    return true;
}

/* Parameter names: [A-Za-z_][A-Za-z0-9_]* (A_plus, tau_m, w_max). */
static bool valid_param_name(const char *s) {
    if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_'))
        return false;
    for (const char *p = s + 1; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_'))
            return false;
    return true;
}

static bool known_dim(rewire_dim dim) {
    return (dim >= REWIRE_DIM_NONE && dim <= REWIRE_DIM_LENGTH) || dim == REWIRE_DIM_WEIGHT;
}

/* Collects the problems of one descriptor, each as "malformed plugin descriptor WHO: ...". */
typedef struct desc_check {
    const char *path;
    rw_diag *d;
    char who[96]; /* "'stdp'" or "#2" */
    int errors;
} desc_check;

__attribute__((format(printf, 2, 3))) static void bad(desc_check *c, const char *fmt, ...) {
    char *msg = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&msg, fmt, ap);
    va_end(ap);
    /* check_table adds the origin note once, after the file's last error. */
    file_error_only(c->path, c->d, "malformed plugin descriptor %s: %s (fix the plugin's descriptor)",
                    c->who, n < 0 ? "?" : msg);
    free(msg);
    c->errors++;
}

/* Is `value` inside the spec's bounds? */
static bool within_bounds(const rewire_param_spec *p, double value) {
    if (p->flags & REWIRE_PARAM_HAS_MIN) {
        if (p->flags & REWIRE_PARAM_MIN_EXCLUSIVE ? !(value > p->min) : !(value >= p->min))
            return false;
    }
    if ((p->flags & REWIRE_PARAM_HAS_MAX) && !(value <= p->max)) return false;
    return true;
}

static void describe_bounds(const rewire_param_spec *p, char *buf, size_t size) {
    const bool has_min = p->flags & REWIRE_PARAM_HAS_MIN, has_max = p->flags & REWIRE_PARAM_HAS_MAX;
    const char *open = (p->flags & REWIRE_PARAM_MIN_EXCLUSIVE) ? "(" : "[";
    if (has_min && has_max)
        snprintf(buf, size, "%s%g, %g]", open, p->min, p->max);
    else if (has_min)
        snprintf(buf, size, "%s%g, inf)", open, p->min);
    else
        snprintf(buf, size, "(-inf, %g]", p->max);
}

static void check_param(desc_check *c, const rewire_param_spec *params, uint32_t k) {
    const rewire_param_spec *p = &params[k];
    if (!p->name || !p->name[0]) {
        bad(c, "parameter #%u has no name", k);
        return;
    }
    if (!valid_param_name(p->name)) {
        bad(c, "parameter name '%s' is invalid: use letters, digits and '_', not starting with a digit",
            p->name);
        return;
    }
    for (uint32_t i = 0; i < k; i++) {
        if (params[i].name && strcmp(params[i].name, p->name) == 0) {
            bad(c, "parameter '%s' is declared twice", p->name);
            return;
        }
    }
    const bool required = p->flags & REWIRE_PARAM_REQUIRED;
    char bounds[96];
    switch (p->type) {
    case REWIRE_PARAM_REAL:
    case REWIRE_PARAM_INT:
        if (p->type == REWIRE_PARAM_REAL && !known_dim(p->dim))
            bad(c, "parameter '%s' has unknown dimension %d", p->name, (int)p->dim);
        if ((p->flags & REWIRE_PARAM_HAS_MIN) && (p->flags & REWIRE_PARAM_HAS_MAX) && p->min > p->max)
            bad(c, "parameter '%s' has min %g above max %g", p->name, p->min, p->max);
        if (!required && (p->flags & (REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_HAS_MAX))) {
            double def = p->type == REWIRE_PARAM_REAL ? p->def_real : (double)p->def_int;
            if (!within_bounds(p, def)) {
                describe_bounds(p, bounds, sizeof bounds);
                bad(c, "parameter '%s' has default %g outside its bounds %s", p->name, def, bounds);
            }
        }
        break;
    case REWIRE_PARAM_BOOL:
        if (!required && p->def_int != 0 && p->def_int != 1)
            bad(c, "boolean parameter '%s' has default %lld (use 0 or 1)", p->name,
                (long long)p->def_int);
        break;
    case REWIRE_PARAM_ENUM: {
        if (!p->choices || !p->choices[0]) {
            bad(c, "enum parameter '%s' has no choices (a NULL-terminated list)", p->name);
            break;
        }
        int64_t n_choices = 0;
        while (p->choices[n_choices]) n_choices++;
        if (!required && (p->def_int < 0 || p->def_int >= n_choices))
            bad(c, "enum parameter '%s' has default index %lld but only %lld choices", p->name,
                (long long)p->def_int, (long long)n_choices);
        break;
    }
    case REWIRE_PARAM_STRING:
        break;
    default:
        bad(c, "parameter '%s' has unknown type %d", p->name, (int)p->type);
        break;
    }
}

/* The hooks every instance of a kind needs (the optional ones may be NULL). */
static void check_functions(desc_check *c, rewire_kind kind, const void *functions) {
    struct hook {
        const char *name;
        bool missing;
    } hooks[8];
    size_t n = 0;
#define HOOK(T, field) hooks[n++] = (struct hook){#field, ((const T *)functions)->field == NULL}
    switch (kind) {
    case REWIRE_KIND_LEARNING_RULE: {
        const rewire_learning_rule_v1 *t = functions;
        HOOK(rewire_learning_rule_v1, create);
        HOOK(rewire_learning_rule_v1, start);
        HOOK(rewire_learning_rule_v1, on_pre);
        HOOK(rewire_learning_rule_v1, on_post);
        HOOK(rewire_learning_rule_v1, destroy);
        if (t->flags & REWIRE_RULE_ON_SLICE) HOOK(rewire_learning_rule_v1, on_slice);
        if (t->n_syn_state > 0 && !t->syn_state_names)
            bad(c, "learning rule declares %u per-synapse state arrays but no syn_state_names",
                t->n_syn_state);
        break;
    }
    case REWIRE_KIND_INJURY:
        HOOK(rewire_injury_v1, create);
        HOOK(rewire_injury_v1, apply);
        HOOK(rewire_injury_v1, destroy);
        break;
    case REWIRE_KIND_INTERVENTION:
        HOOK(rewire_intervention_v1, create);
        HOOK(rewire_intervention_v1, begin);
        HOOK(rewire_intervention_v1, end);
        HOOK(rewire_intervention_v1, destroy);
        break;
    case REWIRE_KIND_OUTPUT:
        HOOK(rewire_output_v1, create);
        HOOK(rewire_output_v1, start);
        HOOK(rewire_output_v1, write);
        HOOK(rewire_output_v1, finish);
        HOOK(rewire_output_v1, destroy);
        break;
    }
#undef HOOK
    for (size_t i = 0; i < n; i++)
        if (hooks[i].missing) bad(c, "function '%s' is NULL", hooks[i].name);
}

/* Check descriptor #index of a file; returns true when it can be registered.  Errors
 * come without the origin note: check_table adds it once per file. */
static bool check_descriptor(const char *path, uint32_t index,
                             const rewire_plugin_descriptor *desc, rw_diag *d) {
    desc_check c = {path, d, "", 0};
    snprintf(c.who, sizeof c.who, "#%u", index);
    if (!desc) {
        bad(&c, "the descriptor pointer is NULL");
        return false;
    }
    /* The name, if the descriptor is large enough to have one, makes messages readable. */
    const bool has_name = REWIRE_HAS_FIELD(rewire_plugin_descriptor, desc->struct_size, name) &&
                          desc->name && desc->name[0] && strlen(desc->name) < 64;
    if (has_name) snprintf(c.who, sizeof c.who, "'%s'", desc->name);

    if (desc->abi_major != REWIRE_ABI_MAJOR) {
        file_error_only(path, d,
                        "plugin %s was built for rewire plugin ABI %u.%u, this rewire speaks ABI "
                        "%u.%u: rebuild it against this SDK",
                        c.who, desc->abi_major, desc->abi_minor, REWIRE_ABI_MAJOR,
                        REWIRE_ABI_MINOR);
        return false;
    }
    if (desc->struct_size < sizeof(rewire_plugin_descriptor)) {
        bad(&c, "struct_size is %u bytes, a v1 descriptor has %zu", desc->struct_size,
            sizeof(rewire_plugin_descriptor));
        return false;
    }
    if (!desc->name || !desc->name[0]) {
        bad(&c, "the plugin has no name");
    } else if (!valid_plugin_name(desc->name)) {
        bad(&c, "name '%s' is invalid: use lower-case letters, digits and '_', starting with a letter",
            desc->name);
    }
    if (!desc->version || !desc->version[0]) bad(&c, "the plugin has no version string");
    if (!desc->summary) bad(&c, "the plugin has no summary line");

    const kind_info *k = find_kind(desc->kind);
    if (!k) {
        bad(&c, "unknown kind %d (expected %d learning-rule, %d injury, %d intervention or %d output)",
            (int)desc->kind, REWIRE_KIND_LEARNING_RULE, REWIRE_KIND_INJURY,
            REWIRE_KIND_INTERVENTION, REWIRE_KIND_OUTPUT);
    }
    if (!desc->functions) {
        bad(&c, "the function table is NULL");
    } else if (k) {
        uint32_t own_size = *(const uint32_t *)desc->functions;
        if (desc->functions_size < k->v1_size)
            bad(&c, "functions_size is %u bytes, smaller than the v1 %s table (%u bytes)",
                desc->functions_size, k->id, k->v1_size);
        else if (own_size != desc->functions_size)
            bad(&c, "the function table's struct_size (%u) differs from functions_size (%u)",
                own_size, desc->functions_size);
        else
            check_functions(&c, desc->kind, desc->functions);
    }
    if (desc->n_params > 0 && !desc->params) {
        bad(&c, "n_params is %u but params is NULL", desc->n_params);
    } else {
        for (uint32_t i = 0; i < desc->n_params; i++) check_param(&c, desc->params, i);
    }
    return c.errors == 0;
}

/* ---- registry ---- */

rw_registry *rw_registry_new(void) { return calloc(1, sizeof(rw_registry)); }

void rw_registry_free(rw_registry *r) {
    if (!r) return;
    for (size_t i = 0; i < r->n_plugins; i++) free(r->plugins[i]);
    free(r->plugins);
    /* Close in reverse order of loading, as the dynamic linker does at exit. */
    for (size_t i = r->n_handles; i-- > 0;) dlclose(r->handles[i]);
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

static bool insert_plugin(rw_registry *r, const rewire_plugin_descriptor *desc, const char *path) {
    if (!grow(&r->plugins, &r->cap_plugins, r->n_plugins + 1, sizeof *r->plugins)) return false;
    rw_plugin *p = malloc(sizeof *p);
    if (!p) return false;
    p->desc = desc;
    p->path = path;
    size_t at = r->n_plugins;
    while (at > 0 && plugin_order(r->plugins[at - 1], p) > 0) at--;
    memmove(&r->plugins[at + 1], &r->plugins[at], (r->n_plugins - at) * sizeof *r->plugins);
    r->plugins[at] = p;
    r->n_plugins++;
    return true;
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

/* The descriptors of a file, checked against each other and the registry. */
static bool check_table(rw_registry *r, const load_ctx *ctx, const char *path,
                        const rewire_plugin_table *table, rw_diag *d) {
    if (table->abi_major != REWIRE_ABI_MAJOR) {
        file_error(ctx, path, d,
                   "this plugin file was built for rewire plugin ABI %u.%u, this rewire speaks "
                   "ABI %u.%u: rebuild it against this SDK",
                   table->abi_major, table->abi_minor, REWIRE_ABI_MAJOR, REWIRE_ABI_MINOR);
        return false;
    }
    if (table->count == 0) {
        file_error(ctx, path, d,
                   "this plugin file declares no plugins: its plugin table is empty (list the "
                   "descriptors in REWIRE_PLUGIN_ENTRY)");
        return false;
    }
    if (!table->plugins || table->count > MAX_PLUGINS_PER_FILE) {
        file_error(ctx, path, d,
                   "malformed plugin table: %s (define the entry with REWIRE_PLUGIN_ENTRY from "
                   "<rewire/plugin.h>)",
                   !table->plugins ? "the descriptor list is NULL"
                                   : "implausible count of plugins");
        return false;
    }
    bool ok = true;
    for (uint32_t i = 0; i < table->count; i++) {
        const rewire_plugin_descriptor *desc = table->plugins[i];
        if (!check_descriptor(path, i, desc, d)) {
            ok = false;
            continue;
        }
        for (uint32_t j = 0; j < i; j++) {
            const rewire_plugin_descriptor *earlier = table->plugins[j];
            if (earlier && earlier->name && strcmp(earlier->name, desc->name) == 0) {
                file_error_only(path, d, "plugin name '%s' is declared twice in this file",
                                desc->name);
                ok = false;
            }
        }
        const rw_plugin *existing = rw_registry_find(r, desc->name);
        if (existing) {
            file_error_only(path, d,
                            "duplicate plugin name '%s': a plugin of that name is already "
                            "loaded (remove one of the two files from the plugin folders, or "
                            "rename one plugin)",
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
        if (!insert_plugin(r, table->plugins[i], path)) {
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

/* Does the running executable live inside the build tree? */
static bool running_from_build_tree(void) {
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

void rw_registry_scan_default(rw_registry *r, rw_diag *d) {
    /* REWIRE_PLUGIN_SYSTEM_PATH, when set (even empty), replaces the built-in folder:
     * tests use it to see only the plugins they mean to. */
    const char *system_path = getenv("REWIRE_PLUGIN_SYSTEM_PATH");
    if (system_path) {
        scan_path_list(r, system_path, (rw_loc){"REWIRE_PLUGIN_SYSTEM_PATH", 0, 0}, d);
    } else {
        const char *dir = running_from_build_tree() ? REWIRE_BUILD_PLUGIN_DIR
                                                    : REWIRE_INSTALL_PLUGIN_DIR;
        rw_registry_scan_dir(r, dir, (rw_loc){NULL, 0, 0}, d);
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
static void note_available(const rw_registry *r, const kind_info *k, rw_loc loc, rw_diag *d) {
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
    const kind_info *k = find_kind(kind);
    if (!k) {
        rw_diag_error(d, loc, "unknown plugin '%s'", name);
        return;
    }
    const rw_plugin *other = rw_registry_find(r, name);
    if (other && other->desc->kind != kind) {
        const kind_info *ok = find_kind(other->desc->kind);
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
