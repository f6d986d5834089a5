/* The config tree (positions, syntax errors, duplicate keys, --set, dump), the typed
 * getters and plugin parameter validation.  Messages are asserted in full: they are
 * the feature. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "tap.h"

/* ---- helpers ---- */

/* One test point: the diagnostics printed so far equal `expect`. */
static void check_diag(const rw_diag *d, const char *expect, const char *what) {
    char *got = rw_diag_format(d);
    bool good = strcmp(got, expect) == 0;
    CHECK(good, "%s", what);
    if (!good) TAP_NOTE("got:\n%s# expected:\n%s", got, expect);
    free(got);
}

static bool at(rw_loc loc, const char *file, int line, int col) {
    return loc.file && strcmp(loc.file, file) == 0 && loc.line == line && loc.col == col;
}

/* One test point: loading `text` fails (or not) with exactly `expect` as diagnostics. */
static void load_expect(const char *text, bool usable, const char *expect, const char *what) {
    rw_diag *d = rw_diag_new();
    rw_node *root = rw_config_load_string("t.yaml", text, d);
    char *got = rw_diag_format(d);
    bool good = (root != NULL) == usable && strcmp(got, expect) == 0;
    CHECK(good, "%s", what);
    if (!good) TAP_NOTE("root=%p got:\n%s# expected:\n%s", (void *)root, got, expect);
    free(got);
    rw_node_free(root);
    rw_diag_free(d);
}

static const rw_node *path2(const rw_node *root, const char *a, const char *b) {
    return rw_map_get(rw_map_get(root, a), b);
}

/* ---- the tree ---- */

static void test_positions(void) {
    const char *text = "experiment: {name: hello, dt: 0.1 ms}\n"  /* 1 */
                       "populations:\n"                          /* 2 */
                       "  exc:\n"                                /* 3 */
                       "    model: lif_cuba\n"                   /* 4 */
                       "    size: 10\n"                          /* 5 */
                       "timeline:\n"                             /* 6 */
                       "  - {phase: run, duration: 1 s}\n"       /* 7 */
                       "  - phase: test\n"                       /* 8 */
                       "    duration: 500 ms\n"                  /* 9 */
                       "quoted: \"20 ms\"\n"                     /* 10 */
                       "single: 'x'\n"                           /* 11 */
                       "empty:\n";                               /* 12 */
    rw_diag *d = rw_diag_new();
    rw_node *root = rw_config_load_string("pos.yaml", text, d);
    CHECK(root && rw_diag_errors(d) == 0, "a valid document loads without errors");
    if (!root) return;
    CHECK(root->type == RW_NODE_MAP && root->n == 6, "root is a map of 6 keys");
    CHECK(at(rw_map_key_loc(root, "experiment"), "pos.yaml", 1, 1), "key 'experiment' at 1:1");
    const rw_node *exp = rw_map_get(root, "experiment");
    CHECK(exp && exp->type == RW_NODE_MAP && at(exp->loc, "pos.yaml", 1, 13),
          "flow map starts at its '{' (1:13)");
    CHECK(at(rw_map_key_loc(exp, "dt"), "pos.yaml", 1, 27), "flow key 'dt' at 1:27");
    const rw_node *dt = rw_map_get(exp, "dt");
    CHECK(dt && dt->type == RW_NODE_SCALAR && !strcmp(dt->scalar, "0.1 ms") && !dt->quoted &&
              at(dt->loc, "pos.yaml", 1, 31),
          "scalar '0.1 ms' at 1:31, unquoted");
    const rw_node *pops = rw_map_get(root, "populations");
    CHECK(pops && pops->type == RW_NODE_MAP && at(pops->loc, "pos.yaml", 3, 3),
          "block map starts at its first key (3:3)");
    const rw_node *exc = rw_map_get(pops, "exc");
    CHECK(at(rw_map_key_loc(exc, "size"), "pos.yaml", 5, 5), "nested key 'size' at 5:5");
    const rw_node *model = rw_map_get(exc, "model");
    CHECK(model && !strcmp(model->scalar, "lif_cuba") && at(model->loc, "pos.yaml", 4, 12),
          "value 'lif_cuba' at 4:12");
    const rw_node *tl = rw_map_get(root, "timeline");
    CHECK(tl && tl->type == RW_NODE_SEQ && tl->n == 2 && at(tl->loc, "pos.yaml", 7, 3),
          "block sequence of 2 at its first '-' (7:3)");
    CHECK(tl && tl->n == 2 && at(tl->items[0]->loc, "pos.yaml", 7, 5) &&
              at(tl->items[1]->loc, "pos.yaml", 8, 5),
          "sequence items at 7:5 and 8:5");
    const rw_node *dur = tl && tl->n == 2 ? rw_map_get(tl->items[1], "duration") : NULL;
    CHECK(dur && !strcmp(dur->scalar, "500 ms") && at(dur->loc, "pos.yaml", 9, 15),
          "value in a block map inside a sequence at 9:15");
    const rw_node *q = rw_map_get(root, "quoted");
    CHECK(q && q->quoted && !strcmp(q->scalar, "20 ms") && at(q->loc, "pos.yaml", 10, 9),
          "double-quoted scalar keeps its text, is marked quoted, at its quote");
    const rw_node *s = rw_map_get(root, "single");
    CHECK(s && s->quoted && !strcmp(s->scalar, "x"), "single-quoted scalar is quoted");
    const rw_node *e = rw_map_get(root, "empty");
    CHECK(e && e->type == RW_NODE_SCALAR && rw_node_is_null(e) && !rw_node_is_null(q),
          "'empty:' is a null scalar");
    CHECK(rw_map_get(root, "missing") == NULL && rw_map_get(dt, "x") == NULL &&
              at(rw_map_key_loc(pops, "missing"), "pos.yaml", 3, 3),
          "absent keys: NULL, and key_loc falls back to the map");

    char *yaml = rw_config_dump(root);
    rw_diag *d2 = rw_diag_new();
    rw_node *again = yaml ? rw_config_load_string("dump.yaml", yaml, d2) : NULL;
    const rw_node *q2 = rw_map_get(again, "quoted");
    const rw_node *dur2 = again ? rw_map_get(rw_map_get(again, "timeline")->items[1], "duration") : NULL;
    CHECK(again && rw_diag_errors(d2) == 0 && q2 && q2->quoted && !strcmp(q2->scalar, "20 ms") &&
              dur2 && !strcmp(dur2->scalar, "500 ms") &&
              !strcmp(path2(again, "populations", "exc")->items[0]->scalar, "lif_cuba"),
          "dump reloads to the same values, quoting kept");
    free(yaml);
    rw_node_free(again);
    rw_diag_free(d2);
    rw_node_free(root);
    rw_diag_free(d);
}

