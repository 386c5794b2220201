/* nn.c -- parameter block, dense layer, activations, initialisation,
 * optimisers and checkpoints (see nn.h). */
#include "nn.h"

#include "report.h"
#include "sys.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the parameter block ---------------------------------------------- */

void nn_params_begin(nn_params *p)
{
    memset(p, 0, sizeof *p);
}

void nn_params_tensor(nn_params *p, real **value, real **grad, int rows,
                      int cols)
{
    if (p->value != NULL)
        sys_die(SYS_INTERNAL, "internal error: tensor declared after "
                    "nn_params_allocate");
    if (p->ntensors == NN_MAX_TENSORS)
        sys_die(SYS_INTERNAL, "internal error: more than %d tensors",
                NN_MAX_TENSORS);
    if (rows < 1 || cols < 1)
        sys_die(SYS_INTERNAL, "internal error: tensor of shape %dx%d", rows,
                cols);
    nn_tensor *t = &p->tensor[p->ntensors++];
    t->rows = rows;
    t->cols = cols;
    t->offset = p->count;
    t->value = value;
    t->grad = grad;
    p->count += (size_t)rows * (size_t)cols;
}

/* One allocation holds value, grad, m and v, one after the other,
 * starting on a 64-byte cache line. */
void nn_params_allocate(nn_params *p)
{
    real *block = sys_alloc_aligned(4 * p->count * sizeof(real));
    p->value = block;
    p->grad = block + p->count;
    p->m = block + 2 * p->count;
    p->v = block + 3 * p->count;
    for (int i = 0; i < p->ntensors; i++) {
        nn_tensor *t = &p->tensor[i];
        *t->value = p->value + t->offset;
        *t->grad = p->grad + t->offset;
    }
}

void nn_params_free(nn_params *p)
{
    free(p->value);
    p->value = p->grad = p->m = p->v = NULL;
}

void nn_params_zero_grad(nn_params *p)
{
    memset(p->grad, 0, p->count * sizeof(real));
}

/* ---- the dense layer ---------------------------------------------------- */

void nn_dense_declare(nn_params *p, nn_dense *l, int in, int out)
{
    l->in = in;
    l->out = out;
    nn_params_tensor(p, &l->w, &l->dw, out, in);
    nn_params_tensor(p, &l->b, &l->db, 1, out);
}

//> ch03-dense-forward
/* y = x W^T + b, equation (3.1): output j of example b is the bias
 * b_j plus the inputs of that example, each times its weight. */
/* TASK ch03-dense-forward (3.1) */
void nn_dense_forward_plain(real *y /* (B, out) */,
                            const real *x /* (B, in) */,
                            const nn_dense *l, int B)
{
    int in = l->in, out = l->out;
    for (int b = 0; b < B; b++)
        for (int j = 0; j < out; j++) {
            real sum = l->b[j];
            for (int i = 0; i < in; i++)
                sum += x[b * in + i] * l->w[j * in + i];   /* (3.1) */
            y[b * out + j] = sum;
        }
}
//< ch03-dense-forward

//> ch03-dense-backward
/* Given dy = dL/dy, adds dL/dW (3.2), dL/db (3.3) and dL/dx (3.4):
 * each output y_bj sends its gradient dy_bj back along the paths that
 * made it, to its weights, its bias and its inputs. Everything is
 * added (+=), so gradients from several uses of the same weights or
 * inputs sum up, as the chain rule wants. */
/* TASK ch03-dense-backward (3.5) */
void nn_dense_backward_plain(real *dx /* (B, in) or NULL */,
                             nn_dense *l, const real *dy /* (B, out) */,
                             const real *x /* (B, in) */, int B)
{
    int in = l->in, out = l->out;
    for (int b = 0; b < B; b++)
        for (int j = 0; j < out; j++) {
            real g = dy[b * out + j];
            l->db[j] += g;                                   /* (3.3) */
            for (int i = 0; i < in; i++) {
                l->dw[j * in + i] += g * x[b * in + i];      /* (3.2) */
                if (dx != NULL)
                    dx[b * in + i] += g * l->w[j * in + i];  /* (3.4) */
            }
        }
}
//< ch03-dense-backward

/* ---- activations -------------------------------------------------------
 * exp and tanh are evaluated in double and rounded to real: the cost is
 * small next to the products, and float needs no functions of its own. */

/* max(x, 0), written so that a NaN passes through and is seen. */
void nn_relu_forward(real *y, const real *x, int n)
{
    for (int i = 0; i < n; i++)
        y[i] = x[i] < 0 ? 0 : x[i];
}

/* ReLU'(x) = 1 where the output is positive, else 0. */
void nn_relu_backward(real *dx, const real *y, const real *dy, int n)
{
    for (int i = 0; i < n; i++)
        dx[i] += y[i] > 0 ? dy[i] : 0;
}

