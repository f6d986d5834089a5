/* mirror: mirror therapy -- drive the affected representation's sources with the
 * activity of their intact counterpart.
 *
 * `source` and `target` select the same number of neurons; the k-th target source is
 * driven by the k-th source neuron (both in increasing index order, so a topographic
 * channel maps onto its mirror image point by point when both are laid out alike).
 * After every slice of a window, and at its start, the target's own drive becomes
 *     drive_k = gain * r_k
 * where r_k is the source neuron's current output rate:
 *  - poisson sources: max(0, rate * input_gain + drive), so a practised (driven) or
 *    constrained source is mirrored as it is;
 *  - rate models (rate, rate_input): the rate the view shows (a rate_input unit's is its
 *    presentation through its gain and drive already);
 *  - spiking neurons (lif_*): the spikes it emitted over the last slice divided by the
 *    slice's duration (0 at the window's start, before any slice).
 * The drive is taken away when the window closes (composes with other interventions on
 * the target, common/sources.h).  The host runs the interventions' on_slice hooks one
 * after the other: when another intervention changes the source's drive at a slice edge,
 * the mirror sees it at once if that intervention's hooks run first (the order listed,
 * the phases' before the top-level ones), else one slice (at most the shortest delay)
 * later.
 *
 * What it models: watching the intact limb's movement in a mirror gives the affected
 * (or amputated) limb's representation the visual impression of use; here it becomes
 * afferent activity that follows the intact side's activity. */
#include <rewire/plugin.h>
#include <stdlib.h>
#include <string.h>

#include "../common/clock.h"
#include "../common/sources.h"

enum { P_SOURCE, P_TARGET, P_GAIN, N_PARAMS };

static const rewire_param_spec mirror_params[N_PARAMS] = {
    [P_SOURCE] = {.name = "source", .type = REWIRE_PARAM_SELECTION, .flags = REWIRE_PARAM_REQUIRED,
                  .doc = "The intact counterpart whose activity is mirrored (any population)."},
    [P_TARGET] = {.name = "target", .type = REWIRE_PARAM_SELECTION,
                  .flags = REWIRE_PARAM_REQUIRED | REWIRE_PARAM_DRIVES,
                  .doc = "Input sources of the affected representation, driven with the "
                         "source's activity; as many neurons as `source`."},
    [P_GAIN] = {.name = "gain", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_NONE,
                .flags = REWIRE_PARAM_HAS_MIN, .def_real = 1.0, .min = 0.0,
                .doc = "Target drive per Hz of source activity."},
};

typedef struct mirror {
    const rewire_host *host;
    const rewire_selection *source;
    iv_sources target;
    double gain;
    double dt;         /* ms */
    double *drive;     /* [n] */
    uint64_t *counts;  /* [n] source spike counts at the last hook (spiking sources) */
} mirror;

static void mirror_destroy(void *instance) {
    mirror *m = instance;
    iv_sources_free(&m->target);
    free(m->drive);
    free(m->counts);
    free(m);
}

static bool has_counts(const rewire_population_view *v) {
    return REWIRE_HAS_FIELD(rewire_population_view, v->struct_size, spike_counts) &&
           v->spike_counts;
}

static int source_view(const mirror *m, rewire_population_view *v) {
    memset(v, 0, sizeof *v);
    if (m->host->population_find(m->host, m->source->population, v) != REWIRE_OK) {
        m->host->set_error(m->host, "'source': no population '%s' in the network",
                           m->source->population);
        return REWIRE_ENOENT;
    }
    if (v->size != m->source->population_size) {
        m->host->set_error(m->host, "'source': population '%s' has %u neurons, the selection "
                                    "was made for %u",
                           m->source->population, v->size, m->source->population_size);
        return REWIRE_EINVAL;
    }
    const bool source_model = REWIRE_HAS_FIELD(rewire_population_view, v->struct_size, drive) &&
                              v->input_gain && v->drive;
    if (!v->rate && !source_model && !has_counts(v)) {
        m->host->set_error(m->host, "'source': population '%s' (%s) shows neither rates nor "
                                    "spike counts to mirror",
                           m->source->population, v->model ? v->model : "?");
        return REWIRE_EINVAL;
    }
    return REWIRE_OK;
}

