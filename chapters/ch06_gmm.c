/* ch06_gmm.c -- Chapter 6: Gaussian mixtures, and the road to the VAE.
 *
 * Part 1, a mixture with a discrete latent m: its density by log-sum-exp
 * (6.2), ancestral sampling (6.4) checked against the closed-form moments
 * (6.5) and by a Kolmogorov-Smirnov test (6.6), and EM (6.7)-(6.9) that
 * learns the weights, means and covariances back from the samples.
 * Part 2, a model with a continuous latent z: p(x) = E_z[p(x|z)] (6.10)
 * by quadrature, by naive Monte Carlo (6.11) and by importance sampling
 * (6.12) with a proposal fitted at the posterior mode (6.14) -- the job
 * a VAE's encoder learns to do. Everything is in double.
 *
 * The file in that order: part 1's model, part 2's, then the program
 * (its tables, what it prints, main as a list of steps), and last, under
 * their own banner, the measurements of the notes' errors. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "flags.h"
#include "num.h"
#include "report.h"
#include "rng.h"
#include "sys.h"

enum { GMM_MAX_K = 8, GMM_MAX_DIM = 2 };

/* A Gaussian mixture in `dim` (1 or 2) dimensions. The parameters come
 * first; gmm_prepare() derives the rest from them. */
typedef struct {
    int k, dim;
    double weight[GMM_MAX_K];                 /* pi_m, summing to 1 */
    double mean[GMM_MAX_K][GMM_MAX_DIM];      /* mu_m */
    double cov[GMM_MAX_K][GMM_MAX_DIM][GMM_MAX_DIM];  /* Sigma_m */
    double chol[GMM_MAX_K][GMM_MAX_DIM][GMM_MAX_DIM]; /* L_m L_m^T */
    double log_coef[GMM_MAX_K];  /* log pi_m - log det L_m - d/2 log 2pi */
} gmm;

/* ------------------------------------------------------------------ */
/* Part 1: the mixture                                                 */

//> ch06-prepare
/* Factors each Sigma_m = L_m L_m^T with chapter 2's num_cholesky (2.5)
 * and folds the constant part of log pi_m + log N(x; mu_m, Sigma_m),
 * equation (6.3), into log_coef. The matrices are the d x d corners of
 * fixed-size arrays, hence the row stride GMM_MAX_DIM. False if some
 * Sigma_m is not positive definite. */
bool gmm_prepare(gmm *g)
{
    int d = g->dim;
    for (int m = 0; m < g->k; m++) {
        if (num_cholesky(&g->chol[m][0][0], &g->cov[m][0][0], d,
                         GMM_MAX_DIM) != 0)
            return false;
        double log_det_l = 0.0;
        for (int j = 0; j < d; j++)
            log_det_l += log(g->chol[m][j][j]);
        g->log_coef[m] = log(g->weight[m]) - log_det_l -
                         0.5 * d * log(2.0 * M_PI);
    }
    return true;
}
//< ch06-prepare

//> ch06-density
/* logp[m] = log pi_m + log N(x; mu_m, Sigma_m), equation (6.3): solve
 * L y = x - mu by chapter 2's forward substitution, then the quadratic
 * form is |y|^2. */
void gmm_log_joint(double *logp, const gmm *g, const double *x)
{
    for (int m = 0; m < g->k; m++) {
        double y[GMM_MAX_DIM], sq = 0.0;  /* (dim) L_m^-1 (x - mu_m) */
        for (int j = 0; j < g->dim; j++)
            y[j] = x[j] - g->mean[m][j];
        num_forward_solve(y, &g->chol[m][0][0], g->dim, GMM_MAX_DIM);
        for (int j = 0; j < g->dim; j++)
            sq += y[j] * y[j];
        logp[m] = g->log_coef[m] - 0.5 * sq;
    }
}

/* log p(x) = logsumexp_m (log pi_m + log N(x; mu_m, Sigma_m)), (6.2):
 * never exp of a large negative number, so no underflow to log 0. */
double gmm_log_density(const gmm *g, const double *x)
{
    double logp[GMM_MAX_K];
    gmm_log_joint(logp, g, x);
    return num_logsumexp(logp, g->k);
}
//< ch06-density

//> ch06-sample
/* Ancestral sampling, (6.4): first the component m ~ Cat(pi), then
 * x = mu_m + L_m eps with eps ~ N(0, I). Returns m. */
int gmm_sample(double *x, const gmm *g, rng *r)
{
    int m = rng_categorical(r, g->weight, g->k);
    double eps[GMM_MAX_DIM];
    for (int j = 0; j < g->dim; j++) {
        eps[j] = rng_normal(r);
        x[j] = g->mean[m][j];
        for (int i = 0; i <= j; i++)
            x[j] += g->chol[m][j][i] * eps[i];
    }
    return m;
}
//< ch06-sample

/* The mixture's mean and covariance in closed form, (6.5). */
void gmm_moments(double *mean /* (dim) */, double *cov /* (dim, dim) */,
                 const gmm *g)
{
    int d = g->dim;
    for (int a = 0; a < d; a++) {
        mean[a] = 0.0;
        for (int m = 0; m < g->k; m++)
            mean[a] += g->weight[m] * g->mean[m][a];
    }
    for (int a = 0; a < d; a++)
        for (int b = 0; b < d; b++) {
            double s = 0.0;
            for (int m = 0; m < g->k; m++)
                s += g->weight[m] * (g->cov[m][a][b] +
                                     g->mean[m][a] * g->mean[m][b]);
            cov[a * d + b] = s - mean[a] * mean[b];
        }
}

/* Sample moments as plain averages, each with its standard error: the
 * coordinates x_a, and the products (x_a - c_a)(x_b - c_b) about a
 * fixed centre c. With c the true mean, each product average is an
 * unbiased estimate of Cov(a, b) made of independent terms, so its SE
 * is sd / sqrt(n) like any mean (chapter 1) -- no fourth-moment formula
 * needed. Stats are (dim) for the mean, (dim, dim) for the products. */
void sample_moments(num_stats *mean, num_stats *cov, const double *x,
                    int n, int dim, const double *centre)
{
    for (int a = 0; a < dim; a++)
        mean[a] = (num_stats){0};
    for (int a = 0; a < dim * dim; a++)
        cov[a] = (num_stats){0};
    for (int i = 0; i < n; i++) {
        const double *xi = x + (size_t)i * dim;
        for (int a = 0; a < dim; a++) {
            num_stats_add(&mean[a], xi[a]);
            for (int b = 0; b < dim; b++)
                num_stats_add(&cov[a * dim + b],
                              (xi[a] - centre[a]) * (xi[b] - centre[b]));
        }
    }
}

/* The CDF of a 1-D mixture: sum_m pi_m Phi((x - mu_m) / sigma_m). */
double gmm_cdf_1d(const gmm *g, double x)
{
    double p = 0.0;
    for (int m = 0; m < g->k; m++)
        p += g->weight[m] *
             num_normal_cdf((x - g->mean[m][0]) / g->chol[m][0][0]);
    return p;
}

