/* test_support.c: see test_support.h. */
#include "test_support.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *temp_dir(char *buf, size_t size) {
    const char *tmp = getenv("TMPDIR");
    snprintf(buf, size, "%s/rewire-loader-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(buf)) {
        printf("# cannot create a temporary folder: %s\n", strerror(errno));
        return NULL;
    }
    return buf;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void remove_tree(const char *dir) { nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS); }

bool link_into(const char *dir, const char *name, const char *target) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (symlink(target, path) != 0) {
        printf("# symlink %s -> %s: %s\n", path, target, strerror(errno));
        return false;
    }
    return true;
}

char *diag_text(const rw_diag *d) {
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    if (!f) return NULL;
    rw_diag_print(d, f);
    fclose(f);
    return text;
}

/* The start of the line `line` in text, or NULL. */
static const char *find_line(const char *text, const char *line, bool whole) {
    size_t len = strlen(line);
    for (const char *p = text; p && *p;) {
        if (strncmp(p, line, len) == 0 && (!whole || p[len] == '\n' || p[len] == '\0')) return p;
        p = strchr(p, '\n');
        if (p) p++;
    }
    return NULL;
}

bool has_line(const char *text, const char *line) { return text && find_line(text, line, true); }

bool has_line_prefix(const char *text, const char *prefix) {
    return text && find_line(text, prefix, false);
}

bool lines_follow(const char *text, const char *first, const char *second) {
    const char *p = text ? find_line(text, first, true) : NULL;
    if (!p) return false;
    p += strlen(first) + 1;
    size_t len = strlen(second);
    return strncmp(p, second, len) == 0 && (p[len] == '\n' || p[len] == '\0');
}

void print_as_comment(const rw_diag *d) {
    char *text = diag_text(d);
    for (char *line = text ? strtok(text, "\n") : NULL; line; line = strtok(NULL, "\n"))
        printf("#   %s\n", line);
    free(text);
}

const rw_plugin *load_plugin(const char *path, const char *name, rw_registry **registry) {
    rw_diag *d = rw_diag_new();
    rw_registry *r = rw_registry_new();
    rw_registry_load_file(r, path, (rw_loc){NULL, 0, 0}, d);
    if (rw_diag_errors(d)) {
        printf("# loading %s failed:\n", path);
        print_as_comment(d);
    }
    rw_diag_free(d);
    *registry = r;
    return rw_registry_find(r, name);
}
