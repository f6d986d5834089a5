/* Running an experiment on the libuv loop.
 *
 * The kernel runs on the loop thread in an idle callback, a chunk of slices at a time
 * (about 20 ms of wall time), so signals, the progress timer and outputs get their turn
 * between chunks.  After each chunk the recorder's buffers are handed to the outputs.
 * Phase boundaries always fall on slice boundaries: a slice never crosses one. */
#include "sim.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "control.h"
#include "host.h"
#include "modulators.h"
#include "loader.h"
#include "network.h"
#include "pool.h"
#include "progress.h"
#include "rng.h"
#include "network_edit.h"
#include "run_plugins.h"
#include "timeline.h"

#define CHUNK_NS (20 * 1000 * 1000ull) /* wall time per idle callback */
#define DRAIN_ROWS (1u << 20)          /* drain earlier when this many rows wait */

typedef struct rw_sim {
    rw_experiment *exp;
    const rw_run_options *opt;
    rw_diag *diag;
    uv_loop_t loop;
    uv_idle_t idle;
    uv_timer_t progress_timer;
    uv_signal_t sigint, sigterm;
    rw_run_ctx ctx;
    rw_network *net;
    rw_recorder *rec;
    rw_run_plugins plugins;
    rw_timeline timeline;      /* injuries and intervention windows */
    rw_control *control;       /* holds, pause, stop, status (control.c) */

    int64_t *phase_end;        /* [n_phases] step at which phase i ends */
    rw_level *levels;          /* [n_modulators] */
    int64_t *event_step;       /* [n_events] step before which event i applies */
    uint32_t next_event;
    uint32_t phase;            /* current phase */
    bool phase_started;
    int64_t total_steps;
    int64_t max_slice;
    uint64_t t0_ns;
    int signal;                /* set by the signal handlers */
    int status;                /* exit status once finished */
    bool done;
    bool progress_shown;
} rw_sim;

static double now_s(const rw_sim *s) { return (double)(uv_hrtime() - s->t0_ns) * 1e-9; }

static void show_progress(rw_sim *s, bool final) {
    if (!s->opt->progress) return;
    double wall = now_s(s);
    if (!s->progress_shown && wall < 1.0) return;
    char line[160];
    rw_progress_format(line, sizeof line, (double)rw_network_step(s->net) * s->exp->dt,
                       (double)s->total_steps * s->exp->dt, wall);
    fprintf(stderr, "\r\033[K%s", line);
    if (final) fputc('\n', stderr);
    fflush(stderr);
    s->progress_shown = true;
}

static void on_progress(uv_timer_t *t) { show_progress(t->data, false); }

static void on_idle(uv_idle_t *h);

/* ---- run control (control.c): the kernel's idle callback is stopped while the run is
 * held by a consumer or paused, and started again by wake_kernel. ---- */
static void wake_kernel(void *sim) {
    rw_sim *s = sim;
    if (!s->done && s->idle.loop) uv_idle_start(&s->idle, on_idle); /* idle.loop: initialised */
}

static void control_stop(void *sim) {
    rw_sim *s = sim;
    if (!s->signal) s->signal = SIGINT; /* stop is SIGINT: same path, same exit status */
    wake_kernel(s);
}

static void control_status(void *sim, rewire_control_status *out) {
    rw_sim *s = sim;
    const rw_experiment *e = s->exp;
    out->state = s->done ? REWIRE_RUN_DONE
                 : s->signal ? REWIRE_RUN_STOPPING
                 : s->phase_started || s->phase > 0 ? REWIRE_RUN_RUNNING : REWIRE_RUN_STARTING;
    out->t = s->net ? (double)rw_network_step(s->net) * e->dt : 0;
    out->duration = (double)s->total_steps * e->dt;
    out->phase = s->phase_started && s->phase < e->n_phases ? e->phases[s->phase].name : "";
    out->wall = s->t0_ns ? now_s(s) : 0;
}
/* ---- end of run control ---- */

static void on_signal(uv_signal_t *h, int signum) {
    rw_sim *s = h->data;
    s->signal = signum;
    wake_kernel(s); /* a held or paused run still stops */
}

