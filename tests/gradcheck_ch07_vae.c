/* gradcheck_ch07_vae.c -- the gradient of the whole -ELBO (7.9) of
 * common/vae.c with respect to every parameter, at a fixed eps, against
 * central finite differences, in double (the Makefile compiles
 * gradcheck_* with -DREAL_IS_DOUBLE). Every decoder: Bernoulli on grey
 * and on binarized pixels, Gaussian with a fixed and with a learned
 * sigma; without and with a condition (chapter 8's CVAE). */
#include <math.h>
#include <string.h>

#include "vae.h"

#include "check.h"
#include "gradcheck.h"

/* As in gradcheck_nn.c: a central difference with h = 1e-5 errs by
 * h^2 f'''/6 + 1e-16 |f| / h, below 1e-9 for these small losses (|f| <
 * 100); a gradient is judged relative to max(|analytic|, |numeric|,
 * FLOOR), so tiny entries must agree to 1e-8 absolutely. */
static const double H = 1e-5, TOL = 1e-6, FLOOR = 1e-2;

enum { D = 10, HID = 6, L = 3, B = 4, C = 3 };

typedef struct {
    vae_model m;
    vae_acts a;
    real x[B * D], cond[B * C], eps[B * L];
    double beta;
} vae_case;

/* The KL penalty the model trains on, written out here from (2.9):
 * sum_j (1/2)(mu^2 + e^l - 1 - l), where note 002's Keras line puts
 * s = l/2 for l (it draws z with log-variance l = 2s and charges the
 * KL of log-variance s). */
static double penalty(const vae_case *v)
{
    double sum = 0;
    for (int i = 0; i < B * L; i++) {
        double mu = v->a.mu[i], l = v->a.logvar[i];
        if (v->m.cfg.head == VAE_HEAD_KERAS)
            l /= 2;
        sum += 0.5 * (mu * mu + exp(l) - 1 - l);
    }
    return sum;
}

/* The objective: (nll + beta kl) / B at the case's fixed eps, with
 * nll / D for a loss averaged over the pixels and kl / L for one
 * averaged over the latent dimensions too. */
static double objective(vae_case *v)
{
    const real *cond = v->m.cfg.cond_dim ? v->cond : NULL;
    vae_forward(&v->a, &v->m, v->x, cond, v->eps, B);
    vae_terms t = vae_loss(&v->a, &v->m, v->x, B, v->beta, false);
    double rec = t.nll, kl = penalty(v);
    if (v->m.cfg.average != VAE_SUM)
        rec /= D;
    if (v->m.cfg.average == VAE_MEAN_BOTH)
        kl /= L;
    return (rec + v->beta * kl) / B;
}

static double vae_case_objective(void *ctx) { return objective(ctx); }

/* The worst relative error over all parameters of the block; *where
 * gets the index of the worst one. */
static double worst_error(vae_case *v, size_t *where)
{
    nn_params *p = &v->m.params;
    return gradcheck_worst(vae_case_objective, v, p->value, p->grad,
                           p->count, H, FLOOR, where);
}

/* The analytic gradient: forward, loss with its gradient, backward. */
static void analytic(vae_case *v)
{
    const real *cond = v->m.cfg.cond_dim ? v->cond : NULL;
    nn_params_zero_grad(&v->m.params);
    vae_forward(&v->a, &v->m, v->x, cond, v->eps, B);
    vae_loss(&v->a, &v->m, v->x, B, v->beta, true);
    vae_backward(&v->a, &v->m, v->x, v->eps, B);
}

