/* The network: building it from a validated experiment, views for plugins, learning
 * rules' storage, statistics.  The step loop is in kernel.c, the models in neurons.c
 * and rate.c, the synapses in connect.c. */
#include <stdlib.h>
#include <string.h>

#include "network_internal.h"
#include "pool.h"

static bool is_lif(rw_model_kind m) { return m == RW_MODEL_LIF_CUBA || m == RW_MODEL_LIF_COBA; }
/* Populations with input rings: the ones projections may end on. */
static bool has_input(rw_model_kind m) { return is_lif(m) || m == RW_MODEL_RATE; }

static void proj_free(rw_proj *pr) {
    free(pr->name);
    free(pr->row_offsets);
    free(pr->row_lengths);
    free(pr->span);
    free(pr->targets);
    free(pr->weights);
    free(pr->delays);
    free(pr->syn_state_block);
    free(pr->syn_state);
    free(pr->col_offsets);
    free(pr->col_synapses);
    free(pr->col_fill);
    free(pr->pre_release);
    free(pr->cut);
}

void rw_network_free(rw_network *net) {
    if (!net) return;
    for (uint32_t i = 0; i < net->n_projs; i++) {
        rw_proj *pr = &net->projs[i];
        /* The release factors of the spike history (network_edit.c), one per slot. */
        for (uint32_t k = 0; pr->hist_rel && k < net->hist_len; k++) free(pr->hist_rel[k]);
        free(pr->hist_rel);
        proj_free(pr);
    }
    for (uint32_t i = 0; i < net->n_pops; i++) {
        free(net->pops[i].x);
        free(net->pops[i].y);
        rw_pop_free(&net->pops[i]);
    }
    free(net->projs);
    free(net->pops);
    rw_pool_free(net->pool);
    free(net->ts);
    free(net);
}

int rw_network_set_threads(rw_network *net, uint32_t n_threads) {
    if (n_threads < 1) n_threads = 1;
    if (n_threads > RW_MAX_THREADS) n_threads = RW_MAX_THREADS;
    rw_pool_free(net->pool);
    net->pool = NULL;
    free(net->ts);
    net->n_threads = n_threads;
    net->ts = aligned_alloc(64, n_threads * sizeof *net->ts);
    if (!net->ts) return REWIRE_ENOMEM;
    memset(net->ts, 0, n_threads * sizeof *net->ts);
    if (n_threads > 1 && !(net->pool = rw_pool_new(n_threads))) return REWIRE_ENOMEM;
    for (uint32_t i = 0; i < net->n_pops; i++)
        if (rw_pop_alloc_parts(&net->pops[i], n_threads, net->min_delay)) return REWIRE_ENOMEM;
    for (uint32_t k = 0; k < net->n_projs; k++) {
        rw_proj *pr = &net->projs[k];
        int rc = rw_connect_alloc_cuts(pr, n_threads, net->pops[pr->post].bound,
                                       !rw_rule_is_structural(pr->rule));
        if (rc) return rc;
    }
    return REWIRE_OK;
}

uint32_t rw_network_threads(const rw_network *net) { return net->n_threads; }

/* Point the view at the projection's current arrays (after building or attaching). */
void rw_proj_sync_view(rw_network *net, rw_proj *pr) {
    rewire_projection_view *v = &pr->view;
    v->struct_size = sizeof *v;
    v->name = pr->name;
    v->pre_population = net->pops[pr->pre].name;
    v->post_population = net->pops[pr->post].name;
    v->n_pre = pr->n_pre;
    v->n_post = pr->n_post;
    v->n_syn = (uint32_t)pr->n_syn;
    v->row_offsets = pr->row_offsets;
    v->targets = pr->targets;
    v->weights = pr->weights;
    v->delays = pr->delays;
    v->col_offsets = pr->col_offsets;
    v->col_synapses = pr->col_synapses;
    v->syn_state = pr->syn_state;
    v->dt = net->dt;
    /* Rate arrays never move: rate rules read them in on_slice (rates at its end). */
    v->pre_rate = net->pops[pr->pre].r;
    v->post_rate = net->pops[pr->post].r;
    v->pre_release = pr->pre_release;
    const bool structural = rw_rule_is_structural(pr->rule);
    v->row_lengths = structural ? pr->row_lengths : NULL;
    v->edit_targets = structural ? pr->targets : NULL;
    v->edit_delays = structural ? pr->delays : NULL;
}

