/* The `stream` output's protocol (docs/stream-protocol.md): the header, records as JSON
 * lines or binary frames, and what clients send: the hello and control commands. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream.h"

static const char *kind_name(rewire_channel_kind k) {
    switch (k) {
    case REWIRE_CHANNEL_SPIKES: return "spikes";
    case REWIRE_CHANNEL_RATE: return "rate";
    case REWIRE_CHANNEL_STATE: return "state";
    case REWIRE_CHANNEL_WEIGHTS: return "weights";
    case REWIRE_CHANNEL_METRIC: return "metric";
    }
    return "unknown";
}

static bool is_index(column_source src) {
    return src == COL_INDEX || src == COL_INDEX2 || src == COL_COMPONENT;
}

static const char *field_unit(const rewire_channel_info *ch, const column *col) {
    if (col->source == COL_TIME) return "ms";
    if (is_index(col->source)) return "";
    if (ch->kind == REWIRE_CHANNEL_RATE) return "Hz";
    return ch->unit ? ch->unit : "";
}

static double now_ms(stream *s) {
    if (!s->ctl) return 0;
    rewire_control_status st = {.struct_size = sizeof st};
    s->ctl->status(s->host, &st);
    return st.t;
}

json_t *stream_header(stream *s) {
    const rewire_run_info *r = s->run;
    json_t *chans = json_array();
    for (uint32_t i = 0; i < r->n_channels; i++) {
        if (!s->routed[i]) continue;
        const rewire_channel_info *ch = &r->channels[i];
        json_t *fields = json_array();
        for (unsigned k = 0; k < s->cols[i].n; k++) {
            const column *col = &s->cols[i].col[k];
            json_array_append_new(fields, json_pack("{s:s, s:s, s:s}", "name", col->name, "dtype",
                                                    is_index(col->source) ? "<u4" : "<f8", "unit",
                                                    field_unit(ch, col)));
        }
        json_array_append_new(
            chans, json_pack("{s:I, s:s, s:s, s:s, s:s?, s:s, s:f, s:I, s:o, s:b, s:I}", "id",
                             (json_int_t)i, "name", ch->name, "kind", kind_name(ch->kind), "source",
                             ch->source ? ch->source : "", "variable", ch->variable, "unit",
                             ch->unit ? ch->unit : "", "interval", ch->interval, "source_size",
                             (json_int_t)ch->source_size, "fields", fields, "binary",
                             s->binary_kind[i], "records_so_far", (json_int_t)s->seq[i]));
    }
    json_t *plugins = json_array();
    for (uint32_t i = 0; i < r->n_plugins; i++)
        json_array_append_new(plugins, json_pack("{s:s, s:s, s:s}", "kind", r->plugins[i].kind, "name",
                                                 r->plugins[i].name, "version", r->plugins[i].version));
    json_t *live = json_array();
    rewire_live_param_info lp = {.struct_size = sizeof lp};
    for (uint32_t i = 0; s->control && s->ctl && s->ctl->live_param(s->host, i, &lp) == 0; i++)
        json_array_append_new(live, json_pack("{s:s, s:s}", "target", lp.target, "param", lp.param));
    json_t *h = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:f, s:f, s:f, s:o, s:o, s:b, s:b, s:o, s:O?}",
        "type", "header", "protocol", STREAM_PROTOCOL, "rewire_version", r->rewire_version,
        "experiment", r->experiment_name, "file", r->experiment_file, "overrides", r->overrides,
        "seed", (json_int_t)r->seed, "dt", r->dt, "duration", r->duration, "t", now_ms(s),
        "channels", chans, "plugins", plugins, "control", s->control, "token_required",
        s->control && s->token[0], "live", live, "phase", s->phase);
    return h;
}

/* ---- records ---- */

