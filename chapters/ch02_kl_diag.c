/* ch02_kl_diag.c -- Chapter 2: the KL divergence between d-dimensional
 * Gaussians.
 *
 * The general closed form (2.4) with full covariances, evaluated through
 * Cholesky factors (2.5): log determinants (2.6), the trace and the
 * Mahalanobis term (2.7) by triangular solves, never an inverse. Then
 * the diagonal case (2.8), a sum of chapter 1's 1-D terms, and the VAE's
 * encoder penalty (2.9) in log-variance form with its gradient (2.10).
 * Checked against Monte Carlo (2.2), the 1-D formula, and finite
 * differences; the notes' slips are shown with numbers. */
#include <math.h>
#include <stdio.h>

#include "cli.h"
#include "flags.h"
#include "kl.h"
#include "num.h"
#include "report.h"
#include "rng.h"
#include "sys.h"

/* The largest dimension: a list flag holds at most CLI_LIST_MAX. */
enum { DIM_MAX = CLI_LIST_MAX };

//> ch02-gauss
/* N(mu, Sigma) ready for use: its mean, the Cholesky factor L of its
 * covariance, and log det Sigma. */
typedef struct {
    int d;
    double mu[DIM_MAX];           /* (d) */
    double l[DIM_MAX * DIM_MAX];  /* (d, d) lower triangular, LL^T */
    double log_det;               /* log det Sigma */
} gauss;
//< ch02-gauss

//> ch02-gauss-init
/* Sets g to N(mu, cov) for cov (d, d). Returns num_cholesky's verdict:
 * 0, or the pivot at which cov fails to be positive definite. */
int gauss_init(gauss *g, const double *mu, const double *cov, int d)
{
    g->d = d;
    for (int i = 0; i < d; i++)
        g->mu[i] = mu[i];
    int bad = num_cholesky(g->l, cov, d, d);
    if (bad)
        return bad;
    g->log_det = 0.0;
    for (int i = 0; i < d; i++)  /* (2.6) */
        g->log_det += 2.0 * log(g->l[i * d + i]);
    return 0;
}

/* (x-mu)^T Sigma^-1 (x-mu) = |L^-1 (x-mu)|^2: one forward solve. */
double gauss_mahalanobis(const gauss *g, const double *x)
{
    double z[DIM_MAX];  /* (d) L^-1 (x - mu) */
    double quad = 0.0;
    for (int i = 0; i < g->d; i++)
        z[i] = x[i] - g->mu[i];
    num_forward_solve(z, g->l, g->d, g->d);
    for (int i = 0; i < g->d; i++)
        quad += z[i] * z[i];
    return quad;
}

/* log N(x; mu, Sigma), equation (2.1) in log form. */
double gauss_log_pdf(const gauss *g, const double *x)
{
    return -0.5 * (g->d * log(2.0 * M_PI) + g->log_det +
                   gauss_mahalanobis(g, x));
}
//< ch02-gauss-init

//> ch02-kl-full
/* KL(p1||p2) for full covariances, equation (2.4), with the trace and
 * Mahalanobis terms of (2.7): tr(S2^-1 S1) = |L2^-1 L1|^2 (Frobenius),
 * one forward solve per column of L1; (mu2-mu1)^T S2^-1 (mu2-mu1) =
 * |L2^-1 (mu2-mu1)|^2. */
double kl_gauss_full(const gauss *p1, const gauss *p2)
{
    int d = p1->d;
    double col[DIM_MAX];  /* (d) a column of L2^-1 L1 */
    double trace = 0.0, mahalanobis = 0.0;
    for (int j = 0; j < d; j++) {
        for (int i = 0; i < d; i++)
            col[i] = p1->l[i * d + j];
        num_forward_solve(col, p2->l, d, d);
        for (int i = 0; i < d; i++)
            trace += col[i] * col[i];
    }
    for (int i = 0; i < d; i++)
        col[i] = p2->mu[i] - p1->mu[i];
    num_forward_solve(col, p2->l, d, d);
    for (int i = 0; i < d; i++)
        mahalanobis += col[i] * col[i];
    return 0.5 * (p2->log_det - p1->log_det - d + trace + mahalanobis);
}
//< ch02-kl-full

