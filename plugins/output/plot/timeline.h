/* What the figures mark on their time axes: phases (boundaries, names), injuries
 * (vertical lines) and intervention windows (shaded), collected from the output's phase
 * and timeline_event hooks.  Bounded: later entries past the capacity are dropped (and
 * counted). */
#ifndef REWIRE_PLOT_TIMELINE_H
#define REWIRE_PLOT_TIMELINE_H

#include <rewire/output.h>

#define PLOT_MAX_PHASES 64
#define PLOT_MAX_EVENTS 256

typedef struct plot_phase {
    char name[64];
    double t_start, t_end; /* ms; t_end planned until the phase ends */
} plot_phase;

typedef struct plot_event {
    rewire_timeline_event_kind kind;
    double t; /* ms */
    uint32_t window;
    char label[64];
} plot_event;

typedef struct plot_timeline {
    plot_phase phases[PLOT_MAX_PHASES];
    uint32_t n_phases;
    plot_event events[PLOT_MAX_EVENTS];
    uint32_t n_events, dropped;
    double t_end; /* ms: the run's planned duration, then the time reached */
} plot_timeline;

void timeline_phase(plot_timeline *tl, const rewire_phase_event *ev);
void timeline_event(plot_timeline *tl, const rewire_timeline_event *ev);

#endif
