/* core/control.c: the kernel is blocked exactly while a hold is outstanding or the run
 * is paused, wake fires when it may run again, and live parameters are checked like the
 * experiment file's values before the instance sees them. */
#include <string.h>

#include "control.h"
#include "tap.h"

typedef struct fake_sim {
    int wakes, stops;
    rewire_run_state state;
} fake_sim;

static void wake(void *p) { ((fake_sim *)p)->wakes++; }
static void stop(void *p) {
    ((fake_sim *)p)->stops++;
    ((fake_sim *)p)->state = REWIRE_RUN_STOPPING;
}
static void status(void *p, rewire_control_status *out) {
    out->state = ((fake_sim *)p)->state;
    out->t = 12.5;
    out->phase = "train";
}

typedef struct fake_inst {
    int calls;
    uint32_t index;
    rewire_param_value last;
    bool refuse;
} fake_inst;

static int setter(void *instance, uint32_t index, rewire_param_value v) {
    fake_inst *f = instance;
    if (f->refuse) return REWIRE_EINVAL;
    f->calls++;
    f->index = index;
    f->last = v;
    return REWIRE_OK;
}

static const char *const modes[] = {"constrain", "free", NULL};
static const rewire_param_spec specs[] = {
    {.name = "intensity", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_FREQUENCY,
     .flags = REWIRE_PARAM_LIVE | REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_HAS_MAX, .min = 0, .max = 100},
    {.name = "sessions", .type = REWIRE_PARAM_INT, .flags = REWIRE_PARAM_LIVE | REWIRE_PARAM_HAS_MIN,
     .min = 1},
    {.name = "enabled", .type = REWIRE_PARAM_BOOL, .flags = REWIRE_PARAM_LIVE},
    {.name = "mode", .type = REWIRE_PARAM_ENUM, .flags = REWIRE_PARAM_LIVE, .choices = modes},
    {.name = "label", .type = REWIRE_PARAM_STRING, .flags = REWIRE_PARAM_LIVE},
    {.name = "where", .type = REWIRE_PARAM_SELECTION, .flags = REWIRE_PARAM_LIVE},
};

