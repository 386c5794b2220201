/* ch03_ae.c -- Chapter 3: the autoencoder, and PCA beside it.
 *
 * Computes PCA of the MNIST training images -- the eigenvectors of
 * their covariance (3.16), by subspace iteration (3.18) with Jacobi's
 * method (3.20) for the small eigenproblems -- then trains the MLP
 * autoencoder 784-h-k-h-784 of common/ae.c on the same images with
 * Adam, by binary cross-entropy or squared error, printing per epoch
 * the train and test loss, and sets its squared error beside PCA's at
 * the same rank k. With --linear every activation is the identity, and
 * the autoencoder can at best match PCA (3.21); with ReLUs it can beat it.
 * Codes drawn at random decode to no digit: an AE is no generator. */
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

/* ---- PCA --------------------------------------------------------------- */

//> ch03-pca-covariance
/* The mean (d) and covariance (d, d) of n images, (3.16), in double.
 * Most MNIST pixels are 0, so the sum of x x^T runs over the nonzero
 * pixels of each image only -- 150 of 784 on average, 27 times fewer
 * products -- and the mean is taken out at the end:
 * C = S/n - mu mu^T. */
void pca_covariance(double *cov /* (d, d) */, double *mean /* (d) */,
                    const real *x /* (n, d) */, int n, int d)
{
    int *nz = sys_alloc((size_t)d, sizeof *nz);
    memset(cov, 0, (size_t)d * d * sizeof *cov);
    memset(mean, 0, (size_t)d * sizeof *mean);
    for (int e = 0; e < n; e++) {
        const real *row = x + (size_t)e * d;
        int count = 0;
        for (int i = 0; i < d; i++)
            if (row[i] != 0)
                nz[count++] = i;
        for (int a = 0; a < count; a++) {
            int i = nz[a];
            double xi = row[i];
            mean[i] += xi;
            for (int b = a; b < count; b++)   /* upper triangle */
                cov[(size_t)i * d + nz[b]] += xi * row[nz[b]];
        }
    }
    for (int i = 0; i < d; i++)
        mean[i] /= n;
    for (int i = 0; i < d; i++)
        for (int j = i; j < d; j++) {
            double c = cov[(size_t)i * d + j] / n - mean[i] * mean[j];
            cov[(size_t)i * d + j] = cov[(size_t)j * d + i] = c;
        }
    free(nz);
}
//< ch03-pca-covariance

//> ch03-jacobi
/* Eigenvalues and eigenvectors of a small symmetric matrix a (m, m),
 * by Jacobi's method (3.20): each rotation zeroes one off-diagonal
 * pair, and sweeps repeat until what is off the diagonal is below
 * rounding. On return a is diagonal (the eigenvalues) and the columns
 * of v (m, m) are the eigenvectors. */
void jacobi_eigen(double *a /* (m, m) */, double *v /* (m, m) */, int m)
{
    for (int i = 0; i < m * m; i++)
        v[i] = i % (m + 1) == 0;   /* the identity */
    for (int sweep = 0; sweep < 100; sweep++) {
        double off = 0, diag = 0;
        for (int p = 0; p < m; p++) {
            diag += a[p * m + p] * a[p * m + p];
            for (int q = p + 1; q < m; q++)
                off += a[p * m + q] * a[p * m + q];
        }
        if (off <= 1e-30 * diag)
            return;
        for (int p = 0; p < m; p++)
            for (int q = p + 1; q < m; q++) {
                double apq = a[p * m + q];
                if (apq == 0)
                    continue;
                /* tan of the angle that zeroes a_pq, (3.20) */
                double theta = (a[q * m + q] - a[p * m + p]) /
                               (2 * apq);
                double t = (theta >= 0 ? 1 : -1) /
                           (fabs(theta) + sqrt(theta * theta + 1));
                double c = 1 / sqrt(t * t + 1), s = t * c;
                for (int k = 0; k < m; k++) {   /* a <- a J */
                    double akp = a[k * m + p], akq = a[k * m + q];
                    a[k * m + p] = c * akp - s * akq;
                    a[k * m + q] = s * akp + c * akq;
                }
                for (int k = 0; k < m; k++) {   /* a <- J^T a */
                    double apk = a[p * m + k], aqk = a[q * m + k];
                    a[p * m + k] = c * apk - s * aqk;
                    a[q * m + k] = s * apk + c * aqk;
                }
                for (int k = 0; k < m; k++) {   /* v <- v J */
                    double vkp = v[k * m + p], vkq = v[k * m + q];
                    v[k * m + p] = c * vkp - s * vkq;
                    v[k * m + q] = s * vkp + c * vkq;
                }
            }
    }
}
//< ch03-jacobi

