/* dashboard: a live page of the run, served over HTTP + WebSocket by the run itself
 * (docs/dashboard.md).
 *
 * The server (server.c, libwebsockets) runs on rewire's own libuv loop, between the
 * kernel's chunks: no thread.  Records are aggregated as they arrive (aggregate.c) and a
 * timer sends the viewers an update every `update` ms of wall time, so the browser sees
 * rates per bin, a thinned raster, histograms and metric curves, never the firehose.
 *
 * The URL is printed on stderr and written to the run folder as dashboard.url.  After
 * the run the page keeps being served for `hold` (SIGINT or SIGTERM end the wait early);
 * then the server closes and the loop, with nothing left on it, lets rewire exit.
 *
 * Lifecycle guard: the host runs its loop until no handle is left, and calls destroy()
 * only after that.  If the run never starts (another output's start() failed), nothing
 * would ever close our listening socket; a prepare handle (unreferenced, so it keeps
 * nothing alive) looks at the first loop iteration, in which a started run has already
 * announced its first phase from the kernel's idle callback, and closes the server when
 * it has not.
 */
#include <rewire/plugin.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "aggregate.h"
#include "server.h"

extern const char dashboard_page[];
extern const size_t dashboard_page_len;

enum { P_LISTEN, P_HOLD, P_UPDATE, P_BIN, N_PARAMS };

static const rewire_param_spec dashboard_params[N_PARAMS] = {
    [P_LISTEN] = {.name = "listen", .type = REWIRE_PARAM_STRING, .def_string = "127.0.0.1:8765",
                  .doc = "HOST:PORT to serve the page on (an IPv4 address, or localhost); port 0 "
                         "picks a free one. The URL is printed and written to dashboard.url."},
    [P_HOLD] = {.name = "hold", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_TIME,
                .flags = REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_HAS_MAX, .def_real = 0, .min = 0,
                .max = 7 * 24 * 3600e3,
                .doc = "Keep serving this long (wall time) after the run ends; SIGINT ends it "
                       "early."},
    [P_UPDATE] = {.name = "update", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_TIME,
                  .flags = REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_HAS_MAX, .def_real = 250,
                  .min = 20, .max = 60e3, .doc = "Wall time between updates sent to the page."},
    [P_BIN] = {.name = "bin", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_TIME,
               .flags = REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_MIN_EXCLUSIVE, .def_real = 10,
               .min = 0, .doc = "Bin of the population rates computed from spike channels."},
};

typedef struct dashboard {
    const rewire_host *host;
    uv_loop_t *loop;
    char iface[64];
    int port;
    double hold_ms, update_ms, bin_ms, dt;
    dash_agg *agg;
    dash_server *server;
    uint64_t seq;
    bool saw_run, finished, closing;
    /* libuv handles, all closed before destroy (the host's loop runs until they are) */
    uv_timer_t tick, hold;
    uv_prepare_t watchdog;
    uv_signal_t sigint, sigterm;
    bool tick_on, hold_on, watchdog_on, sigint_on, sigterm_on;
    char url[256];
} dashboard;

static void close_handle(void *h, bool *on) {
    if (*on) uv_close((uv_handle_t *)h, NULL);
    *on = false;
}

/* Stop serving: close our handles and the server; the loop finishes closing them. */
static void shut_down(dashboard *d) {
    if (d->closing) return;
    d->closing = true;
    close_handle(&d->tick, &d->tick_on);
    close_handle(&d->hold, &d->hold_on);
    close_handle(&d->watchdog, &d->watchdog_on);
    close_handle(&d->sigint, &d->sigint_on);
    close_handle(&d->sigterm, &d->sigterm_on);
    server_stop(d->server);
}

static bool parse_listen(dashboard *d, const char *s) {
    const char *colon = strrchr(s, ':');
    if (!colon || (size_t)(colon - s) >= sizeof d->iface) return false;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (end == colon + 1 || *end || port < 0 || port > 65535) return false;
    memcpy(d->iface, s, (size_t)(colon - s));
    d->iface[colon - s] = '\0';
    if (strcmp(d->iface, "localhost") == 0) strcpy(d->iface, "127.0.0.1");
    d->port = (int)port;
    return true;
}

