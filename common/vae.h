/* vae.h -- the variational autoencoder of chapters 7 and 8: the model,
 * its objective (the negative ELBO) with forward and backward passes,
 * training, evaluation, and the flags both chapters share.
 *
 * The model is the standard MNIST VAE of pytorch/examples (vae/main.py),
 * with an optional condition c (chapter 8's one-hot label) concatenated
 * to the encoder's and the decoder's inputs:
 *
 *     encoder  [x, c] (x_dim + cond_dim) -> hidden, ReLU
 *              hidden -> mu (latent),  hidden -> log sigma^2 (latent)
 *     sample   z = mu + exp(logvar / 2) * eps           (7.5)
 *     decoder  [z, c] (latent + cond_dim) -> hidden, ReLU
 *              hidden -> x_dim logits
 *
 * cond_dim is 0 for the plain VAE. The decoder's logits a give each
 * pixel a Bernoulli probability sigmoid(a) (7.7), or a Gaussian mean
 * sigmoid(a) with a standard deviation sigma, fixed or learned (7.8).
 *
 * A batch goes through three calls, as in llm.c: vae_forward (the
 * network, at a given eps), vae_loss (the -ELBO and, for training, its
 * gradient at the network's outputs) and vae_backward (the gradient of
 * every parameter). All buffers of a batch live in a vae_acts. */
#ifndef VAE_H
#define VAE_H

#include <signal.h>
#include <stdbool.h>

#include "data.h"
#include "flags.h"
#include "nn.h"
#include "real.h"
#include "rng.h"

/* ---- the model ---------------------------------------------------------- */

typedef enum {
    VAE_BERNOULLI,      /* p(x|z) = prod_i Bern(x_i; sigmoid(a_i)), (7.7) */
    VAE_GAUSSIAN        /* p(x|z) = prod_i N(x_i; sigmoid(a_i), sigma^2) */
} vae_decoder;

/* The choices of the notes' own programs (--preset, section "The
 * notes' programs, by flags" of chapter 7). Each first value, 0, is the
 * model above; a vae_config whose fields below are left 0 is it. */
typedef enum {
    VAE_ACT_RELU,       /* every hidden layer: max(x, 0) */
    VAE_ACT_ELU,        /* x > 0 ? x : e^x - 1 (unnir/cVAE) */
    VAE_ACT_TANH        /* tanh x (note 002's Keras VAE) */
} vae_activation;

typedef enum {
    VAE_HEAD_LOGVAR,    /* the second head is l = log sigma^2, (7.5) */
    VAE_HEAD_LOGSIGMA,  /* it is s = log sigma: l = 2s (ethanluoyc) */
    VAE_HEAD_KERAS      /* note 002: z = mu + e^s eps (so l = 2s) but the
                           KL charged as if s were log sigma^2 */
} vae_head;

typedef enum {
    VAE_OUT_SIGMOID,    /* the decoder's mean sigmoid(a) */
    VAE_OUT_RELU        /* max(a, 0): a Gaussian mean (ethanluoyc) */
} vae_output;

typedef enum {
    VAE_SUM,            /* the loss (7.9): both terms summed */
    VAE_MEAN_PIXELS,    /* reconstruction / x_dim (Keras' mean BCE) */
    VAE_MEAN_BOTH       /* and KL / latent too (ethanluoyc) */
} vae_average;

/* What the model looks like: sizes and the decoder's likelihood. */
typedef struct {
    int x_dim;          /* pixels per image (784) */
    int cond_dim;       /* width of the condition c: 0, or 10 (chapter 8) */
    int hidden;         /* width of both hidden layers (400) */
    int latent;         /* dimensions of z (20) */
    vae_decoder decoder;
    double sigma;       /* Gaussian: the fixed sigma, or the starting one */
    bool learn_sigma;   /* Gaussian: one log sigma shared by all pixels,
                           trained with the weights */
    vae_activation act; /* of every hidden layer */
    bool enc_second;    /* a second encoder layer hidden -> hidden */
    vae_head head;
    vae_output output;
    vae_average average;/* training loss only: nats are always summed */
} vae_config;