static void emit_phase(rw_sim *s, bool is_end) {
    double start = s->phase == 0 ? 0 : (double)s->phase_end[s->phase - 1] * s->exp->dt;
    rewire_phase_event ev = {
        .struct_size = sizeof ev,
        .name = s->exp->phases[s->phase].name,
        .index = s->phase,
        .t_start = start,
        .t_end = (double)s->phase_end[s->phase] * s->exp->dt,
        .is_end = is_end,
    };
    /* A phase that ends early (the run was stopped) ends where the kernel stopped. */
    if (is_end && rw_network_step(s->net) < s->phase_end[s->phase])
        ev.t_end = (double)rw_network_step(s->net) * s->exp->dt;
    rw_run_plugins_phase(&s->plugins, &ev);
}

static void finish(rw_sim *s, int status) {
    if (s->done) return;
    s->done = true;
    s->status = status;
    uv_idle_stop(&s->idle);
    uv_timer_stop(&s->progress_timer);
    if (s->progress_shown) show_progress(s, true);
    /* Windows still open end with the run, so interventions restore what they changed. */
    if (rw_timeline_close_all(&s->timeline, rw_network_step(s->net), s->diag) != 0 && s->status == 0)
        s->status = 1;
    if (rw_recorder_finish(s->rec, s->net) != 0) {
        rw_diag_error(s->diag, (rw_loc){s->exp->file, 0, 0}, "out of memory for the last records");
        if (s->status == 0) s->status = 1;
    }
    if (rw_run_plugins_drain(&s->plugins, s->rec, s->diag) != 0 && s->status == 0) s->status = 1;
    if (s->phase_started && s->phase < s->exp->n_phases) emit_phase(s, true);
    double wall = now_s(s);
    if (rw_run_plugins_finish(&s->plugins, s->net, status != 0, wall, s->diag) != 0 && s->status == 0)
        s->status = 1;
    uv_close((uv_handle_t *)&s->idle, NULL);
    uv_close((uv_handle_t *)&s->progress_timer, NULL);
    uv_close((uv_handle_t *)&s->sigint, NULL);
    uv_close((uv_handle_t *)&s->sigterm, NULL);
}

/* Apply the events due at `step`; return how many steps the next slice may last
 * before the next event (slices end at events). */
static int64_t apply_events(rw_sim *s, int64_t step, int64_t n) {
    const rw_experiment *e = s->exp;
    while (s->next_event < e->n_events && s->event_step[s->next_event] <= step) {
        const rw_event_spec *ev = &e->events[s->next_event++];
        rw_level_event(&s->levels[ev->modulator], (double)step * e->dt, ev->set, ev->value);
    }
    if (s->next_event < e->n_events && s->event_step[s->next_event] - step < n)
        n = s->event_step[s->next_event] - step;
    return n;
}

/* Projections bound to a neuromodulator see its mean over the coming slice. */
static void show_levels(rw_sim *s, int64_t step, int64_t n) {
    const rw_experiment *e = s->exp;
    double t0 = (double)step * e->dt, t1 = (double)(step + n) * e->dt;
    for (uint32_t i = 0; i < e->n_projections; i++) {
        int m = e->projections[i].neuromodulator;
        if (m >= 0)
            rw_network_projection_view(s->net, i)->neuromodulator =
                (float)rw_level_mean(&s->levels[m], t0, t1);
    }
}

/* Run slices until the chunk's wall budget is spent or the timeline ends. */
static void on_idle(uv_idle_t *h) {
    rw_sim *s = h->data;
    uint64_t deadline = uv_hrtime() + CHUNK_NS;
    if (!s->signal && rw_control_blocked(s->control)) {
        uv_idle_stop(h); /* wake_kernel starts it again */
        return;
    }
    while (!s->signal && !rw_control_blocked(s->control)) {
        int64_t step = rw_network_step(s->net);
        while (s->phase < s->exp->n_phases && step >= s->phase_end[s->phase]) {
            /* Outputs get the phase's records before its end (they flush or draw there). */
            if (rw_run_plugins_drain(&s->plugins, s->rec, s->diag) != 0) {
                finish(s, 1);
                return;
            }
            emit_phase(s, true);
            s->phase++;
            s->phase_started = false;
        }
        if (s->phase >= s->exp->n_phases) {
            finish(s, 0);
            return;
        }
        if (!s->phase_started) {
            emit_phase(s, false);
            s->phase_started = true;
        }
        if (rw_timeline_before(&s->timeline, step, s->diag) != 0) {
            finish(s, 1);
            return;
        }
        int64_t n = s->phase_end[s->phase] - step;
        if (n > s->max_slice) n = s->max_slice;
        n = apply_events(s, step, n);
        n = rw_timeline_limit(&s->timeline, step, n);
        show_levels(s, step, n);
        if (rw_network_advance(s->net, n, s->rec) != 0) {
            rw_diag_error(s->diag, (rw_loc){s->exp->file, 0, 0},
                          "the kernel ran out of memory at t = %g ms", (double)step * s->exp->dt);
            finish(s, 1);
            return;
        }
        if (rw_timeline_after(&s->timeline, step, step + n, s->diag) != 0) {
            finish(s, 1);
            return;
        }
        /* Injury and intervention hooks (and live parameters set between slices) may
         * have changed what sources emit: let them re-check before the next slice. */
        if (s->plugins.n_injuries || s->plugins.n_interventions) rw_network_sources_changed(s->net);
        if (rw_recorder_pending(s->rec) >= DRAIN_ROWS || uv_hrtime() >= deadline) break;
    }
    if (rw_run_plugins_drain(&s->plugins, s->rec, s->diag) != 0) {
        finish(s, 1);
        return;
    }
    if (s->signal) finish(s, 128 + s->signal);
}

