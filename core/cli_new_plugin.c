/* `rewire new-plugin --kind KIND NAME [DIR]`: write a small out-of-tree meson project for
 * a new plugin, from the templates of the SDK (sdk/template/, installed under
 * DATADIR/rewire/template/).
 *
 * A template folder holds files with placeholders: @NAME@ (the plugin name, also in file
 * names), @KIND@ ("learning-rule", ...), @KIND_DIR@ (the plugin folder of that kind:
 * "learning", ...) and @REWIRE_VERSION@.  The project is common/ plus the kind's own
 * folder, copied recursively.  Nothing is ever overwritten: DIR must be new or empty. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "loader.h"
#include "paths.h"

static const char new_plugin_usage[] =
    "usage: rewire new-plugin --kind KIND NAME [DIR]\n"
    "\n"
    "Write a new plugin project into DIR (default ./NAME): the plugin's C source with its\n"
    "parameter schema, a meson.build that finds the SDK with dependency('rewire-sdk'), an\n"
    "example experiment (for kinds an experiment can use today), a test and a README.\n"
    "DIR must be new or empty.  NAME: lower-case letters, digits and '_', starting with\n"
    "a letter (it becomes the plugin's name in experiments).\n"
    "\n"
    "  -k, --kind KIND   learning-rule, injury, intervention or output\n"
    "  -h, --help        show this help\n"
    "\n"
    "Then:  cd DIR && meson setup build && meson test -C build\n"
    "docs/writing-a-learning-rule.md walks through a learning rule.\n";

typedef struct kind_template {
    const char *kind;     /* --kind value and template folder */
    const char *kind_dir; /* folder of that kind under the plugin folder */
} kind_template;

static const kind_template kinds[] = {
    {"learning-rule", "learning"},
    {"injury", "injury"},
    {"intervention", "intervention"},
    {"output", "output"},
};
#define N_KINDS (sizeof kinds / sizeof kinds[0])

#define MAX_NAME 63
#define MAX_TEMPLATE_BYTES (1u << 20)

typedef struct scaffold {
    const char *name;
    const kind_template *kind;
    char **written; /* paths of the files written, for the report */
    size_t n_written, cap_written;
} scaffold;

static bool valid_name(const char *s) {
    if (!(s[0] >= 'a' && s[0] <= 'z') || strlen(s) > MAX_NAME) return false;
    for (const char *p = s + 1; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) return false;
    return true;
}

/* Append text[0..n) to a growing buffer; false when out of memory. */
static bool append(char **buf, size_t *len, size_t *cap, const char *text, size_t n) {
    if (*len + n + 1 > *cap) {
        size_t want = (*len + n + 1) * 2;
        char *p = realloc(*buf, want);
        if (!p) return false;
        *buf = p;
        *cap = want;
    }
    memcpy(*buf + *len, text, n);
    *len += n;
    (*buf)[*len] = '\0';
    return true;
}

/* `in` with every known placeholder replaced; NULL when out of memory. */
static char *substitute(const scaffold *sc, const char *in, size_t n) {
    const struct {
        const char *key, *value;
    } subs[] = {{"@NAME@", sc->name},
                {"@KIND@", sc->kind->kind},
                {"@KIND_DIR@", sc->kind->kind_dir},
                {"@REWIRE_VERSION@", REWIRE_VERSION}};
    char *out = NULL;
    size_t len = 0, cap = 0;
    if (!append(&out, &len, &cap, "", 0)) return NULL;
    for (size_t i = 0; i < n;) {
        bool replaced = false;
        for (size_t k = 0; k < sizeof subs / sizeof subs[0] && in[i] == '@'; k++) {
            size_t kl = strlen(subs[k].key);
            if (n - i >= kl && memcmp(in + i, subs[k].key, kl) == 0) {
                if (!append(&out, &len, &cap, subs[k].value, strlen(subs[k].value))) goto oom;
                i += kl;
                replaced = true;
                break;
            }
        }
        if (replaced) continue;
        const char *next = memchr(in + i + 1, '@', n - i - 1);
        size_t run = next ? (size_t)(next - (in + i)) : n - i;
        if (!append(&out, &len, &cap, in + i, run)) goto oom;
        i += run;
    }
    return out;
oom:
    free(out);
    return NULL;
}

static char *join(const char *dir, const char *name) {
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* mkdir -p */
static int make_dirs(const char *path) {
    char *p = strdup(path);
    if (!p) return -1;
    for (char *s = p + 1; *s; s++) {
        if (*s != '/') continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            free(p);
            return -1;
        }
        *s = '/';
    }
    int rc = mkdir(p, 0777) != 0 && errno != EEXIST ? -1 : 0;
    free(p);
    return rc;
}

