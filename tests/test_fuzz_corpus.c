/* test_fuzz_corpus.c -- replays the fuzzers' committed corpus through
 * their own entry points, without libFuzzer: tests/fuzz/idx/ through
 * fuzz_idx_input, tests/fuzz/checkpoint/ through fuzz_checkpoint_input.
 * Each entry aborts when the reader breaks its promise (a refusal that
 * is not one line, a loaded set that is inconsistent, a refused
 * checkpoint that changed the model); under `make SAN=1 test` the
 * sanitizers watch too. Files named ok-* must load and bad-* must be
 * refused: the hand-written seeds, each an answer known beforehand. */
#define FUZZ_REPLAY
#include "fuzz_checkpoint.c"
#include "fuzz_idx.c"

#include "check.h"

#include <dirent.h>
#include <errno.h>

/* Reads a whole file; exits the test if it cannot. */
static uint8_t *slurp(const char *path, size_t *size)
{
    FILE *fp = fopen(path, "rb");
    uint8_t *data = malloc(1 << 20);
    if (fp == NULL || data == NULL) {
        printf("FAIL cannot read %s: %s\n", path, strerror(errno));
        exit(1);
    }
    *size = fread(data, 1, 1 << 20, fp);
    fclose(fp);
    return data;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replays every file of dir through entry, in name order; checks the
 * ok-/bad- seeds' verdicts and that both verdicts occur. */
static void replay(const char *dir, int (*entry)(const uint8_t *, size_t),
                   int min_files)
{
    char *names[512];
    int n = 0, loaded = 0;
    DIR *d = opendir(dir);
    CHECK("the corpus folder opens", d != NULL);
    if (d == NULL)
        return;
    for (struct dirent *e; (e = readdir(d)) != NULL && n < 512;)
        if (e->d_name[0] != '.')
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, by_name);
    for (int i = 0; i < n; i++) {
        char path[1024], what[1100];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        size_t size;
        uint8_t *data = slurp(path, &size);
        int ok = entry(data, size);
        loaded += ok;
        bool want_ok = strncmp(names[i], "ok-", 3) == 0;
        bool want_bad = strncmp(names[i], "bad-", 4) == 0;
        if (want_ok || want_bad) {
            snprintf(what, sizeof what, "%s %s", path,
                     want_ok ? "loads" : "is refused");
            check_record(what, ok == want_ok, __FILE__, __LINE__,
                         "verdict %s", ok ? "loaded" : "refused");
        }
        free(data);
        free(names[i]);
    }
    char what[256];
    snprintf(what, sizeof what, "%s: %d files replayed (at least %d), "
             "%d loaded, %d refused", dir, n, min_files, loaded,
             n - loaded);
    CHECK(what, n >= min_files && loaded > 0 && loaded < n);
}

int main(void)
{
    replay("tests/fuzz/idx", fuzz_idx_input, 10);
    replay("tests/fuzz/checkpoint", fuzz_checkpoint_input, 10);
    char path[128];   /* the harnesses' scratch files */
    remove(fuzz_checkpoint_path());
    snprintf(path, sizeof path, "%s/f-images-idx3-ubyte", fuzz_idx_dir());
    remove(path);
    snprintf(path, sizeof path, "%s/f-labels-idx1-ubyte", fuzz_idx_dir());
    remove(path);
    rmdir(fuzz_idx_dir());
    return check_summary();
}
