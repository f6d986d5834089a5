/* The csv, npy and summary outputs, driven through their function tables with a fake
 * host: files read back, npy valid after every batch (as an interrupted run leaves it),
 * summary.json with every field.
 *
 * usage: test_outputs CSV.so NPY.so SUMMARY.so [--keep DIR]
 *   --keep DIR writes into DIR and leaves the files there (check_npy_numpy.py reads
 *   them with numpy).
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_host.h"
#include "tap.h"
#include "test_support.h"

/* ---- the records fed to the outputs: row k of every channel ---- */

static double row_time(size_t k) { return (double)k * 0.25; }
static uint32_t row_index(size_t k) { return (uint32_t)((k * 7) % 1000); }
static uint32_t row_index2(size_t k) { return (uint32_t)((k * 3) % 50); }
static double row_value(size_t k) { return ((double)k - 10.0) / 3.0; }

/* Batch sizes, in order; the large one crosses the outputs' chunk sizes. */
static const size_t batch_sizes[] = {5, 0, 1000, 70000};
#define N_BATCHES (sizeof batch_sizes / sizeof batch_sizes[0])
#define TOTAL_ROWS (5 + 0 + 1000 + 70000)

enum { CH_SPIKES, CH_RATE, CH_STATE, CH_WEIGHTS, CH_METRIC, CH_NOT_ROUTED, N_CHANNELS };

static const rewire_channel_info channels[N_CHANNELS] = {
    {sizeof(rewire_channel_info), CH_SPIKES, "cells_spikes", REWIRE_CHANNEL_SPIKES, "cells", NULL, "", 0, 1000},
    {sizeof(rewire_channel_info), CH_RATE, "cells_rate", REWIRE_CHANNEL_RATE, "cells", NULL, "Hz", 10, 1000},
    {sizeof(rewire_channel_info), CH_STATE, "cells_v", REWIRE_CHANNEL_STATE, "cells", "v", "mV", 1, 1000},
    {sizeof(rewire_channel_info), CH_WEIGHTS, "ee_weights", REWIRE_CHANNEL_WEIGHTS, "ee", NULL, "nS", 1000, 5000},
    {sizeof(rewire_channel_info), CH_METRIC, "score", REWIRE_CHANNEL_METRIC, "cells", NULL, "", 100, 0},
    {sizeof(rewire_channel_info), CH_NOT_ROUTED, "not_routed", REWIRE_CHANNEL_SPIKES, "cells", NULL, "", 0, 1000},
};
static const bool subscribed[N_CHANNELS] = {true, true, true, true, true, false};

static const char *const expected_header[N_CHANNELS] = {
    "t_ms,neuron", "t_ms,rate_hz", "t_ms,neuron,value", "t_ms,pre,post,weight", "t_ms,index,value", NULL};
static const char *const expected_descr[N_CHANNELS] = {
    "[('t_ms', '<f8'), ('neuron', '<u4')]",
    "[('t_ms', '<f8'), ('rate_hz', '<f8')]",
    "[('t_ms', '<f8'), ('neuron', '<u4'), ('value', '<f8')]",
    "[('t_ms', '<f8'), ('pre', '<u4'), ('post', '<u4'), ('weight', '<f8')]",
    "[('t_ms', '<f8'), ('index', '<u4'), ('value', '<f8')]",
    NULL};

static const rewire_plugin_use plugin_uses[] = {
    {"learning-rule", "stdp", "1.0.0", "/x/rewire-stdp.so"},
    {"output", "csv", "1.0.0", "/x/rewire-csv.so"},
};

static rewire_run_info run_info(void) {
    return (rewire_run_info){
        .struct_size = sizeof(rewire_run_info),
        .rewire_version = "0.1.0",
        .experiment_name = "hello",
        .experiment_file = "examples/hello.yaml",
        .experiment_text = "experiment: {name: hello}\n",
        .overrides = "",
        .seed = 42,
        .dt = 0.1,
        .duration = 1500.0,
        .n_channels = N_CHANNELS,
        .channels = channels,
        .n_plugins = 2,
        .plugins = plugin_uses,
    };
}

