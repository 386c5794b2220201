/* test_ch06_gmm.c -- the mixture density (6.2)-(6.3) against quadrature
 * and a direct formula; ancestral samples (6.4) against the closed-form
 * moments (6.5) and by Kolmogorov-Smirnov (6.6); EM (6.7)-(6.9) never
 * going down and finding the true means; p(x) of the latent model
 * (6.10) by quadrature against naive Monte Carlo (6.11) and importance
 * sampling (6.12). Includes the chapter (llm.c style). */
#define TESTING
#include "../chapters/ch06_gmm.c"

#include "../tests/check.h"

static const uint64_t seeds[3] = {11, 22, 33};

/* x^power p(x) for the 1-D mixture, to take its moments by quadrature. */
typedef struct {
    const gmm *g;
    int power;
} moment_ctx;

static double moment_integrand(double x, void *ctx)
{
    const moment_ctx *m = ctx;
    return pow(x, m->power) * exp(gmm_log_density(m->g, &x));
}

/* log N(x; mu, Sigma) in 2-D by the explicit inverse and determinant of
 * a 2x2 matrix: a route that shares nothing with the Cholesky one. */
static double log_normal_2d(const double *x, const double *mu,
                            const double cov[2][2])
{
    double det = cov[0][0] * cov[1][1] - cov[0][1] * cov[1][0];
    double d0 = x[0] - mu[0], d1 = x[1] - mu[1];
    double q = (cov[1][1] * d0 * d0 - 2.0 * cov[0][1] * d0 * d1 +
                cov[0][0] * d1 * d1) / det;
    return -0.5 * q - 0.5 * log(det) - log(2.0 * M_PI);
}

/* The density checks: total mass, moments, log-sum-exp, the 2-D form. */
static void test_density(void)
{
    gmm g1 = mixture_1d(), g2 = mixture_2d();
    CHECK_REL("1-D mixture integrates to 1", gmm_mass(&g1), 1.0, 1e-10, 0);
    CHECK_REL("2-D mixture integrates to 1 (nested quadrature)",
              gmm_mass(&g2), 1.0, 1e-9, 0);

    /* (6.5) against quadrature of x p(x) and x^2 p(x). */
    double mean, var;
    gmm_moments(&mean, &var, &g1);
    moment_ctx m1 = {&g1, 1}, m2 = {&g1, 2};
    double e1 =
        num_integrate_panels(moment_integrand, &m1, -15, 15, 1).value;
    double e2 =
        num_integrate_panels(moment_integrand, &m2, -15, 15, 1).value;
    CHECK_REL("closed-form mean (6.5) = quadrature", mean, e1, 1e-10, 1);
    CHECK_REL("closed-form variance (6.5) = quadrature", var,
              e2 - e1 * e1, 1e-10, 0);

    /* (6.2) equals the plain sum where nothing underflows ... */
    double x = 0.3, direct = 0.0;
    for (int m = 0; m < g1.k; m++)
        direct += g1.weight[m] * exp(num_log_normal_pdf(x, g1.mean[m][0],
                                                    sqrt(g1.cov[m][0][0])));
    CHECK_REL("log-sum-exp density = log of the plain sum at x = 0.3",
              gmm_log_density(&g1, &x), log(direct), 1e-14, 0);
    /* ... and stays finite 50 sd out, where the plain sum is 0: there
     * the widest component (sd 0.8) outweighs the others by e^-1000. */
    x = 40.0;
    direct = 0.0;
    for (int m = 0; m < g1.k; m++)
        direct += g1.weight[m] * exp(num_log_normal_pdf(x, g1.mean[m][0],
                                                    sqrt(g1.cov[m][0][0])));
    CHECK("plain sum underflows to 0 at x = 40", direct == 0.0);
    CHECK_REL("log density at x = 40 = log pi_2 + log N_2",
              gmm_log_density(&g1, &x),
              log(0.5) + num_log_normal_pdf(40.0, 0.5, 0.8), 1e-13, 0);

    /* (6.3) by Cholesky against the explicit 2x2 inverse. */
    double worst = 0.0;
    for (int i = 0; i < 20; i++) {
        double p[2] = {-4.0 + 0.4 * i, 3.0 - 0.3 * i}, lp[GMM_MAX_K];
        gmm_log_joint(lp, &g2, p);
        for (int m = 0; m < g2.k; m++) {
            double want = log(g2.weight[m]) +
                          log_normal_2d(p, g2.mean[m], g2.cov[m]);
            worst = fmax(worst, fabs(lp[m] - want) / fabs(want));
        }
    }
    CHECK_LE("2-D log N by Cholesky = by explicit inverse", worst, 1e-13);

    gmm bad = g2;
    bad.cov[1][0][1] = bad.cov[1][1][0] = 0.8;  /* 0.8^2 > 0.5 * 0.9 */
    CHECK("gmm_prepare rejects a covariance that is not positive definite",
          !gmm_prepare(&bad));
}

