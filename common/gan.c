/* gan.c -- the conditional GAN of chapter 9 (see gan.h): both networks,
 * their forward and backward passes, the losses and the training step. */
#include "gan.h"

#include "loss.h"
#include "sys.h"
#include "vae.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- the model ---------------------------------------------------------- */

void gan_init(gan_model *m, gan_config cfg, rng *r)
{
    memset(m, 0, sizeof *m);
    m->cfg = cfg;
    nn_params_begin(&m->g_params);
    nn_dense_declare(&m->g_params, &m->g1, cfg.noise + cfg.classes,
                     cfg.g_hidden);
    nn_dense_declare(&m->g_params, &m->g2, cfg.g_hidden, cfg.x_dim);
    nn_params_allocate(&m->g_params);
    nn_params_begin(&m->d_params);
    nn_dense_declare(&m->d_params, &m->d1, cfg.x_dim, cfg.d_hidden);
    nn_dense_declare(&m->d_params, &m->d2, cfg.d_hidden, 1);
    nn_dense_declare(&m->d_params, &m->d_proj, cfg.d_hidden,
                     cfg.classes);
    nn_params_allocate(&m->d_params);
    nn_dense_init(&m->g1, NN_INIT_HE, r);
    nn_dense_init(&m->g2, NN_INIT_XAVIER, r);
    nn_dense_init(&m->d1, NN_INIT_HE, r);
    nn_dense_init(&m->d2, NN_INIT_XAVIER, r);
    nn_dense_init(&m->d_proj, NN_INIT_XAVIER, r);
}

void gan_free(gan_model *m)
{
    nn_params_free(&m->g_params);
    nn_params_free(&m->d_params);
}

/* ---- one batch ---------------------------------------------------------- */

void gan_acts_alloc(gan_acts *a, const gan_config *c, int cap)
{
    size_t B = (size_t)cap, X = (size_t)c->x_dim, C = (size_t)c->classes;
    size_t GH = (size_t)c->g_hidden, DH = (size_t)c->d_hidden;
    size_t IN = (size_t)c->noise + C;
    a->cap = cap;
    real_part part[] = {
        {&a->gen_in, B * IN}, {&a->gen_h, B * GH}, {&a->fake, B * X},
        {&a->pair, 2 * B * X}, {&a->pair_y, 2 * B * C},
        {&a->disc_y, 2 * B * C}, {&a->disc_h, 2 * B * DH},
        {&a->logit, 2 * B}, {&a->target, 2 * B}, {&a->d_logit, 2 * B},
        {&a->d_disc_h, 2 * B * DH}, {&a->d_disc_h_pre, 2 * B * DH},
        {&a->proj, 2 * B * C}, {&a->d_proj, 2 * B * C},
        {&a->d_fake, B * X}, {&a->d_gen_pre, B * X},
        {&a->d_gen_h, B * GH}, {&a->d_gen_h_pre, B * GH},
    };
    a->buffers = real_carve(part, sizeof part / sizeof part[0]);
    for (int i = 0; i < cap; i++)
        a->target[i] = 1;
}

void gan_acts_free(gan_acts *a)
{
    free(a->buffers);
    memset(a, 0, sizeof *a);
}

/* Rows [left, right] of n rows: the input of a conditional network,
 * the label's one-hot code beside the image or the noise. */
static void gan_join(real *out, const real *left, int lw,
                     const real *right, int rw, int n)
{
    for (int i = 0; i < n; i++) {
        real *row = out + (size_t)i * (lw + rw);
        memcpy(row, left + (size_t)i * lw, sizeof(real) * lw);
        memcpy(row + lw, right + (size_t)i * rw, sizeof(real) * rw);
    }
}

//> ch09-leaky
/* y = x for x > 0, else slope * x: a ReLU that lets a little
 * gradient through where it is off, so that D never goes silent. */
void gan_leaky_relu_forward(real *y, const real *x, int n,
                            double slope)
{
    for (int i = 0; i < n; i++)
        y[i] = x[i] > 0 ? x[i] : (real)(slope * x[i]);
}

/* y has the sign of x, so the output tells which slope applied. */
void gan_leaky_relu_backward(real *dx, const real *y, const real *dy,
                             int n, double slope)
{
    for (int i = 0; i < n; i++)
        dx[i] += y[i] > 0 ? dy[i] : (real)(slope * dy[i]);
}
//< ch09-leaky

//> ch09-generator
/* G(z, y) (9.9): [z, y] -> ReLU -> sigmoid, an image whose pixels
 * lie in (0, 1) as the data's do. */
