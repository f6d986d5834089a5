/* dashboard server: see server.h. */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libwebsockets.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PAGE_CHUNK 16384u

struct dash_msg {
    int refs;
    size_t len;
    char *buf; /* payload at buf + LWS_PRE */
};

/* One connection (libwebsockets' per-session data): a page download or a viewer. */
typedef struct client {
    struct lws *wsi;
    struct client *prev, *next; /* viewers only */
    size_t page_off;            /* HTTP: bytes of the page sent */
    dash_msg *q[CLIENT_QUEUE];
    uint32_t head, n;
    size_t bytes;
    bool header_sent, has_history, end_queued;
    uint64_t dropped;
} client;

struct dash_server {
    struct lws_context *ctx; /* NULL once libwebsockets has finished closing */
    const char *page;
    size_t page_len;
    dash_msg *header, *end;
    client *viewers;
    uint32_t n_viewers;
    uint64_t dropped;
    bool stopping;
};

size_t server_pre(void) { return LWS_PRE; }

dash_msg *msg_new(char *buf, size_t len) {
    dash_msg *m = malloc(sizeof *m);
    if (!m) {
        free(buf);
        return NULL;
    }
    *m = (dash_msg){.refs = 1, .len = len, .buf = buf};
    return m;
}

static dash_msg *msg_ref(dash_msg *m) {
    m->refs++;
    return m;
}

void msg_unref(dash_msg *m) {
    if (!m || --m->refs > 0) return;
    free(m->buf);
    free(m);
}

/* ---- per-viewer queue ---- */

static void queue_clear(client *c) {
    for (uint32_t i = 0; i < c->n; i++) msg_unref(c->q[(c->head + i) % CLIENT_QUEUE]);
    c->head = c->n = 0;
    c->bytes = 0;
}

static void push(client *c, dash_msg *m) {
    c->q[(c->head + c->n) % CLIENT_QUEUE] = msg_ref(m);
    c->n++;
    c->bytes += m->len;
}

/* Queue m; a viewer whose queue is full loses its queued updates (counted) and will get
 * a history instead, which carries everything they held. */
static void enqueue(dash_server *s, client *c, dash_msg *m) {
    if (c->n == CLIENT_QUEUE || c->bytes + m->len > CLIENT_QUEUE_BYTES) {
        uint64_t lost = c->n + 1 - (c->header_sent ? 0 : 1); /* the queue and m */
        c->dropped += lost;
        s->dropped += lost;
        queue_clear(c);
        c->has_history = c->end_queued = false;
        if (!c->header_sent) push(c, s->header);
        lws_callback_on_writable(c->wsi);
        return;
    }
    push(c, m);
    lws_callback_on_writable(c->wsi);
}

/* ---- libwebsockets callback ---- */

static int serve_page(struct lws *wsi, client *c, const char *path, dash_server *s) {
    unsigned char buf[LWS_PRE + 512], *start = buf + LWS_PRE, *p = start, *end = buf + sizeof buf;
    if (strcmp(path, "/") != 0 && strcmp(path, "/index.html") != 0) {
        if (lws_return_http_status(wsi, HTTP_STATUS_NOT_FOUND, NULL)) return -1;
        return lws_http_transaction_completed(wsi) ? -1 : 0;
    }
    if (lws_add_http_common_headers(wsi, HTTP_STATUS_OK, "text/html; charset=utf-8",
                                    (lws_filepos_t)s->page_len, &p, end) ||
        lws_add_http_header_by_name(wsi, (const unsigned char *)"cache-control:",
                                    (const unsigned char *)"no-store", 8, &p, end) ||
        lws_finalize_write_http_header(wsi, start, &p, end))
        return -1;
    c->page_off = 0;
    lws_callback_on_writable(wsi);
    return 0;
}

static int write_page(struct lws *wsi, client *c, dash_server *s) {
    static unsigned char buf[LWS_PRE + PAGE_CHUNK]; /* loop thread only */
    size_t n = s->page_len - c->page_off;
    if (n > PAGE_CHUNK) n = PAGE_CHUNK;
    bool last = c->page_off + n == s->page_len;
    memcpy(buf + LWS_PRE, s->page + c->page_off, n);
    if (lws_write(wsi, buf + LWS_PRE, n, last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) != (int)n)
        return -1;
    c->page_off += n;
    if (last) return lws_http_transaction_completed(wsi) ? -1 : 0;
    lws_callback_on_writable(wsi);
    return 0;
}

static int write_next(struct lws *wsi, client *c) {
    if (c->n == 0) return 0;
    dash_msg *m = c->q[c->head];
    c->head = (c->head + 1) % CLIENT_QUEUE;
    c->n--;
    c->bytes -= m->len;
    /* lws buffers what the socket does not take now and holds back WRITEABLE until it
     * has gone, so one message per callback never blocks. */
    int rc = lws_write(wsi, (unsigned char *)m->buf + LWS_PRE, m->len, LWS_WRITE_TEXT);
    msg_unref(m);
    if (rc < 0) return -1;
    c->header_sent = true;
    if (c->n) lws_callback_on_writable(wsi);
    return 0;
}

static void viewer_add(dash_server *s, client *c, struct lws *wsi) {
    *c = (client){.wsi = wsi, .next = s->viewers};
    if (s->viewers) s->viewers->prev = c;
    s->viewers = c;
    s->n_viewers++;
    push(c, s->header);
    lws_callback_on_writable(wsi);
}

