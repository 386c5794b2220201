/* num.c -- shared numerics (see num.h). */
#include "num.h"

#include <float.h>
#include <math.h>

//> ch01-log-density
/* log N(x; mu, s^2), equation (1.1), kept as a log: the density
 * underflows to 0 about 39 standard deviations out (e^-745), its log
 * never does, and the tests put means 1000 deviations apart. */
double num_log_normal_pdf(double x, double mu, double s)
{
    double t = (x - mu) / s;
    return -0.5 * t * t - log(s) - 0.5 * log(2.0 * M_PI);
}
//< ch01-log-density

/* TASK ch06-logsumexp (6.2) */
double num_logsumexp(const double *x, int n)
{
    double max = -INFINITY;
    for (int i = 0; i < n; i++)
        max = fmax(max, x[i]);
    if (isinf(max))
        return max;  /* all -inf (empty mass) or some +inf */
    double sum = 0.0;
    for (int i = 0; i < n; i++)
        sum += exp(x[i] - max);
    return max + log(sum);
}

double num_logmeanexp(const double *x, int n)
{
    return num_logsumexp(x, n) - log((double)n);
}

/* Divides by the sum rather than subtracting log-sum-exp: the rounding
 * error of a log near 800 is absolute (1e-13), exp makes it relative. */
void num_softmax(double *out, const double *x, int n)
{
    double max = -INFINITY, sum = 0.0;
    for (int i = 0; i < n; i++)
        max = fmax(max, x[i]);
    for (int i = 0; i < n; i++)
        sum += out[i] = exp(x[i] - max);
    for (int i = 0; i < n; i++)
        out[i] /= sum;
}

//> ch02-cholesky
/* Factors the symmetric matrix a = L L^T by the recurrences (2.5),
 * reading a's lower triangle. Returns 0, or the 1-based index j of the
 * first pivot that is not positive: then a is not positive definite
 * (not a covariance), and l is left unfinished. Both matrices have row
 * stride ld >= d, element (i, j) at [i * ld + j], so that chapter 6 can
 * factor the d x d corner of its fixed-size arrays in place. */
int num_cholesky(double *l, const double *a, int d, int ld)
{
    for (int j = 0; j < d; j++) {
        double pivot = a[j * ld + j];
        for (int k = 0; k < j; k++)
            pivot -= l[j * ld + k] * l[j * ld + k];
        if (!(pivot > 0.0))  /* also catches NaN */
            return j + 1;
        l[j * ld + j] = sqrt(pivot);
        for (int i = j + 1; i < d; i++) {
            double s = a[i * ld + j];
            for (int k = 0; k < j; k++)
                s -= l[i * ld + k] * l[j * ld + k];
            l[i * ld + j] = s / l[j * ld + j];
            l[j * ld + i] = 0.0;  /* the upper triangle */
        }
    }
    return 0;
}

/* Solves L y = x for lower-triangular L (d, d), row stride ld, by
 * forward substitution, overwriting x (d) with y = L^-1 x. */
void num_forward_solve(double *x, const double *l, int d, int ld)
{
    for (int i = 0; i < d; i++) {
        double s = x[i];
        for (int k = 0; k < i; k++)
            s -= l[i * ld + k] * x[k];
        x[i] = s / l[i * ld + i];
    }
}
//< ch02-cholesky

/* Gauss-Kronrod 7/15 nodes and weights on [-1, 1] (symmetric halves). */
static const double gk_x[8] = {
    0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
    0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
    0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
    0.207784955007898467600689403773245, 0.000000000000000000000000000000000,
};
static const double gk_wk[8] = {
    0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
    0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
    0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
    0.204432940075298892414161999234649, 0.209482141084727828012999174891714,
};
static const double gk_wg[4] = {  /* Gauss weights at gk_x[1], [3], [5], [7] */
    0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
    0.381830050505118944950369775488975, 0.417959183673469387755102040816327,
};

/* One 15-point Kronrod estimate on [a, b]; *err = |Kronrod - Gauss|,
 * raised to the rounding floor: 50 eps times the integral of |f|, below
 * which no estimate can be trusted (QUADPACK does the same). */
static double gk15(double (*f)(double, void *), void *ctx, double a,
                   double b, double *err)
{
    double mid = 0.5 * (a + b), half = 0.5 * (b - a);
    double fc = f(mid, ctx);
    double kronrod = fc * gk_wk[7], gauss = fc * gk_wg[3];
    double kronrod_abs = fabs(fc) * gk_wk[7];
    for (int i = 0; i < 7; i++) {
        double f1 = f(mid - half * gk_x[i], ctx);
        double f2 = f(mid + half * gk_x[i], ctx);
        kronrod += gk_wk[i] * (f1 + f2);
        kronrod_abs += gk_wk[i] * (fabs(f1) + fabs(f2));
        if (i % 2 == 1)
            gauss += gk_wg[i / 2] * (f1 + f2);
    }
    *err = fmax(fabs((kronrod - gauss) * half),
                50.0 * DBL_EPSILON * kronrod_abs * fabs(half));
    return kronrod * half;
}

enum { NUM_QUAD_MAX_INTERVALS = 1 << 20 };

