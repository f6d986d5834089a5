/* hdf5: the whole run in one HDF5 file (default run.h5) in the run folder.
 *
 *   /                      attributes: rewire_version, experiment_name, experiment_file,
 *                          experiment_yaml (the experiment text), overrides, seed, dt and
 *                          duration (ms), plugins ("kind name version" each), and at the
 *                          end interrupted, simulated_time (ms), wall_time (s),
 *                          synaptic_events
 *   /spikes/<population>/  SONATA spike report: timestamps (float64, units="ms") and
 *                          node_ids (uint64); group attribute sorting (enum uint8
 *                          none=0, by_id=1, by_time=2) = by_time, as rewire records spikes
 *                          in time order
 *   /channels/<name>/      rate: time, value; state: time, index, value; weights: time,
 *                          pre, post, value; metric: time, index, value.  time has
 *                          units="ms", value the channel's unit; the group says kind,
 *                          source, variable, unit, interval, source_size
 *   /phases                table (name, index, t_start, t_end, completed)
 *   /events                table (t, kind, plugin, label, window): injuries and
 *                          intervention windows (ABI 1.2 timeline_event)
 *
 * Every dataset is chunked and extendible and grows by one append per batch the host
 * hands over (the host already bounds batches: one per channel per drain), so memory
 * stays flat whatever the run's length.
 *
 * Threads and blocking: libhdf5 does its own file I/O with blocking calls and has no
 * asynchronous API (nor is it thread-safe in Debian's serial build), so this output runs
 * on the loop thread like every output and writes between slices; writes per hook are
 * bounded by the batch.  It cannot use the host's file services (libhdf5 opens the file
 * by path), so it creates the file by name inside host->output_dir().
 *
 * Interruption: the file is flushed (H5Fflush) at every phase end and closed in finish(),
 * which the host calls also when SIGINT/SIGTERM stop a run; the file is then complete up
 * to the last batch.  A process killed outright (SIGKILL) may leave a file HDF5 cannot
 * open: HDF5 1.10 without SWMR gives no guarantee there.
 */
#include <rewire/plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../channel_columns.h"
#include "h5util.h"

enum { P_FILE, P_COMPRESSION, P_CHUNK_ROWS, N_PARAMS };

static const rewire_param_spec hdf5_params[N_PARAMS] = {
    [P_FILE] = {.name = "file", .type = REWIRE_PARAM_STRING, .def_string = "run.h5",
                .doc = "File name inside the run folder (no '/', not starting with '.')."},
    [P_COMPRESSION] = {.name = "compression", .type = REWIRE_PARAM_INT,
                       .flags = REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_HAS_MAX, .def_int = 0,
                       .min = 0, .max = 9,
                       .doc = "gzip level of the datasets (0: none; with shuffle otherwise)."},
    [P_CHUNK_ROWS] = {.name = "chunk_rows", .type = REWIRE_PARAM_INT,
                      .flags = REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_HAS_MAX, .def_int = 4096,
                      .min = 64, .max = 1 << 24,
                      .doc = "Rows per HDF5 chunk of the growing datasets."},
};

typedef struct h5_channel {
    rewire_channel_kind kind; /* 0: not subscribed */
    const char *name;
    hid_t group;
    h5_column time, index, index2, value; /* spikes: time = timestamps, index = node_ids */
} h5_channel;

/* One row of /events and of /phases, as laid out in memory for H5Dwrite. */
typedef struct event_row {
    double t;
    const char *kind;
    const char *plugin;
    const char *label;
    uint32_t window;
} event_row;

typedef struct phase_row {
    const char *name;
    uint32_t index;
    double t_start, t_end;
    uint8_t completed;
} phase_row;

typedef struct h5out {
    const rewire_host *host;
    char *file_name;
    int deflate;
    hsize_t chunk_rows;
    hid_t file;
    uint32_t n_channels;
    h5_channel *ch;
    hid_t str_type, event_type, phase_type;
    h5_column events, phases;
    bool phase_open; /* a phase started and has not ended yet */
    phase_row current;
} h5out;

static int h5_fail(h5out *z, const char *what, const char *name) {
    z->host->set_error(z->host, "HDF5: cannot %s '%s' in %s", what, name, z->file_name);
    return REWIRE_EIO;
}

