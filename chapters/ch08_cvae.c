/* ch08_cvae.c -- Chapter 8: the conditional VAE.
 *
 * Chapter 7's VAE with a condition c concatenated to the encoder's and
 * the decoder's inputs (common/vae.c with cond_dim > 0), trained on the
 * conditional -ELBO (8.3). Two conditions:
 *
 *   --cond label  c is the one-hot label: ask for a digit and get one.
 *                 A classifier of our own (common/classify.c) judges
 *                 the samples: conditional accuracy (8.6) overall and
 *                 per digit, against latent size and prior temperature
 *                 (8.7) with --sweep; style swaps (same z, another
 *                 label); and, for contrast, the classes an
 *                 unconditional VAE draws.
 *   --cond half   c is the top half of the image and x its bottom
 *                 half: several completions of one top half, beside
 *                 the single blurred one of a regressor trained on the
 *                 same task. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ae.h"
#include "classify.h"
#include "cli.h"
#include "data.h"
#include "explore.h"
#include "image.h"
#include "interrupt.h"
#include "judge.h"
#include "loss.h"
#include "mat.h"
#include "nn.h"
#include "report.h"
#include "rng.h"
#include "sys.h"
#include "vae.h"

enum {
    SIDE = 28, PIXELS = SIDE * SIDE, CLASSES = DATA_CLASSES,
    HALF = PIXELS / 2           /* the top 14 rows; the bottom 14 */
};

/* ---- --cond label: style swaps and the mixture's bound --------------- */

//> ch08-style
/* Style swaps: each of n test digits is encoded with its own label,
 * z = mu(x, y), and decoded with every label y' -- the same style,
 * another digit. Returns the fraction the judge labels as y'; with
 * `swaps` not NULL, the n * CLASSES decoded images go there, row
 * i * CLASSES + y'. */
double style_swap(real *swaps /* (n * CLASSES, PIXELS) or NULL */,
                  vae_model *m, classify_model *judge,
                  const data_set *set, int n)
{
    int L = m->cfg.latent, count = n * CLASSES;
    data_set first = *set;
    first.n = n;
    real *mu = sys_alloc((size_t)n * L, sizeof *mu);
    real *z = sys_alloc((size_t)count * L, sizeof *z);
    real *cond = sys_alloc((size_t)count * CLASSES, sizeof *cond);
    real *images = swaps;
    if (images == NULL)
        images = sys_alloc((size_t)count * PIXELS, sizeof *images);
    unsigned char *label = sys_alloc((size_t)count, 1);
    vae_encode_set(mu, m, &first);
    for (int i = 0; i < count; i++) {
        memcpy(z + (size_t)i * L, mu + (size_t)(i / CLASSES) * L,
               sizeof(real) * L);
        label[i] = (unsigned char)(i % CLASSES);
    }
    data_onehot(cond, label, count, CLASSES);
    vae_decode_images(images, m, z, cond, count);
    double per_digit[CLASSES];
    double accuracy = conditional_accuracy(per_digit, NULL, judge,
                                           images, label, count);
    free(mu);
    free(z);
    free(cond);
    free(label);
    if (swaps == NULL)
        free(images);
    return accuracy;
}
//< ch08-style

//> ch08-mixture
/* p(x) = sum_y p(y) p(x|y) >= p(y) p(x|y) for the true y, so
 * -log p(x) <= -log p(x|y) - log p(y), equation (8.5). Returns the
 * test average of -log p(y), with p(y) the training set's label
 * frequencies: what the label costs to state. */
double label_entropy_bound(const data_set *train, const data_set *test)
{
    int count[CLASSES] = {0};
    for (int i = 0; i < train->n; i++)
        count[train->y[i]]++;
    double sum = 0;
    for (int i = 0; i < test->n; i++) {
        int c = count[test->y[i]];
        sum += c > 0 ? -log((double)c / train->n) : INFINITY;
    }
    return sum / test->n;
}
//< ch08-mixture

/* ---- --cond half: complete the bottom half --------------------------- */

//> ch08-half
/* A row-major image keeps its top half in its first HALF values: the
 * condition c is x[0 .. HALF), the part to be modelled x[HALF ..). */
void half_split(real *top /* (n, HALF) */, real *bottom /* (n, HALF) */,
                const real *images /* (n, PIXELS) */, int n)
{
    for (int i = 0; i < n; i++) {
        const real *image = images + (size_t)i * PIXELS;
        memcpy(top + (size_t)i * HALF, image, sizeof(real) * HALF);
        memcpy(bottom + (size_t)i * HALF, image + HALF,
               sizeof(real) * HALF);
    }
}
//< ch08-half

/* The images of a set cut in halves: the bottoms, with the labels, are
 * what the CVAE models, and the tops their conditions. */
typedef struct {
    data_set bottom;   /* (n, HALF) the lower 14 rows, and the labels */
    real *top;         /* (n, HALF) the condition of each bottom */
} halves;

/* A set's images cut in halves (copies; halves_free frees them). */
halves halves_of(const data_set *set)
{
    halves h = {{set->n, SIDE / 2, SIDE, HALF,
                 sys_alloc((size_t)set->n * HALF, sizeof(real)), set->y},
                sys_alloc((size_t)set->n * HALF, sizeof(real))};
    half_split(h.top, h.bottom.x, set->x, set->n);
    return h;
}

/* Frees the two halves (the labels stay the set's). */
void halves_free(halves *h)
{
    free(h->top);
    free(h->bottom.x);
}

//> ch08-regressor
/* The regressor: one MLP top half -> bottom half, HALF -> hidden,
 * ReLU -> HALF, sigmoid, trained by binary cross-entropy (3.8) --
 * chapter 3's autoencoder shape with a target other than its input.
 * For each top half it learns one answer: the mean of the bottoms
 * that go with it. */