static void test_syntax_errors(void) {
    load_expect("a: b: c\n", false,
                "t.yaml:1:5: error: invalid YAML: mapping values are not allowed in this context\n",
                "libyaml's problem at its position");
    load_expect("a: 1\nb: [1, 2\n", false,
                "t.yaml:3:1: error: invalid YAML: did not find expected ',' or ']'\n"
                "t.yaml:2:4: note: while parsing a flow sequence\n",
                "unclosed flow sequence: error where it was noticed, note where it began");
    load_expect("a:\n  b: 1\n   c: 2\n", false,
                "t.yaml:3:5: error: invalid YAML: mapping values are not allowed in this context\n",
                "bad indentation");
    load_expect("a: \"open\n", false,
                "t.yaml:2:1: error: invalid YAML: found unexpected end of stream\n"
                "t.yaml:1:4: note: while scanning a quoted scalar\n",
                "unterminated quote");
    load_expect("a: 1\n\tb: 2\n", false,
                "t.yaml:2:1: error: invalid YAML: found a tab character that violates indentation\n"
                "t.yaml:1:4: note: while scanning a plain scalar\n",
                "tab indentation");
    load_expect("a: x\xff\n", false,
                "t.yaml:1:5: error: invalid YAML: invalid leading UTF-8 octet (byte 0xFF)\n",
                "invalid UTF-8 located by its byte offset");
    load_expect("base: &b {x: 1}\nother: *b\n", false,
                "t.yaml:2:8: error: aliases are not supported (*b); write the value out in full\n",
                "aliases are refused");
    load_expect("anchored: &b {x: 1}\n", true, "", "an anchor alone is harmless");
    load_expect("a: 1\n---\nb: 2\n", true,
                "t.yaml:2:1: error: a second YAML document; an experiment is a single document\n",
                "a second document");
    load_expect("{[1]: 2, b: 3}\n", true,
                "t.yaml:1:2: error: a mapping key must be a single value, not a list\n",
                "a list as a key");
    char deep[512] = "";
    for (int i = 0; i < 150; i++) strcat(deep, "[");
    for (int i = 0; i < 150; i++) strcat(deep, "]");
    load_expect(deep, false, "t.yaml:1:101: error: invalid YAML: nested more than 100 levels deep\n",
                "absurd nesting is refused, not recursed into");
}

static void test_duplicates_and_empty(void) {
    const char *text = "populations:\n"
                       "  exc: {size: 1}\n"
                       "  inh: {size: 2}\n"
                       "  exc: {size: 3}\n"
                       "flow: {a: 1, b: 2, a: 3}\n";
    rw_diag *d = rw_diag_new();
    rw_node *root = rw_config_load_string("t.yaml", text, d);
    check_diag(d,
               "t.yaml:4:3: error: duplicate key 'exc'\n"
               "t.yaml:2:3: note: 'exc' first defined here\n"
               "t.yaml:5:20: error: duplicate key 'a'\n"
               "t.yaml:5:8: note: 'a' first defined here\n"
               "2 errors\n",
               "duplicate keys: error at the second, note at the first");
    const rw_node *size = rw_map_get(path2(root, "populations", "exc"), "size");
    CHECK(root && rw_map_get(root, "populations")->n == 2 && size && !strcmp(size->scalar, "1"),
          "the first definition is kept");
    rw_node_free(root);
    rw_diag_free(d);

    const char *empties[] = {"", "# only a comment\n", "---\n", "~\n"};
    for (size_t i = 0; i < 4; i++) {
        d = rw_diag_new();
        root = rw_config_load_string("e.yaml", empties[i], d);
        CHECK(root && root->type == RW_NODE_MAP && root->n == 0 && rw_diag_errors(d) == 0 &&
                  at(root->loc, "e.yaml", 0, 0),
              "empty document %zu is an empty map without a position", i);
        rw_node_free(root);
        rw_diag_free(d);
    }
}