static int build_projections(rw_network *net, const rw_experiment *e, rw_diag *d) {
    int failed = 0;
    for (uint32_t k = 0; k < e->n_projections; k++) {
        const rw_projection_spec *ps = &e->projections[k];
        rw_proj *pr = &net->projs[k];
        pr->pre = ps->pre;
        pr->post = ps->post;
        pr->receptor = ps->receptor;
        pr->name = strdup(ps->name ? ps->name : "");
        if (!pr->name) {
            rw_diag_error(d, ps->loc, "out of memory");
            return -1;
        }
        rw_model_kind pre = e->populations[ps->pre].model, post = e->populations[ps->post].model;
        if (!has_input(post)) {
            rw_diag_error(d, ps->loc,
                          "projection '%s' targets population '%s', which is a %s source; "
                          "projections end on lif_cuba, lif_coba or rate populations",
                          ps->name, e->populations[ps->post].name, rw_model_name(post));
            failed = 1;
            continue;
        }
        if (rw_model_is_rate(pre) != rw_model_is_rate(post)) {
            rw_diag_error(d, ps->loc,
                          "projection '%s' connects '%s' (%s) to '%s' (%s); spiking and rate "
                          "populations cannot be connected",
                          ps->name, e->populations[ps->pre].name, rw_model_name(pre),
                          e->populations[ps->post].name, rw_model_name(post));
            failed = 1;
            continue;
        }
        /* Keep going after an error so that every bad projection is reported. */
        if (rw_connect_build(pr, e, k, d)) failed = 1;
        pr->view.plasticity_gain = 1.0f;
        pr->view.neuromodulator = 0.0f;
    }
    return failed ? -1 : 0;
}

/* The layout's positions (ABI 1.2 view fields x, y), when the population has one. */
static int copy_positions(rw_pop *p, const rw_population_spec *s) {
    if (!s->x || !s->y) return 0;
    size_t bytes = (size_t)p->n * sizeof(float);
    p->x = malloc(bytes ? bytes : 1);
    p->y = malloc(bytes ? bytes : 1);
    if (!p->x || !p->y) return -1;
    memcpy(p->x, s->x, bytes);
    memcpy(p->y, s->y, bytes);
    return 0;
}

rw_network *rw_network_build(const rw_experiment *e, rw_diag *d) {
    rw_network *net = calloc(1, sizeof *net);
    if (!net) {
        rw_diag_error(d, (rw_loc){e->file, 0, 0}, "out of memory building the network");
        return NULL;
    }
    net->dt = e->dt;
    net->seed = e->seed;
    net->n_pops = e->n_populations;
    net->n_projs = e->n_projections;
    net->pops = calloc(e->n_populations ? e->n_populations : 1, sizeof *net->pops);
    net->projs = calloc(e->n_projections ? e->n_projections : 1, sizeof *net->projs);
    if (!net->pops || !net->projs) {
        rw_diag_error(d, (rw_loc){e->file, 0, 0}, "out of memory building the network");
        rw_network_free(net);
        return NULL;
    }
    if (build_projections(net, e, d)) {
        rw_network_free(net);
        return NULL;
    }

    /* The slice is bounded by the shortest delay; each ring by the longest delay into
     * its population. */
    int64_t min_delay = 0;
    for (uint32_t k = 0; k < net->n_projs; k++) {
        const rw_proj *pr = &net->projs[k];
        if (pr->n_syn && (min_delay == 0 || pr->min_delay < min_delay)) min_delay = pr->min_delay;
    }
    net->min_delay = min_delay ? min_delay : RW_UNCONNECTED_SLICE;

    for (uint32_t i = 0; i < net->n_pops; i++) {
        rw_pop *p = &net->pops[i];
        if (rw_pop_init(p, e, i, net->min_delay)) {
            rw_diag_error(d, e->populations[i].loc,
                          "out of memory building population '%s' (%u neurons)",
                          e->populations[i].name, e->populations[i].size);
            rw_network_free(net);
            return NULL;
        }
        if (copy_positions(p, &e->populations[i])) {
            rw_diag_error(d, e->populations[i].loc, "out of memory placing population '%s'",
                          e->populations[i].name);
            rw_network_free(net);
            return NULL;
        }
        if (!has_input(p->model)) continue;
        uint32_t longest = 0;
        for (uint32_t k = 0; k < net->n_projs; k++)
            if (net->projs[k].post == i && net->projs[k].max_delay > longest)
                longest = net->projs[k].max_delay;
        if (rw_pop_alloc_rings(p, longest + 1)) {
            rw_diag_error(d, e->populations[i].loc,
                          "out of memory allocating the input buffers of population '%s' "
                          "(%u neurons x %u delay steps)",
                          e->populations[i].name, p->n, longest + 1);
            rw_network_free(net);
            return NULL;
        }
    }
    if (rw_network_set_threads(net, 1)) {
        rw_diag_error(d, (rw_loc){e->file, 0, 0}, "out of memory building the network");
        rw_network_free(net);
        return NULL;
    }
    for (uint32_t k = 0; k < net->n_projs; k++) rw_proj_sync_view(net, &net->projs[k]);
    return net;
}

