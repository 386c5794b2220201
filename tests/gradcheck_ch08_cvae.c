/* gradcheck_ch08_cvae.c -- chapter 8's objective and gradients, in double
 * (the Makefile compiles gradcheck_* with -DREAL_IS_DOUBLE):
 *   - the conditional -ELBO (8.3) of vae_loss against the same sum
 *     written out loop by loop from the weights, for the half condition
 *     (a continuous c) and the one-hot label;
 *   - its gradient with respect to every parameter against central
 *     finite differences, for --cond half at the real sizes (392 + 392
 *     inputs) and for a one-hot label, where the columns of the labels
 *     absent from the batch must get exactly zero;
 *   - the classifiers of common/classify.c (softmax regression and the
 *     MLP) against finite differences too.
 * Includes the chapter (llm.c style) to reach half_split. */
#define TESTING
#include "../chapters/ch08_cvae.c"

#include "../tests/check.h"
#include "../tests/gradcheck.h"

/* As in gradcheck_nn.c: a central difference with step h errs by
 * h^2 f'''/6 (truncation) plus about 1e-16 |f| sqrt(n) / h (rounding
 * of a loss summed over n terms). For the small cases (|f| < 10) h =
 * 1e-5 puts both below 1e-9. The half condition's loss sums 392
 * pixels to |f| ~ 270, whose rounding at h = 1e-5 reaches 1e-6 of
 * FLOOR; there h = 1e-4, where the rounding is 1e-7 and the
 * truncation, measured, 1.5e-7. A gradient is judged relative to
 * max(|analytic|, |numeric|, FLOOR), so tiny entries must agree to
 * 1e-8 absolutely; a wrong index or a missing factor errs by far more. */
static const double H_SMALL = 1e-5, H_HALF = 1e-4, TOL = 1e-6,
                    FLOOR = 1e-2;

/* ---- the conditional -ELBO written out ------------------------------- */

/* y = W [u, v] + b for one row, W (out, nu + nv). */
static void affine(double *y, const nn_dense *l, const real *u, int nu,
                   const real *v, int nv)
{
    for (int o = 0; o < l->out; o++) {
        double s = l->b[o];
        for (int i = 0; i < nu; i++)
            s += l->w[o * (nu + nv) + i] * u[i];
        for (int i = 0; i < nv; i++)
            s += l->w[o * (nu + nv) + nu + i] * v[i];
        y[o] = s;
    }
}

/* (8.3) for B rows at fixed eps, straight from the weights: the
 * Bernoulli -log p(x|z, c) of sigmoid(logits) and the closed-form KL
 * (2.9), both summed over the rows. */
static vae_terms neg_elbo_by_hand(const vae_model *m, const real *x,
                                  const real *c, const real *eps, int B)
{
    const vae_config *k = &m->cfg;
    int D = k->x_dim, C = k->cond_dim, H_ = k->hidden, L = k->latent;
    double h[64], mu[8], lv[8], g[64], a[1024];
    real hr[64], z[8], gr[64];
    vae_terms t = {0, 0};
    for (int b = 0; b < B; b++) {
        const real *xb = x + b * D, *cb = c + b * C;
        affine(h, &m->enc, xb, D, cb, C);
        for (int j = 0; j < H_; j++)
            hr[j] = h[j] > 0 ? h[j] : 0;
        affine(mu, &m->enc_mu, hr, H_, NULL, 0);
        affine(lv, &m->enc_logvar, hr, H_, NULL, 0);
        for (int j = 0; j < L; j++) {
            z[j] = mu[j] + exp(lv[j] / 2) * eps[b * L + j];
            t.kl += 0.5 * (mu[j] * mu[j] + exp(lv[j]) - 1 - lv[j]);
        }
        affine(g, &m->dec, z, L, cb, C);
        for (int j = 0; j < H_; j++)
            gr[j] = g[j] > 0 ? g[j] : 0;
        affine(a, &m->dec_out, gr, H_, NULL, 0);
        for (int i = 0; i < D; i++) {
            double p = 1 / (1 + exp(-a[i]));
            t.nll -= xb[i] * log(p) + (1 - xb[i]) * log(1 - p);
        }
    }
    return t;
}

