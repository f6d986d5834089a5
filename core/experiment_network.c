/* The experiment loader's `populations` and `projections` sections. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiment_parse.h"
#include "space.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static char *dup_str(const char *s) {
    size_t n = strlen(s) + 1;
    char *c = malloc(n);
    if (c) memcpy(c, s, n);
    return c;
}

/* ---- neuron models: parameter schemas (the same machinery as plugins' params) ---- */

#define Q(NAME, DIM, DEF, DOC) \
    {NAME, REWIRE_PARAM_REAL, DIM, 0, DEF, 0, NULL, 0, 0, NULL, DOC}
#define QPOS(NAME, DIM, DEF, DOC) \
    {NAME, REWIRE_PARAM_REAL, DIM, REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_MIN_EXCLUSIVE, DEF, 0, NULL, 0, 0, NULL, DOC}
#define QNONNEG(NAME, DIM, DEF, DOC) \
    {NAME, REWIRE_PARAM_REAL, DIM, REWIRE_PARAM_HAS_MIN, DEF, 0, NULL, 0, 0, NULL, DOC}

/* Order matters: lif_values_to_params reads them by index. */
enum { P_C_M, P_TAU_M, P_E_L, P_V_TH, P_V_RESET, P_T_REF, P_TAU_E, P_TAU_I, P_I_BIAS, P_E_E, P_E_I };

static const rewire_param_spec lif_cuba_schema[] = {
    QPOS("C_m", REWIRE_DIM_CAPACITANCE, 250, "membrane capacitance"),
    QPOS("tau_m", REWIRE_DIM_TIME, 10, "membrane time constant (g_L = C_m / tau_m)"),
    Q("E_L", REWIRE_DIM_VOLTAGE, -70, "resting potential"),
    Q("V_th", REWIRE_DIM_VOLTAGE, -55, "spike threshold"),
    Q("V_reset", REWIRE_DIM_VOLTAGE, -70, "reset potential"),
    QNONNEG("t_ref", REWIRE_DIM_TIME, 2, "refractory period"),
    QPOS("tau_e", REWIRE_DIM_TIME, 2, "excitatory synaptic time constant"),
    QPOS("tau_i", REWIRE_DIM_TIME, 2, "inhibitory synaptic time constant"),
    Q("I_bias", REWIRE_DIM_CURRENT, 0, "constant input current"),
};

static const rewire_param_spec lif_coba_schema[] = {
    QPOS("C_m", REWIRE_DIM_CAPACITANCE, 250, "membrane capacitance"),
    QPOS("tau_m", REWIRE_DIM_TIME, 15, "membrane time constant (g_L = C_m / tau_m)"),
    Q("E_L", REWIRE_DIM_VOLTAGE, -70, "resting potential"),
    Q("V_th", REWIRE_DIM_VOLTAGE, -55, "spike threshold"),
    Q("V_reset", REWIRE_DIM_VOLTAGE, -60, "reset potential"),
    QNONNEG("t_ref", REWIRE_DIM_TIME, 2, "refractory period"),
    QPOS("tau_e", REWIRE_DIM_TIME, 0.2, "excitatory synaptic time constant"),
    QPOS("tau_i", REWIRE_DIM_TIME, 2, "inhibitory synaptic time constant"),
    Q("I_bias", REWIRE_DIM_CURRENT, 0, "constant input current"),
    Q("E_e", REWIRE_DIM_VOLTAGE, 0, "excitatory reversal potential"),
    Q("E_i", REWIRE_DIM_VOLTAGE, -85, "inhibitory reversal potential"),
};

/* The rate model (rate.c): tau dr/dt = -r + min(gain [I - threshold]_+, r_max). */
enum { R_TAU, R_GAIN, R_THRESHOLD, R_I_BIAS, R_R_MAX };

static const rewire_param_spec rate_schema[] = {
    QPOS("tau", REWIRE_DIM_TIME, 10, "time constant of the rate"),
    QNONNEG("gain", REWIRE_DIM_NONE, 1, "slope of the rate above threshold (Hz per Hz of input)"),
    Q("threshold", REWIRE_DIM_FREQUENCY, 0, "input below which the rate relaxes to 0"),
    Q("I_bias", REWIRE_DIM_FREQUENCY, 0, "constant input added to the weighted rates"),
    QPOS("r_max", REWIRE_DIM_FREQUENCY, INFINITY, "highest rate (none by default)"),
};

