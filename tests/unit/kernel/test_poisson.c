/* Poisson and spike_times sources: counts and intervals against the per-step Bernoulli
 * law (Brian2's PoissonGroup), rate changes through the population view, slice-size
 * invariance, and the given spike lists. */
#include <math.h>

#include "fixture.h"
#include "network_edit.h"
#include "tap.h"

#define DT 0.1

typedef struct spikes {
    size_t n;
    double *time;
    uint32_t *index;
} spikes;

/* Run a network with one recorded population and return its spikes. */
static spikes run_spikes(fx *f, uint32_t pop, int64_t steps, int64_t slice) {
    uint32_t ch = fx_record(f, "spk", RW_RECORD_SPIKES, pop, 0);
    rw_network *net = fx_build(f);
    rw_recorder *rec = rw_recorder_new(&f->e, net);
    fx_sink sink = {0};
    int rc = fx_run(net, rec, &sink, steps, slice);
    spikes s = {0};
    if (rc == 0) {
        s.n = sink.ch[ch].n;
        s.time = malloc((s.n + 1) * sizeof *s.time);
        s.index = malloc((s.n + 1) * sizeof *s.index);
        memcpy(s.time, sink.ch[ch].time, s.n * sizeof *s.time);
        memcpy(s.index, sink.ch[ch].index, s.n * sizeof *s.index);
    }
    f->e.n_records--;
    rw_recorder_free(rec);
    rw_network_free(net);
    fx_sink_free(&sink);
    return s;
}

static void spikes_free(spikes *s) {
    free(s->time);
    free(s->index);
}

static void rate_statistics(void) {
    const uint32_t N = 1000;
    const double rate = 20.0, T = 10000.0; /* ms */
    const int64_t steps = (int64_t)(T / DT);
    const double p = rate * DT * 1e-3;
    fx f;
    fx_init(&f, DT, 9);
    uint32_t pop = fx_poisson(&f, "in", N, rate);
    spikes s = run_spikes(&f, pop, steps, 100);
    double mean = N * steps * p, sd = sqrt(N * steps * p * (1 - p));
    CHECK_NEAR(s.n, mean, 5 * sd, "%u sources at %g Hz for %g s: %zu spikes", N, rate, T / 1000, s.n);

    /* Per source: counts ~ Binomial(steps, p); dispersion chi2 with N - 1 dof. */
    uint32_t *count = calloc(N, sizeof *count);
    double *last = malloc(N * sizeof *last);
    for (uint32_t i = 0; i < N; i++) last[i] = -1;
    size_t isi_n = 0, isi_one = 0, order_ok = 1, same_step = 0;
    double isi_sum = 0;
    for (size_t k = 0; k < s.n; k++) {
        uint32_t i = s.index[k];
        count[i]++;
        if (k > 0) {
            order_ok &= s.time[k] > s.time[k - 1] ||
                        (s.time[k] == s.time[k - 1] && s.index[k] > s.index[k - 1]);
        }
        if (last[i] >= 0) {
            double isi = (s.time[k] - last[i]) / DT;
            same_step += isi < 0.5;
            isi_sum += isi;
            isi_one += llround(isi) == 1;
            isi_n++;
        }
        last[i] = s.time[k];
    }
    double per = steps * p, chi2 = 0;
    for (uint32_t i = 0; i < N; i++) chi2 += (count[i] - per) * (count[i] - per) / (per * (1 - p));
    CHECK(chi2 < (N - 1) + 5 * sqrt(2.0 * (N - 1)) && chi2 > (N - 1) - 5 * sqrt(2.0 * (N - 1)),
          "per-source counts are binomial: dispersion chi2 = %.1f, %u dof", chi2, N - 1);
    CHECK(order_ok && same_step == 0, "spikes in time order, a source at most once per step");
    /* Intervals are geometric on steps >= 1: mean 1/p, P(ISI = 1 step) = p. */
    double isi_mean = isi_sum / isi_n, isi_sd = sqrt((1 - p) / (p * p));
    CHECK_NEAR(isi_mean, 1.0 / p, 5 * isi_sd / sqrt((double)isi_n), "mean ISI 1/p = %g steps",
               1.0 / p);
    CHECK_NEAR((double)isi_one / isi_n, p, 5 * sqrt(p * (1 - p) / isi_n),
               "P(ISI = 1 step) = p, as a Bernoulli trial per step");
    free(count);
    free(last);
    spikes_free(&s);
}

