/* tests/tap.h: a small TAP producer for listenq's unit tests.
 *
 * Each test program prints "ok N - name" / "not ok N - name" lines and, at the
 * end, the plan "1..N"; tests/run.sh (and prove) read that. A failed check
 * also prints where it failed and the values as TAP diagnostics ("# ...").
 * Header-only on purpose: every test is one .c file, discovered by the Makefile.
 */
#ifndef LISTENQ_TESTS_TAP_H
#define LISTENQ_TESTS_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int tap_count_;
static int tap_failed_;

static inline void tap_vline_(bool pass, const char *file, int line, const char *fmt, va_list ap)
{
    tap_count_++;
    if (!pass)
        tap_failed_++;
    printf("%sok %d - ", pass ? "" : "not ", tap_count_);
    vprintf(fmt, ap);
    printf("\n");
    if (!pass)
        printf("#   failed at %s:%d\n", file, line);
    fflush(stdout);
}

static inline bool tap_ok_(bool pass, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static inline bool tap_ok_(bool pass, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tap_vline_(pass, file, line, fmt, ap);
    va_end(ap);
    return pass;
}

static inline bool tap_is_int_(long long got, long long want, const char *file, int line,
                               const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static inline bool tap_is_int_(long long got, long long want, const char *file, int line,
                               const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tap_vline_(got == want, file, line, fmt, ap);
    va_end(ap);
    if (got != want)
        printf("#          got: %lld\n#     expected: %lld\n", got, want);
    return got == want;
}

static inline bool tap_is_str_(const char *got, const char *want, const char *file, int line,
                               const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static inline bool tap_is_str_(const char *got, const char *want, const char *file, int line,
                               const char *fmt, ...)
{
    bool pass = got && want ? strcmp(got, want) == 0 : got == want;
    va_list ap;
    va_start(ap, fmt);
    tap_vline_(pass, file, line, fmt, ap);
    va_end(ap);
    if (!pass) {
        printf("#          got: \"%s\"\n", got ? got : "(null)");
        printf("#     expected: \"%s\"\n", want ? want : "(null)");
    }
    return pass;
}

/* A skipped check still counts in the plan; the reason is mandatory. */
static inline void tap_skip(const char *name, const char *reason)
{
    tap_count_++;
    printf("ok %d - %s # SKIP %s\n", tap_count_, name, reason);
    fflush(stdout);
}

static inline void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void tap_diag(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("# ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
}

/* Ends the test program: prints the plan and returns the exit status. */
static inline int tap_done(void)
{
    printf("1..%d\n", tap_count_);
    return tap_failed_ ? 1 : 0;
}

#define ok(cond, ...) tap_ok_((cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...) \
    tap_is_int_((long long)(got), (long long)(want), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, ...) tap_is_str_((got), (want), __FILE__, __LINE__, __VA_ARGS__)

#endif