/* Splits [a, b] in two until its error meets tol (scaled to its width). */
static double integrate_rec(double (*f)(double, void *), void *ctx,
                            double a, double b, double whole, double tol,
                            int depth, num_quad *q)
{
    double err, value = gk15(f, ctx, a, b, &err);
    /* Below these floors no split can help: rounding relative to the
     * value, and the absolute spacing of subnormal numbers. A budget on
     * the pieces keeps a hopeless tolerance from running for ever; the
     * reported error then says how far from the target it stayed. */
    double floor = fmax(50.0 * DBL_EPSILON * fabs(value), DBL_MIN * (b - a));
    if (err <= fmax(tol * (b - a) / whole, floor) || depth >= 50 ||
        q->intervals >= NUM_QUAD_MAX_INTERVALS) {
        q->error += err;
        q->intervals++;
        return value;
    }
    double mid = 0.5 * (a + b);
    return integrate_rec(f, ctx, a, mid, whole, tol, depth + 1, q) +
           integrate_rec(f, ctx, mid, b, whole, tol, depth + 1, q);
}

num_quad num_integrate(double (*f)(double x, void *ctx), void *ctx,
                       double a, double b, double abs_tol, double rel_tol)
{
    num_quad q = {0.0, 0.0, 0};
    double err, rough = gk15(f, ctx, a, b, &err);  /* sets the target */
    double tol = fmax(abs_tol, rel_tol * fabs(rough));
    q.value = integrate_rec(f, ctx, a, b, b - a, tol, 0, &q);
    return q;
}

/* The integral of f over [lo, hi] as a sum of num_integrate over equal
 * panels at most `width` wide: adaptive quadrature refines only where
 * its first nodes see something, so a peak narrower than the node
 * spacing could be stepped over; panels narrower than any peak cannot
 * miss one. A first pass (one Kronrod rule per panel) gives the scale
 * of the whole; each panel then gets its share of an error budget of
 * 1e-13 of it, so panels out in the tails, whose values may sink to
 * the subnormal range where rounding has no relative precision, are
 * not refined for nothing. */
num_quad num_integrate_panels(double (*f)(double x, void *ctx), void *ctx,
                              double lo, double hi, double width)
{
    int panels = (int)ceil((hi - lo) / width);
    double h = (hi - lo) / panels, scale = 0.0;
    for (int i = 0; i < panels; i++)
        scale += fabs(num_integrate(f, ctx, lo + i * h, lo + (i + 1) * h,
                                    INFINITY, 0.0).value);
    double tol = fmax(1e-13 * scale / panels, DBL_MIN);
    num_quad total = {0.0, 0.0, 0};
    for (int i = 0; i < panels; i++) {
        num_quad q = num_integrate(f, ctx, lo + i * h, lo + (i + 1) * h,
                                   tol, 1e-13);
        total.value += q.value;
        total.error += q.error;
        total.intervals += q.intervals;
    }
    return total;
}

double num_normal_cdf(double x)
{
    return 0.5 * erfc(-x / sqrt(2.0));
}

/* Acklam's rational approximation (relative error 1.2e-9), polished by
 * one Halley step on Phi(x) - p, which brings it to full double accuracy. */
double num_normal_quantile(double p)
{
    static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
        -2.759285104469687e+02, 1.383577518672690e+02,
        -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
        -1.556989798598866e+02, 6.680131188771972e+01,
        -1.328068155288572e+01};
    static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
        -2.400758277161838e+00, -2.549732539343734e+00,
        4.374664141464968e+00, 2.938163982698783e+00};
    static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
        2.445134137142996e+00, 3.754408661907416e+00};
    if (!(p > 0.0 && p < 1.0))
        return p == 0.0 ? -INFINITY : p == 1.0 ? INFINITY : NAN;
    double x, q, r;
    if (p < 0.02425) {
        q = sqrt(-2.0 * log(p));
        x = (((((c[0]*q + c[1])*q + c[2])*q + c[3])*q + c[4])*q + c[5]) /
            ((((d[0]*q + d[1])*q + d[2])*q + d[3])*q + 1.0);
    } else if (p > 1.0 - 0.02425) {
        q = sqrt(-2.0 * log1p(-p));
        x = -(((((c[0]*q + c[1])*q + c[2])*q + c[3])*q + c[4])*q + c[5]) /
             ((((d[0]*q + d[1])*q + d[2])*q + d[3])*q + 1.0);
    } else {
        q = p - 0.5;
        r = q * q;
        x = (((((a[0]*r + a[1])*r + a[2])*r + a[3])*r + a[4])*r + a[5]) * q /
            (((((b[0]*r + b[1])*r + b[2])*r + b[3])*r + b[4])*r + 1.0);
    }
    double e = num_normal_cdf(x) - p;
    double u = e * sqrt(2.0 * M_PI) * exp(0.5 * x * x);
    return x - u / (1.0 + 0.5 * x * u);
}

void num_stats_add(num_stats *s, double x)
{
    s->n++;
    double delta = x - s->mean;
    s->mean += delta / (double)s->n;
    s->m2 += delta * (x - s->mean);
}

double num_stats_var(const num_stats *s)
{
    return s->n > 1 ? s->m2 / (double)(s->n - 1) : 0.0;
}

double num_stats_sem(const num_stats *s)
{
    return s->n > 1 ? sqrt(num_stats_var(s) / (double)s->n) : 0.0;
}
