/* Plugin instances of one run: create/start/route/finish/destroy. */
#include "run_plugins.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "loader.h"
#include "rng.h"

static void add_use(rw_run_plugins *p, const rw_plugin *pl) {
    for (uint32_t i = 0; i < p->n_uses; i++)
        if (p->uses[i].name == pl->desc->name && p->uses[i].path == pl->path) return;
    p->uses[p->n_uses++] = (rewire_plugin_use){rw_kind_name(pl->desc->kind), pl->desc->name,
                                               pl->desc->version, pl->path};
}

void rw_run_plugins_failed(rw_diag *d, rw_loc loc, const char *what, const char *name,
                           const rewire_host *h, int rc) {
    const char *msg = rw_host_error(h);
    if (msg[0])
        rw_diag_error(d, loc, "%s '%s' failed: %s", what, name, msg);
    else
        rw_diag_error(d, loc, "%s '%s' failed with status %d and no message", what, name, rc);
}

static int create_rules(rw_run_plugins *p, const rw_experiment *e, rw_diag *d) {
    for (uint32_t i = 0; i < e->n_projections; i++) {
        const rw_projection_spec *pr = &e->projections[i];
        if (!pr->plastic) continue;
        const rw_plugin *pl = pr->rule.plugin;
        rw_rule_instance *ri = &p->rules[p->n_rules];
        char name[256];
        snprintf(name, sizeof name, "projection '%s' learning rule '%s'", pr->name, pl->desc->name);
        ri->host = rw_host_new(p->ctx, name, rw_stream_id(RW_STREAM_PLUGIN, p->n_rules));
        if (!ri->host) return 1;
        p->n_rules++;
        ri->fns = pl->desc->functions;
        ri->projection = i;
        rewire_projection_view *view = rw_network_projection_view(p->net, i);
        int rc = ri->fns->create(ri->host, pr->rule.values, view, &ri->inst);
        if (rc != 0) {
            ri->inst = NULL;
            char what[200];
            snprintf(what, sizeof what, "creating learning rule on projection '%s':", pr->name);
            rw_run_plugins_failed(d, pr->rule.loc, what, pl->desc->name, ri->host, rc);
            return 2;
        }
        if (rw_network_attach_rule(p->net, i, ri->fns, ri->inst) != 0) {
            rw_diag_error(d, pr->rule.loc, "out of memory for the state of learning rule '%s'",
                          pl->desc->name);
            return 1;
        }
        if (ri->fns->start && (rc = ri->fns->start(ri->inst, view)) != 0) {
            rw_run_plugins_failed(d, pr->rule.loc, "starting learning rule", pl->desc->name, ri->host, rc);
            return 1;
        }
        ri->started = true;
        add_use(p, pl);
    }
    return 0;
}

/* The steps every injury, intervention and output instance shares: a host named
 * "KIND 'LABEL'" with its own random stream, create() with the validated parameters,
 * the use recorded.  *host is set whenever it was made (the caller counts the instance
 * then, so destroy frees it).  0, 1 (out of memory) or 2 (create() refused). */
typedef int (*rw_create_fn)(const rewire_host *, const rewire_param_value *, void **);
static int create_instance(rw_run_plugins *p, const rw_plugin_ref *ref, rw_create_fn create,
                           const char *kind, const char *label, uint64_t stream,
                           rewire_host **host, void **inst, rw_diag *d) {
    char name[200], what[64];
    snprintf(name, sizeof name, "%s '%s'", kind, label);
    *inst = NULL;
    *host = rw_host_new(p->ctx, name, rw_stream_id(RW_STREAM_PLUGIN, stream));
    if (!*host) return 1;
    int rc = create(*host, ref->values, inst);
    if (rc != 0) {
        *inst = NULL;
        snprintf(what, sizeof what, "creating %s", kind);
        rw_run_plugins_failed(d, ref->loc, what, ref->plugin->desc->name, *host, rc);
        return 2;
    }
    add_use(p, ref->plugin);
    return 0;
}

static int create_outputs(rw_run_plugins *p, const rw_experiment *e, rw_diag *d) {
    for (uint32_t i = 0; i < e->n_outputs; i++) {
        const rw_output_spec *os = &e->outputs[i];
        rw_output_instance *oi = &p->outputs[p->n_outputs];
        oi->fns = os->ref.plugin->desc->functions;
        oi->spec = os;
        int rc = create_instance(p, &os->ref, oi->fns->create, "output", os->ref.plugin->desc->name,
                                 e->n_projections + i, &oi->host, &oi->inst, d);
        if (oi->host) p->n_outputs++;
        if (rc) return rc;
    }
    return 0;
}

/* Injuries and interventions: created before the run with their validated
 * parameters; their hooks run on the schedule (timeline.c).  Random streams follow the
 * rules' and outputs' so that adding one never changes another's numbers. */
