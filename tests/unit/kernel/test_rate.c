/* Rate models (core/rate.c): the relaxation of a `rate` unit against its analytic
 * exponential, the threshold-linear steady state (bias, weighted input rates, signed
 * weights, r_max, excitability), a chain of two projections whose delays shift a step
 * of rate by exactly their length, bit-identical results for any slice size, the views'
 * pre_rate/post_rate as rules see them in on_slice, the rate channel's mean of r, and
 * rate_input's pattern timing, random order and noise. */
#include <math.h>

#include "fixture.h"
#include "tap.h"

#define DT 0.1

/* ---- building blocks (docs/experiment-format.md defaults where not given) ---- */

static rw_rate_params rate_params(double tau, double gain, double threshold, double bias,
                                  double r_max) {
    return (rw_rate_params){tau, gain, threshold, bias, r_max};
}

static uint32_t add_rate(fx *f, const char *name, uint32_t size, rw_rate_params rp, double r0) {
    uint32_t k = f->e.n_populations++;
    rw_population_spec *p = &f->pops[k];
    p->name = (char *)name;
    p->model = RW_MODEL_RATE;
    p->size = size;
    p->rate_params = rp;
    p->r_init = (rw_dist){RW_DIST_CONST, r0, r0, 0.0, rp.r_max};
    return k;
}

/* patterns[n_patterns * size] must stay alive while the network is built. */
static uint32_t add_input(fx *f, const char *name, uint32_t size, uint32_t n_patterns,
                          double *patterns, double interval, bool random, double noise) {
    uint32_t k = f->e.n_populations++;
    rw_population_spec *p = &f->pops[k];
    p->name = (char *)name;
    p->model = RW_MODEL_RATE_INPUT;
    p->size = size;
    p->n_patterns = n_patterns;
    p->patterns = patterns;
    p->interval = interval;
    p->random_order = random;
    p->noise = noise;
    return k;
}

static uint32_t record_r(fx *f, const char *name, uint32_t pop) {
    uint32_t k = fx_record(f, name, RW_RECORD_STATE, pop, DT);
    f->recs[k].variable = RW_VAR_R;
    return k;
}

static double *rates_of(rw_network *net, uint32_t pop) {
    rewire_population_view v;
    return rw_network_population_view(net, pop, &v) == 0 ? v.rate : NULL;
}

/* Run in slices taken in turn from sizes[0..n_sizes) (each clipped to min_delay). */
static int run_slices(rw_network *net, rw_recorder *rec, fx_sink *sink, int64_t steps,
                      const int64_t *sizes, int n_sizes) {
    int64_t md = rw_network_min_delay(net);
    for (int i = 0; steps > 0; i = (i + 1) % n_sizes) {
        int64_t n = sizes[i] < md ? sizes[i] : md;
        n = n < steps ? n : steps;
        int rc = rw_network_advance(net, n, rec);
        if (!rc) rc = rw_recorder_drain(rec, fx_collect, sink);
        if (rc) return rc;
        steps -= n;
    }
    return 0;
}

/* ---- relaxation ---- */

