/* The `stream` output's sockets: the listener (TCP, Unix socket or stdout), per-client
 * queues with lossless backpressure or lossy drop-oldest, writes and clean closes.
 *
 * Every handle is unref'd while the run goes on, so that it never keeps the loop alive
 * by itself; at the end (stream_end) client handles are ref'd again and a linger timer
 * bounds how long the run waits for slow readers to take the rest. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stream.h"

msg *msg_new(size_t len, msg_class cls) {
    msg *m = malloc(sizeof *m + len + 1);
    if (!m) return NULL;
    *m = (msg){.refs = 1, .cls = cls, .channel = NO_CHANNEL, .len = len};
    return m;
}

void msg_unref(msg *m) {
    if (m && --m->refs == 0) free(m);
}

msg *msg_json(json_t *obj, msg_class cls) {
    if (!obj) return NULL;
    char *text = json_dumps(obj, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(obj);
    if (!text) return NULL;
    size_t n = strlen(text);
    msg *m = msg_new(n + 1, cls);
    if (m) {
        memcpy(m->data, text, n);
        m->data[n] = '\n';
    }
    free(text);
    return m;
}

/* ---- closing ---- */

static void on_handle_closed(uv_handle_t *h) {
    stream *s = h->data;
    if (s->open_handles > 0) s->open_handles--;
}

static void maybe_close_linger(stream *s) {
    if (s->finished && !s->clients && s->linger_open) {
        s->linger_open = false;
        uv_close((uv_handle_t *)&s->linger, on_handle_closed);
    }
}

static void release_hold(client *c) {
    if (!c->holding) return;
    c->holding = false;
    if (c->s->ctl) c->s->ctl->release(c->s->host);
}

static void free_client(client *c) {
    for (uint32_t i = 0; i < c->q_len; i++) msg_unref(c->q[(c->q_head + i) % c->q_cap]);
    for (uint32_t i = 0; i < c->n_inflight; i++) msg_unref(c->inflight[i]);
    free(c->q);
    free(c->sub);
    free(c->sent);
    free(c);
}

static void on_client_closed(uv_handle_t *h) {
    client *c = h->data;
    stream *s = c->s;
    free_client(c);
    if (s->open_handles > 0) s->open_handles--;
}

void stream_close_client(client *c, const char *why) {
    if (c->closing) return;
    stream *s = c->s;
    c->closing = true;
    release_hold(c);
    if (c->prev) c->prev->next = c->next;
    else s->clients = c->next;
    if (c->next) c->next->prev = c->prev;
    s->n_clients--;
    if (why && s->host) s->host->log(s->host, REWIRE_LOG_DEBUG, "client closed: %s", why);
    if (c->kind == CLIENT_FILE) {
        if (c->fd > STDERR_FILENO) close(c->fd);
        free_client(c);
    } else {
        uv_read_stop(&c->h.st);
        uv_close(&c->h.handle, on_client_closed);
    }
    maybe_close_linger(s);
}

/* ---- queue ---- */

static bool q_grow(client *c) {
    if (c->q_len < c->q_cap) return true;
    uint32_t cap = c->q_cap ? c->q_cap * 2 : 64;
    msg **q = malloc(cap * sizeof *q);
    if (!q) return false;
    for (uint32_t i = 0; i < c->q_len; i++) q[i] = c->q[(c->q_head + i) % c->q_cap];
    free(c->q);
    c->q = q;
    c->q_head = 0;
    c->q_cap = cap;
    return true;
}

/* Lossy: drop the oldest records not yet handed to the socket until the queue fits. */
static void drop_oldest(client *c) {
    size_t limit = c->s->queue_bytes;
    for (uint32_t i = 0; i < c->q_len && c->q_bytes + c->inflight_bytes > limit; i++) {
        msg **slot = &c->q[(c->q_head + i) % c->q_cap];
        msg *m = *slot;
        if (!m || m->cls != MSG_DATA) continue;
        c->q_bytes -= m->len;
        c->sent[m->channel] -= m->records;
        c->dropped_records += m->records;
        c->notice_records += m->records;
        c->dropped_msgs++;
        c->notice_msgs++;
        msg_unref(m);
        *slot = NULL;
    }
}

static size_t queued(const client *c) { return c->q_bytes + c->inflight_bytes; }