static const char *const model_names[] = {"lif_cuba", "lif_coba", "poisson", "spike_times",
                                          "rate", "rate_input", NULL};

static bool is_lif(rw_model_kind m) { return m == RW_MODEL_LIF_CUBA || m == RW_MODEL_LIF_COBA; }

static bool parse_lif(rw_population_spec *p, const rw_node *pn, rw_diag *d) {
    const rewire_param_spec *schema = p->model == RW_MODEL_LIF_COBA ? lif_coba_schema : lif_cuba_schema;
    uint32_t n = p->model == RW_MODEL_LIF_COBA ? ARRAY_LEN(lif_coba_schema) : ARRAY_LEN(lif_cuba_schema);
    rewire_param_value v[ARRAY_LEN(lif_coba_schema)];
    char what[160];
    snprintf(what, sizeof what, "neuron model '%s' of population '%s'", model_names[p->model], p->name);
    const rw_node *params = rw_map_get(pn, "params");
    if (!rw_params_from_config(schema, n, params, pn->loc, REWIRE_DIM_NONE, what, v, d)) return false;
    rw_lif_params *l = &p->lif;
    l->C_m = v[P_C_M].real;
    l->tau_m = v[P_TAU_M].real;
    l->E_L = v[P_E_L].real;
    l->V_th = v[P_V_TH].real;
    l->V_reset = v[P_V_RESET].real;
    l->t_ref = v[P_T_REF].real;
    l->tau_e = v[P_TAU_E].real;
    l->tau_i = v[P_TAU_I].real;
    l->I_bias = v[P_I_BIAS].real;
    l->E_e = p->model == RW_MODEL_LIF_COBA ? v[P_E_E].real : 0;
    l->E_i = p->model == RW_MODEL_LIF_COBA ? v[P_E_I].real : 0;
    if (!(l->V_reset < l->V_th)) {
        rw_loc at = params ? rw_map_key_loc(params, "V_reset") : pn->loc;
        rw_diag_error(d, at, "population '%s': V_reset (%g mV) must be below V_th (%g mV)", p->name,
                      l->V_reset, l->V_th);
        return false;
    }
    const rw_node *vi = rw_map_get(pn, "v_init");
    snprintf(what, sizeof what, "population '%s' v_init", p->name);
    if (!vi) {
        p->v_init = (rw_dist){RW_DIST_CONST, l->E_L, l->E_L, -INFINITY, INFINITY};
        return true;
    }
    return rw_parse_dist(vi, REWIRE_DIM_VOLTAGE, -INFINITY, INFINITY, what, &p->v_init, d);
}

static int cmp_spike(const void *a, const void *b) {
    const double *x = a, *y = b;
    if (x[0] != y[0]) return x[0] < y[0] ? -1 : 1;
    return (x[1] > y[1]) - (x[1] < y[1]);
}

static bool parse_spike_times(rw_population_spec *p, const rw_node *pn, rw_diag *d) {
    char what[128];
    snprintf(what, sizeof what, "population '%s'", p->name);
    const rw_node *sp = rw_require(pn, "spikes", what, d);
    if (!sp) return false;
    if (sp->type != RW_NODE_SEQ || sp->n != p->size) {
        rw_diag_error(d, sp->loc,
                      "population '%s' spikes: expected a list of %u lists of times (one per "
                      "neuron), e.g. [[10 ms, 20 ms], [15 ms]]",
                      p->name, p->size);
        return false;
    }
    size_t total = 0;
    for (size_t i = 0; i < sp->n; i++) {
        if (sp->items[i]->type != RW_NODE_SEQ) {
            rw_diag_error(d, sp->items[i]->loc,
                          "population '%s' spikes of neuron %zu: expected a list of times", p->name, i);
            return false;
        }
        total += sp->items[i]->n;
    }
    double *pairs = malloc((total ? total : 1) * 2 * sizeof *pairs);
    if (!pairs) return false;
    size_t k = 0;
    bool ok = true;
    for (size_t i = 0; i < sp->n; i++) {
        for (size_t j = 0; j < sp->items[i]->n; j++) {
            const rw_node *t = sp->items[i]->items[j];
            snprintf(what, sizeof what, "population '%s' spike time", p->name);
            double v;
            if (!rw_get_quantity(t, REWIRE_DIM_TIME, what, &v, d) ||
                !rw_check_range(t, v, 0, INFINITY, false, REWIRE_DIM_TIME, what, d)) {
                ok = false;
                continue;
            }
            pairs[2 * k] = v;
            pairs[2 * k + 1] = (double)i;
            k++;
        }
    }
    qsort(pairs, k, 2 * sizeof *pairs, cmp_spike);
    p->n_spikes = (uint32_t)k;
    p->spike_time = malloc((k ? k : 1) * sizeof *p->spike_time);
    p->spike_neuron = malloc((k ? k : 1) * sizeof *p->spike_neuron);
    for (size_t i = 0; p->spike_time && p->spike_neuron && i < k; i++) {
        p->spike_time[i] = pairs[2 * i];
        p->spike_neuron[i] = (uint32_t)pairs[2 * i + 1];
    }
    free(pairs);
    return ok && p->spike_time && p->spike_neuron;
}

