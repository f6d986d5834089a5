/* Whether a plugin file's descriptors are well formed: the table of plugin kinds, and
 * the checks of a plugin table and of each descriptor (names, kind, function table,
 * parameter specs).  The loader (loader.c) runs them on every file before registering
 * any of its plugins; see plugin_check.h for what they leave to it.
 */
#include "plugin_check.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h" /* declares rw_kind_name and rw_kind_noun, defined here */

/* A plugin table longer than this is surely garbage (an uninitialised count). */
#define MAX_PLUGINS_PER_FILE 4096u

/* ---- reporting ---- */

void rw_plugin_vfile_error(const char *path, rw_diag *d, const char *fmt, va_list ap) {
    char *msg = NULL;
    int n = vasprintf(&msg, fmt, ap);
    rw_diag_error(d, (rw_loc){path, 0, 0}, "%s",
                  n < 0 ? "out of memory while reporting a plugin error" : msg);
    free(msg);
}

void rw_plugin_file_error(const char *path, rw_diag *d, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    rw_plugin_vfile_error(path, d, fmt, ap);
    va_end(ap);
}

/* ---- kinds ---- */

static const rw_kind_info kinds[] = {
    /* Learning-rule tables grew in ABI 1.1 (row_reserve): a 1.0 table ends before it. */
    {REWIRE_KIND_LEARNING_RULE, "learning-rule", "learning rule", "a learning rule",
     "learning rules", (uint32_t)offsetof(rewire_learning_rule_v1, row_reserve)},
    {REWIRE_KIND_INJURY, "injury", "injury", "an injury", "injuries",
     (uint32_t)sizeof(rewire_injury_v1)},
    {REWIRE_KIND_INTERVENTION, "intervention", "intervention", "an intervention",
     "interventions", (uint32_t)sizeof(rewire_intervention_v1)},
    {REWIRE_KIND_OUTPUT, "output", "output", "an output", "outputs",
     (uint32_t)sizeof(rewire_output_v1)},
};

const rw_kind_info *rw_find_kind_info(rewire_kind kind) {
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (kinds[i].kind == kind) return &kinds[i];
    return NULL;
}

const char *rw_kind_name(rewire_kind kind) {
    const rw_kind_info *k = rw_find_kind_info(kind);
    return k ? k->id : "unknown";
}

const char *rw_kind_noun(rewire_kind kind) {
    const rw_kind_info *k = rw_find_kind_info(kind);
    return k ? k->noun : "plugin";
}

/* ---- table checks ---- */

bool rw_check_plugin_table(const char *path, const rewire_plugin_table *table, rw_diag *d) {
    if (table->abi_major != REWIRE_ABI_MAJOR) {
        rw_plugin_file_error(path, d,
                             "this plugin file was built for rewire plugin ABI %u.%u, this rewire "
                             "speaks ABI %u.%u: rebuild it against this SDK",
                             table->abi_major, table->abi_minor, REWIRE_ABI_MAJOR,
                             REWIRE_ABI_MINOR);
        return false;
    }
    if (table->count == 0) {
        rw_plugin_file_error(path, d,
                             "this plugin file declares no plugins: its plugin table is empty "
                             "(list the descriptors in REWIRE_PLUGIN_ENTRY)");
        return false;
    }
    if (!table->plugins || table->count > MAX_PLUGINS_PER_FILE) {
        rw_plugin_file_error(path, d,
                             "malformed plugin table: %s (define the entry with "
                             "REWIRE_PLUGIN_ENTRY from <rewire/plugin.h>)",
                             !table->plugins ? "the descriptor list is NULL"
                                             : "implausible count of plugins");
        return false;
    }
    return true;
}

/* ---- descriptor checks ---- */

/* Plugin names: [a-z][a-z0-9_]* (they become experiment keys and file names). */
static bool valid_plugin_name(const char *s) {
    if (!(s[0] >= 'a' && s[0] <= 'z')) return false;
    for (const char *p = s + 1; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) return false;
    return true;
}

