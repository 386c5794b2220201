/* test_vmath.c -- the float e^x and log(1 + x) of vmath.h against
 * libm's double functions, on a dense grid of their whole domains,
 * at the ends of the domains, and on NaN; and the binary cross-entropy
 * built on them against the same formula in double. */
#include <math.h>
#include <stdio.h>

#include "loss.h"
#include "rng.h"
#include "vmath.h"

#include "check.h"

/* One float unit in the last place is 2^-23 = 1.2e-7 of a number; a
 * Horner polynomial in float rounds once per step, so a few units of
 * error are what to expect, and 3e-7 (2.5 units) is the bound. */
static const double ulp_bound = 3e-7;

/* The largest relative error of f against the double function want, at
 * x_i = lo + (hi - lo) i / n for i = 0 .. n (rounded to float), and at
 * the points of `extra`; *at gets the x where it occurs. */
static double worst_error(float (*f)(float), double (*want)(double),
                          double lo, double hi, int n, const float *extra,
                          int n_extra, double *at)
{
    double worst = 0;
    for (int i = 0; i <= n + n_extra; i++) {
        float x = i <= n ? (float)(lo + (hi - lo) * i / n)
                         : extra[i - n - 1];
        double w = want(x);
        double rel = w != 0 ? fabs(f(x) - w) / fabs(w) : fabs(f(x));
        if (rel > worst)
            worst = rel, *at = x;
    }
    return worst;
}

static void check_exp(void)
{
    double at = 0, worst = worst_error(vmath_exp_nonpos, exp, -87, 0,
                                       2000000, NULL, 0, &at);
    printf("exp: worst relative error %.3g at x = %.9g\n", worst, at);
    CHECK_LE("e^x on 2,000,001 points of [-87, 0]: relative error",
             worst, ulp_bound);
    CHECK("e^0 = 1 exactly", vmath_exp_nonpos(0) == 1);
    float tiny = vmath_exp_nonpos(-1e30f), nan_in = vmath_exp_nonpos(NAN);
    CHECK("e^-1e30 is clamped to e^-87, a tiny positive normal float",
          tiny > 0 && tiny < 2e-38f && isnormal(tiny));
    CHECK("e^NaN gives a finite number, not undefined behaviour",
          isfinite(nan_in));
}

static void check_log1p(void)
{
    /* tiny arguments, where log(1 + x) computed as written loses all */
    float tiny[38];
    for (int e = -38; e <= -1; e++)
        tiny[e + 38] = (float)pow(10, e);
    double at = 0, worst = worst_error(vmath_log1p_unit, log1p, 0, 1,
                                       2000000, tiny, 38, &at);
    printf("log1p: worst relative error %.3g at x = %.9g\n", worst, at);
    CHECK_LE("log(1 + x) on [0, 1] and at 1e-38 .. 1e-1: relative error",
             worst, ulp_bound);
    CHECK("log(1 + 0) = 0 exactly", vmath_log1p_unit(0) == 0);
}

/* loss_bce_logits_fast against the same terms in double with libm, on
 * random logits over [-30, 30] and grey targets, lengths that are and
 * are not multiples of its sixteen partial sums. */
static void check_bce(void)
{
    enum { N = 1001 };
    static float z[N], x[N], dz[N];
    rng r;
    rng_seed(&r, 7);
    for (int i = 0; i < N; i++) {
        z[i] = (float)(60 * rng_uniform(&r) - 30);
        x[i] = (float)rng_uniform(&r);
        dz[i] = 0;
    }
    double want = 0, worst_grad = 0;
    for (int i = 0; i < N; i++) {
        double zi = z[i], xi = x[i], e = exp(-fabs(zi));
        want += fmax(zi, 0) - zi * xi + log1p(e);
    }
    double got = loss_bce_logits_fast(dz, z, x, N, 0.5);
    for (int i = 0; i < N; i++) {
        double sigma = 1 / (1 + exp(-(double)z[i]));
        worst_grad = fmax(worst_grad, fabs(dz[i] - 0.5 * (sigma - x[i])));
    }
    CHECK_REL("BCE sum over 1001 random terms = double libm", got, want,
              ulp_bound, 0);
    CHECK_LE("BCE gradient 0.5 (sigma(z) - x): absolute error", worst_grad,
             ulp_bound);
    CHECK_REL("BCE over the first 16 terms (no remainder loop)",
              loss_bce_logits_fast(NULL, z, x, 16, 1),
              loss_bce_logits_fast(NULL, z, x, 8, 1) +
              loss_bce_logits_fast(NULL, z + 8, x + 8, 8, 1), 1e-12, 0);
    /* the training loops stop on a loss that is not finite */
    float nan_z = NAN, half = 0.5f;
    CHECK("BCE of a NaN logit is NaN",
          isnan(loss_bce_logits_fast(NULL, &nan_z, &half, 1, 1)));
}

int main(void)
{
    check_exp();
    check_log1p();
    check_bce();
    return check_summary();
}
