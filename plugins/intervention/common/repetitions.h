/* Repetitions of a practised task, shared by practice and cimt (cimt practises the
 * affected channel exactly as practice does).
 *
 * A window (a session) that opens at step S holds repetitions k = 0, 1, ...: repetition
 * k is on over steps [S + k * spacing, S + k * spacing + duration), up to `repetitions`
 * of them (0: as many as the window holds); those the window cuts short end with it.
 * While repetition k is on, the channel's sources get extra drive: `rate` Hz on every
 * neuron (pattern all) or a gaussian bump rate * exp(-d^2 / (2 width^2)) around a neuron
 * of the channel drawn for that repetition (pattern bump; d in the unit square of the
 * population's layout).  The draw is host->random_uniform(entity S, counter k): the
 * same session shows the same repetitions in every run with that seed.
 *
 * Slices.  The host calls the plugin between slices only, so the drive can change only
 * there: the drive over a slice starting at step s is the one the schedule gives at s,
 * computed from s and S alone (never by counting calls), so the schedule is the same
 * whatever the slicing, up to where the slice edges fall (at most the shortest delay,
 * about 1 ms, in rewire). */
#ifndef RW_IV_REPETITIONS_H
#define RW_IV_REPETITIONS_H

#include "sources.h"

enum {
    IV_REP_RATE,
    IV_REP_REPETITIONS,
    IV_REP_DURATION,
    IV_REP_SPACING,
    IV_REP_PATTERN,
    IV_REP_WIDTH,
    IV_REP_N_PARAMS
};

enum { IV_PATTERN_ALL, IV_PATTERN_BUMP };

extern const char *const iv_pattern_choices[];

/* The schema entries of the repetition parameters, in IV_REP_* order (they sit
 * consecutively in a plugin's schema). */
#define IV_REPETITION_PARAMS                                                                  \
    {.name = "rate", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_FREQUENCY,                  \
     .flags = REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_LIVE, .def_real = 40.0, .min = 0.0,         \
     .doc = "Drive added to the channel's sources while a repetition is on (Hz; the peak "   \
            "of the bump pattern).  Live: the control channel may change it."},               \
    {.name = "repetitions", .type = REWIRE_PARAM_INT, .flags = REWIRE_PARAM_HAS_MIN,         \
     .def_int = 0, .min = 0,                                                                  \
     .doc = "Repetitions per session (window); 0: as many as the session holds."},           \
    {.name = "duration", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_TIME,                   \
     .flags = REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_MIN_EXCLUSIVE, .def_real = 100.0,          \
     .min = 0.0, .doc = "How long one repetition drives the channel (simulated time)."},     \
    {.name = "spacing", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_TIME,                    \
     .flags = REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_MIN_EXCLUSIVE, .def_real = 200.0,          \
     .min = 0.0,                                                                              \
     .doc = "From the start of one repetition to the start of the next; at least "           \
            "`duration`."},                                                                   \
    {.name = "pattern", .type = REWIRE_PARAM_ENUM, .def_int = IV_PATTERN_ALL,                 \
     .choices = iv_pattern_choices,                                                           \
     .doc = "all: every neuron of the channel gets `rate`; bump: a gaussian bump of width "  \
            "`width` around a neuron of the channel drawn for each repetition."},            \
    {.name = "width", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_NONE,                      \
     .flags = REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_MIN_EXCLUSIVE, .def_real = 0.1, .min = 0.0, \
     .doc = "Standard deviation of the bump, in the unit square of the population's "        \
            "layout (without a layout neuron i of n sits at (i + 0.5) / n)."}

/* The repetition on at `step` in a window opened at `start`, or -1 (between repetitions,
 * or past the last).  repetitions 0: no limit. */
int64_t iv_repetition_at(int64_t start, int64_t step, int64_t repetitions, int64_t duration,
                         int64_t spacing);

/* Drives one channel through a window's repetitions. */
typedef struct iv_repeater {
    const rewire_host *host;
    iv_sources src;
    double rate, duration_ms, spacing_ms, width;
    int64_t repetitions;
    int pattern;
    int64_t duration, spacing; /* steps, known once dt is */
    float *px, *py;            /* [n] positions (bump pattern) */
    double *buf;               /* [n] the drive of one repetition */
    bool ready;                /* dt and positions read */
    bool open;                 /* inside a window */
    bool stale;                /* the drive must be recomputed (rate changed) */
    int64_t start, rep;        /* the window's first step; repetition driven, -1 none */
} iv_repeater;

/* `v` holds the IV_REP_N_PARAMS values in IV_REP_* order; `sel`, named by `param`, is the
 * channel. */
int iv_repeater_create(iv_repeater *r, const rewire_host *h, const rewire_selection *sel,
                       const char *param, const rewire_param_value *v);
void iv_repeater_free(iv_repeater *r);
/* The window opens at `step`. */
int iv_repeater_begin(iv_repeater *r, int64_t step);
/* The slices from `step` on get the drive the schedule gives at `step`. */
int iv_repeater_advance(iv_repeater *r, int64_t step);
int iv_repeater_end(iv_repeater *r);
/* A new `rate` (live): applied at once inside a window. */
int iv_repeater_set_rate(iv_repeater *r, double rate);

#endif
