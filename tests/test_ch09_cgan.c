/* test_ch09_cgan.c -- chapter 9's measures against independent numbers:
 *   - squared_distances (9.10), computed through |a|^2 + |b|^2 - 2 a.b
 *     and one matrix product, against the sum of squared differences
 *     done pixel by pixel in double;
 *   - diversity (9.11) against the mean over pairs done by hand, and 0
 *     for a label whose images are all the same;
 *   - nearest_training (9.12): a training image itself is at distance 0
 *     from its own index; a perturbed one at the perturbation's norm;
 *   - the Parzen window (9.13) with one sample against the sum of 784
 *     one-dimensional normal log-densities (num_log_normal_pdf), and
 *     with two samples against the log of the mean of two such
 *     products;
 *   - the leaky ReLU's forward and backward against its definition.
 * Includes the chapter (llm.c style) to reach its functions. */
#define TESTING
#include "../chapters/ch09_cgan.c"

#include "../tests/check.h"

/* A deterministic image: pixels in [0, 1). */
static void fill(real *x, int n, rng *r)
{
    for (int i = 0; i < n; i++)
        x[i] = (real)rng_uniform(r);
}

static double distance2_by_hand(const real *a, const real *b)
{
    double s = 0;
    for (int k = 0; k < PIXELS; k++)
        s += ((double)a[k] - b[k]) * ((double)a[k] - b[k]);
    return s;
}

static void check_distances(rng *r)
{
    enum { NA = 7, NB = 5 };
    real *a = sys_alloc((size_t)NA * PIXELS, sizeof(real));
    real *b = sys_alloc((size_t)NB * PIXELS, sizeof(real));
    real d[NA * NB];
    fill(a, NA * PIXELS, r);
    fill(b, NB * PIXELS, r);
    squared_distances(d, a, NA, b, NB, PIXELS);
    double worst = 0;
    for (int i = 0; i < NA; i++)
        for (int j = 0; j < NB; j++) {
            double want = distance2_by_hand(a + i * PIXELS, b + j * PIXELS);
            worst = fmax(worst, fabs(d[i * NB + j] - want) / want);
        }
    /* float products of 784 terms of size ~0.3: relative error ~1e-6 */
    CHECK_LE("(9.10): |a|^2 + |b|^2 - 2a.b = sum of squared differences "
             "(relative)", worst, 1e-5);
    squared_distances(d, a, 1, a, 1, PIXELS);
    CHECK_LE("(9.10): an image is at distance ~0 from itself", d[0], 1e-3);
    CHECK("(9.10): and never below 0 after rounding", d[0] >= 0);
    free(a);
    free(b);
}

static void check_diversity(rng *r)
{
    enum { N = 4, LABELS = 2 };
    real *x = sys_alloc((size_t)LABELS * N * PIXELS, sizeof(real));
    fill(x, LABELS * N * PIXELS, r);
    double sum = 0;
    for (int k = 0; k < LABELS; k++)
        for (int i = 0; i < N; i++)
            for (int j = i + 1; j < N; j++)
                sum += sqrt(distance2_by_hand(x + (k * N + i) * PIXELS,
                                              x + (k * N + j) * PIXELS));
    CHECK_REL("(9.11): diversity = mean distance over the 6 pairs of "
              "each label", diversity_within_label(x, LABELS, N),
              sum / (LABELS * 6), 1e-5, 1e-9);
    for (int i = 1; i < N; i++)   /* label 0: four copies of one image */
        memcpy(x + i * PIXELS, x, sizeof(real) * PIXELS);
    double copies = diversity_within_label(x, 1, N);
    CHECK_LE("(9.11): four copies of one image have diversity ~0",
             copies, 0.05);
    free(x);
}

static void check_nearest(rng *r)
{
    enum { NTRAIN = 1200, NS = 3 };   /* more than one CHUNK of 1000 */
    data_set train = {NTRAIN, SIDE, SIDE, PIXELS,
                      sys_alloc((size_t)NTRAIN * PIXELS, sizeof(real)), NULL};
    fill(train.x, NTRAIN * PIXELS, r);
    real *s = sys_alloc((size_t)NS * PIXELS, sizeof(real));
    int pick[NS] = {3, 1100, 999};
    for (int i = 0; i < NS; i++)
        memcpy(s + i * PIXELS, train.x + (size_t)pick[i] * PIXELS,
               sizeof(real) * PIXELS);
    s[2 * PIXELS + 5] += 0.25f;   /* sample 2: one pixel moved by 0.25 */
    double dist[NS];
    int index[NS];
    nearest_training(dist, index, s, NS, &train);
    CHECK("(9.12): a copy of training image 3 finds image 3",
          index[0] == 3);
    CHECK("(9.12): a copy of image 1100, in the second chunk, finds it",
          index[1] == 1100);
    CHECK_LE("(9.12): and is at distance ~0", dist[1], 0.03);
    CHECK("(9.12): a perturbed copy of image 999 finds it",
          index[2] == 999);
    CHECK_NEAR("(9.12): at the perturbation's norm, 0.25", dist[2], 0.25,
               0.03);
    free(s);
    free(train.x);
}

static void check_parzen(rng *r)
{
    real *x = sys_alloc(PIXELS, sizeof *x);
    real *s = sys_alloc(2 * PIXELS, sizeof *s);
    fill(x, PIXELS, r);
    fill(s, 2 * PIXELS, r);
    double sigma = 0.3, one = 0, two = 0;
    for (int k = 0; k < PIXELS; k++) {
        one += num_log_normal_pdf(x[k], s[k], sigma);
        two += num_log_normal_pdf(x[k], s[PIXELS + k], sigma);
    }
    CHECK_REL("(9.13) with one sample: the product of 784 normal "
              "densities", parzen_log_density(x, 1, s, 1, sigma), one,
              1e-5, 1);
    double m = fmax(one, two);
    double want = m + log((exp(one - m) + exp(two - m)) / 2);
    CHECK_REL("(9.13) with two: the log of the mean of the two products",
              parzen_log_density(x, 1, s, 2, sigma), want, 1e-5, 1);
    free(x);
    free(s);
}

static void check_leaky(void)
{
    real x[4] = {-2, -0.5, 0.5, 3}, y[4], dy[4] = {1, 2, 3, 4};
    real dx[4] = {0, 0, 0, 0};
    gan_leaky_relu_forward(y, x, 4, 0.2);
    CHECK("leaky ReLU: slope * x below 0, x above",
          y[0] == (real)-0.4 && y[1] == (real)-0.1 && y[2] == (real)0.5 &&
          y[3] == 3);
    gan_leaky_relu_backward(dx, y, dy, 4, 0.2);
    CHECK("leaky ReLU backward: 0.2 dy below 0, dy above (added)",
          dx[0] == (real)0.2 && dx[1] == (real)0.4 && dx[2] == 3 &&
          dx[3] == 4);
}

int main(void)
{
    rng r;
    rng_seed(&r, 9);
    check_distances(&r);
    check_diversity(&r);
    check_nearest(&r);
    check_parzen(&r);
    check_leaky();
    return check_summary();
}
