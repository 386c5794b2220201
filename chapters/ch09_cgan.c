/* ch09_cgan.c -- Chapter 9: the conditional GAN beside the CVAE.
 *
 * Trains the conditional GAN of common/gan.c (a generator G(z, y) and a
 * discriminator D(x, y), the generator on the non-saturating loss) and
 * judges it in the same run, on the same terms, as chapter 8's CVAE:
 * chapter 8's classifier says whether a sample is the digit asked for;
 * the share of gray pixels says how blurred it is; the distances
 * between samples of one label say how varied they are, and the
 * distance to the nearest training image whether it copies. The judge
 * and the CVAE are chapter 8's saved ones when out/ch08_cvae holds them,
 * else they are trained here exactly as chapter 8 trains them. Then:
 * what a Parzen window would say of either model, and why it misleads;
 * and the gradient the generator gets from either form of its loss. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "classify.h"
#include "cli.h"
#include "data.h"
#include "flags.h"
#include "gan.h"
#include "image.h"
#include "interrupt.h"
#include "judge.h"
#include "mat.h"
#include "nn.h"
#include "num.h"
#include "report.h"
#include "rng.h"
#include "sys.h"
#include "vae.h"

enum { SIDE = 28, PIXELS = SIDE * SIDE, CLASSES = DATA_CLASSES };

/* The streams of the parts of a run, so that each part draws the same
 * numbers whether the others are trained or loaded. */
static const uint64_t GAN_STREAM = 0x6367616e;      /* "cgan" */
static const uint64_t EVAL_STREAM = 0x6576616c;     /* "eval" */

/* ---- the measures of a set of samples ---------------------------------- */

//> ch09-distance
/* |v|^2 for a row v of D numbers, summed in double. */
double squared_norm(const real *v, int D)
{
    double sum = 0;
    for (int k = 0; k < D; k++)
        sum += (double)v[k] * v[k];
    return sum;
}

/* Squared distances between every row of a (na, D) and every row of b
 * (nb, D), into d (na, nb), by (9.10): |a - b|^2 = |a|^2 + |b|^2 -
 * 2 a.b, the products all at once as a dense layer's forward pass. */
void squared_distances(real *d /* (na, nb) */, const real *a,
                       int na, const real *b, int nb, int D)
{
    double *bb = sys_alloc((size_t)nb, sizeof(double));
    for (int j = 0; j < nb; j++)
        bb[j] = squared_norm(b + (size_t)j * D, D);
    mat_mul_nt(d, a, b, na, D, nb, false);    /* d_ij = a_i . b_j */
    for (int i = 0; i < na; i++) {
        double aa = squared_norm(a + (size_t)i * D, D);
        real *row = d + (size_t)i * nb;
        /* fmax: a distance is >= 0, which rounding may undo */
        for (int j = 0; j < nb; j++)
            row[j] = (real)fmax(0, aa + bb[j] - 2 * row[j]);
    }
    free(bb);
}
//< ch09-distance

//> ch09-measures
/* Diversity (9.11): the mean distance |x_i - x_j| between two of the n
 * images of one label (rows k * n .. k * n + n - 1 are label k's),
 * averaged over the labels. A generator that repeats itself scores
 * low; the data's own images set the mark. */
double diversity_within_label(const real *images, int nlabels, int n)
{
    real *d = sys_alloc((size_t)n * n, sizeof *d);
    double sum = 0;
    for (int k = 0; k < nlabels; k++) {
        const real *x = images + (size_t)k * n * PIXELS;
        squared_distances(d, x, n, x, n, PIXELS);
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                sum += sqrt(d[(size_t)i * n + j]);
    }
    free(d);
    return sum / (nlabels * (n * (n - 1) / 2.0));
}

/* The distance from each of n images to its nearest training image
 * (9.12) into nearest (n) if not NULL, and index (n) of that image if
 * not NULL; returns their mean. Copying shows as a distance near 0. */
double nearest_training(double *nearest, int *index, const real *images,
                        int n, const data_set *train)
{
    enum { CHUNK = 1000 };   /* training rows per product */
    real *d = sys_alloc((size_t)n * CHUNK, sizeof *d);
    double *best = sys_alloc((size_t)n, sizeof(double));
    int *at = sys_alloc((size_t)n, sizeof(int));
    for (int i = 0; i < n; i++)
        best[i] = INFINITY;
    for (int s = 0; s < train->n; s += CHUNK) {
        int m = train->n - s < CHUNK ? train->n - s : CHUNK;
        const real *rows = train->x + (size_t)s * PIXELS;
        squared_distances(d, images, n, rows, m, PIXELS);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++)
                if (d[(size_t)i * m + j] < best[i]) {
                    best[i] = d[(size_t)i * m + j];
                    at[i] = s + j;
                }
    }
    double mean = 0;
    for (int i = 0; i < n; i++) {
        mean += sqrt(best[i]) / n;
        if (nearest != NULL)
            nearest[i] = sqrt(best[i]);
        if (index != NULL)
            index[i] = at[i];
    }
    free(d);
    free(best);
    free(at);
    return mean;
}
//< ch09-measures

/* ---- what a Parzen window says ----------------------------------------- */

