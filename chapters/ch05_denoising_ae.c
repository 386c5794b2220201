/* ch05_denoising_ae.c -- Chapter 5: the denoising autoencoder.
 *
 * Corrupts images -- masking noise (5.1), Gaussian noise (5.2) or salt
 * and pepper (5.3) -- and trains chapter 3's autoencoder (common/ae.c)
 * to map the corrupted image back to the clean one. For comparison the
 * same run trains the plain autoencoder of chapter 3, on clean images,
 * and feeds it the same noisy test images. Quality is the PSNR (5.4) of
 * each output against the clean image: the noisy input's, the plain
 * AE's and the denoising AE's. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ae.h"
#include "cli.h"
#include "data.h"
#include "flags.h"
#include "image.h"
#include "mat.h"
#include "report.h"
#include "rng.h"
#include "sys.h"

typedef enum { NOISE_MASK, NOISE_GAUSS, NOISE_SALT_PEPPER } noise_kind;

/* A corruption: which, and how much (a probability, or sigma). */
typedef struct {
    noise_kind kind;
    double level;
} noise;

//> ch05-corrupt
/* Corrupts n pixels in place. Matches ae_corrupt_fn; ctx is a noise.
 *   mask        each pixel set to 0 with probability p        (5.1)
 *   gauss       x + sigma eps, eps ~ N(0,1), clipped to [0,1] (5.2)
 *   saltpepper  each pixel, with probability p, set to 0 or 1
 *               with probability 1/2 each                     (5.3) */
void noise_corrupt(real *x /* (n) */, int n, rng *r, const void *ctx)
{
    const noise *c = ctx;
    for (int i = 0; i < n; i++) {
        if (c->kind == NOISE_MASK) {
            if (rng_uniform(r) < c->level)
                x[i] = 0;
        } else if (c->kind == NOISE_GAUSS) {
            double v = x[i] + c->level * rng_normal(r);
            x[i] = (real)fmin(fmax(v, 0.0), 1.0);
        } else if (rng_uniform(r) < c->level) {
            x[i] = rng_uniform(r) < 0.5 ? 0 : 1;
        }
    }
}
//< ch05-corrupt

/* PSNR of `a` against `b`, n pixels each: (5.4) of their mean squared
 * difference. */
/* TASK ch05-psnr (5.4) */
double psnr_between(const real *a, const real *b, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        double d = (double)a[i] - b[i];
        sum += d * d;
    }
    return ae_psnr(sum / n);
}

/* The outputs of the model on the first n (<= its batch) images. */
void outputs_of(real *y /* (n, dim) */, ae_model *m,
                const real *x /* (n, dim) */, int n)
{
    ae_forward(m, x, n);
    memcpy(y, ae_output(m), (size_t)n * m->shape.dim * sizeof *y);
}

/* comparison.png: ten test digits per column group, in rows: clean,
 * noisy, the plain AE on the noisy image, the denoising AE on it. */
void write_grids(ae_model *ae, ae_model *dae, const data_set *test,
                 const real *noisy, const char *out)
{
    enum { N = 20 };
    size_t dim = (size_t)test->dim, block = N * dim;
    real *grid = sys_alloc(4 * block, sizeof *grid);
    memcpy(grid, test->x, block * sizeof *grid);
    memcpy(grid + block, noisy, block * sizeof *grid);
    outputs_of(grid + 2 * block, ae, noisy, N);
    outputs_of(grid + 3 * block, dae, noisy, N);
    int h = test->rows, w = test->cols;
    image_grid(out, "clean.png", grid, N, h, w, 10, 2);
    image_grid(out, "noisy.png", grid + block, N, h, w, 10, 2);
    image_grid(out, "ae-on-noisy.png", grid + 2 * block, N, h, w, 10, 2);
    image_grid(out, "denoised.png", grid + 3 * block, N, h, w, 10, 2);
    /* the comparison: rows of 10 from each, clean above noisy above
     * the two reconstructions */
    real *rows = sys_alloc(4 * block, sizeof *rows);
    for (int half = 0; half < N / 10; half++)
        for (int k = 0; k < 4; k++)
            memcpy(rows + (size_t)(half * 4 + k) * 10 * dim,
                   grid + k * block + (size_t)half * 10 * dim,
                   10 * dim * sizeof *rows);
    image_grid(out, "comparison.png", rows, 4 * N, h, w, 10, 2);
    free(rows);
    free(grid);
}

/* ---- the program ------------------------------------------------------ */

/* The noise a flag names, "mask", "gauss" or "saltpepper", at level. */
noise noise_named(const char *name, double level)
{
    static const char *const names[] = {"mask", "gauss", "saltpepper"};
    noise c = {NOISE_MASK, level};
    for (int k = 0; k < 3; k++)
        if (strcmp(name, names[k]) == 0)
            c.kind = (noise_kind)k;
    return c;
}