static int make_dirs(const char *path) {
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) return UV_ENAMETOOLONG;
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0') continue;
        char c = *p;
        *p = '\0';
        uv_fs_t req;
        int rc = uv_fs_mkdir(NULL, &req, buf, 0755, NULL);
        uv_fs_req_cleanup(&req);
        if (rc < 0 && rc != UV_EEXIST) return rc;
        *p = c;
        if (c == '\0') return 0;
    }
}

static void compute_phase_ends(rw_sim *s) {
    double t = 0;
    for (uint32_t i = 0; i < s->exp->n_phases; i++) {
        t += s->exp->phases[i].duration;
        s->phase_end[i] = llround(t / s->exp->dt);
        if (i > 0 && s->phase_end[i] <= s->phase_end[i - 1]) s->phase_end[i] = s->phase_end[i - 1] + 1;
    }
    s->total_steps = s->phase_end[s->exp->n_phases - 1];
}

static void print_summary(const rw_sim *s, double wall) {
    const rw_experiment *e = s->exp;
    double sim_s = (double)rw_network_step(s->net) * e->dt * 1e-3;
    printf("%s: %s simulated %.3g s in %.3g s wall (%.3gx realtime), seed %llu\n", e->name,
           s->status == 0 ? "done," : "stopped,", sim_s, wall, wall > 0 ? sim_s / wall : 0.0,
           (unsigned long long)e->seed);
    for (uint32_t i = 0; i < e->n_populations; i++) {
        uint64_t spikes = rw_network_population_spikes(s->net, i);
        double rate = rw_network_population_mean_rate(s->net, i);
        printf("  %-16s %8u neurons %12llu spikes %9.3f Hz\n", e->populations[i].name,
               e->populations[i].size, (unsigned long long)spikes, rate);
    }
    for (uint32_t i = 0; i < e->n_projections; i++)
        printf("  %-16s %8llu synapses%s%s\n", e->projections[i].name,
               (unsigned long long)rw_network_projection_synapses(s->net, i),
               e->projections[i].plastic ? ", plastic: " : "",
               e->projections[i].plastic ? e->projections[i].rule.plugin->desc->name : "");
    printf("  output: %s\n", s->opt->out_dir);
}

/* Threads when the user did not say: every processor, but no more than one per
 * RW_WORK_PER_THREAD neurons + synapses.  A thread costs a synchronisation per step;
 * below that much work per step it loses more than it gains (Song 2000's single neuron:
 * 0.5 s on one thread, 1.5 s on two).  Results are the same bytes either way. */
#define RW_WORK_PER_THREAD 100000u
static uint32_t auto_threads(const rw_network *net) {
    uint64_t work = rw_network_work(net) / RW_WORK_PER_THREAD;
    uint32_t cores = rw_available_threads();
    return work < 1 ? 1 : work < cores ? (uint32_t)work : cores;
}

