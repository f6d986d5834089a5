/* jbuf: see jbuf.h. */
#include "jbuf.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jb_init(jbuf *b, size_t pre) { *b = (jbuf){.pre = pre}; }

void jb_free(jbuf *b) {
    free(b->data);
    *b = (jbuf){.pre = b->pre};
}

char *jb_take(jbuf *b) {
    char *d = b->data;
    *b = (jbuf){.pre = b->pre};
    return d;
}

static bool reserve(jbuf *b, size_t more) {
    if (b->oom) return false;
    if (b->len + more <= b->cap) return true;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more) cap *= 2;
    char *d = realloc(b->data, b->pre + cap + 1);
    if (!d) {
        b->oom = true;
        return false;
    }
    b->data = d;
    b->cap = cap;
    return true;
}

void jb_raw(jbuf *b, const char *s, size_t n) {
    if (!reserve(b, n)) return;
    memcpy(b->data + b->pre + b->len, s, n);
    b->len += n;
}

void jb_str(jbuf *b, const char *s) { jb_raw(b, s, strlen(s)); }

void jb_char(jbuf *b, char c) { jb_raw(b, &c, 1); }

void jb_quoted(jbuf *b, const char *s) {
    jb_char(b, '"');
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        char esc[8];
        switch (*p) {
        case '"': jb_raw(b, "\\\"", 2); break;
        case '\\': jb_raw(b, "\\\\", 2); break;
        case '\n': jb_raw(b, "\\n", 2); break;
        case '\r': jb_raw(b, "\\r", 2); break;
        case '\t': jb_raw(b, "\\t", 2); break;
        default:
            if (*p < 0x20) {
                snprintf(esc, sizeof esc, "\\u%04x", *p);
                jb_str(b, esc);
            } else {
                jb_char(b, (char)*p);
            }
        }
    }
    jb_char(b, '"');
}

void jb_num(jbuf *b, double v) {
    if (!isfinite(v)) {
        jb_raw(b, "null", 4);
        return;
    }
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "%.6g", v);
    jb_raw(b, tmp, (size_t)n);
}

void jb_u64(jbuf *b, uint64_t v) {
    char tmp[24];
    int n = snprintf(tmp, sizeof tmp, "%" PRIu64, v);
    jb_raw(b, tmp, (size_t)n);
}

void jb_key(jbuf *b, const char *key, bool first) {
    if (!first) jb_char(b, ',');
    jb_quoted(b, key);
    jb_char(b, ':');
}
