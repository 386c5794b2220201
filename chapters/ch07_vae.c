/* ch07_vae.c -- Chapter 7: the variational autoencoder.
 *
 * Trains the VAE of common/vae.c (the standard MNIST VAE of
 * pytorch/examples: 784-400-20, Bernoulli decoder, Adam 1e-3, batch 128)
 * on data/mnist-mini, then shows what it does: samples from the prior,
 * reconstructions, latent interpolations and traversals, the 2-D latent
 * manifold (--latent 2), the importance-weighted bound on log p(x), the
 * active units. The model itself is common/vae.c. This file holds, in
 * order: the pictures, the program (main and its steps), and under the
 * last banner the measurements of the notes' errors: the Keras sampling
 * line, the lecture's penalty, the one-sample "expectation", g(X + eps),
 * the Bayes slip and the second audit. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "data.h"
#include "explore.h"
#include "image.h"
#include "kl.h"
#include "mat.h"
#include "nn.h"
#include "num.h"
#include "report.h"
#include "rng.h"
#include "sys.h"
#include "vae.h"

enum { SIDE = 28, PIXELS = SIDE * SIDE };

/* The one image `i` of `set`, as a set of its own. */
data_set single_image(const data_set *set, int i)
{
    data_set one = *set;
    one.n = 1;
    one.x = set->x + (size_t)i * set->dim;
    one.y = set->y + i;
    return one;
}

/* ---- pictures ----------------------------------------------------------- */

/* 32 test digits and their reconstructions, the decoder's means at
 * z = mu(x): rows of 8 originals, each above its 8 reconstructions. */
void write_reconstructions(vae_model *m, const data_set *test,
                           const char *out)
{
    enum { N = 32, COLS = 8 };
    int L = m->cfg.latent;
    real *mu = sys_alloc(N * L, sizeof *mu);
    real *rec = sys_alloc(N * PIXELS, sizeof *rec);
    real *grid = sys_alloc(2 * N * PIXELS, sizeof *grid);
    data_set first = *test;
    first.n = N;
    vae_encode_set(mu, m, &first);
    vae_decode_images(rec, m, mu, NULL, N);
    for (int t = 0; t < N; t++) {
        int row = t / COLS, col = t % COLS;
        memcpy(grid + (size_t)((2 * row) * COLS + col) * PIXELS,
               test->x + (size_t)t * PIXELS, sizeof(real) * PIXELS);
        memcpy(grid + (size_t)((2 * row + 1) * COLS + col) * PIXELS,
               rec + (size_t)t * PIXELS, sizeof(real) * PIXELS);
    }
    image_grid(out, "reconstructions.png", grid, 2 * N, SIDE, SIDE, COLS,
               2);
    free(mu);
    free(rec);
    free(grid);
}

//> ch07-interpolate
/* Latent paths: for 8 pairs of test digits a, b, the decoder's means
 * along z = (1 - t) mu(a) + t mu(b), t = 0 .. 1 in 10 steps, between
 * the two digits themselves. */
void write_interpolation(vae_model *m, const data_set *test,
                         const char *out)
{
    enum { PAIRS = 8, STEPS = 10, COLS = STEPS + 2 };
    int L = m->cfg.latent;
    real *mu = sys_alloc(2 * PAIRS * L, sizeof *mu);
    real *z = sys_alloc(PAIRS * STEPS * L, sizeof *z);
    real *dec = sys_alloc(PAIRS * STEPS * PIXELS, sizeof *dec);
    real *grid = sys_alloc(PAIRS * COLS * PIXELS, sizeof *grid);
    data_set first = *test;
    first.n = 2 * PAIRS;          /* pair p is test images 2p, 2p + 1 */
    vae_encode_set(mu, m, &first);
    for (int p = 0; p < PAIRS; p++)
        for (int s = 0; s < STEPS; s++) {
            double t = (double)s / (STEPS - 1);
            for (int j = 0; j < L; j++)
                z[(p * STEPS + s) * L + j] =
                    (real)((1 - t) * mu[(2 * p) * L + j] +
                           t * mu[(2 * p + 1) * L + j]);
        }
    vae_decode_images(dec, m, z, NULL, PAIRS * STEPS);
    for (int p = 0; p < PAIRS; p++)
        for (int c = 0; c < COLS; c++) {
            const real *src =
                c == 0 ? test->x + (size_t)(2 * p) * PIXELS
                : c == COLS - 1 ? test->x + (size_t)(2 * p + 1) * PIXELS
                : dec + (size_t)(p * STEPS + c - 1) * PIXELS;
            memcpy(grid + (size_t)(p * COLS + c) * PIXELS, src,
                   sizeof(real) * PIXELS);
        }
    image_grid(out, "interpolation.png", grid, PAIRS * COLS, SIDE, SIDE,
               COLS, 2);
    free(mu);
    free(z);
    free(dec);
    free(grid);
}
//< ch07-interpolate