static int create_timeline_plugins(rw_run_plugins *p, const rw_experiment *e, rw_diag *d) {
    uint64_t stream = e->n_projections + e->n_outputs;
    for (uint32_t i = 0; i < e->n_injuries; i++) {
        const rw_injury_spec *is = &e->injuries[i];
        rw_injury_instance *ii = &p->injuries[p->n_injuries];
        ii->fns = is->ref.plugin->desc->functions;
        ii->spec = is;
        int rc = create_instance(p, &is->ref, ii->fns->create, "injury", is->label, stream++,
                                 &ii->host, &ii->inst, d);
        if (ii->host) p->n_injuries++;
        if (rc) return rc;
    }
    for (uint32_t i = 0; i < e->n_interventions; i++) {
        const rw_intervention_spec *vs = &e->interventions[i];
        const rw_plugin *pl = vs->ref.plugin;
        rw_intervention_instance *vi = &p->interventions[p->n_interventions];
        vi->fns = pl->desc->functions;
        vi->spec = vs;
        int rc = create_instance(p, &vs->ref, vi->fns->create, "intervention", vs->label, stream++,
                                 &vi->host, &vi->inst, d);
        if (vi->host) p->n_interventions++;
        if (rc) return rc;
        /* Live parameters (REWIRE_PARAM_LIVE) can be set through the control channel as
         * `set LABEL.PARAM VALUE`, between slices. */
        for (uint32_t k = 0; p->ctx->control && vi->fns->set_param && k < pl->desc->n_params; k++)
            if ((pl->desc->params[k].flags & REWIRE_PARAM_LIVE) &&
                rw_control_register_live(p->ctx->control, vs->label, &pl->desc->params[k], k,
                                         REWIRE_DIM_NONE, vi->fns->set_param, vi->inst,
                                         vi->host) == REWIRE_ENOMEM)
                return 1;
    }
    return 0;
}

int rw_run_plugins_create(rw_run_plugins *p, rw_run_ctx *ctx, rw_network *net, rw_recorder *rec,
                          rw_diag *d) {
    const rw_experiment *e = ctx->exp;
    memset(p, 0, sizeof *p);
    p->ctx = ctx;
    p->net = net;
    p->rec = rec;
    p->rules = calloc(e->n_projections + 1, sizeof *p->rules);
    p->outputs = calloc(e->n_outputs + 1, sizeof *p->outputs);
    p->injuries = calloc(e->n_injuries + 1, sizeof *p->injuries);
    p->interventions = calloc(e->n_interventions + 1, sizeof *p->interventions);
    p->uses = calloc(e->n_projections + e->n_outputs + e->n_injuries + e->n_interventions + 1,
                     sizeof *p->uses);
    if (!p->rules || !p->outputs || !p->uses || !p->injuries || !p->interventions) return 1;
    int rc = create_rules(p, e, d);
    if (!rc) rc = create_timeline_plugins(p, e, d);
    return rc ? rc : create_outputs(p, e, d);
}

int rw_run_plugins_start(rw_run_plugins *p, const rw_experiment *e, rw_diag *d) {
    p->info = (rewire_run_info){
        .struct_size = sizeof p->info,
        .rewire_version = REWIRE_VERSION,
        .experiment_name = e->name,
        .experiment_file = e->file,
        .experiment_text = e->text ? e->text : "",
        .overrides = e->overrides ? e->overrides : "",
        .seed = e->seed,
        .dt = e->dt,
        .duration = rw_experiment_duration(e),
        .n_channels = rw_recorder_count(p->rec),
        .channels = rw_recorder_channels(p->rec),
        .n_plugins = p->n_uses,
        .plugins = p->uses,
    };
    for (uint32_t i = 0; i < p->n_outputs; i++) {
        rw_output_instance *oi = &p->outputs[i];
        int rc = oi->fns->start(oi->inst, &p->info, oi->spec->subscribed);
        if (rc != 0) {
            rw_run_plugins_failed(d, oi->spec->ref.loc, "starting output", oi->spec->ref.plugin->desc->name,
                          oi->host, rc);
            p->failed = true;
            return 1;
        }
        oi->started = true;
    }
    return 0;
}

typedef struct drain_ctx {
    rw_run_plugins *p;
    rw_diag *d;
    int status;
} drain_ctx;

static int route_batch(void *ctx, const rewire_batch *b) {
    drain_ctx *dc = ctx;
    rw_run_plugins *p = dc->p;
    for (uint32_t i = 0; i < p->n_outputs && !p->failed; i++) {
        rw_output_instance *oi = &p->outputs[i];
        if (!oi->started || !oi->spec->subscribed[b->channel]) continue;
        int rc = oi->fns->write(oi->inst, b);
        if (rc != 0) {
            rw_run_plugins_failed(dc->d, oi->spec->ref.loc, "output", oi->spec->ref.plugin->desc->name,
                          oi->host, rc);
            p->failed = true;
            dc->status = 1;
        }
    }
    return 0;
}