static void test_files(void) {
    rw_diag *d = rw_diag_new();
    CHECK(rw_config_load_file("/nonexistent/x.yaml", d) == NULL, "a missing file gives no tree");
    check_diag(d, "/nonexistent/x.yaml: error: cannot read: No such file or directory\n",
               "a missing file is reported with strerror");
    rw_diag_free(d);

    d = rw_diag_new();
    CHECK(rw_config_load_file("/", d) == NULL, "a directory gives no tree");
    check_diag(d, "/: error: cannot read: Is a directory\n", "a directory is reported");
    rw_diag_free(d);

    char path[] = "/tmp/rw_test_config_XXXXXX";
    int fd = mkstemp(path);
    const char text[] = "a:\n  b: [1, 2]\nc: 3 ms\n";
    bool written = fd >= 0 && write(fd, text, sizeof text - 1) == (ssize_t)(sizeof text - 1);
    if (fd >= 0) close(fd);
    d = rw_diag_new();
    rw_node *root = written ? rw_config_load_file(path, d) : NULL;
    const rw_node *b = path2(root, "a", "b");
    CHECK(root && b && b->type == RW_NODE_SEQ && b->n == 2 && at(b->items[1]->loc, path, 2, 10),
          "a file loads with the path in every location");
    CHECK(root && root->loc.file != path && at(rw_map_key_loc(root, "c"), path, 3, 1),
          "the tree keeps its own copy of the file name");
    rw_node_free(root);
    rw_diag_free(d);
    unlink(path);
}

/* ---- --set ---- */

static const char set_base[] = "experiment: {name: hello, dt: 0.1 ms}\n"
                               "populations:\n"
                               "  exc: {model: lif_cuba, size: 10}\n"
                               "  inh: {model: lif_cuba, size: 5}\n"
                               "timeline:\n"
                               "  - {phase: run, duration: 1 s}\n";

/* One test point: applying `arg` fails with exactly `expect`, leaving the tree as it was. */
static void set_fails(const char *arg, const char *expect) {
    rw_diag *d = rw_diag_new();
    rw_node *root = rw_config_load_string("t.yaml", set_base, d);
    char *before = rw_config_dump(root);
    bool ok = rw_config_set(root, arg, 1, d);
    char *after = rw_config_dump(root);
    char *got = rw_diag_format(d);
    bool good = !ok && strcmp(got, expect) == 0 && before && after && strcmp(before, after) == 0;
    CHECK(good, "--set %s fails as expected", arg);
    if (!good) TAP_NOTE("ok=%d got:\n%s", ok, got);
    free(got);
    free(before);
    free(after);
    rw_node_free(root);
    rw_diag_free(d);
}

