/* The plugin registry: what loads, what is refused and the exact words of each refusal.
 *
 * usage: test_loader BROKEN_DIR STDP.so CSV.so NPY.so
 *   BROKEN_DIR holds the deliberately broken plugins of broken/meson.build.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fake_host.h"
#include "loader.h"
#include "tap.h"
#include "test_support.h"

static const char *broken_dir, *stdp_so, *csv_so, *npy_so;

static const rw_loc no_origin = {NULL, 0, 0};

static void show_text(const char *label, const char *line, const char *text) {
    printf("#   %s: %s\n#   in:\n", label, line);
    for (const char *p = text ? text : ""; *p;) {
        const char *end = strchr(p, '\n');
        int len = end ? (int)(end - p) : (int)strlen(p);
        printf("#     %.*s\n", len, p);
        p += len + (end ? 1 : 0);
    }
}

/* One test point: `line` is a whole line of `text`; on failure shows both. */
__attribute__((format(printf, 3, 4))) static int check_line(const char *text, const char *line,
                                                             const char *fmt, ...) {
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    int ok = tap_check(has_line(text, line), "%s", what);
    if (!ok) show_text("expected the line", line, text);
    return ok;
}
#define CHECK_LINE check_line

/* One test point: line `second` comes right after line `first` in `text`. */
static int check_follows(const char *text, const char *first, const char *second, const char *what) {
    int ok = tap_check(lines_follow(text, first, second), "%s", what);
    if (!ok) show_text("expected after the previous line", second, text);
    return ok;
}

/* BROKEN_DIR/name.so, into buf. */
static const char *broken(const char *name, char *buf, size_t size) {
    snprintf(buf, size, "%s/%s.so", broken_dir, name);
    return buf;
}

/* Load one file into a fresh registry; return its diagnostics as text. */
static char *load_alone(const char *path, size_t *n_errors, size_t *n_plugins) {
    rw_diag *d = rw_diag_new();
    rw_registry *r = rw_registry_new();
    rw_registry_load_file(r, path, no_origin, d);
    *n_errors = rw_diag_errors(d);
    *n_plugins = rw_registry_count(r);
    char *text = diag_text(d);
    rw_diag_free(d);
    rw_registry_free(r);
    return text;
}

static void test_refusal(const char *name, const char *expected_message) {
    char path[4096], line[8192];
    size_t n_errors, n_plugins;
    char *text = load_alone(broken(name, path, sizeof path), &n_errors, &n_plugins);
    snprintf(line, sizeof line, "%s: error: %s", path, expected_message);
    CHECK(n_errors == 1 && n_plugins == 0, "%s: one error, nothing registered", name);
    CHECK_LINE(text, line, "%s: the message names the file and the cause", name);
    free(text);
}

static void test_no_entry_symbol(void) {
    test_refusal("broken-no-entry",
                 "not a rewire plugin: no 'rewire_plugin_entry' symbol (build it with "
                 "REWIRE_PLUGIN_ENTRY from <rewire/plugin.h>, or remove it from this plugin folder)");
}

static void test_null_table(void) {
    test_refusal("broken-null-table",
                 "'rewire_plugin_entry' returned NULL instead of the plugin table (define it with "
                 "REWIRE_PLUGIN_ENTRY from <rewire/plugin.h>)");
}

static void test_abi_major(void) {
    char msg[512];
    snprintf(msg, sizeof msg,
             "this plugin file was built for rewire plugin ABI 2.0, this rewire speaks ABI %d.%d: "
             "rebuild it against this SDK",
             REWIRE_ABI_MAJOR, REWIRE_ABI_MINOR);
    test_refusal("broken-abi2-table", msg);
    snprintf(msg, sizeof msg,
             "plugin 'future_rule' was built for rewire plugin ABI 2.3, this rewire speaks ABI "
             "%d.%d: rebuild it against this SDK",
             REWIRE_ABI_MAJOR, REWIRE_ABI_MINOR);
    test_refusal("broken-abi2-descriptor", msg);
}