//> ch09-parzen
/* The Parzen-window estimate (9.13) of log p(x | y) for each of nx
 * images x of label k (rows of x), from n samples s of that label:
 *   log (1/n) sum_i N(x; s_i, sigma^2 I)
 *     = logmeanexp_i(-|x - s_i|^2 / 2 sigma^2)
 *       - (D/2) log(2 pi sigma^2)
 * Returns the sum over the nx images. */
double parzen_log_density(const real *x, int nx, const real *s, int n,
                          double sigma)
{
    real *d = sys_alloc((size_t)nx * n, sizeof *d);
    double *t = sys_alloc((size_t)n, sizeof(double));
    squared_distances(d, x, nx, s, n, PIXELS);
    double norm = PIXELS / 2.0 * log(2 * M_PI * sigma * sigma);
    double sum = 0;
    for (int a = 0; a < nx; a++) {
        for (int i = 0; i < n; i++)
            t[i] = -d[(size_t)a * n + i] / (2 * sigma * sigma);
        sum += num_logmeanexp(t, n) - norm;
    }
    free(d);
    free(t);
    return sum;
}
//< ch09-parzen

/* The test images of each label, grouped: rows k * per .. k * per +
 * per - 1 of out (CLASSES * per, PIXELS) are the first `per` test
 * images of digit k, skipping the first `skip` of each. Returns false if
 * some digit has fewer. */
bool images_by_label(real *out, const data_set *set, int per, int skip)
{
    for (int k = 0; k < CLASSES; k++) {
        int seen = 0, got = 0;
        for (int i = 0; i < set->n && got < per; i++) {
            if (set->y[i] != k || seen++ < skip)
                continue;
            memcpy(out + ((size_t)k * per + got) * PIXELS,
                   set->x + (size_t)i * PIXELS, sizeof(real) * PIXELS);
            got++;
        }
        if (got < per)
            return false;
    }
    return true;
}

/* The mean Parzen log-density of the held-out images (grouped by label
 * as images_by_label gives them, `per` of each) under the samples
 * (grouped the same way, n of each label), at one sigma. */
double parzen_mean(const real *held, int per, const real *samples, int n,
                   double sigma)
{
    double sum = 0;
    for (int k = 0; k < CLASSES; k++)
        sum += parzen_log_density(held + (size_t)k * per * PIXELS, per,
                                  samples + (size_t)k * n * PIXELS, n,
                                  sigma);
    return sum / (CLASSES * per);
}

/* The sigma of the grid that gives the validation images the highest
 * mean log-density under the samples: how a Parzen window is fitted. */
double parzen_fit_sigma(const real *valid, int per, const real *samples,
                        int n)
{
    static const double grid[] = {0.05, 0.08, 0.1, 0.15, 0.2, 0.3, 0.5};
    double best = -INFINITY, sigma = grid[0];
    for (size_t g = 0; g < sizeof grid / sizeof grid[0]; g++) {
        double v = parzen_mean(valid, per, samples, n, grid[g]);
        if (v > best) {
            best = v;
            sigma = grid[g];
        }
    }
    return sigma;
}

/* ---- training the GAN, with its dynamics -------------------------------- */

/* How to train. */
typedef struct {
    int epochs, batch;
    double d_lr, g_lr, beta1;
    gan_g_form form;
    int seed;                   /* of the watch set's noise */
} gan_train_options;

/* One epoch's averages, and what the probe batch said at its end. */
typedef struct {
    double d_loss, g_loss;
    double real_acc, fake_acc;  /* D right on real and on fake rows */
    double d_of_fake;           /* mean D(G(z)) on the probe batch */
    double judged;              /* conditional accuracy (8.6) of the
                                   watch set's images */
    double grad_ns, grad_mm;    /* |grad| of G's loss, both forms */
    double seconds;
} gan_epoch;

/* The probe: a fixed batch of noise and labels 0-9 in turn, on which
 * the generator's gradient is measured in both forms (9.6), (9.7). */
typedef struct {
    int B;
    real *z, *onehot;
} gan_probe;

gan_probe probe_make(int B, int noise, rng *r)
{
    gan_probe p = {B, sys_alloc((size_t)B * noise, sizeof(real)),
                   sys_alloc((size_t)B * CLASSES, sizeof(real))};
    for (int i = 0; i < B * noise; i++)
        p.z[i] = (real)rng_normal(r);
    for (int i = 0; i < B; i++)
        p.onehot[(size_t)i * CLASSES + i % CLASSES] = 1;
    return p;
}

/* The watch set: WATCH fixed noises for each digit, whose images the
 * judge reads after every epoch: when does G learn the label? */
enum { WATCH = 50 };
static const uint64_t WATCH_STREAM = 0x7761746368;  /* "watch" */

typedef struct {
    real *z;                    /* (CLASSES * WATCH, noise) */
    real *onehot;               /* (CLASSES * WATCH, CLASSES) */
    unsigned char *label;       /* (CLASSES * WATCH) */
    real *images;               /* (CLASSES * WATCH, PIXELS) */
} gan_watch;

gan_watch watch_make(int noise, int seed)
{
    int n = CLASSES * WATCH;
    gan_watch w = {sys_alloc((size_t)n * noise, sizeof(real)),
                   sys_alloc((size_t)n * CLASSES, sizeof(real)),
                   sys_alloc((size_t)n, 1),
                   sys_alloc((size_t)n * PIXELS, sizeof(real))};
    rng r;
    rng_seed(&r, (uint64_t)seed ^ WATCH_STREAM);
    for (int i = 0; i < n * noise; i++)
        w.z[i] = (real)rng_normal(&r);
    for (int i = 0; i < n; i++)
        w.label[i] = (unsigned char)(i / WATCH);
    data_onehot(w.onehot, w.label, n, CLASSES);
    return w;
}

