/* classify.h -- digit classifiers, the judges of chapter 8: softmax
 * regression and a one-hidden-layer MLP on the nn module, trained with
 * Adam on straightened images shifted at random, with accuracy,
 * predictions and checkpoints.
 *
 * The shapes:
 *
 *     hidden = 0:  in -> classes                   softmax regression
 *     hidden > 0:  in -> hidden, ReLU -> classes   the MLP
 *
 * Every image is first deskewed (classify_deskew): sheared upright and
 * centred, so that the network need not learn each slant of a digit
 * from examples. The loss is the softmax cross-entropy of chapter 0
 * (loss_softmax_ce), per image. A model owns buffers for batches of up
 * to `batch` rows. */
#ifndef CLASSIFY_H
#define CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "data.h"
#include "nn.h"
#include "real.h"
#include "rng.h"

typedef struct {
    int rows, cols;     /* image size (28 x 28) */
    int in;             /* pixels per image, rows * cols */
    int hidden;         /* 0: softmax regression; else the hidden width */
    int classes;        /* 10 */
    int batch;          /* rows the buffers hold */
    nn_params params;
    nn_dense first;     /* in -> hidden, or in -> classes if hidden = 0 */
    nn_dense second;    /* hidden -> classes; unused if hidden = 0 */
    real *x;            /* (batch, in) deskewed images */
    real *h;            /* (batch, hidden) after the ReLU */
    real *logits;       /* (batch, classes) */
    real *d_h;          /* (batch, hidden) at the ReLU's output */
    real *d_pre;        /* (batch, hidden) at its input */
    real *d_logits;     /* (batch, classes) */
    real *buffers;      /* the one allocation behind them (real_carve) */
} classify_model;

/* Builds the model for rows x cols images (He init before a ReLU,
 * PyTorch's default for the output layer) with buffers for `batch`
 * rows. */
void classify_init(classify_model *m, int rows, int cols, int hidden,
                   int classes, int batch, rng *r);
void classify_free(classify_model *m);

/* The logits of B <= batch deskewed images x into m->logits. */
void classify_forward(classify_model *m, const real *x /* (B, in) */,
                      int B);

/* Adds the parameters' gradients from m->d_logits (set by the loss)
 * into m->params.grad; x is the forward pass's input. */
void classify_backward(classify_model *m, const real *x /* (B, in) */,
                       int B);

/* The softmax cross-entropy per image of the last forward pass against
 * `label`; with `grad`, m->d_logits is set to its gradient. */
double classify_loss(classify_model *m, const unsigned char *label,
                     int B, bool grad);

/* One Adam step on a batch of deskewed images; returns its loss per
 * image. */
double classify_step(classify_model *m, const nn_adam *opt,
                     const real *x /* (B, in) */,
                     const unsigned char *label /* (B) */, int B);

/* The most probable class of each of n images (as they come: they are
 * deskewed here), in batches. */
void classify_predict(unsigned char *label /* (n) */, classify_model *m,
                      const real *x /* (n, in) */, int n);

/* The fraction of a set's images whose predicted class is their label. */
double classify_accuracy(classify_model *m, const data_set *set);

/* The image sheared so that its ink's principal axis is vertical and
 * moved so that its centre of mass is the centre of the frame; sampled
 * bilinearly, background (0) outside the frame. */
void classify_deskew(real *out /* (rows*cols) */,
                     const real *in /* (rows*cols) */, int rows, int cols);

/* A copy of an image moved dx columns right and dy rows down; what
 * moves in from outside is background, 0. */
void classify_shift(real *out /* (rows*cols) */,
                    const real *in /* (rows*cols) */, int rows, int cols,
                    int dx, int dy);

/* How to train. */
typedef struct {
    int epochs, batch;
    double lr;          /* Adam's first step size; a cosine takes it
                           down to 0 over the epochs */
    int shift;          /* each image moved by up to +-shift pixels */
    const char *label;  /* names the model on its progress lines */
} classify_train_config;

/* Trains on `train` (rows x cols images), printing one line per epoch
 * with the train loss and, if `test` is not NULL, the test accuracy.
 * Returns the final test accuracy (0 without a test set). */
double classify_train(classify_model *m,
                      const classify_train_config *cfg,
                      const data_set *train, const data_set *test,
                      rng *r);

/* The checkpoint tag: "classify softmax" or "classify mlp"; the sizes
 * show up as shape mismatches. out has NN_TAG_MAX bytes. */
void classify_tag(char *out, const classify_model *m);

/* Saves dir/name; loads path, exiting with one line naming the file if
 * it is not a checkpoint of this model. */
void classify_save(const classify_model *m, const char *dir,
                   const char *name);
void classify_load(classify_model *m, const char *path);

#endif
