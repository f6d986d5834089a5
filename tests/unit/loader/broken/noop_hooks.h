/* Hooks that do nothing, for test plugins whose point is their descriptor (inline: a
 * file that uses only some of them compiles without warnings). */
#ifndef RW_TEST_NOOP_HOOKS_H
#define RW_TEST_NOOP_HOOKS_H

#include <rewire/plugin.h>

static inline int noop_rule_create(const rewire_host *host, const rewire_param_value *params,
                            const rewire_projection_view *view, void **instance) {
    (void)host, (void)params, (void)view;
    *instance = NULL;
    return REWIRE_OK;
}
static inline int noop_rule_start(void *instance, rewire_projection_view *view) {
    (void)instance, (void)view;
    return REWIRE_OK;
}
static inline void noop_rule_spikes(void *instance, rewire_projection_view *view, int64_t step,
                             const uint32_t *neurons, size_t n) {
    (void)instance, (void)view, (void)step, (void)neurons, (void)n;
}
static inline void noop_destroy(void *instance) { (void)instance; }

/* A complete v1 learning-rule table. */
#define NOOP_RULE_FUNCTIONS                                                                 \
    {.struct_size = sizeof(rewire_learning_rule_v1), .create = noop_rule_create,            \
     .start = noop_rule_start, .on_pre = noop_rule_spikes, .on_post = noop_rule_spikes,     \
     .destroy = noop_destroy}

#endif