/* Kolmogorov's limit law at table values: P(K > lambda). n is large so
 * Stephens' finite-n factor is 1 to 3e-6. */
static void test_ks_pvalue(void)
{
    int n = 2000000000;
    double scale = sqrt((double)n) + 0.12 + 0.11 / sqrt((double)n);
    static const double table[][2] = {
        {0.8276, 0.50}, {1.2238, 0.10}, {1.3581, 0.05}, {1.6276, 0.01},
        {1.9495, 0.001},
    };
    for (int i = 0; i < CLI_COUNT(table); i++) {
        char name[96];
        snprintf(name, sizeof name, "P(K > %.4f) = %g (Kolmogorov table)",
                 table[i][0], table[i][1]);
        CHECK_REL(name, ks_pvalue(table[i][0] / scale, n), table[i][1],
                  2e-3, 0);
    }
    /* The two series meet at lambda = 1 (Jacobi's identity). */
    CHECK_NEAR("the two series agree at lambda = 1",
               ks_pvalue((1.0 - 1e-12) / scale, n),
               ks_pvalue((1.0 + 1e-12) / scale, n), 1e-10);

    /* Calibration: under the null, p < 0.1 in 10% of tests. 500 tests
     * of 200 samples: binomial SE sqrt(0.1 * 0.9 / 500) = 0.0134. */
    gmm g = mixture_1d();
    rng r;
    rng_seed(&r, 7);
    double x[200], d;
    int low = 0, label[200];
    for (int t = 0; t < 500; t++) {
        sample_many(x, label, &g, 200, &r);
        low += ks_test_1d(x, 200, &g, &d) < 0.1;
    }
    CHECK_NEAR("KS p-values calibrated: P(p < 0.1) = 0.1 within 4 SE",
               low / 500.0, 0.1, 4.0 * sqrt(0.1 * 0.9 / 500));
}

/* Sample moments within 4 SE of (6.5) (a chance failure has probability
 * 6e-5 each), component counts within 4 binomial SE, and the KS tests
 * at the 1% level, for three seeds; then two wrong samplers that the
 * KS tests must catch, so that passing means something. */