static bool parse_rate(rw_population_spec *p, const rw_node *pn, rw_diag *d) {
    rewire_param_value v[ARRAY_LEN(rate_schema)];
    char what[160];
    snprintf(what, sizeof what, "neuron model 'rate' of population '%s'", p->name);
    if (!rw_params_from_config(rate_schema, ARRAY_LEN(rate_schema), rw_map_get(pn, "params"), pn->loc,
                               REWIRE_DIM_NONE, what, v, d))
        return false;
    p->rate_params = (rw_rate_params){.tau = v[R_TAU].real,
                                      .gain = v[R_GAIN].real,
                                      .threshold = v[R_THRESHOLD].real,
                                      .I_bias = v[R_I_BIAS].real,
                                      .r_max = v[R_R_MAX].real};
    const rw_node *ri = rw_map_get(pn, "r_init");
    if (!ri) {
        p->r_init = (rw_dist){RW_DIST_CONST, 0, 0, 0, p->rate_params.r_max};
        return true;
    }
    snprintf(what, sizeof what, "population '%s' r_init", p->name);
    return rw_parse_dist(ri, REWIRE_DIM_FREQUENCY, 0, p->rate_params.r_max, what, &p->r_init, d);
}

/* patterns: [[10 Hz, 0 Hz, ...], ...], each of `size` rates >= 0; interval (required
 * with two patterns or more), order, noise. */