static void test_set(void) {
    rw_diag *d = rw_diag_new();
    rw_node *root = rw_config_load_string("t.yaml", set_base, d);
    CHECK(rw_config_set(root, "populations.exc.size=20", 1, d), "set an existing value");
    const rw_node *size = rw_map_get(path2(root, "populations", "exc"), "size");
    CHECK(size && !strcmp(size->scalar, "20") && at(size->loc, "--set", 1, 22),
          "the new value is located at --set:ARGNO:COL of its text");
    CHECK(at(rw_map_key_loc(path2(root, "populations", "exc"), "size"), "t.yaml", 3, 26),
          "a replaced value keeps its key's file position");

    CHECK(rw_config_set(root, "timeline.0.duration=2 s", 2, d), "set through a sequence index");
    const rw_node *tl = rw_map_get(root, "timeline");
    const rw_node *dur = rw_map_get(tl->items[0], "duration");
    CHECK(dur && !strcmp(dur->scalar, "2 s") && at(dur->loc, "--set", 2, 21), "timeline.0.duration");

    CHECK(rw_config_set(root, "experiment.seed=7", 3, d), "create a missing last key");
    CHECK(at(rw_map_key_loc(rw_map_get(root, "experiment"), "seed"), "--set", 3, 12),
          "a created key is located at its path component");

    CHECK(rw_config_set(root, "populations.exc.params={tau_m: 20 ms, E_L: -70 mV}", 4, d),
          "set a flow mapping");
    const rw_node *params = rw_map_get(path2(root, "populations", "exc"), "params");
    const rw_node *el = rw_map_get(params, "E_L");
    CHECK(params && params->type == RW_NODE_MAP && params->n == 2 && el &&
              !strcmp(el->scalar, "-70 mV") && at(el->loc, "--set", 4, 44) &&
              at(rw_map_key_loc(params, "tau_m"), "--set", 4, 25),
          "flow mapping values are located inside the argument");

    CHECK(rw_config_set(root, "experiment.plugin_path=[a, 'b c']", 5, d), "set a flow sequence");
    const rw_node *pp = rw_map_get(rw_map_get(root, "experiment"), "plugin_path");
    CHECK(pp && pp->type == RW_NODE_SEQ && pp->n == 2 && pp->items[1]->quoted &&
              !strcmp(pp->items[1]->scalar, "b c"),
          "[a, 'b c'] is a list with a quoted item");

    CHECK(rw_config_set(root, "timeline.1={phase: test, duration: 500 ms}", 6, d) && tl->n == 2,
          "index == length appends to a sequence");
    CHECK(rw_config_set(root, "experiment.name=\"20\"", 7, d) &&
              rw_map_get(rw_map_get(root, "experiment"), "name")->quoted,
          "a quoted value stays a string");
    CHECK(rw_config_set(root, "experiment.name=", 8, d) &&
              rw_node_is_null(rw_map_get(rw_map_get(root, "experiment"), "name")),
          "an empty value is null");
    CHECK(rw_config_set(root, "experiment.name=a=b", 9, d) &&
              !strcmp(rw_map_get(rw_map_get(root, "experiment"), "name")->scalar, "a=b"),
          "only the first '=' separates path and value");
    check_diag(d, "", "no errors from successful --set");

    char *yaml = rw_config_dump(root);
    CHECK(yaml && strstr(yaml, "size: 20\n") && strstr(yaml, "seed: 7\n") &&
              strstr(yaml, "phase: test\n"),
          "the dump records the overrides");
    free(yaml);
    rw_node_free(root);
    rw_diag_free(d);

    set_fails("populations.exx.size=3",
              "--set:1:13: error: no key 'exx' in 'populations'; did you mean 'exc'?\n");
    set_fails("populatons.exc.size=3",
              "--set:1:1: error: no key 'populatons' at the top level; did you mean 'populations'?\n");
    set_fails("populations.foo.size=3", "--set:1:13: error: no key 'foo' in 'populations'\n");
    set_fails("timeline.5.duration=1 s",
              "--set:1:10: error: item 5 is out of range: 'timeline' has 1 item\n");
    set_fails("timeline.x=1",
              "--set:1:10: error: 'timeline' is a list; expected an item number, got 'x'\n");
    set_fails("timeline.-1=1",
              "--set:1:10: error: 'timeline' is a list; expected an item number, got '-1'\n");
    set_fails("experiment.dt.x=1",
              "--set:1:15: error: cannot set 'x' in 'experiment.dt': it is a single value, not a mapping\n");
    set_fails("nonsense",
              "--set:1:1: error: expected PATH=VALUE (e.g. 'experiment.dt=0.1 ms'), got 'nonsense'\n");
    set_fails("=3", "--set:1:1: error: missing the path before '='\n");
    set_fails("experiment..dt=1", "--set:1:12: error: empty key in 'experiment..dt'\n");
    set_fails("experiment.dt=[1, 2",
              "--set:1:20: error: invalid YAML: did not find expected ',' or ']'\n"
              "--set:1:15: note: while parsing a flow sequence\n");
    set_fails("experiment.dt=*x",
              "--set:1:15: error: aliases are not supported (*x); write the value out in full\n");

    /* A value set on the command line is validated like any other, at its argument. */
    d = rw_diag_new();
    root = rw_config_load_string("t.yaml", set_base, d);
    rw_config_set(root, "populations.exc.size=ten", 2, d);
    int64_t n;
    CHECK(!rw_get_int(rw_map_get(path2(root, "populations", "exc"), "size"), "population 'exc' size",
                      &n, d),
          "a bad --set value fails validation");
    check_diag(d, "--set:2:22: error: population 'exc' size: expected an integer, got 'ten'\n",
               "and the error points at the --set argument");
    rw_node_free(root);
    rw_diag_free(d);
}

/* ---- getters ---- */

static const char getters_doc[] = "tau_m: -65 mV\n"     /* 1 */
                                  "bare: 20\n"          /* 2 */
                                  "fast: fast\n"        /* 3 */
                                  "quoted: \"20 ms\"\n" /* 4 */
                                  "map: {a: 1}\n"       /* 5 */
                                  "seq: [1]\n"          /* 6 */
                                  "empty:\n"            /* 7 */
                                  "unit: 20 mz\n"       /* 8 */
                                  "good: 1.5 s\n"       /* 9 */
                                  "real: 0.25\n"        /* 10 */
                                  "int: -12\n"          /* 11 */
                                  "int_exp: 1e3\n"      /* 12 */
                                  "half: 3.5\n"         /* 13 */
                                  "huge: 99999999999999999999\n" /* 14 */
                                  "yes: yes\n"          /* 15 */
                                  "off: Off\n"          /* 16 */
                                  "one: 1\n"            /* 17 */
                                  "qtrue: 'true'\n"     /* 18 */
                                  "model: lif_cub\n"    /* 19 */
                                  "modelx: izhikevich\n" /* 20 */
                                  "qhalf: \"0.5\"\n"    /* 21 */
                                  "big: 1e20\n"         /* 22 */
                                  "hex: 0x10\n";        /* 23 */

/* One test point for a getter call that must fail with `expect`. */
#define GETTER_FAILS(call, expect, what)                                                   \
    do {                                                                                   \
        rw_diag *gd = rw_diag_new();                                                       \
        rw_diag *d = gd;                                                                   \
        bool gr = (call);                                                                   \
        char *got = rw_diag_format(gd);                                                    \
        bool good = !gr && strcmp(got, expect) == 0;                                       \
        CHECK(good, "%s", what);                                                           \
        if (!good) TAP_NOTE("returned %d, got:\n%s# expected:\n%s", gr, got, expect);      \
        free(got);                                                                         \
        rw_diag_free(gd);                                                                  \
        (void)d;                                                                           \
    } while (0)

