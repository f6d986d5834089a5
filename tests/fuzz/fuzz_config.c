/* Fuzz target for the config tree: parse arbitrary bytes as YAML, run every typed getter
 * and the parameter validator on every node, apply the first line as a --set argument,
 * dump the tree and parse the dump again.  Nothing may crash, leak or trip a sanitizer.
 *
 * Built with -Dfuzzing=true under clang it links libFuzzer; otherwise replay_main.c
 * runs it over a corpus as an ordinary test. */
#include "config.h"
#include "units.h"
#include <stdlib.h>
#include <string.h>

static const char *const choices[] = {"a", "lif_cuba", "x", NULL};
static const char *const allowed[] = {"a", "b", "model", "size"};
static const rewire_param_spec schema[] = {
    {.name = "a", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_TIME, .flags = REWIRE_PARAM_HAS_MIN, .min = 0},
    {.name = "b", .type = REWIRE_PARAM_INT, .flags = REWIRE_PARAM_REQUIRED},
    {.name = "c", .type = REWIRE_PARAM_ENUM, .choices = choices},
    {.name = "d", .type = REWIRE_PARAM_BOOL},
    {.name = "e", .type = REWIRE_PARAM_STRING},
    {.name = "w", .type = REWIRE_PARAM_REAL, .dim = REWIRE_DIM_WEIGHT},
};

static void walk(const rw_node *n, rw_diag *d, int depth) {
    double v; int64_t i; bool b; const char *s; int c;
    rw_get_quantity(n, (rewire_dim)(depth % 9), "w", &v, d);
    rw_get_real(n, "w", &v, d);
    rw_get_int(n, "w", &i, d);
    rw_get_bool(n, "w", &b, d);
    rw_get_string(n, "w", &s, d);
    rw_get_choice(n, choices, "w", &c, d);
    rw_check_keys(n, allowed, 4, "w", d);
    rewire_param_value vals[6];
    rw_params_from_config(schema, 6, n, n->loc, REWIRE_DIM_CONDUCTANCE, "p 'x'", vals, d);
    if (n->type == RW_NODE_SCALAR) {
        rewire_dim dim; char err[64];
        rw_parse_quantity(n->scalar, &v, &dim, err, sizeof err);
    }
    if (n->type != RW_NODE_SCALAR)
        for (size_t k = 0; k < n->n; k++) walk(n->items[k], d, depth + 1);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = 0;
    rw_diag *d = rw_diag_new();
    /* the first line (if short) doubles as a --set argument */
    char *nl = strchr(text, '\n');
    rw_node *root = rw_config_load_string("f.yaml", nl ? nl + 1 : text, d);
    if (root) {
        walk(root, d, 0);
        if (nl) { *nl = 0; rw_config_set(root, text, 1, d); }
        char *y = rw_config_dump(root);
        if (y) {
            rw_node *again = rw_config_load_string("dump.yaml", y, d);
            rw_node_free(again);
            free(y);
        }
        rw_node_free(root);
    }
    char *out = rw_diag_format(d);
    free(out);
    rw_diag_free(d);
    free(text);
    return 0;
}
