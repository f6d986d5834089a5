/* `rewire run` and `rewire validate`. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "experiment.h"
#include "loader.h"
#include "pool.h"
#include "sim.h"

static const char run_usage[] =
    "usage: rewire run EXP.yaml [--out DIR] [--set path.to.key=value ...] [--seed N]\n"
    "                           [--threads N] [--quiet]\n"
    "\n"
    "Run an experiment.  Results go to DIR (default runs/NAME-SEED/).\n"
    "\n"
    "  -o, --out DIR          output folder (created if missing)\n"
    "  -s, --set KEY=VALUE    override a value of the file, e.g.\n"
    "                         --set populations.input.rate=20Hz (repeatable)\n"
    "      --seed N           random seed (same as --set experiment.seed=N)\n"
    "  -j, --threads N        kernel threads (default: one per 100k neurons + synapses,\n"
    "                         at most every processor available, here %u); results are\n"
    "                         byte-identical for any N\n"
    "  -q, --quiet            print nothing but errors\n"
    "      --stream ADDR      also stream the run live (the stream output,\n"
    "                         docs/stream-protocol.md): HOST:PORT, unix:PATH, or '-' for\n"
    "                         standard output (the summary then goes to stderr)\n"
    "      --slice-steps N    advance at most N steps per slice (results do not change;\n"
    "                         used to test that they do not)\n"
    "  -h, --help             show this help\n"
    "\n"
    "A progress line (simulated time, wall time, speed, ETA) is shown on stderr when it\n"
    "is a terminal.  SIGINT/SIGTERM stop at the next slice and close every output.\n"
    "Exit status: 0 success, 1 runtime failure, 2 bad input, 128+N on signal N.\n";

static const char validate_usage[] =
    "usage: rewire validate EXP.yaml [--set path.to.key=value ...] [--seed N]\n"
    "\n"
    "Check an experiment without running it: every error in the file is reported as\n"
    "FILE:LINE:COL: error: ...  Exit status 0 when valid, 2 otherwise.\n"
    "\n"
    "  -s, --set KEY=VALUE    override a value first (repeatable)\n"
    "      --seed N           random seed\n"
    "  -h, --help             show this help\n";

enum { OPT_SEED = 256, OPT_SLICE, OPT_STREAM };

#define MAX_THREADS 1024 /* RW_MAX_THREADS */

static bool parse_u64(const char *s, uint64_t *out) {
    if (!s[0] || s[0] == '-') return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end) return false;
    *out = v;
    return true;
}

/* --stream ADDR: one more output, the `stream` plugin with its defaults and `listen:
 * ADDR`, subscribed to every record channel (as if the file listed it). */
static bool add_stream_output(rw_experiment *e, rw_registry *reg, const char *addr, rw_diag *d) {
    rw_loc loc = {"--stream", 0, 0};
    const rw_plugin *pl = rw_registry_lookup(reg, REWIRE_KIND_OUTPUT, "stream", loc, d);
    if (!pl) return false;
    rw_output_spec *outs = realloc(e->outputs, (e->n_outputs + 1) * sizeof *outs);
    if (!outs) return false;
    e->outputs = outs;
    rw_output_spec *o = &outs[e->n_outputs];
    *o = (rw_output_spec){.ref = {.plugin = pl, .loc = loc}};
    o->subscribed = calloc(e->n_records ? e->n_records : 1, sizeof *o->subscribed);
    o->ref.values = calloc(pl->desc->n_params ? pl->desc->n_params : 1, sizeof *o->ref.values);
    if (!o->subscribed || !o->ref.values) {
        free(o->subscribed);
        free(o->ref.values);
        return false;
    }
    e->n_outputs++;
    for (uint32_t r = 0; r < e->n_records; r++) o->subscribed[r] = true;
    if (!rw_params_from_config(pl->desc->params, pl->desc->n_params, NULL, loc, REWIRE_DIM_NONE,
                               "output 'stream'", o->ref.values, d))
        return false;
    for (uint32_t i = 0; i < pl->desc->n_params; i++)
        if (pl->desc->params[i].name && strcmp(pl->desc->params[i].name, "listen") == 0)
            o->ref.values[i].string = addr; /* argv outlives the run */
    return true;
}

/* Keep only the plugin modules the experiment uses: the others (and libraries such as
 * libhdf5 or cairo that they pulled in) would take memory for nothing during the run. */
static void unload_unused_plugins(rw_registry *reg, const rw_experiment *e) {
    size_t n = 0, cap = (size_t)e->n_projections + e->n_outputs + e->n_injuries + e->n_interventions;
    const rw_plugin **keep = calloc(cap ? cap : 1, sizeof *keep);
    if (!keep) return; /* keeping them all is fine */
    for (uint32_t i = 0; i < e->n_projections; i++)
        if (e->projections[i].plastic) keep[n++] = e->projections[i].rule.plugin;
    for (uint32_t i = 0; i < e->n_outputs; i++) keep[n++] = e->outputs[i].ref.plugin;
    for (uint32_t i = 0; i < e->n_injuries; i++) keep[n++] = e->injuries[i].ref.plugin;
    for (uint32_t i = 0; i < e->n_interventions; i++) keep[n++] = e->interventions[i].ref.plugin;
    rw_registry_unload_unused(reg, keep, n);
    free(keep);
}