static void viewer_remove(dash_server *s, client *c) {
    queue_clear(c);
    if (c->prev) c->prev->next = c->next;
    else if (s->viewers == c) s->viewers = c->next;
    else return; /* never added */
    if (c->next) c->next->prev = c->prev;
    c->prev = c->next = NULL;
    s->n_viewers--;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len) {
    (void)len;
    struct lws_context *ctx = lws_get_context(wsi);
    dash_server *s = ctx ? lws_context_user(ctx) : NULL;
    client *c = user;
    switch (reason) {
    case LWS_CALLBACK_HTTP: return s ? serve_page(wsi, c, in, s) : -1;
    case LWS_CALLBACK_HTTP_WRITEABLE: return s ? write_page(wsi, c, s) : -1;
    case LWS_CALLBACK_ESTABLISHED:
        if (!s || s->stopping) return -1;
        viewer_add(s, c, wsi);
        return 0;
    case LWS_CALLBACK_SERVER_WRITEABLE: return write_next(wsi, c);
    case LWS_CALLBACK_CLOSED:
        if (s) viewer_remove(s, c);
        return 0;
    default: break; /* viewers' messages are ignored: the page only listens */
    }
    return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols protocols[] = {
    /* The first protocol also takes plain HTTP and WebSockets without a subprotocol.
     * tx_packet_size: how much one send() may take; left at 0, lws would send 1 KiB
     * (rx_buffer_size) per loop turn, and the kernel's 20 ms chunks make that 50 KB/s. */
    {"rewire-dashboard", callback, sizeof(client), 4096, 0, NULL, 1u << 20},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

/* Can host:port be bound?  Asked before libwebsockets tries: lws 4.1 on a foreign loop
 * keeps a context whose listening socket failed, and destroying that one unloads its
 * event-library plugin while libuv still holds close callbacks into it. */
static bool can_bind(const char *host, int port, char *err, size_t err_len) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (host[0] && inet_pton(AF_INET, host, &a.sin_addr) != 1) {
        snprintf(err, err_len, "listen: '%s' is not an IPv4 address", host);
        return false;
    }
    if (!host[0]) a.sin_addr.s_addr = htonl(INADDR_ANY);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    bool ok = fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0 &&
              bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
    if (!ok)
        snprintf(err, err_len, "cannot listen on %s:%d: %s", host[0] ? host : "*", port,
                 strerror(errno));
    if (fd >= 0) close(fd);
    return ok;
}

dash_server *server_start(void *uv_loop, const char *host, int port, const char *page,
                          size_t page_len, dash_msg *header, char *url, size_t url_len,
                          char *err, size_t err_len) {
    if (!can_bind(host, port, err, err_len)) return NULL;
    dash_server *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    s->page = page;
    s->page_len = page_len;
    s->header = msg_ref(header);
    lws_set_log_level(LLL_ERR, NULL); /* lws's notices would clutter the run's output */
    void *loops[1] = {uv_loop};
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = port;
    info.iface = host[0] ? host : NULL;
    info.protocols = protocols;
    info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_DISABLE_IPV6;
    info.foreign_loops = loops;
    info.pcontext = &s->ctx; /* lws sets it to NULL when it has closed everything */
    info.user = s;
    info.gid = info.uid = -1;
    s->ctx = lws_create_context(&info);
    if (!s->ctx) {
        snprintf(err, err_len, "cannot listen on %s:%d (address in use, or not an address here?)",
                 host[0] ? host : "*", port);
        msg_unref(s->header);
        free(s);
        return NULL;
    }
    struct lws_vhost *vh = lws_get_vhost_by_name(s->ctx, "default");
    int bound = vh ? lws_get_vhost_listen_port(vh) : -1;
    if (bound <= 0) {
        /* lws keeps a context whose listening vhost failed (port in use): the caller
         * stops it like any other, so its handles close on the loop. */
        snprintf(err, err_len, "cannot listen on %s:%d (address in use, or not an address here?)",
                 host[0] ? host : "*", port);
        url[0] = '\0';
        return s;
    }
    snprintf(url, url_len, "http://%s:%d/",
             !host[0] || strcmp(host, "0.0.0.0") == 0 ? "127.0.0.1" : host, bound);
    return s;
}

bool server_wants_history(const dash_server *s) {
    for (const client *c = s->viewers; c; c = c->next)
        if (!c->has_history) return true;
    return false;
}

void server_broadcast(dash_server *s, dash_msg *m) {
    for (client *c = s->viewers; c; c = c->next)
        if (c->has_history) enqueue(s, c, m);
}

void server_send_history(dash_server *s, dash_msg *m) {
    for (client *c = s->viewers; c; c = c->next) {
        if (c->has_history) continue;
        enqueue(s, c, m);
        c->has_history = true;
        if (s->end && !c->end_queued) {
            enqueue(s, c, s->end);
            c->end_queued = true;
        }
    }
}

void server_set_end(dash_server *s, dash_msg *m) {
    if (s->end) msg_unref(s->end);
    s->end = msg_ref(m);
    for (client *c = s->viewers; c; c = c->next)
        if (c->has_history && !c->end_queued) {
            enqueue(s, c, m);
            c->end_queued = true;
        }
}

uint32_t server_viewers(const dash_server *s) { return s->n_viewers; }
uint64_t server_dropped(const dash_server *s) { return s->dropped; }

void server_stop(dash_server *s) {
    if (!s) return;
    s->stopping = true;
    /* Closing calls LWS_CALLBACK_CLOSED for each viewer, which releases its queue.  On a
     * foreign loop lws closes its handles as the loop runs, and finishes when called
     * again after that (as its foreign-loop example does); it then clears s->ctx. */
    if (s->ctx) lws_context_destroy(s->ctx);
}

bool server_stopped(const dash_server *s) { return !s || !s->ctx; }

void server_free(dash_server *s) {
    if (!s) return;
    while (s->viewers) viewer_remove(s, s->viewers);
    msg_unref(s->header);
    msg_unref(s->end);
    free(s);
}
