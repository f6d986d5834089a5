/* Parameter schemas: the single source of truth for validation, `rewire plugins NAME`
 * documentation and (later) the exported JSON Schema.
 *
 * A plugin declares a static array of rewire_param_spec.  The host validates the
 * experiment's `params:` map against it (types, units, bounds, unknown keys) and hands
 * create() an array of rewire_param_value in the same order as the schema.
 * Quantities arrive converted to rewire's internal units (see rewire_dim).
 */
#ifndef REWIRE_PARAMS_H
#define REWIRE_PARAMS_H

#include "abi.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum rewire_param_type {
    REWIRE_PARAM_REAL = 1,   /* double, with a dimension */
    REWIRE_PARAM_INT = 2,    /* int64_t */
    REWIRE_PARAM_BOOL = 3,   /* bool */
    REWIRE_PARAM_ENUM = 4,   /* one of choices[]; value is the index */
    REWIRE_PARAM_STRING = 5, /* free text (file names, labels) */
    /* ---- ABI 1.2 (a plugin using them declares abi_minor >= 2) ---- */
    /* Neurons of one population: the name of an entry of the experiment's `regions:`,
     * a population name (all of it), or an inline selection mapping
     * ({population: P, disc: ..., rect: ..., near: ..., indices: [a, b], fraction: f}).
     * The host resolves it before create(); value.selection. */
    REWIRE_PARAM_SELECTION = 6,
    /* One projection name or a list of them, each checked to exist; value.names. */
    REWIRE_PARAM_PROJECTIONS = 7,
    /* One population name or a list of them, each checked to exist; value.names. */
    REWIRE_PARAM_POPULATIONS = 8
} rewire_param_type;

/* Physical dimension of a real parameter, with the internal unit it is converted to. */
typedef enum rewire_dim {
    REWIRE_DIM_NONE = 0,        /* dimensionless */
    REWIRE_DIM_TIME = 1,        /* ms */
    REWIRE_DIM_VOLTAGE = 2,     /* mV */
    REWIRE_DIM_CURRENT = 3,     /* pA */
    REWIRE_DIM_CONDUCTANCE = 4, /* nS */
    REWIRE_DIM_CAPACITANCE = 5, /* pF */
    REWIRE_DIM_FREQUENCY = 6,   /* Hz */
    REWIRE_DIM_RESISTANCE = 7,  /* MOhm */
    REWIRE_DIM_LENGTH = 8,      /* um (spatial layouts) */
    /* The dimension of the weights of the projection the plugin is attached to:
     * nS onto conductance-based targets, pA onto current-based ones. */
    REWIRE_DIM_WEIGHT = 100
} rewire_dim;

#define REWIRE_PARAM_REQUIRED 0x1u /* no default: the experiment must give it */
#define REWIRE_PARAM_HAS_MIN 0x2u
#define REWIRE_PARAM_HAS_MAX 0x4u
#define REWIRE_PARAM_MIN_EXCLUSIVE 0x8u /* min is an open bound */
#define REWIRE_PARAM_LIVE 0x10u         /* may be changed while running (control channel) */
/* ABI 1.2, on SELECTION parameters of interventions: what the intervention does to the
 * selected sources while a window is open.  The host refuses, before the run, two
 * interventions whose windows overlap when one DRIVES neurons the other SUPPRESSES. */
#define REWIRE_PARAM_DRIVES 0x20u
#define REWIRE_PARAM_SUPPRESSES 0x40u

typedef struct rewire_param_spec {
    const char *name;
    rewire_param_type type;
    rewire_dim dim;            /* REAL only */
    uint32_t flags;            /* REWIRE_PARAM_* */
    double def_real;           /* default for REAL (internal units) */
    int64_t def_int;           /* default for INT, BOOL (0/1) and ENUM (index) */
    const char *def_string;    /* default for STRING */
    double min, max;           /* bounds for REAL and INT, internal units */
    const char *const *choices; /* ENUM: NULL-terminated */
    const char *doc;           /* one or two sentences */
} rewire_param_spec;

/* A resolved selection: `n` neurons of `population`, by increasing index.  Owned by the
 * host, valid until destroy. */
typedef struct rewire_selection {
    const char *name;          /* the region's name, or "" when given inline */
    const char *population;
    uint32_t population_size;
    uint32_t n;
    const uint32_t *index;     /* [n], increasing, no repeats */
} rewire_selection;

/* Names of existing projections or populations. Owned by the host, valid until destroy. */
typedef struct rewire_name_list {
    uint32_t n;
    const char *const *names;
} rewire_name_list;

typedef union rewire_param_value {
    double real;
    int64_t integer;
    bool boolean;
    int32_t choice;     /* ENUM index */
    const char *string; /* owned by the host, valid until destroy */
    const rewire_selection *selection; /* SELECTION (ABI 1.2) */
    const rewire_name_list *names;     /* PROJECTIONS, POPULATIONS (ABI 1.2) */
} rewire_param_value;

#ifdef __cplusplus
}
#endif
#endif
