/* @NAME@'s hooks on a projection of 2 x 2 synapses (all to all), with a fake host:
 * a presynaptic spike strengthens the synapse onto a neuron that has just fired and
 * weakens the one onto a silent neuron; plasticity_gain 0 freezes the weights. */
#include "fake_host.h"

int main(void) {
    fake_host fake;
    fake_host_init(&fake);
    const rewire_plugin_descriptor *d = plugin_descriptor();
    const rewire_learning_rule_v1 *rule = d->functions;
    CHECK(d->kind == REWIRE_KIND_LEARNING_RULE, "the plugin is a learning rule");

    /* Synapse s = 2 * pre + post; the post index lists the synapses onto each post. */
    const uint32_t row_offsets[] = {0, 2, 4}, targets[] = {0, 1, 0, 1};
    const uint32_t col_offsets[] = {0, 2, 4}, col_synapses[] = {0, 2, 1, 3};
    const uint16_t delays[] = {1, 1, 1, 1};
    float weights[] = {0.5f, 0.5f, 0.5f, 0.5f};
    rewire_projection_view *v = &fake.projection;
    *v = (rewire_projection_view){.struct_size = sizeof *v, .name = "ff", .n_pre = 2, .n_post = 2,
                                  .n_syn = 4, .row_offsets = row_offsets, .targets = targets,
                                  .weights = weights, .delays = delays, .col_offsets = col_offsets,
                                  .col_synapses = col_synapses, .dt = 0.1, .plasticity_gain = 1};

    rewire_param_value params[64];
    default_params(params);
    set_param(params, "w_max", (rewire_param_value){.real = 1.0});
    void *inst = NULL;
    CHECK(rule->create(&fake.host, params, v, &inst) == REWIRE_OK, "create");
    CHECK(rule->start(inst, v) == REWIRE_OK, "start");

    const uint32_t post0 = 0, pre0 = 0, pre1 = 1;
    rule->on_post(inst, v, 100, &post0, 1); /* post neuron 0 fires at step 100 */
    rule->on_pre(inst, v, 101, &pre0, 1);   /* pre neuron 0 fires 0.1 ms later */
    CHECK(weights[0] > 0.5f, "pre 0 -> post 0 (post fired just before) grows");
    CHECK(weights[1] < 0.5f, "pre 0 -> post 1 (post silent) shrinks");
    CHECK(weights[2] == 0.5f && weights[3] == 0.5f, "synapses of the silent pre neuron stay");

    v->plasticity_gain = 0;
    rule->on_pre(inst, v, 102, &pre1, 1);
    CHECK(weights[2] == 0.5f && weights[3] == 0.5f, "plasticity_gain 0 freezes the weights");
    for (int s = 0; s < 4; s++) CHECK(weights[s] >= 0 && weights[s] <= 1, "w stays in [0, w_max]");
    rule->destroy(inst);
    return failures != 0;
}
