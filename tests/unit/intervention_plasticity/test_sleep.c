/* sleep, driven through its function table on hand-made sources and projections:
 *  - downscaling: at the end each post neuron above its target (downscale_target x its
 *    total input at sleep onset) has total == target and its weight ratios kept; one at or
 *    below target is untouched; with the post index, row by row, and on a structural
 *    projection (room in the rows left untouched);
 *  - gradual downscaling: log(total / target) decays by exp(-D / tau) over D, whatever
 *    the slicing;
 *  - inputs: their input_gain is 0 while asleep and exactly the old values after;
 *  - replay: drive during bursts = replay_rate x recent count / largest recent count,
 *    none between bursts, recent = since the previous sleep ended, removed exactly;
 *  - sleep_plasticity: a factor on plasticity_gain, removed exactly; and the errors.
 *
 * usage: test_sleep SLEEP.so */
#include "harness.h"

enum { N_PRE = 4, N_POST = 3, N_SRC = 5 };

static test_proj proj;
static const char *const proj_names[] = {"p"};
static const rewire_name_list list_p = {1, proj_names};

/* A Poisson source population of N_SRC with its own arrays. */
static float gain[N_SRC];
static double drive[N_SRC], rate[N_SRC];
static uint64_t counts[N_SRC];
static uint8_t alive[N_SRC];

static void add_sources(bool spiking) {
    for (int i = 0; i < N_SRC; i++) {
        gain[i] = 1.0f;
        drive[i] = 0.0;
        rate[i] = 10.0;
        counts[i] = 0;
        alive[i] = 1;
    }
    th_add_population((rewire_population_view){
        .struct_size = sizeof(rewire_population_view), .name = "eye",
        .model = spiking ? "poisson" : "rate_input", .size = N_SRC, .rate = rate,
        .input_gain = gain, .drive = drive, .spike_counts = spiking ? counts : NULL,
        .alive = alive});
}

static void setup(bool post_index, bool room) {
    th_reset();
    test_proj_build(&proj, "p", N_PRE, N_POST, post_index, room);
    /* Distinct weights: w(i, j) = 1 + i + 0.5 j. */
    for (uint32_t s = 0; s < N_PRE * N_POST; s++)
        proj.weights[s] = 1.0f + (float)(s / N_POST) + 0.5f * (float)(s % N_POST);
    th_add_projection(&proj.view);
    add_sources(true);
}

static double total_onto(uint32_t j) {
    double sum = 0.0;
    for (uint32_t s = 0; s < N_PRE * N_POST; s++)
        if (s % N_POST == j && test_proj_used(&proj, s)) sum += proj.weights[s];
    return sum;
}

static params sleep_params(void) {
    params p = default_params();
    set_names(&p, "projections", &list_p);
    set_real(&p, "downscale_target", 0.8);
    return p;
}

/* One night with the given post index / structural layout: learning during the night
 * raises post 0 by 50 %, post 1 by 10 %, and lowers post 2 to 70 %. */
static void check_downscaling(bool post_index, bool room, const char *how) {
    setup(post_index, room);
    params p = sleep_params();
    void *s = create_or_null(&p);
    if (!s) {
        CHECK(0, "create (%s)", how);
        return;
    }
    double t0[N_POST];
    for (uint32_t j = 0; j < N_POST; j++) t0[j] = total_onto(j);
    const float room_weight = 123.0f;
    if (room)
        for (uint32_t s2 = 0; s2 < N_PRE * N_POST; s2++)
            if (!test_proj_used(&proj, s2)) proj.weights[s2] = room_weight;
    CHECK(fn->begin(s, 0) == REWIRE_OK, "begin (%s)", how);
    static const float learned[N_POST] = {1.5f, 1.1f, 0.7f};
    for (uint32_t s2 = 0; s2 < N_PRE * N_POST; s2++)
        if (test_proj_used(&proj, s2)) proj.weights[s2] *= learned[s2 % N_POST];
    /* Each synapse's weight before the end, to compare ratios. */
    float before[N_PRE * N_POST];
    memcpy(before, proj.weights, sizeof before);
    fn->on_slice(s, 0, 100);
    CHECK(memcmp(before, proj.weights, sizeof before) == 0,
          "without downscale_tau nothing is scaled before the end (%s)", how);
    CHECK(fn->end(s, 100) == REWIRE_OK, "end (%s)", how);
    for (uint32_t j = 0; j < 2; j++)
        CHECK_NEAR(total_onto(j), 0.8 * t0[j], 1e-6 * t0[j],
                   "post %u: total input brought to 0.8 x its total at onset (%s)", j, how);
    bool ratios = true, below_untouched = true, room_untouched = true;
    for (uint32_t a = 0; a < N_PRE * N_POST; a++) {
        if (!test_proj_used(&proj, a)) {
            if (proj.weights[a] != room_weight) room_untouched = false;
            continue;
        }
        if (a % N_POST == 2 && proj.weights[a] != before[a]) below_untouched = false;
        for (uint32_t b = 0; b < N_PRE * N_POST; b++)
            if (b % N_POST == a % N_POST && test_proj_used(&proj, b) &&
                fabs((double)proj.weights[a] / proj.weights[b] - (double)before[a] / before[b]) >
                    1e-6 * (double)before[a] / before[b])
                ratios = false;
    }
    CHECK(ratios, "the ratios of each neuron's input weights are kept (%s)", how);
    CHECK(below_untouched, "a neuron below its target is not scaled up (%s)", how);
    if (room) CHECK(room_untouched, "free room in the rows is not touched (%s)", how);
    fn->destroy(s);
}

