/* gradcheck.h -- the comparison every gradcheck_*.c makes: analytic
 * gradients against central differences of the objective.
 *
 * A central difference (f(p + h) - f(p - h)) / 2h errs by about
 * h^2 f''' / 6 from truncation and eps |f| / h from rounding; each test
 * chooses h and states why. An entry is judged relative to
 * max(|analytic|, |numeric|, floor), so tiny gradients must agree
 * absolutely to tol * floor. Header-only, like check.h. */
#ifndef GRADCHECK_H
#define GRADCHECK_H

#include <math.h>
#include <stddef.h>

#include "real.h"

typedef double (*gradcheck_objective)(void *ctx);

/* The worst relative error over param[0 .. n-1] between grad and the
 * central differences of f with step h; *where (if not NULL) gets the
 * index of the worst entry. Each parameter is restored after use. */
static double gradcheck_worst(gradcheck_objective f, void *ctx,
                              real *param, const real *grad, size_t n,
                              double h, double floor, size_t *where)
{
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        real saved = param[i];
        param[i] = saved + h;
        double up = f(ctx);
        param[i] = saved - h;
        double down = f(ctx);
        param[i] = saved;
        double numeric = (up - down) / (2 * h);
        double scale = fmax(fmax(fabs(numeric), fabs(grad[i])), floor);
        double err = fabs(numeric - grad[i]) / scale;
        if (err > worst) {
            worst = err;
            if (where)
                *where = i;
        }
    }
    return worst;
}

/* Multiplies the largest entry of grad[0 .. n-1] by 1 + rel: the
 * mutation that shows a gradient check can fail. */
static inline void gradcheck_spoil_largest(real *grad, size_t n, double rel)
{
    size_t big = 0;
    for (size_t i = 1; i < n; i++)
        if (fabs(grad[i]) > fabs(grad[big]))
            big = i;
    grad[big] *= 1 + rel;
}

#endif
