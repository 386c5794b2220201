/* ae.h -- the autoencoder of chapters 3, 4 and 5: a stack of dense layers
 * x -> code -> x-hat, (3.15), its forward and backward passes, one step,
 * the epoch loop with progress, evaluation on a set, and PSNR.
 *
 * The shapes it builds:
 *
 *     hidden > 0:  dim -> hidden -> latent -> hidden -> dim   (chapters 3, 5)
 *     hidden = 0:  dim -> latent -> dim                       (chapter 4)
 *
 * with `hidden_act` after each hidden layer, `code_act` after the code
 * layer, and a sigmoid after the last layer, so that x-hat is in (0, 1)
 * like the pixels -- or the identity everywhere for the linear AE that
 * chapter 3 sets against PCA. Losses are per image: the sum over the
 * pixels, averaged over the examples of a batch.
 *
 * A chapter changes what is trained through two hooks: a penalty on the
 * codes (chapter 4's sparsity) and a corruption of the input (chapter 5's
 * noise). Both default to none. */
#ifndef AE_H
#define AE_H

#include <stdbool.h>
#include <stddef.h>

#include "data.h"
#include "nn.h"
#include "real.h"
#include "report.h"
#include "rng.h"

enum { AE_MAX_LAYERS = 4 };

typedef enum { AE_IDENTITY, AE_RELU, AE_SIGMOID } ae_activation;

typedef enum {
    AE_LOSS_BCE,   /* binary cross-entropy of the sigmoid output, (3.8) */
    AE_LOSS_MSE    /* squared error of the output, (3.12) */
} ae_loss;

/* What to build. */
typedef struct {
    int dim;                    /* pixels per image (784) */
    int hidden;                 /* width of the hidden layers; 0 = none */
    int latent;                 /* width of the code */
    ae_activation hidden_act;   /* after each hidden layer */
    ae_activation code_act;     /* after the code layer */
    bool linear;                /* identity after the last layer too */
    ae_loss loss;
} ae_shape;

/* The ReLU autoencoder of chapters 3 and 5: dim-hidden-latent-hidden-dim
 * with ReLU hidden layers and a linear code, or, when hidden = 0,
 * dim-latent-dim whose code, then the one hidden layer, is a ReLU. */
ae_shape ae_relu_shape(int dim, int hidden, int latent, ae_loss loss);

/* The model: its layers, their parameters, and buffers for a batch of up
 * to `batch` rows. Layer l maps a[l-1] (x for l = 0) to z[l] and its
 * activation to a[l]; a[nlayers-1] is the reconstruction x-hat. Where
 * the activation is the identity, a[l] and z[l] are the same buffer. */
typedef struct {
    ae_shape shape;
    int nlayers;                      /* 2 or 4 */
    int code_layer;                   /* a[code_layer] is the code */
    int batch;                        /* rows the buffers hold */
    nn_params params;
    nn_dense layer[AE_MAX_LAYERS];
    ae_activation act[AE_MAX_LAYERS];
    real *z[AE_MAX_LAYERS];           /* (batch, layer[l].out) */
    real *a[AE_MAX_LAYERS];           /* (batch, layer[l].out) */
    real *dz[AE_MAX_LAYERS];          /* (batch, layer[l].out) */
    real *da[AE_MAX_LAYERS];          /* (batch, layer[l].out) */
    real *buffers;                    /* the one allocation behind them */
} ae_model;

/* Builds the model, draws its weights from `r` (He for layers followed
 * by a ReLU, PyTorch's default for the rest), and sizes its buffers for
 * `batch` rows. Exits with a message if a shape is impossible. */
void ae_init(ae_model *m, ae_shape shape, int batch, rng *r);
void ae_free(ae_model *m);

/* Writes the layer widths, "784-256-16-256-784", into text. */
void ae_describe(char *text, size_t size, const ae_model *m);

/* The code of the last forward pass: (B, latent). */
real *ae_code(const ae_model *m);

/* The reconstruction of the last forward pass: (B, dim). */
real *ae_output(const ae_model *m);

/* Runs layers `first` .. nlayers-1 on `in` (B rows of layer[first].in):
 * first = 0 runs the whole network on images, first = code_layer + 1 the
 * decoder alone on codes. */
