/* flags.h -- the flags more than one chapter takes, declared once.
 *
 * Each shared flag is one table entry here, so it has the same name,
 * range and line of --help in every chapter that takes it (its default
 * is the chapter's). A chapter's table lists them beside its own flags,
 * and CLI_COUNT sizes it:
 *
 *     cli_flag flags[] = {
 *         {"rho", CLI_REAL, &rho, "(0,1)", "target mean activation"},
 *         AE_FLAGS(&o, "passes over the data"),
 *     };
 *     cli_parse("ch04_sparse_ae", "...", flags, CLI_COUNT(flags), ...);
 *
 * The entries are macros because a table is data: it is written where
 * it is used and counted by the compiler, never copied into an array
 * sized by hand. */
#ifndef FLAGS_H
#define FLAGS_H

#include <stdbool.h>

#include "cli.h"

/* ---- one entry per shared flag ------------------------------------------ */

#define FLAG_SEED(p) {"seed", CLI_INT, (p), "[0,2147483647]", "random seed"}
#define FLAG_OUT(p) \
    {"out", CLI_STRING, (p), NULL, "folder for the output files"}
#define FLAG_DATA(p) \
    {"data", CLI_STRING, (p), NULL, \
     "folder with the four MNIST-named IDX files (or .gz)"}
#define FLAG_TRAIN_SIZE(p) \
    {"train-size", CLI_INT, (p), "[0,100000000]", \
     "train on the first N images (0: all)"}
#define FLAG_TEST_SIZE(p) \
    {"test-size", CLI_INT, (p), "[0,100000000]", \
     "test on the first N images (0: all)"}
#define FLAG_THREADS(p) \
    {"threads", CLI_INT, (p), "[0,64]", \
     "threads for the matrix products (0: one per core)"}
#define FLAG_EPOCHS(p, help) {"epochs", CLI_INT, (p), "[1,100000]", help}
#define FLAG_BATCH(p) \
    {"batch", CLI_INT, (p), "[1,100000]", "images per Adam step"}
#define FLAG_LR(p) {"lr", CLI_REAL, (p), "(0,1e6]", "Adam's learning rate"}

/* ---- chapters 3 to 5: the autoencoders ---------------------------------- */

/* What every autoencoder chapter takes: how to train, on which data,
 * where to write. The chapter sets the defaults before parsing. */
typedef struct {
    int epochs, batch;
    double lr;            /* Adam's learning rate */
    const char *data;     /* folder with the four MNIST-named files */
    int train_size;       /* first N training images (0: all) */
    int threads, seed;
    const char *out;      /* folder for the output files */
} ae_options;

/* The reconstruction loss of chapters 3 to 5: "mse" or "bce". */
#define FLAG_LOSS(p) \
    {"loss", CLI_CHOICE, (p), "mse|bce", \
     "reconstruction loss: squared error or cross-entropy"}

/* The entries of ae_options; epochs_help is --epochs' line of --help. */
#define AE_FLAGS(o, epochs_help) \
    FLAG_EPOCHS(&(o)->epochs, epochs_help), FLAG_BATCH(&(o)->batch), \
    FLAG_LR(&(o)->lr), FLAG_DATA(&(o)->data), \
    FLAG_TRAIN_SIZE(&(o)->train_size), FLAG_THREADS(&(o)->threads), \
    FLAG_SEED(&(o)->seed), FLAG_OUT(&(o)->out)

/* ---- chapters 7 and 8: the VAE and the CVAE ----------------------------- */