void watch_free(gan_watch *w)
{
    free(w->z);
    free(w->onehot);
    free(w->label);
    free(w->images);
}

/* The judge's conditional accuracy on G's images of the watch set. */
double watch_accuracy(gan_watch *w, gan_model *m, gan_acts *a,
                      classify_model *judge)
{
    int n = CLASSES * WATCH, Z = m->cfg.noise;
    for (int s = 0; s < n; s += a->cap) {
        int B = n - s < a->cap ? n - s : a->cap;
        gan_generator_forward(a, m, w->z + (size_t)s * Z,
                              w->onehot + (size_t)s * CLASSES, B);
        memcpy(w->images + (size_t)s * PIXELS, a->fake,
               sizeof(real) * (size_t)B * PIXELS);
    }
    double per_digit[CLASSES];
    return conditional_accuracy(per_digit, NULL, judge, w->images,
                                w->label, n);
}

/* Fills the probe's columns of h: D(G(z)) and both gradient norms. */
void probe_measure(gan_epoch *h, gan_model *m, gan_acts *a,
                   const gan_probe *p)
{
    h->grad_ns = gan_g_grad_norm(m, a, p->z, p->onehot, p->B,
                                 GAN_NON_SATURATING);
    h->grad_mm = gan_g_grad_norm(m, a, p->z, p->onehot, p->B,
                                 GAN_SATURATING);
    double sum = 0;   /* a->logit holds the probe's logits */
    for (int i = 0; i < p->B; i++)
        sum += 1 / (1 + exp(-(double)a->logit[i]));
    h->d_of_fake = sum / p->B;
}

/* A line of progress; epoch 0 (before training) has only the probe. */
void print_epoch(const gan_epoch *h, int e, int epochs, double eta)
{
    if (e == 0) {
        printf("%3d/%-3d %7s %7s %7s %7s %8.3f %9.3g %9.3g %7.3f\n", e,
               epochs, "-", "-", "-", "-", h->d_of_fake, h->grad_ns,
               h->grad_mm, h->judged);
        return;
    }
    printf("%3d/%-3d %7.3f %7.3f %7.3f %7.3f %8.3f %9.3g %9.3g %7.3f"
           " %6.2f s  ETA %3.0f s\n", e, epochs, h->d_loss, h->g_loss,
           h->real_acc, h->fake_acc, h->d_of_fake, h->grad_ns, h->grad_mm,
           h->judged, h->seconds, eta);
    fflush(stdout);
}

/* The strip: after each epoch, G of ten fixed noises, digits 0-9. */
void strip_row(real *row /* (CLASSES, PIXELS) */, gan_model *m,
               gan_acts *a, const gan_probe *p)
{
    gan_generator_forward(a, m, p->z, p->onehot, CLASSES);
    memcpy(row, a->fake, sizeof(real) * CLASSES * PIXELS);
}

/* One epoch of shuffled minibatches (a last partial batch is dropped:
 * D's real and fake halves stay equal). Returns its averages. */
gan_epoch train_epoch(gan_model *m, gan_acts *a, const data_set *train,
                      const gan_train_options *o, const nn_adam *d_adam,
                      const nn_adam *g_adam, int *order, rng *r)
{
    int B = o->batch, Z = m->cfg.noise, steps = 0;
    real *x = sys_alloc((size_t)B * PIXELS, sizeof *x);
    real *onehot = sys_alloc((size_t)B * CLASSES, sizeof *onehot);
    real *z = sys_alloc((size_t)B * Z, sizeof *z);
    real *z2 = sys_alloc((size_t)B * Z, sizeof *z2);
    unsigned char *label = sys_alloc((size_t)B, 1);
    gan_epoch h = {0};
    data_order(order, train->n, r);
    for (int s = 0; s + B <= train->n && !interrupt_requested(); s += B) {
        data_gather(x, label, train, order + s, B);
        data_onehot(onehot, label, B, CLASSES);
        for (int i = 0; i < B * Z; i++)
            z[i] = (real)rng_normal(r);
        for (int i = 0; i < B * Z; i++)
            z2[i] = (real)rng_normal(r);
        gan_step_stats st = gan_train_step(m, a, d_adam, g_adam, x, onehot,
                                           z, z2, B, o->form);
        if (!isfinite(st.d_loss + st.g_loss))
            sys_die(SYS_FAILED, "training diverged: the losses are %g and %g "
                    "at step %d; try smaller --d-lr/--g-lr", st.d_loss,
                    st.g_loss, steps + 1);
        h.d_loss += st.d_loss;
        h.g_loss += st.g_loss;
        h.real_acc += st.real_right;
        h.fake_acc += st.fake_right;
        steps++;
    }
    if (steps > 0) {
        h.d_loss /= steps;
        h.g_loss /= steps;
        h.real_acc /= (double)steps * B;
        h.fake_acc /= (double)steps * B;
    }
    free(x);
    free(onehot);
    free(z);
    free(z2);
    free(label);
    return h;
}

