/* loss.h -- the losses the networks minimise, each with its gradient:
 * binary cross-entropy from logits, squared error, Gaussian negative
 * log-likelihood, the VAE's KL penalty, softmax cross-entropy.
 *
 * Every loss returns its SUM over the elements (accumulated in double)
 * and, when the gradient buffer is not NULL, ADDS `scale` times the
 * gradient of that sum into it, as every backward pass in nn.h adds.
 * With a batch of B examples the usual choice is to report sum / B and
 * pass scale = 1/B, so the gradient is that of the loss per example.
 * Inputs are arrays of n `real`s: a (B, width) batch, flattened. */
#ifndef LOSS_H
#define LOSS_H

#include "layer.h"
#include "real.h"

/* Binary cross-entropy of targets x in [0, 1] and logits z (the network's
 * output before the sigmoid), equation (3.8):
 *     sum_i  max(z_i, 0) - z_i x_i + log(1 + e^-|z_i|),
 * exact and finite for any z. Gradient sigma(z_i) - x_i, (3.9). The
 * plain form (loss.c) takes one pixel at a time in double with libm;
 * the fast form (loss_fast.c) computes the terms in float with vmath.h
 * and vectorises; they agree within the bound tests/test_plain_fast.c
 * states. */
double loss_bce_logits_plain(real *dz /* (n) or NULL */,
                             const real *z /* (n) */,
                             const real *x /* (n) */, int n,
                             double scale);
double loss_bce_logits_fast(real *dz, const real *z, const real *x, int n,
                            double scale);

/* The name the networks call (layer.h). */
static inline double loss_bce_logits(real *dz, const real *z,
                                     const real *x, int n, double scale)
{
    return LAYER(loss_bce_logits)(dz, z, x, n, scale);
}

/* Sum of squared errors sum_i (y_i - x_i)^2, equation (3.12); its
 * gradient 2 (y_i - x_i) -- note the 2. Mean squared error is sse / n. */
double loss_sse(real *dy /* (n) or NULL */, const real *y /* (n) */,
                const real *x /* (n) */, int n, double scale);

/* Gaussian negative log-likelihood, equation (3.13):
 *     sum_i  (1/2) ((x_i - mu_i) / sigma)^2 + log sigma + (1/2) log 2 pi
 * with log sigma as the parameter. log_sigma has nsigma values, used
 * cyclically: element i has log_sigma[i % nsigma], so nsigma = 1 is one
 * sigma for everything, nsigma = D one per pixel of (B, D) rows, and
 * nsigma = n one per element. nsigma must divide n. Gradients (3.14):
 *     d/dmu_i = (mu_i - x_i) / sigma^2,  d/dlog sigma = 1 - r^2
 * with r = (x_i - mu_i) / sigma, summed over the elements sharing it. */
double loss_gauss_nll(real *dmu /* (n) or NULL */,
                      real *dlog_sigma /* (nsigma) or NULL */,
                      const real *mu /* (n) */,
                      const real *log_sigma /* (nsigma) */,
                      const real *x /* (n) */, int n, int nsigma,
                      double scale);

/* The VAE's penalty sum_i KL(N(mu_i, e^logvar_i) || N(0, 1)) over a
 * (B, latent) batch flattened to n, from kl_std_normal_term in kl.h,
 * equation (2.9); gradients from kl_std_normal_term_grad, (2.10). */
double loss_kl_std_normal(real *dmu /* (n) or NULL */,
                          real *dlogvar /* (n) or NULL */,
                          const real *mu /* (n) */,
                          const real *logvar /* (n) */, int n,
                          double scale);

/* Softmax cross-entropy of B rows of K logits against class labels in
 * [0, K) (as data_gather gives them): sum_b log sum_k e^z_bk - z_b,label.
 * Gradient p - y, with p the softmax of the row and y the one-hot label
 * (chapter 0). */
double loss_softmax_ce(real *dz /* (B, K) or NULL */,
                       const real *z /* (B, K) */,
                       const unsigned char *label /* (B) */, int B, int K,
                       double scale);

#endif
