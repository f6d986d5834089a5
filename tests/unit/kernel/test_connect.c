/* Connectivity: counts of the deterministic rules, degree statistics of the random ones
 * against their binomial laws, autapses and multapses, weight and delay distributions,
 * and independence from generation order (every value recomputed from its key). */
#include <math.h>

#include "fixture.h"
#include "rng.h"
#include "tap.h"

#define DT 0.1

static double binom_pmf(uint32_t n, double p, uint32_t k) {
    return exp(lgamma(n + 1.0) - lgamma(k + 1.0) - lgamma(n - k + 1.0) + k * log(p) +
               (n - k) * log1p(-p));
}

/* Chi-square of observed degree counts against Binomial(n, p), adjacent degrees merged
 * until each bin expects at least 5 (a short last bin joins the one before).  Returns
 * chi2; *df receives the degrees of freedom. */
static double degree_chi2(const uint32_t *deg, uint32_t m, uint32_t n, double p, int *df) {
    double *obs = calloc(n + 1, sizeof *obs);
    double *bin_o = calloc(n + 1, sizeof *bin_o), *bin_e = calloc(n + 1, sizeof *bin_e);
    for (uint32_t j = 0; j < m; j++) obs[deg[j]]++;
    int bins = 0;
    double e_acc = 0, o_acc = 0;
    for (uint32_t k = 0; k <= n; k++) {
        e_acc += m * binom_pmf(n, p, k);
        o_acc += obs[k];
        if (e_acc >= 5.0) {
            bin_e[bins] = e_acc;
            bin_o[bins++] = o_acc;
            e_acc = o_acc = 0;
        }
    }
    if (bins > 0) {
        bin_e[bins - 1] += e_acc;
        bin_o[bins - 1] += o_acc;
    }
    double chi2 = 0;
    for (int b = 0; b < bins; b++) chi2 += (bin_o[b] - bin_e[b]) * (bin_o[b] - bin_e[b]) / bin_e[b];
    free(obs);
    free(bin_o);
    free(bin_e);
    *df = bins - 1;
    return chi2;
}

/* The documented value of a distribution for a key: uniform a + (b - a) u, normal
 * a + b z (Box-Muller of the block), then clipped to [lo, hi]. */
static double expected_draw(const rw_dist *d, uint64_t key, uint64_t entity, uint64_t counter) {
    double x = d->a;
    if (d->kind == RW_DIST_UNIFORM) x = d->a + (d->b - d->a) * rw_rng_uniform_k(key, entity, counter);
    if (d->kind == RW_DIST_NORMAL) x = d->a + d->b * rw_rng_normal_k(key, entity, counter);
    return fmin(fmax(x, d->lo), d->hi);
}

static int rows_sorted(const rewire_projection_view *v, int strictly) {
    for (uint32_t i = 0; i < v->n_pre; i++)
        for (uint32_t s = v->row_offsets[i] + 1; s < v->row_offsets[i + 1]; s++)
            if (strictly ? v->targets[s] <= v->targets[s - 1] : v->targets[s] < v->targets[s - 1])
                return 0;
    return 1;
}

static int has_autapse(const rewire_projection_view *v) {
    for (uint32_t i = 0; i < v->n_pre; i++)
        for (uint32_t s = v->row_offsets[i]; s < v->row_offsets[i + 1]; s++)
            if (v->targets[s] == i) return 1;
    return 0;
}

static void in_out_degrees(const rewire_projection_view *v, uint32_t *in, uint32_t *out) {
    memset(in, 0, v->n_post * sizeof *in);
    for (uint32_t i = 0; i < v->n_pre; i++) {
        out[i] = v->row_offsets[i + 1] - v->row_offsets[i];
        for (uint32_t s = v->row_offsets[i]; s < v->row_offsets[i + 1]; s++) in[v->targets[s]]++;
    }
}

static void mean_var_u32(const uint32_t *x, uint32_t n, double *mean, double *var) {
    double m = 0, q = 0;
    for (uint32_t i = 0; i < n; i++) m += x[i];
    m /= n;
    for (uint32_t i = 0; i < n; i++) q += (x[i] - m) * (x[i] - m);
    *mean = m;
    *var = q / (n - 1);
}