void regressor_train(ae_model *reg, const halves *train,
                     const halves *test, int hidden, int epochs,
                     int batch, double lr, rng *r)
{
    ae_shape shape = {HALF, 0, hidden, AE_RELU, AE_RELU, false,
                      AE_LOSS_BCE};
    ae_init(reg, shape, batch, r);
    ae_train_config cfg = {epochs, batch, nn_adam_defaults(lr), NULL,
                           NULL, NULL, NULL, "regressor"};
    real *in = sys_alloc((size_t)batch * HALF, sizeof *in);
    real *target = sys_alloc((size_t)batch * HALF, sizeof *target);
    int n = train->bottom.n;
    int *order = sys_alloc((size_t)n, sizeof(int));
    for (int e = 0; e < epochs; e++) {
        double loss = 0;
        data_order(order, n, r);
        for (int s = 0; s < n; s += batch) {
            int B = n - s < batch ? n - s : batch;
            for (int b = 0; b < B; b++) {
                size_t from = (size_t)order[s + b] * HALF;
                const real *bottom = train->bottom.x + from;
                memcpy(in + (size_t)b * HALF, train->top + from,
                       sizeof(real) * HALF);
                memcpy(target + (size_t)b * HALF, bottom,
                       sizeof(real) * HALF);
            }
            loss += B * ae_step(reg, &cfg, in, target, B).loss;
        }
        if (e + 1 == epochs || (e + 1) % 5 == 0)
            printf("regressor epoch %2d/%d  train BCE %.2f  test BCE "
                   "%.2f nats\n", e + 1, epochs, loss / n,
                   ae_evaluate(reg, test->top, test->bottom.x,
                               test->bottom.n).loss);
    }
    free(in);
    free(target);
    free(order);
}
//< ch08-regressor

/* The regressor's completions of n top halves: out (n, HALF). */
void regressor_complete(real *out, ae_model *reg, const real *top, int n)
{
    for (int i = 0; i < n; i += reg->batch) {
        int B = n - i < reg->batch ? n - i : reg->batch;
        ae_forward(reg, top + (size_t)i * HALF, B);
        memcpy(out + (size_t)i * HALF, ae_output(reg),
               sizeof(real) * (size_t)B * HALF);
    }
}

//> ch08-complete
/* k completions of one top half: z = T eps from the prior, decoded
 * beside the same condition. out (k, HALF), the decoder's means. */
void cvae_complete(real *out, vae_model *m, const real *top, int k,
                   double temperature, rng *r)
{
    int L = m->cfg.latent;
    real *z = sys_alloc((size_t)k * L, sizeof *z);
    real *cond = sys_alloc((size_t)k * HALF, sizeof *cond);
    for (int i = 0; i < k * L; i++)
        z[i] = (real)(temperature * rng_normal(r));
    for (int i = 0; i < k; i++)
        memcpy(cond + (size_t)i * HALF, top, sizeof(real) * HALF);
    vae_decode_images(out, m, z, cond, k);
    free(z);
    free(cond);
}
//< ch08-complete

/* ---- the program ----------------------------------------------------- */

/* The chapter's own options, beside chapter 7's. */
typedef struct {
    const char *cond;           /* "label" | "half" */
    double temperature;         /* the prior's spread when sampling */
    int per_digit;              /* samples per digit for (8.6) */
    cli_list digits;            /* digits generated.png shows */
    judge_options judge;
    int completions;            /* --cond half: draws per top half */
    bool sweep;
    cli_list sweep_latents, temperatures;
    bool contrast;              /* train the unconditional VAE too */
} cvae_options;

/* The test set, or with `binarize` a copy of it drawn by
 * data_binarize_fixed. */
data_set binarized_copy(const data_set *test, bool binarize)
{
    data_set drawn = *test;
    if (!binarize)
        return drawn;
    size_t n = (size_t)test->n * (size_t)test->dim;
    drawn.x = sys_alloc(n, sizeof *drawn.x);
    memcpy(drawn.x, test->x, sizeof(real) * n);
    data_binarize_fixed(drawn.x, n);
    return drawn;
}

/* After a training that Ctrl-C cut short (vae_train then returns with
 * run->interrupted): name the files written so far and stop, exit
 * status 130, as chapter 7 does. */
void stop_if_interrupted(const vae_run *run)
{
    if (!run->interrupted)
        return;
    printf("\ninterrupted after %d epoch%s and %ld step%s\n",
           run->epochs_done, run->epochs_done == 1 ? "" : "s", run->steps,
           run->steps == 1 ? "" : "s");
    report_files();
    exit(INTERRUPT_EXIT);
}

/* Trains m and saves it as cvae.bin with its history (exit status 130
 * if Ctrl-C cut the training short), or with --load reads it instead.
 * Returns the run: no epochs with --load. */
vae_run train_or_load(vae_model *m, const char *chapter,
                      const data_set *train, const real *train_cond,
                      const data_set *test, const real *test_cond,
                      const vae_options *o, rng *r)
{
    vae_run run = {0};
    if (o->load != NULL) {
        vae_load(m, o->load, chapter);
        return run;
    }
    char tag[NN_TAG_MAX];
    vae_tag(tag, chapter, &m->cfg);
    run = vae_train(m, train, train_cond, test, test_cond, o, r);
    nn_params_save(&m->params, o->out, "cvae.bin", tag);
    vae_write_history(&run, o->out);
    stop_if_interrupted(&run);   /* --load cvae.bin evaluates it */
    return run;
}

/* ---- --cond label: judging the samples ------------------------------- */

/* The digits --digits asks for, checked: whole numbers 0-9. */
int parse_digits(int *digits /* (CLI_LIST_MAX) */, const cli_list *list)
{
    for (int i = 0; i < list->n; i++) {
        double v = list->v[i];
        if (v != floor(v))
            sys_die(SYS_USAGE, "--digits: %g is not a whole digit 0-9", v);
        digits[i] = (int)v;
    }
    return list->n;
}

/* The smallest of the per-digit accuracies that are numbers. */
double worst_digit(const double *per_digit /* (CLASSES) */)
{
    double lo = INFINITY;
    for (int d = 0; d < CLASSES; d++)
        if (!isnan(per_digit[d]))
            lo = fmin(lo, per_digit[d]);
    return lo;
}

