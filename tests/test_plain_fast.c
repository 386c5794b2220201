/* test_plain_fast.c -- every fast form (common/..._fast.c, appendix A)
 * against the plain form the book shows (layer.h), on odd shapes: the
 * three products, the dense layer forward and backward, the binary
 * cross-entropy from logits, and Adam over several steps.
 *
 * The products promise the same bits (mat.h): both forms make the same
 * multiply-adds in the same order, compiled with the same flags. The
 * others round differently -- the plain dense layer is not compiled
 * with fused multiply-adds, the plain loss and Adam work in double --
 * so each check states a bound from the number of roundings, with
 * u = 2^-24 (float) or 2^-53 (double) the unit roundoff.
 *
 * Written in `real`, so it also runs when common/ is built in double
 * (it is a test_*.c: the float build). */
#include "check.h"
#include "loss.h"
#include "mat.h"
#include "nn.h"
#include "rng.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

#ifdef REAL_IS_DOUBLE
#define UNIT_ROUNDOFF (DBL_EPSILON / 2)
#else
#define UNIT_ROUNDOFF (FLT_EPSILON / 2)
#endif
static const double u = UNIT_ROUNDOFF;

/* `count` numbers uniform in [-1, 1), or exit. */
static real *random_array(rng *r, size_t count)
{
    real *x = malloc(sizeof(real) * (count ? count : 1));
    if (!x) {
        fprintf(stderr, "test_plain_fast: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < count; i++)
        x[i] = (real)(2 * rng_uniform(r) - 1);
    return x;
}

static real *copy_array(const real *x, size_t count)
{
    real *y = malloc(sizeof(real) * (count ? count : 1));
    if (!y) {
        fprintf(stderr, "test_plain_fast: out of memory\n");
        exit(1);
    }
    memcpy(y, x, sizeof(real) * count);
    return y;
}

/* gamma_n = n u / (1 - n u): n roundings of a sum of products. */
static double gamma_n(int n)
{
    return n * u / (1 - n * u);
}

/* ---- the products: same bits ------------------------------------------ */

typedef void product_fn(real *c, const real *a, const real *b, int m,
                        int k, int n, bool accumulate);

typedef struct {
    const char *name;
    product_fn *plain, *fast;
} product_pair;

static const product_pair products[] = {
    {"nn", mat_mul_nn_plain, mat_mul_nn_fast},
    {"nt", mat_mul_nt_plain, mat_mul_nt_fast},
    {"tn", mat_mul_tn_plain, mat_mul_tn_fast},
};

typedef struct {
    int m, k, n;
} shape;

/* Odd shapes: the 97 x 13 x 5 and its transpose; empty ones;
 * a single row; a sum longer than the fast form's KC = 512 (two blocks
 * of the sum) with more rows than its MC = 128; and C at least 256
 * wide and tall, where the fast form lists and skips zero steps. */
static const shape shapes[] = {
    {97, 13, 5}, {5, 13, 97}, {0, 7, 3}, {3, 7, 0}, {4, 0, 6},
    {1, 300, 40}, {130, 520, 33}, {300, 64, 260},
};

/* A with every third column (p) zero and B with rows p = 1 mod 4 zero,
 * in the layout of form f, so that whole steps of the sum are zeros. */
static void zero_steps(const product_pair *f, real *a, real *b, shape s)
{
    for (int i = 0; i < s.m; i++)
        for (int p = 0; p < s.k; p += 3)
            a[f->plain == mat_mul_tn_plain ? p * s.m + i : i * s.k + p] = 0;
    for (int p = 1; p < s.k; p += 4)
        for (int j = 0; j < s.n; j++)
            b[f->plain == mat_mul_nt_plain ? j * s.k + p : p * s.n + j] = 0;
}

/* One form at one shape, C overwritten and C added into, operands
 * dense and with zero steps, the fast form on 1 and 2 threads. */
static void check_product(const product_pair *f, shape s, rng *r)
{
    size_t na = (size_t)s.m * s.k, nb = (size_t)s.k * s.n;
    size_t nc = (size_t)s.m * s.n;
    int differ = 0, cases = 0;
    for (int zeros = 0; zeros < 2; zeros++)
        for (int acc = 0; acc < 2; acc++)
            for (int threads = 1; threads <= 2; threads++) {
                real *a = random_array(r, na), *b = random_array(r, nb);
                real *c0 = random_array(r, nc);
                if (zeros)
                    zero_steps(f, a, b, s);
                real *cp = copy_array(c0, nc), *cf = copy_array(c0, nc);
                mat_set_threads_fast(threads);
                f->plain(cp, a, b, s.m, s.k, s.n, acc);
                f->fast(cf, a, b, s.m, s.k, s.n, acc);
                differ += memcmp(cp, cf, sizeof(real) * nc) != 0;
                cases++;
                free(a), free(b), free(c0), free(cp), free(cf);
            }
    mat_set_threads_fast(1);
    char name[160];
    snprintf(name, sizeof name, "mat_mul_%s_fast = mat_mul_%s_plain bit "
             "for bit at m=%d k=%d n=%d (=, +=, zero steps, 1-2 threads)",
             f->name, f->name, s.m, s.k, s.n);
    check_record(name, differ == 0, __FILE__, __LINE__,
                 "%d of %d cases differ", differ, cases);
}

/* ---- the dense layer: within the rounding of two sums ----------------- */

/* The largest |plain - fast| / bound over n numbers, where bound[i] is
 * what may separate them. */
static double worst_ratio(const real *plain, const real *fast,
                          const double *bound, size_t n)
{
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)plain[i] - fast[i]);
        double ratio = bound[i] > 0 ? d / bound[i] : (d > 0 ? INFINITY : 0);
        worst = fmax(worst, ratio);
    }
    return worst;
}