/* ---- finite differences over a whole parameter block ----------------- */

typedef gradcheck_objective objective;

/* The worst relative error between p->grad and central differences of
 * f, with step H, over every parameter. */
static double worst_error(objective f, void *ctx, nn_params *p,
                          double H)
{
    return gradcheck_worst(f, ctx, p->value, p->grad, p->count, H, FLOOR,
                           NULL);
}

/* ---- the CVAE -------------------------------------------------------- */

enum { CB = 3, CH = 3, CL = 2 };

typedef struct {
    vae_model m;
    vae_acts a;
    real *x, *c, eps[CB * CL];
} cvae_case;

/* (8.3) per image at the case's fixed eps. */
static double cvae_objective(void *ctx)
{
    cvae_case *v = ctx;
    vae_forward(&v->a, &v->m, v->x, v->c, v->eps, CB);
    vae_terms t = vae_loss(&v->a, &v->m, v->x, CB, 1.0, false);
    return (t.nll + t.kl) / CB;
}

/* Sets up a CVAE on x (CB, D) and c (CB, C), checks (8.3) by hand and
 * its gradient by finite differences. */
static void check_cvae(const char *label, cvae_case *v, int D, int C,
                       double H, rng *r)
{
    vae_config cfg = {.x_dim = D, .cond_dim = C, .hidden = CH,
                      .latent = CL, .decoder = VAE_BERNOULLI, .sigma = 1,
                      .learn_sigma = false};
    vae_init(&v->m, cfg, r);
    vae_acts_alloc(&v->a, &cfg, CB);
    for (int i = 0; i < CB * CL; i++)
        v->eps[i] = (real)rng_normal(r);

    nn_params_zero_grad(&v->m.params);
    vae_forward(&v->a, &v->m, v->x, v->c, v->eps, CB);
    vae_terms got = vae_loss(&v->a, &v->m, v->x, CB, 1.0, true);
    vae_backward(&v->a, &v->m, v->x, v->eps, CB);
    vae_terms want = neg_elbo_by_hand(&v->m, v->x, v->c, v->eps, CB);
    char name[200];
    snprintf(name, sizeof name, "%s: -log p(x|z,c) of (8.3) = the sum "
             "written out", label);
    CHECK_REL(name, got.nll, want.nll, 1e-12, 1e-12);
    snprintf(name, sizeof name, "%s: KL(q(z|x,c) || N(0,I)) of (8.3) = "
             "the sum written out", label);
    CHECK_REL(name, got.kl, want.kl, 1e-12, 1e-12);

    double worst = worst_error(cvae_objective, v, &v->m.params, H);
    snprintf(name, sizeof name, "%s: d(-ELBO)/d(all %zu parameters) vs "
             "finite differences (worst %.1e)", label, v->m.params.count,
             worst);
    CHECK_LE(name, worst, TOL);
}

/* --cond half at its real sizes: x the bottom 392 pixels of random
 * "images", c their top 392. */
static void check_half(rng *r)
{
    static cvae_case v;
    real *images = sys_alloc((size_t)CB * PIXELS, sizeof(real));
    v.x = sys_alloc((size_t)CB * HALF, sizeof(real));
    v.c = sys_alloc((size_t)CB * HALF, sizeof(real));
    for (int i = 0; i < CB * PIXELS; i++)
        images[i] = (real)rng_uniform(r);
    half_split(v.c, v.x, images, CB);
    CHECK("half_split: the top half is the first 392 values of a row",
          v.c[HALF - 1] == images[HALF - 1] &&
          v.x[0] == images[HALF] &&
          v.c[2 * HALF] == images[2 * PIXELS] &&
          v.x[3 * HALF - 1] == images[3 * PIXELS - 1]);
    check_cvae("--cond half", &v, HALF, HALF, H_HALF, r);
    vae_acts_free(&v.a);
    vae_free(&v.m);
    free(images);
    free(v.x);
    free(v.c);
}