int64_t rw_network_step(const rw_network *net) { return net->step; }
int64_t rw_network_min_delay(const rw_network *net) { return net->min_delay; }
double rw_network_dt(const rw_network *net) { return net->dt; }

rewire_projection_view *rw_network_projection_view(rw_network *net, uint32_t proj) {
    return proj < net->n_projs ? &net->projs[proj].view : NULL;
}

int rw_network_population_view(rw_network *net, uint32_t pop, rewire_population_view *out) {
    if (pop >= net->n_pops) return REWIRE_ENOENT;
    rw_pop *p = &net->pops[pop];
    memset(out, 0, sizeof *out);
    out->struct_size = sizeof *out;
    out->name = p->name;
    out->model = rw_model_name(p->model);
    out->size = p->n;
    out->v = p->v;
    out->excitability = p->excitability;
    /* Poisson sources: their rate; rate models: r (a write is the new state of a rate
     * unit; a rate_input unit shows its presentation again at the next step: drive it
     * through input_gain and drive instead). */
    out->rate = rw_model_is_rate(p->model) ? p->r : p->rate;
    out->input_gain = p->input_gain;
    out->drive = p->drive;
    out->spike_counts = p->spike_counts;
    out->alive = p->alive;
    out->x = p->x;
    out->y = p->y;
    return REWIRE_OK;
}

/* Synapses of room per row that a structural rule asks for (0 from a 1.0 table). */
static uint32_t rule_row_reserve(const rewire_learning_rule_v1 *rule, void *instance) {
    if (!REWIRE_HAS_FIELD(rewire_learning_rule_v1, rule->struct_size, row_reserve) ||
        !rule->row_reserve)
        return 0;
    return rule->row_reserve(instance);
}

/* Give every row the capacity max(its length, reserve): the synapses move to new
 * arrays, each row's unused tail is filled with harmless values (target 0, weight 0,
 * the shortest allowed delay).  Returns 0, REWIRE_ENOMEM, or REWIRE_EINVAL when the
 * capacity would pass 2^32-1 synapses. */
static int proj_make_room(rw_proj *pr, uint32_t reserve) {
    uint64_t total = 0;
    for (uint32_t i = 0; i < pr->n_pre; i++)
        total += pr->row_lengths[i] > reserve ? pr->row_lengths[i] : reserve;
    if (total > UINT32_MAX) return REWIRE_EINVAL;
    if (total == pr->n_syn) return REWIRE_OK;
    size_t n = total ? (size_t)total : 1;
    uint32_t *tgt = malloc(n * sizeof *tgt);
    float *w = malloc(n * sizeof *w);
    uint16_t *dl = malloc(n * sizeof *dl);
    if (!tgt || !w || !dl) {
        free(tgt);
        free(w);
        free(dl);
        return REWIRE_ENOMEM;
    }
    uint32_t at = 0;
    for (uint32_t i = 0; i < pr->n_pre; i++) {
        const uint32_t a = pr->row_offsets[i], len = pr->row_lengths[i];
        const uint32_t cap = len > reserve ? len : reserve;
        memcpy(tgt + at, pr->targets + a, (size_t)len * sizeof *tgt);
        memcpy(w + at, pr->weights + a, (size_t)len * sizeof *w);
        memcpy(dl + at, pr->delays + a, (size_t)len * sizeof *dl);
        for (uint32_t s = at + len; s < at + cap; s++) {
            tgt[s] = 0;
            w[s] = 0.0f;
            dl[s] = pr->delay_lo;
        }
        pr->row_offsets[i] = at;
        at += cap;
    }
    pr->row_offsets[pr->n_pre] = at;
    free(pr->targets);
    free(pr->weights);
    free(pr->delays);
    pr->targets = tgt;
    pr->weights = w;
    pr->delays = dl;
    pr->n_syn = total;
    rw_connect_fill_spans(pr);
    return REWIRE_OK;
}

