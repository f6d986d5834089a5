/* practice: repetitions of drive on a channel, checked against the schedule's definition
 * (repetition k on over [S + k spacing, S + k spacing + duration), at most `repetitions`),
 * exact restoration, independence from the slicing, the bump's shape, the live rate and
 * composition with a second instance. */
#include <math.h>

#include "iv_harness.h"

#define START 1000
#define STOP 2200
#define DUR 100  /* steps: 10 ms at dt 0.1 ms */
#define SPACE 250

static iv_params base_params(const rewire_selection *channel) {
    iv_params p = iv_defaults();
    iv_select(&p, "channel", channel);
    iv_real(&p, "rate", 50.0);
    iv_int(&p, "repetitions", 3);
    iv_real(&p, "duration", DUR * 0.1);
    iv_real(&p, "spacing", SPACE * 0.1);
    return p;
}

/* Is a repetition on for the slices from `step` (window opened at START)? */
static bool on_at(int64_t step, int64_t reps) {
    const int64_t k = (step - START) / SPACE;
    return (reps == 0 || k < reps) && (step - START) % SPACE < DUR;
}

static void test_schedule_and_restore(int64_t reps) {
    iv_host f;
    iv_host_init(&f);
    iv_pop *in = iv_add_pop(&f, "in", "poisson", 40, 5.0);
    iv_scramble(in);
    const iv_pop ref = *in;
    iv_sel s;
    iv_params p = base_params(iv_range(&s, in, 10, 30));
    iv_int(&p, "repetitions", reps);
    void *inst = iv_create(&f, &p);

    int wrong = 0, outside = 0, gain_changed = 0, slices = 0, on_slices = 0;
    CHECK(iv_begin(&f, inst, START) == REWIRE_OK, "begin (repetitions %lld)", (long long)reps);
    for (int64_t e = START; e <= STOP; e += 10) {
        if (e > START) iv_run(&f, inst, e - 10, e, 10);
        const bool on = on_at(e, reps);
        slices++;
        on_slices += on;
        for (uint32_t i = 0; i < 40; i++) {
            const bool sel = i >= 10 && i < 30;
            if (sel && in->drive[i] != ref.drive[i] + (on ? 50.0 : 0.0)) wrong++;
            if (!sel && in->drive[i] != ref.drive[i]) outside++;
            if (in->input_gain[i] != ref.input_gain[i]) gain_changed++;
        }
    }
    CHECK(wrong == 0, "repetitions %lld: the channel has +50 Hz exactly while a repetition is on "
          "(%d of %d slices), its own drive otherwise (%d wrong)", (long long)reps, on_slices,
          slices, wrong);
    CHECK(on_slices == (reps == 0 ? 5 : (int)reps) * DUR / 10,
          "repetitions %lld: %d slices of 10 steps with drive", (long long)reps, on_slices);
    CHECK(outside == 0 && gain_changed == 0, "neurons outside the channel and all gains untouched");
    CHECK(iv_end(&f, inst, STOP) == REWIRE_OK, "end");
    CHECK(iv_same_sources(in, &ref), "after the window every drive and gain is as before, bit for bit");
    iv_fn()->destroy(inst);
}

/* Run one window with the bump pattern sliced by `next_slice` and store the channel's
 * drive at each slice edge: rec[(e - START) * 20 + k], known[e - START]. */
static void run_sliced(double *rec, bool *known, int64_t (*next_slice)(int64_t)) {
    iv_host f;
    iv_host_init(&f);
    iv_pop *in = iv_add_pop(&f, "in", "poisson", 40, 5.0);
    iv_sel s;
    iv_params p = base_params(iv_range(&s, in, 10, 30));
    iv_int(&p, "repetitions", 0);
    iv_choice(&p, "pattern", 1); /* bump */
    void *inst = iv_create(&f, &p);
    iv_begin(&f, inst, START);
    for (int64_t e = START;;) {
        known[e - START] = true;
        for (int k = 0; k < 20; k++) rec[(e - START) * 20 + k] = in->drive[10 + k];
        if (e == STOP) break;
        int64_t n = next_slice(e);
        if (e + n > STOP) n = STOP - e;
        iv_run(&f, inst, e, e + n, n);
        e += n;
    }
    iv_end(&f, inst, STOP);
    iv_fn()->destroy(inst);
}