typedef struct {
    vae_config cfg;
    nn_params params;   /* every trained number, in one block */
    nn_dense enc;       /* (x_dim + cond_dim) -> hidden; fc1 in PyTorch */
    nn_dense enc2;      /* hidden -> hidden, if cfg.enc_second */
    nn_dense enc_mu;    /* hidden -> latent; fc21 */
    nn_dense enc_logvar;/* hidden -> latent; fc22 */
    nn_dense dec;       /* (latent + cond_dim) -> hidden; fc3 */
    nn_dense dec_out;   /* hidden -> x_dim logits; fc4 */
    real *log_sigma;    /* (1) Gaussian decoder: in the block if learned,
                           else &fixed_log_sigma */
    real *d_log_sigma;  /* (1) its gradient, NULL if fixed */
    real fixed_log_sigma;
} vae_model;

/* Declares, allocates and initialises the model: every layer drawn as
 * torch.nn.Linear draws it (NN_INIT_PYTORCH), log sigma = log cfg.sigma. */
void vae_init(vae_model *m, vae_config cfg, rng *r);
void vae_free(vae_model *m);

/* The checkpoint tag: the chapter's name and the decoder, e.g.
 * "ch07_vae bernoulli" or "ch07_vae gaussian s=0.1"; sizes show up as
 * shape mismatches. out has NN_TAG_MAX bytes. */
void vae_tag(char *out, const char *chapter, const vae_config *cfg);

/* ---- one batch: buffers, forward, loss, backward ------------------------ */

typedef struct {
    int cap;            /* rows allocated */
    real *enc_in;       /* (cap, x_dim + cond_dim) [x, c]; cond_dim > 0 */
    real *h;            /* (cap, hidden) encoder hidden, after ReLU */
    real *h0;           /* (cap, hidden) its first layer, if enc_second */
    real *mu;           /* (cap, latent) */
    real *logvar;       /* (cap, latent) log sigma^2 */
    real *z;            /* (cap, latent) */
    real *dec_in;       /* (cap, latent + cond_dim) [z, c]; cond_dim > 0 */
    real *g;            /* (cap, hidden) decoder hidden, after ReLU */
    real *logits;       /* (cap, x_dim) */
    real *mean;         /* (cap, x_dim) sigmoid(logits), the Gaussian's
                           mean; vae_nll fills it */
    /* gradients of the loss, of the same shapes; d_h_in and d_g_in are
       at the hidden layers' inputs to the ReLU */
    real *d_h_in, *d_h, *d_mu, *d_logvar, *d_z, *d_dec_in, *d_g_in, *d_g;
    real *d_logits, *d_mean;
    real *d_h0_in, *d_h0;   /* if enc_second */
    real *buffers;      /* the one allocation behind them (real_carve) */
} vae_acts;

/* Allocates (zeroed) the buffers of a batch of up to cap rows; the
 * condition's buffers only when cfg->cond_dim > 0. */
void vae_acts_alloc(vae_acts *a, const vae_config *cfg, int cap);
void vae_acts_free(vae_acts *a);

/* The sums over a batch of the two terms of the -ELBO (7.9), in nats:
 * the reconstruction -log p(x|z) and KL(q(z|x) || N(0, I)). */
typedef struct {
    double nll, kl;
} vae_terms;

/* Reparameterization (7.5): z = mu + exp(logvar / 2) * eps, n values. */
void vae_reparam_forward(real *z, const real *mu, const real *logvar,
                         const real *eps, int n);

/* Its backward pass (7.6): dmu += dz and
 * dlogvar += dz * eps * exp(logvar / 2) / 2. */
void vae_reparam_backward(real *dmu, real *dlogvar, const real *dz,
                          const real *logvar, const real *eps, int n);

/* The encoder: mu and logvar of q(z|x, c) for B rows into a. cond is
 * (B, cond_dim), NULL when cond_dim is 0. */
void vae_encode(vae_acts *a, const vae_model *m, const real *x,
                const real *cond, int B);

