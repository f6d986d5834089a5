/* Diagnostics: formats, position sorting, notes staying with their error, dedupe, and
 * the "did you mean" matcher. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "tap.h"

/* One test point: the printed diagnostics equal `expect`. */
static void check_text(const rw_diag *d, const char *expect, const char *what) {
    char *got = rw_diag_format(d);
    bool good = strcmp(got, expect) == 0;
    CHECK(good, "%s", what);
    if (!good) TAP_NOTE("got:\n%s# expected:\n%s", got, expect);
    free(got);
}

static void nearest(const char *name, const char *const *cands, size_t n, const char *expect) {
    const char *got = rw_nearest(name, cands, n);
    bool good = expect ? got && strcmp(got, expect) == 0 : got == NULL;
    CHECK(good, "nearest('%s') = %s", name, expect ? expect : "none");
    if (!good) TAP_NOTE("got %s", got ? got : "NULL");
}

int main(void) {
    rw_diag *d = rw_diag_new();
    CHECK(rw_diag_errors(d) == 0, "a new collector has no errors");
    check_text(d, "", "nothing printed when empty");

    rw_diag_error(d, (rw_loc){"b.yaml", 3, 1}, "third");
    rw_diag_error(d, (rw_loc){"a.yaml", 9, 2}, "second");
    rw_diag_note(d, (rw_loc){"a.yaml", 1, 1}, "note of second");
    rw_diag_error(d, (rw_loc){"a.yaml", 2, 7}, "first");
    rw_diag_error(d, (rw_loc){"a.yaml", 9, 2}, "second");  /* duplicate */
    rw_diag_note(d, (rw_loc){"a.yaml", 1, 1}, "note of second"); /* goes with it */
    rw_diag_error(d, (rw_loc){"a.yaml", 9, 2}, "second, other message");
    rw_diag_error(d, (rw_loc){"a.yaml", 0, 0}, "whole file");
    rw_diag_error(d, (rw_loc){"a.yaml", 2, 3}, "earlier column");
    rw_diag_error(d, (rw_loc){"a.yaml", 12, 0}, "line only");
    CHECK(rw_diag_errors(d) == 7, "duplicates are counted once (%zu)", rw_diag_errors(d));
    check_text(d,
               "a.yaml: error: whole file\n"
               "a.yaml:2:3: error: earlier column\n"
               "a.yaml:2:7: error: first\n"
               "a.yaml:9:2: error: second\n"
               "a.yaml:1:1: note: note of second\n"
               "a.yaml:9:2: error: second, other message\n"
               "a.yaml:12: error: line only\n"
               "b.yaml:3:1: error: third\n"
               "7 errors\n",
               "sorted by file, line, column; notes follow; ties keep their order");
    rw_diag_free(d);

    d = rw_diag_new();
    rw_diag_error(d, (rw_loc){"x.yaml", 4, 2}, "only %s %d", "one", 1);
    check_text(d, "x.yaml:4:2: error: only one 1\n", "a single error has no count line");
    rw_diag_error(d, (rw_loc){"x.yaml", 4, 2}, "only one 1");
    CHECK(rw_diag_errors(d) == 1, "the same error at the same place is kept once");
    rw_diag_error(d, (rw_loc){"x.yaml", 5, 2}, "only one 1");
    CHECK(rw_diag_errors(d) == 2, "the same message elsewhere is a new error");
    rw_diag_free(d);

    d = rw_diag_new();
    rw_diag_error(d, (rw_loc){NULL, 0, 0}, "no file");
    rw_diag_note(d, (rw_loc){NULL, 0, 0}, "plain note");
    rw_diag_error(d, (rw_loc){"--set", 1, 5}, "from the command line");
    check_text(d,
               "error: no file\n"
               "note: plain note\n"
               "--set:1:5: error: from the command line\n"
               "2 errors\n",
               "errors without a file come first and print without one");
    rw_diag_free(d);

    d = rw_diag_new();
    rw_diag_note(d, (rw_loc){"n.yaml", 1, 1}, "a note before any error");
    CHECK(rw_diag_errors(d) == 0, "notes are not errors");
    check_text(d, "n.yaml:1:1: note: a note before any error\n", "an orphan note still prints");
    rw_diag_free(d);
    rw_diag_free(NULL);

    static const char *const keys[] = {"tau_plus", "tau_minus", "A_plus", "A_minus", "w_max"};
    const size_t nk = sizeof keys / sizeof *keys;
    nearest("tau_plu", keys, nk, "tau_plus");
    nearest("tua_plus", keys, nk, "tau_plus"); /* a transposition is one edit */
    nearest("TAU_MINUS", keys, nk, "tau_minus");
    nearest("a_plus", keys, nk, "A_plus");
    nearest("wmax", keys, nk, "w_max");
    nearest("learning_rate", keys, nk, NULL);
    nearest("", keys, nk, NULL);
    nearest("tau_plus", keys, nk, "tau_plus");
    static const char *const units[] = {"ms", "s", "Hz", "mV"};
    nearest("mz", units, 4, "ms");
    nearest("x", units, 4, NULL); /* a one-letter word is never "a typo of" another */
    static const char *const models[] = {"lif_cuba", "lif_coba", "poisson", "spike_times"};
    nearest("lif_cub", models, 4, "lif_cuba");
    nearest("lif_cob", models, 4, "lif_coba");
    nearest("possion", models, 4, "poisson");
    nearest("spiketimes", models, 4, "spike_times");
    nearest("izhikevich", models, 4, NULL);
    CHECK(rw_nearest("a", NULL, 0) == NULL, "no candidates");
    return tap_done();
}