int rw_cli_run(int argc, char **argv, bool validate_only) {
    const char *cmd = validate_only ? "validate" : "run";
    static const struct option opts[] = {
        {"out", required_argument, NULL, 'o'},   {"set", required_argument, NULL, 's'},
        {"seed", required_argument, NULL, OPT_SEED}, {"quiet", no_argument, NULL, 'q'},
        {"slice-steps", required_argument, NULL, OPT_SLICE}, {"help", no_argument, NULL, 'h'},
        {"stream", required_argument, NULL, OPT_STREAM},
        {"threads", required_argument, NULL, 'j'},
        {NULL, 0, NULL, 0}};
    const char *out = NULL, *stream = NULL;
    const char **sets = calloc((size_t)argc + 1, sizeof *sets);
    if (!sets) return RW_EXIT_RUNTIME;
    rw_load_options lo = {.sets = sets};
    rw_run_options ro = {0};
    uint64_t slice = 0, threads = 0;
    int c, status = RW_EXIT_USAGE;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:s:j:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 's': sets[lo.n_sets++] = optarg; break;
        case 'q': ro.quiet = true; break;
        case OPT_STREAM: stream = optarg; break;
        case OPT_SEED:
            if (!parse_u64(optarg, &lo.seed)) {
                status = rw_cli_usage_error(cmd, "--seed expects a non-negative integer, got '%s'", optarg);
                goto done;
            }
            lo.has_seed = true;
            break;
        case OPT_SLICE:
            if (!parse_u64(optarg, &slice) || slice == 0) {
                status = rw_cli_usage_error(cmd, "--slice-steps expects a positive integer, got '%s'", optarg);
                goto done;
            }
            ro.max_slice_steps = (int64_t)slice;
            break;
        case 'j':
            if (validate_only || !parse_u64(optarg, &threads) || threads == 0 || threads > MAX_THREADS) {
                status = validate_only
                             ? rw_cli_usage_error(cmd, "--threads has no meaning for validate")
                             : rw_cli_usage_error(cmd, "--threads expects an integer from 1 to %d, got '%s'",
                                                  MAX_THREADS, optarg);
                goto done;
            }
            ro.threads = (uint32_t)threads;
            break;
        case 'h':
            if (validate_only) fputs(validate_usage, stdout);
            else printf(run_usage, rw_available_threads());
            status = RW_EXIT_OK;
            goto done;
        default:
            if (optopt)
                status = rw_cli_usage_error(cmd, "option '-%c' %s", optopt,
                                            strchr("osj", optopt) ? "needs a value" : "is unknown");
            else
                status = rw_cli_usage_error(cmd, "unknown option or missing value: '%s'", argv[optind - 1]);
            goto done;
        }
    }
    if (optind != argc - 1) {
        status = rw_cli_usage_error(cmd, optind >= argc ? "expected an experiment file (EXP.yaml)"
                                                        : "expected exactly one experiment file");
        goto done;
    }
    if (validate_only && stream) {
        status = rw_cli_usage_error(cmd, "--stream has no meaning for validate");
        goto done;
    }
    if (stream && !stream[0]) {
        status = rw_cli_usage_error(cmd, "--stream expects HOST:PORT, unix:PATH or '-'");
        goto done;
    }
    if (validate_only && out) {
        status = rw_cli_usage_error(cmd, "--out has no meaning for validate");
        goto done;
    }
    const char *path = argv[optind];
    rw_diag *d = rw_diag_new();
    rw_registry *reg = rw_registry_new();
    if (!d || !reg) {
        rw_diag_free(d);
        rw_registry_free(reg);
        status = RW_EXIT_RUNTIME;
        goto done;
    }
    rw_registry_scan_default(reg, d);
    rw_experiment *e = rw_experiment_load(path, &lo, reg, d);
    if (e && !rw_diag_errors(d) && stream) add_stream_output(e, reg, stream, d);
    if (!e || rw_diag_errors(d)) {
        rw_diag_print(d, stderr);
        status = RW_EXIT_USAGE;
    } else if (validate_only) {
        printf("%s: ok: %u populations, %u projections, %u record channels, %u outputs, %g s\n", path,
               e->n_populations, e->n_projections, e->n_records, e->n_outputs,
               rw_experiment_duration(e) / 1e3);
        status = RW_EXIT_OK;
    } else {
        char default_out[4096];
        if (!out) {
            snprintf(default_out, sizeof default_out, "runs/%s-%" PRIu64, e->name, e->seed);
            out = default_out;
        }
        ro.out_dir = out;
        ro.progress = !ro.quiet && isatty(STDERR_FILENO);
        unload_unused_plugins(reg, e);
        status = rw_run(e, &ro, d);
        rw_diag_print(d, stderr);
    }
    rw_experiment_free(e);
    rw_registry_free(reg);
    rw_diag_free(d);
done:
    free(sets);
    return status;
}