static void relaxation(void) {
    fx f;
    fx_init(&f, DT, 1);
    /* up: r_inf = 2 (30 - 5) = 50 Hz from 0; down: r_inf = 20 Hz from 80 Hz. */
    const double tau_up = 10.0, tau_down = 3.0;
    uint32_t up = add_rate(&f, "up", 2, rate_params(tau_up, 2.0, 5.0, 30.0, INFINITY), 0.0);
    uint32_t down = add_rate(&f, "down", 1, rate_params(tau_down, 1.0, 0.0, 20.0, INFINITY), 80.0);
    record_r(&f, "r_up", up);
    rw_network *net = fx_build(&f);
    rw_recorder *rec = net ? rw_recorder_new(&f.e, net) : NULL;
    CHECK(net && rec, "a network of two rate populations builds");
    if (!net || !rec) return;
    const double *r_up = rates_of(net, up), *r_down = rates_of(net, down);
    double worst_up = 0, worst_down = 0;
    const int64_t steps = 2000;
    for (int64_t k = 0; k < steps; k++) {
        double t = (double)k * DT;
        double want_up = 50.0 * -expm1(-t / tau_up);
        double want_down = 20.0 + 60.0 * exp(-t / tau_down);
        worst_up = fmax(worst_up, fmax(fabs(r_up[0] - want_up), fabs(r_up[1] - want_up)));
        worst_down = fmax(worst_down, fabs(r_down[0] - want_down));
        if (rw_network_advance(net, 1, rec)) break;
    }
    /* The step is exact, so only rounding accumulates: ~1e-16 per step over 2000. */
    CHECK(worst_up < 1e-11, "rising: r(t) = 50 Hz (1 - exp(-t/10 ms)) at every step (worst %.3g Hz)",
          worst_up);
    CHECK(worst_down < 1e-11,
          "decaying: r(t) = 20 Hz + 60 Hz exp(-t/3 ms) at every step (worst %.3g Hz)", worst_down);
    fx_sink sink = {0};
    rw_recorder_drain(rec, fx_collect, &sink);
    const fx_rows *rows = &sink.ch[0];
    double worst_rec = 0;
    for (size_t j = 0; j < rows->n; j++)
        worst_rec = fmax(worst_rec, fabs(rows->value[j] - 50.0 * -expm1(-rows->time[j] / tau_up)));
    CHECK(rows->n == 2 * (size_t)steps && worst_rec < 1e-11,
          "the state channel 'r' samples r(t) at t = k dt (%zu rows, worst %.3g Hz)", rows->n,
          worst_rec);
    const rewire_channel_info *info = rw_recorder_channels(rec);
    CHECK(strcmp(info[0].variable, "r") == 0 && strcmp(info[0].unit, "Hz") == 0,
          "the channel says variable 'r' in Hz ('%s', '%s')", info[0].variable, info[0].unit);
    fx_sink_free(&sink);
    rw_recorder_free(rec);
    rw_network_free(net);
}

/* ---- steady states ---- */

static void steady_states(void) {
    fx f;
    fx_init(&f, DT, 1);
    /* gain 2, threshold 5 Hz, r_max 150 Hz: bias 1 and 5 Hz stay at 0, 12 Hz gives 14 Hz,
     * 100 Hz would give 190 Hz and is clipped. */
    const double bias[4] = {1.0, 5.0, 12.0, 100.0}, want[4] = {0.0, 0.0, 14.0, 150.0};
    uint32_t own[4];
    for (int i = 0; i < 4; i++)
        own[i] = add_rate(&f, "own", 1, rate_params(10.0, 2.0, 5.0, bias[i], 150.0), 7.0);
    double pattern[2] = {10.0, 20.0};
    uint32_t src = add_input(&f, "src", 2, 1, pattern, INFINITY, false, 0.0);
    /* driven: I = 0.5 10 + 0.5 20 + 2 = 17 Hz, r = 1.5 (17 - 4) = 19.5 Hz; its unit 1 is
     * silenced (excitability 0: r = 1.5 [0 - 4]_+ = 0) and unit 2 halved (I = 8.5 Hz,
     * r = 6.75 Hz).  opposed: I = 40 - 10 - 20 = 10 Hz through negative weights. */
    uint32_t driven = add_rate(&f, "driven", 3, rate_params(10.0, 1.5, 4.0, 2.0, INFINITY), 0.0);
    uint32_t opposed = add_rate(&f, "opposed", 1, rate_params(5.0, 1.0, 0.0, 40.0, INFINITY), 0.0);
    fx_proj(&f, "drive", src, driven, RW_CONNECT_ALL_TO_ALL, 0.5, 1.0);
    fx_proj(&f, "oppose", src, opposed, RW_CONNECT_ALL_TO_ALL, -1.0, 2.0);
    rw_network *net = fx_build(&f);
    CHECK(net != NULL, "rate_input -> rate projections build");
    if (!net) return;
    rewire_population_view dv;
    rw_network_population_view(net, driven, &dv);
    CHECK(dv.excitability && dv.rate && dv.v == NULL && strcmp(dv.model, "rate") == 0,
          "a rate population's view has excitability and rate, no v");
    dv.excitability[1] = 0.0f;
    dv.excitability[2] = 0.5f;
    CHECK(fx_run(net, NULL, NULL, 10000, 1000) == 0, "1 s runs");
    for (int i = 0; i < 4; i++)
        CHECK_NEAR(rates_of(net, own[i])[0], want[i], 1e-9,
                   "I_bias %g Hz: r -> min(2 [I - 5 Hz]_+, 150 Hz) = %g Hz", bias[i], want[i]);
    const double *rd = rates_of(net, driven);
    CHECK_NEAR(rd[0], 19.5, 1e-9, "weighted input rates: 1.5 (0.5 x 10 + 0.5 x 20 + 2 - 4) Hz");
    CHECK_NEAR(rd[1], 0.0, 1e-9, "excitability 0 silences a unit");
    CHECK_NEAR(rd[2], 6.75, 1e-9, "excitability 0.5 halves input and bias: 1.5 (8.5 - 4) Hz");
    CHECK_NEAR(rates_of(net, opposed)[0], 10.0, 1e-9, "negative weights subtract: 40 - 10 - 20 Hz");
    rw_network_free(net);
}

