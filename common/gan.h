/* gan.h -- the conditional GAN of chapter 9 (Mirza and Osindero 2014):
 * a generator G(z, y) and a discriminator D(x, y), their losses built on
 * chapter 3's cross-entropy from logits, forward and backward passes,
 * and the two alternating training steps.
 *
 *     generator      [z, y] (noise + classes) -> g_hidden, ReLU
 *                    g_hidden -> x_dim logits, sigmoid: the image
 *     discriminator  x (x_dim) -> d_hidden, leaky ReLU: h
 *                    logit = w.h + b + v_y.h: how real x looks as a y
 *                    (the label enters by projection, Miyato and
 *                    Koyama 2018)
 *
 * y is the one-hot label. The game (9.1): D maximises, G minimises
 * E log D(x, y) + E log(1 - D(G(z, y), y)); D's loss (9.2) is minus
 * that, per pair of a real and a generated image. Against a fixed G
 * the best D is p_data / (p_data + p_g) (9.3), at which the game's
 * value is -log 4 + 2 JS(p_data || p_g) (9.4), the Jensen-Shannon
 * divergence (9.5) built from chapter 0's KL.
 *
 * The two networks have a parameter block each, so that each has its
 * own Adam: a step of one leaves the other alone. A batch's buffers
 * live in a gan_acts; the discriminator's hold 2B rows, B real images
 * and then B generated ones. */
#ifndef GAN_H
#define GAN_H

#include <stdbool.h>

#include "nn.h"
#include "real.h"
#include "rng.h"

/* ---- the model ---------------------------------------------------------- */

typedef struct {
    int noise;          /* dimensions of z (64) */
    int classes;        /* width of the one-hot label (10) */
    int x_dim;          /* pixels per image (784) */
    int g_hidden;       /* the generator's hidden width */
    int d_hidden;       /* the discriminator's hidden width */
    double slope;       /* the leaky ReLU's slope below 0, in D (0.2) */
} gan_config;

typedef struct {
    gan_config cfg;
    nn_params g_params; /* the generator's weights, one block */
    nn_params d_params; /* the discriminator's, another */
    nn_dense g1;        /* (noise + classes) -> g_hidden */
    nn_dense g2;        /* g_hidden -> x_dim */
    nn_dense d1;        /* x_dim -> d_hidden */
    nn_dense d2;        /* d_hidden -> 1: w and b of (9.8) */
    nn_dense d_proj;    /* d_hidden -> classes: row y is v_y of (9.8) */
} gan_model;

/* Declares, allocates and initialises both networks: He before a
 * (leaky) ReLU, Xavier before the sigmoid and the logit. */
void gan_init(gan_model *m, gan_config cfg, rng *r);
void gan_free(gan_model *m);

/* The generator's checkpoint tag, "ch09_cgan generator"; the sizes show
 * up as shape mismatches. */
#define GAN_TAG "ch09_cgan generator"

/* ---- one batch ---------------------------------------------------------- */

typedef struct {
    int cap;            /* B: generated rows; D's buffers hold 2 cap */
    real *gen_in;       /* (cap, noise + classes) [z, y] */
    real *gen_h;        /* (cap, g_hidden) after the ReLU */
    real *fake;         /* (cap, x_dim) G(z, y), after the sigmoid */
    real *pair;         /* (2 cap, x_dim) B real images, then B fake */
    real *pair_y;       /* (2 cap, classes) their labels, one-hot */
    real *disc_y;       /* (2 cap, classes) the labels D was shown */
    real *disc_h;       /* (2 cap, d_hidden) after the leaky ReLU */
    real *proj;         /* (2 cap, classes) v_k . h for every k */
    real *logit;        /* (2 cap) D's logits */
    real *target;       /* (2 cap) 1 in the first cap rows, then 0 */
    /* gradients of the loss; *_pre at a layer's output, before its
       activation */
    real *d_logit;      /* (2 cap) */
    real *d_proj;       /* (2 cap, classes) */
    real *d_disc_h;     /* (2 cap, d_hidden) */
    real *d_disc_h_pre; /* (2 cap, d_hidden) */
    real *d_fake;       /* (cap, x_dim) */
    real *d_gen_pre;    /* (cap, x_dim) at the sigmoid's input */
    real *d_gen_h;      /* (cap, g_hidden) */
    real *d_gen_h_pre;  /* (cap, g_hidden) */
    real *buffers;      /* the one allocation behind them (real_carve) */
} gan_acts;

