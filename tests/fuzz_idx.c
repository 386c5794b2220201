/* fuzz_idx.c -- libFuzzer harness for the IDX reader (common/data.c).
 *
 * One input is a pair of files: two big-endian bytes give the length of
 * the images file, its bytes follow, and the rest is the labels file.
 * Both are written to a folder of their own and read as a split with
 * data_load_split, which must either load a consistent set (every label
 * a digit, every pixel in [0, 1], one label per image) or refuse with
 * one line; anything else aborts, and the sanitizers catch the rest.
 *
 *   make fuzz FUZZ_SECONDS=60     builds with clang -fsanitize=fuzzer,
 *                                 address,undefined and runs both
 *
 * tests/test_fuzz_corpus.c replays tests/fuzz/idx/ through the same
 * entry point without libFuzzer, in `make test`. */
#include "data.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Writes n bytes to dir/name; aborts if it cannot (no verdict then). */
static void fuzz_write(const char *dir, const char *name,
                       const uint8_t *data, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    if (fp == NULL || fwrite(data, 1, n, fp) != n || fclose(fp) != 0)
        abort();
}

/* The folder the two files go to: one per process. */
static const char *fuzz_idx_dir(void)
{
    static char dir[64];
    if (dir[0] == '\0') {
        snprintf(dir, sizeof dir, "/tmp/fuzz-idx-XXXXXX");
        if (mkdtemp(dir) == NULL)
            abort();
    }
    return dir;
}

/* Returns 1 if the pair loaded, 0 if it was refused; aborts if a loaded
 * set is inconsistent or a refusal is not one line. */
int fuzz_idx_input(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t split = (size_t)data[0] << 8 | data[1];
    if (split > size - 2)
        split = size - 2;
    const char *dir = fuzz_idx_dir();
    fuzz_write(dir, "f-images-idx3-ubyte", data + 2, split);
    fuzz_write(dir, "f-labels-idx1-ubyte", data + 2 + split,
               size - 2 - split);
    data_set set;
    char err[2048] = "";
    bool ok = data_load_split(&set, dir, "f", 0, 0, err, sizeof err);
    if (!ok) {
        if (err[0] == '\0' || strchr(err, '\n') != NULL)
            abort();
        return 0;
    }
    if (set.n <= 0 || set.dim != set.rows * set.cols)
        abort();
    for (int i = 0; i < set.n; i++)
        if (set.y[i] > 9)
            abort();
    for (size_t k = 0; k < (size_t)set.n * (size_t)set.dim; k++)
        if (!(set.x[k] >= 0 && set.x[k] <= 1))
            abort();
    data_free(&set);
    return 1;
}

#ifndef FUZZ_REPLAY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_idx_input(data, size);
    return 0;
}
#endif
