/* vae.c -- the variational autoencoder of chapters 7 and 8 (see vae.h):
 * model, -ELBO forward and backward, training, evaluation, flags. */
#include "vae.h"

#include "explore.h"
#include "interrupt.h"
#include "kl.h"
#include "loss.h"
#include "num.h"
#include "report.h"
#include "sys.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the model ---------------------------------------------------------- */

void vae_init(vae_model *m, vae_config cfg, rng *r)
{
    memset(m, 0, sizeof *m);
    m->cfg = cfg;
    nn_params *p = &m->params;
    nn_params_begin(p);
    nn_dense_declare(p, &m->enc, cfg.x_dim + cfg.cond_dim, cfg.hidden);
    if (cfg.enc_second)
        nn_dense_declare(p, &m->enc2, cfg.hidden, cfg.hidden);
    nn_dense_declare(p, &m->enc_mu, cfg.hidden, cfg.latent);
    nn_dense_declare(p, &m->enc_logvar, cfg.hidden, cfg.latent);
    nn_dense_declare(p, &m->dec, cfg.latent + cfg.cond_dim, cfg.hidden);
    nn_dense_declare(p, &m->dec_out, cfg.hidden, cfg.x_dim);
    bool learned = cfg.decoder == VAE_GAUSSIAN && cfg.learn_sigma;
    if (learned)
        nn_params_tensor(p, &m->log_sigma, &m->d_log_sigma, 1, 1);
    nn_params_allocate(p);
    if (!learned)
        m->log_sigma = &m->fixed_log_sigma;
    *m->log_sigma = cfg.decoder == VAE_GAUSSIAN ? (real)log(cfg.sigma) : 0;
    /* in the order pytorch/examples creates them: fc1, fc21, fc22, fc3,
       fc4 */
    nn_dense_init(&m->enc, NN_INIT_PYTORCH, r);
    if (cfg.enc_second)
        nn_dense_init(&m->enc2, NN_INIT_PYTORCH, r);
    nn_dense_init(&m->enc_mu, NN_INIT_PYTORCH, r);
    nn_dense_init(&m->enc_logvar, NN_INIT_PYTORCH, r);
    nn_dense_init(&m->dec, NN_INIT_PYTORCH, r);
    nn_dense_init(&m->dec_out, NN_INIT_PYTORCH, r);
}

void vae_free(vae_model *m)
{
    nn_params_free(&m->params);
}

void vae_tag(char *out, const char *chapter, const vae_config *cfg)
{
    char base[NN_TAG_MAX];
    if (cfg->decoder == VAE_BERNOULLI)
        snprintf(base, NN_TAG_MAX, "%s bernoulli", chapter);
    else if (cfg->learn_sigma)
        snprintf(base, NN_TAG_MAX, "%s gaussian s=learned", chapter);
    else
        snprintf(base, NN_TAG_MAX, "%s gaussian s=%.4g", chapter,
                 cfg->sigma);
    /* a model of other layers than chapter 7's says which, in four
       letters: activation, encoder layers, head, output */
    if (cfg->act || cfg->enc_second || cfg->head || cfg->output)
        snprintf(out, NN_TAG_MAX, "%.26s %c%c%c%c", base,
                 "ret"[cfg->act], cfg->enc_second ? '2' : '1',
                 "vsk"[cfg->head], "sr"[cfg->output]);
    else
        snprintf(out, NN_TAG_MAX, "%s", base);
}

/* ---- one batch ---------------------------------------------------------- */

void vae_acts_alloc(vae_acts *a, const vae_config *cfg, int cap)
{
    size_t B = (size_t)cap, H = (size_t)cfg->hidden;
    size_t L = (size_t)cfg->latent, D = (size_t)cfg->x_dim;
    size_t C = (size_t)cfg->cond_dim;
    memset(a, 0, sizeof *a);
    a->cap = cap;
    real_part part[22] = {
        {&a->h, B * H}, {&a->g, B * H}, {&a->d_h_in, B * H},
        {&a->d_h, B * H}, {&a->d_g_in, B * H}, {&a->d_g, B * H},
        {&a->mu, B * L}, {&a->logvar, B * L}, {&a->z, B * L},
        {&a->d_mu, B * L}, {&a->d_logvar, B * L}, {&a->d_z, B * L},
        {&a->logits, B * D}, {&a->mean, B * D}, {&a->d_logits, B * D},
        {&a->d_mean, B * D},
    };
    size_t np = 16;
    if (C > 0) {        /* the concatenated inputs; else they stay NULL */
        part[np++] = (real_part){&a->enc_in, B * (D + C)};
        part[np++] = (real_part){&a->dec_in, B * (L + C)};
        part[np++] = (real_part){&a->d_dec_in, B * (L + C)};
    }
    if (cfg->enc_second) {
        part[np++] = (real_part){&a->h0, B * H};
        part[np++] = (real_part){&a->d_h0, B * H};
        part[np++] = (real_part){&a->d_h0_in, B * H};
    }
    a->buffers = real_carve(part, np);
}

void vae_acts_free(vae_acts *a)
{
    free(a->buffers);
    memset(a, 0, sizeof *a);
}

/* Rows [u, v]: u (B, nu) beside v (B, nv) into out (B, nu + nv). With
 * nv = 0 nothing is copied and u itself is the input. */
static const real *vae_concat(real *out, const real *u, int nu,
                              const real *v, int nv, int B)
{
    if (nv == 0)
        return u;
    for (int b = 0; b < B; b++) {
        real *row = out + (size_t)b * (nu + nv);
        memcpy(row, u + (size_t)b * nu, sizeof(real) * (size_t)nu);
        memcpy(row + nu, v + (size_t)b * nv, sizeof(real) * (size_t)nv);
    }
    return out;
}

/* ---- the notes' programs: other layers and losses ----------------------
 * The choices of the programs note 000 links and note 002 contains, as
 * options of the one model (vae_config); the defaults are chapter 7's. */

/* The hidden layers' activation, in place, and its backward pass. */
static inline void vae_act_forward(const vae_config *c, real *y, int n)
{
    switch (c->act) {
    case VAE_ACT_RELU: nn_relu_forward(y, y, n); break;
    case VAE_ACT_ELU: nn_elu_forward(y, y, n); break;
    case VAE_ACT_TANH: nn_tanh_forward(y, y, n); break;
    }
}