static void test_getters(void) {
    rw_diag *ld = rw_diag_new();
    rw_node *r = rw_config_load_string("g.yaml", getters_doc, ld);
    CHECK(r && rw_diag_errors(ld) == 0, "getter fixture loads");
    rw_diag_free(ld);
    if (!r) return;
    const char *W = "population 'exc' param 'tau_m'";
    double v = 0;
    int64_t i = 0;
    bool b = false;
    const char *s = NULL;
    int c = -1;

    GETTER_FAILS(rw_get_quantity(rw_map_get(r, "tau_m"), REWIRE_DIM_TIME, W, &v, d),
                 "g.yaml:1:8: error: population 'exc' param 'tau_m': expected a time (e.g. '20 ms'), "
                 "got a voltage '-65 mV'\n",
                 "quantity of the wrong dimension");
    GETTER_FAILS(rw_get_quantity(rw_map_get(r, "bare"), REWIRE_DIM_TIME, W, &v, d),
                 "g.yaml:2:7: error: population 'exc' param 'tau_m': expected a time with a unit, "
                 "e.g. '20 ms', got '20'\n",
                 "quantity without a unit");
    GETTER_FAILS(rw_get_quantity(rw_map_get(r, "fast"), REWIRE_DIM_TIME, W, &v, d),
                 "g.yaml:3:7: error: population 'exc' param 'tau_m': expected a time (e.g. '20 ms'), "
                 "got 'fast'\n",
                 "quantity that is not a number");
    GETTER_FAILS(rw_get_quantity(rw_map_get(r, "quoted"), REWIRE_DIM_TIME, W, &v, d),
                 "g.yaml:4:9: error: population 'exc' param 'tau_m': expected a time (e.g. '20 ms'), "
                 "got the quoted string \"20 ms\"; remove the quotes\n",
                 "quoted quantity is a string");
    GETTER_FAILS(rw_get_quantity(rw_map_get(r, "map"), REWIRE_DIM_VOLTAGE, "v_init", &v, d),
                 "g.yaml:5:6: error: v_init: expected a voltage (e.g. '-65 mV'), got a mapping\n",
                 "mapping where a quantity is expected");
    GETTER_FAILS(rw_get_quantity(rw_map_get(r, "seq"), REWIRE_DIM_FREQUENCY, "rate", &v, d),
                 "g.yaml:6:6: error: rate: expected a frequency (e.g. '5 Hz'), got a list\n",
                 "list where a quantity is expected");
    GETTER_FAILS(rw_get_quantity(rw_map_get(r, "empty"), REWIRE_DIM_CONDUCTANCE, "weight", &v, d),
                 "g.yaml:7:7: error: weight: expected a conductance (e.g. '0.5 nS'), got nothing\n",
                 "null where a quantity is expected");
    GETTER_FAILS(rw_get_quantity(rw_map_get(r, "unit"), REWIRE_DIM_TIME, "dt", &v, d),
                 "g.yaml:8:7: error: dt: unknown unit 'mz'; did you mean 'ms'?\n",
                 "unknown unit with a suggestion");
    GETTER_FAILS(rw_get_quantity(NULL, REWIRE_DIM_TIME, "dt", &v, d),
                 "error: dt: expected a time (e.g. '20 ms'), got nothing\n",
                 "a NULL node is reported, not dereferenced");
    rw_diag *d = rw_diag_new();
    CHECK(rw_get_quantity(rw_map_get(r, "good"), REWIRE_DIM_TIME, "t", &v, d) && v == 1500,
          "1.5 s is 1500 ms");
    CHECK(rw_get_quantity(rw_map_get(r, "real"), REWIRE_DIM_NONE, "p", &v, d) && v == 0.25,
          "a dimensionless quantity is a plain number");

    CHECK(rw_get_real(rw_map_get(r, "real"), "p", &v, d) && v == 0.25, "real 0.25");
    GETTER_FAILS(rw_get_real(rw_map_get(r, "good"), "p", &v, d),
                 "g.yaml:9:7: error: p: expected a number without a unit, got a time '1.5 s'\n",
                 "a unit on a dimensionless value");
    GETTER_FAILS(rw_get_real(rw_map_get(r, "fast"), "p", &v, d),
                 "g.yaml:3:7: error: p: expected a number, got 'fast'\n", "real: not a number");
    GETTER_FAILS(rw_get_real(rw_map_get(r, "qhalf"), "p", &v, d),
                 "g.yaml:21:8: error: p: expected a number, got the quoted string \"0.5\"\n",
                 "real: quoted");

    CHECK(rw_get_int(rw_map_get(r, "int"), "n", &i, d) && i == -12, "int -12");
    CHECK(rw_get_int(rw_map_get(r, "int_exp"), "n", &i, d) && i == 1000, "int 1e3 is 1000");
    GETTER_FAILS(rw_get_int(rw_map_get(r, "half"), "size", &i, d),
                 "g.yaml:13:7: error: size: expected an integer, got '3.5'\n", "3.5 is no integer");
    GETTER_FAILS(rw_get_int(rw_map_get(r, "huge"), "size", &i, d),
                 "g.yaml:14:7: error: size: integer '99999999999999999999' is out of range\n",
                 "integer overflow");
    GETTER_FAILS(rw_get_int(rw_map_get(r, "big"), "size", &i, d),
                 "g.yaml:22:6: error: size: integer '1e20' is out of range\n",
                 "integer beyond 2^53 in exponent form");
    GETTER_FAILS(rw_get_int(rw_map_get(r, "good"), "size", &i, d),
                 "g.yaml:9:7: error: size: expected an integer without a unit, got a time '1.5 s'\n",
                 "unit on an integer");
    GETTER_FAILS(rw_get_int(rw_map_get(r, "hex"), "size", &i, d),
                 "g.yaml:23:6: error: size: expected an integer, got '0x10'\n", "no hex");

    CHECK(rw_get_bool(rw_map_get(r, "yes"), "b", &b, d) && b, "yes is true");
    CHECK(rw_get_bool(rw_map_get(r, "off"), "b", &b, d) && !b, "Off is false");
    GETTER_FAILS(rw_get_bool(rw_map_get(r, "one"), "autapses", &b, d),
                 "g.yaml:17:6: error: autapses: expected true or false, got '1'\n", "1 is no bool");
    GETTER_FAILS(rw_get_bool(rw_map_get(r, "qtrue"), "autapses", &b, d),
                 "g.yaml:18:8: error: autapses: expected true or false, got the quoted string \"true\"\n",
                 "a quoted 'true' is a string");

    CHECK(rw_get_string(rw_map_get(r, "fast"), "name", &s, d) && !strcmp(s, "fast"), "string");
    CHECK(rw_get_string(rw_map_get(r, "bare"), "name", &s, d) && !strcmp(s, "20"),
          "a plain number is also a string");
    GETTER_FAILS(rw_get_string(rw_map_get(r, "map"), "name", &s, d),
                 "g.yaml:5:6: error: name: expected a string, got a mapping\n", "mapping as a string");
    GETTER_FAILS(rw_get_string(rw_map_get(r, "empty"), "name", &s, d),
                 "g.yaml:7:7: error: name: expected a string, got nothing\n", "null as a string");

    static const char *const models[] = {"lif_cuba", "lif_coba", "poisson", "spike_times", NULL};
    CHECK(rw_get_choice(rw_map_get(r, "fast"), (const char *const[]){"slow", "fast", NULL}, "speed",
                        &c, d) &&
              c == 1,
          "choice index");
    GETTER_FAILS(rw_get_choice(rw_map_get(r, "model"), models, "population 'exc' model", &c, d),
                 "g.yaml:19:8: error: population 'exc' model: expected one of lif_cuba, lif_coba, "
                 "poisson, spike_times, got 'lif_cub'; did you mean 'lif_cuba'?\n",
                 "choice with a suggestion");
    GETTER_FAILS(rw_get_choice(rw_map_get(r, "modelx"), models, "model", &c, d),
                 "g.yaml:20:9: error: model: expected one of lif_cuba, lif_coba, poisson, spike_times, "
                 "got 'izhikevich'\n",
                 "choice without a suggestion");

    CHECK(rw_check_range(rw_map_get(r, "good"), 1500, 0, 1e4, true, REWIRE_DIM_TIME, "dt", d),
          "in range");
    GETTER_FAILS(rw_check_range(rw_map_get(r, "good"), -1, 0, INFINITY, true, REWIRE_DIM_TIME,
                                "experiment dt", d),
                 "g.yaml:9:7: error: experiment dt must be > 0 ms (got -1 ms)\n", "open lower bound");
    GETTER_FAILS(rw_check_range(rw_map_get(r, "good"), 0, 0, INFINITY, true, REWIRE_DIM_TIME,
                                "experiment dt", d),
                 "g.yaml:9:7: error: experiment dt must be > 0 ms (got 0 ms)\n",
                 "the open bound itself is out");
    GETTER_FAILS(rw_check_range(rw_map_get(r, "good"), 20, 0, 10, true, REWIRE_DIM_TIME,
                                "experiment dt", d),
                 "g.yaml:9:7: error: experiment dt must be <= 10 ms (got 20 ms)\n", "upper bound");
    GETTER_FAILS(rw_check_range(rw_map_get(r, "int"), -3, 0, INFINITY, false, REWIRE_DIM_NONE,
                                "experiment seed", d),
                 "g.yaml:11:6: error: experiment seed must be >= 0 (got -3)\n", "dimensionless bound");
    CHECK(rw_check_range(NULL, 0, 0, 1, false, REWIRE_DIM_NONE, "p", d), "closed bound includes min");
    check_diag(d, "", "successful getters report nothing");
    rw_diag_free(d);

    /* Unknown keys. */
    static const char *const allowed[] = {"model", "size", "params", "v_init"};
    d = rw_diag_new();
    rw_node *m = rw_config_load_string("k.yaml", "model: x\nsise: 3\nparamz: {}\ncolour: red\n", d);
    CHECK(!rw_check_keys(m, allowed, 4, "population 'exc'", d), "unknown keys fail");
    check_diag(d,
               "k.yaml:2:1: error: unknown key 'sise' in population 'exc'; did you mean 'size'?\n"
               "k.yaml:3:1: error: unknown key 'paramz' in population 'exc'; did you mean 'params'?\n"
               "k.yaml:4:1: error: unknown key 'colour' in population 'exc'; expected one of: model, "
               "size, params, v_init\n"
               "3 errors\n",
               "every unknown key, with a suggestion or the list");
    rw_diag_free(d);
    d = rw_diag_new();
    CHECK(rw_check_keys(rw_map_get(m, "paramz"), allowed, 4, "p", d),
          "an empty map has no unknown keys");
    rw_node_free(m);
    GETTER_FAILS(rw_check_keys(rw_map_get(r, "seq"), allowed, 4, "populations", d),
                 "g.yaml:6:6: error: populations: expected a mapping, got a list\n", "list as a map");
    GETTER_FAILS(rw_check_keys(rw_map_get(r, "fast"), allowed, 4, "populations", d),
                 "g.yaml:3:7: error: populations: expected a mapping, got 'fast'\n", "scalar as a map");
    GETTER_FAILS(rw_check_keys(rw_map_get(r, "empty"), allowed, 4, "populations", d),
                 "g.yaml:7:7: error: populations: expected a mapping, got nothing\n", "null as a map");
    rw_diag_free(d);
    rw_node_free(r);
}