enum { STRIP_ROWS = 20 };      /* the strip's rows after epoch 0 */

/* What gan_fit did. */
typedef struct {
    int epochs_done;
    gan_epoch *history;         /* (epochs + 1): row 0 before training */
    real *strip;                /* (rows, CLASSES, PIXELS) */
    int rows;                   /* strip rows: epoch 0, then every
                                   `every`-th epoch, and the last */
    int every;
    double train_seconds;
} gan_run;

/* Trains for o->epochs epochs, printing a line per epoch with the
 * probe's numbers; SIGINT (Ctrl-C) stops it after the current batch. */
gan_run gan_fit(gan_model *m, const data_set *train,
                const gan_train_options *o, classify_model *judge,
                rng *r)
{
    gan_run run = {0};
    run.history = sys_alloc((size_t)o->epochs + 1, sizeof *run.history);
    run.every = o->epochs > STRIP_ROWS ? (o->epochs + STRIP_ROWS - 1) /
                                         STRIP_ROWS : 1;
    run.strip = sys_alloc((size_t)(STRIP_ROWS + 2) * CLASSES * PIXELS,
                          sizeof(real));
    int *order = sys_alloc((size_t)train->n, sizeof(int));
    gan_acts a;
    gan_acts_alloc(&a, &m->cfg, o->batch > 64 ? o->batch : 64);
    gan_probe probe = probe_make(64, m->cfg.noise, r);
    gan_watch watch = watch_make(m->cfg.noise, o->seed);
    nn_adam d_adam = nn_adam_defaults(o->d_lr);
    nn_adam g_adam = nn_adam_defaults(o->g_lr);
    d_adam.beta1 = g_adam.beta1 = o->beta1;
    interrupt_catch();   /* Ctrl-C: stop after the batch, save */

    printf("epoch    D loss  G loss  D real  D fake  D(G(z))  |grad| NS"
           "  |grad| MM  judged\n");
    probe_measure(&run.history[0], m, &a, &probe);
    run.history[0].judged = watch_accuracy(&watch, m, &a, judge);
    strip_row(run.strip, m, &a, &probe);
    run.rows = 1;
    print_epoch(&run.history[0], 0, o->epochs, NAN);
    double started = sys_seconds();
    for (int e = 1; e <= o->epochs && !interrupt_requested(); e++) {
        double t0 = sys_seconds();
        gan_epoch h = train_epoch(m, &a, train, o, &d_adam, &g_adam,
                                  order, r);
        if (interrupt_requested())
            break;
        h.seconds = sys_seconds() - t0;
        run.train_seconds += h.seconds;
        probe_measure(&h, m, &a, &probe);
        h.judged = watch_accuracy(&watch, m, &a, judge);
        if (e % run.every == 0 || e == o->epochs)
            strip_row(run.strip + (size_t)run.rows++ * CLASSES * PIXELS, m,
                      &a, &probe);
        run.history[e] = h;
        run.epochs_done = e;
        double eta = (sys_seconds() - started) / e * (o->epochs - e);
        print_epoch(&h, e, o->epochs, eta);
    }
    interrupt_release();
    gan_acts_free(&a);
    free(probe.z);
    free(probe.onehot);
    watch_free(&watch);
    free(order);
    return run;
}

/* The epoch after which D was surest the probe's images were fake:
 * the lowest D(G(z)). */
const gan_epoch *most_confident(const gan_run *run)
{
    const gan_epoch *best = &run->history[1];
    for (int e = 2; e <= run->epochs_done; e++)
        if (run->history[e].d_of_fake < best->d_of_fake)
            best = &run->history[e];
    return best;
}

/* losses.tsv (a row per epoch, 0 = before training) and strip.png (a
 * row of the probe's first ten images, digits 0-9, before training and
 * after every run->every-th epoch). */
void write_dynamics(const gan_run *run, const char *out)
{
    report_tsv t;
    report_tsv_open(&t, out, "losses.tsv",
                    "epoch\td_loss\tg_loss\td_real_accuracy\t"
                    "d_fake_accuracy\td_of_fake\tgrad_nonsaturating\t"
                    "grad_minimax\tconditional_accuracy");
    for (int e = 0; e <= run->epochs_done; e++) {
        const gan_epoch *h = &run->history[e];
        report_tsv_row(&t, (double[]){e, h->d_loss, h->g_loss,
                                      h->real_acc, h->fake_acc,
                                      h->d_of_fake, h->grad_ns,
                                      h->grad_mm, h->judged});
    }
    report_tsv_close(&t);
    image_grid(out, "strip.png", run->strip, run->rows * CLASSES, SIDE,
               SIDE, CLASSES, 1);
}

/* ---- the program ------------------------------------------------------- */

/* Everything the flags set. */
typedef struct {
    const char *data;
    int train_size, test_size;
    int noise, g_hidden, d_hidden;
    double slope;
    gan_train_options train;
    const char *g_loss;         /* "non-saturating" | "minimax" */
    int per_digit;              /* samples per digit that are measured */
    const char *classifier;     /* "auto" | "train" | a file */
    int classifier_epochs, classifier_hidden;
    const char *cvae;           /* "auto" | "train" | a file */
    int cvae_epochs;
    int threads, seed;
    const char *out;
    const char *load;           /* a saved generator: no training */
} cgan_options;

