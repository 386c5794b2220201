/* classify.c -- softmax regression and the MLP classifier (see
 * classify.h). */
#include "classify.h"

#include "loss.h"
#include "report.h"
#include "sys.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void classify_init(classify_model *m, int rows, int cols, int hidden,
                   int classes, int batch, rng *r)
{
    if (rows < 1 || cols < 1 || hidden < 0 || classes < 2 || batch < 1)
        sys_die(SYS_INTERNAL, "internal error: classifier of %dx%d images, %d "
                "hidden, %d classes, batch %d", rows, cols, hidden,
                classes, batch);
    memset(m, 0, sizeof *m);
    m->rows = rows;
    m->cols = cols;
    m->in = rows * cols;
    m->hidden = hidden;
    m->classes = classes;
    m->batch = batch;
    nn_params_begin(&m->params);
    nn_dense_declare(&m->params, &m->first, m->in,
                     hidden ? hidden : classes);
    if (hidden)
        nn_dense_declare(&m->params, &m->second, hidden, classes);
    nn_params_allocate(&m->params);
    if (hidden) {
        nn_dense_init(&m->first, NN_INIT_HE, r);
        nn_dense_init(&m->second, NN_INIT_PYTORCH, r);
    } else {
        nn_dense_init(&m->first, NN_INIT_PYTORCH, r);
    }
    size_t B = (size_t)batch, H = (size_t)hidden, K = (size_t)classes;
    real_part part[] = {
        {&m->x, B * (size_t)m->in}, {&m->h, B * H}, {&m->d_h, B * H},
        {&m->d_pre, B * H}, {&m->logits, B * K}, {&m->d_logits, B * K},
    };
    m->buffers = real_carve(part, sizeof part / sizeof part[0]);
}

void classify_free(classify_model *m)
{
    nn_params_free(&m->params);
    free(m->buffers);
    m->buffers = NULL;
    m->x = m->h = m->d_h = m->d_pre = m->logits = m->d_logits = NULL;
}

//> ch08-classify-forward
/* Softmax regression is one dense layer; the MLP puts a ReLU layer
 * in front of it. The softmax itself lives in the loss. */
void classify_forward(classify_model *m, const real *x /* (B, in) */,
                      int B)
{
    if (m->hidden == 0) {
        nn_dense_forward(m->logits, x, &m->first, B);
        return;
    }
    nn_dense_forward(m->h, x, &m->first, B);
    nn_relu_forward(m->h, m->h, B * m->hidden);
    nn_dense_forward(m->logits, m->h, &m->second, B);
}

/* Back through the same layers from d_logits, adding every weight's
 * gradient, (3.5); the ReLU passes gradient where it passed signal. */
void classify_backward(classify_model *m, const real *x /* (B, in) */,
                       int B)
{
    if (m->hidden == 0) {
        nn_dense_backward(NULL, &m->first, m->d_logits, x, B);
        return;
    }
    size_t bytes = (size_t)B * (size_t)m->hidden * sizeof(real);
    memset(m->d_h, 0, bytes);
    memset(m->d_pre, 0, bytes);
    nn_dense_backward(m->d_h, &m->second, m->d_logits, m->h, B);
    nn_relu_backward(m->d_pre, m->h, m->d_h, B * m->hidden);
    nn_dense_backward(NULL, &m->first, m->d_pre, x, B);
}
//< ch08-classify-forward

double classify_loss(classify_model *m, const unsigned char *label, int B,
                     bool grad)
{
    if (grad)
        memset(m->d_logits, 0,
               (size_t)B * (size_t)m->classes * sizeof(real));
    return loss_softmax_ce(grad ? m->d_logits : NULL, m->logits, label, B,
                           m->classes, 1.0 / B) / B;
}

double classify_step(classify_model *m, const nn_adam *opt,
                     const real *x /* (B, in) */,
                     const unsigned char *label /* (B) */, int B)
{
    nn_params_zero_grad(&m->params);
    classify_forward(m, x, B);
    double loss = classify_loss(m, label, B, true);
    classify_backward(m, x, B);
    nn_adam_step(&m->params, opt);
    return loss;
}

void classify_predict(unsigned char *label /* (n) */, classify_model *m,
                      const real *x /* (n, in) */, int n)
{
    size_t dim = (size_t)m->in;
    for (int i = 0; i < n; i += m->batch) {
        int B = n - i < m->batch ? n - i : m->batch;
        for (int b = 0; b < B; b++)
            classify_deskew(m->x + (size_t)b * dim,
                            x + (size_t)(i + b) * dim, m->rows, m->cols);
        classify_forward(m, m->x, B);
        for (int b = 0; b < B; b++) {
            const real *row = m->logits + (size_t)b * m->classes;
            int best = 0;
            for (int k = 1; k < m->classes; k++)
                if (row[k] > row[best])
                    best = k;
            label[i + b] = (unsigned char)best;
        }
    }
}

double classify_accuracy(classify_model *m, const data_set *set)
{
    unsigned char *pred = sys_alloc((size_t)set->n + 1, 1);
    classify_predict(pred, m, set->x, set->n);
    int right = 0;
    for (int i = 0; i < set->n; i++)
        right += pred[i] == set->y[i];
    free(pred);
    return set->n > 0 ? (double)right / set->n : 0.0;
}

