/* data.h -- MNIST-format data: IDX files in, pixels in [0,1] out, and
 * minibatches drawn from them.
 *
 * A split ("train", "t10k", or any other prefix) is two IDX files in one
 * folder, named as in the MNIST distribution:
 *
 *     DIR/train-images-idx3-ubyte   (n, rows, cols) unsigned bytes
 *     DIR/train-labels-idx1-ubyte   (n) unsigned bytes, digits 0-9
 *
 * Each may instead be NAME.gz; it is then read through `gzip -dc` (the
 * plain file wins when both are there). This is how full MNIST
 * (`make mnist` -> data/mnist) and Debian's Fashion-MNIST
 * (/usr/share/datasets/fashion-mnist, all four gzipped) are laid out, so
 * `--data DIR` takes either folder as it is.
 *
 * Every error is one line naming the file and what is wrong with it. */
#ifndef DATA_H
#define DATA_H

#include <stdbool.h>
#include <stddef.h>

#include "real.h"
#include "rng.h"

enum {
    MNIST_SIDE = 28,            /* MNIST's images are 28 x 28 pixels */
    DATA_CLASSES = 10,          /* labels are 0 .. 9 */
    DATA_MAX_PIXELS = 100000000 /* n * rows * cols we agree to load */
};

/* A labelled set of images, one row of `dim` pixels per example. */
typedef struct {
    int n;             /* examples */
    int rows, cols;    /* image height and width */
    int dim;           /* rows * cols */
    real *x;           /* (n, dim) pixels, byte / 255, in [0, 1] */
    unsigned char *y;  /* (n) labels 0 .. 9 */
} data_set;

/* Loads split `split` from folder `dir` into `out`. `rows` and `cols` are
 * the image size the caller needs (0, 0 accepts any size). On failure
 * returns false with a one-line message in err (naming the file) and
 * leaves `out` empty; data_free is safe either way. */
bool data_load_split(data_set *out, const char *dir, const char *split,
                     int rows, int cols, char *err, size_t errlen);

/* The same, exiting with the message (status 1) on any failure. */
void data_load(data_set *out, const char *dir, const char *split,
               int rows, int cols);

/* Releases a set's buffers and empties it. */
void data_free(data_set *set);

/* Keeps the first n examples (all of them when n <= 0 or n >= set->n):
 * what a chapter's --train-size N does. */
void data_truncate(data_set *set, int n);

/* Fills order (n) with a uniformly shuffled 0 .. n-1, the visiting order
 * of one epoch. */
void data_order(int *order, int n, rng *r);

/* Copies examples index[0 .. count-1] into contiguous batch buffers;
 * y_batch may be NULL when the labels are not needed. */
void data_gather(real *x_batch /* (count, dim) */,
                 unsigned char *y_batch /* (count) */,
                 const data_set *set, const int *index, int count);

/* The condition of a batch: row b is the one-hot code of label[b]. */
void data_onehot(real *cond /* (B, classes) */,
                 const unsigned char *label /* (B) */, int B, int classes);

/* Replaces each pixel x by a draw of Bernoulli(x): binarization. */
void data_binarize(real *x /* (n) */, size_t n, rng *r);

/* data_binarize by a generator of its own with a fixed seed: the one
 * binarized test set chapters 7 and 8 evaluate on, whatever --seed. */
void data_binarize_fixed(real *x /* (n) */, size_t n);

/* sum_i H(x_i) of a set's pixels read as coin flips, averaged over its
 * images: what BCE against these targets cannot go below (5.8). */
double data_pixel_entropy(const data_set *set);

/* Writes images (n, rows*cols) as an IDX image file dir/name: each value
 * clamped to [0,1] and rounded to a byte (NaN becomes 0). Written whole
 * or not at all (report_open/report_commit), so other tools can read a
 * chapter's samples, e.g. "samples-images-idx3-ubyte". */
void data_write_images(const char *dir, const char *name,
                       const real *x /* (n, rows*cols) */,
                       int n, int rows, int cols);

/* Writes labels (n) as an IDX label file dir/name. */
void data_write_labels(const char *dir, const char *name,
                       const unsigned char *y /* (n) */, int n);

#endif