void stream_push(client *c, msg *m) {
    if (c->closing || !m) return;
    if (!q_grow(c)) {
        stream_close_client(c, "out of memory for its queue");
        return;
    }
    /* A client that sends commands but never reads the answers is cut off. */
    if (m->cls == MSG_REPLY && queued(c) > 4 * c->s->queue_bytes) {
        stream_close_client(c, "it does not read its replies");
        return;
    }
    m->refs++;
    c->q[(c->q_head + c->q_len++) % c->q_cap] = m;
    c->q_bytes += m->len;
    if (m->cls == MSG_DATA) c->sent[m->channel] += m->records;
    if (queued(c) > c->s->queue_bytes) {
        if (!c->lossless) {
            drop_oldest(c);
        } else if (!c->holding && !c->s->finished) {
            c->holding = true; /* the kernel waits until this client has read half */
            if (c->s->ctl) c->s->ctl->hold(c->s->host);
        }
    }
    stream_flush(c);
}

/* ---- writing ---- */

static void after_written(client *c) {
    for (uint32_t i = 0; i < c->n_inflight; i++) msg_unref(c->inflight[i]);
    c->n_inflight = 0;
    c->inflight_bytes = 0;
    c->writing = false;
    if (c->holding && queued(c) <= c->s->queue_bytes / 2) release_hold(c);
}

static void on_shutdown(uv_shutdown_t *req, int status) {
    (void)status;
    client *c = req->data;
    stream_close_client(c, "end of the run");
}

static void on_write(uv_write_t *req, int status) {
    client *c = req->data;
    after_written(c);
    if (c->closing) return;
    if (status < 0) {
        stream_close_client(c, uv_strerror(status));
        return;
    }
    stream_flush(c);
}

/* A drop notice goes out before the next message after records were dropped. */
static msg *drop_notice(client *c) {
    json_t *o = json_pack("{s:s, s:I, s:I, s:I}", "type", "dropped", "records",
                          (json_int_t)c->notice_records, "messages", (json_int_t)c->notice_msgs,
                          "total_records", (json_int_t)c->dropped_records);
    c->notice_records = c->notice_msgs = 0;
    return msg_json(o, MSG_EVENT);
}

