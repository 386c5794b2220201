/* grade_ch05.c -- the task of chapter 5, graded against independent
 * computations:
 *   ch05-psnr (5.4): ae_psnr and psnr_between on 97 random pixel pairs
 *     against 10 log10(1 / MSE) in long double, and on cases with an
 *     exact answer: every pixel off by 0.1 (20 dB), one pixel of 1000
 *     off by 1 (30 dB), identical images (+infinity). */
#define TESTING
#include "../chapters/ch05_denoising_ae.c"

#include "grade.h"

static bool check_psnr(void)
{
    enum { N = 97, M = 1000 };
    rng r;
    rng_seed(&r, 5555);
    real a[M], b[M];
    long double sum = 0;
    for (int i = 0; i < N; i++) {
        a[i] = (real)rng_uniform(&r);
        b[i] = (real)rng_uniform(&r);
        sum += ((long double)a[i] - b[i]) * ((long double)a[i] - b[i]);
    }
    EXPECT(grade_near(psnr_between(a, b, N),
                      (double)(10 * log10l(N / sum)), 1e-9, 1e-9,
                      "PSNR of %d random pixel pairs", N));
    EXPECT(grade_near(ae_psnr(0.0625), 10 * log10(16.0), 1e-12, 0,
                      "ae_psnr(0.0625)"));
    for (int i = 0; i < M; i++) {
        a[i] = (real)(0.25 + 0.5 * rng_uniform(&r));
        b[i] = (real)(a[i] + 0.1);
    }
    EXPECT(grade_near(psnr_between(a, b, M), 20, 1e-5, 0,
                      "PSNR with every pixel off by 0.1"));
    for (int i = 0; i < M; i++)
        b[i] = a[i] = (real)(i % 2);
    EXPECT(grade_near(psnr_between(a, b, M), INFINITY, 0, 0,
                      "PSNR of an image against itself"));
    b[17] = 1 - a[17];
    return grade_near(psnr_between(a, b, M), 30, 1e-9, 0,
                      "PSNR with one pixel of %d off by 1", M);
}

static const grade_task tasks[] = {
    {"ch05-psnr", "(5.4)", check_psnr},
};

int main(int argc, char **argv)
{
    return grade_main(tasks, (int)(sizeof tasks / sizeof tasks[0]), argc,
                      argv);
}
