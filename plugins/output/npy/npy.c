/* npy: one CHANNEL.npy per subscribed channel, a NumPy format 1.0 file holding a 1-D
 * structured array whose fields are the channel's columns (docs/experiment-format.md):
 * t_ms '<f8', neuron/pre/post/index '<u4', rate_hz/value/weight '<f8', packed.
 *
 * The file must be a valid array at every moment, so that a run stopped by SIGINT (or
 * killed) leaves files numpy.load reads.  The header therefore has a fixed size with
 * room for a 20-digit shape, and after each batch's rows are appended the header is
 * rewritten in place with the new row count.  Rows are written before the count that
 * covers them: a file cut short mid-batch holds extra bytes after the last counted row,
 * which numpy ignores, never a count beyond its data.
 *
 * Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */
#include <inttypes.h>
#include <rewire/plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../channel_columns.h"

/* Rows are serialised into pieces of about this size before file_write. */
#define CHUNK_BYTES (1024u * 1024u)
/* Header alignment: format 1.0 asks for 16, numpy itself pads to 64. */
#define HEADER_ALIGN 64u
#define MAX_HEADER_BYTES 512u

typedef struct npy_file {
    rewire_file *file; /* NULL when not subscribed or closed */
    const char *name;
    channel_columns columns;
    size_t row_bytes;
    size_t header_bytes; /* fixed for the file's life */
    uint64_t rows;       /* rows written and covered by the header */
} npy_file;

typedef struct npy {
    const rewire_host *host;
    uint32_t n_files;
    npy_file *files;
    unsigned char *chunk; /* [CHUNK_BYTES], shared: batches are written one at a time */
} npy;

static bool is_u32(column_source s) {
    return s == COL_INDEX || s == COL_INDEX2 || s == COL_COMPONENT;
}
static size_t column_bytes(column_source s) { return is_u32(s) ? 4 : 8; }
static const char *column_descr(column_source s) {
    return is_u32(s) ? "<u4" : "<f8";
}

/* Write the header for `rows` rows into out[header_bytes]; with header_bytes == 0,
 * returns the size the header needs for any row count (so it never has to move). */
static size_t format_header(const npy_file *f, uint64_t rows, char *out, size_t header_bytes) {
    char dict[MAX_HEADER_BYTES];
    size_t n = (size_t)snprintf(dict, sizeof dict, "{'descr': [");
    for (unsigned k = 0; k < f->columns.n; k++)
        n += (size_t)snprintf(dict + n, sizeof dict - n, "%s('%s', '%s')", k ? ", " : "",
                              f->columns.col[k].name, column_descr(f->columns.col[k].source));
    /* The widest count, UINT64_MAX, has 20 digits: size the header for it. */
    char count[24];
    snprintf(count, sizeof count, "%" PRIu64, header_bytes ? rows : UINT64_MAX);
    n += (size_t)snprintf(dict + n, sizeof dict - n,
                          "], 'fortran_order': False, 'shape': (%s,), }", count);
    /* magic (6) + version (2) + header_len (2) + dict + at least the final '\n' */
    const size_t needed = 10 + n + 1;
    if (header_bytes == 0) return (needed + HEADER_ALIGN - 1) / HEADER_ALIGN * HEADER_ALIGN;

    const size_t header_len = header_bytes - 10;
    memcpy(out, "\x93NUMPY\x01\x00", 8);
    out[8] = (char)(header_len & 0xff);
    out[9] = (char)(header_len >> 8);
    memcpy(out + 10, dict, n);
    memset(out + 10 + n, ' ', header_len - n - 1);
    out[header_bytes - 1] = '\n';
    return header_bytes;
}

static int write_header(npy *z, npy_file *f, uint64_t rows, bool append) {
    char header[MAX_HEADER_BYTES];
    format_header(f, rows, header, f->header_bytes);
    if (append) return z->host->file_write(z->host, f->file, header, f->header_bytes);
    return z->host->file_pwrite(z->host, f->file, header, f->header_bytes, 0);
}

static int npy_create(const rewire_host *host, const rewire_param_value *params, void **instance) {
    (void)params;
    npy *z = calloc(1, sizeof *z);
    if (!z) {
        host->set_error(host, "out of memory");
        return REWIRE_ENOMEM;
    }
    z->host = host;
    *instance = z;
    return REWIRE_OK;
}

