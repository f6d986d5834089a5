/* Helpers for learning rules defined on rates (bcm, oja): the check that both ends of
 * the projection are rate populations, with a message saying which end is not.
 * Header-only (static inline): a plugin that includes it links against nothing new. */
#ifndef REWIRE_RATE_RULES_H
#define REWIRE_RATE_RULES_H

#include "abi.h"
#include "host.h"
#include "network.h"

#ifdef __cplusplus
extern "C" {
#endif

/* [loop] In create(): REWIRE_OK when the view carries rates at both ends; otherwise
 * explains (through host->set_error, naming `rule`) and returns REWIRE_ENOTSUP for a
 * host without rate fields (ABI 1.0) or REWIRE_EINVAL for a spiking end. */
static inline int rewire_require_rates(const rewire_host *host, const rewire_projection_view *view,
                                       const char *rule) {
    const char *proj = view->name ? view->name : "?";
    if (!REWIRE_HAS_FIELD(rewire_projection_view, view->struct_size, post_rate)) {
        host->set_error(host,
                        "%s needs rate populations (model: rate / rate_input) at both ends of "
                        "projection '%s', but this host's projection view has no rates (it "
                        "speaks plugin ABI 1.0; rates came with 1.1)",
                        rule, proj);
        return REWIRE_ENOTSUP;
    }
    const char *pre = view->pre_population ? view->pre_population : "?";
    const char *post = view->post_population ? view->post_population : "?";
    const char *what = "needs rate populations (model: rate / rate_input) at both ends of projection";
    if (!view->pre_rate && !view->post_rate)
        host->set_error(host, "%s %s '%s': populations '%s' (pre) and '%s' (post) have no rates",
                        rule, what, proj, pre, post);
    else if (!view->pre_rate)
        host->set_error(host, "%s %s '%s': population '%s' (pre) has no rates", rule, what, proj, pre);
    else if (!view->post_rate)
        host->set_error(host, "%s %s '%s': population '%s' (post) has no rates", rule, what, proj, post);
    else
        return REWIRE_OK;
    return REWIRE_EINVAL;
}

#ifdef __cplusplus
}
#endif
#endif
