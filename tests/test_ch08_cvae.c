/* test_ch08_cvae.c -- chapter 8 against independent numbers:
 *   - the judge (common/classify.c): the MLP reaches 97% on the 2000
 *     test digits, softmax regression lands where a linear model of
 *     deskewed pixels does; deskewing straightens a slanted stroke by
 *     its moments, computed here anew;
 *   - conditional accuracy (8.6), the mixture bound (8.5) and the gray
 *     fraction against counts done by hand;
 *   - a CVAE trained briefly: with z fixed, changing the label changes
 *     the judge's answer to that label in >= 90% of cases; its
 *     conditional accuracy reaches a threshold derived from the full
 *     run; an untrained CVAE does not (the check can fail); a colder
 *     prior (8.7) does not lower it;
 *   - conditions given as rows (--cond half's way) reach each image as
 *     the one-hot labels do: the same trained bits.
 * Under the sanitizers (SAN=1) the judge and the CVAE are smaller and
 * train briefly, with thresholds measured for that length (see `plan`).
 * Includes the chapter (llm.c style) to reach its functions. */
#define TESTING
#include "../chapters/ch08_cvae.c"

#include <stdlib.h>

#include "../tests/check.h"

/* The moments of an image's ink: centre (mx, my) and slant
 * cov(x, y) / var(y), the quantities deskewing must zero. */
static void ink_moments(const real *img, double *mx, double *my,
                        double *slant)
{
    double s = 0, sx = 0, sy = 0;
    for (int i = 0; i < SIDE; i++)
        for (int j = 0; j < SIDE; j++) {
            s += img[i * SIDE + j];
            sx += img[i * SIDE + j] * j;
            sy += img[i * SIDE + j] * i;
        }
    *mx = sx / s;
    *my = sy / s;
    double cxy = 0, cyy = 0;
    for (int i = 0; i < SIDE; i++)
        for (int j = 0; j < SIDE; j++) {
            cxy += img[i * SIDE + j] * (j - *mx) * (i - *my);
            cyy += img[i * SIDE + j] * (i - *my) * (i - *my);
        }
    *slant = cxy / cyy;
}

/* Deskewing zeroes the moments it is built on; a shift moves pixels. */
static void check_deskew(void)
{
    /* a stroke leaning right by 0.4 columns per row, off-centre */
    real img[PIXELS] = {0}, out[PIXELS], moved[PIXELS];
    for (int i = 5; i < 23; i++)
        img[i * SIDE + (int)lround(9 + 0.4 * (i - 14))] = 1;
    double mx, my, slant;
    ink_moments(img, &mx, &my, &slant);
    CHECK("the test stroke leans (slant > 0.3)", slant > 0.3);
    classify_deskew(out, img, SIDE, SIDE);
    ink_moments(out, &mx, &my, &slant);
    CHECK_NEAR("deskewed: the slant is gone", slant, 0, 0.03);
    CHECK_NEAR("deskewed: ink centred across (13.5)", mx, 13.5, 0.1);
    CHECK_NEAR("deskewed: ink centred down (13.5)", my, 13.5, 0.1);

    real blank[PIXELS] = {0};
    classify_deskew(out, blank, SIDE, SIDE);
    double ink = 0;
    for (int i = 0; i < PIXELS; i++)
        ink += fabs(out[i]);
    CHECK("a blank image deskews to a blank one", ink == 0);

    classify_shift(moved, img, SIDE, SIDE, 2, -1);
    CHECK("shift by (2, -1): pixel (i, j) goes to (i - 1, j + 2)",
          moved[(10 - 1) * SIDE + 7 + 2] == img[10 * SIDE + 7] &&
          moved[(22 - 1) * SIDE + 12 + 2] == img[22 * SIDE + 12]);
    CHECK("shift: what comes in from outside is 0",
          moved[27 * SIDE + 5] == 0 && moved[4 * SIDE + 0] == 0);
}

/* A judge that says 3 whatever it sees: zero weights, bias on 3. The
 * accuracy of (8.6) is then the share of 3s asked for. */
