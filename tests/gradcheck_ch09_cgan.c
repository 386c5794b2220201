/* gradcheck_ch09_cgan.c -- chapter 9's losses and gradients, in double
 * (the Makefile compiles gradcheck_* with -DREAL_IS_DOUBLE), on a tiny
 * conditional GAN (noise 3, 3 classes, 6 pixels, hidden 5 and 4):
 *   - D's loss (9.2) and both forms of G's loss, (9.6) and (9.7), of
 *     gan_d_loss / gan_g_loss against the same numbers written out from
 *     the weights, loop by loop, with D's projection (9.8);
 *   - the gradient of D's loss with respect to every weight of D, and of
 *     either generator loss with respect to every weight of G (through
 *     D, its leaky ReLU and the projection), against central finite
 *     differences;
 *   - a whole adversarial step (gan_train_step): every weight of D moves
 *     as Adam's first step predicts from the finite-difference gradient
 *     of D's loss, and every weight of G as predicted from the
 *     finite-difference gradient of G's loss taken through the UPDATED
 *     D -- so the order of the two steps is checked too.
 * Includes the chapter (llm.c style). */
#define TESTING
#include "../chapters/ch09_cgan.c"

#include "../tests/check.h"
#include "../tests/gradcheck.h"

/* Central differences with h = 1e-5 on losses of size ~1 err by about
 * h^2 f'''/6 + 1e-16 / h, both below 1e-9; gradients are judged relative
 * to max(|analytic|, |numeric|, FLOOR). A wrong index, a missing factor
 * or a dropped term errs by far more than TOL. */
static const double H = 1e-5, TOL = 1e-6, FLOOR = 1e-3;

enum { NZ = 3, NC = 3, NX = 6, GH = 5, DH = 4, NB = 4 };

typedef struct {
    gan_model *m;
    gan_acts *a;
    real x[NB * NX], y[NB * NC], z[NB * NZ];
    gan_g_form form;
} problem;

/* ---- the losses written out ------------------------------------------- */

/* D's logit for one image x of label y, straight from the weights. */
static double logit_by_hand(const gan_model *m, const real *x,
                            const real *y)
{
    double h[DH], logit = m->d2.b[0];
    for (int j = 0; j < DH; j++) {
        double s = m->d1.b[j];
        for (int i = 0; i < NX; i++)
            s += m->d1.w[j * NX + i] * x[i];
        h[j] = s > 0 ? s : m->cfg.slope * s;
        logit += m->d2.w[j] * h[j];
    }
    for (int k = 0; k < NC; k++) {   /* (9.8): + v_y . h */
        double v = m->d_proj.b[k];
        for (int j = 0; j < DH; j++)
            v += m->d_proj.w[k * DH + j] * h[j];
        logit += y[k] * v;
    }
    return logit;
}

/* G(z, y) for one row, straight from the weights. */
static void generate_by_hand(real *out, const gan_model *m, const real *z,
                             const real *y)
{
    double h[GH];
    for (int j = 0; j < GH; j++) {
        double s = m->g1.b[j];
        for (int i = 0; i < NZ; i++)
            s += m->g1.w[j * (NZ + NC) + i] * z[i];
        for (int k = 0; k < NC; k++)
            s += m->g1.w[j * (NZ + NC) + NZ + k] * y[k];
        h[j] = s > 0 ? s : 0;
    }
    for (int i = 0; i < NX; i++) {
        double s = m->g2.b[i];
        for (int j = 0; j < GH; j++)
            s += m->g2.w[i * GH + j] * h[j];
        out[i] = 1 / (1 + exp(-s));
    }
}

static double sigmoid(double t) { return 1 / (1 + exp(-t)); }

/* (9.2) per pair: -log D(x, y) - log(1 - D(G(z, y), y)), averaged. */
static double d_loss_by_hand(const problem *p)
{
    double sum = 0;
    real fake[NX];
    for (int b = 0; b < NB; b++) {
        generate_by_hand(fake, p->m, p->z + b * NZ, p->y + b * NC);
        sum -= log(sigmoid(logit_by_hand(p->m, p->x + b * NX,
                                         p->y + b * NC)));
        sum -= log(1 - sigmoid(logit_by_hand(p->m, fake, p->y + b * NC)));
    }
    return sum / NB;
}