/* Each number of y, dW, dx is a start value plus a sum of products,
 * computed by both forms in the same order; only the fused
 * multiply-adds of the fast products differ. Either result lies within
 * gamma_{t+1} (|start| + sum |products|) of the exact one for t terms
 * (Higham, Accuracy and Stability, 3.1), so they lie within twice that
 * of each other. db is the same additions in the same order: equal. */
static void check_dense(int B, int in, int out, rng *r)
{
    nn_params p;
    nn_dense l;
    nn_params_begin(&p);
    nn_dense_declare(&p, &l, in, out);
    nn_params_allocate(&p);
    real *w = random_array(r, (size_t)out * in), *bias = random_array(r, out);
    memcpy(l.w, w, sizeof(real) * out * in);
    memcpy(l.b, bias, sizeof(real) * out);
    real *x = random_array(r, (size_t)B * in);
    real *dy = random_array(r, (size_t)B * out);
    real *yp = random_array(r, (size_t)B * out), *yf = copy_array(yp, B * out);
    nn_dense_forward_plain(yp, x, &l, B);
    nn_dense_forward_fast(yf, x, &l, B);
    double *bound = malloc(sizeof(double) * ((size_t)B * in + out * in));
    for (int b = 0; b < B; b++)
        for (int j = 0; j < out; j++) {
            double s = fabs(l.b[j]);
            for (int i = 0; i < in; i++)
                s += fabs(x[b * in + i] * l.w[j * in + i]);
            bound[b * out + j] = 2 * gamma_n(in + 1) * s;
        }
    char name[160];
    snprintf(name, sizeof name, "nn_dense_forward fast vs plain at B=%d "
             "in=%d out=%d: |diff| / 2 gamma_(in+1) sum|terms|", B, in, out);
    CHECK_LE(name, worst_ratio(yp, yf, bound, (size_t)B * out), 1);

    /* backward, into gradients that start non-zero (it adds) */
    real *dw0 = random_array(r, (size_t)out * in), *db0 = random_array(r, out);
    real *dxp = random_array(r, (size_t)B * in), *dxf = copy_array(dxp, B * in);
    real *dx0 = copy_array(dxp, (size_t)B * in);
    memcpy(l.dw, dw0, sizeof(real) * out * in);
    memcpy(l.db, db0, sizeof(real) * out);
    nn_dense_backward_plain(dxp, &l, dy, x, B);
    real *dwp = copy_array(l.dw, (size_t)out * in), *dbp = copy_array(l.db, out);
    memcpy(l.dw, dw0, sizeof(real) * out * in);
    memcpy(l.db, db0, sizeof(real) * out);
    nn_dense_backward_fast(dxf, &l, dy, x, B);
    for (int j = 0; j < out; j++)
        for (int i = 0; i < in; i++) {
            double s = fabs(dw0[j * in + i]);
            for (int b = 0; b < B; b++)
                s += fabs(dy[b * out + j] * x[b * in + i]);
            bound[j * in + i] = 2 * gamma_n(B + 1) * s;
        }
    snprintf(name, sizeof name, "nn_dense_backward dW fast vs plain at "
             "B=%d in=%d out=%d: |diff| / 2 gamma_(B+1) sum|terms|", B, in,
             out);
    CHECK_LE(name, worst_ratio(dwp, l.dw, bound, (size_t)out * in), 1);
    snprintf(name, sizeof name, "nn_dense_backward db fast = plain bit for "
             "bit at B=%d out=%d", B, out);
    CHECK(name, memcmp(dbp, l.db, sizeof(real) * out) == 0);
    for (int b = 0; b < B; b++)
        for (int i = 0; i < in; i++) {
            double s = fabs(dx0[b * in + i]);
            for (int j = 0; j < out; j++)
                s += fabs(dy[b * out + j] * l.w[j * in + i]);
            bound[b * in + i] = 2 * gamma_n(out + 1) * s;
        }
    snprintf(name, sizeof name, "nn_dense_backward dx fast vs plain at "
             "B=%d in=%d out=%d: |diff| / 2 gamma_(out+1) sum|terms|", B,
             in, out);
    CHECK_LE(name, worst_ratio(dxp, dxf, bound, (size_t)B * in), 1);
    free(w), free(bias), free(x), free(dy), free(yp), free(yf), free(bound);
    free(dw0), free(db0), free(dxp), free(dxf), free(dx0), free(dwp);
    free(dbp);
    nn_params_free(&p);
}