static inline void vae_act_backward(const vae_config *c, real *dx, const real *y,
                             const real *dy, int n)
{
    switch (c->act) {
    case VAE_ACT_RELU: nn_relu_backward(dx, y, dy, n); break;
    case VAE_ACT_ELU: nn_elu_backward(dx, y, dy, n); break;
    case VAE_ACT_TANH: nn_tanh_backward(dx, y, dy, n); break;
    }
}

/* The decoder's output from its logits: sigmoid(a), the Bernoulli
 * probability of (7.7) or the Gaussian mean of (7.8); or max(a, 0),
 * ethanluoyc's Gaussian mean, which is 0 -- with no gradient -- for
 * every a < 0. */
static inline void vae_output_forward(const vae_config *c, real *mean,
                               const real *logits, int n)
{
    if (c->output == VAE_OUT_RELU)
        nn_relu_forward(mean, logits, n);
    else
        nn_sigmoid_forward(mean, logits, n);
}

static inline void vae_output_backward(const vae_config *c, real *dlogits,
                                const real *mean, const real *dmean, int n)
{
    if (c->output == VAE_OUT_RELU)
        nn_relu_backward(dlogits, mean, dmean, n);
    else
        nn_sigmoid_backward(dlogits, mean, dmean, n);
}

/* A head of log sigma (ethanluoyc, and note 002's Keras line, which
 * draws z = mu + e^s eps) gives the log-variance l = 2s that everything
 * else uses; dl/ds = 2. */
static inline void vae_head_forward(const vae_config *c, real *logvar, int n)
{
    if (c->head != VAE_HEAD_LOGVAR)
        for (int i = 0; i < n; i++)
            logvar[i] *= 2;
}

static inline void vae_head_backward(const vae_config *c, real *dlogvar, int n)
{
    vae_head_forward(c, dlogvar, n);
}

/* Note 002's Keras loss charges the KL (2.9) at log-variance s = l/2,
 * for a z it draws with log-variance l = 2s: the sum over n values of
 * KL(N(mu, e^{l/2}) || N(0, 1)), which is not the KL of q. Adds scale
 * times its gradient, d/dl = (1/2) d/ds, as every loss adds. */
static inline double vae_keras_penalty(real *dmu, real *dlogvar, const real *mu,
                                const real *logvar, int n, double scale)
{
    double sum = 0;
    for (int i = 0; i < n; i++) {
        double s = 0.5 * logvar[i], d_mu, d_s;
        sum += kl_std_normal_term(mu[i], s);
        kl_std_normal_term_grad(mu[i], s, &d_mu, &d_s);
        dmu[i] += (real)(scale * d_mu);
        dlogvar[i] += (real)(scale * 0.5 * d_s);
    }
    return sum;
}

/* The weights of the loss's two terms in a batch of B: 1/B and beta/B
 * for (7.9); a program that averages over the pixels divides the first
 * by x_dim (7.10), one that averages over the latent dimensions the
 * second by latent. By Adam's indifference to a constant factor, both
 * amount to a beta of x_dim or x_dim / latent. */
static inline void vae_loss_weights(const vae_config *c, int B, double beta,
                             double *rec, double *kl)
{
    *rec = 1.0 / B;
    *kl = beta * (1.0 / B);
    if (c->average != VAE_SUM)
        *rec /= c->x_dim;
    if (c->average == VAE_MEAN_BOTH)
        *kl /= c->latent;
}

//> ch07-reparam
/* z = mu + sigma * eps with sigma = exp(logvar / 2), equation (7.5).
 * The randomness is all in eps, drawn beforehand: z is an ordinary
 * function of mu and logvar, and gradients flow through it. */
/* TASK ch07-reparam-forward (7.5) */
void vae_reparam_forward(real *z, const real *mu, const real *logvar,
                         const real *eps, int n)
{
    for (int i = 0; i < n; i++)
        z[i] = mu[i] + (real)exp(0.5 * logvar[i]) * eps[i];
}

/* The chain rule through (7.5), equation (7.6): dz/dmu = 1 and
 * dz/dlogvar = eps * sigma / 2. Adds, as every backward does. */
/* TASK ch07-reparam-backward (7.6) */
void vae_reparam_backward(real *dmu, real *dlogvar, const real *dz,
                          const real *logvar, const real *eps, int n)
{
    for (int i = 0; i < n; i++) {
        real sigma = (real)exp(0.5 * logvar[i]);
        dmu[i] += dz[i];
        dlogvar[i] += dz[i] * eps[i] * sigma / 2;
    }
}
//< ch07-reparam

//> ch07-forward
/* q(z|x, c): h = ReLU(W1 [x, c] + b1), then mu and log sigma^2 are
 * two linear read-outs of the same h. (The notes' programs: another
 * activation, a second layer h = act(W1' h0 + b1'), a log sigma head.)
 */
void vae_encode(vae_acts *a, const vae_model *m, const real *x,
                const real *cond, int B)
{
    const vae_config *c = &m->cfg;
    int BH = B * c->hidden;
    const real *in = vae_concat(a->enc_in, x, c->x_dim, cond,
                                c->cond_dim, B);
    real *first = c->enc_second ? a->h0 : a->h;
    nn_dense_forward(first, in, &m->enc, B);
    vae_act_forward(c, first, BH);
    if (c->enc_second) {
        nn_dense_forward(a->h, a->h0, &m->enc2, B);
        vae_act_forward(c, a->h, BH);
    }
    nn_dense_forward(a->mu, a->h, &m->enc_mu, B);
    nn_dense_forward(a->logvar, a->h, &m->enc_logvar, B);
    vae_head_forward(c, a->logvar, B * c->latent);
}

/* p(x|z, c): g = ReLU(W3 [z, c] + b3), logits = W4 g + b4. */
void vae_decode(vae_acts *a, const vae_model *m, const real *z,
                const real *cond, int B)
{
    const vae_config *c = &m->cfg;
    const real *in = vae_concat(a->dec_in, z, c->latent, cond,
                                c->cond_dim, B);
    nn_dense_forward(a->g, in, &m->dec, B);
    vae_act_forward(c, a->g, B * c->hidden);
    nn_dense_forward(a->logits, a->g, &m->dec_out, B);
}