/* (9.6) log(1 - D) or (9.7) -log D of the generated images, averaged. */
static double g_loss_by_hand(const problem *p, gan_g_form form)
{
    double sum = 0;
    real fake[NX];
    for (int b = 0; b < NB; b++) {
        generate_by_hand(fake, p->m, p->z + b * NZ, p->y + b * NC);
        double d = sigmoid(logit_by_hand(p->m, fake, p->y + b * NC));
        sum += form == GAN_SATURATING ? log(1 - d) : -log(d);
    }
    return sum / NB;
}

/* ---- the code's losses as objectives ------------------------------------ */

/* D's loss as gan_train_step computes it: G's images, the pair, (9.2). */
static double d_objective(void *ctx)
{
    problem *p = ctx;
    gan_generator_forward(p->a, p->m, p->z, p->y, NB);
    memcpy(p->a->pair, p->x, sizeof p->x);
    memcpy(p->a->pair + NB * NX, p->a->fake, sizeof(real) * NB * NX);
    memcpy(p->a->pair_y, p->y, sizeof p->y);
    memcpy(p->a->pair_y + NB * NC, p->y, sizeof p->y);
    gan_discriminator_forward(p->a, p->m, p->a->pair, p->a->pair_y,
                              2 * NB);
    return gan_d_loss(p->a, 2 * NB, false);
}

static double g_objective(void *ctx)
{
    problem *p = ctx;
    gan_generator_forward(p->a, p->m, p->z, p->y, NB);
    gan_discriminator_forward(p->a, p->m, p->a->fake, p->y, NB);
    return gan_g_loss(p->a, NB, p->form, false);
}

/* D's analytic gradient into m->d_params.grad. */
static void d_gradient(problem *p)
{
    d_objective(p);
    gan_d_loss(p->a, 2 * NB, true);
    nn_params_zero_grad(&p->m->d_params);
    gan_discriminator_backward(NULL, p->a, p->m, p->a->pair, 2 * NB);
}

/* G's analytic gradient into m->g_params.grad. */
static void g_gradient(problem *p)
{
    g_objective(p);
    gan_g_loss(p->a, NB, p->form, true);
    memset(p->a->d_fake, 0, sizeof(real) * NB * NX);
    gan_discriminator_backward(p->a->d_fake, p->a, p->m, p->a->fake, NB);
    nn_params_zero_grad(&p->m->g_params);
    gan_generator_backward(p->a, p->m, p->a->d_fake, NB);
}

static void problem_init(problem *p, gan_model *m, gan_acts *a, int seed)
{
    gan_config cfg = {NZ, NC, NX, GH, DH, 0.2};
    rng r;
    rng_seed(&r, (uint64_t)seed);
    gan_init(m, cfg, &r);
    gan_acts_alloc(a, &cfg, NB);
    p->m = m;
    p->a = a;
    p->form = GAN_NON_SATURATING;
    for (int i = 0; i < NB * NX; i++)
        p->x[i] = (real)rng_uniform(&r);
    for (int i = 0; i < NB * NZ; i++)
        p->z[i] = (real)rng_normal(&r);
    memset(p->y, 0, sizeof p->y);
    for (int b = 0; b < NB; b++)   /* labels 0, 1, 2, 0 */
        p->y[b * NC + b % NC] = 1;
}

static void check_losses_and_gradients(void)
{
    gan_model m;
    gan_acts a;
    problem p;
    problem_init(&p, &m, &a, 7);
    CHECK_REL("D's loss (9.2) equals the sum written out",
              d_objective(&p), d_loss_by_hand(&p), 1e-12, 1e-12);
    p.form = GAN_NON_SATURATING;
    CHECK_REL("G's loss -log D (9.7) equals the sum written out",
              g_objective(&p), g_loss_by_hand(&p, p.form), 1e-12, 1e-12);
    p.form = GAN_SATURATING;
    CHECK_REL("G's loss log(1 - D) (9.6) equals the sum written out",
              g_objective(&p), g_loss_by_hand(&p, p.form), 1e-12, 1e-12);

    d_gradient(&p);
    double worst = gradcheck_worst(d_objective, &p, m.d_params.value,
                                   m.d_params.grad, m.d_params.count, H,
                                   FLOOR, NULL);
    CHECK_LE("dLoss_D/d(every weight of D) matches finite differences",
             worst, TOL);
    static const char *name[2] = {
        "dLoss_G/d(every weight of G), log(1 - D) (9.6), through D",
        "dLoss_G/d(every weight of G), -log D (9.7), through D"};
    for (int f = 0; f < 2; f++) {
        p.form = f == 0 ? GAN_SATURATING : GAN_NON_SATURATING;
        g_gradient(&p);
        worst = gradcheck_worst(g_objective, &p, m.g_params.value,
                                m.g_params.grad, m.g_params.count, H,
                                FLOOR, NULL);
        CHECK_LE(name[f], worst, TOL);
    }
    gan_acts_free(&a);
    gan_free(&m);
}