/* One latent dimension at a time: from the posterior mean of the first
 * test digit, dimension j (a row each, most KL first) is set to the
 * normal quantiles of 0.05 .. 0.95 while the others stay. */
void write_traversal(vae_model *m, const data_set *test, const double *kl,
                     const char *out)
{
    enum { STEPS = 11 };
    int L = m->cfg.latent;
    int *dim = sys_alloc(L, sizeof(int));
    real *base = sys_alloc(L, sizeof *base);
    real *z = sys_alloc((size_t)L * STEPS * L, sizeof *z);
    real *dec = sys_alloc((size_t)L * STEPS * PIXELS, sizeof *dec);
    for (int j = 0; j < L; j++) {   /* insertion sort by KL, largest first */
        int k = j;
        for (; k > 0 && kl[dim[k - 1]] < kl[j]; k--)
            dim[k] = dim[k - 1];
        dim[k] = j;
    }
    data_set first = single_image(test, 0);
    vae_encode_set(base, m, &first);
    for (int row = 0; row < L; row++)
        for (int s = 0; s < STEPS; s++) {
            real *zr = z + (size_t)(row * STEPS + s) * L;
            memcpy(zr, base, sizeof(real) * L);
            zr[dim[row]] = (real)num_normal_quantile(0.05 + 0.09 * s);
        }
    vae_decode_images(dec, m, z, NULL, L * STEPS);
    image_grid(out, "traversal.png", dec, L * STEPS, SIDE, SIDE, STEPS, 1);
    free(dim);
    free(base);
    free(z);
    free(dec);
}

//> ch07-manifold
/* With a 2-D latent space, the decoder over the whole prior: a 20 x 20
 * grid of z whose coordinates are normal quantiles of evenly spaced
 * probabilities, so each cell holds the same prior mass (Kingma and
 * Welling's figure 4). */
void write_manifold(vae_model *m, const char *out)
{
    enum { N = 20 };
    real *z = sys_alloc(N * N * 2, sizeof *z);
    real *dec = sys_alloc(N * N * PIXELS, sizeof *dec);
    for (int i = 0; i < N; i++)      /* row i: z2 from high to low */
        for (int j = 0; j < N; j++) {
            real *zij = z + (i * N + j) * 2;
            zij[0] = (real)num_normal_quantile((j + 0.5) / N);
            zij[1] = (real)num_normal_quantile((N - i - 0.5) / N);
        }
    vae_decode_images(dec, m, z, NULL, N * N);
    image_grid(out, "manifold.png", dec, N * N, SIDE, SIDE, N, 1);
    free(z);
    free(dec);
}
//< ch07-manifold

/* latent.tsv: the posterior mean of every test digit, with its label,
 * for the scatter plot of a 2-D latent space. */
void write_latent_means(vae_model *m, const data_set *test,
                        const char *out)
{
    real *mu = sys_alloc((size_t)test->n * 2, sizeof *mu);
    vae_encode_set(mu, m, test);
    report_tsv t;
    report_tsv_open(&t, out, "latent.tsv", "z1\tz2\tlabel");
    for (int i = 0; i < test->n; i++)
        report_tsv_row(&t, (double[]){mu[2 * i], mu[2 * i + 1],
                                      test->y[i]});
    report_tsv_close(&t);
    free(mu);
}

/* latent_dims.tsv: KL and activity per latent dimension. */
void write_latent_dims(const double *kl, const double *activity, int L,
                       const char *out)
{
    report_tsv t;
    report_tsv_open(&t, out, "latent_dims.tsv", "dim\tkl\tactivity");
    for (int j = 0; j < L; j++)
        report_tsv_row(&t, (double[]){j + 1, kl[j], activity[j]});
    report_tsv_close(&t);
}

/* ---- the program -------------------------------------------------------- */

