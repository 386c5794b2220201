/* test_ch07_vae.c -- chapter 7's numbers against independent ones: the
 * -ELBO's KL term is chapter 1's closed form (1.6) in sigma, summed over
 * the dimensions, and its gradient the central differences of (1.6);
 * the sampling step (7.5) gives
 * Var z = sigma^2 and the Keras line sigma^4 (Monte Carlo within 4
 * standard errors); the lecture's penalty is 2 KL with s as a
 * log-variance; the importance-weighted bounds (7.11) of a tiny model
 * with a 1-D latent rise with k towards log p(x) computed by quadrature;
 * active units (7.13) and KL per dimension on a model with a dead
 * dimension. Includes the chapter (llm.c style) to reach its functions. */
#define TESTING
#include "../chapters/ch07_vae.c"

#include <stdlib.h>

#include "../tests/check.h"
#include "loss.h"

/* ---- the KL term of the -ELBO against chapter 1's closed form ---- */

/* KL(N(mu, e^lv) || N(0, 1)) by (1.6), written in the standard
 * deviation, not in the log-variance as the model's (2.9) is: another
 * route to the same number. */
static double kl_in_sigma(double mu, double lv)
{
    return kl_gauss_1d(mu, exp(0.5 * lv), 0.0, 1.0);
}

/* A small Bernoulli VAE of x_dim pixels, `hidden` units and `latent`
 * dimensions, its weights the first draws of r seeded with `seed` (the
 * caller draws on from r). */
static vae_config small_vae(vae_model *m, int x_dim, int hidden,
                            int latent, uint64_t seed, rng *r)
{
    rng_seed(r, seed);
    vae_config cfg = {.x_dim = x_dim, .cond_dim = 0, .hidden = hidden,
                      .latent = latent, .decoder = VAE_BERNOULLI,
                      .sigma = 1, .learn_sigma = false};
    vae_init(m, cfg, r);
    return cfg;
}

static void check_kl_term(void)
{
    enum { B = 5, LAT = 4 };
    static vae_model m;
    rng r;
    vae_config cfg = small_vae(&m, 6, 3, LAT, 7, &r);
    vae_acts a;
    vae_acts_alloc(&a, &cfg, B);
    real x[B * 6];
    for (int i = 0; i < B * 6; i++)
        x[i] = (real)rng_uniform(&r);
    for (int i = 0; i < B * LAT; i++) {
        a.mu[i] = (real)(2 * rng_normal(&r));
        a.logvar[i] = (real)(3 * rng_normal(&r));
    }
    vae_decode(&a, &m, a.mu, NULL, B);
    double beta = 0.3;
    nn_params_zero_grad(&m.params);
    vae_terms t = vae_loss(&a, &m, x, B, beta, true);
    /* Central differences with h = 1e-5: truncation h^2 f'''/6 and
     * rounding 1e-16 f / h stay below 1e-8 of these gradients (|lv| < 10);
     * the model keeps its gradient in float, 6e-8 relative. So 1e-5,
     * relative to the gradient or to 1e-3, whichever is larger. */
    const double h = 1e-5;
    double want = 0, worst = 0;
    for (int i = 0; i < B * LAT; i++) {
        double mu = a.mu[i], lv = a.logvar[i];
        want += kl_in_sigma(mu, lv);
        double dmu = beta / B * (kl_in_sigma(mu + h, lv) -
                                 kl_in_sigma(mu - h, lv)) / (2 * h);
        double dlv = beta / B * (kl_in_sigma(mu, lv + h) -
                                 kl_in_sigma(mu, lv - h)) / (2 * h);
        worst = fmax(worst, fabs(a.d_mu[i] - dmu) / fmax(fabs(dmu), 1e-3));
        worst = fmax(worst,
                     fabs(a.d_logvar[i] - dlv) / fmax(fabs(dlv), 1e-3));
    }
    CHECK_REL("the -ELBO's KL term is the sum over dimensions of "
              "(1.6) in sigma", t.kl, want, 1e-12, 0);
    CHECK_LE("its gradient is beta/B times central differences of (1.6)",
             worst, 1e-5);
    vae_acts_free(&a);
    vae_free(&m);
}

