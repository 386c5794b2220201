/* test_nn.c -- nn and loss in float, as the chapters use them: the
 * parameter block, the initialisations' statistics, activations and BCE
 * at huge inputs, checkpoints (the round trip bit for bit and every
 * error message of a bad file), and a small network that must learn
 * XOR with Adam and with SGD. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loss.h"
#include "mat.h"
#include "nn.h"
#include "rng.h"

#include "check.h"
#include "sys.h"

/* ---- the parameter block -------------------------------------------------- */

static void check_block(void)
{
    nn_params p;
    nn_dense a, b;
    real *s, *ds;
    nn_params_begin(&p);
    nn_dense_declare(&p, &a, 3, 4);
    nn_params_tensor(&p, &s, &ds, 1, 5);
    nn_dense_declare(&p, &b, 4, 2);
    nn_params_allocate(&p);
    CHECK("count = 4*3 + 4 + 5 + 2*4 + 2", p.count == 31);
    CHECK("tensors lie one after the other in declaration order",
          a.w == p.value && a.b == p.value + 12 && s == p.value + 16 &&
          b.w == p.value + 21 && b.b == p.value + 29);
    CHECK("each gradient sits at its value's place in grad",
          a.dw == p.grad && ds == p.grad + 16 && b.db == p.grad + 29);
    bool zero = true;
    for (size_t i = 0; i < p.count; i++)
        zero &= p.value[i] == 0 && p.grad[i] == 0 && p.m[i] == 0 &&
                p.v[i] == 0;
    CHECK("a new block is all zeros", zero);
    for (size_t i = 0; i < p.count; i++)
        p.grad[i] = 1;
    nn_params_zero_grad(&p);
    CHECK("zero_grad clears the last gradient", b.db[1] == 0);
    nn_params_free(&p);
}

/* ---- initialisation: sample moments against the formulas ----------------- */

typedef struct {
    double mean, var, max_abs;
} moments;

static moments moments_of(const real *x, size_t n)
{
    moments m = {0, 0, 0};
    for (size_t i = 0; i < n; i++)
        m.mean += x[i];
    m.mean /= (double)n;
    for (size_t i = 0; i < n; i++) {
        m.var += (x[i] - m.mean) * (x[i] - m.mean);
        m.max_abs = fmax(m.max_abs, fabs(x[i]));
    }
    m.var /= (double)(n - 1);
    return m;
}

static void check_init(void)
{
    enum { IN = 784, OUT = 400 };
    const double n = (double)IN * OUT;
    nn_params p;
    nn_dense l;
    nn_params_begin(&p);
    nn_dense_declare(&p, &l, IN, OUT);
    nn_params_allocate(&p);
    rng r;
    rng_seed(&r, 11);

    /* He: N(0, 2/in). The sample variance of n normals has relative
     * standard deviation sqrt(2/n) = 0.25%; allow 4 of them. */
    nn_dense_init(&l, NN_INIT_HE, &r);
    moments m = moments_of(l.w, (size_t)n);
    CHECK_REL("He: variance of w = 2/in", m.var, 2.0 / IN,
              4 * sqrt(2 / n), 0);
    CHECK_LE("He: |mean of w| within 4 standard errors", fabs(m.mean),
             4 * sqrt(2.0 / IN / n));
    CHECK("He: b = 0", moments_of(l.b, OUT).max_abs == 0);

    /* Xavier: U(-a, a), a = sqrt(6/(in+out)), variance a^2/3; the
     * sample variance of uniforms has relative sd sqrt(0.8/n). */
    double a = sqrt(6.0 / (IN + OUT));
    nn_dense_init(&l, NN_INIT_XAVIER, &r);
    m = moments_of(l.w, (size_t)n);
    CHECK_REL("Xavier: variance of w = 2/(in+out)", m.var,
              2.0 / (IN + OUT), 4 * sqrt(0.8 / n), 0);
    CHECK("Xavier: |w| <= sqrt(6/(in+out))", m.max_abs <= a);
    CHECK_GE("Xavier: |w| reaches near the bound", m.max_abs, 0.999 * a);
    CHECK("Xavier: b = 0", moments_of(l.b, OUT).max_abs == 0);

    /* PyTorch: U(-1/sqrt(in), 1/sqrt(in)) for w and b. */
    double bound = 1 / sqrt((double)IN);
    nn_dense_init(&l, NN_INIT_PYTORCH, &r);
    m = moments_of(l.w, (size_t)n);
    CHECK_REL("PyTorch: variance of w = 1/(3 in)", m.var, 1.0 / (3 * IN),
              4 * sqrt(0.8 / n), 0);
    CHECK("PyTorch: |w| <= 1/sqrt(in)", m.max_abs <= bound);
    moments mb = moments_of(l.b, OUT);
    CHECK("PyTorch: b drawn too, |b| <= 1/sqrt(in)",
          mb.max_abs > 0 && mb.max_abs <= bound);
    nn_params_free(&p);
}

