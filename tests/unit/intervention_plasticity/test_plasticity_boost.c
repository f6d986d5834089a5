/* plasticity_boost, driven through its function table: the factor is gain for the window
 * and exactly removed after it, the ramp rises linearly from 1 to gain (the value at the
 * step each slice starts with, the same however the window is sliced), factors of other
 * interventions compose, the live gain, and the errors.
 *
 * usage: test_plasticity_boost PLASTICITY_BOOST.so */
#include "harness.h"

static test_proj pa, pb;
static const char *const both_names[] = {"a", "b"};
static const rewire_name_list both = {2, both_names};
static const rewire_name_list only_a = {1, both_names};

static void setup(void) {
    th_reset();
    test_proj_build(&pa, "a", 2, 2, true, false);
    test_proj_build(&pb, "b", 2, 2, false, false);
    th_add_projection(&pa.view);
    th_add_projection(&pb.view);
}

static params boost_params(const rewire_name_list *names, double gain, double ramp) {
    params p = default_params();
    set_names(&p, "projections", names);
    set_real(&p, "gain", gain);
    set_real(&p, "ramp", ramp);
    return p;
}

static void test_schema(void) {
    const rewire_param_spec *proj = param_spec("projections"), *gain = param_spec("gain"),
                            *ramp = param_spec("ramp");
    CHECK(proj->type == REWIRE_PARAM_PROJECTIONS && (proj->flags & REWIRE_PARAM_REQUIRED),
          "projections is a required projection list");
    CHECK(gain->type == REWIRE_PARAM_REAL && (gain->flags & REWIRE_PARAM_MIN_EXCLUSIVE) &&
              gain->min == 0 && (gain->flags & REWIRE_PARAM_LIVE),
          "gain is a live factor > 0");
    CHECK(ramp->dim == REWIRE_DIM_TIME && ramp->def_real == 0, "ramp is a time, 0 by default");
    CHECK(fn->on_slice && fn->set_param, "on_slice and set_param are there");
}

static void test_step_boost(void) {
    setup();
    pa.view.plasticity_gain = 0.7f; /* as another intervention may have left it */
    params p = boost_params(&both, 3.0, 0.0);
    void *b = create_or_null(&p);
    CHECK(b != NULL, "create with gain 3");
    if (!b) return;
    CHECK(fn->begin(b, 100) == REWIRE_OK, "begin");
    CHECK(pa.view.plasticity_gain == (float)((double)0.7f * 3.0), "gain 0.7 x 3 while open (%g)",
          (double)pa.view.plasticity_gain);
    CHECK(pb.view.plasticity_gain == 3.0f, "the second projection x 3 too");
    CHECK(fn->on_slice(b, 100, 150) == REWIRE_OK && pb.view.plasticity_gain == 3.0f,
          "a slice without ramp leaves the factor");
    CHECK(fn->end(b, 150) == REWIRE_OK, "end");
    CHECK(pa.view.plasticity_gain == 0.7f && pb.view.plasticity_gain == 1.0f,
          "gains exactly as found after the window (%.9g, %.9g)",
          (double)pa.view.plasticity_gain, (double)pb.view.plasticity_gain);
    /* A second window: the same again, nothing accumulates. */
    CHECK(fn->begin(b, 200) == REWIRE_OK && pb.view.plasticity_gain == 3.0f, "second window");
    CHECK(fn->end(b, 300) == REWIRE_OK && pb.view.plasticity_gain == 1.0f &&
              pa.view.plasticity_gain == 0.7f,
          "and removed exactly again");
    fn->destroy(b);
}

/* f(t) = 1 + (gain - 1) min(1, t / ramp), t from the window's opening, dt = 0.1 ms. */
static double ramp_expected(double gain, double ramp, int64_t steps) {
    double t = (double)steps * 0.1;
    return 1.0 + (gain - 1.0) * (t >= ramp ? 1.0 : t / ramp);
}