/* The 1-D mixture of u . x for x from the 2-D mixture g, u = (cos t,
 * sin t): a projection of a Gaussian is Gaussian, with mean u . mu_m and
 * variance u^T Sigma_m u, and the weights stay. */
gmm gmm_project(const gmm *g, double angle)
{
    double u[2] = {cos(angle), sin(angle)};
    gmm p = {.k = g->k, .dim = 1};
    for (int m = 0; m < g->k; m++) {
        p.weight[m] = g->weight[m];
        p.mean[m][0] = u[0] * g->mean[m][0] + u[1] * g->mean[m][1];
        p.cov[m][0][0] = u[0] * u[0] * g->cov[m][0][0] +
                         2.0 * u[0] * u[1] * g->cov[m][0][1] +
                         u[1] * u[1] * g->cov[m][1][1];
    }
    (void)gmm_prepare(&p);
    return p;
}

/* qsort's comparison for doubles, ascending. */
int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

//> ch06-ks
/* The Kolmogorov-Smirnov distance (6.6) between the n samples x (sorted
 * here, in place) and the 1-D mixture's CDF: the largest gap between
 * the empirical step function and F, looked at on both sides of each
 * step. */
double ks_statistic(double *x, int n, const gmm *g)
{
    qsort(x, (size_t)n, sizeof *x, compare_doubles);
    double d = 0.0;
    for (int i = 0; i < n; i++) {
        double f = gmm_cdf_1d(g, x[i]);
        d = fmax(d, fmax((i + 1.0) / n - f, f - (double)i / n));
    }
    return d;
}

/* P(D >= d) for n samples from F, by Kolmogorov's limit law (6.6) at
 * lambda = (sqrt n + 0.12 + 0.11 / sqrt n) d (Stephens' correction for
 * finite n). Two series of the same function: the first converges fast
 * for large lambda, the second (Jacobi's transform) for small. */
double ks_pvalue(double d, int n)
{
    double rn = sqrt((double)n);
    double lambda = (rn + 0.12 + 0.11 / rn) * d, sum = 0.0;
    if (lambda < 1e-3)
        return 1.0;
    if (lambda > 1.0) {
        for (int j = 1; j <= 100; j++) {
            double sign = j % 2 ? 1.0 : -1.0;
            sum += 2.0 * sign * exp(-2.0 * j * j * lambda * lambda);
        }
        return fmin(1.0, fmax(0.0, sum));
    }
    for (int j = 1; j <= 100; j++) {
        double t = (2 * j - 1) * M_PI / lambda;
        sum += exp(-t * t / 8.0);
    }
    return fmin(1.0, fmax(0.0, 1.0 - sqrt(2.0 * M_PI) / lambda * sum));
}
//< ch06-ks

/* The KS p-value of 1-D samples against the mixture g (x is copied). */
double ks_test_1d(const double *x, int n, const gmm *g, double *d)
{
    double *copy = sys_alloc((size_t)n, sizeof *copy);
    memcpy(copy, x, (size_t)n * sizeof *copy);
    *d = ks_statistic(copy, n, g);
    free(copy);
    return ks_pvalue(*d, n);
}

/* The projection angles the 2-D test looks along: 0, 45, 90, 135 deg. */
enum { KS_ANGLES = 4 };

/* KS tests of 2-D samples along KS_ANGLES directions. By Cramer-Wold a
 * 2-D law is fixed by its 1-D projections; the diagonals see the
 * correlations the axes miss. Returns the smallest p-value; testing at
 * level alpha means min p >= alpha / KS_ANGLES (Bonferroni). */
double ks_test_2d(const double *x, int n, const gmm *g)
{
    double *proj = sys_alloc((size_t)n, sizeof *proj), p_min = 1.0;
    for (int a = 0; a < KS_ANGLES; a++) {
        double angle = a * M_PI / KS_ANGLES;
        gmm g1 = gmm_project(g, angle);
        for (int i = 0; i < n; i++)
            proj[i] = cos(angle) * x[2 * i] + sin(angle) * x[2 * i + 1];
        p_min = fmin(p_min, ks_pvalue(ks_statistic(proj, n, &g1), n));
    }
    free(proj);
    return p_min;
}

//> ch06-e-step
/* E-step, (6.7): resp[i][m] = p(m | x_i), the responsibility of
 * component m for sample i, by Bayes' rule in log space. Returns the
 * log-likelihood sum_i log p(x_i) of the current parameters. */
/* TASK ch06-e-step (6.7) */
double em_e_step(double *resp /* (n, k) */, const gmm *g,
                 const double *x /* (n, dim) */, int n)
{
    double loglik = 0.0;
    for (int i = 0; i < n; i++) {
        double *r = resp + (size_t)i * g->k;
        gmm_log_joint(r, g, x + (size_t)i * g->dim);
        double log_px = num_logsumexp(r, g->k);
        for (int m = 0; m < g->k; m++)
            r[m] = exp(r[m] - log_px);
        loglik += log_px;
    }
    return loglik;
}
//< ch06-e-step

//> ch06-m-step
/* M-step, (6.8): each component refitted to all samples, sample i
 * counted with weight resp[i][m]. False if a component lost all its
 * samples or its covariance is no longer positive definite. */
/* TASK ch06-m-step (6.8) */
bool em_m_step(gmm *g, const double *resp /* (n, k) */,
               const double *x /* (n, dim) */, int n)
{
    int k = g->k, d = g->dim;
    for (int m = 0; m < k; m++) {
        double nm = 0.0, sum[GMM_MAX_DIM] = {0};
        for (int i = 0; i < n; i++) {
            double r = resp[(size_t)i * k + m];
            nm += r;
            for (int a = 0; a < d; a++)
                sum[a] += r * x[(size_t)i * d + a];
        }
        if (!(nm > 0.0))
            return false;
        g->weight[m] = nm / n;
        for (int a = 0; a < d; a++)
            g->mean[m][a] = sum[a] / nm;
        double c[GMM_MAX_DIM][GMM_MAX_DIM] = {{0}};
        for (int i = 0; i < n; i++) {
            double r = resp[(size_t)i * k + m], dev[GMM_MAX_DIM];
            for (int a = 0; a < d; a++)
                dev[a] = x[(size_t)i * d + a] - g->mean[m][a];
            for (int a = 0; a < d; a++)
                for (int b = 0; b <= a; b++)
                    c[a][b] += r * dev[a] * dev[b];
        }
        for (int a = 0; a < d; a++)
            for (int b = 0; b <= a; b++)
                g->cov[m][a][b] = g->cov[m][b][a] = c[a][b] / nm;
    }
    return gmm_prepare(g);
}
//< ch06-m-step

/* EM's starting point: means at k samples spread by k-means++ seeding
 * (each next seed drawn with probability proportional to its squared
 * distance to the nearest seed so far), every covariance the whole
 * data's, equal weights. */
