/* See timeline.h. */
#include "timeline.h"

#include <stdio.h>

void timeline_phase(plot_timeline *tl, const rewire_phase_event *ev) {
    if (ev->is_end) { /* the phase's actual end */
        for (uint32_t k = tl->n_phases; k-- > 0;)
            if (tl->phases[k].t_start == ev->t_start) {
                tl->phases[k].t_end = ev->t_end;
                return;
            }
        return;
    }
    if (tl->n_phases == PLOT_MAX_PHASES) {
        tl->dropped++;
        return;
    }
    plot_phase *p = &tl->phases[tl->n_phases++];
    snprintf(p->name, sizeof p->name, "%s", ev->name ? ev->name : "");
    p->t_start = ev->t_start;
    p->t_end = ev->t_end;
}

void timeline_event(plot_timeline *tl, const rewire_timeline_event *ev) {
    if (tl->n_events == PLOT_MAX_EVENTS) {
        tl->dropped++;
        return;
    }
    plot_event *e = &tl->events[tl->n_events++];
    e->kind = ev->kind;
    e->t = ev->t;
    e->window = ev->window;
    snprintf(e->label, sizeof e->label, "%s",
             ev->label && ev->label[0] ? ev->label : ev->plugin ? ev->plugin : "");
}
