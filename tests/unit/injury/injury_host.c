/* injury_host.c: see injury_host.h. */
#include "injury_host.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static injury_host *ih_of(const rewire_host *h) { return (injury_host *)h->host_data; }

static void bail(const char *what) {
    printf("Bail out! %s\n", what);
    exit(1);
}

static void *xcalloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size);
    if (!p) bail("out of memory");
    return p;
}

static void ih_log(const rewire_host *h, rewire_log_level level, const char *fmt, ...) {
    (void)h;
    va_list ap;
    va_start(ap, fmt);
    printf("# [%d] ", (int)level);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
}

static void ih_set_error(const rewire_host *h, const char *fmt, ...) {
    injury_host *ih = ih_of(h);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ih->last_error, sizeof ih->last_error, fmt, ap);
    va_end(ap);
    ih->n_errors++;
}

static const void *ih_get_extension(const rewire_host *h, const char *id) {
    (void)h, (void)id;
    return NULL;
}

/* splitmix64 of the key, as a counter-based generator. */
static double ih_random_uniform(const rewire_host *h, uint64_t entity, uint64_t counter) {
    (void)h;
    uint64_t z = entity * 0x9E3779B97F4A7C15ull + counter + 0x632BE59BD9B4E019ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-53;
}

ih_population *ih_population_named(injury_host *ih, const char *name) {
    for (uint32_t k = 0; k < ih->n_pops; k++)
        if (strcmp(ih->pops[k].name, name) == 0) return &ih->pops[k];
    return NULL;
}

ih_projection *ih_projection_named(injury_host *ih, const char *name) {
    for (uint32_t k = 0; k < ih->n_projs; k++)
        if (strcmp(ih->projs[k].name, name) == 0) return &ih->projs[k];
    return NULL;
}

static int ih_population_find(const rewire_host *h, const char *name, rewire_population_view *out) {
    ih_population *p = ih_population_named(ih_of(h), name);
    if (!p) return REWIRE_ENOENT;
    *out = p->view;
    return REWIRE_OK;
}

static int ih_projection_find(const rewire_host *h, const char *name, rewire_projection_view **out) {
    ih_projection *p = ih_projection_named(ih_of(h), name);
    if (!p) return REWIRE_ENOENT;
    *out = &p->view;
    return REWIRE_OK;
}

static int64_t ih_now(const rewire_host *h) { return ih_of(h)->now; }

static double ih_day_length(const rewire_host *h) {
    (void)h;
    return 0.0;
}

static int ih_population_at(const rewire_host *h, uint32_t index, rewire_population_view *out) {
    injury_host *ih = ih_of(h);
    if (index >= ih->n_pops) return REWIRE_ENOENT;
    *out = ih->pops[index].view;
    return REWIRE_OK;
}

static int ih_projection_at(const rewire_host *h, uint32_t index, rewire_projection_view **out) {
    injury_host *ih = ih_of(h);
    if (index >= ih->n_projs) return REWIRE_ENOENT;
    *out = &ih->projs[index].view;
    return REWIRE_OK;
}

static void copy_selection(ih_selection_copy *c, const rewire_selection *sel) {
    memset(c, 0, sizeof *c);
    if (!sel) return;
    c->has = true;
    snprintf(c->population, sizeof c->population, "%s", sel->population);
    c->n = sel->n;
    for (uint32_t k = 0; k < sel->n && k < IH_MAX_SEL; k++) c->index[k] = sel->index[k];
}

static bool selected(const rewire_selection *sel, uint32_t i) {
    if (!sel) return true;
    for (uint32_t k = 0; k < sel->n; k++)
        if (sel->index[k] == i) return true;
    return false;
}

/* Remove the synapses i -> j with drop(i, j) true, keeping each row's order (a plain
 * projection compacts in place; a structural one shortens its rows). */
static uint64_t remove_where(const rewire_host *h, ih_projection *p, uint32_t entity,
                             const rewire_selection *pre, const rewire_selection *post,
                             const char *dead_pop, const uint8_t *alive, double fraction) {
    uint64_t removed = 0;
    uint32_t out = 0;
    const uint32_t n_pre = p->view.n_pre;
    const bool pre_dead = alive && strcmp(p->pre, dead_pop) == 0;
    const bool post_dead = alive && strcmp(p->post, dead_pop) == 0;
    uint32_t row_start = 0;
    for (uint32_t i = 0; i < n_pre; i++) {
        const uint32_t begin = p->row_offsets[i];
        const uint32_t end = p->row_lengths ? begin + p->row_lengths[i] : p->row_offsets[i + 1];
        uint32_t kept = 0;
        if (p->row_lengths) out = begin;
        row_start = out;
        for (uint32_t s = begin; s < end; s++) {
            const uint32_t j = p->targets[s];
            bool drop;
            if (alive)
                drop = (pre_dead && !alive[i]) || (post_dead && !alive[j]);
            else
                drop = selected(pre, i) && selected(post, j) &&
                       (fraction >= 1.0 || h->random_uniform(h, entity, s) < fraction);
            if (drop) {
                removed++;
                continue;
            }
            p->targets[out] = j;
            p->weights[out] = p->weights[s];
            p->delays[out] = p->delays[s];
            out++, kept++;
        }
        if (p->row_lengths)
            p->row_lengths[i] = kept;
        else
            p->row_offsets[i] = row_start;
    }
    if (!p->row_lengths) {
        p->row_offsets[n_pre] = out;
        p->view.n_syn = out;
    }
    return removed;
}

