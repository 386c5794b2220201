/* gradcheck_nn.c -- the analytic gradients of nn.c against central finite
 * differences, in double (the Makefile compiles gradcheck_* with
 * -DREAL_IS_DOUBLE): the dense layer (w, b and x), every activation,
 * three small networks end to end through the parameter block, and Adam
 * and SGD against steps worked out by hand. */
#include <math.h>
#include <string.h>

#include "loss.h"
#include "nn.h"
#include "rng.h"

#include "check.h"
#include "gradcheck.h"

/* A central difference (f(t+h) - f(t-h)) / 2h is off by h^2 f'''/6
 * (truncation) plus about 1e-16 |f| / h (rounding). With h = 1e-5 and
 * |f|, |f'''| below 10, as here, that is below 4e-10. Each gradient is
 * judged relative to max(|analytic|, |numeric|, FLOOR): FLOOR = 1e-2
 * asks the small entries to agree to 1e-8 absolutely, still 25 times the
 * noise. A wrong index or a missing factor errs by far more. */
static const double H = 1e-5, TOL = 1e-6, FLOOR = 1e-2;

typedef double (*objective)(void *ctx);

/* The worst relative error over param[0 .. n-1] between grad and the
 * central differences of f. */
static double worst_error(objective f, void *ctx, real *param,
                          const real *grad, size_t n)
{
    return gradcheck_worst(f, ctx, param, grad, n, H, FLOOR, NULL);
}

/* One check: the worst error over a tensor, printed with its label. */
static void check_gradient(const char *label, objective f, void *ctx,
                           real *param, const real *grad, size_t n)
{
    double worst = worst_error(f, ctx, param, grad, n);
    char text[160];
    snprintf(text, sizeof text, "%s vs finite differences (worst %.1e)",
             label, worst);
    CHECK_LE(text, worst, TOL);
}

static void fill_uniform(real *a, size_t n, double lo, double hi, rng *r)
{
    for (size_t i = 0; i < n; i++)
        a[i] = (real)(lo + (hi - lo) * rng_uniform(r));
}

/* ---- the dense layer alone ---------------------------------------------
 * L = sum c.y + (1/2) sum y^2 with y = x W^T + b, so dL/dy = c + y. */

enum { DB = 3, DIN = 5, DOUT = 4 };

typedef struct {
    nn_dense layer;
    real x[DB * DIN], y[DB * DOUT], c[DB * DOUT];
} dense_case;

static double dense_objective(void *ctx)
{
    dense_case *d = ctx;
    nn_dense_forward(d->y, d->x, &d->layer, DB);
    double sum = 0;
    for (int i = 0; i < DB * DOUT; i++)
        sum += d->c[i] * d->y[i] + 0.5 * d->y[i] * d->y[i];
    return sum;
}

