/* test_vae_presets.c -- the notes' three programs as --preset (common/
 * vae.c). For each: the flags set the model its program builds (sizes,
 * layers, head, output, parameter count, Adam's step, batch, epochs),
 * with the values read off the program's code and written here again;
 * the loss's gradient at the network's outputs is the one of the
 * program's own loss, written out here from its code; explicit flags
 * override a preset; and a short training of the two unconditional
 * presets ends where their averaged losses lead, at a collapsed model
 * as good as the training set's mean image (computed here) and no
 * better. (unnir/cVAE's short training is in test_presets.sh: it needs
 * chapter 8's judge.) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "nn.h"
#include "vae.h"

#include "check.h"

enum { PIXELS = 784, CLASSES = 10 };

/* The options of a command line: chapter 7's defaults, then argv. */
static vae_options parse(const char *prog, int argc, char **argv)
{
    static vae_options o;
    o = (vae_options){
        .data = "data/mnist-mini", .latent = 20, .hidden = 400,
        .decoder = "bernoulli", .sigma = "0.1", .epochs = 20,
        .batch = 128, .lr = 1e-3, .beta = 1.0, .eval_samples = 10,
        .iw = 1000, .threads = 1, .seed = 1, .out = "out/test",
        .activation = "relu", .encoder_layers = 1, .head = "logvar",
        .output = "sigmoid", .average = "none", .preset = "none",
    };
    cli_flag flags[] = {VAE_FLAGS(&o)};
    vae_parse(prog, "test", flags, CLI_COUNT(flags), argc, argv, &o);
    return o;
}

/* A dense layer's parameters: weights and biases. */
static size_t dense(size_t in, size_t out) { return in * out + out; }

/* The parameters of the model c describes, as vae_init declares them. */
static size_t parameters(vae_config c)
{
    rng r;
    rng_seed(&r, 1);
    static vae_model m;
    vae_init(&m, c, &r);
    size_t n = m.params.count;
    vae_free(&m);
    return n;
}

/* ---- what each preset builds ---------------------------------------- */

static void check_ethanluoyc(void)
{
    char *argv[] = {"ch07_vae", "--preset", "ethanluoyc"};
    vae_options o = parse("ch07_vae", 3, argv);
    vae_config c = vae_options_config(&o, PIXELS, 0);
    /* vae.py: Encoder(784, 100, 100) is two ReLU layers, _enc_mu and
       _enc_log_sigma read 8 numbers each, sigma = exp(log_sigma);
       Decoder(8, 100, 784) ends in a ReLU; nn.MSELoss() */
    CHECK("ethanluoyc: hidden 100, two encoder layers, ReLU",
          c.hidden == 100 && c.enc_second && c.act == VAE_ACT_RELU);
    CHECK("ethanluoyc: latent 8, a log sigma head",
          c.latent == 8 && c.head == VAE_HEAD_LOGSIGMA);
    CHECK("ethanluoyc: Gaussian decoder with a ReLU mean",
          c.decoder == VAE_GAUSSIAN && c.output == VAE_OUT_RELU &&
          !c.learn_sigma);
    /* MSE is the Gaussian NLL at sigma^2 = 1/2, less a constant */
    CHECK_NEAR("ethanluoyc: sigma^2 = 1/2", c.sigma * c.sigma, 0.5, 1e-12);
    CHECK("ethanluoyc: both terms averaged", c.average == VAE_MEAN_BOTH);
    CHECK("ethanluoyc: Adam 1e-4, batch 32, 100 epochs",
          o.lr == 1e-4 && o.batch == 32 && o.epochs == 100);
    size_t want = dense(784, 100) + dense(100, 100) + 2 * dense(100, 8) +
                  dense(8, 100) + dense(100, 784);
    CHECK("ethanluoyc: 170,300 parameters, as vae.py's model",
          parameters(c) == want && want == 170300);
}

static void check_keras(void)
{
    char *argv[] = {"ch07_vae", "--preset", "keras"};
    vae_options o = parse("ch07_vae", 3, argv);
    vae_config c = vae_options_config(&o, PIXELS, 0);
    /* note 002: Dense(256, 'tanh') both ways, m = 2, batch_size = 100,
       z = z_mean + exp(z_log_var) * epsilon, a sigmoid output */
    CHECK("keras: hidden 256, one encoder layer, tanh",
          c.hidden == 256 && !c.enc_second && c.act == VAE_ACT_TANH);
    CHECK("keras: latent 2, the note's sampling line",
          c.latent == 2 && c.head == VAE_HEAD_KERAS);
    CHECK("keras: Bernoulli decoder (sigmoid, cross-entropy)",
          c.decoder == VAE_BERNOULLI && c.output == VAE_OUT_SIGMOID);
    CHECK("keras: cross-entropy averaged over the pixels, KL summed",
          c.average == VAE_MEAN_PIXELS);
    CHECK("keras: batch 100", o.batch == 100);
    size_t want = dense(784, 256) + 2 * dense(256, 2) + dense(2, 256) +
                  dense(256, 784);
    CHECK("keras: 404,244 parameters",
          parameters(c) == want && want == 404244);
}

