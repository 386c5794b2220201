/* test_rng.c -- the generator: its stream matches an independent
 * implementation, and its distributions have the moments they should. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "num.h"
#include "rng.h"

#include "check.h"

int main(void)
{
    /* The first outputs for seed 42, from a separate Python version of
     * splitmix64 + xoshiro256** written from the published algorithms:
     * the same seed must give the same stream on every platform. */
    static const uint64_t want[] = {
        0x15780b2e0c2ec716u, 0x6104d9866d113a7eu, 0xae17533239e499a1u,
        0xecb8ad4703b360a1u, 0xfde6dc7fe2ec5e64u,
    };
    rng r;
    rng_seed(&r, 42);
    int same = 1;
    for (int i = 0; i < 5; i++)
        same &= rng_u64(&r) == want[i];
    CHECK("stream for seed 42 equals the reference implementation's", same);

    /* Moments: each estimate must lie within 5 standard errors. */
    enum { N = 1000000 };
    num_stats u = {0}, z = {0}, z2 = {0}, z4 = {0};
    rng_seed(&r, 7);
    for (int i = 0; i < N; i++) {
        double x = rng_uniform(&r), g = rng_normal(&r);
        num_stats_add(&u, x);
        num_stats_add(&z, g);
        num_stats_add(&z2, g * g);
        num_stats_add(&z4, g * g * g * g);
        if (x < 0.0 || x >= 1.0)
            CHECK("uniform in [0,1)", 0);
    }
    CHECK_NEAR("uniform mean 1/2", u.mean, 0.5, 5 * num_stats_sem(&u));
    CHECK_NEAR("uniform variance 1/12", num_stats_var(&u), 1.0 / 12, 5e-4);
    CHECK_NEAR("normal mean 0", z.mean, 0.0, 5 * num_stats_sem(&z));
    CHECK_NEAR("normal E[z^2] = 1", z2.mean, 1.0, 5 * num_stats_sem(&z2));
    CHECK_NEAR("normal E[z^4] = 3", z4.mean, 3.0, 5 * num_stats_sem(&z4));

    /* Normal tail: P(z > 2) = 1 - Phi(2), binomial standard error. */
    long above = 0;
    for (int i = 0; i < N; i++)
        above += rng_normal(&r) > 2.0;
    double p = 1.0 - num_normal_cdf(2.0);
    CHECK_NEAR("P(z > 2) = 1 - Phi(2)", (double)above / N, p,
               5 * sqrt(p * (1 - p) / N));

    /* Categorical and bounded integers: a chi-square test at 6 cells. */
    const double probs[6] = {0.05, 0.1, 0.15, 0.2, 0.25, 0.25};
    long cat[6] = {0}, below[6] = {0};
    for (int i = 0; i < 600000; i++) {
        cat[rng_categorical(&r, probs, 6)]++;
        below[rng_below(&r, 6)]++;
    }
    double chi_cat = 0, chi_below = 0;
    for (int k = 0; k < 6; k++) {
        double e = 600000 * probs[k];
        chi_cat += (cat[k] - e) * (cat[k] - e) / e;
        chi_below += (below[k] - 1e5) * (below[k] - 1e5) / 1e5;
    }
    /* 5 degrees of freedom: P(chi2 > 20.52) = 0.001. */
    CHECK_LE("categorical frequencies (chi2, 5 df, 0.1%)", chi_cat, 20.52);
    CHECK_LE("rng_below(6) frequencies (chi2, 5 df, 0.1%)", chi_below, 20.52);

    /* Shuffle: each of the 6 orders of 3 items equally often. */
    long orders[6] = {0};
    for (int i = 0; i < 60000; i++) {
        int a[3] = {0, 1, 2};
        rng_shuffle(&r, a, 3);
        orders[a[0] * 2 + (a[1] > a[2])]++;
    }
    double chi_perm = 0;
    for (int k = 0; k < 6; k++)
        chi_perm += (orders[k] - 1e4) * (orders[k] - 1e4) / 1e4;
    CHECK_LE("shuffle orders uniform (chi2, 5 df, 0.1%)", chi_perm, 20.52);

    rng a, b;
    rng_seed(&a, 3);
    rng_seed(&b, 3);
    CHECK("same seed, same normals",
          rng_normal(&a) == rng_normal(&b) && rng_normal(&a) == rng_normal(&b));
    return check_summary();
}
