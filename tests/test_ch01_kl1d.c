/* test_ch01_kl1d.c -- the closed form (1.6) against quadrature of (1.2)
 * on 24 pairs, and against Monte Carlo (1.9) on those of the first
 * twelve whose widths differ by at most 10 times; KL >= 0 on all 24,
 * not symmetric, and 0 for p = q; the grid minimum of (1.7) at
 * sigma = 1, as (1.8) says; the central moments (1.4) by quadrature;
 * note 002's "the quadratic term wins" against quadrature at s = 0.1.
 * Includes the chapter (llm.c style, its main hidden by TESTING) to
 * call its functions. */
#define TESTING
#include "../chapters/ch01_kl1d.c"

#include <stdlib.h>

#include "../tests/check.h"

/* 24 pairs: equal, shifted, narrow vs wide (ratios up to 100 both ways),
 * means up to 1000 standard deviations apart. */
static const gauss_pair pairs[] = {
    {0, 1, 0, 1},        {1, 1, 0, 1},          {-1, 1, 0, 1},
    {0, 2, 0, 1},        {0, 0.5, 0, 1},        {0.3, 0.7, -0.2, 1.3},
    {0, 1, 0, 100},      {0, 100, 0, 1},        {0, 0.01, 0, 1},
    {5, 0.01, 5, 1},     {0, 1, 0, 0.01},       {10, 1, -10, 1},
    {100, 1, 0, 1},      {1000, 1, 0, 1},       {0, 1, 1000, 1},
    {3, 0.1, -2, 10},    {-2, 10, 3, 0.1},      {1e3, 50, -1e3, 0.5},
    {0.001, 1, 0, 1},    {2, 3, 2.5, 3.5},      {-7, 0.2, -7.1, 0.25},
    {42, 4.2, 4.2, 42},  {0, 1e-3, 1e-3, 1e-3}, {1e4, 1e2, 0, 1},
};

int main(void)
{
    char name[160];
    for (int i = 0; i < CLI_COUNT(pairs); i++) {
        gauss_pair g = pairs[i];
        double closed = kl_gauss_1d(g.mu1, g.s1, g.mu2, g.s2);
        num_quad q = kl_quadrature(g);
        snprintf(name, sizeof name,
                 "closed form = quadrature, KL(N(%g,%g^2)||N(%g,%g^2))",
                 g.mu1, g.s1, g.mu2, g.s2);
        CHECK_REL(name, closed, q.value, 1e-9, 1e-12);
    }

    /* Monte Carlo is unbiased with standard error SE, so |MC - KL| is
     * beyond 4 SE with probability 6e-5: a failure means a wrong formula
     * or estimator, not bad luck. Pairs with a modest log-ratio spread. */
    rng r;
    rng_seed(&r, 12345);
    for (int i = 0; i < 12; i++) {
        gauss_pair g = pairs[i];
        if (g.s1 / g.s2 > 10 || g.s2 / g.s1 > 10)
            continue;
        double sem, mc = kl_monte_carlo(g, 200000, &r, &sem);
        double closed = kl_gauss_1d(g.mu1, g.s1, g.mu2, g.s2);
        snprintf(name, sizeof name, "Monte Carlo within 4 SE, pair %d", i);
        CHECK_NEAR(name, mc, closed, 4.0 * sem + 1e-12);
    }

    /* KL is not symmetric: the two directions differ for unequal widths. */
    CHECK("KL(p||q) != KL(q||p) for N(0,1) vs N(0,2^2)",
          fabs(kl_gauss_1d(0, 1, 0, 2) - kl_gauss_1d(0, 2, 0, 1)) > 0.4);
    double least = INFINITY;
    for (int i = 0; i < CLI_COUNT(pairs); i++)
        least = fmin(least, kl_gauss_1d(pairs[i].mu1, pairs[i].s1,
                                        pairs[i].mu2, pairs[i].s2));
    CHECK_GE("KL >= 0 on every pair", least, 0.0);
    CHECK_NEAR("KL(p||p) = 0", kl_gauss_1d(4, 2, 4, 2), 0.0, 1e-15);

    /* (1.8): the minimum of (1.7) over the grid sits at sigma = 1. */
    char dir[] = "/tmp/ch01-test-XXXXXX";
    CHECK("temporary folder", mkdtemp(dir) != NULL);
    CHECK_NEAR("grid minimum of KL(N(0,s^2)||N(0,1)) at s = 1",
               write_curves(dir), 1.0, 1e-12);

    /* (1.4), and the note's slip: E[x - mu] is 0, E[(x - mu)^2] is s^2. */
    CHECK_NEAR("E[x - mu] = 0", central_moment_quadrature(2, 3, 1), 0, 1e-9);
    CHECK_REL("E[(x - mu)^2] = sigma^2", central_moment_quadrature(2, 3, 2),
              9.0, 1e-10, 0);
    /* Note 002's "the quadratic term wins": at s = 0.1 the KL, by
     * quadrature, is carried by -log s, not by s^2/2. */
    kl_terms narrow = note002_which_term_wins(0.1);
    double kl_q = kl_quadrature((gauss_pair){0.0, 0.1, 0.0, 1.0}).value;
    CHECK_NEAR("KL(N(0,0.1^2)||N(0,1)) = quadrature", narrow.kl, kl_q,
               1e-9);
    CHECK("at s = 0.1 -log s is over 400 times s^2/2",
          narrow.minus_log_s > 400.0 * narrow.half_s_sq);
    CHECK("at s = 0.1 the KL exceeds s^2/2 by over 1.8",
          kl_q - narrow.half_s_sq > 1.8);
    return check_summary();
}