/* Conditional accuracy of n samples of every digit 0-9 at one
 * temperature; per_digit (CLASSES) gets each digit's. */
double accuracy_at(double *per_digit, vae_model *m, classify_model *judge,
                   int n, double temperature, rng *r)
{
    static const int all[CLASSES] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    real *images = sys_alloc((size_t)CLASSES * n * PIXELS, sizeof *images);
    unsigned char *asked = sys_alloc((size_t)CLASSES * n, 1);
    cvae_generate(images, asked, m, all, CLASSES, n, temperature, r);
    double accuracy = conditional_accuracy(per_digit, NULL, judge, images,
                                           asked, CLASSES * n);
    free(images);
    free(asked);
    return accuracy;
}

/* The first test image of each digit 0-9, in order (-1 if a digit is
 * missing from the set). */
void first_of_each_digit(int *index /* (CLASSES) */, const data_set *set)
{
    for (int d = 0; d < CLASSES; d++)
        index[d] = -1;
    for (int i = 0; i < set->n; i++)
        if (index[set->y[i]] < 0)
            index[set->y[i]] = i;
}

/* style.png: one test digit of each class (rows), the digit itself,
 * then its style decoded with each label 0-9. */
void write_style(vae_model *m, classify_model *judge, const data_set *set,
                 const char *out)
{
    enum { COLS = 1 + CLASSES };
    int index[CLASSES];
    first_of_each_digit(index, set);
    real *grid = sys_alloc((size_t)CLASSES * COLS * PIXELS, sizeof *grid);
    real *swaps = sys_alloc((size_t)CLASSES * PIXELS, sizeof *swaps);
    int rows = 0;
    for (int d = 0; d < CLASSES; d++) {
        if (index[d] < 0)
            continue;
        data_set one = *set;
        one.x = set->x + (size_t)index[d] * PIXELS;
        one.y = set->y + index[d];
        style_swap(swaps, m, judge, &one, 1);
        real *row = grid + (size_t)rows * COLS * PIXELS;
        memcpy(row, one.x, sizeof(real) * PIXELS);
        memcpy(row + PIXELS, swaps, sizeof(real) * CLASSES * PIXELS);
        rows++;
    }
    if (rows > 0)
        image_grid(out, "style.png", grid, rows * COLS, SIDE, SIDE, COLS,
                   2);
    free(grid);
    free(swaps);
}

/* What one trained CVAE measured: its test -ELBO and style-swap
 * accuracy, and at each temperature of the table the conditional
 * accuracy and that of its worst digit. */
typedef struct {
    int latent;
    double neg_elbo, style;
    double accuracy[CLI_LIST_MAX], worst[CLI_LIST_MAX];
} cvae_measured;

/* Judges m at every temperature of the table, into cm. */
void judge_temperatures(cvae_measured *cm, vae_model *m,
                        classify_model *judge, const cli_list *temps,
                        int n, rng *r)
{
    for (int j = 0; j < temps->n; j++) {
        double per_digit[CLASSES];
        cm->accuracy[j] = accuracy_at(per_digit, m, judge, n,
                                      temps->v[j], r);
        cm->worst[j] = worst_digit(per_digit);
    }
}

/* Adds a model's rows of the table to t. */
void add_temperature_rows(report_tsv *t, const cvae_measured *cm,
                          const cli_list *temps)
{
    for (int j = 0; j < temps->n; j++)
        report_tsv_row(t, (double[]){cm->latent, temps->v[j],
                                     cm->neg_elbo, cm->accuracy[j],
                                     cm->worst[j], cm->style});
}

/* Prints a model's rows of the table and adds them to t (if not
 * NULL). */
void print_temperature_rows(report_tsv *t, const cvae_measured *cm,
                            const cli_list *temps)
{
    printf("%6s %12s %11s %12s %11s %9s\n", "latent", "temperature",
           "test -ELBO", "cond. acc.", "worst class", "style");
    for (int j = 0; j < temps->n; j++)
        printf("%6d %12.2f %11.2f %12.3f %11.3f %9.3f\n", cm->latent,
               temps->v[j], cm->neg_elbo, cm->accuracy[j], cm->worst[j],
               cm->style);
    if (t != NULL)
        add_temperature_rows(t, cm, temps);
}

#define TABLE_HEADER \
    "latent\ttemperature\ttest_neg_elbo\tconditional_accuracy\t" \
    "worst_class\tstyle_accuracy"

/* --sweep: a CVAE per latent size, trained as the main one, each
 * judged at every temperature; where the main model's size comes up,
 * its table is reused. Prints the table and writes sweep.tsv. */
void sweep(classify_model *judge, const data_set *train,
           const data_set *test, const vae_options *base,
           const cvae_measured *main_model, const cli_list *latents,
           const cli_list *temps, int n, int style_n, const char *out,
           rng *r)
{
    /* Measured first, written at the end: no sweep.tsv.tmp is open
       while the models train and are judged, so a Ctrl-C, which in the
       judging kills at once, leaves none behind. */
    static cvae_measured rows[CLI_LIST_MAX];
    for (int i = 0; i < latents->n; i++) {
        vae_options o = *base;
        o.latent = (int)latents->v[i];
        printf("\nsweep: latent %d\n", o.latent);
        if (o.latent == main_model->latent) {
            printf("(the main model, as above)\n");
            rows[i] = *main_model;
            print_temperature_rows(NULL, &rows[i], temps);
            continue;
        }
        static vae_model m;
        vae_init(&m, vae_options_config(&o, PIXELS, CLASSES), r);
        vae_run run = vae_train(&m, train, NULL, test, NULL, &o, r);
        stop_if_interrupted(&run);
        free(run.history);
        vae_terms te = vae_evaluate(&m, test, NULL, o.eval_samples, r);
        cvae_measured cm = {.latent = o.latent, .neg_elbo = te.nll + te.kl,
                            .style = style_swap(NULL, &m, judge, test,
                                                style_n)};
        judge_temperatures(&cm, &m, judge, temps, n, r);
        rows[i] = cm;
        print_temperature_rows(NULL, &rows[i], temps);
        vae_free(&m);
    }
    report_tsv t;
    report_tsv_open(&t, out, "sweep.tsv", TABLE_HEADER);
    for (int i = 0; i < latents->n; i++)
        add_temperature_rows(&t, &rows[i], temps);
    report_tsv_close(&t);
}