static void test_malformed(void) {
    char path[4096], line[8192];
    broken("broken-malformed", path, sizeof path);
    rw_diag *d = rw_diag_new();
    rw_registry *r = rw_registry_new();
    rw_registry_load_file(r, path, no_origin, d);
    char *text = diag_text(d);
    static const char *const reasons[] = {
        "'Bad-Name': name 'Bad-Name' is invalid: use lower-case letters, digits and '_', "
        "starting with a letter",
        "#1: the plugin has no name",
        "'bad_kind': unknown kind 9 (expected 1 learning-rule, 2 injury, 3 intervention or 4 output)",
        "'no_functions': the function table is NULL",
        NULL, /* short_functions: sizes filled in below */
        NULL, /* tiny */
        "'params_null': n_params is 2 but params is NULL",
        "'enum_no_choices': enum parameter 'mode' has no choices (a NULL-terminated list)",
        "'default_out': parameter 'tau' has default 500 outside its bounds [0, 100]",
        "'no_create': function 'create' is NULL",
    };
    const size_t n_reasons = sizeof reasons / sizeof reasons[0];
    char short_reason[256], tiny_reason[256];
    snprintf(short_reason, sizeof short_reason,
             "'short_functions': functions_size is %zu bytes, smaller than the v1 learning-rule "
             "table (%zu bytes)",
             sizeof(struct {
                 uint32_t struct_size, flags, n_syn_state;
                 const char *const *syn_state_names;
             }),
             offsetof(rewire_learning_rule_v1, row_reserve)); /* the 1.0 table */
    snprintf(tiny_reason, sizeof tiny_reason, "#5: struct_size is 8 bytes, a v1 descriptor has %zu",
             sizeof(rewire_plugin_descriptor));
    for (size_t i = 0; i < n_reasons; i++) {
        const char *reason = reasons[i] ? reasons[i] : i == 4 ? short_reason : tiny_reason;
        snprintf(line, sizeof line, "%s: error: malformed plugin descriptor %s (fix the plugin's descriptor)",
                 path, reason);
        CHECK_LINE(text, line, "malformed descriptor %zu", i);
    }
    CHECK(rw_diag_errors(d) == n_reasons, "one error per malformed descriptor (%zu)",
          rw_diag_errors(d));
    CHECK(rw_registry_count(r) == 0 && !rw_registry_find(r, "innocent"),
          "a file with a malformed descriptor registers none of its plugins");
    free(text);
    rw_diag_free(d);
    rw_registry_free(r);

    /* Ten errors, one note saying where the file was listed, after the last of them. */
    d = rw_diag_new();
    r = rw_registry_new();
    rw_registry_load_file(r, path, (rw_loc){"exp.yaml", 2, 3}, d);
    text = diag_text(d);
    const char *note = "exp.yaml:2:3: note: this plugin file was listed here";
    size_t notes = 0;
    for (const char *p = text; p && (p = strstr(p, note)); p += strlen(note)) notes++;
    snprintf(line, sizeof line,
             "%s: error: malformed plugin descriptor 'no_create': function 'create' is NULL (fix "
             "the plugin's descriptor)",
             path);
    CHECK(notes == 1 && lines_follow(text, line, note),
          "the origin note comes once per file, after its last error (%zu)", notes);
    free(text);
    rw_diag_free(d);
    rw_registry_free(r);
}

static void test_newer_minor_loads(void) {
    char path[4096];
    rw_diag *d = rw_diag_new();
    rw_registry *r = rw_registry_new();
    rw_registry_load_file(r, broken("newer-minor", path, sizeof path), no_origin, d);
    const rw_plugin *p = rw_registry_find(r, "newer_rule");
    CHECK(rw_diag_errors(d) == 0, "a newer minor version (larger tables) loads without error");
    CHECK(p && p->desc->kind == REWIRE_KIND_LEARNING_RULE && p->desc->abi_minor == REWIRE_ABI_MINOR + 1 &&
              p->desc->functions_size > sizeof(rewire_learning_rule_v1),
          "its descriptor is registered as it is");
    CHECK(p && strcmp(p->path, path) == 0, "the plugin remembers its file");
    print_as_comment(d);
    rw_diag_free(d);
    rw_registry_free(r);
}

