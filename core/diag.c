/* Diagnostics collector.  Errors are kept in the order they were reported and sorted
 * only when printed, so the loader can validate in whatever order is natural and the
 * user still reads the file top to bottom. */
#include "diag.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct rw_diag_entry {
    char *file; /* copied: diagnostics often outlive the tree that named the file */
    int line, col;
    bool is_note;
    char *msg;
} rw_diag_entry;

struct rw_diag {
    rw_diag_entry *entries;
    size_t n, cap;
    size_t n_errors;
    /* A note following a dropped duplicate error belongs to that duplicate and is
     * dropped too, or it would end up under the wrong error. */
    bool dropping_notes;
};

rw_diag *rw_diag_new(void) {
    rw_diag *d = calloc(1, sizeof *d);
    if (!d) abort();
    return d;
}

void rw_diag_free(rw_diag *d) {
    if (!d) return;
    for (size_t i = 0; i < d->n; i++) {
        free(d->entries[i].file);
        free(d->entries[i].msg);
    }
    free(d->entries);
    free(d);
}

static char *dup_or_null(const char *s) {
    if (!s) return NULL;
    char *c = strdup(s);
    if (!c) abort();
    return c;
}

static char *vformat(const char *fmt, va_list ap) {
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0) abort();
    return msg;
}

static bool same_file(const char *a, const char *b) {
    if (!a || !b) return a == b;
    return strcmp(a, b) == 0;
}

static bool is_duplicate_error(const rw_diag *d, rw_loc loc, const char *msg) {
    for (size_t i = 0; i < d->n; i++) {
        const rw_diag_entry *e = &d->entries[i];
        if (!e->is_note && e->line == loc.line && e->col == loc.col &&
            same_file(e->file, loc.file) && strcmp(e->msg, msg) == 0)
            return true;
    }
    return false;
}

static void append(rw_diag *d, rw_loc loc, bool is_note, char *msg) {
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;
        rw_diag_entry *e = realloc(d->entries, cap * sizeof *e);
        if (!e) abort();
        d->entries = e;
        d->cap = cap;
    }
    d->entries[d->n++] = (rw_diag_entry){
        .file = dup_or_null(loc.file),
        .line = loc.line,
        .col = loc.col,
        .is_note = is_note,
        .msg = msg,
    };
}

void rw_diag_error(rw_diag *d, rw_loc loc, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *msg = vformat(fmt, ap);
    va_end(ap);
    if (is_duplicate_error(d, loc, msg)) {
        free(msg);
        d->dropping_notes = true;
        return;
    }
    d->dropping_notes = false;
    append(d, loc, false, msg);
    d->n_errors++;
}

void rw_diag_note(rw_diag *d, rw_loc loc, const char *fmt, ...) {
    if (d->dropping_notes) return;
    va_list ap;
    va_start(ap, fmt);
    char *msg = vformat(fmt, ap);
    va_end(ap);
    append(d, loc, true, msg);
}

size_t rw_diag_errors(const rw_diag *d) { return d ? d->n_errors : 0; }

/* An error and the notes that follow it move together when sorting. */
typedef struct group {
    size_t first, count;
} group;

static int compare_file(const char *a, const char *b) {
    if (!a || !b) return (a != NULL) - (b != NULL); /* no file sorts first */
    return strcmp(a, b);
}

static int compare_groups(const rw_diag *d, const group *ga, const group *gb) {
    const rw_diag_entry *a = &d->entries[ga->first], *b = &d->entries[gb->first];
    int c = compare_file(a->file, b->file);
    if (c) return c;
    if (a->line != b->line) return a->line < b->line ? -1 : 1;
    if (a->col != b->col) return a->col < b->col ? -1 : 1;
    return 0;
}

/* Insertion sort: stable, and the number of errors is small. */
static void sort_groups(const rw_diag *d, group *g, size_t n) {
    for (size_t i = 1; i < n; i++) {
        group key = g[i];
        size_t j = i;
        while (j > 0 && compare_groups(d, &g[j - 1], &key) > 0) {
            g[j] = g[j - 1];
            j--;
        }
        g[j] = key;
    }
}

static void print_entry(const rw_diag_entry *e, FILE *out) {
    const char *kind = e->is_note ? "note" : "error";
    if (e->file && e->line > 0 && e->col > 0)
        fprintf(out, "%s:%d:%d: %s: %s\n", e->file, e->line, e->col, kind, e->msg);
    else if (e->file && e->line > 0)
        fprintf(out, "%s:%d: %s: %s\n", e->file, e->line, kind, e->msg);
    else if (e->file)
        fprintf(out, "%s: %s: %s\n", e->file, kind, e->msg);
    else
        fprintf(out, "%s: %s\n", kind, e->msg);
}

