/* Run control: holds, pause/resume/stop, status and live parameters (control.h). */
#include "control.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "host.h"

typedef struct holder {
    const void *who;
    uint32_t n;
} holder;

typedef struct live_param {
    char *target;
    const rewire_param_spec *spec;
    uint32_t index;
    rewire_dim weight_dim;
    rw_live_setter set;
    void *instance;
    const rewire_host *host;
} live_param;

struct rw_control {
    rw_control_hooks hooks;
    bool paused;
    uint32_t holds;            /* sum of holders[].n */
    uint32_t n_holders, cap_holders;
    holder *holders;
    uint32_t n_live, cap_live;
    live_param *live;
    uint32_t n_strings, cap_strings;
    char **strings;            /* STRING values set live: kept until the run ends */
};

rw_control *rw_control_new(void) { return calloc(1, sizeof(rw_control)); }

void rw_control_free(rw_control *c) {
    if (!c) return;
    for (uint32_t i = 0; i < c->n_live; i++) free(c->live[i].target);
    for (uint32_t i = 0; i < c->n_strings; i++) free(c->strings[i]);
    free(c->live);
    free(c->strings);
    free(c->holders);
    free(c);
}

void rw_control_set_hooks(rw_control *c, const rw_control_hooks *hooks) { c->hooks = *hooks; }

bool rw_control_blocked(const rw_control *c) { return c && (c->holds > 0 || c->paused); }

static void wake(rw_control *c) {
    if (!rw_control_blocked(c) && c->hooks.wake) c->hooks.wake(c->hooks.sim);
}

static bool grow(void **p, uint32_t *cap, uint32_t need, size_t size) {
    if (need <= *cap) return true;
    uint32_t n = *cap ? *cap * 2 : 8;
    void *q = realloc(*p, n * size);
    if (!q) return false;
    *p = q;
    *cap = n;
    return true;
}

static holder *find_holder(rw_control *c, const void *who) {
    for (uint32_t i = 0; i < c->n_holders; i++)
        if (c->holders[i].who == who) return &c->holders[i];
    return NULL;
}

void rw_control_hold(rw_control *c, const void *who) {
    holder *h = find_holder(c, who);
    if (!h) {
        /* Out of memory for the table: count the hold anyway, keyed by nobody, so that
         * the kernel still waits; a release from `who` then finds nothing to undo, which
         * leaves it held: safe for a lossless consumer, and memory is gone already. */
        if (!grow((void **)&c->holders, &c->cap_holders, c->n_holders + 1, sizeof *c->holders)) {
            c->holds++;
            return;
        }
        h = &c->holders[c->n_holders++];
        *h = (holder){who, 0};
    }
    h->n++;
    c->holds++;
}

void rw_control_release(rw_control *c, const void *who) {
    holder *h = find_holder(c, who);
    if (!h || h->n == 0) return; /* an unmatched release changes nothing */
    h->n--;
    c->holds--;
    wake(c);
}

void rw_control_release_all(rw_control *c, const void *who) {
    holder *h = find_holder(c, who);
    if (!h || h->n == 0) return;
    c->holds -= h->n;
    h->n = 0;
    wake(c);
}

static rewire_run_state sim_state(const rw_control *c) {
    rewire_control_status st = {.struct_size = sizeof st};
    if (c->hooks.status) c->hooks.status(c->hooks.sim, &st);
    return st.state;
}

int rw_control_pause(rw_control *c) {
    rewire_run_state s = sim_state(c);
    if (c->paused || s == REWIRE_RUN_STOPPING || s == REWIRE_RUN_DONE) return REWIRE_ESTATE;
    c->paused = true;
    return REWIRE_OK;
}

int rw_control_resume(rw_control *c) {
    if (!c->paused) return REWIRE_ESTATE;
    c->paused = false;
    wake(c);
    return REWIRE_OK;
}