int rw_run_plugins_drain(rw_run_plugins *p, rw_recorder *rec, rw_diag *d) {
    drain_ctx dc = {p, d, 0};
    rw_recorder_drain(rec, route_batch, &dc);
    return dc.status;
}

void rw_run_plugins_phase(rw_run_plugins *p, const rewire_phase_event *ev) {
    for (uint32_t i = 0; i < p->n_outputs; i++) {
        rw_output_instance *oi = &p->outputs[i];
        if (oi->started && oi->fns->phase) oi->fns->phase(oi->inst, ev);
    }
}

int rw_run_plugins_finish(rw_run_plugins *p, rw_network *net, bool interrupted, double wall_s,
                          rw_diag *d) {
    const rw_experiment *e = p->ctx->exp;
    for (uint32_t i = 0; i < p->n_rules; i++) {
        rw_rule_instance *ri = &p->rules[i];
        if (ri->started && ri->fns->stop) ri->fns->stop(ri->inst, rw_network_projection_view(net, ri->projection));
        ri->started = false;
    }
    rewire_population_report *pops = calloc(e->n_populations + 1, sizeof *pops);
    rewire_projection_report *projs = calloc(e->n_projections + 1, sizeof *projs);
    if (!pops || !projs) {
        free(pops);
        free(projs);
        return 1;
    }
    double sim_ms = (double)rw_network_step(net) * e->dt;
    for (uint32_t i = 0; i < e->n_populations; i++) {
        const rw_population_spec *ps = &e->populations[i];
        uint64_t spikes = rw_network_population_spikes(net, i);
        pops[i] = (rewire_population_report){ps->name, rw_model_name(ps->model), ps->size, spikes,
                                             rw_network_population_mean_rate(net, i)};
    }
    for (uint32_t i = 0; i < e->n_projections; i++) {
        const rw_projection_spec *pr = &e->projections[i];
        projs[i] = (rewire_projection_report){pr->name, e->populations[pr->pre].name,
                                              e->populations[pr->post].name,
                                              rw_network_projection_synapses(net, i),
                                              pr->plastic ? pr->rule.plugin->desc->name : NULL,
                                              rw_network_projection_mean_weight(net, i)};
    }
    rewire_run_report report = {
        .struct_size = sizeof report,
        .interrupted = interrupted,
        .simulated_time = sim_ms,
        .wall_time = wall_s,
        .synaptic_events = rw_network_synaptic_events(net),
        .n_populations = e->n_populations,
        .populations = pops,
        .n_projections = e->n_projections,
        .projections = projs,
    };
    int status = 0;
    for (uint32_t i = 0; i < p->n_outputs; i++) {
        rw_output_instance *oi = &p->outputs[i];
        if (!oi->started) continue;
        /* finish() runs even after a failed write: the others must still close cleanly. */
        int rc = oi->fns->finish(oi->inst, &report);
        oi->started = false;
        if (rc != 0) {
            rw_run_plugins_failed(d, oi->spec->ref.loc, "finishing output", oi->spec->ref.plugin->desc->name,
                          oi->host, rc);
            status = 1;
        }
    }
    free(pops);
    free(projs);
    return status;
}

void rw_run_plugins_timeline_event(rw_run_plugins *p, const rewire_timeline_event *ev) {
    for (uint32_t i = 0; i < p->n_outputs && !p->failed; i++) {
        rw_output_instance *oi = &p->outputs[i];
        if (!oi->started || !REWIRE_HAS_FIELD(rewire_output_v1, oi->fns->struct_size, timeline_event) ||
            !oi->fns->timeline_event)
            continue;
        oi->fns->timeline_event(oi->inst, ev); /* markers only: as phase(), never fatal */
    }
}

void rw_run_plugins_destroy(rw_run_plugins *p) {
    for (uint32_t i = 0; i < p->n_injuries; i++) {
        if (p->injuries[i].inst) p->injuries[i].fns->destroy(p->injuries[i].inst);
        rw_host_free(p->injuries[i].host);
    }
    for (uint32_t i = 0; i < p->n_interventions; i++) {
        if (p->interventions[i].inst) p->interventions[i].fns->destroy(p->interventions[i].inst);
        rw_host_free(p->interventions[i].host);
    }
    free(p->injuries);
    free(p->interventions);
    for (uint32_t i = 0; i < p->n_outputs; i++) {
        if (p->outputs[i].inst) p->outputs[i].fns->destroy(p->outputs[i].inst);
        rw_host_free(p->outputs[i].host);
    }
    for (uint32_t i = 0; i < p->n_rules; i++) {
        if (p->rules[i].inst) p->rules[i].fns->destroy(p->rules[i].inst);
        rw_host_free(p->rules[i].host);
    }
    free(p->outputs);
    free(p->rules);
    free(p->uses);
    memset(p, 0, sizeof *p);
}