//> ch02-kl-diag
/* KL between Gaussians with diagonal covariances, equation (2.8):
 * the sum of d one-dimensional terms. Takes variances. */
/* TASK ch02-kl-diag (2.8) */
double kl_gauss_diag(const double *mu1, const double *var1,
                     const double *mu2, const double *var2, int d)
{
    double sum = 0.0;
    for (int i = 0; i < d; i++) {
        double dmu = mu1[i] - mu2[i];
        sum += log(var2[i] / var1[i]) - 1.0
               + (var1[i] + dmu * dmu) / var2[i];
    }
    return 0.5 * sum;
}
//< ch02-kl-diag

//> ch02-vae-kl
/* The VAE encoder's penalty KL(N(mu, diag e^logvar) || N(0, I)): the
 * sum over dimensions of (2.9), from common/kl.c. */
double vae_kl_forward(const double *mu, const double *logvar, int d)
{
    double kl = 0.0;
    for (int i = 0; i < d; i++)
        kl += kl_std_normal_term(mu[i], logvar[i]);
    return kl;
}

/* Its gradient (2.10), added into d_mu and d_logvar (d each). */
void vae_kl_backward(double *d_mu, double *d_logvar, const double *mu,
                     const double *logvar, int d)
{
    for (int i = 0; i < d; i++) {
        double g_mu, g_logvar;
        kl_std_normal_term_grad(mu[i], logvar[i], &g_mu, &g_logvar);
        d_mu[i] += g_mu;
        d_logvar[i] += g_logvar;
    }
}
//< ch02-vae-kl

//> ch02-monte-carlo
/* One draw x = mu + L e, e ~ N(0, I): then Cov x = L L^T = Sigma. */
void gauss_sample(double *x, const gauss *g, rng *r)
{
    double e[DIM_MAX];  /* (d) */
    for (int i = 0; i < g->d; i++)
        e[i] = rng_normal(r);
    for (int i = 0; i < g->d; i++) {
        x[i] = g->mu[i];
        for (int k = 0; k <= i; k++)
            x[i] += g->l[i * g->d + k] * e[k];
    }
}

/* KL(p1||p2) as the average (2.2) of log p1(x) - log p2(x) over
 * x ~ p1. Returns the estimate; *sem gets its standard error. */
double kl_monte_carlo(const gauss *p1, const gauss *p2, long samples,
                      rng *r, double *sem)
{
    double x[DIM_MAX];  /* (d) */
    num_stats stats = {0};
    for (long s = 0; s < samples; s++) {
        gauss_sample(x, p1, r);
        double log_ratio = gauss_log_pdf(p1, x) - gauss_log_pdf(p2, x);
        num_stats_add(&stats, log_ratio);
    }
    *sem = num_stats_sem(&stats);
    return stats.mean;
}
//< ch02-monte-carlo

/* The (d, d) matrix with v on its diagonal. */
void diag_matrix(double *a, const double *v, int d)
{
    for (int i = 0; i < d; i++)
        for (int j = 0; j < d; j++)
            a[i * d + j] = i == j ? v[i] : 0.0;
}

/* N(mu, diag var) in d dimensions, for the full formula (2.4). */
void gauss_diag(gauss *g, const double *mu, const double *var, int d)
{
    static double cov[DIM_MAX * DIM_MAX];  /* (d, d) */
    diag_matrix(cov, var, d);
    gauss_init(g, mu, cov, d);  /* variances > 0: cannot fail */
}

/* A random mean (entries N(0,1)/2) and covariance A A^T / 2d + I/2,
 * A (d, 2d) with N(0,1) entries: symmetric positive definite with
 * eigenvalues near 0.6..3.4, so the KLs are of order d. */
void random_gauss_params(double *mu, double *cov, int d, rng *r)
{
    double a[DIM_MAX * 2 * DIM_MAX];  /* (d, 2d) */
    for (int i = 0; i < d; i++)
        mu[i] = 0.5 * rng_normal(r);
    for (int i = 0; i < 2 * d * d; i++)
        a[i] = rng_normal(r);
    for (int i = 0; i < d; i++)
        for (int j = 0; j < d; j++) {
            double s = 0.0;
            for (int k = 0; k < 2 * d; k++)
                s += a[i * 2 * d + k] * a[j * 2 * d + k];
            cov[i * d + j] = s / (2.0 * d) + (i == j ? 0.5 : 0.0);
        }
}

