/* judge.c -- chapter 8's judge and the measures of generated digits
 * (see judge.h). */
#include "judge.h"

#include "sys.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

enum { SIDE = 28, PIXELS = SIDE * SIDE, CLASSES = DATA_CLASSES };

/* The MLP judge: loaded from o->load, or trained on `train` and saved
 * as out/classifier.bin. Returns its accuracy on `test`; *softmax gets
 * that of softmax regression trained beside it (NAN when loaded). */
double judge_prepare(classify_model *judge, double *softmax,
                     const judge_options *o, const data_set *train,
                     const data_set *test, const char *out, int seed)
{
    rng stream, *r = &stream;
    rng_seed(r, (uint64_t)seed ^ JUDGE_STREAM);
    classify_init(judge, SIDE, SIDE, o->hidden, CLASSES, 500, r);
    if (softmax != NULL)
        *softmax = NAN;
    if (o->load != NULL) {
        classify_load(judge, o->load);
        double accuracy = classify_accuracy(judge, test);
        printf("judge: MLP %d-%d-%d loaded from %s, test accuracy "
               "%.4f\n", PIXELS, o->hidden, CLASSES, o->load, accuracy);
        return accuracy;
    }
    classify_train_config cfg = {o->epochs, 128, 2e-3, 1, "judge"};
    printf("judge: MLP %d-%d-%d, %d epochs on deskewed images shifted "
           "by up to 1 pixel\n", PIXELS, o->hidden, CLASSES, o->epochs);
    double accuracy = classify_train(judge, &cfg, train, test, r);
    classify_save(judge, out, "classifier.bin");
    if (softmax == NULL)
        return accuracy;

    classify_model soft;
    classify_init(&soft, SIDE, SIDE, 0, CLASSES, 500, r);
    classify_train_config soft_cfg = {10, 128, 2e-3, 1, "softmax"};
    printf("softmax regression %d-%d, %d epochs, for comparison\n",
           PIXELS, CLASSES, soft_cfg.epochs);
    *softmax = classify_train(&soft, &soft_cfg, train, test, r);
    classify_free(&soft);
    return accuracy;
}

//> ch08-generate
/* n samples of each asked-for digit: z = T eps with eps ~ N(0, I),
 * the prior at temperature T (8.7), decoded beside the one-hot code
 * of the digit. The images are the decoder's means, row k * n + i
 * the i-th sample of digits[k]; asked gets the digit of each row. */
/* TASK ch08-generate (8.7) */
void cvae_generate(real *images /* (ndigits * n, PIXELS) */,
                   unsigned char *asked /* (ndigits * n) */,
                   vae_model *m, const int *digits, int ndigits, int n,
                   double temperature, rng *r)
{
    int count = ndigits * n, L = m->cfg.latent;
    real *z = sys_alloc((size_t)count * L, sizeof *z);
    real *cond = sys_alloc((size_t)count * CLASSES, sizeof *cond);
    for (int i = 0; i < count; i++)
        asked[i] = (unsigned char)digits[i / n];
    for (int i = 0; i < count * L; i++)
        z[i] = (real)(temperature * rng_normal(r));
    data_onehot(cond, asked, count, CLASSES);
    vae_decode_images(images, m, z, cond, count);
    free(z);
    free(cond);
}

/* Conditional accuracy (8.6): the fraction of the images the judge
 * labels as the digit that was asked for. per_digit[d] gets it for
 * each digit d, NAN for a digit not asked; *said gets how often the
 * judge said each digit, if not NULL. */
double conditional_accuracy(double *per_digit /* (CLASSES) */,
                            int *said /* (CLASSES) or NULL */,
                            classify_model *judge, const real *images,
                            const unsigned char *asked, int count)
{
    unsigned char *answer = sys_alloc((size_t)count, 1);
    int right[CLASSES] = {0}, total[CLASSES] = {0}, all = 0;
    classify_predict(answer, judge, images, count);
    for (int i = 0; i < count; i++) {
        total[asked[i]]++;
        right[asked[i]] += answer[i] == asked[i];
        all += answer[i] == asked[i];
    }
    for (int d = 0; d < CLASSES; d++) {
        per_digit[d] = total[d] ? (double)right[d] / total[d] : NAN;
        if (said != NULL)
            said[d] = 0;
    }
    if (said != NULL)
        for (int i = 0; i < count; i++)
            said[answer[i]]++;
    free(answer);
    return (double)all / count;
}
//< ch08-generate

/* The share of pixels of n images that are neither ink nor paper:
 * values in [0.25, 0.75]. A measure of blur: sharp digits have few. */
double gray_fraction(const real *images, int n, int dim)
{
    long gray = 0, total = (long)n * dim;
    for (long i = 0; i < total; i++)
        gray += images[i] >= 0.25 && images[i] <= 0.75;
    return total ? (double)gray / total : 0.0;
}