/* Chapter 8's files, used by "auto" when they are there. */
#define CH08_CLASSIFIER "out/ch08_cvae/classifier.bin"
#define CH08_CVAE "out/ch08_cvae/cvae.bin"

/* "auto" -> the chapter 8 file if it exists, else NULL (train);
 * "train" -> NULL; anything else is a file that must exist. */
const char *resolve_model(const char *flag, const char *value,
                          const char *ch08_file)
{
    if (strcmp(value, "train") == 0)
        return NULL;
    if (strcmp(value, "auto") == 0)
        return access(ch08_file, R_OK) == 0 ? ch08_file : NULL;
    if (access(value, R_OK) != 0)
        sys_die(SYS_USAGE, "--%s: cannot read '%s'", flag, value);
    return value;
}

/* Chapter 8's CVAE: its defaults, loaded or trained as chapter 8 trains
 * it (the same stream, so the same bits), saved as out/cvae.bin. */
void cvae_prepare(vae_model *m, const cgan_options *o,
                  const data_set *train, const data_set *test)
{
    vae_options vo = {
        .data = o->data, .latent = 2, .hidden = 400,
        .decoder = "bernoulli", .sigma = "0.1", .epochs = o->cvae_epochs,
        .batch = 64, .lr = 2e-3, .beta = 1.0, .eval_samples = 10,
        .iw = 100, .seed = o->seed, .out = o->out,
    };
    vae_config cfg = vae_options_config(&vo, PIXELS, CLASSES);
    rng r;
    rng_seed(&r, (uint64_t)o->seed);
    vae_init(m, cfg, &r);
    char tag[NN_TAG_MAX];
    vae_tag(tag, "ch08_cvae", &cfg);
    const char *file = resolve_model("cvae", o->cvae, CH08_CVAE);
    if (file != NULL) {
        char err[600];
        if (!nn_params_try_load(&m->params, file, tag, err, sizeof err))
            sys_die(SYS_FAILED, "--cvae %s", err);
        printf("CVAE: chapter 8's, loaded from %s\n", file);
        return;
    }
    printf("CVAE: chapter 8's (latent 2, hidden 400), %d epochs\n",
           vo.epochs);
    vae_run run = vae_train(m, train, NULL, test, NULL, &vo, &r);
    free(run.history);
    if (run.interrupted) {
        printf("\ninterrupted while training the CVAE\n");
        report_files();
        exit(INTERRUPT_EXIT);
    }
    nn_params_save(&m->params, o->out, "cvae.bin", tag);
}

/* The four measures of one set of samples, n of each digit 0-9. */
typedef struct {
    double accuracy, gray, diversity, nearest;
} sample_measures;

sample_measures measure(classify_model *judge, const real *images,
                        const unsigned char *asked, int n,
                        const data_set *train)
{
    sample_measures s;
    double per_digit[CLASSES];
    s.accuracy = conditional_accuracy(per_digit, NULL, judge, images,
                                      asked, CLASSES * n);
    s.gray = gray_fraction(images, CLASSES * n, PIXELS);
    s.diversity = diversity_within_label(images, CLASSES, n);
    s.nearest = nearest_training(NULL, NULL, images, CLASSES * n, train);
    return s;
}

/* The table of the chapter: CVAE | CGAN | data. */
void print_table(const sample_measures *m /* (3) */, const char *out)
{
    static const char *rows[] = {
        "conditional accuracy", "gray pixels (0.25-0.75)",
        "diversity within a label", "distance to nearest training"};
    report_tsv t;
    report_tsv_open(&t, out, "comparison.tsv",
                    "measure\tcvae\tcgan\tdata");
    printf("\n%-30s %8s %8s %8s\n", "", "CVAE", "CGAN", "data");
    for (int i = 0; i < 4; i++) {
        double v[3];
        for (int j = 0; j < 3; j++)
            v[j] = i == 0 ? m[j].accuracy : i == 1 ? m[j].gray
                 : i == 2 ? m[j].diversity : m[j].nearest;
        printf("%-30s %8.3f %8.3f %8.3f\n", rows[i], v[0], v[1], v[2]);
        report_tsv_row(&t, (double[]){i, v[0], v[1], v[2]});
    }
    report_tsv_close(&t);
}

/* Samples of every digit, n each (rows k * n .. of digit k): from the
 * CVAE at temperature 1, or from the GAN. */
void sample_cvae(real *images, unsigned char *asked, vae_model *m, int n,
                 rng *r)
{
    static const int all[CLASSES] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    cvae_generate(images, asked, m, all, CLASSES, n, 1.0, r);
}

void sample_gan(real *images, unsigned char *asked, gan_model *m, int n,
                rng *r)
{
    gan_acts a;
    gan_acts_alloc(&a, &m->cfg, 100);
    for (int i = 0; i < CLASSES * n; i++)
        asked[i] = (unsigned char)(i / n);
    gan_generate(images, m, &a, asked, CLASSES * n, r);
    gan_acts_free(&a);
}

/* The first `shown` of each digit's n samples, as a grid of 10 rows. */
void write_grid(const char *out, const char *name, const real *images,
                int n, int shown)
{
    real *grid = sys_alloc((size_t)CLASSES * shown * PIXELS, sizeof *grid);
    for (int k = 0; k < CLASSES; k++)
        memcpy(grid + (size_t)k * shown * PIXELS,
               images + (size_t)k * n * PIXELS,
               sizeof(real) * (size_t)shown * PIXELS);
    image_grid(out, name, grid, CLASSES * shown, SIDE, SIDE, shown, 2);
    free(grid);
}