/* ---- plugin parameters ---- */

static const char *const modes[] = {"additive", "multiplicative", NULL};
static const rewire_param_spec stdp[] = {
    {.name = "tau_plus", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_TIME,
     .flags = REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_MIN_EXCLUSIVE, .def_real = 20, .min = 0},
    {.name = "tau_minus", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_TIME, .def_real = 20},
    {.name = "A_plus", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_NONE,
     .flags = REWIRE_PARAM_REQUIRED | REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_HAS_MAX, .min = 0, .max = 1},
    {.name = "w_max", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_WEIGHT,
     .flags = REWIRE_PARAM_HAS_MIN, .def_real = 1, .min = 0},
    {.name = "mode", .type = REWIRE_PARAM_ENUM, .def_int = 1, .choices = modes},
    {.name = "n_pairs", .type = REWIRE_PARAM_INT, .flags = REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_HAS_MAX,
     .def_int = 3, .min = 1, .max = 100},
    {.name = "symmetric", .type = REWIRE_PARAM_BOOL, .def_int = 1},
    {.name = "label", .type = REWIRE_PARAM_STRING, .def_string = "stdp"},
};
#define N_STDP ((uint32_t)(sizeof stdp / sizeof *stdp))
static const char STDP[] = "learning rule 'stdp'";