void em_init(gmm *g, const double *x, int n, int dim, int k, rng *r)
{
    double *dist2 = sys_alloc((size_t)n, sizeof *dist2); /* (n) */
    double *prob = sys_alloc((size_t)n, sizeof *prob);   /* (n) */
    num_stats mean[GMM_MAX_DIM], cov[GMM_MAX_DIM * GMM_MAX_DIM];
    double centre[GMM_MAX_DIM] = {0};
    sample_moments(mean, cov, x, n, dim, centre);
    for (int a = 0; a < dim; a++)
        centre[a] = mean[a].mean;
    sample_moments(mean, cov, x, n, dim, centre);
    *g = (gmm){.k = k, .dim = dim};
    for (int m = 0; m < k; m++) {
        double total = 0.0;
        for (int i = 0; m > 0 && i < n; i++)
            total += dist2[i];
        int pick;
        if (total > 0.0) {
            for (int i = 0; i < n; i++)
                prob[i] = dist2[i] / total;
            pick = rng_categorical(r, prob, n);
        } else {  /* the first seed, or all samples on the seeds */
            pick = (int)rng_below(r, (uint64_t)n);
        }
        for (int a = 0; a < dim; a++)
            g->mean[m][a] = x[(size_t)pick * dim + a];
        for (int i = 0; i < n; i++) {
            double s = 0.0;
            for (int a = 0; a < dim; a++) {
                double t = x[(size_t)i * dim + a] - g->mean[m][a];
                s += t * t;
            }
            dist2[i] = m == 0 ? s : fmin(dist2[i], s);
        }
        g->weight[m] = 1.0 / k;
        for (int a = 0; a < dim; a++)
            for (int b = 0; b < dim; b++)
                g->cov[m][a][b] = cov[a * dim + b].mean;
    }
    free(prob);
    free(dist2);
    if (!gmm_prepare(g))
        sys_die(SYS_FAILED, "EM: the samples' covariance is singular");
}

//> ch06-em-loop
/* Runs EM from g: E-step, M-step, E-step, ... until the log-likelihood
 * per sample rises by less than tol, or `iters` M-steps. loglik[t] is
 * log p(X | theta_t), (iters + 1). Returns the number of M-steps. */
int em_fit(gmm *g, double *loglik, const double *x, int n, int iters,
           double tol)
{
    double *resp = sys_alloc((size_t)n * g->k, sizeof *resp); /*(n,k)*/
    loglik[0] = em_e_step(resp, g, x, n);
    int t = 0;
    report_progress shown = report_progress_start("EM, of --iters");
    while (t < iters) {
        if (!em_m_step(g, resp, x, n))
            sys_die(SYS_FAILED, "EM: a component collapsed at "
                    "iteration %d; try fewer --components", t + 1);
        t++;
        loglik[t] = em_e_step(resp, g, x, n);
        if ((loglik[t] - loglik[t - 1]) / n < tol)
            break;
        report_progress_show(&shown, t, iters);   /* big runs */
    }
    report_progress_done(&shown);
    free(resp);
    return t;
}
//< ch06-em-loop

/* How many times the log-likelihood fell by more than rounding (a
 * relative 1e-9) from one EM iteration to the next; (6.9) says 0. */
int em_decreases(const double *loglik, int iterations)
{
    int count = 0;
    for (int t = 1; t <= iterations; t++)
        count += loglik[t] < loglik[t - 1] - 1e-9 * fabs(loglik[t - 1]);
    return count;
}

/* The search behind gmm_match: tries every assignment of fitted
 * components to true ones, pruning any partial one already worse. */
typedef struct {
    const gmm *fit, *truth;
    int current[GMM_MAX_K], best[GMM_MAX_K];
    bool used[GMM_MAX_K];
    double best_cost;
} match_search;

void match_extend(match_search *s, int m, double cost)
{
    if (cost >= s->best_cost)
        return;
    if (m == s->truth->k) {
        s->best_cost = cost;
        memcpy(s->best, s->current, sizeof s->best);
        return;
    }
    for (int j = 0; j < s->fit->k; j++) {
        if (s->used[j])
            continue;
        double d2 = 0.0;
        for (int a = 0; a < s->truth->dim; a++) {
            double t = s->fit->mean[j][a] - s->truth->mean[m][a];
            d2 += t * t;
        }
        s->used[j] = true;
        s->current[m] = j;
        match_extend(s, m + 1, cost + d2);
        s->used[j] = false;
    }
}

/* EM's labels are arbitrary (label switching): perm[m] is the fitted
 * component matched to true component m, the order of all k! that
 * minimises the summed squared distance between means. Needs fit->k >=
 * truth->k. Returns the largest distance between matched means. */
double gmm_match(int *perm, const gmm *fit, const gmm *truth)
{
    match_search s = {.fit = fit, .truth = truth, .best_cost = INFINITY};
    match_extend(&s, 0, 0.0);
    double worst = 0.0;
    for (int m = 0; m < truth->k; m++) {
        perm[m] = s.best[m];
        double d2 = 0.0;
        for (int a = 0; a < truth->dim; a++) {
            double t = fit->mean[perm[m]][a] - truth->mean[m][a];
            d2 += t * t;
        }
        worst = fmax(worst, sqrt(d2));
    }
    return worst;
}

/* The 1-D mixture the chapter samples and fits: three components that
 * overlap but stay apart. */
gmm mixture_1d(void)
{
    gmm g = {.k = 3, .dim = 1,
             .weight = {0.3, 0.5, 0.2},
             .mean = {{-2.0}, {0.5}, {3.0}},
             .cov = {{{0.25}}, {{0.64}}, {{0.36}}}};
    (void)gmm_prepare(&g);
    return g;
}

/* The 2-D mixture: three tilted ellipses. */
gmm mixture_2d(void)
{
    gmm g = {.k = 3, .dim = 2,
             .weight = {0.4, 0.35, 0.25},
             .mean = {{-2.0, -1.0}, {2.0, -0.5}, {0.0, 2.5}},
             .cov = {{{1.0, 0.6}, {0.6, 0.8}},
                     {{0.5, -0.3}, {-0.3, 0.9}},
                     {{1.2, 0.0}, {0.0, 0.3}}}};
    (void)gmm_prepare(&g);
    return g;
}

/* The integrand p(x) of a 1-D mixture, and of a 2-D one along y at a
 * fixed x (ctx points to {gmm, x}). */
typedef struct {
    const gmm *g;
    double x;
} gmm_slice;

double gmm_density_1d(double x, void *ctx)
{
    return exp(gmm_log_density(((const gmm_slice *)ctx)->g, &x));
}

double gmm_density_2d_y(double y, void *ctx)
{
    const gmm_slice *s = ctx;
    double xy[2] = {s->x, y};
    return exp(gmm_log_density(s->g, xy));
}

/* Integral over y of the 2-D density at x: the x-marginal. */
double gmm_marginal_2d_x(double x, void *ctx)
{
    gmm_slice s = {ctx, x};
    return num_integrate_panels(gmm_density_2d_y, &s, -15.0, 15.0, 2.0)
        .value;
}