/* One noisy copy of the test images, the same for both models; its
 * PSNR (5.4) against the clean ones is printed and put in *psnr. */
real *noisy_test_images(const data_set *test, const noise *c, rng *r,
                        double *psnr)
{
    size_t pixels = (size_t)test->n * test->dim;
    real *noisy = sys_alloc(pixels, sizeof *noisy);
    memcpy(noisy, test->x, pixels * sizeof *noisy);
    noise_corrupt(noisy, (int)pixels, r, c);
    *psnr = psnr_between(noisy, test->x, pixels);
    printf("noisy test images: PSNR %.2f dB against the clean ones\n",
           *psnr);
    return noisy;
}

/* The plain and the denoising autoencoder, of one shape, built with
 * weights drawn from r (the plain one's first), and described. */
void build_both(ae_model *ae, ae_model *dae, int dim, int hidden,
                int latent, const char *loss, const ae_options *o, rng *r)
{
    ae_shape shape = ae_relu_shape(dim, hidden, latent,
        strcmp(loss, "bce") == 0 ? AE_LOSS_BCE : AE_LOSS_MSE);
    int capacity = o->batch > 100 ? o->batch : 100;
    ae_init(ae, shape, capacity, r);
    ae_init(dae, shape, capacity, r);
    char widths[64];
    ae_describe(widths, sizeof widths, ae);
    printf("two autoencoders %s, ReLU, %s loss, Adam lr %g, batch %d, %d "
           "epochs each\n", widths, loss, o->lr, o->batch, o->epochs);
}

/* Trains the plain AE on clean images (loss-ae.tsv) and the denoising
 * AE on images corrupted afresh each epoch by c (loss-dae.tsv); the
 * first is tested on the clean test images, the second on the noisy
 * ones, both against the clean. Returns the seconds both took. */
double train_both(ae_model *ae, ae_model *dae, const noise *c,
                  const ae_options *o, const data_set *train,
                  const data_set *test, const real *noisy, rng *r)
{
    report_tsv ae_tsv, dae_tsv;
    report_tsv_open(&ae_tsv, o->out, "loss-ae.tsv", AE_LOSS_TSV_HEADER);
    report_tsv_open(&dae_tsv, o->out, "loss-dae.tsv", AE_LOSS_TSV_HEADER);
    double start = sys_seconds();
    printf("the plain AE, clean -> clean (test: clean -> clean):\n");
    ae_train_config cfg = {.epochs = o->epochs, .batch = o->batch,
                           .adam = nn_adam_defaults(o->lr), .label = "ae"};
    ae_train(ae, &cfg, train, test->x, test->x, test->n, r, &ae_tsv);
    printf("the denoising AE, noisy -> clean (test: noisy -> clean):\n");
    cfg.label = "dae";
    cfg.corrupt = noise_corrupt;
    cfg.corrupt_ctx = c;
    ae_train(dae, &cfg, train, noisy, test->x, test->n, r, &dae_tsv);
    double seconds = sys_seconds() - start;
    report_tsv_close(&ae_tsv);
    report_tsv_close(&dae_tsv);
    return seconds;
}

/* What the two models score on the noisy and the clean test images. */
typedef struct {
    double noisy;               /* PSNR of the noisy input itself */
    double ae, dae;             /* PSNR of each on the noisy input */
    double ae_clean, dae_clean; /* PSNR of each on the clean input */
    double ae_bce, dae_bce;     /* BCE per image on the noisy input */
} psnr_results;

/* The PSNR (5.4) of each model's output against the clean test images,
 * from the noisy and from the clean input, printed. */
psnr_results compare_psnr(ae_model *ae, ae_model *dae,
                          const data_set *test, const real *noisy,
                          double psnr_noisy)
{
    psnr_results p = {.noisy = psnr_noisy};
    double d = test->dim;
    ae_eval ae_noisy = ae_evaluate(ae, noisy, test->x, test->n);
    ae_eval dae_noisy = ae_evaluate(dae, noisy, test->x, test->n);
    ae_eval ae_clean = ae_evaluate(ae, test->x, test->x, test->n);
    ae_eval dae_clean = ae_evaluate(dae, test->x, test->x, test->n);
    p.ae = ae_psnr(ae_noisy.sse / d);
    p.dae = ae_psnr(dae_noisy.sse / d);
    p.ae_clean = ae_psnr(ae_clean.sse / d);
    p.dae_clean = ae_psnr(dae_clean.sse / d);
    p.ae_bce = ae_noisy.bce;
    p.dae_bce = dae_noisy.bce;
    printf("\nPSNR against the clean test images (dB):\n");
    printf("  %-32s %6.2f\n", "noisy input", p.noisy);
    printf("  %-32s %6.2f\n", "plain AE on the noisy input", p.ae);
    printf("  %-32s %6.2f\n", "denoising AE on the noisy input", p.dae);
    printf("  %-32s %6.2f\n", "plain AE on the clean input", p.ae_clean);
    printf("  %-32s %6.2f\n", "denoising AE on the clean input",
           p.dae_clean);
    return p;
}

