/* Diagnostics: errors collected with their file:line:col so that every error in an
 * experiment is reported in one run, sorted by position. */
#ifndef RW_DIAG_H
#define RW_DIAG_H

#include <stddef.h>
#include <stdio.h>

typedef struct rw_loc {
    const char *file; /* not owned; the config tree or a static string keeps it alive */
    int line;         /* 1-based; 0 = no position (then only "FILE: error: ...") */
    int col;          /* 1-based */
} rw_loc;

typedef struct rw_diag rw_diag;

rw_diag *rw_diag_new(void);
void rw_diag_free(rw_diag *d);

/* Record "FILE:LINE:COL: error: MESSAGE".  Identical repeated errors are kept once. */
void rw_diag_error(rw_diag *d, rw_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A "note:" attached to the previous error (printed right after it). */
void rw_diag_note(rw_diag *d, rw_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

size_t rw_diag_errors(const rw_diag *d);
/* Print all errors, stably sorted by (file, line, col), then "N error(s)" if N > 1. */
void rw_diag_print(const rw_diag *d, FILE *out);
/* The same text as rw_diag_print, as a string the caller frees ("" when empty). */
char *rw_diag_format(const rw_diag *d);

/* The candidate closest to `name` by edit distance, or NULL when none is close enough
 * to be a plausible typo.  Used for every "did you mean". */
const char *rw_nearest(const char *name, const char *const *candidates, size_t n);

#endif