static int hdf5_create(const rewire_host *host, const rewire_param_value *params, void **instance) {
    const char *file = params[P_FILE].string;
    if (!safe_file_stem(file)) {
        host->set_error(host, "file '%s' must be a plain file name inside the run folder "
                              "(no '/', not starting with '.')", file ? file : "");
        return REWIRE_EINVAL;
    }
    h5out *z = calloc(1, sizeof *z);
    if (!z || !(z->file_name = strdup(file))) {
        free(z);
        host->set_error(host, "out of memory");
        return REWIRE_ENOMEM;
    }
    z->host = host;
    z->deflate = (int)params[P_COMPRESSION].integer;
    z->chunk_rows = (hsize_t)params[P_CHUNK_ROWS].integer;
    z->file = z->str_type = z->event_type = z->phase_type = -1;
    z->events.dset = z->phases.dset = -1;
    /* Errors become set_error messages; HDF5's own stack dump on stderr would only confuse. */
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    *instance = z;
    return REWIRE_OK;
}

static const char *kind_name(rewire_channel_kind k) {
    switch (k) {
    case REWIRE_CHANNEL_SPIKES: return "spikes";
    case REWIRE_CHANNEL_RATE: return "rate";
    case REWIRE_CHANNEL_STATE: return "state";
    case REWIRE_CHANNEL_WEIGHTS: return "weights";
    case REWIRE_CHANNEL_METRIC: return "metric";
    }
    return "unknown";
}

static int add_column(h5out *z, h5_column *c, hid_t group, const char *name, hid_t ftype,
                  const char *units) {
    if (h5_column_create(c, group, name, ftype, z->chunk_rows, z->deflate) != 0)
        return h5_fail(z, "create dataset", name);
    if (units && h5_attr_string(c->dset, "units", units) != 0)
        return h5_fail(z, "write the units of", name);
    return REWIRE_OK;
}

static int open_file(h5out *z, const rewire_run_info *run) {
    const char *dir = z->host->output_dir(z->host);
    size_t len = strlen(dir) + strlen(z->file_name) + 2;
    char *path = malloc(len);
    if (!path) return REWIRE_ENOMEM;
    snprintf(path, len, "%s/%s", dir, z->file_name);
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    /* 1.8 format: attributes over 64 KiB (a long experiment text) need its dense storage. */
    H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST);
    H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG);
    z->file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    H5Pclose(fapl);
    if (z->file < 0) {
        z->host->set_error(z->host, "HDF5: cannot create '%s'", path);
        free(path);
        return REWIRE_EIO;
    }
    free(path);

    hid_t root = z->file;
    const char *plugins[256];
    char lines[256][160];
    uint32_t np = run->n_plugins < 256 ? run->n_plugins : 256;
    for (uint32_t i = 0; i < np; i++) {
        const rewire_plugin_use *u = &run->plugins[i];
        snprintf(lines[i], sizeof lines[i], "%s %s %s", u->kind, u->name, u->version);
        plugins[i] = lines[i];
    }
    if (h5_attr_string(root, "format", "rewire-hdf5") || h5_attr_int(root, "format_version", 1) ||
        h5_attr_string(root, "rewire_version", run->rewire_version) ||
        h5_attr_string(root, "experiment_name", run->experiment_name) ||
        h5_attr_string(root, "experiment_file", run->experiment_file) ||
        h5_attr_string(root, "experiment_yaml", run->experiment_text) ||
        h5_attr_string(root, "overrides", run->overrides) ||
        h5_attr_u64(root, "seed", run->seed) || h5_attr_double(root, "dt", run->dt) ||
        h5_attr_double(root, "duration", run->duration) ||
        h5_attr_string(root, "time_units", "ms") ||
        h5_attr_strings(root, "plugins", plugins, np))
        return h5_fail(z, "write the attributes of", "/");
    return REWIRE_OK;
}

/* The SONATA `sorting` enum type: none=0, by_id=1, by_time=2 on uint8. */
static hid_t sorting_type(void) {
    hid_t t = H5Tenum_create(H5T_NATIVE_UINT8);
    uint8_t v = 0;
    H5Tenum_insert(t, "none", &v);
    v = 1;
    H5Tenum_insert(t, "by_id", &v);
    v = 2;
    H5Tenum_insert(t, "by_time", &v);
    return t;
}

