/* reference.h -- reads the reference numbers that
 * tests/reference/make_reference.py writes with PyTorch (format 1, see
 * the script): named float64 tensors that a gradcheck_*.c test compares
 * with what common/ computes. Header-only, like check.h. */
#ifndef REFERENCE_H
#define REFERENCE_H

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "nn.h"
#include "real.h"

enum { REF_FORMAT = 1, REF_MAX_TENSORS = 256 };

typedef struct {
    char name[64];
    int rows, cols;
    double *v;          /* (rows, cols) */
} ref_tensor;

typedef struct {
    char torch[64];     /* the version that wrote the file */
    int n;
    ref_tensor t[REF_MAX_TENSORS];
} ref_file;

/* The next line that is neither empty nor a comment, or NULL at the end. */
static char *ref_next_line(FILE *fp, char **line, size_t *cap)
{
    while (getline(line, cap, fp) != -1)
        if ((*line)[0] != '#' && (*line)[0] != '\n')
            return *line;
    return NULL;
}

/* Frees what ref_load allocated. */
static void ref_free(ref_file *r)
{
    for (int i = 0; i < r->n; i++)
        free(r->t[i].v);
    r->n = 0;
}

/* Reads path into r. On failure returns false with one line in err:
 * a missing file, another format version, or a malformed block. */
static bool ref_load(ref_file *r, const char *path, char *err,
                     size_t err_size)
{
    memset(r, 0, sizeof *r);
    FILE *fp = fopen(path, "r");
    if (fp == NULL) {
        snprintf(err, err_size, "%s: cannot open (write it with "
                 "/usr/bin/python3 tests/reference/make_reference.py)",
                 path);
        return false;
    }
    char *line = NULL;
    size_t cap = 0;
    int format = 0;
    bool ok = false, ended = false;
    if (ref_next_line(fp, &line, &cap) == NULL ||
        sscanf(line, "format %d", &format) != 1) {
        snprintf(err, err_size, "%s: no \"format N\" line", path);
        goto done;
    }
    if (format != REF_FORMAT) {
        snprintf(err, err_size, "%s: format %d, this test reads format %d",
                 path, format, REF_FORMAT);
        goto done;
    }
    if (ref_next_line(fp, &line, &cap) == NULL ||
        sscanf(line, "torch %63s", r->torch) != 1) {
        snprintf(err, err_size, "%s: no \"torch VERSION\" line", path);
        goto done;
    }
    while (ref_next_line(fp, &line, &cap) != NULL) {
        if (strcmp(line, "end\n") == 0) {
            ended = true;
            break;
        }
        ref_tensor *t = &r->t[r->n];
        if (r->n == REF_MAX_TENSORS ||
            sscanf(line, "tensor %63s %d %d", t->name, &t->rows,
                   &t->cols) != 3 || t->rows < 1 || t->cols < 1) {
            snprintf(err, err_size, "%s: bad block header \"%.40s\"", path,
                     line);
            goto done;
        }
        t->v = malloc(sizeof(double) * (size_t)t->rows * (size_t)t->cols);
        r->n++;
        for (int i = 0; i < t->rows; i++) {
            char *p = ref_next_line(fp, &line, &cap), *end;
            for (int j = 0; j < t->cols && p != NULL; j++, p = end) {
                t->v[i * t->cols + j] = strtod(p, &end);
                if (end == p)
                    p = NULL;
            }
            if (p == NULL) {
                snprintf(err, err_size, "%s: %s: row %d is short", path,
                         t->name, i + 1);
                goto done;
            }
        }
    }
    if (!ended)
        snprintf(err, err_size, "%s: truncated (no \"end\" line)", path);
    ok = ended;
done:
    free(line);
    fclose(fp);
    if (!ok)
        ref_free(r);
    return ok;
}

/* A test's main opens its file: argv[1], else tests/reference/
 * mlp_reference.txt (from the top folder, where `make test` runs); false
 * with a failed check "reference file" if it cannot be read. */
static bool ref_load_main(ref_file *ref, int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1]
                                : "tests/reference/mlp_reference.txt";
    char err[300];
    if (!ref_load(ref, path, err, sizeof err)) {
        check_record("reference file", 0, __FILE__, __LINE__, "%s", err);
        return false;
    }
    printf("reference: %s, written with torch %s\n", path, ref->torch);
    return true;
}

/* The tensor called name, or NULL. */
static const ref_tensor *ref_find(const ref_file *r, const char *name)
{
    for (int i = 0; i < r->n; i++)
        if (strcmp(r->t[i].name, name) == 0)
            return &r->t[i];
    return NULL;
}

/* Both sides compute in double, in nearly the same order: differences
 * are a few roundings (~1e-16), grown by at most a few hundred through
 * a net and by Adam's division by sqrt(v) (whose first step moves each
 * parameter by about lr whatever its gradient, so a gradient near 0
 * still matches). Entries below REF_FLOOR are judged absolutely, to
 * REF_TOL * REF_FLOOR. */
static const double REF_TOL = 1e-12, REF_FLOOR = 1e-3;

/* The tensor `name` with the expected shape; a failed check if absent. */
static const ref_tensor *ref_wanted(const ref_file *ref, const char *name,
                                    int rows, int cols)
{
    const ref_tensor *t = ref_find(ref, name);
    if (t == NULL || t->rows != rows || t->cols != cols) {
        check_record(name, 0, __FILE__, __LINE__, "not in the file as a "
                     "%dx%d tensor", rows, cols);
        return NULL;
    }
    return t;
}

/* Copies a reference tensor into x (the inputs and initial weights). */
static void ref_take(real *x, const ref_file *ref, const char *name,
                     int rows, int cols)
{
    const ref_tensor *t = ref_wanted(ref, name, rows, cols);
    for (int i = 0; i < rows * cols; i++)
        x[i] = t ? (real)t->v[i] : 0;
}

/* One check: the worst relative difference between got and the
 * reference tensor `name`. */
static void ref_compare(const ref_file *ref, const char *name,
                        const real *got, int rows, int cols)
{
    const ref_tensor *t = ref_wanted(ref, name, rows, cols);
    if (t == NULL)
        return;
    double worst = 0;
    for (int i = 0; i < rows * cols; i++)
        worst = fmax(worst, fabs(got[i] - t->v[i]) /
                                fmax(fabs(t->v[i]), REF_FLOOR));
    char label[200];
    snprintf(label, sizeof label, "%s = PyTorch's (worst %.1e)", name,
             worst);
    CHECK_LE(label, worst, REF_TOL);
}

/* A dense layer's weights and biases from the tensors named
 * <before>w<after> and <before>b<after>. */
static void ref_take_dense(nn_dense *l, const ref_file *ref,
                           const char *before, const char *after)
{
    char name[96];
    snprintf(name, sizeof name, "%sw%s", before, after);
    ref_take(l->w, ref, name, l->out, l->in);
    snprintf(name, sizeof name, "%sb%s", before, after);
    ref_take(l->b, ref, name, 1, l->out);
}

/* Two checks: a dense layer's weights and biases (with grads, their
 * gradients) against the tensors <before>w<after> and <before>b<after>. */
static void ref_compare_dense(const ref_file *ref, const char *before,
                              const char *after, const nn_dense *l,
                              bool grads)
{
    char name[96];
    snprintf(name, sizeof name, "%sw%s", before, after);
    ref_compare(ref, name, grads ? l->dw : l->w, l->out, l->in);
    snprintf(name, sizeof name, "%sb%s", before, after);
    ref_compare(ref, name, grads ? l->db : l->b, 1, l->out);
}

#endif