static void slice_invariance(void) {
    fx f;
    fx_init(&f, DT, 4);
    uint32_t pop = fx_poisson(&f, "in", 300, 50.0);
    spikes a = run_spikes(&f, pop, 3000, 1);
    spikes b = run_spikes(&f, pop, 3000, 100);
    spikes c = run_spikes(&f, pop, 3000, 37);
    CHECK(a.n > 1000 && a.n == b.n && a.n == c.n &&
              memcmp(a.time, b.time, a.n * sizeof *a.time) == 0 &&
              memcmp(a.index, b.index, a.n * sizeof *a.index) == 0 &&
              memcmp(a.index, c.index, a.n * sizeof *a.index) == 0,
          "Poisson trains identical with slices of 1, 37 and 100 steps (%zu spikes)", a.n);
    f.e.seed = 5;
    spikes d = run_spikes(&f, pop, 3000, 100);
    CHECK(d.n != a.n || memcmp(a.index, d.index, a.n * sizeof *a.index) != 0,
          "another seed, another train");
    spikes_free(&a);
    spikes_free(&b);
    spikes_free(&c);
    spikes_free(&d);
}

static void rate_changes(void) {
    const uint32_t N = 400;
    fx f;
    fx_init(&f, DT, 2);
    uint32_t pop = fx_poisson(&f, "in", N, 10.0);
    uint32_t ch = fx_record(&f, "spk", RW_RECORD_SPIKES, pop, 0);
    rw_network *net = fx_build(&f);
    rw_recorder *rec = rw_recorder_new(&f.e, net);
    rewire_population_view view;
    int rc = rw_network_population_view(net, pop, &view);
    CHECK(rc == 0 && view.rate && view.rate[0] == 10.0 && view.v == NULL &&
              strcmp(view.model, "poisson") == 0 && view.size == N,
          "Poisson view: rates, no membrane");
    fx_sink sink = {0};
    rc = fx_run(net, rec, &sink, 10000, 100); /* 1 s at 10 Hz */
    size_t first = sink.ch[ch].n;
    /* Sources 0..99 to 200 Hz, 100..199 silent, 200..299 saturated, others unchanged. */
    for (uint32_t i = 0; i < 100; i++) view.rate[i] = 200.0;
    for (uint32_t i = 100; i < 200; i++) view.rate[i] = 0.0;
    for (uint32_t i = 200; i < 300; i++) view.rate[i] = 1e6;
    /* What the scheduler does after injury and intervention hooks. */
    rw_network_sources_changed(net);
    rc |= fx_run(net, rec, &sink, 10000, 100);
    size_t cnt[4] = {0};
    int silent_late = 1, after_change = 1;
    for (size_t k = first; k < sink.ch[ch].n; k++) {
        uint32_t i = sink.ch[ch].index[k];
        cnt[i / 100]++;
        silent_late &= !(i >= 100 && i < 200);
        after_change &= sink.ch[ch].time[k] >= 1000.0 - 1e-9;
    }
    CHECK(rc == 0, "runs across the change");
    CHECK_NEAR(first, N * 10.0, 5 * sqrt(N * 10.0), "10 Hz before the change (%zu)", first);
    double e200 = 100 * 10000 * 0.02;
    CHECK_NEAR(cnt[0], e200, 5 * sqrt(e200 * 0.98), "200 Hz after the change (%zu)", cnt[0]);
    CHECK(silent_late && cnt[1] == 0, "rate 0 silences at once");
    CHECK(cnt[2] == 100u * 10000u, "rate above 1/dt fires every step");
    CHECK_NEAR(cnt[3], 100 * 10.0, 5 * sqrt(100 * 10.0), "unchanged sources keep 10 Hz");
    CHECK(after_change, "no spike of the second second is stamped before it");
    CHECK(rw_network_population_spikes(net, pop) == sink.ch[ch].n, "statistics count the spikes");
    rw_recorder_free(rec);
    rw_network_free(net);
    fx_sink_free(&sink);
}

static void spike_lists(void) {
    /* Out of order within a step after rounding, a duplicate, and a time past the run. */
    static uint32_t neuron[] = {2, 0, 1, 1, 0, 2, 1};
    static double time[] = {0.0, 0.04, 0.31, 0.33, 0.5, 0.52, 900.0};
    fx f;
    fx_init(&f, DT, 1);
    uint32_t pop = fx_spike_times(&f, "given", 3, 7, neuron, time);
    spikes a = run_spikes(&f, pop, 100, 1);
    spikes b = run_spikes(&f, pop, 100, 100);
    const double et[] = {0.0, 0.0, 0.3, 0.5, 0.5};
    const uint32_t ei[] = {0, 2, 1, 0, 2};
    int ok = a.n == 5;
    for (size_t k = 0; ok && k < 5; k++) ok &= fabs(a.time[k] - et[k]) < 1e-12 && a.index[k] == ei[k];
    CHECK(ok, "spike_times fire at round(t / dt), sorted by neuron, duplicates merged");
    CHECK(b.n == a.n && memcmp(a.index, b.index, a.n * sizeof *a.index) == 0,
          "spike_times independent of the slice size");
    spikes_free(&a);
    spikes_free(&b);
}

int main(void) {
    rate_statistics();
    slice_invariance();
    rate_changes();
    spike_lists();
    return tap_done();
}
