/* The validated experiment: what the experiment loader (experiment.c) produces from the
 * config tree and what the network builder and the scheduler consume.  Everything here
 * is in internal units (ms, mV, pA, nS, pF, Hz) and already checked: the builder
 * trusts it. */
#ifndef RW_MODEL_H
#define RW_MODEL_H

#include <rewire/plugin.h>
#include <stdbool.h>
#include <stdint.h>

#include "diag.h"

struct rw_plugin; /* loader.h */

typedef enum rw_model_kind {
    RW_MODEL_LIF_CUBA = 0, /* current-based LIF, exponential synaptic currents (exact) */
    RW_MODEL_LIF_COBA = 1, /* conductance-based LIF, exponential conductances */
    RW_MODEL_POISSON = 2,  /* independent Poisson sources */
    RW_MODEL_SPIKE_TIMES = 3, /* sources that fire at given times */
    RW_MODEL_RATE = 4,     /* linear-threshold rate units (no spikes) */
    RW_MODEL_RATE_INPUT = 5 /* rate units that show patterns, one after another */
} rw_model_kind;

/* Rate models have a rate r (Hz) instead of spikes; they connect only to each other. */
static inline bool rw_model_is_rate(rw_model_kind m) {
    return m == RW_MODEL_RATE || m == RW_MODEL_RATE_INPUT;
}

/* Parameters of both LIF models (the ones a model does not use keep their defaults). */
typedef struct rw_lif_params {
    double C_m;     /* pF */
    double tau_m;   /* ms; g_L = C_m / tau_m */
    double E_L;     /* mV */
    double V_th;    /* mV; spike when V >= V_th */
    double V_reset; /* mV */
    double t_ref;   /* ms; V clamped at V_reset, synapses keep integrating */
    double tau_e;   /* ms, excitatory synaptic time constant */
    double tau_i;   /* ms, inhibitory */
    double E_e;     /* mV, COBA reversal potentials */
    double E_i;     /* mV */
    double I_bias;  /* pA, constant input current */
} rw_lif_params;

/* The rate model: tau dr/dt = -r + min(gain [I - threshold]_+, r_max), with
 * I = sum_j w_ij r_j(t - d_ij) + I_bias. */
typedef struct rw_rate_params {
    double tau;       /* ms */
    double gain;      /* dimensionless */
    double threshold; /* Hz */
    double I_bias;    /* Hz */
    double r_max;     /* Hz; INFINITY: no clip */
} rw_rate_params;

typedef enum rw_dist_kind { RW_DIST_CONST = 0, RW_DIST_UNIFORM = 1, RW_DIST_NORMAL = 2 } rw_dist_kind;

/* A constant or random value: CONST a; UNIFORM in [a, b); NORMAL mean a, sd b, then
 * clipped to [lo, hi] (lo/hi also bound the others, e.g. delays >= dt). */
typedef struct rw_dist {
    rw_dist_kind kind;
    double a, b;
    double lo, hi;
} rw_dist;

typedef enum rw_layout_kind {
    RW_LAYOUT_NONE = 0,
    RW_LAYOUT_LINE = 1,      /* x = (i + 0.5) / n, y = 0.5 */
    RW_LAYOUT_GRID = 2,      /* i = row nx + col: x = (col + 0.5) / nx, y = (row + 0.5) / ny */
    RW_LAYOUT_POSITIONS = 3  /* given coordinates */
} rw_layout_kind;