void gan_generator_forward(gan_acts *a, const gan_model *m,
                           const real *z /* (B, noise) */,
                           const real *onehot /* (B, classes) */,
                           int B)
{
    const gan_config *c = &m->cfg;
    gan_join(a->gen_in, z, c->noise, onehot, c->classes, B);
    nn_dense_forward(a->gen_h, a->gen_in, &m->g1, B);
    nn_relu_forward(a->gen_h, a->gen_h, B * c->g_hidden);
    nn_dense_forward(a->fake, a->gen_h, &m->g2, B);
    nn_sigmoid_forward(a->fake, a->fake, B * c->x_dim);
}

/* The chain rule back from d_fake = dL/dG(z, y) through the sigmoid
 * and both layers; the generator's weight gradients are added. */
void gan_generator_backward(gan_acts *a, gan_model *m,
                            const real *d_fake /* (B, x_dim) */, int B)
{
    const gan_config *c = &m->cfg;
    size_t nx = (size_t)B * c->x_dim, nh = (size_t)B * c->g_hidden;
    memset(a->d_gen_pre, 0, sizeof(real) * nx);
    memset(a->d_gen_h, 0, sizeof(real) * nh);
    memset(a->d_gen_h_pre, 0, sizeof(real) * nh);
    nn_sigmoid_backward(a->d_gen_pre, a->fake, d_fake, (int)nx);
    nn_dense_backward(a->d_gen_h, &m->g2, a->d_gen_pre, a->gen_h, B);
    nn_relu_backward(a->d_gen_h_pre, a->gen_h, a->d_gen_h, (int)nh);
    nn_dense_backward(NULL, &m->g1, a->d_gen_h_pre, a->gen_in, B);
}
//< ch09-generator

//> ch09-discriminator
/* D(x, y): x -> leaky ReLU -> h, and the logit, the log-odds that x
 * is a real image of digit y, is w.h + b + v_y.h (9.8): a term for
 * "is it a digit at all" and one for "is it this digit". D is
 * sigmoid(logit). */
void gan_discriminator_forward(gan_acts *a, const gan_model *m,
                               const real *x /* (n, x_dim) */,
                               const real *onehot /* (n, classes) */,
                               int n)
{
    const gan_config *c = &m->cfg;
    int C = c->classes;
    memcpy(a->disc_y, onehot, sizeof(real) * (size_t)n * C);
    nn_dense_forward(a->disc_h, x, &m->d1, n);
    gan_leaky_relu_forward(a->disc_h, a->disc_h, n * c->d_hidden,
                           c->slope);
    nn_dense_forward(a->logit, a->disc_h, &m->d2, n);
    nn_dense_forward(a->proj, a->disc_h, &m->d_proj, n);
    for (int i = 0; i < n; i++)   /* + v_y . h: the label's column */
        for (int k = 0; k < C; k++)
            a->logit[i] += onehot[(size_t)i * C + k] *
                           a->proj[(size_t)i * C + k];
}

/* Back from a->d_logit: D's weight gradients are added, and, for the
 * generator's step, the gradient at the images x into dx. */
void gan_discriminator_backward(real *dx /* (n, x_dim) or NULL */,
                                gan_acts *a, gan_model *m,
                                const real *x /* (n, x_dim) */, int n)
{
    const gan_config *c = &m->cfg;
    size_t nh = (size_t)n * c->d_hidden;
    int C = c->classes;
    memset(a->d_disc_h, 0, sizeof(real) * nh);
    memset(a->d_disc_h_pre, 0, sizeof(real) * nh);
    /* only the label's column had a say in the logit */
    for (int i = 0; i < n; i++)
        for (int k = 0; k < C; k++)
            a->d_proj[(size_t)i * C + k] =
                a->d_logit[i] * a->disc_y[(size_t)i * C + k];
    nn_dense_backward(a->d_disc_h, &m->d2, a->d_logit, a->disc_h, n);
    nn_dense_backward(a->d_disc_h, &m->d_proj, a->d_proj, a->disc_h, n);
    gan_leaky_relu_backward(a->d_disc_h_pre, a->disc_h, a->d_disc_h,
                            (int)nh, c->slope);
    nn_dense_backward(dx, &m->d1, a->d_disc_h_pre, x, n);
}
//< ch09-discriminator

/* ---- the losses --------------------------------------------------------- */

//> ch09-losses
/* (9.2): -log D(x, y) for a real row, -log(1 - D(G(z, y), y)) for a
 * fake one: the cross-entropy (3.8) against target 1 or 0, per pair
 * of one real and one fake image. */
double gan_d_loss(gan_acts *a, int n, bool grad)
{
    int B = n / 2;
    /* the targets: 1 for rows [0, B), 0 for [B, n) */
    for (int i = 0; i < n; i++)
        a->target[i] = i < B;
    if (grad)
        memset(a->d_logit, 0, sizeof(real) * (size_t)n);
    return loss_bce_logits(grad ? a->d_logit : NULL, a->logit,
                           a->target, n, 1.0 / B) / B;
}

