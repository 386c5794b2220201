/* gradcheck_ch03_ae.c -- the whole autoencoder of common/ae.c, forward
 * and backward through every layer, against central finite differences
 * of its loss, in double (the Makefile builds gradcheck_* with
 * -DREAL_IS_DOUBLE). Every shape the chapters train is checked: ReLU
 * hidden layers with BCE and with squared error, the linear AE, and the
 * one-hidden-layer sigmoid AE of chapter 4. */
#include <math.h>
#include <stdio.h>

#include "ae.h"
#include "rng.h"

#include "check.h"
#include "gradcheck.h"

/* As in gradcheck_nn.c: a central difference with h = 1e-5 errs by
 * h^2 f'''/6 + 1e-16 |f| / h, below 1e-9 for these losses (|f| < 100),
 * so a relative error of 1e-6 (with a floor of 1e-2 on the scale) is
 * far above the noise and far below any real mistake. The ReLUs have a
 * kink at 0; no pre-activation of these draws lies within h of it
 * (checked below), so the differences never straddle one. */
static const double H = 1e-5, TOL = 1e-6, FLOOR = 1e-2;

enum { DIM = 12, HIDDEN = 7, LATENT = 3, B = 5 };

/* The loss of the model on its batch, per image. */
static double objective(ae_model *m, const real *x)
{
    ae_forward(m, x, B);
    return ae_loss_value(m, x, B, false);
}

/* The smallest |pre-activation| in front of a ReLU, over the batch. */
static double closest_to_kink(const ae_model *m)
{
    double closest = INFINITY;
    for (int l = 0; l < m->nlayers; l++)
        if (m->act[l] == AE_RELU)
            for (int i = 0; i < B * m->layer[l].out; i++)
                closest = fmin(closest, fabs(m->z[l][i]));
    return closest;
}

/* A model and its batch, as gradcheck_worst's context. */
typedef struct {
    ae_model *m;
    const real *x;
} ae_case;

static double ae_case_objective(void *ctx)
{
    ae_case *c = ctx;
    return objective(c->m, c->x);
}

/* The worst relative error over all parameters between the backward
 * pass and central differences of the loss. */
static double worst_error(ae_model *m, const real *x)
{
    ae_case c = {m, x};
    return gradcheck_worst(ae_case_objective, &c, m->params.value,
                           m->params.grad, m->params.count, H, FLOOR,
                           NULL);
}

static void check_shape(const char *label, ae_shape shape, rng *r)
{
    ae_model m;
    real x[B * DIM];
    ae_init(&m, shape, B, r);
    for (int i = 0; i < B * DIM; i++)   /* pixels, some exactly 0 or 1 */
        x[i] = i % 5 == 0 ? 0 : i % 7 == 0 ? 1 : (real)rng_uniform(r);

    ae_zero_grad(&m, B);
    ae_forward(&m, x, B);
    ae_loss_value(&m, x, B, true);
    ae_backward(&m, x, B);
    char name[200];
    double closest = closest_to_kink(&m);
    snprintf(name, sizeof name, "%s: no pre-activation within 100 h of "
             "a ReLU kink", label);
    if (isfinite(closest))   /* else there is no ReLU */
        CHECK_GE(name, closest, 100 * H);
    double worst = worst_error(&m, x);
    snprintf(name, sizeof name, "%s: every parameter's gradient vs "
             "finite differences (worst %.1e)", label, worst);
    CHECK_LE(name, worst, TOL);

    /* The check can fail: one weight of the first layer 1e-4 off. */
    m.layer[0].dw[3] += (real)(1e-4 * fmax(fabs(m.layer[0].dw[3]), 1.0));
    snprintf(name, sizeof name, "%s: a first-layer gradient off by 1e-4 "
             "is caught", label);
    CHECK_GE(name, worst_error(&m, x), 10 * TOL);
    ae_free(&m);
}

int main(void)
{
    rng r;
    rng_seed(&r, 2024);
    CHECK("compiled in double", sizeof(real) == sizeof(double));
    check_shape("ReLU AE, BCE",
                (ae_shape){DIM, HIDDEN, LATENT, AE_RELU, AE_IDENTITY,
                           false, AE_LOSS_BCE}, &r);
    check_shape("ReLU AE, squared error",
                (ae_shape){DIM, HIDDEN, LATENT, AE_RELU, AE_IDENTITY,
                           false, AE_LOSS_MSE}, &r);
    check_shape("linear AE with hidden layers",
                (ae_shape){DIM, HIDDEN, LATENT, AE_RELU, AE_IDENTITY,
                           true, AE_LOSS_MSE}, &r);
    check_shape("linear AE, no hidden layers",
                (ae_shape){DIM, 0, LATENT, AE_RELU, AE_IDENTITY, true,
                           AE_LOSS_MSE}, &r);
    check_shape("sigmoid code, no hidden layers, BCE (chapter 4)",
                (ae_shape){DIM, 0, HIDDEN, AE_RELU, AE_SIGMOID, false,
                           AE_LOSS_BCE}, &r);
    check_shape("sigmoid code, no hidden layers, squared error",
                (ae_shape){DIM, 0, HIDDEN, AE_RELU, AE_SIGMOID, false,
                           AE_LOSS_MSE}, &r);
    return check_summary();
}