static void deterministic_rules(void) {
    fx f;
    fx_init(&f, DT, 1);
    uint32_t a = fx_lif(&f, "a", RW_MODEL_LIF_CUBA, 50);
    uint32_t b = fx_lif(&f, "b", RW_MODEL_LIF_CUBA, 40);
    uint32_t c = fx_poisson(&f, "c", 30, 0.0);
    uint32_t p0 = fx_proj(&f, "aa", a, a, RW_CONNECT_ALL_TO_ALL, 1, DT);
    uint32_t p1 = fx_proj(&f, "aa_aut", a, a, RW_CONNECT_ALL_TO_ALL, 1, DT);
    f.projs[p1].autapses = true;
    uint32_t p2 = fx_proj(&f, "cb", c, b, RW_CONNECT_ALL_TO_ALL, 1, DT);
    uint32_t p3 = fx_proj(&f, "aa_1to1", a, a, RW_CONNECT_ONE_TO_ONE, 1, DT);
    rw_network *net = fx_build(&f);
    CHECK(net != NULL, "deterministic rules build");
    if (!net) return;
    rewire_projection_view *v0 = rw_network_projection_view(net, p0);
    rewire_projection_view *v1 = rw_network_projection_view(net, p1);
    rewire_projection_view *v2 = rw_network_projection_view(net, p2);
    rewire_projection_view *v3 = rw_network_projection_view(net, p3);
    CHECK(v0->n_syn == 50 * 49 && !has_autapse(v0) && rows_sorted(v0, 1),
          "all_to_all onto itself: n (n-1) synapses, no autapse, rows sorted");
    CHECK(v1->n_syn == 2500 && has_autapse(v1), "all_to_all with autapses: n^2");
    CHECK(v2->n_syn == 1200 && rows_sorted(v2, 1) && v2->row_offsets[30] == 1200,
          "all_to_all between populations: 30 x 40");
    int diag = v3->n_syn == 50;
    for (uint32_t i = 0; i < 50 && diag; i++)
        diag = v3->row_offsets[i] == i && v3->targets[i] == i;
    CHECK(diag, "one_to_one: pre i -> post i");
    CHECK(rw_network_projection_synapses(net, p0) == 2450, "statistics count synapses");
    CHECK(strcmp(v0->name, "aa") == 0 && strcmp(v2->pre_population, "c") == 0 &&
              strcmp(v2->post_population, "b") == 0 && v2->n_pre == 30 && v2->n_post == 40 &&
              v2->dt == DT && v2->plasticity_gain == 1.0f && v2->neuromodulator == 0.0f &&
              v2->col_offsets == NULL && v2->n_syn_state == 0,
          "projection view fields");
    rw_network_free(net);
}

