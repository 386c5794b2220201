/* test_num.c -- log-sum-exp, softmax, quadrature, the normal CDF and its
 * inverse, running moments: each against a known value or another route. */
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
