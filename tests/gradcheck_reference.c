/* gradcheck_reference.c -- nn.c and loss.c against PyTorch, in double:
 * a 6-5-4-4 MLP (ReLU, tanh, logits, BCE summed) on a batch of 3, with
 * weights, inputs and targets from tests/reference/mlp_reference.txt
 * (written by make_reference.py). Two training steps: every activation,
 * the loss, every gradient (the input's too) and the parameters after
 * each Adam step must match torch's.
 *
 * Usage: gradcheck_reference [FILE]   (default: the file above, relative
 * to the repository's top folder, where `make test` runs). */
#include <math.h>
#include <string.h>

#include "loss.h"
#include "nn.h"

#include "check.h"
#include "reference.h"

enum { B = 3, N0 = 6, N1 = 5, N2 = 4, N3 = 4 };

int main(int argc, char **argv)
{
    static ref_file ref;
    if (!ref_load_main(&ref, argc, argv))
        return check_summary();

    nn_params p;
    nn_dense l1, l2, l3;
    nn_params_begin(&p);
    nn_dense_declare(&p, &l1, N0, N1);
    nn_dense_declare(&p, &l2, N1, N2);
    nn_dense_declare(&p, &l3, N2, N3);
    nn_params_allocate(&p);
    nn_dense *layers[3] = {&l1, &l2, &l3};
    const char *number[3] = {"1", "2", "3"};   /* mlp.w1 ... mlp.b3 */
    char name[64];
    for (int k = 0; k < 3; k++)
        ref_take_dense(layers[k], &ref, "mlp.", number[k]);
    real x[B * N0], target[B * N3];
    ref_take(x, &ref, "mlp.x", B, N0);
    ref_take(target, &ref, "mlp.target", B, N3);

    real a1[B * N1], h1[B * N1], a2[B * N2], h2[B * N2], z[B * N3];
    struct {   /* the gradients, added into (+=): zeroed each step */
        real dx[B * N0], da1[B * N1], dh1[B * N1], da2[B * N2];
        real dh2[B * N2], dz[B * N3];
    } g;
    nn_adam adam = nn_adam_defaults(1e-3);
    for (int step = 1; step <= 2; step++) {
        nn_dense_forward(a1, x, &l1, B);
        nn_relu_forward(h1, a1, B * N1);
        nn_dense_forward(a2, h1, &l2, B);
        nn_tanh_forward(h2, a2, B * N2);
        nn_dense_forward(z, h2, &l3, B);

        nn_params_zero_grad(&p);
        memset(&g, 0, sizeof g);
        real loss = (real)loss_bce_logits(g.dz, z, target, B * N3, 1.0);
        nn_dense_backward(g.dh2, &l3, g.dz, h2, B);
        nn_tanh_backward(g.da2, h2, g.dh2, B * N2);
        nn_dense_backward(g.dh1, &l2, g.da2, h1, B);
        nn_relu_backward(g.da1, h1, g.dh1, B * N1);
        nn_dense_backward(g.dx, &l1, g.da1, x, B);

        char tag[32];
        snprintf(tag, sizeof tag, "mlp.step%d.", step);
        snprintf(name, sizeof name, "%sh1", tag);
        ref_compare(&ref, name, h1, B, N1);
        snprintf(name, sizeof name, "%sh2", tag);
        ref_compare(&ref, name, h2, B, N2);
        snprintf(name, sizeof name, "%slogits", tag);
        ref_compare(&ref, name, z, B, N3);
        snprintf(name, sizeof name, "%sloss", tag);
        ref_compare(&ref, name, &loss, 1, 1);
        snprintf(name, sizeof name, "%sdx", tag);
        ref_compare(&ref, name, g.dx, B, N0);
        snprintf(name, sizeof name, "%sd", tag);   /* mlp.step1.dw1 */
        for (int k = 0; k < 3; k++)
            ref_compare_dense(&ref, name, number[k], layers[k], true);
        nn_adam_step(&p, &adam);
        snprintf(name, sizeof name, "%sadam.", tag);
        for (int k = 0; k < 3; k++)
            ref_compare_dense(&ref, name, number[k], layers[k], false);
    }
    nn_params_free(&p);
    ref_free(&ref);
    return check_summary();
}