static bool write_file(client *c, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(c->fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

void stream_flush(client *c) {
    if (c->writing || c->closing) return;
    uv_buf_t bufs[WRITE_BATCH + 1];
    uint32_t n = 0;
    if (c->notice_msgs > 0 && c->q_len > 0) {
        msg *m = drop_notice(c);
        if (m) {
            c->inflight[n] = m;
            c->inflight_bytes += m->len;
            bufs[n++] = uv_buf_init(m->data, (unsigned)m->len);
        }
    }
    while (c->q_len > 0 && n < WRITE_BATCH) {
        msg *m = c->q[c->q_head];
        c->q_head = (c->q_head + 1) % c->q_cap;
        c->q_len--;
        if (!m) continue;
        c->q_bytes -= m->len;
        c->inflight[n] = m;
        c->inflight_bytes += m->len;
        bufs[n++] = uv_buf_init(m->data, (unsigned)m->len);
    }
    c->n_inflight = n;
    if (n == 0) {
        if (c->ending) {
            if (c->kind == CLIENT_FILE) {
                stream_close_client(c, "end of the run");
            } else {
                c->sd.data = c;
                if (uv_shutdown(&c->sd, &c->h.st, on_shutdown) != 0)
                    stream_close_client(c, "end of the run");
                c->writing = true; /* nothing more goes out */
            }
        }
        return;
    }
    if (c->kind == CLIENT_FILE) {
        /* A regular file cannot be polled: write it now (files do not block for long). */
        bool ok = true;
        for (uint32_t i = 0; i < n && ok; i++) ok = write_file(c, bufs[i].base, bufs[i].len);
        after_written(c);
        if (!ok) stream_close_client(c, strerror(errno));
        else if (c->q_len > 0 || c->ending) stream_flush(c);
        return;
    }
    c->writing = true;
    c->wr.data = c;
    int rc = uv_write(&c->wr, &c->h.st, bufs, n, on_write);
    if (rc < 0) {
        after_written(c);
        stream_close_client(c, uv_strerror(rc));
    }
}

void stream_broadcast(stream *s, msg *m, bool all_clients) {
    if (!m) return;
    for (client *c = s->clients, *next; c; c = next) {
        next = c->next;
        if (all_clients || c->hello) stream_push(c, m);
    }
    msg_unref(m);
}

/* ---- clients ---- */

static client *client_new(stream *s, client_kind kind) {
    client *c = calloc(1, sizeof *c);
    uint32_t n = s->run->n_channels ? s->run->n_channels : 1;
    if (!c) return NULL;
    c->sub = calloc(n, sizeof *c->sub);
    c->sent = calloc(n, sizeof *c->sent);
    if (!c->sub || !c->sent) {
        free_client(c);
        return NULL;
    }
    c->s = s;
    c->kind = kind;
    c->fd = -1;
    c->binary = s->default_binary;
    c->lossless = s->default_lossless;
    c->authorized = !s->token[0];
    c->h.handle.data = c;
    return c;
}

static void link_client(stream *s, client *c) {
    c->next = s->clients;
    if (s->clients) s->clients->prev = c;
    s->clients = c;
    s->n_clients++;
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
    (void)suggested;
    client *c = h->data;
    *buf = uv_buf_init(c->rbuf, sizeof c->rbuf);
}

static void on_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf) {
    client *c = st->data;
    if (nread < 0) {
        /* EOF: the client sends nothing more but may still read (`echo status | nc`):
         * it is closed when a write fails or at the end of the run. */
        if (nread == UV_EOF) uv_read_stop(st);
        else stream_close_client(c, uv_strerror((int)nread));
        return;
    }
    for (ssize_t i = 0; i < nread && !c->closing; i++) {
        char ch = buf->base[i];
        if (ch == '\n') {
            if (c->line_overflow) {
                stream_reply(c, json_pack("{s:s, s:b, s:s}", "type", "reply", "ok", 0, "error",
                                          "line too long (at most 8191 bytes)"));
            } else {
                if (c->line_len && c->line[c->line_len - 1] == '\r') c->line_len--;
                c->line[c->line_len] = '\0';
                stream_line(c, c->line, c->line_len);
            }
            c->line_len = 0;
            c->line_overflow = false;
        } else if (c->line_len + 1 < MAX_LINE) {
            c->line[c->line_len++] = ch;
        } else {
            c->line_overflow = true;
        }
    }
}

static void greet(stream *s, client *c) {
    json_t *h = stream_header(s);
    msg *m = msg_json(h, MSG_EVENT);
    if (!m) {
        stream_close_client(c, "out of memory");
        return;
    }
    stream_push(c, m);
    msg_unref(m);
}

static void on_connection(uv_stream_t *server, int status) {
    stream *s = server->data;
    if (status < 0) return;
    client *c = client_new(s, s->lk == LISTEN_TCP ? CLIENT_TCP : CLIENT_PIPE);
    if (!c) return;
    int rc = c->kind == CLIENT_TCP ? uv_tcp_init(s->loop, &c->h.tcp) : uv_pipe_init(s->loop, &c->h.pipe, 0);
    if (rc < 0) {
        free_client(c);
        return;
    }
    c->h.handle.data = c;
    s->open_handles++;
    link_client(s, c);
    if (uv_accept(server, &c->h.st) != 0) {
        stream_close_client(c, "accept failed");
        return;
    }
    if (!s->finished) uv_unref(&c->h.handle);
    if (c->kind == CLIENT_TCP) uv_tcp_nodelay(&c->h.tcp, 1);
    /* The kernel's send buffer would otherwise grow to megabytes per client (autotuning)
     * and hide a slow reader from the queue bound: keep it small and fixed. */
    int sndbuf = SEND_BUFFER;
    uv_send_buffer_size(&c->h.handle, &sndbuf);
    if ((int64_t)s->n_clients > s->max_clients) {
        stream_reply(c, json_pack("{s:s, s:b, s:s}", "type", "reply", "ok", 0, "error",
                                  "too many clients"));
        c->ending = true;
        stream_flush(c);
        return;
    }
    greet(s, c);
    if (!c->closing) uv_read_start(&c->h.st, on_alloc, on_read);
}

/* ---- listening ---- */

static int fail(stream *s, int rc, const char *fmt, const char *arg) {
    char what[600];
    snprintf(what, sizeof what, fmt, arg);
    s->host->set_error(s->host, "%s: %s", what, uv_strerror(rc));
    return REWIRE_EIO;
}

static int listen_tcp(stream *s, const char *spec) {
    char host[256];
    const char *colon = strrchr(spec, ':');
    if (!colon || colon == spec || !colon[1]) {
        s->host->set_error(s->host, "listen: expected HOST:PORT, unix:PATH or '-', got '%s'", spec);
        return REWIRE_EINVAL;
    }
    size_t hl = (size_t)(colon - spec);
    if (spec[0] == '[' && hl >= 2 && spec[hl - 1] == ']') {
        spec++;
        hl -= 2;
    }
    if (hl >= sizeof host) hl = sizeof host - 1;
    memcpy(host, spec, hl);
    host[hl] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535) {
        s->host->set_error(s->host, "listen: port '%s' is not a number in 0..65535", colon + 1);
        return REWIRE_EINVAL;
    }
    struct sockaddr_storage addr;
    if (uv_ip4_addr(host, (int)port, (struct sockaddr_in *)&addr) != 0 &&
        uv_ip6_addr(host, (int)port, (struct sockaddr_in6 *)&addr) != 0) {
        s->host->set_error(s->host, "listen: '%s' is not an IPv4 or IPv6 address", host);
        return REWIRE_EINVAL;
    }
    int rc = uv_tcp_init(s->loop, &s->server.tcp);
    if (rc < 0) return fail(s, rc, "%s", "cannot create a TCP socket");
    s->server.handle.data = s;
    s->server_open = true;
    s->open_handles++;
    if ((rc = uv_tcp_bind(&s->server.tcp, (struct sockaddr *)&addr, 0)) < 0 ||
        (rc = uv_listen(&s->server.st, 128, on_connection)) < 0)
        return fail(s, rc, "cannot listen on %s", spec);
    struct sockaddr_storage got;
    int len = sizeof got;
    uv_tcp_getsockname(&s->server.tcp, (struct sockaddr *)&got, &len);
    char ip[64] = "?";
    int p = 0;
    if (got.ss_family == AF_INET6) {
        uv_ip6_name((struct sockaddr_in6 *)&got, ip, sizeof ip);
        p = ntohs(((struct sockaddr_in6 *)&got)->sin6_port);
        snprintf(s->address, sizeof s->address, "tcp:[%s]:%d", ip, p);
    } else {
        uv_ip4_name((struct sockaddr_in *)&got, ip, sizeof ip);
        p = ntohs(((struct sockaddr_in *)&got)->sin_port);
        snprintf(s->address, sizeof s->address, "tcp:%s:%d", ip, p);
    }
    return REWIRE_OK;
}