/* ---- delays ---- */

static void delayed_chain(void) {
    fx f;
    fx_init(&f, DT, 1);
    /* a: 0 Hz on [0, 20 ms), 10 Hz on [20, 40 ms), then 0 again.  b = a delayed 3 ms and
     * low-passed (tau 5 ms); c = 2 b delayed 2 ms and low-passed. */
    double patterns[2] = {0.0, 10.0};
    uint32_t a = add_input(&f, "a", 1, 2, patterns, 20.0, false, 0.0);
    uint32_t b = add_rate(&f, "b", 1, rate_params(5.0, 1.0, 0.0, 0.0, INFINITY), 0.0);
    uint32_t c = add_rate(&f, "c", 1, rate_params(5.0, 1.0, 0.0, 0.0, INFINITY), 0.0);
    fx_proj(&f, "ab", a, b, RW_CONNECT_ALL_TO_ALL, 1.0, 3.0);
    fx_proj(&f, "bc", b, c, RW_CONNECT_ALL_TO_ALL, 2.0, 2.0);
    record_r(&f, "ra", a);
    record_r(&f, "rb", b);
    record_r(&f, "rc", c);
    rw_network *net = fx_build(&f);
    rw_recorder *rec = net ? rw_recorder_new(&f.e, net) : NULL;
    CHECK(net && rec && rw_network_min_delay(net) == 20, "the chain builds; slices of 20 steps");
    if (!net || !rec) return;
    fx_sink s = {0};
    const int64_t steps = 800;
    CHECK(fx_run(net, rec, &s, steps, 20) == 0 && s.ch[0].n == (size_t)steps &&
              s.ch[1].n == (size_t)steps && s.ch[2].n == (size_t)steps,
          "800 steps, one sample of each per step");
    const double *ra = s.ch[0].value, *rb = s.ch[1].value, *rc = s.ch[2].value;
    int a_ok = 1;
    for (int64_t k = 0; k < steps; k++) a_ok &= ra[k] == ((k / 200) % 2 ? 10.0 : 0.0);
    CHECK(a_ok, "a shows 0 Hz, then 10 Hz from exactly t = 20 ms, then 0 Hz from t = 40 ms");
    /* b's input is a(t - 3 ms), held over each step: 10 Hz over steps [230, 430). */
    int b_zero = 1;
    for (int64_t k = 0; k <= 230; k++) b_zero &= rb[k] == 0.0;
    double worst = 0;
    for (int64_t k = 230; k <= 430; k++)
        worst = fmax(worst, fabs(rb[k] - 10.0 * -expm1(-(double)(k - 230) * DT / 5.0)));
    CHECK(b_zero && rb[231] > 0, "b stays 0 until a's step has travelled 3 ms: t = 23 ms");
    CHECK(worst < 1e-12, "b(t) = 10 Hz (1 - exp(-(t - 23 ms)/5 ms)) from then on (worst %.3g)",
          worst);
    /* b's first nonzero rate, at step 231, is c's input over step 231 + 20. */
    int64_t first_c = -1;
    for (int64_t k = 0; k < steps && first_c < 0; k++)
        if (rc[k] != 0.0) first_c = k;
    CHECK(first_c == 252, "c's input moves exactly 2 ms after b's rate (c first > 0 at step %lld)",
          (long long)first_c);
    double relax = -expm1(-DT / 5.0);
    CHECK(rc[252] == 2.0 * rb[231] * relax, "... and by 2 b(t - 2 ms) (%.17g)", rc[252]);
    fx_sink_free(&s);
    rw_recorder_free(rec);
    rw_network_free(net);
}

