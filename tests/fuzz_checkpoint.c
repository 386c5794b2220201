/* fuzz_checkpoint.c -- libFuzzer harness for the checkpoint reader
 * (nn_params_read in common/nn.c).
 *
 * The input is the file. It is read into a small model of three tensors
 * (2x3, 1x3, 1x1) tagged "fuzz model", which must either take the
 * file's values (every one finite) or stay exactly as it was, with one
 * line saying why; anything else aborts, and the sanitizers catch the
 * rest. Built and run by `make fuzz`; tests/test_fuzz_corpus.c replays
 * tests/fuzz/checkpoint/ through the same entry point in `make test`. */
#include "nn.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The model every input is loaded into, its values a known pattern. */
typedef struct {
    nn_params p;
    real *w, *dw, *b, *db, *s, *ds;
} fuzz_model;

static void fuzz_model_init(fuzz_model *m)
{
    nn_params_begin(&m->p);
    nn_params_tensor(&m->p, &m->w, &m->dw, 2, 3);
    nn_params_tensor(&m->p, &m->b, &m->db, 1, 3);
    nn_params_tensor(&m->p, &m->s, &m->ds, 1, 1);
    nn_params_allocate(&m->p);
    for (size_t k = 0; k < m->p.count; k++)
        m->p.value[k] = (real)k + 0.5f;
}

/* The file every input is written to: one per process. */
static const char *fuzz_checkpoint_path(void)
{
    static char path[64];
    if (path[0] == '\0') {
        snprintf(path, sizeof path, "/tmp/fuzz-checkpoint-XXXXXX");
        int fd = mkstemp(path);
        if (fd < 0)
            abort();
        close(fd);
    }
    return path;
}

/* Returns 1 if the file loaded, 0 if it was refused; aborts if a
 * refused file changed the model, a loaded one holds a value that is
 * not finite, or the refusal is not one line of a known kind. */
int fuzz_checkpoint_input(const uint8_t *data, size_t size)
{
    const char *path = fuzz_checkpoint_path();
    FILE *fp = fopen(path, "wb");
    if (fp == NULL || fwrite(data, 1, size, fp) != size || fclose(fp))
        abort();
    fuzz_model m;
    fuzz_model_init(&m);
    char err[600] = "";
    nn_load_status status = nn_params_read(&m.p, path, "fuzz model", err,
                                           sizeof err);
    int loaded = status == NN_LOAD_OK;
    for (size_t k = 0; k < m.p.count; k++) {
        real v = m.p.value[k];
        if (loaded ? !(v == v && v - v == 0) : v != (real)k + 0.5f)
            abort();
    }
    if (!loaded && (err[0] == '\0' || strchr(err, '\n') != NULL ||
                    (status != NN_LOAD_BAD_FILE &&
                     status != NN_LOAD_OTHER_SHAPE)))
        abort();
    nn_params_free(&m.p);
    return loaded;
}

#ifndef FUZZ_REPLAY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_checkpoint_input(data, size);
    return 0;
}
#endif
