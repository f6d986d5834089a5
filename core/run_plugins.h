/* The plugin instances of one run: learning rules on projections and outputs, with
 * their host tables; routing of recorded batches; the run info and final report. */
#ifndef RW_RUN_PLUGINS_H
#define RW_RUN_PLUGINS_H

#include <rewire/injury.h>
#include <rewire/intervention.h>
#include <rewire/output.h>
#include <rewire/plugin.h>

#include "diag.h"
#include "host.h"
#include "model.h"
#include "network.h"

typedef struct rw_rule_instance {
    rewire_host *host;
    const rewire_learning_rule_v1 *fns;
    void *inst;
    uint32_t projection;
    bool started;
} rw_rule_instance;

typedef struct rw_output_instance {
    rewire_host *host;
    const rewire_output_v1 *fns;
    void *inst;
    const rw_output_spec *spec;
    bool started;
} rw_output_instance;

/* Injuries and interventions of the timeline (scheduled by timeline.c). */
typedef struct rw_injury_instance {
    rewire_host *host;
    const rewire_injury_v1 *fns;
    void *inst;
    const rw_injury_spec *spec;
    bool applied;
} rw_injury_instance;

typedef struct rw_intervention_instance {
    rewire_host *host;
    const rewire_intervention_v1 *fns;
    void *inst;
    const rw_intervention_spec *spec;
} rw_intervention_instance;

typedef struct rw_run_plugins {
    rw_run_ctx *ctx;
    rw_network *net;
    rw_recorder *rec;
    uint32_t n_rules;
    rw_rule_instance *rules;
    uint32_t n_outputs;
    rw_output_instance *outputs;
    uint32_t n_injuries;
    rw_injury_instance *injuries;
    uint32_t n_interventions;
    rw_intervention_instance *interventions;
    uint32_t n_uses;
    rewire_plugin_use *uses;
    rewire_run_info info;
    bool failed;               /* an output failed: further writes are skipped */
} rw_run_plugins;

/* Create and start every learning rule, and create every output.  0, or 2 when a
 * plugin refused its configuration (its message reported at the experiment's
 * location), or 1 on a runtime failure. */
int rw_run_plugins_create(rw_run_plugins *p, rw_run_ctx *ctx, rw_network *net, rw_recorder *rec,
                          rw_diag *d);
/* Start outputs (files are opened here).  0 or 1. */
int rw_run_plugins_start(rw_run_plugins *p, const rw_experiment *e, rw_diag *d);
/* Hand buffered records to the outputs subscribed to them.  0 or 1. */
int rw_run_plugins_drain(rw_run_plugins *p, rw_recorder *rec, rw_diag *d);
void rw_run_plugins_phase(rw_run_plugins *p, const rewire_phase_event *ev);
/* Tell outputs that have the hook (ABI 1.2) about an injury or intervention window. */
void rw_run_plugins_timeline_event(rw_run_plugins *p, const rewire_timeline_event *ev);
/* Report a failed hook of a timeline plugin at its place in the experiment. */
void rw_run_plugins_failed(rw_diag *d, rw_loc loc, const char *what, const char *name,
                           const rewire_host *h, int rc);
/* Stop rules, finish outputs with the run report.  0 or 1. */
int rw_run_plugins_finish(rw_run_plugins *p, rw_network *net, bool interrupted, double wall_s,
                          rw_diag *d);
/* Destroy every instance and host (safe after a partial create). */
void rw_run_plugins_destroy(rw_run_plugins *p);

#endif