static void test_sampling(void)
{
    enum { N = 20000 };
    static double x[2 * N];
    static int label[N];
    gmm gs[2] = {mixture_1d(), mixture_2d()};
    char name[128];
    for (int s = 0; s < 3; s++)
        for (int gi = 0; gi < 2; gi++) {
            const gmm *g = &gs[gi];
            int d = g->dim;
            rng r;
            rng_seed(&r, seeds[s]);
            sample_many(x, label, g, N, &r);
            double mean[2], cov[4];
            num_stats sm[2], sc[4];
            gmm_moments(mean, cov, g);
            sample_moments(sm, sc, x, N, d, mean);
            for (int a = 0; a < d; a++) {
                snprintf(name, sizeof name, "%d-D seed %d: mean[%d] "
                         "within 4 SE", d, (int)seeds[s], a);
                CHECK_NEAR(name, sm[a].mean, mean[a],
                           4.0 * num_stats_sem(&sm[a]));
                for (int b = a; b < d; b++) {
                    snprintf(name, sizeof name, "%d-D seed %d: cov[%d][%d] "
                             "within 4 SE", d, (int)seeds[s], a, b);
                    CHECK_NEAR(name, sc[a * d + b].mean, cov[a * d + b],
                               4.0 * num_stats_sem(&sc[a * d + b]));
                }
            }
            for (int m = 0; m < g->k; m++) {
                int count = 0;
                for (int i = 0; i < N; i++)
                    count += label[i] == m;
                double p = g->weight[m];
                snprintf(name, sizeof name, "%d-D seed %d: component %d "
                         "drawn with frequency pi_%d", d, (int)seeds[s], m, m);
                CHECK_NEAR(name, (double)count / N, p,
                           4.0 * sqrt(p * (1 - p) / N));
            }
            double ks_d, p = d == 1 ? ks_test_1d(x, N, g, &ks_d)
                                    : KS_ANGLES * ks_test_2d(x, N, g);
            snprintf(name, sizeof name, "%d-D seed %d: KS passes at the 1%% "
                     "level%s", d, (int)seeds[s],
                     d == 2 ? " (Bonferroni over 4 directions)" : "");
            CHECK_GE(name, p, 0.01);
        }

    /* Wrong sampler 1: the variance used as standard deviation. */
    gmm wrong = gs[0];
    for (int m = 0; m < wrong.k; m++)
        wrong.cov[m][0][0] *= wrong.cov[m][0][0];
    (void)gmm_prepare(&wrong);
    rng r;
    rng_seed(&r, 44);
    sample_many(x, label, &wrong, N, &r);
    double ks_d;
    CHECK_LE("KS rejects sd -> variance (p < 1e-6)",
             ks_test_1d(x, N, &gs[0], &ks_d), 1e-6);
    /* Wrong sampler 2: mu + L^T eps instead of mu + L eps, which has
     * covariance L^T L instead of Sigma = L L^T. */
    wrong = gs[1];
    for (int m = 0; m < wrong.k; m++) {
        const double (*l)[GMM_MAX_DIM] = gs[1].chol[m];
        wrong.cov[m][0][0] = l[0][0] * l[0][0] + l[1][0] * l[1][0];
        wrong.cov[m][0][1] = wrong.cov[m][1][0] = l[1][0] * l[1][1];
        wrong.cov[m][1][1] = l[1][1] * l[1][1];
    }
    (void)gmm_prepare(&wrong);
    sample_many(x, label, &wrong, N, &r);
    CHECK_LE("2-D KS rejects L^T in place of L (p < 1e-6)",
             ks_test_2d(x, N, &gs[1]), 1e-6);
}

/* EM on 20,000 samples: the log-likelihood checked at every iteration
 * for a fall beyond rounding (1e-9 relative), the means matched to the
 * truth within 0.1, the weights within 0.02 (the SE of a weight from
 * 20,000 samples is sqrt(pi (1 - pi) / n) <= 0.0035, so 0.02 > 5 SE). */
