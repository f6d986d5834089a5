/* rewire: run, validate and inspect neuroplasticity experiments. */
#include <rewire/abi.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "diag.h"

static const char usage[] =
    "usage: rewire COMMAND [ARGS]\n"
    "\n"
    "Simulate neuroplasticity experiments described in YAML.\n"
    "\n"
    "commands:\n"
    "  run EXP.yaml        run an experiment (rewire run --help)\n"
    "  validate EXP.yaml   check an experiment without running it\n"
    "  plugins [NAME]      list plugins, or show one plugin's parameters\n"
    "  new-plugin --kind KIND NAME [DIR]\n"
    "                      start a plugin project (rewire new-plugin --help)\n"
    "\n"
    "options:\n"
    "  --version           print the version and plugin ABI\n"
    "  -h, --help          show this help\n"
    "\n"
    "Exit status: 0 success, 1 runtime failure, 2 bad input (usage, experiment file,\n"
    "plugins), 128+N interrupted by signal N.\n"
    "Documentation: README.md and docs/ in the source tree.\n";

int rw_cli_usage_error(const char *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "rewire%s%s: error: ", cmd ? " " : "", cmd ? cmd : "");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'rewire%s%s --help'.\n", cmd ? " " : "", cmd ? cmd : "");
    return RW_EXIT_USAGE;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fputs(usage, stderr);
        return RW_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return RW_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("rewire %s (plugin ABI %d.%d)\n", REWIRE_VERSION, REWIRE_ABI_MAJOR, REWIRE_ABI_MINOR);
        return RW_EXIT_OK;
    }
    if (strcmp(cmd, "run") == 0) return rw_cli_run(argc - 1, argv + 1, false);
    if (strcmp(cmd, "validate") == 0) return rw_cli_run(argc - 1, argv + 1, true);
    if (strcmp(cmd, "plugins") == 0) return rw_cli_plugins(argc - 1, argv + 1);
    if (strcmp(cmd, "new-plugin") == 0) return rw_cli_new_plugin(argc - 1, argv + 1);
    static const char *const commands[] = {"run", "validate", "plugins", "new-plugin", "--help",
                                           "--version"};
    const char *near = rw_nearest(cmd, commands, sizeof commands / sizeof commands[0]);
    if (near) return rw_cli_usage_error(NULL, "unknown command '%s'; did you mean '%s'?", cmd, near);
    return rw_cli_usage_error(NULL, "unknown command '%s'", cmd);
}