/* The columns that channel kind carries, the others NULL (as the host sends them). */
typedef struct batch_data {
    double time[70000], value[70000];
    uint32_t index[70000], index2[70000];
} batch_data;

static rewire_batch make_batch(batch_data *b, uint32_t channel, size_t first, size_t n) {
    for (size_t i = 0; i < n; i++) {
        b->time[i] = row_time(first + i);
        b->index[i] = row_index(first + i);
        b->index2[i] = row_index2(first + i);
        b->value[i] = row_value(first + i);
    }
    rewire_channel_kind kind = channels[channel].kind;
    bool has_index = kind == REWIRE_CHANNEL_SPIKES || kind == REWIRE_CHANNEL_STATE ||
                     kind == REWIRE_CHANNEL_WEIGHTS || kind == REWIRE_CHANNEL_METRIC;
    bool has_value = kind != REWIRE_CHANNEL_SPIKES;
    return (rewire_batch){.struct_size = sizeof(rewire_batch), .channel = channel, .n = n,
                          .time = b->time, .index = has_index ? b->index : NULL,
                          .index2 = kind == REWIRE_CHANNEL_WEIGHTS ? b->index2 : NULL,
                          .value = has_value ? b->value : NULL};
}

static batch_data batch_buf;
static const char *keep_dir;

/* An output instance, created and started on a fake host. */
typedef struct output {
    const rewire_output_v1 *fn;
    void *instance;
    fake_host fh;
    rewire_run_info run;
} output;

static bool output_start(output *o, const rw_plugin *p, const rewire_param_value *params) {
    if (!fake_host_init(&o->fh, p->desc->name, keep_dir)) return false;
    o->fn = p->desc->functions;
    o->run = run_info();
    if (o->fn->create(&o->fh.host, params, &o->instance) != REWIRE_OK) {
        printf("# create failed: %s\n", o->fh.last_error);
        return false;
    }
    if (o->fn->start(o->instance, &o->run, subscribed) != REWIRE_OK) {
        printf("# start failed: %s\n", o->fh.last_error);
        o->fn->destroy(o->instance);
        return false;
    }
    return true;
}

/* ---- csv ---- */

static bool csv_row_ok(const char *line, uint32_t ch, size_t k, double tol) {
    char *end;
    double t = strtod(line, &end);
    if (fabs(t - row_time(k)) > tol * fmax(1, fabs(row_time(k)))) return false;
    rewire_channel_kind kind = channels[ch].kind;
    if (kind == REWIRE_CHANNEL_SPIKES || kind == REWIRE_CHANNEL_STATE || kind == REWIRE_CHANNEL_WEIGHTS ||
        kind == REWIRE_CHANNEL_METRIC) {
        if (*end != ',' || strtoul(end + 1, &end, 10) != row_index(k)) return false;
    }
    if (kind == REWIRE_CHANNEL_WEIGHTS) {
        if (*end != ',' || strtoul(end + 1, &end, 10) != row_index2(k)) return false;
    }
    if (kind != REWIRE_CHANNEL_SPIKES) {
        if (*end != ',') return false;
        double v = strtod(end + 1, &end);
        if (fabs(v - row_value(k)) > tol * fmax(1, fabs(row_value(k)))) return false;
    }
    return *end == '\n';
}

