/* ae.c -- the autoencoder shared by chapters 3, 4 and 5 (see ae.h). */
#include "ae.h"

#include "cli.h"
#include "data.h"
#include "interrupt.h"
#include "loss.h"
#include "sys.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- building ----------------------------------------------------------- */

/* The layer widths of a shape: width[0] = dim, then each layer's out. */
static int ae_widths(const ae_shape *s, int width[AE_MAX_LAYERS + 1])
{
    width[0] = s->dim;
    if (s->hidden == 0) {
        width[1] = s->latent;
        width[2] = s->dim;
        return 2;
    }
    width[1] = s->hidden;
    width[2] = s->latent;
    width[3] = s->hidden;
    width[4] = s->dim;
    return 4;
}

/* Declares the layers, allocates parameters and buffers, draws the
 * weights. */
void ae_init(ae_model *m, ae_shape shape, int batch, rng *r)
{
    if (shape.dim < 1 || shape.latent < 1 || shape.hidden < 0 ||
        batch < 1)
        sys_die(SYS_INTERNAL, "internal error: autoencoder %d-%d-%d, batch %d",
                shape.dim, shape.hidden, shape.latent, batch);
    if (shape.linear && shape.loss == AE_LOSS_BCE)
        sys_die(SYS_INTERNAL, "internal error: BCE needs the sigmoid output");
    memset(m, 0, sizeof *m);
    m->shape = shape;
    m->batch = batch;
    int width[AE_MAX_LAYERS + 1];
    m->nlayers = ae_widths(&shape, width);
    m->code_layer = m->nlayers / 2 - 1;

    nn_params_begin(&m->params);
    for (int l = 0; l < m->nlayers; l++)
        nn_dense_declare(&m->params, &m->layer[l], width[l], width[l + 1]);
    nn_params_allocate(&m->params);

    for (int l = 0; l < m->nlayers; l++) {
        ae_activation act = l == m->code_layer ? shape.code_act
                          : l == m->nlayers - 1 ? AE_SIGMOID
                          : shape.hidden_act;
        m->act[l] = shape.linear ? AE_IDENTITY : act;
        /* He init keeps a ReLU layer's output variance; elsewhere the
         * choice matters little and we take PyTorch's default. */
        nn_dense_init(&m->layer[l], m->act[l] == AE_RELU ? NN_INIT_HE
                                                       : NN_INIT_PYTORCH,
                      r);
    }

    /* z and dz for every layer; a and da only where they differ. */
    real_part part[4 * AE_MAX_LAYERS];
    size_t np = 0;
    for (int l = 0; l < m->nlayers; l++) {
        size_t n = (size_t)batch * (size_t)width[l + 1];
        part[np++] = (real_part){&m->z[l], n};
        part[np++] = (real_part){&m->dz[l], n};
        if (m->act[l] != AE_IDENTITY) {
            part[np++] = (real_part){&m->a[l], n};
            part[np++] = (real_part){&m->da[l], n};
        }
    }
    m->buffers = real_carve(part, np);
    for (int l = 0; l < m->nlayers; l++)
        if (m->act[l] == AE_IDENTITY) {
            m->a[l] = m->z[l];
            m->da[l] = m->dz[l];
        }
}

/* Frees what ae_init allocated. */
void ae_free(ae_model *m)
{
    nn_params_free(&m->params);
    free(m->buffers);
    m->buffers = NULL;
}

/* The widths of the layers, joined by '-'. */
void ae_describe(char *text, size_t size, const ae_model *m)
{
    size_t used = (size_t)snprintf(text, size, "%d", m->layer[0].in);
    for (int l = 0; l < m->nlayers && used < size; l++)
        used += (size_t)snprintf(text + used, size - used, "-%d",
                                 m->layer[l].out);
}

/* The code and the reconstruction of the last forward pass. */
real *ae_code(const ae_model *m) { return m->a[m->code_layer]; }

real *ae_output(const ae_model *m) { return m->a[m->nlayers - 1]; }

/* ---- forward and backward ----------------------------------------------- */

//> ch03-ae-forward
/* y = f(x) elementwise for the layer's activation f. */
static void ae_activate(real *y, const real *x, ae_activation f, int n)
{
    if (f == AE_RELU)
        nn_relu_forward(y, x, n);
    else if (f == AE_SIGMOID)
        nn_sigmoid_forward(y, x, n);
    /* identity: y and x are the same buffer */
}

/* Layers first .. nlayers-1, each a dense layer (3.1) and its
 * activation; layer `first` reads `in`, each later one the last's a. */