/* ---- the sampling step and the notes' versions of it ---- */

static void check_reparam(void)
{
    /* The sample variance of n normal draws has standard error
     * s^2 sqrt(2 / (n - 1)); a 4-SE miss has probability 6e-5. */
    rng r;
    rng_seed(&r, 11);
    const int n = 200000;
    const double lvs[] = {-3.5, -1.0, 0.0, 1.2};
    for (int i = 0; i < 4; i++) {
        double lv = lvs[i], s2 = exp(lv), s4 = exp(2 * lv);
        char name[120];
        snprintf(name, sizeof name, "(7.5): Var z = sigma^2 at log "
                 "sigma^2 = %g", lv);
        CHECK_NEAR(name, reparam_sample_variance(lv, false, n, &r), s2,
                   4 * s2 * sqrt(2.0 / (n - 1)));
        snprintf(name, sizeof name, "Keras line: Var z = sigma^4 at log "
                 "sigma^2 = %g", lv);
        CHECK_NEAR(name, reparam_sample_variance(lv, true, n, &r), s4,
                   4 * s4 * sqrt(2.0 / (n - 1)));
    }
    /* Note 001's penalty: 2 KL with s read as a log-variance, not the KL
     * of the noise e^s * e it is used with (log-variance 2s). */
    /* The grid: m in -2 .. 2 by 0.5, s in -3 .. 2 by 0.25, 189 points,
     * (0, 0) among them (the steps are exact in binary). */
    double worst = 0, origin = NAN, least = INFINITY;
    int others = 0;
    for (double m = -2; m <= 2; m += 0.5)
        for (double s = -3; s <= 2; s += 0.25) {
            double pen = lecture_penalty(m, s);
            double kl = kl_gauss_1d(m, exp(0.5 * s), 0.0, 1.0);
            worst = fmax(worst, fabs(pen - 2 * kl_std_normal_term(m, s)));
            if (m == 0 && s == 0) {
                origin = fabs(pen) + fabs(kl);
            } else {
                least = fmin(least, fmin(pen, kl));
                others++;
            }
        }
    CHECK_LE("lecture penalty = 2 KL(N(m, e^s) || N(0,1)) on a grid",
             worst, 1e-12);
    CHECK_NEAR("penalty and KL (1.6) both vanish at m = 0, s = 0", origin,
               0, 0);
    /* The nearest grid points, m = 0 and s = -0.25, hold KL =
     * (e^s - 1 - s)/2 = 0.0144; a bound of 1e-3 fails a penalty or a KL
     * that lost a term there. */
    CHECK("... the grid's other 188 points are all visited", others == 188);
    CHECK_GE("... and both are positive at each of the 188", least, 1e-3);
    CHECK("... and not KL(N(m, e^2s) || N(0,1)) of its noise e^s",
          fabs(lecture_penalty(0.5, -1) - kl_std_normal_term(0.5, -2))
              > 0.05);
    /* Penalty = true KL of its noise, m^2 + e^s - 1 - s =
     * (m^2 + e^2s - 1 - 2s)/2, holds exactly where m^2 = (e^s - 1)^2:
     * on a curve through (0, 0), not at that one point. */
    double on_curve = 0, off_curve = INFINITY;
    for (double s = -3; s <= 1.5; s += 0.25) {
        double m = exp(s) - 1;
        on_curve = fmax(on_curve, fabs(lecture_penalty(m, s) -
                                       kl_std_normal_term(m, 2 * s)));
        double off = fabs(lecture_penalty(m + 0.3, s) -
                          kl_std_normal_term(m + 0.3, 2 * s));
        off_curve = fmin(off_curve, off);
    }
    CHECK_LE("penalty = KL of its noise on the curve |m| = |e^s - 1|",
             on_curve, 1e-12);
    CHECK_GE("... and differs by over 0.01 when m is 0.3 off the curve",
             off_curve, 0.01);
    CHECK_NEAR("the curve at s = -1: m = 1 - 1/e gives both 0.767456",
               lecture_penalty(1 - exp(-1), -1), 0.7674558, 1e-6);
}

