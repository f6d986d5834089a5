/* The `stream` output's shared types: messages, clients, the server (docs/stream-protocol.md).
 *
 * Messages are encoded once and shared by every client that gets them (reference
 * counted); each client keeps its own queue of message pointers, so a slow client costs
 * pointers, not copies.  Everything runs on the loop thread. */
#ifndef REWIRE_STREAM_H
#define REWIRE_STREAM_H

#include <jansson.h>
#include <rewire/control.h>
#include <rewire/plugin.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "../channel_columns.h"

#define STREAM_PROTOCOL "rewire-stream/1"
#define FRAME_TAG 0x1e         /* first byte of a binary frame (never starts a JSON line) */
#define MAX_LINE 8192          /* longest line a client may send */
#define WRITE_BATCH 64         /* messages handed to one uv_write */
#define SEND_BUFFER (128 * 1024) /* SO_SNDBUF of client sockets */
#define NO_CHANNEL UINT32_MAX

typedef enum msg_class {
    MSG_DATA = 0,              /* records: lossy clients may lose it */
    MSG_EVENT = 1,             /* header, phases, markers, drop notices, end: never dropped */
    MSG_REPLY = 2              /* an answer to a client: never dropped */
} msg_class;

typedef struct msg {
    uint32_t refs;
    msg_class cls;
    uint32_t channel;          /* NO_CHANNEL unless MSG_DATA */
    uint64_t records;          /* rows carried */
    size_t len;
    char data[];
} msg;

msg *msg_new(size_t len, msg_class cls);
void msg_unref(msg *m);
/* A JSON object as one line (steals the reference to obj). */
msg *msg_json(json_t *obj, msg_class cls);

typedef enum client_kind { CLIENT_TCP, CLIENT_PIPE, CLIENT_TTY, CLIENT_FILE } client_kind;

typedef struct stream stream;

typedef struct client {
    stream *s;
    client_kind kind;
    union {
        uv_handle_t handle;
        uv_stream_t st;
        uv_tcp_t tcp;
        uv_pipe_t pipe;
        uv_tty_t tty;
    } h;
    uv_file fd;                /* CLIENT_FILE */
    struct client *prev, *next;
    /* what it asked for */
    bool hello, binary, lossless, authorized, is_stdout;
    bool *sub;                 /* [n_channels] */
    /* queue: a ring of messages not yet handed to the socket; dropped ones are NULL */
    msg **q;
    uint32_t q_head, q_len, q_cap;
    size_t q_bytes, inflight_bytes;
    msg *inflight[WRITE_BATCH + 1];
    uint32_t n_inflight;
    uv_write_t wr;
    uv_shutdown_t sd;
    bool writing, closing, ending, holding;
    /* accounting */
    uint64_t *sent;            /* [n_channels] records queued and not dropped */
    uint64_t dropped_records, dropped_msgs, notice_records, notice_msgs;
    /* input */
    char rbuf[4096];
    char line[MAX_LINE];
    size_t line_len;
    bool line_overflow;
} client;

typedef enum listen_kind { LISTEN_TCP, LISTEN_UNIX, LISTEN_STDOUT } listen_kind;

struct stream {
    const rewire_host *host;
    const rewire_control_v1 *ctl;  /* NULL on a host without rewire.control/1 */
    uv_loop_t *loop;
    /* params */
    const char *listen;
    bool control;
    const char *token;
    bool default_binary, default_lossless;
    size_t queue_bytes;
    int64_t max_clients, wait_for;
    double linger_ms;
    /* run */
    const rewire_run_info *run;
    const bool *routed;            /* [n_channels] channels routed to this output */
    channel_columns *cols;         /* [n_channels] */
    bool *binary_kind;             /* [n_channels] spikes, state, weights: binary frames */
    uint64_t *seq;                 /* [n_channels] records so far */
    char **jname;                  /* [n_channels] the name as a JSON string, quoted */
    json_t *phase;                 /* the last phase event, for late joiners' headers */
    /* server */
    listen_kind lk;
    union {
        uv_handle_t handle;
        uv_stream_t st;
        uv_tcp_t tcp;
        uv_pipe_t pipe;
    } server;
    bool server_open;
    char address[512];             /* "tcp:127.0.0.1:40123", "unix:/path", "-" */
    char unix_path[256];
    uv_timer_t linger;
    bool linger_open;
    client *clients;
    uint32_t n_clients, n_hellos;
    bool waiting;                  /* holding the run for wait_for clients */
    bool started, finished;
    uint32_t open_handles;         /* server, linger timer and clients not yet closed */
};

/* stream_net.c */
int stream_listen(stream *s);
int stream_open_stdout(stream *s);
void stream_push(client *c, msg *m);           /* takes a new reference */
void stream_flush(client *c);
void stream_close_client(client *c, const char *why);
void stream_broadcast(stream *s, msg *m, bool all_clients); /* hello'd ones unless all */
void stream_end(stream *s);                    /* after the end message: drain, then close */
void stream_close_all(stream *s);              /* destroy: close now and wait for it */

/* stream_proto.c */
json_t *stream_header(stream *s);
msg *stream_encode_batch(stream *s, const rewire_batch *b, uint64_t seq, double t, bool binary);
void stream_line(client *c, char *line, size_t len);  /* a line from a client */
void stream_reply(client *c, json_t *obj);            /* steals obj */
void stream_hello_done(stream *s);                    /* recount hellos for wait_for */

#endif
