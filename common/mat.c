/* mat.c -- the three matrix products (see mat.h). Plain loops for now. */
#include "mat.h"

#include <string.h>

static int n_threads = 1;

void mat_set_threads(int threads) { n_threads = threads < 1 ? 1 : threads; }
int  mat_threads(void) { return n_threads; }

void mat_mul_nn(real *c, const real *a, const real *b, int m, int k, int n,
                bool accumulate)
{
    if (!accumulate)
        memset(c, 0, sizeof(real) * (size_t)m * (size_t)n);
    for (int i = 0; i < m; i++)
        for (int p = 0; p < k; p++) {
            real aip = a[(size_t)i * k + p];
            for (int j = 0; j < n; j++)
                c[(size_t)i * n + j] += aip * b[(size_t)p * n + j];
        }
}

void mat_mul_nt(real *c, const real *a, const real *b, int m, int k, int n,
                bool accumulate)
{
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            real sum = accumulate ? c[(size_t)i * n + j] : 0;
            for (int p = 0; p < k; p++)
                sum += a[(size_t)i * k + p] * b[(size_t)j * k + p];
            c[(size_t)i * n + j] = sum;
        }
}

void mat_mul_tn(real *c, const real *a, const real *b, int m, int k, int n,
                bool accumulate)
{
    if (!accumulate)
        memset(c, 0, sizeof(real) * (size_t)m * (size_t)n);
    for (int p = 0; p < k; p++)
        for (int i = 0; i < m; i++) {
            real api = a[(size_t)p * m + i];
            for (int j = 0; j < n; j++)
                c[(size_t)i * n + j] += api * b[(size_t)p * n + j];
        }
}
