/* check.h -- the tests' harness: one line per check, a total at the end.
 *
 * Every check prints "ok   name" or "FAIL name: ..." saying what was
 * expected and what came, so a failing log needs no debugger to read.
 * check_summary() prints "N passed, N failed" and returns the exit status
 * (non-zero when anything failed), so main ends with
 *     return check_summary();
 * Header-only: each test is one translation unit. */
#ifndef CHECK_H
#define CHECK_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_passed, check_failed;

/* Records one outcome; `detail` (printf-style) is printed only on failure. */
static void check_record(const char *name, int ok, const char *file,
                         int line, const char *detail, ...)
{
    if (ok) {
        check_passed++;
        printf("ok   %s\n", name);
        return;
    }
    check_failed++;
    printf("FAIL %s (%s:%d): ", name, file, line);
    va_list ap;
    va_start(ap, detail);
    vprintf(detail, ap);
    va_end(ap);
    printf("\n");
}

/* A condition that must hold. */
#define CHECK(name, cond) \
    check_record((name), (cond) != 0, __FILE__, __LINE__, "%s is false", #cond)

/* |got - want| <= tol. A NaN never passes. */
#define CHECK_NEAR(name, got, want, tol) do {                              \
    double got_ = (got), want_ = (want), tol_ = (tol);                     \
    check_record((name), fabs(got_ - want_) <= tol_, __FILE__, __LINE__,    \
                 "got %.17g, want %.17g, |diff| %.3g > tol %.3g",          \
                 got_, want_, fabs(got_ - want_), tol_);                   \
} while (0)

/* |got - want| <= rel * max(|want|, floor): relative, with an absolute
 * floor so that values near zero are not judged on noise. */
#define CHECK_REL(name, got, want, rel, floor) do {                        \
    double got_ = (got), want_ = (want), rel_ = (rel);                     \
    double scale_ = fmax(fabs(want_), (floor));                            \
    check_record((name), fabs(got_ - want_) <= rel_ * scale_,              \
                 __FILE__, __LINE__,                                       \
                 "got %.17g, want %.17g, relative diff %.3g > %.3g",       \
                 got_, want_, fabs(got_ - want_) / scale_, rel_);          \
} while (0)

/* got <= bound (a threshold a result must reach). */
#define CHECK_LE(name, got, bound) do {                                    \
    double got_ = (got), bound_ = (bound);                                 \
    check_record((name), got_ <= bound_, __FILE__, __LINE__,               \
                 "got %.17g, want <= %.17g", got_, bound_);                \
} while (0)

/* got >= bound. */
#define CHECK_GE(name, got, bound) do {                                    \
    double got_ = (got), bound_ = (bound);                                 \
    check_record((name), got_ >= bound_, __FILE__, __LINE__,               \
                 "got %.17g, want >= %.17g", got_, bound_);                \
} while (0)

/* True in a slow build, where a test may train less: under the
 * sanitizers (SAN=1) and on the plain layer (REF=1), which the Makefile
 * passes to the tests. */
static inline int check_short_run(void)
{
    const char *san = getenv("SAN"), *ref = getenv("REF");
    return (san != NULL && strcmp(san, "1") == 0) ||
           (ref != NULL && strcmp(ref, "1") == 0);
}

/* The whole file at path (*n gets its length; malloc'ed), or NULL. */
static inline unsigned char *check_read_file(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long size = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    unsigned char *buf = malloc(size > 0 ? (size_t)size : 1);
    *n = fread(buf, 1, (size_t)size, fp);
    fclose(fp);
    return buf;
}

/* Prints the total line the runner reads and returns the exit status. */
static int check_summary(void)
{
    printf("%d passed, %d failed\n", check_passed, check_failed);
    return check_failed == 0 && check_passed > 0 ? 0 : 1;
}

#endif
