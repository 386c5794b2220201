/* judge.h -- chapter 8's judge of generated digits, shared with chapter
 * 9: the classifier that says which digit an image shows, prepared
 * (trained or loaded) the same way in both chapters; the CVAE's samples
 * of asked-for digits; conditional accuracy (8.6); and the share of gray
 * pixels, a measure of blur. */
#ifndef JUDGE_H
#define JUDGE_H

#include <stdint.h>

#include "classify.h"
#include "data.h"
#include "real.h"
#include "rng.h"
#include "vae.h"

/* What the judge is and how it was made. */
typedef struct {
    int epochs, hidden;
    const char *load;       /* a saved classifier, or NULL: train one */
} judge_options;

/* The judge draws from a stream of its own, so that a model's numbers
 * are the same whether the judge is trained or loaded. */
static const uint64_t JUDGE_STREAM = 0x6a75646765;   /* "judge" */

/* The MLP judge of 28 x 28 digits: loaded from o->load, or trained on
 * `train` and saved as out/classifier.bin. Returns its accuracy on
 * `test`. If softmax is not NULL, *softmax gets that of softmax
 * regression trained beside it (NAN when the judge is loaded). */
double judge_prepare(classify_model *judge, double *softmax,
                     const judge_options *o, const data_set *train,
                     const data_set *test, const char *out, int seed);

/* n samples of each of ndigits digits from a conditional VAE at prior
 * temperature T (8.7): images (ndigits * n, x_dim), row k * n + i the
 * i-th sample of digits[k]; asked (ndigits * n) gets each row's
 * digit. */
void cvae_generate(real *images, unsigned char *asked, vae_model *m,
                   const int *digits, int ndigits, int n,
                   double temperature, rng *r);

/* Conditional accuracy (8.6): the share of `count` images the judge
 * labels as the digit asked for. per_digit (10) gets it per digit, NAN
 * for a digit not asked; said (10), if not NULL, how often the judge
 * said each digit. */
double conditional_accuracy(double *per_digit, int *said,
                            classify_model *judge, const real *images,
                            const unsigned char *asked, int count);

/* The share of pixels of n images of dim pixels that are neither ink
 * nor paper: values in [0.25, 0.75]. A measure of blur: sharp digits
 * have few. */
double gray_fraction(const real *images, int n, int dim);

#endif