int rw_network_attach_rule(rw_network *net, uint32_t proj, const rewire_learning_rule_v1 *rule,
                           void *instance) {
    if (proj >= net->n_projs) return REWIRE_ENOENT;
    rw_proj *pr = &net->projs[proj];
    if (pr->rule) return REWIRE_ESTATE;
    if (rw_rule_is_structural(rule)) {
        /* A new synapse's delay must keep the slice (network's shortest delay) and fit
         * the post population's ring. */
        const uint32_t slots = net->pops[pr->post].ring_slots;
        const int64_t lo = net->min_delay;
        if (slots < 2 || lo > (int64_t)slots - 1) return REWIRE_EINVAL;
        pr->delay_lo = (uint16_t)lo;
        pr->delay_hi = (uint16_t)(slots - 1);
        int rc = proj_make_room(pr, rule_row_reserve(rule, instance));
        /* Its rows stop being sorted: threads filter the whole row instead of cuts. */
        if (!rc) rc = rw_connect_alloc_cuts(pr, net->n_threads, net->pops[pr->post].bound, false);
        if (rc) return rc;
    }
    uint32_t n_state = rule->n_syn_state;
    if (n_state) {
        size_t n = pr->n_syn ? (size_t)pr->n_syn : 1;
        pr->syn_state_block = calloc((size_t)n_state * n, sizeof(float));
        pr->syn_state = malloc(n_state * sizeof *pr->syn_state);
        if (!pr->syn_state_block || !pr->syn_state) {
            free(pr->syn_state_block);
            free(pr->syn_state);
            pr->syn_state_block = NULL;
            pr->syn_state = NULL;
            return REWIRE_ENOMEM;
        }
        for (uint32_t k = 0; k < n_state; k++) pr->syn_state[k] = pr->syn_state_block + k * n;
    }
    if ((rule->flags & REWIRE_RULE_NEEDS_POST_INDEX) && !pr->col_offsets) {
        int rc = rw_connect_build_post_index(pr);
        if (rc) return rc;
    }
    if ((rule->flags & REWIRE_RULE_PRE_RELEASE) && !pr->pre_release) {
        pr->pre_release = malloc((pr->n_pre ? pr->n_pre : 1) * sizeof *pr->pre_release);
        if (!pr->pre_release) return REWIRE_ENOMEM;
        for (uint32_t i = 0; i < pr->n_pre; i++) pr->pre_release[i] = 1.0f;
    }
    pr->rule = rule;
    pr->instance = instance;
    pr->view.n_syn_state = n_state;
    rw_proj_sync_view(net, pr);
    return REWIRE_OK;
}

uint64_t rw_network_population_spikes(const rw_network *net, uint32_t pop) {
    return pop < net->n_pops ? net->pops[pop].spike_count : 0;
}

double rw_network_population_mean_rate(const rw_network *net, uint32_t pop) {
    if (pop >= net->n_pops || net->step == 0) return 0.0;
    const rw_pop *p = &net->pops[pop];
    double unit_steps = (double)p->n * (double)net->step;
    if (p->model == RW_MODEL_RATE || p->model == RW_MODEL_RATE_INPUT) return p->r_sum / unit_steps;
    return (double)p->spike_count / unit_steps / (net->dt * 1e-3);
}

/* Synapses in use (a structural projection's rows may have free room). */
static uint64_t synapses_in_use(const rw_proj *pr) {
    uint64_t n = 0;
    for (uint32_t i = 0; i < pr->n_pre; i++) n += pr->row_lengths[i];
    return n;
}

uint64_t rw_network_projection_synapses(const rw_network *net, uint32_t proj) {
    return proj < net->n_projs ? synapses_in_use(&net->projs[proj]) : 0;
}

double rw_network_projection_mean_weight(const rw_network *net, uint32_t proj) {
    if (proj >= net->n_projs) return 0.0;
    const rw_proj *pr = &net->projs[proj];
    const uint64_t n = synapses_in_use(pr);
    if (n == 0) return 0.0;
    double sum = 0.0;
    for (uint32_t i = 0; i < pr->n_pre; i++)
        for (uint32_t s = pr->row_offsets[i]; s < pr->row_offsets[i] + pr->row_lengths[i]; s++)
            sum += pr->weights[s];
    return sum / (double)n;
}

void rw_proj_restructure(rw_proj *pr) {
    uint16_t dmin = UINT16_MAX, dmax = 0;
    for (uint32_t i = 0; i < pr->n_pre; i++)
        for (uint32_t s = pr->row_offsets[i]; s < pr->row_offsets[i] + pr->row_lengths[i]; s++) {
            uint16_t d = pr->delays[s];
            d = d < pr->delay_lo ? pr->delay_lo : d > pr->delay_hi ? pr->delay_hi : d;
            pr->delays[s] = d;
            if (d < dmin) dmin = d;
            if (d > dmax) dmax = d;
        }
    /* Without synapses any single delay will do: delivery then has nothing to add. */
    pr->min_delay = dmax ? dmin : pr->delay_lo;
    pr->max_delay = dmax ? dmax : pr->delay_lo;
    rw_connect_fill_spans(pr);
    if (pr->col_offsets) rw_connect_fill_post_index(pr);
    pr->view.structure_changed = 0;
}

uint64_t rw_network_synaptic_events(const rw_network *net) { return net->syn_events; }

uint64_t rw_network_work(const rw_network *net) {
    uint64_t w = 0;
    for (uint32_t i = 0; i < net->n_pops; i++) w += net->pops[i].n;
    for (uint32_t k = 0; k < net->n_projs; k++) w += net->projs[k].n_syn;
    return w;
}