/* ---- slice size, views, the rate channel ---- */

/* A rule that checks what rate rules see in on_slice: the populations' own arrays, with
 * the rates at the end of the slice (logged as the sum over post units). */
typedef struct view_log {
    const double *pre, *post;
    int same_arrays;
    int64_t n, end[4096];
    double post_sum[4096];
} view_log;

static void log_slice(void *inst, rewire_projection_view *v, int64_t first, int64_t end) {
    (void)first;
    view_log *log = inst;
    log->same_arrays &= v->pre_rate == log->pre && v->post_rate == log->post;
    if (log->n == 4096) return;
    double sum = 0;
    for (uint32_t j = 0; j < v->n_post; j++) sum += v->post_rate[j];
    log->end[log->n] = end;
    log->post_sum[log->n++] = sum;
}

static const rewire_learning_rule_v1 rate_logger = {
    .struct_size = sizeof rate_logger,
    .flags = REWIRE_RULE_ON_SLICE,
    .on_slice = log_slice,
};

typedef struct run_out {
    fx_sink sink;
    view_log log;
} run_out;

enum { INV_STEPS = 1500, E_SIZE = 30, IN_SIZE = 20 };

static void invariance_net(fx *f, double *patterns) {
    fx_init(f, DT, 11);
    for (int k = 0; k < 3 * IN_SIZE; k++) patterns[k] = (double)((k * 7) % 23);
    uint32_t in = add_input(f, "in", IN_SIZE, 3, patterns, 7.0, true, 1.5);
    uint32_t e = add_rate(f, "e", E_SIZE, rate_params(4.0, 1.2, 2.0, 1.0, INFINITY), 3.0);
    uint32_t g = add_rate(f, "g", 10, rate_params(2.0, 3.0, 0.0, 0.0, 40.0), 0.0);
    uint32_t ff = fx_proj(f, "ff", in, e, RW_CONNECT_FIXED_PROBABILITY, 0.0, 1.0);
    f->projs[ff].p = 0.3;
    f->projs[ff].weight = fx_uniform(-0.2, 0.5);
    f->projs[ff].delay = (rw_dist){RW_DIST_UNIFORM, 1.0, 3.0, DT, INFINITY};
    uint32_t rec_e = fx_proj(f, "ee", e, e, RW_CONNECT_FIXED_INDEGREE, 0.0, 1.5);
    f->projs[rec_e].indegree = 5;
    f->projs[rec_e].weight = fx_normal(-0.05, 0.05);
    fx_proj(f, "eg", e, g, RW_CONNECT_ALL_TO_ALL, 0.1, 1.0);
    record_r(f, "r_e", e);
    record_r(f, "r_g", g);
    fx_record(f, "rate_e", RW_RECORD_RATE, e, 2.5);
    fx_record(f, "rate_in", RW_RECORD_RATE, in, 4.0);
}