static void check_accuracy_by_hand(void)
{
    rng r;
    rng_seed(&r, 3);
    classify_model judge;
    classify_init(&judge, SIDE, SIDE, 0, CLASSES, 16, &r);
    memset(judge.first.w, 0, sizeof(real) * CLASSES * PIXELS);
    memset(judge.first.b, 0, sizeof(real) * CLASSES);
    judge.first.b[3] = 5;
    enum { N = 40 };
    real *images = sys_alloc((size_t)N * PIXELS, sizeof(real));
    unsigned char asked[N];
    for (int i = 0; i < N * PIXELS; i++)
        images[i] = (real)rng_uniform(&r);
    int threes = 0;
    for (int i = 0; i < N; i++) {
        asked[i] = (unsigned char)(i < 6 ? 3 : i % 2 == 0 ? 7 : 5);
        threes += asked[i] == 3;
    }
    double per_digit[CLASSES];
    int said[CLASSES];
    double acc = conditional_accuracy(per_digit, said, &judge, images,
                                      asked, N);
    CHECK_NEAR("(8.6) = share of 3s asked, for a judge that says 3", acc,
               (double)threes / N, 1e-15);
    CHECK("per digit: 3 judged right always, 7 never",
          per_digit[3] == 1 && per_digit[7] == 0);
    CHECK("per digit: a digit never asked is NaN", isnan(per_digit[1]));
    CHECK("the judge said 3 for every image", said[3] == N && said[0] == 0);
    CHECK_NEAR("worst digit = 0", worst_digit(per_digit), 0, 0);
    free(images);
    classify_free(&judge);
}

/* The mixture bound's label cost (8.5) and the gray fraction. */
static void check_small_functions(void)
{
    /* (8.5): -log p(y) averaged; uniform labels cost log 10 */
    unsigned char y_uniform[50], y_train[10] = {0, 0, 0, 0, 0, 0, 0, 0, 1,
                                                1};
    unsigned char y_test[2] = {0, 1};
    for (int i = 0; i < 50; i++)
        y_uniform[i] = (unsigned char)(i % 10);
    data_set uni = {.n = 50, .y = y_uniform};
    CHECK_NEAR("uniform labels: -log p(y) = log 10",
               label_entropy_bound(&uni, &uni), log(10.0), 1e-14);
    data_set tr = {.n = 10, .y = y_train}, te = {.n = 2, .y = y_test};
    CHECK_NEAR("p(0) = 0.8, p(1) = 0.2: mean of -log 0.8 and -log 0.2",
               label_entropy_bound(&tr, &te),
               (-log(0.8) - log(0.2)) / 2, 1e-14);

    real v[8] = {0, 0.25f, 0.5f, 0.75f, 1, 0.2f, 0.8f, 0.3f};
    CHECK_NEAR("gray fraction: 4 of 8 values in [0.25, 0.75]",
               gray_fraction(v, 2, 4), 0.5, 0);
}

/* ---- the judge and a briefly trained CVAE ---------------------------- */

/* How long to train, and what that length must reach. The plain run
 * checks the figures. Under the sanitizers (SAN=1) everything
 * runs some 30 times slower (on the plain layer, REF=1, more), so the models shrink to 100 hidden units
 * and train on the first 1000 images for a few hundred small steps;
 * their thresholds are set from what that length measured, about 3
 * standard errors below, and stay far above chance (0.1), where a
 * broken judge or a label the decoder ignores would land. */
typedef struct {
    const char *name;
    int train_n, test_n;            /* 0: all */
    int judge_hidden, judge_epochs, judge_batch, soft_epochs;
    int cvae_hidden, cvae_epochs, cvae_batch;
    double judge_min, soft_min, follows_min, cond_min;
} plan;

/* Plain: the judge (30 epochs) measured 0.9775-0.9785 over four seeds;
 * the issue asks >= 0.97. Softmax regression on deskewed pixels (10
 * epochs) measured 0.9285-0.9305; LeCun's table puts a linear
 * classifier of deskewed MNIST at 91.6% with 60,000 training digits,
 * and 0.915 is 2.4-2.7 standard errors (0.0057) under our figures.
 * The CVAE: the full run (30 epochs) reaches conditional accuracy
 * 0.981-0.995 over seeds 1-4, its worst digit 0.87-0.97 (100 samples
 * per digit; with 1000, 0.981-0.993 and 0.86-0.96); after 10
 * epochs it measured 0.955-0.983 (the label followed with z fixed:
 * 0.963), after 5 epochs 0.93-0.97. The short run must reach 0.90,
 * what the issue asks of the full one, and z fixed the 90%.
 * SAN: measured judge 0.884, softmax 0.860, label followed 0.561,
 * conditional accuracy 0.577 (standard errors 0.014, 0.016, 0.011,
 * 0.016). */