int rw_control_stop(rw_control *c) {
    rewire_run_state s = sim_state(c);
    if (s == REWIRE_RUN_STOPPING || s == REWIRE_RUN_DONE) return REWIRE_ESTATE;
    c->paused = false; /* a paused run stops too */
    if (c->hooks.stop) c->hooks.stop(c->hooks.sim);
    return REWIRE_OK;
}

void rw_control_status(const rw_control *c, rewire_control_status *out) {
    *out = (rewire_control_status){.struct_size = sizeof *out, .phase = ""};
    if (c->hooks.status) c->hooks.status(c->hooks.sim, out);
    if (c->paused && out->state == REWIRE_RUN_RUNNING) out->state = REWIRE_RUN_PAUSED;
    if (c->paused && out->state == REWIRE_RUN_STARTING) out->state = REWIRE_RUN_PAUSED;
    out->holds = c->holds;
    out->held = c->holds > 0;
}

/* ---- live parameters ---- */

int rw_control_register_live(rw_control *c, const char *target, const rewire_param_spec *spec,
                             uint32_t index, rewire_dim weight_dim, rw_live_setter set,
                             void *instance, const rewire_host *host) {
    if (!target || !spec || !spec->name || !set) return REWIRE_EINVAL;
    switch (spec->type) {
    case REWIRE_PARAM_REAL: case REWIRE_PARAM_INT: case REWIRE_PARAM_BOOL:
    case REWIRE_PARAM_ENUM: case REWIRE_PARAM_STRING: break;
    default: return REWIRE_EINVAL; /* selections and name lists are resolved before the run */
    }
    for (uint32_t i = 0; i < c->n_live; i++)
        if (strcmp(c->live[i].target, target) == 0 && strcmp(c->live[i].spec->name, spec->name) == 0)
            return REWIRE_EINVAL;
    if (!grow((void **)&c->live, &c->cap_live, c->n_live + 1, sizeof *c->live)) return REWIRE_ENOMEM;
    char *t = strdup(target);
    if (!t) return REWIRE_ENOMEM;
    c->live[c->n_live++] = (live_param){t, spec, index, weight_dim, set, instance, host};
    return REWIRE_OK;
}

static live_param *find_live(rw_control *c, const char *target, const char *param) {
    for (uint32_t i = 0; i < c->n_live; i++)
        if (strcmp(c->live[i].target, target) == 0 && strcmp(c->live[i].spec->name, param) == 0)
            return &c->live[i];
    return NULL;
}

/* The first line of a diagnostic, without the "set: " location prefix. */
static void diag_message(rw_diag *d, char *err, size_t errlen) {
    char *text = rw_diag_format(d);
    const char *msg = text ? text : "invalid value";
    const char *e = strstr(msg, "error: ");
    if (e) msg = e + 7;
    size_t n = strcspn(msg, "\n");
    snprintf(err, errlen, "%.*s", (int)n, msg);
    free(text);
}

