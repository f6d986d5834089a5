/* fake_host.c: the services of rewire_host for tests, on stdio. */
#include "fake_host.h"

#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct rewire_file {
    FILE *fp;
};

static fake_host *fake_of(const rewire_host *h) { return h->host_data; }

static void fake_log(const rewire_host *h, rewire_log_level level, const char *fmt, ...) {
    static const char *const names[] = {"error", "warning", "info", "debug"};
    va_list ap;
    va_start(ap, fmt);
    /* TAP ignores lines starting with '#': logs show up without breaking the protocol. */
    printf("# [%s] %s: ", level <= REWIRE_LOG_DEBUG ? names[level] : "?", h->instance_name);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
}

static void fake_set_error(const rewire_host *h, const char *fmt, ...) {
    fake_host *fh = fake_of(h);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fh->last_error, sizeof fh->last_error, fmt, ap);
    va_end(ap);
    fh->n_set_error++;
}

static const void *fake_get_extension(const rewire_host *h, const char *id) {
    (void)h;
    (void)id;
    return NULL;
}

/* splitmix64 of the key: deterministic, as the real host's counter-based generator. */
static double fake_random_uniform(const rewire_host *h, uint64_t entity, uint64_t counter) {
    (void)h;
    uint64_t z = entity * 0x9E3779B97F4A7C15ull + counter + 0x632BE59BD9B4E019ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-53;
}

static const char *fake_output_dir(const rewire_host *h) { return fake_of(h)->out_dir; }

static int fake_file_open(const rewire_host *h, const char *relative_path, rewire_file **out) {
    fake_host *fh = fake_of(h);
    char path[PATH_MAX];
    fake_host_path(fh, relative_path, path, sizeof path);
    rewire_file *f = malloc(sizeof *f);
    if (!f) return REWIRE_ENOMEM;
    f->fp = fopen(path, "w+b");
    if (!f->fp) {
        fake_set_error(h, "cannot create %s: %s", path, strerror(errno));
        free(f);
        return REWIRE_EIO;
    }
    fh->n_open_files++;
    *out = f;
    return REWIRE_OK;
}

/* Every write is flushed, so a test reads on disk what a plugin wrote so far -- the
 * state an interrupted run would leave. */
static int fake_file_write(const rewire_host *h, rewire_file *f, const void *buf, size_t n) {
    fake_of(h)->n_file_writes++;
    if (fseeko(f->fp, 0, SEEK_END) != 0 || fwrite(buf, 1, n, f->fp) != n || fflush(f->fp) != 0) {
        fake_set_error(h, "write failed: %s", strerror(errno));
        return REWIRE_EIO;
    }
    return REWIRE_OK;
}

static int fake_file_pwrite(const rewire_host *h, rewire_file *f, const void *buf, size_t n,
                            uint64_t offset) {
    fake_of(h)->n_file_pwrites++;
    if (fseeko(f->fp, (off_t)offset, SEEK_SET) != 0 || fwrite(buf, 1, n, f->fp) != n ||
        fflush(f->fp) != 0) {
        fake_set_error(h, "pwrite failed: %s", strerror(errno));
        return REWIRE_EIO;
    }
    return REWIRE_OK;
}

static int fake_file_close(const rewire_host *h, rewire_file *f) {
    fake_of(h)->n_open_files--;
    int rc = fclose(f->fp) == 0 ? REWIRE_OK : REWIRE_EIO;
    free(f);
    return rc;
}

static void *fake_uv_loop(const rewire_host *h) {
    (void)h;
    return NULL;
}

static int fake_population_find(const rewire_host *h, const char *name,
                                rewire_population_view *out) {
    (void)h;
    (void)name;
    (void)out;
    return REWIRE_ENOENT;
}

static int fake_projection_find(const rewire_host *h, const char *name,
                                rewire_projection_view **out) {
    (void)h;
    (void)name;
    (void)out;
    return REWIRE_ENOENT;
}

bool fake_host_init(fake_host *fh, const char *instance_name, const char *out_dir) {
    memset(fh, 0, sizeof *fh);
    if (out_dir) {
        snprintf(fh->out_dir, sizeof fh->out_dir, "%s", out_dir);
    } else {
        const char *tmp = getenv("TMPDIR");
        snprintf(fh->out_dir, sizeof fh->out_dir, "%s/rewire-test-XXXXXX",
                 tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(fh->out_dir)) {
            fprintf(stderr, "cannot create a temporary folder %s: %s\n", fh->out_dir,
                    strerror(errno));
            return false;
        }
        fh->own_dir = true;
    }
    fh->host = (rewire_host){
        .struct_size = sizeof(rewire_host),
        .abi_major = REWIRE_ABI_MAJOR,
        .abi_minor = REWIRE_ABI_MINOR,
        .host_version = "test",
        .instance_name = instance_name,
        .host_data = fh,
        .log = fake_log,
        .set_error = fake_set_error,
        .get_extension = fake_get_extension,
        .random_uniform = fake_random_uniform,
        .output_dir = fake_output_dir,
        .file_open = fake_file_open,
        .file_write = fake_file_write,
        .file_pwrite = fake_file_pwrite,
        .file_close = fake_file_close,
        .uv_loop = fake_uv_loop,
        .population_find = fake_population_find,
        .projection_find = fake_projection_find,
    };
    return true;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void fake_host_cleanup(fake_host *fh) {
    if (fh->own_dir) nftw(fh->out_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

const char *fake_host_path(const fake_host *fh, const char *name, char *buf, size_t size) {
    snprintf(buf, size, "%s/%s", fh->out_dir, name);
    return buf;
}

char *fake_host_read_file(const fake_host *fh, const char *name, size_t *size) {
    char path[PATH_MAX];
    FILE *fp = fopen(fake_host_path(fh, name, path, sizeof path), "rb");
    if (!fp) return NULL;
    char *data = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *p = realloc(data, cap);
            if (!p) {
                free(data);
                fclose(fp);
                return NULL;
            }
            data = p;
        }
        size_t got = fread(data + len, 1, 4096, fp);
        len += got;
        if (got < 4096) break;
    }
    fclose(fp);
    data[len] = '\0';
    if (size) *size = len;
    return data;
}