int main(void) {
    fake_sim sim = {.state = REWIRE_RUN_RUNNING};
    rw_control *c = rw_control_new();
    rw_control_set_hooks(c, &(rw_control_hooks){&sim, wake, stop, status});
    int a, b;

    /* holds */
    CHECK(!rw_control_blocked(c), "a new run is not blocked");
    rw_control_hold(c, &a);
    rw_control_hold(c, &a);
    rw_control_hold(c, &b);
    CHECK(rw_control_blocked(c), "held");
    rw_control_release(c, &b);
    rw_control_release(c, &b); /* unmatched: nothing */
    CHECK(rw_control_blocked(c) && sim.wakes == 0, "still held by the other instance, no wake");
    rw_control_release(c, &a);
    CHECK(rw_control_blocked(c) && sim.wakes == 0, "each hold needs its own release");
    rw_control_release(c, &a);
    CHECK(!rw_control_blocked(c) && sim.wakes == 1, "released: not blocked, woken once");
    rw_control_hold(c, &a);
    rw_control_hold(c, &a);
    rw_control_release_all(c, &a);
    CHECK(!rw_control_blocked(c) && sim.wakes == 2, "release_all drops every hold of an instance");

    /* pause / resume / status / stop */
    CHECK(rw_control_pause(c) == 0 && rw_control_blocked(c), "pause blocks");
    CHECK(rw_control_pause(c) == REWIRE_ESTATE, "pausing twice is refused");
    rewire_control_status st;
    rw_control_status(c, &st);
    CHECK(st.state == REWIRE_RUN_PAUSED && st.t == 12.5 && strcmp(st.phase, "train") == 0,
          "status: paused, time and phase from the scheduler");
    rw_control_hold(c, &b);
    CHECK(rw_control_resume(c) == 0 && rw_control_blocked(c) && sim.wakes == 2,
          "resume while held: still blocked, no wake");
    rw_control_status(c, &st);
    CHECK(st.held && st.holds == 1 && st.state == REWIRE_RUN_RUNNING, "status shows the hold");
    rw_control_release(c, &b);
    CHECK(sim.wakes == 3, "the last release wakes");
    CHECK(rw_control_resume(c) == REWIRE_ESTATE, "resume of a running run is refused");
    rw_control_pause(c);
    CHECK(rw_control_stop(c) == 0 && sim.stops == 1 && !rw_control_blocked(c),
          "stop un-pauses and stops");
    CHECK(rw_control_stop(c) == REWIRE_ESTATE && sim.stops == 1, "stop twice is refused");
    CHECK(rw_control_pause(c) == REWIRE_ESTATE, "a stopping run cannot be paused");
    sim.state = REWIRE_RUN_RUNNING;

    /* live parameters */
    fake_inst inst = {0};
    for (uint32_t i = 0; i < 5; i++)
        CHECK(rw_control_register_live(c, "cimt", &specs[i], i, REWIRE_DIM_NONE, setter, &inst, NULL) == 0,
              "register %s", specs[i].name);
    CHECK(rw_control_register_live(c, "cimt", &specs[5], 5, REWIRE_DIM_NONE, setter, &inst, NULL) ==
              REWIRE_EINVAL, "a selection cannot be live");
    CHECK(rw_control_register_live(c, "cimt", &specs[0], 0, REWIRE_DIM_NONE, setter, &inst, NULL) ==
              REWIRE_EINVAL, "registering twice is refused");
    char err[512];
    CHECK(rw_control_set(c, "cimt", "intensity", "20 Hz", err, sizeof err) == 0 && inst.calls == 1 &&
              inst.index == 0 && inst.last.real == 20.0, "20 Hz reaches the instance as 20");
    CHECK(rw_control_set(c, "cimt", "intensity", "0.5 kHz", err, sizeof err) == REWIRE_EINVAL &&
              inst.calls == 1 && strstr(err, "100"), "above the maximum: refused (%s)", err);
    CHECK(rw_control_set(c, "cimt", "intensity", "20 ms", err, sizeof err) == REWIRE_EINVAL &&
              inst.calls == 1, "wrong dimension refused (%s)", err);
    CHECK(rw_control_set(c, "cimt", "intensity", "fast", err, sizeof err) == REWIRE_EINVAL &&
              inst.calls == 1, "not a number refused (%s)", err);
    CHECK(rw_control_set(c, "cimt", "intensity", "[1, 2]", err, sizeof err) == REWIRE_EINVAL &&
              inst.calls == 1, "a list refused (%s)", err);
    CHECK(rw_control_set(c, "cimt", "intensity", "1\n2", err, sizeof err) == REWIRE_EINVAL &&
              inst.calls == 1, "two lines refused");
    CHECK(rw_control_set(c, "cimt", "intensity", "", err, sizeof err) == REWIRE_EINVAL &&
              inst.calls == 1, "empty refused");
    CHECK(rw_control_set(c, "cimt", "sessions", "0", err, sizeof err) == REWIRE_EINVAL &&
              rw_control_set(c, "cimt", "sessions", "2.5", err, sizeof err) == REWIRE_EINVAL &&
              inst.calls == 1, "integers: bounds and type");
    CHECK(rw_control_set(c, "cimt", "sessions", "7", err, sizeof err) == 0 && inst.last.integer == 7,
          "integer set");
    CHECK(rw_control_set(c, "cimt", "enabled", "false", err, sizeof err) == 0 &&
              inst.last.boolean == false && inst.index == 2, "bool set");
    CHECK(rw_control_set(c, "cimt", "mode", "free", err, sizeof err) == 0 && inst.last.choice == 1,
          "choice set");
    CHECK(rw_control_set(c, "cimt", "mode", "frea", err, sizeof err) == REWIRE_EINVAL,
          "unknown choice refused (%s)", err);
    CHECK(rw_control_set(c, "cimt", "label", "session B", err, sizeof err) == 0 &&
              strcmp(inst.last.string, "session B") == 0, "string set (copied, outlives the text)");
    CHECK(rw_control_set(c, "cimt", "nope", "1", err, sizeof err) == REWIRE_ENOENT &&
              rw_control_set(c, "other", "intensity", "1 Hz", err, sizeof err) == REWIRE_ENOENT,
          "unknown parameter or target: ENOENT (%s)", err);
    int calls = inst.calls;
    inst.refuse = true;
    CHECK(rw_control_set(c, "cimt", "intensity", "5 Hz", err, sizeof err) == REWIRE_EINVAL &&
              inst.calls == calls && strstr(err, "refused"), "the instance may refuse (%s)", err);
    sim.state = REWIRE_RUN_DONE;
    inst.refuse = false;
    CHECK(rw_control_set(c, "cimt", "intensity", "5 Hz", err, sizeof err) == REWIRE_ESTATE,
          "nothing is set after the run");
    rw_control_free(c);
    return tap_done();
}