static void test_ramp(void) {
    setup();
    const double gain = 4.0, ramp = 10.0; /* ms = 100 steps */
    params p = boost_params(&only_a, gain, ramp);
    void *b = create_or_null(&p);
    if (!b) {
        CHECK(0, "create with a ramp");
        return;
    }
    CHECK(fn->begin(b, 1000) == REWIRE_OK && pa.view.plasticity_gain == 1.0f,
          "the ramp starts at factor 1");
    const int64_t ends[] = {1025, 1050, 1099, 1100, 1234};
    int64_t first = 1000;
    for (size_t k = 0; k < sizeof ends / sizeof ends[0]; k++) {
        fn->on_slice(b, first, ends[k]);
        const double want = ramp_expected(gain, ramp, ends[k] - 1000);
        CHECK(pa.view.plasticity_gain == (float)want,
              "after the slice ending at step %lld: factor %g (got %.9g)", (long long)ends[k],
              want, (double)pa.view.plasticity_gain);
        first = ends[k];
    }
    CHECK(pb.view.plasticity_gain == 1.0f, "a projection not named is untouched");
    CHECK(fn->end(b, 1234) == REWIRE_OK && pa.view.plasticity_gain == 1.0f,
          "the full factor is removed exactly at the end");

    /* The same window cut differently: the value at a step does not depend on the cuts. */
    CHECK(fn->begin(b, 0) == REWIRE_OK, "second window");
    fn->on_slice(b, 0, 7);
    fn->on_slice(b, 7, 8);
    fn->on_slice(b, 8, 50);
    const float cut = pa.view.plasticity_gain;
    fn->end(b, 50);
    fn->begin(b, 0);
    fn->on_slice(b, 0, 50);
    CHECK(pa.view.plasticity_gain == cut && cut == (float)ramp_expected(gain, ramp, 50),
          "step 50 of the ramp: the same in three slices or one (%.9g)", (double)cut);
    fn->end(b, 50);
    CHECK(pa.view.plasticity_gain == 1.0f, "removed exactly");
    fn->destroy(b);
}

/* Another intervention multiplies its own factor in and out while the boost is open. */
static void test_composition(void) {
    setup();
    params p = boost_params(&only_a, 2.0, 10.0);
    void *b = create_or_null(&p);
    if (!b) {
        CHECK(0, "create");
        return;
    }
    fn->begin(b, 0);
    fn->on_slice(b, 0, 30);
    pa.view.plasticity_gain *= 0.5f; /* the other one begins */
    fn->on_slice(b, 30, 60);
    CHECK_NEAR(pa.view.plasticity_gain, 0.5 * ramp_expected(2.0, 10.0, 60), 1e-6,
               "both factors in while both are open");
    fn->end(b, 60);
    CHECK_NEAR(pa.view.plasticity_gain, 0.5, 1e-6, "after the boost ends only the other's 0.5");
    pa.view.plasticity_gain /= 0.5f; /* the other one ends */
    CHECK_NEAR(pa.view.plasticity_gain, 1.0, 1e-6, "and 1 once both are gone");
    fn->destroy(b);
}

static void test_live_gain(void) {
    setup();
    params p = boost_params(&only_a, 2.0, 0.0);
    void *b = create_or_null(&p);
    if (!b) {
        CHECK(0, "create");
        return;
    }
    fn->begin(b, 0);
    rewire_param_value v = {.real = 5.0};
    CHECK(fn->set_param(b, (uint32_t)param_index("gain"), v) == REWIRE_OK &&
              pa.view.plasticity_gain == 5.0f,
          "a live change of gain applies at once");
    v.real = 0.0;
    CHECK(fn->set_param(b, (uint32_t)param_index("gain"), v) == REWIRE_EINVAL &&
              pa.view.plasticity_gain == 5.0f,
          "gain 0 is refused (it could not be divided out)");
    fn->end(b, 10);
    CHECK(pa.view.plasticity_gain == 1.0f, "removed exactly after a live change");
    fn->destroy(b);
}

static void test_errors(void) {
    setup();
    params p = boost_params(&only_a, 0.0, 0.0);
    void *b = NULL;
    CHECK(fn->create(&th.host, p.v, &b) == REWIRE_EINVAL && strstr(th.error, "gain"),
          "gain 0 refused at create: %s", th.error);
    static const char *const ghost_names[] = {"ghost"};
    static const rewire_name_list ghost = {1, ghost_names};
    p = boost_params(&ghost, 2.0, 0.0);
    b = create_or_null(&p);
    CHECK(b && fn->begin(b, 0) == REWIRE_ENOENT && strstr(th.error, "'ghost'"),
          "an unknown projection is named: %s", th.error);
    if (b) fn->destroy(b);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        printf("Bail out! usage: %s PLASTICITY_BOOST.so\n", argv[0]);
        return 1;
    }
    th_load(argv[1]);
    test_schema();
    test_step_boost();
    test_ramp();
    test_composition();
    test_live_gain();
    test_errors();
    return tap_done();
}
