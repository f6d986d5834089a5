/* Prints the binary layout of every ABI 1.0 type and the value of every ABI 1.0
 * constant, one line each.  tests/abi/meson.build compiles this file twice, against the
 * frozen ABI 1.0 headers and against sdk/include; test_abi.py requires identical output:
 *
 *  - every 1.0 field keeps its offset and size (tables only grow at the end);
 *  - types that plugins and the host put in arrays, or pass by value, keep their size
 *    (a 1.0 plugin steps through them with its own sizeof), also those with a
 *    struct_size: rewire_run_info.channels is indexed with the plugin's sizeof;
 *  - constants (status codes, kinds, dimensions, flags) keep their values.
 *
 * Only fields and constants that exist in ABI 1.0 are listed, so both builds compile. */
#include <rewire/plugin.h>
#include <stdio.h>

#define FIELD(T, f) printf(#T "." #f " offset %zu size %zu\n", offsetof(T, f), sizeof(((T *)0)->f))
#define SIZE(T) printf("sizeof " #T " %zu\n", sizeof(T))
#define CONST(c) printf(#c " = %lld\n", (long long)(c))

int main(void) {
    /* ---- tables with struct_size, growing at the end ---- */
    FIELD(rewire_host, struct_size); FIELD(rewire_host, abi_major); FIELD(rewire_host, abi_minor);
    FIELD(rewire_host, host_version); FIELD(rewire_host, instance_name);
    FIELD(rewire_host, host_data); FIELD(rewire_host, log); FIELD(rewire_host, set_error);
    FIELD(rewire_host, get_extension); FIELD(rewire_host, random_uniform);
    FIELD(rewire_host, output_dir); FIELD(rewire_host, file_open); FIELD(rewire_host, file_write);
    FIELD(rewire_host, file_pwrite); FIELD(rewire_host, file_close); FIELD(rewire_host, uv_loop);
    FIELD(rewire_host, population_find); FIELD(rewire_host, projection_find);

    FIELD(rewire_projection_view, struct_size); FIELD(rewire_projection_view, name);
    FIELD(rewire_projection_view, pre_population); FIELD(rewire_projection_view, post_population);
    FIELD(rewire_projection_view, n_pre); FIELD(rewire_projection_view, n_post);
    FIELD(rewire_projection_view, n_syn); FIELD(rewire_projection_view, row_offsets);
    FIELD(rewire_projection_view, targets); FIELD(rewire_projection_view, weights);
    FIELD(rewire_projection_view, delays); FIELD(rewire_projection_view, col_offsets);
    FIELD(rewire_projection_view, col_synapses); FIELD(rewire_projection_view, n_syn_state);
    FIELD(rewire_projection_view, syn_state); FIELD(rewire_projection_view, dt);
    FIELD(rewire_projection_view, plasticity_gain); FIELD(rewire_projection_view, neuromodulator);

    FIELD(rewire_population_view, struct_size); FIELD(rewire_population_view, name);
    FIELD(rewire_population_view, model); FIELD(rewire_population_view, size);
    FIELD(rewire_population_view, v); FIELD(rewire_population_view, excitability);
    FIELD(rewire_population_view, rate);

    FIELD(rewire_learning_rule_v1, struct_size); FIELD(rewire_learning_rule_v1, flags);
    FIELD(rewire_learning_rule_v1, n_syn_state); FIELD(rewire_learning_rule_v1, syn_state_names);
    FIELD(rewire_learning_rule_v1, create); FIELD(rewire_learning_rule_v1, start);
    FIELD(rewire_learning_rule_v1, on_pre); FIELD(rewire_learning_rule_v1, on_post);
    FIELD(rewire_learning_rule_v1, on_slice); FIELD(rewire_learning_rule_v1, stop);
    FIELD(rewire_learning_rule_v1, destroy);

    FIELD(rewire_injury_v1, struct_size); FIELD(rewire_injury_v1, create);
    FIELD(rewire_injury_v1, apply); FIELD(rewire_injury_v1, on_slice);
    FIELD(rewire_injury_v1, destroy);

    FIELD(rewire_intervention_v1, struct_size); FIELD(rewire_intervention_v1, create);
    FIELD(rewire_intervention_v1, begin); FIELD(rewire_intervention_v1, on_slice);
    FIELD(rewire_intervention_v1, end); FIELD(rewire_intervention_v1, set_param);
    FIELD(rewire_intervention_v1, destroy);

    FIELD(rewire_output_v1, struct_size); FIELD(rewire_output_v1, create);
    FIELD(rewire_output_v1, start); FIELD(rewire_output_v1, write); FIELD(rewire_output_v1, phase);
    FIELD(rewire_output_v1, finish); FIELD(rewire_output_v1, destroy);

    FIELD(rewire_plugin_descriptor, struct_size); FIELD(rewire_plugin_descriptor, abi_major);
    FIELD(rewire_plugin_descriptor, abi_minor); FIELD(rewire_plugin_descriptor, kind);
    FIELD(rewire_plugin_descriptor, name); FIELD(rewire_plugin_descriptor, version);
    FIELD(rewire_plugin_descriptor, summary); FIELD(rewire_plugin_descriptor, params);
    FIELD(rewire_plugin_descriptor, n_params); FIELD(rewire_plugin_descriptor, functions);
    FIELD(rewire_plugin_descriptor, functions_size);

    FIELD(rewire_batch, struct_size); FIELD(rewire_batch, channel); FIELD(rewire_batch, n);
    FIELD(rewire_batch, time); FIELD(rewire_batch, index); FIELD(rewire_batch, index2);
    FIELD(rewire_batch, value);

    FIELD(rewire_run_info, struct_size); FIELD(rewire_run_info, rewire_version);
    FIELD(rewire_run_info, experiment_name); FIELD(rewire_run_info, experiment_file);
    FIELD(rewire_run_info, experiment_text); FIELD(rewire_run_info, overrides);
    FIELD(rewire_run_info, seed); FIELD(rewire_run_info, dt); FIELD(rewire_run_info, duration);
    FIELD(rewire_run_info, n_channels); FIELD(rewire_run_info, channels);
    FIELD(rewire_run_info, n_plugins); FIELD(rewire_run_info, plugins);

    FIELD(rewire_phase_event, struct_size); FIELD(rewire_phase_event, name);
    FIELD(rewire_phase_event, index); FIELD(rewire_phase_event, t_start);
    FIELD(rewire_phase_event, t_end); FIELD(rewire_phase_event, is_end);

    FIELD(rewire_run_report, struct_size); FIELD(rewire_run_report, interrupted);
    FIELD(rewire_run_report, simulated_time); FIELD(rewire_run_report, wall_time);
    FIELD(rewire_run_report, synaptic_events); FIELD(rewire_run_report, n_populations);
    FIELD(rewire_run_report, populations); FIELD(rewire_run_report, n_projections);
    FIELD(rewire_run_report, projections);

    /* ---- fixed types: array elements, values passed by value, the entry's table ---- */
    FIELD(rewire_plugin_table, abi_major); FIELD(rewire_plugin_table, abi_minor);
    FIELD(rewire_plugin_table, count); FIELD(rewire_plugin_table, plugins);
    SIZE(rewire_plugin_table);

    FIELD(rewire_param_spec, name); FIELD(rewire_param_spec, type); FIELD(rewire_param_spec, dim);
    FIELD(rewire_param_spec, flags); FIELD(rewire_param_spec, def_real);
    FIELD(rewire_param_spec, def_int); FIELD(rewire_param_spec, def_string);
    FIELD(rewire_param_spec, min); FIELD(rewire_param_spec, max);
    FIELD(rewire_param_spec, choices); FIELD(rewire_param_spec, doc);
    SIZE(rewire_param_spec);

    FIELD(rewire_param_value, real); FIELD(rewire_param_value, integer);
    FIELD(rewire_param_value, boolean); FIELD(rewire_param_value, choice);
    FIELD(rewire_param_value, string);
    SIZE(rewire_param_value);

    FIELD(rewire_channel_info, struct_size); FIELD(rewire_channel_info, id);
    FIELD(rewire_channel_info, name); FIELD(rewire_channel_info, kind);
    FIELD(rewire_channel_info, source); FIELD(rewire_channel_info, variable);
    FIELD(rewire_channel_info, unit); FIELD(rewire_channel_info, interval);
    FIELD(rewire_channel_info, source_size);
    SIZE(rewire_channel_info);

    FIELD(rewire_plugin_use, kind); FIELD(rewire_plugin_use, name);
    FIELD(rewire_plugin_use, version); FIELD(rewire_plugin_use, path);
    SIZE(rewire_plugin_use);

    FIELD(rewire_population_report, name); FIELD(rewire_population_report, model);
    FIELD(rewire_population_report, size); FIELD(rewire_population_report, spikes);
    FIELD(rewire_population_report, rate);
    SIZE(rewire_population_report);

    FIELD(rewire_projection_report, name); FIELD(rewire_projection_report, pre);
    FIELD(rewire_projection_report, post); FIELD(rewire_projection_report, synapses);
    FIELD(rewire_projection_report, rule); FIELD(rewire_projection_report, mean_weight);
    SIZE(rewire_projection_report);

    SIZE(rewire_status); SIZE(rewire_kind); SIZE(rewire_channel_kind); SIZE(rewire_param_type);
    SIZE(rewire_dim); SIZE(rewire_log_level);

    /* ---- constants ---- */
    CONST(REWIRE_ABI_MAJOR);
    printf("REWIRE_ENTRY_SYMBOL = %s\n", REWIRE_ENTRY_SYMBOL);
    CONST(REWIRE_OK); CONST(REWIRE_EINVAL); CONST(REWIRE_ENOMEM); CONST(REWIRE_EIO);
    CONST(REWIRE_ENOTSUP); CONST(REWIRE_ENOENT); CONST(REWIRE_ESTATE); CONST(REWIRE_EPLUGIN);
    CONST(REWIRE_KIND_LEARNING_RULE); CONST(REWIRE_KIND_INJURY);
    CONST(REWIRE_KIND_INTERVENTION); CONST(REWIRE_KIND_OUTPUT);
    CONST(REWIRE_CHANNEL_SPIKES); CONST(REWIRE_CHANNEL_RATE); CONST(REWIRE_CHANNEL_STATE);
    CONST(REWIRE_CHANNEL_WEIGHTS); CONST(REWIRE_CHANNEL_METRIC);
    CONST(REWIRE_PARAM_REAL); CONST(REWIRE_PARAM_INT); CONST(REWIRE_PARAM_BOOL);
    CONST(REWIRE_PARAM_ENUM); CONST(REWIRE_PARAM_STRING);
    CONST(REWIRE_DIM_NONE); CONST(REWIRE_DIM_TIME); CONST(REWIRE_DIM_VOLTAGE);
    CONST(REWIRE_DIM_CURRENT); CONST(REWIRE_DIM_CONDUCTANCE); CONST(REWIRE_DIM_CAPACITANCE);
    CONST(REWIRE_DIM_FREQUENCY); CONST(REWIRE_DIM_RESISTANCE); CONST(REWIRE_DIM_LENGTH);
    CONST(REWIRE_DIM_WEIGHT);
    CONST(REWIRE_PARAM_REQUIRED); CONST(REWIRE_PARAM_HAS_MIN); CONST(REWIRE_PARAM_HAS_MAX);
    CONST(REWIRE_PARAM_MIN_EXCLUSIVE); CONST(REWIRE_PARAM_LIVE);
    CONST(REWIRE_RULE_NEEDS_POST_INDEX); CONST(REWIRE_RULE_ON_SLICE);
    CONST(REWIRE_LOG_ERROR); CONST(REWIRE_LOG_WARN); CONST(REWIRE_LOG_INFO);
    CONST(REWIRE_LOG_DEBUG);
    return 0;
}