/* Total mass of a mixture's density by quadrature over [-15, 15]^dim
 * (for the chapter's mixtures, 11 or more standard deviations beyond
 * every component): 1 when (6.2)-(6.3) are right. */
double gmm_mass(const gmm *g)
{
    gmm_slice s = {g, 0.0};
    if (g->dim == 1)
        return num_integrate_panels(gmm_density_1d, &s, -15.0, 15.0, 1.0)
            .value;
    return num_integrate_panels(gmm_marginal_2d_x, (void *)g, -15.0,
                                15.0, 2.0).value;
}

/* ------------------------------------------------------------------ */
/* Part 2: a continuous latent                                         */

//> ch06-latent
/* The latent-variable model of (6.10): z ~ N(0, 1) and
 * x | z ~ N(f(z), sigma^2), with the decoder f(z) = a tanh(b z). */
typedef struct {
    double a, b, sigma;
} decoder;

double decoder_mean(const decoder *dec, double z)
{
    return dec->a * tanh(dec->b * z);
}

/* log p(x, z) = log p(x | z) + log p(z): the integrand of (6.10). */
double latent_log_joint(const decoder *dec, double x, double z)
{
    return num_log_normal_pdf(x, decoder_mean(dec, z), dec->sigma) +
           num_log_normal_pdf(z, 0.0, 1.0);
}
//< ch06-latent

/* The integrand of (6.10) at z, for the observation in ctx. */
typedef struct {
    const decoder *dec;
    double x;
} latent_point;

double latent_joint(double z, void *ctx)
{
    const latent_point *p = ctx;
    return exp(latent_log_joint(p->dec, p->x, z));
}

/* z^power p(x, z), for the posterior's moments by quadrature. */
typedef struct {
    latent_point point;
    int power;
} latent_moment;

double latent_moment_integrand(double z, void *ctx)
{
    const latent_moment *m = ctx;
    return pow(z, m->power) * latent_joint(z, (void *)&m->point);
}

//> ch06-quadrature
/* Panels for integrals over z: as |f'| <= a b and the 15 nodes of a
 * panel are at most 0.104 of its width apart, on panels 4 sigma / (a b)
 * wide f moves at most 0.42 sigma from node to node, so some node
 * lands within 0.21 sigma of the likelihood's peak: none is missed. */
double latent_panel_width(const decoder *dec)
{
    return 4.0 * dec->sigma / (dec->a * dec->b);
}

/* p(x) by quadrature of (6.10) over z in [-12, 12], outside which the
 * prior has 2e-33 of its mass. */
num_quad latent_quadrature(const decoder *dec, double x)
{
    latent_point p = {dec, x};
    return num_integrate_panels(latent_joint, &p, -12.0, 12.0,
                                latent_panel_width(dec));
}
//< ch06-quadrature

/* The posterior p(z | x)'s mean and standard deviation, by quadrature:
 * what the Laplace fit below is trying to match. */
void latent_posterior_moments(double *mean, double *sd,
                              const decoder *dec, double x, double px)
{
    double width = latent_panel_width(dec), mom[3];
    for (int power = 1; power <= 2; power++) {
        latent_moment m = {{dec, x}, power};
        mom[power] = num_integrate_panels(latent_moment_integrand, &m,
                                          -12.0, 12.0, width).value / px;
    }
    *mean = mom[1];
    *sd = sqrt(fmax(0.0, mom[2] - mom[1] * mom[1]));
}

/* A 1-D Gaussian by mean and standard deviation: the proposal q. */
typedef struct {
    double mu, sigma;
} gauss_1d;

//> ch06-laplace
/* The encoder's job, done by hand for one x: Laplace's method (6.14)
 * fits q(z|x) = N(z*, s^2) with z* the mode of log p(x, z) and 1/s^2
 * its curvature there. The mode by Newton steps on the Gauss-Newton
 * curvature (f'^2/sigma^2 + 1 > 0, so always uphill), halved until
 * log p(x, z) does rise. */
gauss_1d laplace_encoder(const decoder *dec, double x)
{
    double s2 = dec->sigma * dec->sigma, z = 0.0;
    double a = dec->a, b = dec->b;
    for (int iter = 0; iter < 200; iter++) {
        double t = tanh(b * z), df = a * b * (1.0 - t * t);
        double grad = (x - a * t) * df / s2 - z;
        double step = grad / (df * df / s2 + 1.0);
        double here = latent_log_joint(dec, x, z);
        while (latent_log_joint(dec, x, z + step) < here &&
               fabs(step) > 1e-15)
            step *= 0.5;
        z += step;
        if (fabs(step) <= 1e-14 * (1.0 + fabs(z)))
            break;
    }
    double t = tanh(b * z), df = a * b * (1.0 - t * t);
    double d2f = -2.0 * b * t * df;  /* f'' */
    double curv = (df * df - (x - a * t) * d2f) / s2 + 1.0;
    return (gauss_1d){z, 1.0 / sqrt(curv)};
}
//< ch06-laplace

//> ch06-importance
/* n log-weights log w = log p(x, z) - log q(z) with z ~ q, (6.12).
 * With q the prior N(0, 1) this is naive Monte Carlo (6.11): the
 * weight is then p(x | z). */
void importance_log_weights(double *logw /* (n) */, const decoder *dec,
                            double x, gauss_1d q, int n, rng *r)
{
    for (int i = 0; i < n; i++) {
        double z = q.mu + q.sigma * rng_normal(r);
        logw[i] = latent_log_joint(dec, x, z) -
                  num_log_normal_pdf(z, q.mu, q.sigma);
    }
}

/* An importance-sampling estimate with what judges it. */
typedef struct {
    double estimate;  /* (6.12) */
    double sem;       /* its standard error, sd(w) / sqrt(n) */
    double rel_var;   /* Var[w] / E[w]^2, the factor in (6.13) */
    double ess;       /* (sum w)^2 / sum w^2: effective samples */
} is_estimate;

/* Judges n log-weights; the weights are scaled by the largest before
 * exp, so none overflows and the largest is exactly 1. */
is_estimate importance_estimate(const double *logw, int n)
{
    double shift = -INFINITY, sum = 0.0, sum2 = 0.0;
    for (int i = 0; i < n; i++)
        shift = fmax(shift, logw[i]);
    num_stats w = {0};  /* weights / exp(shift): all <= 1 */
    for (int i = 0; i < n; i++) {
        double wi = exp(logw[i] - shift);
        num_stats_add(&w, wi);
        sum += wi;
        sum2 += wi * wi;
    }
    return (is_estimate){
        .estimate = exp(num_logmeanexp(logw, n)),
        .sem = exp(shift) * num_stats_sem(&w),
        .rel_var = num_stats_var(&w) / (w.mean * w.mean),
        .ess = sum * sum / sum2,
    };
}
//< ch06-importance