static void check_dense(rng *r)
{
    nn_params p;
    dense_case d;
    nn_params_begin(&p);
    nn_dense_declare(&p, &d.layer, DIN, DOUT);
    nn_params_allocate(&p);
    CHECK("block holds w and b", p.count == DOUT * DIN + DOUT);
    nn_dense_init(&d.layer, NN_INIT_PYTORCH, r);   /* b is not zero */
    fill_uniform(d.x, DB * DIN, -1, 1, r);
    fill_uniform(d.c, DB * DOUT, -1, 1, r);

    dense_objective(&d);
    real dy[DB * DOUT], dx[DB * DIN];
    for (int i = 0; i < DB * DOUT; i++)
        dy[i] = d.c[i] + d.y[i];
    /* dx starts at 0.5 and the parameter gradients at 0: backward adds */
    for (int i = 0; i < DB * DIN; i++)
        dx[i] = 0.5;
    nn_params_zero_grad(&p);
    nn_dense_backward(dx, &d.layer, dy, d.x, DB);
    for (int i = 0; i < DB * DIN; i++)
        dx[i] -= 0.5;

    check_gradient("dense dW (3.5)", dense_objective, &d, d.layer.w,
                   d.layer.dw, DOUT * DIN);
    check_gradient("dense db (3.5)", dense_objective, &d, d.layer.b,
                   d.layer.db, DOUT);
    check_gradient("dense dx (3.5), added to what was there",
                   dense_objective, &d, d.x, dx, DB * DIN);

    /* The check can fail: the largest entry off by 1e-5 is caught. */
    int big = 0;
    for (int i = 1; i < DOUT * DIN; i++)
        if (fabs(d.layer.dw[i]) > fabs(d.layer.dw[big]))
            big = i;
    d.layer.dw[big] *= 1 + 1e-5;
    CHECK_GE("a gradient off by 1e-5 fails the check",
             worst_error(dense_objective, &d, d.layer.w, d.layer.dw,
                         DOUT * DIN), 5 * TOL);
    d.layer.dw[big] /= 1 + 1e-5;

    /* A second backward adds the same again. */
    real dw_once[DOUT * DIN];
    memcpy(dw_once, d.layer.dw, sizeof dw_once);
    nn_dense_backward(NULL, &d.layer, dy, d.x, DB);
    double worst = 0;
    for (int i = 0; i < DOUT * DIN; i++)
        worst = fmax(worst, fabs(d.layer.dw[i] - 2 * dw_once[i]));
    CHECK_LE("a second backward doubles dW", worst, 1e-15);
    nn_params_free(&p);
}

/* ---- the activations -----------------------------------------------------
 * L = sum c_i f(x_i), so dL/dy = c. */

enum { AN = 40 };

typedef struct {
    void (*forward)(real *y, const real *x, int n);
    real x[AN], y[AN], c[AN];
} activation_case;

static double activation_objective(void *ctx)
{
    activation_case *a = ctx;
    a->forward(a->y, a->x, AN);
    double sum = 0;
    for (int i = 0; i < AN; i++)
        sum += a->c[i] * a->y[i];
    return sum;
}

static void check_activation(const char *name,
                             void (*forward)(real *, const real *, int),
                             void (*backward)(real *, const real *,
                                              const real *, int),
                             rng *r)
{
    activation_case a = {.forward = forward};
    fill_uniform(a.x, AN, -4, 4, r);
    for (int i = 0; i < AN; i++)   /* keep ReLU's kink out of reach of h */
        if (fabs(a.x[i]) < 0.01)
            a.x[i] = 0.5;
    fill_uniform(a.c, AN, -1, 1, r);
    activation_objective(&a);
    real dx[AN] = {0};
    backward(dx, a.y, a.c, AN);
    char label[80];
    snprintf(label, sizeof label, "%s backward (3.6)", name);
    check_gradient(label, activation_objective, &a, a.x, dx, AN);
}

/* ---- small networks end to end -------------------------------------------
 * relu_bce:      x -> dense -> ReLU -> dense -> BCE from logits
 * sigmoid_sse:   x -> dense -> tanh -> dense -> sigmoid -> squared error
 * two_heads:     x -> dense -> tanh -> {dense mu, dense logvar};
 *                KL(mu, logvar) + Gaussian NLL of t given mu and a
 *                learned log-sigma per column (a free tensor): the
 *                hidden layer feeds two layers, and dh receives both. */

enum { NB = 4, NIN = 5, NHID = 6, NOUT = 3 };
typedef enum { RELU_BCE, SIGMOID_SSE, TWO_HEADS } net_kind;

typedef struct {
    net_kind kind;
    nn_params params;
    nn_dense l1, l2, l3;
    real *log_sigma, *d_log_sigma;            /* (1, NOUT) */
    real x[NB * NIN], t[NB * NOUT];           /* input, target */
    real dx[NB * NIN];                        /* gradient of the input */
    real a1[NB * NHID], h[NB * NHID];         /* pre- and activation */
    real a2[NB * NOUT], out[NB * NOUT];
    real a3[NB * NOUT];                       /* two_heads: logvar */
    real dh[NB * NHID], da1[NB * NHID];
    real da2[NB * NOUT], dout[NB * NOUT], da3[NB * NOUT];
} net;