/* Orthonormalises the m rows of q (m, d) in place, by modified
 * Gram-Schmidt. */
void pca_orthonormalise(double *q /* (m, d) */, int m, int d)
{
    for (int r = 0; r < m; r++) {
        double *qr = q + (size_t)r * d;
        for (int s = 0; s < r; s++) {
            const double *qs = q + (size_t)s * d;
            double dot = 0;
            for (int i = 0; i < d; i++)
                dot += qr[i] * qs[i];
            for (int i = 0; i < d; i++)
                qr[i] -= dot * qs[i];
        }
        double norm = 0;
        for (int i = 0; i < d; i++)
            norm += qr[i] * qr[i];
        norm = sqrt(norm);
        for (int i = 0; i < d; i++)
            qr[i] /= norm;
    }
}

/* The k leading eigenpairs of a covariance, and what it took. */
typedef struct {
    int k, d;
    double *vec;          /* (k, d) orthonormal eigenvectors, by rows */
    double *val;          /* (k) eigenvalues, largest first */
    double trace;         /* sum of all d eigenvalues */
    int iterations;
    double residual;      /* max_i |C v_i - lambda_i v_i| / lambda_1 */
} pca_result;

/* Y = Q C for q (m, d) and a symmetric c (d, d): row r of Y is C q_r,
 * built as a sum of rows of C so that the inner loop runs along memory
 * and the compiler can vectorise it. */
static void pca_times_cov(double *y, const double *q, const double *c,
                          int m, int d)
{
    memset(y, 0, (size_t)m * d * sizeof *y);
    for (int r = 0; r < m; r++) {
        double *yr = y + (size_t)r * d;
        for (int j = 0; j < d; j++) {
            double qj = q[(size_t)r * d + j];
            const double *cj = c + (size_t)j * d;
            for (int i = 0; i < d; i++)
                yr[i] += qj * cj[i];
        }
    }
}

//> ch03-subspace-iteration
/* The k leading eigenvectors of the covariance c (d, d) by subspace
 * iteration, (3.18)-(3.19): multiply a block of m > k orthonormal
 * vectors by C, which stretches each along the leading eigenvectors
 * by their eigenvalues; find the best vectors in the block's span
 * (Rayleigh-Ritz: the eigenvectors of the m x m matrix Q C Q^T); and
 * re-orthonormalise. Stops when every residual C v - lambda v of the
 * k wanted vectors is below tol times lambda_1. */
pca_result pca_top(const double *c /* (d, d) */, int d, int k,
                   double tol, rng *r)
{
    int m = 2 * k + 10 < d ? 2 * k + 10 : d;
    size_t md = (size_t)m * d;
    double *q = sys_alloc(md, sizeof *q), *y = sys_alloc(md, sizeof *y);
    double *ritz = sys_alloc(md, sizeof *ritz);
    double *t = sys_alloc((size_t)m * m, sizeof *t);
    double *w = sys_alloc((size_t)m * m, sizeof *w);
    int *order = sys_alloc((size_t)m, sizeof *order);
    pca_result p = {.k = k, .d = d, .residual = INFINITY};
    p.vec = sys_alloc((size_t)k * d, sizeof *p.vec);
    p.val = sys_alloc((size_t)k, sizeof *p.val);
    for (int i = 0; i < d; i++)
        p.trace += c[(size_t)i * d + i];
    for (size_t i = 0; i < md; i++)
        q[i] = rng_normal(r);
    pca_orthonormalise(q, m, d);

    while (p.residual > tol && p.iterations < 10000) {
        p.iterations++;
        pca_times_cov(y, q, c, m, d);                 /* Y = Q C */
        for (int a = 0; a < m; a++)                   /* T = Q C Q^T */
            for (int b = 0; b < m; b++) {
                double dot = 0;
                for (int i = 0; i < d; i++)
                    dot += q[(size_t)a * d + i] * y[(size_t)b * d + i];
                t[a * m + b] = dot;
            }
        jacobi_eigen(t, w, m);                        /* T = W L W^T */
        for (int a = 0; a < m; a++)   /* eigenvalues, largest first */
            order[a] = a;
        for (int a = 1; a < m; a++)
            for (int b = a; b > 0 && t[order[b] * (m + 1)] >
                                      t[order[b - 1] * (m + 1)]; b--) {
                int tmp = order[b];
                order[b] = order[b - 1];
                order[b - 1] = tmp;
            }
        /* Ritz vectors W^T Q, and W^T Y = C W^T Q for the residuals */
        double worst = 0;
        for (int a = 0; a < m; a++) {
            int col = order[a];
            double lambda = t[col * (m + 1)];
            double *u = ritz + (size_t)a * d, res = 0;
            for (int i = 0; i < d; i++) {
                double qu = 0, yu = 0;
                for (int b = 0; b < m; b++) {
                    qu += w[b * m + col] * q[(size_t)b * d + i];
                    yu += w[b * m + col] * y[(size_t)b * d + i];
                }
                u[i] = yu;   /* C u, the next block's row */
                res += (yu - lambda * qu) * (yu - lambda * qu);
                if (a < k)
                    p.vec[(size_t)a * d + i] = qu;
            }
            if (a < k) {
                p.val[a] = lambda;
                worst = fmax(worst, sqrt(res));
            }
        }
        p.residual = worst / p.val[0];
        memcpy(q, ritz, md * sizeof *q);
        pca_orthonormalise(q, m, d);
    }
    free(q), free(y), free(ritz), free(t), free(w), free(order);
    return p;
}
//< ch03-subspace-iteration

