/* stream: the run's records, phases and markers to other processes, live, over TCP, a
 * Unix socket or standard output, with a control channel (docs/stream-protocol.md).
 *
 *   outputs:
 *     - plugin: stream
 *       params: {listen: "127.0.0.1:0", control: true, token: s3cret}
 *
 * The chosen address ("tcp:127.0.0.1:40123", "unix:/abs/path") is logged and written to
 * RUN/stream.addr.  `rewire run EXP --stream ADDR` adds this output; `--stream -`
 * streams to standard output (then nothing else is printed there).
 *
 * Per client: lossless (default): its queue is bounded by `queue_kb`; when it is over,
 * the kernel holds (rewire.control/1) until the client has read half, the loop serving
 * every other socket meanwhile.  Lossy: the oldest records are dropped instead and the
 * client is told how many.  Needs the host extension rewire.control/1 for backpressure
 * and control; without it every client is served lossy.
 *
 * Files: stream.c (plugin hooks), stream_net.c (sockets, queues), stream_proto.c
 * (header, encoding, hello and commands).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream.h"

enum { P_LISTEN, P_CONTROL, P_TOKEN, P_FORMAT, P_MODE, P_QUEUE, P_MAX_CLIENTS, P_WAIT, P_LINGER, N_PARAMS };

static const char *const formats[] = {"json", "binary", NULL};
static const char *const modes[] = {"lossless", "lossy", NULL};

static const rewire_param_spec stream_params[N_PARAMS] = {
    [P_LISTEN] = {.name = "listen", .type = REWIRE_PARAM_STRING, .def_string = "127.0.0.1:0",
                  .doc = "HOST:PORT (port 0: any free port), unix:PATH (relative: in the run "
                         "folder; created 0600) or '-' for standard output."},
    [P_CONTROL] = {.name = "control", .type = REWIRE_PARAM_BOOL, .def_int = 0,
                   .doc = "Accept pause, resume, stop, status and set commands from clients."},
    [P_TOKEN] = {.name = "token", .type = REWIRE_PARAM_STRING, .def_string = "",
                 .doc = "When not empty, commands are accepted only from clients whose hello "
                        "carries this token."},
    [P_FORMAT] = {.name = "format", .type = REWIRE_PARAM_ENUM, .def_int = 0, .choices = formats,
                  .doc = "Records of spikes, state and weights for clients that do not choose: "
                         "JSON lines or binary frames."},
    [P_MODE] = {.name = "mode", .type = REWIRE_PARAM_ENUM, .def_int = 0, .choices = modes,
                .doc = "For clients that do not choose: lossless (the run waits for them) or "
                       "lossy (oldest records dropped, with a notice)."},
    [P_QUEUE] = {.name = "queue_kb", .type = REWIRE_PARAM_INT,
                 .flags = REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_HAS_MAX, .def_int = 4096, .min = 16,
                 .max = 4194304, .doc = "Bound of each client's queue, in KiB."},
    [P_MAX_CLIENTS] = {.name = "max_clients", .type = REWIRE_PARAM_INT,
                       .flags = REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_HAS_MAX, .def_int = 256,
                       .min = 1, .max = 100000, .doc = "Connections beyond this are refused."},
    [P_WAIT] = {.name = "wait_for", .type = REWIRE_PARAM_INT,
                .flags = REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_HAS_MAX, .def_int = 0, .min = 0,
                .max = 100000, .doc = "Hold the run at its start until this many clients have "
                                      "sent their hello (they then get every record)."},
    [P_LINGER] = {.name = "linger", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_TIME,
                  .flags = REWIRE_PARAM_HAS_MIN, .def_real = 30000, .min = 0,
                  .doc = "At the end, how long (wall time) clients may take to read the rest "
                         "before they are disconnected."},
};

static int stream_create(const rewire_host *host, const rewire_param_value *params, void **instance) {
    stream *s = calloc(1, sizeof *s);
    if (!s) {
        host->set_error(host, "out of memory");
        return REWIRE_ENOMEM;
    }
    s->host = host;
    s->loop = host->uv_loop(host);
    s->listen = params[P_LISTEN].string;
    s->control = params[P_CONTROL].boolean;
    s->token = params[P_TOKEN].string ? params[P_TOKEN].string : "";
    s->default_binary = params[P_FORMAT].choice == 1;
    s->default_lossless = params[P_MODE].choice == 0;
    s->queue_bytes = (size_t)params[P_QUEUE].integer * 1024u;
    s->max_clients = params[P_MAX_CLIENTS].integer;
    s->wait_for = params[P_WAIT].integer;
    s->linger_ms = params[P_LINGER].real;
    /* A client that vanishes must cost a failed write, not the process: writing to a
     * closed socket or pipe raises SIGPIPE, whose default action kills. */
    struct sigaction old;
    if (sigaction(SIGPIPE, NULL, &old) == 0 && old.sa_handler == SIG_DFL) signal(SIGPIPE, SIG_IGN);
    s->ctl = host->get_extension(host, REWIRE_CONTROL_EXTENSION);
    if (s->ctl && s->ctl->struct_size < sizeof(rewire_control_v1)) s->ctl = NULL;
    *instance = s;
    if (!s->listen || !s->listen[0]) {
        host->set_error(host, "listen: expected HOST:PORT, unix:PATH or '-'");
        return REWIRE_EINVAL;
    }
    if (s->control && !s->ctl) {
        host->set_error(host, "control: this rewire has no run control (rewire.control/1)");
        return REWIRE_ENOTSUP;
    }
    if (!s->ctl) s->default_lossless = false; /* nothing can make the kernel wait */
    if (s->wait_for > 0 && !strcmp(s->listen, "-")) {
        host->set_error(host, "wait_for: standard output has no clients to wait for");
        return REWIRE_EINVAL;
    }
    return REWIRE_OK;
}