/* ---- the second audit (notes 001, 002, 003), by other routes ---- */

/* N(x; mean, 1) N(z; 0, 1) at z: the joint of the linear model. */
typedef struct {
    double x, w, qm, qs;
} linear_ctx;

static double linear_joint(double z, void *ctx)
{
    const linear_ctx *c = ctx;
    return exp(num_log_normal_pdf(c->x, c->w * z, 1.0) +
               num_log_normal_pdf(z, 0.0, 1.0));
}

/* q(z) [log p(x, z) - log q(z)]: the ELBO's integrand. */
static double linear_elbo_integrand(double z, void *ctx)
{
    const linear_ctx *c = ctx;
    double lq = num_log_normal_pdf(z, c->qm, c->qs);
    return exp(lq) * (num_log_normal_pdf(c->x, c->w * z, 1.0) +
                      num_log_normal_pdf(z, 0.0, 1.0) - lq);
}

static void check_second_audit(void)
{
    rng r;
    rng_seed(&r, 17);
    enum { N = 200000 };
    for (int k = 0; k < 2; k++) {
        double s = k == 0 ? 0.0 : -5.0;
        num_stats st = {0};
        for (int i = 0; i < N; i++) {
            double c = exp(s) * rng_normal(&r);
            num_stats_add(&st, c * c);
        }
        double want = lecture_noise_variance(s);
        CHECK_NEAR(k == 0 ? "noise exp(s) e at s = 0: variance 1 (MC)"
                          : "at s = -5: variance e^-10 (MC)",
                   st.mean, want, 4 * want * sqrt(2.0 / N));
    }
    double lp[2], el[2];
    for (int k = 0; k < 2; k++) {
        linear_ctx c = {1.0, k == 0 ? 0.0 : 0.8, 1.0, 0.5};
        lp[k] = log(num_integrate(linear_joint, &c, -30, 30, 1e-15,
                                  1e-13).value);
        el[k] = num_integrate(linear_elbo_integrand, &c, -10, 12, 1e-15,
                              1e-13).value;
        CHECK_NEAR("linear model: log p(x) by quadrature", lp[k],
                   linear_log_px(c.x, c.w), 1e-10);
        CHECK_NEAR("linear model: ELBO by quadrature", el[k],
                   linear_elbo(c.x, c.w, c.qm, c.qs), 1e-9);
    }
    CHECK("w 0 -> 0.8: the ELBO rises by over 0.39 while log p(x) falls",
          el[1] - el[0] > 0.39 && lp[1] < lp[0] - 0.05);
    CHECK_NEAR("p((z-mu)/sigma) has mass sigma = 0.1775 (quadrature)",
               no_jacobian_mass(0.1775), 0.1775, 1e-10);
    CHECK_NEAR("... and 2.5 at sigma = 2.5", no_jacobian_mass(2.5), 2.5,
               1e-9);
    real lv[3] = {(real)-3.4, (real)0.2, (real)1.1};
    num_stats st = {0};
    for (int i = 0; i < N; i++) {
        double lq = 0;
        for (int j = 0; j < 3; j++) {
            double sd = exp(0.5 * lv[j]);
            lq += num_log_normal_pdf(sd * rng_normal(&r), 0.0, sd);
        }
        num_stats_add(&st, lq);
    }
    CHECK_NEAR("int q ln q = -H(q), Monte Carlo within 4 SE",
               gaussian_neg_entropy(lv, 3), st.mean,
               4 * sqrt(num_stats_var(&st) / N));
}

/* ---- importance-weighted bounds against quadrature ---- */

/* A tiny VAE with a 1-D latent: p(x) = integral p(x|z) N(z; 0, 1) dz
 * is then a 1-D integral that quadrature computes to 1e-6 (the network
 * computes in float: its rounding noise, 1e-7, is the floor), and so
 * are the ELBO and the variances of the Monte Carlo estimates. */
