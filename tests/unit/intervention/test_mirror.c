/* mirror: the k-th target source gets gain * (the k-th source neuron's output rate) as
 * drive after every slice -- max(0, rate * input_gain + drive) for input sources, the
 * rate of rate units, spikes per second over the slice for spiking neurons -- and loses
 * it exactly at the window's end, also when another intervention changed the target's
 * drive meanwhile. */
#include <math.h>

#include "iv_harness.h"

static iv_params params(const rewire_selection *src, const rewire_selection *tgt, double gain) {
    iv_params p = iv_defaults();
    iv_select(&p, "source", src);
    iv_select(&p, "target", tgt);
    iv_real(&p, "gain", gain);
    return p;
}

/* The output rate of input source i, as network.h defines it. */
static double output(const iv_pop *p, uint32_t i) {
    const double r = p->rate[i] * p->input_gain[i] + p->drive[i];
    return r > 0 && p->alive[i] ? r : 0;
}

static void test_poisson_source(void) {
    iv_host f;
    iv_host_init(&f);
    iv_pop *intact = iv_add_pop(&f, "intact", "poisson", 20, 0.0);
    iv_pop *affected = iv_add_pop(&f, "affected", "poisson", 30, 4.0);
    for (uint32_t i = 0; i < 20; i++) {
        intact->rate[i] = 2.0 * i;
        intact->input_gain[i] = i % 3 ? 1.0f : 0.5f;
        intact->drive[i] = i == 4 ? -20.0 : 1.5; /* neuron 4's output is max(0, 8 - 20) = 0 */
    }
    intact->alive[9] = 0; /* a dead source sends nothing */
    iv_scramble(affected);
    const iv_pop ref = *affected;
    iv_sel ss, st;
    /* source neurons 2..9 drive target neurons 20..27, in order */
    iv_params p = params(iv_range(&ss, intact, 2, 10), iv_range(&st, affected, 20, 28), 0.75);
    void *inst = iv_create(&f, &p);
    CHECK(iv_begin(&f, inst, 100) == REWIRE_OK, "begin");
    int wrong = 0;
    for (uint32_t k = 0; k < 8; k++)
        if (fabs(affected->drive[20 + k] - (ref.drive[20 + k] + 0.75 * output(intact, 2 + k))) > 1e-6)
            wrong++;
    CHECK(wrong == 0, "at the window's start target k has 0.75 x source k's output rate as drive");
    CHECK(affected->drive[22] == ref.drive[22], "source neuron 4, driven below 0, mirrors as 0 Hz");
    CHECK(affected->drive[27] == ref.drive[27], "dead source neuron 9 mirrors as 0 Hz");
    int others = 0;
    for (uint32_t i = 0; i < 30; i++) others += (i < 20 || i >= 28) && affected->drive[i] != ref.drive[i];
    CHECK(others == 0, "target neurons outside the selection keep their drive");

    /* The intact side is practised: its drive rises; the mirror follows after the slice. */
    for (uint32_t i = 0; i < 20; i++) intact->drive[i] += 40.0;
    iv_run(&f, inst, 100, 110, 10);
    wrong = 0;
    for (uint32_t k = 0; k < 8; k++)
        if (fabs(affected->drive[20 + k] - (ref.drive[20 + k] + 0.75 * output(intact, 2 + k))) > 1e-6)
            wrong++;
    CHECK(wrong == 0, "after a slice the target follows the source's new output");

    /* Another intervention adds 3 Hz to the target mid-window, and takes it away after. */
    for (uint32_t i = 0; i < 30; i++) affected->drive[i] += 3.0;
    iv_run(&f, inst, 110, 150, 10);
    CHECK_NEAR(affected->drive[25], ref.drive[25] + 3.0 + 0.75 * output(intact, 7), 1e-6,
               "the other intervention's drive and the mirror's add up");
    CHECK(iv_end(&f, inst, 150) == REWIRE_OK, "end");
    for (uint32_t i = 0; i < 30; i++) affected->drive[i] -= 3.0;
    CHECK(iv_same_sources(affected, &ref), "after both the target is as before, bit for bit");
    iv_fn()->destroy(inst);
}

