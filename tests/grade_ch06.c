/* grade_ch06.c -- the tasks of chapter 6, graded against independent
 * computations:
 *   ch06-logsumexp (6.2): log sum_i e^x_i against the sum taken directly
 *     in long double (whose exponent range holds e^11000) on 97 values,
 *     and exactly known cases: two values of 1000 (log 2 + 1000, where
 *     exp overflows in double), -1000 and -1001, a single value, all
 *     -infinity (the log of an empty mass), a +infinity;
 *   ch06-e-step (6.7): responsibilities and log-likelihood of 97 points
 *     under a 3-component 2-D mixture, against Bayes' rule with the
 *     grader's own Gaussian densities (2x2 inverse and determinant in
 *     long double); a point 80 standard deviations out, where every
 *     density underflows in double;
 *   ch06-m-step (6.8): weights, means and covariances after one M-step,
 *     against weighted sums in long double; a component no point is
 *     responsible for must be refused (false). */
#define TESTING
#include "../chapters/ch06_gmm.c"

#include "grade.h"

static bool lse_case(const double *x, int n, double want, const char *what)
{
    return grade_near(num_logsumexp(x, n), want, 1e-12, 1e-13,
                      "log-sum-exp of %s", what);
}

static bool check_logsumexp(void)
{
    enum { N = 97 };
    rng r;
    rng_seed(&r, 6262);
    double x[N];
    long double sum = 0;
    for (int i = 0; i < N; i++) {
        x[i] = 5 * rng_normal(&r) - 20;
        sum += expl(x[i]);
    }
    EXPECT(lse_case(x, N, (double)logl(sum), "97 random values"));
    double big[2] = {1000, 1000}, low[2] = {-1000, -1001};
    EXPECT(lse_case(big, 2, 1000 + log(2.0), "{1000, 1000}"));
    EXPECT(lse_case(low, 2, (double)(-1000 + log1pl(expl(-1))),
                    "{-1000, -1001}"));
    EXPECT(lse_case(x + 5, 1, x[5], "one value"));
    double none[3] = {-INFINITY, -INFINITY, -INFINITY};
    EXPECT(lse_case(none, 3, -INFINITY, "{-inf, -inf, -inf}"));
    double inf[3] = {1, INFINITY, 2};
    return lse_case(inf, 3, INFINITY, "{1, +inf, 2}");
}

/* A 3-component mixture in 2-D, weights and correlated covariances. */
static gmm test_mixture(void)
{
    gmm g = {.k = 3, .dim = 2,
             .weight = {0.5, 0.3, 0.2},
             .mean = {{0, 0}, {3, -1}, {-2, 4}},
             .cov = {{{1, 0.3}, {0.3, 0.5}},
                     {{0.4, -0.2}, {-0.2, 2}},
                     {{2, 0.9}, {0.9, 1}}}};
    gmm_prepare(&g);
    return g;
}

/* log pi_m + log N(x; mu_m, Sigma_m) in long double, the 2x2 way. */
static long double log_joint_long(const gmm *g, int m, const double *x)
{
    long double a = g->cov[m][0][0], b = g->cov[m][0][1];
    long double d = g->cov[m][1][1], det = a * d - b * b;
    long double u = x[0] - g->mean[m][0], v = x[1] - g->mean[m][1];
    long double q = (d * u * u - 2 * b * u * v + a * v * v) / det;
    return logl(g->weight[m]) - logl(2 * 3.14159265358979323846L) -
           0.5L * logl(det) - 0.5L * q;
}

/* n points in 2-D: each coordinate scale * N(0, 1), the second + shift. */
static void random_points(double *x, int n, double scale, double shift,
                          rng *r)
{
    for (int i = 0; i < 2 * n; i++)
        x[i] = scale * rng_normal(r) + (i % 2) * shift;
}