static int ih_kill_neurons(const rewire_host *h, const rewire_selection *sel) {
    injury_host *ih = ih_of(h);
    ih_population *pop = ih_population_named(ih, sel->population);
    if (!pop) return REWIRE_ENOENT;
    if (ih->n_kills < IH_MAX_CALLS) copy_selection(&ih->kills[ih->n_kills], sel);
    ih->n_kills++;
    for (uint32_t k = 0; k < sel->n; k++) {
        pop->alive[sel->index[k]] = 0;
        if (pop->excitability) pop->excitability[sel->index[k]] = 0.0f;
    }
    for (uint32_t k = 0; k < ih->n_projs; k++)
        remove_where(h, &ih->projs[k], k, NULL, NULL, pop->name, pop->alive, 1.0);
    return REWIRE_OK;
}

static int ih_remove_synapses(const rewire_host *h, const char *projection,
                              const rewire_selection *pre, const rewire_selection *post,
                              double fraction, uint64_t *removed) {
    injury_host *ih = ih_of(h);
    ih_projection *p = ih_projection_named(ih, projection);
    if (!p) return REWIRE_ENOENT;
    const uint64_t n = remove_where(h, p, (uint32_t)(p - ih->projs), pre, post, "", NULL,
                                    fraction);
    if (ih->n_removals < IH_MAX_CALLS) {
        ih_removal *r = &ih->removals[ih->n_removals];
        snprintf(r->projection, sizeof r->projection, "%s", projection);
        copy_selection(&r->pre, pre);
        copy_selection(&r->post, post);
        r->fraction = fraction;
        r->removed = n;
    }
    ih->n_removals++;
    if (removed) *removed = n;
    return REWIRE_OK;
}

void ih_init(injury_host *ih, bool old_abi) {
    memset(ih, 0, sizeof *ih);
    ih->host = (rewire_host){
        .struct_size = old_abi ? (uint32_t)offsetof(rewire_host, now) : (uint32_t)sizeof(rewire_host),
        .abi_major = REWIRE_ABI_MAJOR,
        .abi_minor = old_abi ? 1 : REWIRE_ABI_MINOR,
        .host_version = "test",
        .instance_name = "injury",
        .host_data = ih,
        .log = ih_log,
        .set_error = ih_set_error,
        .get_extension = ih_get_extension,
        .random_uniform = ih_random_uniform,
        .population_find = ih_population_find,
        .projection_find = ih_projection_find,
    };
    if (!old_abi) {
        ih->host.now = ih_now;
        ih->host.day_length = ih_day_length;
        ih->host.population_at = ih_population_at;
        ih->host.projection_at = ih_projection_at;
        ih->host.kill_neurons = ih_kill_neurons;
        ih->host.remove_synapses = ih_remove_synapses;
    }
}

void ih_free(injury_host *ih) {
    for (uint32_t k = 0; k < ih->n_pops; k++) {
        free(ih->pops[k].excitability);
        free(ih->pops[k].alive);
    }
    for (uint32_t k = 0; k < ih->n_projs; k++) {
        ih_projection *p = &ih->projs[k];
        free(p->row_offsets);
        free(p->row_lengths);
        free(p->targets);
        free(p->weights);
        free(p->delays);
    }
    memset(ih, 0, sizeof *ih);
}

ih_population *ih_add_population(injury_host *ih, const char *name, const char *model,
                                 uint32_t size) {
    if (ih->n_pops == IH_MAX_POPS) bail("too many populations");
    ih_population *p = &ih->pops[ih->n_pops++];
    snprintf(p->name, sizeof p->name, "%s", name);
    snprintf(p->model, sizeof p->model, "%s", model);
    p->alive = xcalloc(size, sizeof *p->alive);
    memset(p->alive, 1, size);
    if (strcmp(model, "poisson") != 0) {
        p->excitability = xcalloc(size, sizeof *p->excitability);
        for (uint32_t i = 0; i < size; i++) p->excitability[i] = 1.0f;
    }
    p->view = (rewire_population_view){.struct_size = sizeof(rewire_population_view),
                                       .name = p->name, .model = p->model, .size = size,
                                       .excitability = p->excitability, .alive = p->alive};
    return p;
}