static void test_downscaling(void) {
    check_downscaling(true, false, "post index");
    check_downscaling(false, false, "row by row");
    check_downscaling(false, true, "structural rows");
    check_downscaling(true, true, "structural rows with post index");
}

/* downscale_tau: after D, log(C/target) = log(C0/target) exp(-D/tau). */
static void test_gradual(void) {
    const double tau = 50.0;
    double total_one = 0, total_cut = 0;
    for (int variant = 0; variant < 2; variant++) {
        setup(true, false);
        params p = sleep_params();
        set_real(&p, "downscale_tau", tau);
        void *s = create_or_null(&p);
        if (!s) {
            CHECK(0, "create with downscale_tau");
            return;
        }
        const double t0 = total_onto(0);
        fn->begin(s, 0);
        for (uint32_t a = 0; a < N_PRE * N_POST; a++) proj.weights[a] *= 2.0f; /* a day's LTP */
        if (variant == 0) {
            fn->on_slice(s, 0, 400); /* 40 ms in one slice */
            total_one = total_onto(0);
        } else {
            fn->on_slice(s, 0, 3);
            fn->on_slice(s, 3, 250);
            fn->on_slice(s, 250, 400);
            total_cut = total_onto(0);
        }
        const double target = 0.8 * t0;
        const double want = target * exp(log(2.0 * t0 / target) * exp(-40.0 / tau));
        if (variant == 0)
            CHECK_NEAR(total_one, want, 1e-5 * want,
                       "after 40 ms the log distance to the target fell by exp(-40/50)");
        fn->end(s, 400);
        CHECK(total_onto(0) > target * 1.05, "no jump to the target at the end with a tau");
        fn->destroy(s);
    }
    CHECK_NEAR(total_cut, total_one, 1e-5 * total_one, "three slices give what one gives");
}

static void test_inputs(void) {
    setup(true, false);
    static const uint32_t idx[] = {1, 3};
    const rewire_selection sel = {"hand", "eye", N_SRC, 2, idx};
    gain[1] = 0.25f, gain[3] = 3.0f, gain[4] = 0.5f;
    params p = default_params();
    set_selection(&p, "inputs", &sel);
    void *s = create_or_null(&p);
    if (!s) {
        CHECK(0, "create with inputs");
        return;
    }
    fn->begin(s, 0);
    CHECK(gain[1] == 0.0f && gain[3] == 0.0f, "selected inputs silenced (input_gain 0)");
    CHECK(gain[0] == 1.0f && gain[2] == 1.0f && gain[4] == 0.5f, "the others untouched");
    fn->on_slice(s, 0, 10);
    fn->end(s, 10);
    CHECK(gain[1] == 0.25f && gain[3] == 3.0f && gain[0] == 1.0f && gain[4] == 0.5f,
          "input gains restored exactly");
    CHECK(proj.view.plasticity_gain == 1.0f, "no projections: plasticity untouched");
    fn->destroy(s);
}