/* The largest |analytic (2.10) - central difference| over mu and
 * logvar, the difference taken on the diagonal formula (2.8) against
 * N(0, I) with var = e^logvar: a route that shares no code with kl.c. */
double vae_kl_grad_error(const double *mu, const double *logvar, int d,
                         double h)
{
    double g_mu[DIM_MAX] = {0}, g_lv[DIM_MAX] = {0};  /* (d) each */
    double m[DIM_MAX], v[DIM_MAX], zero[DIM_MAX], one[DIM_MAX];
    double worst = 0.0;
    vae_kl_backward(g_mu, g_lv, mu, logvar, d);
    for (int i = 0; i < d; i++) {
        m[i] = mu[i];
        v[i] = exp(logvar[i]);
        zero[i] = 0.0;
        one[i] = 1.0;
    }
    for (int i = 0; i < d; i++) {
        m[i] = mu[i] + h;
        double up = kl_gauss_diag(m, v, zero, one, d);
        m[i] = mu[i] - h;
        double down = kl_gauss_diag(m, v, zero, one, d);
        m[i] = mu[i];
        worst = fmax(worst, fabs(g_mu[i] - (up - down) / (2.0 * h)));
        v[i] = exp(logvar[i] + h);
        up = kl_gauss_diag(m, v, zero, one, d);
        v[i] = exp(logvar[i] - h);
        down = kl_gauss_diag(m, v, zero, one, d);
        v[i] = exp(logvar[i]);
        worst = fmax(worst, fabs(g_lv[i] - (up - down) / (2.0 * h)));
    }
    return worst;
}

/* N(0, [[1, rho], [rho, 1]]) and the diagonal N(0, I) with the same
 * variances: what a diagonal Gaussian misses of a correlation. */
void correlated_pair(gauss *corr, gauss *diag, double rho)
{
    const double zero[2] = {0.0, 0.0}, one[4] = {1.0, 0.0, 0.0, 1.0};
    double cov[4] = {1.0, rho, rho, 1.0};
    gauss_init(corr, zero, cov, 2);
    gauss_init(diag, zero, one, 2);
}

/* The figure's data: KL between the correlated pair in both directions
 * against rho, closed form on a fine grid, Monte Carlo at six points.
 * Returns the largest |z| = |Monte Carlo - closed form| / SE. */
double write_correlation_curves(const char *out, long samples, rng *r)
{
    static const double rho_mc[] = {0.1, 0.3, 0.5, 0.7, 0.9, 0.95};
    gauss corr, diag;
    report_tsv t;
    double worst_z = 0.0;
    report_tsv_open(&t, out, "kl_vs_rho.tsv",
                    "rho\tkl_corr_to_diag\tkl_diag_to_corr");
    for (int i = 0; i <= 95; i++) {
        correlated_pair(&corr, &diag, 0.01 * i);
        report_tsv_row(&t, (double[]){0.01 * i, kl_gauss_full(&corr, &diag),
                                      kl_gauss_full(&diag, &corr)});
    }
    report_tsv_close(&t);
    report_tsv_open(&t, out, "kl_vs_rho_mc.tsv",
                    "rho\tmc_corr_to_diag\tse_corr_to_diag\t"
                    "mc_diag_to_corr\tse_diag_to_corr");
    for (int i = 0; i < CLI_COUNT(rho_mc); i++) {
        double se1, se2;
        correlated_pair(&corr, &diag, rho_mc[i]);
        double mc1 = kl_monte_carlo(&corr, &diag, samples, r, &se1);
        double mc2 = kl_monte_carlo(&diag, &corr, samples, r, &se2);
        report_tsv_row(&t, (double[]){rho_mc[i], mc1, se1, mc2, se2});
        worst_z = fmax(worst_z,
                       fabs(mc1 - kl_gauss_full(&corr, &diag)) / se1);
        worst_z = fmax(worst_z,
                       fabs(mc2 - kl_gauss_full(&diag, &corr)) / se2);
    }
    report_tsv_close(&t);
    return worst_z;
}