void ae_forward_from(ae_model *m, int first, const real *in, int B)
{
    for (int l = first; l < m->nlayers; l++) {
        const real *x = l == first ? in : m->a[l - 1];
        nn_dense_forward(m->z[l], x, &m->layer[l], B);
        ae_activate(m->a[l], m->z[l], m->act[l], B * m->layer[l].out);
    }
}

/* The whole network on images x. */
void ae_forward(ae_model *m, const real *x /* (B, dim) */, int B)
{
    ae_forward_from(m, 0, x, B);
}
//< ch03-ae-forward

/* Backward passes add, so every gradient starts from zero. */
void ae_zero_grad(ae_model *m, int B)
{
    nn_params_zero_grad(&m->params);
    for (int l = 0; l < m->nlayers; l++) {
        size_t n = (size_t)B * (size_t)m->layer[l].out * sizeof(real);
        memset(m->dz[l], 0, n);
        memset(m->da[l], 0, n);   /* the same buffer if identity */
    }
}

//> ch03-ae-loss
/* BCE works on the logits z, (3.8)-(3.9); squared error on x-hat,
 * (3.12), whose gradient the sigmoid's backward then carries to z. */
double ae_loss_value(ae_model *m, const real *target, int B, bool grad)
{
    int L = m->nlayers - 1, n = B * m->shape.dim;
    double scale = 1.0 / B;
    if (m->shape.loss == AE_LOSS_BCE)
        return scale * loss_bce_logits(grad ? m->dz[L] : NULL, m->z[L],
                                       target, n, scale);
    return scale * loss_sse(grad ? m->da[L] : NULL, m->a[L], target, n,
                            scale);
}
//< ch03-ae-loss

//> ch03-ae-backward
/* dz += da * f'(z), from the activation's output, (3.6). */
static void ae_activate_backward(real *dz, const real *a,
                                 const real *da, ae_activation f, int n)
{
    if (f == AE_RELU)
        nn_relu_backward(dz, a, da, n);
    else if (f == AE_SIGMOID)
        nn_sigmoid_backward(dz, a, da, n);
    /* identity: dz and da are the same buffer, nothing to do */
}

/* From the loss's gradient at the top down to the first layer's
 * weights: activation (3.6), then dense layer (3.5), layer by layer. */
void ae_backward(ae_model *m, const real *x /* (B, dim) */, int B)
{
    for (int l = m->nlayers - 1; l >= 0; l--) {
        ae_activate_backward(m->dz[l], m->a[l], m->da[l], m->act[l],
                             B * m->layer[l].out);
        nn_dense_backward(l > 0 ? m->da[l - 1] : NULL, &m->layer[l],
                          m->dz[l], l > 0 ? m->a[l - 1] : x, B);
    }
}
//< ch03-ae-backward

/* ---- training ---------------------------------------------------------- */

//> ch03-ae-step
/* One step of Adam on a batch towards (3.15); a penalty, if any, adds
 * its gradient at the code before the backward pass adds the rest. */
ae_step_result ae_step(ae_model *m, const ae_train_config *cfg,
                       const real *in /* (B, dim) */,
                       const real *target /* (B, dim) */, int B)
{
    ae_step_result res = {0, 0};
    ae_zero_grad(m, B);
    ae_forward(m, in, B);
    res.loss = ae_loss_value(m, target, B, true);
    if (cfg->penalty != NULL)   /* adds into d code before backward */
        res.penalty = cfg->penalty(m->da[m->code_layer], ae_code(m), B,
                                   m->shape.latent, cfg->penalty_ctx);
    ae_backward(m, in, B);
    nn_adam_step(&m->params, &cfg->adam);
    return res;
}
//< ch03-ae-step

/* Losses of x-hat(input) against target over n images, batch by
 * batch through the model's buffers. */
ae_eval ae_evaluate(ae_model *m, const real *input, const real *target,
                    int n)
{
    ae_eval e = {0, 0, 0};
    size_t dim = (size_t)m->shape.dim;
    real *logits = m->z[m->nlayers - 1];
    for (int i = 0; i < n; i += m->batch) {
        int B = n - i < m->batch ? n - i : m->batch;
        const real *t = target + (size_t)i * dim;
        ae_forward(m, input + (size_t)i * dim, B);
        e.loss += B * ae_loss_value(m, t, B, false);
        e.sse += loss_sse(NULL, ae_output(m), t, B * (int)dim, 0);
        e.bce += loss_bce_logits(NULL, logits, t, B * (int)dim, 0);
    }
    e.loss /= n;
    e.sse /= n;
    e.bce = m->shape.linear ? NAN : e.bce / n;
    return e;
}

/* One pass over the training set in a random order; returns the mean
 * loss and penalty over its batches. in and target are (batch, dim). */