static const plan full = {"full", 0, 0, 500, 30, 128, 10, 400, 10, 64,
                          0.97, 0.915, 0.90, 0.90};
static const plan short_san = {"short (SAN or REF)", 1000, 500, 100, 3, 32, 3, 100, 4,
                               16, 0.85, 0.80, 0.40, 0.40};

/* Conditions given as rows (how --cond half trains) must reach each
 * image exactly as the one-hot labels built inside vae_train do: two
 * runs from the same seed, one with the labels and one with their
 * one-hot rows written out, must end with the same bits, and evaluate
 * and bound the test set alike. A row gathered for the wrong image
 * would change the training. */
static void check_condition_rows(const data_set *train_all,
                                 const data_set *test_all)
{
    data_set train = *train_all, test = *test_all;
    train.n = 300;
    test.n = 100;
    vae_options o = {
        .latent = 2, .hidden = 30, .decoder = "bernoulli", .sigma = "0.1",
        .epochs = 2, .batch = 32, .lr = 2e-3, .beta = 1.0, .warmup = 1,
    };
    real *train_rows = sys_alloc((size_t)train.n * CLASSES, sizeof(real));
    real *test_rows = sys_alloc((size_t)test.n * CLASSES, sizeof(real));
    data_onehot(train_rows, train.y, train.n, CLASSES);
    data_onehot(test_rows, test.y, test.n, CLASSES);
    static vae_model by_label, by_row;
    vae_terms elbo[2];
    double bound[2][2];
    int ks[2] = {1, 10};
    for (int v = 0; v < 2; v++) {
        vae_model *m = v == 0 ? &by_label : &by_row;
        rng r;
        rng_seed(&r, 3);
        vae_init(m, vae_options_config(&o, PIXELS, CLASSES), &r);
        vae_run run = vae_train(m, &train, v ? train_rows : NULL, &test,
                                v ? test_rows : NULL, &o, &r);
        free(run.history);
        elbo[v] = vae_evaluate(m, &test, v ? test_rows : NULL, 2, &r);
        vae_iw_bounds(bound[v], m, &test, v ? test_rows : NULL, ks, 2, 10,
                      &r);
    }
    CHECK("condition rows = one-hot labels: the same trained bits",
          memcmp(by_label.params.value, by_row.params.value,
                 sizeof(real) * by_label.params.count) == 0);
    CHECK("... and the same test -ELBO and bounds L_1, L_10",
          elbo[0].nll == elbo[1].nll && elbo[0].kl == elbo[1].kl &&
          bound[0][0] == bound[1][0] && bound[0][1] == bound[1][1]);
    vae_free(&by_label);
    vae_free(&by_row);
    free(train_rows);
    free(test_rows);
}

