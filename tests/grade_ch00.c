/* grade_ch00.c -- the task of chapter 0, graded against independent
 * computations:
 *   ch00-softmax-ce-grad (0.9): the gradient p - y of the softmax
 *     cross-entropy, against the softmax taken in long double and
 *     against central differences of the loss (0.8) in long double; on
 *     odd sizes, logits of +-1000 (where exp overflows unless shifted)
 *     and a buffer that already holds a gradient (backward adds). */
#define TESTING
#include "../chapters/ch00_entropy.c"

#include "grade.h"

/* The loss (0.8), lse(a) - a_label, in long double. */
static long double ce_long(const double *a, int label, int n)
{
    long double max = a[0], sum = 0;
    for (int j = 1; j < n; j++)
        max = a[j] > max ? a[j] : max;
    for (int j = 0; j < n; j++)
        sum += expl(a[j] - max);
    return max + logl(sum) - a[label];
}

/* d_logits, starting at `start`, against start + p - y. */
static bool softmax_grad_case(const double *a, int label, int n,
                              double start)
{
    double d[CLI_LIST_MAX];
    for (int j = 0; j < n; j++)
        d[j] = start;
    softmax_ce_backward(d, a, label, n);
    long double lse = ce_long(a, label, n) + a[label];
    for (int j = 0; j < n; j++) {
        double want = (double)(expl(a[j] - lse) - (j == label));
        EXPECT(grade_near(d[j] - start, want, 1e-12, 1e-9,
                          "d_logits[%d] of %d logits, label %d", j, n,
                          label));
    }
    return true;
}

static bool check_softmax_ce_grad(void)
{
    rng r;
    rng_seed(&r, 9011);
    double a[CLI_LIST_MAX];
    for (int n = 2; n <= 41; n += 13) {          /* 2, 15, 28, 41 */
        for (int j = 0; j < n; j++)
            a[j] = 3 * rng_normal(&r);
        int label = (int)rng_below(&r, (uint64_t)n);
        EXPECT(softmax_grad_case(a, label, n, n == 15 ? 0.25 : 0));
        /* central differences of (0.8), in long double */
        double d[CLI_LIST_MAX] = {0}, h = 1e-5;
        softmax_ce_backward(d, a, label, n);
        for (int j = 0; j < n; j++) {
            double keep = a[j];
            a[j] = keep + h;
            long double up = ce_long(a, label, n);
            a[j] = keep - h;
            long double down = ce_long(a, label, n);
            a[j] = keep;
            EXPECT(grade_near(d[j], (double)((up - down) / (2 * h)),
                              1e-8, 0, "d_logits[%d] against a finite "
                              "difference, %d logits", j, n));
        }
    }
    /* logits of +-1000: exp(1000) overflows; the answer is exact */
    double big[4] = {1000, -1000, 999, 0};
    EXPECT(softmax_grad_case(big, 2, 4, 0));
    double equal[5] = {-700, -700, -700, -700, -700};
    return softmax_grad_case(equal, 0, 5, 0);
}

static const grade_task tasks[] = {
    {"ch00-softmax-ce-grad", "(0.9)", check_softmax_ce_grad},
};

int main(int argc, char **argv)
{
    return grade_main(tasks, (int)(sizeof tasks / sizeof tasks[0]), argc,
                      argv);
}