/* What the Parzen windows said. */
typedef struct {
    double sigma[3], value[3];   /* CVAE, CGAN, training images */
} parzen_result;

/* Parzen windows (9.13) on each set of samples, sigma fitted on half of
 * the held-out test digits and the mean log-density reported on the
 * other half. */
parzen_result parzen_compare(const real *const *samples /* (3) */,
                             int n, const data_set *test)
{
    enum { PER = 50 };
    parzen_result p;
    real *valid = sys_alloc((size_t)CLASSES * PER * PIXELS, sizeof *valid);
    real *held = sys_alloc((size_t)CLASSES * PER * PIXELS, sizeof *held);
    if (!images_by_label(valid, test, PER, 0) ||
        !images_by_label(held, test, PER, PER))
        sys_die(SYS_USAGE, "--test-size: the Parzen windows need %d test "
                "digits of each class", 2 * PER);
    for (int j = 0; j < 3; j++) {
        p.sigma[j] = parzen_fit_sigma(valid, PER, samples[j], n);
        p.value[j] = parzen_mean(held, PER, samples[j], n, p.sigma[j]);
    }
    free(valid);
    free(held);
    return p;
}

/* The training and test sets, checked against the batch size. */
void load_data(data_set *train, data_set *test, const cgan_options *o)
{
    data_load(train, o->data, "train", SIDE, SIDE);
    data_load(test, o->data, "t10k", SIDE, SIDE);
    data_truncate(train, o->train_size);
    data_truncate(test, o->test_size);
    if (train->n < o->train.batch)
        sys_die(SYS_USAGE, "--batch: %d is more than the %d training images",
                o->train.batch, train->n);
    printf("ch09_cgan: seed %d, %s\n", o->seed, mat_threads_text());
    printf("data: %d training and %d test images from %s\n\n",
           train->n, test->n, o->data);
}

/* The GAN's shape from the flags. */
gan_config gan_config_of(const cgan_options *o)
{
    return (gan_config){o->noise, CLASSES, PIXELS, o->g_hidden,
                        o->d_hidden, o->slope};
}

/* A bad --load fails before any work (the judge's training comes
 * first): the file is read once into a scratch generator, whose own
 * stream leaves the program's untouched. */
void check_load(const cgan_options *o)
{
    rng scratch_stream;
    rng_seed(&scratch_stream, 0);
    gan_model scratch;
    gan_init(&scratch, gan_config_of(o), &scratch_stream);
    char err[600];
    if (!nn_params_try_load(&scratch.g_params, o->load, GAN_TAG, err,
                            sizeof err))
        sys_die(SYS_FAILED, "--load %s", err);
    gan_free(&scratch);
}

/* The GAN: loaded from --load, or trained (its own stream) and saved
 * with its dynamics; after Ctrl-C, the files so far and exit 130. */
gan_run train_or_load_gan(gan_model *gan, const cgan_options *o,
                          const data_set *train, classify_model *judge)
{
    gan_config cfg = gan_config_of(o);
    rng r;
    rng_seed(&r, (uint64_t)o->seed ^ GAN_STREAM);
    gan_init(gan, cfg, &r);
    gan_run run = {0};
    printf("\nconditional GAN: G %d+%d -> %d -> %d, D %d -> %d -> 1 "
           "+ projection of the label; %s loss\n", o->noise, CLASSES,
           o->g_hidden, PIXELS, PIXELS, o->d_hidden, o->g_loss);
    if (o->load != NULL) {
        nn_params_load(&gan->g_params, o->load, GAN_TAG);
        printf("loaded %s: %zu parameters, no training\n", o->load,
               gan->g_params.count);
        return run;
    }
    run = gan_fit(gan, train, &o->train, judge, &r);
    nn_params_save(&gan->g_params, o->out, "cgan.bin", GAN_TAG);
    write_dynamics(&run, o->out);
    if (interrupt_requested()) {
        printf("\ninterrupted after %d epoch%s; --load %s/cgan.bin "
               "measures it\n", run.epochs_done,
               run.epochs_done == 1 ? "" : "s", o->out);
        report_files();
        exit(INTERRUPT_EXIT);
    }
    return run;
}

/* What is measured: n samples of each digit from both models, n test
 * digits of each class, and n training digits (the copy machine). */
typedef struct {
    int n;
    real *cvae, *gan, *data, *copies;   /* (10 n, PIXELS) each */
    unsigned char *asked;               /* (10 n) row k n + i: k */
} sample_sets;

sample_sets draw_samples(vae_model *cvae, gan_model *gan,
                         const data_set *train, const data_set *test,
                         const cgan_options *o)
{
    int n = o->per_digit, count = CLASSES * n;
    sample_sets ss = {n, sys_alloc((size_t)count * PIXELS, sizeof(real)),
                      sys_alloc((size_t)count * PIXELS, sizeof(real)),
                      sys_alloc((size_t)count * PIXELS, sizeof(real)),
                      sys_alloc((size_t)count * PIXELS, sizeof(real)),
                      sys_alloc((size_t)count, 1)};
    if (!images_by_label(ss.data, test, n, 0))
        sys_die(SYS_USAGE, "--per-digit: %d is more than the test set has of "
                "some digit", n);
    if (!images_by_label(ss.copies, train, n, 0))
        sys_die(SYS_USAGE, "--per-digit: %d is more than the training set has "
                "of some digit", n);
    rng r;
    rng_seed(&r, (uint64_t)o->seed ^ EVAL_STREAM);
    sample_cvae(ss.cvae, ss.asked, cvae, n, &r);
    sample_gan(ss.gan, ss.asked, gan, n, &r);
    return ss;
}

