/* enrichment: a new pattern every `interval` (the same one in between), bumps with peaks
 * in [rate_min, rate_max] centred on the channel, patterns independent of the slicing and
 * different in each window, everything taken back exactly at the end. */
#include <math.h>

#include "iv_harness.h"

#define START 300
#define INTERVAL 200 /* steps: 20 ms */
#define N 40

static iv_params params(const rewire_selection *ch) {
    iv_params p = iv_defaults();
    iv_select(&p, "channel", ch);
    iv_real(&p, "rate_min", 10.0);
    iv_real(&p, "rate_max", 30.0);
    iv_real(&p, "interval", INTERVAL * 0.1);
    iv_int(&p, "bumps", 2);
    iv_real(&p, "width_min", 0.05);
    iv_real(&p, "width_max", 0.1);
    return p;
}

/* One window of 6 patterns sliced by `slice`: the drive at the first step of each
 * pattern and just before its end, into first[6][N], last[6][N]. */
static void run(int64_t start, int64_t slice, double first[6][N], double last[6][N], iv_pop *out_ref) {
    iv_host f;
    iv_host_init(&f);
    iv_pop *in = iv_add_pop(&f, "in", "poisson", N, 3.0);
    iv_scramble(in);
    const iv_pop ref = *in;
    iv_sel s;
    iv_params p = params(iv_range(&s, in, 0, N));
    void *inst = iv_create(&f, &p);
    iv_begin(&f, inst, start);
    for (int pat = 0; pat < 6; pat++) {
        const int64_t a = start + pat * INTERVAL;
        for (int k = 0; k < N; k++) first[pat][k] = in->drive[k] - ref.drive[k];
        /* up to one slice before the pattern's end, then exactly to it */
        int64_t e = a;
        while (e + slice < a + INTERVAL) {
            iv_run(&f, inst, e, e + slice, slice);
            e += slice;
        }
        for (int k = 0; k < N; k++) last[pat][k] = in->drive[k] - ref.drive[k];
        iv_run(&f, inst, e, a + INTERVAL, a + INTERVAL - e);
    }
    iv_end(&f, inst, start + 6 * INTERVAL);
    CHECK(iv_same_sources(in, &ref), "window at %lld sliced by %lld: drives and gains as before, bit for bit",
          (long long)start, (long long)slice);
    if (out_ref) *out_ref = ref;
    iv_fn()->destroy(inst);
}

int main(void) {
    static double f1[6][N], l1[6][N], f2[6][N], l2[6][N], f3[6][N], l3[6][N];
    run(START, 10, f1, l1, NULL);
    run(START, 17, f2, l2, NULL);
    run(START + 5000, 10, f3, l3, NULL);

    int held = 0, in_range = 0, peak_ok = 0, changed = 0;
    for (int pat = 0; pat < 6; pat++) {
        double mx = 0;
        bool ok = true;
        for (int k = 0; k < N; k++) {
            ok &= f1[pat][k] >= 0 && f1[pat][k] <= 30.0 + 1e-6;
            mx = fmax(mx, f1[pat][k]);
        }
        in_range += ok;
        peak_ok += mx >= 10.0 - 1e-6 && mx <= 30.0 + 1e-6;
        held += memcmp(f1[pat], l1[pat], sizeof f1[pat]) == 0;
        if (pat > 0) changed += memcmp(f1[pat], f1[pat - 1], sizeof f1[pat]) != 0;
    }
    CHECK(in_range == 6, "every neuron's drive lies in [0, rate_max] (%d of 6 patterns)", in_range);
    CHECK(peak_ok == 6, "each pattern peaks in [rate_min, rate_max] on a neuron of the channel (%d of 6)", peak_ok);
    CHECK(held == 6, "a pattern holds for its whole interval (%d of 6)", held);
    CHECK(changed == 5, "every interval brings a new pattern (%d of 5 changes)", changed);
    CHECK(memcmp(f1, f2, sizeof f1) == 0 && memcmp(l1, l2, sizeof l1) == 0,
          "slices of 10 and of 17 steps show the same patterns");
    CHECK(memcmp(f1, f3, sizeof f1) != 0, "a window opening at another step shows other patterns");

    iv_host f;
    iv_host_init(&f);
    iv_pop *in = iv_add_pop(&f, "in", "poisson", N, 3.0);
    iv_sel s;
    iv_params p = params(iv_range(&s, in, 0, N));
    iv_real(&p, "rate_min", 40.0);
    void *inst = NULL;
    CHECK(iv_fn()->create(&f.host, p.v, &inst) == REWIRE_EINVAL && strstr(f.error, "rate_min"),
          "rate_min above rate_max is refused: %s", f.error);
    p = params(iv_range(&s, in, 0, N));
    iv_real(&p, "width_min", 0.3);
    CHECK(iv_fn()->create(&f.host, p.v, &inst) == REWIRE_EINVAL && strstr(f.error, "width_min"),
          "width_min above width_max is refused: %s", f.error);
    return tap_done();
}