/* Every row of CHANNEL.csv, with real columns to a relative tolerance. */
static void check_csv_file(const fake_host *fh, uint32_t ch, size_t rows, double tol,
                           const char *label) {
    char name[64];
    snprintf(name, sizeof name, "%s.csv", channels[ch].name);
    char *text = fake_host_read_file(fh, name, NULL);
    if (!text) {
        CHECK(0, "%s exists", name);
        return;
    }
    const char *line = text;
    const char *nl = strchr(line, '\n');
    CHECK(nl && (size_t)(nl - line) == strlen(expected_header[ch]) &&
              strncmp(line, expected_header[ch], strlen(expected_header[ch])) == 0,
          "%s%s starts with the header %s", label, name, expected_header[ch]);
    size_t k = 0, bad = 0;
    for (line = nl ? nl + 1 : ""; *line; k++) {
        if (!csv_row_ok(line, ch, k, tol) && bad++ == 0) {
            nl = strchr(line, '\n');
            printf("#   row %zu: %.*s\n", k, nl ? (int)(nl - line) : 40, line);
        }
        nl = strchr(line, '\n');
        line = nl ? nl + 1 : line + strlen(line);
    }
    CHECK(k == rows && bad == 0, "%s%s: %zu rows read back (%zu wrong)", label, name, k, bad);
    free(text);
}

static void test_csv(const rw_plugin *csv) {
    output o;
    rewire_param_value params[1] = {{.integer = csv->desc->params[0].def_int}};
    CHECK(strcmp(csv->desc->params[0].name, "precision") == 0 && params[0].integer == 9,
          "csv: precision defaults to 9 significant digits");
    if (!output_start(&o, csv, params)) {
        CHECK(0, "csv starts");
        return;
    }
    size_t first = 0;
    int rc = REWIRE_OK;
    for (size_t b = 0; b < N_BATCHES; b++) {
        for (uint32_t ch = 0; ch < N_CHANNELS; ch++) {
            if (!subscribed[ch]) continue;
            rewire_batch batch = make_batch(&batch_buf, ch, first, batch_sizes[b]);
            if (rc == REWIRE_OK) rc = o.fn->write(o.instance, &batch);
        }
        first += batch_sizes[b];
    }
    CHECK(rc == REWIRE_OK, "csv: batches written (%s)", o.fh.last_error);
    rewire_batch stray = make_batch(&batch_buf, CH_NOT_ROUTED, 0, 1);
    CHECK(o.fn->write(o.instance, &stray) == REWIRE_EINVAL && strstr(o.fh.last_error, "not given"),
          "csv: a batch of a channel not routed to it is refused");
    rewire_run_report report = {.struct_size = sizeof report, .interrupted = true};
    CHECK(o.fn->finish(o.instance, &report) == REWIRE_OK, "csv: finish");
    CHECK(o.fh.n_open_files == 0, "csv: every file closed");
    /* 5 files of ~1.5 MB at most: a few dozen writes, not one per row. */
    CHECK(o.fh.n_file_writes < 64, "csv: rows are written in large pieces (%u writes for %d rows)",
          o.fh.n_file_writes, 5 * TOTAL_ROWS);
    for (uint32_t ch = 0; ch < N_CHANNELS; ch++)
        if (subscribed[ch]) check_csv_file(&o.fh, ch, TOTAL_ROWS, 1e-8, "csv: "); /* %.9g: 5e-9 relative at worst */
    char path[4200];
    FILE *f = fopen(fake_host_path(&o.fh, "not_routed.csv", path, sizeof path), "r");
    CHECK(!f, "csv: no file for a channel not routed to it");
    if (f) fclose(f);
    o.fn->destroy(o.instance);
    fake_host_cleanup(&o.fh);
}

static void test_csv_precision_and_abort(const rw_plugin *csv) {
    output o;
    rewire_param_value params[1] = {{.integer = 17}};
    if (!output_start(&o, csv, params)) return;
    rewire_batch batch = make_batch(&batch_buf, CH_STATE, 0, 100);
    o.fn->write(o.instance, &batch);
    /* No finish: a run that failed after start.  destroy still leaves the rows. */
    o.fn->destroy(o.instance);
    check_csv_file(&o.fh, CH_STATE, 100, 0.0, "csv, precision 17, destroyed without finish: ");
    CHECK(o.fh.n_open_files == 0, "csv: destroy without finish closes the files");
    fake_host_cleanup(&o.fh);
}

