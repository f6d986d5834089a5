/* Quantities with units: "20 ms", "5 Hz", "0.5 nS", "-65 mV", "1.5e-3 s".
 * Converted once, at load, to rewire's internal units (see rewire_dim in params.h):
 * ms, mV, pA, nS, pF, Hz, MOhm, um. */
#ifndef RW_UNITS_H
#define RW_UNITS_H

#include <rewire/params.h>
#include <stdbool.h>
#include <stddef.h>

/* Parse `text` as a number followed by an optional unit.  On success store the value
 * in internal units of the unit's dimension in *value, the dimension in *dim, and
 * return true; *dim is REWIRE_DIM_NONE for a bare number.  On failure write a message
 * such as "unknown unit 'mz'" (with a did-you-mean) into err and return false. */
bool rw_parse_quantity(const char *text, double *value, rewire_dim *dim, char *err,
                       size_t errlen);

/* What went wrong, for callers that word their own message per case. */
typedef enum rw_quantity_status {
    RW_QUANTITY_OK = 0,
    RW_QUANTITY_NOT_A_NUMBER,  /* "fast", "", "ms 20" */
    RW_QUANTITY_UNKNOWN_UNIT,  /* "20 mz", "20 m s" */
    RW_QUANTITY_OUT_OF_RANGE   /* "1e999 s" */
} rw_quantity_status;

/* rw_parse_quantity, with the dimension the caller expects as `hint` (REWIRE_DIM_NONE
 * for no preference): it only steers the example and the "did you mean" of an error
 * ("20 mz" -> 'ms' when a time is expected); it never rejects a valid unit. */
rw_quantity_status rw_parse_quantity_hint(const char *text, rewire_dim hint, double *value,
                                          rewire_dim *dim, char *err, size_t errlen);

/* "time", "voltage", ... ; and the internal unit symbol "ms", "mV", ... ("" for none). */
const char *rw_dim_name(rewire_dim dim);
const char *rw_dim_unit(rewire_dim dim);
/* An example quantity for messages: "20 ms", "-65 mV", "0.5 nS", ... */
const char *rw_dim_example(rewire_dim dim);

#endif
