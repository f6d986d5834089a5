/* @NAME@ applied to a population of 1000 neurons through a fake host: about `fraction`
 * of them are hit, hit neurons get excitability `factor`, the others keep 1; an unknown
 * population is refused with a message. */
#include "fake_host.h"

#define N 1000

int main(void) {
    fake_host fake;
    fake_host_init(&fake);
    const rewire_plugin_descriptor *d = plugin_descriptor();
    const rewire_injury_v1 *injury = d->functions;
    CHECK(d->kind == REWIRE_KIND_INJURY, "the plugin is an injury");

    static float excitability[N];
    for (int i = 0; i < N; i++) excitability[i] = 1.0f;
    fake.population = (rewire_population_view){.struct_size = sizeof fake.population,
                                               .name = "cortex", .model = "lif_cuba", .size = N,
                                               .excitability = excitability};

    rewire_param_value params[64];
    default_params(params);
    set_param(params, "population", (rewire_param_value){.string = "cortex"});
    set_param(params, "fraction", (rewire_param_value){.real = 0.3});
    set_param(params, "factor", (rewire_param_value){.real = 0.25});
    void *inst = NULL;
    CHECK(injury->create(&fake.host, params, &inst) == REWIRE_OK, "create");
    CHECK(injury->apply(inst, 500) == REWIRE_OK, "apply");
    int hit = 0, other = 0;
    for (int i = 0; i < N; i++) {
        if (excitability[i] == 0.25f) hit++;
        else if (excitability[i] != 1.0f) other++;
    }
    /* Binomial(1000, 0.3): sd 14.5; 250..350 is more than 3 sd either side. */
    printf("# %d of %d neurons hit\n", hit, N);
    CHECK(hit > 250 && hit < 350, "about 30% of the neurons are hit");
    CHECK(other == 0, "every other neuron keeps excitability 1");
    injury->destroy(inst);

    set_param(params, "population", (rewire_param_value){.string = "nowhere"});
    CHECK(injury->create(&fake.host, params, &inst) == REWIRE_OK, "create for a missing population");
    CHECK(injury->apply(inst, 0) == REWIRE_ENOENT && strstr(fake.error, "nowhere"),
          "apply to a missing population fails, naming it");
    injury->destroy(inst);
    return failures != 0;
}