/* ---- npy ---- */

static uint32_t get_le32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static double get_f64(const unsigned char *p) {
    uint64_t v = 0;
    for (int k = 7; k >= 0; k--) v = v << 8 | p[k];
    double x;
    memcpy(&x, &v, sizeof x);
    return x;
}

/* Parse CHANNEL.npy as numpy would and compare every row; returns a reason or NULL. */
static const char *npy_problem(const fake_host *fh, uint32_t ch, size_t rows) {
    static char why[256];
    char name[64];
    snprintf(name, sizeof name, "%s.npy", channels[ch].name);
    size_t size;
    unsigned char *data = (unsigned char *)fake_host_read_file(fh, name, &size);
    if (!data) return "file missing";
    const char *problem = NULL;
    if (size < 10 || memcmp(data, "\x93NUMPY\x01\x00", 8) != 0) {
        problem = "bad magic or version";
        goto done;
    }
    size_t header_len = data[8] | (size_t)data[9] << 8, data_start = 10 + header_len;
    if (data_start % 64 != 0 || size < data_start || data[data_start - 1] != '\n') {
        problem = "header not padded to 64 bytes with a final newline";
        goto done;
    }
    char header[1024];
    snprintf(header, sizeof header, "%.*s", (int)header_len, (const char *)data + 10);
    char want[512];
    snprintf(want, sizeof want, "{'descr': %s, 'fortran_order': False, 'shape': (%zu,), }",
             expected_descr[ch], rows);
    if (strncmp(header, want, strlen(want)) != 0) {
        snprintf(why, sizeof why, "header is %.200s", header);
        problem = why;
        goto done;
    }
    rewire_channel_kind kind = channels[ch].kind;
    const bool has_index = kind == REWIRE_CHANNEL_SPIKES || kind == REWIRE_CHANNEL_STATE ||
                           kind == REWIRE_CHANNEL_WEIGHTS || kind == REWIRE_CHANNEL_METRIC;
    const bool has_index2 = kind == REWIRE_CHANNEL_WEIGHTS, has_value = kind != REWIRE_CHANNEL_SPIKES;
    const size_t row_bytes = 8 + (has_index ? 4 : 0) + (has_index2 ? 4 : 0) + (has_value ? 8 : 0);
    if (size != data_start + rows * row_bytes) {
        snprintf(why, sizeof why, "size %zu, expected %zu", size, data_start + rows * row_bytes);
        problem = why;
        goto done;
    }
    for (size_t k = 0; k < rows; k++) {
        const unsigned char *p = data + data_start + k * row_bytes;
        bool ok = get_f64(p) == row_time(k);
        p += 8;
        if (has_index) ok &= get_le32(p) == row_index(k), p += 4;
        if (has_index2) ok &= get_le32(p) == row_index2(k), p += 4;
        if (has_value) ok &= get_f64(p) == row_value(k);
        if (!ok) {
            snprintf(why, sizeof why, "row %zu differs", k);
            problem = why;
            goto done;
        }
    }
done:
    free(data);
    return problem;
}