/* ---- --cond label, step by step -------------------------------------- */

/* Test images the style swaps measure, at most. */
enum { STYLE_MAX = 500 };

/* What --cond label measured, for its summary block. */
typedef struct {
    int epochs, latent;
    double seconds_per_epoch;        /* with epochs > 0 */
    double judge_acc, softmax;       /* the judge's test accuracies */
    vae_terms test;                  /* the CVAE's -ELBO terms */
    int ks[3], nk;                   /* the k of the bounds L_k */
    double bound[3], mixture;        /* L_k; the bound (8.5) */
    double accuracy, per_digit[CLASSES], style;
    int said[CLASSES];               /* the judge's answers, counted */
    double gray_samples, gray_data;
    bool contrast;                   /* the unconditional VAE's: */
    vae_terms u_test;
    double u_bound, u_share[CLASSES];
} label_results;

/* The CVAE's test -ELBO, its bounds L_k on -log p(x|y) and the bound
 * (8.5) on -log p(x) of the mixture over labels, printed. */
void label_bounds(label_results *res, vae_model *m, const data_set *train,
                  const data_set *test, const vae_options *o, rng *r)
{
    res->test = vae_evaluate(m, test, NULL, o->eval_samples, r);
    res->ks[0] = 1;
    res->ks[1] = 10;
    res->ks[2] = o->iw;
    res->nk = o->iw > 10 ? 3 : 2;
    int k = res->ks[res->nk - 1];
    vae_iw_bounds(res->bound, m, test, NULL, res->ks, res->nk,
                  o->iw > 10 ? o->iw : 10, r);
    double top = res->bound[res->nk - 1];
    res->mixture = label_entropy_bound(train, test) - top;
    printf("test -ELBO %.2f = reconstruction %.2f + KL %.2f nats; "
           "-log p(x|y) <= %.2f (k = %d)\n", res->test.nll + res->test.kl,
           res->test.nll, res->test.kl, -top, k);
    printf("as a model of x alone, sum_y p(y) p(x|y): -log p(x) <= %.2f "
           "(8.5)\n", res->mixture);
}

/* Generates per_digit samples of each asked digit into images and
 * asked, judges them (8.6) and prints the accuracy per digit; writes
 * generated.png and the samples as IDX files. */
void generate_and_judge(label_results *res, real *images,
                        unsigned char *asked, vae_model *m,
                        classify_model *judge, const int *digits,
                        int ndigits, const cvae_options *co,
                        const char *out, rng *r)
{
    int count = ndigits * co->per_digit;
    cvae_generate(images, asked, m, digits, ndigits, co->per_digit,
                  co->temperature, r);
    res->accuracy = conditional_accuracy(res->per_digit, res->said, judge,
                                         images, asked, count);
    printf("\nconditional accuracy (8.6), %d samples per class at "
           "temperature %g: %.3f\n", co->per_digit, co->temperature,
           res->accuracy);
    printf("  class   ");
    for (int d = 0; d < CLASSES; d++)
        printf("%6d", d);
    printf("\n  judged  ");
    for (int d = 0; d < CLASSES; d++)
        if (isnan(res->per_digit[d]))
            printf("%6s", "-");
        else
            printf("%6.2f", res->per_digit[d]);
    printf("\n");
    enum { SHOWN = 10 };
    int shown = co->per_digit < SHOWN ? co->per_digit : SHOWN;
    real *grid = sys_alloc((size_t)ndigits * shown * PIXELS, sizeof *grid);
    for (int k = 0; k < ndigits; k++)
        memcpy(grid + (size_t)k * shown * PIXELS,
               images + (size_t)k * co->per_digit * PIXELS,
               sizeof(real) * (size_t)shown * PIXELS);
    image_grid(out, "generated.png", grid, ndigits * shown, SIDE, SIDE,
               shown, 2);
    data_write_images(out, "generated-images-idx3-ubyte", images, count,
                      SIDE, SIDE);
    data_write_labels(out, "generated-labels-idx1-ubyte", asked, count);
    free(grid);
}

/* Style swaps (the same z under every label, style.png), the accuracy
 * table over the temperatures (temperature.tsv, into cm) and the share
 * of gray pixels in the samples and in the data, printed. */
void style_and_temperatures(label_results *res, cvae_measured *cm,
                            vae_model *m, classify_model *judge,
                            const data_set *test, const real *images,
                            int count, const cvae_options *co,
                            const char *out, rng *r)
{
    int style_n = test->n < STYLE_MAX ? test->n : STYLE_MAX;
    res->style = style_swap(NULL, m, judge, test, style_n);
    write_style(m, judge, test, out);
    printf("style swaps of %d test images (same z, every label): judged "
           "as the new label %.3f\n", style_n, res->style);
    *cm = (cvae_measured){.latent = res->latent,
                          .neg_elbo = res->test.nll + res->test.kl,
                          .style = res->style};
    judge_temperatures(cm, m, judge, &co->temperatures, co->per_digit, r);
    report_tsv t;
    report_tsv_open(&t, out, "temperature.tsv", TABLE_HEADER);
    printf("\n");
    print_temperature_rows(&t, cm, &co->temperatures);
    report_tsv_close(&t);
    res->gray_samples = gray_fraction(images, count, PIXELS);
    printf("gray pixels (0.25-0.75): %.3f of the samples, %.3f of the "
           "test images\n", res->gray_samples, res->gray_data);
}

/* --contrast: an unconditional VAE trained the same way, its bound,
 * and which digits the judge sees in `count` of its samples, beside
 * the CVAE's (histogram.tsv). images is scratch for the samples. */
