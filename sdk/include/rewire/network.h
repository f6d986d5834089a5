/* Views on the network that the host hands to plugins.
 *
 * Views point into the kernel's own structure-of-arrays storage: a rule loops over them
 * itself, once per batch, so the compiler can inline and vectorise.  Pointers stay valid
 * between hooks unless the view says otherwise; re-read them at the start of each hook.
 */
#ifndef REWIRE_NETWORK_H
#define REWIRE_NETWORK_H

#include "abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A projection: synapses stored CSR by source (rows = presynaptic neurons).
 * Synapse s of row i lies in [row_offsets[i], row_offsets[i+1]); its target is
 * targets[s], its weight weights[s] (internal units: nS or pA), its delay delays[s]
 * (in steps of dt).  A projection holds at most 2^32-1 synapses.
 *
 * Structural plasticity (ABI 1.1, rules with REWIRE_RULE_STRUCTURAL): rows have room
 * to grow.  Then row_offsets[i+1] - row_offsets[i] is row i's CAPACITY, n_syn the total
 * capacity, and only [row_offsets[i], row_offsets[i] + row_lengths[i]) are synapses;
 * the rest of the row is free room whose contents mean nothing.  Rows stay compact:
 *  - add to row i (when row_lengths[i] < capacity): write target, weight, delay (and
 *    any syn_state) at s = row_offsets[i] + row_lengths[i], then row_lengths[i]++;
 *  - remove synapse s of row i: copy the row's last synapse (target, weight, delay and
 *    every syn_state array) into s, then row_lengths[i]--.
 * Targets and delays are written through edit_targets / edit_delays, writable aliases
 * of targets / delays that only structural rules get.
 * Synapse ids therefore change when synapses are removed.  After any change the rule
 * sets structure_changed = 1; before its next hook the host rebuilds col_offsets /
 * col_synapses over the synapses in use, takes in the new delays, and clears the flag.
 * A new synapse's delay must lie within the delays the network was built with (at least
 * the network's shortest delay, at most the longest delay onto the post population, at
 * least 1); the host clamps it into that range.  The arrays are sized when the rule is
 * attached (before start) and never move after. */
typedef struct rewire_projection_view {
    uint32_t struct_size;
    const char *name;
    const char *pre_population;
    const char *post_population;
    uint32_t n_pre;
    uint32_t n_post;
    uint32_t n_syn;
    const uint32_t *row_offsets;   /* [n_pre + 1] */
    const uint32_t *targets;       /* [n_syn] */
    float *weights;                /* [n_syn], writable by learning rules */
    const uint16_t *delays;        /* [n_syn], steps */
    /* Present when the rule asked for REWIRE_RULE_NEEDS_POST_INDEX, else NULL:
     * the synapses onto post neuron j are col_synapses[col_offsets[j] .. col_offsets[j+1]). */
    const uint32_t *col_offsets;   /* [n_post + 1] */
    const uint32_t *col_synapses;  /* [n_syn] */
    /* Per-synapse state the rule declared (n_syn_state arrays of n_syn floats, zeroed). */
    uint32_t n_syn_state;
    float *const *syn_state;
    double dt;                     /* ms */
    /* Multiplier on weight changes, 1 by default; set by interventions (plasticity
     * boosts, critical periods).  A rule scales its updates by it. */
    float plasticity_gain;
    /* Neuromodulator level (dopamine-like), 0 by default; set by interventions and events. */
    float neuromodulator;

    /* ---- ABI 1.1 ---- (read only when REWIRE_HAS_FIELD says they are there) */

    /* Rates (Hz) of rate-model populations at the end of the last simulated step; NULL
     * for spiking populations.  Rate rules (BCM, Oja, ...) read them in on_slice. */
    const double *pre_rate;        /* [n_pre] */
    const double *post_rate;       /* [n_post] */
    /* Multiplier on the weights when neuron i's spike is delivered, 1 by default;
     * allocated by the host only for rules with REWIRE_RULE_PRE_RELEASE, else NULL.
     * Short-term plasticity (facilitation, depression) writes it in on_pre, which then
     * runs before delivery (REWIRE_RULE_PRE_BEFORE_DELIVERY). */
    float *pre_release;            /* [n_pre] */
    /* [n_pre] synapses in use in row i: [row_offsets[i], row_offsets[i] + row_lengths[i]);
     * NULL unless the rule is REWIRE_RULE_STRUCTURAL (then writable by the rule). */
    uint32_t *row_lengths;
    uint32_t *edit_targets;        /* [n_syn] == targets; NULL unless structural */
    uint16_t *edit_delays;         /* [n_syn] == delays; NULL unless structural */
    /* A structural rule sets it to 1 after adding/removing synapses; the host then
     * rebuilds the post index before the next hook and clears it. */
    uint32_t structure_changed;
} rewire_projection_view;

/* A population of neurons or sources. Arrays are NULL where the model has no such
 * variable (sources have no membrane potential). */
typedef struct rewire_population_view {
    uint32_t struct_size;
    const char *name;
    const char *model;             /* "lif_cuba", "lif_coba", "poisson", "spike_times" */
    uint32_t size;
    double *v;                     /* [size] membrane potential, mV */
    /* Per-neuron multiplier on synaptic input and bias current (1 = intact, 0 = silenced);
     * the handle for lesions and depression at a distance. */
    float *excitability;           /* [size] */
    /* [size] Poisson sources: rate in Hz, writable.  Rates, input_gain and drive written
     * in an injury or intervention hook take effect from the next slice. */
    double *rate;
    /* ---- ABI 1.2 ---- (read only when REWIRE_HAS_FIELD says they are there) */
    /* Positions in the unit square from the population's `layout:`; NULL without one.
     * A line layout has y = 0.5. */
    const float *x;                /* [size] */
    const float *y;                /* [size] */
    /* Sources (poisson, rate_input): what interventions drive.  A source's output is
     * max(0, base * input_gain[i] + drive[i]), base being its own rate (poisson) or
     * the pattern shown (rate_input); input_gain starts at 1, drive at 0.  Several
     * interventions compose: each multiplies in (and later divides out) its own gain
     * factor and adds (later subtracts) its own drive.  NULL on other models. */
    float *input_gain;             /* [size] */
    double *drive;                 /* [size], Hz */
    /* Spikes each neuron has emitted since the run began; NULL on rate models. */
    const uint64_t *spike_counts;  /* [size] */
    /* 1 while a neuron lives, 0 once an injury killed it (rewire_host.kill_neurons). */
    const uint8_t *alive;          /* [size] */
} rewire_population_view;

#ifdef __cplusplus
}
#endif
#endif