static int invariance_run(const int64_t *sizes, int n_sizes, run_out *out) {
    fx f;
    double patterns[3 * IN_SIZE];
    invariance_net(&f, patterns);
    rw_network *net = fx_build(&f);
    rw_recorder *rec = net ? rw_recorder_new(&f.e, net) : NULL;
    if (!rec) {
        rw_network_free(net);
        return -1;
    }
    memset(out, 0, sizeof *out);
    out->log.pre = rates_of(net, 0);
    out->log.post = rates_of(net, 1);
    out->log.same_arrays = 1;
    int rc = rw_network_attach_rule(net, 0, &rate_logger, &out->log);
    if (!rc) rc = run_slices(net, rec, &out->sink, INV_STEPS, sizes, n_sizes);
    if (!rc) rc = rw_recorder_finish(rec, net);
    if (!rc) rc = rw_recorder_drain(rec, fx_collect, &out->sink);
    rw_recorder_free(rec);
    rw_network_free(net);
    return rc;
}

static int same_rows(const fx_rows *a, const fx_rows *b) {
    return a->n == b->n && a->n > 0 && memcmp(a->time, b->time, a->n * sizeof *a->time) == 0 &&
           memcmp(a->value, b->value, a->n * sizeof *a->value) == 0 &&
           memcmp(a->index, b->index, a->n * sizeof *a->index) == 0;
}

static void slice_invariance(void) {
    static run_out one, whole, odd;
    const int64_t s1[] = {1}, s10[] = {10}, sodd[] = {3, 10, 1, 7, 4};
    int ok = invariance_run(s1, 1, &one) == 0 && invariance_run(s10, 1, &whole) == 0 &&
             invariance_run(sodd, 5, &odd) == 0;
    CHECK(ok, "the network runs in slices of 1, 10 (min_delay) and 3,10,1,7,4 steps");
    if (!ok) return;
    const char *names[] = {"state r of e", "state r of g", "rate of e", "rate of rate_input"};
    for (int c = 0; c < 4; c++)
        CHECK(same_rows(&one.sink.ch[c], &whole.sink.ch[c]) &&
                  same_rows(&one.sink.ch[c], &odd.sink.ch[c]),
              "%s: bit-identical for every slice size (%zu rows)", names[c], one.sink.ch[c].n);
    const fx_rows *re = &one.sink.ch[0];
    double peak = 0;
    for (size_t j = 0; j < re->n; j++) peak = fmax(peak, re->value[j]);
    CHECK(peak > 1.0, "the network is active (peak r of e %.3g Hz)", peak);

    /* Rules see the populations' arrays, holding the rates at the slice's end: the
     * state sampled at that time (odd slices: many different ends). */
    int seen = odd.log.same_arrays && odd.log.n > 0, match = 1;
    for (int64_t k = 0; k < odd.log.n; k++) {
        int64_t end = odd.log.end[k];
        if (end >= INV_STEPS) continue; /* the end of the run is not sampled */
        double sum = 0;
        for (size_t j = (size_t)end * E_SIZE; j < (size_t)(end + 1) * E_SIZE; j++) sum += re->value[j];
        match &= sum == odd.log.post_sum[k];
    }
    CHECK(seen, "pre_rate and post_rate are the populations' rate arrays");
    CHECK(match, "in on_slice they hold the rates at the end of the slice (%lld slices)",
          (long long)odd.log.n);

    /* rate channel: bin b is the mean of r over the units and the steps of the bin. */
    const fx_rows *rate = &one.sink.ch[2];
    double worst = 0;
    for (size_t b = 0; b < rate->n; b++) {
        double sum = 0;
        int64_t k0 = (int64_t)b * 25, k1 = k0 + 25 < INV_STEPS ? k0 + 25 : INV_STEPS;
        for (int64_t k = k0; k < k1; k++) {
            double step_sum = 0;
            for (int i = 0; i < E_SIZE; i++) step_sum += re->value[(size_t)k * E_SIZE + i];
            sum += step_sum;
        }
        worst = fmax(worst, fabs(rate->value[b] - sum / (E_SIZE * (double)(k1 - k0))));
    }
    CHECK(rate->n == 60 && worst < 1e-12,
          "rate channel of a rate population: mean r over units and steps (%zu bins, worst %.3g)",
          rate->n, worst);
    CHECK(one.sink.ch[3].n == 38, "the rate channel of rate_input closes its partial last bin "
                                  "(%zu bins of 4 ms over 150 ms)", one.sink.ch[3].n);
    for (int k = 0; k < 3; k++) {
        run_out *r = k == 0 ? &one : k == 1 ? &whole : &odd;
        fx_sink_free(&r->sink);
    }
}

