/* `rewire plugins [NAME]`: what is installed and what each plugin accepts. */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "loader.h"
#include "units.h"

static const char plugins_usage[] =
    "usage: rewire plugins [NAME] [--plugin-path DIR ...]\n"
    "\n"
    "Without NAME, list every plugin found (kind, name, version, summary).  With NAME,\n"
    "print its parameters with type, unit, default, bounds and documentation.\n"
    "\n"
    "Plugins are searched in the build's (or the installed) plugin folder, then in each\n"
    "folder of $REWIRE_PLUGIN_PATH (colon-separated), then in --plugin-path folders.\n"
    "\n"
    "  -p, --plugin-path DIR  also search DIR (repeatable)\n"
    "  -h, --help             show this help\n";

static const char *type_name(const rewire_param_spec *p) {
    switch (p->type) {
    case REWIRE_PARAM_REAL: return p->dim == REWIRE_DIM_NONE ? "real" : rw_dim_name(p->dim);
    case REWIRE_PARAM_INT: return "integer";
    case REWIRE_PARAM_BOOL: return "bool";
    case REWIRE_PARAM_ENUM: return "choice";
    case REWIRE_PARAM_STRING: return "string";
    case REWIRE_PARAM_SELECTION: return "selection";
    case REWIRE_PARAM_PROJECTIONS: return "projections";
    case REWIRE_PARAM_POPULATIONS: return "populations";
    }
    return "?";
}

static const char *unit_of(const rewire_param_spec *p) {
    if (p->type != REWIRE_PARAM_REAL) return "";
    /* The projection decides: nS onto lif_coba, pA onto lif_cuba, a number onto rate units. */
    if (p->dim == REWIRE_DIM_WEIGHT) return "nS|pA|1";
    return rw_dim_unit(p->dim);
}

static void format_default(const rewire_param_spec *p, char *buf, size_t n) {
    if (p->flags & REWIRE_PARAM_REQUIRED) {
        snprintf(buf, n, "(required)");
        return;
    }
    switch (p->type) {
    case REWIRE_PARAM_REAL: snprintf(buf, n, "%g %s", p->def_real, unit_of(p)); break;
    case REWIRE_PARAM_INT: snprintf(buf, n, "%" PRId64, p->def_int); break;
    case REWIRE_PARAM_BOOL: snprintf(buf, n, "%s", p->def_int ? "true" : "false"); break;
    case REWIRE_PARAM_ENUM: snprintf(buf, n, "%s", p->choices ? p->choices[p->def_int] : "?"); break;
    case REWIRE_PARAM_STRING: snprintf(buf, n, "\"%s\"", p->def_string ? p->def_string : ""); break;
    case REWIRE_PARAM_SELECTION:
    case REWIRE_PARAM_PROJECTIONS:
    case REWIRE_PARAM_POPULATIONS: snprintf(buf, n, "(none)"); break;
    }
}

static void format_bounds(const rewire_param_spec *p, char *buf, size_t n) {
    buf[0] = '\0';
    if (p->type == REWIRE_PARAM_ENUM) {
        size_t used = 0;
        for (const char *const *c = p->choices; c && *c && used < n; c++)
            used += (size_t)snprintf(buf + used, n - used, "%s%s", c == p->choices ? "" : "|", *c);
        return;
    }
    bool lo = p->flags & REWIRE_PARAM_HAS_MIN, hi = p->flags & REWIRE_PARAM_HAS_MAX;
    if (!lo && !hi) return;
    char lo_s[48] = "(-inf", hi_s[48] = "inf)";
    if (lo) snprintf(lo_s, sizeof lo_s, "%c%g", p->flags & REWIRE_PARAM_MIN_EXCLUSIVE ? '(' : '[', p->min);
    if (hi) snprintf(hi_s, sizeof hi_s, "%g]", p->max);
    snprintf(buf, n, "%s, %s", lo_s, hi_s);
}

static void list_plugins(const rw_registry *reg) {
    size_t n = rw_registry_count(reg);
    printf("%-14s %-20s %-9s %s\n", "KIND", "NAME", "VERSION", "SUMMARY");
    for (size_t i = 0; i < n; i++) {
        const rewire_plugin_descriptor *d = rw_registry_at(reg, i)->desc;
        printf("%-14s %-20s %-9s %s\n", rw_kind_name(d->kind), d->name, d->version, d->summary);
    }
    printf("\n%zu plugin%s, searched:", n, n == 1 ? "" : "s");
    for (size_t i = 0; i < rw_registry_dir_count(reg); i++) printf(" %s", rw_registry_dir_at(reg, i));
    printf("\n");
}

static void show_plugin(const rw_plugin *pl) {
    const rewire_plugin_descriptor *d = pl->desc;
    printf("%s %s %s (ABI %u.%u)\n  %s\n  file: %s\n\nparameters:\n", rw_kind_name(d->kind), d->name,
           d->version, d->abi_major, d->abi_minor, d->summary, pl->path);
    if (d->n_params == 0) printf("  (none)\n");
    for (uint32_t i = 0; i < d->n_params; i++) {
        const rewire_param_spec *p = &d->params[i];
        char def[128], bounds[256];
        format_default(p, def, sizeof def);
        format_bounds(p, bounds, sizeof bounds);
        printf("  %-18s %-12s %-6s default %-14s %s%s\n", p->name, type_name(p), unit_of(p), def,
               bounds[0] ? "range " : "", bounds);
        if (p->doc && p->doc[0]) printf("  %18s %s\n", "", p->doc);
    }
}

int rw_cli_plugins(int argc, char **argv) {
    static const struct option opts[] = {{"plugin-path", required_argument, NULL, 'p'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char **paths = calloc((size_t)argc + 1, sizeof *paths);
    if (!paths) return RW_EXIT_RUNTIME;
    size_t n_paths = 0;
    int c, status = RW_EXIT_USAGE;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "p:h", opts, NULL)) != -1) {
        if (c == 'p') {
            paths[n_paths++] = optarg;
        } else if (c == 'h') {
            fputs(plugins_usage, stdout);
            free(paths);
            return RW_EXIT_OK;
        } else {
            free(paths);
            return rw_cli_usage_error("plugins", "unknown option or missing value: '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind > 1) {
        free(paths);
        return rw_cli_usage_error("plugins", "expected at most one plugin name");
    }
    rw_diag *d = rw_diag_new();
    rw_registry *reg = rw_registry_new();
    if (!d || !reg) goto out;
    rw_registry_scan_default(reg, d);
    for (size_t i = 0; i < n_paths; i++)
        rw_registry_scan_dir(reg, paths[i], (rw_loc){"--plugin-path", 0, 0}, d);
    if (rw_diag_errors(d)) {
        rw_diag_print(d, stderr);
        goto out;
    }
    if (optind == argc) {
        list_plugins(reg);
        status = RW_EXIT_OK;
        goto out;
    }
    const rw_plugin *pl = rw_registry_find(reg, argv[optind]);
    if (!pl) {
        const char *names[512];
        size_t nn = 0;
        for (size_t i = 0; i < rw_registry_count(reg) && nn < 512; i++)
            names[nn++] = rw_registry_at(reg, i)->desc->name;
        const char *near = rw_nearest(argv[optind], names, nn);
        fprintf(stderr, "rewire plugins: error: no plugin named '%s'%s%s%s\n", argv[optind],
                near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
        goto out;
    }
    show_plugin(pl);
    status = RW_EXIT_OK;
out:
    rw_registry_free(reg);
    rw_diag_free(d);
    free(paths);
    return status;
}