/* ---- a whole adversarial step ------------------------------------------- */

/* The central difference of f at every parameter of a block. */
static void numeric_gradient(double *g, gradcheck_objective f, void *ctx,
                             nn_params *block)
{
    for (size_t i = 0; i < block->count; i++) {
        real saved = block->value[i];
        block->value[i] = saved + H;
        double up = f(ctx);
        block->value[i] = saved - H;
        double down = f(ctx);
        block->value[i] = saved;
        g[i] = (up - down) / (2 * H);
    }
}

/* Adam's first step (3.10)-(3.11) from zero moments: m-hat = g and
 * v-hat = g^2, so the parameter moves by -lr g / (|g| + eps). */
static double adam_first_move(double g, const nn_adam *o)
{
    return -o->lr * g / (fabs(g) + o->eps);
}

/* The largest |actual move - predicted move| over a block, in units of
 * lr. A numeric gradient below 1e-9 is zero up to the differences'
 * noise (a dead ReLU gives exactly 0): Adam then moves the weight by
 * lr |g| / (|g| + 1e-8) < 0.1 lr, and the move must be that small.
 * Between 1e-9 and 1e-6 the prediction would be judged on that noise
 * against eps = 1e-8: such entries are skipped and counted. */
static double worst_move(const nn_params *before, const nn_params *after,
                         const double *g, const nn_adam *o, int *skipped)
{
    double worst = 0;
    for (size_t i = 0; i < after->count; i++) {
        double moved = after->value[i] - before->value[i];
        double err = fabs(moved - adam_first_move(g[i], o)) / o->lr;
        if (fabs(g[i]) < 1e-9)
            err = fabs(moved) / o->lr < 0.1 ? 0 : err;
        else if (fabs(g[i]) < 1e-6) {
            (*skipped)++;
            continue;
        }
        worst = fmax(worst, err);
    }
    return worst;
}

static void check_adversarial_step(void)
{
    gan_model m, ref;
    gan_acts a, ra;
    problem p, rp;
    problem_init(&p, &m, &a, 11);
    problem_init(&rp, &ref, &ra, 11);   /* the same numbers, untouched */
    real z2[NB * NZ];
    rng r;
    rng_seed(&r, 99);
    for (int i = 0; i < NB * NZ; i++)
        z2[i] = (real)rng_normal(&r);
    nn_adam d_adam = nn_adam_defaults(1e-3), g_adam = nn_adam_defaults(2e-3);
    d_adam.beta1 = g_adam.beta1 = 0.5;
    gan_train_step(&m, &a, &d_adam, &g_adam, p.x, p.y, p.z, z2, NB,
                   GAN_NON_SATURATING);

    /* D's predicted step, from the finite differences at the start */
    double *gd = malloc(sizeof(double) * ref.d_params.count);
    double *gg = malloc(sizeof(double) * ref.g_params.count);
    numeric_gradient(gd, d_objective, &rp, &ref.d_params);
    int skipped = 0;
    double worst = worst_move(&ref.d_params, &m.d_params, gd, &d_adam,
                              &skipped);
    CHECK_LE("the step moves every weight of D as Adam does on "
             "dLoss_D/dw", worst, 1e-6);
    /* G's, through D after D's step, at the new noise z2 */
    for (size_t i = 0; i < ref.d_params.count; i++)
        ref.d_params.value[i] += (real)adam_first_move(gd[i], &d_adam);
    memcpy(rp.z, z2, sizeof z2);
    rp.form = GAN_NON_SATURATING;
    numeric_gradient(gg, g_objective, &rp, &ref.g_params);
    worst = worst_move(&ref.g_params, &m.g_params, gg, &g_adam, &skipped);
    CHECK_LE("then every weight of G as Adam does on -log D through "
             "the updated D", worst, 1e-6);
    CHECK("few entries too small to judge (< 5)", skipped < 5);
    free(gd);
    free(gg);
    gan_acts_free(&a);
    gan_acts_free(&ra);
    gan_free(&m);
    gan_free(&ref);
}

int main(void)
{
    check_losses_and_gradients();
    check_adversarial_step();
    return check_summary();
}
