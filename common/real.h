/* real.h -- the element type of the network code (mat, nn, loss, data),
 * and the one way to allocate a model's batch buffers.
 *
 * Networks train in float for speed. The gradient checks compare analytic
 * gradients with finite differences, which in float drown in rounding, so
 * the tests compile the same code with -DREAL_IS_DOUBLE. The math chapters
 * (0, 1, 2, 6) compute in double throughout and do not use this type. */
#ifndef REAL_H
#define REAL_H

#ifdef REAL_IS_DOUBLE
typedef double real;
#define REAL_NAME "double"
#define real_sqrt sqrt
#else
typedef float real;
#define REAL_NAME "float"
#define real_sqrt sqrtf   /* rounds as (float)sqrt((double)x) does */
#endif

#include <stddef.h>

/* A model's buffers for a batch come from one allocation, llm.c's way,
 * so that they are freed by one free(). Each part says where its
 * pointer goes and how many reals it holds. */
typedef struct {
    real **at;
    size_t n;
} real_part;

/* Allocates the parts (zeroed) in one block, points each *part[i].at
 * at its own n reals, in order, each on its own 64-byte line, and
 * returns the block, for free(). Out of memory stops the program. */
real *real_carve(const real_part *part, size_t nparts);

#endif
