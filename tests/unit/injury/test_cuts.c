/* The deafferent and synapse_loss plugins through their function tables on a hand-built
 * network (injury_host.h): which projections, sources, targets and fraction they hand
 * to remove_synapses, that the input population is left alive and firing (no kill),
 * what is left of the projection afterwards, and create()'s errors.
 *
 * usage: test_cuts DEAFFERENT.so SYNAPSE_LOSS.so
 */
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "unit/injury/injury_host.h"

static const rewire_plugin_descriptor *deaf, *loss;

/* skin (6 sources) -> cortex (4) all to all as ff and ff2; cortex -> cortex as rec. */
static void build(injury_host *ih) {
    ih_init(ih, false);
    ih_add_population(ih, "skin", "poisson", 6);
    ih_add_population(ih, "cortex", "lif_cuba", 4);
    uint32_t pre[24], post[24];
    float w[24];
    for (uint32_t s = 0; s < 24; s++) pre[s] = s / 4, post[s] = s % 4, w[s] = 1.0f;
    ih_add_projection(ih, "ff", "skin", "cortex", 24, pre, post, w, 0);
    ih_add_projection(ih, "ff2", "skin", "cortex", 24, pre, post, w, 0);
    const uint32_t rpre[] = {0, 1, 2}, rpost[] = {1, 2, 3};
    const float rw[] = {1, 1, 1};
    ih_add_projection(ih, "rec", "cortex", "cortex", 3, rpre, rpost, rw, 0);
}

static rewire_name_list names1(const char *const *n, uint32_t count) {
    return (rewire_name_list){count, n};
}

static bool all_alive(injury_host *ih, const char *pop) {
    const ih_population *p = ih_population_named(ih, pop);
    for (uint32_t i = 0; i < p->view.size; i++)
        if (!p->alive[i]) return false;
    return true;
}

static void expect_error(injury_host *ih, const rewire_plugin_descriptor *d, const ih_params *p,
                         const char *needle, const char *what) {
    const rewire_injury_v1 *fn = d->functions;
    void *inst = NULL;
    ih->last_error[0] = '\0';
    const int rc = fn->create(&ih->host, p->v, &inst);
    CHECK(rc != REWIRE_OK && strstr(ih->last_error, needle) != NULL, "%s", what);
    if (rc == REWIRE_OK)
        fn->destroy(inst);
    else
        printf("#   message: %s\n", ih->last_error);
}

static void test_deafferent_whole(void) {
    const rewire_injury_v1 *fn = deaf->functions;
    CHECK(deaf->kind == REWIRE_KIND_INJURY && deaf->abi_minor >= 2,
          "deafferent: an injury, ABI 1.2");
    CHECK(deaf->params[ih_param(deaf, "projections")].type == REWIRE_PARAM_PROJECTIONS,
          "deafferent: projections is a PROJECTIONS parameter");
    injury_host ih;
    build(&ih);
    const char *const list[] = {"ff"};
    const rewire_name_list projections = names1(list, 1);
    ih_params p = ih_defaults(deaf);
    p.v[ih_param(deaf, "projections")].names = &projections;
    void *inst = NULL;
    CHECK(fn->create(&ih.host, p.v, &inst) == REWIRE_OK, "deafferent: create (whole projection)");
    CHECK(ih.n_removals == 0, "deafferent: nothing is cut at create");
    CHECK(fn->apply(inst, 10) == REWIRE_OK, "deafferent: apply");
    const ih_removal *r = &ih.removals[0];
    CHECK(ih.n_removals == 1 && strcmp(r->projection, "ff") == 0,
          "deafferent: remove_synapses once, on ff");
    CHECK(!r->pre.has && !r->post.has && r->fraction == 1.0,
          "deafferent: all sources, all targets, fraction 1");
    CHECK(ih_projection_named(&ih, "ff")->view.n_syn == 0 && r->removed == 24,
          "deafferent: ff has no synapse left");
    CHECK(ih_projection_named(&ih, "ff2")->view.n_syn == 24,
          "deafferent: the parallel projection ff2 is untouched");
    CHECK(ih.n_kills == 0 && all_alive(&ih, "skin") && all_alive(&ih, "cortex"),
          "deafferent: the input and its targets live on (no kill)");
    fn->destroy(inst);
    ih_free(&ih);
}

