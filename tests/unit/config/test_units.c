/* Quantities: every dimension, prefixes, exponents, signs, spacing, and the messages
 * for what is not a quantity. */
#include <math.h>
#include <string.h>

#include "tap.h"
#include "units.h"

/* One test point: `text` parses to `expect` (relative 1e-12) in dimension `dim`. */
static void ok(const char *text, double expect, rewire_dim dim) {
    double v = NAN;
    rewire_dim got = (rewire_dim)-1;
    char err[256] = "";
    bool parsed = rw_parse_quantity(text, &v, &got, err, sizeof err);
    bool good = parsed && got == dim && fabs(v - expect) <= 1e-12 * fmax(1.0, fabs(expect));
    CHECK(good, "'%s' = %g %s", text, expect, rw_dim_unit(dim));
    if (!good) TAP_NOTE("parsed=%d dim=%d value=%.17g err=%s", parsed, (int)got, v, err);
}

/* One test point: `text` is refused with exactly `message`. */
static void bad(const char *text, const char *message) {
    double v = 1234.5;
    rewire_dim got = REWIRE_DIM_LENGTH;
    char err[256] = "";
    bool parsed = rw_parse_quantity(text, &v, &got, err, sizeof err);
    bool good = !parsed && strcmp(err, message) == 0 && v == 1234.5;
    CHECK(good, "'%s' refused: %s", text, message);
    if (!good) TAP_NOTE("parsed=%d err=[%s]", parsed, err);
}

static void bad_hint(const char *text, rewire_dim hint, rw_quantity_status status,
                     const char *message) {
    double v;
    rewire_dim got;
    char err[256] = "";
    rw_quantity_status st = rw_parse_quantity_hint(text, hint, &v, &got, err, sizeof err);
    bool good = st == status && strcmp(err, message) == 0;
    CHECK(good, "'%s' expecting a %s: %s", text, rw_dim_name(hint), message);
    if (!good) TAP_NOTE("status=%d err=[%s]", (int)st, err);
}

