/* gradcheck_vae_reference.c -- common/vae.c against PyTorch, in double:
 * one training step of a toy VAE (7 pixels, hidden 5, latent 3, batch
 * 4) at a fixed eps, with the weights, inputs and eps of the "vae."
 * sections of tests/reference/mlp_reference.txt (written by
 * make_reference.py): the encoder's outputs, z, the logits, both terms
 * of the -ELBO (7.9), every gradient and the parameters after one Adam
 * step must match torch's. Four variants: Bernoulli, Gaussian with a
 * fixed and with a learned sigma, and the CVAE's conditioned inputs.
 *
 * Usage: gradcheck_vae_reference [FILE]   (default: the file above,
 * relative to the repository's top folder, where `make test` runs). */
#include <math.h>
#include <string.h>

#include "vae.h"

#include "check.h"
#include "reference.h"

enum { D = 7, HID = 5, L = 3, B = 4, C = 3 };

/* The reference tensor tag+name copied into x: the file holds each
 * variant's tensors under a prefix such as "vae.bern.". */
static void take(real *x, const ref_file *ref, const char *tag,
                 const char *name, int rows, int cols)
{
    char full[96];
    snprintf(full, sizeof full, "%s%s", tag, name);
    ref_take(x, ref, full, rows, cols);
}

/* One check of got against the reference tensor tag+name. */
static void compare(const ref_file *ref, const char *tag, const char *name,
                    const real *got, int rows, int cols)
{
    char full[96];
    snprintf(full, sizeof full, "%s%s", tag, name);
    ref_compare(ref, full, got, rows, cols);
}

/* The model's layers in the order of the file, with their names. */
static nn_dense *layer(vae_model *m, int i)
{
    nn_dense *all[5] = {&m->enc, &m->enc_mu, &m->enc_logvar, &m->dec,
                        &m->dec_out};
    return all[i];
}

static const char *const layer_name[5] = {"enc", "enc_mu", "enc_logvar",
                                          "dec", "dec_out"};

static void check_variant(const ref_file *ref, const char *variant,
                          vae_decoder decoder, bool learn_sigma,
                          int cond_dim)
{
    static vae_model m;
    char tag[32], name[64];
    snprintf(tag, sizeof tag, "vae.%s.", variant);
    rng r;
    rng_seed(&r, 1);
    vae_config cfg = {.x_dim = D, .cond_dim = cond_dim, .hidden = HID,
                      .latent = L, .decoder = decoder, .sigma = 0.3,
                      .learn_sigma = learn_sigma};
    vae_init(&m, cfg, &r);   /* every weight is then replaced */
    for (int i = 0; i < 5; i++) {   /* vae.bern.enc.w ... */
        snprintf(name, sizeof name, "%s%s.", tag, layer_name[i]);
        ref_take_dense(layer(&m, i), ref, name, "");
    }
    if (learn_sigma)
        take(m.log_sigma, ref, tag, "log_sigma", 1, 1);
    real x[B * D], eps[B * L], cond[B * C];
    take(x, ref, tag, "x", B, D);
    take(eps, ref, tag, "eps", B, L);
    if (cond_dim)
        take(cond, ref, tag, "cond", B, cond_dim);

    vae_acts a;
    vae_acts_alloc(&a, &cfg, B);
    const double beta = 0.7;
    nn_params_zero_grad(&m.params);
    vae_forward(&a, &m, x, cond_dim ? cond : NULL, eps, B);
    vae_terms t = vae_loss(&a, &m, x, B, beta, true);
    vae_backward(&a, &m, x, eps, B);
    real nll = (real)t.nll, kl = (real)t.kl;
    real loss = (real)((t.nll + beta * t.kl) / B);
    compare(ref, tag, "mu", a.mu, B, L);
    compare(ref, tag, "logvar", a.logvar, B, L);
    compare(ref, tag, "z", a.z, B, L);
    compare(ref, tag, "logits", a.logits, B, D);
    compare(ref, tag, "nll", &nll, 1, 1);
    compare(ref, tag, "kl", &kl, 1, 1);
    compare(ref, tag, "loss", &loss, 1, 1);
    for (int i = 0; i < 5; i++) {   /* vae.bern.denc.w ... */
        snprintf(name, sizeof name, "%sd%s.", tag, layer_name[i]);
        ref_compare_dense(ref, name, "", layer(&m, i), true);
    }
    if (learn_sigma)
        compare(ref, tag, "dlog_sigma", m.d_log_sigma, 1, 1);

    nn_adam adam = nn_adam_defaults(1e-3);
    nn_adam_step(&m.params, &adam);
    for (int i = 0; i < 5; i++) {   /* vae.bern.adam.enc.w ... */
        snprintf(name, sizeof name, "%sadam.%s.", tag, layer_name[i]);
        ref_compare_dense(ref, name, "", layer(&m, i), false);
    }
    if (learn_sigma)
        compare(ref, tag, "adam.log_sigma", m.log_sigma, 1, 1);
    vae_acts_free(&a);
    vae_free(&m);
}

int main(int argc, char **argv)
{
    static ref_file ref;
    if (!ref_load_main(&ref, argc, argv))
        return check_summary();
    check_variant(&ref, "bern", VAE_BERNOULLI, false, 0);
    check_variant(&ref, "gauss", VAE_GAUSSIAN, false, 0);
    check_variant(&ref, "gausslearn", VAE_GAUSSIAN, true, 0);
    check_variant(&ref, "cvae", VAE_BERNOULLI, false, C);
    ref_free(&ref);
    return check_summary();
}