/* The minimax form (9.6) is log(1 - D) = -BCE(logit, 0): it has
 * gradient -D at the logit, which vanishes where D spots the fake.
 * The non-saturating form (9.7) is -log D = BCE(logit, 1), with
 * gradient D - 1: largest exactly there. */
double gan_g_loss(gan_acts *a, int B, gan_g_form form, bool grad)
{
    bool minimax = form == GAN_SATURATING;
    double sign = minimax ? -1 : 1;
    for (int i = 0; i < B; i++)
        a->target[i] = minimax ? 0 : 1;
    if (grad)
        memset(a->d_logit, 0, sizeof(real) * (size_t)B);
    return sign * loss_bce_logits(grad ? a->d_logit : NULL, a->logit,
                                  a->target, B, sign / B) / B;
}
//< ch09-losses

/* ---- training ----------------------------------------------------------- */

//> ch09-step
/* One round of the game: D takes a step to tell x from G(z, y), then
 * G takes a step, through the updated D, to fool it. */
gan_step_stats gan_train_step(gan_model *m, gan_acts *a,
                              const nn_adam *d_adam,
                              const nn_adam *g_adam, const real *x,
                              const real *onehot, const real *z,
                              const real *z2, int B, gan_g_form form)
{
    const gan_config *c = &m->cfg;
    size_t nx = (size_t)B * c->x_dim, ny = (size_t)B * c->classes;
    gan_step_stats s = {0};
    /* the discriminator: B real rows, then B generated ones */
    gan_generator_forward(a, m, z, onehot, B);
    memcpy(a->pair, x, sizeof(real) * nx);
    memcpy(a->pair + nx, a->fake, sizeof(real) * nx);
    memcpy(a->pair_y, onehot, sizeof(real) * ny);
    memcpy(a->pair_y + ny, onehot, sizeof(real) * ny);
    gan_discriminator_forward(a, m, a->pair, a->pair_y, 2 * B);
    for (int i = 0; i < B; i++) {
        s.real_right += a->logit[i] > 0;
        s.fake_right += a->logit[B + i] <= 0;
    }
    s.d_loss = gan_d_loss(a, 2 * B, true);
    nn_params_zero_grad(&m->d_params);
    gan_discriminator_backward(NULL, a, m, a->pair, 2 * B);
    nn_adam_step(&m->d_params, d_adam);
    /* the generator, through D; D's gradients from this pass are
       never used: its next step zeroes them */
    gan_generator_forward(a, m, z2, onehot, B);
    gan_discriminator_forward(a, m, a->fake, onehot, B);
    s.g_loss = gan_g_loss(a, B, form, true);
    memset(a->d_fake, 0, sizeof(real) * nx);
    gan_discriminator_backward(a->d_fake, a, m, a->fake, B);
    nn_params_zero_grad(&m->g_params);
    gan_generator_backward(a, m, a->d_fake, B);
    nn_adam_step(&m->g_params, g_adam);
    return s;
}
//< ch09-step

double gan_g_grad_norm(gan_model *m, gan_acts *a, const real *z,
                       const real *onehot, int B, gan_g_form form)
{
    size_t nx = (size_t)B * m->cfg.x_dim;
    gan_generator_forward(a, m, z, onehot, B);
    gan_discriminator_forward(a, m, a->fake, onehot, B);
    gan_g_loss(a, B, form, true);
    memset(a->d_fake, 0, sizeof(real) * nx);
    gan_discriminator_backward(a->d_fake, a, m, a->fake, B);
    nn_params_zero_grad(&m->g_params);
    gan_generator_backward(a, m, a->d_fake, B);
    double sum = 0;
    for (size_t i = 0; i < m->g_params.count; i++)
        sum += (double)m->g_params.grad[i] * m->g_params.grad[i];
    nn_params_zero_grad(&m->g_params);
    nn_params_zero_grad(&m->d_params);
    return sqrt(sum);
}

void gan_generate(real *images, gan_model *m, gan_acts *a,
                  const unsigned char *label, int n, rng *r)
{
    const gan_config *c = &m->cfg;
    real *z = sys_alloc((size_t)a->cap * c->noise, sizeof *z);
    real *onehot = sys_alloc((size_t)a->cap * c->classes, sizeof *onehot);
    for (int s = 0; s < n; s += a->cap) {
        int B = n - s < a->cap ? n - s : a->cap;
        for (int i = 0; i < B * c->noise; i++)
            z[i] = (real)rng_normal(r);
        data_onehot(onehot, label + s, B, c->classes);
        gan_generator_forward(a, m, z, onehot, B);
        memcpy(images + (size_t)s * c->x_dim, a->fake,
               sizeof(real) * (size_t)B * c->x_dim);
    }
    free(z);
    free(onehot);
}