/* psnr.tsv: the three PSNRs on the noisy input at this noise level. */
void write_psnr(const psnr_results *p, double level, const char *out)
{
    report_tsv t;
    report_tsv_open(&t, out, "psnr.tsv",
                    "level\tpsnr_noisy\tpsnr_ae\tpsnr_dae");
    report_tsv_row(&t, (double[]){level, p->noisy, p->ae, p->dae});
    report_tsv_close(&t);
}

/* The summary block; entropy is the clean test pixels' per image, what
 * the BCE cannot go below (5.8). */
void print_summary(const char *noise_name, double level,
                   const psnr_results *p, double entropy,
                   double train_seconds)
{
    report_summary_begin();
    report_summary_text("noise", noise_name);
    report_summary("level", level);
    report_summary("psnr_noisy", p->noisy);
    report_summary("psnr_ae", p->ae);
    report_summary("psnr_dae", p->dae);
    report_summary("psnr_ae_clean", p->ae_clean);
    report_summary("psnr_dae_clean", p->dae_clean);
    report_summary("gain_over_noisy", p->dae - p->noisy);
    report_summary("gain_over_ae", p->dae - p->ae);
    report_summary("ae_test_bce_noisy", p->ae_bce);
    report_summary("dae_test_bce_noisy", p->dae_bce);
    report_summary("clean_pixel_entropy", entropy);
    report_summary("dae_test_pixel_kl", p->dae_bce - entropy);
    report_summary("train_seconds", train_seconds);
}

#ifndef TESTING
int main(int argc, char **argv)
{
    const char *noise_name = "mask", *loss = "bce";
    double level = 0.3;
    int latent = 256, hidden = 0;
    ae_options o = {.epochs = 10, .batch = 100, .lr = 3e-3,
                    .data = "data/mnist-mini", .threads = 1, .seed = 1,
                    .out = "out/ch05_denoising_ae"};
    /* The chapter's own flags, then those chapters 3-5 share
     * (flags.h); a table is data, so each chapter writes its own. */
    cli_flag flags[] = {
        {"noise", CLI_CHOICE, &noise_name, "mask|gauss|saltpepper",
         "corruption of the input"},
        {"level", CLI_REAL, &level, "(0,1]",
         "masking or salt-and-pepper probability, or Gaussian sigma"},
        FLAG_LOSS(&loss),
        {"latent", CLI_INT, &latent, "[1,4096]",
         "width k of the code (the hidden layer if --hidden 0)"},
        {"hidden", CLI_INT, &hidden, "[0,4096]",
         "width h of two more hidden layers, 784-h-k-h-784 (0: none)"},
        AE_FLAGS(&o, "passes over the data, for each of the two models"),
    };
    cli_parse("ch05_denoising_ae",
              "A denoising autoencoder on MNIST against the plain one, "
              "by PSNR on noisy test images.",
              flags, CLI_COUNT(flags), argc, argv);
    /* The start chapters 3-5 share (parse, check --out, threads, the
     * stream) stays written out: four calls a reader should see. */
    report_prepare(o.out);   /* before any work: can it be written? */
    mat_set_threads(o.threads);
    rng r;
    rng_seed(&r, (uint64_t)o.seed);
    noise c = noise_named(noise_name, level);

    data_set train, test;
    ae_load_mnist(&train, &test, o.data, o.train_size);
    printf("ch05_denoising_ae: seed %d, %s, %d training and %d "
           "test images from %s; noise %s at %g\n", o.seed, mat_threads_text(),
           train.n, test.n, o.data, noise_name, level);

    double psnr_noisy;
    real *noisy = noisy_test_images(&test, &c, &r, &psnr_noisy);
    ae_model ae, dae;
    build_both(&ae, &dae, train.dim, hidden, latent, loss, &o, &r);
    double train_seconds = train_both(&ae, &dae, &c, &o, &train, &test,
                                      noisy, &r);
    psnr_results p = compare_psnr(&ae, &dae, &test, noisy, psnr_noisy);
    write_grids(&ae, &dae, &test, noisy, o.out);
    write_psnr(&p, level, o.out);
    print_summary(noise_name, level, &p, data_pixel_entropy(&test),
                  train_seconds);
    report_files();
    free(noisy);
    ae_free(&ae);
    ae_free(&dae);
    data_free(&train);
    data_free(&test);
    return 0;
}
#endif