/* Frees what pca_top allocated. */
void pca_free(pca_result *p)
{
    free(p->vec);
    free(p->val);
}

//> ch03-pca-error
/* Mean squared error per image of the rank-`rank` PCA reconstruction
 * x-hat = mu + V^T V (x - mu), (3.17). V's rows are orthonormal, so
 * |x - x-hat|^2 = |x - mu|^2 - |V (x - mu)|^2: no x-hat is formed. */
double pca_error(const pca_result *p, const double *mean, int rank,
                 const real *x /* (n, d) */, int n)
{
    int d = p->d;
    double *centred = sys_alloc((size_t)d, sizeof *centred), sum = 0;
    for (int e = 0; e < n; e++) {
        double err = 0;
        for (int i = 0; i < d; i++) {
            centred[i] = x[(size_t)e * d + i] - mean[i];
            err += centred[i] * centred[i];
        }
        for (int a = 0; a < rank; a++) {
            double c = 0;
            for (int i = 0; i < d; i++)
                c += p->vec[(size_t)a * d + i] * centred[i];
            err -= c * c;
        }
        sum += err;
    }
    free(centred);
    return sum / n;
}
//< ch03-pca-error

/* Writes pca.tsv: for each rank r <= k, the r-th eigenvalue and the
 * training error at rank r from the eigenvalues, trace - sum_{i<=r}. */
void pca_write_spectrum(const pca_result *p, const char *out)
{
    report_tsv t;
    report_tsv_open(&t, out, "pca.tsv", "rank\teigenvalue\tpca_train_sse");
    double rest = p->trace;
    report_tsv_row(&t, (double[]){0, NAN, rest});
    for (int r = 0; r < p->k; r++) {
        rest -= p->val[r];
        report_tsv_row(&t, (double[]){r + 1, p->val[r], rest});
    }
    report_tsv_close(&t);
}

/* ---- the autoencoder's pictures and codes ------------------------------- */

/* Picks `per` test images of each digit 0..9, the first ones, in rows:
 * index[j * 10 + digit] for j < per. Missing digits take image 0. */
void pick_digits(int *index, const data_set *set, int per)
{
    for (int i = 0; i < 10 * per; i++)
        index[i] = 0;
    int seen[10] = {0};
    for (int e = 0; e < set->n; e++) {
        int y = set->y[e];
        if (seen[y] < per)
            index[seen[y]++ * 10 + y] = e;
    }
}

/* reconstructions.png: rows of ten test digits, each row above the row
 * of their reconstructions. */