void ae_forward_from(ae_model *m, int first, const real *in /* (B, .) */,
                     int B);

/* The whole network on x: fills every z and a. */
void ae_forward(ae_model *m, const real *x /* (B, dim) */, int B);

/* Zeroes the parameter gradients and B rows of every dz and da. */
void ae_zero_grad(ae_model *m, int B);

/* The loss of the last forward pass against `target`, per image (the sum
 * over the batch divided by B); with `grad`, also adds its gradient into
 * the output layer's dz (BCE) or da (MSE). */
double ae_loss_value(ae_model *m, const real *target /* (B, dim) */,
                     int B, bool grad);

/* Backpropagates from the output layer's dz/da down to the weights of
 * the first layer, adding into every gradient on the way: the chain rule
 * (3.5)-(3.6) layer by layer. x is the forward pass's input. */
void ae_backward(ae_model *m, const real *x /* (B, dim) */, int B);

/* A penalty on the codes: returns its value for the batch and adds its
 * gradient with respect to the codes into dcode. */
typedef double ae_penalty_fn(real *dcode /* (B, latent) */,
                             const real *code /* (B, latent) */, int B,
                             int latent, const void *ctx);

/* A corruption of a batch of images, in place. */
typedef void ae_corrupt_fn(real *x /* (n) */, int n, rng *r,
                           const void *ctx);

/* How to train: sizes, optimiser, hooks (NULL for none), and a label for
 * the progress lines. */
typedef struct {
    int epochs, batch;
    nn_adam adam;
    ae_penalty_fn *penalty;
    const void *penalty_ctx;
    ae_corrupt_fn *corrupt;
    const void *corrupt_ctx;
    const char *label;
} ae_train_config;

/* The loss of one step, its reconstruction and penalty parts. */
typedef struct {
    double loss, penalty;
} ae_step_result;

/* One step of Adam on a batch: forward on `in`, loss against `target`,
 * penalty, backward, update. */
ae_step_result ae_step(ae_model *m, const ae_train_config *cfg,
                       const real *in /* (B, dim) */,
                       const real *target /* (B, dim) */, int B);

/* Reconstruction quality on a set: the model's loss and the squared
 * error, both per image, of x-hat(input) against target. */
typedef struct {
    double loss;   /* BCE or squared error, as the model is trained */
    double sse;    /* squared error per image, whatever the loss */
    double bce;    /* BCE per image, whatever the loss (NaN if linear) */
} ae_eval;

ae_eval ae_evaluate(ae_model *m, const real *input /* (n, dim) */,
                    const real *target /* (n, dim) */, int n);

/* Trains for cfg->epochs over the images of `train` (each epoch in a fresh
 * order from r, inputs corrupted by the hook if there is one), printing
 * one progress line per epoch: train loss, test loss of
 * x-hat(test_in) against test_target, seconds and ETA. If `tsv` is not
 * NULL it receives a row (epoch, train_loss, train_penalty, test_loss,
 * seconds) per epoch. Returns the last epoch's test evaluation. A loss
 * that is not finite ends the program (exit 1, naming --lr). Ctrl-C
 * (SIGINT) stops it after the current batch: tsv is committed, the
 * files written so far are named and the program exits 130. */
ae_eval ae_train(ae_model *m, const ae_train_config *cfg,
                 const data_set *train,
                 const real *test_in /* (ntest, dim) */,
                 const real *test_target /* (ntest, dim) */, int ntest,
                 rng *r, report_tsv *tsv);

/* The header ae_train's rows fit. */
#define AE_LOSS_TSV_HEADER \
    "epoch\ttrain_loss\ttrain_penalty\ttest_loss\tseconds"

/* Loads MNIST's training and test splits from folder dir, every image
 * MNIST_SIDE x MNIST_SIDE, and keeps the first train_size training
 * images (0: all): the data of chapters 3 to 5. Exits with a message
 * naming the file if one is missing or malformed. */
void ae_load_mnist(data_set *train, data_set *test, const char *dir,
                   int train_size);

/* Peak signal-to-noise ratio of a mean squared error per pixel, for
 * pixels in [0, 1]: 10 log10(1 / mse) decibels. */
double ae_psnr(double mse_per_pixel);

#endif