static void test_deafferent_part(void) {
    const rewire_injury_v1 *fn = deaf->functions;
    injury_host ih;
    build(&ih);
    const char *const list[] = {"ff", "ff2"};
    const rewire_name_list projections = names1(list, 2);
    const rewire_selection hand = IH_SELECTION("skin", 6, 0, 1);
    const rewire_selection area = IH_SELECTION("cortex", 4, 2);
    ih_params p = ih_defaults(deaf);
    p.v[ih_param(deaf, "projections")].names = &projections;
    p.v[ih_param(deaf, "sources")].selection = &hand;
    p.v[ih_param(deaf, "targets")].selection = &area;
    void *inst = NULL;
    CHECK(fn->create(&ih.host, p.v, &inst) == REWIRE_OK, "deafferent: create (sources, targets)");
    CHECK(fn->apply(inst, 0) == REWIRE_OK, "deafferent: apply");
    CHECK(ih.n_removals == 2 && strcmp(ih.removals[0].projection, "ff") == 0 &&
              strcmp(ih.removals[1].projection, "ff2") == 0,
          "deafferent: one call per listed projection, in order");
    bool sel_ok = true;
    for (uint32_t k = 0; k < 2 && k < ih.n_removals; k++)
        sel_ok &= ih_same_selection(&ih.removals[k].pre, &hand) &&
                  ih_same_selection(&ih.removals[k].post, &area) && ih.removals[k].fraction == 1.0;
    CHECK(sel_ok, "deafferent: the sources and targets selections are passed as given");
    const ih_projection *ff = ih_projection_named(&ih, "ff");
    bool left_ok = true;
    for (uint32_t i = 0; i < 6; i++)
        for (uint32_t j = 0; j < 4; j++)
            left_ok &= ih_has_synapse(ff, i, j) == !(i <= 1 && j == 2);
    CHECK(left_ok && ff->view.n_syn == 22,
          "deafferent: exactly the synapses 0,1 -> 2 are gone from ff");
    fn->destroy(inst);
    ih_free(&ih);
}

static void test_deafferent_errors(void) {
    injury_host ih;
    build(&ih);
    const char *const list[] = {"ff", "rec"};
    const rewire_name_list projections = names1(list, 2);
    const rewire_selection hand = IH_SELECTION("skin", 6, 0);
    ih_params p = ih_defaults(deaf);
    p.v[ih_param(deaf, "projections")].names = &projections;
    p.v[ih_param(deaf, "sources")].selection = &hand;
    expect_error(&ih, deaf, &p, "'rec' comes from 'cortex'",
                 "deafferent: sources outside a projection's presynaptic population are refused");
    const char *const ff[] = {"ff"};
    const rewire_name_list only_ff = names1(ff, 1);
    const rewire_selection wrong_targets = IH_SELECTION("skin", 6, 1);
    p = ih_defaults(deaf);
    p.v[ih_param(deaf, "projections")].names = &only_ff;
    p.v[ih_param(deaf, "targets")].selection = &wrong_targets;
    expect_error(&ih, deaf, &p, "goes to 'cortex'",
                 "deafferent: targets outside the postsynaptic population are refused");
    const char *const nope[] = {"nope"};
    const rewire_name_list missing = names1(nope, 1);
    p = ih_defaults(deaf);
    p.v[ih_param(deaf, "projections")].names = &missing;
    expect_error(&ih, deaf, &p, "'nope'", "deafferent: an unknown projection is named");
    CHECK(ih.n_removals == 0, "deafferent: failed creates cut nothing");
    ih_free(&ih);
}