/* ---- huge inputs ---------------------------------------------------------- */

static void check_huge_inputs(void)
{
    real x[6] = {-1000, -100, -50, 50, 100, 1000}, y[6], dx[6] = {0};
    real ones[6] = {1, 1, 1, 1, 1, 1};
    nn_sigmoid_forward(y, x, 6);
    CHECK("sigmoid(-1000) = 0 and sigmoid(1000) = 1, no NaN",
          y[0] == 0 && y[5] == 1);
    nn_sigmoid_backward(dx, y, ones, 6);
    CHECK("sigmoid' = 0 at +-1000", dx[0] == 0 && dx[5] == 0);
    nn_tanh_forward(y, x, 6);
    CHECK("tanh(+-1000) = +-1", y[0] == -1 && y[5] == 1);
    memcpy(y, x, sizeof y);
    nn_relu_forward(y, y, 6);
    CHECK("relu works in place", y[0] == 0 && y[2] == 0 && y[5] == 1000);

    /* The naive route: sigma(-100) = 1/(1 + e^100) and e^100 = 2.7e43
     * overflows float (max 3.4e38), so sigma = 0 and -log sigma = inf. */
    volatile float z = -100;   /* volatile: computed at run time */
    float naive = -logf(1.0f / (1.0f + expf(-z)));
    CHECK("naive -log(sigmoid(-100)) in float is inf", isinf(naive));

    /* BCE from logits, one element at a time, target 1 then 0. For
     * target 1: max(z,0) - z + log1p(e^-|z|); at z = -1000 that is
     * exactly 1000, at z = 1000 exactly 0 (e^-1000 underflows). */
    const double logits[6] = {-1000, -100, -50, 50, 100, 1000};
    bool finite = true, exact = true, grads = true;
    for (int i = 0; i < 6; i++) {
        real zi = (real)logits[i], one = 1, zero = 0, dz1 = 0, dz0 = 0;
        double l1 = loss_bce_logits(&dz1, &zi, &one, 1, 1.0);
        double l0 = loss_bce_logits(&dz0, &zi, &zero, 1, 1.0);
        finite &= isfinite(l1) && isfinite(l0) && isfinite(dz1) &&
                  isfinite(dz0);
        /* -log sigma(z) = max(-z, 0) + log1p(e^-|z|) <= max(-z,0) + 2e-22 */
        double want1 = fmax(-logits[i], 0), want0 = fmax(logits[i], 0);
        exact &= fabs(l1 - want1) <= 2e-22 && fabs(l0 - want0) <= 2e-22;
        /* sigma(z) - x: -1 or 0 for target 1, 0 or 1 for target 0 */
        grads &= fabs(dz1 - (logits[i] < 0 ? -1 : 0)) <= 2e-22 &&
                 fabs(dz0 - (logits[i] < 0 ? 0 : 1)) <= 2e-22;
    }
    CHECK("BCE at z = +-50, +-100, +-1000 is finite", finite);
    CHECK("BCE at z = +-50, +-100, +-1000 equals max(-+z, 0) (+ <2e-22)",
          exact);
    CHECK("BCE gradient at those z is sigma(z) - x = 0 or +-1", grads);
    real zh = (real)0.5, xh = (real)0.5;
    CHECK_REL("BCE at z = 0.5, x = 0.5: log(1 + e^0.5) - 0.25 (float)",
              loss_bce_logits(NULL, &zh, &xh, 1, 1.0),
              log(1 + exp(0.5)) - 0.25, 3e-7, 0);
}

