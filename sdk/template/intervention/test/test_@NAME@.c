/* @NAME@ through a fake host: a window sets the projection's plasticity_gain to `gain`,
 * a live change of `gain` applies at once, closing the window restores the old gain,
 * and an unknown projection is refused with a message. */
#include "fake_host.h"

int main(void) {
    fake_host fake;
    fake_host_init(&fake);
    const rewire_plugin_descriptor *d = plugin_descriptor();
    const rewire_intervention_v1 *iv = d->functions;
    CHECK(d->kind == REWIRE_KIND_INTERVENTION, "the plugin is an intervention");
    fake.projection.name = "ff";
    fake.projection.plasticity_gain = 0.75f;

    rewire_param_value params[64];
    default_params(params);
    set_param(params, "projection", (rewire_param_value){.string = "ff"});
    set_param(params, "gain", (rewire_param_value){.real = 3});
    void *inst = NULL;
    CHECK(iv->create(&fake.host, params, &inst) == REWIRE_OK, "create");
    CHECK(fake.projection.plasticity_gain == 0.75f, "nothing changes before a window opens");
    CHECK(iv->begin(inst, 100) == REWIRE_OK, "begin");
    CHECK(fake.projection.plasticity_gain == 3.0f, "an open window sets the gain");
    uint32_t gain_index = 0;
    while (gain_index < d->n_params && strcmp(d->params[gain_index].name, "gain") != 0) gain_index++;
    CHECK(iv->set_param(inst, gain_index, (rewire_param_value){.real = 0.5}) == REWIRE_OK,
          "set_param gain");
    CHECK(fake.projection.plasticity_gain == 0.5f, "a live change applies while open");
    CHECK(iv->end(inst, 200) == REWIRE_OK, "end");
    CHECK(fake.projection.plasticity_gain == 0.75f, "closing the window restores the gain");
    iv->destroy(inst);

    set_param(params, "projection", (rewire_param_value){.string = "nowhere"});
    CHECK(iv->create(&fake.host, params, &inst) == REWIRE_OK, "create for a missing projection");
    CHECK(iv->begin(inst, 0) == REWIRE_ENOENT && strstr(fake.error, "nowhere"),
          "begin on a missing projection fails, naming it");
    iv->destroy(inst);
    return failures != 0;
}
