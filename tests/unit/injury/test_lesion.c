/* The lesion plugin through its function table on a hand-built network (injury_host.h):
 * the region dies through kill_neurons (exactly its neurons), the penumbra minus the
 * region gets its excitability multiplied by penumbra_excitability and recovers as
 *     f(t) = 1 - (1 - penumbra_excitability) exp(-(t - t0) / recovery),
 * factors compose with other changes of excitability, a factor of 0 recovers, the
 * ABI 1.2 descriptor, and create()'s errors.
 *
 * usage: test_lesion LESION.so
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "unit/injury/injury_host.h"

static const rewire_plugin_descriptor *desc;
static const rewire_injury_v1 *fn;

static const double DT = 0.1;    /* ms, the fake projections' */
static const double TAU = 50.0;  /* ms */

/* cortex: 10 neurons, fed by 4 sources; one projection gives the time step. */
static void build(injury_host *ih) {
    ih_init(ih, false);
    ih_add_population(ih, "input", "poisson", 4);
    ih_add_population(ih, "cortex", "lif_cuba", 10);
    const uint32_t pre[] = {0, 1, 2, 3, 0}, post[] = {2, 3, 4, 7, 9};
    const float w[] = {1, 1, 1, 1, 1};
    ih_add_projection(ih, "ff", "input", "cortex", 5, pre, post, w, 0);
}

static ih_params params(const rewire_selection *region, const rewire_selection *penumbra,
                        double excitability) {
    ih_params p = ih_defaults(desc);
    p.v[ih_param(desc, "region")].selection = region;
    p.v[ih_param(desc, "penumbra")].selection = penumbra;
    p.v[ih_param(desc, "penumbra_excitability")].real = excitability;
    p.v[ih_param(desc, "recovery")].real = TAU;
    return p;
}

static double expected(double f0, int64_t steps) { return 1.0 - (1.0 - f0) * exp(-(double)steps * DT / TAU); }

static void test_descriptor(void) {
    CHECK(desc->kind == REWIRE_KIND_INJURY, "lesion is an injury");
    CHECK(desc->abi_major == 1 && desc->abi_minor >= 2, "descriptor declares ABI >= 1.2 (injury services)");
    const rewire_param_spec *region = &desc->params[ih_param(desc, "region")];
    CHECK(region->type == REWIRE_PARAM_SELECTION && (region->flags & REWIRE_PARAM_REQUIRED),
          "region is a required selection");
    CHECK(desc->params[ih_param(desc, "penumbra")].type == REWIRE_PARAM_SELECTION &&
              !(desc->params[ih_param(desc, "penumbra")].flags & REWIRE_PARAM_REQUIRED),
          "penumbra is an optional selection");
    CHECK(fn->on_slice != NULL, "lesion has an on_slice hook (the penumbra recovers)");
}

static void test_region_dies(void) {
    injury_host ih;
    build(&ih);
    const rewire_selection region = IH_SELECTION("cortex", 10, 2, 3, 4);
    ih_params p = params(&region, NULL, 0.5);
    void *inst = NULL;
    CHECK(fn->create(&ih.host, p.v, &inst) == REWIRE_OK, "create with a region only");
    CHECK(ih.n_kills == 0, "nothing dies at create");
    CHECK(fn->apply(inst, 100) == REWIRE_OK, "apply");
    CHECK(ih.n_kills == 1 && ih_same_selection(&ih.kills[0], &region),
          "kill_neurons is called once, with exactly the region");
    const ih_population *c = ih_population_named(&ih, "cortex");
    bool alive_ok = true, exc_ok = true;
    for (uint32_t i = 0; i < 10; i++) {
        const bool in = i >= 2 && i <= 4;
        alive_ok &= c->alive[i] == (in ? 0 : 1);
        exc_ok &= c->excitability[i] == (in ? 0.0f : 1.0f);
    }
    CHECK(alive_ok, "exactly the region's neurons are dead");
    CHECK(exc_ok, "without a penumbra nobody else's excitability changes");
    CHECK(ih.n_removals == 0, "a lesion removes synapses only through the kill");
    CHECK(fn->on_slice(inst, 100, 200) == REWIRE_OK, "on_slice without a penumbra");
    exc_ok = true;
    for (uint32_t i = 0; i < 10; i++) exc_ok &= c->excitability[i] == ((i >= 2 && i <= 4) ? 0.0f : 1.0f);
    CHECK(exc_ok, "... changes nothing");
    fn->destroy(inst);
    ih_free(&ih);
}