static void test_em(void)
{
    enum { N = 20000, ITERS = 500 };
    static double x[2 * N], loglik[ITERS + 1];
    static int label[N];
    char name[128];
    gmm gs[2] = {mixture_1d(), mixture_2d()};
    for (int s = 0; s < 3; s++)
        for (int gi = 0; gi < 2; gi++) {
            const gmm *truth = &gs[gi];
            rng r;
            rng_seed(&r, seeds[s]);
            sample_many(x, label, truth, N, &r);
            gmm fit;
            em_init(&fit, x, N, truth->dim, 3, &r);
            int t = em_fit(&fit, loglik, x, N, ITERS, 1e-10);
            double worst = INFINITY;
            for (int i = 1; i <= t; i++)
                worst = fmin(worst, (loglik[i] - loglik[i - 1]) /
                                        fabs(loglik[i - 1]));
            snprintf(name, sizeof name, "%d-D seed %d: EM log-likelihood "
                     "never falls (%d iterations)", truth->dim,
                     (int)seeds[s], t);
            CHECK_GE(name, worst, -1e-9);
            CHECK("em_decreases agrees", em_decreases(loglik, t) == 0);
            int perm[GMM_MAX_K];
            snprintf(name, sizeof name, "%d-D seed %d: EM means within 0.1 "
                     "after matching", truth->dim, (int)seeds[s]);
            CHECK_LE(name, gmm_match(perm, &fit, truth), 0.1);
            double werr = 0.0;
            for (int m = 0; m < 3; m++)
                werr = fmax(werr, fabs(fit.weight[perm[m]] -
                                       truth->weight[m]));
            snprintf(name, sizeof name, "%d-D seed %d: EM learns the "
                     "weights within 0.02", truth->dim, (int)seeds[s]);
            CHECK_LE(name, werr, 0.02);
        }

    /* More components than the truth: still never down. */
    rng r;
    rng_seed(&r, 5);
    sample_many(x, label, &gs[0], N, &r);
    gmm fit;
    em_init(&fit, x, N, 1, 6, &r);
    int t = em_fit(&fit, loglik, x, N, 200, 0.0);
    CHECK("EM with 6 components: log-likelihood never falls",
          em_decreases(loglik, t) == 0);

    /* One component: the M-step (6.8) with all responsibilities 1 must
     * give the sample mean and the 1/n sample variance in one step. */
    em_init(&fit, x, N, 1, 1, &r);
    em_fit(&fit, loglik, x, N, 1, 0.0);
    num_stats st = {0};
    for (int i = 0; i < N; i++)
        num_stats_add(&st, x[i]);
    CHECK_REL("EM, 1 component: mean = sample mean", fit.mean[0][0],
              st.mean, 1e-12, 1);
    CHECK_REL("EM, 1 component: variance = sample variance (1/n)",
              fit.cov[0][0][0], st.m2 / N, 1e-12, 0);

    /* The E-step (6.7) against Bayes' rule with plain densities. */
    double resp[3], xi = 1.7, p[3], sum = 0.0;
    gmm g = gs[0];
    double lp = em_e_step(resp, &g, &xi, 1);
    for (int m = 0; m < 3; m++)
        sum += p[m] = g.weight[m] * exp(num_log_normal_pdf(
                          xi, g.mean[m][0], sqrt(g.cov[m][0][0])));
    for (int m = 0; m < 3; m++) {
        snprintf(name, sizeof name, "responsibility p(%d|x) = Bayes", m);
        CHECK_REL(name, resp[m], p[m] / sum, 1e-13, 0);
    }
    CHECK_REL("E-step returns log p(x)", lp, log(sum), 1e-14, 0);

    /* Label switching: a shuffled copy matches back with error 0. */
    gmm shuffled = gs[1];
    int order[3] = {2, 0, 1}, perm[GMM_MAX_K];
    for (int m = 0; m < 3; m++)
        memcpy(shuffled.mean[order[m]], gs[1].mean[m],
               sizeof gs[1].mean[m]);
    CHECK_NEAR("gmm_match undoes a relabelling",
               gmm_match(perm, &shuffled, &gs[1]), 0.0, 0.0);
    CHECK("gmm_match finds the order",
          perm[0] == 2 && perm[1] == 0 && perm[2] == 1);
}

/* The integrand p(x) of (6.10) over x, each value itself a quadrature. */
static double latent_density(double x, void *ctx)
{
    return latent_quadrature(ctx, x).value;
}

/* The latent model: p(x) by quadrature checked by its total mass and by
 * a near-linear decoder's closed form; the Laplace fit; both
 * estimators within 4 SE of the quadrature; the variance gap. */