/* ---- checkpoints ----------------------------------------------------------- */

/* A model with dense layers of the given widths: widths[0] -> widths[1]
 * -> ..., at most 4 layers. */
typedef struct {
    nn_params params;
    nn_dense layer[4];
} model;

static void model_build(model *m, const int *widths, int nlayers,
                        uint64_t seed)
{
    rng r;
    rng_seed(&r, seed);
    nn_params_begin(&m->params);
    for (int i = 0; i < nlayers; i++)
        nn_dense_declare(&m->params, &m->layer[i], widths[i],
                         widths[i + 1]);
    nn_params_allocate(&m->params);
    for (int i = 0; i < nlayers; i++)
        nn_dense_init(&m->layer[i], NN_INIT_PYTORCH, &r);
}

static char tmp_dir[] = "/tmp/test_nn.XXXXXX";

static void write_bytes(const char *name, const unsigned char *bytes,
                        size_t n)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", tmp_dir, name);
    FILE *fp = fopen(path, "wb");
    if (fp == NULL || fwrite(bytes, 1, n, fp) != n || fclose(fp) != 0)
        sys_die(SYS_FAILED, "%s: cannot write", path);
}

/* Loads tmp_dir/name into m expecting failure with `want` in the
 * message; the message must be one line starting with the path, and the
 * parameters must be unchanged. */
static void check_load_fails(const char *what, model *m, const char *name,
                             const char *tag, const char *want)
{
    char path[256], err[512] = "";
    snprintf(path, sizeof path, "%s/%s", tmp_dir, name);
    size_t bytes = m->params.count * sizeof(real);
    real *before = malloc(bytes);
    memcpy(before, m->params.value, bytes);
    bool ok = nn_params_try_load(&m->params, path, tag, err, sizeof err);
    char label[200];
    snprintf(label, sizeof label, "load %s fails: \"%s\"", what, err);
    check_record(label, !ok && strstr(err, want) != NULL &&
                 strncmp(err, path, strlen(path)) == 0 &&
                 strchr(err, '\n') == NULL, __FILE__, __LINE__,
                 "want a one-line message with \"%s\"", want);
    CHECK("  and leaves the parameters as they were",
          memcmp(before, m->params.value, bytes) == 0);
    free(before);
}

