/* sys.h -- what every program asks of its system, done one way: stop
 * with one line naming the problem and a named exit status, warn,
 * allocate memory it cannot do without, and read the clock.
 *
 *     sys_die(SYS_USAGE, "--q: has %d entries, --p has %d", q.n, p.n);
 *     real *h = sys_alloc((size_t)batch * hidden, sizeof *h);
 *     double t0 = sys_seconds();
 *
 * The exit statuses a program ends with: 0 when it did its work,
 * SYS_FAILED when its input or its run failed (a missing file, a
 * diverged training), SYS_USAGE for a bad command line, SYS_INTERNAL
 * when the program broke its own rules (a bug, never the user's
 * fault; 70 is sysexits.h's EX_SOFTWARE), and INTERRUPT_EXIT (130,
 * interrupt.h) after Ctrl-C. */
#ifndef SYS_H
#define SYS_H

#include <stddef.h>

enum { SYS_FAILED = 1, SYS_USAGE = 2, SYS_INTERNAL = 70 };

/* Prints "prog: message" on stderr and exits with `status`: the one way
 * a program stops on an error. A word of the message longer than 100
 * characters (a path, as a rule) is shortened in the middle, so the
 * reason after it stays on the line. */
_Noreturn void sys_die(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* sys_die's line without the exit: a warning. */
void sys_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Sets the program name sys_die prefixes (cli_parse sets it too). */
void sys_set_prog(const char *prog);

/* The program's name, as set by sys_set_prog. */
const char *sys_program(void);

/* Zeroed memory for `count` things of `size` bytes, never NULL: out of
 * memory (or a count whose bytes overflow) stops the program with
 * SYS_FAILED. A count of 0 still gives a pointer that free() accepts. */
void *sys_alloc(size_t count, size_t size);

/* As sys_alloc, `bytes` that start on a 64-byte cache line (the
 * products' packed panels, a model's parameters); free() frees them. */
void *sys_alloc_aligned(size_t bytes);

/* Seconds on a monotonic clock, for progress lines and timings. */
double sys_seconds(void);

#endif
