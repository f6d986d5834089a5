/* Host services for plugins: logging, errors, random numbers, files on the libuv loop,
 * and views of the network. */
#include "host.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "network_edit.h"
#include "control.h"
#include "rng.h"

typedef struct rw_host_impl {
    rewire_host pub;              /* first: plugins see only this */
    rw_run_ctx *ctx;
    uint64_t stream;
    char *name;
    char error[1024];
} rw_host_impl;

struct rewire_file {
    uv_file fd;
    uint64_t offset;              /* where the next append goes */
    char *path;
};

static rw_host_impl *impl(const rewire_host *h) { return (rw_host_impl *)h->host_data; }

static void host_log(const rewire_host *h, rewire_log_level level, const char *fmt, ...) {
    rw_host_impl *hi = impl(h);
    if (level > hi->ctx->log_level) return;
    static const char *const names[] = {"error", "warning", "info", "debug"};
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "rewire: %s: %s: %s\n", hi->name, names[level <= REWIRE_LOG_DEBUG ? level : 3], msg);
}

static void host_set_error(const rewire_host *h, const char *fmt, ...) {
    rw_host_impl *hi = impl(h);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(hi->error, sizeof hi->error, fmt, ap);
    va_end(ap);
}

static const void *host_get_extension(const rewire_host *h, const char *id) {
    if (id && strcmp(id, REWIRE_CONTROL_EXTENSION) == 0 && impl(h)->ctx->control)
        return rw_control_extension();
    return NULL;
}

static double host_random_uniform(const rewire_host *h, uint64_t entity, uint64_t counter) {
    rw_host_impl *hi = impl(h);
    return rw_rng_uniform(hi->ctx->exp->seed, hi->stream, entity, counter);
}

static const char *host_output_dir(const rewire_host *h) { return impl(h)->ctx->out_dir; }

static int fail_uv(const rewire_host *h, const char *what, const char *path, int err) {
    host_set_error(h, "%s '%s': %s", what, path, uv_strerror(err));
    return REWIRE_EIO;
}

/* Files are written with synchronous uv_fs calls on the loop thread: outputs run there,
 * between slices, so the kernel never waits on them mid-slice. */
static int host_file_open(const rewire_host *h, const char *rel, rewire_file **out) {
    rw_host_impl *hi = impl(h);
    *out = NULL;
    if (!rel || !rel[0] || rel[0] == '/' || strstr(rel, "..")) {
        host_set_error(h, "file name '%s' must be a plain path inside the run folder", rel ? rel : "");
        return REWIRE_EINVAL;
    }
    size_t len = strlen(hi->ctx->out_dir) + strlen(rel) + 2;
    rewire_file *f = calloc(1, sizeof *f);
    char *path = malloc(len);
    if (!f || !path) {
        free(f);
        free(path);
        return REWIRE_ENOMEM;
    }
    snprintf(path, len, "%s/%s", hi->ctx->out_dir, rel);
    uv_fs_t req;
    int fd = uv_fs_open(hi->ctx->loop, &req, path, O_WRONLY | O_CREAT | O_TRUNC, 0644, NULL);
    uv_fs_req_cleanup(&req);
    if (fd < 0) {
        int rc = fail_uv(h, "cannot create", path, fd);
        free(path);
        free(f);
        return rc;
    }
    f->fd = fd;
    f->path = path;
    *out = f;
    return 0;
}

static int write_all(const rewire_host *h, rewire_file *f, const void *buf, size_t n, uint64_t off) {
    const char *p = buf;
    while (n > 0) {
        uv_buf_t b = uv_buf_init((char *)p, (unsigned)(n > (1u << 30) ? (1u << 30) : n));
        uv_fs_t req;
        int rc = uv_fs_write(impl(h)->ctx->loop, &req, f->fd, &b, 1, (int64_t)off, NULL);
        uv_fs_req_cleanup(&req);
        if (rc < 0) return fail_uv(h, "cannot write", f->path, rc);
        if (rc == 0) return fail_uv(h, "cannot write", f->path, UV_EIO);
        p += rc;
        n -= (size_t)rc;
        off += (uint64_t)rc;
    }
    return 0;
}