static int write_addr_file(stream *s) {
    rewire_file *f;
    int rc = s->host->file_open(s->host, "stream.addr", &f);
    if (rc != REWIRE_OK) return rc;
    char line[600];
    int n = snprintf(line, sizeof line, "%s\n", s->address);
    rc = s->host->file_write(s->host, f, line, (size_t)n);
    int rc2 = s->host->file_close(s->host, f);
    return rc ? rc : rc2;
}

static int stream_start(void *instance, const rewire_run_info *run, const bool *subscribed) {
    stream *s = instance;
    uint32_t n = run->n_channels ? run->n_channels : 1;
    s->run = run;
    s->routed = subscribed;
    s->cols = calloc(n, sizeof *s->cols);
    s->binary_kind = calloc(n, sizeof *s->binary_kind);
    s->seq = calloc(n, sizeof *s->seq);
    s->jname = calloc(n, sizeof *s->jname);
    if (!s->cols || !s->binary_kind || !s->seq || !s->jname) {
        s->host->set_error(s->host, "out of memory");
        return REWIRE_ENOMEM;
    }
    for (uint32_t i = 0; i < run->n_channels; i++) {
        const rewire_channel_info *ch = &run->channels[i];
        if (!channel_columns_of(ch->kind, &s->cols[i])) {
            s->host->set_error(s->host, "channel '%s' has a kind (%d) the stream output does not know",
                               ch->name, (int)ch->kind);
            return REWIRE_ENOTSUP;
        }
        s->binary_kind[i] = ch->kind == REWIRE_CHANNEL_SPIKES || ch->kind == REWIRE_CHANNEL_STATE ||
                            ch->kind == REWIRE_CHANNEL_WEIGHTS;
        json_t *js = json_string(ch->name);
        s->jname[i] = js ? json_dumps(js, JSON_ENCODE_ANY | JSON_ENSURE_ASCII) : NULL;
        json_decref(js);
        if (!s->jname[i]) {
            s->host->set_error(s->host, "channel name '%s' is not valid UTF-8", ch->name);
            return REWIRE_EINVAL;
        }
    }
    int rc = !strcmp(s->listen, "-") ? stream_open_stdout(s) : stream_listen(s);
    if (rc != REWIRE_OK) return rc;
    if (s->lk != LISTEN_STDOUT) {
        s->host->log(s->host, REWIRE_LOG_INFO, "listening on %s", s->address);
        if ((rc = write_addr_file(s)) != REWIRE_OK) return rc;
    }
    s->started = true;
    if (s->wait_for > 0 && s->ctl) {
        s->waiting = true;
        s->ctl->hold(s->host);
        s->host->log(s->host, REWIRE_LOG_INFO, "waiting for %lld client(s)", (long long)s->wait_for);
    }
    return REWIRE_OK;
}

static double now_ms(stream *s, const rewire_batch *b) {
    if (s->ctl) {
        rewire_control_status st = {.struct_size = sizeof st};
        if (s->ctl->status(s->host, &st) == 0) return st.t;
    }
    return b->n ? b->time[b->n - 1] : 0;
}

