/* test_num.c -- log-sum-exp, softmax, Cholesky and forward substitution
 * with a row stride, quadrature (also panel by panel), the normal CDF and
 * its inverse, running moments: each against a known value or another
 * route. */
#include <float.h>
#include <math.h>
#include <stdio.h>

#include "num.h"

#include "check.h"

static double sine(double x, void *ctx) { (void)ctx; return sin(x); }
static double gauss(double x, void *ctx) { (void)ctx; return exp(-x * x); }
static double root(double x, void *ctx) { (void)ctx; return sqrt(x); }
static double peak(double x, void *ctx)
{
    (void)ctx;
    return 1.0 / (1e-4 + (x - 0.3) * (x - 0.3));
}
/* A Gaussian bump of standard deviation 1e-3 at 0.3141: its integral
 * over [-12, 12] is 1e-3 sqrt(2 pi) (the tails beyond are exp(-7e7)).
 * One adaptive run over [-12, 12] steps over it: its first 15 nodes all
 * see 0, so it returns 0 (measured). */
static double spike(double x, void *ctx)
{
    (void)ctx;
    double t = (x - 0.3141) / 1e-3;
    return exp(-0.5 * t * t);
}

int main(void)
{
    double x[4] = {1.0, 2.0, 3.0, 4.0};
    CHECK_REL("logsumexp = log of the plain sum", num_logsumexp(x, 4),
              log(exp(1.0) + exp(2.0) + exp(3.0) + exp(4.0)), 1e-15, 0);
    double big[3] = {1000.0, 1000.0, -INFINITY};
    CHECK_REL("logsumexp does not overflow at 1000",
              num_logsumexp(big, 3), 1000.0 + log(2.0), 1e-15, 0);
    double tiny[2] = {-1000.0, -1001.0};
    CHECK_REL("logsumexp does not underflow at -1000",
              num_logsumexp(tiny, 2), -1000.0 + log1p(exp(-1.0)), 1e-15, 0);

    double lw[3] = {log(1.0), log(2.0), log(6.0)};
    CHECK_REL("logmeanexp = log of the plain mean", num_logmeanexp(lw, 3),
              log(3.0), 1e-15, 0);
    CHECK_REL("log N(x; mu, s^2) = log of the density (1.1)",
              num_log_normal_pdf(1.5, 0.5, 2.0),
              log(exp(-0.125) / sqrt(8.0 * M_PI)), 1e-14, 0);

    double p[4], wide[4] = {800.0, 0.0, -800.0, 799.0};
    num_softmax(p, wide, 4);
    CHECK_NEAR("softmax sums to 1", p[0] + p[1] + p[2] + p[3], 1.0, 1e-15);
    CHECK_REL("softmax ratio p0/p3 = e", p[0] / p[3], exp(1.0), 1e-14, 0);

    /* Cholesky at row stride ld = 5 > d = 3, as chapter 6 uses it. The
     * slots beyond column 3 hold NaN: a read of one poisons the result,
     * and the errors are summed, so a NaN anywhere fails the check. The
     * matrix is one whose L changes if a division becomes a product by
     * the reciprocal, or a pivot's sum is regrouped: the bit-for-bit
     * check below can see a change in the order of operations. */
    enum { D = 3, LD = 5 };
    const double spd[D][D] = {
        {2.5, 0.7, -0.4}, {0.7, 1.7, 0.45}, {-0.4, 0.45, 1.2}};
    double a_wide[D * LD], l_wide[D * LD], l_tight[D * D];
    for (int i = 0; i < D * LD; i++)
        a_wide[i] = l_wide[i] = NAN;
    for (int i = 0; i < D; i++)
        for (int j = 0; j < D; j++)
            a_wide[i * LD + j] = spd[i][j];
    CHECK("num_cholesky, ld = 5: positive definite, verdict 0",
          num_cholesky(l_wide, a_wide, D, LD) == 0 &&
              num_cholesky(l_tight, &spd[0][0], D, D) == 0);
    double err_sum = 0.0;
    int same = 1, padding_kept = 1;
    for (int i = 0; i < D; i++) {
        for (int j = 0; j < D; j++) {
            double s = 0.0;  /* (L L^T)_ij over all of row i, upper too */
            for (int k = 0; k < D; k++)
                s += l_wide[i * LD + k] * l_wide[j * LD + k];
            err_sum += fabs(s - spd[i][j]);
            same &= l_wide[i * LD + j] == l_tight[i * D + j];
        }
        for (int j = D; j < LD; j++)
            padding_kept &= isnan(l_wide[i * LD + j]);
    }
    CHECK_LE("ld = 5: L L^T = A, summed |error| <= 1e-12", err_sum, 1e-12);
    CHECK("ld = 5 gives the same L as ld = d, bit for bit", same);
    CHECK("ld = 5 writes nothing beyond column d", padding_kept);

    /* With a_33 = 0.1 the leading minors are 2.5, 2.5 * 1.7 - 0.7^2 =
     * 3.76 and det = -0.65425 (by hand, in fractions): pivot j is minor j
     * / minor j-1, so the first two are positive and pivot 3 is not. */
    a_wide[2 * LD + 2] = 0.1;
    CHECK("ld = 5: minors 2.5, 3.76, -0.65425 -> pivot 3",
          num_cholesky(l_wide, a_wide, D, LD) == 3);

    /* The solve against multiplying back: L y must give x again, to a
     * few roundings of numbers of order 1. L sits at stride 5 with NaN
     * above its diagonal and beyond column 3: the solve reads neither. */
    for (int i = 0; i < D * LD; i++)
        l_wide[i] = NAN;
    for (int i = 0; i < D; i++)
        for (int j = 0; j <= i; j++)
            l_wide[i * LD + j] = l_tight[i * D + j];
    const double rhs[D] = {0.7, -1.2, 2.5};
    double y[D] = {rhs[0], rhs[1], rhs[2]};
    num_forward_solve(y, l_wide, D, LD);
    err_sum = 0.0;
    for (int i = 0; i < D; i++) {
        double s = 0.0;
        for (int k = 0; k <= i; k++)
            s += l_wide[i * LD + k] * y[k];
        err_sum += fabs(s - rhs[i]);
    }
    CHECK_LE("num_forward_solve, ld = 5: L y = x, summed |error| <= 1e-14",
             err_sum, 1e-14);

    num_quad q = num_integrate(sine, NULL, 0.0, M_PI, 1e-15, 1e-13);
    CHECK_NEAR("integral of sin over [0, pi] = 2", q.value, 2.0, 1e-13);
    CHECK("error estimate covers the true error",
          fabs(q.value - 2.0) <= q.error + 4 * DBL_EPSILON);
    q = num_integrate(gauss, NULL, -40.0, 40.0, 1e-15, 1e-13);
    CHECK_REL("integral of exp(-x^2) = sqrt(pi)", q.value, sqrt(M_PI),
              1e-13, 0);
    q = num_integrate(root, NULL, 0.0, 1.0, 1e-15, 1e-11);
    CHECK_NEAR("integral of sqrt(x) over [0,1] = 2/3 (kink at 0)", q.value,
               2.0 / 3.0, 1e-10);
    q = num_integrate(peak, NULL, 0.0, 1.0, 1e-15, 1e-12);
    double want = 100.0 * (atan(0.7 / 1e-2) + atan(0.3 / 1e-2));
    CHECK_REL("integral of a sharp peak (width 1e-2)", q.value, want,
              1e-11, 0);

    double spike_mass = 1e-3 * sqrt(2.0 * M_PI);
    q = num_integrate_panels(spike, NULL, -12.0, 12.0, 4e-3);
    CHECK_REL("num_integrate_panels finds a spike 1e-3 wide in [-12, 12]",
              q.value, spike_mass, 1e-12, 0);
    CHECK("num_integrate_panels' error estimate covers its true error",
          fabs(q.value - spike_mass) <= q.error + 4 * DBL_EPSILON *
                                                      spike_mass);
    q = num_integrate_panels(sine, NULL, 0.0, M_PI, 1.0);
    CHECK_NEAR("num_integrate_panels, width not dividing [0, pi]: "
               "integral of sin = 2", q.value, 2.0, 1e-13);

    CHECK_NEAR("Phi(0) = 1/2", num_normal_cdf(0.0), 0.5, 1e-16);
    CHECK_NEAR("Phi^-1(0.975) = 1.959963984540054",
               num_normal_quantile(0.975), 1.959963984540054, 1e-13);
    double worst = 0;
    for (int i = 1; i < 1000; i++) {
        double pr = i / 1000.0;
        worst = fmax(worst, fabs(num_normal_cdf(num_normal_quantile(pr)) - pr));
    }
    CHECK_LE("Phi(Phi^-1(p)) = p on a grid of p", worst, 1e-15);
    CHECK_NEAR("Phi^-1(1e-10) (far tail)", num_normal_quantile(1e-10),
               -6.361340902404056, 1e-9);

    q = num_integrate(sine, NULL, 0.0, M_PI, 0.0, 1e-30);
    CHECK("an unreachable tolerance stops at the rounding floor",
          q.intervals < 1000 && fabs(q.value - 2.0) < 1e-14);

    num_stats s = {0};
    double data[5] = {1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16, 1e9 + 10};
    for (int i = 0; i < 5; i++)
        num_stats_add(&s, data[i]);
    CHECK_NEAR("Welford mean, large offset", s.mean, 1e9 + 10, 1e-6);
    CHECK_NEAR("Welford variance, large offset (two-pass gives 22.5)",
               num_stats_var(&s), 22.5, 1e-6);
    CHECK_NEAR("standard error = sqrt(var / n)", num_stats_sem(&s),
               sqrt(22.5 / 5), 1e-9);
    return check_summary();
}