static int host_file_write(const rewire_host *h, rewire_file *f, const void *buf, size_t n) {
    int rc = write_all(h, f, buf, n, f->offset);
    if (rc == 0) f->offset += n;
    return rc;
}

static int host_file_pwrite(const rewire_host *h, rewire_file *f, const void *buf, size_t n,
                            uint64_t offset) {
    return write_all(h, f, buf, n, offset);
}

static int host_file_close(const rewire_host *h, rewire_file *f) {
    if (!f) return 0;
    uv_fs_t req;
    int rc = uv_fs_close(impl(h)->ctx->loop, &req, f->fd, NULL);
    uv_fs_req_cleanup(&req);
    int status = rc < 0 ? fail_uv(h, "cannot close", f->path, rc) : 0;
    free(f->path);
    free(f);
    return status;
}

static void *host_uv_loop(const rewire_host *h) { return impl(h)->ctx->loop; }

static int host_population_find(const rewire_host *h, const char *name, rewire_population_view *out) {
    rw_run_ctx *ctx = impl(h)->ctx;
    int i = ctx->net ? rw_experiment_find_population(ctx->exp, name) : -1;
    if (i < 0) return REWIRE_ENOENT;
    return rw_network_population_view(ctx->net, (uint32_t)i, out);
}

static int host_projection_find(const rewire_host *h, const char *name, rewire_projection_view **out) {
    rw_run_ctx *ctx = impl(h)->ctx;
    for (uint32_t i = 0; ctx->net && i < ctx->exp->n_projections; i++)
        if (strcmp(ctx->exp->projections[i].name, name) == 0) {
            *out = rw_network_projection_view(ctx->net, i);
            return 0;
        }
    return REWIRE_ENOENT;
}

/* ---- ABI 1.2: time, enumeration, injuries ---- */

static int64_t host_now(const rewire_host *h) {
    rw_run_ctx *ctx = impl(h)->ctx;
    return ctx->net ? rw_network_step(ctx->net) : 0;
}

static double host_day_length(const rewire_host *h) { return impl(h)->ctx->exp->day_length; }

static int host_population_at(const rewire_host *h, uint32_t index, rewire_population_view *out) {
    rw_run_ctx *ctx = impl(h)->ctx;
    if (!ctx->net || index >= ctx->exp->n_populations) return REWIRE_ENOENT;
    return rw_network_population_view(ctx->net, index, out);
}

static int host_projection_at(const rewire_host *h, uint32_t index, rewire_projection_view **out) {
    rw_run_ctx *ctx = impl(h)->ctx;
    if (!ctx->net || index >= ctx->exp->n_projections) return REWIRE_ENOENT;
    *out = rw_network_projection_view(ctx->net, index);
    return 0;
}

/* A selection's population index, after checking that its indices fit it. */
static int selection_population(const rewire_host *h, const rewire_selection *sel, int *pop) {
    rw_run_ctx *ctx = impl(h)->ctx;
    *pop = sel && sel->population ? rw_experiment_find_population(ctx->exp, sel->population) : -1;
    if (*pop < 0) {
        host_set_error(h, "selection of an unknown population '%s'",
                       sel && sel->population ? sel->population : "(null)");
        return REWIRE_ENOENT;
    }
    uint32_t size = ctx->exp->populations[*pop].size;
    for (uint32_t k = 0; k < sel->n; k++)
        if (sel->index[k] >= size) {
            host_set_error(h, "selection index %u is outside population '%s' (size %u)",
                           sel->index[k], sel->population, size);
            return REWIRE_EINVAL;
        }
    return 0;
}

static int host_kill_neurons(const rewire_host *h, const rewire_selection *sel) {
    rw_run_ctx *ctx = impl(h)->ctx;
    int pop, rc = ctx->net ? selection_population(h, sel, &pop) : REWIRE_ESTATE;
    if (rc) return rc;
    return rw_network_kill(ctx->net, (uint32_t)pop, sel->index, sel->n) == UINT64_MAX
               ? REWIRE_ENOMEM
               : 0;
}