int rw_control_set(rw_control *c, const char *target, const char *param, const char *value,
                   char *err, size_t errlen) {
    live_param *lp = target && param ? find_live(c, target, param) : NULL;
    if (!lp) {
        snprintf(err, errlen, "no live parameter '%s.%s' (see 'status' for the list)",
                 target ? target : "", param ? param : "");
        return REWIRE_ENOENT;
    }
    rewire_run_state s = sim_state(c);
    if (s == REWIRE_RUN_DONE) {
        snprintf(err, errlen, "the run is over");
        return REWIRE_ESTATE;
    }
    if (!value || !value[0] || strpbrk(value, "\n\r")) {
        snprintf(err, errlen, "expected one value for '%s.%s'", target, param);
        return REWIRE_EINVAL;
    }
    /* The text is read exactly as the experiment file's value would be: parse it as a
     * YAML scalar, then validate it against the parameter's own schema entry. */
    rw_diag *d = rw_diag_new();
    if (!d) return REWIRE_ENOMEM;
    rw_node *node = rw_config_load_string("set", value, d);
    int rc = REWIRE_EINVAL;
    rewire_param_value v = {0};
    if (node && rw_diag_errors(d) == 0) {
        char *key = (char *)lp->spec->name;
        rw_loc kloc = node->loc;
        rw_node map = {.type = RW_NODE_MAP, .loc = node->loc, .n = 1, .keys = &key,
                       .key_locs = &kloc, .items = &node};
        rewire_param_spec one = *lp->spec;
        one.flags &= ~REWIRE_PARAM_REQUIRED;
        char what[256];
        snprintf(what, sizeof what, "'%s'", target);
        if (rw_params_from_config(&one, 1, &map, node->loc, lp->weight_dim, what, &v, d))
            rc = REWIRE_OK;
    }
    if (rc == REWIRE_OK && lp->spec->type == REWIRE_PARAM_STRING) {
        char *copy = strdup(v.string);
        if (!copy || !grow((void **)&c->strings, &c->cap_strings, c->n_strings + 1, sizeof *c->strings)) {
            free(copy);
            rc = REWIRE_ENOMEM;
            snprintf(err, errlen, "out of memory");
        } else {
            c->strings[c->n_strings++] = copy;
            v.string = copy;
        }
    } else if (rc != REWIRE_OK) {
        diag_message(d, err, errlen);
    }
    rw_node_free(node);
    rw_diag_free(d);
    if (rc != REWIRE_OK) return rc;
    if (lp->host) rw_host_clear_error((rewire_host *)lp->host);
    rc = lp->set(lp->instance, lp->index, v);
    if (rc != REWIRE_OK) {
        const char *msg = lp->host ? rw_host_error(lp->host) : "";
        snprintf(err, errlen, "'%s' refused %s = %s: %s", target, param, value,
                 msg[0] ? msg : "no reason given");
    }
    return rc;
}

/* ---- the extension table ---- */

static rw_control *of(const rewire_host *h) { return rw_host_control(h); }

static void ext_hold(const rewire_host *h) {
    if (of(h)) rw_control_hold(of(h), h);
}
static void ext_release(const rewire_host *h) {
    if (of(h)) rw_control_release(of(h), h);
}

static int state_error(const rewire_host *h, int rc, const char *what) {
    if (rc == REWIRE_ESTATE) h->set_error(h, "%s", what);
    return rc;
}

static int ext_pause(const rewire_host *h) {
    return state_error(h, rw_control_pause(of(h)), "the run is already paused or finishing");
}
static int ext_resume(const rewire_host *h) {
    return state_error(h, rw_control_resume(of(h)), "the run is not paused");
}
static int ext_stop(const rewire_host *h) {
    return state_error(h, rw_control_stop(of(h)), "the run is already finishing");
}
static int ext_status(const rewire_host *h, rewire_control_status *out) {
    if (!out || out->struct_size < sizeof *out) return REWIRE_EINVAL;
    rw_control_status(of(h), out);
    return REWIRE_OK;
}
static int ext_set(const rewire_host *h, const char *target, const char *param, const char *value,
                   char *err, size_t errlen) {
    char buf[512];
    int rc = rw_control_set(of(h), target, param, value, buf, sizeof buf);
    if (rc != REWIRE_OK && err && errlen) snprintf(err, errlen, "%s", buf);
    return rc;
}
static int ext_live_param(const rewire_host *h, uint32_t index, rewire_live_param_info *out) {
    rw_control *c = of(h);
    if (index >= c->n_live) return REWIRE_ENOENT;
    *out = (rewire_live_param_info){sizeof *out, c->live[index].target, c->live[index].spec->name,
                                    c->live[index].spec};
    return REWIRE_OK;
}

const rewire_control_v1 *rw_control_extension(void) {
    static const rewire_control_v1 ext = {
        .struct_size = sizeof ext,
        .hold = ext_hold,
        .release = ext_release,
        .pause = ext_pause,
        .resume = ext_resume,
        .stop = ext_stop,
        .status = ext_status,
        .set_live_param = ext_set,
        .live_param = ext_live_param,
    };
    return &ext;
}