/* The k of the bounds L_k the program reports: those of 1, 10, 100
 * below K, then K itself. Returns how many. */
int iw_sizes(int ks[4], int K)
{
    static const int fixed[3] = {1, 10, 100};
    int n = 0;
    for (int i = 0; i < 3 && fixed[i] < K; i++)
        ks[n++] = fixed[i];
    ks[n++] = K;
    return n;
}

/* What the program measures after training. */
typedef struct {
    vae_terms test;         /* -ELBO terms, eval_samples draws per image */
    double floor;           /* data_pixel_entropy of the test set */
    int ks[4], nk;          /* the k of the bounds */
    double bound[4];        /* L_k, nats per image */
    int active;             /* active units (7.13) */
    double *kl, *activity;  /* (latent) per dimension */
    int top;                /* the dimension with the most KL */
} evaluation;

/* The test -ELBO, the bounds L_k, and the latent dimensions, printed. */
evaluation evaluate(vae_model *m, const data_set *test,
                    const vae_options *o, rng *r)
{
    evaluation ev = {0};
    int L = m->cfg.latent;
    printf("\nevaluating on %d test images\n", test->n);
    ev.test = vae_evaluate(m, test, NULL, o->eval_samples, r);
    printf("test -ELBO %.3f = reconstruction %.3f + KL %.3f nats, %d eps "
           "draws per image\n", ev.test.nll + ev.test.kl, ev.test.nll,
           ev.test.kl, o->eval_samples);
    ev.floor = data_pixel_entropy(test);
    if (m->cfg.decoder == VAE_BERNOULLI)
        printf("the Bernoulli term cannot go below sum_i H(x_i) = %.3f "
               "nats on these pixels\n", ev.floor);

    ev.nk = iw_sizes(ev.ks, o->iw);
    int samples = ev.ks[ev.nk - 1];
    double t0 = sys_seconds();
    vae_iw_bounds(ev.bound, m, test, NULL, ev.ks, ev.nk, samples, r);
    printf("importance-weighted bounds (7.11), %d draws per image, "
           "%.1f s:\n", samples, sys_seconds() - t0);
    for (int j = 0; j < ev.nk; j++)
        printf("  k = %-5d  -L_k = %.3f nats\n", ev.ks[j], -ev.bound[j]);

    ev.kl = sys_alloc(L, sizeof(double));
    ev.activity = sys_alloc(L, sizeof(double));
    ev.active = vae_latent_stats(ev.kl, ev.activity, m, test);
    for (int j = 1; j < L; j++)
        ev.top = ev.kl[j] > ev.kl[ev.top] ? j : ev.top;
    printf("active units (7.13): %d of %d; KL per dimension:", ev.active,
           L);
    for (int j = 0; j < L; j++)
        printf("%s%.2f", j % 10 ? " " : "\n  ", ev.kl[j]);
    printf("\n");
    return ev;
}

/* The second audit's numbers, measured under the last banner. */
typedef struct {
    double noise_var_0, noise_var_5;        /* note 001: e^2s at 0, -5 */
    double elbo_w0, elbo_w1, logp_w0, logp_w1;  /* note 001: Lb vs L */
    double sigma, q_at_mu, p_eps_0, mass;   /* note 002: no Jacobian */
    double neg_h1, neg_h2;                  /* note 003: not a constant */
} audit07;
audit07 note_audit(vae_model *m, const data_set *test, double logvar);
void note_audit_summary(const audit07 *a);

/* The numbers that separate the notes' versions from the right ones. */
typedef struct {
    double logvar, var, keras_var;          /* the Keras line */
    double penalty, two_kl, kl_exp;         /* the lecture's penalty */
    double one_mean, one_sd, one_kl;        /* one sample of -ELBO */
    double noisy_sd;                        /* g(X + eps) */
    double log_q, log_post, slip;           /* Bayes at z = mu(x) */
    audit07 audit;                          /* the second audit */
} note_checks;

/* Measures and prints the notes' errors on the first test image, at
 * latent dimension `dim`; log p(x) comes from L_iw. Under the last
 * banner. */
note_checks check_notes(vae_model *m, const data_set *test, int dim,
                        int iw, rng *r);

/* The pictures and tables: 64 samples from the prior (also as IDX),
 * reconstructions, interpolations, traversals, the latent dimensions,
 * and for a 2-D latent space the manifold and the test means. */