static void fixed_probability(void) {
    const uint32_t N = 1000;
    const double p = 0.1;
    fx f;
    fx_init(&f, DT, 7);
    uint32_t src = fx_poisson(&f, "src", N, 0.0);
    uint32_t dst = fx_lif(&f, "dst", RW_MODEL_LIF_CUBA, N);
    uint32_t pj = fx_proj(&f, "fp", src, dst, RW_CONNECT_FIXED_PROBABILITY, 1, DT);
    f.projs[pj].p = p;
    uint32_t rec = fx_proj(&f, "rec", dst, dst, RW_CONNECT_FIXED_PROBABILITY, 1, DT);
    f.projs[rec].p = 0.3;
    rw_network *net = fx_build(&f);
    CHECK(net != NULL, "fixed_probability builds");
    if (!net) return;
    const rewire_projection_view *v = rw_network_projection_view(net, pj);
    double n2 = (double)N * N;
    CHECK_NEAR(v->n_syn, n2 * p, 4 * sqrt(n2 * p * (1 - p)), "total synapses ~ N^2 p");
    CHECK(rows_sorted(v, 1), "rows strictly sorted: no pair twice");
    uint32_t *in = malloc(N * sizeof *in), *out = malloc(N * sizeof *out);
    in_out_degrees(v, in, out);
    double mi, vi, mo, vo;
    mean_var_u32(in, N, &mi, &vi);
    mean_var_u32(out, N, &mo, &vo);
    double var = N * p * (1 - p), sd_of_var = var * sqrt(2.0 / (N - 1));
    CHECK_NEAR(mi, N * p, 4 * sqrt(var / N), "mean in-degree N p");
    CHECK_NEAR(mo, N * p, 4 * sqrt(var / N), "mean out-degree N p");
    CHECK_NEAR(vi, var, 5 * sd_of_var, "in-degree variance N p (1-p)");
    CHECK_NEAR(vo, var, 5 * sd_of_var, "out-degree variance N p (1-p)");
    int df;
    double chi2 = degree_chi2(in, N, N, p, &df);
    CHECK(df > 10 && chi2 < df + 5 * sqrt(2.0 * df),
          "in-degrees follow Binomial(N, p): chi2 = %.1f, %d dof", chi2, df);
    chi2 = degree_chi2(out, N, N, p, &df);
    CHECK(df > 10 && chi2 < df + 5 * sqrt(2.0 * df),
          "out-degrees follow Binomial(N, p): chi2 = %.1f, %d dof", chi2, df);

    const rewire_projection_view *r = rw_network_projection_view(net, rec);
    double pairs = (double)N * (N - 1);
    CHECK(!has_autapse(r), "recurrent fixed_probability has no autapse");
    CHECK_NEAR(r->n_syn, pairs * 0.3, 4 * sqrt(pairs * 0.3 * 0.7), "recurrent: ~ N (N-1) p");
    in_out_degrees(r, in, out);
    chi2 = degree_chi2(in, N, N - 1, 0.3, &df);
    CHECK(chi2 < df + 5 * sqrt(2.0 * df), "recurrent in-degrees follow Binomial(N-1, p): chi2 = %.1f",
          chi2);

    /* Same seed, same synapses; another seed, others. */
    rw_network *again = fx_build(&f);
    const rewire_projection_view *w = rw_network_projection_view(again, pj);
    CHECK(w->n_syn == v->n_syn && memcmp(w->targets, v->targets, v->n_syn * 4) == 0 &&
              memcmp(w->row_offsets, v->row_offsets, (N + 1) * 4) == 0,
          "rebuilding with the seed gives the same synapses");
    rw_network_free(again);
    f.e.seed = 8;
    again = fx_build(&f);
    w = rw_network_projection_view(again, pj);
    CHECK(w->n_syn != v->n_syn || memcmp(w->targets, v->targets, v->n_syn * 4) != 0,
          "another seed, other synapses");
    rw_network_free(again);

    /* Row i is keyed by i alone: recompute one row by its definition. */
    uint64_t key = rw_rng_key(7, rw_stream_id(RW_STREAM_CONNECT, pj));
    rw_rng_seq seq;
    rw_rng_seq_init(&seq, key, 123);
    uint32_t s = v->row_offsets[123];
    int same = 1;
    for (uint64_t j = rw_geometric(rw_rng_seq_uniform(&seq), log1p(-p)); j < N;
         j += 1 + rw_geometric(rw_rng_seq_uniform(&seq), log1p(-p)))
        same &= s < v->row_offsets[124] && v->targets[s++] == j;
    CHECK(same && s == v->row_offsets[124], "row 123 is the geometric walk of its own key");
    free(in);
    free(out);
    rw_network_free(net);

    fx_init(&f, DT, 7);
    src = fx_poisson(&f, "src", 100, 0.0);
    dst = fx_lif(&f, "dst", RW_MODEL_LIF_CUBA, 100);
    uint32_t none = fx_proj(&f, "none", src, dst, RW_CONNECT_FIXED_PROBABILITY, 1, DT);
    uint32_t all = fx_proj(&f, "all", dst, dst, RW_CONNECT_FIXED_PROBABILITY, 1, DT);
    f.projs[none].p = 0.0;
    f.projs[all].p = 1.0;
    net = fx_build(&f);
    CHECK(net && rw_network_projection_synapses(net, none) == 0, "p = 0: no synapse");
    CHECK(net && rw_network_projection_synapses(net, all) == 100 * 99 &&
              !has_autapse(rw_network_projection_view(net, all)),
          "p = 1: every pair but autapses");
    rw_network_free(net);
}