static void test_latent(void)
{
    char name[128];
    decoder wide = {2.0, 1.5, 0.2};
    CHECK_REL("p(x) of the latent model integrates to 1 over x",
              num_integrate_panels(latent_density, &wide, -4.5, 4.5, 0.2)
                  .value,
              1.0, 1e-9, 0);
    /* a tanh(b z) with a b = 1 and b = 1e-3 is z to within z^3 / 3e6,
     * so p(x) is N(0, 1 + sigma^2) to about 1e-6. */
    decoder linear = {1000.0, 1e-3, 0.5};
    CHECK_REL("near-linear decoder: p(x) = N(x; 0, 1 + sigma^2)",
              latent_quadrature(&linear, 0.7).value,
              exp(num_log_normal_pdf(0.7, 0.0, sqrt(1.25))), 1e-5, 0);

    decoder dec = {2.0, 1.5, 0.05};
    double x = 1.0, px = latent_quadrature(&dec, x).value;
    CHECK_REL("grid sum times h = p(x) (h = 0.01)",
              0.01 * grid_sum(&dec, x, 0.01), px, 1e-9, 0);
    CHECK_REL("grid sum without h = p(x) / h (the erratum)",
              grid_sum(&dec, x, 0.001), px / 0.001, 1e-9, 0);

    /* Laplace (6.14): the slope of log p(x, z) at the mode is 0 and its
     * curvature is -1/s^2, both by finite differences; q is close to the
     * posterior's mean and sd from quadrature. */
    gauss_1d q = laplace_encoder(&dec, x);
    double h = 1e-4, g0 = latent_log_joint(&dec, x, q.mu);
    double gp = latent_log_joint(&dec, x, q.mu + h);
    double gm = latent_log_joint(&dec, x, q.mu - h);
    CHECK_NEAR("Laplace: slope at the mode = 0", (gp - gm) / (2 * h), 0.0,
               1e-4);
    CHECK_REL("Laplace: 1/s^2 = -curvature", 1.0 / (q.sigma * q.sigma),
              -(gp - 2 * g0 + gm) / (h * h), 1e-5, 0);
    double post_mean, post_sd;
    latent_posterior_moments(&post_mean, &post_sd, &dec, x, px);
    CHECK_NEAR("Laplace mean within 0.1 posterior sd of the posterior mean",
               q.mu, post_mean, 0.1 * post_sd);
    CHECK_REL("Laplace sd within 2% of the posterior sd", q.sigma, post_sd,
              0.02, 0);

    gauss_1d prior = {0.0, 1.0}, poor = {0.5, 0.1};
    is_estimate naive = {0}, is = {0};
    for (int s = 0; s < 3; s++) {
        rng r;
        rng_seed(&r, seeds[s]);
        naive = latent_estimate(&dec, x, prior, 10000, &r);
        is = latent_estimate(&dec, x, q, 10000, &r);
        is_estimate off = latent_estimate(&dec, x, poor, 10000, &r);
        snprintf(name, sizeof name, "seed %d: naive MC within 4 SE of "
                 "quadrature", (int)seeds[s]);
        CHECK_NEAR(name, naive.estimate, px, 4.0 * naive.sem);
        snprintf(name, sizeof name, "seed %d: importance sampling within "
                 "4 SE of quadrature", (int)seeds[s]);
        CHECK_NEAR(name, is.estimate, px, 4.0 * is.sem);
        snprintf(name, sizeof name, "seed %d: a poor proposal is still "
                 "unbiased (4 SE)", (int)seeds[s]);
        CHECK_NEAR(name, off.estimate, px, 4.0 * off.sem);
    }
    CHECK_GE("weight variance: naive >= 10x importance",
             naive.rel_var / is.rel_var, 10.0);

    /* The same by the spread of 200 repeated estimates of 100 draws. */
    rng r;
    rng_seed(&r, 99);
    num_stats spread_naive = {0}, spread_is = {0};
    for (int i = 0; i < 200; i++) {
        num_stats_add(&spread_naive,
                      latent_estimate(&dec, x, prior, 100, &r).estimate);
        num_stats_add(&spread_is,
                      latent_estimate(&dec, x, q, 100, &r).estimate);
    }
    CHECK_GE("repeated estimates: Var[naive] >= 10x Var[importance]",
             num_stats_var(&spread_naive) / num_stats_var(&spread_is),
             10.0);

    /* log-mean-exp (6.15) far below where exp underflows. */
    double lw[3] = {log(1.0), log(2.0), log(3.0)};
    CHECK_REL("num_logmeanexp(log 1, log 2, log 3) = log 2",
              num_logmeanexp(lw, 3), log(2.0), 1e-15, 0);
    for (int i = 0; i < 3; i++)
        lw[i] -= 1000.0;
    CHECK_REL("log_mean_exp at -1000", num_logmeanexp(lw, 3),
              log(2.0) - 1000.0, 1e-15, 0);
    double same[4] = {-5, -5, -5, -5};
    is_estimate e = importance_estimate(same, 4);
    CHECK_NEAR("equal weights: ESS = n", e.ess, 4.0, 1e-12);
    CHECK_NEAR("equal weights: relative variance 0", e.rel_var, 0.0, 0.0);
}

/* The note's guess-and-check with uniform guesses keeps x with density
 * proportional to p(m | x), not p(x | m): its spread is far off. */
static void test_guess_and_check(void)
{
    gmm g = mixture_1d();
    rng r;
    rng_seed(&r, 3);
    num_stats kept;
    guess_and_check(&kept, &g, 0, -8.0, 8.0, 20000, &r);
    CHECK_GE("uniform guess-and-check: kept sd > 2x component sd",
             sqrt(num_stats_var(&kept)), 2.0 * 0.5);
}

int main(void)
{
    test_density();
    test_ks_pvalue();
    test_sampling();
    test_em();
    test_latent();
    test_guess_and_check();
    return check_summary();
}