void nn_tanh_forward(real *y, const real *x, int n)
{
    for (int i = 0; i < n; i++)
        y[i] = (real)tanh(x[i]);
}

/* tanh'(x) = 1 - y^2. */
void nn_tanh_backward(real *dx, const real *y, const real *dy, int n)
{
    for (int i = 0; i < n; i++)
        dx[i] += dy[i] * (1 - y[i] * y[i]);
}

/* sigma(x) = 1 / (1 + e^-x), written with e = e^-|x| <= 1 so that
 * nothing overflows: 1/(1+e) for x >= 0, e/(1+e) for x < 0. */
static double sigmoid(double x)
{
    double e = exp(-fabs(x));
    return (x >= 0 ? 1 : e) / (1 + e);
}

void nn_sigmoid_forward(real *y, const real *x, int n)
{
    for (int i = 0; i < n; i++)
        y[i] = (real)sigmoid(x[i]);
}

/* sigma'(x) = y (1 - y). */
void nn_sigmoid_backward(real *dx, const real *y, const real *dy, int n)
{
    for (int i = 0; i < n; i++)
        dx[i] += dy[i] * y[i] * (1 - y[i]);
}

/* ELU: x where x > 0, else e^x - 1 (expm1: exact near 0). */
void nn_elu_forward(real *y, const real *x, int n)
{
    for (int i = 0; i < n; i++)
        y[i] = x[i] > 0 ? x[i] : (real)expm1(x[i]);
}

/* ELU'(x) = 1 where the output is positive, else e^x = y + 1. */
void nn_elu_backward(real *dx, const real *y, const real *dy, int n)
{
    for (int i = 0; i < n; i++)
        dx[i] += y[i] > 0 ? dy[i] : dy[i] * (y[i] + 1);
}

/* ---- initialisation ----------------------------------------------------- */

/* A uniform draw on [-a, a). */
static real uniform_pm(rng *r, double a)
{
    return (real)(a * (2.0 * rng_uniform(r) - 1.0));
}

void nn_dense_init(nn_dense *l, nn_init how, rng *r)
{
    size_t nw = (size_t)l->out * (size_t)l->in;
    double fan_in = l->in, fan_out = l->out;
    switch (how) {
    case NN_INIT_HE: {
        /* Var(w) = 2/in keeps the variance of ReLU activations constant
         * from layer to layer. */
        double sd = sqrt(2.0 / fan_in);
        for (size_t i = 0; i < nw; i++)
            l->w[i] = (real)(sd * rng_normal(r));
        memset(l->b, 0, (size_t)l->out * sizeof(real));
        break;
    }
    case NN_INIT_XAVIER: {
        /* Var(w) = 2/(in+out), a compromise between keeping forward and
         * backward variances; U(-a, a) has variance a^2/3. */
        double a = sqrt(6.0 / (fan_in + fan_out));
        for (size_t i = 0; i < nw; i++)
            l->w[i] = uniform_pm(r, a);
        memset(l->b, 0, (size_t)l->out * sizeof(real));
        break;
    }
    case NN_INIT_PYTORCH: {
        /* torch.nn.Linear: kaiming_uniform_(a = sqrt 5) on w, which is
         * U(-1/sqrt(in), 1/sqrt(in)), and the same bound for b. */
        double a = 1.0 / sqrt(fan_in);
        for (size_t i = 0; i < nw; i++)
            l->w[i] = uniform_pm(r, a);
        for (int j = 0; j < l->out; j++)
            l->b[j] = uniform_pm(r, a);
        break;
    }
    }
}

/* ---- optimisers --------------------------------------------------------- */

nn_adam nn_adam_defaults(double lr)
{
    return (nn_adam){.lr = lr, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8};
}

//> ch03-adam
/* One Adam step, equations (3.10) and (3.11), for every parameter. */
/* TASK ch03-adam (3.11) */
void nn_adam_step_plain(nn_params *p, const nn_adam *opt)
{
    double b1 = opt->beta1, b2 = opt->beta2;
    double lr = opt->lr, eps = opt->eps;
    p->step++;
    double c1 = 1 - pow(b1, (double)p->step);   /* 1 - beta1^t */
    double c2 = 1 - pow(b2, (double)p->step);   /* 1 - beta2^t */
    for (size_t i = 0; i < p->count; i++) {
        double g = p->grad[i];
        p->m[i] = (real)(b1 * p->m[i] + (1 - b1) * g);      /* (3.10) */
        p->v[i] = (real)(b2 * p->v[i] + (1 - b2) * g * g);
        double m_hat = p->m[i] / c1, v_hat = p->v[i] / c2;  /* (3.11) */
        p->value[i] -= (real)(lr * m_hat / (sqrt(v_hat) + eps));
    }
}
//< ch03-adam