/* The decoder: the logits of p(x|z, c) for B rows of z (B, latent) into
 * a->logits (z may be a->z). */
void vae_decode(vae_acts *a, const vae_model *m, const real *z,
                const real *cond, int B);

/* The whole network at a given eps (B, latent): encode, reparameterize
 * (7.5), decode. */
void vae_forward(vae_acts *a, const vae_model *m, const real *x,
                 const real *cond, const real *eps, int B);

/* -log p(x|z) of each of the B rows decoded in a, (7.7) or (7.8), into
 * nll (B) if not NULL; returns their sum. With `grad`, adds `scale`
 * times the gradient of the sum into a->d_logits and the model's
 * d_log_sigma (if learned). */
double vae_nll(vae_acts *a, vae_model *m, const real *x, int B,
               double *nll, double scale, bool grad);

/* The -ELBO of a batch after vae_forward: both terms summed over the
 * rows. With `grad`, also sets a->d_logits, d_mu, d_logvar to the
 * gradient of (nll + beta kl) / B, the objective (7.9), per image, and
 * adds that of a learned log sigma into the block: zero the block's
 * gradient (nn_params_zero_grad) before this call. */
vae_terms vae_loss(vae_acts *a, vae_model *m, const real *x, int B,
                   double beta, bool grad);

/* Adds the gradient of every weight, from the gradients vae_loss left
 * in a, into m->params.grad. x and eps are those of the forward pass. */
void vae_backward(vae_acts *a, vae_model *m, const real *x,
                  const real *eps, int B);

/* ---- the options chapters 7 and 8 share (flags.h) ------------------- */

/* The model's configuration from the parsed options, for images of
 * x_dim pixels and a condition of cond_dim (a variant's option left
 * NULL or 0 is chapter 7's choice); exits (status 2, naming the
 * flag) on a --sigma that is neither a positive number nor "learned",
 * or on --output relu with a Bernoulli decoder. */
vae_config vae_options_config(const vae_options *o, int x_dim,
                              int cond_dim);

/* cli_parse for chapters 7 and 8, with --preset: a program of the notes
 * (note 000 links two, note 002 holds one) as the flags that make it.
 * The arguments are parsed, then the preset's flags, then the arguments
 * again, so a flag given explicitly, before or after --preset,
 * overrides the preset's value. --help lists prog's presets and their
 * flags. Exits 2 on a preset of the other chapter, and on an --explore
 * that cannot run (explore_check). */
void vae_parse(const char *prog, const char *about, cli_flag *flags,
               int nflags, int argc, char **argv, const vae_options *o);

/* The flags of preset `name` ("--hidden 100 --latent 8 ..."), or NULL
 * if there is none of that name; *program gets what it reproduces. */
const char *vae_preset_flags(const char *name, const char **program);

/* Prints the preset of the run, if any, and the model's variants, if
 * any differ from chapter 7's model: a line each. */
void vae_print_variants(const vae_options *o, const vae_config *cfg);

/* ---- training ----------------------------------------------------------- */

/* One Adam step (with its learning rate in adam) on a batch of B
 * images x (B, x_dim), conditions cond (B, cond_dim) or NULL, at the
 * noise eps (B, latent): the -ELBO (7.9) at this beta and its gradient,
 * then the update. Returns the batch's terms; if their weighted sum is
 * not finite the step is not taken. */
vae_terms vae_train_step(vae_model *m, vae_acts *a, const nn_adam *adam,
                         const real *x, const real *cond,
                         const real *eps, int B, double beta);

/* One epoch's averages, nats per image. */
typedef struct {
    double train_nll, train_kl;   /* at the beta of each step */
    double test_nll, test_kl;     /* one eps draw per test image */
    double beta;                  /* beta at the end of the epoch */
    double seconds;               /* training time of the epoch */
} vae_epoch;

/* What vae_train did. */
typedef struct {
    int epochs_done;        /* complete epochs */
    bool interrupted;       /* stopped by SIGINT after a finished batch */
    long steps;             /* Adam steps taken */
    double train_seconds;   /* summed over the epochs, evaluation excluded */
    vae_epoch *history;     /* (epochs_done) */
} vae_run;

