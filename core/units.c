/* Quantities with units.  The number is scanned by hand (not by strtod alone) so that
 * "inf", "nan", hex floats and "1e" followed by a unit are never taken for numbers. */
#include "units.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

typedef struct base_unit {
    const char *symbol;
    rewire_dim dim;
    double to_internal; /* one of this unit in the dimension's internal unit */
} base_unit;

static const base_unit base_units[] = {
    {"s", REWIRE_DIM_TIME, 1e3},
    {"V", REWIRE_DIM_VOLTAGE, 1e3},
    {"A", REWIRE_DIM_CURRENT, 1e12},
    {"S", REWIRE_DIM_CONDUCTANCE, 1e9},
    {"F", REWIRE_DIM_CAPACITANCE, 1e12},
    {"Hz", REWIRE_DIM_FREQUENCY, 1.0},
    {"Ohm", REWIRE_DIM_RESISTANCE, 1e-6},
    {"\xce\xa9", REWIRE_DIM_RESISTANCE, 1e-6}, /* Ω, U+03A9 */
    {"\xe2\x84\xa6", REWIRE_DIM_RESISTANCE, 1e-6}, /* Ω, U+2126 OHM SIGN */
    {"m", REWIRE_DIM_LENGTH, 1e6},
};

/* Units that take no prefix. */
static const base_unit whole_units[] = {
    {"min", REWIRE_DIM_TIME, 60e3},
    {"h", REWIRE_DIM_TIME, 3600e3},
    /* Clinical schedules (`schedule:` of an intervention) count in days and weeks. */
    {"day", REWIRE_DIM_TIME, 86400e3},
    {"days", REWIRE_DIM_TIME, 86400e3},
    {"week", REWIRE_DIM_TIME, 604800e3},
    {"weeks", REWIRE_DIM_TIME, 604800e3},
};

typedef struct prefix {
    const char *symbol;
    double factor;
} prefix;

static const prefix prefixes[] = {
    {"G", 1e9},  {"M", 1e6},  {"k", 1e3},  {"m", 1e-3},
    {"u", 1e-6}, {"\xc2\xb5", 1e-6}, /* µ, U+00B5 MICRO SIGN */
    {"\xce\xbc", 1e-6},               /* μ, U+03BC GREEK SMALL LETTER MU */
    {"n", 1e-9}, {"p", 1e-12}, {"f", 1e-15},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Resolve a unit symbol.  A whole symbol that is itself a unit wins over a prefix
 * reading, which is what makes "m" metre, "min" minutes and "ms" milliseconds. */
static bool lookup_unit(const char *sym, rewire_dim *dim, double *factor) {
    for (size_t i = 0; i < COUNT(whole_units); i++)
        if (strcmp(sym, whole_units[i].symbol) == 0) {
            *dim = whole_units[i].dim;
            *factor = whole_units[i].to_internal;
            return true;
        }
    for (size_t i = 0; i < COUNT(base_units); i++)
        if (strcmp(sym, base_units[i].symbol) == 0) {
            *dim = base_units[i].dim;
            *factor = base_units[i].to_internal;
            return true;
        }
    for (size_t p = 0; p < COUNT(prefixes); p++) {
        size_t plen = strlen(prefixes[p].symbol);
        if (strncmp(sym, prefixes[p].symbol, plen) != 0) continue;
        for (size_t i = 0; i < COUNT(base_units); i++)
            if (strcmp(sym + plen, base_units[i].symbol) == 0) {
                *dim = base_units[i].dim;
                *factor = base_units[i].to_internal * prefixes[p].factor;
                return true;
            }
    }
    return false;
}

/* The units people write, by dimension; suggestions and listings come from here so
 * that "did you mean" proposes "ms", not "Ms". */
typedef struct common_units {
    rewire_dim dim;
    const char *const *symbols;
    size_t n;
} common_units;

static const char *const time_units[] = {"ms", "s", "us", "min", "h", "day", "week"};
static const char *const voltage_units[] = {"mV", "V", "uV"};
static const char *const current_units[] = {"pA", "nA", "A", "uA"};
static const char *const conductance_units[] = {"nS", "S", "uS", "pS", "mS"};
static const char *const capacitance_units[] = {"pF", "F", "nF", "uF"};
static const char *const frequency_units[] = {"Hz", "kHz"};
static const char *const resistance_units[] = {"MOhm", "Ohm", "kOhm", "GOhm"};
static const char *const length_units[] = {"um", "m", "mm"};

static const common_units common[] = {
    {REWIRE_DIM_TIME, time_units, COUNT(time_units)},
    {REWIRE_DIM_VOLTAGE, voltage_units, COUNT(voltage_units)},
    {REWIRE_DIM_CURRENT, current_units, COUNT(current_units)},
    {REWIRE_DIM_CONDUCTANCE, conductance_units, COUNT(conductance_units)},
    {REWIRE_DIM_CAPACITANCE, capacitance_units, COUNT(capacitance_units)},
    {REWIRE_DIM_FREQUENCY, frequency_units, COUNT(frequency_units)},
    {REWIRE_DIM_RESISTANCE, resistance_units, COUNT(resistance_units)},
    {REWIRE_DIM_LENGTH, length_units, COUNT(length_units)},
};

static const common_units *common_for(rewire_dim dim) {
    for (size_t i = 0; i < COUNT(common); i++)
        if (common[i].dim == dim) return &common[i];
    return NULL;
}

static const char *suggest_unit(const char *unit, rewire_dim hint) {
    const common_units *c = common_for(hint);
    if (c) {
        const char *s = rw_nearest(unit, c->symbols, c->n);
        if (s) return s;
    }
    /* Every common unit, the hinted dimension's first, then ASCII prefixed forms. */
    const char *all[128];
    size_t n = 0;
    if (c)
        for (size_t j = 0; j < c->n; j++) all[n++] = c->symbols[j];
    for (size_t i = 0; i < COUNT(common); i++)
        if (&common[i] != c)
            for (size_t j = 0; j < common[i].n; j++) all[n++] = common[i].symbols[j];
    static const char *const extra[] = {"Gs", "ks", "ns", "ps", "kV", "nV", "mA", "fA",
                                        "nF", "fF", "MHz", "GHz", "mHz", "km", "nm"};
    for (size_t i = 0; i < COUNT(extra); i++) all[n++] = extra[i];
    return rw_nearest(unit, all, n);
}

static void list_units(const common_units *c, char *buf, size_t len) {
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < c->n && used < len; i++) {
        int w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", c->symbols[i]);
        if (w < 0) break;
        used += (size_t)w;
    }
}