static void test_npy(const rw_plugin *npy) {
    output o;
    if (!output_start(&o, npy, NULL)) {
        CHECK(0, "npy starts");
        return;
    }
    const char *problem = NULL;
    for (uint32_t ch = 0; ch < N_CHANNELS && !problem; ch++)
        if (subscribed[ch]) problem = npy_problem(&o.fh, ch, 0);
    CHECK(!problem, "npy: after start every file is a valid empty array (%s)", problem ? problem : "ok");

    size_t first = 0;
    int rc = REWIRE_OK;
    for (size_t b = 0; b < N_BATCHES; b++) {
        for (uint32_t ch = 0; ch < N_CHANNELS; ch++) {
            if (!subscribed[ch]) continue;
            rewire_batch batch = make_batch(&batch_buf, ch, first, batch_sizes[b]);
            if (rc == REWIRE_OK) rc = o.fn->write(o.instance, &batch);
        }
        first += batch_sizes[b];
        /* What an interrupted run would leave: files as they are now, before finish. */
        problem = NULL;
        uint32_t bad_ch = 0;
        for (uint32_t ch = 0; ch < N_CHANNELS && !problem; ch++)
            if (subscribed[ch] && (problem = npy_problem(&o.fh, ch, first))) bad_ch = ch;
        CHECK(rc == REWIRE_OK && !problem, "npy: after batch %zu every file is a valid array of %zu rows (%s%s%s)",
              b + 1, first, problem ? channels[bad_ch].name : "ok", problem ? ": " : "",
              problem ? problem : "");
    }
    rewire_run_report report = {.struct_size = sizeof report};
    CHECK(o.fn->finish(o.instance, &report) == REWIRE_OK && o.fh.n_open_files == 0,
          "npy: finish closes every file");
    problem = npy_problem(&o.fh, CH_WEIGHTS, TOTAL_ROWS);
    CHECK(!problem, "npy: after finish the weights file holds every row (%s)", problem ? problem : "ok");
    char path[4200];
    FILE *f = fopen(fake_host_path(&o.fh, "not_routed.npy", path, sizeof path), "r");
    CHECK(!f, "npy: no file for a channel not routed to it");
    if (f) fclose(f);
    o.fn->destroy(o.instance);
    fake_host_cleanup(&o.fh);
}

/* ---- summary ---- */