static int stream_write(void *instance, const rewire_batch *b) {
    stream *s = instance;
    if (b->channel >= s->run->n_channels || !s->routed[b->channel]) {
        s->host->set_error(s->host, "batch for channel %u, which this output was not given", b->channel);
        return REWIRE_EINVAL;
    }
    if (!batch_has_columns(b, &s->cols[b->channel])) {
        s->host->set_error(s->host, "batch for channel '%s' lacks a column",
                           s->run->channels[b->channel].name);
        return REWIRE_EINVAL;
    }
    if (b->n == 0) return REWIRE_OK;
    uint64_t seq = s->seq[b->channel];
    s->seq[b->channel] += b->n;
    msg *enc[2] = {NULL, NULL}; /* json, binary: encoded once, on first need */
    double t = 0;
    bool have_t = false;
    for (client *c = s->clients, *next; c; c = next) {
        next = c->next;
        if (!c->hello || !c->sub[b->channel] || c->closing) continue;
        int k = c->binary && s->binary_kind[b->channel];
        if (!enc[k]) {
            if (!have_t) t = now_ms(s, b), have_t = true;
            enc[k] = stream_encode_batch(s, b, seq, t, k);
            if (!enc[k]) {
                msg_unref(enc[0]);
                msg_unref(enc[1]);
                s->host->set_error(s->host, "out of memory for %zu records", b->n);
                return REWIRE_ENOMEM;
            }
        }
        stream_push(c, enc[k]);
    }
    msg_unref(enc[0]);
    msg_unref(enc[1]);
    return REWIRE_OK;
}

static int stream_phase(void *instance, const rewire_phase_event *ev) {
    stream *s = instance;
    json_t *o = json_pack("{s:s, s:s, s:I, s:f, s:f, s:b}", "type", "phase", "name", ev->name, "index",
                          (json_int_t)ev->index, "t_start", ev->t_start, "t_end", ev->t_end, "is_end",
                          ev->is_end);
    if (!o) return REWIRE_OK;
    json_decref(s->phase);
    s->phase = json_incref(o);
    stream_broadcast(s, msg_json(o, MSG_EVENT), false);
    return REWIRE_OK;
}

static int stream_timeline_event(void *instance, const rewire_timeline_event *ev) {
    stream *s = instance;
    const char *kind = ev->kind == REWIRE_EVENT_INJURY                ? "injury"
                       : ev->kind == REWIRE_EVENT_INTERVENTION_BEGIN ? "intervention_begin"
                                                                     : "intervention_end";
    json_t *o = json_pack("{s:s, s:s, s:s, s:f, s:I}", "type", kind, "plugin",
                          ev->plugin ? ev->plugin : "", "label", ev->label ? ev->label : "", "t", ev->t,
                          "window", (json_int_t)ev->window);
    stream_broadcast(s, msg_json(o, MSG_EVENT), false);
    return REWIRE_OK;
}

static int stream_finish(void *instance, const rewire_run_report *report) {
    stream *s = instance;
    if (s->finished) return REWIRE_OK;
    if (s->waiting) {
        s->waiting = false;
        if (s->ctl) s->ctl->release(s->host);
    }
    s->finished = true;
    /* Each client's end message counts what it was sent, per channel. */
    for (client *c = s->clients, *next; c; c = next) {
        next = c->next;
        json_t *rec = json_object();
        for (uint32_t i = 0; i < s->run->n_channels; i++)
            if (c->hello && c->sub[i])
                json_object_set_new(rec, s->run->channels[i].name, json_integer((json_int_t)c->sent[i]));
        json_t *o = json_pack("{s:s, s:b, s:f, s:f, s:I, s:o, s:I}", "type", "end", "interrupted",
                              report->interrupted, "simulated_time", report->simulated_time,
                              "wall_time", report->wall_time, "synaptic_events",
                              (json_int_t)report->synaptic_events, "records", rec, "dropped",
                              (json_int_t)c->dropped_records);
        msg *m = msg_json(o, MSG_EVENT);
        stream_push(c, m);
        msg_unref(m);
    }
    stream_end(s);
    return REWIRE_OK;
}

static void stream_destroy(void *instance) {
    stream *s = instance;
    if (!s) return;
    if (s->waiting && s->ctl) s->ctl->release(s->host);
    stream_close_all(s);
    for (uint32_t i = 0; s->jname && s->run && i < s->run->n_channels; i++) free(s->jname[i]);
    free(s->jname);
    free(s->cols);
    free(s->binary_kind);
    free(s->seq);
    json_decref(s->phase);
    free(s);
}

static const rewire_output_v1 stream_functions = {
    .struct_size = sizeof(rewire_output_v1),
    .create = stream_create,
    .start = stream_start,
    .write = stream_write,
    .phase = stream_phase,
    .finish = stream_finish,
    .destroy = stream_destroy,
    .timeline_event = stream_timeline_event,
};

static const rewire_plugin_descriptor stream_descriptor =
    REWIRE_DESCRIPTOR(REWIRE_KIND_OUTPUT, "stream", "1.0.0",
                      "Live records, phases and markers over TCP, a Unix socket or stdout, "
                      "with a control channel",
                      stream_params, stream_functions);

REWIRE_PLUGIN_ENTRY(&stream_descriptor)