static void check_unnir(void)
{
    char *argv[] = {"ch08_cvae", "--preset", "unnir"};
    vae_options o = parse("ch08_cvae", 3, argv);
    vae_config c = vae_options_config(&o, PIXELS, CLASSES);
    /* cVAE: fc1 (784 + 10 -> 400), fc21, fc22 (-> 20), fc3 (20 + 10 ->
       400), fc4 (-> 784), ELU, sigmoid, BCE and KL summed */
    CHECK("unnir: hidden 400, one encoder layer, ELU",
          c.hidden == 400 && !c.enc_second && c.act == VAE_ACT_ELU);
    CHECK("unnir: latent 20, a log sigma^2 head",
          c.latent == 20 && c.head == VAE_HEAD_LOGVAR);
    CHECK("unnir: Bernoulli decoder, loss summed",
          c.decoder == VAE_BERNOULLI && c.output == VAE_OUT_SIGMOID &&
          c.average == VAE_SUM);
    CHECK("unnir: Adam 1e-3, batch 64, 10 epochs",
          o.lr == 1e-3 && o.batch == 64 && o.epochs == 10);
    size_t want = dense(794, 400) + 2 * dense(400, 20) + dense(30, 400) +
                  dense(400, 784);
    CHECK("unnir: 660,824 parameters",
          parameters(c) == want && want == 660824);
}

/* ---- explicit flags win ---------------------------------------------- */

static void check_overrides(void)
{
    char *after[] = {"ch07_vae", "--preset", "keras", "--latent", "5"};
    vae_options o = parse("ch07_vae", 5, after);
    CHECK("a flag after --preset overrides it (latent 5)",
          o.latent == 5 && o.hidden == 256 && o.batch == 100);
    char *before[] = {"ch07_vae", "--lr", "0.01", "--preset", "keras"};
    o = parse("ch07_vae", 5, before);
    CHECK("a flag before --preset overrides it too (lr 0.01)",
          o.lr == 0.01 && strcmp(o.head, "keras") == 0);
    char *none[] = {"ch07_vae"};
    o = parse("ch07_vae", 1, none);
    vae_config c = vae_options_config(&o, PIXELS, 0);
    CHECK("no preset: chapter 7's model (all variants 0)",
          !c.act && !c.enc_second && !c.head && !c.output && !c.average);
}

/* ---- each program's loss, at the network's outputs ------------------- */

/* The largest relative difference between a and b over n values. */
static double worst(const real *a, const double *b, int n)
{
    double w = 0;
    for (int i = 0; i < n; i++)
        w = fmax(w, fabs(a[i] - b[i]) / fmax(fabs(b[i]), 1e-3));
    return w;
}

/* After a forward pass of B random images through the preset's model,
 * vae_loss's gradients at the logits, mu and log sigma^2 against those
 * of the program's own loss, written out from its code below. */
static void check_loss(const char *prog, const char *name)
{
    enum { B = 3 };
    char *argv[] = {(char *)prog, "--preset", (char *)name};
    vae_options o = parse(prog, 3, argv);
    int C = strcmp(prog, "ch08_cvae") == 0 ? CLASSES : 0;
    vae_config c = vae_options_config(&o, PIXELS, C);
    int L = c.latent, D = PIXELS;
    rng r;
    rng_seed(&r, 7);
    static vae_model m;
    vae_init(&m, c, &r);
    static real x[B * PIXELS], eps[B * 20], cond[B * CLASSES];
    for (int i = 0; i < B * D; i++)
        x[i] = (real)rng_uniform(&r);
    for (int i = 0; i < B * L; i++)
        eps[i] = (real)rng_normal(&r);
    unsigned char label[B] = {3, 0, 7};
    data_onehot(cond, label, B, CLASSES);
    vae_acts a;
    vae_acts_alloc(&a, &c, B);
    vae_forward(&a, &m, x, C ? cond : NULL, eps, B);
    vae_terms t = vae_loss(&a, &m, x, B, 1.0, true);

    static double da[B * PIXELS], dmu[B * 20], dl[B * 20];
    double sse = 0;
    for (int i = 0; i < B * D; i++) {
        double lg = a.logits[i];
        if (strcmp(name, "ethanluoyc") == 0) {
            /* MSELoss: mean over B*784 of (relu(a) - x)^2 */
            double mean = lg > 0 ? lg : 0;
            sse += (mean - x[i]) * (mean - x[i]);
            da[i] = lg > 0 ? 2 * (mean - x[i]) / (B * D) : 0;
        } else {
            /* binary cross-entropy: d/da = sigmoid(a) - x, over B*784
               (Keras' mean) or over B (our per-image form of unnir's
               sum, which Adam does not tell apart) */
            double p = 1 / (1 + exp(-lg));
            da[i] = (p - x[i]) / (strcmp(name, "keras") == 0 ? B * D : B);
        }
    }
    for (int i = 0; i < B * L; i++) {
        double mu = a.mu[i], l = a.logvar[i];
        if (strcmp(name, "ethanluoyc") == 0) {
            /* 0.5 mean over B*8 of mu^2 + sigma^2 - log sigma^2 - 1 */
            dmu[i] = mu / (B * L);
            dl[i] = 0.5 * (exp(l) - 1) / (B * L);
        } else if (strcmp(name, "keras") == 0) {
            /* -0.5 sum(1 + s - mu^2 - e^s), s = z_log_var = l / 2 */
            dmu[i] = mu / B;
            dl[i] = 0.5 * 0.5 * (exp(l / 2) - 1) / B;
        } else {
            dmu[i] = mu / B;
            dl[i] = 0.5 * (exp(l) - 1) / B;
        }
    }
    char what[120];
    snprintf(what, sizeof what, "%s: d loss / d logits is the program's",
             name);
    CHECK_LE(what, worst(a.d_logits, da, B * D), 1e-4);
    snprintf(what, sizeof what, "%s: d loss / d mu is the program's", name);
    CHECK_LE(what, worst(a.d_mu, dmu, B * L), 1e-4);
    snprintf(what, sizeof what, "%s: d loss / d log sigma^2 is the "
             "program's", name);
    CHECK_LE(what, worst(a.d_logvar, dl, B * L), 1e-4);
    if (strcmp(name, "ethanluoyc") == 0)   /* the conversion to nats */
        CHECK_REL("ethanluoyc: -log p(x|z) = 784 MSE + 392 log pi nats "
                  "per image", t.nll, sse + B * (D / 2.0) * log(M_PI),
                  1e-6, 0);
    vae_acts_free(&a);
    vae_free(&m);
}

