/* grade_ch07.c -- the tasks of chapter 7, graded against independent
 * computations, on 97 rows (an odd batch: nothing fits one shape only):
 *   ch07-reparam-forward (7.5): z = mu + sigma eps with sigma =
 *     e^(logvar/2), against the product in long double; log-variances
 *     from -40 (sigma 2e-9) to 12;
 *   ch07-reparam-backward (7.6): the gradient through (7.5) against
 *     central differences of sum dz z in long double; it must add to the
 *     gradients already there, and a zero dz must change nothing;
 *   ch07-neg-elbo (7.9): both terms of the -ELBO of a batch, against the
 *     BCE sum and the KL sum in long double, and the gradients it sets
 *     at the logits, mu and log sigma^2 against the closed forms
 *     (sigmoid(a) - x) / B, beta mu / B and beta (e^l - 1) / 2B; logits
 *     of +-60, beta = 0.4 and 0, buffers holding old gradients;
 *   ch07-log-weight (7.12): log p(x|z) + log p(z) - log q(z|x) against
 *     the two Gaussian log-densities written out in full (with their
 *     log 2 pi), mu recovered from z and eps; a log-variance of -30. */
#include "vae.h"

#include "grade.h"
#include "grade_quad.h"

enum { B = 97, L = 3, D = 11, N = B * L };

/* n values: normal times sd, plus shift. */
static void fill_normal(real *x, int n, double sd, double shift, rng *r)
{
    for (int i = 0; i < n; i++)
        x[i] = (real)(shift + sd * rng_normal(r));
}

static bool check_reparam_forward(void)
{
    rng r;
    rng_seed(&r, 7575);
    real mu[N], logvar[N], eps[N], z[N];
    fill_normal(mu, N, 1, 0, &r);
    fill_normal(logvar, N, 2, -1, &r);
    fill_normal(eps, N, 1, 0, &r);
    logvar[7] = -40, logvar[100] = 12;
    for (int i = 0; i < N; i++)
        z[i] = NAN;
    vae_reparam_forward(z, mu, logvar, eps, N);
    for (int i = 0; i < N; i++) {
        long double want = mu[i] + expl(logvar[i] / 2.0L) * eps[i];
        EXPECT(grade_near(z[i], (double)want, 1e-12, 1e-12,
                          "z[%d] at mu %g, log sigma^2 %g, eps %g", i,
                          mu[i], logvar[i], eps[i]));
    }
    return true;
}

/* sum_i dz_i z_i(mu, logvar) in long double: the loss whose gradient
 * (7.6) is. */
static long double dz_dot_z(const real *dz, const real *mu,
                            const real *logvar, const real *eps)
{
    long double s = 0;
    for (int i = 0; i < N; i++)
        s += dz[i] * (mu[i] + expl(logvar[i] / 2.0L) * eps[i]);
    return s;
}

static bool check_reparam_backward(void)
{
    rng r;
    rng_seed(&r, 7676);
    real mu[N], logvar[N], eps[N], dz[N], dmu[N], dlogvar[N];
    fill_normal(mu, N, 1, 0, &r);
    fill_normal(logvar, N, 2, -1, &r);
    fill_normal(eps, N, 1, 0, &r);
    fill_normal(dz, N, 1, 0, &r);
    logvar[7] = -40, logvar[100] = 5;
    for (int i = 0; i < N; i++)
        dmu[i] = dlogvar[i] = 0.5;   /* gradients already there */
    vae_reparam_backward(dmu, dlogvar, dz, logvar, eps, N);
    double h = 1e-6;
    for (int i = 0; i < N; i++) {
        real keep = mu[i];
        mu[i] = keep + h;
        long double up = dz_dot_z(dz, mu, logvar, eps);
        mu[i] = keep - h;
        long double down = dz_dot_z(dz, mu, logvar, eps);
        mu[i] = keep;
        EXPECT(grade_near(dmu[i] - 0.5, (double)((up - down) / (2 * h)),
                          1e-7, 1e-7, "dmu[%d] (finite difference)", i));
        keep = logvar[i];
        logvar[i] = keep + h;
        up = dz_dot_z(dz, mu, logvar, eps);
        logvar[i] = keep - h;
        down = dz_dot_z(dz, mu, logvar, eps);
        logvar[i] = keep;
        EXPECT(grade_near(dlogvar[i] - 0.5,
                          (double)((up - down) / (2 * h)), 1e-7, 1e-6,
                          "dlogvar[%d] at log sigma^2 %g, eps %g (finite "
                          "difference)", i, logvar[i], eps[i]));
    }
    real dmu2[N], dlogvar2[N];   /* a zero dz must leave them as they are */
    for (int i = 0; i < N; i++) {
        dz[i] = 0;
        dmu2[i] = dlogvar2[i] = 0.25;
    }
    vae_reparam_backward(dmu2, dlogvar2, dz, logvar, eps, N);
    for (int i = 0; i < N; i++) {
        EXPECT(grade_near(dmu2[i], 0.25, 0, 0, "dmu[%d] after a zero dz "
                          "(it must stay as it was)", i));
        EXPECT(grade_near(dlogvar2[i], 0.25, 0, 0, "dlogvar[%d] after a "
                          "zero dz (it must stay as it was)", i));
    }
    return true;
}