static bool check_e_step(void)
{
    enum { N = 97, K = 3 };
    rng r;
    rng_seed(&r, 6767);
    double x[N * 2], resp[N * K];
    random_points(x, N, 3, 0, &r);
    x[2 * 40] = 80, x[2 * 40 + 1] = -80;   /* every density underflows */
    for (int i = 0; i < N * K; i++)
        resp[i] = NAN;
    gmm g = test_mixture();
    double loglik = em_e_step(resp, &g, x, N);
    long double want = 0;
    for (int i = 0; i < N; i++) {
        long double l[K], max = -INFINITY, sum = 0;
        for (int m = 0; m < K; m++) {
            l[m] = log_joint_long(&g, m, x + 2 * i);
            max = fmaxl(max, l[m]);
        }
        for (int m = 0; m < K; m++)
            sum += expl(l[m] - max);
        for (int m = 0; m < K; m++)
            EXPECT(grade_near(resp[i * K + m],
                              (double)(expl(l[m] - max) / sum), 1e-10,
                              1e-9, "responsibility of component %d for "
                              "point %d at (%g, %g)", m, i, x[2 * i],
                              x[2 * i + 1]));
        want += max + logl(sum);
    }
    return grade_near(loglik, (double)want, 1e-8, 1e-11,
                      "log-likelihood of %d points", N);
}

static bool check_m_step(void)
{
    enum { N = 97, K = 3 };
    gmm g = test_mixture();
    rng r;
    rng_seed(&r, 6868);
    double x[N * 2], resp[N * K];
    random_points(x, N, 2, 1, &r);
    for (int i = 0; i < N; i++) {   /* random responsibilities */
        double a = rng_uniform(&r), b = rng_uniform(&r), c = rng_uniform(&r);
        resp[i * K] = a / (a + b + c);
        resp[i * K + 1] = b / (a + b + c);
        resp[i * K + 2] = c / (a + b + c);
    }
    EXPECT_THAT(em_m_step(&g, resp, x, N), "the M-step refused a "
                "mixture every component of which has points");
    for (int m = 0; m < K; m++) {
        long double nm = 0, s[2] = {0}, c[2][2] = {{0}};
        for (int i = 0; i < N; i++) {
            nm += resp[i * K + m];
            s[0] += resp[i * K + m] * x[2 * i];
            s[1] += resp[i * K + m] * x[2 * i + 1];
        }
        long double mu[2] = {s[0] / nm, s[1] / nm};
        for (int i = 0; i < N; i++)
            for (int a = 0; a < 2; a++)
                for (int b = 0; b < 2; b++)
                    c[a][b] += resp[i * K + m] * (x[2 * i + a] - mu[a]) *
                               (x[2 * i + b] - mu[b]);
        EXPECT(grade_near(g.weight[m], (double)(nm / N), 1e-12, 1e-12,
                          "weight of component %d", m));
        for (int a = 0; a < 2; a++) {
            EXPECT(grade_near(g.mean[m][a], (double)mu[a], 1e-12, 1e-12,
                              "mean of component %d, coordinate %d", m, a));
            for (int b = 0; b < 2; b++)
                EXPECT(grade_near(g.cov[m][a][b], (double)(c[a][b] / nm),
                                  1e-12, 1e-11, "covariance of component "
                                  "%d, entry (%d, %d)", m, a, b));
        }
    }
    /* the factors the densities use must be the new ones (gmm_prepare) */
    double at[2] = {0.5, -0.25}, logp[K];
    gmm_log_joint(logp, &g, at);
    for (int m = 0; m < K; m++)
        EXPECT(grade_near(logp[m], (double)log_joint_long(&g, m, at),
                          1e-10, 1e-10, "log pi_%d N((0.5, -0.25); mu_%d, "
                          "Sigma_%d) after the M-step (gmm_prepare?)", m, m,
                          m));
    for (int i = 0; i < N; i++) {   /* component 1 has no points */
        resp[i * K] += resp[i * K + 1];
        resp[i * K + 1] = 0;
    }
    EXPECT_THAT(!em_m_step(&g, resp, x, N), "the M-step accepted a "
                "component no point is responsible for");
    return true;
}

static const grade_task tasks[] = {
    {"ch06-logsumexp", "(6.2)", check_logsumexp},
    {"ch06-e-step", "(6.7)", check_e_step},
    {"ch06-m-step", "(6.8)", check_m_step},
};

int main(int argc, char **argv)
{
    return grade_main(tasks, (int)(sizeof tasks / sizeof tasks[0]), argc,
                      argv);
}