void contrast_unconditional(label_results *res, real *images, int count,
                            classify_model *judge, const data_set *train,
                            const data_set *test, const vae_options *o,
                            rng *r)
{
    static vae_model u;
    vae_init(&u, vae_options_config(o, PIXELS, 0), r);
    vae_options uo = *o;
    uo.load = NULL;
    printf("\nunconditional VAE (no label), trained the same way, "
           "for contrast\n");
    vae_run urun = vae_train(&u, train, NULL, test, NULL, &uo, r);
    stop_if_interrupted(&urun);
    free(urun.history);
    int k = res->ks[res->nk - 1];
    res->u_test = vae_evaluate(&u, test, NULL, o->eval_samples, r);
    vae_iw_bounds(&res->u_bound, &u, test, NULL, &k, 1, k, r);
    int L = u.cfg.latent;
    real *z = sys_alloc((size_t)count * L, sizeof *z);
    for (int i = 0; i < count * L; i++)
        z[i] = (real)rng_normal(r);
    vae_decode_images(images, &u, z, NULL, count);
    free(z);
    unsigned char *answer = sys_alloc((size_t)count, 1);
    classify_predict(answer, judge, images, count);
    int hist[CLASSES] = {0}, data_hist[CLASSES] = {0};
    for (int i = 0; i < count; i++)
        hist[answer[i]]++;
    for (int i = 0; i < test->n; i++)
        data_hist[test->y[i]]++;
    report_tsv t;
    report_tsv_open(&t, o->out, "histogram.tsv",
                    "digit\tunconditional\tconditional\ttest_data");
    printf("test -ELBO %.2f = %.2f + KL %.2f, -log p(x) <= %.2f (k = "
           "%d); its %d samples judged as:\n  class   ",
           res->u_test.nll + res->u_test.kl, res->u_test.nll,
           res->u_test.kl, -res->u_bound, k, count);
    for (int d = 0; d < CLASSES; d++)
        printf("%6d", d);
    printf("\n  share   ");
    for (int d = 0; d < CLASSES; d++) {
        res->u_share[d] = (double)hist[d] / count;
        printf("%6.3f", res->u_share[d]);
        report_tsv_row(&t, (double[]){d, res->u_share[d],
                       (double)res->said[d] / count,
                       (double)data_hist[d] / test->n});
    }
    printf("\n");
    report_tsv_close(&t);
    free(answer);
    vae_free(&u);
    res->contrast = true;
}

/* The summary block of --cond label. */
void label_summary(const label_results *res, const cvae_options *co)
{
    char key[64];
    report_summary_begin();
    report_summary("epochs", res->epochs);
    report_summary("latent", res->latent);
    report_summary("temperature", co->temperature);
    report_summary("classifier_test_accuracy", res->judge_acc);
    if (!isnan(res->softmax))
        report_summary("softmax_test_accuracy", res->softmax);
    report_summary("test_neg_elbo", res->test.nll + res->test.kl);
    report_summary("test_reconstruction", res->test.nll);
    report_summary("test_kl", res->test.kl);
    for (int j = 0; j < res->nk; j++) {
        snprintf(key, sizeof key, "iw_nll_k%d", res->ks[j]);
        report_summary(key, -res->bound[j]);
    }
    report_summary("mixture_nll_bound", res->mixture);
    report_summary("conditional_accuracy", res->accuracy);
    for (int d = 0; d < CLASSES; d++)
        if (!isnan(res->per_digit[d])) {
            snprintf(key, sizeof key, "conditional_accuracy_class_%d", d);
            report_summary(key, res->per_digit[d]);
        }
    report_summary("conditional_accuracy_worst_class",
                   worst_digit(res->per_digit));
    report_summary("style_accuracy", res->style);
    report_summary("gray_fraction_samples", res->gray_samples);
    report_summary("gray_fraction_data", res->gray_data);
    if (res->contrast) {
        report_summary("unconditional_test_neg_elbo",
                       res->u_test.nll + res->u_test.kl);
        report_summary("unconditional_test_kl", res->u_test.kl);
        snprintf(key, sizeof key, "unconditional_iw_nll_k%d",
                 res->ks[res->nk - 1]);
        report_summary(key, -res->u_bound);
        for (int d = 0; d < CLASSES; d++) {
            snprintf(key, sizeof key, "unconditional_share_class_%d", d);
            report_summary(key, res->u_share[d]);
        }
    }
    if (res->epochs > 0)
        report_summary("seconds_per_epoch", res->seconds_per_epoch);
}

/* --cond label: the judge, the CVAE trained (or loaded) and bounded,
 * its samples judged, style swaps and temperatures, the unconditional
 * VAE for contrast, the sweep over latent sizes, the summary. */
void run_label(const vae_options *o, const cvae_options *co,
               const data_set *train, const data_set *test, rng *r)
{
    static label_results res;
    res = (label_results){.u_bound = NAN};
    int digits[CLI_LIST_MAX];
    int ndigits = parse_digits(digits, &co->digits);
    classify_model judge;
    res.judge_acc = judge_prepare(&judge, &res.softmax, &co->judge, train,
                                  test, o->out, o->seed);
    res.gray_data = gray_fraction(test->x, test->n, PIXELS);
    /* From here on the test set is the CVAE's: with --binarize, as in
     * chapter 7, one fixed draw of its pixels. */
    data_set drawn = binarized_copy(test, o->binarize);
    test = &drawn;

    static vae_model m;
    vae_init(&m, vae_options_config(o, PIXELS, CLASSES), r);
    res.latent = m.cfg.latent;
    printf("\nCVAE: latent %d, hidden %d, the one-hot label beside x "
           "and z\n", m.cfg.latent, m.cfg.hidden);
    vae_run run = train_or_load(&m, "ch08_cvae", train, NULL, test, NULL,
                                o, r);
    res.epochs = run.epochs_done;
    if (run.epochs_done > 0)
        res.seconds_per_epoch = run.train_seconds / run.epochs_done;
    free(run.history);
    label_bounds(&res, &m, train, test, o, r);

    int count = ndigits * co->per_digit;
    real *images = sys_alloc((size_t)count * PIXELS, sizeof *images);
    unsigned char *asked = sys_alloc((size_t)count, 1);
    generate_and_judge(&res, images, asked, &m, &judge, digits, ndigits,
                       co, o->out, r);
    static cvae_measured cm;
    style_and_temperatures(&res, &cm, &m, &judge, test, images, count, co,
                           o->out, r);
    if (co->contrast)
        contrast_unconditional(&res, images, count, &judge, train, test,
                               o, r);
    if (co->sweep)
        sweep(&judge, train, test, o, &cm, &co->sweep_latents,
              &co->temperatures, co->per_digit,
              test->n < STYLE_MAX ? test->n : STYLE_MAX, o->out, r);
    label_summary(&res, co);
    free(images);
    free(asked);
    if (o->binarize)
        free(drawn.x);
    classify_free(&judge);
    vae_free(&m);
}

