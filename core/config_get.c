/* Typed, validating getters over the config tree.  Every message names the value
 * (`what`), says what was expected with an example, and quotes what was found, so a
 * user can fix the file from the message alone. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "units.h"

static const char *article(const char *word) {
    return word[0] && strchr("aeiou", word[0]) ? "an" : "a";
}

static rw_loc loc_of(const rw_node *n) { return n ? n->loc : (rw_loc){0}; }

/* A join of names into buf: "a, b, c". */
static const char *join(const char *const *names, size_t n, char *buf, size_t len) {
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < len; i++) {
        int w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", names[i]);
        if (w < 0) break;
        used += (size_t)w;
    }
    return buf;
}

bool rw_check_keys(const rw_node *map, const char *const *allowed, size_t n_allowed,
                   const char *what, rw_diag *d) {
    if (!map || map->type != RW_NODE_MAP) {
        char got[128];
        rw_diag_error(d, loc_of(map), "%s: expected a mapping, got %s", what,
                      rw_node_describe(map, got, sizeof got));
        return false;
    }
    bool ok = true;
    for (size_t i = 0; i < map->n; i++) {
        const char *key = map->keys[i];
        bool known = false;
        for (size_t j = 0; j < n_allowed && !known; j++) known = strcmp(key, allowed[j]) == 0;
        if (known) continue;
        ok = false;
        const char *s = rw_nearest(key, allowed, n_allowed);
        if (s) {
            rw_diag_error(d, map->key_locs[i], "unknown key '%s' in %s; did you mean '%s'?", key,
                          what, s);
        } else {
            char list[1024];
            rw_diag_error(d, map->key_locs[i], "unknown key '%s' in %s; expected one of: %s", key,
                          what, join(allowed, n_allowed, list, sizeof list));
        }
    }
    return ok;
}

/* The common head of "expected X, got Y" for values that are not scalars at all. */
static bool reject_non_scalar(const rw_node *n, const char *what, const char *expected,
                              rw_diag *d) {
    if (n && n->type == RW_NODE_SCALAR && !rw_node_is_null(n)) return false;
    char got[128];
    rw_diag_error(d, loc_of(n), "%s: expected %s, got %s", what, expected,
                  rw_node_describe(n, got, sizeof got));
    return true;
}

static void expected_quantity(rewire_dim dim, char *buf, size_t len) {
    const char *name = rw_dim_name(dim);
    snprintf(buf, len, "%s %s (e.g. '%s')", article(name), name, rw_dim_example(dim));
}

bool rw_get_quantity(const rw_node *n, rewire_dim dim, const char *what, double *out,
                     rw_diag *d) {
    if (dim == REWIRE_DIM_NONE) return rw_get_real(n, what, out, d);
    char expected[96];
    expected_quantity(dim, expected, sizeof expected);
    if (reject_non_scalar(n, what, expected, d)) return false;
    double v;
    rewire_dim got;
    char err[256];
    if (n->quoted) {
        /* A quoted "20 ms" is a string in YAML; say so instead of accepting it, or the
         * rule "quoted means string" would hold everywhere except here. */
        bool looks_right = rw_parse_quantity_hint(n->scalar, dim, &v, &got, err, sizeof err) ==
                               RW_QUANTITY_OK &&
                           got == dim;
        rw_diag_error(d, n->loc, "%s: expected %s, got the quoted string \"%s\"%s", what,
                      expected, n->scalar, looks_right ? "; remove the quotes" : "");
        return false;
    }
    switch (rw_parse_quantity_hint(n->scalar, dim, &v, &got, err, sizeof err)) {
    case RW_QUANTITY_OK:
        break;
    case RW_QUANTITY_NOT_A_NUMBER:
        rw_diag_error(d, n->loc, "%s: expected %s, got '%s'", what, expected, n->scalar);
        return false;
    default:
        rw_diag_error(d, n->loc, "%s: %s", what, err);
        return false;
    }
    if (got == REWIRE_DIM_NONE) {
        const char *name = rw_dim_name(dim);
        rw_diag_error(d, n->loc, "%s: expected %s %s with a unit, e.g. '%s', got '%s'", what,
                      article(name), name, rw_dim_example(dim), n->scalar);
        return false;
    }
    if (got != dim) {
        const char *gname = rw_dim_name(got);
        rw_diag_error(d, n->loc, "%s: expected %s, got %s %s '%s'", what, expected,
                      article(gname), gname, n->scalar);
        return false;
    }
    *out = v;
    return true;
}

bool rw_get_real(const rw_node *n, const char *what, double *out, rw_diag *d) {
    if (reject_non_scalar(n, what, "a number", d)) return false;
    if (n->quoted) {
        rw_diag_error(d, n->loc, "%s: expected a number, got the quoted string \"%s\"", what,
                      n->scalar);
        return false;
    }
    double v;
    rewire_dim got;
    char err[256];
    switch (rw_parse_quantity_hint(n->scalar, REWIRE_DIM_NONE, &v, &got, err, sizeof err)) {
    case RW_QUANTITY_OK:
        break;
    case RW_QUANTITY_OUT_OF_RANGE:
        rw_diag_error(d, n->loc, "%s: %s", what, err);
        return false;
    default:
        rw_diag_error(d, n->loc, "%s: expected a number, got '%s'", what, n->scalar);
        return false;
    }
    if (got != REWIRE_DIM_NONE) {
        const char *gname = rw_dim_name(got);
        rw_diag_error(d, n->loc, "%s: expected a number without a unit, got %s %s '%s'", what,
                      article(gname), gname, n->scalar);
        return false;
    }
    *out = v;
    return true;
}