/* Prints one labelled value of the run's tables. */
void print_value(const char *label, double value)
{
    printf("  %-40s %14.10f\n", label, value);
}

/* Prints a Monte Carlo estimate, its standard error, and its z-score
 * (estimate - exact) / SE, which should look like a draw from N(0,1). */
void print_estimate(const char *label, double mc, double sem, double exact)
{
    printf("  %-40s %14.10f +- %.6f (z = %.2f)\n", label, mc, sem,
           (mc - exact) / sem);
}

/* ---- the program: main and its steps ------------------------------ */

/* The flags' diagonal pair: its means and variances, d entries each. */
typedef struct {
    cli_list mu1, var1, mu2, var2;
} diag_pair;

/* Everything the program measures, in the order it prints it. */
typedef struct {
    double kl_diag, kl_full_diag, kl_sum_1d, kl_mc_diag, sem;
    double kl_full, kl_full_rev, kl_mc_full, sem_full;
    int bad_pivot;
    double vae_kl, vae_full, note003, note002_var, note002_sd;
    double grad_error;
    double note_mass, mass;
    double rho_z;
} ch02_results;

/* The notes' errors, measured under their own banner at the end. */
void notes_vae_term(ch02_results *res, const cli_list *mu1,
                    const cli_list *var1);
void note002_mass(ch02_results *res);

/* The flags' diagonal pair, four ways: (2.8), (2.4) through Cholesky,
 * the sum of 1-D KLs (1.6), Monte Carlo (2.2). */
void measure_diagonal(ch02_results *res, const diag_pair *p, long samples,
                      rng *r)
{
    int d = p->mu1.n;
    gauss p1, p2;
    gauss_diag(&p1, p->mu1.v, p->var1.v, d);
    gauss_diag(&p2, p->mu2.v, p->var2.v, d);
    res->kl_diag = kl_gauss_diag(p->mu1.v, p->var1.v, p->mu2.v,
                                 p->var2.v, d);
    res->kl_full_diag = kl_gauss_full(&p1, &p2);
    res->kl_sum_1d = 0.0;
    for (int i = 0; i < d; i++)
        res->kl_sum_1d += kl_gauss_1d(p->mu1.v[i], sqrt(p->var1.v[i]),
                                      p->mu2.v[i], sqrt(p->var2.v[i]));
    res->kl_mc_diag = kl_monte_carlo(&p1, &p2, samples, r, &res->sem);
    report_vector("p1 = N(mu1, diag var1), mu1", p->mu1.v, d);
    report_vector(", var1", p->var1.v, d);
    report_vector("\np2 = N(mu2, diag var2), mu2", p->mu2.v, d);
    report_vector(", var2", p->var2.v, d);
    printf("\n");
    print_value("KL(p1||p2) diagonal formula (2.8)", res->kl_diag);
    print_value("full formula (2.4) through Cholesky", res->kl_full_diag);
    print_value("sum of 1-D KLs (1.6), kl_gauss_1d", res->kl_sum_1d);
    print_estimate("Monte Carlo (2.2)", res->kl_mc_diag, res->sem,
                   res->kl_diag);
    print_value("KL(p2||p1), the other direction",
                kl_gauss_diag(p->mu2.v, p->var2.v, p->mu1.v, p->var1.v,
                              d));
}

/* A random pair with full covariances, (2.4) against Monte Carlo; and
 * Cholesky refusing a matrix that is no covariance. */
void measure_full(ch02_results *res, int dim, long samples, rng *r)
{
    static double mu_r[2][DIM_MAX], cov_r[2][DIM_MAX * DIM_MAX];
    gauss q1, q2;
    for (int k = 0; k < 2; k++)
        random_gauss_params(mu_r[k], cov_r[k], dim, r);
    gauss_init(&q1, mu_r[0], cov_r[0], dim);  /* SPD by construction */
    gauss_init(&q2, mu_r[1], cov_r[1], dim);
    res->kl_full = kl_gauss_full(&q1, &q2);
    res->kl_full_rev = kl_gauss_full(&q2, &q1);
    res->kl_mc_full = kl_monte_carlo(&q1, &q2, samples, r, &res->sem_full);
    printf("\nrandom full covariances, d = %d (--dim, --seed):\n", dim);
    print_value("KL(p1||p2) closed form (2.4)", res->kl_full);
    print_estimate("Monte Carlo (2.2)", res->kl_mc_full, res->sem_full,
                   res->kl_full);
    print_value("KL(p2||p1)", res->kl_full_rev);

    const double not_spd[4] = {1.0, 2.0, 2.0, 1.0};  /* eigenvalues 3, -1 */
    double l_bad[4];
    res->bad_pivot = num_cholesky(l_bad, not_spd, 2, 2);
    printf("  cholesky([[1, 2], [2, 1]]): pivot %d is not positive, "
           "not a covariance\n", res->bad_pivot);
}