static bool parse_rate_input(rw_population_spec *p, const rw_node *pn, double dt, rw_diag *d) {
    char what[128], sub[192];
    snprintf(what, sizeof what, "population '%s'", p->name);
    const rw_node *pl = rw_require(pn, "patterns", what, d);
    bool ok = pl != NULL;
    if (pl && (pl->type != RW_NODE_SEQ || pl->n == 0)) {
        rw_diag_error(d, pl->loc,
                      "%s patterns: expected a list of patterns, each a list of %u rates "
                      "(one per unit), e.g. [[10 Hz, 0 Hz], [0 Hz, 10 Hz]]",
                      what, p->size);
        ok = false;
    }
    /* Shapes first (every bad row reported): the table is allocated only once every row
     * has `size` entries. */
    bool shaped = ok;
    for (size_t k = 0; ok && k < pl->n; k++)
        if (pl->items[k]->type != RW_NODE_SEQ || pl->items[k]->n != p->size) {
            rw_diag_error(d, pl->items[k]->loc,
                          "%s pattern %zu: expected a list of %u rates (one per unit)", what, k,
                          p->size);
            shaped = false;
        }
    ok = shaped;
    if (ok) {
        p->patterns = malloc(pl->n * p->size * sizeof *p->patterns);
        if (!p->patterns) {
            rw_diag_error(d, pl->loc, "out of memory reading the patterns of %s", what);
            return false;
        }
        p->n_patterns = (uint32_t)pl->n;
        snprintf(sub, sizeof sub, "%s pattern rate", what);
        for (size_t k = 0; k < pl->n; k++)
            for (size_t i = 0; i < p->size; i++) {
                const rw_node *x = pl->items[k]->items[i];
                double *r = &p->patterns[k * p->size + i];
                if (!rw_get_quantity(x, REWIRE_DIM_FREQUENCY, sub, r, d) ||
                    !rw_check_range(x, *r, 0, INFINITY, false, REWIRE_DIM_FREQUENCY, sub, d))
                    ok = false;
            }
    }
    const rw_node *n = rw_map_get(pn, "interval");
    p->interval = INFINITY; /* one pattern, shown for the whole run */
    snprintf(sub, sizeof sub, "%s interval", what);
    if (n)
        ok = rw_get_quantity(n, REWIRE_DIM_TIME, sub, &p->interval, d) &&
             rw_check_range(n, p->interval, dt, INFINITY, false, REWIRE_DIM_TIME, sub, d) && ok;
    else if (pl && pl->type == RW_NODE_SEQ && pl->n > 1) {
        rw_diag_error(d, pn->loc,
                      "missing required key 'interval' in %s: how long each of its %zu patterns "
                      "is shown, e.g. 'interval: 50 ms'",
                      what, pl->n);
        ok = false;
    }
    if ((n = rw_map_get(pn, "order"))) {
        static const char *const orders[] = {"sequential", "random", NULL};
        int order;
        snprintf(sub, sizeof sub, "%s order", what);
        if (rw_get_choice(n, orders, sub, &order, d))
            p->random_order = order == 1;
        else
            ok = false;
    }
    if ((n = rw_map_get(pn, "noise"))) {
        snprintf(sub, sizeof sub, "%s noise", what);
        ok = rw_get_quantity(n, REWIRE_DIM_FREQUENCY, sub, &p->noise, d) &&
             rw_check_range(n, p->noise, 0, INFINITY, false, REWIRE_DIM_FREQUENCY, sub, d) && ok;
    }
    return ok;
}

static bool parse_population(rw_population_spec *p, const rw_node *pn, double dt, rw_diag *d) {
    char what[128];
    snprintf(what, sizeof what, "population '%s'", p->name);
    if (pn->type != RW_NODE_MAP) {
        rw_diag_error(d, pn->loc, "%s: expected a mapping with 'model' and 'size'", what);
        return false;
    }
    const rw_node *mn = rw_require(pn, "model", what, d);
    int model = -1;
    char mwhat[160];
    snprintf(mwhat, sizeof mwhat, "%s model", what);
    if (mn && !rw_get_choice(mn, model_names, mwhat, &model, d)) model = -1;
    static const char *const lif_keys[] = {"model", "size", "params", "v_init", "layout"};
    static const char *const poisson_keys[] = {"model", "size", "rate", "layout"};
    static const char *const times_keys[] = {"model", "size", "spikes", "layout"};
    static const char *const rate_keys[] = {"model", "size", "params", "r_init", "layout"};
    static const char *const input_keys[] = {"model", "size", "patterns", "interval",
                                             "order", "noise", "layout"};
    static const char *const any_keys[] = {"model", "size",   "params",   "v_init",   "rate",  "spikes",
                                           "r_init", "patterns", "interval", "order", "noise",
                                           "layout"};
    bool ok = model >= 0;
    if (model < 0)
        ok = rw_check_keys(pn, any_keys, ARRAY_LEN(any_keys), what, d) && ok;
    else if (is_lif((rw_model_kind)model))
        ok = rw_check_keys(pn, lif_keys, ARRAY_LEN(lif_keys), what, d);
    else if (model == RW_MODEL_POISSON)
        ok = rw_check_keys(pn, poisson_keys, ARRAY_LEN(poisson_keys), what, d);
    else if (model == RW_MODEL_RATE)
        ok = rw_check_keys(pn, rate_keys, ARRAY_LEN(rate_keys), what, d);
    else if (model == RW_MODEL_RATE_INPUT)
        ok = rw_check_keys(pn, input_keys, ARRAY_LEN(input_keys), what, d);
    else
        ok = rw_check_keys(pn, times_keys, ARRAY_LEN(times_keys), what, d);

    const rw_node *sn = rw_require(pn, "size", what, d);
    int64_t size = 0;
    char swhat[160];
    snprintf(swhat, sizeof swhat, "%s size", what);
    if (!sn || !rw_get_int(sn, swhat, &size, d) ||
        !rw_check_range(sn, (double)size, 1, 4294967295.0, false, REWIRE_DIM_NONE, swhat, d)) {
        return false;
    }
    p->size = (uint32_t)size;
    const rw_node *ln = rw_map_get(pn, "layout");
    if (ln) ok = rw_parse_layout(p, ln, d) && ok;
    if (model < 0) return false;
    p->model = (rw_model_kind)model;
    if (is_lif(p->model)) return parse_lif(p, pn, d) && ok;
    if (p->model == RW_MODEL_POISSON) {
        const rw_node *rn = rw_require(pn, "rate", what, d);
        snprintf(swhat, sizeof swhat, "%s rate", what);
        return rn && rw_get_quantity(rn, REWIRE_DIM_FREQUENCY, swhat, &p->rate, d) &&
               rw_check_range(rn, p->rate, 0, INFINITY, false, REWIRE_DIM_FREQUENCY, swhat, d) && ok;
    }
    if (p->model == RW_MODEL_RATE) return parse_rate(p, pn, d) && ok;
    if (p->model == RW_MODEL_RATE_INPUT) return parse_rate_input(p, pn, dt, d) && ok;
    return parse_spike_times(p, pn, d) && ok;
}

