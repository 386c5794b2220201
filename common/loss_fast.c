/* loss_fast.c -- the fast form of the binary cross-entropy from logits
 * (layer.h, appendix A): each term in float through vmath.h, the sum as
 * sixteen partial sums, so that the loop vectorises. tests/
 * test_plain_fast.c checks it against loss_bce_logits_plain (loss.c). */
#include "loss.h"

#include "vmath.h"

#include <stddef.h>

//> A-bce
/* One term of (3.8), as loss_bce_logits_plain has it, in float and
 * with the exp and log1p of vmath.h, which vectorise. Adds
 * scale * (sigma(z) - x), the gradient (3.9), to *dz. */
static inline real bce_term(real *dz, real z, real x, real scale)
{
    real e = vmath_exp_nonpos(z < 0 ? z : -z);   /* in (0, 1] */
    if (dz != NULL) {
        /* sigma(z) = 1/(1+e) for z >= 0, e/(1+e) for z < 0 */
        real sigma = (z >= 0 ? 1 : e) / (1 + e);
        *dz += scale * (sigma - x);
    }
    return (z > 0 ? z : 0) - z * x + vmath_log1p_unit(e);
}
//< A-bce

/* The sum of the terms over n elements, in double. It is kept as
 * sixteen interleaved partial sums, which the compiler can hold in
 * vector registers; a single running sum would make every addition
 * wait for the one before, and the loop could not vectorise. */
double loss_bce_logits_fast(real *dz /* (n) or NULL */,
                            const real *z /* (n) */,
                            const real *x /* (n) */, int n,
                            double scale)
{
    enum { LANES = 16 };
    double part[LANES] = {0};
    real s = (real)scale;
    int i = 0;
    if (dz != NULL)
        for (; i + LANES <= n; i += LANES)
            for (int l = 0; l < LANES; l++)
                part[l] += bce_term(dz + i + l, z[i + l], x[i + l], s);
    else
        for (; i + LANES <= n; i += LANES)
            for (int l = 0; l < LANES; l++)
                part[l] += bce_term(NULL, z[i + l], x[i + l], s);
    for (; i < n; i++)
        part[0] += bce_term(dz ? dz + i : NULL, z[i], x[i], s);
    double sum = 0;
    for (int l = 0; l < LANES; l++)
        sum += part[l];
    return sum;
}