/* The loss per example; with `backward` also every gradient (the
 * parameters' in the block, the input's in dx). */
static double net_loss(net *n, bool backward)
{
    const double scale = 1.0 / NB;
    double loss = 0;
    nn_dense_forward(n->a1, n->x, &n->l1, NB);
    if (n->kind == RELU_BCE)
        nn_relu_forward(n->h, n->a1, NB * NHID);
    else
        nn_tanh_forward(n->h, n->a1, NB * NHID);
    nn_dense_forward(n->a2, n->h, &n->l2, NB);
    if (backward) {
        nn_params_zero_grad(&n->params);
        memset(n->dx, 0, sizeof n->dx);
        memset(n->dh, 0, sizeof n->dh);
        memset(n->da1, 0, sizeof n->da1);
        memset(n->da2, 0, sizeof n->da2);
        memset(n->dout, 0, sizeof n->dout);
        memset(n->da3, 0, sizeof n->da3);
    }
    switch (n->kind) {
    case RELU_BCE:
        loss = loss_bce_logits(backward ? n->da2 : NULL, n->a2, n->t,
                               NB * NOUT, scale);
        break;
    case SIGMOID_SSE:
        nn_sigmoid_forward(n->out, n->a2, NB * NOUT);
        loss = loss_sse(backward ? n->dout : NULL, n->out, n->t, NB * NOUT,
                        scale);
        if (backward)
            nn_sigmoid_backward(n->da2, n->out, n->dout, NB * NOUT);
        break;
    case TWO_HEADS:
        nn_dense_forward(n->a3, n->h, &n->l3, NB);
        loss = loss_kl_std_normal(backward ? n->da2 : NULL,
                                  backward ? n->da3 : NULL, n->a2, n->a3,
                                  NB * NOUT, scale);
        loss += loss_gauss_nll(backward ? n->da2 : NULL,
                               backward ? n->d_log_sigma : NULL, n->a2,
                               n->log_sigma, n->t, NB * NOUT, NOUT, scale);
        if (backward)
            nn_dense_backward(n->dh, &n->l3, n->da3, n->h, NB);
        break;
    }
    if (backward) {
        nn_dense_backward(n->dh, &n->l2, n->da2, n->h, NB);
        if (n->kind == RELU_BCE)
            nn_relu_backward(n->da1, n->h, n->dh, NB * NHID);
        else
            nn_tanh_backward(n->da1, n->h, n->dh, NB * NHID);
        nn_dense_backward(n->dx, &n->l1, n->da1, n->x, NB);
    }
    return loss * scale;
}

static double net_objective(void *ctx) { return net_loss(ctx, false); }

static void check_net(const char *name, net_kind kind, rng *r)
{
    static net n;   /* static: a few kB, off the stack */
    memset(&n, 0, sizeof n);
    n.kind = kind;
    nn_params_begin(&n.params);
    nn_dense_declare(&n.params, &n.l1, NIN, NHID);
    nn_dense_declare(&n.params, &n.l2, NHID, NOUT);
    if (kind == TWO_HEADS) {
        nn_dense_declare(&n.params, &n.l3, NHID, NOUT);
        nn_params_tensor(&n.params, &n.log_sigma, &n.d_log_sigma, 1, NOUT);
    }
    nn_params_allocate(&n.params);
    nn_dense_init(&n.l1, NN_INIT_PYTORCH, r);
    nn_dense_init(&n.l2, NN_INIT_PYTORCH, r);
    if (kind == TWO_HEADS) {
        nn_dense_init(&n.l3, NN_INIT_PYTORCH, r);
        fill_uniform(n.log_sigma, NOUT, -0.5, 0.5, r);
    }
    fill_uniform(n.x, NB * NIN, -2, 2, r);
    fill_uniform(n.t, NB * NOUT, 0, 1, r);

    net_loss(&n, true);
    char label[120];
    snprintf(label, sizeof label, "%s: all %zu parameters", name,
             n.params.count);
    check_gradient(label, net_objective, &n, n.params.value,
                   n.params.grad, n.params.count);
    snprintf(label, sizeof label, "%s: input gradient", name);
    check_gradient(label, net_objective, &n, n.x, n.dx, NB * NIN);
    nn_params_free(&n.params);
}