static ae_step_result ae_epoch(ae_model *m, const ae_train_config *cfg,
                               const data_set *train, int *order,
                               real *in, real *target, rng *r)
{
    ae_step_result sum = {0, 0};
    int n = train->n;
    size_t dim = (size_t)m->shape.dim;
    data_order(order, n, r);
    int i = 0;
    for (; i < n && !interrupt_requested(); i += cfg->batch) {
        int B = n - i < cfg->batch ? n - i : cfg->batch;
        data_gather(target, NULL, train, order + i, B);
        memcpy(in, target, (size_t)B * dim * sizeof(real));
        if (cfg->corrupt != NULL)
            cfg->corrupt(in, B * (int)dim, r, cfg->corrupt_ctx);
        ae_step_result s = ae_step(m, cfg, in, target, B);
        sum.loss += B * s.loss;
        sum.penalty += B * s.penalty;
    }
    sum.loss /= i < n ? i : n;   /* the batches it ran */
    sum.penalty /= i < n ? i : n;
    return sum;
}

/* After Ctrl-C: the loss table so far is committed, the files named,
 * and the program ends with status 130. */
_Noreturn static void ae_stop(int epoch, report_tsv *tsv)
{
    if (tsv != NULL)
        report_tsv_close(tsv);
    printf("\ninterrupted in epoch %d: stopped\n", epoch);
    report_files();
    exit(INTERRUPT_EXIT);
}

/* The epoch loop: train, evaluate on the test set, print progress. */
ae_eval ae_train(ae_model *m, const ae_train_config *cfg,
                 const data_set *train, const real *test_in,
                 const real *test_target, int ntest, rng *r,
                 report_tsv *tsv)
{
    if (cfg->batch > m->batch)
        sys_die(SYS_INTERNAL, "internal error: batch %d > buffers for %d",
                cfg->batch, m->batch);
    if (train->dim != m->shape.dim)
        sys_die(SYS_INTERNAL, "internal error: images of %d pixels, model of "
                "%d", train->dim, m->shape.dim);
    size_t dim = (size_t)m->shape.dim;
    int *order = sys_alloc((size_t)train->n, sizeof *order);
    real *in = sys_alloc((size_t)cfg->batch * dim, sizeof *in);
    real *target = sys_alloc((size_t)cfg->batch * dim, sizeof *target);
    ae_eval test = {0, 0, 0};
    double start = sys_seconds();
    interrupt_catch();
    for (int epoch = 1; epoch <= cfg->epochs; epoch++) {
        ae_step_result tr = ae_epoch(m, cfg, train, order, in, target, r);
        if (interrupt_requested())
            ae_stop(epoch, tsv);
        test = ae_evaluate(m, test_in, test_target, ntest);
        if (!isfinite(tr.loss) || !isfinite(test.loss))
            sys_die(SYS_FAILED, "training diverged: the %s loss is %g in "
                    "epoch %d; try a smaller --lr (now %g)",
                    isfinite(tr.loss) ? "test" : "training",
                    isfinite(tr.loss) ? test.loss : tr.loss, epoch,
                    cfg->adam.lr);
        double secs = sys_seconds() - start;
        double eta = secs / epoch * (cfg->epochs - epoch);
        printf("%s epoch %2d/%d  train %.4f", cfg->label, epoch,
               cfg->epochs, tr.loss);
        if (cfg->penalty != NULL)
            printf(" + penalty %.4f", tr.penalty);
        printf("  test %.4f  %5.1f s  ETA %4.1f s\n", test.loss, secs,
               eta);
        fflush(stdout);
        if (tsv != NULL)
            report_tsv_row(tsv, (double[]){epoch, tr.loss, tr.penalty,
                                           test.loss, secs});
        if (interrupt_requested())   /* during the test pass */
            ae_stop(epoch, tsv);
    }
    interrupt_release();
    free(order);
    free(in);
    free(target);
    return test;
}

ae_shape ae_relu_shape(int dim, int hidden, int latent, ae_loss loss)
{
    return (ae_shape){
        .dim = dim, .hidden = hidden, .latent = latent,
        .hidden_act = AE_RELU,
        .code_act = hidden > 0 ? AE_IDENTITY : AE_RELU, .loss = loss,
    };
}

void ae_load_mnist(data_set *train, data_set *test, const char *dir,
                   int train_size)
{
    data_load(train, dir, "train", MNIST_SIDE, MNIST_SIDE);
    data_load(test, dir, "t10k", MNIST_SIDE, MNIST_SIDE);
    data_truncate(train, train_size);
}

//> ch05-psnr
/* Peak signal-to-noise ratio for pixels in [0, 1]. */
/* TASK ch05-psnr (5.4) */
double ae_psnr(double mse_per_pixel)
{
    return 10.0 * log10(1.0 / mse_per_pixel);   /* (5.4) */
}
//< ch05-psnr
