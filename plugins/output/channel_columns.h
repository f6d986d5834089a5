/* The columns of each record channel kind, as docs/experiment-format.md names them,
 * shared by the file outputs (csv, npy) so both write the same table. */
#ifndef REWIRE_OUTPUT_CHANNEL_COLUMNS_H
#define REWIRE_OUTPUT_CHANNEL_COLUMNS_H

#include <rewire/channel.h>
#include <stdbool.h>
#include <string.h>

/* Which array of a rewire_batch a column comes from.  COL_COMPONENT is a metric's
 * index (the component of a vector measure), 0 when the batch has no index array (a
 * scalar metric, as hosts before measures sent them). */
typedef enum column_source { COL_TIME, COL_INDEX, COL_INDEX2, COL_VALUE, COL_COMPONENT } column_source;

typedef struct column {
    const char *name;
    column_source source;
} column;

#define MAX_COLUMNS 4

typedef struct channel_columns {
    unsigned n;
    column col[MAX_COLUMNS];
} channel_columns;

/* The columns of `kind`; false for a kind this SDK does not know. */
static inline bool channel_columns_of(rewire_channel_kind kind, channel_columns *out) {
    static const channel_columns spikes = {2, {{"t_ms", COL_TIME}, {"neuron", COL_INDEX}}};
    static const channel_columns rate = {2, {{"t_ms", COL_TIME}, {"rate_hz", COL_VALUE}}};
    static const channel_columns state = {
        3, {{"t_ms", COL_TIME}, {"neuron", COL_INDEX}, {"value", COL_VALUE}}};
    static const channel_columns weights = {
        4, {{"t_ms", COL_TIME}, {"pre", COL_INDEX}, {"post", COL_INDEX2}, {"weight", COL_VALUE}}};
    static const channel_columns metric = {
        3, {{"t_ms", COL_TIME}, {"index", COL_COMPONENT}, {"value", COL_VALUE}}};
    switch (kind) {
    case REWIRE_CHANNEL_SPIKES: *out = spikes; return true;
    case REWIRE_CHANNEL_RATE: *out = rate; return true;
    case REWIRE_CHANNEL_STATE: *out = state; return true;
    case REWIRE_CHANNEL_WEIGHTS: *out = weights; return true;
    case REWIRE_CHANNEL_METRIC: *out = metric; return true;
    }
    return false;
}

/* Does the batch carry every array the columns read? */
static inline bool batch_has_columns(const rewire_batch *b, const channel_columns *c) {
    if (b->n == 0) return true;
    for (unsigned k = 0; k < c->n; k++) {
        if (c->col[k].source == COL_COMPONENT) continue; /* optional */
        const void *p = c->col[k].source == COL_TIME     ? (const void *)b->time
                        : c->col[k].source == COL_INDEX  ? (const void *)b->index
                        : c->col[k].source == COL_INDEX2 ? (const void *)b->index2
                                                         : (const void *)b->value;
        if (!p) return false;
    }
    return true;
}

/* Channel names become file names: refuse anything that could leave the output folder
 * or hide the file. */
static inline bool safe_file_stem(const char *name) {
    if (!name || !name[0] || name[0] == '.') return false;
    for (const char *p = name; *p; p++)
        if (*p == '/' || *p == '\\') return false;
    return strlen(name) < 200;
}

/* Decimal digits of v at p; returns the end.  Much cheaper than snprintf("%u") in the
 * per-row loops of the text outputs (csv, the stream's JSON). */
static inline char *put_decimal_u32(char *p, uint32_t v) {
    char tmp[10];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) *p++ = tmp[--n];
    return p;
}

#endif
