/* gradcheck_loss.c -- every loss of loss.c in double: its value against a
 * second, independent formula, and its gradient with respect to every
 * input (log-sigma included) against central finite differences. */
#include <math.h>
#include <string.h>

#include "kl.h"
#include "loss.h"
#include "num.h"
#include "rng.h"

#include "check.h"
#include "gradcheck.h"

/* Step, tolerance and floor as in gradcheck_nn.c: with h = 1e-5 the
 * central difference is good to ~1e-9 relative here, and entries below
 * the floor 1e-2 must agree to 1e-8 absolutely. */
static const double H = 1e-5, TOL = 1e-6, FLOOR = 1e-2;

/* Every loss is checked on B rows of D values, with a scale that is
 * neither 1 nor 1/B so that a forgotten factor shows. */
enum { B = 4, D = 5, N = B * D };
static const double SCALE = 0.37;

/* The inputs of one loss; `loss` evaluates it (gradients when the g_*
 * pointers passed are not NULL). */
typedef struct {
    real a[N], b[N], target[N];   /* the loss's two inputs and x */
    unsigned char label[B];
    int nsigma;                   /* loss_gauss_nll's sigmas */
    double (*loss)(void *c, real *ga, real *gb);
} loss_case;

static double objective(void *ctx)
{
    loss_case *c = ctx;
    return SCALE * c->loss(c, NULL, NULL);
}

/* The worst relative error over the n entries of param. */
static double worst_error(loss_case *c, real *param, const real *grad,
                          int n)
{
    return gradcheck_worst(objective, c, param, grad, (size_t)n, H, FLOOR,
                           NULL);
}

/* Checks the gradients in a (n_a values, named name_a) and in b (n_b
 * values; n_b = 0 skips it). */
static void check_gradients(const char *loss, loss_case *c,
                            const char *name_a, int n_a,
                            const char *name_b, int n_b)
{
    real ga[N] = {0}, gb[N] = {0};
    c->loss(c, ga, n_b > 0 ? gb : NULL);
    char label[160];
    double worst = worst_error(c, c->a, ga, n_a);
    snprintf(label, sizeof label, "%s: d/d%s vs finite differences "
             "(worst %.1e)", loss, name_a, worst);
    CHECK_LE(label, worst, TOL);
    if (n_b > 0) {
        worst = worst_error(c, c->b, gb, n_b);
        snprintf(label, sizeof label, "%s: d/d%s vs finite differences "
                 "(worst %.1e)", loss, name_b, worst);
        CHECK_LE(label, worst, TOL);
    }
}

static void fill_uniform(real *a, int n, double lo, double hi, rng *r)
{
    for (int i = 0; i < n; i++)
        a[i] = (real)(lo + (hi - lo) * rng_uniform(r));
}

/* ---- the losses, as the cases call them ---------------------------------- */

static double bce(void *ctx, real *ga, real *gb)
{
    loss_case *c = ctx;
    (void)gb;
    return loss_bce_logits(ga, c->a, c->target, N, SCALE);
}

static double sse(void *ctx, real *ga, real *gb)
{
    loss_case *c = ctx;
    (void)gb;
    return loss_sse(ga, c->a, c->target, N, SCALE);
}

static double gauss(void *ctx, real *ga, real *gb)
{
    loss_case *c = ctx;
    return loss_gauss_nll(ga, gb, c->a, c->b, c->target, N, c->nsigma,
                          SCALE);
}

static double kl(void *ctx, real *ga, real *gb)
{
    loss_case *c = ctx;
    return loss_kl_std_normal(ga, gb, c->a, c->b, N, SCALE);
}

static double softmax_ce(void *ctx, real *ga, real *gb)
{
    loss_case *c = ctx;
    (void)gb;
    return loss_softmax_ce(ga, c->a, c->label, B, D, SCALE);
}

/* ---- the checks ----------------------------------------------------------- */

static void check_bce(rng *r)
{
    loss_case c = {.loss = bce};
    fill_uniform(c.a, N, -6, 6, r);
    fill_uniform(c.target, N, 0, 1, r);
    /* -x log sigma(z) - (1 - x) log(1 - sigma(z)), equation (3.7),
     * computed directly: fine in double for |z| <= 6. */
    double direct = 0;
    for (int i = 0; i < N; i++) {
        double s = 1 / (1 + exp(-c.a[i])), x = c.target[i];
        direct += -x * log(s) - (1 - x) * log(1 - s);
    }
    CHECK_REL("BCE (3.8) = the direct formula (3.7)", bce(&c, NULL, NULL),
              direct, 1e-13, 0);
    check_gradients("BCE from logits (3.9)", &c, "z", N, NULL, 0);
}