static void test_spiking_and_rate_sources(void) {
    iv_host f;
    iv_host_init(&f);
    iv_pop *lif = iv_add_pop(&f, "lif", "lif_cuba", 10, 0.0);
    iv_pop *units = iv_add_pop(&f, "units", "rate", 10, 0.0);
    iv_pop *tgt = iv_add_pop(&f, "tgt", "rate_input", 20, 1.0);
    iv_sel s1, s2, t1, t2;
    iv_params p1 = params(iv_range(&s1, lif, 0, 10), iv_range(&t1, tgt, 0, 10), 0.5);
    iv_params p2 = params(iv_range(&s2, units, 0, 10), iv_range(&t2, tgt, 10, 20), 2.0);
    void *a = iv_create(&f, &p1), *b = iv_create(&f, &p2);
    for (uint32_t i = 0; i < 10; i++) {
        lif->spike_counts[i] = 1000 + i; /* spikes before the window do not count */
        units->rate[i] = 3.0 * i;
    }
    iv_begin(&f, a, 0);
    iv_begin(&f, b, 0);
    CHECK(tgt->drive[5] == 0.0, "spiking source: no drive before the first slice");
    CHECK(tgt->drive[15] == 2.0 * 15.0, "rate source: 2 x its rate at once");
    for (uint32_t i = 0; i < 10; i++) lif->spike_counts[i] += i; /* neuron i: i spikes */
    iv_run(&f, a, 0, 100, 100);                                   /* in 100 steps = 10 ms */
    int wrong = 0;
    for (uint32_t i = 0; i < 10; i++) wrong += fabs(tgt->drive[i] - 0.5 * i / 0.010) > 1e-6;
    CHECK(wrong == 0, "spiking source: 0.5 x spikes / slice duration (neuron i: %g Hz)", tgt->drive[1]);
    iv_run(&f, a, 100, 200, 100); /* no spike in the next slice */
    CHECK(tgt->drive[7] == 0.0, "a slice without spikes drives nothing");
    iv_end(&f, a, 200);
    iv_end(&f, b, 200);
    wrong = 0;
    for (uint32_t i = 0; i < 20; i++) wrong += tgt->drive[i] != 0.0;
    CHECK(wrong == 0, "both windows over: no drive left");
    iv_fn()->destroy(a);
    iv_fn()->destroy(b);
}

static void test_errors(void) {
    iv_host f;
    iv_host_init(&f);
    iv_pop *a = iv_add_pop(&f, "a", "poisson", 20, 1.0), *b = iv_add_pop(&f, "b", "poisson", 20, 1.0);
    iv_sel s, t;
    iv_params p = params(iv_range(&s, a, 0, 10), iv_range(&t, b, 0, 12), 1.0);
    void *inst = NULL;
    CHECK(iv_fn()->create(&f.host, p.v, &inst) == REWIRE_EINVAL && strstr(f.error, "same size"),
          "10 source neurons for 12 targets are refused: %s", f.error);
    p = params(iv_range(&s, a, 0, 10), iv_range(&t, a, 5, 15), 1.0);
    CHECK(iv_fn()->create(&f.host, p.v, &inst) == REWIRE_EINVAL && strstr(f.error, "share"),
          "source and target sharing neurons are refused: %s", f.error);
    iv_pop *lif = iv_add_pop(&f, "lif", "lif_cuba", 10, 0.0);
    p = params(iv_range(&s, a, 0, 10), iv_range(&t, lif, 0, 10), 1.0);
    CHECK(iv_fn()->create(&f.host, p.v, &inst) == REWIRE_EINVAL && strstr(f.error, "input sources"),
          "a target of lif neurons is refused when created: %s", f.error);
    const rewire_param_spec *ps = iv_descriptor()->params;
    CHECK(ps[iv_param_index("target")].flags & REWIRE_PARAM_DRIVES, "target is declared DRIVES");
}

int main(void) {
    test_poisson_source();
    test_spiking_and_rate_sources();
    test_errors();
    return tap_done();
}
