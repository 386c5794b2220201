/* ch01_kl1d.c -- Chapter 1: the KL divergence between two 1-D Gaussians.
 *
 * The closed form (1.6) is checked three ways: against numerical
 * quadrature of the defining integral (1.2), against a Monte Carlo
 * average with its standard error (1.9), and -- for the VAE's special
 * case (1.7) -- by locating its minimum at mu = 0, sigma = 1 on a grid.
 * Standard deviations, not variances, are the parameters throughout. */
#include <math.h>
#include <stdio.h>

#include "cli.h"
#include "flags.h"
#include "kl.h"
#include "num.h"
#include "report.h"
#include "rng.h"
#include "sys.h"

/* Two Gaussians N(mu1, s1^2) and N(mu2, s2^2), by standard deviation. */
typedef struct {
    double mu1, s1, mu2, s2;
} gauss_pair;

//> ch01-quadrature
/* The integrand of (1.2): p1(x) (log p1(x) - log p2(x)). */
double kl_integrand(double x, void *ctx)
{
    const gauss_pair *g = ctx;
    double lp1 = num_log_normal_pdf(x, g->mu1, g->s1);
    double lp2 = num_log_normal_pdf(x, g->mu2, g->s2);
    return exp(lp1) * (lp1 - lp2);
}

/* KL by integrating (1.2) numerically over mu1 +- 40 s1. Beyond that
 * p1 < e^-800, which is 0 in double, while the log ratio grows only
 * like x^2: the tails add nothing a double can hold. */
num_quad kl_quadrature(gauss_pair g)
{
    return num_integrate(kl_integrand, &g, g.mu1 - 40.0 * g.s1,
                         g.mu1 + 40.0 * g.s1, 1e-15, 1e-13);
}
//< ch01-quadrature

//> ch01-monte-carlo
/* KL as an average, equation (1.9): draw x ~ p1 and average
 * log p1(x) - log p2(x). Returns the estimate; *sem gets its standard
 * error, the spread we expect around the true value. */
double kl_monte_carlo(gauss_pair g, long samples, rng *r,
                             double *sem)
{
    num_stats stats = {0};
    for (long i = 0; i < samples; i++) {
        double x = g.mu1 + g.s1 * rng_normal(r);
        num_stats_add(&stats, num_log_normal_pdf(x, g.mu1, g.s1) -
                                  num_log_normal_pdf(x, g.mu2, g.s2));
    }
    *sem = num_stats_sem(&stats);
    return stats.mean;
}
//< ch01-monte-carlo

/* The moments (1.4) the derivation uses, by quadrature: the note's
 * E[x - mu1] (which is 0) beside E[(x - mu1)^2] (which is s1^2). */
typedef struct {
    double mu, s;
    int power;
} central_moment;

double central_moment_integrand(double x, void *ctx)
{
    const central_moment *m = ctx;
    return pow(x - m->mu, m->power) * exp(num_log_normal_pdf(x, m->mu, m->s));
}

double central_moment_quadrature(double mu, double s, int power)
{
    central_moment m = {mu, s, power};
    return num_integrate(central_moment_integrand, &m, mu - 40.0 * s,
                         mu + 40.0 * s, 1e-15, 1e-13).value;
}

/* The table the program prints by default: near and far pairs, narrow
 * and wide, and each pair's reverse to show the asymmetry. */
static const gauss_pair default_pairs[] = {
    {0.0, 1.0, 0.0, 1.0},  {1.0, 1.0, 0.0, 1.0},  {0.0, 2.0, 0.0, 1.0},
    {0.0, 1.0, 0.0, 2.0},  {0.0, 0.5, 1.0, 1.0},  {1.0, 1.0, 0.0, 0.5},
    {3.0, 0.1, -2.0, 10.0}, {-2.0, 10.0, 3.0, 0.1},
};

/* One pair's KL by the three routes. */
typedef struct {
    double closed, quadrature, quadrature_error, monte_carlo, sem;
} kl_estimates;

kl_estimates kl_estimate(gauss_pair g, long samples, rng *r)
{
    kl_estimates e;
    num_quad quad = kl_quadrature(g);
    e.closed = kl_gauss_1d(g.mu1, g.s1, g.mu2, g.s2);
    e.quadrature = quad.value;
    e.quadrature_error = quad.error;
    e.monte_carlo = kl_monte_carlo(g, samples, r, &e.sem);
    return e;
}

/* Prints one row: closed form, quadrature, Monte Carlo and its z-score. */
kl_estimates print_pair_row(gauss_pair g, long samples, rng *r)
{
    kl_estimates e = kl_estimate(g, samples, r);
    double z = e.sem > 0 ? (e.monte_carlo - e.closed) / e.sem : 0.0;
    printf("%6.2f %6.2f %6.2f %6.2f  %14.10f  %9.1e  %12.6f %9.6f %6.2f\n",
           g.mu1, g.s1, g.mu2, g.s2, e.closed,
           fabs(e.quadrature - e.closed), e.monte_carlo, e.sem, z);
    return e;
}

/* Writes KL(N(mu, s^2) || N(0,1)) as a function of s (at mu = 0) with its
 * two competing terms, and as a function of mu (at s = 1). Returns the
 * grid point where the curve in s is lowest. */
double write_curves(const char *out)
{
    report_tsv t;
    double best_s = 0.0, best_kl = INFINITY;
    report_tsv_open(&t, out, "kl_vs_sigma.tsv",
                    "sigma\tkl\tminus_log_sigma\thalf_sigma_sq");
    for (int i = 1; i <= 400; i++) {
        double s = 0.01 * i;
        double kl = kl_gauss_1d(0.0, s, 0.0, 1.0);
        report_tsv_row(&t, (double[]){s, kl, -log(s), 0.5 * s * s});
        if (kl < best_kl) {
            best_kl = kl;
            best_s = s;
        }
    }
    report_tsv_close(&t);
    report_tsv_open(&t, out, "kl_vs_mu.tsv", "mu\tkl");
    for (int i = -300; i <= 300; i++) {
        double mu = 0.01 * i;
        report_tsv_row(&t, (double[]){mu, kl_gauss_1d(mu, 1.0, 0.0, 1.0)});
    }
    report_tsv_close(&t);
    return best_s;
}

