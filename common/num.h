/* num.h -- numerics the chapters share, in double: log-sum-exp, softmax,
 * the Cholesky factorisation and forward substitution, adaptive
 * quadrature with an error estimate (also panel by panel, for narrow
 * peaks), the normal CDF and its inverse, and running mean / variance /
 * standard error. */
#ifndef NUM_H
#define NUM_H

/* log N(x; mu, s^2) for a standard deviation s > 0: the 1-D Gaussian
 * log-density, equation (1.1). */
double num_log_normal_pdf(double x, double mu, double s);

/* log(sum_i exp(x[i])) without overflow or underflow: shift by the max. */
double num_logsumexp(const double *x, int n);

/* log((1/n) sum_i exp(x[i])): the log of an average of weights given as
 * logs, as importance sampling needs, (6.15). */
double num_logmeanexp(const double *x, int n);

/* out[i] = exp(x[i]) / sum_j exp(x[j]), shifted by the max; out may be x. */
void num_softmax(double *out, const double *x, int n);

/* a = L L^T for a symmetric positive definite (d, d), by (2.5), reading
 * a's lower triangle; l gets L with its upper triangle zeroed. Returns 0,
 * or the 1-based index of the first pivot that is not positive. Both
 * have row stride ld >= d, element (i, j) at [i * ld + j] (BLAS's lda),
 * so the corner of a bigger fixed-size array can be passed as it is. */
int num_cholesky(double *l, const double *a, int d, int ld);

/* Solves L y = x for lower-triangular L (d, d, row stride ld) by forward
 * substitution, overwriting x (d) with y = L^-1 x. */
void num_forward_solve(double *x, const double *l, int d, int ld);

/* The integral of f over [a, b] by adaptive Gauss-Kronrod (7/15 points):
 * an interval is split until its Kronrod-minus-Gauss difference meets its
 * share of max(abs_tol, rel_tol * |integral|). `error` is the summed
 * estimate; `intervals` how many pieces were used. */
typedef struct {
    double value, error;
    int intervals;
} num_quad;

num_quad num_integrate(double (*f)(double x, void *ctx), void *ctx,
                       double a, double b, double abs_tol, double rel_tol);

/* The integral of f over [lo, hi] as the sum of num_integrate over
 * equal panels at most `width` wide, for integrands with a peak much
 * narrower than [lo, hi], which one adaptive run could step over: a
 * panel narrower than the peak cannot. The error budget is 1e-13 of the
 * whole, shared among the panels (num.c says why). */
num_quad num_integrate_panels(double (*f)(double x, void *ctx), void *ctx,
                              double lo, double hi, double width);

/* Phi(x) = P(Z <= x) for Z ~ N(0,1), and its inverse for 0 < p < 1. */
double num_normal_cdf(double x);
double num_normal_quantile(double p);

/* Running moments by Welford's update (stable for long streams). */
typedef struct {
    long n;
    double mean, m2;
} num_stats;

void   num_stats_add(num_stats *s, double x);
double num_stats_var(const num_stats *s);  /* sample variance (n - 1) */
double num_stats_sem(const num_stats *s);  /* standard error of the mean */

#endif