static const char *article(const char *word) {
    return strchr("aeiou", word[0]) && word[0] ? "an" : "a";
}

static bool is_space(char c) { return c == ' ' || c == '\t'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* Length of the decimal number at s (sign, digits, point, exponent), 0 if none.  An
 * 'e' counts as an exponent only when digits follow it. */
static size_t scan_number(const char *s) {
    size_t i = 0, digits = 0;
    if (s[i] == '+' || s[i] == '-') i++;
    while (is_digit(s[i])) i++, digits++;
    if (s[i] == '.') {
        i++;
        while (is_digit(s[i])) i++, digits++;
    }
    if (digits == 0) return 0;
    if (s[i] == 'e' || s[i] == 'E') {
        size_t j = i + 1;
        if (s[j] == '+' || s[j] == '-') j++;
        if (is_digit(s[j])) {
            while (is_digit(s[j])) j++;
            i = j;
        }
    }
    return i;
}

rw_quantity_status rw_parse_quantity_hint(const char *text, rewire_dim hint, double *value,
                                          rewire_dim *dim, char *err, size_t errlen) {
    if (errlen) err[0] = '\0';
    if (!text) text = "";
    const char *p = text;
    while (is_space(*p)) p++;
    size_t nlen = scan_number(p);
    const char *example = hint != REWIRE_DIM_NONE && hint != REWIRE_DIM_WEIGHT
                              ? rw_dim_example(hint)
                              : "20 ms";
    if (nlen == 0) {
        snprintf(err, errlen, "expected a number with a unit, e.g. '%s', got '%s'", example,
                 text);
        return RW_QUANTITY_NOT_A_NUMBER;
    }
    char number[64];
    if (nlen >= sizeof number) {
        snprintf(err, errlen, "number '%.*s' is too long", (int)nlen, p);
        return RW_QUANTITY_OUT_OF_RANGE;
    }
    memcpy(number, p, nlen);
    number[nlen] = '\0';
    errno = 0;
    char *end = NULL;
    double v = strtod(number, &end);
    if (end != number + nlen) { /* a locale with a decimal comma */
        snprintf(err, errlen, "cannot read the number '%s'", number);
        return RW_QUANTITY_NOT_A_NUMBER;
    }
    if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL)) {
        snprintf(err, errlen, "number '%s' is out of range", number);
        return RW_QUANTITY_OUT_OF_RANGE;
    }
    if (errno == ERANGE) v = 0.0; /* underflow: smaller than anything simulated */

    const char *u = p + nlen;
    while (is_space(*u)) u++;
    size_t ulen = strlen(u);
    while (ulen > 0 && is_space(u[ulen - 1])) ulen--;
    char unit[64];
    if (ulen >= sizeof unit) {
        snprintf(err, errlen, "unknown unit '%.*s...'", 16, u);
        return RW_QUANTITY_UNKNOWN_UNIT;
    }
    memcpy(unit, u, ulen);
    unit[ulen] = '\0';

    if (ulen == 0) {
        *value = v;
        *dim = REWIRE_DIM_NONE;
        return RW_QUANTITY_OK;
    }
    rewire_dim d;
    double factor;
    if (!lookup_unit(unit, &d, &factor)) {
        const char *s = suggest_unit(unit, hint);
        const common_units *c = common_for(hint);
        if (s) {
            snprintf(err, errlen, "unknown unit '%s'; did you mean '%s'?", unit, s);
        } else if (c) {
            char list[128];
            list_units(c, list, sizeof list);
            snprintf(err, errlen, "unknown unit '%s'; %s %s takes %s", unit,
                     article(rw_dim_name(hint)), rw_dim_name(hint), list);
        } else {
            snprintf(err, errlen, "unknown unit '%s'", unit);
        }
        return RW_QUANTITY_UNKNOWN_UNIT;
    }
    double converted = v * factor;
    if (!isfinite(converted)) {
        snprintf(err, errlen, "'%s' is out of range", text);
        return RW_QUANTITY_OUT_OF_RANGE;
    }
    *value = converted;
    *dim = d;
    return RW_QUANTITY_OK;
}

