/* real.c -- a model's batch buffers carved from one allocation (see
 * real.h). */
#include "real.h"

#include <stdint.h>

#include "sys.h"

/* Each part starts on its own 64-byte cache line, as a separate
 * malloc's block would start on its own (16-byte) boundary: vector
 * loads see the alignment they saw before, and no two parts share a
 * line. */
enum { REAL_LINE = 64 / sizeof(real) };   /* reals per cache line */

static size_t real_round_up(size_t n)
{
    return (n + REAL_LINE - 1) / REAL_LINE * REAL_LINE;
}

real *real_carve(const real_part *part, size_t nparts)
{
    size_t total = 0;
    for (size_t i = 0; i < nparts; i++) {
        size_t n = real_round_up(part[i].n);
        if (n < part[i].n || total > SIZE_MAX / sizeof(real) - n)
            sys_die(SYS_FAILED, "out of memory: buffers of more than "
                    "%zu bytes", SIZE_MAX);
        total += n;
    }
    real *block = sys_alloc_aligned(total * sizeof(real));
    real *next = block;
    for (size_t i = 0; i < nparts; i++) {
        *part[i].at = next;
        next += real_round_up(part[i].n);
    }
    return block;
}