/* Integers are written as integers, or in exponent form when that is exact
 * ("size: 1e4"); "3.5" is refused rather than truncated. */
bool rw_get_int(const rw_node *n, const char *what, int64_t *out, rw_diag *d) {
    if (reject_non_scalar(n, what, "an integer", d)) return false;
    if (n->quoted) {
        rw_diag_error(d, n->loc, "%s: expected an integer, got the quoted string \"%s\"", what,
                      n->scalar);
        return false;
    }
    const char *s = n->scalar;
    while (*s == ' ' || *s == '\t') s++;
    const char *digits = s + (*s == '+' || *s == '-');
    size_t nd = strspn(digits, "0123456789");
    size_t rest = strspn(digits + nd, " \t");
    if (nd > 0 && digits[nd + rest] == '\0') {
        errno = 0;
        long long v = strtoll(s, NULL, 10);
        if (errno == ERANGE) {
            rw_diag_error(d, n->loc, "%s: integer '%s' is out of range", what, n->scalar);
            return false;
        }
        *out = v;
        return true;
    }
    double v;
    rewire_dim got;
    char err[256];
    rw_quantity_status st =
        rw_parse_quantity_hint(n->scalar, REWIRE_DIM_NONE, &v, &got, err, sizeof err);
    if (st == RW_QUANTITY_OK && got != REWIRE_DIM_NONE) {
        const char *gname = rw_dim_name(got);
        rw_diag_error(d, n->loc, "%s: expected an integer without a unit, got %s %s '%s'", what,
                      article(gname), gname, n->scalar);
        return false;
    }
    if (st != RW_QUANTITY_OK || v != floor(v)) {
        rw_diag_error(d, n->loc, "%s: expected an integer, got '%s'", what, n->scalar);
        return false;
    }
    /* 2^53: the largest range in which every integer is a double. */
    if (fabs(v) > 9007199254740992.0) {
        rw_diag_error(d, n->loc, "%s: integer '%s' is out of range", what, n->scalar);
        return false;
    }
    *out = (int64_t)v;
    return true;
}

bool rw_get_bool(const rw_node *n, const char *what, bool *out, rw_diag *d) {
    if (reject_non_scalar(n, what, "true or false", d)) return false;
    static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"};
    static const char *const no[] = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"};
    if (!n->quoted) {
        for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
            if (strcmp(n->scalar, yes[i]) == 0) return *out = true, true;
            if (strcmp(n->scalar, no[i]) == 0) return *out = false, true;
        }
    }
    char got[128];
    rw_diag_error(d, n->loc, "%s: expected true or false, got %s", what,
                  rw_node_describe(n, got, sizeof got));
    return false;
}

bool rw_get_string(const rw_node *n, const char *what, const char **out, rw_diag *d) {
    if (reject_non_scalar(n, what, "a string", d)) return false;
    *out = n->scalar;
    return true;
}

bool rw_get_choice(const rw_node *n, const char *const *choices, const char *what, int *out,
                   rw_diag *d) {
    size_t nc = 0;
    while (choices && choices[nc]) nc++;
    char list[1024];
    join(choices, nc, list, sizeof list);
    char expected[1100];
    snprintf(expected, sizeof expected, "one of %s", list);
    if (reject_non_scalar(n, what, expected, d)) return false;
    for (size_t i = 0; i < nc; i++)
        if (strcmp(n->scalar, choices[i]) == 0) return *out = (int)i, true;
    char got[128];
    rw_node_describe(n, got, sizeof got);
    const char *s = rw_nearest(n->scalar, choices, nc);
    if (s)
        rw_diag_error(d, n->loc, "%s: expected %s, got %s; did you mean '%s'?", what, expected,
                      got, s);
    else
        rw_diag_error(d, n->loc, "%s: expected %s, got %s", what, expected, got);
    return false;
}

/* "-1 ms", "0.5", "3" */
static void format_value(double v, rewire_dim dim, char *buf, size_t len) {
    if (v == 0) v = 0; /* no "-0" */
    const char *unit = rw_dim_unit(dim);
    snprintf(buf, len, "%.6g%s%s", v, *unit ? " " : "", unit);
}

bool rw_check_range(const rw_node *n, double value, double min, double max,
                    bool min_exclusive, rewire_dim dim, const char *what, rw_diag *d) {
    char bound[64], got[64];
    format_value(value, dim, got, sizeof got);
    if (isnan(value)) {
        rw_diag_error(d, loc_of(n), "%s must be a number (got %s)", what, got);
        return false;
    }
    if (min_exclusive ? !(value > min) : !(value >= min)) {
        format_value(min, dim, bound, sizeof bound);
        rw_diag_error(d, loc_of(n), "%s must be %s %s (got %s)", what, min_exclusive ? ">" : ">=",
                      bound, got);
        return false;
    }
    if (!(value <= max)) {
        format_value(max, dim, bound, sizeof bound);
        rw_diag_error(d, loc_of(n), "%s must be <= %s (got %s)", what, bound, got);
        return false;
    }
    return true;
}