void write_pictures(vae_model *m, const data_set *test,
                    const evaluation *ev, const char *out, rng *r)
{
    enum { NSAMPLES = 64 };
    int L = m->cfg.latent;
    real *images = sys_alloc(NSAMPLES * PIXELS, sizeof *images);
    vae_sample_prior(images, m, NULL, NSAMPLES, r);
    image_grid(out, "samples.png", images, NSAMPLES, SIDE, SIDE, 8, 2);
    data_write_images(out, "samples-images-idx3-ubyte", images, NSAMPLES,
                      SIDE, SIDE);
    write_reconstructions(m, test, out);
    write_interpolation(m, test, out);
    write_traversal(m, test, ev->kl, out);
    write_latent_dims(ev->kl, ev->activity, L, out);
    if (L == 2) {
        write_manifold(m, out);
        write_latent_means(m, test, out);
    }
    free(images);
}

/* The summary block. */
void print_summary(const vae_run *run, int train_n, int test_n,
                   const vae_model *m, const evaluation *ev,
                   const note_checks *c, double seconds)
{
    char key[64];
    report_summary_begin();
    report_summary("epochs", run->epochs_done);
    report_summary("train_images", train_n);
    report_summary("test_images", test_n);
    if (run->epochs_done > 0) {
        const vae_epoch *h = &run->history[run->epochs_done - 1];
        report_summary("train_neg_elbo", h->train_nll + h->train_kl);
    }
    report_summary("test_neg_elbo", ev->test.nll + ev->test.kl);
    report_summary("test_reconstruction", ev->test.nll);
    report_summary("test_kl", ev->test.kl);
    report_summary("pixel_entropy", ev->floor);
    for (int j = 0; j < ev->nk; j++) {
        snprintf(key, sizeof key, "iw_nll_k%d", ev->ks[j]);
        report_summary(key, -ev->bound[j]);
    }
    report_summary("active_units", ev->active);
    for (int j = 0; j < m->cfg.latent; j++) {
        snprintf(key, sizeof key, "kl_dim_%d", j + 1);
        report_summary(key, ev->kl[j]);
    }
    if (m->cfg.learn_sigma)
        report_summary("decoder_sigma", exp(*m->log_sigma));
    report_summary("reparam_logvar", c->logvar);
    report_summary("reparam_var", c->var);
    report_summary("keras_var", c->keras_var);
    report_summary("lecture_penalty", c->penalty);
    report_summary("lecture_two_kl_logvar", c->two_kl);
    report_summary("lecture_kl_std_exp", c->kl_exp);
    report_summary("one_sample_neg_elbo_mean", c->one_mean);
    report_summary("one_sample_neg_elbo_sd", c->one_sd);
    report_summary("one_sample_kl", c->one_kl);
    report_summary("noisy_input_mu_sd", c->noisy_sd);
    report_summary("bayes_log_q", c->log_q);
    report_summary("bayes_log_posterior", c->log_post);
    report_summary("bayes_slip", c->slip);
    note_audit_summary(&c->audit);
    if (run->epochs_done > 0)
        report_summary("seconds_per_epoch",
                       run->train_seconds / run->epochs_done);
    report_summary("seconds", seconds);
}

/* The training and test sets, cut to --train-size and --test-size.
 * With --binarize the test set is one fixed draw, the same for every
 * run; the training set gets new draws each epoch. */
void load_sets(data_set *train, data_set *test, const vae_options *o)
{
    data_load(train, o->data, "train", SIDE, SIDE);
    data_load(test, o->data, "t10k", SIDE, SIDE);
    data_truncate(train, o->train_size);
    data_truncate(test, o->test_size);
    if (o->binarize)
        data_binarize_fixed(test->x, (size_t)test->n * PIXELS);
}

/* The run's first lines: the model, the variant and the data. */
void print_setup(const vae_options *o, const vae_config *cfg,
                 const char *tag, int train_n, int test_n)
{
    printf("ch07_vae: seed %d, %s; %s, latent %d, hidden %d%s\n",
           o->seed, mat_threads_text(), tag + strlen("ch07_vae "),
           cfg->latent, cfg->hidden,
           o->binarize ? ", binarized pixels" : "");
    vae_print_variants(o, cfg);
    printf("data: %d training and %d test images from %s\n", train_n,
           test_n, o->data);
}