/* One estimate of p(x) from n draws of q (naive MC when q = prior). */
is_estimate latent_estimate(const decoder *dec, double x, gauss_1d q,
                            int n, rng *r)
{
    double *logw = sys_alloc((size_t)n, sizeof *logw);
    importance_log_weights(logw, dec, x, q, n, r);
    is_estimate e = importance_estimate(logw, n);
    free(logw);
    return e;
}

/* ------------------------------------------------------------------ */
/* The program, 1: the tables for the figures                          */

/* The 1-D mixture's density, its weighted components and the EM fit on
 * a grid, and a histogram of the samples scaled to a density. */
void write_mixture_1d(const char *out, const gmm *truth, const gmm *fit,
                      const double *x, int n)
{
    enum { BINS = 66 };
    const double lo = -5.0, hi = 6.0, h = (hi - lo) / BINS;
    report_tsv t;
    report_tsv_open(&t, out, "mixture1d_density.tsv",
                    "x\tp_true\tp_fit\tcomp1\tcomp2\tcomp3");
    for (int i = 0; i <= 550; i++) {
        double xi = lo + i * (hi - lo) / 550, logp[GMM_MAX_K];
        gmm_log_joint(logp, truth, &xi);
        report_tsv_row(&t, (double[]){xi, exp(gmm_log_density(truth, &xi)),
                                      exp(gmm_log_density(fit, &xi)),
                                      exp(logp[0]), exp(logp[1]),
                                      exp(logp[2])});
    }
    report_tsv_close(&t);
    int count[BINS] = {0};
    for (int i = 0; i < n; i++)
        if (x[i] >= lo && x[i] < hi)
            count[(int)((x[i] - lo) / h)]++;
    report_tsv_open(&t, out, "mixture1d_hist.tsv", "x\tdensity");
    for (int b = 0; b < BINS; b++)
        report_tsv_row(&t, (double[]){lo + (b + 0.5) * h,
                                      count[b] / (n * h)});
    report_tsv_close(&t);
}

/* EM's log-likelihood per sample, iteration by iteration. */
void write_em_curve(const char *out, const char *name,
                    const double *loglik, int iterations, int n)
{
    report_tsv t;
    report_tsv_open(&t, out, name, "iteration\tloglik_per_sample");
    for (int i = 0; i <= iterations; i++)
        report_tsv_row(&t, (double[]){i, loglik[i] / n});
    report_tsv_close(&t);
}

/* Up to 4000 of the 2-D samples with the component that drew them, and
 * the fitted components' 2-sigma ellipses x = mu + 2 L (cos t, sin t),
 * one block each, numbered like the true component they match. */
void write_samples_2d(const char *out, const double *x, const int *label,
                      int n, const gmm *fit, const int *perm)
{
    report_tsv t;
    report_tsv_open(&t, out, "samples2d.tsv", "x\ty\tcomponent");
    for (int i = 0; i < n && i < 4000; i++)
        report_tsv_row(&t, (double[]){x[2 * i], x[2 * i + 1], label[i]});
    report_tsv_close(&t);
    report_tsv_open(&t, out, "ellipses2d.tsv", "x\ty\tcomponent");
    for (int m = 0; m < fit->k; m++) {
        int j = perm ? perm[m] : m;
        const double (*l)[GMM_MAX_DIM] = fit->chol[j];
        for (int s = 0; s <= 100; s++) {
            double c = 2.0 * cos(2.0 * M_PI * s / 100);
            double d = 2.0 * sin(2.0 * M_PI * s / 100);
            report_tsv_row(&t, (double[]){fit->mean[j][0] + l[0][0] * c,
                                          fit->mean[j][1] + l[1][0] * c +
                                              l[1][1] * d, m});
        }
        fputc('\n', t.file.fp);  /* a blank line ends a curve */
    }
    report_tsv_close(&t);
}

/* The latent model's p(x) by quadrature on a grid of x, a histogram of
 * x drawn ancestrally (z, then x | z), and at the chosen x the prior,
 * the posterior p(z | x) = p(x, z) / p(x) and the Laplace q(z | x). */
void write_latent(const char *out, const decoder *dec, double x_obs,
                  double px, gauss_1d q, int n, rng *r)
{
    enum { BINS = 104 };
    const double lo = -2.6, hi = 2.6, h = (hi - lo) / BINS;
    report_tsv t;
    report_tsv_open(&t, out, "latent_px.tsv", "x\tp_x");
    for (int i = 0; i <= 260; i++) {
        double x = lo + i * (hi - lo) / 260;
        report_tsv_row(&t, (double[]){x, latent_quadrature(dec, x).value});
    }
    report_tsv_close(&t);
    int count[BINS] = {0};
    for (int i = 0; i < n; i++) {
        double z = rng_normal(r);
        double x = decoder_mean(dec, z) + dec->sigma * rng_normal(r);
        if (x >= lo && x < hi)
            count[(int)((x - lo) / h)]++;
    }
    report_tsv_open(&t, out, "latent_hist.tsv", "x\tdensity");
    for (int b = 0; b < BINS; b++)
        report_tsv_row(&t, (double[]){lo + (b + 0.5) * h,
                                      count[b] / (n * h)});
    report_tsv_close(&t);
    report_tsv_open(&t, out, "latent_posterior.tsv",
                    "z\tprior\tposterior\tlaplace_q");
    for (int i = 0; i <= 3000; i++) {
        double z = -3.0 + i * 0.002;
        report_tsv_row(&t, (double[]){
            z, exp(num_log_normal_pdf(z, 0.0, 1.0)),
            exp(latent_log_joint(dec, x_obs, z)) / px,
            exp(num_log_normal_pdf(z, q.mu, q.sigma))});
    }
    report_tsv_close(&t);
}

/* Repeats both estimators `repeats` times at each number of draws S
 * and writes the 10%, 50% and 90% points of estimate / p(x). Returns
 * the ratio of the two estimators' variances at the largest S. */
double write_estimator_spread(const char *out, const decoder *dec,
                              double x, double px, gauss_1d q,
                              int repeats, rng *r)
{
    static const int draws[] = {10, 30, 100, 300, 1000, 3000, 10000};
    gauss_1d prior = {0.0, 1.0};
    double *est = sys_alloc(2 * (size_t)repeats, sizeof *est); /* (2, R) */
    double ratio = 0.0;
    report_tsv t;
    report_tsv_open(&t, out, "latent_estimates.tsv",
                    "draws\tnaive_lo\tnaive_mid\tnaive_hi\t"
                    "is_lo\tis_mid\tis_hi");
    for (int s = 0; s < CLI_COUNT(draws); s++) {
        num_stats spread[2] = {{0}, {0}};
        for (int i = 0; i < repeats; i++)
            for (int e = 0; e < 2; e++) {
                gauss_1d qe = e == 0 ? prior : q;
                double v = latent_estimate(dec, x, qe, draws[s], r).estimate;
                est[e * repeats + i] = v / px;
                num_stats_add(&spread[e], v / px);
            }
        double row[7] = {draws[s]};
        for (int e = 0; e < 2; e++) {
            double *v = est + e * repeats;
            qsort(v, (size_t)repeats, sizeof *v, compare_doubles);
            row[1 + 3 * e] = v[repeats / 10];
            row[2 + 3 * e] = v[repeats / 2];
            row[3 + 3 * e] = v[repeats - 1 - repeats / 10];
        }
        report_tsv_row(&t, row);
        ratio = num_stats_var(&spread[0]) / num_stats_var(&spread[1]);
    }
    report_tsv_close(&t);
    free(est);
    return ratio;
}