static int start_spikes(h5out *z, hid_t spikes, h5_channel *c, const rewire_channel_info *ch) {
    /* The population's name is the group's (SONATA); a second channel of one
     * population falls back to the channel's name. */
    const char *gname = ch->source && safe_file_stem(ch->source) ? ch->source : ch->name;
    if (H5Lexists(spikes, gname, H5P_DEFAULT) > 0) gname = ch->name;
    if (H5Lexists(spikes, gname, H5P_DEFAULT) > 0) return h5_fail(z, "create twice", gname);
    c->group = H5Gcreate2(spikes, gname, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (c->group < 0) return h5_fail(z, "create group", gname);
    hid_t st = sorting_type();
    uint8_t by_time = 2;
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(c->group, "sorting", st, space, H5P_DEFAULT, H5P_DEFAULT);
    int bad = a < 0 || H5Awrite(a, st, &by_time) < 0;
    if (a >= 0) H5Aclose(a);
    H5Sclose(space);
    H5Tclose(st);
    if (bad || h5_attr_string(c->group, "channel", ch->name) ||
        h5_attr_u64(c->group, "population_size", ch->source_size))
        return h5_fail(z, "write the attributes of", gname);
    int rc = add_column(z, &c->time, c->group, "timestamps", H5T_IEEE_F64LE, "ms");
    if (rc == REWIRE_OK) rc = add_column(z, &c->index, c->group, "node_ids", H5T_STD_U64LE, NULL);
    return rc;
}

static int start_channel(h5out *z, hid_t channels, h5_channel *c, const rewire_channel_info *ch) {
    c->group = H5Gcreate2(channels, ch->name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (c->group < 0) return h5_fail(z, "create group", ch->name);
    if (h5_attr_string(c->group, "kind", kind_name(ch->kind)) ||
        h5_attr_string(c->group, "source", ch->source) ||
        h5_attr_string(c->group, "variable", ch->variable ? ch->variable : "") ||
        h5_attr_string(c->group, "unit", ch->unit ? ch->unit : "") ||
        h5_attr_double(c->group, "interval", ch->interval) ||
        h5_attr_u64(c->group, "source_size", ch->source_size))
        return h5_fail(z, "write the attributes of", ch->name);
    const char *unit = ch->unit ? ch->unit : "";
    int rc = add_column(z, &c->time, c->group, "time", H5T_IEEE_F64LE, "ms");
    if (rc) return rc;
    if (ch->kind == REWIRE_CHANNEL_WEIGHTS) {
        if ((rc = add_column(z, &c->index, c->group, "pre", H5T_STD_U32LE, NULL)) ||
            (rc = add_column(z, &c->index2, c->group, "post", H5T_STD_U32LE, NULL)))
            return rc;
    } else if (ch->kind != REWIRE_CHANNEL_RATE) {
        if ((rc = add_column(z, &c->index, c->group, "index", H5T_STD_U32LE, NULL))) return rc;
    }
    return add_column(z, &c->value, c->group, "value", H5T_IEEE_F64LE, unit);
}

/* The compound types of /events and /phases (memory layout = file layout here). */
static int make_tables(h5out *z) {
    hid_t s = z->str_type = h5_string_type();
    z->event_type = H5Tcreate(H5T_COMPOUND, sizeof(event_row));
    z->phase_type = H5Tcreate(H5T_COMPOUND, sizeof(phase_row));
    if (s < 0 || z->event_type < 0 || z->phase_type < 0) return h5_fail(z, "create types", "/");
    H5Tinsert(z->event_type, "t", HOFFSET(event_row, t), H5T_NATIVE_DOUBLE);
    H5Tinsert(z->event_type, "kind", HOFFSET(event_row, kind), s);
    H5Tinsert(z->event_type, "plugin", HOFFSET(event_row, plugin), s);
    H5Tinsert(z->event_type, "label", HOFFSET(event_row, label), s);
    H5Tinsert(z->event_type, "window", HOFFSET(event_row, window), H5T_NATIVE_UINT32);
    H5Tinsert(z->phase_type, "name", HOFFSET(phase_row, name), s);
    H5Tinsert(z->phase_type, "index", HOFFSET(phase_row, index), H5T_NATIVE_UINT32);
    H5Tinsert(z->phase_type, "t_start", HOFFSET(phase_row, t_start), H5T_NATIVE_DOUBLE);
    H5Tinsert(z->phase_type, "t_end", HOFFSET(phase_row, t_end), H5T_NATIVE_DOUBLE);
    H5Tinsert(z->phase_type, "completed", HOFFSET(phase_row, completed), H5T_NATIVE_UINT8);
    if (h5_column_create(&z->events, z->file, "events", z->event_type, 64, 0) ||
        h5_column_create(&z->phases, z->file, "phases", z->phase_type, 64, 0))
        return h5_fail(z, "create the tables", "/events, /phases");
    if (h5_attr_string(z->events.dset, "t_units", "ms") ||
        h5_attr_string(z->phases.dset, "t_units", "ms"))
        return h5_fail(z, "write the attributes of", "/events, /phases");
    return REWIRE_OK;
}

static int hdf5_start(void *instance, const rewire_run_info *run, const bool *subscribed) {
    h5out *z = instance;
    z->ch = calloc(run->n_channels ? run->n_channels : 1, sizeof *z->ch);
    if (!z->ch) {
        z->host->set_error(z->host, "out of memory");
        return REWIRE_ENOMEM;
    }
    z->n_channels = run->n_channels;
    for (uint32_t i = 0; i < run->n_channels; i++) {
        h5_channel *c = &z->ch[i];
        c->group = c->time.dset = c->index.dset = c->index2.dset = c->value.dset = -1;
    }
    int rc = open_file(z, run);
    if (rc) return rc;
    if ((rc = make_tables(z))) return rc;
    hid_t spikes = H5Gcreate2(z->file, "spikes", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t channels = H5Gcreate2(z->file, "channels", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (spikes < 0 || channels < 0) rc = h5_fail(z, "create groups", "/spikes, /channels");
    for (uint32_t i = 0; i < run->n_channels && rc == REWIRE_OK; i++) {
        if (!subscribed[i]) continue;
        const rewire_channel_info *ch = &run->channels[i];
        h5_channel *c = &z->ch[i];
        channel_columns cols;
        if (!channel_columns_of(ch->kind, &cols)) {
            z->host->set_error(z->host, "channel '%s' has a kind (%d) the hdf5 output does not know",
                               ch->name, (int)ch->kind);
            rc = REWIRE_ENOTSUP;
            break;
        }
        if (!safe_file_stem(ch->name)) {
            z->host->set_error(z->host, "channel name '%s' cannot be an HDF5 group name", ch->name);
            rc = REWIRE_EINVAL;
            break;
        }
        c->kind = ch->kind;
        c->name = ch->name;
        rc = ch->kind == REWIRE_CHANNEL_SPIKES ? start_spikes(z, spikes, c, ch)
                                               : start_channel(z, channels, c, ch);
    }
    if (spikes >= 0) H5Gclose(spikes);
    if (channels >= 0) H5Gclose(channels);
    if (rc == REWIRE_OK && H5Fflush(z->file, H5F_SCOPE_GLOBAL) < 0)
        rc = h5_fail(z, "flush", z->file_name);
    return rc;
}

static int hdf5_write(void *instance, const rewire_batch *b) {
    h5out *z = instance;
    if (b->channel >= z->n_channels || !z->ch[b->channel].kind) {
        z->host->set_error(z->host, "batch for channel %u, which this output was not given",
                           b->channel);
        return REWIRE_EINVAL;
    }
    h5_channel *c = &z->ch[b->channel];
    if (b->n == 0) return REWIRE_OK;
    /* Metric channels may come without an index column (a scalar measure): write 0s. */
    bool zero_index = c->index.dset >= 0 && !b->index && c->kind == REWIRE_CHANNEL_METRIC;
    if (!b->time || (c->index.dset >= 0 && !b->index && !zero_index) ||
        (c->index2.dset >= 0 && !b->index2) || (c->value.dset >= 0 && !b->value)) {
        z->host->set_error(z->host, "batch for channel '%s' lacks a column", c->name);
        return REWIRE_EINVAL;
    }
    if (h5_column_append(&c->time, H5T_NATIVE_DOUBLE, b->time, b->n))
        return h5_fail(z, "append to", c->name);
    if (c->index.dset >= 0) {
        int bad;
        if (zero_index) {
            uint32_t *zeros = calloc(b->n, sizeof *zeros);
            if (!zeros) return REWIRE_ENOMEM;
            bad = h5_column_append(&c->index, H5T_NATIVE_UINT32, zeros, b->n);
            free(zeros);
        } else {
            bad = h5_column_append(&c->index, H5T_NATIVE_UINT32, b->index, b->n);
        }
        if (bad) return h5_fail(z, "append to", c->name);
    }
    if (c->index2.dset >= 0 && h5_column_append(&c->index2, H5T_NATIVE_UINT32, b->index2, b->n))
        return h5_fail(z, "append to", c->name);
    if (c->value.dset >= 0 && h5_column_append(&c->value, H5T_NATIVE_DOUBLE, b->value, b->n))
        return h5_fail(z, "append to", c->name);
    return REWIRE_OK;
}

static int hdf5_phase(void *instance, const rewire_phase_event *ev) {
    h5out *z = instance;
    if (!ev->is_end) {
        z->phase_open = true;
        z->current = (phase_row){ev->name, ev->index, ev->t_start, ev->t_end, 0};
        return REWIRE_OK;
    }
    /* Completed unless it ended before its planned end (a stopped run). */
    bool completed = !z->phase_open || z->current.index != ev->index ||
                     ev->t_end >= z->current.t_end;
    phase_row row = {ev->name, ev->index, ev->t_start, ev->t_end, completed};
    z->phase_open = false;
    if (h5_column_append(&z->phases, z->phase_type, &row, 1))
        return h5_fail(z, "append to", "/phases");
    /* A phase end is a natural checkpoint: what is on disk is a consistent file. */
    if (H5Fflush(z->file, H5F_SCOPE_GLOBAL) < 0) return h5_fail(z, "flush", z->file_name);
    return REWIRE_OK;
}

static int hdf5_timeline_event(void *instance, const rewire_timeline_event *ev) {
    h5out *z = instance;
    const char *kind = ev->kind == REWIRE_EVENT_INJURY               ? "injury"
                       : ev->kind == REWIRE_EVENT_INTERVENTION_BEGIN ? "intervention_begin"
                       : ev->kind == REWIRE_EVENT_INTERVENTION_END   ? "intervention_end"
                                                                     : "unknown";
    event_row row = {ev->t, kind, ev->plugin ? ev->plugin : "", ev->label ? ev->label : "",
                     ev->window};
    if (h5_column_append(&z->events, z->event_type, &row, 1))
        return h5_fail(z, "append to", "/events");
    return REWIRE_OK;
}

static void close_all(h5out *z) {
    for (uint32_t i = 0; i < z->n_channels; i++) {
        h5_channel *c = &z->ch[i];
        h5_column_close(&c->time);
        h5_column_close(&c->index);
        h5_column_close(&c->index2);
        h5_column_close(&c->value);
        if (c->group >= 0) H5Gclose(c->group);
        c->group = -1;
    }
    h5_column_close(&z->events);
    h5_column_close(&z->phases);
    if (z->str_type >= 0) H5Tclose(z->str_type);
    if (z->event_type >= 0) H5Tclose(z->event_type);
    if (z->phase_type >= 0) H5Tclose(z->phase_type);
    z->str_type = z->event_type = z->phase_type = -1;
    if (z->file >= 0) H5Fclose(z->file);
    z->file = -1;
}

static int hdf5_finish(void *instance, const rewire_run_report *r) {
    h5out *z = instance;
    if (z->file < 0) return REWIRE_OK;
    int rc = REWIRE_OK;
    if (z->phase_open) { /* a phase without its end event: it ended where the run stopped */
        z->current.t_end = r->simulated_time;
        if (h5_column_append(&z->phases, z->phase_type, &z->current, 1))
            rc = h5_fail(z, "append to", "/phases");
        z->phase_open = false;
    }
    if (h5_attr_int(z->file, "interrupted", r->interrupted ? 1 : 0) ||
        h5_attr_double(z->file, "simulated_time", r->simulated_time) ||
        h5_attr_double(z->file, "wall_time", r->wall_time) ||
        h5_attr_u64(z->file, "synaptic_events", r->synaptic_events))
        rc = h5_fail(z, "write the attributes of", "/");
    close_all(z);
    return rc;
}

static void hdf5_destroy(void *instance) {
    h5out *z = instance;
    if (!z) return;
    if (z->ch) close_all(z); /* a run that failed before finish still leaves a valid file */
    free(z->ch);
    free(z->file_name);
    free(z);
}

static const rewire_output_v1 hdf5_functions = {
    .struct_size = sizeof(rewire_output_v1),
    .create = hdf5_create,
    .start = hdf5_start,
    .write = hdf5_write,
    .phase = hdf5_phase,
    .finish = hdf5_finish,
    .destroy = hdf5_destroy,
    .timeline_event = hdf5_timeline_event,
};

static const rewire_plugin_descriptor hdf5_descriptor =
    REWIRE_DESCRIPTOR(REWIRE_KIND_OUTPUT, "hdf5", "1.0.0",
                      "One HDF5 file: SONATA spike reports, channels, phases, events, metadata",
                      hdf5_params, hdf5_functions);

REWIRE_PLUGIN_ENTRY(&hdf5_descriptor)