enum { TD = 6, TH = 5, TN = 3 };
static const double Q_MU = 0.5, Q_VAR = 1.5;   /* q(z|x) for every x */

typedef struct {
    vae_model *m;
    vae_acts *a;
    const real *x;      /* (TD) */
    int what;           /* which integrand, see tiny_integrand */
    double shift;       /* subtracted from the log so exp stays finite */
} tiny_ctx;

static double log_px_given_z(tiny_ctx *c, double z)
{
    real zr = (real)z;
    vae_decode(c->a, c->m, &zr, NULL, 1);
    return -vae_nll(c->a, c->m, c->x, 1, NULL, 0, false);
}

static double log_normal(double z, double mu, double var)
{
    return -0.5 * (z - mu) * (z - mu) / var - 0.5 * log(2 * M_PI * var);
}

/* 0: p(x|z) p(z) e^-shift;  1, 2: q(z) log w and q(z) (log w)^2 with
 * log w = log p(x|z) + log p(z) - log q(z);  3, 4: q(z) log p(x|z) and
 * q(z) (log p(x|z))^2. */
static double tiny_integrand(double z, void *ctx)
{
    tiny_ctx *c = ctx;
    double lpxz = log_px_given_z(c, z), lpz = log_normal(z, 0, 1);
    double lq = log_normal(z, Q_MU, Q_VAR), lw = lpxz + lpz - lq;
    switch (c->what) {
    case 0: return exp(lpxz + lpz - c->shift);
    case 1: return exp(lq) * lw;
    case 2: return exp(lq) * lw * lw;
    case 3: return exp(lq) * lpxz;
    default: return exp(lq) * lpxz * lpxz;
    }
}

static double tiny_integral(tiny_ctx *c, int what)
{
    c->what = what;
    return num_integrate(tiny_integrand, c, -20, 20, 1e-12, 1e-6).value;
}