/* With --load, the checkpoint; else trains m, then saves the checkpoint
 * and the history before anything is evaluated, so that Ctrl-C (or a
 * crash later) loses no training. An interrupted run says how to go
 * on. */
vae_run train_or_load(vae_model *m, const data_set *train,
                      const data_set *test, const vae_options *o,
                      const char *tag, rng *r)
{
    vae_run run = {0};
    if (o->load != NULL) {
        vae_load(m, o->load, "ch07_vae");
        if (o->explore)
            vae_explore(m, test);   /* exits */
        return run;
    }
    printf("training: %d epochs, batch %d, Adam lr %g, beta %g%s\n\n",
           o->epochs, o->batch, o->lr, o->beta,
           o->warmup ? " (warm-up)" : "");
    run = vae_train(m, train, NULL, test, NULL, o, r);
    nn_params_save(&m->params, o->out, "vae.bin", tag);
    vae_write_history(&run, o->out);
    if (run.interrupted) {
        printf("\ninterrupted after %d epoch%s and %ld step%s: the "
               "checkpoint is saved; evaluate it with --load "
               "%s/vae.bin\n", run.epochs_done,
               run.epochs_done == 1 ? "" : "s", run.steps,
               run.steps == 1 ? "" : "s", o->out);
        report_files();
    }
    return run;
}

#ifndef TESTING
int main(int argc, char **argv)
{
    vae_options o = {
        .data = "data/mnist-mini", .train_size = 0, .test_size = 0,
        .latent = 20, .hidden = 400, .decoder = "bernoulli",
        .sigma = "0.1", .binarize = false, .epochs = 20, .batch = 128,
        .lr = 1e-3, .beta = 1.0, .warmup = 0, .eval_samples = 10,
        .iw = 1000, .threads = 0, .seed = 1, .out = "out/ch07_vae",
        .load = NULL, .activation = "relu", .encoder_layers = 1,
        .head = "logvar", .output = "sigmoid", .average = "none",
        .preset = "none",
    };
    cli_flag flags[] = {VAE_FLAGS(&o)};
    vae_parse("ch07_vae",
              "The variational autoencoder: trains the VAE of (7.9) on "
              "MNIST, samples, reconstructs, bounds log p(x) (7.11).",
              flags, CLI_COUNT(flags), argc, argv, &o);
    vae_config cfg = vae_options_config(&o, PIXELS, 0);
    mat_set_threads(o.threads);   /* 0: one per core */
    rng r;
    rng_seed(&r, (uint64_t)o.seed);
    double started = sys_seconds();
    report_prepare(o.out);   /* fail now, not after the training */

    data_set train, test;
    load_sets(&train, &test, &o);
    char tag[NN_TAG_MAX];
    vae_tag(tag, "ch07_vae", &cfg);
    print_setup(&o, &cfg, tag, train.n, test.n);

    static vae_model m;
    vae_init(&m, cfg, &r);
    vae_run run = train_or_load(&m, &train, &test, &o, tag, &r);
    int status = run.interrupted ? 130 : 0;   /* 128 + SIGINT */
    if (!run.interrupted) {
        evaluation ev = evaluate(&m, &test, &o, &r);
        note_checks notes = check_notes(&m, &test, ev.top, o.iw, &r);
        write_pictures(&m, &test, &ev, o.out, &r);
        print_summary(&run, train.n, test.n, &m, &ev, &notes,
                      sys_seconds() - started);
        report_files();
        free(ev.kl);
        free(ev.activity);
    }
    free(run.history);
    vae_free(&m);
    data_free(&train);
    data_free(&test);
    return status;
}

#endif

/* ---- the notes' errors, measured ---------------------------------------- */

//> ch07-keras
/* Note 002's Keras line, z = mu + exp(z_log_var) * eps: the standard
 * deviation it applies is e^l = sigma^2, so Var z = sigma^4, not the
 * sigma^2 = e^l that the KL term (2.9) assumes. */
void keras_reparam_forward(real *z, const real *mu, const real *logvar,
                           const real *eps, int n)
{
    for (int i = 0; i < n; i++)
        z[i] = mu[i] + (real)exp(logvar[i]) * eps[i];
}
//< ch07-keras

/* The sample variance of n draws of z at mu = 0 and log sigma^2 =
 * logvar, drawn by (7.5) or by the Keras line. */