/* ---- --cond half: the completions measured --------------------------- */

/* What the completions of the first n test top halves show. */
typedef struct {
    double spread;          /* sd of a pixel over one input's draws */
    double mean_to_reg;     /* |mean of draws - regressor|^2 per image */
    double draw_to_reg;     /* |one draw - regressor|^2 per image */
    double judged_cvae;     /* share of completed digits judged right */
    double judged_reg;      /* the same for the regressor */
    double classes;         /* distinct digits the judge sees per input */
    double gray_cvae, gray_reg, gray_data;   /* gray_fraction of bottoms */
} completion_stats;

/* Draws k completions of each of the first n test top halves and
 * measures them against the regressor's single completion. */
completion_stats completion_measure(vae_model *m, ae_model *reg,
                                    classify_model *judge,
                                    const halves *test, int n, int k,
                                    double temperature, rng *r)
{
    completion_stats st = {0};
    real *draws = sys_alloc((size_t)k * HALF, sizeof *draws);
    real *full = sys_alloc((size_t)k * PIXELS, sizeof *full);
    real *reg_out = sys_alloc((size_t)n * HALF, sizeof *reg_out);
    real *reg_full = sys_alloc((size_t)n * PIXELS, sizeof *reg_full);
    unsigned char *said = sys_alloc((size_t)(k > n ? k : n), 1);
    regressor_complete(reg_out, reg, test->top, n);
    for (int i = 0; i < n; i++) {
        const real *top = test->top + (size_t)i * HALF;
        const real *ro = reg_out + (size_t)i * HALF;
        cvae_complete(draws, m, top, k, temperature, r);
        for (int p = 0; p < HALF; p++) {
            double s = 0, ss = 0;
            for (int j = 0; j < k; j++) {
                double v = draws[(size_t)j * HALF + p];
                s += v;
                ss += v * v;
                double d = v - ro[p];
                st.draw_to_reg += d * d / k;
            }
            double mean = s / k;
            st.spread += sqrt(fmax(ss / k - mean * mean, 0)) / HALF;
            st.mean_to_reg += (mean - ro[p]) * (mean - ro[p]);
        }
        for (int j = 0; j < k; j++) {
            memcpy(full + (size_t)j * PIXELS, top, sizeof(real) * HALF);
            memcpy(full + (size_t)j * PIXELS + HALF,
                   draws + (size_t)j * HALF, sizeof(real) * HALF);
        }
        classify_predict(said, judge, full, k);
        bool seen[CLASSES] = {false};
        for (int j = 0; j < k; j++) {
            st.judged_cvae += (double)(said[j] == test->bottom.y[i]) / k;
            if (!seen[said[j]])
                st.classes += 1;
            seen[said[j]] = true;
        }
        st.gray_cvae += gray_fraction(draws, k, HALF);
        memcpy(reg_full + (size_t)i * PIXELS, top, sizeof(real) * HALF);
        memcpy(reg_full + (size_t)i * PIXELS + HALF, ro,
               sizeof(real) * HALF);
    }
    classify_predict(said, judge, reg_full, n);
    for (int i = 0; i < n; i++)
        st.judged_reg += said[i] == test->bottom.y[i];
    st.spread /= n;
    st.mean_to_reg /= n;
    st.draw_to_reg /= n;
    st.judged_cvae /= n;
    st.judged_reg /= n;
    st.classes /= n;
    st.gray_cvae /= n;
    st.gray_reg = gray_fraction(reg_out, n, HALF);
    st.gray_data = gray_fraction(test->bottom.x, n, HALF);
    free(draws);
    free(full);
    free(reg_out);
    free(reg_full);
    free(said);
    return st;
}

/* completions.png: for `rows` test digits, the digit, its top half
 * alone, k CVAE completions, and the regressor's one. */
void write_completions(vae_model *m, ae_model *reg, const halves *test,
                       int rows, int k, double temperature,
                       const char *out, rng *r)
{
    int cols = k + 3;
    real *grid = sys_alloc((size_t)rows * cols * PIXELS, sizeof *grid);
    real *draws = sys_alloc((size_t)k * HALF, sizeof *draws);
    real *reg_out = sys_alloc((size_t)rows * HALF, sizeof *reg_out);
    regressor_complete(reg_out, reg, test->top, rows);
    for (int i = 0; i < rows; i++) {
        const real *top = test->top + (size_t)i * HALF;
        real *row = grid + (size_t)i * cols * PIXELS;
        cvae_complete(draws, m, top, k, temperature, r);
        for (int c = 0; c < cols; c++) {
            real *tile = row + (size_t)c * PIXELS;
            const real *bottom = c == 0 ? test->bottom.x + (size_t)i * HALF
                               : c == 1 ? NULL
                               : c == cols - 1 ? reg_out + (size_t)i * HALF
                               : draws + (size_t)(c - 2) * HALF;
            memcpy(tile, top, sizeof(real) * HALF);
            if (bottom != NULL)
                memcpy(tile + HALF, bottom, sizeof(real) * HALF);
            else
                memset(tile + HALF, 0, sizeof(real) * HALF);
        }
    }
    image_grid(out, "completions.png", grid, rows * cols,
               SIDE, SIDE, cols, 2);
    free(grid);
    free(draws);
    free(reg_out);
}

/* ---- --cond half, step by step --------------------------------------- */