bool rw_parse_populations(rw_experiment *e, const rw_node *map, rw_diag *d) {
    if (map->type != RW_NODE_MAP || map->n == 0) {
        rw_diag_error(d, map->loc,
                      "populations: expected a mapping from names to populations, e.g. "
                      "{cells: {model: lif_cuba, size: 10}}");
        return false;
    }
    e->populations = calloc(map->n, sizeof *e->populations);
    if (!e->populations) return false;
    bool ok = true;
    for (size_t i = 0; i < map->n; i++) {
        rw_population_spec *p = &e->populations[e->n_populations++];
        p->name = dup_str(map->keys[i]);
        p->loc = map->key_locs[i];
        bool good = rw_check_name(p->name, p->loc, "population", d);
        good = parse_population(p, map->items[i], e->dt, d) && good;
        p->broken = !good;
        ok = ok && good;
    }
    return ok;
}

/* ---- projections ---- */

static const char *const connect_names[] = {"all_to_all", "one_to_one", "fixed_probability",
                                            "fixed_indegree", "topographic", NULL};

/* Distance-dependent connectivity and weights need positions at both ends. */
static bool need_layouts(const rw_experiment *e, const rw_projection_spec *pr, rw_loc at,
                         const char *what, const char *feature, rw_diag *d) {
    const rw_population_spec *ends[2] = {&e->populations[pr->pre], &e->populations[pr->post]};
    for (int k = 0; k < 2; k++)
        if (ends[k]->layout == RW_LAYOUT_NONE) {
            rw_diag_error(d, at,
                          "%s: %s depends on distance, and population '%s' has no layout "
                          "(give it one, e.g. 'layout: {grid: [10, 10]}' or 'layout: {line: true}')",
                          what, feature, ends[k]->name);
            return false;
        }
    return true;
}