void gan_acts_alloc(gan_acts *a, const gan_config *cfg, int cap);
void gan_acts_free(gan_acts *a);

/* The leaky ReLU: y = x for x > 0, slope * x otherwise. Backward from
 * the output y, which has the sign of x: dx += dy or slope * dy. */
void gan_leaky_relu_forward(real *y, const real *x, int n, double slope);
void gan_leaky_relu_backward(real *dx, const real *y, const real *dy,
                             int n, double slope);

/* The generator: a->fake = G(z, y) for B rows; onehot is (B, classes). */
void gan_generator_forward(gan_acts *a, const gan_model *m,
                           const real *z /* (B, noise) */,
                           const real *onehot, int B);

/* Adds the generator's weight gradients from d_fake (B, x_dim), the
 * gradient at its images, into m->g_params.grad. */
void gan_generator_backward(gan_acts *a, gan_model *m,
                            const real *d_fake, int B);

/* The discriminator's logits for n rows of images x (n, x_dim) with
 * labels onehot (n, classes), into a->logit; n <= 2 cap. x may be
 * a->fake. */
void gan_discriminator_forward(gan_acts *a, const gan_model *m,
                               const real *x, const real *onehot, int n);

/* Adds D's weight gradients from a->d_logit (n) into m->d_params.grad
 * and, if dx is not NULL, the gradient at the images into dx (n,
 * x_dim); x is the forward pass's input. */
void gan_discriminator_backward(real *dx, gan_acts *a, gan_model *m,
                                const real *x, int n);

/* ---- the losses, from chapter 3's cross-entropy (3.8) ------------------ */

/* D's loss (9.2) on the n = 2B logits in a->logit against a->target
 * (B real rows, then B generated): the cross-entropy summed over the
 * rows and divided by B, the pairs. With `grad`, a->d_logit is SET to
 * its gradient. */
double gan_d_loss(gan_acts *a, int n, bool grad);

/* The generator's loss on the B logits in a->logit of generated images,
 * averaged over them, in one of two forms:
 *   GAN_SATURATING      log(1 - D), the minimax form (9.6)
 *   GAN_NON_SATURATING  -log D, (9.7)
 * With `grad`, a->d_logit is SET to its gradient. */
typedef enum { GAN_SATURATING, GAN_NON_SATURATING } gan_g_form;
double gan_g_loss(gan_acts *a, int B, gan_g_form form, bool grad);

/* ---- training ----------------------------------------------------------- */

/* What one pair of steps saw. */
typedef struct {
    double d_loss, g_loss;
    int real_right;     /* real rows D called real (logit > 0) */
    int fake_right;     /* generated rows it called fake */
} gan_step_stats;

/* The discriminator's step on B real images x with labels onehot and B
 * generated at noise z with the same labels: (9.2), its gradient, Adam.
 * Then the generator's step at noise z2: the loss `form`, its gradient
 * through D into G, Adam. */
gan_step_stats gan_train_step(gan_model *m, gan_acts *a,
                              const nn_adam *d_adam,
                              const nn_adam *g_adam, const real *x,
                              const real *onehot, const real *z,
                              const real *z2, int B, gan_g_form form);

/* The norm of the gradient of the generator's loss `form` over all its
 * weights, at noise z and labels onehot (B rows): what G learns from. */
double gan_g_grad_norm(gan_model *m, gan_acts *a, const real *z,
                       const real *onehot, int B, gan_g_form form);

/* n images G(z, y), z ~ N(0, I), one per label[i], into images (n,
 * x_dim), in batches of a->cap. */
void gan_generate(real *images, gan_model *m, gan_acts *a,
                  const unsigned char *label, int n, rng *r);

#endif