/* The VAE's encoder penalty for p1 against the prior N(0, I): the sum
 * of (2.9) beside the full formula (2.4). */
void measure_vae_term(ch02_results *res, const cli_list *mu1,
                      const cli_list *var1)
{
    int d = mu1->n;
    double logvar[DIM_MAX], zero[DIM_MAX] = {0}, one[DIM_MAX];
    for (int i = 0; i < d; i++) {
        logvar[i] = log(var1->v[i]);
        one[i] = 1.0;
    }
    gauss p1, prior;
    gauss_diag(&p1, mu1->v, var1->v, d);
    gauss_diag(&prior, zero, one, d);
    res->vae_kl = vae_kl_forward(mu1->v, logvar, d);
    res->vae_full = kl_gauss_full(&p1, &prior);
    printf("\nVAE encoder term KL(N(mu1, diag var1) || N(0, I)), "
           "logvar = log var1:\n");
    print_value("sum of (2.9), kl_std_normal_term", res->vae_kl);
    print_value("full formula (2.4) against N(0, I)", res->vae_full);
}

/* The penalty's gradient (2.10), and its distance from central
 * differences of (2.8). */
void measure_vae_gradient(ch02_results *res, const cli_list *mu1,
                          const cli_list *var1)
{
    int d = mu1->n;
    double logvar[DIM_MAX] = {0};  /* (d) */
    for (int i = 0; i < d; i++)
        logvar[i] = log(var1->v[i]);
    res->grad_error = vae_kl_grad_error(mu1->v, logvar, d, 1e-5);
    double g_mu[DIM_MAX] = {0}, g_lv[DIM_MAX] = {0};
    vae_kl_backward(g_mu, g_lv, mu1->v, logvar, d);
    report_vector("  gradient (2.10): d/dmu", g_mu, d);
    report_vector(", d/dlogvar", g_lv, d);
    printf("\n  max |(2.10) - central difference of (2.8), h = 1e-5| = "
           "%.3g\n", res->grad_error);
}

/* KL of a correlated pair against the diagonal one, both directions;
 * the curves over rho go to the figure's tables. */
void measure_correlation(ch02_results *res, const char *out, long samples,
                         rng *r)
{
    res->rho_z = write_correlation_curves(out, samples, r);
    gauss corr, diag;
    correlated_pair(&corr, &diag, 0.9);
    printf("\ncorrelation rho = 0.9, C = [[1, rho], [rho, 1]] "
           "(the figure: rho = 0..0.95):\n");
    print_value("KL(N(0, C) || N(0, I))", kl_gauss_full(&corr, &diag));
    print_value("KL(N(0, I) || N(0, C))", kl_gauss_full(&diag, &corr));
    printf("  Monte Carlo at 6 values of rho, both directions: "
           "largest |z| = %.2f\n", res->rho_z);
}

/* The summary block: the run's numbers, one "key = value" line each. */
/* Key by key, as the book quotes it: every chapter's summary is such a
 * list, which duplicates sees as one shape (kept: a list reads best). */