static bool parse_connect(rw_experiment *e, rw_projection_spec *pr, const rw_node *cn, rw_diag *d) {
    char what[160];
    snprintf(what, sizeof what, "projection '%s' connect", pr->name);
    if (cn->type != RW_NODE_MAP) {
        rw_diag_error(d, cn->loc, "%s: expected a mapping, e.g. {rule: fixed_probability, p: 0.1}",
                      what);
        return false;
    }
    const rw_node *rn = rw_require(cn, "rule", what, d);
    int rule;
    char rwhat[200];
    snprintf(rwhat, sizeof rwhat, "%s rule", what);
    if (!rn || !rw_get_choice(rn, connect_names, rwhat, &rule, d)) return false;
    pr->connect = (rw_connect_kind)rule;
    static const char *const k_all[] = {"rule", "autapses"};
    static const char *const k_one[] = {"rule"};
    static const char *const k_prob[] = {"rule", "p", "autapses"};
    static const char *const k_indeg[] = {"rule", "k", "autapses", "multapses"};
    static const char *const k_topo[] = {"rule", "p", "sigma", "autapses"};
    static const char *const *const keys[] = {k_all, k_one, k_prob, k_indeg, k_topo};
    static const size_t n_keys[] = {ARRAY_LEN(k_all), ARRAY_LEN(k_one), ARRAY_LEN(k_prob),
                                    ARRAY_LEN(k_indeg), ARRAY_LEN(k_topo)};
    bool ok = rw_check_keys(cn, keys[rule], n_keys[rule], what, d);
    const rw_node *n;
    char sub[200];
    if ((n = rw_map_get(cn, "autapses")) && rule != RW_CONNECT_ONE_TO_ONE) {
        snprintf(sub, sizeof sub, "%s autapses", what);
        ok = rw_get_bool(n, sub, &pr->autapses, d) && ok;
    }
    if ((n = rw_map_get(cn, "multapses")) && rule == RW_CONNECT_FIXED_INDEGREE) {
        snprintf(sub, sizeof sub, "%s multapses", what);
        ok = rw_get_bool(n, sub, &pr->multapses, d) && ok;
    }
    const rw_population_spec *pre = &e->populations[pr->pre], *post = &e->populations[pr->post];
    if (rule == RW_CONNECT_TOPOGRAPHIC) {
        /* p exp(-d^2 / (2 sigma^2)): p at distance 0, sigma in the unit square's units. */
        ok = need_layouts(e, pr, rn->loc, what, "rule topographic", d) && ok;
        snprintf(sub, sizeof sub, "%s p", what);
        n = rw_require(cn, "p", what, d);
        ok = n && rw_get_real(n, sub, &pr->p, d) &&
             rw_check_range(n, pr->p, 0, 1, false, REWIRE_DIM_NONE, sub, d) && ok;
        snprintf(sub, sizeof sub, "%s sigma", what);
        n = rw_require(cn, "sigma", what, d);
        ok = n && rw_get_real(n, sub, &pr->connect_sigma, d) &&
             rw_check_range(n, pr->connect_sigma, 0, INFINITY, true, REWIRE_DIM_NONE, sub, d) && ok;
    } else if (rule == RW_CONNECT_FIXED_PROBABILITY) {
        snprintf(sub, sizeof sub, "%s p", what);
        n = rw_require(cn, "p", what, d);
        ok = n && rw_get_real(n, sub, &pr->p, d) &&
             rw_check_range(n, pr->p, 0, 1, false, REWIRE_DIM_NONE, sub, d) && ok;
    } else if (rule == RW_CONNECT_FIXED_INDEGREE) {
        snprintf(sub, sizeof sub, "%s k", what);
        n = rw_require(cn, "k", what, d);
        int64_t k = 0;
        if (!n || !rw_get_int(n, sub, &k, d)) return false;
        double max = pr->multapses ? 4294967295.0
                                   : (double)pre->size - (pr->pre == pr->post && !pr->autapses);
        if (!rw_check_range(n, (double)k, 0, max, false, REWIRE_DIM_NONE, sub, d)) return false;
        pr->indegree = (uint32_t)k;
    } else if (rule == RW_CONNECT_ONE_TO_ONE && pre->size != post->size) {
        rw_diag_error(d, rn->loc,
                      "%s: one_to_one needs populations of equal size ('%s' has %u, '%s' has %u)",
                      what, pre->name, pre->size, post->name, post->size);
        ok = false;
    }
    return ok;
}

