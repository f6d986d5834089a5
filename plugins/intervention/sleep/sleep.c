/* sleep: an offline phase.  While a window is open, sensory input is off, the sources
 * that were active recently replay that activity in short bursts, and the synapses of
 * the chosen projections are scaled down multiplicatively toward a target total: the
 * day's potentiation is renormalised while what was learned, the relative strengths,
 * is kept.
 *
 * Model.  The synaptic homeostasis hypothesis (Tononi & Cirelli 2003, 2014): waking
 * learning potentiates synapses on net; sleep renormalises them, scaling each neuron's
 * input down by a common factor, which restores the energy and signal-to-noise budget
 * and keeps the relative strengths (so the learned pattern holds, or stands out more
 * after small synapses are lost).  During slow-wave sleep the hippocampus and cortex
 * replay recent waking activity in brief bursts (Wilson & McNaughton 1994; Ji & Wilson
 * 2007), while thalamic gating keeps sensory input out.  Three parts, each optional:
 *
 *  inputs   (a selection of sources, SUPPRESSES): their input_gain is multiplied by 0
 *           when the window opens and the values found then are restored when it closes.
 *  replay   (a selection of sources, DRIVES): when the window opens, each source's recent
 *           activity n_i is its spike count since the previous sleep of this intervention
 *           ended (or since the run began).  During bursts of length `burst`, starting
 *           every `burst_interval` from the window's opening, source i gets the added drive
 *               replay_rate * n_i / max_k n_k     (Hz; the most active source peaks)
 *           and none in between: the pattern of the day, replayed at a common peak rate.
 *           A replay source may also be an `inputs` source: its sensory drive is off and
 *           its output is only the replay (output = max(0, base * 0 + drive)).
 *  projections  (PROJECTIONS): for each postsynaptic neuron j, T_j = the sum of its
 *           incoming weights when the window opens, and the target is
 *           downscale_target * T_j.  At the window's end, a neuron whose total C_j is
 *           above its target has all its incoming weights multiplied by target_j / C_j
 *           (neurons at or below target are left alone: downscaling never scales up).
 *           With downscale_tau > 0 it happens gradually instead: after each slice of
 *           length D, s_j = (target_j / C_j)^(1 - exp(-D / downscale_tau)), so log C_j
 *           relaxes toward log target_j with that time constant whatever the slicing
 *           (and there is no final jump at the end).  One common factor per neuron:
 *           the ratios of its weights change only by float rounding.  Meant for
 *           excitatory projections (a neuron whose total is <= 0 is left alone).
 *           sleep_plasticity multiplies the projections' plasticity_gain while the
 *           window is open (1: learning rules run as awake; 0.1: little learning from
 *           the replay).
 *
 * Timing.  Everything changes between slices: the replay drive is switched on or off
 * after each slice to what the burst pattern says for the step the next slice starts
 * with (burst edges fall on slice boundaries, at most a slice late), and gradual
 * downscaling acts after each slice.  The burst pattern is keyed by absolute step
 * numbers counted from the window's opening.  Nothing here is random.
 *
 * Composition.  Input gains are restored from this plugin's own saved copy; the drive it
 * adds it later subtracts exactly; the plasticity factor goes through gain_hold.h.
 * Memory: per selected source a few numbers and per postsynaptic neuron two doubles,
 * allocated at the first opening and reused; nothing per synapse. */
#include <inttypes.h>
#include <math.h>
#include <rewire/plugin.h>
#include <stdlib.h>

#include "../gain_hold.h"

enum {
    P_INPUTS,
    P_REPLAY,
    P_REPLAY_RATE,
    P_BURST,
    P_BURST_INTERVAL,
    P_PROJECTIONS,
    P_DOWNSCALE_TARGET,
    P_DOWNSCALE_TAU,
    P_SLEEP_PLASTICITY,
    N_PARAMS
};

#define POSITIVE (REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_MIN_EXCLUSIVE)