void write_reconstructions(ae_model *m, const data_set *test,
                           const char *out)
{
    enum { PER = 3 };
    int index[10 * PER];
    size_t dim = (size_t)test->dim;
    real *x = sys_alloc(10 * PER * dim, sizeof *x);
    real *grid = sys_alloc(20 * PER * dim, sizeof *grid);
    pick_digits(index, test, PER);
    data_gather(x, NULL, test, index, 10 * PER);
    ae_forward(m, x, 10 * PER);
    for (int j = 0; j < PER; j++) {
        memcpy(grid + 20 * j * dim, x + 10 * j * dim,
               10 * dim * sizeof *x);
        memcpy(grid + (20 * j + 10) * dim, ae_output(m) + 10 * j * dim,
               10 * dim * sizeof *x);
    }
    image_grid(out, "reconstructions.png", grid, 20 * PER, test->rows,
               test->cols, 10, 2);
    free(x);
    free(grid);
}

/* The codes of n images, (n, latent), through the model's buffers. */
real *encode_all(ae_model *m, const real *x /* (n, dim) */, int n)
{
    int k = m->shape.latent;
    real *codes = sys_alloc((size_t)n * k, sizeof *codes);
    for (int i = 0; i < n; i += m->batch) {
        int B = n - i < m->batch ? n - i : m->batch;
        ae_forward(m, x + (size_t)i * m->shape.dim, B);
        memcpy(codes + (size_t)i * k, ae_code(m),
               (size_t)B * k * sizeof *codes);
    }
    return codes;
}

/* The distance from code a to its nearest neighbour among the n codes
 * (n, k), skipping index `self` (-1 for none). */
double nearest_distance(const real *a, const real *codes, int n, int k,
                        int self)
{
    double best = INFINITY;
    for (int e = 0; e < n; e++) {
        if (e == self)
            continue;
        double d2 = 0;
        for (int j = 0; j < k; j++) {
            double diff = (double)a[j] - codes[(size_t)e * k + j];
            d2 += diff * diff;
        }
        best = fmin(best, d2);
    }
    return sqrt(best);
}

/* For qsort: ascending doubles. */
int compare_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* The median of v (n), which it sorts. */
double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, compare_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

//> ch03-random-codes
/* Draws `count` codes from a Gaussian with the mean and standard
 * deviation, per dimension, of the test codes, and decodes them into
 * random-codes.png. Returns how far such a code lies from the nearest
 * test code, as a multiple of how far a test code lies from its own
 * nearest neighbour (medians over codes): the room between the codes
 * of real digits, where the decoder was never trained. */
double write_random_codes(ae_model *m, const real *codes /* (n, k) */,
                          int n, int count, const data_set *test,
                          rng *r, const char *out)
{
    int k = m->shape.latent;
    real *z = sys_alloc((size_t)count * k, sizeof *z);
    size_t most = (size_t)(count > n ? count : n);
    double *near = sys_alloc(most, sizeof *near);
    for (int j = 0; j < k; j++) {
        double sum = 0, sum2 = 0;
        for (int e = 0; e < n; e++) {
            double c = codes[(size_t)e * k + j];
            sum += c;
            sum2 += c * c;
        }
        double mean = sum / n, sd = sqrt(fmax(sum2 / n - mean * mean,
                                              0));
        for (int i = 0; i < count; i++)
            z[(size_t)i * k + j] = (real)(mean + sd * rng_normal(r));
    }
    ae_forward_from(m, m->code_layer + 1, z, count);
    image_grid(out, "random-codes.png", ae_output(m), count,
               test->rows, test->cols, 10, 2);

    for (int i = 0; i < count; i++)
        near[i] = nearest_distance(z + (size_t)i * k, codes, n, k, -1);
    double random_gap = median(near, count);
    for (int e = 0; e < n; e++)
        near[e] = nearest_distance(codes + (size_t)e * k, codes, n, k,
                                   e);
    double code_gap = median(near, n);
    free(z);
    free(near);
    return random_gap / code_gap;
}
//< ch03-random-codes

/* codes.tsv: the 2-D codes of the test images with their labels. */
void write_codes(const real *codes /* (n, 2) */, const data_set *test,
                 int n, const char *out)
{
    report_tsv t;
    report_tsv_open(&t, out, "codes.tsv", "z1\tz2\tlabel");
    for (int e = 0; e < n; e++)
        report_tsv_row(&t, (double[]){codes[2 * e], codes[2 * e + 1],
                                      test->y[e]});
    report_tsv_close(&t);
}

/* ---- the program ------------------------------------------------------ */

/* PCA at the rank of the code: the baseline's squared error per image
 * on both sets, and the mean image's alone. */
typedef struct {
    pca_result pca;
    double train, test;     /* the rank-k reconstruction error */
    double mean_test;       /* the mean image alone, on the test set */
} pca_baseline;

