/* deprivation: input_gain times `factor` and `noise_rate` of drive for the window, both
 * back exactly at its end, alone, nested in or overlapping another deprivation. */
#include <math.h>

#include "iv_harness.h"

static iv_params params(const rewire_selection *ch, double factor, double noise) {
    iv_params p = iv_defaults();
    iv_select(&p, "channel", ch);
    if (factor >= 0) iv_real(&p, "factor", factor);
    iv_real(&p, "noise_rate", noise);
    return p;
}

static void test_alone(double factor, double noise) {
    iv_host f;
    iv_host_init(&f);
    iv_pop *eye = iv_add_pop(&f, "eye", "rate_input", 20, 10.0);
    iv_scramble(eye);
    const iv_pop ref = *eye;
    iv_sel s;
    iv_params p = params(iv_range(&s, eye, 0, 10), factor, noise);
    const float fac = factor >= 0 ? (float)factor : 0.0f;
    void *inst = iv_create(&f, &p);
    iv_begin(&f, inst, 0);
    int wrong = 0;
    for (uint32_t i = 0; i < 20; i++) {
        const bool dep = i < 10;
        wrong += eye->input_gain[i] != (dep ? ref.input_gain[i] * fac : ref.input_gain[i]);
        wrong += fabs(eye->drive[i] - (ref.drive[i] + (dep ? noise : 0))) > 1e-6;
    }
    CHECK(wrong == 0, "factor %g, noise %g Hz: the deprived sources' gain is scaled, the noise "
          "added; the others untouched", fac, noise);
    iv_end(&f, inst, 1000);
    CHECK(iv_same_sources(eye, &ref), "after the window: as before, bit for bit");
    iv_fn()->destroy(inst);
}

/* Two deprivations of overlapping channels (0..12 and 8..20), factors 0.3 and 0.6 with
 * noise: nested or staggered, the gains and drives come back. */
static void test_two(bool nested) {
    iv_host f;
    iv_host_init(&f);
    iv_pop *eye = iv_add_pop(&f, "eye", "poisson", 20, 10.0);
    iv_scramble(eye);
    const iv_pop ref = *eye;
    iv_sel sa, sb;
    iv_params pa = params(iv_range(&sa, eye, 0, 12), 0.3, 2.5), pb = params(iv_range(&sb, eye, 8, 20), 0.6, 1.2);
    void *a = iv_create(&f, &pa), *b = iv_create(&f, &pb);
    iv_begin(&f, a, 0);
    iv_begin(&f, b, 10);
    CHECK(eye->input_gain[10] == ref.input_gain[10] * 0.3f * 0.6f, "%s: where both act, the factors multiply",
          nested ? "nested" : "staggered");
    CHECK_NEAR(eye->drive[10], ref.drive[10] + 2.5 + 1.2, 1e-6, "and the noise drives add");
    if (nested) {
        iv_end(&f, b, 20);
        iv_end(&f, a, 30);
        CHECK(iv_same_sources(eye, &ref), "nested: as before, bit for bit");
    } else {
        iv_end(&f, a, 20);
        CHECK_NEAR(eye->input_gain[10], ref.input_gain[10] * 0.6f, 1e-6, "a over: only b's factor left");
        iv_end(&f, b, 30);
        double worst = 0;
        for (uint32_t i = 0; i < 20; i++) worst = fmax(worst, fabs(eye->input_gain[i] / ref.input_gain[i] - 1));
        CHECK(worst < 1e-6, "staggered: gains as before up to float rounding (%.2g)", worst);
        CHECK(memcmp(eye->drive, ref.drive, sizeof ref.drive) == 0, "drives as before, bit for bit");
    }
    iv_fn()->destroy(a);
    iv_fn()->destroy(b);
}

/* A full deprivation (factor 0) with a partial one (0.5) inside it, both closing at the
 * same step, the outer one first: the partial one's factor met a gain of 0 and is not in
 * the gain the outer one restores, so the gains come back as they were. */
static void test_zero_closed_first(void) {
    iv_host f;
    iv_host_init(&f);
    iv_pop *eye = iv_add_pop(&f, "eye", "poisson", 10, 10.0);
    iv_scramble(eye);
    const iv_pop ref = *eye;
    iv_sel sa, sb;
    iv_params pa = params(iv_range(&sa, eye, 0, 10), 0.0, 0), pb = params(iv_range(&sb, eye, 0, 10), 0.5, 0);
    void *a = iv_create(&f, &pa), *b = iv_create(&f, &pb);
    iv_begin(&f, a, 0);
    iv_begin(&f, b, 10);
    CHECK(eye->input_gain[4] == 0.0f, "inside both: gain 0");
    iv_end(&f, a, 30);
    iv_end(&f, b, 30);
    CHECK(iv_same_sources(eye, &ref), "the outer 0 closed first at the same step: gains as before, bit for bit");
    iv_fn()->destroy(a);
    iv_fn()->destroy(b);
}

int main(void) {
    test_zero_closed_first();
    test_alone(-1, 0); /* the defaults: factor 0, no noise */
    test_alone(0.25, 0);
    test_alone(0.0, 3.0);
    test_two(true);
    test_two(false);
    iv_host f;
    iv_host_init(&f);
    iv_pop *lif = iv_add_pop(&f, "v1", "lif_coba", 10, 0.0);
    iv_sel s;
    iv_params p = params(iv_range(&s, lif, 0, 10), 0, 0);
    void *inst = NULL;
    CHECK(iv_fn()->create(&f.host, p.v, &inst) == REWIRE_EINVAL && strstr(f.error, "input sources"),
          "depriving lif neurons is refused when created: %s", f.error);
    CHECK(iv_descriptor()->params[iv_param_index("channel")].flags & REWIRE_PARAM_SUPPRESSES,
          "channel is declared SUPPRESSES");
    return tap_done();
}