static const rewire_param_spec sleep_params[N_PARAMS] = {
    [P_INPUTS] = {.name = "inputs", .type = REWIRE_PARAM_SELECTION,
                  .flags = REWIRE_PARAM_SUPPRESSES,
                  .doc = "Sensory sources switched off during sleep (input_gain x 0, restored "
                         "at the end)."},
    [P_REPLAY] = {.name = "replay", .type = REWIRE_PARAM_SELECTION, .flags = REWIRE_PARAM_DRIVES,
                  .doc = "Sources that replay their activity since the previous sleep, in "
                         "bursts, with drive proportional to their spike counts."},
    [P_REPLAY_RATE] = {.name = "replay_rate", .type = REWIRE_PARAM_REAL,
                       .dim = REWIRE_DIM_FREQUENCY, .flags = REWIRE_PARAM_HAS_MIN,
                       .def_real = 20.0, .min = 0.0,
                       .doc = "Drive during a burst of the most active replay source; the "
                              "others in proportion to their recent spike counts."},
    [P_BURST] = {.name = "burst", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_TIME,
                 .flags = POSITIVE, .def_real = 100.0, .min = 0.0,
                 .doc = "Length of one replay burst."},
    [P_BURST_INTERVAL] = {.name = "burst_interval", .type = REWIRE_PARAM_REAL,
                          .dim = REWIRE_DIM_TIME, .flags = POSITIVE, .def_real = 1000.0,
                          .min = 0.0,
                          .doc = "Time from one burst's start to the next (>= burst); the "
                                 "first starts when the window opens."},
    [P_PROJECTIONS] = {.name = "projections", .type = REWIRE_PARAM_PROJECTIONS,
                       .doc = "Projections downscaled toward downscale_target x each target "
                              "neuron's total input at sleep onset (a name or a list)."},
    [P_DOWNSCALE_TARGET] = {.name = "downscale_target", .type = REWIRE_PARAM_REAL,
                            .dim = REWIRE_DIM_NONE,
                            .flags = POSITIVE | REWIRE_PARAM_HAS_MAX, .def_real = 0.8,
                            .min = 0.0, .max = 1.0,
                            .doc = "Each neuron's summed input weight after sleep, as a "
                                   "fraction of the sum when sleep began."},
    [P_DOWNSCALE_TAU] = {.name = "downscale_tau", .type = REWIRE_PARAM_REAL,
                         .dim = REWIRE_DIM_TIME, .flags = REWIRE_PARAM_HAS_MIN,
                         .def_real = 0.0, .min = 0.0,
                         .doc = "0: downscale once, at the end of the window; > 0: gradually "
                                "after each slice, relaxing toward the target with this time "
                                "constant."},
    [P_SLEEP_PLASTICITY] = {.name = "sleep_plasticity", .type = REWIRE_PARAM_REAL,
                            .dim = REWIRE_DIM_NONE, .flags = POSITIVE, .def_real = 1.0,
                            .min = 0.0,
                            .doc = "Factor on the projections' plasticity_gain during sleep."},
};

/* One downscaled projection. */
typedef struct scaled {
    rewire_projection_view *view; /* re-read at every hook */
    gain_hold hold;               /* sleep_plasticity */
    double *target;               /* [n_post] downscale_target x the total at sleep onset */
    uint32_t n_post;
} scaled;

typedef struct sleep {
    const rewire_host *host;
    const rewire_selection *inputs, *replay; /* owned by the host; NULL when not given */
    const rewire_name_list *projections;     /* idem */
    double replay_rate, burst_ms, interval_ms, target_fraction, tau, plasticity;

    float *saved_gain;     /* [inputs->n] input_gain found at the opening */
    uint64_t *mark;        /* [replay->n] spike counts when the last sleep ended */
    double *amplitude;     /* [replay->n] drive during a burst, Hz */
    bool replaying;        /* some amplitude is > 0 */
    bool burst_on;         /* the amplitudes are in the drive now */
    int64_t open_step, burst_steps, interval_steps;

    scaled *proj;          /* [projections->n] */
    double *scratch;       /* [largest n_post]: current totals */
    uint32_t scratch_n;
    bool open;
} sleep_state;

static void sleep_destroy(void *instance) {
    sleep_state *s = instance;
    if (!s) return;
    if (s->proj)
        for (uint32_t k = 0; k < s->projections->n; k++) free(s->proj[k].target);
    free(s->proj);
    free(s->scratch);
    free(s->saved_gain);
    free(s->mark);
    free(s->amplitude);
    free(s);
}

