/* grade_ch03.c -- the tasks of chapter 3, graded against independent
 * computations:
 *   ch03-dense-forward (3.1): y = x W^T + b for a batch of 97, 13 inputs,
 *     7 outputs, against sums in long double; a batch of 1;
 *   ch03-dense-backward (3.5): dW, db and dx against central differences
 *     of sum dy y in long double; they must add to what is there, a
 *     zero dy must change nothing, and dx = NULL must still give dW, db;
 *   ch03-bce-logits (3.8, 3.9): the sum of the binary cross-entropies
 *     from logits against log(1 + e^z) - x z in long double, and the
 *     gradient against scale (sigmoid(z) - x); logits of +-800, where
 *     e^z overflows and sigmoid(z) rounds to 0 or 1;
 *   ch03-adam (3.10, 3.11): two Adam steps against the parameters
 *     PyTorch wrote in tests/reference/mlp_reference.txt, five more
 *     against Adam written anew in long double, and a zero gradient at
 *     the first step, which must move nothing. */
#include "loss.h"
#include "nn.h"
#include "rng.h"

#include "grade.h"

enum { B = 97, IN = 13, OUT = 7 };

/* A dense layer with its own arrays, random weights and bias. */
typedef struct {
    nn_dense l;
    real w[OUT * IN], b[OUT], dw[OUT * IN], db[OUT];
} layer;

static void layer_init(layer *t, rng *r)
{
    t->l = (nn_dense){.in = IN, .out = OUT, .w = t->w, .b = t->b,
                      .dw = t->dw, .db = t->db};
    for (int i = 0; i < OUT * IN; i++)
        t->w[i] = (real)rng_normal(r);
    for (int j = 0; j < OUT; j++)
        t->b[j] = (real)rng_normal(r);
}

/* y_bj = b_j + sum_i x_bi w_ji, (3.1), in long double. */
static long double y_long(const layer *t, const real *x, int b, int j)
{
    long double s = t->b[j];
    for (int i = 0; i < IN; i++)
        s += (long double)x[b * IN + i] * t->w[j * IN + i];
    return s;
}

static bool check_dense_forward(void)
{
    rng r;
    rng_seed(&r, 3131);
    static layer t;
    static real x[B * IN], y[B * OUT];
    layer_init(&t, &r);
    for (int i = 0; i < B * IN; i++)
        x[i] = (real)rng_normal(&r);
    for (int rows = 1; rows <= B; rows += B - 1) {
        for (int i = 0; i < B * OUT; i++)
            y[i] = NAN;
        nn_dense_forward_plain(y, x, &t.l, rows);
        for (int b = 0; b < rows; b++)
            for (int j = 0; j < OUT; j++)
                EXPECT(grade_near(y[b * OUT + j], (double)y_long(&t, x, b, j),
                                  1e-12, 1e-12, "y[%d][%d] of a batch of "
                                  "%d, %d inputs, %d outputs", b, j, rows,
                                  IN, OUT));
    }
    return true;
}

/* sum_bj dy_bj y_bj in long double: the loss whose gradient backward
 * computes. */
static long double dy_dot_y(const layer *t, const real *x, const real *dy)
{
    long double s = 0;
    for (int b = 0; b < B; b++)
        for (int j = 0; j < OUT; j++)
            s += dy[b * OUT + j] * y_long(t, x, b, j);
    return s;
}

/* A central difference of dy_dot_y in *v. */
static double slope(real *v, const layer *t, const real *x, const real *dy)
{
    double h = 1e-5, keep = *v;
    *v = (real)(keep + h);
    long double up = dy_dot_y(t, x, dy);
    *v = (real)(keep - h);
    long double down = dy_dot_y(t, x, dy);
    *v = (real)keep;
    return (double)((up - down) / (2 * h));
}

