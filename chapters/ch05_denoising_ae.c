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

static const char *const noise_names[] = {"mask", "gauss", "saltpepper"};

#ifndef TESTING
int main(int argc, char **argv)
{
    const char *noise_name = "mask", *loss = "bce";
    double level = 0.3;
    int latent = 256, hidden = 0;
    ae_options o = {.epochs = 10, .batch = 100, .lr = 3e-3,
                    .data = "data/mnist-mini", .threads = 1, .seed = 1,
                    .out = "out/ch05_denoising_ae"};
    cli_flag flags[] = {
        {"noise", CLI_CHOICE, &noise_name, "mask|gauss|saltpepper",
         "corruption of the input"},
        {"level", CLI_REAL, &level, "(0,1]",
         "masking or salt-and-pepper probability, or Gaussian sigma"},
        {"loss", CLI_CHOICE, &loss, "mse|bce",
         "reconstruction loss: squared error or cross-entropy"},
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
    report_prepare(o.out);   /* before any work: can it be written? */
    mat_set_threads(o.threads);
    rng r;
    rng_seed(&r, (uint64_t)o.seed);
    noise c = {NOISE_MASK, level};
    for (int k = 0; k < 3; k++)
        if (strcmp(noise_name, noise_names[k]) == 0)
            c.kind = (noise_kind)k;

    data_set train, test;
    data_load(&train, o.data, "train", 28, 28);
    data_load(&test, o.data, "t10k", 28, 28);
    data_truncate(&train, o.train_size);
    size_t pixels = (size_t)test.n * test.dim;
    printf("ch05_denoising_ae: seed %d, %s, %d training and %d "
           "test images from %s; noise %s at %g\n", o.seed, mat_threads_text(),
           train.n, test.n, o.data, noise_name, level);

    /* One noisy copy of the test set, the same for both models. */
    real *noisy = sys_alloc(pixels, sizeof *noisy);
    memcpy(noisy, test.x, pixels * sizeof *noisy);
    noise_corrupt(noisy, (int)pixels, &r, &c);
    double psnr_noisy = psnr_between(noisy, test.x, pixels);
    printf("noisy test images: PSNR %.2f dB against the clean ones\n",
           psnr_noisy);

    ae_shape shape = {
        .dim = train.dim, .hidden = hidden, .latent = latent,
        /* with no hidden layers the code is the one hidden layer */
        .hidden_act = AE_RELU,
        .code_act = hidden > 0 ? AE_IDENTITY : AE_RELU,
        .loss = strcmp(loss, "bce") == 0 ? AE_LOSS_BCE : AE_LOSS_MSE,
    };
    int capacity = o.batch > 100 ? o.batch : 100;
    ae_model ae, dae;
    ae_init(&ae, shape, capacity, &r);
    ae_init(&dae, shape, capacity, &r);
    char widths[64];
    ae_describe(widths, sizeof widths, &ae);
    printf("two autoencoders %s, ReLU, %s loss, Adam lr %g, batch %d, %d "
           "epochs each\n", widths, loss, o.lr, o.batch, o.epochs);

    report_tsv ae_tsv, dae_tsv;
    report_tsv_open(&ae_tsv, o.out, "loss-ae.tsv", AE_LOSS_TSV_HEADER);
    report_tsv_open(&dae_tsv, o.out, "loss-dae.tsv", AE_LOSS_TSV_HEADER);
    double start = sys_seconds();
    printf("the plain AE, clean -> clean (test: clean -> clean):\n");
    ae_train_config cfg = {.epochs = o.epochs, .batch = o.batch,
                           .adam = nn_adam_defaults(o.lr), .label = "ae"};
    ae_train(&ae, &cfg, &train, test.x, test.x, test.n, &r, &ae_tsv);
    printf("the denoising AE, noisy -> clean (test: noisy -> clean):\n");
    cfg.label = "dae";
    cfg.corrupt = noise_corrupt;
    cfg.corrupt_ctx = &c;
    ae_train(&dae, &cfg, &train, noisy, test.x, test.n, &r, &dae_tsv);
    double train_seconds = sys_seconds() - start;
    report_tsv_close(&ae_tsv);
    report_tsv_close(&dae_tsv);

    double d = test.dim;
    ae_eval ae_noisy = ae_evaluate(&ae, noisy, test.x, test.n);
    ae_eval dae_noisy = ae_evaluate(&dae, noisy, test.x, test.n);
    ae_eval ae_clean = ae_evaluate(&ae, test.x, test.x, test.n);
    ae_eval dae_clean = ae_evaluate(&dae, test.x, test.x, test.n);
    double psnr_ae = ae_psnr(ae_noisy.sse / d);
    double psnr_dae = ae_psnr(dae_noisy.sse / d);
    printf("\nPSNR against the clean test images (dB):\n");
    printf("  %-32s %6.2f\n", "noisy input", psnr_noisy);
    printf("  %-32s %6.2f\n", "plain AE on the noisy input", psnr_ae);
    printf("  %-32s %6.2f\n", "denoising AE on the noisy input",
           psnr_dae);
    printf("  %-32s %6.2f\n", "plain AE on the clean input",
           ae_psnr(ae_clean.sse / d));
    printf("  %-32s %6.2f\n", "denoising AE on the clean input",
           ae_psnr(dae_clean.sse / d));
    write_grids(&ae, &dae, &test, noisy, o.out);
    report_tsv psnr;
    report_tsv_open(&psnr, o.out, "psnr.tsv",
                    "level\tpsnr_noisy\tpsnr_ae\tpsnr_dae");
    report_tsv_row(&psnr, (double[]){level, psnr_noisy, psnr_ae,
                                     psnr_dae});
    report_tsv_close(&psnr);

    report_summary_begin();
    report_summary_text("noise", noise_name);
    report_summary("level", level);
    report_summary("psnr_noisy", psnr_noisy);
    report_summary("psnr_ae", psnr_ae);
    report_summary("psnr_dae", psnr_dae);
    report_summary("psnr_ae_clean", ae_psnr(ae_clean.sse / d));
    report_summary("psnr_dae_clean", ae_psnr(dae_clean.sse / d));
    report_summary("gain_over_noisy", psnr_dae - psnr_noisy);
    report_summary("gain_over_ae", psnr_dae - psnr_ae);
    double entropy = data_pixel_entropy(&test);
    report_summary("ae_test_bce_noisy", ae_noisy.bce);
    report_summary("dae_test_bce_noisy", dae_noisy.bce);
    report_summary("clean_pixel_entropy", entropy);
    report_summary("dae_test_pixel_kl", dae_noisy.bce - entropy);
    report_summary("train_seconds", train_seconds);
    report_files();
    free(noisy);
    ae_free(&ae);
    ae_free(&dae);
    data_free(&train);
    data_free(&test);
    return 0;
}
#endif