static int sleep_create(const rewire_host *host, const rewire_param_value *params,
                        void **instance) {
    const double burst = params[P_BURST].real, interval = params[P_BURST_INTERVAL].real;
    if (!(burst > 0) || !(interval >= burst)) {
        host->set_error(host, "burst (%g ms) must be > 0 and at most burst_interval (%g ms), "
                              "the time from one burst's start to the next", burst, interval);
        return REWIRE_EINVAL;
    }
    const double target = params[P_DOWNSCALE_TARGET].real;
    if (!(target > 0 && target <= 1)) {
        host->set_error(host, "downscale_target must be in (0, 1] (got %g)", target);
        return REWIRE_EINVAL;
    }
    if (!(params[P_SLEEP_PLASTICITY].real > 0)) {
        host->set_error(host, "sleep_plasticity must be > 0 (got %g): it is a factor",
                        params[P_SLEEP_PLASTICITY].real);
        return REWIRE_EINVAL;
    }
    sleep_state *s = calloc(1, sizeof *s);
    if (!s) goto oom;
    s->host = host;
    s->inputs = params[P_INPUTS].selection;
    s->replay = params[P_REPLAY].selection;
    s->projections = params[P_PROJECTIONS].names;
    if (s->inputs && s->inputs->n == 0) s->inputs = NULL;
    if (s->replay && s->replay->n == 0) s->replay = NULL;
    if (s->projections && s->projections->n == 0) s->projections = NULL;
    s->replay_rate = params[P_REPLAY_RATE].real;
    s->burst_ms = burst;
    s->interval_ms = interval;
    s->target_fraction = target;
    s->tau = params[P_DOWNSCALE_TAU].real;
    s->plasticity = params[P_SLEEP_PLASTICITY].real;
    if (s->inputs && !(s->saved_gain = calloc(s->inputs->n, sizeof *s->saved_gain))) goto oom;
    if (s->replay && (!(s->mark = calloc(s->replay->n, sizeof *s->mark)) ||
                      !(s->amplitude = calloc(s->replay->n, sizeof *s->amplitude))))
        goto oom;
    if (s->projections && !(s->proj = calloc(s->projections->n, sizeof *s->proj))) goto oom;
    *instance = s;
    return REWIRE_OK;
oom:
    sleep_destroy(s);
    host->set_error(host, "out of memory");
    return REWIRE_ENOMEM;
}

/* The view of a selection's population, checked to fit the selection; `what` names the
 * parameter in messages. */
static int find_sources(const sleep_state *s, const rewire_selection *sel, const char *what,
                        rewire_population_view *pop) {
    const rewire_host *h = s->host;
    *pop = (rewire_population_view){.struct_size = sizeof *pop};
    if (h->population_find(h, sel->population, pop) != REWIRE_OK) {
        h->set_error(h, "%s: no population named '%s'", what, sel->population);
        return REWIRE_ENOENT;
    }
    if (!REWIRE_HAS_FIELD(rewire_population_view, pop->struct_size, alive) || !pop->input_gain ||
        !pop->drive) {
        h->set_error(h, "%s: population '%s' (%s) is not an input source (poisson or "
                        "rate_input): it has no input gain or drive", what, pop->name, pop->model);
        return REWIRE_EINVAL;
    }
    if (sel->n && sel->index[sel->n - 1] >= pop->size) {
        h->set_error(h, "%s: neuron %u is outside population '%s' (%u neurons)", what,
                     sel->index[sel->n - 1], pop->name, pop->size);
        return REWIRE_EINVAL;
    }
    return REWIRE_OK;
}

/* ---- sensory input ---- */

static int inputs_off(sleep_state *s) {
    rewire_population_view pop;
    int rc = find_sources(s, s->inputs, "inputs", &pop);
    if (rc != REWIRE_OK) return rc;
    for (uint32_t k = 0; k < s->inputs->n; k++) {
        const uint32_t i = s->inputs->index[k];
        s->saved_gain[k] = pop.input_gain[i];
        pop.input_gain[i] *= 0.0f; /* our factor 0; the saved value is what undoes it */
    }
    return REWIRE_OK;
}

