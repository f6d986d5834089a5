/* The diaschisis plugin through its function table on a hand-built network
 * (injury_host.h).  Each neuron j of the depressed populations loses
 *     lost_j = sum |w| from the region onto j / sum |w| of all synapses onto j
 * of its input and gets f_j = 1 - depression * lost_j exp(-(t - t0) / recovery).
 * The lost fractions below are worked out by hand from the synapses listed in build().
 *
 * usage: test_diaschisis DIASCHISIS.so
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "unit/injury/injury_host.h"

static const rewire_plugin_descriptor *desc;
static const rewire_injury_v1 *fn;

static const double DT = 0.1;    /* ms */
static const double TAU = 40.0;  /* ms */
static const double DEPRESSION = 0.6;

/* ctx (4) -> thal (3), stored as a STRUCTURAL projection (two free slots per row filled
 * with garbage weight 1000 onto thal2, which must not count):
 *     ctx0 -> thal0 w 2, ctx0 -> thal1 w 1, ctx1 -> thal0 w 1, ctx2 -> thal2 w 4,
 *     ctx3 -> thal1 w 3
 * other (3) -> thal:  other0 -> thal0 w 1, other1 -> thal1 w -2 (by magnitude)
 * ctx -> ctx (recurrent): 0 -> 1, 1 -> 0, 2 -> 3, all w 1
 * far (2) gets nothing from ctx; ctx -> inputs of "src" (sources, no excitability).
 * With region = ctx {0, 2}:
 *     thal0: total 2 + 1 + 1 = 4, lost 2  -> 1/2
 *     thal1: total 1 + 3 + 2 = 6, lost 1  -> 1/6
 *     thal2: total 4,             lost 4  -> 1                                         */
static void build(injury_host *ih) {
    ih_init(ih, false);
    ih_add_population(ih, "ctx", "lif_cuba", 4);
    ih_add_population(ih, "thal", "lif_cuba", 3);
    ih_add_population(ih, "other", "lif_cuba", 3);
    ih_add_population(ih, "far", "lif_cuba", 2);
    ih_add_population(ih, "src", "poisson", 2);
    const uint32_t cpre[] = {0, 0, 1, 2, 3}, cpost[] = {0, 1, 0, 2, 1};
    const float cw[] = {2, 1, 1, 4, 3};
    ih_add_projection(ih, "ct", "ctx", "thal", 5, cpre, cpost, cw, 2);
    const uint32_t opre[] = {0, 1}, opost[] = {0, 1};
    const float ow[] = {1, -2};
    ih_add_projection(ih, "ot", "other", "thal", 2, opre, opost, ow, 0);
    const uint32_t rpre[] = {0, 1, 2}, rpost[] = {1, 0, 3};
    const float rw[] = {1, 1, 1};
    ih_add_projection(ih, "cc", "ctx", "ctx", 3, rpre, rpost, rw, 0);
    const uint32_t fpre[] = {0}, fpost[] = {0};
    const float fw[] = {1};
    ih_add_projection(ih, "of", "other", "far", 1, fpre, fpost, fw, 0);
}

static ih_params params(const rewire_selection *region, const rewire_name_list *pops) {
    ih_params p = ih_defaults(desc);
    p.v[ih_param(desc, "region")].selection = region;
    p.v[ih_param(desc, "depression")].real = DEPRESSION;
    p.v[ih_param(desc, "recovery")].real = TAU;
    p.v[ih_param(desc, "populations")].names = pops;
    return p;
}

static double expected(double lost, int64_t steps) {
    return 1.0 - DEPRESSION * lost * exp(-(double)steps * DT / TAU);
}

static void test_descriptor(void) {
    CHECK(desc->kind == REWIRE_KIND_INJURY && desc->abi_minor >= 2, "an injury, ABI >= 1.2");
    CHECK(desc->params[ih_param(desc, "populations")].type == REWIRE_PARAM_POPULATIONS &&
              !(desc->params[ih_param(desc, "populations")].flags & REWIRE_PARAM_REQUIRED),
          "populations is an optional POPULATIONS parameter");
    CHECK(desc->params[ih_param(desc, "region")].type == REWIRE_PARAM_SELECTION,
          "region is a selection");
}

