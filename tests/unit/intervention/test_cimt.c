/* cimt: the unaffected channel's input gain is multiplied by `constraint` for the
 * session and comes back exactly; the affected channel is practised on the repetition
 * schedule; overlapping channels are refused; cimt composes with a second suppression of
 * the same sources. */
#include "iv_harness.h"

#define START 500
#define DUR 100
#define SPACE 250

static iv_params params(const rewire_selection *aff, const rewire_selection *unaff) {
    iv_params p = iv_defaults();
    iv_select(&p, "affected", aff);
    iv_select(&p, "unaffected", unaff);
    iv_real(&p, "rate", 30.0);
    iv_int(&p, "repetitions", 2);
    iv_real(&p, "duration", DUR * 0.1);
    iv_real(&p, "spacing", SPACE * 0.1);
    return p;
}

static void test_session(double constraint) {
    iv_host f;
    iv_host_init(&f);
    iv_pop *hand_a = iv_add_pop(&f, "hand_a", "poisson", 20, 8.0);
    iv_pop *hand_b = iv_add_pop(&f, "hand_b", "rate_input", 20, 8.0);
    iv_scramble(hand_a);
    iv_scramble(hand_b);
    const iv_pop ref_a = *hand_a, ref_b = *hand_b;
    iv_sel sa, sb;
    iv_params p = params(iv_range(&sa, hand_a, 0, 20), iv_range(&sb, hand_b, 5, 15));
    if (constraint >= 0) iv_real(&p, "constraint", constraint);
    const float c = constraint >= 0 ? (float)constraint : 0.0f;
    void *inst = iv_create(&f, &p);
    CHECK(iv_begin(&f, inst, START) == REWIRE_OK, "begin (constraint %g)", c);
    int gain_wrong = 0, drive_wrong = 0;
    for (int64_t e = START; e < START + 4 * SPACE; e += 10) {
        if (e > START) iv_run(&f, inst, e - 10, e, 10);
        const int64_t k = (e - START) / SPACE;
        const bool on = k < 2 && (e - START) % SPACE < DUR;
        for (uint32_t i = 0; i < 20; i++) {
            const bool constrained = i >= 5 && i < 15;
            const float g = constrained ? ref_b.input_gain[i] * c : ref_b.input_gain[i];
            gain_wrong += hand_b->input_gain[i] != g || hand_b->drive[i] != ref_b.drive[i];
            drive_wrong += hand_a->drive[i] != ref_a.drive[i] + (on ? 30.0 : 0.0) ||
                           hand_a->input_gain[i] != ref_a.input_gain[i];
        }
    }
    CHECK(gain_wrong == 0, "constraint %g: the unaffected sources' gain is %g times theirs all "
          "session, the rest of hand_b untouched", c, c);
    CHECK(drive_wrong == 0, "the affected channel gets +30 Hz in each of 2 repetitions, nothing else");
    CHECK(iv_end(&f, inst, START + 4 * SPACE) == REWIRE_OK, "end");
    CHECK(iv_same_sources(hand_a, &ref_a) && iv_same_sources(hand_b, &ref_b),
          "after the session both channels are as before, bit for bit");
    iv_fn()->destroy(inst);
}

/* cimt's constraint nested in a longer suppression of the same sources (as a
 * deprivation plugin does: gain factor 0.5): exact restoration at both ends. */
static void test_nested_suppression(void) {
    iv_host f;
    iv_host_init(&f);
    iv_pop *a = iv_add_pop(&f, "a", "poisson", 10, 8.0), *b = iv_add_pop(&f, "b", "poisson", 10, 8.0);
    iv_scramble(b);
    const iv_pop ref = *b;
    iv_sel sa, sb;
    iv_params p = params(iv_range(&sa, a, 0, 10), iv_range(&sb, b, 0, 10));
    void *inst = iv_create(&f, &p);
    for (uint32_t i = 0; i < 10; i++) b->input_gain[i] *= 0.5f; /* the outer suppression */
    iv_begin(&f, inst, START);
    CHECK(b->input_gain[3] == 0.0f, "constraint 0 (the default) silences the unaffected sources");
    iv_run(&f, inst, START, START + 300, 10);
    iv_end(&f, inst, START + 300);
    int wrong = 0;
    for (uint32_t i = 0; i < 10; i++) wrong += b->input_gain[i] != ref.input_gain[i] * 0.5f;
    CHECK(wrong == 0, "after the session the outer factor 0.5 is back exactly");
    iv_fn()->destroy(inst);
}

static void test_errors(void) {
    iv_host f;
    iv_host_init(&f);
    iv_pop *a = iv_add_pop(&f, "a", "poisson", 10, 8.0);
    iv_sel s1, s2;
    iv_params p = params(iv_range(&s1, a, 0, 6), iv_range(&s2, a, 5, 10));
    void *inst = NULL;
    CHECK(iv_fn()->create(&f.host, p.v, &inst) == REWIRE_EINVAL && strstr(f.error, "share"),
          "affected and unaffected sharing neuron 5 are refused: %s", f.error);
    p = params(iv_range(&s1, a, 0, 5), iv_range(&s2, a, 5, 10));
    inst = iv_create(&f, &p);
    CHECK(inst != NULL, "disjoint parts of one population are fine");
    iv_fn()->destroy(inst);
    iv_pop *lif = iv_add_pop(&f, "lif", "lif_cuba", 10, 0.0);
    p = params(iv_range(&s1, a, 0, 5), iv_range(&s2, lif, 0, 10));
    CHECK(iv_fn()->create(&f.host, p.v, &inst) == REWIRE_EINVAL && strstr(f.error, "unaffected"),
          "an unaffected channel of lif neurons is refused when created: %s", f.error);
    const rewire_param_spec *ps = iv_descriptor()->params;
    CHECK(ps[iv_param_index("affected")].flags & REWIRE_PARAM_DRIVES, "affected is declared DRIVES");
    CHECK(ps[iv_param_index("unaffected")].flags & REWIRE_PARAM_SUPPRESSES,
          "unaffected is declared SUPPRESSES");
    CHECK(ps[iv_param_index("rate")].flags & REWIRE_PARAM_LIVE, "rate is live");
}

int main(void) {
    test_session(-1); /* the default: fully constrained */
    test_session(0.25);
    test_nested_suppression();
    test_errors();
    return tap_done();
}
