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
    const char *path = argc > 1 ? argv[1]
                                : "tests/reference/mlp_reference.txt";
    static ref_file ref;
    char err[300];
    if (!ref_load(&ref, path, err, sizeof err)) {
        check_record("reference file", 0, __FILE__, __LINE__, "%s", err);
        return check_summary();
    }
    printf("reference: %s, written with torch %s\n", path, ref.torch);

    nn_params p;
    nn_dense l1, l2, l3;
    nn_params_begin(&p);
    nn_dense_declare(&p, &l1, N0, N1);
    nn_dense_declare(&p, &l2, N1, N2);
    nn_dense_declare(&p, &l3, N2, N3);
    nn_params_allocate(&p);
    nn_dense *layers[3] = {&l1, &l2, &l3};
    const char *w_names[3] = {"w1", "w2", "w3"};
    const char *b_names[3] = {"b1", "b2", "b3"};
    char name[64];
    for (int k = 0; k < 3; k++) {
        snprintf(name, sizeof name, "mlp.%s", w_names[k]);
        ref_take(layers[k]->w, &ref, name, layers[k]->out, layers[k]->in);
        snprintf(name, sizeof name, "mlp.%s", b_names[k]);
        ref_take(layers[k]->b, &ref, name, 1, layers[k]->out);
    }
    real x[B * N0], target[B * N3];
    ref_take(x, &ref, "mlp.x", B, N0);
    ref_take(target, &ref, "mlp.target", B, N3);

    real a1[B * N1], h1[B * N1], a2[B * N2], h2[B * N2], z[B * N3];
    real dx[B * N0], da1[B * N1], dh1[B * N1], da2[B * N2], dh2[B * N2];
    real dz[B * N3];
    nn_adam adam = nn_adam_defaults(1e-3);
    for (int step = 1; step <= 2; step++) {
        nn_dense_forward(a1, x, &l1, B);
        nn_relu_forward(h1, a1, B * N1);
        nn_dense_forward(a2, h1, &l2, B);
        nn_tanh_forward(h2, a2, B * N2);
        nn_dense_forward(z, h2, &l3, B);

        nn_params_zero_grad(&p);
        memset(dx, 0, sizeof dx);
        memset(da1, 0, sizeof da1);
        memset(dh1, 0, sizeof dh1);
        memset(da2, 0, sizeof da2);
        memset(dh2, 0, sizeof dh2);
        memset(dz, 0, sizeof dz);
        real loss = (real)loss_bce_logits(dz, z, target, B * N3, 1.0);
        nn_dense_backward(dh2, &l3, dz, h2, B);
        nn_tanh_backward(da2, h2, dh2, B * N2);
        nn_dense_backward(dh1, &l2, da2, h1, B);
        nn_relu_backward(da1, h1, dh1, B * N1);
        nn_dense_backward(dx, &l1, da1, x, B);

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
        ref_compare(&ref, name, dx, B, N0);
        for (int k = 0; k < 3; k++) {
            nn_dense *l = layers[k];
            snprintf(name, sizeof name, "%sd%s", tag, w_names[k]);
            ref_compare(&ref, name, l->dw, l->out, l->in);
            snprintf(name, sizeof name, "%sd%s", tag, b_names[k]);
            ref_compare(&ref, name, l->db, 1, l->out);
        }
        nn_adam_step(&p, &adam);
        for (int k = 0; k < 3; k++) {
            nn_dense *l = layers[k];
            snprintf(name, sizeof name, "%sadam.%s", tag, w_names[k]);
            ref_compare(&ref, name, l->w, l->out, l->in);
            snprintf(name, sizeof name, "%sadam.%s", tag, b_names[k]);
            ref_compare(&ref, name, l->b, 1, l->out);
        }
    }
    nn_params_free(&p);
    ref_free(&ref);
    return check_summary();
}