//> ch08-classify-deskew
/* The ink's centre of mass (mx, my) and its slant a = cov(x, y) /
 * var(y), the columns the strokes drift right per row down. Output
 * pixel (i, j) reads the input at row si = my + (i - cy) and column
 * mx + (j - cx) + a (si - my): the centre line of the lean becomes
 * the frame's middle column. */
void classify_deskew(real *out, const real *in, int rows, int cols)
{
    double mass = 0, mx = 0, my = 0;
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) {
            double v = in[i * cols + j];
            mass += v;
            mx += v * j;
            my += v * i;
        }
    if (!(mass > 0)) {   /* a blank image stays blank */
        memset(out, 0, sizeof(real) * (size_t)rows * (size_t)cols);
        return;
    }
    mx /= mass;
    my /= mass;
    double cxy = 0, cyy = 0;
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) {
            double v = in[i * cols + j];
            cxy += v * (j - mx) * (i - my);
            cyy += v * (i - my) * (i - my);
        }
    double slant = cyy > 0 ? cxy / cyy : 0;
    double cy = (rows - 1) / 2.0, cx = (cols - 1) / 2.0;
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) {
            double si = my + (i - cy);
            double sj = mx + (j - cx) + slant * (si - my);
            int i0 = (int)floor(si), j0 = (int)floor(sj);
            double fi = si - i0, fj = sj - j0, v = 0;
            for (int a = 0; a < 2; a++)        /* bilinear */
                for (int b = 0; b < 2; b++) {
                    int r = i0 + a, c = j0 + b;
                    if (r >= 0 && r < rows && c >= 0 && c < cols)
                        v += (a ? fi : 1 - fi) * (b ? fj : 1 - fj) *
                             in[r * cols + c];
                }
            out[i * cols + j] = (real)v;
        }
}
//< ch08-classify-deskew

void classify_shift(real *out, const real *in, int rows, int cols,
                    int dx, int dy)
{
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) {
            int si = i - dy, sj = j - dx;   /* where (i, j) comes from */
            bool inside = si >= 0 && si < rows && sj >= 0 && sj < cols;
            out[i * cols + j] = inside ? in[si * cols + sj] : 0;
        }
}

//> ch08-classify-train
/* The training images are deskewed once; each epoch then sees every
 * one of them moved by up to +-shift pixels each way. A digit moved a
 * pixel is the same digit, so the shifts are new examples for free
 * (data augmentation). The step size follows a cosine from lr to 0. */
double classify_train(classify_model *m,
                      const classify_train_config *cfg,
                      const data_set *train, const data_set *test,
                      rng *r)
{
    if (cfg->batch > m->batch || train->dim != m->in)
        sys_die(SYS_INTERNAL, "internal error: classifier of %d "
                "pixels, batch %d; data of %d pixels, batch %d", m->in,
                m->batch, train->dim, cfg->batch);
    size_t dim = (size_t)m->in;
    int n = train->n;
    real *straight = sys_alloc((size_t)n * dim, sizeof *straight);
    int *order = sys_alloc((size_t)n, sizeof *order);
    unsigned char *y = sys_alloc((size_t)cfg->batch, 1);
    for (int i = 0; i < n; i++)
        classify_deskew(straight + i * dim, train->x + i * dim,
                        m->rows, m->cols);
    nn_adam adam = nn_adam_defaults(cfg->lr);
    double accuracy = 0, start = sys_seconds();
    uint64_t span = 2 * (uint64_t)cfg->shift + 1;
    for (int epoch = 0; epoch < cfg->epochs; epoch++) {
        adam.lr = cfg->lr * 0.5 * (1 + cos(M_PI * epoch / cfg->epochs));
        data_order(order, n, r);
        double loss = 0;
        for (int i = 0; i < n; i += cfg->batch) {
            int B = n - i < cfg->batch ? n - i : cfg->batch;
            for (int b = 0; b < B; b++) {
                int dx = (int)rng_below(r, span) - cfg->shift;
                int dy = (int)rng_below(r, span) - cfg->shift;
                const real *img = straight + order[i + b] * dim;
                classify_shift(m->x + b * dim, img, m->rows, m->cols,
                               dx, dy);
                y[b] = train->y[order[i + b]];
            }
            loss += B * classify_step(m, &adam, m->x, y, B);
        }
        printf("%s epoch %2d/%d  train loss %.4f", cfg->label,
               epoch + 1, cfg->epochs, loss / n);
        if (test != NULL) {
            accuracy = classify_accuracy(m, test);
            printf("  test accuracy %.4f", accuracy);
        }
        double secs = sys_seconds() - start;
        printf("  %5.1f s  ETA %4.1f s\n", secs,
               secs / (epoch + 1) * (cfg->epochs - epoch - 1));
        fflush(stdout);
    }
    free(straight);
    free(order);
    free(y);
    return accuracy;
}
//< ch08-classify-train

void classify_tag(char *out, const classify_model *m)
{
    snprintf(out, NN_TAG_MAX, "classify %s",
             m->hidden ? "mlp" : "softmax");
}

void classify_save(const classify_model *m, const char *dir,
                   const char *name)
{
    char tag[NN_TAG_MAX];
    classify_tag(tag, m);
    nn_params_save(&m->params, dir, name, tag);
}

void classify_load(classify_model *m, const char *path)
{
    char tag[NN_TAG_MAX];
    classify_tag(tag, m);
    nn_params_load(&m->params, path, tag);
}
