/* critical_period, driven through its function table: the factor on plasticity_gain is
 * f(t) = g_min + (g_max - g_min) exp(-(t - onset)/tau) at the age t of the step each slice
 * starts with (g_min before onset), the age counts from the run's start whatever the
 * window, the gain at a step does not depend on how the run was sliced, the factor is
 * removed exactly, and the errors.
 *
 * usage: test_critical_period CRITICAL_PERIOD.so */
#include "harness.h"

static const double DT = 0.1; /* ms: the test projections' step */
static const double ONSET = 100.0, G_MAX = 5.0, G_MIN = 0.5, TAU = 200.0;

static test_proj pa, pb;
static const char *const names_ab[] = {"a", "b"};
static const rewire_name_list list_a = {1, names_ab};
static const rewire_name_list list_b = {1, names_ab + 1};

static void setup(void) {
    th_reset();
    test_proj_build(&pa, "a", 2, 2, true, false);
    test_proj_build(&pb, "b", 2, 2, true, false);
    th_add_projection(&pa.view);
    th_add_projection(&pb.view);
}

static params cp_params(const rewire_name_list *names) {
    params p = default_params();
    set_names(&p, "projections", names);
    set_real(&p, "onset", ONSET);
    set_real(&p, "g_max", G_MAX);
    set_real(&p, "g_min", G_MIN);
    set_real(&p, "tau", TAU);
    return p;
}

/* The model's formula, written out independently of the plugin. */
static double expected(double age_ms) {
    if (age_ms < ONSET) return G_MIN;
    return G_MIN + (G_MAX - G_MIN) * exp(-(age_ms - ONSET) / TAU);
}

static void test_schema(void) {
    CHECK(param_spec("tau")->flags & REWIRE_PARAM_REQUIRED, "tau is required");
    CHECK(param_spec("onset")->dim == REWIRE_DIM_TIME && param_spec("onset")->def_real == 0,
          "onset is a time, 0 by default");
    CHECK((param_spec("g_min")->flags & REWIRE_PARAM_MIN_EXCLUSIVE) && param_spec("g_min")->min == 0,
          "g_min must be > 0 (a factor that is divided out again)");
}

static void test_formula(void) {
    setup();
    params p = cp_params(&list_a);
    void *c = create_or_null(&p);
    if (!c) {
        CHECK(0, "create");
        return;
    }
    CHECK(fn->begin(c, 0) == REWIRE_OK, "begin at the run's start");
    CHECK_NEAR(pa.view.plasticity_gain, G_MIN, 1e-6, "before onset the factor is g_min");
    /* Ages (steps of 0.1 ms): before onset, at onset, tau after, 3 tau after, long after. */
    const int64_t steps[] = {500, 1000, 3000, 7000, 100000};
    int64_t first = 0;
    for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
        CHECK(fn->on_slice(c, first, steps[k]) == REWIRE_OK, "on_slice");
        const double want = expected((double)steps[k] * DT);
        CHECK_NEAR(pa.view.plasticity_gain, want, 1e-6 * want, "age %g ms: factor %.6g",
                   (double)steps[k] * DT, want);
        first = steps[k];
    }
    CHECK_NEAR(pa.view.plasticity_gain, G_MIN, 1e-6, "long after closure the factor is g_min");
    CHECK_NEAR(expected(ONSET + TAU), G_MIN + (G_MAX - G_MIN) / M_E, 1e-12,
               "(one tau after onset the excess has fallen to 1/e)");
    CHECK(pb.view.plasticity_gain == 1.0f, "a projection not named is untouched");
    CHECK(fn->end(c, 100000) == REWIRE_OK && pa.view.plasticity_gain == 1.0f,
          "the factor is removed exactly at the end");
    fn->destroy(c);
}

/* A window opened late still uses the age from the run's start. */
static void test_window_age(void) {
    setup();
    pa.view.plasticity_gain = 2.0f;
    params p = cp_params(&list_a);
    void *c = create_or_null(&p);
    if (!c) {
        CHECK(0, "create");
        return;
    }
    fn->begin(c, 2500); /* age 250 ms */
    CHECK_NEAR(pa.view.plasticity_gain, 2.0 * expected(250.0), 1e-6 * 2.0 * expected(250.0),
               "opened at 250 ms: the factor at age 250 ms, times the gain found");
    fn->end(c, 2600);
    CHECK(pa.view.plasticity_gain == 2.0f, "and the gain found is restored exactly");
    fn->destroy(c);
}

/* Two instances on two projections, sliced differently: at every common boundary the
 * gains are bit-identical. */
static void test_slicing(void) {
    setup();
    params p1 = cp_params(&list_a), p2 = cp_params(&list_b);
    void *c1 = create_or_null(&p1), *c2 = create_or_null(&p2);
    if (!c1 || !c2) {
        CHECK(0, "create two");
        return;
    }
    fn->begin(c1, 0);
    fn->begin(c2, 0);
    bool same = true, near = true;
    int64_t s1 = 0, s2 = 0;
    for (int64_t boundary = 40; boundary <= 8000; boundary += 40) {
        /* c1: one step at a time; c2: irregular slices of 1 to 13 steps, ending here. */
        for (; s1 < boundary; s1++) fn->on_slice(c1, s1, s1 + 1);
        while (s2 < boundary) {
            int64_t e = s2 + 1 + (s2 * 7) % 13;
            if (e > boundary) e = boundary;
            fn->on_slice(c2, s2, e);
            s2 = e;
        }
        if (pa.view.plasticity_gain != pb.view.plasticity_gain) same = false;
        const double want = expected((double)boundary * DT);
        if (fabs(pa.view.plasticity_gain - want) > 1e-6 * want) near = false;
    }
    CHECK(same, "the gain at each boundary is the same for slices of 1 step and of 1-13 steps");
    CHECK(near, "and equals the formula at every boundary");
    fn->end(c1, 8000);
    fn->end(c2, 8000);
    CHECK(pa.view.plasticity_gain == 1.0f && pb.view.plasticity_gain == 1.0f,
          "both removed exactly after 8000 updates");
    fn->destroy(c1);
    fn->destroy(c2);
}

static void test_errors(void) {
    setup();
    params p = cp_params(&list_a);
    set_real(&p, "tau", 0.0);
    void *c = NULL;
    CHECK(fn->create(&th.host, p.v, &c) == REWIRE_EINVAL && strstr(th.error, "tau"),
          "tau 0 refused: %s", th.error);
    static const char *const ghost_names[] = {"ghost"};
    static const rewire_name_list ghost = {1, ghost_names};
    p = cp_params(&ghost);
    c = create_or_null(&p);
    CHECK(c && fn->begin(c, 0) == REWIRE_ENOENT && strstr(th.error, "'ghost'"),
          "an unknown projection is named: %s", th.error);
    if (c) fn->destroy(c);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        printf("Bail out! usage: %s CRITICAL_PERIOD.so\n", argv[0]);
        return 1;
    }
    th_load(argv[1]);
    test_schema();
    test_formula();
    test_window_age();
    test_slicing();
    test_errors();
    return tap_done();
}