void sample_sets_free(sample_sets *ss)
{
    free(ss->cvae);
    free(ss->gan);
    free(ss->data);
    free(ss->copies);
    free(ss->asked);
}

/* The chapter's numbers: the table's and the Parzen windows'. */
typedef struct {
    sample_measures m[3];       /* CVAE, CGAN, data */
    parzen_result parzen;
} results;

/* Measures the three sets, prints the table (and comparison.tsv in
 * out) and the Parzen windows. */
results compare(classify_model *judge, const sample_sets *ss,
                const data_set *train, const data_set *test,
                const char *out)
{
    results res;
    int n = ss->n;
    res.m[0] = measure(judge, ss->cvae, ss->asked, n, train);
    res.m[1] = measure(judge, ss->gan, ss->asked, n, train);
    res.m[2] = measure(judge, ss->data, ss->asked, n, train);
    print_table(res.m, out);
    const real *sets[3] = {ss->cvae, ss->gan, ss->copies};
    res.parzen = parzen_compare(sets, n, test);
    printf("\nParzen windows (9.13) on %d samples of each digit, mean "
           "log p(x|y) of 500 test digits:\n", n);
    static const char *who[3] = {"CVAE samples", "CGAN samples",
                                 "training images (a copy machine)"};
    for (int j = 0; j < 3; j++)
        printf("  %-34s sigma %.2f  %9.1f nats\n", who[j],
               res.parzen.sigma[j], res.parzen.value[j]);
    return res;
}

/* generated.png (the CGAN's), cvae.png, and the CGAN's samples as IDX
 * files with the digits asked for. */
void write_samples(const sample_sets *ss, const char *out)
{
    int n = ss->n, count = CLASSES * n, shown = n < 10 ? n : 10;
    write_grid(out, "generated.png", ss->gan, n, shown);
    write_grid(out, "cvae.png", ss->cvae, n, shown);
    data_write_images(out, "generated-images-idx3-ubyte", ss->gan, count,
                      SIDE, SIDE);
    data_write_labels(out, "generated-labels-idx1-ubyte", ss->asked,
                      count);
}

/* The dynamics' keys: D's accuracy at the end, and both gradients
 * after epoch 1 and where D was surest. */
void summary_dynamics(const gan_run *run)
{
    const gan_epoch *first = &run->history[1];
    const gan_epoch *last = &run->history[run->epochs_done];
    const gan_epoch *sure = most_confident(run);
    report_summary("d_real_accuracy", last->real_acc);
    report_summary("d_fake_accuracy", last->fake_acc);
    report_summary("d_of_fake_epoch1", first->d_of_fake);
    report_summary("grad_nonsaturating_epoch1", first->grad_ns);
    report_summary("grad_minimax_epoch1", first->grad_mm);
    report_summary("confident_epoch", (double)(sure - run->history));
    report_summary("confident_d_of_fake", sure->d_of_fake);
    report_summary("confident_grad_nonsaturating", sure->grad_ns);
    report_summary("confident_grad_minimax", sure->grad_mm);
    report_summary("seconds_per_epoch",
                   run->train_seconds / run->epochs_done);
}

void write_summary(const results *res, const gan_run *run,
                   double judge_acc)
{
    static const char *col[3] = {"cvae", "cgan", "data"};
    static const char *pcol[3] = {"cvae", "cgan", "train_images"};
    char key[64];
    report_summary_begin();
    report_summary("epochs", run->epochs_done);
    report_summary("classifier_test_accuracy", judge_acc);
    for (int j = 0; j < 3; j++) {
        const sample_measures *m = &res->m[j];
        snprintf(key, sizeof key, "conditional_accuracy_%s", col[j]);
        report_summary(key, m->accuracy);
        snprintf(key, sizeof key, "gray_fraction_%s", col[j]);
        report_summary(key, m->gray);
        snprintf(key, sizeof key, "diversity_%s", col[j]);
        report_summary(key, m->diversity);
        snprintf(key, sizeof key, "nearest_training_%s", col[j]);
        report_summary(key, m->nearest);
    }
    for (int j = 0; j < 3; j++) {
        snprintf(key, sizeof key, "parzen_%s", pcol[j]);
        report_summary(key, res->parzen.value[j]);
        snprintf(key, sizeof key, "parzen_sigma_%s", pcol[j]);
        report_summary(key, res->parzen.sigma[j]);
    }
    if (run->epochs_done > 0)
        summary_dynamics(run);
}

/* ---- main -------------------------------------------------------------- */

