/* gradcheck_ch04_sparse_ae.c -- chapter 4's penalty and its gradients,
 * in double (the Makefile builds gradcheck_* with -DREAL_IS_DOUBLE):
 * the Bernoulli KL (4.1) at values worked out by hand, its derivative
 * (4.2) against finite differences, the penalty's gradient through the
 * batch mean rho-hat (4.3) and the sigmoid into the pre-activations
 * (4.5)-(4.7), and the whole sparse autoencoder with the penalty. */
#define TESTING
#include "../chapters/ch04_sparse_ae.c"

#include "../tests/check.h"
#include "../tests/gradcheck.h"

/* As in gradcheck_nn.c: central differences with h = 1e-5 are good to
 * about 1e-9 here, so 1e-6 relative (scale floor 1e-2) separates
 * rounding from a wrong formula. */
static const double H = 1e-5, TOL = 1e-6, FLOOR = 1e-2;

static double rel_error(double analytic, double numeric)
{
    double scale = fmax(fmax(fabs(analytic), fabs(numeric)), FLOOR);
    return fabs(analytic - numeric) / scale;
}

static void check_kl_bernoulli(void)
{
    /* By hand: KL(0.05 || 0.5) = 0.05 ln 0.1 + 0.95 ln 1.9
     *   = -0.1151292546 + 0.6097611919 = 0.4946319373. */
    CHECK_NEAR("KL(0.05 || 0.5) (4.1) by hand", kl_bernoulli(0.05, 0.5),
               0.4946319373, 1e-10);
    CHECK_NEAR("KL(rho || rho) = 0", kl_bernoulli(0.3, 0.3), 0, 1e-16);
    CHECK_NEAR("KL'(rho) = 0 at q = rho", kl_bernoulli_grad(0.05, 0.05),
               0, 1e-14);
    /* Not symmetric: KL(0.5 || 0.05) = 0.5 ln 10 + 0.5 ln(0.5/0.95). */
    CHECK_NEAR("KL(0.5 || 0.05) by hand, another number",
               kl_bernoulli(0.5, 0.05),
               0.5 * log(10) + 0.5 * log(0.5 / 0.95), 1e-14);
    double worst = 0;
    const double rho[] = {0.05, 0.2, 0.5};
    const double q[] = {0.001, 0.03, 0.05, 0.1, 0.5, 0.9, 0.999};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 7; j++) {
            double h = H * fmin(q[j], 1 - q[j]);   /* stay inside (0,1) */
            double numeric = (kl_bernoulli(rho[i], q[j] + h) -
                              kl_bernoulli(rho[i], q[j] - h)) / (2 * h);
            worst = fmax(worst, rel_error(kl_bernoulli_grad(rho[i], q[j]),
                                          numeric));
        }
    CHECK_LE("KL' (4.2) vs finite differences on 21 points", worst, TOL);
}

/* ---- the penalty through rho-hat and the sigmoid --------------------- */

enum { B = 6, HID = 5, DIM = 10 };

/* The penalty as a function of the pre-activations z (B, HID). */
typedef struct {
    const real *z;
    const sparsity *s;
} penalty_point;

static double penalty_of(void *ctx)
{
    const penalty_point *at = ctx;
    real a[B * HID], scratch[B * HID] = {0};
    nn_sigmoid_forward(a, at->z, B * HID);
    return sparsity_penalty(scratch, a, B, HID, at->s);
}

static void check_penalty_gradient(const char *label, const sparsity *s,
                                   rng *r)
{
    real z[B * HID], a[B * HID], da[B * HID] = {0}, dz[B * HID] = {0};
    for (int i = 0; i < B * HID; i++)   /* some units near 0, some not */
        z[i] = (real)(-4 + 4 * rng_uniform(r) + (i % HID));
    nn_sigmoid_forward(a, z, B * HID);
    sparsity_penalty(da, a, B, HID, s);
    nn_sigmoid_backward(dz, a, da, B * HID);   /* (4.6) */
    penalty_point at = {z, s};
    double worst = gradcheck_worst(penalty_of, &at, z, dz, B * HID, H,
                                   FLOOR, NULL);
    char name[160];
    snprintf(name, sizeof name, "%s: d penalty / d pre-activations vs "
             "finite differences (worst %.1e)", label, worst);
    CHECK_LE(name, worst, TOL);

    /* A gradient that forgot rho-hat is a mean (no 1/B) is caught. */
    for (int i = 0; i < B * HID; i++)
        dz[i] *= B;
    double wrong = gradcheck_worst(penalty_of, &at, z, dz, B * HID, H,
                                   FLOOR, NULL);
    snprintf(name, sizeof name, "%s: the same without the 1/B of the "
             "batch mean fails", label);
    CHECK_GE(name, wrong, 0.5);
}

/* ---- the whole sparse autoencoder ------------------------------------- */

typedef struct {
    ae_model *m;
    const real *x;
    const sparsity *s;
} model_point;

static double total_objective(void *ctx)
{
    model_point *at = ctx;
    real scratch[B * HID] = {0};
    ae_forward(at->m, at->x, B);
    return ae_loss_value(at->m, at->x, B, false) +
           sparsity_penalty(scratch, ae_code(at->m), B, HID, at->s);
}

static void check_whole_model(const sparsity *s, rng *r)
{
    ae_shape shape = {.dim = DIM, .hidden = 0, .latent = HID,
                      .code_act = AE_SIGMOID, .loss = AE_LOSS_BCE};
    ae_model m;
    ae_init(&m, shape, B, r);
    real x[B * DIM];
    for (int i = 0; i < B * DIM; i++)
        x[i] = (real)rng_uniform(r);
    /* exactly what ae_step does before the Adam update */
    ae_zero_grad(&m, B);
    ae_forward(&m, x, B);
    ae_loss_value(&m, x, B, true);
    sparsity_penalty(m.da[m.code_layer], ae_code(&m), B, HID, s);
    ae_backward(&m, x, B);
    model_point at = {&m, x, s};
    double worst = gradcheck_worst(total_objective, &at, m.params.value,
                                   m.params.grad, m.params.count, H, FLOOR,
                                   NULL);
    char name[160];
    snprintf(name, sizeof name, "sparse AE, BCE + %s penalty: every "
             "parameter vs finite differences (worst %.1e)",
             s->l1 ? "L1" : "KL", worst);
    CHECK_LE(name, worst, TOL);
    ae_free(&m);
}

int main(void)
{
    rng r;
    rng_seed(&r, 404);
    CHECK("compiled in double", sizeof(real) == sizeof(double));
    check_kl_bernoulli();
    sparsity kl = {false, 0.05, 3.0}, l1 = {true, 0.05, 3.0};
    check_penalty_gradient("KL penalty (4.4)", &kl, &r);
    check_penalty_gradient("L1 penalty (4.7)", &l1, &r);
    check_whole_model(&kl, &r);
    check_whole_model(&l1, &r);
    return check_summary();
}
