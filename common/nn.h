/* nn.h -- the parts of a neural network: a parameter block, dense layers,
 * activations, initialisation, Adam and SGD, and checkpoint files.
 *
 * Conventions (those of llm.c):
 *   - Every buffer is row-major `real` with its shape in a comment; a
 *     batch of B examples of width n is (B, n).
 *   - *_forward and *_backward sit side by side; arguments come in the
 *     order outputs, saved values, inputs, weights, sizes.
 *   - A backward pass ADDS into every gradient it produces (dx, dw, db;
 *     the losses in loss.h do the same), so a value that feeds two layers
 *     -- the VAE's hidden layer feeds both mu and log-variance -- simply
 *     receives both contributions. The caller zeroes gradients before a
 *     backward pass: nn_params_zero_grad for the parameters, a memset for
 *     the activations' gradients.
 *
 * A model is built in two steps, declare then allocate:
 *
 *     nn_params params;
 *     nn_dense enc, dec;
 *     nn_params_begin(&params);
 *     nn_dense_declare(&params, &enc, 784, 32);
 *     nn_dense_declare(&params, &dec, 32, 784);
 *     nn_params_allocate(&params);   // enc.w, dec.db, ... now point in
 *     nn_dense_init(&enc, NN_INIT_HE, &r);
 *
 * A declaration records where the layer keeps its pointers, so the layer
 * variables must stay where they are until nn_params_allocate. */
#ifndef NN_H
#define NN_H

#include <stdbool.h>
#include <stddef.h>

#include "layer.h"
#include "real.h"
#include "rng.h"

/* ---- the parameter block ---------------------------------------------- */

enum { NN_MAX_TENSORS = 64 };

/* One tensor of the block: its shape, its place, and the owner's two
 * pointers that nn_params_allocate fills in. */
typedef struct {
    int rows, cols;     /* a vector (a bias) has rows = 1 */
    size_t offset;      /* first element, counted from the block's start */
    real **value;       /* the owner's pointer to its values */
    real **grad;        /* the owner's pointer to its gradient */
} nn_tensor;

/* All parameters of a model in one allocation: four arrays of the same
 * length, so zeroing gradients or an optimiser step is one flat loop. */
typedef struct {
    real *value;        /* (count) the parameters */
    real *grad;         /* (count) d loss / d value */
    real *m;            /* (count) Adam: running mean of grad, (3.10) */
    real *v;            /* (count) Adam: running mean of grad^2, (3.10) */
    size_t count;       /* parameters in all tensors */
    long step;          /* Adam steps taken: t in (3.11) */
    int ntensors;
    nn_tensor tensor[NN_MAX_TENSORS];
} nn_params;

/* Starts an empty block. */
void nn_params_begin(nn_params *p);

/* Declares a (rows, cols) tensor; *value and *grad are set by
 * nn_params_allocate. For parameters that are not a layer, e.g. a
 * learned log-sigma: nn_params_tensor(&p, &log_sigma, &d_log_sigma, 1, 1).
 */
void nn_params_tensor(nn_params *p, real **value, real **grad, int rows,
                      int cols);

/* Allocates the block (all zeros) and points every declared tensor in. */
void nn_params_allocate(nn_params *p);

/* Frees the block. */
void nn_params_free(nn_params *p);

/* grad = 0 over the whole block. */
void nn_params_zero_grad(nn_params *p);

/* ---- the dense layer: y = x W^T + b ----------------------------------- */

typedef struct {
    int in, out;
    real *w;            /* (out, in) */
    real *b;            /* (out) */
    real *dw;           /* (out, in) */
    real *db;           /* (out) */
} nn_dense;

/* Declares the layer's w (out, in) and b (out) in the block. */
void nn_dense_declare(nn_params *p, nn_dense *l, int in, int out);

/* y = x W^T + b, equation (3.1). */
void nn_dense_forward_plain(real *y /* (B, out) */,
                            const real *x /* (B, in) */,
                            const nn_dense *l, int B);
void nn_dense_forward_fast(real *y, const real *x, const nn_dense *l,
                           int B);

/* dW += dy^T x, db += column sums of dy, dx += dy W: equation (3.5).
 * dx may be NULL (the first layer needs no input gradient). */
void nn_dense_backward_plain(real *dx /* (B, in) or NULL */,
                             nn_dense *l, const real *dy /* (B, out) */,
                             const real *x /* (B, in) */, int B);
void nn_dense_backward_fast(real *dx, nn_dense *l, const real *dy,
                            const real *x, int B);

/* The names the networks call: the fast forms (nn_fast.c), or the plain
 * ones (nn.c) when built with -DREF (layer.h). */