typedef struct rw_population_spec {
    char *name;
    rw_loc loc;
    bool broken;         /* had errors (already reported): later checks skip it */
    rw_model_kind model;
    uint32_t size;
    rw_lif_params lif;   /* LIF models */
    rw_dist v_init;      /* LIF models, mV */
    double rate;         /* POISSON, Hz */
    /* SPIKE_TIMES: n_spikes (neuron, time) pairs, sorted by time then neuron. */
    uint32_t n_spikes;
    uint32_t *spike_neuron;
    double *spike_time;  /* ms */
    rw_rate_params rate_params; /* RATE */
    rw_dist r_init;      /* RATE, Hz, within [0, r_max] */
    /* RATE_INPUT: n_patterns rows of `size` rates (Hz, >= 0), each shown for `interval`
     * (ms), in order or drawn at random per presentation, plus gaussian noise (sd Hz,
     * per unit and presentation, clipped at 0). */
    uint32_t n_patterns;
    double *patterns;    /* [n_patterns * size] */
    double interval;
    bool random_order;
    double noise;
    /* `layout:` (space.h): positions in the unit square, NULL without a layout.  A
     * periodic layout measures distances on the unit torus. */
    rw_layout_kind layout;
    bool periodic;
    uint32_t grid_nx, grid_ny;     /* GRID */
    float *x, *y;                  /* [size] when layout != RW_LAYOUT_NONE */
} rw_population_spec;

typedef enum rw_connect_kind {
    RW_CONNECT_ALL_TO_ALL = 0,
    RW_CONNECT_ONE_TO_ONE = 1,
    RW_CONNECT_FIXED_PROBABILITY = 2,
    RW_CONNECT_FIXED_INDEGREE = 3,
    RW_CONNECT_TOPOGRAPHIC = 4     /* p exp(-d^2 / (2 sigma^2)), d between positions */
} rw_connect_kind;

typedef enum rw_receptor { RW_RECEPTOR_EXC = 0, RW_RECEPTOR_INH = 1 } rw_receptor;

/* A plugin chosen in the experiment, with its validated parameters. */
typedef struct rw_plugin_ref {
    const struct rw_plugin *plugin;
    rewire_param_value *values;   /* [plugin->desc->n_params] */
    rw_loc loc;                   /* where it was named */
} rw_plugin_ref;

typedef struct rw_projection_spec {
    char *name;
    rw_loc loc;
    uint32_t pre, post;           /* population indices; post is a LIF or rate population,
                                   * and pre is a rate model exactly when post is */
    rw_receptor receptor;
    rw_connect_kind connect;
    double p;                     /* FIXED_PROBABILITY */
    uint32_t indegree;            /* FIXED_INDEGREE */
    bool autapses;                /* allow i -> i when pre == post (default false) */
    bool multapses;               /* FIXED_INDEGREE may pick a source twice (default false) */
    rw_dist weight;               /* nS (COBA target), pA (CUBA target), or none (rate) */
    rw_dist delay;                /* ms, >= dt; rounded to whole steps */
    bool plastic;
    rw_plugin_ref rule;           /* when plastic */
    int neuromodulator;           /* channel the rule's view follows, or -1 */
    double connect_sigma;         /* TOPOGRAPHIC: width of the gaussian (unit square) */
    /* weight: {gaussian: {peak, sigma}}: w = weight.a exp(-d^2 / (2 weight_sigma^2)),
     * weight.a being the peak (weight is then CONST).  Both ends have layouts. */
    bool weight_gaussian;
    double weight_sigma;
    /* Whether distances between the two ends wrap (both layouts periodic). */
    bool periodic;
} rw_projection_spec;

typedef enum rw_record_kind {
    RW_RECORD_SPIKES = 0,
    RW_RECORD_RATE = 1,
    RW_RECORD_STATE = 2,
    RW_RECORD_WEIGHTS = 3,
    RW_RECORD_SYNAPSES = 4  /* count of a projection's synapses in use (structural plasticity) */
} rw_record_kind;

typedef enum rw_state_var {
    RW_VAR_V = 0,   /* LIF */
    RW_VAR_G_E = 1, /* LIF */
    RW_VAR_G_I = 2, /* LIF */
    RW_VAR_R = 3    /* rate models: r, Hz */
} rw_state_var;

typedef struct rw_record_spec {
    char *name;
    rw_loc loc;
    rw_record_kind kind;
    uint32_t target;              /* population (SPIKES, RATE, STATE) or projection index */
    rw_state_var variable;        /* STATE */
    double interval;              /* RATE bin / STATE sampling / WEIGHTS, SYNAPSES snapshot, ms */
    uint32_t n_neurons;           /* STATE: which neurons (n_neurons == 0: all) */
    uint32_t *neurons;
} rw_record_spec;