static int listen_unix(stream *s, const char *path) {
    const char *dir = s->host->output_dir(s->host);
    int n = path[0] == '/' ? snprintf(s->unix_path, sizeof s->unix_path, "%s", path)
                           : snprintf(s->unix_path, sizeof s->unix_path, "%s/%s", dir, path);
    if (n <= 0 || (size_t)n >= 104) {
        s->host->set_error(s->host, "listen: the socket path '%s' is too long (at most 103 bytes)",
                           s->unix_path);
        s->unix_path[0] = '\0';
        return REWIRE_EINVAL;
    }
    struct stat st;
    if (lstat(s->unix_path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            s->host->set_error(s->host, "listen: '%s' exists and is not a socket", s->unix_path);
            s->unix_path[0] = '\0';
            return REWIRE_EINVAL;
        }
        unlink(s->unix_path); /* a socket left by an earlier run */
    }
    int rc = uv_pipe_init(s->loop, &s->server.pipe, 0);
    if (rc < 0) return fail(s, rc, "%s", "cannot create a Unix socket");
    s->server.handle.data = s;
    s->server_open = true;
    s->open_handles++;
    /* Created 0600 (the umask covers the moment between bind and chmod). */
    mode_t old = umask(0177);
    rc = uv_pipe_bind(&s->server.pipe, s->unix_path);
    umask(old);
    if (rc < 0) {
        char p[256];
        snprintf(p, sizeof p, "%s", s->unix_path);
        s->unix_path[0] = '\0';
        return fail(s, rc, "cannot bind %s", p);
    }
    chmod(s->unix_path, 0600);
    if ((rc = uv_listen(&s->server.st, 128, on_connection)) < 0)
        return fail(s, rc, "cannot listen on %s", s->unix_path);
    snprintf(s->address, sizeof s->address, "unix:%s", s->unix_path);
    return REWIRE_OK;
}