static int inputs_on(sleep_state *s) {
    rewire_population_view pop;
    int rc = find_sources(s, s->inputs, "inputs", &pop);
    if (rc != REWIRE_OK) return rc;
    for (uint32_t k = 0; k < s->inputs->n; k++) pop.input_gain[s->inputs->index[k]] = s->saved_gain[k];
    return REWIRE_OK;
}

/* ---- replay ---- */

/* Amplitudes from the spike counts since the last sleep ended. */
static int replay_prepare(sleep_state *s, double dt) {
    const rewire_host *h = s->host;
    rewire_population_view pop;
    int rc = find_sources(s, s->replay, "replay", &pop);
    if (rc != REWIRE_OK) return rc;
    if (!pop.spike_counts) {
        h->set_error(h, "replay: population '%s' (%s) counts no spikes, so it has no recent "
                        "activity to replay (use a spiking source such as poisson)",
                     pop.name, pop.model);
        return REWIRE_EINVAL;
    }
    if (!(dt > 0)) {
        h->set_error(h, "replay: the host tells no time step (no projection view)");
        return REWIRE_ENOTSUP;
    }
    uint64_t most = 0;
    for (uint32_t k = 0; k < s->replay->n; k++) {
        const uint64_t c = pop.spike_counts[s->replay->index[k]];
        const uint64_t recent = c >= s->mark[k] ? c - s->mark[k] : 0;
        s->amplitude[k] = (double)recent;
        if (recent > most) most = recent;
    }
    s->replaying = most > 0 && s->replay_rate > 0;
    for (uint32_t k = 0; k < s->replay->n; k++)
        s->amplitude[k] = s->replaying ? s->replay_rate * s->amplitude[k] / (double)most : 0.0;
    if (most == 0) /* replay_rate 0 is a deliberate "no replay", not worth a warning */
        h->log(h, REWIRE_LOG_WARN, "replay: no spikes in '%s' since the last sleep: nothing to "
                                   "replay", pop.name);
    s->burst_steps = llround(s->burst_ms / dt);
    s->interval_steps = llround(s->interval_ms / dt);
    if (s->burst_steps < 1) s->burst_steps = 1;
    if (s->interval_steps < s->burst_steps) s->interval_steps = s->burst_steps;
    return REWIRE_OK;
}

/* Add (on) or subtract (off) the amplitudes in the drive. */
static int replay_switch(sleep_state *s, bool on) {
    if (on == s->burst_on) return REWIRE_OK;
    rewire_population_view pop;
    int rc = find_sources(s, s->replay, "replay", &pop);
    if (rc != REWIRE_OK) return rc;
    const double sign = on ? 1.0 : -1.0;
    for (uint32_t k = 0; k < s->replay->n; k++) pop.drive[s->replay->index[k]] += sign * s->amplitude[k];
    s->burst_on = on;
    return REWIRE_OK;
}

static bool in_burst(const sleep_state *s, int64_t step) {
    const int64_t t = step - s->open_step;
    return t >= 0 && t % s->interval_steps < s->burst_steps;
}

/* The spike counts at the end of this sleep: the next one replays what comes after. */
static int replay_mark(sleep_state *s) {
    rewire_population_view pop;
    int rc = find_sources(s, s->replay, "replay", &pop);
    if (rc != REWIRE_OK) return rc;
    if (pop.spike_counts)
        for (uint32_t k = 0; k < s->replay->n; k++) s->mark[k] = pop.spike_counts[s->replay->index[k]];
    return REWIRE_OK;
}

/* ---- downscaling ---- */

/* The number of synapses in use in row i (structural projections leave room in rows). */
static inline uint32_t row_used(const rewire_projection_view *v, uint32_t i) {
    if (REWIRE_HAS_FIELD(rewire_projection_view, v->struct_size, row_lengths) && v->row_lengths)
        return v->row_lengths[i];
    return v->row_offsets[i + 1] - v->row_offsets[i];
}