/* What --cond half measured, for its summary block. */
typedef struct {
    int latent;
    double judge_acc, softmax;       /* the judge's test accuracies */
    vae_terms elbo;                  /* the CVAE's -ELBO terms */
    int ks[2];                       /* the k of the bounds L_k */
    double bound[2];
    double reg_bce;                  /* the regressor's test BCE */
    completion_stats st;
} half_results;

/* The CVAE's test -ELBO of the bottom half given the top half, and its
 * bound L_k on -log p(bottom|top), printed. */
void half_bounds(half_results *res, vae_model *m, const halves *test,
                 const vae_options *o, rng *r)
{
    res->elbo = vae_evaluate(m, &test->bottom, test->top, o->eval_samples,
                             r);
    res->ks[0] = 1;
    res->ks[1] = o->iw > 1 ? o->iw : 1;
    vae_iw_bounds(res->bound, m, &test->bottom, test->top, res->ks, 2,
                  res->ks[1], r);
    printf("test -ELBO of the bottom half given the top: %.2f = %.2f + "
           "%.2f nats; -log p(bottom|top) <= %.2f (k = %d)\n",
           res->elbo.nll + res->elbo.kl, res->elbo.nll, res->elbo.kl,
           -res->bound[1], res->ks[1]);
}

/* Completes the test top halves by both models: measures the first
 * (at most) 500 and prints what they show, and draws completions.png
 * of the first 10. */
void compare_completions(half_results *res, vae_model *m, ae_model *reg,
                         classify_model *judge, const halves *test,
                         const cvae_options *co, const char *out, rng *r)
{
    enum { MEASURED = 500, DRAWS = 100, ROWS = 10 };
    int n_test = test->bottom.n;
    int n = n_test < MEASURED ? n_test : MEASURED;
    completion_stats st = completion_measure(m, reg, judge, test, n,
                                             DRAWS, co->temperature, r);
    write_completions(m, reg, test, n_test < ROWS ? n_test : ROWS,
                      co->completions, co->temperature, out, r);
    printf("\ncompletions of %d test top halves, %d draws each:\n", n,
           DRAWS);
    printf("  sd of a pixel over the draws %.3f (regressor: one answer, "
           "0)\n", st.spread);
    printf("  squared distance to the regressor's answer: one draw %.2f, "
           "the mean of the draws %.2f\n", st.draw_to_reg, st.mean_to_reg);
    printf("  judged the true class: %.3f of the CVAE's, %.3f of the "
           "regressor's; %.2f classes per top half\n", st.judged_cvae,
           st.judged_reg, st.classes);
    printf("  gray pixels (0.25-0.75) in the bottom half: CVAE %.3f, "
           "regressor %.3f, data %.3f\n", st.gray_cvae, st.gray_reg,
           st.gray_data);
    res->st = st;
}

/* The summary block of --cond half. */
void half_summary(const half_results *res, const cvae_options *co)
{
    const completion_stats *st = &res->st;
    report_summary_begin();
    report_summary("latent", res->latent);
    report_summary("temperature", co->temperature);
    report_summary("classifier_test_accuracy", res->judge_acc);
    if (!isnan(res->softmax))
        report_summary("softmax_test_accuracy", res->softmax);
    report_summary("test_neg_elbo", res->elbo.nll + res->elbo.kl);
    report_summary("test_reconstruction", res->elbo.nll);
    report_summary("test_kl", res->elbo.kl);
    char key[32];
    snprintf(key, sizeof key, "iw_nll_k%d", res->ks[1]);
    report_summary(key, -res->bound[1]);
    report_summary("regressor_test_bce", res->reg_bce);
    report_summary("completion_sd", st->spread);
    report_summary("draw_to_regressor", st->draw_to_reg);
    report_summary("mean_of_draws_to_regressor", st->mean_to_reg);
    report_summary("completion_judged_cvae", st->judged_cvae);
    report_summary("completion_judged_regressor", st->judged_reg);
    report_summary("completion_digits_per_input", st->classes);
    report_summary("gray_fraction_cvae", st->gray_cvae);
    report_summary("gray_fraction_regressor", st->gray_reg);
    report_summary("gray_fraction_data", st->gray_data);
}

/* --cond half: the judge, the CVAE of the bottom half given the top
 * half trained (or loaded) and bounded, the regressor beside it, their
 * completions compared, the summary. */
void run_half(const vae_options *o, const cvae_options *co,
              const data_set *train, const data_set *test, rng *r)
{
    static half_results res;
    res = (half_results){0};
    classify_model judge;
    res.judge_acc = judge_prepare(&judge, &res.softmax, &co->judge, train,
                                  test, o->out, o->seed);
    halves tr = halves_of(train), te = halves_of(test);
    if (o->binarize)   /* the modelled bottoms, as run_label does */
        data_binarize_fixed(te.bottom.x, (size_t)te.bottom.n * HALF);

    static vae_model m;
    vae_init(&m, vae_options_config(o, HALF, HALF), r);
    res.latent = m.cfg.latent;
    printf("\nCVAE of the bottom half (%d pixels) given the top half: "
           "latent %d, hidden %d\n", HALF, m.cfg.latent, m.cfg.hidden);
    vae_run run = train_or_load(&m, "ch08_half", &tr.bottom, tr.top,
                                &te.bottom, te.top, o, r);
    free(run.history);
    half_bounds(&res, &m, &te, o, r);

    printf("\nregressor %d-%d-%d, the same epochs\n", HALF, m.cfg.hidden,
           HALF);
    ae_model reg;
    regressor_train(&reg, &tr, &te, m.cfg.hidden, o->epochs, o->batch,
                    o->lr, r);
    res.reg_bce = ae_evaluate(&reg, te.top, te.bottom.x,
                              te.bottom.n).loss;
    compare_completions(&res, &m, &reg, &judge, &te, co, o->out, r);
    half_summary(&res, co);
    halves_free(&tr);
    halves_free(&te);
    ae_free(&reg);
    classify_free(&judge);
    vae_free(&m);
}