static bool check_dense_backward(void)
{
    rng r;
    rng_seed(&r, 3232);
    static layer t;
    static real x[B * IN], dy[B * OUT], dx[B * IN];
    layer_init(&t, &r);
    for (int i = 0; i < B * IN; i++)
        x[i] = (real)rng_normal(&r), dx[i] = 0.5;
    for (int i = 0; i < B * OUT; i++)
        dy[i] = (real)rng_normal(&r);
    for (int i = 0; i < OUT * IN; i++)
        t.dw[i] = 0.5;
    for (int j = 0; j < OUT; j++)
        t.db[j] = 0.5;
    nn_dense_backward_plain(dx, &t.l, dy, x, B);
    for (int i = 0; i < OUT * IN; i++)
        EXPECT(grade_near(t.dw[i] - 0.5, slope(&t.w[i], &t, x, dy), 1e-6,
                          1e-8, "dW[%d][%d] (finite difference), batch "
                          "%d", i / IN, i % IN, B));
    for (int j = 0; j < OUT; j++)
        EXPECT(grade_near(t.db[j] - 0.5, slope(&t.b[j], &t, x, dy), 1e-6,
                          1e-8, "db[%d] (finite difference)", j));
    for (int i = 0; i < B * IN; i += 5)
        EXPECT(grade_near(dx[i] - 0.5, slope(&x[i], &t, x, dy), 1e-6, 1e-8,
                          "dx[%d][%d] (finite difference)", i / IN,
                          i % IN));
    /* dx = NULL: the weights' gradients alone, added once more */
    nn_dense_backward_plain(NULL, &t.l, dy, x, B);
    for (int j = 0; j < OUT; j++)
        EXPECT(grade_near(t.db[j] - 0.5, 2 * slope(&t.b[j], &t, x, dy),
                          1e-6, 1e-8, "db[%d] after a second pass with dx "
                          "= NULL", j));
    /* a zero dy moves nothing */
    for (int i = 0; i < B * OUT; i++)
        dy[i] = 0;
    real before = t.dw[17];
    nn_dense_backward_plain(dx, &t.l, dy, x, B);
    return grade_near(t.dw[17], before, 0, 0, "dW[2][4] after a zero dy");
}

/* log(1 + e^z) - x z, one term of (3.8), in long double. */
static long double bce_long(long double z, long double x)
{
    return (z > 0 ? z + log1pl(expl(-z)) : log1pl(expl(z))) - x * z;
}

static bool check_bce_logits(void)
{
    enum { N = 97 };
    rng r;
    rng_seed(&r, 3838);
    real z[N], x[N], dz[N];
    for (int i = 0; i < N; i++) {
        z[i] = (real)(4 * rng_normal(&r));
        x[i] = (real)rng_uniform(&r);
        dz[i] = 0.25;
    }
    z[10] = 800, z[11] = -800, x[10] = 0.5, x[11] = 0.25;
    double scale = 1.0 / 3;
    double got = loss_bce_logits_plain(dz, z, x, N, scale);
    long double want = 0;
    for (int i = 0; i < N; i++) {
        want += bce_long(z[i], x[i]);
        long double p = 1 / (1 + expl(-(long double)z[i]));
        EXPECT(grade_near(dz[i] - 0.25, (double)(scale * (p - x[i])), 1e-12,
                          1e-9, "dz[%d] at logit %g, target %g, scale 1/3",
                          i, z[i], x[i]));
    }
    EXPECT(grade_near(got, (double)want, 1e-9, 1e-12, "the sum over %d "
                      "logits, two of them +-800", N));
    return grade_near(loss_bce_logits_plain(NULL, z, x, N, 1), (double)want,
                      1e-9, 1e-12, "the sum with dz = NULL");
}

/* ---- Adam ---- */

/* tensor NAME's values from the reference file into v (n of them);
 * false if it is not there with n values. */
static bool reference_tensor(const char *name, real *v, int n)
{
    FILE *fp = fopen("tests/reference/mlp_reference.txt", "r");
    if (fp == NULL)
        return grade_fail("cannot read tests/reference/mlp_reference.txt "
                          "(run make grade from the top of the tree)");
    char word[64], tag[64];
    int rows, cols;
    bool found = false;
    while (!found && fscanf(fp, "%63s", word) == 1) {
        if (strcmp(word, "tensor") != 0 ||
            fscanf(fp, "%63s %d %d", tag, &rows, &cols) != 3)
            continue;
        if (strcmp(tag, name) == 0 && rows * cols == n) {
            found = true;
            for (int i = 0; i < n && found; i++) {
                double d;
                found = fscanf(fp, "%lf", &d) == 1;
                v[i] = (real)d;
            }
        }
    }
    fclose(fp);
    return found || grade_fail("tensor %s not in the reference file", name);
}

