/* mat.h -- row-major matrices of `real` and the three products a dense
 * network needs. All training time is spent here.
 *
 *   mat_mul_nn:  C (m,n) = A (m,k) . B (k,n)      dense backward: dx = dy.W
 *   mat_mul_nt:  C (m,n) = A (m,k) . B(n,k)^T     dense forward:  y = x.W^T
 *   mat_mul_tn:  C (m,n) = A(k,m)^T . B (k,n)     weight gradient: dW = dy^T.x
 *
 * With `accumulate` true the product is added to C (C += ...), which is how
 * backward passes add into gradient buffers; otherwise C is overwritten.
 *
 * Each product comes in two forms (layer.h): the plain loops of mat.c,
 * equation (A.1), and the fast form of mat_fast.c (appendix A). Both add
 * the terms of each number of C in the same order, starting from C, so
 * they give the same bits, with two exceptions that IEEE arithmetic
 * makes where the fast form skips steps of the sum at which a block of A
 * or of B is all zeros: a zero times an infinity or a NaN, which would
 * be NaN, may add nothing; and a C that holds -0 may keep it where
 * adding +0 would have made it +0. The fast form's results do not depend
 * on the number of threads (bit for bit). */
#ifndef MAT_H
#define MAT_H

#include <stdbool.h>
#include <stddef.h>

#include "layer.h"
#include "real.h"

/* The plain loops, mat.c. */
void mat_mul_nn_plain(real *c, const real *a, const real *b, int m, int k,
                      int n, bool accumulate);
void mat_mul_nt_plain(real *c, const real *a, const real *b, int m, int k,
                      int n, bool accumulate);
void mat_mul_tn_plain(real *c, const real *a, const real *b, int m, int k,
                      int n, bool accumulate);

/* The fast forms, mat_fast.c: packed, tiled, threaded, skipping zeros. */
void mat_mul_nn_fast(real *c, const real *a, const real *b, int m, int k,
                     int n, bool accumulate);
void mat_mul_nt_fast(real *c, const real *a, const real *b, int m, int k,
                     int n, bool accumulate);
void mat_mul_tn_fast(real *c, const real *a, const real *b, int m, int k,
                     int n, bool accumulate);

/* The names the networks call: the fast forms, or the plain ones when
 * built with -DREF (layer.h). */
static inline void mat_mul_nn(real *c, const real *a, const real *b,
                              int m, int k, int n, bool accumulate)
{
    LAYER(mat_mul_nn)(c, a, b, m, k, n, accumulate);
}

static inline void mat_mul_nt(real *c, const real *a, const real *b,
                              int m, int k, int n, bool accumulate)
{
    LAYER(mat_mul_nt)(c, a, b, m, k, n, accumulate);
}

static inline void mat_mul_tn(real *c, const real *a, const real *b,
                              int m, int k, int n, bool accumulate)
{
    LAYER(mat_mul_tn)(c, a, b, m, k, n, accumulate);
}

/* The register tile the fast forms were compiled with: MR rows by NR
 * columns of C (16 x 16 with AVX-512, else 4 x 16; appendix A). */
void mat_tile_shape(int *mr, int *nr);

/* Threads the products may use (1 = none, the default; 0 = one per
 * core), and how many they use. The plain layer runs on the caller's thread alone: its
 * mat_set_threads does nothing and its mat_threads says 1. */
void mat_set_threads_plain(int threads);
int  mat_threads_plain(void);
void mat_set_threads_fast(int threads);
int  mat_threads_fast(void);

static inline void mat_set_threads(int threads)
{
    LAYER(mat_set_threads)(threads);
}

static inline int mat_threads(void) { return LAYER(mat_threads)(); }

/* "1 thread" or "N threads", for a program's first line; when N is more
 * than the machine's cores, a note saying so, once. */
const char *mat_threads_text(void);

/* Runs body(arg, lo, hi) over ranges that together cover [0, n) once,
 * one range per thread of the products, and returns when all are done.
 * For loops whose elements are independent of each other, such as an
 * optimiser's update: their results cannot depend on the thread count. */
typedef void mat_range_fn(void *arg, size_t lo, size_t hi);
void mat_for(size_t n, mat_range_fn *body, void *arg);

#endif