static void fixed_indegree(void) {
    const uint32_t NPRE = 100, NPOST = 500, K = 20;
    fx f;
    fx_init(&f, DT, 3);
    uint32_t src = fx_poisson(&f, "src", NPRE, 0.0);
    uint32_t dst = fx_lif(&f, "dst", RW_MODEL_LIF_CUBA, NPOST);
    uint32_t pj = fx_proj(&f, "fi", src, dst, RW_CONNECT_FIXED_INDEGREE, 1, DT);
    f.projs[pj].indegree = K;
    uint32_t self = fx_proj(&f, "self", dst, dst, RW_CONNECT_FIXED_INDEGREE, 1, DT);
    f.projs[self].indegree = 499; /* every other neuron: the limit without autapses */
    rw_network *net = fx_build(&f);
    CHECK(net != NULL, "fixed_indegree builds");
    if (!net) return;
    const rewire_projection_view *v = rw_network_projection_view(net, pj);
    uint32_t *in = malloc(NPOST * sizeof *in), *out = malloc(NPOST * sizeof *out);
    in_out_degrees(v, in, out);
    int exact = v->n_syn == NPOST * K;
    for (uint32_t j = 0; j < NPOST; j++) exact &= in[j] == K;
    CHECK(exact, "every post neuron has exactly k = %u sources", K);
    CHECK(rows_sorted(v, 1), "no source twice without multapses (rows strictly sorted)");
    /* Each source is picked by each post with probability k / NPRE. */
    double e = (double)NPOST * K / NPRE, chi2 = 0;
    for (uint32_t i = 0; i < NPRE; i++) chi2 += (out[i] - e) * (out[i] - e) / e;
    double df = NPRE - 1;
    CHECK(chi2 < df + 5 * sqrt(2 * df), "sources are chosen uniformly: chi2 = %.1f", chi2);

    const rewire_projection_view *r = rw_network_projection_view(net, self);
    in_out_degrees(r, in, out);
    exact = r->n_syn == 499u * NPOST && !has_autapse(r);
    for (uint32_t j = 0; j < NPOST; j++) exact &= in[j] == 499;
    CHECK(exact, "k = n - 1 onto itself: everything but autapses");
    free(in);
    free(out);
    rw_network_free(net);

    /* Multapses: 30 draws from 10 sources must repeat; weights of the copies differ
     * (each copy k has its own key). */
    fx_init(&f, DT, 3);
    src = fx_poisson(&f, "src", 10, 0.0);
    dst = fx_lif(&f, "dst", RW_MODEL_LIF_CUBA, 50);
    pj = fx_proj(&f, "multi", src, dst, RW_CONNECT_FIXED_INDEGREE, 1, DT);
    f.projs[pj].indegree = 30;
    f.projs[pj].multapses = true;
    f.projs[pj].weight = fx_uniform(0.0, 1.0);
    net = fx_build(&f);
    v = rw_network_projection_view(net, pj);
    uint32_t in2[50];
    uint32_t out2[10];
    in_out_degrees(v, in2, out2);
    int k_ok = v->n_syn == 1500, dups = 0, copies_differ = 1, keyed = 1;
    for (uint32_t j = 0; j < 50; j++) k_ok &= in2[j] == 30;
    uint64_t wkey = rw_rng_key(3, rw_stream_id(RW_STREAM_WEIGHT, pj));
    for (uint32_t i = 0; i < 10; i++) {
        uint32_t k = 0;
        for (uint32_t s = v->row_offsets[i]; s < v->row_offsets[i + 1]; s++) {
            int dup = s > v->row_offsets[i] && v->targets[s] == v->targets[s - 1];
            k = dup ? k + 1 : 0;
            dups += dup;
            if (dup) copies_differ &= v->weights[s] != v->weights[s - 1];
            float expect = (float)expected_draw(&f.projs[pj].weight, wkey,
                                                    ((uint64_t)i << 32) | v->targets[s], k);
            keyed &= v->weights[s] == expect;
        }
    }
    CHECK(k_ok, "multapses: still exactly k per post neuron");
    CHECK(dups > 100 && rows_sorted(v, 0), "multapses repeat sources (%d copies)", dups);
    CHECK(copies_differ, "copies of a pair get their own weights");
    CHECK(keyed, "weight of copy k of (i, j) is the draw keyed (i << 32 | j, k)");
    rw_network_free(net);

    /* Too many distinct sources asked for: refused, naming the projection. */
    fx_init(&f, DT, 3);
    src = fx_poisson(&f, "src", 10, 0.0);
    dst = fx_lif(&f, "dst", RW_MODEL_LIF_CUBA, 5);
    pj = fx_proj(&f, "greedy", src, dst, RW_CONNECT_FIXED_INDEGREE, 1, DT);
    f.projs[pj].indegree = 11;
    CHECK(fx_build_errors(&f) == 1, "k above the number of sources is an error");
    f.projs[pj].multapses = true;
    CHECK(fx_build_errors(&f) == 0, "... unless multapses are allowed");
}