static inline void nn_dense_forward(real *y, const real *x,
                                    const nn_dense *l, int B)
{
    LAYER(nn_dense_forward)(y, x, l, B);
}

static inline void nn_dense_backward(real *dx, nn_dense *l,
                                     const real *dy, const real *x, int B)
{
    LAYER(nn_dense_backward)(dx, l, dy, x, B);
}

/* ---- activations, elementwise over n values -----------------------------
 * Forward may work in place (y == x). Backward needs the forward's output
 * y, from which each derivative is cheapest, (3.6); dx += dy * f'. */

void nn_relu_forward(real *y, const real *x, int n);
void nn_relu_backward(real *dx, const real *y, const real *dy, int n);
void nn_tanh_forward(real *y, const real *x, int n);
void nn_tanh_backward(real *dx, const real *y, const real *dy, int n);
void nn_sigmoid_forward(real *y, const real *x, int n);
void nn_sigmoid_backward(real *dx, const real *y, const real *dy, int n);

/* ---- initialisation ----------------------------------------------------- */

typedef enum {
    NN_INIT_HE,         /* w ~ N(0, 2/in) (He et al. 2015), b = 0: ReLU */
    NN_INIT_XAVIER,     /* w ~ U(-a, a), a = sqrt(6/(in+out)) (Glorot and
                           Bengio 2010), b = 0: tanh, sigmoid, linear */
    NN_INIT_PYTORCH     /* w, b ~ U(-a, a), a = 1/sqrt(in): the default of
                           torch.nn.Linear */
} nn_init;

/* Draws the layer's w (row by row) and then b from `r`. */
void nn_dense_init(nn_dense *l, nn_init how, rng *r);

/* ---- optimisers, one flat loop over the block ------------------------- */

typedef struct {
    double lr;          /* step size alpha */
    double beta1;       /* decay of the mean of the gradient */
    double beta2;       /* decay of the mean of its square */
    double eps;         /* added to sqrt(v-hat), (3.11) */
} nn_adam;

/* torch.optim.Adam's defaults with the given learning rate:
 * beta1 = 0.9, beta2 = 0.999, eps = 1e-8. */
nn_adam nn_adam_defaults(double lr);

/* One Adam step, equations (3.10)-(3.11): p->step += 1, then every
 * parameter moves. The plain form (nn.c) is one loop of the equations;
 * the fast form (nn_fast.c) does torch.optim.Adam's operations in its
 * order, shared among the threads of the products. */
void nn_adam_step_plain(nn_params *p, const nn_adam *opt);
void nn_adam_step_fast(nn_params *p, const nn_adam *opt);

static inline void nn_adam_step(nn_params *p, const nn_adam *opt)
{
    LAYER(nn_adam_step)(p, opt);
}

/* One step of plain gradient descent: value -= lr * grad. */
void nn_sgd_step(nn_params *p, double lr);

/* ---- checkpoints ---------------------------------------------------------
 * The format (version 1), every number little-endian:
 *   8 bytes   magic "nnparams"
 *   u32       format version (1)
 *   32 bytes  model tag, e.g. "ch07_vae", padded with NUL bytes
 *   u32       element type: 1 = float32 (the only one)
 *   u32       number of tensors T
 *   T x 2 u32 each tensor's rows and cols
 *   float32   the tensors' values, in declaration order
 * Values are stored as float32 whatever `real` is, so a float build
 * round-trips them bit for bit. */

enum { NN_CHECKPOINT_VERSION = 1, NN_TAG_MAX = 32 };

/* Writes dir/name (a temporary file renamed when complete, through
 * report_open/report_commit). Exits with a message if it cannot. */
void nn_params_save(const nn_params *p, const char *dir, const char *name,
                    const char *tag);

/* What a load found. */
typedef enum {
    NN_LOAD_OK,
    NN_LOAD_BAD_FILE,    /* missing, unreadable, not a checkpoint, another
                            program's, truncated, or values not finite */
    NN_LOAD_OTHER_SHAPE  /* this program's checkpoint of another model:
                            other tag options or tensor shapes */
} nn_load_status;

/* Loads path into the block if it is a checkpoint of the same tag and
 * shapes whose every value is a finite number; otherwise leaves the
 * block as it was, writes one line naming the file and what differs
 * into err, and says what kind of failure it was. */
nn_load_status nn_params_read(nn_params *p, const char *path,
                              const char *tag, char *err, size_t err_size);

/* nn_params_read's verdict as a yes or no. */
bool nn_params_try_load(nn_params *p, const char *path, const char *tag,
                        char *err, size_t err_size);

/* nn_params_try_load, exiting with status 1 and its message on error. */
void nn_params_load(nn_params *p, const char *path, const char *tag);

#endif
