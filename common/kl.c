/* kl.c -- closed-form Gaussian KL divergences (see kl.h). */
#include "kl.h"

#include <math.h>

//> ch01-kl-closed-form
/* KL(N(mu1, s1^2) || N(mu2, s2^2)), equation (1.6). Written with
 * log(s2/s1) rather than log s2 - log s1 only for readability: both
 * are exact to rounding. */
/* TASK ch01-kl-gauss (1.6) */
double kl_gauss_1d(double mu1, double s1, double mu2, double s2)
{
    double dmu = mu1 - mu2;
    return log(s2 / s1) + (s1 * s1 + dmu * dmu) / (2.0 * s2 * s2) - 0.5;
}
//< ch01-kl-closed-form

//> ch02-kl-logvar
/* One latent dimension of KL(q(z|x) || N(0, I)) with the encoder's
 * log-variance l = log sigma^2, equation (2.9):
 *     (1/2) (mu^2 + e^l - 1 - l).
 * Using l rather than sigma keeps the variance positive for any
 * network output and avoids log(0). */
/* TASK ch02-kl-logvar (2.9) */
double kl_std_normal_term(double mu, double logvar)
{
    return 0.5 * (mu * mu + exp(logvar) - 1.0 - logvar);
}

/* Its gradient, equation (2.10): d/dmu = mu, d/dl = (e^l - 1) / 2. */
/* TASK ch02-kl-logvar (2.10) */
void kl_std_normal_term_grad(double mu, double logvar, double *d_mu,
                             double *d_logvar)
{
    *d_mu = mu;
    *d_logvar = 0.5 * (exp(logvar) - 1.0);
}
//< ch02-kl-logvar