static int64_t slice_1(int64_t e) { (void)e; return 1; }
static int64_t slice_odd(int64_t e) { return 1 + (e * 7919) % 37; } /* 1..37, irregular */

static void test_slicing(void) {
    const size_t n = STOP - START + 1;
    double *a = calloc(n * 20, sizeof *a), *b = calloc(n * 20, sizeof *b);
    bool *ka = calloc(n, 1), *kb = calloc(n, 1);
    run_sliced(a, ka, slice_1);
    run_sliced(b, kb, slice_odd);
    int common = 0, differ = 0, on = 0;
    for (size_t t = 0; t < n; t++) {
        if (!ka[t] || !kb[t]) continue;
        common++;
        if (memcmp(a + t * 20, b + t * 20, 20 * sizeof *a) != 0) differ++;
        on += a[t * 20] != 0 || a[t * 20 + 10] != 0;
    }
    CHECK(common > 50 && differ == 0, "bump pattern: the drive at each of %d slice edges is the same "
          "with slices of 1 step and with irregular slices of 1..37 (%d differ)", common, differ);
    CHECK(on > 0, "and some of those edges are inside repetitions (%d)", on);
    free(a), free(b), free(ka), free(kb);
}

static void test_bump_shape(void) {
    iv_host f;
    iv_host_init(&f);
    iv_pop *in = iv_add_pop(&f, "in", "poisson", 40, 5.0);
    iv_sel s;
    iv_params p = base_params(iv_range(&s, in, 0, 40));
    iv_int(&p, "repetitions", 0);
    iv_choice(&p, "pattern", 1);
    iv_real(&p, "width", 0.1);
    void *inst = iv_create(&f, &p);
    iv_begin(&f, inst, START);
    int centres[64], n_centres = 0, bad_shape = 0;
    for (int rep = 0; rep < 8; rep++) {
        const int64_t e = START + rep * SPACE;
        if (e > START) iv_run(&f, inst, e - SPACE, e, 10);
        uint32_t c = 0;
        for (uint32_t i = 1; i < 40; i++)
            if (in->drive[i] > in->drive[c]) c = i;
        if (in->drive[c] != 50.0) bad_shape++;
        for (uint32_t i = 0; i < 40; i++) {
            const double d = in->x[i] - in->x[c];
            if (fabs(in->drive[i] - 50.0 * exp(-d * d / (2 * 0.01))) > 1e-4) bad_shape++;
        }
        bool seen = false;
        for (int j = 0; j < n_centres; j++) seen |= centres[j] == (int)c;
        if (!seen) centres[n_centres++] = (int)c;
    }
    CHECK(bad_shape == 0, "bump: peak 50 Hz on one neuron, 50 exp(-d^2 / (2 * 0.1^2)) around it");
    CHECK(n_centres >= 3, "each repetition draws its centre (%d different centres in 8)", n_centres);
    iv_end(&f, inst, START + 8 * SPACE);
    iv_fn()->destroy(inst);
}

static void test_live_rate(void) {
    iv_host f;
    iv_host_init(&f);
    iv_pop *in = iv_add_pop(&f, "in", "poisson", 10, 5.0);
    iv_sel s;
    iv_params p = base_params(iv_range(&s, in, 0, 10));
    void *inst = iv_create(&f, &p);
    const uint32_t rate_index = iv_param_index("rate");
    CHECK(iv_descriptor()->params[rate_index].flags & REWIRE_PARAM_LIVE, "rate is a live parameter");
    iv_begin(&f, inst, START);
    iv_run(&f, inst, START, START + 50, 10);
    CHECK(in->drive[3] == 50.0, "mid-repetition: 50 Hz");
    CHECK(iv_fn()->set_param(inst, rate_index, (rewire_param_value){.real = 20.0}) == REWIRE_OK,
          "set_param(rate, 20 Hz)");
    CHECK(in->drive[3] == 20.0, "the new rate applies at once, inside the repetition");
    iv_run(&f, inst, START + 50, START + SPACE, 10);
    CHECK(in->drive[3] == 20.0, "and in the next repetition");
    CHECK(iv_fn()->set_param(inst, iv_param_index("spacing"), (rewire_param_value){.real = 1.0}) != REWIRE_OK,
          "other parameters are not live: %s", f.error);
    iv_end(&f, inst, START + SPACE + 10);
    CHECK(in->drive[3] == 0.0, "after the window: no drive");
    iv_fn()->destroy(inst);
}

