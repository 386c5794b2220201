/* loss.c -- losses and their gradients (see loss.h). Sums are
 * accumulated in double: a float sum of 100,000 terms would lose the
 * last digits of the loss the book prints. */
#include "loss.h"

#include "kl.h"
#include "sys.h"

#include <math.h>
#include <stddef.h>

//> ch03-bce-logits
/* Binary cross-entropy from logits, equation (3.8), one pixel at a
 * time. It equals -x log sigma(z) - (1-x) log(1 - sigma(z)) of (3.7),
 * rearranged so that exp only ever sees -|z| <= 0 (no overflow) and
 * log1p never sees 0. Adds scale * (sigma(z) - x), the gradient (3.9),
 * to dz. */
/* TASK ch03-bce-logits (3.8) */
double loss_bce_logits_plain(real *dz /* (n) or NULL */,
                             const real *z /* (n) */,
                             const real *x /* (n) */, int n,
                             double scale)
{
    double sum = 0;
    for (int i = 0; i < n; i++) {
        double e = exp(-fabs(z[i]));                   /* in (0, 1] */
        sum += fmax(z[i], 0) - z[i] * x[i] + log1p(e);   /* (3.8) */
        if (dz != NULL) {
            /* sigma(z) = 1/(1+e) for z >= 0, e/(1+e) for z < 0 */
            double sigma = (z[i] >= 0 ? 1 : e) / (1 + e);
            dz[i] += (real)(scale * (sigma - x[i]));       /* (3.9) */
        }
    }
    return sum;
}
//< ch03-bce-logits

/* Squared error, equation (3.12). */
double loss_sse(real *dy /* (n) or NULL */, const real *y /* (n) */,
                const real *x /* (n) */, int n, double scale)
{
    double sum = 0;
    for (int i = 0; i < n; i++) {
        double r = (double)y[i] - x[i];
        sum += r * r;
        if (dy != NULL)
            dy[i] += (real)(scale * 2 * r);
    }
    return sum;
}

/* Gaussian negative log-likelihood, equations (3.13) and (3.14). The
 * loop runs over the sigmas, so each one's gradient is summed in double
 * and added once. */
double loss_gauss_nll(real *dmu /* (n) or NULL */,
                      real *dlog_sigma /* (nsigma) or NULL */,
                      const real *mu /* (n) */,
                      const real *log_sigma /* (nsigma) */,
                      const real *x /* (n) */, int n, int nsigma,
                      double scale)
{
    if (nsigma < 1 || n % nsigma != 0)
        sys_die(SYS_INTERNAL, "internal error: %d sigmas for %d values",
                nsigma, n);
    const double half_log_2pi = 0.91893853320467274178;
    double sum = 0;
    for (int k = 0; k < nsigma; k++) {
        double ls = log_sigma[k], inv_sigma = exp(-ls), d_ls = 0;
        for (int i = k; i < n; i += nsigma) {
            double r = ((double)x[i] - mu[i]) * inv_sigma;
            sum += 0.5 * r * r + ls + half_log_2pi;
            if (dmu != NULL)
                dmu[i] += (real)(scale * -r * inv_sigma);
            d_ls += 1 - r * r;
        }
        if (dlog_sigma != NULL)
            dlog_sigma[k] += (real)(scale * d_ls);
    }
    return sum;
}

/* The KL penalty, summing the single definition in kl.c. */
double loss_kl_std_normal(real *dmu /* (n) or NULL */,
                          real *dlogvar /* (n) or NULL */,
                          const real *mu /* (n) */,
                          const real *logvar /* (n) */, int n,
                          double scale)
{
    double sum = 0;
    for (int i = 0; i < n; i++) {
        sum += kl_std_normal_term(mu[i], logvar[i]);
        double d_mu, d_logvar;
        kl_std_normal_term_grad(mu[i], logvar[i], &d_mu, &d_logvar);
        if (dmu != NULL)
            dmu[i] += (real)(scale * d_mu);
        if (dlogvar != NULL)
            dlogvar[i] += (real)(scale * d_logvar);
    }
    return sum;
}

/* Softmax cross-entropy; each row is shifted by its maximum so that no
 * exp overflows (log-sum-exp). */
double loss_softmax_ce(real *dz /* (B, K) or NULL */,
                       const real *z /* (B, K) */,
                       const unsigned char *label /* (B) */, int B, int K,
                       double scale)
{
    double sum = 0;
    for (int b = 0; b < B; b++) {
        const real *row = z + (size_t)b * K;
        double max = row[0];
        for (int k = 1; k < K; k++)
            max = fmax(max, row[k]);
        double total = 0;
        for (int k = 0; k < K; k++)
            total += exp(row[k] - max);
        double log_total = max + log(total);   /* log sum_k e^z_k */
        sum += log_total - row[label[b]];
        if (dz != NULL)
            for (int k = 0; k < K; k++) {
                double p = exp(row[k] - log_total);
                dz[(size_t)b * K + k] +=
                    (real)(scale * (p - (k == label[b])));
            }
    }
    return sum;
}