typedef struct {
    const char *data;       /* folder with the MNIST-named IDX files */
    int train_size;         /* first N training images (0: all) */
    int test_size;          /* first N test images (0: all) */
    int latent, hidden;
    const char *decoder;    /* "bernoulli" | "gaussian" */
    const char *sigma;      /* Gaussian sigma: a number, or "learned" */
    bool binarize;          /* dynamic binarization of the pixels */
    int epochs, batch;
    double lr;
    double beta;            /* weight of the KL term, (7.9) */
    int warmup;             /* epochs over which beta ramps up from 0 */
    int eval_samples;       /* eps draws for the final test -ELBO */
    int iw;                 /* samples K of the importance-weighted bound */
    int threads;            /* for the matrix products; 0: one per core */
    int seed;
    const char *out;
    const char *load;       /* checkpoint to evaluate instead of training */
    bool explore;           /* --load's model in the terminal (explore.h) */
    /* the notes' programs (vae_config's variants) */
    const char *activation; /* "relu" | "elu" | "tanh" */
    int encoder_layers;     /* hidden layers of the encoder: 1 or 2 */
    const char *head;       /* "logvar" | "logsigma" | "keras" */
    const char *output;     /* "sigmoid" | "relu" */
    const char *average;    /* "none" | "pixels" | "both" */
    const char *preset;     /* "none", or a program's name */
} vae_options;

/* The entries of vae_options, each pointing into o (whose values are
 * the defaults --help prints). */
#define VAE_FLAGS(o) \
    FLAG_DATA(&(o)->data), FLAG_TRAIN_SIZE(&(o)->train_size), \
    FLAG_TEST_SIZE(&(o)->test_size), \
    {"latent", CLI_INT, &(o)->latent, "[1,1000]", "dimensions of z"}, \
    {"hidden", CLI_INT, &(o)->hidden, "[1,100000]", \
     "width of the encoder's and the decoder's hidden layer"}, \
    {"decoder", CLI_CHOICE, &(o)->decoder, "bernoulli|gaussian", \
     "the likelihood p(x|z)"}, \
    {"sigma", CLI_STRING, &(o)->sigma, NULL, \
     "gaussian decoder's sigma: a number, or 'learned'"}, \
    {"binarize", CLI_BOOL, &(o)->binarize, NULL, \
     "pixels x -> Bernoulli(x) draws: new ones each epoch, one fixed " \
     "draw of the test set"}, \
    FLAG_EPOCHS(&(o)->epochs, "passes over the training set"), \
    FLAG_BATCH(&(o)->batch), FLAG_LR(&(o)->lr), \
    {"beta", CLI_REAL, &(o)->beta, "[0,1e6]", "weight of the KL term"}, \
    {"warmup", CLI_INT, &(o)->warmup, "[0,100000]", \
     "epochs over which beta ramps up linearly from 0"}, \
    {"eval-samples", CLI_INT, &(o)->eval_samples, "[1,100000]", \
     "eps draws per test image for the final test -ELBO"}, \
    {"iw", CLI_INT, &(o)->iw, "[1,100000]", \
     "samples per test image for the importance-weighted bound"}, \
    FLAG_THREADS(&(o)->threads), FLAG_SEED(&(o)->seed), \
    FLAG_OUT(&(o)->out), \
    {"load", CLI_STRING, &(o)->load, NULL, \
     "a checkpoint to sample and evaluate, instead of training"}, \
    {"explore", CLI_BOOL, &(o)->explore, NULL, \
     "with --load: arrows move z1, z2 (others 0), see the image"}, \
    /* the choices of the notes' programs */ \
    {"activation", CLI_CHOICE, &(o)->activation, "relu|elu|tanh", \
     "of the hidden layers"}, \
    {"encoder-layers", CLI_INT, &(o)->encoder_layers, "[1,2]", \
     "hidden layers in the encoder (the decoder has one)"}, \
    {"head", CLI_CHOICE, &(o)->head, "logvar|logsigma|keras", \
     "the encoder's 2nd output: log sigma^2, log sigma, or note " \
     "002's line"}, \
    {"mean", CLI_CHOICE, &(o)->output, "sigmoid|relu", \
     "the decoder's mean; relu: gaussian decoder only"}, \
    {"average", CLI_CHOICE, &(o)->average, "none|pixels|both", \
     "train on the loss averaged over pixels (and latent dims)"}, \
    {"preset", CLI_CHOICE, &(o)->preset, "none|ethanluoyc|keras|unnir", \
     "a program of the notes, as flags (listed above)"}

#endif