/* The flags and their defaults, parsed from the command line. */
void parse_options(cgan_options *o, int argc, char **argv)
{
    *o = (cgan_options){
        .data = "data/mnist-mini", .train_size = 0, .test_size = 0,
        .noise = 64, .g_hidden = 256, .d_hidden = 256, .slope = 0.2,
        .train = {.epochs = 20, .batch = 64, .d_lr = 1e-3, .g_lr = 1e-3,
                  .beta1 = 0.5},
        .g_loss = "non-saturating", .per_digit = 100,
        .classifier = "auto", .classifier_epochs = 30,
        .classifier_hidden = 500, .cvae = "auto", .cvae_epochs = 30,
        .threads = 0, .seed = 1, .out = "out/ch09_cgan", .load = NULL,
    };
    cli_flag flags[] = {
        FLAG_DATA(&o->data), FLAG_TRAIN_SIZE(&o->train_size),
        FLAG_TEST_SIZE(&o->test_size),
        {"noise", CLI_INT, &o->noise, "[1,1000]", "dimensions of z"},
        {"g-hidden", CLI_INT, &o->g_hidden, "[1,10000]",
         "hidden units of the generator"},
        {"d-hidden", CLI_INT, &o->d_hidden, "[1,10000]",
         "hidden units of the discriminator"},
        {"slope", CLI_REAL, &o->slope, "[0,1]",
         "the leaky ReLU's slope below 0, in D"},
        {"epochs", CLI_INT, &o->train.epochs, "[0,1000000]",
         "epochs of the GAN's training"},
        {"batch", CLI_INT, &o->train.batch, "[1,4096]",
         "real images per step (and as many generated)"},
        {"d-lr", CLI_REAL, &o->train.d_lr, "(0,1]",
         "Adam's step size for the discriminator"},
        {"g-lr", CLI_REAL, &o->train.g_lr, "(0,1]",
         "Adam's step size for the generator"},
        {"beta1", CLI_REAL, &o->train.beta1, "[0,1)",
         "Adam's decay of the mean gradient, both networks"},
        {"g-loss", CLI_CHOICE, &o->g_loss, "non-saturating|minimax",
         "the generator's loss: -log D (9.7) or log(1 - D) (9.6)"},
        {"per-digit", CLI_INT, &o->per_digit, "[2,150]",
         "samples per digit that are measured"},
        {"classifier", CLI_STRING, &o->classifier, NULL,
         "the judge: auto (chapter 8's if saved), train, or a file"},
        {"classifier-epochs", CLI_INT, &o->classifier_epochs, "[1,1000]",
         "epochs of the judge's training, if trained"},
        {"classifier-hidden", CLI_INT, &o->classifier_hidden, "[1,10000]",
         "hidden units of the judge (an MLP)"},
        {"cvae", CLI_STRING, &o->cvae, NULL,
         "the CVAE: auto (chapter 8's if saved), train, or a file"},
        {"cvae-epochs", CLI_INT, &o->cvae_epochs, "[1,1000]",
         "epochs of the CVAE's training, if trained"},
        FLAG_THREADS(&o->threads), FLAG_SEED(&o->seed), FLAG_OUT(&o->out),
        {"load", CLI_STRING, &o->load, NULL,
         "a saved generator (cgan.bin) to measure instead of training"},
    };
    cli_parse("ch09_cgan",
              "The conditional GAN beside chapter 8's CVAE: both judged "
              "for the digit asked for, sharpness, diversity and "
              "copying.", flags, CLI_COUNT(flags), argc, argv);
    o->train.form = strcmp(o->g_loss, "minimax") == 0 ? GAN_SATURATING
                                                      : GAN_NON_SATURATING;
    o->train.seed = o->seed;
}

/* The judge's options; --classifier, --cvae and --load checked now,
 * before any work. */
judge_options check_models(const cgan_options *o)
{
    judge_options jo = {o->classifier_epochs, o->classifier_hidden,
                        resolve_model("classifier", o->classifier,
                                      CH08_CLASSIFIER)};
    resolve_model("cvae", o->cvae, CH08_CVAE);   /* fail now, not later */
    if (o->load != NULL && access(o->load, R_OK) != 0)
        sys_die(SYS_USAGE, "--load: cannot read '%s'", o->load);
    if (o->load != NULL)
        check_load(o);
    return jo;
}

#ifndef TESTING
int main(int argc, char **argv)
{
    cgan_options o;
    parse_options(&o, argc, argv);
    judge_options jo = check_models(&o);
    mat_set_threads(o.threads);   /* 0: one per core */
    double started = sys_seconds();
    report_prepare(o.out);   /* before any work: can it be written? */

    data_set train, test;
    load_data(&train, &test, &o);
    classify_model judge;
    double judge_acc = judge_prepare(&judge, NULL, &jo, &train, &test,
                                     o.out, o.seed);
    static vae_model cvae;
    cvae_prepare(&cvae, &o, &train, &test);
    gan_model gan;
    gan_run run = train_or_load_gan(&gan, &o, &train, &judge);

    sample_sets ss = draw_samples(&cvae, &gan, &train, &test, &o);
    results res = compare(&judge, &ss, &train, &test, o.out);
    write_samples(&ss, o.out);
    write_summary(&res, &run, judge_acc);
    report_summary("seconds", sys_seconds() - started);
    report_files();
    sample_sets_free(&ss);
    free(run.history);
    free(run.strip);
    gan_free(&gan);
    vae_free(&cvae);
    classify_free(&judge);
    data_free(&train);
    data_free(&test);
    return 0;
}
#endif