/* Encoder, one draw of z per row at the given eps, decoder. */
void vae_forward(vae_acts *a, const vae_model *m, const real *x,
                 const real *cond, const real *eps, int B)
{
    vae_encode(a, m, x, cond, B);
    vae_reparam_forward(a->z, a->mu, a->logvar, eps, B * m->cfg.latent);
    vae_decode(a, m, a->z, cond, B);
}
//< ch07-forward

//> ch07-loss
/* -log p(x|z) row by row: binary cross-entropy from the logits for
 * the Bernoulli decoder (7.7), the Gaussian NLL around the mean
 * sigmoid(logits) for the Gaussian one (7.8). */
double vae_nll(vae_acts *a, vae_model *m, const real *x, int B,
               double *nll, double scale, bool grad)
{
    int D = m->cfg.x_dim;
    bool gauss = m->cfg.decoder == VAE_GAUSSIAN;
    if (gauss)
        vae_output_forward(&m->cfg, a->mean, a->logits, B * D);
    double sum = 0;
    for (int b = 0; b < B; b++) {
        size_t at = (size_t)b * D;
        double row;
        if (!gauss)
            row = loss_bce_logits(grad ? a->d_logits + at : NULL,
                                  a->logits + at, x + at, D, scale);
        else
            row = loss_gauss_nll(grad ? a->d_mean + at : NULL,
                                 grad ? m->d_log_sigma : NULL,
                                 a->mean + at, m->log_sigma, x + at, D,
                                 1, scale);
        if (nll != NULL)
            nll[b] = row;
        sum += row;
    }
    if (gauss && grad)
        vae_output_backward(&m->cfg, a->d_logits, a->mean, a->d_mean,
                            B * D);
    return sum;
}

/* The two terms of the -ELBO (7.9), summed over the batch; with grad,
 * the gradient of their weighted mean (nll + beta kl) / B goes to
 * the network's three outputs: logits, mu and logvar. The KL term is
 * chapter 2's closed form (2.9), through loss_kl_std_normal. */
/* TASK ch07-neg-elbo (7.9) */
vae_terms vae_loss(vae_acts *a, vae_model *m, const real *x, int B,
                   double beta, bool grad)
{
    size_t D = (size_t)m->cfg.x_dim, L = (size_t)m->cfg.latent;
    if (grad) {
        memset(a->d_logits, 0, sizeof(real) * B * D);
        if (m->cfg.decoder == VAE_GAUSSIAN)   /* only it uses d_mean */
            memset(a->d_mean, 0, sizeof(real) * B * D);
        memset(a->d_mu, 0, sizeof(real) * B * L);
        memset(a->d_logvar, 0, sizeof(real) * B * L);
    }
    double rec_weight, kl_weight;   /* 1/B and beta/B in (7.9) */
    vae_loss_weights(&m->cfg, B, beta, &rec_weight, &kl_weight);
    int n = B * (int)L;
    bool keras = m->cfg.head == VAE_HEAD_KERAS;  /* trains another KL */
    real *d_mu = grad && !keras ? a->d_mu : NULL;
    real *d_logvar = grad && !keras ? a->d_logvar : NULL;
    vae_terms t;
    t.nll = vae_nll(a, m, x, B, NULL, rec_weight, grad);
    t.kl = loss_kl_std_normal(d_mu, d_logvar, a->mu, a->logvar, n,
                              kl_weight);
    if (grad && keras)
        vae_keras_penalty(a->d_mu, a->d_logvar, a->mu, a->logvar, n,
                          kl_weight);
    return t;
}
//< ch07-loss

//> ch07-backward
/* Backpropagation from the gradients vae_loss left at the outputs,
 * layer by layer in reverse, through (7.6) into the encoder. */
void vae_backward(vae_acts *a, vae_model *m, const real *x,
                  const real *eps, int B)
{
    const vae_config *c = &m->cfg;
    int H = c->hidden, L = c->latent, C = c->cond_dim;
    size_t BH = (size_t)B * H, BL = (size_t)B * L;
    memset(a->d_g, 0, sizeof(real) * BH);
    memset(a->d_g_in, 0, sizeof(real) * BH);
    memset(a->d_h, 0, sizeof(real) * BH);
    memset(a->d_h_in, 0, sizeof(real) * BH);
    memset(a->d_z, 0, sizeof(real) * BL);
    /* decoder */
    nn_dense_backward(a->d_g, &m->dec_out, a->d_logits, a->g, B);
    vae_act_backward(c, a->d_g_in, a->g, a->d_g, (int)BH);
    if (C == 0) {
        nn_dense_backward(a->d_z, &m->dec, a->d_g_in, a->z, B);
    } else {  /* the condition's share of the gradient is dropped */
        memset(a->d_dec_in, 0, sizeof(real) * (size_t)B * (L + C));
        nn_dense_backward(a->d_dec_in, &m->dec, a->d_g_in, a->dec_in,
                          B);
        for (int b = 0; b < B; b++)
            for (int j = 0; j < L; j++)
                a->d_z[b * L + j] += a->d_dec_in[b * (L + C) + j];
    }
    /* the sampling step, then the encoder's two heads and its layer */
    vae_reparam_backward(a->d_mu, a->d_logvar, a->d_z, a->logvar, eps,
                         (int)BL);
    vae_head_backward(c, a->d_logvar, (int)BL);
    nn_dense_backward(a->d_h, &m->enc_mu, a->d_mu, a->h, B);
    nn_dense_backward(a->d_h, &m->enc_logvar, a->d_logvar, a->h, B);
    vae_act_backward(c, a->d_h_in, a->h, a->d_h, (int)BH);
    const real *in = C ? a->enc_in : x;
    if (c->enc_second) {   /* through the second layer to the first */
        memset(a->d_h0, 0, sizeof(real) * BH);
        memset(a->d_h0_in, 0, sizeof(real) * BH);
        nn_dense_backward(a->d_h0, &m->enc2, a->d_h_in, a->h0, B);
        vae_act_backward(c, a->d_h0_in, a->h0, a->d_h0, (int)BH);
        nn_dense_backward(NULL, &m->enc, a->d_h0_in, in, B);
    } else {
        nn_dense_backward(NULL, &m->enc, a->d_h_in, in, B);
    }
}
//< ch07-backward

