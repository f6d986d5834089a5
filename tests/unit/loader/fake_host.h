/* A rewire_host for tests: plugins get the services they would get in a run, with
 * file services on plain stdio inside a temporary folder and errors captured so tests
 * can check what a plugin said. */
#ifndef RW_TEST_FAKE_HOST_H
#define RW_TEST_FAKE_HOST_H

#include <limits.h>
#include <rewire/plugin.h>

typedef struct fake_host {
    rewire_host host;          /* hand &fh->host to plugins */
    char out_dir[PATH_MAX];    /* output_dir(); a fresh temporary folder */
    char last_error[1024];     /* the last set_error() message, "" if none */
    unsigned n_set_error;
    unsigned n_open_files;     /* opened and not yet closed */
    unsigned n_file_writes;    /* file_write calls (for chunking checks) */
    unsigned n_file_pwrites;
    bool own_dir;              /* out_dir was made by fake_host_init: cleanup removes it */
} fake_host;

/* Set up the host writing into out_dir, or into a new temporary folder when out_dir is
 * NULL; false (with a message on stderr) when the folder cannot be made. */
bool fake_host_init(fake_host *fh, const char *instance_name, const char *out_dir);
/* Remove the output folder and everything in it, if fake_host_init made it. */
void fake_host_cleanup(fake_host *fh);
/* OUT_DIR/name, into buf. */
const char *fake_host_path(const fake_host *fh, const char *name, char *buf, size_t size);
/* The whole content of OUT_DIR/name (NUL-terminated, `*size` without it), or NULL. */
char *fake_host_read_file(const fake_host *fh, const char *name, size_t *size);

#endif