/* ---- main ------------------------------------------------------------ */

/* Chapter 7's flags and the chapter's own, with their defaults, parsed
 * from the command line into o and co. */
void parse_options(vae_options *o, cvae_options *co, int argc, char **argv)
{
    *o = (vae_options){
        .data = "data/mnist-mini", .train_size = 0, .test_size = 0,
        .latent = 2, .hidden = 400, .decoder = "bernoulli",
        .sigma = "0.1", .binarize = false, .epochs = 30, .batch = 64,
        .lr = 2e-3, .beta = 1.0, .warmup = 0, .eval_samples = 10,
        .iw = 100, .threads = 0, .seed = 1, .out = "out/ch08_cvae",
        .load = NULL, .activation = "relu", .encoder_layers = 1,
        .head = "logvar", .output = "sigmoid", .average = "none",
        .preset = "none",
    };
    *co = (cvae_options){
        .cond = "label", .temperature = 1.0, .per_digit = 100,
        .digits = {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 10},
        .judge = {.epochs = 30, .hidden = 500, .load = NULL},
        .completions = 8, .sweep = false,
        .sweep_latents = {{2, 4, 8, 20}, 4},
        .temperatures = {{1, 0.75, 0.5, 0.25}, 4},
        .contrast = false,
    };
    cli_flag flags[] = {
        VAE_FLAGS(o),
        {"cond", CLI_CHOICE, &co->cond, "label|half",
         "the condition: the one-hot label, or the top half"},
        {"temperature", CLI_REAL, &co->temperature, "(0,10]",
         "sample z ~ N(0, T^2 I): the prior's spread when generating"},
        {"per-digit", CLI_INT, &co->per_digit, "[1,1000]",
         "samples per digit judged for the conditional accuracy"},
        {"digits", CLI_LIST, &co->digits, "[0,9]",
         "the digits to generate"},
        {"classifier", CLI_STRING, &co->judge.load, NULL,
         "a saved judge (classifier.bin of a run) instead of training"},
        {"classifier-epochs", CLI_INT, &co->judge.epochs, "[1,1000]",
         "epochs of the judge's training"},
        {"classifier-hidden", CLI_INT, &co->judge.hidden, "[1,10000]",
         "hidden units of the judge (an MLP)"},
        {"completions", CLI_INT, &co->completions, "[1,100]",
         "--cond half: completions shown per top half"},
        {"contrast", CLI_BOOL, &co->contrast, NULL,
         "also train an unconditional VAE and judge its samples"},
        {"sweep", CLI_BOOL, &co->sweep, NULL,
         "also train a CVAE per --sweep-latents and judge each"},
        {"sweep-latents", CLI_LIST, &co->sweep_latents, "[1,1000]",
         "latent sizes of --sweep"},
        {"temperatures", CLI_LIST, &co->temperatures, "(0,10]",
         "temperatures of the accuracy table"},
    };
    vae_parse("ch08_cvae",
              "The conditional VAE: generate the digit you ask for, "
              "judged by a classifier; or complete a digit's bottom "
              "half (--cond half).", flags, CLI_COUNT(flags), argc, argv,
              o);
}

/* What the flags' ranges cannot say: whole latent sizes; the
 * comparisons of the ten digits' classes (and --explore) only with
 * --cond label; a --load file that fits, checked now, not after the
 * judge's training. */
void check_options(const vae_options *o, const cvae_options *co)
{
    for (int i = 0; i < co->sweep_latents.n; i++)
        if (co->sweep_latents.v[i] != floor(co->sweep_latents.v[i]))
            sys_die(SYS_USAGE, "--sweep-latents: %g is not a whole number",
                    co->sweep_latents.v[i]);
    bool half = strcmp(co->cond, "half") == 0;
    if (half) {   /* they are about the ten digits' classes */
        const char *no = co->sweep ? "--sweep" : co->contrast ? "--contrast"
                       : o->explore ? "--explore" : NULL;
        if (no != NULL)
            sys_die(SYS_USAGE, "%s: only with --cond label", no);
    }
    if (o->load != NULL) {   /* a bad file fails now, not after the judge */
        vae_config cfg = vae_options_config(o, half ? HALF : PIXELS,
                                            half ? HALF : CLASSES);
        vae_check_load(cfg, o->load, half ? "ch08_half" : "ch08_cvae");
    }
}

/* The training and test sets, and the run's first lines. */
void load_sets(data_set *train, data_set *test, const vae_options *o,
               const cvae_options *co)
{
    data_load(train, o->data, "train", SIDE, SIDE);
    data_load(test, o->data, "t10k", SIDE, SIDE);
    data_truncate(train, o->train_size);
    data_truncate(test, o->test_size);
    printf("ch08_cvae: seed %d, %s, --cond %s\n", o->seed,
           mat_threads_text(), co->cond);
    vae_config shape = vae_options_config(o, PIXELS, CLASSES);
    vae_print_variants(o, &shape);
    printf("data: %d training and %d test images from %s\n\n", train->n,
           test->n, o->data);
}

#ifndef TESTING
int main(int argc, char **argv)
{
    vae_options o;
    cvae_options co;
    parse_options(&o, &co, argc, argv);
    report_prepare(o.out);   /* before any work: can it be written? */
    check_options(&o, &co);
    mat_set_threads(o.threads);   /* 0: one per core */
    rng r;
    rng_seed(&r, (uint64_t)o.seed);
    double started = sys_seconds();

    data_set train, test;
    load_sets(&train, &test, &o, &co);
    if (o.explore) {   /* the CVAE of --load, by hand; exits */
        static vae_model m;
        vae_init(&m, vae_options_config(&o, PIXELS, CLASSES), &r);
        vae_load(&m, o.load, "ch08_cvae");
        vae_explore(&m, &test);
    }
    if (strcmp(co.cond, "label") == 0)
        run_label(&o, &co, &train, &test, &r);
    else
        run_half(&o, &co, &train, &test, &r);
    report_summary("seconds", sys_seconds() - started);
    report_files();
    data_free(&train);
    data_free(&test);
    return 0;
}
#endif