static void check_iw_bounds(void)
{
    static vae_model m;
    rng r;
    vae_config cfg = small_vae(&m, TD, TH, 1, 3, &r);
    /* Scale the decoder up so p(x|z) depends strongly on z, and fix
     * q(z|x) = N(0.5, 1.5), unlike the posterior. */
    for (int i = 0; i < TH; i++)
        m.dec.w[i] *= 6;
    for (int i = 0; i < TD * TH; i++)
        m.dec_out.w[i] *= 3;
    memset(m.enc_mu.w, 0, sizeof(real) * TH);
    memset(m.enc_logvar.w, 0, sizeof(real) * TH);
    m.enc_mu.b[0] = (real)Q_MU;
    m.enc_logvar.b[0] = (real)log(Q_VAR);
    real x[TN * TD];
    unsigned char y[TN] = {0};
    for (int i = 0; i < TN * TD; i++)
        x[i] = (real)rng_uniform(&r);
    data_set set = {TN, 1, TD, TD, x, y};

    /* By quadrature, averaged over the TN images: log p(x), the ELBO,
     * and the variances of one draw of log w and of log p(x|z). */
    vae_acts a;
    vae_acts_alloc(&a, &cfg, 1);
    double log_px = 0, elbo = 0, var_lw = 0, var_rec = 0;
    double kl = kl_std_normal_term(Q_MU, log(Q_VAR));
    for (int i = 0; i < TN; i++) {
        tiny_ctx c = {&m, &a, x + i * TD, 0, 0};
        c.shift = log_px_given_z(&c, 0.0) + log_normal(0.0, 0, 1);
        log_px += (c.shift + log(tiny_integral(&c, 0))) / TN;
        double e1 = tiny_integral(&c, 1), e2 = tiny_integral(&c, 2);
        double r1 = tiny_integral(&c, 3), r2 = tiny_integral(&c, 4);
        elbo += (r1 - kl) / TN;
        CHECK_NEAR("E_q[log w] = E_q[log p(x|z)] - KL (7.3), by "
                   "quadrature", e1, r1 - kl, 1e-5);
        var_lw += (e2 - e1 * e1) / TN;
        var_rec += (r2 - r1 * r1) / TN;
    }
    vae_acts_free(&a);

    enum { S = 20000 };
    int ks[4] = {1, 10, 100, S};
    double bound[4];
    vae_iw_bounds(bound, &m, &set, NULL, ks, 4, S, &r);
    vae_terms t = vae_evaluate(&m, &set, NULL, S, &r);
    printf("by quadrature: log p(x) %.6f, ELBO %.6f; L_1 %.6f, L_10 %.6f,"
           " L_100 %.6f, L_%d %.6f; -(-ELBO) %.6f\n", log_px, elbo,
           bound[0], bound[1], bound[2], S, bound[3], -(t.nll + t.kl));
    CHECK("L_1 < L_10 < L_100 < L_20000 (7.11)", bound[0] < bound[1] &&
          bound[1] < bound[2] && bound[2] < bound[3]);
    /* log w has a spread below 1 here: the estimate of log p(x) from
     * 20000 draws errs by about sd(w)/E(w)/sqrt(20000) < 0.01. */
    CHECK_NEAR("L_20000 = log p(x) by quadrature", bound[3], log_px, 0.02);
    CHECK("L_100 falls short of log p(x) (a bound)", bound[2] < log_px);
    CHECK("the ELBO falls short of log p(x) by KL(q || p(z|x)) > 0",
          elbo < log_px - 0.1);
    /* Both Monte Carlo estimates of the ELBO average TN * S draws, with
     * standard errors from the variances above. */
    CHECK_NEAR("L_1 (sampled KL) = the ELBO by quadrature, within 4 SE",
               bound[0], elbo, 4 * sqrt(var_lw / (TN * (double)S)));
    CHECK_NEAR("vae_evaluate (closed-form KL) = the ELBO, within 4 SE",
               -(t.nll + t.kl), elbo, 4 * sqrt(var_rec / (TN * (double)S)));
    CHECK("the closed-form KL has the smaller spread", var_rec < var_lw);
    vae_free(&m);
}

/* ---- active units and KL per dimension ---- */

static void check_latent_stats(void)
{
    enum { N = 300, LAT = 3 };
    static vae_model m;
    rng r;
    vae_config cfg = small_vae(&m, 8, 6, LAT, 5, &r);
    /* dimension 2 is dead: mu = 0 and logvar = 0 for every x */
    for (int i = 0; i < 6; i++) {
        m.enc_mu.w[1 * 6 + i] = 0;
        m.enc_logvar.w[1 * 6 + i] = 0;
    }
    m.enc_mu.b[1] = 0;
    m.enc_logvar.b[1] = 0;
    for (int i = 0; i < 6 * 8; i++)
        m.enc.w[i] *= 4;    /* make the live ones vary */
    real *x = malloc(sizeof(real) * N * 8);
    unsigned char *y = calloc(N, 1);
    for (int i = 0; i < N * 8; i++)
        x[i] = (real)rng_uniform(&r);
    data_set set = {N, 1, 8, 8, x, y};
    double kl[LAT], activity[LAT];
    int active = vae_latent_stats(kl, activity, &m, &set);

    /* independently: the mean KL and the variance of mu, from the mus */
    real *mu = malloc(sizeof(real) * N * LAT);
    vae_encode_set(mu, &m, &set);
    vae_acts a;
    vae_acts_alloc(&a, &cfg, N);
    vae_encode(&a, &m, x, NULL, N);
    for (int j = 0; j < LAT; j++) {
        double mean = 0, sq = 0, klsum = 0;
        for (int i = 0; i < N; i++)
            mean += mu[i * LAT + j] / N;
        for (int i = 0; i < N; i++) {
            double d = mu[i * LAT + j] - mean;
            sq += d * d / (N - 1);
            double v = exp(a.logvar[i * LAT + j]);
            klsum += 0.5 * (mu[i * LAT + j] * mu[i * LAT + j] + v - 1 -
                            log(v)) / N;
        }
        char name[80];
        snprintf(name, sizeof name, "activity of dimension %d = Var mu",
                 j + 1);
        CHECK_REL(name, activity[j], sq, 1e-9, 1e-12);
        snprintf(name, sizeof name, "KL of dimension %d = mean of (1.7)",
                 j + 1);
        CHECK_REL(name, kl[j], klsum, 1e-5, 1e-9);
    }
    CHECK("the dead dimension has activity 0 and KL 0",
          activity[1] == 0 && kl[1] == 0);
    CHECK("2 active units of 3", active == 2);
    vae_acts_free(&a);
    free(mu);
    free(x);
    free(y);
    vae_free(&m);
}