static void test_replay(void) {
    setup(true, false);
    static const uint32_t idx[] = {0, 1, 2, 3};
    const rewire_selection sel = {"", "eye", N_SRC, 4, idx};
    params p = default_params();
    set_selection(&p, "replay", &sel);
    set_selection(&p, "inputs", &sel); /* the same sources: senses off, replay only */
    set_real(&p, "replay_rate", 40.0);
    set_real(&p, "burst", 5.0);           /* 50 steps */
    set_real(&p, "burst_interval", 20.0); /* 200 steps */
    void *s = create_or_null(&p);
    if (!s) {
        CHECK(0, "create with replay");
        return;
    }
    counts[0] = 10, counts[1] = 0, counts[2] = 5, counts[3] = 20, counts[4] = 99;
    drive[2] = 3.0; /* another intervention's drive */
    fn->begin(s, 1000);
    CHECK(drive[0] == 20.0 && drive[1] == 0.0 && drive[2] == 3.0 + 10.0 && drive[3] == 40.0,
          "a burst at the opening: drive = 40 Hz x count / largest count (%g %g %g %g)",
          drive[0], drive[1], drive[2], drive[3]);
    CHECK(drive[4] == 0.0, "a source outside the selection gets none");
    CHECK(gain[0] == 0.0f, "and the senses are off");
    fn->on_slice(s, 1000, 1049);
    CHECK(drive[3] == 40.0, "still in the burst at step 1049");
    fn->on_slice(s, 1049, 1050);
    CHECK(drive[0] == 0.0 && drive[2] == 3.0 && drive[3] == 0.0,
          "no drive between bursts (step 1050), the other's drive kept exactly");
    fn->on_slice(s, 1050, 1200);
    CHECK(drive[3] == 40.0, "the next burst starts at step 1200 (burst_interval 20 ms)");
    fn->on_slice(s, 1200, 1230);
    counts[0] += 7; /* spikes during the night are not "recent" for the next one */
    fn->end(s, 1230);
    CHECK(drive[0] == 0.0 && drive[1] == 0.0 && drive[2] == 3.0 && drive[3] == 0.0,
          "the drive removed exactly at the end (inside a burst)");
    CHECK(gain[0] == 1.0f, "the senses back on");
    /* A day later: only what happened since this sleep counts. */
    counts[1] += 4, counts[2] += 2, counts[3] += 1;
    fn->begin(s, 5000);
    CHECK(drive[0] == 0.0 && drive[1] == 40.0 && drive[2] == 3.0 + 20.0 && drive[3] == 10.0,
          "the second night replays the counts since the first ended (%g %g %g %g)",
          drive[0], drive[1], drive[2], drive[3]);
    fn->end(s, 5100);
    CHECK(drive[1] == 0.0 && drive[2] == 3.0, "removed again");
    fn->destroy(s);
}

static void test_sleep_plasticity(void) {
    setup(true, false);
    proj.view.plasticity_gain = 1.5f;
    params p = sleep_params();
    set_real(&p, "sleep_plasticity", 0.1);
    void *s = create_or_null(&p);
    if (!s) {
        CHECK(0, "create");
        return;
    }
    fn->begin(s, 0);
    CHECK(proj.view.plasticity_gain == (float)((double)1.5f * 0.1), "plasticity x 0.1 asleep");
    fn->end(s, 10);
    CHECK(proj.view.plasticity_gain == 1.5f, "restored exactly awake");
    fn->destroy(s);
}

static void test_errors(void) {
    setup(true, false);
    params p = default_params();
    set_real(&p, "burst", 50.0);
    set_real(&p, "burst_interval", 20.0);
    void *s = NULL;
    CHECK(fn->create(&th.host, p.v, &s) == REWIRE_EINVAL && strstr(th.error, "burst_interval"),
          "a burst longer than its interval is refused: %s", th.error);

    /* inputs on a population that is no source */
    th.pops[0].input_gain = NULL;
    th.pops[0].drive = NULL;
    th.pops[0].model = "lif_cuba";
    static const uint32_t idx[] = {0};
    const rewire_selection sel = {"", "eye", N_SRC, 1, idx};
    p = default_params();
    set_selection(&p, "inputs", &sel);
    s = create_or_null(&p);
    CHECK(s && fn->begin(s, 0) == REWIRE_EINVAL && strstr(th.error, "not an input source"),
          "inputs must be sources: %s", th.error);
    if (s) fn->destroy(s);

    /* replay on a rate_input population: no spike counts */
    th_reset();
    test_proj_build(&proj, "p", N_PRE, N_POST, true, false);
    th_add_projection(&proj.view);
    add_sources(false);
    p = default_params();
    set_selection(&p, "replay", &sel);
    s = create_or_null(&p);
    CHECK(s && fn->begin(s, 0) == REWIRE_EINVAL && strstr(th.error, "counts no spikes"),
          "replay needs spike counts: %s", th.error);
    CHECK(drive[0] == 0.0, "a failed opening changes nothing");
    if (s) fn->destroy(s);

    /* nothing given: a sleep that does nothing is allowed */
    p = default_params();
    s = create_or_null(&p);
    CHECK(s && fn->begin(s, 0) == REWIRE_OK && fn->on_slice(s, 0, 5) == REWIRE_OK &&
              fn->end(s, 5) == REWIRE_OK,
          "a sleep with no parts opens and closes");
    if (s) fn->destroy(s);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        printf("Bail out! usage: %s SLEEP.so\n", argv[0]);
        return 1;
    }
    th_load(argv[1]);
    test_downscaling();
    test_gradual();
    test_inputs();
    test_replay();
    test_sleep_plasticity();
    test_errors();
    return tap_done();
}
