/* A minimal TAP producer for rewire's C tests (meson runs them with protocol 'tap').
 * Each CHECK is one TAP test point, so the suite's count is the number of checks.
 *
 *   int main(void) { CHECK(1 + 1 == 2, "arithmetic"); return tap_done(); }
 */
#ifndef RW_TAP_H
#define RW_TAP_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

static int tap__n, tap__failed;

__attribute__((format(printf, 2, 3))) static inline int tap_check(int ok, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    printf("%s %d - ", ok ? "ok" : "not ok", ++tap__n);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
    if (!ok) tap__failed++;
    return ok;
}

/* CHECK(cond, "what", ...): one test point; on failure also prints file:line. */
#define CHECK(cond, ...)                                                        \
    do {                                                                        \
        if (!tap_check(!!(cond), __VA_ARGS__))                                  \
            printf("#   failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);      \
    } while (0)

/* CHECK_NEAR(a, b, tol, "what"): |a - b| <= tol, printing both values on failure. */
#define CHECK_NEAR(a, b, tol, ...)                                              \
    do {                                                                        \
        double tap__a = (a), tap__b = (b);                                      \
        if (!tap_check(fabs(tap__a - tap__b) <= (tol), __VA_ARGS__))            \
            printf("#   got %.9g, expected %.9g within %.3g (%s:%d)\n", tap__a,  \
                   tap__b, (double)(tol), __FILE__, __LINE__);                  \
    } while (0)

#define TAP_NOTE(...) (printf("# "), printf(__VA_ARGS__), printf("\n"))

static inline int tap_done(void) {
    printf("1..%d\n", tap__n);
    return tap__failed ? 1 : 0;
}

#endif
