/* test_ch02_kl_diag.c -- the full-covariance KL (2.4) through Cholesky
 * against the diagonal formula (2.8), the sum of chapter 1's 1-D KLs,
 * explicit 2x2 inverses and Monte Carlo (2.2); the VAE term (2.9) and
 * its gradient (2.10) against finite differences; non-SPD matrices
 * reported; the notes' density and diagonal formula. */
#define TESTING
#include "../chapters/ch02_kl_diag.c"

#include <stdlib.h>

#include "../tests/check.h"

/* Random diagonal parameters: means N(0,1), variances e^U(-2,2). */
static void random_diag(double *mu, double *var, int d, rng *r)
{
    for (int i = 0; i < d; i++) {
        mu[i] = rng_normal(r);
        var[i] = exp(4.0 * rng_uniform(r) - 2.0);
    }
}

/* KL between 2-D Gaussians with the inverse and determinant written
 * out by hand: no Cholesky, no triangular solves. */
static double kl_2x2_explicit(const double *m1, const double *s1,
                              const double *m2, const double *s2)
{
    double det1 = s1[0] * s1[3] - s1[1] * s1[2];
    double det2 = s2[0] * s2[3] - s2[1] * s2[2];
    double inv[4] = {s2[3] / det2, -s2[1] / det2, -s2[2] / det2,
                     s2[0] / det2};
    double trace = inv[0] * s1[0] + inv[1] * s1[2] + inv[2] * s1[1] +
                   inv[3] * s1[3];
    double dx = m2[0] - m1[0], dy = m2[1] - m1[1];
    double maha = dx * (inv[0] * dx + inv[1] * dy) +
                  dy * (inv[2] * dx + inv[3] * dy);
    return 0.5 * (log(det2 / det1) - 2.0 + trace + maha);
}