/* ---- rate_input ---- */

static void sequential_patterns(void) {
    fx f;
    fx_init(&f, DT, 1);
    double patterns[6] = {1.0, 2.0, 3.0, 4.0, 5.0, 6.0};
    uint32_t in = add_input(&f, "in", 2, 3, patterns, 5.0, false, 0.0);
    record_r(&f, "r", in);
    rw_network *net = fx_build(&f);
    rw_recorder *rec = net ? rw_recorder_new(&f.e, net) : NULL;
    fx_sink s = {0};
    CHECK(rec && fx_run(net, rec, &s, 1000, 100) == 0, "a sequential rate_input runs");
    int ok = s.ch[0].n == 2000;
    for (size_t j = 0; ok && j < s.ch[0].n; j++) {
        int64_t k = (int64_t)j / 2;
        ok = s.ch[0].value[j] == patterns[((k / 50) % 3) * 2 + s.ch[0].index[j]];
    }
    CHECK(ok, "r(t) = pattern floor(t / 5 ms) mod 3 at every step, switching exactly at the "
              "interval");
    fx_sink_free(&s);
    rw_recorder_free(rec);
    rw_network_free(net);
}

enum { PRESENTATIONS = 300, SHOW = 10, NOISY = 10 };

/* Pattern shown in each presentation (decoded from unit 0: pattern p shows p + 1 Hz),
 * and whether every presentation held one pattern throughout. */
static int random_order(uint64_t seed, const int64_t *sizes, int n_sizes, int *shown) {
    fx f;
    fx_init(&f, DT, seed);
    double patterns[3] = {1.0, 2.0, 3.0};
    uint32_t in = add_input(&f, "in", 1, 3, patterns, SHOW * DT, true, 0.0);
    record_r(&f, "r", in);
    rw_network *net = fx_build(&f);
    rw_recorder *rec = net ? rw_recorder_new(&f.e, net) : NULL;
    fx_sink s = {0};
    int ok = rec && run_slices(net, rec, &s, PRESENTATIONS * SHOW, sizes, n_sizes) == 0 &&
             s.ch[0].n == PRESENTATIONS * SHOW;
    for (int k = 0; ok && k < PRESENTATIONS; k++) {
        shown[k] = (int)s.ch[0].value[k * SHOW] - 1;
        for (int j = 0; j < SHOW; j++) ok &= s.ch[0].value[k * SHOW + j] == shown[k] + 1.0;
    }
    fx_sink_free(&s);
    rw_recorder_free(rec);
    rw_network_free(net);
    return ok;
}

static void random_patterns(void) {
    static int a[PRESENTATIONS], b[PRESENTATIONS], c[PRESENTATIONS], other[PRESENTATIONS];
    const int64_t s1[] = {1}, s100[] = {100}, sodd[] = {37, 3};
    CHECK(random_order(5, s1, 1, a) && random_order(5, s100, 1, b) && random_order(5, sodd, 2, c) &&
              random_order(6, s100, 1, other),
          "random order: each presentation shows one pattern for its whole interval");
    CHECK(memcmp(a, b, sizeof a) == 0 && memcmp(a, c, sizeof a) == 0,
          "the order is the same for slices of 1, 100 and 37/3 steps");
    CHECK(memcmp(a, other, sizeof a) != 0, "another seed gives another order");
    int count[3] = {0}, repeats = 0;
    for (int k = 0; k < PRESENTATIONS; k++) {
        count[a[k]]++;
        repeats += k > 0 && a[k] == a[k - 1];
    }
    /* Binomial(300, 1/3): mean 100, sd 8.2; [70, 130] is 3.7 sd.  Repeats: 299 x 1/3 ~ 100
     * (sequential order would have none). */
    CHECK(count[0] >= 70 && count[0] <= 130 && count[1] >= 70 && count[1] <= 130 &&
              count[2] >= 70 && count[2] <= 130,
          "each of 3 patterns is drawn about 1/3 of the time (%d, %d, %d of 300)", count[0],
          count[1], count[2]);
    CHECK(repeats >= 70 && repeats <= 130, "consecutive presentations repeat a pattern ~1/3 of "
                                           "the time (%d of 299)", repeats);
}

