/* ch04_sparse_ae.c -- Chapter 4: the sparse autoencoder.
 *
 * One sigmoid hidden layer, 784-h-784, trained like chapter 3's
 * autoencoder (common/ae.c) plus a penalty that keeps each hidden unit
 * quiet on most images: beta times the sum over units j of
 * KL(Bernoulli(rho) || Bernoulli(rho-hat_j)), (4.4), where rho-hat_j is
 * the unit's mean activation over the batch, (4.3) -- or, with
 * --penalty l1, beta times the mean activation itself, (4.7). Writes the
 * learned filters (the first layer's weights as images) and the
 * histogram of the units' mean activations on the test set. */
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

//> ch04-kl-bernoulli
/* KL(Bernoulli(rho) || Bernoulli(q)), equation (4.1): the KL divergence
 * of chapter 0 over the two outcomes "active" and "quiet". */
double kl_bernoulli(double rho, double q)
{
    return rho * log(rho / q) + (1 - rho) * log((1 - rho) / (1 - q));
}

/* Its derivative in q, equation (4.2): zero at q = rho, negative below
 * (a unit too quiet is pushed up), positive above. */
double kl_bernoulli_grad(double rho, double q)
{
    return -rho / q + (1 - rho) / (1 - q);
}
//< ch04-kl-bernoulli

/* Which penalty, how strong, and toward what mean activation. */
typedef struct {
    bool l1;        /* L1 (4.7) instead of the KL penalty (4.4) */
    double rho;     /* the target mean activation */
    double beta;    /* the penalty's weight */
} sparsity;

/* rho-hat may not reach 0 or 1, where (4.1) is infinite: a float
 * sigmoid rounds to exactly 1 above z = 17. (A macro, not a const:
 * the student edition's stub of sparsity_penalty leaves it unused.) */
#define RHO_HAT_MIN 1e-6

//> ch04-penalty
/* The sparsity penalty of a batch of codes a (B, h) in (0, 1), and its
 * gradient added into da: with rho-hat_j the mean of column j (4.3),
 *   KL:  beta sum_j KL(rho || rho-hat_j),  d/da_bj = beta/B KL'  (4.5)
 *   L1:  beta/B sum_bj |a_bj|,             d/da_bj = beta/B      (4.7)
 * The sigmoid's backward then carries da into the pre-activations,
 * (4.6). Matches ae_penalty_fn; ctx is a sparsity. */
/* TASK ch04-sparsity (4.5) */
double sparsity_penalty(real *da /* (B, h) */,
                        const real *a /* (B, h) */, int B, int h,
                        const void *ctx)
{
    const sparsity *s = ctx;
    double total = 0;
    for (int j = 0; j < h; j++) {
        double mean = 0;
        for (int b = 0; b < B; b++)
            mean += a[(size_t)b * h + j];
        mean /= B;                                    /* (4.3) */
        double g;
        if (s->l1) {
            total += s->beta * mean;   /* a > 0, so |a| = a */
            g = s->beta / B;
        } else {
            mean = fmin(fmax(mean, RHO_HAT_MIN), 1 - RHO_HAT_MIN);
            total += s->beta * kl_bernoulli(s->rho, mean);
            g = s->beta / B * kl_bernoulli_grad(s->rho, mean);
        }
        for (int b = 0; b < B; b++)
            da[(size_t)b * h + j] += (real)g;
    }
    return total;
}
//< ch04-penalty

/* Each hidden unit's mean activation over n images, into mean (h). */
void unit_means(double *mean /* (h) */, ae_model *m,
                const real *x /* (n, dim) */, int n)
{
    int h = m->shape.latent;
    memset(mean, 0, (size_t)h * sizeof *mean);
    for (int i = 0; i < n; i += m->batch) {
        int B = n - i < m->batch ? n - i : m->batch;
        ae_forward(m, x + (size_t)i * m->shape.dim, B);
        const real *a = ae_code(m);
        for (int b = 0; b < B; b++)
            for (int j = 0; j < h; j++)
                mean[j] += a[(size_t)b * h + j];
    }
    for (int j = 0; j < h; j++)
        mean[j] /= n;
}

/* The fraction of (image, unit) activations above `level` on n images:
 * how many units an image switches on. */
double active_fraction(ae_model *m, const real *x /* (n, dim) */, int n,
                       double level)
{
    int h = m->shape.latent;
    long above = 0;
    for (int i = 0; i < n; i += m->batch) {
        int B = n - i < m->batch ? n - i : m->batch;
        ae_forward(m, x + (size_t)i * m->shape.dim, B);
        for (int k = 0; k < B * h; k++)
            above += ae_code(m)[k] > level;
    }
    return (double)above / ((double)n * h);
}