/* PCA of the training images at rank k, printed, its spectrum in
 * pca.tsv. The covariance (d, d) is freed once its eigenvectors are
 * found. */
pca_baseline run_pca(const data_set *train, const data_set *test, int k,
                     const char *out, rng *r)
{
    pca_baseline b;
    int d = train->dim;
    double start = sys_seconds();
    double *cov = sys_alloc((size_t)d * d, sizeof *cov);
    double *mean = sys_alloc((size_t)d, sizeof *mean);
    pca_covariance(cov, mean, train->x, train->n, d);
    b.pca = pca_top(cov, d, k, 1e-9, r);
    free(cov);
    b.train = pca_error(&b.pca, mean, k, train->x, train->n);
    b.test = pca_error(&b.pca, mean, k, test->x, test->n);
    b.mean_test = pca_error(&b.pca, mean, 0, test->x, test->n);
    free(mean);
    pca_write_spectrum(&b.pca, out);
    printf("PCA: %d eigenvectors of the %dx%d covariance in %d "
           "iterations (residual %.1e), %.2f s\n", k, d, d,
           b.pca.iterations, b.pca.residual, sys_seconds() - start);
    printf("PCA rank %d: squared error per image %.4f (train), %.4f "
           "(test); the mean image alone: %.4f (train), %.4f (test)\n",
           k, b.train, b.test, b.pca.trace, b.mean_test);
    return b;
}

/* The autoencoder 784-h-k-h-784 (784-k-784 when h = 0), built with
 * weights drawn from r, and described. */
void build_autoencoder(ae_model *m, int dim, int hidden, int latent,
                       bool linear, const char *loss,
                       const ae_options *o, rng *r)
{
    ae_shape shape = ae_relu_shape(dim, hidden, latent,
        strcmp(loss, "bce") == 0 ? AE_LOSS_BCE : AE_LOSS_MSE);
    shape.linear = linear;   /* the identity after every layer */
    ae_init(m, shape, o->batch > 100 ? o->batch : 100, r);
    char widths[64];
    ae_describe(widths, sizeof widths, m);
    printf("autoencoder %s, %s, %s loss, %zu parameters, Adam lr %g, "
           "batch %d\n", widths, linear ? "linear" : "ReLU", loss,
           m->params.count, o->lr, o->batch);
}

/* The autoencoder trained, its errors on both sets. */
typedef struct {
    ae_eval train, test;
    double seconds;         /* of the training */
} ae_result;

/* Trains m (loss.tsv), prints its errors beside PCA's and writes both
 * to errors.tsv. */
ae_result train_autoencoder(ae_model *m, const ae_options *o,
                            const data_set *train, const data_set *test,
                            const pca_baseline *pca, rng *r)
{
    ae_result res;
    int k = m->shape.latent;
    ae_train_config cfg = {.epochs = o->epochs, .batch = o->batch,
                           .adam = nn_adam_defaults(o->lr), .label = "ae"};
    report_tsv loss_tsv;
    report_tsv_open(&loss_tsv, o->out, "loss.tsv", AE_LOSS_TSV_HEADER);
    double start = sys_seconds();
    res.test = ae_train(m, &cfg, train, test->x, test->x, test->n, r,
                        &loss_tsv);
    res.seconds = sys_seconds() - start;
    report_tsv_close(&loss_tsv);
    res.train = ae_evaluate(m, train->x, train->x, train->n);
    printf("autoencoder: squared error per image %.4f (train), %.4f "
           "(test); PCA at rank %d: %.4f, %.4f\n", res.train.sse,
           res.test.sse, k, pca->train, pca->test);

    report_tsv errors;
    report_tsv_open(&errors, o->out, "errors.tsv", "rank\tlinear\t"
                    "pca_train_sse\tpca_test_sse\tae_train_sse\tae_test_sse");
    report_tsv_row(&errors, (double[]){k, m->shape.linear, pca->train,
                                       pca->test, res.train.sse,
                                       res.test.sse});
    report_tsv_close(&errors);
    return res;
}

/* reconstructions.png, random-codes.png and, with a 2-D code,
 * codes.tsv. Returns how far random codes lie from the test codes
 * (write_random_codes); exits if the codes collapsed to one point,
 * naming the learning rate lr. */
