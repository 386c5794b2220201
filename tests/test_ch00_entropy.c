/* test_ch00_entropy.c -- entropy, cross-entropy and KL (0.1)-(0.5)
 * against known values and against each other computed separately;
 * the softmax loss (0.8) and its gradient (0.9) against the plain
 * formula and central differences; the midpoint bound (0.6). */
#define TESTING
#include "../chapters/ch00_entropy.c"

#include <stdlib.h>

#include "../tests/check.h"

/* H in bits summed with log2 directly: (0.2) checked, not assumed. */
static double entropy_log2(const double *p, int n)
{
    double h = 0.0;
    for (int i = 0; i < n; i++)
        if (p[i] > 0.0)
            h -= p[i] * log2(p[i]);
    return h;
}

/* -log of the softmax written out plainly (safe for small logits). */
static double plain_softmax_ce(const double *a, int label, int n)
{
    double sum = 0.0;
    for (int k = 0; k < n; k++)
        sum += exp(a[k]);
    return -log(exp(a[label]) / sum);
}

int main(void)
{
    /* Known values. */
    const double p[2] = {0.1, 0.9}, q[2] = {0.5, 0.5};
    CHECK_NEAR("H(0.1, 0.9) by hand", entropy(p, 2),
               -(0.1 * log(0.1) + 0.9 * log(0.9)), 1e-15);
    CHECK_NEAR("H(uniform on 7) = ln 7",
               entropy((double[]){1 / 7.0, 1 / 7.0, 1 / 7.0, 1 / 7.0,
                                  1 / 7.0, 1 / 7.0, 1 / 7.0}, 7),
               log(7.0), 1e-14);
    CHECK_NEAR("KL(Bern(0.1)||Bern(0.5)) by hand", kl_discrete(p, q, 2),
               0.1 * log(0.2) + 0.9 * log(1.8), 1e-15);
    CHECK_NEAR("H(p, uniform) = ln 2 whatever p", cross_entropy(p, q, 2),
               log(2.0), 1e-15);
    CHECK("KL is not symmetric: KL(p||q) - KL(q||p) = -0.1428",
          fabs(kl_discrete(p, q, 2) - kl_discrete(q, p, 2) + 0.1427614166)
              < 1e-9);

    /* 0 log 0 = 0, and infinity where q misses an outcome of p. */
    const double zero_first[3] = {0.0, 0.5, 0.5}, one_hot[3] = {0, 0, 1};
    CHECK_NEAR("0 log 0 = 0 in H", entropy(zero_first, 3), log(2.0), 1e-15);
    CHECK_NEAR("H of a one-hot = 0", entropy(one_hot, 3), 0.0, 0.0);
    CHECK("KL(p||q) = +inf when q_i = 0 < p_i",
          isinf(kl_discrete(zero_first, one_hot, 3)) &&
              kl_discrete(zero_first, one_hot, 3) > 0);
    CHECK("H(p,q) = +inf there too",
          isinf(cross_entropy(zero_first, one_hot, 3)));
    CHECK_NEAR("KL(one-hot || p) = ln 2, finite: 0 log 0 = 0",
               kl_discrete(one_hot, zero_first, 3), log(2.0), 1e-15);

    /* The identities on random pairs, each side computed on its own. */
    rng r;
    rng_seed(&r, 2024);
    double a[10], b[10], m[10];
    double worst_kl = 0.0, worst_bits = 0.0, worst_gibbs = INFINITY;
    double worst_triangle = -INFINITY;
    for (int k = 0; k < 20000; k++) {
        int n = 1 + (int)rng_below(&r, 10);
        random_distribution(a, n, &r);
        random_distribution(b, n, &r);
        for (int i = 0; i < n; i++)
            m[i] = 0.5 * (a[i] + b[i]);
        double kl = kl_discrete(a, b, n);
        worst_kl = fmax(worst_kl,
                        fabs(kl - (cross_entropy(a, b, n) - entropy(a, n))));
        double h_bits = nats_to_bits(entropy(a, n));
        worst_bits = fmax(worst_bits, fabs(h_bits - entropy_log2(a, n)));
        worst_gibbs = fmin(worst_gibbs, kl);
        worst_triangle = fmax(worst_triangle, kl_discrete(a, m, n) +
                                                  kl_discrete(m, b, n) - kl);
    }
    CHECK_LE("(0.4) KL = H(p,q) - H(p) to 1e-12, 20000 random pairs",
             worst_kl, 1e-12);
    CHECK_LE("(0.2) bits = nats / ln 2 vs log2 sums, to 1e-12",
             worst_bits, 1e-12);
    CHECK_GE("(0.5) Gibbs: KL >= 0 on every random pair", worst_gibbs, 0.0);
    CHECK_LE("(0.6) KL(p||m) + KL(m||q) <= KL(p||q) on every pair",
             worst_triangle, 1e-14);
    double mid[2] = {0.3, 0.7};
    CHECK_LE("triangle broken for the default p, q by over 0.16",
             kl_discrete(p, mid, 2) + kl_discrete(mid, q, 2),
             kl_discrete(p, q, 2) - 0.16);
    random_distribution(a, 10, &r);
    CHECK_NEAR("KL(p||p) = 0", kl_discrete(a, a, 10), 0.0, 1e-15);

    /* The note's cross-entropy has the opposite sign. */
    CHECK_NEAR("note 000's H(p,q) = -1 bit for the default p, q",
               note000_cross_entropy_bits(p, q, 2), -1.0, 1e-15);
    CHECK_NEAR("the right H(p,q) = +1 bit",
               nats_to_bits(cross_entropy(p, q, 2)), 1.0, 1e-15);

    /* With p fixed, cross-entropy and KL in q have the same minimiser. */
    path_check c = second_argument_check(p, 2);
    CHECK_NEAR("argmin_t H(p, q_t) = 1", c.t_min_cross_entropy, 1.0, 1e-12);
    CHECK_NEAR("argmin_t KL(p || q_t) = 1", c.t_min_kl, 1.0, 1e-12);
    CHECK_LE("H(p,q_t) - KL(p||q_t) = H(p) along the path", c.worst, 1e-14);

    /* Softmax cross-entropy: value and gradient. */
    double logits[8], worst_loss = 0.0, worst_grad = 0.0;
    for (int k = 0; k < 200; k++) {
        int n = 2 + (int)rng_below(&r, 7);
        int label = (int)rng_below(&r, (uint64_t)n);
        for (int i = 0; i < n; i++)
            logits[i] = 3.0 * rng_normal(&r);
        worst_loss = fmax(worst_loss,
                          fabs(softmax_ce_forward(logits, label, n) -
                               plain_softmax_ce(logits, label, n)));
        worst_grad = fmax(worst_grad,
                          softmax_ce_grad_error(logits, label, n, 1e-5));
    }
    CHECK_LE("(0.8) loss = -log of the plain softmax, 200 random cases",
             worst_loss, 1e-12);
    CHECK_LE("(0.9) p - y = central differences to 1e-7", worst_grad, 1e-7);
    double big[3] = {1000.0, 999.0, 998.1};
    CHECK_NEAR("loss at logits near 1000 = loss at (2, 1, 0.1)",
               softmax_ce_forward(big, 0, 3),
               plain_softmax_ce((double[]){2, 1, 0.1}, 0, 3), 1e-12);
    CHECK_LE("gradient at logits near 1000 still matches",
             softmax_ce_grad_error(big, 1, 3, 1e-5), 1e-7);
    double grad[3] = {1.0, 1.0, 1.0};
    softmax_ce_backward(grad, big, 0, 3);
    CHECK_NEAR("backward adds into its buffer (components sum to 3)",
               grad[0] + grad[1] + grad[2], 3.0, 1e-14);

    /* The figure's file: KL to the fair coin is 1 - H in bits. */
    char dir[] = "/tmp/ch00-test-XXXXXX";
    CHECK("temporary folder", mkdtemp(dir) != NULL);
    write_binary_curves(dir);
    char path[64];
    snprintf(path, sizeof path, "%s/binary.tsv", dir);
    FILE *f = fopen(path, "r");
    CHECK("binary.tsv written", f != NULL);
    char header[128];
    double x, h, to, from, worst_mirror = 0.0;
    int rows = 0;
    if (f != NULL && fgets(header, sizeof header, f) != NULL) {
        while (fscanf(f, "%lf %lf %lf %lf", &x, &h, &to, &from) == 4) {
            rows++;
            worst_mirror = fmax(worst_mirror, fabs(to - (1.0 - h)));
        }
    }
    if (f != NULL)
        fclose(f);
    remove(path);
    remove(dir);
    CHECK("binary.tsv has 199 rows", rows == 199);
    CHECK_LE("KL(Bern(x)||Bern(0.5)) = 1 - H(x) bits in the file",
             worst_mirror, 1e-9);
    /* The second audit (note 000), each number worked by hand. */
    audit000 *au = note000_audit(p, q, 2);
    double h_p_nats = -(0.1 * log(0.1) + 0.9 * log(0.9));
    CHECK_NEAR("note 000 mixed bases: 1 bit - H(p) in nats = 0.6749",
               au->mixed, 1.0 - h_p_nats, 1e-14);
    CHECK_NEAR("the right KL(p||q) in bits, summed with log2",
               au->kl_bits, 0.1 * log2(0.2) + 0.9 * log2(1.8), 1e-14);
    CHECK("the mixed-base gap is neither KL in bits nor in nats",
          fabs(au->mixed - au->kl_bits) > 0.1 &&
              fabs(au->mixed - au->kl_nats) > 0.1);
    CHECK_NEAR("H(p,p) - H(p) = 0: the note's '>' is '>='",
               au->self_gap, 0.0, 1e-15);
    CHECK_NEAR("loss of the right prediction = -log 0.4", au->loss_a,
               -log(0.4), 1e-14);
    CHECK_NEAR("loss of the wrong prediction = -log 0.45", au->loss_b,
               -log(0.45), 1e-14);
    CHECK("lower loss, yet wrong: cross-entropy is not accuracy",
          au->loss_b < au->loss_a && au->right_a && !au->right_b);
    return check_summary();
}