/* mask[i] = 1 for the selected neurons of a population of `size` (NULL sel: none made). */
static int selection_mask(const rewire_host *h, const rewire_selection *sel, const char *side,
                          const char *expected, uint32_t size, uint8_t **mask) {
    *mask = NULL;
    if (!sel) return 0;
    int pop, rc = selection_population(h, sel, &pop);
    if (rc) return rc;
    if (strcmp(sel->population, expected) != 0) {
        host_set_error(h, "the %s selection is of population '%s', but the projection's %s is '%s'",
                       side, sel->population, side, expected);
        return REWIRE_EINVAL;
    }
    *mask = calloc(size ? size : 1, 1);
    if (!*mask) return REWIRE_ENOMEM;
    for (uint32_t k = 0; k < sel->n; k++) (*mask)[sel->index[k]] = 1;
    return 0;
}

static int host_remove_synapses(const rewire_host *h, const char *projection,
                                const rewire_selection *pre, const rewire_selection *post,
                                double fraction, uint64_t *removed) {
    rw_host_impl *hi = impl(h);
    rw_run_ctx *ctx = hi->ctx;
    if (removed) *removed = 0;
    int proj = -1;
    for (uint32_t i = 0; ctx->net && projection && i < ctx->exp->n_projections; i++)
        if (strcmp(ctx->exp->projections[i].name, projection) == 0) proj = (int)i;
    if (proj < 0) {
        host_set_error(h, "no projection '%s'", projection ? projection : "(null)");
        return REWIRE_ENOENT;
    }
    if (!(fraction >= 0.0)) {
        host_set_error(h, "fraction %g is not a probability", fraction);
        return REWIRE_EINVAL;
    }
    const rw_projection_spec *ps = &ctx->exp->projections[proj];
    const rw_population_spec *a = &ctx->exp->populations[ps->pre], *b = &ctx->exp->populations[ps->post];
    uint8_t *pre_mask = NULL, *post_mask = NULL;
    int rc = selection_mask(h, pre, "source", a->name, a->size, &pre_mask);
    if (!rc) rc = selection_mask(h, post, "target", b->name, b->size, &post_mask);
    if (!rc) {
        uint64_t key = rw_rng_key(ctx->exp->seed, hi->stream);
        uint64_t n = rw_network_cut(ctx->net, (uint32_t)proj, pre_mask, post_mask, fraction, key);
        if (removed) *removed = n;
    }
    free(pre_mask);
    free(post_mask);
    return rc;
}

rewire_host *rw_host_new(rw_run_ctx *ctx, const char *instance_name, uint64_t stream) {
    rw_host_impl *hi = calloc(1, sizeof *hi);
    if (!hi) return NULL;
    hi->name = strdup(instance_name);
    if (!hi->name) {
        free(hi);
        return NULL;
    }
    hi->ctx = ctx;
    hi->stream = stream;
    rewire_host *h = &hi->pub;
    h->struct_size = sizeof *h;
    h->abi_major = REWIRE_ABI_MAJOR;
    h->abi_minor = REWIRE_ABI_MINOR;
    h->host_version = REWIRE_VERSION;
    h->instance_name = hi->name;
    h->host_data = hi;
    h->log = host_log;
    h->set_error = host_set_error;
    h->get_extension = host_get_extension;
    h->random_uniform = host_random_uniform;
    h->output_dir = host_output_dir;
    h->file_open = host_file_open;
    h->file_write = host_file_write;
    h->file_pwrite = host_file_pwrite;
    h->file_close = host_file_close;
    h->uv_loop = host_uv_loop;
    h->population_find = host_population_find;
    h->projection_find = host_projection_find;
    h->now = host_now;
    h->day_length = host_day_length;
    h->population_at = host_population_at;
    h->projection_at = host_projection_at;
    h->kill_neurons = host_kill_neurons;
    h->remove_synapses = host_remove_synapses;
    return h;
}

void rw_host_free(rewire_host *h) {
    if (!h) return;
    rw_host_impl *hi = impl(h);
    if (hi->ctx->control) rw_control_release_all(hi->ctx->control, h);
    free(hi->name);
    free(hi);
}

const char *rw_host_error(const rewire_host *h) { return impl(h)->error; }
void rw_host_clear_error(rewire_host *h) { impl(h)->error[0] = '\0'; }
struct rw_control *rw_host_control(const rewire_host *h) { return impl(h)->ctx->control; }