static int npy_start(void *instance, const rewire_run_info *run, const bool *subscribed) {
    npy *z = instance;
    z->files = calloc(run->n_channels ? run->n_channels : 1, sizeof *z->files);
    z->chunk = malloc(CHUNK_BYTES);
    if (!z->files || !z->chunk) {
        z->host->set_error(z->host, "out of memory");
        return REWIRE_ENOMEM;
    }
    z->n_files = run->n_channels;
    for (uint32_t i = 0; i < run->n_channels; i++) {
        if (!subscribed[i]) continue;
        const rewire_channel_info *ch = &run->channels[i];
        npy_file *f = &z->files[i];
        f->name = ch->name;
        if (!channel_columns_of(ch->kind, &f->columns)) {
            z->host->set_error(z->host, "channel '%s' has a kind (%d) the npy output does not know",
                               ch->name, (int)ch->kind);
            return REWIRE_ENOTSUP;
        }
        if (!safe_file_stem(ch->name)) {
            z->host->set_error(z->host, "channel name '%s' cannot be a file name", ch->name);
            return REWIRE_EINVAL;
        }
        for (unsigned k = 0; k < f->columns.n; k++)
            f->row_bytes += column_bytes(f->columns.col[k].source);
        f->header_bytes = format_header(f, 0, NULL, 0);
        char path[256];
        snprintf(path, sizeof path, "%s.npy", ch->name);
        int rc = z->host->file_open(z->host, path, &f->file);
        if (rc != REWIRE_OK) {
            f->file = NULL;
            return rc;
        }
        /* An empty array until the first batch: valid from the start. */
        rc = write_header(z, f, 0, true);
        if (rc != REWIRE_OK) return rc;
    }
    return REWIRE_OK;
}

/* Little-endian stores, so files are the same on any host. */
static unsigned char *put_le32(unsigned char *p, uint32_t v) {
    for (int k = 0; k < 4; k++) p[k] = (unsigned char)(v >> (8 * k));
    return p + 4;
}
static unsigned char *put_f64(unsigned char *p, double x) {
    uint64_t v;
    memcpy(&v, &x, sizeof v);
    for (int k = 0; k < 8; k++) p[k] = (unsigned char)(v >> (8 * k));
    return p + 8;
}

static int npy_write(void *instance, const rewire_batch *b) {
    npy *z = instance;
    if (b->channel >= z->n_files || !z->files[b->channel].file) {
        z->host->set_error(z->host, "batch for channel %u, which this output was not given",
                           b->channel);
        return REWIRE_EINVAL;
    }
    npy_file *f = &z->files[b->channel];
    if (!batch_has_columns(b, &f->columns)) {
        z->host->set_error(z->host, "batch for channel '%s' lacks a column", f->name);
        return REWIRE_EINVAL;
    }
    const size_t rows_per_chunk = CHUNK_BYTES / f->row_bytes;
    for (size_t first = 0; first < b->n; first += rows_per_chunk) {
        size_t end = b->n - first < rows_per_chunk ? b->n : first + rows_per_chunk;
        unsigned char *p = z->chunk;
        for (size_t r = first; r < end; r++) {
            for (unsigned k = 0; k < f->columns.n; k++) {
                switch (f->columns.col[k].source) {
                case COL_TIME: p = put_f64(p, b->time[r]); break;
                case COL_INDEX: p = put_le32(p, b->index[r]); break;
                case COL_INDEX2: p = put_le32(p, b->index2[r]); break;
                case COL_COMPONENT: p = put_le32(p, b->index ? b->index[r] : 0); break;
                case COL_VALUE: p = put_f64(p, b->value[r]); break;
                }
            }
        }
        int rc = z->host->file_write(z->host, f->file, z->chunk, (size_t)(p - z->chunk));
        if (rc != REWIRE_OK) return rc;
    }
    if (b->n == 0) return REWIRE_OK;
    f->rows += b->n;
    return write_header(z, f, f->rows, false);
}

static int close_all(npy *z) {
    int result = REWIRE_OK;
    for (uint32_t i = 0; i < z->n_files; i++) {
        npy_file *f = &z->files[i];
        if (!f->file) continue;
        int rc = z->host->file_close(z->host, f->file);
        if (result == REWIRE_OK) result = rc;
        f->file = NULL;
    }
    return result;
}

static int npy_finish(void *instance, const rewire_run_report *report) {
    (void)report;
    return close_all(instance); /* every header is already current */
}

static void npy_destroy(void *instance) {
    npy *z = instance;
    if (!z) return;
    if (z->files) close_all(z);
    free(z->files);
    free(z->chunk);
    free(z);
}

static const rewire_output_v1 npy_functions = {
    .struct_size = sizeof(rewire_output_v1),
    .create = npy_create,
    .start = npy_start,
    .write = npy_write,
    .phase = NULL,
    .finish = npy_finish,
    .destroy = npy_destroy,
};

static const rewire_plugin_descriptor npy_descriptor = {
    .struct_size = sizeof(rewire_plugin_descriptor),
    .abi_major = REWIRE_ABI_MAJOR,
    .abi_minor = REWIRE_ABI_MINOR,
    .kind = REWIRE_KIND_OUTPUT,
    .name = "npy",
    .version = "1.0.0",
    .summary = "One CHANNEL.npy per channel (NumPy structured array), valid after every batch",
    .params = NULL,
    .n_params = 0,
    .functions = &npy_functions,
    .functions_size = sizeof npy_functions,
};

REWIRE_PLUGIN_ENTRY(&npy_descriptor)
