/* The rewire command line: subcommands share this header. */
#ifndef RW_CLI_H
#define RW_CLI_H

#include <stdbool.h>

#define RW_EXIT_OK 0
#define RW_EXIT_RUNTIME 1
#define RW_EXIT_USAGE 2

int rw_cli_run(int argc, char **argv, bool validate_only);
int rw_cli_plugins(int argc, char **argv);
int rw_cli_new_plugin(int argc, char **argv);

/* "rewire CMD: MESSAGE" on stderr, plus "Try 'rewire CMD --help'."; returns RW_EXIT_USAGE. */
int rw_cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