/* Trains for o->epochs epochs of shuffled minibatches with Adam (lr),
 * beta ramped over o->warmup epochs, pixels binarized afresh each epoch
 * if o->binarize. With cond_dim > 0 the condition of image i is row i of
 * train_cond (n, cond_dim), or the one-hot of its label when train_cond
 * is NULL; likewise test_cond for the test set. Prints a
 * line per epoch (train and test -ELBO with its two terms, seconds,
 * ETA). A NaN or infinite loss ends the program with a message naming
 * the step (exit 1), before anything is written. While it runs, SIGINT
 * (Ctrl-C) stops it after the current batch (run.interrupted); a second
 * one kills as usual. Free run.history. */
vae_run vae_train(vae_model *m, const data_set *train,
                  const real *train_cond, const data_set *test,
                  const real *test_cond, const vae_options *o, rng *r);

/* Loads the checkpoint at path into m, the model of `chapter`
 * (vae_tag), and says so in one line; or exits 1 with one line naming
 * the file and the problem. Only when the file holds this program's
 * model of another shape does the line end with a hint naming the
 * flags that set the shape (with --cond for a conditional model). */
void vae_load(vae_model *m, const char *path, const char *chapter);

/* vae_load's checks before any work: reads path into a scratch model
 * of cfg (then freed) and exits as vae_load does if it would refuse
 * the file; silent if it would not. For a program whose --load comes after long work (chapter
 * 8's judge), so that a bad file fails at once. */
void vae_check_load(vae_config cfg, const char *path,
                    const char *chapter);

/* Writes dir/loss.tsv, one row per epoch of the run. */
void vae_write_history(const vae_run *run, const char *dir);

/* ---- evaluation --------------------------------------------------------- */

/* The -ELBO on a set, nats per image, each image with `samples` eps
 * draws and the KL in closed form; the terms are averages too. The
 * conditions, as for vae_train: rows of set_cond (n, cond_dim), or the
 * one-hot labels when it is NULL. */
vae_terms vae_evaluate(vae_model *m, const data_set *set,
                       const real *set_cond, int samples, rng *r);

/* The importance-weighted bounds (7.11) on a set: for each k[j]
 * (nk of them, each <= samples), bound[j] = the average over images of
 * L_k, itself averaged over the samples / k disjoint groups of k of the
 * `samples` draws per image. L_1 is the ELBO with a sampled KL. Each
 * image is encoded once; its draws are decoded in large batches. */
void vae_iw_bounds(double *bound /* (nk) */, vae_model *m,
                   const data_set *set, const real *set_cond,
                   const int *k, int nk, int samples, rng *r);

/* log w = log p(x|z) + log p(z) - log q(z|x), (7.12), for one draw
 * z = mu + sigma eps, given -log p(x|z) = nll. */
double vae_log_weight(double nll, const real *eps, const real *logvar,
                      const real *z, int latent);

/* The posterior means on a set: mu (n, latent), labels as they are. */
void vae_encode_set(real *mu /* (n, latent) */, vae_model *m,
                    const data_set *set);

/* Per latent dimension over a set: the average KL (kl, (latent)) and the
 * activity Cov_x(E_q[z_u]) (7.13) (activity, (latent)). Returns the
 * number of active units, those with activity > 0.01. */
int vae_latent_stats(double *kl, double *activity, vae_model *m,
                     const data_set *set);

/* Means of p(x|z) for n rows of z (n, latent): the images a decoder
 * draws (cond (n, cond_dim) or NULL). */
void vae_decode_images(real *images /* (n, x_dim) */, vae_model *m,
                       const real *z, const real *cond, int n);

/* Samples from the model: n codes z ~ N(0, I), the prior of (7.1),
 * decoded to the means of p(x|z, c) (cond (n, cond_dim) or NULL). */
void vae_sample_prior(real *images /* (n, x_dim) */, vae_model *m,
                      const real *cond, int n, rng *r);

#endif