/* Parameter names: [A-Za-z_][A-Za-z0-9_]* (A_plus, tau_m, w_max). */
static bool valid_param_name(const char *s) {
    if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_'))
        return false;
    for (const char *p = s + 1; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_'))
            return false;
    return true;
}

static bool known_dim(rewire_dim dim) {
    return (dim >= REWIRE_DIM_NONE && dim <= REWIRE_DIM_LENGTH) || dim == REWIRE_DIM_WEIGHT;
}

/* Collects the problems of one descriptor, each as "malformed plugin descriptor WHO: ...". */
typedef struct desc_check {
    const char *path;
    rw_diag *d;
    char who[96]; /* "'stdp'" or "#2" */
    int errors;
    uint32_t abi_minor; /* the descriptor's: which parameter types it may use */
} desc_check;

__attribute__((format(printf, 2, 3))) static void bad(desc_check *c, const char *fmt, ...) {
    char *msg = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&msg, fmt, ap);
    va_end(ap);
    /* The loader adds the origin note once, after the file's last error. */
    rw_plugin_file_error(c->path, c->d,
                         "malformed plugin descriptor %s: %s (fix the plugin's descriptor)", c->who,
                         n < 0 ? "?" : msg);
    free(msg);
    c->errors++;
}

/* Is `value` inside the spec's bounds? */
static bool within_bounds(const rewire_param_spec *p, double value) {
    if (p->flags & REWIRE_PARAM_HAS_MIN) {
        if (p->flags & REWIRE_PARAM_MIN_EXCLUSIVE ? !(value > p->min) : !(value >= p->min))
            return false;
    }
    if ((p->flags & REWIRE_PARAM_HAS_MAX) && !(value <= p->max)) return false;
    return true;
}

static void describe_bounds(const rewire_param_spec *p, char *buf, size_t size) {
    const bool has_min = p->flags & REWIRE_PARAM_HAS_MIN, has_max = p->flags & REWIRE_PARAM_HAS_MAX;
    const char *open = (p->flags & REWIRE_PARAM_MIN_EXCLUSIVE) ? "(" : "[";
    if (has_min && has_max)
        snprintf(buf, size, "%s%g, %g]", open, p->min, p->max);
    else if (has_min)
        snprintf(buf, size, "%s%g, inf)", open, p->min);
    else
        snprintf(buf, size, "(-inf, %g]", p->max);
}