static void weight_distributions(void) {
    fx f;
    fx_init(&f, DT, 11);
    uint32_t src = fx_poisson(&f, "src", 400, 0.0);
    uint32_t dst = fx_lif(&f, "dst", RW_MODEL_LIF_COBA, 500);
    uint32_t pu = fx_proj(&f, "uni", src, dst, RW_CONNECT_ALL_TO_ALL, 0, DT);
    f.projs[pu].weight = fx_uniform(1.0, 3.0);
    uint32_t pn = fx_proj(&f, "norm", src, dst, RW_CONNECT_ALL_TO_ALL, 0, DT);
    f.projs[pn].weight = fx_normal(1.0, 0.2);
    uint32_t pc = fx_proj(&f, "clip", src, dst, RW_CONNECT_ALL_TO_ALL, 0, DT);
    f.projs[pc].weight = fx_normal(0.1, 1.0);
    f.projs[pc].weight.lo = 0.0;
    uint32_t pd = fx_proj(&f, "delays", src, dst, RW_CONNECT_FIXED_PROBABILITY, 0.5, DT);
    f.projs[pd].p = 0.05;
    f.projs[pd].delay = fx_uniform(0.1, 2.0);
    f.projs[pd].delay.lo = DT;
    rw_network *net = fx_build(&f);
    CHECK(net != NULL, "weight distributions build");
    if (!net) return;
    const rewire_projection_view *u = rw_network_projection_view(net, pu);
    double n = u->n_syn, m = 0, q = 0, lo = INFINITY, hi = -INFINITY;
    for (uint32_t s = 0; s < u->n_syn; s++) {
        m += u->weights[s];
        lo = fmin(lo, u->weights[s]);
        hi = fmax(hi, u->weights[s]);
    }
    m /= n;
    for (uint32_t s = 0; s < u->n_syn; s++) q += (u->weights[s] - m) * (u->weights[s] - m);
    q /= n - 1;
    CHECK_NEAR(m, 2.0, 5 * sqrt(1.0 / 3.0 / n), "uniform weights: mean (a+b)/2");
    CHECK_NEAR(q, 1.0 / 3.0, 5 * sqrt(4.0 / 45.0 / n), "uniform weights: variance (b-a)^2/12");
    CHECK(lo >= 1.0 && hi <= 3.0 && lo < 1.001 && hi > 2.999, "uniform weights span [1, 3)");
    CHECK_NEAR(rw_network_projection_mean_weight(net, pu), m, 1e-9, "statistics: mean weight");

    const rewire_projection_view *g = rw_network_projection_view(net, pn);
    m = q = 0;
    for (uint32_t s = 0; s < g->n_syn; s++) m += g->weights[s];
    m /= n;
    for (uint32_t s = 0; s < g->n_syn; s++) q += (g->weights[s] - m) * (g->weights[s] - m);
    q /= n - 1;
    CHECK_NEAR(m, 1.0, 5 * 0.2 / sqrt(n), "normal weights: mean");
    CHECK_NEAR(sqrt(q), 0.2, 5 * 0.2 / sqrt(2 * n), "normal weights: sd");

    const rewire_projection_view *c = rw_network_projection_view(net, pc);
    size_t zeros = 0;
    int nonneg = 1;
    for (uint32_t s = 0; s < c->n_syn; s++) {
        nonneg &= c->weights[s] >= 0.0f;
        zeros += c->weights[s] == 0.0f;
    }
    double p0 = 0.5 * erfc(0.1 / sqrt(2.0)); /* P(N(0.1, 1) < 0) */
    CHECK(nonneg, "clipped normal weights are >= 0");
    CHECK_NEAR(zeros / n, p0, 5 * sqrt(p0 * (1 - p0) / n),
               "the clipped mass sits at 0 (fraction %.4f)", zeros / n);

    /* Every weight and delay is its own keyed draw: order of generation is irrelevant. */
    uint64_t wk = rw_rng_key(11, rw_stream_id(RW_STREAM_WEIGHT, pn));
    uint64_t dk = rw_rng_key(11, rw_stream_id(RW_STREAM_DELAY, pd));
    int keyed = 1;
    for (uint32_t i = 0; i < g->n_pre; i++)
        for (uint32_t s = g->row_offsets[i]; s < g->row_offsets[i + 1]; s++)
            keyed &= g->weights[s] == (float)expected_draw(&f.projs[pn].weight, wk,
                                                               ((uint64_t)i << 32) | g->targets[s], 0);
    CHECK(keyed, "normal weights are the draws keyed by (pre, post)");
    const rewire_projection_view *d = rw_network_projection_view(net, pd);
    int dkeyed = 1, in_range = 1;
    size_t hist[21] = {0};
    for (uint32_t i = 0; i < d->n_pre; i++)
        for (uint32_t s = d->row_offsets[i]; s < d->row_offsets[i + 1]; s++) {
            double ms = expected_draw(&f.projs[pd].delay, dk, ((uint64_t)i << 32) | d->targets[s], 0);
            dkeyed &= d->delays[s] == (uint16_t)nearbyint(ms / DT);
            in_range &= d->delays[s] >= 1 && d->delays[s] <= 20;
            if (d->delays[s] <= 20) hist[d->delays[s]]++;
        }
    CHECK(dkeyed, "delays are keyed draws rounded to steps");
    CHECK(in_range, "uniform delays in [0.1, 2) ms lie in 1..20 steps");
    /* Rounding: steps 2..19 collect 1 ms / 19 ms each of the range, 1 and 20 half. */
    double per = d->n_syn / 19.0, chi2 = 0;
    for (int k = 2; k <= 19; k++) chi2 += (hist[k] - per) * (hist[k] - per) / per;
    CHECK(chi2 < 17 + 5 * sqrt(34.0), "rounded delays are uniform over the steps: chi2 = %.1f", chi2);
    CHECK_NEAR(hist[1], per / 2, 5 * sqrt(per / 2), "the first step collects half a step");
    rw_network_free(net);

    /* A delay below dt still takes one step. */
    fx_init(&f, DT, 1);
    src = fx_poisson(&f, "src", 3, 0.0);
    dst = fx_lif(&f, "dst", RW_MODEL_LIF_CUBA, 3);
    pd = fx_proj(&f, "short", src, dst, RW_CONNECT_ALL_TO_ALL, 1, 0.02);
    f.projs[pd].delay.lo = 0.0;
    net = fx_build(&f);
    CHECK(net && rw_network_projection_view(net, pd)->delays[0] == 1 &&
              rw_network_min_delay(net) == 1,
          "delays shorter than dt round up to one step");
    rw_network_free(net);
}

