/* grade_ch08.c -- the task of chapter 8, graded against independent
 * computations:
 *   ch08-generate (8.7): images of asked-for digits from the prior at
 *     temperature T. The decoder is set by hand so that it can be read
 *     backwards: with 2 latent dimensions, 2 hidden units and 2 pixels,
 *     pixel j = sigmoid(z_j + s_y), s_y a shift for each digit y. The
 *     codes are recovered from the pixels; at T = 0 they must be
 *     exactly 0 (every image sigmoid(s_y)); at T = 0.8 over 1500 images
 *     per digit their means, variances (T^2, not T) and correlation
 *     must be those of N(0, T^2 I) within 4.5 standard errors, and the
 *     shift must be that of the asked digit. */
#define TESTING
#include "../chapters/ch08_cvae.c"

#include "grade.h"

enum { Z = 2, COUNT = 1500 };

/* The shift of digit y. */
static double shift(int y) { return 0.3 * (y - 4.5); }

/* A CVAE whose decoder computes logit_j = z_j + shift(y): the hidden
 * layer is z + shift(y) + 50 (positive, so ReLU passes it), the output
 * layer takes the 50 off again. */
static void readable_cvae(vae_model *m)
{
    vae_config cfg = {.x_dim = Z, .cond_dim = CLASSES, .hidden = Z,
                      .latent = Z, .decoder = VAE_BERNOULLI};
    rng r;
    rng_seed(&r, 1);
    vae_init(m, cfg, &r);
    for (size_t i = 0; i < m->params.count; i++)
        m->params.value[i] = 0;
    int in = Z + CLASSES;
    for (int h = 0; h < Z; h++) {
        m->dec.w[h * in + h] = 1;
        for (int y = 0; y < CLASSES; y++)
            m->dec.w[h * in + Z + y] = (real)shift(y);
        m->dec.b[h] = 50;
        m->dec_out.w[h * Z + h] = 1;
        m->dec_out.b[h] = -50;
    }
}

static bool check_generate(void)
{
    vae_model m;
    readable_cvae(&m);
    rng r;
    rng_seed(&r, 8118);
    int cold[3] = {0, 9, 4}, warm[2] = {3, 7};
    real *images = malloc(sizeof(real) * 2 * COUNT * Z);
    unsigned char asked[2 * COUNT];
    bool ok = images != NULL;
    if (ok) {
        memset(asked, 255, sizeof asked);
        cvae_generate(images, asked, &m, cold, 3, 5, 0.0, &r);
    }
    for (int i = 0; ok && i < 15; i++) {
        ok = grade_near(asked[i], cold[i / 5], 0, 0, "asked[%d], at "
                        "T = 0, digits {0, 9, 4}, 5 each", i);
        for (int j = 0; ok && j < Z; j++)
            ok = grade_near(images[i * Z + j],
                            1 / (1 + exp(-shift(cold[i / 5]))), 1e-12, 0,
                            "pixel %d of image %d at T = 0 (z = 0)", j, i);
    }
    if (ok)
        cvae_generate(images, asked, &m, warm, 2, COUNT, 0.8, &r);
    for (int k = 0; ok && k < 2; k++) {
        double s[Z] = {0}, ss[Z] = {0}, cross = 0;
        for (int i = k * COUNT; ok && i < (k + 1) * COUNT; i++) {
            ok = asked[i] == warm[k] ||
                 grade_fail("asked[%d]: expected %d, got %d", i, warm[k],
                            asked[i]);
            double z[Z];
            for (int j = 0; j < Z; j++) {
                double p = images[i * Z + j];
                z[j] = log(p / (1 - p)) - shift(warm[k]);
                s[j] += z[j];
                ss[j] += z[j] * z[j];
            }
            cross += z[0] * z[1];
        }
        double t2 = 0.64, n = COUNT;
        for (int j = 0; ok && j < Z; j++)
            ok = grade_near(s[j] / n, 0, 4.5 * sqrt(t2 / n), 0, "mean of "
                            "z_%d over %d images of digit %d, T = 0.8",
                            j, COUNT, warm[k]) &&
                 grade_near(ss[j] / n, t2, 4.5 * t2 * sqrt(2 / n), 0,
                            "mean of z_%d^2 over %d images of digit %d "
                            "(T^2 = 0.64)", j, COUNT, warm[k]);
        if (ok)
            ok = grade_near(cross / n, 0, 4.5 * t2 / sqrt(n), 0, "mean of "
                            "z_0 z_1 over %d images of digit %d (the two "
                            "dimensions independent)", COUNT, warm[k]);
    }
    free(images);
    vae_free(&m);
    return ok;
}

static const grade_task tasks[] = {
    {"ch08-generate", "(8.7)", check_generate},
};

int main(int argc, char **argv)
{
    return grade_main(tasks, (int)(sizeof tasks / sizeof tasks[0]), argc,
                      argv);
}