static void check_param(desc_check *c, const rewire_param_spec *params, uint32_t k) {
    const rewire_param_spec *p = &params[k];
    if (!p->name || !p->name[0]) {
        bad(c, "parameter #%u has no name", k);
        return;
    }
    if (!valid_param_name(p->name)) {
        bad(c, "parameter name '%s' is invalid: use letters, digits and '_', not starting with a digit",
            p->name);
        return;
    }
    for (uint32_t i = 0; i < k; i++) {
        if (params[i].name && strcmp(params[i].name, p->name) == 0) {
            bad(c, "parameter '%s' is declared twice", p->name);
            return;
        }
    }
    const bool required = p->flags & REWIRE_PARAM_REQUIRED;
    char bounds[96];
    switch (p->type) {
    case REWIRE_PARAM_REAL:
    case REWIRE_PARAM_INT:
        if (p->type == REWIRE_PARAM_REAL && !known_dim(p->dim))
            bad(c, "parameter '%s' has unknown dimension %d", p->name, (int)p->dim);
        if ((p->flags & REWIRE_PARAM_HAS_MIN) && (p->flags & REWIRE_PARAM_HAS_MAX) && p->min > p->max)
            bad(c, "parameter '%s' has min %g above max %g", p->name, p->min, p->max);
        if (!required && (p->flags & (REWIRE_PARAM_HAS_MIN | REWIRE_PARAM_HAS_MAX))) {
            double def = p->type == REWIRE_PARAM_REAL ? p->def_real : (double)p->def_int;
            if (!within_bounds(p, def)) {
                describe_bounds(p, bounds, sizeof bounds);
                bad(c, "parameter '%s' has default %g outside its bounds %s", p->name, def, bounds);
            }
        }
        break;
    case REWIRE_PARAM_BOOL:
        if (!required && p->def_int != 0 && p->def_int != 1)
            bad(c, "boolean parameter '%s' has default %lld (use 0 or 1)", p->name,
                (long long)p->def_int);
        break;
    case REWIRE_PARAM_ENUM: {
        if (!p->choices || !p->choices[0]) {
            bad(c, "enum parameter '%s' has no choices (a NULL-terminated list)", p->name);
            break;
        }
        int64_t n_choices = 0;
        while (p->choices[n_choices]) n_choices++;
        if (!required && (p->def_int < 0 || p->def_int >= n_choices))
            bad(c, "enum parameter '%s' has default index %lld but only %lld choices", p->name,
                (long long)p->def_int, (long long)n_choices);
        break;
    }
    case REWIRE_PARAM_STRING:
        break;
    case REWIRE_PARAM_SELECTION:
    case REWIRE_PARAM_PROJECTIONS:
    case REWIRE_PARAM_POPULATIONS:
        /* An older plugin cannot know these values are pointers: refuse, never guess. */
        if (c->abi_minor < 2)
            bad(c, "parameter '%s' has type %s (%d), which needs plugin ABI 1.2, and the "
                "descriptor declares ABI %u.%u (rebuild it against this SDK)",
                p->name, p->type == REWIRE_PARAM_SELECTION     ? "selection"
                         : p->type == REWIRE_PARAM_PROJECTIONS ? "projections"
                                                               : "populations",
                (int)p->type, REWIRE_ABI_MAJOR, c->abi_minor);
        break;
    default:
        bad(c, "parameter '%s' has unknown type %d", p->name, (int)p->type);
        break;
    }
}

/* The hooks every instance of a kind needs (the optional ones may be NULL). */
static void check_functions(desc_check *c, rewire_kind kind, const void *functions) {
    struct hook {
        const char *name;
        bool missing;
    } hooks[8];
    size_t n = 0;
#define HOOK(T, field) hooks[n++] = (struct hook){#field, ((const T *)functions)->field == NULL}
    switch (kind) {
    case REWIRE_KIND_LEARNING_RULE: {
        const rewire_learning_rule_v1 *t = functions;
        HOOK(rewire_learning_rule_v1, create);
        HOOK(rewire_learning_rule_v1, start);
        HOOK(rewire_learning_rule_v1, on_pre);
        HOOK(rewire_learning_rule_v1, on_post);
        HOOK(rewire_learning_rule_v1, destroy);
        if (t->flags & REWIRE_RULE_ON_SLICE) HOOK(rewire_learning_rule_v1, on_slice);
        if (t->flags & REWIRE_RULE_STRUCTURAL) {
            if (REWIRE_HAS_FIELD(rewire_learning_rule_v1, t->struct_size, row_reserve))
                HOOK(rewire_learning_rule_v1, row_reserve);
            else
                bad(c, "learning rule is structural (REWIRE_RULE_STRUCTURAL) but its table "
                       "(%u bytes) has no row_reserve function (ABI 1.1)", t->struct_size);
        }
        if (t->n_syn_state > 0 && !t->syn_state_names)
            bad(c, "learning rule declares %u per-synapse state arrays but no syn_state_names",
                t->n_syn_state);
        break;
    }
    case REWIRE_KIND_INJURY:
        HOOK(rewire_injury_v1, create);
        HOOK(rewire_injury_v1, apply);
        HOOK(rewire_injury_v1, destroy);
        break;
    case REWIRE_KIND_INTERVENTION:
        HOOK(rewire_intervention_v1, create);
        HOOK(rewire_intervention_v1, begin);
        HOOK(rewire_intervention_v1, end);
        HOOK(rewire_intervention_v1, destroy);
        break;
    case REWIRE_KIND_OUTPUT:
        HOOK(rewire_output_v1, create);
        HOOK(rewire_output_v1, start);
        HOOK(rewire_output_v1, write);
        HOOK(rewire_output_v1, finish);
        HOOK(rewire_output_v1, destroy);
        break;
    }
#undef HOOK
    for (size_t i = 0; i < n; i++)
        if (hooks[i].missing) bad(c, "function '%s' is NULL", hooks[i].name);
}