static int dashboard_create(const rewire_host *host, const rewire_param_value *params,
                            void **instance) {
    dashboard *d = calloc(1, sizeof *d);
    if (!d) {
        host->set_error(host, "out of memory");
        return REWIRE_ENOMEM;
    }
    d->host = host;
    if (!parse_listen(d, params[P_LISTEN].string)) {
        host->set_error(host, "listen: expected HOST:PORT with a port from 0 to 65535, got '%s'",
                        params[P_LISTEN].string);
        free(d);
        return REWIRE_EINVAL;
    }
    d->hold_ms = params[P_HOLD].real;
    d->update_ms = params[P_UPDATE].real;
    d->bin_ms = params[P_BIN].real;
    *instance = d;
    return REWIRE_OK;
}

/* A message from a finished jbuf; NULL when building it ran out of memory. */
static dash_msg *to_msg(jbuf *b, bool ok) {
    if (!ok || b->oom) {
        jb_free(b);
        return NULL;
    }
    size_t len = b->len;
    return msg_new(jb_take(b), len);
}

/* Send what arrived since the last update, and a history to viewers who need one. */
static void send_update(dashboard *d, bool with_update) {
    if (!d->server) return;
    if (with_update) {
        jbuf b;
        jb_init(&b, server_pre());
        dash_msg *m = to_msg(&b, agg_update(d->agg, &b, ++d->seq));
        if (m) server_broadcast(d->server, m);
        msg_unref(m);
    }
    if (server_wants_history(d->server)) {
        jbuf b;
        jb_init(&b, server_pre());
        dash_msg *m = to_msg(&b, agg_history(d->agg, &b, d->seq, server_dropped(d->server)));
        if (m) server_send_history(d->server, m);
        msg_unref(m);
    }
}

static void on_tick(uv_timer_t *t) {
    dashboard *d = t->data;
    if (d->finished) { /* holding: only late viewers need something */
        send_update(d, false);
        return;
    }
    const rewire_host *h = d->host;
    /* Every record before the next step has been handed over (the host drains the
     * recorder after each chunk of slices, before the loop runs timers). */
    if (REWIRE_HAS_FIELD(rewire_host, h->struct_size, now) && h->now)
        agg_advance(d->agg, (double)h->now(h) * d->dt, false);
    send_update(d, true);
}

static void on_watchdog(uv_prepare_t *p) {
    dashboard *d = p->data;
    close_handle(&d->watchdog, &d->watchdog_on);
    if (!d->saw_run) shut_down(d); /* the run never started: let the loop end */
}

static int write_url_file(dashboard *d) {
    const rewire_host *h = d->host;
    rewire_file *f;
    int rc = h->file_open(h, "dashboard.url", &f);
    if (rc != REWIRE_OK) return rc;
    char line[300];
    int n = snprintf(line, sizeof line, "%s\n", d->url);
    rc = h->file_write(h, f, line, (size_t)n);
    int rc2 = h->file_close(h, f);
    return rc != REWIRE_OK ? rc : rc2;
}

static int dashboard_start(void *instance, const rewire_run_info *run, const bool *subscribed) {
    dashboard *d = instance;
    const rewire_host *h = d->host;
    d->loop = h->uv_loop(h);
    d->dt = run->dt;
    d->agg = agg_new(h, run, subscribed, d->bin_ms, d->update_ms);
    if (!d->agg) return REWIRE_ENOMEM;
    jbuf b;
    jb_init(&b, server_pre());
    dash_msg *header = to_msg(&b, agg_header(d->agg, &b));
    if (!header) {
        h->set_error(h, "out of memory");
        return REWIRE_ENOMEM;
    }
    char err[200];
    d->server = server_start(d->loop, d->iface, d->port, dashboard_page, dashboard_page_len,
                             header, d->url, sizeof d->url, err, sizeof err);
    msg_unref(header);
    if (!d->server || !d->url[0]) {
        h->set_error(h, "%s", err);
        shut_down(d); /* a context that could not listen still has handles to close */
        return REWIRE_EIO;
    }
    int rc = write_url_file(d);
    if (rc != REWIRE_OK) {
        shut_down(d);
        return rc;
    }
    fprintf(stderr, "dashboard: %s\n", d->url);
    uv_timer_init(d->loop, &d->tick);
    uv_prepare_init(d->loop, &d->watchdog);
    d->tick.data = d->watchdog.data = d;
    d->tick_on = d->watchdog_on = true;
    uint64_t every = (uint64_t)(d->update_ms + 0.5);
    uv_timer_start(&d->tick, on_tick, every, every);
    uv_prepare_start(&d->watchdog, on_watchdog);
    uv_unref((uv_handle_t *)&d->watchdog);
    return REWIRE_OK;
}

