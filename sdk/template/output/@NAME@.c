/* @NAME@: spike counts per neuron, written at the end of the run as a CSV file
 *
 *   channel,neuron,spikes,rate_hz
 *
 * one line per neuron of every subscribed spike channel (other channels are ignored);
 * rate_hz = spikes / simulated time, so an interrupted run still gives true rates.
 * Counting is one increment per record of a batch; the file is written once, in
 * finish(), through the host's files (its event loop), in chunks. */
#include <rewire/plugin.h>
#include <stdio.h>
#include <stdlib.h>

enum { P_FILE, N_PARAMS };

static const rewire_param_spec params[N_PARAMS] = {
    [P_FILE] = {.name = "file", .type = REWIRE_PARAM_STRING, .def_string = "spike_counts.csv",
                .doc = "Name of the CSV file in the run's output folder."},
};

#define CHUNK_BYTES 65536
#define MAX_ROW_BYTES 128

typedef struct counts {
    const rewire_host *host;
    const char *file; /* owned by the host, valid until destroy */
    const rewire_run_info *run;
    uint64_t **spikes; /* [n_channels]: per neuron, or NULL for channels not counted */
} counts;

static int counts_create(const rewire_host *host, const rewire_param_value *values,
                         void **instance) {
    counts *c = calloc(1, sizeof *c);
    if (!c) {
        host->set_error(host, "out of memory");
        return REWIRE_ENOMEM;
    }
    c->host = host;
    c->file = values[P_FILE].string;
    *instance = c;
    return REWIRE_OK;
}

static int counts_start(void *instance, const rewire_run_info *run, const bool *subscribed) {
    counts *c = instance;
    c->run = run;
    c->spikes = calloc(run->n_channels + 1u, sizeof *c->spikes);
    if (!c->spikes) goto oom;
    for (uint32_t i = 0; i < run->n_channels; i++) {
        if (!subscribed[i] || run->channels[i].kind != REWIRE_CHANNEL_SPIKES) continue;
        c->spikes[i] = calloc(run->channels[i].source_size + 1u, sizeof **c->spikes);
        if (!c->spikes[i]) goto oom;
    }
    return REWIRE_OK;
oom:
    c->host->set_error(c->host, "out of memory");
    return REWIRE_ENOMEM;
}

static int counts_write(void *instance, const rewire_batch *b) {
    counts *c = instance;
    uint64_t *spikes = b->channel < c->run->n_channels ? c->spikes[b->channel] : NULL;
    if (!spikes) return REWIRE_OK; /* not a spike channel */
    const uint32_t size = c->run->channels[b->channel].source_size;
    for (size_t r = 0; r < b->n; r++)
        if (b->index[r] < size) spikes[b->index[r]]++;
    return REWIRE_OK;
}

static int counts_finish(void *instance, const rewire_run_report *report) {
    counts *c = instance;
    const rewire_host *h = c->host;
    rewire_file *f = NULL;
    int rc = h->file_open(h, c->file, &f);
    if (rc != REWIRE_OK) return rc;
    char *chunk = malloc(CHUNK_BYTES);
    if (!chunk) {
        h->file_close(h, f);
        h->set_error(h, "out of memory");
        return REWIRE_ENOMEM;
    }
    const double seconds = report->simulated_time / 1000.0;
    size_t used = (size_t)snprintf(chunk, CHUNK_BYTES, "channel,neuron,spikes,rate_hz\n");
    for (uint32_t i = 0; i < c->run->n_channels && rc == REWIRE_OK; i++) {
        const rewire_channel_info *ch = &c->run->channels[i];
        for (uint32_t n = 0; c->spikes[i] && n < ch->source_size && rc == REWIRE_OK; n++) {
            const uint64_t k = c->spikes[i][n];
            used += (size_t)snprintf(chunk + used, CHUNK_BYTES - used, "%s,%u,%llu,%.6g\n", ch->name,
                                     n, (unsigned long long)k, seconds > 0 ? (double)k / seconds : 0.0);
            if (CHUNK_BYTES - used < MAX_ROW_BYTES) {
                rc = h->file_write(h, f, chunk, used);
                used = 0;
            }
        }
    }
    if (rc == REWIRE_OK && used) rc = h->file_write(h, f, chunk, used);
    free(chunk);
    int rc_close = h->file_close(h, f);
    return rc != REWIRE_OK ? rc : rc_close;
}

static void counts_destroy(void *instance) {
    counts *c = instance;
    for (uint32_t i = 0; c->run && c->spikes && i < c->run->n_channels; i++) free(c->spikes[i]);
    free(c->spikes);
    free(c);
}

static const rewire_output_v1 functions = {
    .struct_size = sizeof functions,
    .create = counts_create,
    .start = counts_start,
    .write = counts_write,
    .phase = NULL,
    .finish = counts_finish,
    .destroy = counts_destroy,
};

static const rewire_plugin_descriptor descriptor = REWIRE_DESCRIPTOR(
    REWIRE_KIND_OUTPUT, "@NAME@", "0.1.0", "Spike counts and rates per neuron, as CSV", params,
    functions);

REWIRE_PLUGIN_ENTRY(&descriptor)