/* -log Bern(x; sigmoid(a)) = log(1 + e^a) - x a, in long double. */
static long double bce_long(long double a, long double x)
{
    long double softplus = a > 0 ? a + log1pl(expl(-a)) : log1pl(expl(a));
    return softplus - x * a;
}

static bool neg_elbo_case(double beta, rng *r)
{
    vae_model m;
    vae_config cfg = {.x_dim = D, .hidden = 5, .latent = L,
                      .decoder = VAE_BERNOULLI};
    vae_init(&m, cfg, r);
    vae_acts a;
    vae_acts_alloc(&a, &cfg, B);
    real x[B * D];
    for (int i = 0; i < B * D; i++)
        x[i] = (real)rng_uniform(r);
    fill_normal(a.logits, B * D, 3, 0, r);
    fill_normal(a.mu, N, 1, 0, r);
    fill_normal(a.logvar, N, 1.5, -0.5, r);
    a.logits[3] = 60, a.logits[4] = -60;   /* e^60: no overflow, please */
    for (int i = 0; i < B * D; i++)
        a.d_logits[i] = 9;                  /* old gradients: set, not add */
    for (int i = 0; i < N; i++)
        a.d_mu[i] = a.d_logvar[i] = 9;
    vae_terms t = vae_loss(&a, &m, x, B, beta, true);
    long double nll = 0, kl = 0;
    for (int i = 0; i < B * D; i++)
        nll += bce_long(a.logits[i], x[i]);
    for (int i = 0; i < N; i++)
        kl += kl_quadrature(a.mu[i], exp(a.logvar[i] / 2), 0, 1);
    bool ok = grade_near(t.nll, (double)nll, 1e-8, 1e-10, "reconstruction "
                         "term, sum over %d images", B) &&
              grade_near(t.kl, (double)kl, 1e-7, 1e-9, "KL term, sum "
                         "over %d images", B);
    for (int i = 0; ok && i < B * D; i++) {
        long double p = 1 / (1 + expl(-(long double)a.logits[i]));
        ok = grade_near(a.d_logits[i], (double)((p - x[i]) / B), 1e-12,
                        1e-9, "d_logits[%d] at logit %g, beta %g", i,
                        a.logits[i], beta);
    }
    for (int i = 0; ok && i < N; i++)
        ok = grade_near(a.d_mu[i], beta * a.mu[i] / B, 1e-12, 1e-9,
                        "d_mu[%d], beta %g", i, beta) &&
             grade_near(a.d_logvar[i], (double)(beta * (expl(a.logvar[i]) -
                        1) / (2 * B)), 1e-12, 1e-9, "d_logvar[%d], beta %g",
                        i, beta);
    vae_acts_free(&a);
    vae_free(&m);
    return ok;
}

static bool check_neg_elbo(void)
{
    rng r;
    rng_seed(&r, 7979);
    return neg_elbo_case(0.4, &r) && neg_elbo_case(0, &r);
}

static bool check_log_weight(void)
{
    rng r;
    rng_seed(&r, 7171);
    for (int latent = 1; latent <= 9; latent += 4) {
        for (int round = 0; round < 20; round++) {
            real eps[9], logvar[9], z[9];
            double nll = 500 * rng_uniform(&r);
            long double want = -nll;
            for (int j = 0; j < latent; j++) {
                eps[j] = (real)rng_normal(&r);
                logvar[j] = (real)(round == 3 && j == 0 ? -30 :
                                   2 * rng_normal(&r));
                z[j] = (real)(rng_normal(&r) * 2);
                long double s = expl(logvar[j] / 2.0L);
                long double mu = z[j] - s * eps[j];
                want += log_normal_long(z[j], 0, 1) -
                        log_normal_long(z[j], mu, s);
            }
            EXPECT(grade_near(vae_log_weight(nll, eps, logvar, z, latent),
                              (double)want, 1e-9, 1e-11, "log w with %d "
                              "latent dimensions, draw %d", latent, round));
        }
    }
    return true;
}

static const grade_task tasks[] = {
    {"ch07-reparam-forward", "(7.5)", check_reparam_forward},
    {"ch07-reparam-backward", "(7.6)", check_reparam_backward},
    {"ch07-neg-elbo", "(7.9)", check_neg_elbo},
    {"ch07-log-weight", "(7.12)", check_log_weight},
};

int main(int argc, char **argv)
{
    return grade_main(tasks, (int)(sizeof tasks / sizeof tasks[0]), argc,
                      argv);
}