double reparam_sample_variance(double logvar, bool keras, int n, rng *r)
{
    real mu = 0, lv = (real)logvar, eps, z;
    num_stats s = {0};
    for (int i = 0; i < n; i++) {
        eps = (real)rng_normal(r);
        if (keras)
            keras_reparam_forward(&z, &mu, &lv, &eps, 1);
        else
            vae_reparam_forward(&z, &mu, &lv, &eps, 1);
        num_stats_add(&s, z);
    }
    return num_stats_var(&s);
}

//> ch07-lecture-penalty
/* Note 001's penalty (Hung-yi Lee's lecture), for a code
 * c = m + exp(s) * e: exp(s) - (1 + s) + m^2. */
double lecture_penalty(double m, double s)
{
    return exp(s) - (1.0 + s) + m * m;
}
//< ch07-lecture-penalty

/* The spread of the one-sample -ELBO of one image over eps draws: its
 * reconstruction term varies with eps, its KL term (closed form) does
 * not. */
typedef struct {
    num_stats neg_elbo;     /* -log p(x|z) + KL over the draws */
    double kl;              /* KL(q(z|x) || N(0, I)), the same for all */
} one_sample;

one_sample one_sample_spread(vae_model *m, const real *x, int draws,
                             rng *r)
{
    int L = m->cfg.latent;
    vae_acts a;
    vae_acts_alloc(&a, &m->cfg, draws);
    real *xs = sys_alloc((size_t)draws * PIXELS, sizeof *xs);
    real *eps = sys_alloc((size_t)draws * L, sizeof *eps);
    double *nll = sys_alloc((size_t)draws, sizeof(double));
    for (int d = 0; d < draws; d++)
        memcpy(xs + (size_t)d * PIXELS, x, sizeof(real) * PIXELS);
    for (int i = 0; i < draws * L; i++)
        eps[i] = (real)rng_normal(r);
    vae_forward(&a, m, xs, NULL, eps, draws);
    vae_nll(&a, m, xs, draws, nll, 0, false);
    one_sample o = {{0}, 0};
    for (int j = 0; j < L; j++)
        o.kl += kl_std_normal_term(a.mu[j], a.logvar[j]);
    for (int d = 0; d < draws; d++)
        num_stats_add(&o.neg_elbo, nll[d] + o.kl);
    vae_acts_free(&a);
    free(xs);
    free(eps);
    free(nll);
    return o;
}

/* Note 002's g(X + eps), read literally: noise added to the pixels
 * (N(0, 1) each) before the encoder. Returns the standard deviation of
 * mu_j(X + eps) over the draws, for latent dimension j. */
double noisy_input_spread(vae_model *m, const real *x, int j, int draws,
                          rng *r)
{
    vae_acts a;
    vae_acts_alloc(&a, &m->cfg, draws);
    real *xs = sys_alloc((size_t)draws * PIXELS, sizeof *xs);
    for (int d = 0; d < draws; d++)
        for (int i = 0; i < PIXELS; i++)
            xs[(size_t)d * PIXELS + i] = x[i] + (real)rng_normal(r);
    vae_encode(&a, m, xs, NULL, draws);
    num_stats s = {0};
    for (int d = 0; d < draws; d++)
        num_stats_add(&s, a.mu[(size_t)d * m->cfg.latent + j]);
    vae_acts_free(&a);
    free(xs);
    return sqrt(num_stats_var(&s));
}

/* Measures and prints the notes' errors on the first test image, at
 * latent dimension `dim`; log p(x) comes from L_iw. */