/* ---- binary cross-entropy: within the rounding of float terms --------- */

/* The fast loss computes each term max(z,0) - z x + log(1 + e) in
 * float: three roundings of numbers at most |z| + 1 (u each), and
 * vmath.h's e^x and log(1 + x), each within 2.5 units (test_vmath),
 * whose errors reach the term multiplied by at most 1 -- so a term is
 * within 8 u (|z| + 1) of the plain one's double value (whose own
 * error is of order 2^-53). The gradient sigma(z) - x, times the
 * scale, is within 8 u |scale| (1 + |x|) before it is added, and each
 * form's addition to a float dz rounds once more, u |dz| each. */
static void check_bce(int n, rng *r)
{
    real *z = random_array(r, n), *x = random_array(r, n);
    for (int i = 0; i < n; i++) {
        z[i] = (real)(40 * z[i]);             /* logits in [-40, 40) */
        x[i] = (real)((x[i] + 1) / 2);        /* targets in [0, 1) */
    }
    if (n >= 8) {   /* the edges: 0, +-100, targets 0 and 1 */
        z[0] = 0, z[1] = 100, z[2] = -100, z[3] = 100, z[4] = -100;
        x[1] = 0, x[2] = 1, x[3] = 1, x[4] = 0, x[5] = 1, x[6] = 0;
    }
    real *dzp = random_array(r, n), *dzf = copy_array(dzp, n);
    double scale = 1.0 / 97;
    double lp = loss_bce_logits_plain(dzp, z, x, n, scale);
    double lf = loss_bce_logits_fast(dzf, z, x, n, scale);
    double term_bound = 0, worst_grad = 0;
    for (int i = 0; i < n; i++) {
        term_bound += 8 * u * (fabs(z[i]) + 1);
        double g = 8 * u * scale * (1 + fabs(x[i])) + 2 * u * fabs(dzp[i]);
        worst_grad = fmax(worst_grad, fabs((double)dzp[i] - dzf[i]) / g);
    }
    char name[160];
    snprintf(name, sizeof name, "loss_bce_logits fast vs plain, n=%d "
             "logits in [-40, 40], 0 and +-100: |sum diff| <= "
             "8u sum(|z|+1)", n);
    CHECK_NEAR(name, lf, lp, term_bound);
    snprintf(name, sizeof name, "loss_bce_logits gradient fast vs plain, "
             "n=%d: |diff| / (8u scale (1+|x|) + 2u|dz|)", n);
    CHECK_LE(name, worst_grad, 1);
    free(z), free(x), free(dzp), free(dzf);
}

/* The loss at logits +-100 and 0 by itself, against its closed form:
 * (3.8) at z = 0 is log 2 whatever x; at z = 100, x = 0 it is
 * 100 + log(1 + e^-100) = 100 to double precision; at z = -100, x = 1,
 * also 100. Both forms, so neither one's stability rests on the other.
 */