/* ------------------------------------------------------------------ */
/* The program, 2: what it prints, its steps, main                     */

/* Draws n samples from g into x (n, dim) and their components. */
void sample_many(double *x, int *label, const gmm *g, int n, rng *r)
{
    for (int i = 0; i < n; i++)
        label[i] = gmm_sample(x + (size_t)i * g->dim, g, r);
}

/* Prints sample moments beside the closed form (6.5), with z-scores
 * measured in standard errors; returns the largest |z|. */
double print_moments(const gmm *g, const double *x, int n)
{
    int d = g->dim;
    double mean[GMM_MAX_DIM], cov[GMM_MAX_DIM * GMM_MAX_DIM], worst = 0;
    num_stats sm[GMM_MAX_DIM], sc[GMM_MAX_DIM * GMM_MAX_DIM];
    gmm_moments(mean, cov, g);
    sample_moments(sm, sc, x, n, d, mean);
    static const char *const axis = "xy";
    printf("  %-10s %12s %12s %10s %7s\n", "moment", "closed (6.5)",
           "sample", "SE", "z");
    for (int a = 0; a < d; a++) {
        double z = (sm[a].mean - mean[a]) / num_stats_sem(&sm[a]);
        worst = fmax(worst, fabs(z));
        printf("  mean %c     %12.6f %12.6f %10.6f %7.2f\n", axis[a],
               mean[a], sm[a].mean, num_stats_sem(&sm[a]), z);
    }
    for (int a = 0; a < d; a++)
        for (int b = a; b < d; b++) {
            const num_stats *s = &sc[a * d + b];
            double z = (s->mean - cov[a * d + b]) / num_stats_sem(s);
            worst = fmax(worst, fabs(z));
            printf("  cov %c%c     %12.6f %12.6f %10.6f %7.2f\n", axis[a],
                   axis[b], cov[a * d + b], s->mean, num_stats_sem(s), z);
        }
    return worst;
}

/* Prints a mixture's parameters, components in the order perm gives
 * (NULL: as stored), beside the true ones when truth is not NULL. */
void print_gmm(const gmm *g, const int *perm, const gmm *truth)
{
    if (g->dim == 1)
        printf("%4s  %6s  %8s  %8s", "m", "weight", "mean", "variance");
    else
        printf("%4s  %6s  %-16s  %s", "m", "weight", "mean (x, y)",
               "covariance xx, xy, yy");
    printf("%s\n", truth ? "  | true weight, mean" : "");
    for (int m = 0; m < g->k; m++) {
        int j = perm ? perm[m] : m;
        const double *mu = g->mean[j];
        printf("  %2d  %6.4f", m, g->weight[j]);
        if (g->dim == 1)
            printf("  %8.4f  %8.4f", mu[0], g->cov[j][0][0]);
        else
            printf("  (%6.3f, %6.3f)  %6.3f %6.3f %6.3f", mu[0], mu[1],
                   g->cov[j][0][0], g->cov[j][0][1], g->cov[j][1][1]);
        if (truth && g->dim == 1)
            printf("  | %5.3f %7.3f", truth->weight[m], truth->mean[m][0]);
        else if (truth)
            printf("  | %5.3f (%6.3f,%6.3f)", truth->weight[m],
                   truth->mean[m][0], truth->mean[m][1]);
        printf("\n");
    }
}

/* What an EM fit reports. */
typedef struct {
    int iterations, decreases;
    double loglik_first, loglik_last, loglik_truth; /* per sample */
    double mean_error, weight_error;  /* after matching; NAN if k != 3 */
} em_result;

/* Fits k components to x by EM, prints the fit, writes its curve;
 * `fit` and `perm` (when k matches the truth) receive the fit. */
em_result run_em(gmm *fit, int *perm, const gmm *truth, const double *x,
                 int n, int k, int iters, double tol, const char *out,
                 const char *curve, rng *r)
{
    em_result e = {.mean_error = NAN, .weight_error = NAN};
    double *loglik = sys_alloc(((size_t)iters + 1), sizeof *loglik);
    double *resp = sys_alloc((size_t)n * truth->k, sizeof *resp);
    em_init(fit, x, n, truth->dim, k, r);
    e.iterations = em_fit(fit, loglik, x, n, iters, tol);
    e.decreases = em_decreases(loglik, e.iterations);
    e.loglik_first = loglik[0] / n;
    e.loglik_last = loglik[e.iterations] / n;
    e.loglik_truth = em_e_step(resp, truth, x, n) / n;
    write_em_curve(out, curve, loglik, e.iterations, n);
    printf("  EM (6.7)-(6.8), %d components, k-means++ start: %d "
           "iterations\n  log-likelihood per sample %.6f -> %.6f, "
           "%d decreases\n  (at the true parameters: %.6f)\n", k,
           e.iterations, e.loglik_first, e.loglik_last, e.decreases,
           e.loglik_truth);
    if (k == truth->k) {
        e.mean_error = gmm_match(perm, fit, truth);
        e.weight_error = 0.0;
        for (int m = 0; m < k; m++)
            e.weight_error = fmax(e.weight_error, fabs(fit->weight[perm[m]] -
                                                       truth->weight[m]));
        printf("  fitted, matched to the true components (largest mean "
               "error %.4f):\n", e.mean_error);
        print_gmm(fit, perm, truth);
    } else {
        print_gmm(fit, NULL, NULL);
    }
    free(resp);
    free(loglik);
    return e;
}

/* The program's options; main sets their defaults and the flags. */
typedef struct {
    int samples, components, iters;
    double tol;             /* EM stops when log-lik per sample rises less */
    double x_obs, sigma;    /* part 2: the observation, the decoder's noise */
    int draws, repeats;     /* part 2: draws per estimate, repeats */
    int seed;
    const char *out;
} gmm_options;

/* What part 1 measures on one mixture. */
typedef struct {
    double ks_p;            /* K-S p-value; 2-D: the smallest direction's */
    double moment_z;        /* the largest |z| of the moments (6.5) */
    em_result em;
    bool matched;           /* EM fitted as many components as the truth */
} mixture_results;

/* Part 1 on one mixture, 1-D or 2-D: samples (6.4) against its moments
 * (6.5) and a Kolmogorov-Smirnov test (6.6), then an EM fit (6.7)-(6.8);
 * prints them and writes their tables. */