/* Penumbra 1..6 overlaps the region 2..4: 1, 5, 6 are depressed, 2..4 die. */
static void test_penumbra_recovers(void) {
    injury_host ih;
    build(&ih);
    const rewire_selection region = IH_SELECTION("cortex", 10, 2, 3, 4);
    const rewire_selection penumbra = IH_SELECTION("cortex", 10, 1, 2, 3, 4, 5, 6);
    const double f0 = 0.4;
    ih_params p = params(&region, &penumbra, f0);
    void *inst = NULL;
    CHECK(fn->create(&ih.host, p.v, &inst) == REWIRE_OK, "create with an overlapping penumbra");
    const ih_population *c = ih_population_named(&ih, "cortex");
    CHECK(c->excitability[1] == 1.0f, "the penumbra is untouched before apply");
    CHECK(fn->apply(inst, 100) == REWIRE_OK, "apply");
    CHECK(ih.n_kills == 1 && ih_same_selection(&ih.kills[0], &region),
          "only the region is killed, not the penumbra");
    CHECK(c->alive[1] && c->alive[5] && c->alive[6], "penumbra neurons live");
    CHECK_NEAR(c->excitability[1], f0, 1e-7, "penumbra excitability right after apply (neuron 1)");
    CHECK_NEAR(c->excitability[6], f0, 1e-7, "... (neuron 6)");
    CHECK(c->excitability[2] == 0.0f && c->excitability[4] == 0.0f,
          "region neurons in the penumbra stay dead (excitability 0)");
    CHECK(c->excitability[0] == 1.0f && c->excitability[7] == 1.0f,
          "neurons outside both are untouched");
    /* Uneven slices: the factor is a function of the time since apply only. */
    const int64_t ends[] = {137, 300, 1100, 2000};
    int64_t first = 100;
    for (size_t k = 0; k < sizeof ends / sizeof ends[0]; k++) {
        CHECK(fn->on_slice(inst, first, ends[k]) == REWIRE_OK, "on_slice [%lld, %lld)",
              (long long)first, (long long)ends[k]);
        CHECK_NEAR(c->excitability[5], expected(f0, ends[k] - 100), 2e-7,
                   "penumbra at t0 + %g ms: 1 - (1 - f0) exp(-t / recovery)",
                   (double)(ends[k] - 100) * DT);
        first = ends[k];
    }
    CHECK(c->excitability[3] == 0.0f, "the dead stay at 0 during recovery");
    CHECK(c->excitability[0] == 1.0f, "the rest stays at 1 during recovery");
    /* 40 time constants later the factor is 1 within a float. */
    CHECK(fn->on_slice(inst, 2000, 2000 + 40 * 500) == REWIRE_OK, "a long slice");
    CHECK_NEAR(c->excitability[1], 1.0, 2e-7, "the penumbra recovers fully");
    fn->destroy(inst);
    ih_free(&ih);
}

/* Factors compose: another process halves neuron 5 before the lesion and neuron 6
 * after it; the lesion's factor multiplies in and out around both. */
static void test_composes(void) {
    injury_host ih;
    build(&ih);
    const rewire_selection region = IH_SELECTION("cortex", 10, 0);
    const rewire_selection penumbra = IH_SELECTION("cortex", 10, 5, 6);
    const double f0 = 0.25;
    ih_params p = params(&region, &penumbra, f0);
    void *inst = NULL;
    CHECK(fn->create(&ih.host, p.v, &inst) == REWIRE_OK, "create (composition)");
    ih_population *c = ih_population_named(&ih, "cortex");
    c->excitability[5] = 0.5f;
    CHECK(fn->apply(inst, 0) == REWIRE_OK, "apply at step 0");
    CHECK_NEAR(c->excitability[5], 0.5 * f0, 1e-7, "the factor multiplies an excitability of 0.5");
    c->excitability[6] *= 0.5f;
    CHECK(fn->on_slice(inst, 0, 400) == REWIRE_OK, "on_slice");
    CHECK_NEAR(c->excitability[5], 0.5 * expected(f0, 400), 2e-7,
               "the other factor (0.5) is kept while the lesion's recovers");
    CHECK_NEAR(c->excitability[6], 0.5 * expected(f0, 400), 2e-7,
               "a factor multiplied in after the lesion is kept too");
    fn->destroy(inst);
    ih_free(&ih);
}