static void test_synapse_loss(void) {
    const rewire_injury_v1 *fn = loss->functions;
    CHECK(loss->kind == REWIRE_KIND_INJURY && loss->abi_minor >= 2,
          "synapse_loss: an injury, ABI 1.2");
    const rewire_param_spec *fraction = &loss->params[ih_param(loss, "fraction")];
    CHECK(fraction->type == REWIRE_PARAM_REAL && (fraction->flags & REWIRE_PARAM_MIN_EXCLUSIVE) &&
              fraction->min == 0.0 && fraction->max == 1.0,
          "synapse_loss: fraction is declared in (0, 1]");
    injury_host ih;
    build(&ih);
    const char *const list[] = {"ff", "rec"};
    const rewire_name_list projections = names1(list, 2);
    ih_params p = ih_defaults(loss);
    p.v[ih_param(loss, "projections")].names = &projections;
    p.v[ih_param(loss, "fraction")].real = 0.3;
    void *inst = NULL;
    CHECK(fn->create(&ih.host, p.v, &inst) == REWIRE_OK, "synapse_loss: create");
    CHECK(fn->apply(inst, 0) == REWIRE_OK, "synapse_loss: apply");
    CHECK(ih.n_removals == 2 && strcmp(ih.removals[0].projection, "ff") == 0 &&
              strcmp(ih.removals[1].projection, "rec") == 0,
          "synapse_loss: remove_synapses on each projection");
    CHECK(ih.removals[0].fraction == 0.3 && ih.removals[1].fraction == 0.3,
          "synapse_loss: with the fraction given");
    CHECK(!ih.removals[0].pre.has && !ih.removals[0].post.has,
          "synapse_loss: from any source onto any target by default");
    CHECK(ih_projection_named(&ih, "ff")->view.n_syn == 24 - ih.removals[0].removed,
          "synapse_loss: ff holds what the host left");
    CHECK(ih.n_kills == 0, "synapse_loss: no neuron dies");
    fn->destroy(inst);

    /* fraction 1 onto some targets: every synapse onto them goes. */
    const char *const ff[] = {"ff"};
    const rewire_name_list only_ff = names1(ff, 1);
    const rewire_selection targets = IH_SELECTION("cortex", 4, 0, 3);
    p = ih_defaults(loss);
    p.v[ih_param(loss, "projections")].names = &only_ff;
    p.v[ih_param(loss, "fraction")].real = 1.0;
    p.v[ih_param(loss, "targets")].selection = &targets;
    injury_host ih2;
    build(&ih2);
    CHECK(fn->create(&ih2.host, p.v, &inst) == REWIRE_OK, "synapse_loss: create with targets");
    CHECK(fn->apply(inst, 0) == REWIRE_OK, "synapse_loss: apply");
    CHECK(ih2.n_removals == 1 && ih_same_selection(&ih2.removals[0].post, &targets) &&
              !ih2.removals[0].pre.has,
          "synapse_loss: the targets selection is passed as given");
    const ih_projection *pff = ih_projection_named(&ih2, "ff");
    bool left_ok = true;
    for (uint32_t i = 0; i < 6; i++)
        for (uint32_t j = 0; j < 4; j++) left_ok &= ih_has_synapse(pff, i, j) == (j == 1 || j == 2);
    CHECK(left_ok, "synapse_loss: fraction 1 removes every synapse onto the targets, no other");
    fn->destroy(inst);
    ih_free(&ih2);

    /* errors */
    p = ih_defaults(loss);
    p.v[ih_param(loss, "projections")].names = &only_ff;
    p.v[ih_param(loss, "fraction")].real = 0.0;
    expect_error(&ih, loss, &p, "fraction", "synapse_loss: fraction 0 is refused");
    p.v[ih_param(loss, "fraction")].real = 1.5;
    expect_error(&ih, loss, &p, "fraction", "synapse_loss: fraction 1.5 is refused");
    const rewire_selection wrong = IH_SELECTION("skin", 6, 0);
    p.v[ih_param(loss, "fraction")].real = 0.5;
    p.v[ih_param(loss, "targets")].selection = &wrong;
    expect_error(&ih, loss, &p, "postsynaptic",
                 "synapse_loss: targets outside the postsynaptic population are refused");
    ih_free(&ih);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        printf("Bail out! usage: %s DEAFFERENT.so SYNAPSE_LOSS.so\n", argv[0]);
        return 1;
    }
    void *h1, *h2;
    deaf = ih_load(argv[1], "deafferent", &h1);
    loss = ih_load(argv[2], "synapse_loss", &h2);
    test_deafferent_whole();
    test_deafferent_part();
    test_deafferent_errors();
    test_synapse_loss();
    ih_unload(h1);
    ih_unload(h2);
    return tap_done();
}