double write_pictures(ae_model *m, const data_set *test, double lr,
                      rng *r, const char *out)
{
    write_reconstructions(m, test, out);
    real *codes = encode_all(m, test->x, test->n);
    double gap = write_random_codes(m, codes, test->n, 30, test, r, out);
    if (!isfinite(gap))   /* test codes at zero distance: one point */
        sys_die(SYS_FAILED, "training collapsed: every test image has the "
                "same code; try a smaller --lr (now %g)", lr);
    printf("random codes lie %.2f times as far from the nearest test "
           "code as test codes from each other\n", gap);
    if (m->shape.latent == 2)
        write_codes(codes, test, test->n, out);
    free(codes);
    return gap;
}

/* The summary block: the autoencoder's errors against PCA's. */
void print_summary(const ae_model *m, const ae_result *ae,
                   const pca_baseline *pca, double gap)
{
    const ae_eval *tr = &ae->train, *te = &ae->test;
    report_summary_begin();
    report_summary("latent", m->shape.latent);
    report_summary("train_loss", tr->loss);
    report_summary("test_loss", te->loss);
    if (!m->shape.linear)   /* a linear AE has no sigmoid, so no BCE */
        report_summary("test_bce", te->bce);
    report_summary("train_sse", tr->sse);
    report_summary("test_sse", te->sse);
    report_summary("test_psnr", ae_psnr(te->sse / m->shape.dim));
    report_summary("mean_image_test_sse", pca->mean_test);
    report_summary("pca_train_sse", pca->train);
    report_summary("pca_test_sse", pca->test);
    report_summary("train_sse_over_pca", tr->sse / pca->train);
    report_summary("test_sse_over_pca", te->sse / pca->test);
    report_summary("pca_iterations", pca->pca.iterations);
    report_summary("pca_residual", pca->pca.residual);
    report_summary("random_code_gap", gap);
    report_summary("train_seconds", ae->seconds);
}

#ifndef TESTING
int main(int argc, char **argv)
{
    const char *loss = "bce";
    int latent = 16, hidden = 256;
    bool linear = false;
    ae_options o = {.epochs = 10, .batch = 100, .lr = 3e-3,
                    .data = "data/mnist-mini", .threads = 1, .seed = 1,
                    .out = "out/ch03_ae"};
    /* The chapter's own flags, then those chapters 3-5 share
     * (flags.h); a table is data, so each chapter writes its own. */
    cli_flag flags[] = {
        FLAG_LOSS(&loss),
        {"latent", CLI_INT, &latent, "[1,784]", "width k of the code"},
        {"hidden", CLI_INT, &hidden, "[0,4096]",
         "width h of the hidden layers (0: none, 784-k-784)"},
        {"linear", CLI_BOOL, &linear, NULL,
         "identity activations everywhere (needs --loss mse)"},
        AE_FLAGS(&o, "passes over the data"),
    };
    cli_parse("ch03_ae",
              "An MLP autoencoder on MNIST, set beside PCA of the same "
              "rank.", flags, CLI_COUNT(flags), argc, argv);
    report_prepare(o.out);   /* before any work: can it be written? */
    if (linear && strcmp(loss, "mse") != 0)
        sys_die(SYS_USAGE, "--linear: needs --loss mse (BCE needs the sigmoid "
                   "output)");
    mat_set_threads(o.threads);
    rng r;
    rng_seed(&r, (uint64_t)o.seed);

    data_set train, test;
    ae_load_mnist(&train, &test, o.data, o.train_size);
    if (train.n <= latent)   /* n centred images span n - 1 dimensions */
        sys_die(SYS_USAGE, "--train-size %d: PCA of rank %d needs at least %d "
                "training images", train.n, latent, latent + 1);
    printf("ch03_ae: seed %d, %s, %d training and %d test images "
           "from %s\n", o.seed, mat_threads_text(), train.n, test.n, o.data);

    pca_baseline pca = run_pca(&train, &test, latent, o.out, &r);
    ae_model m;
    build_autoencoder(&m, train.dim, hidden, latent, linear, loss, &o, &r);
    ae_result ae = train_autoencoder(&m, &o, &train, &test, &pca, &r);
    double gap = write_pictures(&m, &test, o.lr, &r, o.out);
    print_summary(&m, &ae, &pca, gap);
    report_files();
    pca_free(&pca.pca);
    ae_free(&m);
    data_free(&train);
    data_free(&test);
    return 0;
}
#endif