/* The one-hot label: labels 1 and 3 of 5 are absent from the batch, so
 * the weights that read their columns of c see 0 and must get exactly
 * zero gradient; those of the labels present must not. */
static void check_label(rng *r)
{
    enum { D = 7, C = 5 };
    static cvae_case v;
    real x[CB * D], c[CB * C];
    unsigned char label[CB] = {0, 2, 4};
    for (int i = 0; i < CB * D; i++)
        x[i] = (real)rng_uniform(r);
    data_onehot(c, label, CB, C);
    v.x = x;
    v.c = c;
    check_cvae("one-hot label", &v, D, C, H_SMALL, r);
    nn_params_zero_grad(&v.m.params);
    vae_forward(&v.a, &v.m, x, c, v.eps, CB);
    vae_loss(&v.a, &v.m, x, CB, 1.0, true);
    vae_backward(&v.a, &v.m, x, v.eps, CB);
    double absent = 0, present = 0;
    for (int o = 0; o < CH; o++)
        for (int k = 0; k < C; k++) {
            double ge = fabs(v.m.enc.dw[o * (D + C) + D + k]);
            double gd = fabs(v.m.dec.dw[o * (CL + C) + CL + k]);
            if (k == 1 || k == 3)
                absent += ge + gd;
            else
                present += ge + gd;
        }
    CHECK("absent labels' columns of the first layers: gradient 0",
          absent == 0);
    CHECK("present labels' columns: gradient not 0 (c is wired in)",
          present > 0);
    vae_acts_free(&v.a);
    vae_free(&v.m);
}

/* ---- the classifiers ------------------------------------------------- */

enum { KB = 4, KSIDE = 5, KIN = KSIDE * KSIDE, KC = 3 };

typedef struct {
    classify_model m;
    real x[KB * KIN];
    unsigned char y[KB];
} classify_case;

/* The softmax cross-entropy per image of the case's batch. */
static double classify_objective(void *ctx)
{
    classify_case *k = ctx;
    classify_forward(&k->m, k->x, KB);
    return classify_loss(&k->m, k->y, KB, false);
}

/* A classifier's gradient against finite differences, and a check that
 * the comparison can fail. */
static void check_classifier(const char *label, int hidden, rng *r)
{
    static classify_case k;
    classify_init(&k.m, KSIDE, KSIDE, hidden, KC, KB, r);
    for (int i = 0; i < KB * KIN; i++)
        k.x[i] = (real)rng_uniform(r);
    for (int b = 0; b < KB; b++)
        k.y[b] = (unsigned char)(b % KC);
    nn_params_zero_grad(&k.m.params);
    classify_forward(&k.m, k.x, KB);
    classify_loss(&k.m, k.y, KB, true);
    classify_backward(&k.m, k.x, KB);
    double worst = worst_error(classify_objective, &k, &k.m.params,
                               H_SMALL);
    char name[160];
    snprintf(name, sizeof name, "%s: d(softmax CE)/d(all %zu parameters) "
             "vs finite differences (worst %.1e)", label,
             k.m.params.count, worst);
    CHECK_LE(name, worst, TOL);

    /* The check can fail: the largest gradient entry off by 1e-5. */
    nn_params *p = &k.m.params;
    gradcheck_spoil_largest(p->grad, p->count, 1e-5);
    snprintf(name, sizeof name, "%s: a gradient off by 1e-5 is caught",
             label);
    CHECK_GE(name, worst_error(classify_objective, &k, p, H_SMALL), 5e-6);
    classify_free(&k.m);
}

int main(void)
{
    rng r;
    rng_seed(&r, 8);
    check_half(&r);
    check_label(&r);
    check_classifier("softmax regression", 0, &r);
    check_classifier("MLP, 6 ReLU units", 6, &r);
    return check_summary();
}