/* histogram.tsv: how many units have their mean activation in each bin
 * of width 0.01 on [0, 1]. */
void write_histogram(const double *mean, int h, const char *out)
{
    enum { BINS = 100 };
    int count[BINS] = {0};
    for (int j = 0; j < h; j++) {
        int bin = (int)(mean[j] * BINS);
        count[bin < 0 ? 0 : bin >= BINS ? BINS - 1 : bin]++;
    }
    report_tsv t;
    report_tsv_open(&t, out, "histogram.tsv", "bin_center\tunits");
    for (int i = 0; i < BINS; i++)
        report_tsv_row(&t, (double[]){(i + 0.5) / BINS, count[i]});
    report_tsv_close(&t);
}

/* filters.png: row j of the first layer's weights (h, dim) as an image,
 * scaled to its own range. Two things are for the eye only. Pixels that
 * carry ink in fewer than 1% of the training images are shown at the
 * filter's mean: Adam scales each step by the gradient's own size, so
 * the few images that reach them move their weights as far as the busy
 * ones, and that rim of noise would set the gray scale. And each filter
 * is clipped at its mean +- 3 standard deviations. */
void write_filters(const ae_model *m, const data_set *train,
                   const char *out)
{
    int h = m->shape.latent, dim = m->shape.dim;
    real *w = sys_alloc((size_t)h * dim, sizeof *w);
    bool *rare = sys_alloc((size_t)dim, sizeof *rare);
    for (int i = 0; i < dim; i++) {
        int inked = 0;
        for (int e = 0; e < train->n; e++)
            inked += train->x[(size_t)e * dim + i] > 0;
        rare[i] = inked < 0.01 * train->n;
    }
    for (int j = 0; j < h; j++) {
        const real *row = m->layer[0].w + (size_t)j * dim;
        double sum = 0, sum2 = 0;
        int used = 0;
        for (int i = 0; i < dim; i++)
            if (!rare[i]) {
                sum += row[i];
                sum2 += (double)row[i] * row[i];
                used++;
            }
        double mean = used ? sum / used : 0;
        double sd = used ? sqrt(fmax(sum2 / used - mean * mean, 0)) : 0;
        for (int i = 0; i < dim; i++)
            w[(size_t)j * dim + i] = rare[i] ? (real)mean
                : (real)fmin(fmax(row[i], mean - 3 * sd), mean + 3 * sd);
    }
    int grid = (int)ceil(sqrt((double)h));
    image_grid_rescaled(out, "filters.png", w, h, train->rows, train->cols,
                        grid, 2);
    free(w);
    free(rare);
}

/* ---- the program ------------------------------------------------------ */

/* The autoencoder 784-h-784 with a sigmoid hidden layer of h units,
 * built with weights drawn from r, and described with its penalty. */
void build_sparse_autoencoder(ae_model *m, int dim, int hidden,
                              const char *loss, const char *penalty,
                              const sparsity *s, const ae_options *o,
                              rng *r)
{
    ae_shape shape = {
        .dim = dim, .hidden = 0, .latent = hidden,
        .code_act = AE_SIGMOID,
        .loss = strcmp(loss, "bce") == 0 ? AE_LOSS_BCE : AE_LOSS_MSE,
    };
    ae_init(m, shape, o->batch > 100 ? o->batch : 100, r);
    char widths[64];
    ae_describe(widths, sizeof widths, m);
    printf("autoencoder %s, sigmoid hidden layer, %s loss, %zu "
           "parameters; penalty %s, beta %g", widths, loss, m->params.count,
           penalty, s->beta);
    if (!s->l1)
        printf(", rho %g", s->rho);
    printf("\n");
}

/* Trains m with the penalty s (none if its beta is 0), its progress in
 * loss.tsv. Returns the last test evaluation; *seconds, the time. */
ae_eval train_sparse(ae_model *m, const sparsity *s, const ae_options *o,
                     const data_set *train, const data_set *test, rng *r,
                     double *seconds)
{
    ae_train_config cfg = {.epochs = o->epochs, .batch = o->batch,
                           .adam = nn_adam_defaults(o->lr), .label = "sae"};
    if (s->beta > 0) {
        cfg.penalty = sparsity_penalty;
        cfg.penalty_ctx = s;
    }
    report_tsv loss_tsv;
    report_tsv_open(&loss_tsv, o->out, "loss.tsv", AE_LOSS_TSV_HEADER);
    double start = sys_seconds();
    ae_eval te = ae_train(m, &cfg, train, test->x, test->x, test->n, r,
                          &loss_tsv);
    *seconds = sys_seconds() - start;
    report_tsv_close(&loss_tsv);
    return te;
}

