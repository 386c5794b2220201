/* grade_ch04.c -- the task of chapter 4, graded against independent
 * computations:
 *   ch04-sparsity (4.5): the sparsity penalty of a batch of 97 codes of
 *     13 units and its gradient: the value against beta sum_j KL(rho ||
 *     rho-hat_j) summed here in long double, the gradient against central
 *     differences of that sum; a unit whose mean is exactly rho (its
 *     gradient is 0), a silent unit (clamped at RHO_HAT_MIN), the L1
 *     penalty (4.7), and a buffer that already holds a gradient. */
#define TESTING
#include "../chapters/ch04_sparse_ae.c"

#include "grade.h"

enum { B = 97, H = 13 };

/* KL(rho || q) of two Bernoullis, (4.1), in long double. */
static long double kl_long(long double rho, long double q)
{
    return rho * logl(rho / q) + (1 - rho) * logl((1 - rho) / (1 - q));
}

/* The mean of unit j's codes. */
static long double unit_mean(const double *a, int j)
{
    long double q = 0;
    for (int b = 0; b < B; b++)
        q += a[b * H + j];
    return q / B;
}

/* beta sum_j KL(rho || mean_j) of codes a, in long double, with the
 * means clamped to [RHO_HAT_MIN, 1 - RHO_HAT_MIN] as the chapter does. */
static long double penalty_long(const double *a, const sparsity *s)
{
    long double total = 0;
    for (int j = 0; j < H; j++) {
        long double q = unit_mean(a, j);
        if (s->l1)
            total += s->beta * q;
        else
            total += s->beta *
                     kl_long(s->rho, fminl(fmaxl(q, RHO_HAT_MIN),
                                           1 - RHO_HAT_MIN));
    }
    return total;
}

/* d penalty / d a[b][j]: a central difference of penalty_long; for a
 * unit whose mean is clamped, where that difference is 0, the chapter
 * pushes with the slope of KL at the clamp (a silent unit must be
 * woken), beta/B dKL/dq at q = RHO_HAT_MIN, again by differences. */
static double penalty_slope(double *a, int i, const sparsity *s)
{
    long double q = unit_mean(a, i % H), h = 1e-6;
    if (!s->l1 && q < RHO_HAT_MIN) {
        long double c = RHO_HAT_MIN, dq = 1e-12L;
        return (double)(s->beta / B * (kl_long(s->rho, c + dq) -
                                       kl_long(s->rho, c - dq)) / (2 * dq));
    }
    double keep = a[i];
    a[i] = keep + h;
    long double up = penalty_long(a, s);
    a[i] = keep - h;
    long double down = penalty_long(a, s);
    a[i] = keep;
    return (double)((up - down) / (2 * h));
}

static bool penalty_case(double *a, const sparsity *s, const char *name)
{
    double da[B * H];
    for (int i = 0; i < B * H; i++)
        da[i] = 0.125;   /* a gradient already there: backward adds */
    double got = sparsity_penalty(da, a, B, H, s);
    EXPECT(grade_near(got, (double)penalty_long(a, s), 1e-10, 1e-9,
                      "%s: the penalty", name));
    for (int i = 0; i < B * H; i += 7)
        EXPECT(grade_near(da[i] - 0.125, penalty_slope(a, i, s), 1e-8,
                          1e-5, "%s: d/da[%d][%d] (finite difference)",
                          name, i / H, i % H));
    return true;
}

static bool check_sparsity(void)
{
    rng r;
    rng_seed(&r, 6060);
    double a[B * H];
    for (int b = 0; b < B; b++)
        for (int j = 0; j < H; j++)   /* unit j's mean near (j+1)/16 */
            a[b * H + j] = fmin(0.999, (j + 1) / 16.0 *
                                (0.5 + rng_uniform(&r)));
    for (int b = 0; b < B; b++)
        a[b * H + 3] = 0.05;          /* exactly at rho */
    sparsity kl = {.l1 = false, .rho = 0.05, .beta = 3};
    EXPECT(penalty_case(a, &kl, "KL penalty, rho 0.05, beta 3"));
    double da[B * H] = {0};
    sparsity_penalty(da, a, B, H, &kl);
    for (int b = 0; b < B; b++)
        EXPECT(grade_near(da[b * H + 3], 0, 1e-12, 0, "KL penalty: d/da"
                          "[%d][3] of a unit whose mean is rho", b));
    for (int b = 0; b < B; b++)
        a[b * H + 8] = 0;             /* a silent unit */
    EXPECT(penalty_case(a, &kl, "KL penalty with a silent unit"));
    sparsity l1 = {.l1 = true, .rho = 0.05, .beta = 0.7};
    return penalty_case(a, &l1, "L1 penalty, beta 0.7");
}

static const grade_task tasks[] = {
    {"ch04-sparsity", "(4.5)", check_sparsity},
};

int main(int argc, char **argv)
{
    return grade_main(tasks, (int)(sizeof tasks / sizeof tasks[0]), argc,
                      argv);
}