static void test_summary(const rw_plugin *summary) {
    output o;
    if (!output_start(&o, summary, NULL)) {
        CHECK(0, "summary starts");
        return;
    }
    const rewire_population_report pops[] = {
        {"input", "poisson", 100, 2000, 20.0},
        {"cells", "lif_cuba", 10, 0, NAN}, /* a rate the host could not compute: null */
    };
    const rewire_projection_report projs[] = {
        {"drive", "input", "cells", 1000, "stdp", 29.5},
        {"fixed", "input", "cells", 10, NULL, 1.0},
    };
    rewire_run_report report = {
        .struct_size = sizeof report, .interrupted = true, .simulated_time = 1250.0,
        .wall_time = 0.75, .synaptic_events = 123456789012ull, .n_populations = 2,
        .populations = pops, .n_projections = 2, .projections = projs};
    CHECK(o.fn->finish(o.instance, &report) == REWIRE_OK, "summary: finish (%s)", o.fh.last_error);
    CHECK(o.fh.n_open_files == 0, "summary: file closed");
    char *text = fake_host_read_file(&o.fh, "summary.json", NULL);
    json_error_t err;
    json_t *root = text ? json_loads(text, 0, &err) : NULL;
    CHECK(root && json_is_object(root), "summary.json parses (%s)", root ? "ok" : text ? err.text : "missing");
    if (root) {
        json_t *pop = json_object_get(json_object_get(root, "populations"), "input");
        json_t *cells = json_object_get(json_object_get(root, "populations"), "cells");
        json_t *drive = json_object_get(json_object_get(root, "projections"), "drive");
        json_t *fixed = json_object_get(json_object_get(root, "projections"), "fixed");
        json_t *plugins = json_object_get(root, "plugins");
        json_t *chans = json_object_get(root, "channels");
        CHECK(strcmp(json_string_value(json_object_get(root, "rewire_version")), "0.1.0") == 0,
              "rewire_version");
        CHECK(strcmp(json_string_value(json_object_get(json_object_get(root, "experiment"), "name")), "hello") == 0 &&
                  strcmp(json_string_value(json_object_get(json_object_get(root, "experiment"), "file")),
                         "examples/hello.yaml") == 0,
              "experiment name and file");
        CHECK(json_integer_value(json_object_get(root, "seed")) == 42, "seed");
        CHECK(json_real_value(json_object_get(root, "dt_ms")) == 0.1, "dt_ms");
        CHECK(json_real_value(json_object_get(root, "simulated_time_s")) == 1.25, "simulated_time_s");
        CHECK(json_real_value(json_object_get(root, "wall_time_s")) == 0.75, "wall_time_s");
        CHECK(json_is_true(json_object_get(root, "interrupted")), "interrupted");
        CHECK(json_integer_value(json_object_get(root, "synaptic_events")) == 123456789012ll,
              "synaptic_events");
        CHECK(pop && strcmp(json_string_value(json_object_get(pop, "model")), "poisson") == 0 &&
                  json_integer_value(json_object_get(pop, "size")) == 100 &&
                  json_integer_value(json_object_get(pop, "spikes")) == 2000 &&
                  json_real_value(json_object_get(pop, "rate_hz")) == 20.0,
              "populations.input {model, size, spikes, rate_hz}");
        CHECK(cells && json_is_null(json_object_get(cells, "rate_hz")), "a NaN rate is written as null");
        CHECK(drive && strcmp(json_string_value(json_object_get(drive, "pre")), "input") == 0 &&
                  strcmp(json_string_value(json_object_get(drive, "post")), "cells") == 0 &&
                  json_integer_value(json_object_get(drive, "synapses")) == 1000 &&
                  json_real_value(json_object_get(drive, "mean_weight")) == 29.5 &&
                  strcmp(json_string_value(json_object_get(drive, "rule")), "stdp") == 0,
              "projections.drive {pre, post, synapses, mean_weight, rule}");
        CHECK(fixed && json_is_null(json_object_get(fixed, "rule")), "no rule: null");
        json_t *p1 = json_array_get(plugins, 1);
        CHECK(json_array_size(plugins) == 2 && p1 &&
                  strcmp(json_string_value(json_object_get(p1, "kind")), "output") == 0 &&
                  strcmp(json_string_value(json_object_get(p1, "name")), "csv") == 0 &&
                  strcmp(json_string_value(json_object_get(p1, "version")), "1.0.0") == 0 &&
                  strcmp(json_string_value(json_object_get(p1, "path")), "/x/rewire-csv.so") == 0,
              "plugins [{kind, name, version, path}]");
        bool names_ok = json_array_size(chans) == N_CHANNELS;
        for (size_t i = 0; names_ok && i < N_CHANNELS; i++)
            names_ok = strcmp(json_string_value(json_array_get(chans, i)), channels[i].name) == 0;
        CHECK(names_ok, "channels lists every channel of the run");
        json_decref(root);
    }
    free(text);
    o.fn->destroy(o.instance);
    fake_host_cleanup(&o.fh);
}

int main(int argc, char **argv) {
    if (!(argc == 4 || (argc == 6 && strcmp(argv[4], "--keep") == 0))) {
        fprintf(stderr, "usage: %s CSV.so NPY.so SUMMARY.so [--keep DIR]\n", argv[0]);
        return 2;
    }
    keep_dir = argc == 6 ? argv[5] : NULL;
    rw_registry *r_csv, *r_npy, *r_summary;
    const rw_plugin *csv = load_plugin(argv[1], "csv", &r_csv);
    const rw_plugin *npy = load_plugin(argv[2], "npy", &r_npy);
    const rw_plugin *summary = load_plugin(argv[3], "summary", &r_summary);
    CHECK(csv && npy && summary, "the output plugins load");
    if (csv) test_csv(csv);
    if (csv && !keep_dir) test_csv_precision_and_abort(csv);
    if (npy) test_npy(npy);
    if (summary) test_summary(summary);
    rw_registry_free(r_csv);
    rw_registry_free(r_npy);
    rw_registry_free(r_summary);
    return tap_done();
}