/* How the hidden units fire on the test images. */
typedef struct {
    double overall, lo, hi;     /* mean over the units, least, most */
    int quiet;                  /* units whose mean is below 0.01 */
    double on;                  /* fraction of activations above 0.5 */
} activation_stats;

/* The hidden units' mean activations on the test images, printed, and
 * their histogram (histogram.tsv). */
activation_stats measure_activations(ae_model *m, const data_set *test,
                                     const char *out)
{
    activation_stats a = {.overall = 0, .lo = 1, .hi = 0};
    int hidden = m->shape.latent;
    double *mean = sys_alloc((size_t)hidden, sizeof *mean);
    unit_means(mean, m, test->x, test->n);
    for (int j = 0; j < hidden; j++) {
        a.overall += mean[j] / hidden;
        a.lo = fmin(a.lo, mean[j]);
        a.hi = fmax(a.hi, mean[j]);
        a.quiet += mean[j] < 0.01;
    }
    a.on = active_fraction(m, test->x, test->n, 0.5);
    printf("test images: mean hidden activation %.4f (units from %.4f "
           "to %.4f, %d below 0.01); %.1f%% of activations above 0.5\n",
           a.overall, a.lo, a.hi, a.quiet, 100 * a.on);
    write_histogram(mean, hidden, out);
    free(mean);
    return a;
}

/* The summary block: the reconstruction and how sparse the code is. */
void print_summary(const ae_eval *te, const activation_stats *a,
                   double train_seconds)
{
    report_summary_begin();
    report_summary("test_loss", te->loss);
    report_summary("test_sse", te->sse);
    report_summary("mean_activation", a->overall);
    report_summary("min_unit_activation", a->lo);
    report_summary("max_unit_activation", a->hi);
    report_summary("quiet_units", a->quiet);
    report_summary("active_fraction", a->on);
    report_summary("train_seconds", train_seconds);
}

#ifndef TESTING
int main(int argc, char **argv)
{
    const char *penalty = "kl", *loss = "bce";
    double rho = 0.05, beta = 30.0;
    int hidden = 196;
    ae_options o = {.epochs = 10, .batch = 100, .lr = 1e-2,
                    .data = "data/mnist-mini", .threads = 1, .seed = 1,
                    .out = "out/ch04_sparse_ae"};
    /* The chapter's own flags, then those chapters 3-5 share
     * (flags.h); a table is data, so each chapter writes its own. */
    cli_flag flags[] = {
        {"penalty", CLI_CHOICE, &penalty, "kl|l1",
         "sparsity penalty: KL to Bernoulli(rho), or L1"},
        {"rho", CLI_REAL, &rho, "(0,1)", "target mean activation (KL)"},
        {"beta", CLI_REAL, &beta, "[0,1000]",
         "weight of the penalty (0: none)"},
        {"hidden", CLI_INT, &hidden, "[1,4096]", "sigmoid hidden units"},
        FLAG_LOSS(&loss),
        AE_FLAGS(&o, "passes over the data"),
    };
    cli_parse("ch04_sparse_ae",
              "A sparse autoencoder on MNIST: a sigmoid hidden layer "
              "with a KL or L1 penalty on its mean activation.",
              flags, CLI_COUNT(flags), argc, argv);
    /* The start chapters 3-5 share (parse, check --out, threads, the
     * stream) stays written out: four calls a reader should see. */
    report_prepare(o.out);   /* before any work: can it be written? */
    mat_set_threads(o.threads);
    rng r;
    rng_seed(&r, (uint64_t)o.seed);

    data_set train, test;
    ae_load_mnist(&train, &test, o.data, o.train_size);
    printf("ch04_sparse_ae: seed %d, %s, %d training and %d test "
           "images from %s\n", o.seed, mat_threads_text(), train.n, test.n,
           o.data);

    sparsity s = {strcmp(penalty, "l1") == 0, rho, beta};
    ae_model m;
    build_sparse_autoencoder(&m, train.dim, hidden, loss, penalty, &s, &o,
                             &r);
    double train_seconds;
    ae_eval te = train_sparse(&m, &s, &o, &train, &test, &r,
                              &train_seconds);
    activation_stats act = measure_activations(&m, &test, o.out);
    write_filters(&m, &train, o.out);
    print_summary(&te, &act, train_seconds);
    report_files();
    ae_free(&m);
    data_free(&train);
    data_free(&test);
    return 0;
}
#endif