int stream_listen(stream *s) {
    const char *l = s->listen;
    int rc;
    if (strncmp(l, "unix:", 5) == 0) {
        s->lk = LISTEN_UNIX;
        rc = listen_unix(s, l + 5);
    } else if (strchr(l, '/')) {
        s->lk = LISTEN_UNIX;
        rc = listen_unix(s, l);
    } else {
        s->lk = LISTEN_TCP;
        rc = listen_tcp(s, strncmp(l, "tcp:", 4) == 0 ? l + 4 : l);
    }
    if (rc != REWIRE_OK) return rc;
    uv_unref(&s->server.handle);
    return REWIRE_OK;
}

/* `listen: -`: the stream goes to standard output, and nothing else may: stdout is
 * moved to a private descriptor and descriptor 1 becomes a copy of stderr, so the
 * summary and any stray printf land on stderr. */
int stream_open_stdout(stream *s) {
    s->lk = LISTEN_STDOUT;
    snprintf(s->address, sizeof s->address, "-");
    fflush(stdout);
    int fd = dup(STDOUT_FILENO);
    if (fd < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
        s->host->set_error(s->host, "cannot take over standard output: %s", strerror(errno));
        if (fd >= 0) close(fd);
        return REWIRE_EIO;
    }
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    uv_handle_type t = uv_guess_handle(fd);
    client *c = client_new(s, t == UV_TTY ? CLIENT_TTY : t == UV_NAMED_PIPE || t == UV_TCP ? CLIENT_PIPE
                                                                                         : CLIENT_FILE);
    if (!c) {
        close(fd);
        return REWIRE_ENOMEM;
    }
    int rc = 0;
    if (c->kind == CLIENT_TTY) rc = uv_tty_init(s->loop, &c->h.tty, fd, 0);
    else if (c->kind == CLIENT_PIPE) {
        rc = uv_pipe_init(s->loop, &c->h.pipe, 0);
        if (rc == 0) {
            rc = uv_pipe_open(&c->h.pipe, fd);
            if (rc < 0) uv_close(&c->h.handle, NULL); /* closed with the loop; fd is ours */
        }
    } else c->fd = fd;
    if (rc < 0) {
        free_client(c);
        close(fd);
        s->host->set_error(s->host, "cannot write the stream to standard output: %s", uv_strerror(rc));
        return REWIRE_EIO;
    }
    c->h.handle.data = c;
    if (c->kind != CLIENT_FILE) {
        s->open_handles++;
        uv_unref(&c->h.handle);
    }
    c->is_stdout = true;
    c->hello = true;
    c->authorized = false; /* nobody can send commands through stdout */
    for (uint32_t i = 0; i < s->run->n_channels; i++) c->sub[i] = s->routed[i];
    link_client(s, c);
    greet(s, c);
    return REWIRE_OK;
}

/* ---- the end ---- */

static void on_linger(uv_timer_t *t) {
    stream *s = t->data;
    for (client *c = s->clients, *next; c; c = next) {
        next = c->next;
        stream_close_client(c, "linger time over");
    }
    maybe_close_linger(s);
}

void stream_end(stream *s) {
    if (s->server_open) {
        s->server_open = false;
        uv_close(&s->server.handle, on_handle_closed);
    }
    if (s->unix_path[0]) unlink(s->unix_path);
    if (uv_timer_init(s->loop, &s->linger) == 0) {
        s->linger.data = s;
        s->linger_open = true;
        s->open_handles++;
        uv_timer_start(&s->linger, on_linger, (uint64_t)(s->linger_ms > 0 ? s->linger_ms : 0), 0);
    }
    for (client *c = s->clients, *next; c; c = next) {
        next = c->next;
        release_hold(c);
        c->ending = true;
        if (c->kind != CLIENT_FILE) uv_ref(&c->h.handle); /* the run waits for the rest */
        stream_flush(c);
    }
    maybe_close_linger(s);
}

void stream_close_all(stream *s) {
    for (client *c = s->clients, *next; c; c = next) {
        next = c->next;
        stream_close_client(c, "the output is destroyed");
    }
    if (s->server_open) {
        s->server_open = false;
        uv_close(&s->server.handle, on_handle_closed);
    }
    if (s->linger_open) {
        s->linger_open = false;
        uv_close((uv_handle_t *)&s->linger, on_handle_closed);
    }
    if (s->unix_path[0]) unlink(s->unix_path);
    /* Close callbacks run on the next turn of the loop: turn it until ours are done. */
    for (int i = 0; i < 100 && s->open_handles > 0; i++) uv_run(s->loop, UV_RUN_NOWAIT);
}