/* create() explains its failure through host->set_error; the message reaches the host. */
static void test_create_error_surfaces(void) {
    char path[4096];
    rw_registry *r;
    const rw_plugin *p = load_plugin(broken("broken-create-fails", path, sizeof path),
                                     "failing_output", &r);
    CHECK(p && p->desc->kind == REWIRE_KIND_OUTPUT, "the failing output loads");
    if (p) {
        fake_host fh;
        if (fake_host_init(&fh, "output 'failing_output'", NULL)) {
            const rewire_output_v1 *out = p->desc->functions;
            rewire_param_value params[1] = {{.string = "10.0.0.1:4000"}};
            void *instance = (void *)&fh;
            int rc = out->create(&fh.host, params, &instance);
            CHECK(rc == REWIRE_EPLUGIN, "create fails with its own status");
            CHECK(strcmp(fh.last_error, "cannot reach the recorder at 10.0.0.1:4000: connection refused") == 0,
                  "its set_error message reaches the host: '%s'", fh.last_error);
            fake_host_cleanup(&fh);
        }
    }
    rw_registry_free(r);
}

static void test_duplicates(void) {
    char dir[4096], a[4096], b[4096], path_a[4200], path_b[4200], line[9000], note[9000], origin[9000];
    if (!temp_dir(dir, sizeof dir)) return;
    link_into(dir, "twin-a.so", broken("broken-twin-a", a, sizeof a));
    link_into(dir, "twin-b.so", broken("broken-twin-b", b, sizeof b));
    snprintf(path_a, sizeof path_a, "%s/twin-a.so", dir);
    snprintf(path_b, sizeof path_b, "%s/twin-b.so", dir);

    rw_diag *d = rw_diag_new();
    rw_registry *r = rw_registry_new();
    rw_registry_scan_dir(r, dir, (rw_loc){"exp.yaml", 3, 5}, d);
    char *text = diag_text(d);
    const rw_plugin *p = rw_registry_find(r, "twin");
    CHECK(p && strcmp(p->path, path_a) == 0, "the first file (in name order) keeps the name");
    snprintf(line, sizeof line,
             "%s: error: duplicate plugin name 'twin': a plugin of that name is already loaded "
             "(remove one of the two files from the plugin folders, or rename one plugin)",
             path_b);
    snprintf(note, sizeof note, "%s: note: 'twin' was first loaded from here", path_a);
    snprintf(origin, sizeof origin, "exp.yaml:3:5: note: plugin folder '%s' was listed here", dir);
    CHECK_LINE(text, line, "the error is at the second file");
    check_follows(text, line, note, "a note names the first file");
    check_follows(text, note, origin, "a note says where the folder came from");
    CHECK(rw_diag_errors(d) == 1, "one error");

    /* The same folder again (listed twice) tries no file twice: no new errors. */
    rw_registry_scan_dir(r, dir, (rw_loc){"exp.yaml", 4, 5}, d);
    CHECK(rw_diag_errors(d) == 1 && rw_registry_count(r) == 1,
          "scanning a folder again does not report its files again");
    CHECK(rw_registry_dir_count(r) == 1, "a folder is listed once among the searched folders");
    free(text);
    rw_diag_free(d);
    rw_registry_free(r);
    remove_tree(dir);
}

/* A folder tree: plugins in subfolders load, other files are ignored, hidden folders
 * are skipped, a .so dlopen refuses is reported with dlerror's words. */
