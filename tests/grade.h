/* grade.h -- the autograder's harness: runs a chapter's task checks and
 * prints one line per task,
 *     task ch07-reparam-backward (7.6): passed
 *     task ch07-reparam-backward (7.6): failed: dlogvar[5] ...: expected
 *         0.25, got 0
 * for tests/grade.sh to add up. Each tests/grade_chNN.c defines its
 * checks and ends with
 *     int main(int argc, char **argv) { return grade_main(tasks, n, ...); }
 *
 * A check is written against an independent computation (a closed form,
 * quadrature, finite differences, a long double sum, the PyTorch
 * reference values), never against the function it grades. It returns
 * false at the first failed expectation, whose message says what was
 * expected and what came.
 *
 * The student's code may crash or loop: each check runs in a child
 * process with an alarm, so a crash or a hang fails that task only, and
 * the grader itself always finishes (exit 0 once it ran). The grader is
 * compiled with real = double (see the Makefile), as the gradient checks
 * are, so that finite differences are meaningful.
 * Header-only, like check.h. */
#ifndef GRADE_H
#define GRADE_H

#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* One task: the functions carrying its marker in the sources are graded
 * together by `check`. */
typedef struct {
    const char *name;   /* as in the marker: "ch07-reparam-backward" */
    const char *eq;     /* the equations it implements: "(7.6)" */
    bool (*check)(void);
} grade_task;

/* Seconds a task may take before it counts as hanging (the sanitizers
 * make the slowest check about ten times slower than its 0.1 s). */
enum { GRADE_SECONDS = 30 };

static char grade_why[512];   /* why the last expectation failed */

/* Records why a check fails; returns false, for `return grade_fail()`. */
__attribute__((format(printf, 1, 2)))
static bool grade_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(grade_why, sizeof grade_why, fmt, ap);
    va_end(ap);
    return false;
}

/* |got - want| <= tol + rel |want|; a NaN or an infinity that is not
 * expected fails. `what` (printf-style) names the value. */
__attribute__((format(printf, 5, 6)))
static bool grade_near(double got, double want, double tol, double rel,
                       const char *what, ...)
{
    bool same_inf = isinf(want) && got == want;
    if (same_inf || fabs(got - want) <= tol + rel * fabs(want))
        return true;
    char name[256];
    va_list ap;
    va_start(ap, what);
    vsnprintf(name, sizeof name, what, ap);
    va_end(ap);
    return grade_fail("%s: expected %.9g, got %.9g", name, want, got);
}

/* Inside a check: return false unless the expectation holds. */
#define EXPECT(cond) do { if (!(cond)) return false; } while (0)

/* A condition with its own message. */
#define EXPECT_THAT(cond, ...) \
    do { if (!(cond)) return grade_fail(__VA_ARGS__); } while (0)

/* Runs t's check in a child process; writes why it failed into why (an
 * empty string when it passed). */
static void grade_run(const grade_task *t, char *why, size_t size)
{
    int fd[2];
    fflush(stdout);
    if (pipe(fd) != 0) {
        snprintf(why, size, "the grader could not make a pipe");
        return;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(why, size, "the grader could not fork");
        close(fd[0]);
        close(fd[1]);
        return;
    }
    if (pid == 0) {   /* the child: run the check, report, leave */
        close(fd[0]);
        alarm(GRADE_SECONDS);
        grade_why[0] = '\0';
        bool passed = t->check();
        if (!passed && grade_why[0] == '\0')
            snprintf(grade_why, sizeof grade_why, "a check failed");
        const char *msg = passed ? "" : grade_why;
        ssize_t n = write(fd[1], msg, strlen(msg) + 1);
        _exit(n > 0 ? 0 : 1);
    }
    close(fd[1]);
    size_t got = 0;
    ssize_t n;
    while (got + 1 < size && (n = read(fd[0], why + got,
                                      size - 1 - got)) > 0)
        got += (size_t)n;
    why[got] = '\0';
    close(fd[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        ;
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
        snprintf(why, size, "took over %d s (an endless loop?)",
                 GRADE_SECONDS);
    else if (WIFSIGNALED(status))
        snprintf(why, size, "crashed: %s", strsignal(WTERMSIG(status)));
    else if (got == 0 || WEXITSTATUS(status) != 0)
        snprintf(why, size, "stopped before its checks ended (exit %d)",
                 WEXITSTATUS(status));
}

/* grade_chNN [--list] [TASK]: prints a line per task (or only TASK's;
 * nothing if TASK is not this chapter's). --list prints the names. */
static int grade_main(const grade_task *tasks, int n, int argc,
                      char **argv)
{
    bool list = argc > 1 && strcmp(argv[1], "--list") == 0;
    const char *only = argc > 1 + list ? argv[1 + list] : NULL;
    for (int i = 0; i < n; i++) {
        const grade_task *t = &tasks[i];
        if (only != NULL && strcmp(only, t->name) != 0)
            continue;
        if (list) {
            printf("%s %s\n", t->name, t->eq);
            continue;
        }
        char why[600];
        grade_run(t, why, sizeof why);
        if (why[0] == '\0')
            printf("task %s %s: passed\n", t->name, t->eq);
        else
            printf("task %s %s: failed: %s\n", t->name, t->eq, why);
    }
    return 0;
}

#endif