void rw_diag_print(const rw_diag *d, FILE *out) {
    if (!d || d->n == 0) return;
    group *groups = malloc(d->n * sizeof *groups);
    if (!groups) abort();
    size_t ng = 0;
    for (size_t i = 0; i < d->n; i++) {
        if (d->entries[i].is_note && ng > 0)
            groups[ng - 1].count++;
        else
            groups[ng++] = (group){i, 1};
    }
    sort_groups(d, groups, ng);
    for (size_t g = 0; g < ng; g++)
        for (size_t i = 0; i < groups[g].count; i++)
            print_entry(&d->entries[groups[g].first + i], out);
    if (d->n_errors > 1) fprintf(out, "%zu errors\n", d->n_errors);
    free(groups);
}

char *rw_diag_format(const rw_diag *d) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) abort();
    rw_diag_print(d, f);
    if (fclose(f) != 0) abort();
    return buf;
}

/* Optimal string alignment distance (Damerau-Levenshtein without repeated edits of
 * one substring), case-insensitive: a swapped pair of letters is one typo, not two. */
static size_t edit_distance(const char *a, const char *b, bool fold_case) {
    size_t la = strlen(a), lb = strlen(b);
    size_t *rows = malloc(3 * (lb + 1) * sizeof *rows);
    if (!rows) abort();
    size_t *prev2 = rows, *prev = rows + (lb + 1), *cur = rows + 2 * (lb + 1);
    for (size_t j = 0; j <= lb; j++) prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            unsigned char ca = (unsigned char)a[i - 1], cb = (unsigned char)b[j - 1];
            if (fold_case) {
                ca = (unsigned char)tolower(ca);
                cb = (unsigned char)tolower(cb);
            }
            size_t cost = ca != cb;
            size_t best = prev[j] + 1;
            if (cur[j - 1] + 1 < best) best = cur[j - 1] + 1;
            if (prev[j - 1] + cost < best) best = prev[j - 1] + cost;
            if (i > 1 && j > 1) {
                unsigned char pa = (unsigned char)a[i - 2], pb = (unsigned char)b[j - 2];
                if (fold_case) {
                    pa = (unsigned char)tolower(pa);
                    pb = (unsigned char)tolower(pb);
                }
                if (ca == pb && pa == cb && prev2[j - 2] + 1 < best) best = prev2[j - 2] + 1;
            }
            cur[j] = best;
        }
        size_t *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    size_t dist = prev[lb];
    free(rows);
    return dist;
}

static size_t common_prefix(const char *a, const char *b) {
    size_t k = 0;
    while (a[k] && a[k] == b[k]) k++;
    return k;
}

const char *rw_nearest(const char *name, const char *const *candidates, size_t n) {
    if (!name || !candidates) return NULL;
    size_t len = strlen(name);
    size_t limit = len / 3 > 1 ? len / 3 : 1;
    const char *best = NULL;
    size_t best_d = SIZE_MAX, best_cs = SIZE_MAX, best_prefix = 0;
    for (size_t i = 0; i < n; i++) {
        const char *c = candidates[i];
        if (!c) continue;
        size_t d = edit_distance(name, c, true);
        size_t clen = strlen(c);
        /* Replacing every character of a one- or two-letter word is not a typo. */
        if (d > limit || d >= (len > clen ? len : clen)) continue;
        /* Ties: fewer case differences, then the longer shared beginning (typos sit
         * more often at the end of a word), then the caller's order. */
        size_t cs = edit_distance(name, c, false);
        size_t prefix = common_prefix(name, c);
        if (d < best_d || (d == best_d && (cs < best_cs || (cs == best_cs && prefix > best_prefix)))) {
            best = c;
            best_d = d;
            best_cs = cs;
            best_prefix = prefix;
        }
    }
    if (best || len < 4) return best;
    /* An abbreviation ("fixed_prob", "multiplic") is far from the whole word by edit
     * distance but plainly meant it: accept a unique candidate that starts with it. */
    for (size_t i = 0; i < n; i++) {
        const char *c = candidates[i];
        if (!c || strncasecmp(c, name, len) != 0) continue;
        if (best) return NULL;
        best = c;
    }
    return best;
}