mixture_results run_mixture(const gmm *truth, const gmm_options *o,
                            rng *r)
{
    mixture_results res;
    int n = o->samples, d = truth->dim;
    double *x = sys_alloc((size_t)n * d, sizeof *x);   /* (n, dim) */
    int *label = sys_alloc((size_t)n, sizeof *label);  /* (n) */
    gmm fit;
    int perm[GMM_MAX_K];
    printf("\n%d-D mixture (6.1), the truth:\n", d);
    print_gmm(truth, NULL, NULL);
    sample_many(x, label, truth, n, r);
    printf("ancestral samples (6.4) against the closed form:\n");
    res.moment_z = print_moments(truth, x, n);
    if (d == 1) {
        double ks_d;
        res.ks_p = ks_test_1d(x, n, truth, &ks_d);
        printf("  Kolmogorov-Smirnov (6.6) against the mixture CDF: "
               "D = %.5f, p = %.4f\n", ks_d, res.ks_p);
    } else {
        res.ks_p = ks_test_2d(x, n, truth);
        printf("  Kolmogorov-Smirnov (6.6) along %d directions: smallest "
               "p = %.4f\n  (Bonferroni: %d x %.4f = %.4f, to set beside "
               "the level)\n", KS_ANGLES, res.ks_p, KS_ANGLES, res.ks_p,
               KS_ANGLES * res.ks_p);
    }
    res.matched = o->components == truth->k;
    res.em = run_em(&fit, perm, truth, x, n, o->components, o->iters,
                    o->tol, o->out,
                    d == 1 ? "em1d_loglik.tsv" : "em2d_loglik.tsv", r);
    if (d == 1)
        write_mixture_1d(o->out, truth, &fit, x, n);
    else
        write_samples_2d(o->out, x, label, n, &fit,
                         res.matched ? perm : NULL);
    free(label);
    free(x);
    return res;
}

/* What part 2 measures at the observation x. */
typedef struct {
    decoder dec;
    double x;                       /* the observation */
    double px;                      /* p(x) by quadrature */
    double post_mean, post_sd;      /* of p(z|x), by quadrature */
    gauss_1d q;                     /* the Laplace encoder (6.14) */
    is_estimate naive, is;          /* (6.11) and (6.12) */
    double spread_ratio;            /* Var[naive] / Var[IS], repeated */
} latent_results;

/* Part 2: p(x) of the latent model (6.10) by quadrature, by naive Monte
 * Carlo (6.11) and by importance sampling (6.12) from the Laplace
 * encoder (6.14); prints them and writes their tables. */
latent_results run_latent(const gmm_options *o, rng *r)
{
    latent_results res = {.dec = {2.0, 1.5, o->sigma}, .x = o->x_obs};
    const decoder *dec = &res.dec;
    double x = res.x;
    num_quad quad = latent_quadrature(dec, x);
    res.px = quad.value;
    latent_posterior_moments(&res.post_mean, &res.post_sd, dec, x,
                             res.px);
    gauss_1d prior = {0.0, 1.0};
    res.q = laplace_encoder(dec, x);
    printf("\nlatent model (6.10): z ~ N(0,1), x|z ~ N(%g tanh(%g z), "
           "%g^2), at x = %g,\n%d draws of z per estimate\n", dec->a,
           dec->b, dec->sigma, x, o->draws);
    printf("  p(x) by quadrature: %.10f (error estimate %.1e)\n", res.px,
           quad.error);
    printf("  posterior p(z|x) by quadrature: mean %.5f, sd %.5f\n",
           res.post_mean, res.post_sd);
    printf("  Laplace q(z|x) (6.14), the encoder's job: mean %.5f, "
           "sd %.5f\n", res.q.mu, res.q.sigma);
    res.naive = latent_estimate(dec, x, prior, o->draws, r);
    res.is = latent_estimate(dec, x, res.q, o->draws, r);
    const is_estimate *e[2] = {&res.naive, &res.is};
    const char *name[2] = {"naive MC (6.11), z ~ p(z)",
                           "importance (6.12), z ~ q"};
    printf("  %-26s %10s %10s %6s %10s %7s\n", "estimator", "p(x)", "SE",
           "z", "Var[w]/p^2", "ESS");
    for (int i = 0; i < 2; i++)
        printf("  %-26s %10.7f %10.7f %6.2f %10.4g %7.1f\n", name[i],
               e[i]->estimate, e[i]->sem,
               (e[i]->estimate - res.px) / e[i]->sem, e[i]->rel_var,
               e[i]->ess);
    printf("  variance of the weights, naive / importance: %.4g\n",
           res.naive.rel_var / res.is.rel_var);
    res.spread_ratio = write_estimator_spread(o->out, dec, x, res.px,
                                              res.q, o->repeats, r);
    printf("  over %d repeats of 10000 draws: Var[naive] / Var[IS] = "
           "%.4g\n", o->repeats, res.spread_ratio);
    write_latent(o->out, dec, x, res.px, res.q, o->samples, r);
    return res;
}

/* What the measurements of the notes' slips find (the last banner of
 * this file holds them). */
typedef struct {
    double sum_01, sum_001;     /* 000: the grid sum without dz */
    double mass_plain, mass1;   /* 000: the unweighted sum; (6.1)'s */
    double mass2;               /* 002: the 2-D normaliser */
    double accept, kept_sd;     /* 002: generating by guessing */
} errata_results;

errata_results measure_errata(const gmm *truth1, const gmm *truth2,
                              const latent_results *lat, int components,
                              rng *r);

/* The summary block, the lines tests and scripts read: part 1's two
 * mixtures, part 2, the errata. */
void print_summary(const mixture_results *mix1,
                   const mixture_results *mix2, const latent_results *lat,
                   const errata_results *err)
{
    report_summary_begin();
    report_summary("mix1_ks_p", mix1->ks_p);
    report_summary("mix1_moment_z_max", mix1->moment_z);
    report_summary("em1_iterations", mix1->em.iterations);
    report_summary("em1_decreases", mix1->em.decreases);
    report_summary("em1_loglik", mix1->em.loglik_last);
    report_summary("em1_loglik_truth", mix1->em.loglik_truth);
    if (mix1->matched) {
        report_summary("em1_mean_error", mix1->em.mean_error);
        report_summary("em1_weight_error", mix1->em.weight_error);
    }
    report_summary("mix2_ks_p_min", mix2->ks_p);
    report_summary("mix2_moment_z_max", mix2->moment_z);
    report_summary("em2_iterations", mix2->em.iterations);
    report_summary("em2_decreases", mix2->em.decreases);
    report_summary("em2_loglik", mix2->em.loglik_last);
    report_summary("em2_loglik_truth", mix2->em.loglik_truth);
    if (mix2->matched) {
        report_summary("em2_mean_error", mix2->em.mean_error);
        report_summary("em2_weight_error", mix2->em.weight_error);
    }
    report_summary("latent_x", lat->x);
    report_summary("latent_p_quadrature", lat->px);
    report_summary("latent_p_naive", lat->naive.estimate);
    report_summary("latent_se_naive", lat->naive.sem);
    report_summary("latent_p_importance", lat->is.estimate);
    report_summary("latent_se_importance", lat->is.sem);
    report_summary("latent_weight_var_ratio",
                   lat->naive.rel_var / lat->is.rel_var);
    report_summary("latent_spread_var_ratio", lat->spread_ratio);
    report_summary("laplace_mean", lat->q.mu);
    report_summary("laplace_sd", lat->q.sigma);
    report_summary("posterior_mean", lat->post_mean);
    report_summary("posterior_sd", lat->post_sd);
    report_summary("grid_sum_h0.01", err->sum_01);
    report_summary("grid_sum_h0.001", err->sum_001);
    report_summary("mass_plain_sum", err->mass_plain);
    report_summary("mass_mixture_1d", err->mass1);
    report_summary("mass_mixture_2d", err->mass2);
    report_summary("guess_accept_rate", err->accept);
    report_summary("guess_kept_sd", err->kept_sd);
}