note_checks check_notes(vae_model *m, const data_set *test, int dim,
                        int iw, rng *r)
{
    enum { DRAWS = 100000, SPREAD_DRAWS = 1000 };
    note_checks c;
    int L = m->cfg.latent;
    data_set first = single_image(test, 0);
    vae_acts a;
    vae_acts_alloc(&a, &m->cfg, 1);
    vae_encode(&a, m, first.x, NULL, 1);

    c.logvar = a.logvar[dim];
    c.var = reparam_sample_variance(c.logvar, false, DRAWS, r);
    c.keras_var = reparam_sample_variance(c.logvar, true, DRAWS, r);
    printf("\nnote 002's z = mu + exp(log_var) * eps, at the log sigma^2 "
           "= %.4f of the first test image's dimension %d:\n", c.logvar,
           dim + 1);
    printf("  Var z by (7.5) %.6g (sigma^2 = %.6g); by the Keras line "
           "%.6g (sigma^4 = %.6g)\n", c.var, exp(c.logvar), c.keras_var,
           exp(2 * c.logvar));

    const double pm = 0.5, ps = -1.0;
    c.penalty = lecture_penalty(pm, ps);
    c.two_kl = 2 * kl_std_normal_term(pm, ps);
    c.kl_exp = kl_std_normal_term(pm, 2 * ps);
    printf("note 001's penalty exp(s) - (1 + s) + m^2 at m = %g, s = %g: "
           "%.6f\n", pm, ps, c.penalty);
    printf("  = 2 KL(N(m, e^s) || N(0,1)), s as log-variance: %.6f\n",
           c.two_kl);
    printf("  but noise e^s * e has log-variance 2s: KL = %.6f\n",
           c.kl_exp);

    one_sample os = one_sample_spread(m, first.x, SPREAD_DRAWS, r);
    c.one_mean = os.neg_elbo.mean;
    c.one_sd = sqrt(num_stats_var(&os.neg_elbo));
    c.one_kl = os.kl;
    printf("one-sample -ELBO of the first test image over %d eps draws: "
           "mean %.3f, sd %.3f; its KL term %.3f for every draw\n",
           SPREAD_DRAWS, c.one_mean, c.one_sd, c.one_kl);
    c.noisy_sd = noisy_input_spread(m, first.x, dim, SPREAD_DRAWS, r);
    printf("note 002's g(X + eps): sd of mu_%d(X + eps) %.4f; "
           "g(X, eps) = mu + sigma eps has sd sigma = %.4f\n", dim + 1,
           c.noisy_sd, exp(0.5 * c.logvar));

    /* Bayes at z = mu(x): log p(z|x) = log p(x|z) + log p(z) - log p(x) */
    double log_px;
    vae_iw_bounds(&log_px, m, &first, NULL, &iw, 1, iw, r);
    vae_decode(&a, m, a.mu, NULL, 1);
    double log_px_z = -vae_nll(&a, m, first.x, 1, NULL, 0, false);
    double log_pz = 0;
    c.log_q = 0;
    for (int j = 0; j < L; j++) {
        log_pz += -0.5 * a.mu[j] * a.mu[j] - 0.5 * log(2 * M_PI);
        c.log_q += -0.5 * a.logvar[j] - 0.5 * log(2 * M_PI);
    }
    c.log_post = log_px_z + log_pz - log_px;
    c.slip = c.log_q + log_pz - log_px;
    printf("note 003's Bayes at z = mu(x), first test image: log q(z|x) = "
           "%.3f;\n  log p(x|z) + log p(z) - log p(x) = %.3f (right); "
           "log q(z|x) + log p(z) - log p(x) = %.3f (the slip)\n",
           c.log_q, c.log_post, c.slip);
    vae_acts_free(&a);
    c.audit = note_audit(m, test, c.logvar);
    return c;
}

/* ---- the notes' errors: the second audit -------------------------------- */

/* Note 001: the lecture's code is c = m + exp(s) e, so the noise has
 * variance e^(2s). At s = 0, the penalty's minimum, it is 1; it
 * vanishes only as s -> -infinity, not at s = 0 as the note says. */
double lecture_noise_variance(double s) { return exp(2.0 * s); }

/* Note 001 says the bound L_b and log p(x) always rise together. A
 * model with a closed form says otherwise: p(z) = N(0,1),
 * p(x|z) = N(w z, 1), so p(x) = N(0, 1 + w^2); q(z) = N(qm, qs^2). */
double linear_log_px(double x, double w)
{
    return num_log_normal_pdf(x, 0.0, sqrt(1.0 + w * w));
}

/* Its ELBO: E_q[log N(x; w z, 1)] - KL(q || N(0,1)), (7.3), in closed
 * form: E_q[(x - w z)^2] = (x - w qm)^2 + w^2 qs^2. */
double linear_elbo(double x, double w, double qm, double qs)
{
    double sq = (x - w * qm) * (x - w * qm) + w * w * qs * qs;
    return -0.5 * log(2.0 * M_PI) - 0.5 * sq -
           kl_std_normal_term(qm, 2.0 * log(qs));
}