static void check_bce_edges(void)
{
    real z[3] = {0, 100, -100}, x[3] = {(real)0.3, 0, 1};
    double want = log(2) + 100 + 100;
    CHECK_REL("loss_bce_logits_plain at z = 0, 100, -100 = log 2 + 200",
              loss_bce_logits_plain(NULL, z, x, 3, 1), want, 1e-15, 0);
    CHECK_REL("loss_bce_logits_fast at z = 0, 100, -100 = log 2 + 200",
              loss_bce_logits_fast(NULL, z, x, 3, 1), want, 8 * u, 0);
}

/* ---- Adam: several steps, within a few roundings per step ------------- */

/* Runs `steps` Adam steps on both forms from the same parameters, each
 * step's gradients the same for both. Gradients keep one sign per
 * parameter (size 0.5 to 1.5), so m never passes near 0, where a
 * relative error would mean nothing; a few parameters get no gradient
 * at all, and must not move. The plain step computes in double and
 * rounds m, v and the update once each; the fast one rounds about 12
 * times in float (m 3, v 4, the square root and the denominator 3, the
 * update 2). An m or v off by a relative e gives an update off by at
 * most e (m) or e/2 (v); m and v carry their errors forward with
 * weights beta < 1 and are themselves sums of as many terms, so their
 * relative error stays within a few u. 32 u per step of |update|, and
 * u |value| per step for rounding the value itself, is that with room
 * to spare. */
static void check_adam(int count, int steps, rng *r)
{
    nn_params pp, pf;
    real *vp, *gp, *vf, *gf;
    nn_params_begin(&pp);
    nn_params_begin(&pf);
    nn_params_tensor(&pp, &vp, &gp, 1, count);
    nn_params_tensor(&pf, &vf, &gf, 1, count);
    nn_params_allocate(&pp);
    nn_params_allocate(&pf);
    real *sign = random_array(r, count);
    for (int i = 0; i < count; i++)
        vp[i] = vf[i] = (real)(2 * rng_uniform(r) - 1);
    double *moved = calloc((size_t)count, sizeof(double));
    real *before = copy_array(vp, count);
    nn_adam opt = nn_adam_defaults(1e-3);
    for (int t = 0; t < steps; t++) {
        for (int i = 0; i < count; i++) {
            double g = (0.5 + rng_uniform(r)) * (sign[i] < 0 ? -1 : 1);
            gp[i] = gf[i] = i % 10 == 3 ? 0 : (real)g;
        }
        memcpy(before, vp, sizeof(real) * count);
        nn_adam_step_plain(&pp, &opt);
        nn_adam_step_fast(&pf, &opt);
        for (int i = 0; i < count; i++)   /* the plain step's |update| */
            moved[i] += fabs((double)vp[i] - before[i]);
    }
    double worst = 0;
    int still = 1;
    for (int i = 0; i < count; i++) {
        double bound = 32 * u * moved[i] + steps * u * fabs(vp[i]);
        worst = fmax(worst, fabs((double)vp[i] - vf[i]) / bound);
        if (i % 10 == 3)
            still &= vp[i] == vf[i];
    }
    char name[160];
    snprintf(name, sizeof name, "nn_adam_step fast vs plain, %d "
             "parameters, %d steps: |diff| / (32u sum|update| + t u|value|)",
             count, steps);
    CHECK_LE(name, worst, 1);
    snprintf(name, sizeof name, "nn_adam_step fast and plain: a parameter "
             "with zero gradient does not move (%d steps)", steps);
    CHECK(name, still);
    CHECK("nn_adam_step fast and plain both count the steps",
          pp.step == steps && pf.step == steps);
    free(sign), free(moved), free(before);
    nn_params_free(&pp);
    nn_params_free(&pf);
}

int main(void)
{
    rng r;
    rng_seed(&r, 2026);
    for (size_t f = 0; f < sizeof products / sizeof products[0]; f++)
        for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
            check_product(&products[f], shapes[s], &r);
    check_dense(97, 13, 5, &r);
    check_dense(5, 200, 97, &r);
    check_dense(0, 13, 5, &r);
    check_bce(97, &r);
    check_bce(100352, &r);
    check_bce_edges();
    check_adam(1001, 10, &r);
    mat_set_threads_fast(2);   /* the fast Adam shares its loop: any count */
    check_adam(70001, 3, &r);
    mat_set_threads_fast(1);
    return check_summary();
}