/* Measured under the errata banner at the end of the file. */
typedef struct {
    double s, minus_log_s, half_s_sq, kl;
} kl_terms;
kl_terms note002_which_term_wins(double s);

#ifndef TESTING
int main(int argc, char **argv)
{
    double mu1 = 1.0, sigma1 = 0.5, mu2 = 0.0, sigma2 = 1.0;
    int samples = 100000;
    int seed = 1;
    const char *out = "out/ch01_kl1d";
    cli_flag flags[] = {
        {"mu1", CLI_REAL, &mu1, "[-1e6,1e6]", "mean of p1"},
        {"sigma1", CLI_REAL, &sigma1, "(0,1e6]", "standard deviation of p1"},
        {"mu2", CLI_REAL, &mu2, "[-1e6,1e6]", "mean of p2"},
        {"sigma2", CLI_REAL, &sigma2, "(0,1e6]", "standard deviation of p2"},
        {"samples", CLI_INT, &samples, "[2,100000000]",
         "Monte Carlo draws per estimate"},
        FLAG_SEED(&seed),
        FLAG_OUT(&out),
    };
    cli_parse("ch01_kl1d",
              "KL divergence of two 1-D Gaussians: closed form (1.6) vs "
              "quadrature vs Monte Carlo.",
              flags, CLI_COUNT(flags), argc, argv);
    report_prepare(out);   /* before any work: can it be written? */
    if (sigma1 / sigma2 > 1e6 || sigma2 / sigma1 > 1e6)
        sys_die(SYS_USAGE, "--sigma1/--sigma2: ratio beyond 1e6 is not "
                "supported");
    rng r;
    rng_seed(&r, (uint64_t)seed);
    printf("ch01_kl1d: seed %d, %d Monte Carlo samples per pair\n\n", seed,
           samples);

    printf("KL(N(mu1, s1^2) || N(mu2, s2^2)): closed form (1.6), "
           "|quadrature - closed|, Monte Carlo +- SE, z = (MC - closed)/SE\n");
    printf("%6s %6s %6s %6s  %14s  %9s  %12s %9s %6s\n", "mu1", "s1", "mu2",
           "s2", "closed", "|quad-cf|", "monte carlo", "SE", "z");
    for (int i = 0; i < CLI_COUNT(default_pairs); i++)
        print_pair_row(default_pairs[i], samples, &r);

    gauss_pair g = {mu1, sigma1, mu2, sigma2};
    gauss_pair rev = {mu2, sigma2, mu1, sigma1};
    printf("\nyour pair (--mu1 --sigma1 --mu2 --sigma2) and its reverse:\n");
    kl_estimates e = print_pair_row(g, samples, &r);
    kl_estimates e_rev = print_pair_row(rev, samples, &r);

    double best_sigma = write_curves(out);
    printf("\nKL(N(0, s^2) || N(0,1)) over s = 0.01..4.00 is lowest at "
           "s = %.2f (1.8 says s = 1)\n", best_sigma);

    /* The note's E[x - mu1] = sigma1^2 (erratum) against the right (1.4). */
    double m1 = central_moment_quadrature(mu1, sigma1, 1);
    double m2 = central_moment_quadrature(mu1, sigma1, 2);
    printf("for p1: E[x - mu1] = %.3g, E[(x - mu1)^2] = %.10g, "
           "sigma1^2 = %.10g\n", m1, m2, sigma1 * sigma1);

    kl_terms narrow = note002_which_term_wins(0.1);
    kl_terms wide = note002_which_term_wins(3.0);

    report_summary_begin();
    report_summary("kl_closed_form", e.closed);
    report_summary("kl_quadrature", e.quadrature);
    report_summary("kl_quadrature_error_estimate", e.quadrature_error);
    report_summary("kl_monte_carlo", e.monte_carlo);
    report_summary("kl_monte_carlo_se", e.sem);
    report_summary("kl_reverse", e_rev.closed);
    report_summary("sigma_at_minimum", best_sigma);
    report_summary("first_central_moment", m1);
    report_summary("second_central_moment", m2);
    report_summary("narrow_minus_log_sigma", narrow.minus_log_s);
    report_summary("narrow_half_sigma_sq", narrow.half_s_sq);
    report_summary("wide_half_sigma_sq", wide.half_s_sq);
    report_files();
    return 0;
}
#endif

/* ---- errata in the notes: the second audit ----------------------------- */

/* Note 002 (section 3.1.1) says of KL(N(0, s^2) || N(0,1)) =
 * -log s + s^2/2 - 1/2 that the quadratic term is the stronger one.
 * Prints the two terms at s: below 1 the log term wins, above 1 the
 * quadratic does; the sum is >= 0 because the two balance at s = 1. */
kl_terms note002_which_term_wins(double s)
{
    kl_terms t = {s, -log(s), 0.5 * s * s, kl_gauss_1d(0.0, s, 0.0, 1.0)};
    printf("note 002's 'the quadratic term wins', at s = %.2f: -log s = "
           "%.4f, s^2/2 = %.4f, KL = %.4f (%s)\n", s, t.minus_log_s,
           t.half_s_sq, t.kl,
           t.minus_log_s > t.half_s_sq ? "the log term wins"
                                       : "the quadratic wins");
    return t;
}