/* A rule that only asks for the post index and per-synapse state. */
static const rewire_learning_rule_v1 index_rule = {
    .struct_size = sizeof index_rule,
    .flags = REWIRE_RULE_NEEDS_POST_INDEX,
    .n_syn_state = 3,
};

static void post_index(void) {
    fx f;
    fx_init(&f, DT, 5);
    uint32_t a = fx_lif(&f, "a", RW_MODEL_LIF_CUBA, 300);
    uint32_t pj = fx_proj(&f, "rec", a, a, RW_CONNECT_FIXED_PROBABILITY, 1, DT);
    f.projs[pj].p = 0.05;
    rw_network *net = fx_build(&f);
    int dummy;
    CHECK(rw_network_attach_rule(net, pj, &index_rule, &dummy) == 0, "attach a rule");
    const rewire_projection_view *v = rw_network_projection_view(net, pj);
    int ok = v->col_offsets && v->col_synapses && v->col_offsets[300] == v->n_syn;
    for (uint32_t j = 0; ok && j < 300; j++)
        for (uint32_t c = v->col_offsets[j]; c < v->col_offsets[j + 1]; c++) {
            ok &= v->targets[v->col_synapses[c]] == j;
            if (c > v->col_offsets[j]) ok &= v->col_synapses[c] > v->col_synapses[c - 1];
        }
    CHECK(ok, "post index lists each neuron's synapses, in synapse order");
    int zero = v->n_syn_state == 3 && v->syn_state;
    for (uint32_t k = 0; zero && k < 3; k++)
        for (uint32_t s = 0; s < v->n_syn; s++) zero &= v->syn_state[k][s] == 0.0f;
    CHECK(zero, "three zeroed per-synapse state arrays");
    CHECK(rw_network_attach_rule(net, pj, &index_rule, &dummy) == REWIRE_ESTATE,
          "a second rule on one projection is refused");
    rw_network_free(net);
}

int main(void) {
    deterministic_rules();
    fixed_probability();
    fixed_indegree();
    weight_distributions();
    post_index();
    return tap_done();
}