/* ---- flags and options -------------------------------------------------- */

/* Where a learned sigma starts: the default fixed sigma. Adam moves
 * log sigma by about lr per step whatever its gradient, so from 1 it
 * would take some 2000 steps (30 epochs here) to reach 0.1. */
static const double vae_sigma_start = 0.1;

/* Whether a choice flag's value is `name`; a NULL value (options set
 * up without the flags) is the default and none of the others. */
static bool vae_is(const char *value, const char *name)
{
    return value != NULL && strcmp(value, name) == 0;
}

vae_config vae_options_config(const vae_options *o, int x_dim,
                              int cond_dim)
{
    vae_config c = {.x_dim = x_dim, .cond_dim = cond_dim,
                    .hidden = o->hidden, .latent = o->latent,
                    .decoder = VAE_BERNOULLI, .sigma = vae_sigma_start};
    char *end;
    double sigma = strtod(o->sigma, &end);
    if (strcmp(o->sigma, "learned") == 0)
        c.learn_sigma = true;
    else if (end == o->sigma || *end != '\0' || !(sigma > 0) ||
             sigma > 1e6)
        sys_die(SYS_USAGE, "--sigma: '%s' is neither a number in (0,1e6] nor "
                "'learned'", o->sigma);
    else
        c.sigma = sigma;
    if (strcmp(o->decoder, "gaussian") == 0)
        c.decoder = VAE_GAUSSIAN;
    c.act = vae_is(o->activation, "elu") ? VAE_ACT_ELU
          : vae_is(o->activation, "tanh") ? VAE_ACT_TANH : VAE_ACT_RELU;
    c.enc_second = o->encoder_layers == 2;
    c.head = vae_is(o->head, "logsigma") ? VAE_HEAD_LOGSIGMA
           : vae_is(o->head, "keras") ? VAE_HEAD_KERAS : VAE_HEAD_LOGVAR;
    c.output = vae_is(o->output, "relu") ? VAE_OUT_RELU : VAE_OUT_SIGMOID;
    c.average = vae_is(o->average, "pixels") ? VAE_MEAN_PIXELS
              : vae_is(o->average, "both") ? VAE_MEAN_BOTH : VAE_SUM;
    if (c.output == VAE_OUT_RELU && c.decoder == VAE_BERNOULLI)
        sys_die(SYS_USAGE, "--mean relu: only with --decoder gaussian (a "
                "Bernoulli probability must lie in (0,1))");
    return c;
}

/* ---- presets: the notes' programs as flags ------------------------------ */

typedef struct {
    const char *name, *chapter, *program, *flags;
} vae_preset;

/* What each program does, read from its code: layers, the encoder's
 * head, the decoder's output, the loss (the mean squared error is the
 * Gaussian NLL with sigma^2 = 1/2, less a constant), Adam's step,
 * batch and epochs. Anything not set is chapter 7's choice. */
static const vae_preset vae_presets[] = {
    {"ethanluoyc", "ch07_vae", "ethanluoyc/pytorch-vae, note 000",
     "--hidden 100 --encoder-layers 2 --activation relu --latent 8 "
     "--head logsigma --decoder gaussian --sigma 0.7071067811865476 "
     "--mean relu --average both --lr 1e-4 --batch 32 --epochs 100"},
    {"keras", "ch07_vae", "the Keras VAE of note 002",
     "--hidden 256 --encoder-layers 1 --activation tanh --latent 2 "
     "--head keras --decoder bernoulli --mean sigmoid "
     "--average pixels --lr 1e-3 --batch 100 --epochs 50"},
    {"unnir", "ch08_cvae", "unnir/cVAE, note 000",
     "--hidden 400 --encoder-layers 1 --activation elu --latent 20 "
     "--head logvar --decoder bernoulli --mean sigmoid --average none "
     "--lr 1e-3 --batch 64 --epochs 10"},
};
enum { VAE_NPRESETS = sizeof vae_presets / sizeof vae_presets[0] };

const char *vae_preset_flags(const char *name, const char **program)
{
    for (int i = 0; i < VAE_NPRESETS; i++)
        if (strcmp(vae_presets[i].name, name) == 0) {
            if (program != NULL)
                *program = vae_presets[i].program;
            return vae_presets[i].flags;
        }
    return NULL;
}

/* Appends the flags `text` to out (size bytes) on lines indented by 6,
 * of at most 76 columns, breaking only before a "--". */
static void vae_append_wrapped(char *out, size_t size, const char *text)
{
    size_t column = 0;
    while (*text) {
        const char *next = strstr(text + 1, " --");
        size_t word = next ? (size_t)(next - text) : strlen(text);
        size_t used = strlen(out);
        const char *gap = column == 0 ? "\n      "
                        : column + 1 + word > 76 ? "\n      " : " ";
        snprintf(out + used, size - used, "%s%.*s", gap, (int)word, text);
        column = (*gap == '\n' ? 6 : column + 1) + word;
        text += word + (next != NULL);
    }
}

/* The flags of a preset, split at the spaces into argv form (argv[0]
 * is prog). Returns argc; the words point into copy. */
static int vae_preset_argv(char **argv, int max, char *copy,
                           const char *prog)
{
    int argc = 0;
    argv[argc++] = (char *)prog;
    for (char *w = strtok(copy, " "); w && argc < max;
         w = strtok(NULL, " "))
        argv[argc++] = w;
    return argc;
}

/* The preset's flags, then the arguments again over them. */
static void vae_apply_preset(const char *prog, const char *text,
                             cli_flag *flags, int nflags, int argc,
                             char **argv, const vae_options *o)
{
    const vae_preset *p = vae_presets;
    while (strcmp(p->name, o->preset) != 0)
        p++;   /* cli_parse let only their names through */
    if (strcmp(p->chapter, prog) != 0)
        sys_die(SYS_USAGE, "--preset %s: a program of %s, not of %s", p->name,
                p->chapter, prog);
    /* the options keep pointers into the words: one lasting copy of
       each preset's flags */
    enum { MAX_WORDS = 64 };
    static char copy[VAE_NPRESETS][512];
    char *words[MAX_WORDS];
    char *mine = copy[p - vae_presets];
    snprintf(mine, sizeof copy[0], "%s", p->flags);
    int n = vae_preset_argv(words, MAX_WORDS, mine, prog);
    cli_parse(prog, text, flags, nflags, n, words);
    cli_parse(prog, text, flags, nflags, argc, argv);
}

