/* kl.h -- closed-form KL divergences between Gaussians, in double.
 *
 * The one definition the book uses everywhere: chapter 1 derives the 1-D
 * formula, chapter 2 the per-dimension term of the VAE's encoder penalty,
 * and the VAE and CVAE (chapters 7 and 8) call the same functions. */
#ifndef KL_H
#define KL_H

/* KL(N(mu1, s1^2) || N(mu2, s2^2)) for standard deviations s1, s2 > 0. */
double kl_gauss_1d(double mu1, double s1, double mu2, double s2);

/* One latent dimension of the VAE penalty, KL(N(mu, e^logvar) || N(0, 1)),
 * with the encoder's log-variance as the parameter. */
double kl_std_normal_term(double mu, double logvar);

/* Its partial derivatives in mu and logvar. */
void kl_std_normal_term_grad(double mu, double logvar, double *d_mu,
                             double *d_logvar);

#endif