static void put_u32(unsigned char *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static void put_u64(unsigned char *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static void put_f64(unsigned char *p, double v) {
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    put_u64(p, u);
}

static const void *column_data(const rewire_batch *b, column_source src) {
    switch (src) {
    case COL_TIME: return b->time;
    case COL_INDEX: return b->index;
    case COL_INDEX2: return b->index2;
    case COL_VALUE: return b->value;
    case COL_COMPONENT: return b->index; /* a metric's component; NULL: all 0 */
    }
    return NULL;
}

/* Row r of an index column (a scalar metric without index reads 0). */
static uint32_t index_at(const void *src, size_t r) { return src ? ((const uint32_t *)src)[r] : 0; }

/* Frame: tag 0x1e, u32 length of the rest, then u32 channel, u32 kind, f64 t, u64 seq,
 * u32 rows, u32 columns, then each column's rows (<f8 or <u4), all little-endian. */
#define FRAME_HEAD 37u

static msg *encode_binary(stream *s, const rewire_batch *b, uint64_t seq, double t) {
    const channel_columns *cols = &s->cols[b->channel];
    size_t body = FRAME_HEAD - 5;
    for (unsigned k = 0; k < cols->n; k++) body += b->n * (is_index(cols->col[k].source) ? 4u : 8u);
    if (body > UINT32_MAX) return NULL;
    msg *m = msg_new(5 + body, MSG_DATA);
    if (!m) return NULL;
    unsigned char *p = (unsigned char *)m->data;
    p[0] = FRAME_TAG;
    put_u32(p + 1, (uint32_t)body);
    put_u32(p + 5, b->channel);
    put_u32(p + 9, (uint32_t)s->run->channels[b->channel].kind);
    put_f64(p + 13, t);
    put_u64(p + 21, seq);
    put_u32(p + 29, (uint32_t)b->n);
    put_u32(p + 33, cols->n);
    p += FRAME_HEAD;
    for (unsigned k = 0; k < cols->n; k++) {
        const void *src = column_data(b, cols->col[k].source);
        if (is_index(cols->col[k].source)) {
            for (size_t r = 0; r < b->n; r++, p += 4) put_u32(p, index_at(src, r));
        } else {
            const double *v = src;
            for (size_t r = 0; r < b->n; r++, p += 8) put_f64(p, v[r]);
        }
    }
    return m;
}

/* "%.17g" round-trips a double; JSON has no inf or nan, they become null. */
static char *put_real(char *p, double v) {
    if (!isfinite(v)) {
        memcpy(p, "null", 4);
        return p + 4;
    }
    return p + sprintf(p, "%.17g", v);
}

static msg *encode_json(stream *s, const rewire_batch *b, uint64_t seq, double t) {
    const channel_columns *cols = &s->cols[b->channel];
    size_t cap = 256 + strlen(s->jname[b->channel]) + (size_t)cols->n * (32 + b->n * 26);
    msg *m = msg_new(cap, MSG_DATA);
    if (!m) return NULL;
    char *p = m->data;
    p += sprintf(p, "{\"type\":\"data\",\"channel\":%u,\"name\":%s,\"t\":", b->channel,
                 s->jname[b->channel]);
    p = put_real(p, t);
    p += sprintf(p, ",\"seq\":%llu,\"n\":%zu,\"columns\":{", (unsigned long long)seq, b->n);
    for (unsigned k = 0; k < cols->n; k++) {
        p += sprintf(p, "%s\"%s\":[", k ? "," : "", cols->col[k].name);
        const void *src = column_data(b, cols->col[k].source);
        for (size_t r = 0; r < b->n; r++) {
            if (r) *p++ = ',';
            p = is_index(cols->col[k].source) ? put_decimal_u32(p, index_at(src, r))
                                              : put_real(p, ((const double *)src)[r]);
        }
        *p++ = ']';
    }
    *p++ = '}';
    *p++ = '}';
    *p++ = '\n';
    m->len = (size_t)(p - m->data);
    return m;
}

msg *stream_encode_batch(stream *s, const rewire_batch *b, uint64_t seq, double t, bool binary) {
    msg *m = binary ? encode_binary(s, b, seq, t) : encode_json(s, b, seq, t);
    if (m) {
        m->channel = b->channel;
        m->records = b->n;
    }
    return m;
}

/* ---- from clients ---- */

void stream_reply(client *c, json_t *obj) {
    msg *m = msg_json(obj, MSG_REPLY);
    if (!m) return;
    stream_push(c, m);
    msg_unref(m);
}

static void reply_error(client *c, const char *cmd, json_t *id, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void reply_error(client *c, const char *cmd, json_t *id, const char *fmt, ...) {
    char text[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    json_t *o = json_pack("{s:s, s:b}", "type", "reply", "ok", 0);
    /* The message may quote what the client sent: jansson refuses invalid UTF-8. */
    json_t *e = json_string(text);
    json_object_set_new(o, "error", e ? e : json_string("invalid request"));
    if (cmd) json_object_set_new(o, "cmd", json_string(cmd));
    if (id) json_object_set(o, "id", id);
    stream_reply(c, o);
}

static bool secrets_equal(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    unsigned diff = (unsigned)(la ^ lb);
    for (size_t i = 0; i < la; i++) diff |= (unsigned char)a[i] ^ (unsigned char)b[i % (lb ? lb : 1)];
    return diff == 0 && lb > 0;
}

void stream_hello_done(stream *s) {
    if (s->waiting && (int64_t)s->n_hellos >= s->wait_for) {
        s->waiting = false;
        if (s->ctl) s->ctl->release(s->host);
    }
}

static void hello(client *c, json_t *o) {
    stream *s = c->s;
    json_t *id = json_object_get(o, "id");
    uint32_t n = s->run->n_channels;
    bool *sub = calloc(n ? n : 1, sizeof *sub);
    if (!sub) return;
    json_t *chans = json_object_get(o, "channels");
    const char *format = json_string_value(json_object_get(o, "format"));
    const char *mode = json_string_value(json_object_get(o, "mode"));
    const char *token = json_string_value(json_object_get(o, "token"));
    const char *bad = NULL;
    char badbuf[300];
    if (!chans || json_is_null(chans) || (json_is_string(chans) && !strcmp(json_string_value(chans), "all"))) {
        for (uint32_t i = 0; i < n; i++) sub[i] = s->routed[i];
    } else if (json_is_array(chans)) {
        size_t k;
        json_t *v;
        json_array_foreach(chans, k, v) {
            const char *name = json_string_value(v);
            uint32_t i = n;
            if (name) {
                for (i = 0; i < n; i++)
                    if (s->routed[i] && !strcmp(s->run->channels[i].name, name)) break;
            } else if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) < n &&
                       s->routed[json_integer_value(v)]) {
                i = (uint32_t)json_integer_value(v);
            }
            if (i >= n) {
                snprintf(badbuf, sizeof badbuf, "hello: no channel %.200s in this stream (see the header)",
                         name ? name : "of that id");
                bad = badbuf;
                break;
            }
            sub[i] = true;
        }
    } else {
        bad = "hello: 'channels' must be a list of channel names or ids, or \"all\"";
    }
    if (!bad && format && strcmp(format, "json") && strcmp(format, "binary"))
        bad = "hello: 'format' must be \"json\" or \"binary\"";
    if (!bad && mode && strcmp(mode, "lossless") && strcmp(mode, "lossy"))
        bad = "hello: 'mode' must be \"lossless\" or \"lossy\"";
    if (!bad && token && !(s->token[0] && secrets_equal(token, s->token)))
        bad = "hello: wrong token";
    if (bad) {
        free(sub);
        reply_error(c, "hello", id, "%s", bad);
        return;
    }
    free(c->sub);
    c->sub = sub;
    if (format) c->binary = !strcmp(format, "binary");
    if (mode) c->lossless = !strcmp(mode, "lossless");
    if (token) c->authorized = true;
    json_t *ids = json_array();
    for (uint32_t i = 0; i < n; i++)
        if (sub[i]) json_array_append_new(ids, json_integer(i));
    json_t *r = json_pack("{s:s, s:b, s:s, s:o, s:s, s:s, s:b, s:I}", "type", "welcome", "ok", 1,
                          "cmd", "hello", "channels", ids, "format", c->binary ? "binary" : "json",
                          "mode", c->lossless ? "lossless" : "lossy", "control",
                          s->control && c->authorized, "queue_bytes", (json_int_t)s->queue_bytes);
    if (id) json_object_set(r, "id", id);
    stream_reply(c, r);
    if (!c->hello) {
        c->hello = true;
        s->n_hellos++;
        stream_hello_done(s);
    }
}

static const char *state_name(rewire_run_state st) {
    switch (st) {
    case REWIRE_RUN_STARTING: return "starting";
    case REWIRE_RUN_RUNNING: return "running";
    case REWIRE_RUN_PAUSED: return "paused";
    case REWIRE_RUN_STOPPING: return "stopping";
    case REWIRE_RUN_DONE: return "done";
    }
    return "unknown";
}

static void status(client *c, json_t *id) {
    stream *s = c->s;
    rewire_control_status st = {.struct_size = sizeof st};
    s->ctl->status(s->host, &st);
    json_t *live = json_array();
    rewire_live_param_info lp = {.struct_size = sizeof lp};
    for (uint32_t i = 0; s->ctl->live_param(s->host, i, &lp) == 0; i++)
        json_array_append_new(live, json_pack("{s:s, s:s}", "target", lp.target, "param", lp.param));
    json_t *r = json_pack("{s:s, s:b, s:s, s:s, s:f, s:f, s:s, s:b, s:I, s:f, s:I, s:o}", "type",
                          "reply", "ok", 1, "cmd", "status", "state", state_name(st.state), "t", st.t,
                          "duration", st.duration, "phase", st.phase ? st.phase : "", "held", st.held,
                          "holds", (json_int_t)st.holds, "wall", st.wall, "clients",
                          (json_int_t)s->n_clients, "live", live);
    if (id) json_object_set(r, "id", id);
    stream_reply(c, r);
}

/* One command: name, and for `set` the target.param and the value text. */
static void command(client *c, const char *cmd, const char *name, const char *value, json_t *id) {
    stream *s = c->s;
    static const char *const known[] = {"pause", "resume", "stop", "status", "set", NULL};
    bool ok_name = false;
    for (int i = 0; known[i]; i++) ok_name |= !strcmp(cmd, known[i]);
    if (!ok_name) {
        reply_error(c, NULL, id, "unknown command (expected hello, pause, resume, stop, status or set)");
        return;
    }
    if (!s->control || !s->ctl) {
        reply_error(c, cmd, id, "control is off for this run (the experiment enables it with the "
                                "stream output's params: {control: true})");
        return;
    }
    if (!c->authorized) {
        reply_error(c, cmd, id, "control needs the token: send {\"hello\": ..., \"token\": ...} first");
        return;
    }
    if (!strcmp(cmd, "status")) {
        status(c, id);
        return;
    }
    int rc;
    if (!strcmp(cmd, "set")) {
        const char *dot = name ? strrchr(name, '.') : NULL;
        if (!dot || dot == name || !dot[1] || !value) {
            reply_error(c, cmd, id, "set: expected 'set TARGET.PARAM VALUE', e.g. set cimt.intensity 0.5");
            return;
        }
        char target[256];
        snprintf(target, sizeof target, "%.*s", (int)(dot - name < 255 ? dot - name : 255), name);
        char err[512] = "";
        rc = s->ctl->set_live_param(s->host, target, dot + 1, value, err, sizeof err);
        if (rc != 0) {
            reply_error(c, cmd, id, "set: %s", err[0] ? err : "refused");
            return;
        }
    } else if (!strcmp(cmd, "pause")) {
        rc = s->ctl->pause(s->host);
    } else if (!strcmp(cmd, "resume")) {
        rc = s->ctl->resume(s->host);
    } else {
        rc = s->ctl->stop(s->host);
    }
    if (rc != 0) {
        const char *why = rc == REWIRE_ESTATE    ? "not possible in the run's current state"
                          : rc == REWIRE_ENOENT  ? "no such live parameter"
                          : rc == REWIRE_EINVAL  ? "invalid value"
                                                 : "refused";
        reply_error(c, cmd, id, "%s: %s", cmd, why);
        return;
    }
    json_t *r = json_pack("{s:s, s:b, s:s}", "type", "reply", "ok", 1, "cmd", cmd);
    if (id) json_object_set(r, "id", id);
    stream_reply(c, r);
}

/* A JSON command: {"cmd": "set", "name": "cimt.intensity", "value": 0.5, "id": 7}. */
static void json_command(client *c, json_t *o) {
    json_t *id = json_object_get(o, "id");
    if (json_object_get(o, "hello")) {
        hello(c, o);
        return;
    }
    const char *cmd = json_string_value(json_object_get(o, "cmd"));
    if (!cmd) {
        reply_error(c, NULL, id, "expected a hello or a command: {\"cmd\": \"status\"}");
        return;
    }
    const char *name = json_string_value(json_object_get(o, "name"));
    char namebuf[512], valbuf[64];
    if (!name) {
        const char *t = json_string_value(json_object_get(o, "target"));
        const char *p = json_string_value(json_object_get(o, "param"));
        if (t && p) {
            snprintf(namebuf, sizeof namebuf, "%s.%s", t, p);
            name = namebuf;
        }
    }
    json_t *v = json_object_get(o, "value");
    const char *value = json_string_value(v);
    if (!value && json_is_number(v)) {
        snprintf(valbuf, sizeof valbuf, "%.17g", json_number_value(v));
        value = valbuf;
    } else if (!value && json_is_boolean(v)) {
        value = json_is_true(v) ? "true" : "false";
    }
    command(c, cmd, name, value, id);
}

void stream_line(client *c, char *line, size_t len) {
    if (strlen(line) != len) {
        reply_error(c, NULL, NULL, "a NUL byte in the line");
        return;
    }
    while (len && (line[len - 1] == ' ' || line[len - 1] == '\t')) line[--len] = '\0';
    char *p = line;
    while (*p == ' ' || *p == '\t') p++;
    if (!*p) return;
    if (*p == '{') {
        json_error_t err;
        json_t *o = json_loads(p, JSON_REJECT_DUPLICATES, &err);
        if (!o || !json_is_object(o)) {
            reply_error(c, NULL, NULL, "not a JSON object: %s", o ? "expected {...}" : err.text);
            json_decref(o);
            return;
        }
        json_command(c, o);
        json_decref(o);
        return;
    }
    /* Text: "status", "set cimt.intensity 20 Hz" (the value is the rest of the line). */
    char *cmd = p;
    p += strcspn(p, " \t");
    if (*p) *p++ = '\0';
    while (*p == ' ' || *p == '\t') p++;
    char *name = NULL, *value = NULL;
    if (*p) {
        name = p;
        p += strcspn(p, " \t");
        if (*p) *p++ = '\0';
        while (*p == ' ' || *p == '\t') p++;
        if (*p) value = p;
    }
    if (strcmp(cmd, "set") && name) {
        reply_error(c, NULL, NULL, "'%s' takes no argument", strcmp(cmd, "pause") && strcmp(cmd, "resume") &&
                                   strcmp(cmd, "stop") && strcmp(cmd, "status") ? "that command" : cmd);
        return;
    }
    command(c, cmd, name, value, NULL);
}