int main(void)
{
    check_deskew();
    check_accuracy_by_hand();
    check_small_functions();

    const plan *p = check_short_run() ? &short_san : &full;
    printf("plan: %s\n", p->name);
    data_set train, test;
    data_load(&train, "data/mnist-mini", "train", SIDE, SIDE);
    data_load(&test, "data/mnist-mini", "t10k", SIDE, SIDE);
    data_truncate(&train, p->train_n);
    data_truncate(&test, p->test_n);
    mat_set_threads(2);
    check_condition_rows(&train, &test);
    rng r;
    rng_seed(&r, 1);
    char name[160];

    classify_model judge;
    classify_init(&judge, SIDE, SIDE, p->judge_hidden, CLASSES, 500, &r);
    classify_train_config jc = {p->judge_epochs, p->judge_batch, 2e-3, 1,
                                "judge"};
    double acc = classify_train(&judge, &jc, &train, &test, &r);
    printf("judge test accuracy %.4f\n", acc);
    snprintf(name, sizeof name, "MLP judge (%s): test accuracy >= %.3g",
             p->name, p->judge_min);
    CHECK_GE(name, acc, p->judge_min);

    classify_model soft;
    classify_init(&soft, SIDE, SIDE, 0, CLASSES, 500, &r);
    classify_train_config sc = {p->soft_epochs, p->judge_batch, 2e-3, 1,
                                "softmax"};
    double sacc = classify_train(&soft, &sc, &train, &test, &r);
    printf("softmax regression test accuracy %.4f\n", sacc);
    snprintf(name, sizeof name, "softmax regression (%s): test accuracy "
             ">= %.3g", p->name, p->soft_min);
    CHECK_GE(name, sacc, p->soft_min);
    CHECK_LE("softmax regression: a linear model stays <= 0.95", sacc,
             0.95);
    classify_free(&soft);

    /* The CVAE with the chapter's defaults but the epochs. */
    vae_options o = {
        .data = "data/mnist-mini", .latent = 2, .hidden = p->cvae_hidden,
        .decoder = "bernoulli", .sigma = "0.1", .epochs = p->cvae_epochs,
        .batch = p->cvae_batch, .lr = 2e-3, .beta = 1.0,
        .eval_samples = 1, .iw = 10, .seed = 1, .out = "/tmp",
    };
    static vae_model m;
    vae_init(&m, vae_options_config(&o, PIXELS, CLASSES), &r);

    /* Untrained, the decoder draws no digit: the checks can fail. */
    double per_digit[CLASSES];
    double untrained = accuracy_at(per_digit, &m, &judge, 100, 1.0, &r);
    printf("untrained CVAE: conditional accuracy %.3f\n", untrained);
    CHECK_LE("an untrained CVAE: conditional accuracy <= 0.3", untrained,
             0.3);

    vae_run run = vae_train(&m, &train, NULL, &test, NULL, &o, &r);
    free(run.history);

    /* With z fixed, change the label: 200 prior draws, each decoded
     * with all ten labels; the judge must follow the label. */
    enum { NZ = 200 };
    int L = m.cfg.latent;
    real *z = sys_alloc((size_t)NZ * CLASSES * L, sizeof(real));
    real *cond = sys_alloc((size_t)NZ * CLASSES * CLASSES, sizeof(real));
    real *images = sys_alloc((size_t)NZ * CLASSES * PIXELS, sizeof(real));
    unsigned char asked[NZ * CLASSES];
    for (int i = 0; i < NZ; i++) {
        real zi[8];
        for (int j = 0; j < L; j++)
            zi[j] = (real)rng_normal(&r);
        for (int d = 0; d < CLASSES; d++) {
            memcpy(z + (size_t)(i * CLASSES + d) * L, zi,
                   sizeof(real) * L);
            asked[i * CLASSES + d] = (unsigned char)d;
        }
    }
    data_onehot(cond, asked, NZ * CLASSES, CLASSES);
    vae_decode_images(images, &m, z, cond, NZ * CLASSES);
    double follows = conditional_accuracy(per_digit, NULL, &judge, images,
                                          asked, NZ * CLASSES);
    printf("z fixed, label changed: judged as the label %.3f\n", follows);
    snprintf(name, sizeof name, "z fixed, label changed (%s): the judge "
             "follows the label in >= %.0f%% of cases", p->name,
             100 * p->follows_min);
    CHECK_GE(name, follows, p->follows_min);

    double cold_per[CLASSES];
    double warm = accuracy_at(per_digit, &m, &judge, 100, 1.0, &r);
    double cold = accuracy_at(cold_per, &m, &judge, 100, 0.25, &r);
    printf("conditional accuracy %.3f at temperature 1, %.3f at 0.25; "
           "per digit:", warm, cold);
    for (int d = 0; d < CLASSES; d++)
        printf(" %.2f", per_digit[d]);
    printf("\n");
    snprintf(name, sizeof name, "short run (%s): conditional accuracy "
             "(8.6) >= %.2f", p->name, p->cond_min);
    CHECK_GE(name, warm, p->cond_min);
    CHECK_GE("temperature 0.25 (8.7) does not lower it (0.01 slack)",
             cold, warm - 0.01);

    free(z);
    free(cond);
    free(images);
    vae_free(&m);
    classify_free(&judge);
    data_free(&train);
    data_free(&test);
    return check_summary();
}