/* 1: DIR exists and holds something; 0: it is free to use; -1: error (errno set). */
static int dir_in_use(const char *dir) {
    struct stat st;
    if (stat(dir, &st) != 0) return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode)) return 1;
    DIR *d = opendir(dir);
    if (!d) return -1;
    int used = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) used = 1;
    closedir(d);
    return used;
}

static bool record(scaffold *sc, const char *path) {
    if (sc->n_written == sc->cap_written) {
        size_t cap = sc->cap_written ? 2 * sc->cap_written : 16;
        char **p = realloc(sc->written, cap * sizeof *p);
        if (!p) return false;
        sc->written = p;
        sc->cap_written = cap;
    }
    char *copy = strdup(path);
    if (!copy) return false;
    sc->written[sc->n_written++] = copy;
    return true;
}

/* Create `path` with `text`; 0 or an errno.  O_EXCL: never overwrite, even a file that
 * appeared after the emptiness check. */
static int write_new_file(const char *path, const char *text, mode_t mode) {
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, (mode & 0777) | 0600);
    if (fd < 0) return errno;
    size_t len = strlen(text), done = 0;
    while (done < len) {
        ssize_t w = write(fd, text + done, len - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            int err = w < 0 ? errno : EIO;
            close(fd);
            return err;
        }
        done += (size_t)w;
    }
    return close(fd) == 0 ? 0 : errno;
}

/* Copy the template file `src` to `dst` with placeholders replaced. */
static int copy_file(scaffold *sc, const char *src, const char *dst, mode_t mode) {
    FILE *in = fopen(src, "rb");
    if (!in) {
        fprintf(stderr, "rewire new-plugin: error: cannot read template %s: %s\n", src, strerror(errno));
        return RW_EXIT_RUNTIME;
    }
    char *text = malloc(MAX_TEMPLATE_BYTES);
    size_t n = text ? fread(text, 1, MAX_TEMPLATE_BYTES, in) : 0;
    bool too_big = text && n == MAX_TEMPLATE_BYTES;
    bool read_failed = !text || ferror(in);
    fclose(in);
    char *out = read_failed || too_big ? NULL : substitute(sc, text, n);
    free(text);
    if (!out) {
        fprintf(stderr, "rewire new-plugin: error: cannot read template %s: %s\n", src,
                too_big ? "larger than 1 MiB" : read_failed ? "read error" : "out of memory");
        return RW_EXIT_RUNTIME;
    }
    int rc = write_new_file(dst, out, mode);
    free(out);
    if (rc != 0) {
        fprintf(stderr, "rewire new-plugin: error: cannot write %s: %s\n", dst, strerror(rc));
        return RW_EXIT_RUNTIME;
    }
    return record(sc, dst) ? RW_EXIT_OK : RW_EXIT_RUNTIME;
}

/* Copy the template folder `src` into `dst` (which exists), recursively. */
static int copy_tree(scaffold *sc, const char *src, const char *dst) {
    struct dirent **entries;
    int n = scandir(src, &entries, NULL, alphasort);
    if (n < 0) {
        fprintf(stderr, "rewire new-plugin: error: cannot read the template folder %s: %s\n", src,
                strerror(errno));
        return RW_EXIT_RUNTIME;
    }
    int status = RW_EXIT_OK;
    for (int i = 0; i < n; i++) {
        const char *name = entries[i]->d_name;
        if (status == RW_EXIT_OK && strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
            char *from = join(src, name);
            char *to_name = substitute(sc, name, strlen(name));
            char *to = to_name ? join(dst, to_name) : NULL;
            struct stat st;
            if (!from || !to) {
                status = RW_EXIT_RUNTIME;
            } else if (stat(from, &st) != 0) {
                fprintf(stderr, "rewire new-plugin: error: %s: %s\n", from, strerror(errno));
                status = RW_EXIT_RUNTIME;
            } else if (S_ISDIR(st.st_mode)) {
                if (mkdir(to, 0777) != 0 && errno != EEXIST) {
                    fprintf(stderr, "rewire new-plugin: error: cannot create %s: %s\n", to, strerror(errno));
                    status = RW_EXIT_RUNTIME;
                } else {
                    status = copy_tree(sc, from, to);
                }
            } else if (S_ISREG(st.st_mode)) {
                status = copy_file(sc, from, to, st.st_mode);
            }
            free(from);
            free(to_name);
            free(to);
        }
        free(entries[i]);
    }
    free(entries);
    return status;
}

/* A plugin of that name already found by this rewire would clash with the new one
 * (duplicate plugin name) as soon as both are loaded.  Loading errors of other plugin
 * files do not matter here: they are reported where those plugins are used. */
static const char *existing_plugin(const char *name, rw_registry *reg, rw_diag *d) {
    rw_registry_scan_default(reg, d);
    const rw_plugin *pl = rw_registry_find(reg, name);
    return pl ? pl->path : NULL;
}