void vae_parse(const char *prog, const char *about, cli_flag *flags,
               int nflags, int argc, char **argv, const vae_options *o)
{
    static char text[4096];
    snprintf(text, sizeof text, "%s\n\npresets: --preset NAME sets the "
             "flags of a program the notes use; a flag\ngiven as well, "
             "before or after it, overrides the preset's value.",
             about);
    for (int i = 0; i < VAE_NPRESETS; i++) {
        if (strcmp(vae_presets[i].chapter, prog) != 0)
            continue;
        size_t used = strlen(text);
        snprintf(text + used, sizeof text - used, "\n  %s: %s",
                 vae_presets[i].name, vae_presets[i].program);
        vae_append_wrapped(text, sizeof text, vae_presets[i].flags);
    }
    cli_parse(prog, text, flags, nflags, argc, argv);
    if (o->preset != NULL && !vae_is(o->preset, "none"))
        vae_apply_preset(prog, text, flags, nflags, argc, argv, o);
    explore_check(o);
}

void vae_print_variants(const vae_options *o, const vae_config *c)
{
    const char *program = NULL;
    if (o->preset != NULL && vae_preset_flags(o->preset, &program) != NULL)
        printf("preset %s: %s\n", o->preset, program);
    if (!c->act && !c->enc_second && !c->head && !c->output &&
        !c->average)
        return;
    static const char *const act[] = {"ReLU", "ELU", "tanh"};
    static const char *const head[] = {"log sigma^2", "log sigma",
                                       "Keras (e^s eps, KL at s)"};
    static const char *const average[] = {
        "summed", "averaged over the pixels",
        "averaged over the pixels and latent dimensions",
    };
    printf("model: %s hidden layers, %d in the encoder; head %s; "
           "output %s; loss %s\n", act[c->act], c->enc_second ? 2 : 1,
           head[c->head], c->output == VAE_OUT_RELU ? "ReLU" : "sigmoid",
           average[c->average]);
}

/* ---- training ----------------------------------------------------------- */

/* The conditions of images first .. first+B-1 of a set: those rows of
 * cond (n, C) when it is given, else the one-hot of their labels, made
 * in buf (B, C); NULL when the model has no condition. */
static const real *vae_set_cond(real *buf, const real *cond,
                                const data_set *set, int first, int B,
                                int C)
{
    if (C == 0)
        return NULL;
    if (cond != NULL)
        return cond + (size_t)first * C;
    data_onehot(buf, set->y + first, B, C);
    return buf;
}

/* Fills eps with n standard normal draws. */
static void vae_draw_eps(real *eps, int n, rng *r)
{
    for (int i = 0; i < n; i++)
        eps[i] = (real)rng_normal(r);
}

/* The likely cause of a loss that is not finite, as advice: a Gaussian
 * decoder's sigma so small that (x - mean)^2 / (2 sigma^2) explodes
 * (below 1e-3 the gradients are a million times those at the default
 * 0.1); else, before any step (steps == 0) the learning rate has done
 * nothing yet, so the data; otherwise the steps were too long. */
static const char *vae_divergence_hint(const vae_model *m,
                                       const vae_options *o, long steps)
{
    static char hint[200];
    bool gaussian = m->cfg.decoder == VAE_GAUSSIAN;
    double sigma = gaussian ? exp((double)*m->log_sigma) : 1;
    if (gaussian && sigma < 1e-3)
        snprintf(hint, sizeof hint, "the Gaussian decoder's sigma %g is "
                 "too small: try a larger --sigma (now %s)", sigma,
                 o->sigma);
    else if (steps == 0)
        snprintf(hint, sizeof hint, "the very first loss is not finite: "
                 "look at the data (--data %s)", o->data);
    else
        snprintf(hint, sizeof hint, "try a smaller --lr (now %g)",
                 o->lr);
    return hint;
}

/* beta at Adam step `step` (counting from 1): ramped linearly from 0
 * over `ramp` steps, then constant. */
static double vae_beta_at(double beta, long step, long ramp)
{
    return ramp > 0 && step < ramp ? beta * (double)step / ramp : beta;
}

//> ch07-train-step
/* One Adam step on a batch of B images at the noise eps: the -ELBO
 * (7.9) and its gradient, then the update. A loss that is not finite
 * is returned without a step, for the caller to report. */
vae_terms vae_train_step(vae_model *m, vae_acts *a, const nn_adam *adam,
                         const real *x, const real *cond,
                         const real *eps, int B, double beta)
{
    nn_params_zero_grad(&m->params);
    vae_forward(a, m, x, cond, eps, B);
    vae_terms t = vae_loss(a, m, x, B, beta, true);
    if (isfinite(t.nll + beta * t.kl)) {
        vae_backward(a, m, x, eps, B);
        nn_adam_step(&m->params, adam);
    }
    return t;
}
//< ch07-train-step

/* One line of progress: the epoch's -ELBO on the training and the test
 * set, each with its two terms, the epoch's seconds and the ETA. */
static void vae_print_epoch(const vae_epoch *h, int e, int epochs,
                            double eta, bool show_beta)
{
    printf("%3d/%-3d %10.2f = %6.2f + %5.2f %10.2f = %6.2f + %5.2f"
           "  %5.2f s  ETA %3.0f s", e + 1, epochs,
           h->train_nll + h->train_kl, h->train_nll, h->train_kl,
           h->test_nll + h->test_kl, h->test_nll, h->test_kl, h->seconds,
           eta);
    printf(show_beta ? "  beta %.3g\n" : "\n", h->beta);
    fflush(stdout);
}

/* What a training run keeps between its steps: the buffers of one
 * batch, the epoch's order of the images and the schedule's constants. */
typedef struct {
    vae_acts a;             /* the activations of one batch */
    real *x;                /* (batch, D) the batch's images */
    real *cond;             /* (batch, C) their conditions */
    real *eps;              /* (batch, L) the noise of (7.5) */
    unsigned char *label;   /* (batch) their labels */
    int *order;             /* (n) the epoch's order of the images */
    int batch;              /* images per step (at most n) */
    long per_epoch, ramp;   /* steps per epoch; steps of warm-up */
    nn_adam adam;
} vae_trainer;