void nn_sgd_step(nn_params *p, double lr)
{
    real rate = (real)lr;
    for (size_t i = 0; i < p->count; i++)
        p->value[i] -= rate * p->grad[i];
}

/* ---- checkpoints -------------------------------------------------------- */

static const char nn_magic[8] = {'n', 'n', 'p', 'a', 'r', 'a', 'm', 's'};
enum { NN_ELEMENT_F32 = 1 };
enum { NN_HEADER_BYTES = 8 + 4 + NN_TAG_MAX + 4 + 4 };

static void put_u32(unsigned char *out, uint32_t x)
{
    for (int i = 0; i < 4; i++)
        out[i] = (unsigned char)(x >> (8 * i));
}

static uint32_t get_u32(const unsigned char *in)
{
    return (uint32_t)in[0] | (uint32_t)in[1] << 8 | (uint32_t)in[2] << 16 |
           (uint32_t)in[3] << 24;
}

/* A float32 as its four little-endian bytes, whatever the host. */
static void put_f32(unsigned char *out, real x)
{
    float f = (float)x;
    uint32_t bits;
    memcpy(&bits, &f, 4);
    put_u32(out, bits);
}

static real get_f32(const unsigned char *in)
{
    uint32_t bits = get_u32(in);
    float f;
    memcpy(&f, &bits, 4);
    return (real)f;
}

void nn_params_save(const nn_params *p, const char *dir, const char *name,
                    const char *tag)
{
    if (strlen(tag) >= NN_TAG_MAX)
        sys_die(SYS_INTERNAL, "internal error: model tag '%s' longer than %d "
                "bytes", tag, NN_TAG_MAX - 1);
    unsigned char head[NN_HEADER_BYTES] = {0};
    memcpy(head, nn_magic, 8);
    put_u32(head + 8, NN_CHECKPOINT_VERSION);
    memcpy(head + 12, tag, strlen(tag));
    put_u32(head + 12 + NN_TAG_MAX, NN_ELEMENT_F32);
    put_u32(head + 16 + NN_TAG_MAX, (uint32_t)p->ntensors);

    report_file f;
    report_open(&f, dir, name);
    fwrite(head, 1, sizeof head, f.fp);
    for (int i = 0; i < p->ntensors; i++) {
        unsigned char shape[8];
        put_u32(shape, (uint32_t)p->tensor[i].rows);
        put_u32(shape + 4, (uint32_t)p->tensor[i].cols);
        fwrite(shape, 1, sizeof shape, f.fp);
    }
    /* The tensors lie one after the other in the block, as in the file. */
    unsigned char buf[4096];
    for (size_t done = 0; done < p->count;) {
        size_t chunk = p->count - done;
        if (chunk > sizeof buf / 4)
            chunk = sizeof buf / 4;
        for (size_t k = 0; k < chunk; k++)
            put_f32(buf + 4 * k, p->value[done + k]);
        fwrite(buf, 4, chunk, f.fp);
        done += chunk;
    }
    report_commit(&f);   /* checks every write above */
}

/* Writes "path: message" into err; returns false for the caller. */
static bool load_error(char *err, size_t err_size, const char *path,
                       const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static bool load_error(char *err, size_t err_size, const char *path,
                       const char *fmt, ...)
{
    int used = snprintf(err, err_size, "%s: ", path);
    if (used >= 0 && (size_t)used < err_size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err + used, err_size - (size_t)used, fmt, ap);
        va_end(ap);
    }
    return false;
}

/* The tag in a file header as printable text (it may be anything). */
static void tag_text(char out[NN_TAG_MAX], const unsigned char *tag)
{
    int i = 0;
    for (; i < NN_TAG_MAX - 1 && tag[i] != 0; i++)
        out[i] = tag[i] >= 32 && tag[i] < 127 ? (char)tag[i] : '?';
    out[i] = '\0';
}

/* Whether two tags name the same program: their first words agree
 * ("ch07_vae bernoulli" and "ch07_vae gaussian s=0.1" do). */
static bool same_program(const char *a, const char *b)
{
    size_t n = strcspn(a, " ");
    return n == strcspn(b, " ") && strncmp(a, b, n) == 0;
}

/* Checks the header against the block; the first difference is the
 * message, and *status says whether it was the same program's model
 * of another shape (NN_LOAD_OTHER_SHAPE) or not a file for this program
 * at all (NN_LOAD_BAD_FILE). Reads up to the start of the data. */