static bool parse_plasticity(const rw_experiment *e, rw_projection_spec *pr, const rw_node *pn,
                             rewire_dim weight_dim, bool rates, rw_registry *reg, rw_diag *d) {
    char what[160];
    snprintf(what, sizeof what, "projection '%s' plasticity", pr->name);
    static const char *const keys[] = {"rule", "params", "neuromodulator"};
    if (!rw_check_keys(pn, keys, ARRAY_LEN(keys), what, d) && pn->type != RW_NODE_MAP) return false;
    const rw_node *mod = rw_map_get(pn, "neuromodulator");
    uint32_t m;
    if (mod && !rw_resolve_modulator(e, mod, "neuromodulator", &m, d)) return false;
    if (mod) pr->neuromodulator = (int)m;
    const rw_node *rn = rw_require(pn, "rule", what, d);
    const char *name;
    if (!rn || !rw_get_string(rn, "learning rule", &name, d)) return false;
    const rw_plugin *pl = rw_registry_find(reg, name);
    if (!pl || pl->desc->kind != REWIRE_KIND_LEARNING_RULE) {
        rw_registry_report_unknown(reg, REWIRE_KIND_LEARNING_RULE, name, rn->loc, d);
        return false;
    }
    /* Rate units never spike: a rule on them must work once per slice, on the rates. */
    const rewire_learning_rule_v1 *fns = pl->desc->functions;
    if (rates && !(fns->flags & REWIRE_RULE_ON_SLICE)) {
        rw_diag_error(d, rn->loc,
                      "%s: learning rule '%s' works on spikes, and projection '%s' connects rate "
                      "populations; use a rate rule (one that reads pre_rate/post_rate in "
                      "on_slice, such as bcm or oja)",
                      what, name, pr->name);
        return false;
    }
    pr->plastic = true;
    pr->rule.plugin = pl;
    pr->rule.loc = rn->loc;
    pr->rule.values = calloc(pl->desc->n_params ? pl->desc->n_params : 1, sizeof *pr->rule.values);
    if (!pr->rule.values) return false;
    snprintf(what, sizeof what, "learning rule '%s'", name);
    return rw_params_from_experiment(e, pl->desc->params, pl->desc->n_params,
                                     rw_map_get(pn, "params"), rn->loc, weight_dim, what,
                                     pr->rule.values, d);
}

/* weight: {gaussian: {peak: 2 nS, sigma: 0.1}}: w = peak exp(-d^2 / (2 sigma^2)). */
static bool parse_gaussian_weight(const rw_experiment *e, rw_projection_spec *pr,
                                  const rw_node *wn, rewire_dim wdim, double lo, const char *what,
                                  rw_diag *d) {
    char sw[200], sub[240];
    snprintf(sw, sizeof sw, "%s gaussian", what);
    const rw_node *g = wn->items[0];
    static const char *const keys[] = {"peak", "sigma"};
    if (!rw_check_keys(g, keys, ARRAY_LEN(keys), sw, d)) return false;
    bool ok = need_layouts(e, pr, wn->key_locs[0], what, "a gaussian weight", d);
    const rw_node *peak = rw_require(g, "peak", sw, d), *sigma = rw_require(g, "sigma", sw, d);
    if (!peak || !sigma) return false;
    snprintf(sub, sizeof sub, "%s peak", sw);
    double w = 0;
    ok = rw_get_quantity(peak, wdim, sub, &w, d) &&
         rw_check_range(peak, w, lo, INFINITY, false, wdim, sub, d) && ok;
    snprintf(sub, sizeof sub, "%s sigma", sw);
    ok = rw_get_real(sigma, sub, &pr->weight_sigma, d) &&
         rw_check_range(sigma, pr->weight_sigma, 0, INFINITY, true, REWIRE_DIM_NONE, sub, d) && ok;
    pr->weight = (rw_dist){RW_DIST_CONST, w, w, lo, INFINITY};
    pr->weight_gaussian = true;
    return ok;
}

static bool resolve_end(const rw_experiment *e, const rw_node *pn, const char *key,
                        const char *what, uint32_t *out, rw_diag *d) {
    const rw_node *n = rw_require(pn, key, what, d);
    return n && rw_resolve_population(e, n, key, out, d);
}

