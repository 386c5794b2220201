/* test_ch05_denoising_ae.c -- chapter 5's corruptions and PSNR.
 *
 * Each corruption (5.1)-(5.3) is applied to the 2000 test digits and the
 * mean squared difference it makes is set against its expectation,
 * computed independently from the pixel values: in closed form for
 * masking and salt-and-pepper, (5.6) and (5.7), and for clipped Gaussian
 * noise by quadrature over the noise of every pixel value. PSNR (5.4) is
 * checked on values worked out by hand. */
#define TESTING
#include "../chapters/ch05_denoising_ae.c"

#include "num.h"

#include "../tests/check.h"

/* (clip(v + sigma t, 0, 1) - v)^2 phi(t): the squared change of a pixel
 * v under clipped Gaussian noise, weighted by the density of t. */
typedef struct {
    double v, sigma;
} clip_case;

static double clip_integrand(double t, void *ctx)
{
    const clip_case *c = ctx;
    double y = fmin(fmax(c->v + c->sigma * t, 0), 1) - c->v;
    return y * y * exp(-0.5 * t * t) / sqrt(2 * M_PI);
}

/* E[(clip(v + sigma eps) - v)^2] by quadrature over eps in [-12, 12]
 * (beyond, the normal density is below 1e-31). */
static double expected_gauss(double v, double sigma)
{
    clip_case c = {v, sigma};
    return num_integrate(clip_integrand, &c, -12, 12, 1e-14, 1e-12).value;
}

/* Corrupts a copy of the test set; returns the mean squared change per
 * pixel and its standard error (pixels are corrupted independently). */
static double measured_change(const data_set *test, noise c, rng *r,
                              double *sem)
{
    size_t n = (size_t)test->n * test->dim;
    real *x = malloc(n * sizeof *x);
    memcpy(x, test->x, n * sizeof *x);
    noise_corrupt(x, (int)n, r, &c);
    num_stats s = {0};
    for (size_t i = 0; i < n; i++) {
        double d = (double)x[i] - test->x[i];
        num_stats_add(&s, d * d);
    }
    free(x);
    *sem = num_stats_sem(&s);
    return s.mean;
}

int main(void)
{
    /* (5.4) by hand: mse 0.01 is 20 dB, 1 is 0 dB, 1e-3 is 30 dB. */
    CHECK_NEAR("PSNR of mse 0.01 = 20 dB", ae_psnr(0.01), 20, 1e-12);
    CHECK_NEAR("PSNR of mse 1 = 0 dB", ae_psnr(1), 0, 1e-12);
    CHECK_NEAR("PSNR of mse 0.001 = 30 dB", ae_psnr(0.001), 30, 1e-12);
    real a[4] = {0, 0.5f, 1, 0.25f}, b[4] = {0.1f, 0.5f, 0.8f, 0.25f};
    /* differences 0.1, 0, 0.2, 0: mse = 0.05 / 4 = 0.0125 */
    CHECK_NEAR("psnr_between: 10 log10(1/0.0125)", psnr_between(a, b, 4),
               10 * log10(1 / 0.0125), 1e-6);

    data_set test;
    data_load(&test, "data/mnist-mini", "t10k", 28, 28);
    size_t n = (size_t)test.n * test.dim;
    /* The moments the closed forms need, over every pixel. */
    double m2 = 0, salt = 0, gauss = 0;
    double gauss_of_byte[256];
    for (int b = 0; b < 256; b++)
        gauss_of_byte[b] = expected_gauss(b / 255.0, 0.3);
    for (size_t i = 0; i < n; i++) {
        double v = test.x[i];
        m2 += v * v;
        salt += 0.5 * v * v + 0.5 * (1 - v) * (1 - v);
        gauss += gauss_of_byte[(int)lround(v * 255)];
    }
    m2 /= n, salt /= n, gauss /= n;

    /* A sample mean is within 4 standard errors of its expectation but
     * for a chance of 6e-5: a failure is a wrong corruption. */
    rng r;
    rng_seed(&r, 55);
    double se, got;
    got = measured_change(&test, (noise){NOISE_MASK, 0.3}, &r, &se);
    CHECK_NEAR("mask 0.3: mean squared change = 0.3 E[x^2] (5.6)", got,
               0.3 * m2, 4 * se);
    got = measured_change(&test, (noise){NOISE_SALT_PEPPER, 0.2}, &r, &se);
    CHECK_NEAR("salt and pepper 0.2: = 0.2 E[(x^2 + (1-x)^2)/2] (5.7)",
               got, 0.2 * salt, 4 * se);
    got = measured_change(&test, (noise){NOISE_GAUSS, 0.3}, &r, &se);
    CHECK_NEAR("gauss 0.3, clipped: = quadrature over the noise", got,
               gauss, 4 * se);
    /* Clipping matters: without it the change would be sigma^2 = 0.09,
     * with it about half (most pixels are 0 and lose negative noise). */
    CHECK_LE("gauss 0.3: clipping removes about half of sigma^2", gauss,
             0.6 * 0.09);

    /* What stays: masking only zeroes, never moves a 0 or adds ink;
     * every corruption stays in [0, 1]. */
    real *x = malloc(n * sizeof *x);
    int only_zeroes = 1, in_range = 1;
    memcpy(x, test.x, n * sizeof *x);
    noise_corrupt(x, (int)n, &r, &(noise){NOISE_MASK, 0.5});
    for (size_t i = 0; i < n; i++)
        only_zeroes &= x[i] == 0 || x[i] == test.x[i];
    CHECK("mask: every pixel kept or set to 0", only_zeroes);
    for (int k = 0; k < 3; k++) {
        memcpy(x, test.x, n * sizeof *x);
        noise_corrupt(x, (int)n, &r, &(noise){(noise_kind)k, 1.0});
        for (size_t i = 0; i < n; i++)
            in_range &= x[i] >= 0 && x[i] <= 1;
    }
    CHECK("every corruption at level 1 stays in [0, 1]", in_range);
    free(x);
    data_free(&test);
    return check_summary();
}