int main(void)
{
    char name[160];
    rng r;
    rng_seed(&r, 777);
    static double mu[2][DIM_MAX], cov[2][DIM_MAX * DIM_MAX];
    static double l[DIM_MAX * DIM_MAX];
    static gauss g1, g2;

    /* Cholesky: L L^T = A, upper triangle zero, for d = 1..10. */
    double worst = 0.0;
    int upper_nonzero = 0, not_spd = 0;
    for (int d = 1; d <= 10; d++) {
        random_gauss_params(mu[0], cov[0], d, &r);
        not_spd += num_cholesky(l, cov[0], d, d) != 0;
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++) {
                double s = 0.0;
                for (int k = 0; k < d; k++)
                    s += l[i * d + k] * l[j * d + k];
                worst = fmax(worst, fabs(s - cov[0][i * d + j]));
                upper_nonzero += j > i && l[i * d + j] != 0.0;
            }
    }
    CHECK_LE("(2.5) L L^T = Sigma to 1e-12, d = 1..10", worst, 1e-12);
    CHECK("L's upper triangle is zero", upper_nonzero == 0);
    CHECK("the random covariances are positive definite", not_spd == 0);

    /* Not positive definite: reported by pivot, never a crash or NaN. */
    CHECK("[[1, 2], [2, 1]] (eigenvalue -1): pivot 2",
          num_cholesky(l, (double[]){1, 2, 2, 1}, 2, 2) == 2);
    CHECK("[[1, 1], [1, 1]] (singular): pivot 2",
          num_cholesky(l, (double[]){1, 1, 1, 1}, 2, 2) == 2);
    CHECK("[[-1, 0], [0, 1]]: pivot 1",
          num_cholesky(l, (double[]){-1, 0, 0, 1}, 2, 2) == 1);
    CHECK("NaN on the diagonal: pivot 3",
          num_cholesky(l, (double[]){1, 0, 0, 0, 1, 0, 0, 0, NAN}, 3, 3) == 3);
    CHECK("gauss_init passes the verdict on",
          gauss_init(&g1, (double[]){0, 0}, (double[]){1, 2, 2, 1}, 2) == 2);

    /* (2.6): log det from L against ad - bc. */
    const double s2x2[4] = {2.0, 0.6, 0.6, 0.5};
    gauss_init(&g1, (double[]){1, -1}, s2x2, 2);
    CHECK_NEAR("(2.6) log det = log(ad - bc)", g1.log_det,
               log(2.0 * 0.5 - 0.36), 1e-15);

    /* (2.4) against explicit 2x2 inverses, random full covariances. */
    worst = 0.0;
    for (int k = 0; k < 200; k++) {
        random_gauss_params(mu[0], cov[0], 2, &r);
        random_gauss_params(mu[1], cov[1], 2, &r);
        gauss_init(&g1, mu[0], cov[0], 2);
        gauss_init(&g2, mu[1], cov[1], 2);
        double want = kl_2x2_explicit(mu[0], cov[0], mu[1], cov[1]);
        worst = fmax(worst, fabs(kl_gauss_full(&g1, &g2) - want) /
                                fmax(1.0, fabs(want)));
    }
    CHECK_LE("(2.4) = explicit 2x2 inverse formula, 200 pairs", worst,
             1e-12);

    /* Full reduces to diagonal, and diagonal = sum of 1-D KLs (1.6). */
    double worst_full = 0.0, worst_1d = 0.0;
    static double var[2][DIM_MAX];
    for (int k = 0; k < 100; k++) {
        int d = 1 + k % 10;
        random_diag(mu[0], var[0], d, &r);
        random_diag(mu[1], var[1], d, &r);
        diag_matrix(cov[0], var[0], d);
        diag_matrix(cov[1], var[1], d);
        gauss_init(&g1, mu[0], cov[0], d);
        gauss_init(&g2, mu[1], cov[1], d);
        double diag = kl_gauss_diag(mu[0], var[0], mu[1], var[1], d);
        double sum_1d = 0.0;
        for (int i = 0; i < d; i++)
            sum_1d += kl_gauss_1d(mu[0][i], sqrt(var[0][i]), mu[1][i],
                                  sqrt(var[1][i]));
        double scale = fmax(1.0, fabs(diag));
        worst_full = fmax(worst_full,
                          fabs(kl_gauss_full(&g1, &g2) - diag) / scale);
        worst_1d = fmax(worst_1d, fabs(sum_1d - diag) / scale);
    }
    CHECK_LE("(2.4) on diagonal covariances = (2.8) to 1e-12", worst_full,
             1e-12);
    CHECK_LE("(2.8) = sum of kl_gauss_1d (1.6) to 1e-12", worst_1d, 1e-12);

    /* Monte Carlo (2.2) within 4 SE of (2.4), random SPD, d = 1..10:
     * beyond 4 SE has probability 6e-5 per case for a right formula. */
    for (int d = 1; d <= 10; d++) {
        random_gauss_params(mu[0], cov[0], d, &r);
        random_gauss_params(mu[1], cov[1], d, &r);
        gauss_init(&g1, mu[0], cov[0], d);
        gauss_init(&g2, mu[1], cov[1], d);
        double sem, mc = kl_monte_carlo(&g1, &g2, 20000, &r, &sem);
        snprintf(name, sizeof name,
                 "Monte Carlo within 4 SE of (2.4), d = %d (KL %.3f)", d,
                 kl_gauss_full(&g1, &g2));
        CHECK_NEAR(name, mc, kl_gauss_full(&g1, &g2), 4.0 * sem);
    }
    CHECK_NEAR("KL(p||p) = 0 for a full covariance", kl_gauss_full(&g1, &g1),
               0.0, 1e-12);

    /* The correlated pair of the figure against its closed forms. */
    worst = 0.0;
    for (int i = 0; i <= 95; i++) {
        double rho = 0.01 * i, c = 1.0 - rho * rho;
        correlated_pair(&g1, &g2, rho);
        worst = fmax(worst, fabs(kl_gauss_full(&g1, &g2) + 0.5 * log(c)));
        worst = fmax(worst, fabs(kl_gauss_full(&g2, &g1) -
                                 0.5 * (log(c) + 2.0 * rho * rho / c)));
    }
    CHECK_LE("correlated vs diagonal: -log(1 - rho^2)/2 and its reverse",
             worst, 1e-12);

    /* The VAE term (2.9): the diagonal formula against N(0, I), and the
     * note 003 form; its gradient (2.10) against central differences. */
    double logvar[DIM_MAX], sigma[DIM_MAX], zero[DIM_MAX], one[DIM_MAX];
    double worst_value = 0.0, worst_grad = 0.0, worst_note = 0.0;
    for (int k = 0; k < 50; k++) {
        int d = 1 + k % 16;
        for (int i = 0; i < d; i++) {
            mu[0][i] = 2.0 * rng_normal(&r);
            logvar[i] = 6.0 * rng_uniform(&r) - 3.0;
            var[0][i] = exp(logvar[i]);
            sigma[i] = exp(0.5 * logvar[i]);
            zero[i] = 0.0;
            one[i] = 1.0;
        }
        double want = kl_gauss_diag(mu[0], var[0], zero, one, d);
        worst_value = fmax(worst_value,
                           fabs(vae_kl_forward(mu[0], logvar, d) - want));
        worst_note = fmax(worst_note,
                          fabs(note003_encoder_kl(mu[0], sigma, d) - want) +
                              fabs(note002_diag_kl(mu[0], var[0], d) - want));
        worst_grad = fmax(worst_grad,
                          vae_kl_grad_error(mu[0], logvar, d, 1e-5));
    }
    CHECK_LE("(2.9) summed = (2.8) against N(0, I) to 1e-12", worst_value,
             1e-12);
    CHECK_LE("note 003's form and note 002's (sigma = variance) agree",
             worst_note, 1e-12);
    CHECK_LE("(2.10) = central differences of (2.8) to 1e-6", worst_grad,
             1e-6);
    double d_mu[2] = {1.0, 1.0}, d_lv[2] = {1.0, 1.0};
    vae_kl_backward(d_mu, d_lv, (double[]){0.5, -2}, (double[]){0, log(3.0)},
                    2);
    CHECK("backward adds into its buffers: 1 + mu, 1 + (e^l - 1)/2",
          d_mu[0] == 1.5 && d_mu[1] == -1.0 && d_lv[0] == 1.0 &&
              fabs(d_lv[1] - 2.0) < 1e-15);

    /* Note 002's sigma read as a standard deviation: a different KL. */
    const double m3[3] = {1, -0.5, 0}, v3[3] = {0.25, 2, 1.5};
    double s3[3] = {0.5, sqrt(2.0), sqrt(1.5)};
    double right = kl_gauss_diag(m3, v3, (double[]){0, 0, 0},
                                 (double[]){1, 1, 1}, 3);
    CHECK("note 002 with standard deviations misses by more than 0.3",
          right - note002_diag_kl(m3, s3, 3) > 0.3);

    /* Note 002's density: mass (2 pi)^((d-1)/2) = sqrt(2 pi) in 2-D,
     * while (2.1) has mass 1, by iterated quadrature. */
    gauss_init(&g1, (double[]){1, -1}, s2x2, 2);
    CHECK_NEAR("(2.1) integrates to 1 over the plane",
               density_mass_2d(&g1, 0), 1.0, 1e-10);
    CHECK_NEAR("note 002's density integrates to sqrt(2 pi)",
               density_mass_2d(&g1, 1), sqrt(2.0 * M_PI), 1e-9);

    /* log N(x) (2.1) against the 2-D density written out by hand. */
    double x[2] = {0.3, 0.2}, dx = x[0] - 1.0, dy = x[1] + 1.0;
    double det = 2.0 * 0.5 - 0.36;
    double q = (0.5 * dx * dx - 1.2 * dx * dy + 2.0 * dy * dy) / det;
    CHECK_NEAR("(2.1) log density = hand-written 2x2 form",
               gauss_log_pdf(&g1, x),
               -log(2.0 * M_PI) - 0.5 * log(det) - 0.5 * q, 1e-14);
    return check_summary();
}