bool rw_parse_quantity(const char *text, double *value, rewire_dim *dim, char *err,
                       size_t errlen) {
    return rw_parse_quantity_hint(text, REWIRE_DIM_NONE, value, dim, err, errlen) ==
           RW_QUANTITY_OK;
}

const char *rw_dim_name(rewire_dim dim) {
    switch (dim) {
    case REWIRE_DIM_NONE: return "number";
    case REWIRE_DIM_TIME: return "time";
    case REWIRE_DIM_VOLTAGE: return "voltage";
    case REWIRE_DIM_CURRENT: return "current";
    case REWIRE_DIM_CONDUCTANCE: return "conductance";
    case REWIRE_DIM_CAPACITANCE: return "capacitance";
    case REWIRE_DIM_FREQUENCY: return "frequency";
    case REWIRE_DIM_RESISTANCE: return "resistance";
    case REWIRE_DIM_LENGTH: return "length";
    case REWIRE_DIM_WEIGHT: return "weight";
    }
    return "quantity";
}

const char *rw_dim_unit(rewire_dim dim) {
    switch (dim) {
    case REWIRE_DIM_NONE: return "";
    case REWIRE_DIM_TIME: return "ms";
    case REWIRE_DIM_VOLTAGE: return "mV";
    case REWIRE_DIM_CURRENT: return "pA";
    case REWIRE_DIM_CONDUCTANCE: return "nS";
    case REWIRE_DIM_CAPACITANCE: return "pF";
    case REWIRE_DIM_FREQUENCY: return "Hz";
    case REWIRE_DIM_RESISTANCE: return "MOhm";
    case REWIRE_DIM_LENGTH: return "um";
    case REWIRE_DIM_WEIGHT: return "";
    }
    return "";
}

const char *rw_dim_example(rewire_dim dim) {
    switch (dim) {
    case REWIRE_DIM_NONE: return "0.5";
    case REWIRE_DIM_TIME: return "20 ms";
    case REWIRE_DIM_VOLTAGE: return "-65 mV";
    case REWIRE_DIM_CURRENT: return "100 pA";
    case REWIRE_DIM_CONDUCTANCE: return "0.5 nS";
    case REWIRE_DIM_CAPACITANCE: return "250 pF";
    case REWIRE_DIM_FREQUENCY: return "5 Hz";
    case REWIRE_DIM_RESISTANCE: return "100 MOhm";
    case REWIRE_DIM_LENGTH: return "50 um";
    case REWIRE_DIM_WEIGHT: return "0.5 nS";
    }
    return "1";
}
