/* csv: one CHANNEL.csv per subscribed channel, a header line with the column names of
 * the channel's kind (docs/experiment-format.md), then one line per record.
 *
 * Rows are formatted into a chunk per file and handed to the host's file_write in
 * pieces of CHUNK_BYTES, so a run with millions of spikes makes a few hundred writes,
 * not millions.  finish() (called also on an interrupted run) writes what is left.
 */
#include <inttypes.h>
#include <rewire/plugin.h>
#include <stdio.h>
#include <stdlib.h>

#include "../channel_columns.h"

#define CHUNK_BYTES (256u * 1024u)
/* The longest row: 4 columns of at most 24 characters ("%.17g" of a double) + commas. */
#define MAX_ROW_BYTES 128u

enum { P_PRECISION, N_PARAMS };

static const rewire_param_spec csv_params[N_PARAMS] = {
    [P_PRECISION] = {.name = "precision", .type = REWIRE_PARAM_INT,
                     .flags = REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_HAS_MAX, .def_int = 9,
                     .min = 1, .max = 17,
                     .doc = "Significant digits of real columns (%.*g); 17 round-trips a double."},
};

typedef struct csv_file {
    rewire_file *file; /* NULL when the channel is not subscribed or already closed */
    const char *name;
    channel_columns columns;
    char *chunk; /* [CHUNK_BYTES] */
    size_t used;
} csv_file;

typedef struct csv {
    const rewire_host *host;
    int precision;
    uint32_t n_files;
    csv_file *files; /* [n_channels of the run] */
} csv;

static int csv_create(const rewire_host *host, const rewire_param_value *params, void **instance) {
    csv *c = calloc(1, sizeof *c);
    if (!c) {
        host->set_error(host, "out of memory");
        return REWIRE_ENOMEM;
    }
    c->host = host;
    c->precision = (int)params[P_PRECISION].integer;
    *instance = c;
    return REWIRE_OK;
}

static int flush_chunk(csv *c, csv_file *f) {
    if (f->used == 0) return REWIRE_OK;
    int rc = c->host->file_write(c->host, f->file, f->chunk, f->used);
    f->used = 0;
    return rc;
}

static int csv_start(void *instance, const rewire_run_info *run, const bool *subscribed) {
    csv *c = instance;
    c->files = calloc(run->n_channels ? run->n_channels : 1, sizeof *c->files);
    if (!c->files) {
        c->host->set_error(c->host, "out of memory");
        return REWIRE_ENOMEM;
    }
    c->n_files = run->n_channels;
    for (uint32_t i = 0; i < run->n_channels; i++) {
        if (!subscribed[i]) continue;
        const rewire_channel_info *ch = &run->channels[i];
        csv_file *f = &c->files[i];
        f->name = ch->name;
        if (!channel_columns_of(ch->kind, &f->columns)) {
            c->host->set_error(c->host, "channel '%s' has a kind (%d) the csv output does not know",
                               ch->name, (int)ch->kind);
            return REWIRE_ENOTSUP;
        }
        if (!safe_file_stem(ch->name)) {
            c->host->set_error(c->host, "channel name '%s' cannot be a file name", ch->name);
            return REWIRE_EINVAL;
        }
        char path[256];
        snprintf(path, sizeof path, "%s.csv", ch->name);
        f->chunk = malloc(CHUNK_BYTES);
        if (!f->chunk) {
            c->host->set_error(c->host, "out of memory");
            return REWIRE_ENOMEM;
        }
        int rc = c->host->file_open(c->host, path, &f->file);
        if (rc != REWIRE_OK) {
            f->file = NULL;
            return rc;
        }
        for (unsigned k = 0; k < f->columns.n; k++)
            f->used += (size_t)snprintf(f->chunk + f->used, CHUNK_BYTES - f->used, "%s%s",
                                        k ? "," : "", f->columns.col[k].name);
        f->chunk[f->used++] = '\n';
    }
    return REWIRE_OK;
}

static int csv_write(void *instance, const rewire_batch *b) {
    csv *c = instance;
    if (b->channel >= c->n_files || !c->files[b->channel].file) {
        c->host->set_error(c->host, "batch for channel %u, which this output was not given",
                           b->channel);
        return REWIRE_EINVAL;
    }
    csv_file *f = &c->files[b->channel];
    if (!batch_has_columns(b, &f->columns)) {
        c->host->set_error(c->host, "batch for channel '%s' lacks a column", f->name);
        return REWIRE_EINVAL;
    }
    for (size_t r = 0; r < b->n; r++) {
        if (CHUNK_BYTES - f->used < MAX_ROW_BYTES) {
            int rc = flush_chunk(c, f);
            if (rc != REWIRE_OK) return rc;
        }
        char *p = f->chunk + f->used;
        for (unsigned k = 0; k < f->columns.n; k++) {
            if (k) *p++ = ',';
            switch (f->columns.col[k].source) {
            case COL_TIME: p += sprintf(p, "%.*g", c->precision, b->time[r]); break;
            case COL_INDEX: p = put_decimal_u32(p, b->index[r]); break;
            case COL_INDEX2: p = put_decimal_u32(p, b->index2[r]); break;
            case COL_COMPONENT: p = put_decimal_u32(p, b->index ? b->index[r] : 0); break;
            case COL_VALUE: p += sprintf(p, "%.*g", c->precision, b->value[r]); break;
            }
        }
        *p++ = '\n';
        f->used = (size_t)(p - f->chunk);
    }
    return REWIRE_OK;
}

/* Write what is buffered and close every file; the first error wins. */
static int close_all(csv *c) {
    int result = REWIRE_OK;
    for (uint32_t i = 0; i < c->n_files; i++) {
        csv_file *f = &c->files[i];
        if (!f->file) continue;
        int rc = flush_chunk(c, f);
        if (result == REWIRE_OK) result = rc;
        rc = c->host->file_close(c->host, f->file);
        if (result == REWIRE_OK) result = rc;
        f->file = NULL;
    }
    return result;
}

static int csv_finish(void *instance, const rewire_run_report *report) {
    (void)report;
    return close_all(instance);
}

static void csv_destroy(void *instance) {
    csv *c = instance;
    if (!c) return;
    if (c->files) {
        close_all(c); /* a run that failed before finish still leaves its rows on disk */
        for (uint32_t i = 0; i < c->n_files; i++) free(c->files[i].chunk);
    }
    free(c->files);
    free(c);
}

static const rewire_output_v1 csv_functions = {
    .struct_size = sizeof(rewire_output_v1),
    .create = csv_create,
    .start = csv_start,
    .write = csv_write,
    .phase = NULL,
    .finish = csv_finish,
    .destroy = csv_destroy,
};

static const rewire_plugin_descriptor csv_descriptor =
    REWIRE_DESCRIPTOR(REWIRE_KIND_OUTPUT, "csv", "1.0.0",
                      "One CHANNEL.csv per channel, with a header line of column names",
                      csv_params, csv_functions);

REWIRE_PLUGIN_ENTRY(&csv_descriptor)
