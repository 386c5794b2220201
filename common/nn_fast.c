/* nn_fast.c -- the fast forms of the dense layer and of Adam (layer.h,
 * appendix A): the layer through the fast products of mat_fast.c, Adam
 * shared among their threads. tests/test_plain_fast.c checks each
 * against its plain form in nn.c. */
#include "nn.h"

#include "mat.h"

#include <math.h>
#include <string.h>

/* y = x W^T + b, (3.1), as one product for the whole batch. Each row
 * of y starts as b and the product adds into it, which saves a second
 * pass over y (and is the order BLAS's addmm uses). */
void nn_dense_forward_fast(real *y /* (B, out) */,
                           const real *x /* (B, in) */,
                           const nn_dense *l, int B)
{
    for (int b = 0; b < B; b++)
        memcpy(y + (size_t)b * l->out, l->b, sizeof(real) * l->out);
    mat_mul_nt_fast(y, x, l->w, B, l->in, l->out, true);
}

/* (3.5): dW += dy^T x and dx += dy W as two products, db += the
 * column sums of dy. */
void nn_dense_backward_fast(real *dx /* (B, in) or NULL */, nn_dense *l,
                            const real *dy /* (B, out) */,
                            const real *x /* (B, in) */, int B)
{
    mat_mul_tn_fast(l->dw, dy, x, l->out, B, l->in, true);
    for (int b = 0; b < B; b++) {
        const real *row = dy + (size_t)b * l->out;
        for (int j = 0; j < l->out; j++)
            l->db[j] += row[j];
    }
    if (dx != NULL)
        mat_mul_nn_fast(dx, dy, l->w, B, l->out, l->in, true);
}

/* What one Adam step shares among all parameters. */
typedef struct {
    nn_params *p;
    real b1, one_b1, b2, one_b2;   /* beta1, 1 - beta1, beta2, ... */
    real step_size, sqrt_c2, eps;  /* lr / (1 - beta1^t), ... (3.11) */
} nn_adam_now;

/* Equations (3.10) and (3.11) for parameters lo .. hi-1, with the
 * operations in the order torch.optim.Adam does them. */
static void nn_adam_range(void *arg, size_t lo, size_t hi)
{
    /* a copy, which no store below can change: read through the
     * pointer, clang reloads it every time and does not vectorise */
    const nn_adam_now a = *(const nn_adam_now *)arg;
    real *restrict value = a.p->value, *restrict m = a.p->m;
    real *restrict v = a.p->v;
    const real *restrict grad = a.p->grad;
    for (size_t i = lo; i < hi; i++) {
        real g = grad[i];
        m[i] = a.b1 * m[i] + a.one_b1 * g;
        v[i] = a.b2 * v[i] + a.one_b2 * g * g;
        real denom = real_sqrt(v[i]) / a.sqrt_c2 + a.eps;
        value[i] -= a.step_size * m[i] / denom;
    }
}

/* One Adam step over the whole block. Each parameter's update is its
 * own, so the loop is shared among the threads of the products
 * (mat_for), with the same bits for any number of them. */
void nn_adam_step_fast(nn_params *p, const nn_adam *opt)
{
    p->step++;
    double t = (double)p->step;
    nn_adam_now now = {
        .p = p,
        .b1 = (real)opt->beta1, .one_b1 = (real)(1 - opt->beta1),
        .b2 = (real)opt->beta2, .one_b2 = (real)(1 - opt->beta2),
        /* the bias corrections 1 - beta^t of (3.11) */
        .step_size = (real)(opt->lr / (1 - pow(opt->beta1, t))),
        .sqrt_c2 = (real)sqrt(1 - pow(opt->beta2, t)),
        .eps = (real)opt->eps,
    };
    mat_for(p->count, nn_adam_range, &now);
}
