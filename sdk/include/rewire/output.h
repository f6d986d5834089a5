/* Outputs: consume record channels on the loop thread and write files, sockets, pages.
 * They are never on the kernel's hot path: the host queues records and hands them over
 * in batches between slices.
 *
 * Lifecycle: create -> start (channels known) -> write* / phase* -> finish -> destroy.
 * finish is called on every run that started, also when it was interrupted
 * (report->interrupted): flush and leave valid files.
 *
 * Threads: all hooks [loop].
 */
#ifndef REWIRE_OUTPUT_H
#define REWIRE_OUTPUT_H

#include "channel.h"
#include "host.h"
#include "params.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rewire_plugin_use {
    const char *kind;    /* "learning-rule", "injury", "intervention", "output" */
    const char *name;
    const char *version;
    const char *path;    /* the shared object it came from */
} rewire_plugin_use;

typedef struct rewire_run_info {
    uint32_t struct_size;
    const char *rewire_version;
    const char *experiment_name;
    const char *experiment_file;
    const char *experiment_text;   /* the YAML as read (with --set applied in `overrides`) */
    const char *overrides;         /* the --set arguments, one per line, or "" */
    uint64_t seed;
    double dt;                     /* ms */
    double duration;               /* ms, the whole timeline */
    uint32_t n_channels;
    const rewire_channel_info *channels;
    uint32_t n_plugins;
    const rewire_plugin_use *plugins;
} rewire_run_info;

typedef struct rewire_phase_event {
    uint32_t struct_size;
    const char *name;
    uint32_t index;                /* phase number, from 0 */
    double t_start;                /* ms */
    double t_end;                  /* ms; for a phase that starts, its planned end */
    bool is_end;                   /* false: phase starts; true: phase ended */
} rewire_phase_event;

/* ABI 1.2: injuries and intervention windows, as they happen. */
typedef enum rewire_timeline_event_kind {
    REWIRE_EVENT_INJURY = 1,             /* an injury was applied at t */
    REWIRE_EVENT_INTERVENTION_BEGIN = 2, /* a window of an intervention opened at t */
    REWIRE_EVENT_INTERVENTION_END = 3    /* ... and closed at t */
} rewire_timeline_event_kind;
typedef struct rewire_timeline_event {
    uint32_t struct_size;
    rewire_timeline_event_kind kind;
    const char *plugin;            /* "lesion", "cimt", ... */
    const char *label;             /* the entry's `name:` in the experiment, or the plugin name */
    double t;                      /* ms */
    uint32_t window;               /* interventions: window number, from 0 */
} rewire_timeline_event;

typedef struct rewire_population_report {
    const char *name;
    const char *model;
    uint32_t size;
    uint64_t spikes;
    double rate;                   /* Hz, mean over neurons and simulated time */
} rewire_population_report;

typedef struct rewire_projection_report {
    const char *name;
    const char *pre;
    const char *post;
    uint64_t synapses;
    const char *rule;              /* learning rule name, or NULL */
    double mean_weight;            /* internal units */
} rewire_projection_report;

typedef struct rewire_run_report {
    uint32_t struct_size;
    bool interrupted;              /* stopped by a signal or an error */
    double simulated_time;         /* ms actually simulated */
    double wall_time;              /* s */
    uint64_t synaptic_events;
    uint32_t n_populations;
    const rewire_population_report *populations;
    uint32_t n_projections;
    const rewire_projection_report *projections;
} rewire_run_report;

typedef struct rewire_output_v1 {
    uint32_t struct_size;
    int (*create)(const rewire_host *host, const rewire_param_value *params, void **instance);
    /* The run is about to start; `run` (and everything it points to) lives until destroy.
     * `subscribed[i]` says whether channel i is routed to this output. */
    int (*start)(void *instance, const rewire_run_info *run, const bool *subscribed);
    int (*write)(void *instance, const rewire_batch *batch);
    int (*phase)(void *instance, const rewire_phase_event *event); /* may be NULL */
    int (*finish)(void *instance, const rewire_run_report *report);
    void (*destroy)(void *instance);
    /* ---- ABI 1.2 ---- */
    /* An injury was applied or an intervention window opened or closed (markers for
     * plots and dashboards).  May be NULL; the host reads it only when struct_size
     * says it is there. */
    int (*timeline_event)(void *instance, const rewire_timeline_event *event);
} rewire_output_v1;

#ifdef __cplusplus
}
#endif
#endif
