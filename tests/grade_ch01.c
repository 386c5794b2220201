/* grade_ch01.c -- the task of chapter 1, graded against an independent
 * computation:
 *   ch01-kl-gauss (1.6): KL(N(mu1, s1^2) || N(mu2, s2^2)) in closed form,
 *     against the integral of p log(p/q) by Simpson's rule in long
 *     double (grade_quad.h), on random pairs, a tiny s1 (1e-4), means
 *     500 apart, and identical Gaussians (exactly 0). */
#include "kl.h"
#include "rng.h"

#include "grade.h"
#include "grade_quad.h"

static bool kl_case(double mu1, double s1, double mu2, double s2)
{
    double want = kl_quadrature(mu1, s1, mu2, s2);
    return grade_near(kl_gauss_1d(mu1, s1, mu2, s2), want, 1e-10, 1e-9,
                      "KL(N(%g, %g^2) || N(%g, %g^2))", mu1, s1, mu2, s2);
}

static bool check_kl_gauss(void)
{
    rng r;
    rng_seed(&r, 7321);
    for (int i = 0; i < 9; i++) {
        double mu1 = 2 * rng_normal(&r), mu2 = 2 * rng_normal(&r);
        double s1 = exp(rng_normal(&r)), s2 = exp(rng_normal(&r));
        EXPECT(kl_case(mu1, s1, mu2, s2));
    }
    EXPECT(kl_case(0.3, 1e-4, -0.2, 1.7));   /* a tiny variance */
    EXPECT(kl_case(250, 2, -250, 3));        /* far apart */
    EXPECT_THAT(kl_gauss_1d(1.25, 0.8, 1.25, 0.8) == 0 ||
                fabs(kl_gauss_1d(1.25, 0.8, 1.25, 0.8)) < 1e-15,
                "KL of a Gaussian to itself: expected 0, got %.9g",
                kl_gauss_1d(1.25, 0.8, 1.25, 0.8));
    return true;
}

static const grade_task tasks[] = {
    {"ch01-kl-gauss", "(1.6)", check_kl_gauss},
};

int main(int argc, char **argv)
{
    return grade_main(tasks, (int)(sizeof tasks / sizeof tasks[0]), argc,
                      argv);
}