static void check_checkpoints(void)
{
    if (mkdtemp(tmp_dir) == NULL)
        sys_die(SYS_FAILED, "cannot make a temporary folder");
    const int widths[3] = {4, 3, 2};
    model a, b;
    model_build(&a, widths, 2, 1);
    model_build(&b, widths, 2, 2);
    nn_params_save(&a.params, tmp_dir, "good.bin", "ch03_ae");

    char path[256], tmp[270], err[512] = "";
    snprintf(path, sizeof path, "%s/good.bin", tmp_dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    CHECK("save writes the file and leaves no .tmp behind",
          access(path, F_OK) == 0 && access(tmp, F_OK) != 0);
    bool ok = nn_params_try_load(&b.params, path, "ch03_ae", err,
                                 sizeof err);
    CHECK("load of a good file succeeds", ok);
    CHECK("save then load gives the parameters bit for bit",
          memcmp(a.params.value, b.params.value,
                 a.params.count * sizeof(real)) == 0);

    /* The file's bytes: a 52-byte header, 4 shapes of 8 bytes, and
     * 4 x 3 + 3 + 3 x 2 + 2 = 23 float32 values: 176 bytes. */
    FILE *fp = fopen(path, "rb");
    unsigned char good[512];
    size_t size = fp ? fread(good, 1, sizeof good, fp) : 0;
    if (fp)
        fclose(fp);
    CHECK("file size = 52 + 4*8 + 4*23 bytes", size == 176);
    CHECK("starts with the magic \"nnparams\"",
          memcmp(good, "nnparams", 8) == 0);

    unsigned char bad[520];
    memcpy(bad, good, size);
    bad[0] = 'X';
    write_bytes("magic.bin", bad, size);
    check_load_fails("with a bad magic", &b, "magic.bin", "ch03_ae",
                     "not a checkpoint");
    memcpy(bad, good, size);
    bad[8] = 2;
    write_bytes("version.bin", bad, size);
    check_load_fails("of version 2", &b, "version.bin", "ch03_ae",
                     "checkpoint format version 2, this program reads "
                     "version 1");
    memcpy(bad, good, size);
    bad[12 + NN_TAG_MAX] = 2;
    write_bytes("element.bin", bad, size);
    check_load_fails("with element type 2", &b, "element.bin", "ch03_ae",
                     "element type 2");
    check_load_fails("with another model's tag", &b, "good.bin",
                     "ch07_vae", "written by ch03_ae, this is ch07_vae");
    write_bytes("header.bin", good, 30);
    check_load_fails("cut in the header", &b, "header.bin", "ch03_ae",
                     "truncated in the header");
    write_bytes("short.bin", good, size - 3);
    check_load_fails("missing its last 3 bytes", &b, "short.bin", "ch03_ae",
                     "truncated: 89 of 92 data bytes");
    memcpy(bad, good, size);
    bad[size] = 0;
    write_bytes("long.bin", bad, size + 1);
    check_load_fails("with a byte too many", &b, "long.bin", "ch03_ae",
                     "trailing bytes");
    write_bytes("text.bin", (const unsigned char *)"hello\n", 6);
    check_load_fails("of a text file", &b, "text.bin", "ch03_ae",
                     "not a checkpoint");
    check_load_fails("of a missing file", &b, "nothere.bin", "ch03_ae",
                     "cannot open: No such file or directory");

    const int other[3] = {4, 5, 2}, one[2] = {4, 3};
    model c, d;
    model_build(&c, other, 2, 3);
    model_build(&d, one, 1, 4);
    check_load_fails("into other shapes", &c, "good.bin", "ch03_ae",
                     "tensor 1 of 4 is 3x4 in the file, 5x4 here");
    check_load_fails("into a one-layer model", &d, "good.bin", "ch03_ae",
                     "4 tensors in the file, 2 here");

    /* The dying form: exit status 1 and the message on stderr. */
    char log[300];
    snprintf(log, sizeof log, "%s/stderr.txt", tmp_dir);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        if (freopen(log, "w", stderr) == NULL)
            _exit(99);
        sys_set_prog("test_nn");
        nn_params_load(&b.params, "/nonexistent/model.bin", "ch03_ae");
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    char line[512] = "";
    fp = fopen(log, "r");
    if (fp) {
        if (fgets(line, sizeof line, fp) == NULL)
            line[0] = '\0';
        fclose(fp);
    }
    CHECK("nn_params_load exits with status 1 on a bad file",
          WIFEXITED(status) && WEXITSTATUS(status) == 1);
    CHECK("  and prints \"prog: path: message\"",
          strcmp(line, "test_nn: /nonexistent/model.bin: cannot open: No "
                       "such file or directory\n") == 0);

    const char *names[] = {"good.bin", "magic.bin", "version.bin",
                           "element.bin", "header.bin", "short.bin",
                           "long.bin", "text.bin", "stderr.txt"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", tmp_dir, names[i]);
        remove(path);
    }
    rmdir(tmp_dir);
    nn_params_free(&a.params);
    nn_params_free(&b.params);
    nn_params_free(&c.params);
    nn_params_free(&d.params);
}

/* ---- learning XOR ----------------------------------------------------------
 * 2 -> 8 tanh -> 1 logit, BCE, the four points as one batch. Any model
 * without the hidden layer is linear in x, and for XOR the best linear
 * logistic model is the constant 1/2 (by symmetry), with loss log 2 =
 * 0.693 per point: a loss below 0.05 needs the hidden layer to work. */

static double learn_xor(bool adam, int steps)
{
    enum { B = 4, HID = 8 };
    const real x[B * 2] = {0, 0, 0, 1, 1, 0, 1, 1}, t[B] = {0, 1, 1, 0};
    nn_params p;
    nn_dense l1, l2;
    nn_params_begin(&p);
    nn_dense_declare(&p, &l1, 2, HID);
    nn_dense_declare(&p, &l2, HID, 1);
    nn_params_allocate(&p);
    rng r;
    rng_seed(&r, 7);
    nn_dense_init(&l1, NN_INIT_XAVIER, &r);
    nn_dense_init(&l2, NN_INIT_XAVIER, &r);
    nn_adam opt = nn_adam_defaults(0.05);

    real a1[B * HID], h[B * HID], z[B];
    real dh[B * HID], da1[B * HID], dz[B];
    double loss = 0;
    for (int s = 0; s < steps; s++) {
        nn_dense_forward(a1, x, &l1, B);
        nn_tanh_forward(h, a1, B * HID);
        nn_dense_forward(z, h, &l2, B);
        nn_params_zero_grad(&p);
        memset(dz, 0, sizeof dz);
        memset(dh, 0, sizeof dh);
        memset(da1, 0, sizeof da1);
        loss = loss_bce_logits(dz, z, t, B, 1.0 / B) / B;
        nn_dense_backward(dh, &l2, dz, h, B);
        nn_tanh_backward(da1, h, dh, B * HID);
        nn_dense_backward(NULL, &l1, da1, x, B);
        if (adam)
            nn_adam_step(&p, &opt);
        else
            nn_sgd_step(&p, 1.0);
    }
    nn_params_free(&p);
    return loss;   /* of the parameters before the last step */
}

/* ---- Adam on several threads ------------------------------------------
 * The fast update is shared among the products' threads (mat_for). Each
 * parameter's is its own, so 2 and 3 threads must give the bits of 1:
 * a range computed twice, skipped or cut wrongly would show. */

static void adam_steps(nn_params *p, int threads)
{
    enum { STEPS = 3 };
    mat_set_threads_fast(threads);
    nn_adam opt = nn_adam_defaults(1e-3);
    rng r;
    rng_seed(&r, 11);
    for (size_t i = 0; i < p->count; i++)
        p->value[i] = (real)rng_normal(&r);
    for (int s = 0; s < STEPS; s++) {
        for (size_t i = 0; i < p->count; i++)
            p->grad[i] = (real)rng_normal(&r);
        nn_adam_step_fast(p, &opt);
    }
    mat_set_threads_fast(1);
}

static void check_adam_threads(void)
{
    /* 300,007 parameters: over mat_for's sharing threshold (65,536), and
     * not a multiple of the 16-element ranges */
    nn_params one, many;
    real *w1, *dw1, *w2, *dw2;
    nn_params_begin(&one);
    nn_params_tensor(&one, &w1, &dw1, 1, 300007);
    nn_params_allocate(&one);
    adam_steps(&one, 1);
    for (int threads = 2; threads <= 3; threads++) {
        nn_params_begin(&many);
        nn_params_tensor(&many, &w2, &dw2, 1, 300007);
        nn_params_allocate(&many);
        adam_steps(&many, threads);
        size_t bytes = 4 * one.count * sizeof(real);   /* all four arrays */
        char name[96];
        snprintf(name, sizeof name, "Adam, 3 steps of 300007 parameters: "
                 "%d threads give the bits of 1", threads);
        CHECK(name, memcmp(one.value, many.value, bytes) == 0);
        nn_params_free(&many);
    }
    nn_params_free(&one);
}

int main(void)
{
    check_block();
    check_adam_threads();
    check_init();
    check_huge_inputs();
    check_checkpoints();
    double adam = learn_xor(true, 300), sgd = learn_xor(false, 2000);
    printf("XOR loss per point: Adam %.4f after 300 steps, SGD %.4f after "
           "2000\n", adam, sgd);
    CHECK_LE("Adam learns XOR: loss < 0.05 (a linear model: 0.693)", adam,
             0.05);
    CHECK_LE("SGD learns XOR: loss < 0.05 (a linear model: 0.693)", sgd,
             0.05);
    return check_summary();
}