/* ---- small parts ---- */

static void check_parts(void)
{
    rng r;
    rng_seed(&r, 9);
    enum { N = 100000 };
    real *x = malloc(sizeof(real) * N);
    for (int i = 0; i < N; i++)
        x[i] = 0.3f;
    data_binarize(x, N, &r);
    double ones = 0;
    int binary = 1;
    for (int i = 0; i < N; i++) {
        ones += x[i];
        binary &= x[i] == 0 || x[i] == 1;
    }
    CHECK("binarized pixels are 0 or 1", binary);
    CHECK_NEAR("binarized 0.3 is 1 with probability 0.3 (4 SE)", ones / N,
               0.3, 4 * sqrt(0.3 * 0.7 / N));
    free(x);

    real cond[3 * 4];
    unsigned char label[3] = {2, 0, 3};
    data_onehot(cond, label, 3, 4);
    int ok = 1;
    for (int b = 0; b < 3; b++)
        for (int k = 0; k < 4; k++)
            ok &= cond[b * 4 + k] == (k == label[b]);
    CHECK("one-hot rows", ok);

    /* The grey-pixel floor is BCE at p = x, by loss.c's own formula. */
    enum { NI = 3, NP = 50 };
    real grey[NI * NP], logit[NI * NP];
    for (int i = 0; i < NI * NP; i++) {
        grey[i] = (real)(i % 7 == 0 ? 0 : rng_uniform(&r));
        logit[i] = grey[i] > 0 ? (real)log(grey[i] / (1 - grey[i]))
                               : -40;   /* BCE e^-40: 0 in effect */
    }
    data_set gs = {NI, 1, NP, NP, grey, NULL};
    CHECK_REL("grey-pixel floor = BCE(x, sigmoid(logit x)), per image",
              data_pixel_entropy(&gs), loss_bce_logits(NULL, logit, grey,
              NI * NP, 0) / NI, 1e-5, 1e-9);
    logit[5] += 0.1f;
    CHECK("... and any other p costs more", data_pixel_entropy(&gs) <
          loss_bce_logits(NULL, logit, grey, NI * NP, 0) / NI);

    char tag[NN_TAG_MAX];
    vae_config c = {.x_dim = 784, .hidden = 400, .latent = 20,
                    .decoder = VAE_BERNOULLI, .sigma = 1};
    vae_tag(tag, "ch07_vae", &c);
    CHECK("tag of the Bernoulli VAE", strcmp(tag, "ch07_vae bernoulli") == 0);
    c.decoder = VAE_GAUSSIAN;
    c.sigma = 0.1;
    vae_tag(tag, "ch07_vae", &c);
    CHECK("tag of a fixed-sigma Gaussian",
          strcmp(tag, "ch07_vae gaussian s=0.1") == 0);
    c.learn_sigma = true;
    vae_tag(tag, "ch08_cvae", &c);
    CHECK("tag of a learned-sigma Gaussian",
          strcmp(tag, "ch08_cvae gaussian s=learned") == 0);
}

int main(void)
{
    check_kl_term();
    check_reparam();
    check_iw_bounds();
    check_latent_stats();
    check_parts();
    check_second_audit();
    return check_summary();
}