/* Each post neuron's summed input weight, into total[n_post]: by the post index when the
 * host built one, else row by row. */
static void input_totals(const rewire_projection_view *v, double *total) {
    const float *w = v->weights;
    if (v->col_offsets && v->col_synapses) {
        for (uint32_t j = 0; j < v->n_post; j++) {
            double sum = 0.0;
            for (uint32_t k = v->col_offsets[j]; k < v->col_offsets[j + 1]; k++)
                sum += (double)w[v->col_synapses[k]];
            total[j] = sum;
        }
        return;
    }
    for (uint32_t j = 0; j < v->n_post; j++) total[j] = 0.0;
    for (uint32_t i = 0; i < v->n_pre; i++)
        for (uint32_t s = v->row_offsets[i], e = s + row_used(v, i); s < e; s++)
            total[v->targets[s]] += (double)w[s];
}

/* Multiply every input of post neuron j by factor[j] (1: untouched). */
static void scale_inputs(rewire_projection_view *v, const double *factor) {
    float *w = v->weights;
    if (v->col_offsets && v->col_synapses) {
        for (uint32_t j = 0; j < v->n_post; j++) {
            if (factor[j] == 1.0) continue;
            for (uint32_t k = v->col_offsets[j]; k < v->col_offsets[j + 1]; k++) {
                const uint32_t s = v->col_synapses[k];
                w[s] = (float)((double)w[s] * factor[j]);
            }
        }
        return;
    }
    for (uint32_t i = 0; i < v->n_pre; i++)
        for (uint32_t s = v->row_offsets[i], e = s + row_used(v, i); s < e; s++)
            w[s] = (float)((double)w[s] * factor[v->targets[s]]);
}

/* Move each neuron above its target toward it: all the way (fraction 1) or by the given
 * fraction of the log distance. */
static void downscale(sleep_state *s, double fraction) {
    for (uint32_t k = 0; k < s->projections->n; k++) {
        scaled *p = &s->proj[k];
        rewire_projection_view *v = p->view;
        double *f = s->scratch;
        input_totals(v, f);
        bool any = false;
        for (uint32_t j = 0; j < p->n_post; j++) {
            const double c = f[j], t = p->target[j];
            if (t > 0 && c > t) {
                f[j] = fraction >= 1.0 ? t / c : exp(fraction * log(t / c));
                any = true;
            } else {
                f[j] = 1.0;
            }
        }
        if (any) scale_inputs(v, f);
    }
}

/* Views, totals at the opening, targets, and the plasticity factor. */
static int downscale_prepare(sleep_state *s) {
    const rewire_host *h = s->host;
    for (uint32_t k = 0; k < s->projections->n; k++) {
        scaled *p = &s->proj[k];
        if (h->projection_find(h, s->projections->names[k], &p->view) != REWIRE_OK || !p->view) {
            h->set_error(h, "projections: no projection named '%s'", s->projections->names[k]);
            return REWIRE_ENOENT;
        }
        const uint32_t n = p->view->n_post;
        if (!p->target || p->n_post != n) {
            free(p->target);
            p->n_post = 0;
            if (!(p->target = malloc((n ? n : 1) * sizeof *p->target))) goto oom;
            p->n_post = n;
        }
        if (n > s->scratch_n) {
            double *grown = realloc(s->scratch, n * sizeof *grown);
            if (!grown) goto oom;
            s->scratch = grown;
            s->scratch_n = n;
        }
        input_totals(p->view, p->target);
        for (uint32_t j = 0; j < n; j++) p->target[j] *= s->target_fraction;
    }
    for (uint32_t k = 0; k < s->projections->n; k++)
        gain_hold_set(&s->proj[k].hold, &s->proj[k].view->plasticity_gain, s->plasticity);
    return REWIRE_OK;
oom:
    h->set_error(h, "out of memory for the downscaling targets");
    return REWIRE_ENOMEM;
}

static int refind_projections(sleep_state *s) {
    const rewire_host *h = s->host;
    for (uint32_t k = 0; k < s->projections->n; k++)
        if (h->projection_find(h, s->projections->names[k], &s->proj[k].view) != REWIRE_OK ||
            !s->proj[k].view || s->proj[k].view->n_post != s->proj[k].n_post) {
            h->set_error(h, "projections: '%s' is gone or changed size", s->projections->names[k]);
            return REWIRE_ESTATE;
        }
    return REWIRE_OK;
}