static void test_default_targets(void) {
    injury_host ih;
    build(&ih);
    const rewire_selection region = IH_SELECTION("ctx", 4, 0, 2);
    ih_params p = params(&region, NULL);
    void *inst = NULL;
    CHECK(fn->create(&ih.host, p.v, &inst) == REWIRE_OK, "create with the default populations");
    const ih_population *thal = ih_population_named(&ih, "thal");
    const ih_population *ctx = ih_population_named(&ih, "ctx");
    CHECK(thal->excitability[0] == 1.0f, "nothing changes at create");
    CHECK(fn->apply(inst, 200) == REWIRE_OK, "apply");
    CHECK(ih.n_kills == 0 && ih.n_removals == 0, "diaschisis kills and cuts nothing");
    const double lost[3] = {0.5, 1.0 / 6.0, 1.0};
    for (uint32_t j = 0; j < 3; j++)
        CHECK_NEAR(thal->excitability[j], 1.0 - DEPRESSION * lost[j], 1e-7,
                   "thal%u: 1 - depression * lost fraction %.4f", j, lost[j]);
    bool ctx_ok = true;
    for (uint32_t i = 0; i < 4; i++) ctx_ok &= ctx->excitability[i] == 1.0f;
    CHECK(ctx_ok, "the region's own population is not a default target");
    CHECK(ih_population_named(&ih, "far")->excitability[0] == 1.0f &&
              ih_population_named(&ih, "other")->excitability[0] == 1.0f,
          "populations that get nothing from the region are untouched");
    const int64_t ends[] = {250, 600, 1400};
    int64_t first = 200;
    for (size_t k = 0; k < 3; k++) {
        CHECK(fn->on_slice(inst, first, ends[k]) == REWIRE_OK, "on_slice [%lld, %lld)",
              (long long)first, (long long)ends[k]);
        CHECK_NEAR(thal->excitability[0], expected(lost[0], ends[k] - 200), 2e-7,
                   "thal0 recovers as 1 - d lost exp(-t / recovery) at t = %g ms",
                   (double)(ends[k] - 200) * DT);
        CHECK_NEAR(thal->excitability[2], expected(lost[2], ends[k] - 200), 2e-7,
                   "thal2 (all its input lost) recovers likewise");
        first = ends[k];
    }
    fn->destroy(inst);
    ih_free(&ih);
}

/* The region's own population named: recurrent input is lost too, but the region's
 * neurons themselves (0 and 2) are never depressed. */
static void test_own_population(void) {
    injury_host ih;
    build(&ih);
    const rewire_selection region = IH_SELECTION("ctx", 4, 0, 2);
    const char *const names[] = {"ctx"};
    const rewire_name_list pops = {1, names};
    ih_params p = params(&region, &pops);
    void *inst = NULL;
    CHECK(fn->create(&ih.host, p.v, &inst) == REWIRE_OK, "create with populations: [ctx]");
    CHECK(fn->apply(inst, 0) == REWIRE_OK, "apply");
    const ih_population *ctx = ih_population_named(&ih, "ctx");
    CHECK_NEAR(ctx->excitability[1], 1.0 - DEPRESSION, 1e-7, "ctx1 (all input from ctx0) depressed");
    CHECK_NEAR(ctx->excitability[3], 1.0 - DEPRESSION, 1e-7, "ctx3 (all input from ctx2) depressed");
    CHECK(ctx->excitability[0] == 1.0f && ctx->excitability[2] == 1.0f,
          "the region's own neurons are not depressed by it");
    CHECK(ih_population_named(&ih, "thal")->excitability[0] == 1.0f,
          "populations not named are untouched");
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
    const rewire_selection region = IH_SELECTION("ctx", 4, 0);
    const char *const far[] = {"far"};
    const rewire_name_list far_list = {1, far};
    ih_params p = params(&region, &far_list);
    expect_error(&ih, &p, "receives no projection from 'ctx'",
                 "a named population that gets nothing from the region is refused");
    const char *const src[] = {"src"};
    const rewire_name_list src_list = {1, src};
    p = params(&region, &src_list);
    expect_error(&ih, &p, "no excitability", "a source population is refused");
    const rewire_selection far_region = IH_SELECTION("far", 2, 0);
    p = params(&far_region, NULL);
    expect_error(&ih, &p, "nothing to depress",
                 "a region whose population projects nowhere else is refused");

    /* A region already dead at apply (the lesion listed first): refused, with advice. */
    const rewire_selection both = IH_SELECTION("ctx", 4, 0, 2);
    p = params(&both, NULL);
    void *inst = NULL;
    CHECK(fn->create(&ih.host, p.v, &inst) == REWIRE_OK, "create");
    ih.host.kill_neurons(&ih.host, &both);
    ih.last_error[0] = '\0';
    CHECK(fn->apply(inst, 0) != REWIRE_OK && strstr(ih.last_error, "before the lesion"),
          "apply after the region died is refused, saying to list diaschisis first");
    printf("#   message: %s\n", ih.last_error);
    fn->destroy(inst);
    ih_free(&ih);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        printf("Bail out! usage: %s DIASCHISIS.so\n", argv[0]);
        return 1;
    }
    void *handle;
    desc = ih_load(argv[1], "diaschisis", &handle);
    fn = desc->functions;
    test_descriptor();
    test_default_targets();
    test_own_population();
    test_errors();
    ih_unload(handle);
    return tap_done();
}