int rw_run(rw_experiment *e, const rw_run_options *o, rw_diag *d) {
    rw_sim s = {.exp = e, .opt = o, .diag = d};
    int rc = make_dirs(o->out_dir);
    if (rc < 0) {
        rw_diag_error(d, (rw_loc){o->out_dir, 0, 0}, "cannot create the output folder: %s",
                      uv_strerror(rc));
        return 1;
    }
    if (uv_loop_init(&s.loop) != 0) return 1;
    s.control = rw_control_new();
    s.ctx = (rw_run_ctx){.loop = &s.loop, .out_dir = o->out_dir, .exp = e,
                         .log_level = o->quiet ? REWIRE_LOG_WARN : REWIRE_LOG_INFO,
                         .control = s.control};
    if (s.control)
        rw_control_set_hooks(s.control, &(rw_control_hooks){&s, wake_kernel, control_stop,
                                                           control_status});
    s.phase_end = calloc(e->n_phases, sizeof *s.phase_end);
    s.levels = calloc(e->n_modulators + 1, sizeof *s.levels);
    s.event_step = calloc(e->n_events + 1, sizeof *s.event_step);
    int status = 2;
    if (!s.phase_end || !s.levels || !s.event_step || !s.control) goto out;
    compute_phase_ends(&s);
    for (uint32_t i = 0; i < e->n_modulators; i++)
        rw_level_init(&s.levels[i], e->modulators[i].baseline, e->modulators[i].tau);
    for (uint32_t i = 0; i < e->n_events; i++) s.event_step[i] = llround(e->events[i].time / e->dt);

    s.net = rw_network_build(e, d);
    if (!s.net) goto out;
    s.ctx.net = s.net;
    s.max_slice = rw_network_min_delay(s.net);
    if (o->max_slice_steps > 0 && o->max_slice_steps < s.max_slice) s.max_slice = o->max_slice_steps;
    s.rec = rw_recorder_new(e, s.net);
    if (!s.rec) goto out;

    status = rw_run_plugins_create(&s.plugins, &s.ctx, s.net, s.rec, d);
    if (status != 0) goto out;
    status = 1;
    /* Threads split the neurons once the rules are attached (a structural rule's rows
     * are not sorted, which changes how they are split). */
    const uint32_t threads = o->threads ? o->threads : auto_threads(s.net);
    if (rw_network_set_threads(s.net, threads) != 0) {
        rw_diag_error(d, (rw_loc){e->file, 0, 0}, "out of memory (or no threads) for %u kernel threads",
                      threads);
        goto out;
    }
    /* Injuries that remove synapses rebuild the input in flight from the spike history. */
    if ((e->n_injuries && rw_network_keep_history(s.net) != 0) ||
        rw_timeline_init(&s.timeline, &s.plugins, e) != 0) {
        rw_diag_error(d, (rw_loc){e->file, 0, 0}, "out of memory for the timeline's state");
        goto out;
    }

    uv_idle_init(&s.loop, &s.idle);
    uv_timer_init(&s.loop, &s.progress_timer);
    uv_signal_init(&s.loop, &s.sigint);
    uv_signal_init(&s.loop, &s.sigterm);
    s.idle.data = s.progress_timer.data = s.sigint.data = s.sigterm.data = &s;
    uv_signal_start(&s.sigint, on_signal, SIGINT);
    uv_signal_start(&s.sigterm, on_signal, SIGTERM);
    if (o->progress) uv_timer_start(&s.progress_timer, on_progress, 250, 250);
    s.t0_ns = uv_hrtime();
    status = rw_run_plugins_start(&s.plugins, e, d);
    if (status != 0) {
        s.done = true;
        uv_close((uv_handle_t *)&s.idle, NULL);
        uv_close((uv_handle_t *)&s.progress_timer, NULL);
        uv_close((uv_handle_t *)&s.sigint, NULL);
        uv_close((uv_handle_t *)&s.sigterm, NULL);
        uv_run(&s.loop, UV_RUN_DEFAULT);
        goto out;
    }
    uv_idle_start(&s.idle, on_idle);
    uv_run(&s.loop, UV_RUN_DEFAULT);
    status = s.status;
    if (!o->quiet) print_summary(&s, now_s(&s));
    if (s.signal)
        fprintf(stderr, "rewire: interrupted by signal %d at t = %g ms; outputs flushed and closed\n",
                s.signal, (double)rw_network_step(s.net) * e->dt);
out:
    rw_timeline_free(&s.timeline);
    rw_run_plugins_destroy(&s.plugins);
    rw_control_free(s.control);
    rw_recorder_free(s.rec);
    rw_network_free(s.net);
    free(s.phase_end);
    free(s.levels);
    free(s.event_step);
    uv_loop_close(&s.loop);
    return status;
}