static void check_sse(rng *r)
{
    loss_case c = {.loss = sse};
    fill_uniform(c.a, N, -2, 2, r);
    fill_uniform(c.target, N, 0, 1, r);
    double direct = 0;
    for (int i = 0; i < N; i++)
        direct += (c.a[i] - c.target[i]) * (c.a[i] - c.target[i]);
    CHECK_REL("SSE (3.12) = the sum of squares", sse(&c, NULL, NULL),
              direct, 1e-15, 0);
    check_gradients("SSE, gradient 2 (y - x)", &c, "y", N, NULL, 0);
}

static void check_gauss(rng *r)
{
    const int nsigmas[3] = {1, D, N};
    const char *names[3] = {"one sigma", "one sigma per column",
                            "one sigma per element"};
    for (int k = 0; k < 3; k++) {
        loss_case c = {.loss = gauss, .nsigma = nsigmas[k]};
        fill_uniform(c.a, N, -1, 1, r);
        fill_uniform(c.b, c.nsigma, -1, 0.5, r);
        fill_uniform(c.target, N, -1, 1, r);
        /* -log of the density, written out with exp. */
        double direct = 0;
        for (int i = 0; i < N; i++) {
            double s = exp(c.b[i % c.nsigma]), d = c.target[i] - c.a[i];
            direct -= log(exp(-d * d / (2 * s * s)) / (s * sqrt(2 * M_PI)));
        }
        char label[120];
        snprintf(label, sizeof label, "Gaussian NLL (3.13), %s, = -log of "
                 "the density", names[k]);
        CHECK_REL(label, gauss(&c, NULL, NULL), direct, 1e-13, 0);
        snprintf(label, sizeof label, "Gaussian NLL (3.14), %s",
                 names[k]);
        check_gradients(label, &c, "mu", N, "log_sigma", c.nsigma);
    }
}

static void check_kl(rng *r)
{
    loss_case c = {.loss = kl};
    fill_uniform(c.a, N, -2, 2, r);
    fill_uniform(c.b, N, -3, 2, r);
    /* The same KL from chapter 1's general 1-D formula, sigma = e^(l/2). */
    double direct = 0;
    for (int i = 0; i < N; i++)
        direct += kl_gauss_1d(c.a[i], exp(0.5 * c.b[i]), 0, 1);
    CHECK_REL("KL sum (2.9) = sum of kl_gauss_1d(mu, e^(l/2), 0, 1)",
              kl(&c, NULL, NULL), direct, 1e-13, 0);
    check_gradients("KL to N(0,1) (2.10)", &c, "mu", N, "logvar", N);
}

static void check_softmax_ce(rng *r)
{
    loss_case c = {.loss = softmax_ce};
    fill_uniform(c.a, N, -4, 4, r);
    for (int b = 0; b < B; b++)
        c.label[b] = (unsigned char)rng_below(r, D);
    double direct = 0;
    for (int b = 0; b < B; b++) {
        double z[D], p[D];
        for (int k = 0; k < D; k++)
            z[k] = c.a[b * D + k];
        num_softmax(p, z, D);
        direct -= log(p[c.label[b]]);
    }
    CHECK_REL("softmax CE = -log of num_softmax's p_label",
              softmax_ce(&c, NULL, NULL), direct, 1e-13, 0);
    check_gradients("softmax CE, gradient p - y", &c, "z", N, NULL, 0);

    /* Rows shifted by +-1000 lose nothing (log-sum-exp). */
    double before = softmax_ce(&c, NULL, NULL);
    for (int i = 0; i < D; i++) {
        c.a[i] += 1000;
        c.a[D + i] -= 1000;
    }
    CHECK_REL("softmax CE unchanged by shifting rows by +-1000",
              softmax_ce(&c, NULL, NULL), before, 1e-12, 0);
}

int main(void)
{
    rng r;
    rng_seed(&r, 5);
    check_bce(&r);
    check_sse(&r);
    check_gauss(&r);
    check_kl(&r);
    check_softmax_ce(&r);
    return check_summary();
}
