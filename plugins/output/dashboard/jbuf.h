/* A growable byte buffer for building the dashboard's JSON messages.
 *
 * Every message is sent through libwebsockets, which wants LWS_PRE bytes of headroom
 * before the payload; the buffer reserves them (`pre`) so a finished message is handed
 * over without a copy.  Appends never fail loudly: an allocation failure sets `oom` and
 * later appends do nothing, and the caller checks once at the end.
 */
#ifndef REWIRE_DASHBOARD_JBUF_H
#define REWIRE_DASHBOARD_JBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct jbuf {
    char *data;   /* [pre + cap] */
    size_t pre;   /* headroom before the payload */
    size_t len;   /* payload bytes */
    size_t cap;
    bool oom;
} jbuf;

void jb_init(jbuf *b, size_t pre);
void jb_free(jbuf *b);
/* Hands the allocation to the caller (payload at data + pre) and resets the buffer. */
char *jb_take(jbuf *b);
static inline char *jb_payload(const jbuf *b) { return b->data ? b->data + b->pre : NULL; }

void jb_raw(jbuf *b, const char *s, size_t n);
void jb_str(jbuf *b, const char *s);                     /* raw text */
void jb_char(jbuf *b, char c);
void jb_quoted(jbuf *b, const char *s);                  /* a JSON string, escaped */
void jb_num(jbuf *b, double v);                          /* %.6g, null when not finite */
void jb_u64(jbuf *b, uint64_t v);
/* "key": — a quoted key and a colon, preceded by a comma unless `first`. */
void jb_key(jbuf *b, const char *key, bool first);

#endif