void print_summary(const ch02_results *res)
{
    report_summary_begin();
    report_summary("kl_diag", res->kl_diag);
    report_summary("kl_diag_via_full", res->kl_full_diag);
    report_summary("kl_diag_sum_1d", res->kl_sum_1d);
    report_summary("kl_diag_monte_carlo", res->kl_mc_diag);
    report_summary("kl_diag_monte_carlo_se", res->sem);
    report_summary("kl_full", res->kl_full);
    report_summary("kl_full_reverse", res->kl_full_rev);
    report_summary("kl_full_monte_carlo", res->kl_mc_full);
    report_summary("kl_full_monte_carlo_se", res->sem_full);
    report_summary("non_spd_pivot", res->bad_pivot);
    report_summary("vae_kl", res->vae_kl);
    report_summary("vae_kl_via_full", res->vae_full);
    report_summary("note003_encoder_kl", res->note003);
    report_summary("note002_kl_sigma_as_variance", res->note002_var);
    report_summary("note002_kl_sigma_as_sd", res->note002_sd);
    report_summary("vae_kl_grad_max_fd_error", res->grad_error);
    report_summary("note002_density_mass_2d", res->note_mass);
    report_summary("density_mass_2d", res->mass);
    report_summary("rho_monte_carlo_max_abs_z", res->rho_z);
}

#ifndef TESTING
int main(int argc, char **argv)
{
    diag_pair p = {
        .mu1 = {{1.0, -0.5, 0.0}, 3}, .var1 = {{0.25, 2.0, 1.5}, 3},
        .mu2 = {{0.0, 0.0, 0.5}, 3}, .var2 = {{1.0, 2.0, 0.5}, 3},
    };
    int dim = 5;
    int samples = 100000;
    int seed = 1;
    const char *out = "out/ch02_kl_diag";
    cli_flag flags[] = {
        {"mu1", CLI_LIST, &p.mu1, "[-1e6,1e6]", "mean of p1"},
        {"var1", CLI_LIST, &p.var1, "(0,1e6]", "variances of p1 (diagonal)"},
        {"mu2", CLI_LIST, &p.mu2, "[-1e6,1e6]", "mean of p2"},
        {"var2", CLI_LIST, &p.var2, "(0,1e6]", "variances of p2 (diagonal)"},
        {"dim", CLI_INT, &dim, "[1,64]",
         "dimension of the random full-covariance pair"},
        {"samples", CLI_INT, &samples, "[2,10000000]",
         "Monte Carlo draws per estimate"},
        FLAG_SEED(&seed),
        FLAG_OUT(&out),
    };
    cli_parse("ch02_kl_diag",
              "KL divergence of multivariate Gaussians: full covariance by "
              "Cholesky (2.4), diagonal (2.8), the VAE term (2.9).",
              flags, CLI_COUNT(flags), argc, argv);
    report_prepare(out);   /* before any work: can it be written? */
    int d = p.mu1.n;
    if (p.var1.n != d)
        sys_die(SYS_USAGE, "--var1: has %d entries, --mu1 has %d", p.var1.n,
                d);
    if (p.mu2.n != d)
        sys_die(SYS_USAGE, "--mu2: has %d entries, --mu1 has %d", p.mu2.n,
                d);
    if (p.var2.n != d)
        sys_die(SYS_USAGE, "--var2: has %d entries, --mu1 has %d", p.var2.n,
                d);
    rng r;
    rng_seed(&r, (uint64_t)seed);
    printf("ch02_kl_diag: seed %d, %d Monte Carlo samples per estimate\n\n",
           seed, samples);

    static ch02_results res;
    measure_diagonal(&res, &p, samples, &r);
    measure_full(&res, dim, samples, &r);
    measure_vae_term(&res, &p.mu1, &p.var1);
    notes_vae_term(&res, &p.mu1, &p.var1);
    measure_vae_gradient(&res, &p.mu1, &p.var1);
    note002_mass(&res);
    measure_correlation(&res, out, samples, &r);
    print_summary(&res);
    report_files();
    return 0;
}
#endif

/* ---- the notes' errors, measured ---------------------------------- */

/* Note 002's diagonal formula (1/2)[-sum log s_i - d + sum s_i + mu^T mu]
 * against N(0, I), for whatever s_i the caller reads the note's
 * sigma_i as: variances (right) or standard deviations (wrong). */
double note002_diag_kl(const double *mu, const double *s, int d)
{
    double sum = -d;
    for (int i = 0; i < d; i++)
        sum += -log(s[i]) + s[i] + mu[i] * mu[i];
    return 0.5 * sum;
}