/* Note 002 sets q(z) = p(eps) for z = mu + sigma eps. As a function of
 * z, p((z - mu)/sigma) has mass sigma, not 1: the Jacobian 1/sigma is
 * missing. Integrated by quadrature (mu = 0). */
double no_jacobian_integrand(double z, void *ctx)
{
    double sigma = *(const double *)ctx;
    return exp(num_log_normal_pdf(z / sigma, 0.0, 1.0));
}

double no_jacobian_mass(double sigma)
{
    return num_integrate(no_jacobian_integrand, &sigma, -40.0 * sigma,
                         40.0 * sigma, 1e-15, 1e-12).value;
}

/* Note 003's "constant" E[int p(z|x) ln(p~(x) p(z|x)) dz] holds, beside
 * ln p~(x), int q ln q dz = -H(q): for a diagonal Gaussian
 * -1/2 sum_j (1 + ln 2 pi + l_j). It moves with x and the encoder. */
double gaussian_neg_entropy(const real *logvar, int L)
{
    double h = 0.0;
    for (int j = 0; j < L; j++)
        h -= 0.5 * (1.0 + log(2.0 * M_PI) + logvar[j]);
    return h;
}

/* Measures and prints the second audit's numbers; `logvar` is the
 * first test image's log sigma^2 in its most informative dimension. */
audit07 note_audit(vae_model *m, const data_set *test, double logvar)
{
    audit07 a;
    a.noise_var_0 = lecture_noise_variance(0.0);
    a.noise_var_5 = lecture_noise_variance(-5.0);
    printf("note 001's 'sigma would go to 0': noise exp(s) e has variance "
           "%.4g at s = 0, %.3g at s = -5;\n  it vanishes only as "
           "s -> -inf\n", a.noise_var_0, a.noise_var_5);

    const double x = 1.0, qm = 1.0, qs = 0.5, w1 = 0.8;
    a.elbo_w0 = linear_elbo(x, 0.0, qm, qs);
    a.elbo_w1 = linear_elbo(x, w1, qm, qs);
    a.logp_w0 = linear_log_px(x, 0.0);
    a.logp_w1 = linear_log_px(x, w1);
    printf("note 001's 'L_b and log p(x) rise together': p(x|z) = "
           "N(wz, 1), q = N(1, 0.5^2), x = 1,\n  w = 0 -> %.1f: ELBO "
           "%.4f -> %.4f, log p(x) %.4f -> %.4f\n", w1, a.elbo_w0,
           a.elbo_w1, a.logp_w0, a.logp_w1);

    a.sigma = exp(0.5 * logvar);
    a.q_at_mu = exp(num_log_normal_pdf(0.0, 0.0, a.sigma));
    a.p_eps_0 = exp(num_log_normal_pdf(0.0, 0.0, 1.0));
    a.mass = no_jacobian_mass(a.sigma);
    printf("note 002's q(z) = p(eps), at sigma = %.4f: q(mu) = %.4f, "
           "p(0) = %.4f;\n  p((z - mu)/sigma) integrates to %.4f over z, "
           "not 1\n", a.sigma, a.q_at_mu, a.p_eps_0, a.mass);

    int L = m->cfg.latent;
    vae_acts acts;
    vae_acts_alloc(&acts, &m->cfg, 2);
    vae_encode(&acts, m, test->x, NULL, test->n < 2 ? test->n : 2);
    a.neg_h1 = gaussian_neg_entropy(acts.logvar, L);
    a.neg_h2 = test->n < 2 ? a.neg_h1
                           : gaussian_neg_entropy(acts.logvar + L, L);
    vae_acts_free(&acts);
    printf("note 003's constant: int q ln q dz = %.3f for the first test "
           "image, %.3f for the second\n", a.neg_h1, a.neg_h2);
    return a;
}

/* The second audit's lines of the summary block. */
void note_audit_summary(const audit07 *a)
{
    report_summary("lecture_noise_var_s0", a->noise_var_0);
    report_summary("linear_elbo_w0", a->elbo_w0);
    report_summary("linear_elbo_w08", a->elbo_w1);
    report_summary("linear_log_px_w0", a->logp_w0);
    report_summary("linear_log_px_w08", a->logp_w1);
    report_summary("no_jacobian_mass", a->mass);
    report_summary("neg_entropy_q_image1", a->neg_h1);
    report_summary("neg_entropy_q_image2", a->neg_h2);
}