#ifndef TESTING
int main(int argc, char **argv)
{
    gmm_options o = {
        .samples = 20000, .components = 3, .iters = 500, .tol = 1e-10,
        .x_obs = 1.0, .sigma = 0.05, .draws = 1000, .repeats = 200,
        .seed = 1, .out = "out/ch06_gmm",
    };
    cli_flag flags[] = {
        {"samples", CLI_INT, &o.samples, "[100,1000000]",
         "samples drawn from each mixture"},
        {"components", CLI_INT, &o.components, "[1,8]",
         "components EM fits (the truth has 3)"},
        {"iters", CLI_INT, &o.iters, "[1,100000]", "most EM iterations"},
        {"tol", CLI_REAL, &o.tol, "[0,1]",
         "EM stops when log-lik per sample rises less"},
        {"x", CLI_REAL, &o.x_obs, "[-2.5,2.5]",
         "observation whose p(x) the latent model estimates"},
        {"sigma", CLI_REAL, &o.sigma, "[0.02,1]", "decoder noise sigma"},
        {"draws", CLI_INT, &o.draws, "[10,10000000]",
         "draws of z per Monte Carlo estimate"},
        {"repeats", CLI_INT, &o.repeats, "[10,10000]",
         "estimates per point of the spread curve"},
        FLAG_SEED(&o.seed),
        FLAG_OUT(&o.out),
    };
    cli_parse("ch06_gmm",
              "Gaussian mixtures: density (6.2), ancestral sampling (6.4), "
              "EM (6.7)-(6.8); p(x) of a latent model by naive Monte Carlo "
              "(6.11) vs importance sampling (6.12).",
              flags, CLI_COUNT(flags), argc, argv);
    report_prepare(o.out);   /* before any work: can it be written? */
    rng r;
    rng_seed(&r, (uint64_t)o.seed);
    printf("ch06_gmm: seed %d, %d samples per mixture, EM with %d "
           "components\n", o.seed, o.samples, o.components);

    gmm truth1 = mixture_1d(), truth2 = mixture_2d();
    mixture_results mix1 = run_mixture(&truth1, &o, &r);   /* part 1 */
    mixture_results mix2 = run_mixture(&truth2, &o, &r);
    latent_results lat = run_latent(&o, &r);               /* part 2 */
    errata_results err = measure_errata(&truth1, &truth2, &lat,
                                        o.components, &r);
    print_summary(&mix1, &mix2, &lat, &err);
    report_files();
    return 0;
}
#endif

/* ------------------------------------------------------------------ */
/* The notes' errors, measured                                         */

/* The note's P(X) = sum_Z P(X|Z) P(Z) read literally for a continuous
 * z: the sum over the grid z_i = -12 + i h without the factor h of the
 * Riemann sum (6.16). */
double grid_sum(const decoder *dec, double x, double h)
{
    double sum = 0.0;
    int points = (int)lround(24.0 / h);
    for (int i = 0; i <= points; i++)
        sum += exp(latent_log_joint(dec, x, -12.0 + i * h));
    return sum;
}

/* The note's "generate by guessing" (002, 3.2) taken literally: guess x
 * uniformly on [lo, hi], keep it with probability p(m | x). Returns the
 * acceptance rate; *kept gets the moments of the kept guesses, to set
 * beside component m's own mean and standard deviation. */
double guess_and_check(num_stats *kept, const gmm *g, int m, double lo,
                       double hi, int tries, rng *r)
{
    double logp[GMM_MAX_K];
    *kept = (num_stats){0};
    for (int i = 0; i < tries; i++) {
        double x = lo + (hi - lo) * rng_uniform(r);
        gmm_log_joint(logp, g, &x);
        if (rng_uniform(r) < exp(logp[m] - num_logsumexp(logp, g->k)))
            num_stats_add(kept, x);
    }
    return (double)kept->n / tries;
}

/* Each slip of the notes with the number that shows it, printed under
 * "errata:". */
errata_results measure_errata(const gmm *truth1, const gmm *truth2,
                              const latent_results *lat, int components,
                              rng *r)
{
    errata_results e;
    double px = lat->px;
    printf("\nerrata:\n");
    e.sum_01 = grid_sum(&lat->dec, lat->x, 0.01);
    e.sum_001 = grid_sum(&lat->dec, lat->x, 0.001);
    printf("  000: sum_i p(x|z_i) p(z_i) on a z grid of step h, no dz:\n"
           "       h = 0.01: %.6f   h = 0.001: %.6f\n"
           "       times h:  %.10f   %.10f   (p(x) = %.10f)\n",
           e.sum_01, e.sum_001, 0.01 * e.sum_01, 0.001 * e.sum_001, px);
    gmm plain = *truth1;
    for (int m = 0; m < plain.k; m++)
        plain.weight[m] = 1.0;
    (void)gmm_prepare(&plain);
    e.mass_plain = gmm_mass(&plain);
    e.mass1 = gmm_mass(truth1);
    e.mass2 = gmm_mass(truth2);
    printf("  000: mass of the plain sum of the 3 Gaussians: %.10f\n"
           "       with the weights of (6.1):                %.10f\n",
           e.mass_plain, e.mass1);
    printf("  001: the weights are learned, not given: EM started at 1/%d "
           "each\n       and reached the tables above\n", components);
    printf("  002: mass of the 2-D mixture, 1/(2 pi sqrt det):  %.10f\n"
           "       with the note's 1/sqrt(2 pi det):          %.10f\n",
           e.mass2, sqrt(2.0 * M_PI) * e.mass2);
    num_stats kept;
    e.accept = guess_and_check(&kept, truth1, 0, -8.0, 8.0, 100000, r);
    e.kept_sd = sqrt(num_stats_var(&kept));
    printf("  002: guess x ~ U(-8,8), keep it with p(m=0|x): kept %.4f,\n"
           "       kept mean %.4f sd %.4f; component 0: mean %.4f sd "
           "%.4f\n", e.accept, kept.mean, e.kept_sd, truth1->mean[0][0],
           truth1->chol[0][0][0]);
    return e;
}