static void vae_trainer_init(vae_trainer *t, const vae_model *m, int n,
                             const vae_options *o)
{
    const vae_config *c = &m->cfg;
    t->batch = o->batch < n ? o->batch : n;
    size_t B = (size_t)t->batch;
    vae_acts_alloc(&t->a, c, t->batch);
    t->x = sys_alloc(B * (size_t)c->x_dim, sizeof *t->x);
    t->cond = sys_alloc(B * (size_t)c->cond_dim, sizeof *t->cond);
    t->eps = sys_alloc(B * (size_t)c->latent, sizeof *t->eps);
    t->label = sys_alloc(B, 1);
    t->order = sys_alloc((size_t)n, sizeof *t->order);
    t->per_epoch = (n + t->batch - 1) / t->batch;
    t->ramp = (long)o->warmup * t->per_epoch;
    t->adam = nn_adam_defaults(o->lr);
}

static void vae_trainer_free(vae_trainer *t)
{
    vae_acts_free(&t->a);
    free(t->x);
    free(t->cond);
    free(t->eps);
    free(t->label);
    free(t->order);
}

/* Fills the trainer's batch with images order[s .. s+B-1] of the set:
 * with --binarize a fresh Bernoulli draw of their pixels; their
 * conditions (those rows of cond, else their one-hot labels); and
 * fresh noise eps. */
static void vae_fill_batch(vae_trainer *t, const vae_config *c,
                           const data_set *set, const real *cond, int s,
                           int B, bool binarize, rng *r)
{
    int C = c->cond_dim;
    data_gather(t->x, t->label, set, t->order + s, B);
    if (binarize)
        data_binarize(t->x, (size_t)B * c->x_dim, r);
    if (cond != NULL)   /* the rows of the batch's images */
        for (int b = 0; b < B; b++)
            memcpy(t->cond + (size_t)b * C,
                   cond + (size_t)t->order[s + b] * C, sizeof(real) * C);
    else if (C > 0)
        data_onehot(t->cond, t->label, B, C);
    vae_draw_eps(t->eps, B * c->latent, r);
}

//> ch07-train-epoch
/* One epoch: the training set in a fresh order, one Adam step of
 * (7.9) per minibatch. Returns the terms summed over the images;
 * *beta gets the last step's beta. Ctrl-C ends the epoch after the
 * step it lands in. */
static vae_terms vae_train_epoch(vae_run *run, double *beta,
                                 vae_trainer *t, vae_model *m,
                                 const data_set *train,
                                 const real *cond,
                                 const vae_options *o, int e, rng *r)
{
    vae_terms sum = {0, 0};
    int n = train->n;
    const real *c = m->cfg.cond_dim ? t->cond : NULL;
    data_order(t->order, n, r);
    for (int s = 0; s < n && !run->interrupted; s += t->batch) {
        int B = n - s < t->batch ? n - s : t->batch;
        vae_fill_batch(t, &m->cfg, train, cond, s, B, o->binarize, r);
        *beta = vae_beta_at(o->beta, run->steps + 1, t->ramp);
        vae_terms step = vae_train_step(m, &t->a, &t->adam, t->x, c,
                                        t->eps, B, *beta);
        double loss = step.nll + *beta * step.kl;
        if (!isfinite(loss))
            sys_die(SYS_FAILED, "training diverged: the loss is %g "
                    "at epoch %d, step %ld of %ld; %s", loss, e + 1,
                    (long)s / t->batch + 1, t->per_epoch,
                    vae_divergence_hint(m, o, run->steps));
        run->steps++;
        sum.nll += step.nll;
        sum.kl += step.kl;
        run->interrupted = interrupt_requested();
    }
    return sum;
}
//< ch07-train-epoch

//> ch07-train
/* Epochs of shuffled minibatches, as vae.h describes: after each, the
 * test -ELBO (one eps draw per image), a line of progress and a row
 * of the history. */
vae_run vae_train(vae_model *m, const data_set *train,
                  const real *train_cond, const data_set *test,
                  const real *test_cond, const vae_options *o, rng *r)
{
    int n = train->n;
    vae_trainer t;
    vae_trainer_init(&t, m, n, o);
    vae_run run = {0};
    run.history = sys_alloc((size_t)o->epochs, sizeof *run.history);
    interrupt_catch();
    printf("epoch      train -ELBO = rec + KL      "
           "test -ELBO = rec + KL     (nats per image)\n");
    double started = sys_seconds();
    for (int e = 0; e < o->epochs && !run.interrupted; e++) {
        double t0 = sys_seconds(), beta = 0;
        vae_terms sum = vae_train_epoch(&run, &beta, &t, m, train,
                                        train_cond, o, e, r);
        if (run.interrupted)
            break;
        double seconds = sys_seconds() - t0;
        vae_terms te = vae_evaluate(m, test, test_cond, 1, r);
        if (!isfinite(te.nll + te.kl))
            sys_die(SYS_FAILED, "training diverged: the test loss is "
                    "%g after epoch %d; %s", te.nll + te.kl, e + 1,
                    vae_divergence_hint(m, o, run.steps));
        vae_epoch *h = &run.history[run.epochs_done++];
        *h = (vae_epoch){sum.nll / n, sum.kl / n, te.nll, te.kl, beta,
                         seconds};
        run.train_seconds += seconds;
        double eta = (sys_seconds() - started) / (e + 1) *
                     (o->epochs - e - 1);
        vae_print_epoch(h, e, o->epochs, eta, t.ramp > 0);
        /* A Ctrl-C during the test pass stops here, the epoch done. */
        run.interrupted = interrupt_requested();
    }
    interrupt_release();
    vae_trainer_free(&t);
    return run;
}
//< ch07-train