/* Errors come without the origin note: the loader adds it once per file. */
bool rw_check_descriptor(const char *path, uint32_t index, const rewire_plugin_descriptor *desc,
                         rw_diag *d) {
    desc_check c = {path, d, "", 0, desc ? desc->abi_minor : 0};
    snprintf(c.who, sizeof c.who, "#%u", index);
    if (!desc) {
        bad(&c, "the descriptor pointer is NULL");
        return false;
    }
    /* The name, if the descriptor is large enough to have one, makes messages readable. */
    const bool has_name = REWIRE_HAS_FIELD(rewire_plugin_descriptor, desc->struct_size, name) &&
                          desc->name && desc->name[0] && strlen(desc->name) < 64;
    if (has_name) snprintf(c.who, sizeof c.who, "'%s'", desc->name);

    if (desc->abi_major != REWIRE_ABI_MAJOR) {
        rw_plugin_file_error(path, d,
                             "plugin %s was built for rewire plugin ABI %u.%u, this rewire speaks "
                             "ABI %u.%u: rebuild it against this SDK",
                             c.who, desc->abi_major, desc->abi_minor, REWIRE_ABI_MAJOR,
                             REWIRE_ABI_MINOR);
        return false;
    }
    if (desc->struct_size < sizeof(rewire_plugin_descriptor)) {
        bad(&c, "struct_size is %u bytes, a v1 descriptor has %zu", desc->struct_size,
            sizeof(rewire_plugin_descriptor));
        return false;
    }
    if (!desc->name || !desc->name[0]) {
        bad(&c, "the plugin has no name");
    } else if (!valid_plugin_name(desc->name)) {
        bad(&c, "name '%s' is invalid: use lower-case letters, digits and '_', starting with a letter",
            desc->name);
    }
    if (!desc->version || !desc->version[0]) bad(&c, "the plugin has no version string");
    if (!desc->summary) bad(&c, "the plugin has no summary line");

    const rw_kind_info *k = rw_find_kind_info(desc->kind);
    if (!k) {
        bad(&c, "unknown kind %d (expected %d learning-rule, %d injury, %d intervention or %d output)",
            (int)desc->kind, REWIRE_KIND_LEARNING_RULE, REWIRE_KIND_INJURY,
            REWIRE_KIND_INTERVENTION, REWIRE_KIND_OUTPUT);
    }
    if (!desc->functions) {
        bad(&c, "the function table is NULL");
    } else if (k) {
        uint32_t own_size = *(const uint32_t *)desc->functions;
        if (desc->functions_size < k->v1_size)
            bad(&c, "functions_size is %u bytes, smaller than the v1 %s table (%u bytes)",
                desc->functions_size, k->id, k->v1_size);
        else if (own_size != desc->functions_size)
            bad(&c, "the function table's struct_size (%u) differs from functions_size (%u)",
                own_size, desc->functions_size);
        else
            check_functions(&c, desc->kind, desc->functions);
    }
    if (desc->n_params > 0 && !desc->params) {
        bad(&c, "n_params is %u but params is NULL", desc->n_params);
    } else {
        for (uint32_t i = 0; i < desc->n_params; i++) check_param(&c, desc->params, i);
    }
    return c.errors == 0;
}