static void test_scan_tree(void) {
    char dir[4096], sub[4200], hidden[4200], target[4096], garbage[4200], prefix[4400];
    if (!temp_dir(dir, sizeof dir)) return;
    snprintf(sub, sizeof sub, "%s/learning", dir);
    snprintf(hidden, sizeof hidden, "%s/.old", dir);
    snprintf(garbage, sizeof garbage, "%s/garbage.so", dir);
    mkdir(sub, 0755);
    mkdir(hidden, 0755);
    link_into(sub, "rewire-newer.so", broken("newer-minor", target, sizeof target));
    link_into(sub, "loop", dir); /* a symlink cycle must not hang the walk */
    link_into(hidden, "twin.so", broken("broken-twin-a", target, sizeof target));
    FILE *f = fopen(garbage, "w");
    if (f) {
        fputs("this is not an ELF file\n", f);
        fclose(f);
    }
    f = fopen(strcat(strcpy(target, dir), "/README.txt"), "w");
    if (f) fclose(f);

    rw_diag *d = rw_diag_new();
    rw_registry *r = rw_registry_new();
    rw_registry_scan_dir(r, dir, (rw_loc){"REWIRE_PLUGIN_PATH", 0, 0}, d);
    char *text = diag_text(d);
    snprintf(prefix, sizeof prefix, "%s: error: cannot load plugin: ", garbage);
    CHECK(has_line_prefix(text, prefix), "a file dlopen refuses: 'cannot load plugin: <dlerror>'");
    snprintf(prefix, sizeof prefix, "REWIRE_PLUGIN_PATH: note: plugin folder '%s' was listed here", dir);
    CHECK(has_line(text, prefix), "the note names the variable that listed the folder");
    CHECK(rw_diag_errors(d) == 1, "only that error (%zu)", rw_diag_errors(d));
    CHECK(rw_registry_find(r, "newer_rule") != NULL, "a plugin in a subfolder is found");
    CHECK(rw_registry_find(r, "twin") == NULL, "hidden folders are skipped");
    CHECK(rw_registry_count(r) == 1, "nothing else is registered");
    free(text);
    rw_diag_free(d);
    rw_registry_free(r);

    /* A missing folder is not an error, but it counts as searched. */
    d = rw_diag_new();
    r = rw_registry_new();
    snprintf(sub, sizeof sub, "%s/does-not-exist", dir);
    rw_registry_scan_dir(r, sub, no_origin, d);
    CHECK(rw_diag_errors(d) == 0 && rw_registry_dir_count(r) == 1 &&
              strcmp(rw_registry_dir_at(r, 0), sub) == 0,
          "a missing folder is searched quietly");
    rw_diag_free(d);
    rw_registry_free(r);
    remove_tree(dir);
}

/* A run keeps only the modules it uses: the others are unloaded and forgotten, the
 * plugins it keeps stay valid. */
static void test_unload_unused(void) {
    char dir[4096], target[4096];
    if (!temp_dir(dir, sizeof dir)) return;
    link_into(dir, "a.so", broken("newer-minor", target, sizeof target));
    link_into(dir, "b.so", broken("broken-create-fails", target, sizeof target));
    rw_diag *d = rw_diag_new();
    rw_registry *r = rw_registry_new();
    rw_registry_scan_dir(r, dir, no_origin, d);
    const rw_plugin *keep = rw_registry_find(r, "newer_rule");
    CHECK(keep && rw_registry_find(r, "failing_output") && rw_registry_count(r) == 2,
          "both modules load");
    rw_registry_unload_unused(r, &keep, 1);
    CHECK(rw_registry_count(r) == 1 && rw_registry_find(r, "failing_output") == NULL,
          "the unused module's plugin is gone");
    CHECK(rw_registry_find(r, "newer_rule") == keep && strcmp(keep->desc->name, "newer_rule") == 0,
          "the kept plugin is the same, and its descriptor still readable");
    rw_registry_unload_unused(r, NULL, 0);
    CHECK(rw_registry_count(r) == 0, "keeping nothing unloads everything");
    rw_diag_free(d);
    rw_registry_free(r);
    remove_tree(dir);
}