/* ---- the optimisers against steps worked out by hand --------------------
 * One parameter w, f(w) = w^2 / 2, gradient g = w, w_0 = 1, lr = 0.1. */

static double adam_on_square(double eps, int steps)
{
    nn_params p;
    real *w, *dw;
    nn_params_begin(&p);
    nn_params_tensor(&p, &w, &dw, 1, 1);
    nn_params_allocate(&p);
    nn_adam adam = nn_adam_defaults(0.1);
    adam.eps = eps;
    w[0] = 1;
    for (int s = 0; s < steps; s++) {
        nn_params_zero_grad(&p);
        dw[0] += w[0];
        nn_adam_step(&p, &adam);
    }
    double result = w[0];
    nn_params_free(&p);
    return result;
}

static void check_optimisers(void)
{
    /* Step 1: m = 0.1 g, v = 0.001 g^2; corrected m^ = g, v^ = g^2, so
     * w_1 = 1 - 0.1 * 1 / (1 + eps). With eps = 0.1 that is 1 - 0.1/1.1;
     * eps under the root, or before the correction, would differ. */
    CHECK_NEAR("Adam step 1 with eps = 0.1: w = 1 - 0.1/1.1",
               adam_on_square(0.1, 1), 1 - 0.1 / 1.1, 1e-15);
    CHECK_NEAR("Adam step 1: w = 1 - 0.1/(1 + 1e-8)",
               adam_on_square(1e-8, 1), 1 - 0.1 / (1 + 1e-8), 1e-15);
    /* Step 2, g = w_1 = 0.9 (to 1e-9, as eps is dropped here):
     *   m = 0.9 * 0.1 + 0.1 * 0.9            = 0.18,   m^ = 0.18 / 0.19
     *   v = 0.999 * 0.001 + 0.001 * 0.81     = 0.001809,
     *   v^ = 0.001809 / (1 - 0.999^2)        = 0.001809 / 0.001999
     *   w_2 = 0.9 - 0.1 m^ / sqrt(v^)        = 0.80041227... */
    double want = 0.9 - 0.1 * (0.18 / 0.19) / sqrt(0.001809 / 0.001999);
    CHECK_NEAR("Adam step 2 by hand (to the 1e-9 eps drops)",
               adam_on_square(1e-8, 2), want, 5e-9);

    nn_params p;
    real *w, *dw;
    nn_params_begin(&p);
    nn_params_tensor(&p, &w, &dw, 1, 1);
    nn_params_allocate(&p);
    w[0] = 1;
    for (int s = 0; s < 2; s++) {
        nn_params_zero_grad(&p);
        dw[0] += w[0];
        nn_sgd_step(&p, 0.1);
    }
    CHECK_NEAR("SGD two steps: w = 0.9^2", w[0], 0.81, 1e-15);
    nn_params_free(&p);
}

int main(void)
{
    rng r;
    rng_seed(&r, 3);
    check_dense(&r);
    check_activation("relu", nn_relu_forward, nn_relu_backward, &r);
    check_activation("tanh", nn_tanh_forward, nn_tanh_backward, &r);
    check_activation("sigmoid", nn_sigmoid_forward, nn_sigmoid_backward,
                     &r);
    check_activation("elu", nn_elu_forward, nn_elu_backward, &r);
    check_net("relu -> BCE net", RELU_BCE, &r);
    check_net("tanh -> sigmoid -> SSE net", SIGMOID_SSE, &r);
    check_net("two heads -> KL + Gaussian NLL net", TWO_HEADS, &r);
    check_optimisers();
    return check_summary();
}