static int generate(scaffold *sc, const char *dir) {
    int used = dir_in_use(dir);
    if (used != 0) {
        if (used < 0)
            fprintf(stderr, "rewire new-plugin: error: cannot use %s: %s\n", dir, strerror(errno));
        else
            fprintf(stderr,
                    "rewire new-plugin: error: %s already exists and is not an empty folder; "
                    "nothing was written (choose another DIR, or remove it first)\n",
                    dir);
        return RW_EXIT_USAGE;
    }
    const char *templates = rw_template_dir();
    char *common = join(templates, "common");
    char *own = join(templates, sc->kind->kind);
    int status = RW_EXIT_RUNTIME;
    struct stat st;
    if (!common || !own) goto out;
    if (stat(own, &st) != 0 || !S_ISDIR(st.st_mode) || stat(common, &st) != 0) {
        fprintf(stderr,
                "rewire new-plugin: error: the plugin templates are missing: no %s "
                "(reinstall rewire, or run the rewire of a build tree)\n",
                own);
        goto out;
    }
    if (make_dirs(dir) != 0) {
        fprintf(stderr, "rewire new-plugin: error: cannot create %s: %s\n", dir, strerror(errno));
        goto out;
    }
    status = copy_tree(sc, common, dir);
    if (status == RW_EXIT_OK) status = copy_tree(sc, own, dir);
out:
    free(common);
    free(own);
    return status;
}

static void print_next_steps(const scaffold *sc, const char *dir) {
    printf("Created %s plugin '%s' in %s:\n", sc->kind->kind, sc->name, dir);
    for (size_t i = 0; i < sc->n_written; i++) printf("  %s\n", sc->written[i]);
    printf("\nBuild and test it:\n  cd %s\n", dir);
    if (rw_running_from_build_tree())
        printf("  PKG_CONFIG_PATH=%s/meson-uninstalled meson setup build\n", REWIRE_BUILD_ROOT);
    else
        printf("  meson setup build\n");
    printf("  meson test -C build\n\nThe README there says what the plugin does and how to change it.\n");
}

int rw_cli_new_plugin(int argc, char **argv) {
    static const struct option opts[] = {{"kind", required_argument, NULL, 'k'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *kind = NULL;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "k:h", opts, NULL)) != -1) {
        if (c == 'k') {
            kind = optarg;
        } else if (c == 'h') {
            fputs(new_plugin_usage, stdout);
            return RW_EXIT_OK;
        } else {
            return rw_cli_usage_error("new-plugin", "unknown option or missing value: '%s'",
                                      argv[optind - 1]);
        }
    }
    if (!kind)
        return rw_cli_usage_error("new-plugin",
                                  "--kind is required (learning-rule, injury, intervention or output)");
    const kind_template *kt = NULL;
    const char *kind_names[N_KINDS];
    for (size_t i = 0; i < N_KINDS; i++) {
        kind_names[i] = kinds[i].kind;
        if (strcmp(kind, kinds[i].kind) == 0) kt = &kinds[i];
    }
    if (!kt) {
        const char *near = rw_nearest(kind, kind_names, N_KINDS);
        return rw_cli_usage_error("new-plugin",
                                  "unknown kind '%s'%s%s%s (expected learning-rule, injury, "
                                  "intervention or output)",
                                  kind, near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
    }
    if (argc - optind < 1) return rw_cli_usage_error("new-plugin", "expected a plugin NAME");
    if (argc - optind > 2) return rw_cli_usage_error("new-plugin", "expected NAME and at most one DIR");
    const char *name = argv[optind];
    const char *dir = argc - optind == 2 ? argv[optind + 1] : name;
    if (!valid_name(name))
        return rw_cli_usage_error("new-plugin",
                                  "invalid plugin name '%s': use lower-case letters, digits and '_', "
                                  "starting with a letter, at most %d characters",
                                  name, MAX_NAME);

    rw_diag *d = rw_diag_new();
    rw_registry *reg = rw_registry_new();
    if (!d || !reg) {
        rw_registry_free(reg);
        rw_diag_free(d);
        return RW_EXIT_RUNTIME;
    }
    int status;
    const char *clash = existing_plugin(name, reg, d);
    if (clash) {
        fprintf(stderr,
                "rewire new-plugin: error: a plugin named '%s' already exists (%s); two plugins "
                "of one name cannot be loaded together: choose another NAME\n",
                name, clash);
        status = RW_EXIT_USAGE;
    } else {
        scaffold sc = {.name = name, .kind = kt};
        status = generate(&sc, dir);
        if (status == RW_EXIT_OK) print_next_steps(&sc, dir);
        for (size_t i = 0; i < sc.n_written; i++) free(sc.written[i]);
        free(sc.written);
    }
    rw_registry_free(reg);
    rw_diag_free(d);
    return status;
}