/* Unknown names, did-you-mean, kind mismatches, sorted listing. */
static void test_lookup(void) {
    char dir[4096], line[9000], target[4096];
    if (!temp_dir(dir, sizeof dir)) return;
    link_into(dir, "rewire-stdp.so", stdp_so);
    link_into(dir, "rewire-csv.so", csv_so);
    link_into(dir, "rewire-npy.so", npy_so);
    link_into(dir, "newer.so", broken("newer-minor", target, sizeof target));
    rw_diag *d = rw_diag_new();
    rw_registry *r = rw_registry_new();
    rw_registry_scan_dir(r, dir, no_origin, d);
    CHECK(rw_diag_errors(d) == 0 && rw_registry_count(r) == 4, "the real plugins load (%zu)",
          rw_registry_count(r));
    print_as_comment(d);

    static const char *const order[] = {"newer_rule", "stdp", "csv", "npy"};
    bool sorted = rw_registry_count(r) == 4;
    for (size_t i = 0; sorted && i < 4; i++) sorted = strcmp(rw_registry_at(r, i)->desc->name, order[i]) == 0;
    CHECK(sorted, "plugins are listed by kind, then name");
    CHECK(rw_registry_at(r, 4) == NULL, "past the end: NULL");

    rw_loc loc = {"exp.yaml", 7, 12};
    CHECK(rw_registry_lookup(r, REWIRE_KIND_LEARNING_RULE, "stdp", loc, d) != NULL &&
              rw_diag_errors(d) == 0,
          "lookup of a known rule reports nothing");
    CHECK(rw_registry_lookup(r, REWIRE_KIND_LEARNING_RULE, "stpd", loc, d) == NULL, "a typo misses");
    char *text = diag_text(d);
    CHECK_LINE(text, "exp.yaml:7:12: error: unknown learning rule 'stpd'; did you mean 'stdp'?",
               "%s", "unknown name with a suggestion");
    snprintf(line, sizeof line,
             "exp.yaml:7:12: note: available learning rules: newer_rule, stdp; plugin folders "
             "searched: %s (add folders with experiment.plugin_path or REWIRE_PLUGIN_PATH)",
             dir);
    CHECK_LINE(text, line, "the note lists the rules and the folders");
    free(text);
    rw_diag_free(d);

    d = rw_diag_new();
    CHECK(rw_registry_lookup(r, REWIRE_KIND_LEARNING_RULE, "csv", loc, d) == NULL &&
              rw_registry_find(r, "csv") != NULL,
          "an output is not found as a learning rule");
    text = diag_text(d);
    CHECK_LINE(text, "exp.yaml:7:12: error: 'csv' is an output plugin, not a learning rule",
               "kind mismatch");
    free(text);
    rw_diag_free(d);

    d = rw_diag_new();
    rw_registry_report_unknown(r, REWIRE_KIND_INJURY, "stroke", loc, d);
    text = diag_text(d);
    CHECK_LINE(text, "exp.yaml:7:12: error: unknown injury 'stroke'", "no suggestion when none is close");
    snprintf(line, sizeof line,
             "exp.yaml:7:12: note: no injury plugins were found; plugin folders searched: %s (add "
             "folders with experiment.plugin_path or REWIRE_PLUGIN_PATH)",
             dir);
    CHECK_LINE(text, line, "the note says no plugin of the kind exists");
    free(text);
    rw_diag_free(d);
    rw_registry_free(r);
    remove_tree(dir);
}