/* ---- hooks ---- */

/* The time step: from our own first projection, else from the network's first. */
static double sleep_dt(const sleep_state *s) {
    rewire_projection_view *v = NULL;
    if (s->projections &&
        s->host->projection_find(s->host, s->projections->names[0], &v) == REWIRE_OK && v)
        return v->dt;
    return network_dt(s->host);
}

static int sleep_begin(void *instance, int64_t step) {
    sleep_state *s = instance;
    const rewire_host *h = s->host;
    if (s->open) {
        h->set_error(h, "a window opened at step %" PRId64 " while one was open", step);
        return REWIRE_ESTATE;
    }
    int rc = REWIRE_OK;
    s->open_step = step;
    s->burst_on = false;
    /* Everything is read before anything is changed, so a failure leaves no trace. */
    if (s->replay && (rc = replay_prepare(s, sleep_dt(s))) != REWIRE_OK) return rc;
    if (s->inputs) {
        rewire_population_view pop;
        if ((rc = find_sources(s, s->inputs, "inputs", &pop)) != REWIRE_OK) return rc;
    }
    if (s->projections && (rc = downscale_prepare(s)) != REWIRE_OK) return rc;
    if (s->inputs && (rc = inputs_off(s)) != REWIRE_OK) return rc;
    if (s->replay && s->replaying && (rc = replay_switch(s, in_burst(s, step))) != REWIRE_OK)
        return rc;
    s->open = true;
    h->log(h, REWIRE_LOG_INFO, "step %" PRId64 ": sleep begins", step);
    return REWIRE_OK;
}

static int sleep_on_slice(void *instance, int64_t first_step, int64_t end_step) {
    sleep_state *s = instance;
    if (!s->open) return REWIRE_OK;
    int rc;
    if (s->replay && s->replaying && (rc = replay_switch(s, in_burst(s, end_step))) != REWIRE_OK)
        return rc;
    if (s->projections && s->tau > 0 && end_step > first_step) {
        if ((rc = refind_projections(s)) != REWIRE_OK) return rc;
        const double d = (double)(end_step - first_step) * s->proj[0].view->dt;
        downscale(s, -expm1(-d / s->tau));
    }
    return REWIRE_OK;
}

static int sleep_end(void *instance, int64_t step) {
    sleep_state *s = instance;
    if (!s->open) return REWIRE_OK;
    int rc;
    if (s->replay) {
        if ((rc = replay_switch(s, false)) != REWIRE_OK) return rc;
        if ((rc = replay_mark(s)) != REWIRE_OK) return rc;
    }
    if (s->inputs && (rc = inputs_on(s)) != REWIRE_OK) return rc;
    if (s->projections) {
        if ((rc = refind_projections(s)) != REWIRE_OK) return rc;
        if (!(s->tau > 0)) downscale(s, 1.0);
        for (uint32_t k = s->projections->n; k-- > 0;)
            gain_hold_release(&s->proj[k].hold, &s->proj[k].view->plasticity_gain);
    }
    s->open = false;
    s->host->log(s->host, REWIRE_LOG_INFO, "step %" PRId64 ": sleep ends", step);
    return REWIRE_OK;
}

static const rewire_intervention_v1 sleep_functions = {
    .struct_size = sizeof(rewire_intervention_v1),
    .create = sleep_create,
    .begin = sleep_begin,
    .on_slice = sleep_on_slice,
    .end = sleep_end,
    .set_param = NULL,
    .destroy = sleep_destroy,
};

static const rewire_plugin_descriptor sleep_descriptor =
    REWIRE_DESCRIPTOR(REWIRE_KIND_INTERVENTION, "sleep", "1.0.0",
                      "Offline phase: sensory input off, burst replay of recent activity, "
                      "multiplicative downscaling toward a target total (Tononi & Cirelli 2014)",
                      sleep_params, sleep_functions);

REWIRE_PLUGIN_ENTRY(&sleep_descriptor)