static bool parse_projection(rw_experiment *e, rw_projection_spec *pr, const rw_node *pn,
                             rw_registry *reg, rw_diag *d) {
    char what[128];
    snprintf(what, sizeof what, "projection '%s'", pr->name);
    static const char *const keys[] = {"from", "to", "receptor", "connect", "weight", "delay", "plasticity"};
    bool ok = rw_check_keys(pn, keys, ARRAY_LEN(keys), what, d);
    if (pn->type != RW_NODE_MAP) return false;
    bool ends = resolve_end(e, pn, "from", what, &pr->pre, d);
    ends = resolve_end(e, pn, "to", what, &pr->post, d) && ends;
    const rw_node *n;
    if ((n = rw_map_get(pn, "receptor"))) {
        static const char *const receptors[] = {"excitatory", "inhibitory", NULL};
        int r;
        char rwhat[160];
        snprintf(rwhat, sizeof rwhat, "%s receptor", what);
        if (rw_get_choice(n, receptors, rwhat, &r, d))
            pr->receptor = (rw_receptor)r;
        else
            ok = false;
    }
    if (!ends) {
        /* Without both ends the weight's dimension is unknown: stop here, having reported
         * the unknown names (and any unknown keys above). */
        return false;
    }
    const rw_population_spec *pre = &e->populations[pr->pre], *post = &e->populations[pr->post];
    bool rate = rw_model_is_rate(post->model);
    if (!is_lif(post->model) && post->model != RW_MODEL_RATE) {
        rw_diag_error(d, rw_map_key_loc(pn, "to"),
                      "%s: target population '%s' is a source ('%s'); projections must end on "
                      "lif_cuba, lif_coba or rate neurons",
                      what, post->name, model_names[post->model]);
        return false;
    }
    if (rw_model_is_rate(pre->model) != rate) {
        rw_diag_error(d, rw_map_key_loc(pn, "from"),
                      "%s connects a %s population ('%s', model %s) to a %s population ('%s', "
                      "model %s); spikes cannot drive rate units nor rates spiking neurons",
                      what, rate ? "spiking" : "rate", pre->name, model_names[pre->model],
                      rate ? "rate" : "spiking", post->name, model_names[post->model]);
        return false;
    }
    if (rate && pr->receptor == RW_RECEPTOR_INH) {
        rw_diag_error(d, rw_map_get(pn, "receptor")->loc,
                      "%s: rate units have one input; make the weight negative for inhibition "
                      "instead of 'receptor: inhibitory'",
                      what);
        ok = false;
    }
    if ((n = rw_require(pn, "connect", what, d)))
        ok = parse_connect(e, pr, n, d) && ok;
    else
        ok = false;

    /* Weights onto rate units are plain numbers (Hz of input per Hz of rate), signed. */
    bool coba = post->model == RW_MODEL_LIF_COBA;
    rewire_dim wdim = rate ? REWIRE_DIM_NONE : coba ? REWIRE_DIM_CONDUCTANCE : REWIRE_DIM_CURRENT;
    char sub[160];
    snprintf(sub, sizeof sub, "%s weight", what);
    pr->periodic = pre->periodic && post->periodic;
    if ((n = rw_require(pn, "weight", what, d)) && n->type == RW_NODE_MAP && n->n == 1 &&
        strcmp(n->keys[0], "gaussian") == 0)
        ok = parse_gaussian_weight(e, pr, n, wdim, coba ? 0 : -INFINITY, sub, d) && ok;
    else if (n)
        ok = rw_parse_dist(n, wdim, coba ? 0 : -INFINITY, INFINITY, sub, &pr->weight, d) && ok;
    else
        ok = false;
    snprintf(sub, sizeof sub, "%s delay", what);
    double max_delay = 65535 * e->dt;
    if ((n = rw_map_get(pn, "delay")))
        ok = rw_parse_dist(n, REWIRE_DIM_TIME, e->dt, max_delay, sub, &pr->delay, d) && ok;
    else
        pr->delay = (rw_dist){RW_DIST_CONST, e->dt, e->dt, e->dt, max_delay};
    if ((n = rw_map_get(pn, "plasticity"))) ok = parse_plasticity(e, pr, n, wdim, rate, reg, d) && ok;
    return ok;
}

bool rw_parse_projections(rw_experiment *e, const rw_node *map, rw_registry *reg, rw_diag *d) {
    if (map->type != RW_NODE_MAP) {
        rw_diag_error(d, map->loc, "projections: expected a mapping from names to projections");
        return false;
    }
    e->projections = calloc(map->n ? map->n : 1, sizeof *e->projections);
    if (!e->projections) return false;
    bool ok = true;
    for (size_t i = 0; i < map->n; i++) {
        rw_projection_spec *pr = &e->projections[e->n_projections++];
        pr->neuromodulator = -1;
        pr->name = dup_str(map->keys[i]);
        pr->loc = map->key_locs[i];
        ok = rw_check_name(pr->name, pr->loc, "projection", d) && ok;
        ok = parse_projection(e, pr, map->items[i], reg, d) && ok;
    }
    return ok;
}