/* vae_load without its line: reads the file into m, or exits. */
static void vae_read_checkpoint(vae_model *m, const char *path,
                                const char *chapter)
{
    char tag[NN_TAG_MAX], err[600];
    vae_tag(tag, chapter, &m->cfg);
    nn_load_status status = nn_params_read(&m->params, path, tag, err,
                                           sizeof err);
    if (status == NN_LOAD_OTHER_SHAPE)
        sys_die(SYS_FAILED, "--load %s (trained with other %s--latent, "
                "--hidden, --decoder or --sigma?)", err,
                m->cfg.cond_dim > 0 ? "--cond, " : "");
    if (status != NN_LOAD_OK)
        sys_die(SYS_FAILED, "--load %s", err);
}

void vae_load(vae_model *m, const char *path, const char *chapter)
{
    vae_read_checkpoint(m, path, chapter);
    printf("loaded %s: %zu parameters, no training\n", path,
           m->params.count);
}

/* The scratch model's draws do not matter (the file overwrites them),
 * but they must not come from the program's stream: a stream of its
 * own. */
void vae_check_load(vae_config cfg, const char *path,
                    const char *chapter)
{
    rng scratch_stream;
    rng_seed(&scratch_stream, 0);
    static vae_model scratch;
    vae_init(&scratch, cfg, &scratch_stream);
    vae_read_checkpoint(&scratch, path, chapter);
    vae_free(&scratch);
}

void vae_write_history(const vae_run *run, const char *dir)
{
    report_tsv t;
    report_tsv_open(&t, dir, "loss.tsv",
                    "epoch\ttrain_neg_elbo\ttrain_rec\ttrain_kl\t"
                    "test_neg_elbo\ttest_rec\ttest_kl\tbeta\tseconds");
    for (int e = 0; e < run->epochs_done; e++) {
        const vae_epoch *h = &run->history[e];
        report_tsv_row(&t, (double[]){e + 1, h->train_nll + h->train_kl,
                       h->train_nll, h->train_kl, h->test_nll + h->test_kl,
                       h->test_nll, h->test_kl, h->beta, h->seconds});
    }
    report_tsv_close(&t);
}

/* ---- evaluation --------------------------------------------------------- */

enum { VAE_EVAL_ROWS = 500 };   /* images per batch when evaluating */

static int vae_min(int a, int b) { return a < b ? a : b; }

vae_terms vae_evaluate(vae_model *m, const data_set *set,
                       const real *set_cond, int samples, rng *r)
{
    const vae_config *c = &m->cfg;
    int D = c->x_dim, L = c->latent, C = c->cond_dim;
    int cap = vae_min(VAE_EVAL_ROWS, set->n);
    vae_acts a;
    vae_acts_alloc(&a, c, cap);
    real *eps = sys_alloc((size_t)cap * L, sizeof *eps);      /* (cap, L) */
    real *cond = sys_alloc((size_t)cap * C, sizeof *cond);   /* (cap, C) */
    double nll = 0, kl = 0;
    report_progress progress = report_progress_start("test -ELBO");
    for (int i = 0; i < set->n; i += cap) {
        report_progress_show(&progress, i, set->n);
        int B = vae_min(cap, set->n - i);
        const real *x = set->x + (size_t)i * D;
        const real *c = vae_set_cond(cond, set_cond, set, i, B, C);
        vae_encode(&a, m, x, c, B);
        kl += loss_kl_std_normal(NULL, NULL, a.mu, a.logvar, B * L, 0);
        for (int s = 0; s < samples; s++) {
            vae_draw_eps(eps, B * L, r);
            vae_reparam_forward(a.z, a.mu, a.logvar, eps, B * L);
            vae_decode(&a, m, a.z, c, B);
            nll += vae_nll(&a, m, x, B, NULL, 0, false);
        }
    }
    report_progress_done(&progress);
    vae_acts_free(&a);
    free(eps);
    free(cond);
    return (vae_terms){nll / ((double)set->n * samples), kl / set->n};
}

//> ch07-log-weight
/* log w = log p(x|z) + log p(z) - log q(z|x), equation (7.12), for a
 * draw z = mu + sigma eps: with (z - mu) / sigma = eps, the two
 * Gaussian log-densities leave -z^2/2 + eps^2/2 + log sigma^2 / 2 per
 * dimension, the log 2 pi terms cancelling. */
/* TASK ch07-log-weight (7.12) */
double vae_log_weight(double nll, const real *eps, const real *logvar,
                      const real *z, int latent)
{
    double lw = -nll;
    for (int j = 0; j < latent; j++)
        lw += 0.5 * ((double)eps[j] * eps[j] - (double)z[j] * z[j] +
                     logvar[j]);
    return lw;
}
//< ch07-log-weight

//> ch07-iw
/* The bounds L_k of (7.11). Images are encoded IW_IMAGES at a time;
 * their samples x draws, one row each, are decoded IW_ROWS at a time,
 * so the decoder's products are large. lw holds every log-weight of
 * the images at hand, row q = (image q / samples, draw q % samples). */
enum { IW_IMAGES = 64, IW_ROWS = 2048 };