/* REWIRE_PLUGIN_SYSTEM_PATH replaces the built-in folder; REWIRE_PLUGIN_PATH adds. */
static void test_scan_default(void) {
    char sys_dir[4096], user_dir[4096], target[4096], env[9000], line[9000];
    if (!temp_dir(sys_dir, sizeof sys_dir) || !temp_dir(user_dir, sizeof user_dir)) return;
    link_into(sys_dir, "rewire-stdp.so", stdp_so);
    link_into(user_dir, "newer.so", broken("newer-minor", target, sizeof target));
    link_into(user_dir, "noentry.so", broken("broken-no-entry", target, sizeof target));
    setenv("REWIRE_PLUGIN_SYSTEM_PATH", sys_dir, 1);
    snprintf(env, sizeof env, ":%s::", user_dir);
    setenv("REWIRE_PLUGIN_PATH", env, 1);

    rw_diag *d = rw_diag_new();
    rw_registry *r = rw_registry_new();
    rw_registry_scan_default(r, d);
    CHECK(rw_registry_dir_count(r) == 2 && strcmp(rw_registry_dir_at(r, 0), sys_dir) == 0 &&
              strcmp(rw_registry_dir_at(r, 1), user_dir) == 0,
          "system path, then plugin path, empty entries skipped");
    CHECK(rw_registry_count(r) == 2 && rw_registry_find(r, "stdp") && rw_registry_find(r, "newer_rule"),
          "plugins of both folders are registered");
    char *text = diag_text(d);
    snprintf(line, sizeof line, "REWIRE_PLUGIN_PATH: note: plugin folder '%s' was listed here", user_dir);
    CHECK(rw_diag_errors(d) == 1 && has_line(text, line),
          "an error in a REWIRE_PLUGIN_PATH folder says so");
    free(text);
    rw_diag_free(d);
    rw_registry_free(r);

    /* Set but empty: no built-in folder at all. */
    setenv("REWIRE_PLUGIN_SYSTEM_PATH", "", 1);
    unsetenv("REWIRE_PLUGIN_PATH");
    d = rw_diag_new();
    r = rw_registry_new();
    rw_registry_scan_default(r, d);
    CHECK(rw_registry_dir_count(r) == 0 && rw_registry_count(r) == 0 && rw_diag_errors(d) == 0,
          "an empty REWIRE_PLUGIN_SYSTEM_PATH searches nothing built in");
    rw_diag_free(d);
    rw_registry_free(r);
    unsetenv("REWIRE_PLUGIN_SYSTEM_PATH");
    remove_tree(sys_dir);
    remove_tree(user_dir);
}

static void test_kind_names(void) {
    CHECK(strcmp(rw_kind_name(REWIRE_KIND_LEARNING_RULE), "learning-rule") == 0 &&
              strcmp(rw_kind_name(REWIRE_KIND_OUTPUT), "output") == 0 &&
              strcmp(rw_kind_name((rewire_kind)42), "unknown") == 0,
          "rw_kind_name");
    CHECK(strcmp(rw_kind_noun(REWIRE_KIND_LEARNING_RULE), "learning rule") == 0 &&
              strcmp(rw_kind_noun(REWIRE_KIND_INTERVENTION), "intervention") == 0,
          "rw_kind_noun");
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s BROKEN_DIR STDP.so CSV.so NPY.so\n", argv[0]);
        return 2;
    }
    /* Absolute paths: the tests put symlinks to these files into other folders. */
    char *paths[4];
    for (int i = 0; i < 4; i++) {
        paths[i] = realpath(argv[i + 1], NULL);
        if (!paths[i]) {
            printf("Bail out! %s: %s\n", argv[i + 1], strerror(errno));
            return 1;
        }
    }
    broken_dir = paths[0];
    stdp_so = paths[1];
    csv_so = paths[2];
    npy_so = paths[3];
    test_no_entry_symbol();
    test_null_table();
    test_abi_major();
    test_malformed();
    test_newer_minor_loads();
    test_create_error_surfaces();
    test_duplicates();
    test_scan_tree();
    test_unload_unused();
    test_lookup();
    test_scan_default();
    test_kind_names();
    for (int i = 0; i < 4; i++) free(paths[i]);
    return tap_done();
}