static bool load_header(const nn_params *p, FILE *fp, const char *path,
                        const char *tag, nn_load_status *status,
                        char *err, size_t err_size)
{
    *status = NN_LOAD_BAD_FILE;
    unsigned char head[NN_HEADER_BYTES];
    size_t got = fread(head, 1, sizeof head, fp);
    if (got < 8 || memcmp(head, nn_magic, 8) != 0)
        return load_error(err, err_size, path, "not a checkpoint (no "
                          "\"nnparams\" magic at the start)");
    if (got < sizeof head)
        return load_error(err, err_size, path, "truncated in the header");
    uint32_t version = get_u32(head + 8);
    if (version != NN_CHECKPOINT_VERSION)
        return load_error(err, err_size, path, "checkpoint format version "
                          "%u, this program reads version %d", version,
                          NN_CHECKPOINT_VERSION);
    char file_tag[NN_TAG_MAX];
    tag_text(file_tag, head + 12);
    if (strcmp(file_tag, tag) != 0) {
        if (same_program(file_tag, tag))
            *status = NN_LOAD_OTHER_SHAPE;
        return load_error(err, err_size, path, "written by %s, this is %s",
                          file_tag[0] ? file_tag : "(no tag)", tag);
    }
    uint32_t element = get_u32(head + 12 + NN_TAG_MAX);
    if (element != NN_ELEMENT_F32)
        return load_error(err, err_size, path, "element type %u, this "
                          "program reads %d (float32)", element,
                          NN_ELEMENT_F32);
    uint32_t ntensors = get_u32(head + 16 + NN_TAG_MAX);
    *status = NN_LOAD_OTHER_SHAPE;   /* from here: this program's model */
    if (ntensors != (uint32_t)p->ntensors)
        return load_error(err, err_size, path, "%u tensors in the file, "
                          "%d here", ntensors, p->ntensors);
    for (int i = 0; i < p->ntensors; i++) {
        unsigned char shape[8];
        if (fread(shape, 1, sizeof shape, fp) != sizeof shape) {
            *status = NN_LOAD_BAD_FILE;
            return load_error(err, err_size, path, "truncated in the "
                              "tensor shapes");
        }
        uint32_t rows = get_u32(shape), cols = get_u32(shape + 4);
        const nn_tensor *t = &p->tensor[i];
        if (rows != (uint32_t)t->rows || cols != (uint32_t)t->cols)
            return load_error(err, err_size, path, "tensor %d of %d is "
                              "%ux%u in the file, %dx%d here", i + 1,
                              p->ntensors, rows, cols, t->rows, t->cols);
    }
    *status = NN_LOAD_OK;
    return true;
}

/* The first value of the data that is not a finite number, or -1. */
static long first_not_finite(const unsigned char *data, size_t count)
{
    for (size_t k = 0; k < count; k++)
        if (!isfinite(get_f32(data + 4 * k)))
            return (long)k;
    return -1;
}

/* Reads the data whole before anything is changed, so a bad file leaves
 * the block as it was. */
nn_load_status nn_params_read(nn_params *p, const char *path,
                              const char *tag, char *err, size_t err_size)
{
    nn_load_status status;
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        load_error(err, err_size, path, "cannot open: %s",
                   strerror(errno));
        return NN_LOAD_BAD_FILE;
    }
    bool ok = load_header(p, fp, path, tag, &status, err, err_size);
    unsigned char *data = NULL;
    if (ok) {
        size_t want = 4 * p->count;
        data = sys_alloc(want > 0 ? want : 1, 1);
        size_t got = fread(data, 1, want, fp);
        if (got < want)
            ok = load_error(err, err_size, path, "truncated: %zu of %zu "
                            "data bytes", got, want);
        else if (fgetc(fp) != EOF)
            ok = load_error(err, err_size, path, "trailing bytes after the "
                            "%zu data bytes", want);
    }
    if (ok && ferror(fp))
        ok = load_error(err, err_size, path, "read error: %s",
                        strerror(errno));
    long bad = ok ? first_not_finite(data, p->count) : -1;
    if (bad >= 0)
        ok = load_error(err, err_size, path, "parameter %ld of %zu is %g: "
                        "not a trained model", bad + 1, p->count,
                        (double)get_f32(data + 4 * (size_t)bad));
    fclose(fp);
    if (ok)
        for (size_t k = 0; k < p->count; k++)
            p->value[k] = get_f32(data + 4 * k);
    free(data);
    if (!ok && status == NN_LOAD_OK)
        status = NN_LOAD_BAD_FILE;
    return status;
}

bool nn_params_try_load(nn_params *p, const char *path, const char *tag,
                        char *err, size_t err_size)
{
    return nn_params_read(p, path, tag, err, err_size) == NN_LOAD_OK;
}

void nn_params_load(nn_params *p, const char *path, const char *tag)
{
    char err[512];
    if (!nn_params_try_load(p, path, tag, err, sizeof err))
        sys_die(SYS_FAILED, "%s", err);
}