/* Two instances on overlapping channels (0..20 and 10..30): nested windows restore
 * exactly, staggered ones up to rounding. */
static void test_composition(bool nested) {
    iv_host f;
    iv_host_init(&f);
    iv_pop *in = iv_add_pop(&f, "in", "poisson", 40, 5.0);
    iv_scramble(in);
    const iv_pop ref = *in;
    iv_sel sa, sb;
    iv_params pa = base_params(iv_range(&sa, in, 0, 20)), pb = base_params(iv_range(&sb, in, 10, 30));
    iv_real(&pb, "rate", 7.3);
    iv_int(&pa, "repetitions", 0);
    iv_int(&pb, "repetitions", 0);
    iv_real(&pb, "spacing", 13.0); /* repetitions out of step with a's */
    void *a = iv_create(&f, &pa), *b = iv_create(&f, &pb);
    iv_begin(&f, a, START);
    iv_run(&f, a, START, START + 120, 10);
    iv_begin(&f, b, START + 120);
    for (int64_t e = START + 120; e < START + 600; e += 10) {
        iv_fn()->on_slice(a, e, e + 10);
        iv_fn()->on_slice(b, e, e + 10);
        f.now = e + 10;
    }
    /* At START + 600 a's repetitions are off (600 % 250 >= 100), b's on ((600-120) % 130 < 100). */
    CHECK(in->drive[5] == ref.drive[5], "%s: a's repetition is over", nested ? "nested" : "staggered");
    CHECK_NEAR(in->drive[25], ref.drive[25] + 7.3, 1e-6, "b's is on (7.3 Hz, to 2^-20 Hz)");
    CHECK_NEAR(in->drive[15], ref.drive[15] + 7.3, 1e-6, "where the channels overlap, b's drive");
    if (nested) {
        iv_end(&f, b, START + 600);
        iv_run(&f, a, START + 600, START + 900, 10);
        iv_end(&f, a, START + 900);
        CHECK(iv_same_sources(in, &ref), "nested windows: every drive and gain as before, bit for bit");
    } else {
        iv_end(&f, a, START + 600);
        iv_run(&f, b, START + 600, START + 900, 10);
        int wrong = 0;
        for (uint32_t i = 0; i < 10; i++) wrong += in->drive[i] != ref.drive[i];
        CHECK(wrong == 0, "a's own neurons restored exactly while b goes on");
        iv_end(&f, b, START + 900);
        CHECK(iv_same_sources(in, &ref), "staggered windows: every drive and gain as before, bit for bit");
    }
    iv_fn()->destroy(a);
    iv_fn()->destroy(b);
}

static void test_errors(void) {
    iv_host f;
    iv_host_init(&f);
    iv_pop *in = iv_add_pop(&f, "in", "poisson", 10, 5.0);
    iv_pop *lif = iv_add_pop(&f, "cortex", "lif_cuba", 10, 0.0);
    iv_sel s, sl;
    iv_params p = base_params(iv_range(&s, in, 0, 10));
    iv_real(&p, "spacing", 5.0);
    void *inst = NULL;
    CHECK(iv_fn()->create(&f.host, p.v, &inst) == REWIRE_EINVAL && strstr(f.error, "spacing"),
          "spacing shorter than duration is refused: %s", f.error);
    p = base_params(iv_range(&sl, lif, 0, 10));
    CHECK(iv_fn()->create(&f.host, p.v, &inst) == REWIRE_EINVAL && strstr(f.error, "input sources"),
          "a channel of lif neurons is refused when created: %s", f.error);
    f.proj.name = NULL; /* no projection: no dt */
    p = base_params(iv_range(&s, in, 0, 10));
    CHECK(iv_fn()->create(&f.host, p.v, &inst) != REWIRE_OK && strstr(f.error, "dt"),
          "no dt to be had: %s", f.error);
}

int main(void) {
    test_schedule_and_restore(3);
    test_schedule_and_restore(0);
    test_slicing();
    test_bump_shape();
    test_live_rate();
    test_composition(true);
    test_composition(false);
    test_errors();
    return tap_done();
}
