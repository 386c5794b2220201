/* mat.c -- the three matrix products as the loops of their definition,
 * equation (A.1): the plain layer (layer.h). mat_fast.c computes the
 * same numbers faster. */
#include "mat.h"

//> A-plain
/* C = A B, or C += A B if `accumulate`: each number of C is a row of A
 * times a column of B, summed over p, equation (A.1). The sum starts
 * from C's own value when adding into it, and takes p in order. */
void mat_mul_nn_plain(real *c, const real *a, const real *b, int m,
                      int k, int n, bool accumulate)
{
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            real sum = accumulate ? c[i * n + j] : 0;
            for (int p = 0; p < k; p++)
                sum += a[i * k + p] * b[p * n + j];   /* (A.1) */
            c[i * n + j] = sum;
        }
}
//< A-plain

/* C = A B^T: B is (n, k), so B^T's element (p, j) is b[j * k + p]. */
void mat_mul_nt_plain(real *c, const real *a, const real *b, int m,
                      int k, int n, bool accumulate)
{
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            real sum = accumulate ? c[i * n + j] : 0;
            for (int p = 0; p < k; p++)
                sum += a[i * k + p] * b[j * k + p];
            c[i * n + j] = sum;
        }
}

/* C = A^T B: A is (k, m), so A^T's element (i, p) is a[p * m + i]. */
void mat_mul_tn_plain(real *c, const real *a, const real *b, int m,
                      int k, int n, bool accumulate)
{
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            real sum = accumulate ? c[i * n + j] : 0;
            for (int p = 0; p < k; p++)
                sum += a[p * m + i] * b[p * n + j];
            c[i * n + j] = sum;
        }
}

/* The plain layer has no threads (mat.h). */
void mat_set_threads_plain(int threads) { (void)threads; }
int mat_threads_plain(void) { return 1; }