ih_projection *ih_add_projection(injury_host *ih, const char *name, const char *pre_pop,
                                 const char *post_pop, uint32_t n, const uint32_t *pre,
                                 const uint32_t *post, const float *w, uint32_t room) {
    if (ih->n_projs == IH_MAX_PROJS) bail("too many projections");
    const ih_population *a = ih_population_named(ih, pre_pop), *b = ih_population_named(ih, post_pop);
    if (!a || !b) bail("a projection between unknown populations");
    ih_projection *p = &ih->projs[ih->n_projs++];
    snprintf(p->name, sizeof p->name, "%s", name);
    snprintf(p->pre, sizeof p->pre, "%s", pre_pop);
    snprintf(p->post, sizeof p->post, "%s", post_pop);
    const uint32_t n_pre = a->view.size;
    p->row_offsets = xcalloc(n_pre + 1, sizeof *p->row_offsets);
    uint32_t *len = xcalloc(n_pre, sizeof *len);
    for (uint32_t s = 0; s < n; s++) len[pre[s]]++;
    for (uint32_t i = 0; i < n_pre; i++) p->row_offsets[i + 1] = p->row_offsets[i] + len[i] + room;
    const uint32_t cap = p->row_offsets[n_pre];
    p->targets = xcalloc(cap, sizeof *p->targets);
    p->weights = xcalloc(cap, sizeof *p->weights);
    p->delays = xcalloc(cap, sizeof *p->delays);
    for (uint32_t s = 0; s < cap; s++)
        p->targets[s] = b->view.size - 1, p->weights[s] = 1000.0f, p->delays[s] = 1;
    memset(len, 0, n_pre * sizeof *len);
    for (uint32_t s = 0; s < n; s++) {
        const uint32_t at = p->row_offsets[pre[s]] + len[pre[s]]++;
        p->targets[at] = post[s];
        p->weights[at] = w[s];
    }
    if (room)
        p->row_lengths = len;
    else
        free(len);
    p->view = (rewire_projection_view){
        .struct_size = sizeof(rewire_projection_view), .name = p->name,
        .pre_population = p->pre, .post_population = p->post, .n_pre = n_pre,
        .n_post = b->view.size, .n_syn = cap, .row_offsets = p->row_offsets,
        .targets = p->targets, .weights = p->weights, .delays = p->delays, .dt = 0.1,
        .plasticity_gain = 1.0f, .row_lengths = p->row_lengths,
        .edit_targets = room ? p->targets : NULL, .edit_delays = room ? p->delays : NULL};
    return p;
}

bool ih_has_synapse(const ih_projection *p, uint32_t pre, uint32_t post) {
    const uint32_t begin = p->row_offsets[pre];
    const uint32_t end = p->row_lengths ? begin + p->row_lengths[pre] : p->row_offsets[pre + 1];
    for (uint32_t s = begin; s < end; s++)
        if (p->targets[s] == post) return true;
    return false;
}

const rewire_plugin_descriptor *ih_load(const char *path, const char *name, void **handle) {
    *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!*handle) {
        printf("Bail out! cannot load %s: %s\n", path, dlerror());
        exit(1);
    }
    rewire_plugin_entry_fn entry;
    *(void **)&entry = dlsym(*handle, REWIRE_ENTRY_SYMBOL);
    const rewire_plugin_table *table = entry ? entry() : NULL;
    for (uint32_t k = 0; table && k < table->count; k++)
        if (strcmp(table->plugins[k]->name, name) == 0) return table->plugins[k];
    printf("Bail out! %s has no plugin named '%s'\n", path, name);
    exit(1);
}

void ih_unload(void *handle) { dlclose(handle); }

ih_params ih_defaults(const rewire_plugin_descriptor *d) {
    ih_params p;
    memset(&p, 0, sizeof p);
    for (uint32_t i = 0; i < d->n_params && i < 16; i++) {
        const rewire_param_spec *s = &d->params[i];
        switch (s->type) {
        case REWIRE_PARAM_REAL: p.v[i].real = s->def_real; break;
        case REWIRE_PARAM_INT: p.v[i].integer = s->def_int; break;
        case REWIRE_PARAM_BOOL: p.v[i].boolean = s->def_int != 0; break;
        case REWIRE_PARAM_ENUM: p.v[i].choice = (int32_t)s->def_int; break;
        default: break;
        }
    }
    return p;
}

int ih_param(const rewire_plugin_descriptor *d, const char *name) {
    for (uint32_t i = 0; i < d->n_params; i++)
        if (strcmp(d->params[i].name, name) == 0) return (int)i;
    printf("Bail out! %s has no parameter '%s'\n", d->name, name);
    exit(1);
}

bool ih_same_selection(const ih_selection_copy *copy, const rewire_selection *expected) {
    if (!expected) return !copy->has;
    if (!copy->has || strcmp(copy->population, expected->population) != 0 ||
        copy->n != expected->n)
        return false;
    for (uint32_t k = 0; k < expected->n; k++)
        if (copy->index[k] != expected->index[k]) return false;
    return true;
}