static int mirror_create(const rewire_host *host, const rewire_param_value *params,
                         void **instance) {
    const rewire_selection *src = params[P_SOURCE].selection, *tgt = params[P_TARGET].selection;
    if (!src || src->n == 0) {
        host->set_error(host, "'source' selects no neuron");
        return REWIRE_EINVAL;
    }
    if (tgt && tgt->n != src->n) {
        host->set_error(host, "'source' selects %u neurons of '%s' and 'target' %u of '%s': "
                              "mirror maps them one to one, they must be the same size",
                        src->n, src->population, tgt->n, tgt->population);
        return REWIRE_EINVAL;
    }
    if (tgt && iv_selections_intersect(src, tgt)) {
        host->set_error(host, "'source' and 'target' share neurons of '%s': a source driven by "
                              "its own activity would feed back on itself",
                        src->population);
        return REWIRE_EINVAL;
    }
    mirror *m = calloc(1, sizeof *m);
    if (!m) {
        host->set_error(host, "out of memory");
        return REWIRE_ENOMEM;
    }
    m->host = host;
    m->source = src;
    m->gain = params[P_GAIN].real;
    int rc = iv_sources_init(&m->target, host, tgt, "target");
    if (rc == REWIRE_OK) {
        m->drive = calloc(src->n, sizeof *m->drive);
        m->counts = calloc(src->n, sizeof *m->counts);
        if (!m->drive || !m->counts) {
            host->set_error(host, "out of memory");
            rc = REWIRE_ENOMEM;
        }
    }
    rewire_population_view sv;
    if (rc == REWIRE_OK) rc = source_view(m, &sv);
    if (rc == REWIRE_OK) rc = iv_dt(host, &m->dt);
    if (rc != REWIRE_OK) {
        mirror_destroy(m);
        return rc;
    }
    *instance = m;
    return REWIRE_OK;
}

/* The source's activity into m->drive (times gain): `slice_steps` steps since the last
 * hook (0 at a window's start). */
static void read_source(mirror *m, const rewire_population_view *v, int64_t slice_steps) {
    const uint32_t n = m->source->n, *idx = m->source->index;
    const bool poisson = v->model && strcmp(v->model, "poisson") == 0 &&
                         REWIRE_HAS_FIELD(rewire_population_view, v->struct_size, drive) &&
                         v->input_gain && v->drive;
    const bool alive = REWIRE_HAS_FIELD(rewire_population_view, v->struct_size, alive) && v->alive;
    if (poisson && v->rate) {
        for (uint32_t k = 0; k < n; k++) {
            const uint32_t i = idx[k];
            const double r = v->rate[i] * v->input_gain[i] + v->drive[i];
            /* a dead source sends nothing, whatever its rate */
            m->drive[k] = r > 0 && (!alive || v->alive[i]) ? m->gain * r : 0.0;
        }
    } else if (v->rate) {
        for (uint32_t k = 0; k < n; k++) m->drive[k] = m->gain * v->rate[idx[k]];
    } else {
        const double seconds = (double)slice_steps * m->dt * 1e-3;
        for (uint32_t k = 0; k < n; k++) {
            const uint64_t c = v->spike_counts[idx[k]];
            m->drive[k] = seconds > 0 ? m->gain * (double)(c - m->counts[k]) / seconds : 0.0;
            m->counts[k] = c;
        }
    }
}

static int update(mirror *m, int64_t slice_steps) {
    rewire_population_view sv, tv;
    int rc = source_view(m, &sv);
    if (rc == REWIRE_OK) rc = iv_sources_view(&m->target, m->host, &tv);
    if (rc != REWIRE_OK) return rc;
    read_source(m, &sv, slice_steps);
    iv_drive_set(&m->target, &tv, m->drive);
    return REWIRE_OK;
}

static int mirror_begin(void *instance, int64_t step) {
    (void)step;
    mirror *m = instance;
    return update(m, 0);
}

static int mirror_on_slice(void *instance, int64_t first_step, int64_t end_step) {
    return update(instance, end_step - first_step);
}

static int mirror_end(void *instance, int64_t step) {
    (void)step;
    mirror *m = instance;
    rewire_population_view tv;
    int rc = iv_sources_view(&m->target, m->host, &tv);
    if (rc != REWIRE_OK) return rc;
    iv_drive_remove(&m->target, &tv);
    return REWIRE_OK;
}

static const rewire_intervention_v1 mirror_functions = {
    .struct_size = sizeof(rewire_intervention_v1),
    .create = mirror_create,
    .begin = mirror_begin,
    .on_slice = mirror_on_slice,
    .end = mirror_end,
    .destroy = mirror_destroy,
};

static const rewire_plugin_descriptor mirror_descriptor =
    REWIRE_DESCRIPTOR(REWIRE_KIND_INTERVENTION, "mirror", "1.0.0",
                      "Mirror therapy: drive the affected representation with the activity "
                      "of its intact counterpart",
                      mirror_params, mirror_functions);

REWIRE_PLUGIN_ENTRY(&mirror_descriptor)
