/* real.h -- the element type of the network code (mat, nn, loss, data).
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

#endif