/* ---- short trainings ---------------------------------------------------- */

/* -log p(x|z) of every test image under the training set's mean image,
 * as a Bernoulli (cross-entropy) or as the Gaussian of sigma^2 = 1/2,
 * averaged over the test images: what a decoder that ignores z can do
 * at best (the mean minimises both), the -ELBO of a collapsed model. */
static double mean_image_nll(const data_set *train, const data_set *test,
                             bool gauss)
{
    static double mean[PIXELS];
    for (int i = 0; i < PIXELS; i++) {
        double sum = 0;
        for (int n = 0; n < train->n; n++)
            sum += train->x[(size_t)n * PIXELS + i];
        mean[i] = fmin(fmax(sum / train->n, 1e-6), 1 - 1e-6);
    }
    double total = 0;
    for (int n = 0; n < test->n; n++)
        for (int i = 0; i < PIXELS; i++) {
            double x = test->x[(size_t)n * PIXELS + i], p = mean[i];
            total += gauss ? (x - p) * (x - p) + 0.5 * log(M_PI)
                           : -x * log(p) - (1 - x) * log1p(-p);
        }
    return total / test->n;
}

/* Two epochs of the preset (160 and 500 Adam steps): the test -ELBO
 * lands within `margin` nats of the mean image's, with a KL below 0.1
 * nats. The averaged losses weigh the KL 784 (keras) and 98
 * (ethanluoyc) times over, and the model gives up z; their full runs
 * end 0.5-1 nat from the mean image (the book, chapter 7), these short
 * ones some 5 nats above it. */
static void check_training(const char *name, const data_set *train,
                           const data_set *test, double margin)
{
    char *argv[] = {"ch07_vae", "--preset", (char *)name, "--epochs",
                    "2"};
    vae_options o = parse("ch07_vae", 5, argv);
    vae_config c = vae_options_config(&o, PIXELS, 0);
    const data_set part = *train;
    rng r;
    rng_seed(&r, 1);
    static vae_model m;
    vae_init(&m, c, &r);
    vae_run run = vae_train(&m, &part, NULL, test, NULL, &o, &r);
    vae_terms t = vae_evaluate(&m, test, NULL, 2, &r);
    double ref = mean_image_nll(&part, test, c.decoder == VAE_GAUSSIAN);
    char what[160];
    snprintf(what, sizeof what, "%s, short run: test -ELBO %.2f within "
             "%g nats of the mean image's %.2f", name, t.nll + t.kl,
             margin, ref);
    CHECK_LE(what, t.nll + t.kl, ref + margin);
    snprintf(what, sizeof what, "%s, short run: collapsed, KL %.4f <= "
             "0.1 nats", name, t.kl);
    CHECK_LE(what, t.kl, 0.1);
    free(run.history);
    vae_free(&m);
}

int main(void)
{
    check_ethanluoyc();
    check_keras();
    check_unnir();
    check_overrides();
    check_loss("ch07_vae", "ethanluoyc");
    check_loss("ch07_vae", "keras");
    check_loss("ch08_cvae", "unnir");
    data_set train, test;
    data_load(&train, "data/mnist-mini", "train", 28, 28);
    data_load(&test, "data/mnist-mini", "t10k", 28, 28);
    data_truncate(&test, 500);
    check_training("keras", &train, &test, 10);
    check_training("ethanluoyc", &train, &test, 10);
    data_free(&train);
    data_free(&test);
    return check_summary();
}