/* Note 003's encoder KL (1/2) sum (mu^2 + sigma^2 - ln sigma^2 - 1),
 * written from standard deviations exactly as the note has it. */
double note003_encoder_kl(const double *mu, const double *sigma, int d)
{
    double sum = 0.0;
    for (int i = 0; i < d; i++) {
        double s2 = sigma[i] * sigma[i];
        sum += mu[i] * mu[i] + s2 - log(s2) - 1.0;
    }
    return 0.5 * sum;
}

/* Note 002's multivariate density 1/sqrt(2 pi det S) exp(-q/2),
 * written as the note has it: the 1-D constant on a d-D exponent. */
double note002_density(const gauss *g, const double *x)
{
    double det = exp(g->log_det);
    return exp(-0.5 * gauss_mahalanobis(g, x)) / sqrt(2.0 * M_PI * det);
}

/* Total mass of a 2-D density by iterated adaptive quadrature over
 * mu +- 12 standard deviations in each coordinate (the tails beyond
 * hold less than 1e-32). `note` picks the note's density over (2.1). */
typedef struct {
    const gauss *g;
    int note;
    double x2;  /* the outer coordinate while the inner integral runs */
} mass_ctx;

/* The density at (x1, x2), x2 held in the context. */
double mass_inner(double x1, void *ctx)
{
    const mass_ctx *m = ctx;
    double x[2] = {x1, m->x2};
    return m->note ? note002_density(m->g, x) : exp(gauss_log_pdf(m->g, x));
}

/* The inner integral over x1 at a fixed x2. */
double mass_outer(double x2, void *ctx)
{
    mass_ctx *m = ctx;
    double sd1 = m->g->l[0];  /* sqrt(Sigma_11) */
    m->x2 = x2;
    return num_integrate(mass_inner, m, m->g->mu[0] - 12.0 * sd1,
                         m->g->mu[0] + 12.0 * sd1, 1e-16, 1e-13).value;
}

/* The outer integral over x2: the total mass. */
double density_mass_2d(const gauss *g, int note)
{
    mass_ctx m = {g, note, 0.0};
    double sd2 = hypot(g->l[2], g->l[3]);  /* sqrt(Sigma_22) */
    return num_integrate(mass_outer, &m, g->mu[1] - 12.0 * sd2,
                         g->mu[1] + 12.0 * sd2, 1e-16, 1e-13).value;
}

/* Notes 002 and 003's encoder penalties beside the right one: note 003
 * as written, note 002 with its sigma_i read as a variance (right) and
 * as a standard deviation (wrong). */
void notes_vae_term(ch02_results *res, const cli_list *mu1,
                    const cli_list *var1)
{
    int d = mu1->n;
    double sigma[DIM_MAX];
    for (int i = 0; i < d; i++)
        sigma[i] = sqrt(var1->v[i]);
    res->note003 = note003_encoder_kl(mu1->v, sigma, d);
    res->note002_var = note002_diag_kl(mu1->v, var1->v, d);
    res->note002_sd = note002_diag_kl(mu1->v, sigma, d);
    print_value("note 003: 1/2 sum(mu^2+s^2-ln s^2-1)", res->note003);
    print_value("note 002, sigma_i read as variance", res->note002_var);
    print_value("note 002, sigma_i as std dev (wrong)", res->note002_sd);
}

/* Note 002's density has the 1-D constant: its mass in 2-D, beside the
 * mass of (2.1). */
void note002_mass(ch02_results *res)
{
    const double mu_2d[2] = {1.0, -1.0};
    const double cov_2d[4] = {2.0, 0.6, 0.6, 0.5};
    gauss g2;
    gauss_init(&g2, mu_2d, cov_2d, 2);
    res->note_mass = density_mass_2d(&g2, 1);
    res->mass = density_mass_2d(&g2, 0);
    printf("\nmass over the plane, mu = (1, -1), "
           "Sigma = [[2, 0.6], [0.6, 0.5]]:\n");
    print_value("note 002's 1/sqrt(2 pi det S) exp(-q/2)", res->note_mass);
    print_value("(2 pi)^((d-1)/2) = sqrt(2 pi) for d = 2", sqrt(2.0 * M_PI));
    print_value("(2.1), the right density", res->mass);
}