int main(void) {
    TAP_NOTE("time -> ms");
    ok("20 ms", 20, REWIRE_DIM_TIME);
    ok("20ms", 20, REWIRE_DIM_TIME);
    ok(" 20 ms ", 20, REWIRE_DIM_TIME);
    ok("20\tms", 20, REWIRE_DIM_TIME);
    ok("1.5 s", 1500, REWIRE_DIM_TIME);
    ok("1e-3s", 1, REWIRE_DIM_TIME);
    ok("1.5e-3 s", 1.5, REWIRE_DIM_TIME);
    ok("2E+2 us", 0.2, REWIRE_DIM_TIME);
    ok("250 \xc2\xb5s", 0.25, REWIRE_DIM_TIME); /* µ micro sign */
    ok("250 \xce\xbcs", 0.25, REWIRE_DIM_TIME); /* μ greek mu */
    ok("3 ns", 3e-6, REWIRE_DIM_TIME);
    ok("2 min", 120000, REWIRE_DIM_TIME);
    ok("1 h", 3600000, REWIRE_DIM_TIME);
    ok("1 day", 86400000, REWIRE_DIM_TIME);
    ok("2 weeks", 1209600000, REWIRE_DIM_TIME);
    ok("0.5 ks", 500000, REWIRE_DIM_TIME);
    ok("1 Ms", 1e9, REWIRE_DIM_TIME);
    ok(".5 ms", 0.5, REWIRE_DIM_TIME);
    ok("5. ms", 5, REWIRE_DIM_TIME);
    ok("+3 ms", 3, REWIRE_DIM_TIME);

    TAP_NOTE("voltage -> mV");
    ok("-65 mV", -65, REWIRE_DIM_VOLTAGE);
    ok("-0.065 V", -65, REWIRE_DIM_VOLTAGE);
    ok("500 uV", 0.5, REWIRE_DIM_VOLTAGE);
    ok("-1e1mV", -10, REWIRE_DIM_VOLTAGE);

    TAP_NOTE("current -> pA");
    ok("30 pA", 30, REWIRE_DIM_CURRENT);
    ok("0.5 nA", 500, REWIRE_DIM_CURRENT);
    ok("1 A", 1e12, REWIRE_DIM_CURRENT);
    ok("-2 fA", -0.002, REWIRE_DIM_CURRENT);

    TAP_NOTE("conductance -> nS");
    ok("0.5 nS", 0.5, REWIRE_DIM_CONDUCTANCE);
    ok("1 uS", 1000, REWIRE_DIM_CONDUCTANCE);
    ok("200 pS", 0.2, REWIRE_DIM_CONDUCTANCE);
    ok("1 mS", 1e6, REWIRE_DIM_CONDUCTANCE);
    ok("1 S", 1e9, REWIRE_DIM_CONDUCTANCE);

    TAP_NOTE("capacitance -> pF");
    ok("250pF", 250, REWIRE_DIM_CAPACITANCE);
    ok("0.25 nF", 250, REWIRE_DIM_CAPACITANCE);
    ok("1 uF", 1e6, REWIRE_DIM_CAPACITANCE);

    TAP_NOTE("frequency -> Hz");
    ok("5 Hz", 5, REWIRE_DIM_FREQUENCY);
    ok("1.5 kHz", 1500, REWIRE_DIM_FREQUENCY);
    ok("1 GHz", 1e9, REWIRE_DIM_FREQUENCY);

    TAP_NOTE("resistance -> MOhm");
    ok("100 MOhm", 100, REWIRE_DIM_RESISTANCE);
    ok("100 M\xce\xa9", 100, REWIRE_DIM_RESISTANCE);  /* Ω greek capital omega */
    ok("100 M\xe2\x84\xa6", 100, REWIRE_DIM_RESISTANCE); /* Ω ohm sign */
    ok("1 GOhm", 1000, REWIRE_DIM_RESISTANCE);
    ok("500 kOhm", 0.5, REWIRE_DIM_RESISTANCE);
    ok("2e6 Ohm", 2, REWIRE_DIM_RESISTANCE);
    ok("1 mOhm", 1e-9, REWIRE_DIM_RESISTANCE);

    TAP_NOTE("length -> um");
    ok("1 m", 1e6, REWIRE_DIM_LENGTH);
    ok("2 mm", 2000, REWIRE_DIM_LENGTH);
    ok("50 um", 50, REWIRE_DIM_LENGTH);
    ok("1 km", 1e9, REWIRE_DIM_LENGTH);

    TAP_NOTE("dimensionless");
    ok("0.02", 0.02, REWIRE_DIM_NONE);
    ok("-3", -3, REWIRE_DIM_NONE);
    ok("1e3", 1000, REWIRE_DIM_NONE);
    ok(" 7 ", 7, REWIRE_DIM_NONE);
    ok("1e-400", 0, REWIRE_DIM_NONE); /* underflow reads as zero */

    TAP_NOTE("refused");
    bad("fast", "expected a number with a unit, e.g. '20 ms', got 'fast'");
    bad("", "expected a number with a unit, e.g. '20 ms', got ''");
    bad("ms", "expected a number with a unit, e.g. '20 ms', got 'ms'");
    bad("inf", "expected a number with a unit, e.g. '20 ms', got 'inf'");
    bad("nan ms", "expected a number with a unit, e.g. '20 ms', got 'nan ms'");
    bad("- 5 ms", "expected a number with a unit, e.g. '20 ms', got '- 5 ms'");
    bad(".", "expected a number with a unit, e.g. '20 ms', got '.'");
    bad("20 mz", "unknown unit 'mz'; did you mean 'ms'?");
    bad("20 m s", "unknown unit 'm s'; did you mean 'ms'?");
    bad("20 msec", "unknown unit 'msec'");
    bad("5 ohm", "unknown unit 'ohm'; did you mean 'Ohm'?");
    bad("5 hz", "unknown unit 'hz'; did you mean 'Hz'?");
    bad("1e s", "unknown unit 'e s'");
    bad("0x10", "unknown unit 'x10'");
    bad("20 ms;", "unknown unit 'ms;'; did you mean 'ms'?");
    bad("1e999 s", "number '1e999' is out of range");
    bad("1e306 h", "'1e306 h' is out of range");
    bad("5 kmin", "unknown unit 'kmin'; did you mean 'min'?");
    bad("5 hr", "unknown unit 'hr'; did you mean 'h'?");

    TAP_NOTE("the expected dimension steers suggestions");
    bad_hint("20 mz", REWIRE_DIM_TIME, RW_QUANTITY_UNKNOWN_UNIT,
             "unknown unit 'mz'; did you mean 'ms'?");
    bad_hint("20 mv", REWIRE_DIM_VOLTAGE, RW_QUANTITY_UNKNOWN_UNIT,
             "unknown unit 'mv'; did you mean 'mV'?");
    bad_hint("2 nz", REWIRE_DIM_CONDUCTANCE, RW_QUANTITY_UNKNOWN_UNIT,
             "unknown unit 'nz'; did you mean 'nS'?");
    bad_hint("2 xyz", REWIRE_DIM_TIME, RW_QUANTITY_UNKNOWN_UNIT,
             "unknown unit 'xyz'; a time takes ms, s, us, min, h, day, week");
    bad_hint("fast", REWIRE_DIM_FREQUENCY, RW_QUANTITY_NOT_A_NUMBER,
             "expected a number with a unit, e.g. '5 Hz', got 'fast'");
    bad_hint("1e999", REWIRE_DIM_NONE, RW_QUANTITY_OUT_OF_RANGE,
             "number '1e999' is out of range");

    TAP_NOTE("dimension names");
    CHECK(!strcmp(rw_dim_name(REWIRE_DIM_TIME), "time") &&
              !strcmp(rw_dim_name(REWIRE_DIM_CONDUCTANCE), "conductance") &&
              !strcmp(rw_dim_name(REWIRE_DIM_NONE), "number"),
          "rw_dim_name");
    CHECK(!strcmp(rw_dim_unit(REWIRE_DIM_TIME), "ms") && !strcmp(rw_dim_unit(REWIRE_DIM_VOLTAGE), "mV") &&
              !strcmp(rw_dim_unit(REWIRE_DIM_CURRENT), "pA") &&
              !strcmp(rw_dim_unit(REWIRE_DIM_CONDUCTANCE), "nS") &&
              !strcmp(rw_dim_unit(REWIRE_DIM_CAPACITANCE), "pF") &&
              !strcmp(rw_dim_unit(REWIRE_DIM_FREQUENCY), "Hz") &&
              !strcmp(rw_dim_unit(REWIRE_DIM_RESISTANCE), "MOhm") &&
              !strcmp(rw_dim_unit(REWIRE_DIM_LENGTH), "um") && !strcmp(rw_dim_unit(REWIRE_DIM_NONE), ""),
          "rw_dim_unit gives the internal units");

    /* Every example parses back to its own dimension. */
    static const rewire_dim dims[] = {REWIRE_DIM_TIME,        REWIRE_DIM_VOLTAGE,
                                      REWIRE_DIM_CURRENT,     REWIRE_DIM_CONDUCTANCE,
                                      REWIRE_DIM_CAPACITANCE, REWIRE_DIM_FREQUENCY,
                                      REWIRE_DIM_RESISTANCE,  REWIRE_DIM_LENGTH};
    for (size_t i = 0; i < sizeof dims / sizeof *dims; i++) {
        double v;
        rewire_dim got;
        char err[128];
        CHECK(rw_parse_quantity(rw_dim_example(dims[i]), &v, &got, err, sizeof err) && got == dims[i],
              "example '%s' is a %s", rw_dim_example(dims[i]), rw_dim_name(dims[i]));
    }

    /* A small error buffer truncates, never overflows. */
    char tiny[8];
    double v;
    rewire_dim got;
    CHECK(!rw_parse_quantity("20 mz", &v, &got, tiny, sizeof tiny) && strlen(tiny) == 7,
          "messages are truncated to the buffer");
    return tap_done();
}
