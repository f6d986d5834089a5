/* The dashboard's HTTP + WebSocket server: libwebsockets on rewire's own libuv loop
 * (LWS_SERVER_OPTION_LIBUV with the host's loop as a foreign loop), so it needs no
 * thread of its own.
 *
 * GET / answers the embedded page; a WebSocket on any path (subprotocol
 * "rewire-dashboard", or none) receives the header, then a history message at the next
 * update, then every update.  Messages are shared between viewers (reference counted).
 * Each viewer has a bounded queue: when a slow viewer's queue is full its queued updates
 * are dropped (and counted) and it is sent a fresh history instead, so the loop never
 * waits for a viewer and memory stays bounded.
 *
 * Threads: everything on the loop thread.
 */
#ifndef REWIRE_DASHBOARD_SERVER_H
#define REWIRE_DASHBOARD_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CLIENT_QUEUE 64u                 /* messages waiting per viewer */
#define CLIENT_QUEUE_BYTES (32u << 20)   /* bytes waiting per viewer */

typedef struct dash_server dash_server;
typedef struct dash_msg dash_msg;

/* Takes a buffer from jb_take (payload at buf + LWS_PRE, `len` bytes); NULL on OOM
 * (the buffer is freed). */
dash_msg *msg_new(char *buf, size_t len);
void msg_unref(dash_msg *m);
size_t server_pre(void); /* LWS_PRE: the headroom messages need */

/* Listen on host:port (port 0: a free one); the chosen address is written to `url`.
 * `header` is sent first to every viewer (the server keeps a reference).  On failure
 * returns NULL with a reason in `err`, or, when the context exists but could not listen,
 * a server to stop and free with url = "" and the reason in `err`. */
dash_server *server_start(void *uv_loop, const char *host, int port, const char *page,
                          size_t page_len, dash_msg *header, char *url, size_t url_len,
                          char *err, size_t err_len);
/* Viewers that still wait for a history message. */
bool server_wants_history(const dash_server *s);
/* Queue `m` to every viewer that has its history (`seq` is the update's number). */
void server_broadcast(dash_server *s, dash_msg *m);
/* Queue `m` (a history) to the viewers waiting for one. */
void server_send_history(dash_server *s, dash_msg *m);
/* Remember `m` as the end message: queued to every viewer now and after the history of
 * those who join later. */
void server_set_end(dash_server *s, dash_msg *m);
uint32_t server_viewers(const dash_server *s);
uint64_t server_dropped(const dash_server *s);
/* Close every connection and the listening socket.  libwebsockets closes its libuv
 * handles as the loop runs on; call again once the loop has run, until server_stopped. */
void server_stop(dash_server *s);
bool server_stopped(const dash_server *s);
void server_free(dash_server *s);

#endif