static void test_params(void) {
    rewire_param_value v[N_STDP];
    rw_diag *d = rw_diag_new();
    rw_node *r = rw_config_load_string("p.yaml", "A_plus: 0.01\n", d);
    CHECK(rw_params_from_config(stdp, N_STDP, r, (rw_loc){0}, REWIRE_DIM_CONDUCTANCE, STDP, v, d),
          "only the required parameter given");
    CHECK(v[0].real == 20 && v[1].real == 20 && v[2].real == 0.01 && v[3].real == 1 &&
              v[4].choice == 1 && v[5].integer == 3 && v[6].boolean && !strcmp(v[7].string, "stdp"),
          "defaults fill the rest, in schema order");
    rw_node_free(r);

    r = rw_config_load_string("p.yaml",
                              "tau_plus: 0.5 s\nA_plus: 1\nw_max: 2 nS\nmode: additive\n"
                              "n_pairs: 100\nsymmetric: false\nlabel: mine\n",
                              d);
    CHECK(rw_params_from_config(stdp, N_STDP, r, (rw_loc){0}, REWIRE_DIM_CONDUCTANCE, STDP, v, d) &&
              v[0].real == 500 && v[2].real == 1 && v[3].real == 2 && v[4].choice == 0 &&
              v[5].integer == 100 && !v[6].boolean && !strcmp(v[7].string, "mine"),
          "every type read, in internal units, bounds inclusive");
    rw_node_free(r);
    check_diag(d, "", "valid parameters report nothing");
    rw_diag_free(d);

    d = rw_diag_new();
    r = rw_config_load_string("p.yaml", "w_max: 2 pA\n", d);
    CHECK(rw_params_from_config(stdp, N_STDP, r, (rw_loc){0}, REWIRE_DIM_CURRENT, STDP, v, d) == false,
          "missing required parameter fails");
    CHECK(v[3].real == 2, "weight dimension follows the projection (pA onto current-based)");
    check_diag(d, "p.yaml:1:1: error: missing required parameter 'A_plus' for learning rule 'stdp'\n",
               "missing required is reported at the params map");
    rw_node_free(r);
    rw_diag_free(d);

    d = rw_diag_new();
    const char *bad = "tau_plu: 10 ms\n"     /* 1 */
                      "tau_minus: -5 mV\n"   /* 2 */
                      "A_plus: 2\n"          /* 3 */
                      "w_max: 1 pA\n"        /* 4 */
                      "mode: additiv\n"      /* 5 */
                      "n_pairs: 3.5\n"       /* 6 */
                      "symmetric: maybe\n"   /* 7 */
                      "label: [x]\n"         /* 8 */
                      "colour: red\n"        /* 9 */
                      "tau_plus: 0 ms\n";    /* 10 */
    r = rw_config_load_string("p.yaml", bad, d);
    CHECK(!rw_params_from_config(stdp, N_STDP, r, (rw_loc){0}, REWIRE_DIM_CONDUCTANCE, STDP, v, d),
          "bad parameters fail");
    check_diag(d,
               "p.yaml:1:1: error: unknown parameter 'tau_plu' for learning rule 'stdp'; did you mean "
               "'tau_plus'?\n"
               "p.yaml:2:12: error: parameter 'tau_minus' of learning rule 'stdp': expected a time "
               "(e.g. '20 ms'), got a voltage '-5 mV'\n"
               "p.yaml:3:9: error: parameter 'A_plus' of learning rule 'stdp' must be <= 1 (got 2)\n"
               "p.yaml:4:8: error: parameter 'w_max' of learning rule 'stdp': expected a conductance "
               "(e.g. '0.5 nS'), got a current '1 pA'\n"
               "p.yaml:5:7: error: parameter 'mode' of learning rule 'stdp': expected one of additive, "
               "multiplicative, got 'additiv'; did you mean 'additive'?\n"
               "p.yaml:6:10: error: parameter 'n_pairs' of learning rule 'stdp': expected an integer, "
               "got '3.5'\n"
               "p.yaml:7:12: error: parameter 'symmetric' of learning rule 'stdp': expected true or "
               "false, got 'maybe'\n"
               "p.yaml:8:8: error: parameter 'label' of learning rule 'stdp': expected a string, got a "
               "list\n"
               "p.yaml:9:1: error: unknown parameter 'colour' for learning rule 'stdp'; expected one of: "
               "tau_plus, tau_minus, A_plus, w_max, mode, n_pairs, symmetric, label\n"
               "p.yaml:10:11: error: parameter 'tau_plus' of learning rule 'stdp' must be > 0 ms (got "
               "0 ms)\n"
               "10 errors\n",
               "all errors reported, each at its value");
    rw_node_free(r);
    rw_diag_free(d);

    d = rw_diag_new();
    CHECK(!rw_params_from_config(stdp, N_STDP, NULL, (rw_loc){"e.yaml", 7, 3},
                                 REWIRE_DIM_CONDUCTANCE, STDP, v, d),
          "no params map at all");
    check_diag(d, "e.yaml:7:3: error: missing required parameter 'A_plus' for learning rule 'stdp'\n",
               "missing required reported at `where` without a map");
    rw_diag_free(d);

    d = rw_diag_new();
    r = rw_config_load_string("p.yaml", "params:\nn_pairs: 0\n", d);
    CHECK(!rw_params_from_config(stdp, N_STDP, rw_map_get(r, "params"), (rw_loc){0},
                                 REWIRE_DIM_CONDUCTANCE, STDP, v, d),
          "'params:' with nothing is like no params");
    check_diag(d, "p.yaml:1:8: error: missing required parameter 'A_plus' for learning rule 'stdp'\n",
               "reported at the empty value");
    rw_node_free(r);
    rw_diag_free(d);

    d = rw_diag_new();
    r = rw_config_load_string("p.yaml", "params: [1]\nn_pairs: 0\n", d);
    CHECK(!rw_params_from_config(stdp, N_STDP, rw_map_get(r, "params"), (rw_loc){0},
                                 REWIRE_DIM_CONDUCTANCE, STDP, v, d),
          "params that are a list");
    check_diag(d, "p.yaml:1:9: error: parameters of learning rule 'stdp': expected a mapping, got a list\n",
               "params must be a mapping");
    /* The INT bound, through rw_map_get on the same document's root. */
    rw_diag_free(d);
    d = rw_diag_new();
    rw_node *pairs = rw_config_load_string("q.yaml", "A_plus: 0\nn_pairs: 0\n", d);
    CHECK(!rw_params_from_config(stdp, N_STDP, pairs, (rw_loc){0}, REWIRE_DIM_CONDUCTANCE, STDP, v, d),
          "integer below its minimum");
    check_diag(d, "q.yaml:2:10: error: parameter 'n_pairs' of learning rule 'stdp' must be >= 1 (got 0)\n",
               "integer bounds");
    rw_node_free(pairs);
    rw_node_free(r);
    rw_diag_free(d);

    d = rw_diag_new();
    r = rw_config_load_string("c.yaml", "precision: 9\n", d);
    CHECK(!rw_params_from_config(NULL, 0, r, (rw_loc){0}, REWIRE_DIM_NONE, "output 'csv'", v, d),
          "a plugin without parameters");
    check_diag(d, "c.yaml:1:1: error: unknown parameter 'precision' for output 'csv'; it takes no parameters\n",
               "says it takes none");
    rw_node_free(r);
    rw_diag_free(d);
}

int main(void) {
    test_positions();
    test_syntax_errors();
    test_duplicates_and_empty();
    test_files();
    test_set();
    test_getters();
    test_params();
    return tap_done();
}