static int dashboard_write(void *instance, const rewire_batch *batch) {
    dashboard *d = instance;
    d->saw_run = true;
    return agg_write(d->agg, batch);
}

static int dashboard_phase(void *instance, const rewire_phase_event *ev) {
    dashboard *d = instance;
    d->saw_run = true;
    agg_phase(d->agg, ev);
    return REWIRE_OK;
}

static int dashboard_timeline_event(void *instance, const rewire_timeline_event *ev) {
    dashboard *d = instance;
    d->saw_run = true;
    agg_event(d->agg, ev);
    return REWIRE_OK;
}

static void end_hold(dashboard *d) { shut_down(d); }
static void on_hold_over(uv_timer_t *t) { end_hold(t->data); }
static void on_hold_signal(uv_signal_t *s, int signum) {
    (void)signum;
    end_hold(s->data);
}

static int dashboard_finish(void *instance, const rewire_run_report *report) {
    dashboard *d = instance;
    d->saw_run = true;
    if (d->finished || !d->server) return REWIRE_OK;
    agg_advance(d->agg, report->simulated_time, true);
    send_update(d, true);
    d->finished = true;
    jbuf b;
    jb_init(&b, server_pre());
    jb_str(&b, "{\"type\":\"end\",\"t\":");
    jb_num(&b, report->simulated_time);
    jb_str(&b, ",\"interrupted\":");
    jb_str(&b, report->interrupted ? "true" : "false");
    jb_str(&b, ",\"wall_s\":");
    jb_num(&b, report->wall_time);
    jb_str(&b, ",\"hold_s\":");
    jb_num(&b, report->interrupted ? 0 : d->hold_ms * 1e-3);
    jb_str(&b, ",\"dropped\":");
    jb_u64(&b, server_dropped(d->server));
    jb_char(&b, '}');
    dash_msg *end = to_msg(&b, true);
    if (end) server_set_end(d->server, end);
    msg_unref(end);
    if (d->hold_ms <= 0 || report->interrupted) {
        shut_down(d);
        return REWIRE_OK;
    }
    fprintf(stderr, "dashboard: serving %s for %g s more (Ctrl-C ends it)\n", d->url,
            d->hold_ms * 1e-3);
    uv_timer_init(d->loop, &d->hold);
    uv_signal_init(d->loop, &d->sigint);
    uv_signal_init(d->loop, &d->sigterm);
    d->hold.data = d->sigint.data = d->sigterm.data = d;
    d->hold_on = d->sigint_on = d->sigterm_on = true;
    uv_timer_start(&d->hold, on_hold_over, (uint64_t)(d->hold_ms + 0.5), 0);
    uv_signal_start(&d->sigint, on_hold_signal, SIGINT);
    uv_signal_start(&d->sigterm, on_hold_signal, SIGTERM);
    return REWIRE_OK;
}

static void dashboard_destroy(void *instance) {
    dashboard *d = instance;
    if (!d) return;
    if (d->loop && !d->closing) {
        /* Not shut down through finish (a run that failed): close here and let the loop
         * run the close callbacks before our handles' memory goes. */
        shut_down(d);
        uv_run(d->loop, UV_RUN_DEFAULT);
    }
    /* libwebsockets completes a destroy begun on the loop when called again after the
     * loop has run its handles' close callbacks. */
    for (int i = 0; i < 4 && d->loop && !server_stopped(d->server); i++) {
        server_stop(d->server);
        uv_run(d->loop, UV_RUN_DEFAULT);
    }
    if (!server_stopped(d->server)) d->host->log(d->host, REWIRE_LOG_WARN, "libwebsockets did not close");
    server_free(d->server);
    agg_free(d->agg);
    free(d);
}

static const rewire_output_v1 dashboard_functions = {
    .struct_size = sizeof(rewire_output_v1),
    .create = dashboard_create,
    .start = dashboard_start,
    .write = dashboard_write,
    .phase = dashboard_phase,
    .finish = dashboard_finish,
    .destroy = dashboard_destroy,
    .timeline_event = dashboard_timeline_event,
};

static const rewire_plugin_descriptor dashboard_descriptor = REWIRE_DESCRIPTOR(
    REWIRE_KIND_OUTPUT, "dashboard", "1.0.0",
    "A live page of the run (raster, rates, weights, maps, measures) over HTTP + WebSocket",
    dashboard_params, dashboard_functions);

REWIRE_PLUGIN_ENTRY(&dashboard_descriptor)