typedef struct rw_phase_spec {
    char *name;
    rw_loc loc;
    double duration;              /* ms */
} rw_phase_spec;

/* A neuromodulator channel (`neuromodulators:`): its level relaxes toward baseline. */
typedef struct rw_modulator_spec {
    char *name;
    rw_loc loc;
    double baseline;              /* dimensionless level */
    double tau;                   /* ms */
} rw_modulator_spec;

/* A timed event (`events:` of a phase): at `time` (ms from the start of the run),
 * channel `modulator` is set to, or increased by, `value`. */
typedef struct rw_event_spec {
    rw_loc loc;
    double time;
    uint32_t modulator;
    bool set;
    double value;
} rw_event_spec;

/* A named selection of `regions:` (space.h), resolved at load. */
typedef struct rw_region_spec {
    char *name;
    rw_loc loc;
    rewire_selection sel;         /* sel.index is owned (a uint32_t array) */
} rw_region_spec;

/* An injury of the timeline: applied once at `time` (ms from the start of the run). */
typedef struct rw_injury_spec {
    rw_plugin_ref ref;
    char *label;                  /* `name:` or the plugin's name */
    double time;
} rw_injury_spec;

/* An intervention and the windows it is active in: [start[k], end[k]) ms from the start
 * of the run, in increasing order, never overlapping. */
typedef struct rw_intervention_spec {
    rw_plugin_ref ref;
    char *label;
    uint32_t n_windows;
    double *start, *end;
} rw_intervention_spec;

typedef struct rw_output_spec {
    rw_plugin_ref ref;
    bool *subscribed;             /* [n_records + the measures' channels] */
} rw_output_spec;

struct rw_measure_spec; /* measures.h */

typedef struct rw_experiment {
    struct rw_node *tree;         /* the config tree (owned): plugin string params point into it */
    char *name;
    char *file;                   /* path as given */
    char *text;                   /* the file's text */
    char *overrides;              /* --set arguments, one per line */
    uint64_t seed;
    double dt;                    /* ms */
    double day_length;            /* ms of simulated time per clinical day (time_scale), 0: none */
    uint32_t n_plugin_paths;
    char **plugin_paths;          /* absolute or relative to the experiment file's folder */
    uint32_t n_populations;
    rw_population_spec *populations;
    uint32_t n_projections;
    rw_projection_spec *projections;
    uint32_t n_records;
    rw_record_spec *records;
    uint32_t n_phases;
    rw_phase_spec *phases;
    uint32_t n_outputs;
    rw_output_spec *outputs;
    uint32_t n_modulators;
    rw_modulator_spec *modulators;
    uint32_t n_events;
    rw_event_spec *events;        /* sorted by time (stable: file order at one time) */
    uint32_t n_injuries;
    rw_injury_spec *injuries;     /* sorted by time (stable) */
    uint32_t n_interventions;
    rw_intervention_spec *interventions; /* in file order */
    uint32_t n_regions;
    rw_region_spec *regions;      /* `regions:` (experiment_regions.c) */
    /* Selections and name lists resolved for plugin parameters and others (space.c);
     * owned here, freed with the experiment. */
    struct rw_space_pool *space_pool;
    /* `measures:` (measures.h); their channels are numbered after the records'. */
    uint32_t n_measures;
    struct rw_measure_spec *measures;
} rw_experiment;

void rw_experiment_free(rw_experiment *e);

/* "lif_cuba", "lif_coba", "poisson", "spike_times", "rate", "rate_input". */
const char *rw_model_name(rw_model_kind m);

/* Name of population / projection / record by index, for messages. */
int rw_experiment_find_population(const rw_experiment *e, const char *name);

/* Total simulated time of the timeline, ms. */
double rw_experiment_duration(const rw_experiment *e);

#endif
