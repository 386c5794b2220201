/* grade_ch02.c -- the tasks of chapter 2, graded against independent
 * computations:
 *   ch02-kl-diag (2.8): the KL between diagonal Gaussians, against the
 *     sum over dimensions of 1-D KLs integrated numerically (grade_quad.h);
 *     13 dimensions, a variance of 1e-10, identical Gaussians;
 *   ch02-kl-logvar (2.9, 2.10): one dimension of KL(N(mu, e^l) ||
 *     N(0, 1)) against the same integral, and its gradient against
 *     central differences of the grader's own long double KL; a
 *     log-variance of -30 and of 20, and mu = 0, l = 0, where the KL
 *     and both derivatives are exactly 0. */
#define TESTING
#include "../chapters/ch02_kl_diag.c"

#include "grade.h"
#include "grade_quad.h"

static bool check_kl_diag(void)
{
    enum { D = 13 };
    rng r;
    rng_seed(&r, 4242);
    double mu1[D], var1[D], mu2[D], var2[D];
    for (int round = 0; round < 3; round++) {
        double want = 0;
        for (int i = 0; i < D; i++) {
            mu1[i] = rng_normal(&r);
            mu2[i] = rng_normal(&r);
            var1[i] = exp(rng_normal(&r));
            var2[i] = exp(rng_normal(&r));
            if (round == 1 && i == 5)
                var1[i] = 1e-10;                 /* a tiny variance */
            if (round == 2)                      /* p = q */
                mu2[i] = mu1[i], var2[i] = var1[i];
            want += kl_quadrature(mu1[i], sqrt(var1[i]), mu2[i],
                                  sqrt(var2[i]));
        }
        EXPECT(grade_near(kl_gauss_diag(mu1, var1, mu2, var2, D), want,
                          1e-9, 1e-9, "KL of two %d-dimensional diagonal "
                          "Gaussians, case %d", D, round + 1));
    }
    return true;
}

/* (2.9) from (1.6) with s = e^(l/2), in long double: the grader's own. */
static long double kl_logvar_long(long double mu, long double l)
{
    return -l / 2 + (expl(l) + mu * mu) / 2 - 0.5L;
}

static bool kl_logvar_case(double mu, double l)
{
    EXPECT(grade_near(kl_std_normal_term(mu, l),
                      kl_quadrature(mu, exp(l / 2), 0, 1), 1e-10, 1e-9,
                      "KL term at mu = %g, log sigma^2 = %g", mu, l));
    double d_mu = NAN, d_l = NAN, h = 1e-5;
    kl_std_normal_term_grad(mu, l, &d_mu, &d_l);
    double fd_mu = (double)((kl_logvar_long(mu + h, l) -
                             kl_logvar_long(mu - h, l)) / (2 * h));
    double fd_l = (double)((kl_logvar_long(mu, l + h) -
                            kl_logvar_long(mu, l - h)) / (2 * h));
    EXPECT(grade_near(d_mu, fd_mu, 1e-7, 1e-7, "d/dmu at mu = %g, "
                      "log sigma^2 = %g (finite difference)", mu, l));
    return grade_near(d_l, fd_l, 1e-7, 1e-7, "d/dlog sigma^2 at mu = %g, "
                      "log sigma^2 = %g (finite difference)", mu, l);
}

static bool check_kl_logvar(void)
{
    rng r;
    rng_seed(&r, 5150);
    for (int i = 0; i < 9; i++)
        EXPECT(kl_logvar_case(1.5 * rng_normal(&r), 2 * rng_normal(&r)));
    EXPECT(kl_logvar_case(0.7, -30));   /* sigma = 3e-7 */
    EXPECT(kl_logvar_case(-0.4, 9));    /* sigma = 90 */
    /* at the prior itself: no KL, no gradient */
    double d_mu = NAN, d_l = NAN;
    kl_std_normal_term_grad(0, 0, &d_mu, &d_l);
    EXPECT(grade_near(kl_std_normal_term(0, 0), 0, 1e-15, 0,
                      "KL term at mu = 0, log sigma^2 = 0"));
    EXPECT(grade_near(d_mu, 0, 1e-15, 0, "d/dmu at mu = 0, l = 0"));
    return grade_near(d_l, 0, 1e-15, 0, "d/dlog sigma^2 at mu = 0, l = 0");
}

static const grade_task tasks[] = {
    {"ch02-kl-diag", "(2.8)", check_kl_diag},
    {"ch02-kl-logvar", "(2.9, 2.10)", check_kl_logvar},
};

int main(int argc, char **argv)
{
    return grade_main(tasks, (int)(sizeof tasks / sizeof tasks[0]), argc,
                      argv);
}