void vae_iw_bounds(double *bound /* (nk) */, vae_model *m,
                   const data_set *set, const real *set_cond,
                   const int *k, int nk, int samples, rng *r)
{
    const vae_config *c = &m->cfg;
    int D = c->x_dim, L = c->latent, C = c->cond_dim;
    vae_acts enc, dec;
    vae_acts_alloc(&enc, c, IW_IMAGES);
    vae_acts_alloc(&dec, c, IW_ROWS);
    real *cond = sys_alloc((size_t)IW_IMAGES * C, sizeof *cond);
    real *x = sys_alloc((size_t)IW_ROWS * D, sizeof *x);
    real *cr = sys_alloc((size_t)IW_ROWS * C, sizeof *cr);
    real *mu = sys_alloc((size_t)IW_ROWS * L, sizeof *mu);
    real *lv = sys_alloc((size_t)IW_ROWS * L, sizeof *lv);
    real *eps = sys_alloc((size_t)IW_ROWS * L, sizeof *eps);
    double *nll = sys_alloc(IW_ROWS, sizeof(double));
    double *lw = sys_alloc(IW_IMAGES * (size_t)samples, sizeof(double));
    for (int j = 0; j < nk; j++)
        bound[j] = 0;
    report_progress progress = report_progress_start("bounds L_k");
    /* The walk over the set in batches, as vae_evaluate walks it; each
     * holds its own batch shape (here images times K samples). */
    for (int i0 = 0; i0 < set->n; i0 += IW_IMAGES) {
        report_progress_show(&progress, i0, set->n);
        int nb = vae_min(IW_IMAGES, set->n - i0);
        const real *xi = set->x + (size_t)i0 * D;
        const real *ci = vae_set_cond(cond, set_cond, set, i0, nb, C);
        vae_encode(&enc, m, xi, ci, nb);
        long total = (long)nb * samples;
        for (long q0 = 0; q0 < total; q0 += IW_ROWS) {
            int R = (int)(total - q0 < IW_ROWS ? total - q0 : IW_ROWS);
            for (int row = 0; row < R; row++) {   /* row -> its image */
                int b = (int)((q0 + row) / samples);
                memcpy(x + (size_t)row * D, xi + (size_t)b * D,
                       sizeof(real) * D);
                if (C > 0)
                    memcpy(cr + (size_t)row * C, ci + (size_t)b * C,
                           sizeof(real) * C);
                memcpy(mu + (size_t)row * L, enc.mu + (size_t)b * L,
                       sizeof(real) * L);
                memcpy(lv + (size_t)row * L, enc.logvar + (size_t)b * L,
                       sizeof(real) * L);
            }
            vae_draw_eps(eps, R * L, r);
            vae_reparam_forward(dec.z, mu, lv, eps, R * L);
            vae_decode(&dec, m, dec.z, C ? cr : NULL, R);
            vae_nll(&dec, m, x, R, nll, 0, false);
            for (int row = 0; row < R; row++)
                lw[q0 + row] = vae_log_weight(nll[row],
                    eps + (size_t)row * L, lv + (size_t)row * L,
                    dec.z + (size_t)row * L, L);
        }
        /* L_k of one image: the mean over its groups of k draws of
           log (1/k) sum_i w_i, chapter 6's log-mean-exp (6.15) */
        for (int b = 0; b < nb; b++)
            for (int j = 0; j < nk; j++) {
                int groups = samples / k[j];
                const double *w = lw + (size_t)b * samples;
                double sum = 0;
                for (int g = 0; g < groups; g++)
                    sum += num_logmeanexp(w + (size_t)g * k[j], k[j]);
                bound[j] += sum / groups;
            }
    }
    for (int j = 0; j < nk; j++)
        bound[j] /= set->n;
    report_progress_done(&progress);
    vae_acts_free(&enc);
    vae_acts_free(&dec);
    free(cond);
    free(x);
    free(cr);
    free(mu);
    free(lv);
    free(eps);
    free(nll);
    free(lw);
}
//< ch07-iw

void vae_encode_set(real *mu /* (n, latent) */, vae_model *m,
                    const data_set *set)
{
    const vae_config *c = &m->cfg;
    int D = c->x_dim, L = c->latent, C = c->cond_dim;
    int cap = vae_min(VAE_EVAL_ROWS, set->n);
    vae_acts a;
    vae_acts_alloc(&a, c, cap);
    real *cond = sys_alloc((size_t)cap * C, sizeof *cond);   /* (cap, C) */
    for (int i = 0; i < set->n; i += cap) {
        int B = vae_min(cap, set->n - i);
        vae_encode(&a, m, set->x + (size_t)i * D,
                   vae_set_cond(cond, NULL, set, i, B, C), B);
        memcpy(mu + (size_t)i * L, a.mu, sizeof(real) * (size_t)B * L);
    }
    vae_acts_free(&a);
    free(cond);
}

//> ch07-active-units
/* Per latent dimension u: the average KL (2.9) over the set, and the
 * activity Cov_x(E_q[z_u]) of (7.13), the variance over images of the
 * posterior mean. A unit the decoder ignores keeps q(z_u|x) = N(0, 1)
 * for every x: its mean does not move, its KL is 0. */
int vae_latent_stats(double *kl, double *activity, vae_model *m,
                     const data_set *set)
{
    const vae_config *c = &m->cfg;
    int D = c->x_dim, L = c->latent, C = c->cond_dim;
    int cap = vae_min(VAE_EVAL_ROWS, set->n);
    vae_acts a;
    vae_acts_alloc(&a, c, cap);
    real *cond = sys_alloc((size_t)cap * C, sizeof *cond);
    num_stats *mean = sys_alloc((size_t)L, sizeof *mean);
    for (int j = 0; j < L; j++)
        kl[j] = 0;
    for (int i = 0; i < set->n; i += cap) {
        int B = vae_min(cap, set->n - i);
        vae_encode(&a, m, set->x + (size_t)i * D,
                   vae_set_cond(cond, NULL, set, i, B, C), B);
        for (int b = 0; b < B; b++)
            for (int j = 0; j < L; j++) {
                size_t at = (size_t)b * L + j;
                kl[j] += kl_std_normal_term(a.mu[at], a.logvar[at]);
                num_stats_add(&mean[j], a.mu[at]);
            }
    }
    int active = 0;
    for (int j = 0; j < L; j++) {
        kl[j] /= set->n;
        activity[j] = num_stats_var(&mean[j]);
        active += activity[j] > 0.01;
    }
    vae_acts_free(&a);
    free(cond);
    free(mean);
    return active;
}
//< ch07-active-units

void vae_decode_images(real *images /* (n, x_dim) */, vae_model *m,
                       const real *z, const real *cond, int n)
{
    const vae_config *c = &m->cfg;
    int D = c->x_dim, L = c->latent, C = c->cond_dim;
    int cap = vae_min(VAE_EVAL_ROWS, n);
    vae_acts a;
    vae_acts_alloc(&a, c, cap);
    for (int i = 0; i < n; i += cap) {
        int B = vae_min(cap, n - i);
        vae_decode(&a, m, z + (size_t)i * L,
                   C ? cond + (size_t)i * C : NULL, B);
        vae_output_forward(c, images + (size_t)i * D, a.logits, B * D);
    }
    vae_acts_free(&a);
}

void vae_sample_prior(real *images /* (n, x_dim) */, vae_model *m,
                      const real *cond, int n, rng *r)
{
    /* (n, latent) */
    real *z = sys_alloc((size_t)n * m->cfg.latent, sizeof *z);
    vae_draw_eps(z, n * m->cfg.latent, r);
    vae_decode_images(images, m, z, cond, n);
    free(z);
}