static void noise(void) {
    fx f;
    fx_init(&f, DT, 3);
    /* Units 0-4 at 50 Hz (noise never reaches 0), units 5-9 at 0 Hz (half clipped). */
    double pattern[NOISY];
    for (int i = 0; i < NOISY; i++) pattern[i] = i < NOISY / 2 ? 50.0 : 0.0;
    uint32_t in = add_input(&f, "in", NOISY, 1, pattern, SHOW * DT, false, 2.0);
    record_r(&f, "r", in);
    rw_network *net = fx_build(&f);
    rw_recorder *rec = net ? rw_recorder_new(&f.e, net) : NULL;
    fx_sink s = {0};
    CHECK(rec && fx_run(net, rec, &s, PRESENTATIONS * SHOW, 100) == 0 &&
              s.ch[0].n == (size_t)PRESENTATIONS * SHOW * NOISY,
          "a noisy rate_input runs");
    const double *v = s.ch[0].value;
    double sum = 0, sq = 0;
    int held = 1, n_zero = 0, negative = 0;
    for (int k = 0; k < PRESENTATIONS; k++)
        for (int i = 0; i < NOISY; i++) {
            double x = v[(size_t)k * SHOW * NOISY + i];
            for (int j = 1; j < SHOW; j++) held &= v[((size_t)k * SHOW + j) * NOISY + i] == x;
            if (i < NOISY / 2) {
                sum += x - 50.0;
                sq += (x - 50.0) * (x - 50.0);
            } else {
                n_zero += x == 0.0;
                negative += x < 0.0;
            }
        }
    const double n = PRESENTATIONS * NOISY / 2;
    double mean = sum / n, sd = sqrt(sq / n - mean * mean);
    CHECK(held, "the noise is drawn once per unit and presentation");
    /* 1500 samples: the mean's sd is 2 / sqrt(1500) = 0.05 Hz; the sd's relative sd 1.8%. */
    CHECK(fabs(mean) < 0.2 && fabs(sd - 2.0) < 0.2,
          "gaussian noise of sd 2 Hz around the pattern (mean %.3g Hz, sd %.3g Hz)", mean, sd);
    CHECK(negative == 0 && n_zero > 0.4 * n && n_zero < 0.6 * n,
          "rates are clipped at 0 (about half of the 0 Hz units' draws: %d of %.0f)", n_zero, n);
    fx_sink_free(&s);
    rw_recorder_free(rec);
    rw_network_free(net);
}

/* ---- building errors the loader normally prevents ---- */

static void build_errors(void) {
    fx f;
    fx_init(&f, DT, 1);
    uint32_t p = fx_poisson(&f, "p", 3, 10.0);
    uint32_t r = add_rate(&f, "r", 2, rate_params(10.0, 1.0, 0.0, 0.0, INFINITY), 0.0);
    uint32_t l = fx_lif(&f, "l", RW_MODEL_LIF_CUBA, 2);
    fx_proj(&f, "p_to_r", p, r, RW_CONNECT_ALL_TO_ALL, 1.0, 1.0);
    fx_proj(&f, "r_to_l", r, l, RW_CONNECT_ALL_TO_ALL, 1.0, 1.0);
    CHECK(fx_build_errors(&f) == 2, "the builder refuses spiking <-> rate projections, each");
}

int main(void) {
    relaxation();
    steady_states();
    delayed_chain();
    slice_invariance();
    sequential_patterns();
    random_patterns();
    noise();
    build_errors();
    return tap_done();
}