static const char *const mlp_names[6] = {"w1", "b1", "w2", "b2", "w3", "b3"};
static const int mlp_sizes[6] = {30, 5, 20, 4, 16, 4};

/* mlp.PREFIX<name> of all six tensors, one after another, into v. */
static bool reference_all(const char *prefix, real *v)
{
    char name[64];
    for (int k = 0, at = 0; k < 6; at += mlp_sizes[k++]) {
        snprintf(name, sizeof name, "mlp.%s%s", prefix, mlp_names[k]);
        if (!reference_tensor(name, v + at, mlp_sizes[k]))
            return false;
    }
    return true;
}

/* A block of n parameters in one tensor. */
static void block_init(nn_params *p, real **value, real **grad, int n)
{
    nn_params_begin(p);
    nn_params_tensor(p, value, grad, 1, n);
    nn_params_allocate(p);
}

static bool adam_pytorch(void)
{
    enum { N = 79 };
    nn_params p;
    real *value, *grad, want[N];
    block_init(&p, &value, &grad, N);
    nn_adam opt = {.lr = 1e-3, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8};
    bool ok = reference_all("", value);
    for (int step = 1; ok && step <= 2; step++) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "step%d.d", step);
        ok = reference_all(prefix, grad);
        snprintf(prefix, sizeof prefix, "step%d.adam.", step);
        ok = ok && reference_all(prefix, want);
        if (ok)
            nn_adam_step_plain(&p, &opt);
        for (int i = 0; ok && i < N; i++)
            ok = grade_near(value[i], want[i], 1e-12, 1e-10, "parameter %d "
                            "after Adam step %d, against PyTorch", i, step);
    }
    nn_params_free(&p);
    return ok;
}

static bool adam_long(void)
{
    enum { N = 97, STEPS = 7 };
    rng r;
    rng_seed(&r, 3939);
    nn_params p;
    real *value, *grad;
    block_init(&p, &value, &grad, N);
    nn_adam opt = {.lr = 0.01, .beta1 = 0.8, .beta2 = 0.99, .eps = 1e-6};
    long double w[N], m[N] = {0}, v[N] = {0};
    for (int i = 0; i < N; i++)
        w[i] = value[i] = (real)rng_normal(&r);
    bool ok = true;
    for (int t = 1; ok && t <= STEPS; t++) {
        for (int i = 0; i < N; i++)   /* the first step: all zero */
            grad[i] = t == 1 ? 0 : (real)(rng_normal(&r) * (1 + i % 5));
        nn_adam_step_plain(&p, &opt);
        for (int i = 0; i < N; i++) {
            long double g = grad[i];
            m[i] = opt.beta1 * m[i] + (1 - opt.beta1) * g;        /* (3.10) */
            v[i] = opt.beta2 * v[i] + (1 - opt.beta2) * g * g;
            long double mh = m[i] / (1 - powl(opt.beta1, t));     /* (3.11) */
            long double vh = v[i] / (1 - powl(opt.beta2, t));
            w[i] -= opt.lr * mh / (sqrtl(vh) + opt.eps);
        }
        ok = grade_near((double)p.step, t, 0, 0, "the step count after "
                        "%d steps", t);
        for (int i = 0; ok && i < N; i++)
            ok = grade_near(value[i], (double)w[i], 1e-12, 1e-10,
                            "parameter %d after %d steps%s", i, t,
                            t == 1 ? " (a zero gradient: no move)" : "");
    }
    nn_params_free(&p);
    return ok;
}

static bool check_adam(void) { return adam_pytorch() && adam_long(); }

static const grade_task tasks[] = {
    {"ch03-dense-forward", "(3.1)", check_dense_forward},
    {"ch03-dense-backward", "(3.2)-(3.5)", check_dense_backward},
    {"ch03-bce-logits", "(3.8, 3.9)", check_bce_logits},
    {"ch03-adam", "(3.10, 3.11)", check_adam},
};

int main(int argc, char **argv)
{
    return grade_main(tasks, (int)(sizeof tasks / sizeof tasks[0]), argc,
                      argv);
}