/* One model: its sizes are set here, its other fields are the case. */
static void check_config(const char *label, vae_config cfg, bool binary,
                         uint64_t seed)
{
    static vae_case v;   /* the model must not move once declared */
    rng r;
    rng_seed(&r, seed);
    cfg.x_dim = D;
    cfg.hidden = HID;
    cfg.latent = L;
    cfg.sigma = 0.3;
    bool learn_sigma = cfg.learn_sigma;
    vae_init(&v.m, cfg, &r);
    vae_acts_alloc(&v.a, &cfg, B);
    if (learn_sigma)
        *v.m.log_sigma = (real)log(0.4);
    for (int i = 0; i < B * D; i++) {
        double u = rng_uniform(&r);
        v.x[i] = (real)(binary ? u < 0.5 : u);
    }
    for (int i = 0; i < B * L; i++)
        v.eps[i] = (real)rng_normal(&r);
    unsigned char digit[B] = {0, 2, 1, 2};
    data_onehot(v.cond, digit, B, C);
    v.beta = 0.7;   /* a beta other than 1 catches a missing factor */

    analytic(&v);
    size_t where = 0;
    double worst = worst_error(&v, &where);
    char name[200];
    snprintf(name, sizeof name, "%s: d(-ELBO)/d(all %zu parameters) vs "
             "finite differences (worst %.1e)", label, v.m.params.count,
             worst);
    CHECK_LE(name, worst, TOL);

    /* The check can fail: the largest gradient entry off by 1e-5. */
    nn_params *p = &v.m.params;
    gradcheck_spoil_largest(p->grad, p->count, 1e-5);
    snprintf(name, sizeof name, "%s: a gradient off by 1e-5 is caught",
             label);
    CHECK_GE(name, worst_error(&v, &where), 5e-6);

    vae_acts_free(&v.a);
    vae_free(&v.m);
}

static void check_case(const char *label, vae_decoder decoder,
                       bool learn_sigma, int cond_dim, bool binary,
                       uint64_t seed)
{
    vae_config cfg = {.cond_dim = cond_dim, .decoder = decoder,
                      .learn_sigma = learn_sigma};
    check_config(label, cfg, binary, seed);
}

int main(void)
{
    check_case("bernoulli, grey pixels", VAE_BERNOULLI, false, 0, false,
               1);
    check_case("bernoulli, binarized pixels", VAE_BERNOULLI, false, 0,
               true, 2);
    check_case("gaussian, fixed sigma", VAE_GAUSSIAN, false, 0, false, 3);
    check_case("gaussian, learned sigma", VAE_GAUSSIAN, true, 0, false, 4);
    check_case("bernoulli with a condition (CVAE)", VAE_BERNOULLI, false,
               C, false, 5);
    check_case("gaussian, learned sigma, with a condition", VAE_GAUSSIAN,
               true, C, false, 6);
    /* the notes' programs (--preset): every new path */
    check_config("ELU, a second encoder layer, with a condition",
                 (vae_config){.cond_dim = C, .act = VAE_ACT_ELU,
                              .enc_second = true}, false, 7);
    check_config("ethanluoyc: log sigma head, ReLU mean, averaged",
                 (vae_config){.decoder = VAE_GAUSSIAN, .enc_second = true,
                              .head = VAE_HEAD_LOGSIGMA,
                              .output = VAE_OUT_RELU,
                              .average = VAE_MEAN_BOTH}, false, 8);
    check_config("note 002's Keras: tanh, e^s eps, mean over pixels",
                 (vae_config){.act = VAE_ACT_TANH, .head = VAE_HEAD_KERAS,
                              .average = VAE_MEAN_PIXELS}, false, 9);

    /* The sampling step alone, (7.6): d/dlogvar of sum_i c_i z_i. */
    real mu[3] = {0.3, -1.2, 2.0}, lv[3] = {-0.5, 0.8, -3.0};
    real eps[3] = {1.1, -0.4, 0.7}, z[3], dmu[3] = {0}, dlv[3] = {0};
    real c[3] = {0.9, -1.3, 0.5};
    vae_reparam_backward(dmu, dlv, c, lv, eps, 3);
    double worst = 0;
    for (int i = 0; i < 3; i++) {
        real saved = lv[i];
        lv[i] = saved + H;
        vae_reparam_forward(z, mu, lv, eps, 3);
        double up = c[0] * z[0] + c[1] * z[1] + c[2] * z[2];
        lv[i] = saved - H;
        vae_reparam_forward(z, mu, lv, eps, 3);
        double down = c[0] * z[0] + c[1] * z[1] + c[2] * z[2];
        lv[i] = saved;
        worst = fmax(worst, fabs((up - down) / (2 * H) - dlv[i]) /
                                fmax(fabs(dlv[i]), FLOOR));
        worst = fmax(worst, fabs(dmu[i] - c[i]));
    }
    CHECK_LE("reparameterization backward (7.6) vs finite differences",
             worst, TOL);
    return check_summary();
}