/* penumbra_excitability 0: silenced, and yet it recovers (nothing to divide by). */
static void test_zero_factor(void) {
    injury_host ih;
    build(&ih);
    const rewire_selection region = IH_SELECTION("cortex", 10, 9);
    const rewire_selection penumbra = IH_SELECTION("cortex", 10, 7, 8);
    ih_params p = params(&region, &penumbra, 0.0);
    void *inst = NULL;
    CHECK(fn->create(&ih.host, p.v, &inst) == REWIRE_OK, "create with penumbra_excitability 0");
    ih_population *c = ih_population_named(&ih, "cortex");
    c->excitability[8] = 0.8f;
    CHECK(fn->apply(inst, 50) == REWIRE_OK, "apply");
    CHECK(c->excitability[7] == 0.0f && c->excitability[8] == 0.0f, "the penumbra is silenced");
    CHECK(fn->on_slice(inst, 50, 550) == REWIRE_OK, "on_slice");
    CHECK_NEAR(c->excitability[7], expected(0.0, 500), 2e-7, "it recovers from 0");
    CHECK_NEAR(c->excitability[8], 0.8 * expected(0.0, 500), 2e-7,
               "from 0, back toward the excitability it had before (0.8)");
    fn->destroy(inst);
    ih_free(&ih);
}

/* A penumbra neuron killed later (by another lesion) stays dead. */
static void test_dead_penumbra(void) {
    injury_host ih;
    build(&ih);
    const rewire_selection region = IH_SELECTION("cortex", 10, 0);
    const rewire_selection penumbra = IH_SELECTION("cortex", 10, 1, 2);
    ih_params p = params(&region, &penumbra, 0.5);
    void *inst = NULL;
    CHECK(fn->create(&ih.host, p.v, &inst) == REWIRE_OK, "create");
    CHECK(fn->apply(inst, 0) == REWIRE_OK, "apply");
    const rewire_selection later = IH_SELECTION("cortex", 10, 1);
    ih.host.kill_neurons(&ih.host, &later);
    CHECK(fn->on_slice(inst, 0, 300) == REWIRE_OK, "on_slice after another kill");
    const ih_population *c = ih_population_named(&ih, "cortex");
    CHECK(c->excitability[1] == 0.0f, "a penumbra neuron killed later stays at 0");
    CHECK_NEAR(c->excitability[2], expected(0.5, 300), 2e-7, "its neighbour recovers");
    fn->destroy(inst);
    ih_free(&ih);
}

static void expect_error(injury_host *ih, const ih_params *p, const char *needle, const char *what) {
    void *inst = NULL;
    ih->last_error[0] = '\0';
    const int rc = fn->create(&ih->host, p->v, &inst);
    CHECK(rc != REWIRE_OK && strstr(ih->last_error, needle) != NULL, "%s", what);
    if (rc == REWIRE_OK)
        fn->destroy(inst);
    else
        printf("#   message: %s\n", ih->last_error);
}

static void test_errors(void) {
    injury_host ih;
    build(&ih);
    const rewire_selection region = IH_SELECTION("cortex", 10, 2, 3);
    const rewire_selection inside = IH_SELECTION("cortex", 10, 3);
    const rewire_selection elsewhere = IH_SELECTION("input", 4, 0, 1);
    ih_params p = params(&region, &inside, 0.5);
    expect_error(&ih, &p, "no neuron outside region", "a penumbra inside the region is refused");
    p = params(&region, &elsewhere, 0.5);
    expect_error(&ih, &p, "same population", "a penumbra in another population is refused");
    const rewire_selection src_region = IH_SELECTION("input", 4, 0);
    const rewire_selection src_pen = IH_SELECTION("input", 4, 0, 1);
    p = params(&src_region, &src_pen, 0.5);
    expect_error(&ih, &p, "no excitability", "a penumbra among sources (no excitability) is refused");
    CHECK(ih.n_kills == 0, "failed creates kill nobody");
    ih_free(&ih);

    injury_host old;
    build(&old);
    old.host.struct_size = (uint32_t)offsetof(rewire_host, now);
    p = params(&region, NULL, 0.5);
    expect_error(&old, &p, "ABI 1.2", "a host without injury services (ABI 1.1) is refused");
    ih_free(&old);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        printf("Bail out! usage: %s LESION.so\n", argv[0]);
        return 1;
    }
    void *handle;
    desc = ih_load(argv[1], "lesion", &handle);
    fn = desc->functions;
    test_descriptor();
    test_region_dies();
    test_penumbra_recovers();
    test_composes();
    test_zero_factor();
    test_dead_penumbra();
    test_errors();
    ih_unload(handle);
    return tap_done();
}
