/* test_data.c -- the IDX reader and writer, .gz input, every error path,
 * minibatch order and gathering (common/data.c).
 *
 * The pixels and labels data.c returns are compared with the file's own
 * bytes read here directly; the files this test makes are written by its
 * own few lines of IDX, not by data.c. Runs from the repository root. */
#include "check.h"

#include "data.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const MINI = "data/mnist-mini";
static const char *const FASHION = "/usr/share/datasets/fashion-mnist";
static char tmp[64];  /* a fresh folder for the files made here */

/* Writes tmp/name: a big-endian header (magic, then each of `dims`)
 * followed by `len` payload bytes -- IDX by hand, for any magic. */
static void write_idx(const char *name, uint32_t magic, int ndims,
                      const uint32_t *dims, const unsigned char *payload,
                      size_t len)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", tmp, name);
    FILE *fp = fopen(path, "wb");
    uint32_t words[4] = {magic, 0, 0, 0};
    for (int d = 0; d < ndims; d++)
        words[1 + d] = dims[d];
    for (int k = 0; k <= ndims; k++) {
        unsigned char b[4] = {(unsigned char)(words[k] >> 24),
                              (unsigned char)(words[k] >> 16),
                              (unsigned char)(words[k] >> 8),
                              (unsigned char)words[k]};
        fwrite(b, 1, 4, fp);
    }
    fwrite(payload, 1, len, fp);
    fclose(fp);
}

/* Runs a shell command the test needs (gzip, mkdir); false on failure. */
__attribute__((format(printf, 1, 2)))
static bool shell(const char *fmt, ...)
{
    char cmd[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    return system(cmd) == 0;
}

/* Checks that split `split` of dir fails with a message that names
 * `file` and contains `want`, on one line, leaving the set empty. */
static void check_error(const char *name, const char *dir,
                        const char *split, int rows, int cols,
                        const char *file, const char *want)
{
    data_set set;
    char err[1024] = "";
    bool ok = data_load_split(&set, dir, split, rows, cols, err, sizeof err);
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    bool named = strstr(err, path) == err;  /* the message starts there */
    bool says = strstr(err, want) != NULL;
    if (ok || !named || !says)
        printf("     message was: %s\n     wanted: %s: ... %s ...\n", err,
               path, want);
    CHECK(name, !ok && named && says && strchr(err, '\n') == NULL &&
                set.n == 0 && set.x == NULL && set.y == NULL);
    data_free(&set);
}

/* Compares a loaded split with the bytes of its plain files. */
static void check_against_bytes(const char *what, const data_set *set,
                                 const char *dir, const char *split)
{
    char path[256], name[300];
    size_t ni, nl;
    snprintf(path, sizeof path, "%s/%s-images-idx3-ubyte", dir, split);
    unsigned char *img = check_read_file(path, &ni);
    snprintf(path, sizeof path, "%s/%s-labels-idx1-ubyte", dir, split);
    unsigned char *lab = check_read_file(path, &nl);
    bool same = img && lab && ni == 16 + (size_t)set->n * set->dim &&
                nl == 8 + (size_t)set->n;
    for (size_t i = 0; same && i < (size_t)set->n * set->dim; i++)
        same = set->x[i] == (real)img[16 + i] / (real)255;
    for (int i = 0; same && i < set->n; i++)
        same = set->y[i] == lab[8 + i];
    snprintf(name, sizeof name, "%s: every pixel = byte/255, every label "
             "= byte", what);
    CHECK(name, same);
    free(img);
    free(lab);
}

/* Pixel range and a plausible share of every digit (5% .. 15%). */
static void check_digits(const char *what, const data_set *set)
{
    char name[200];
    real lo = 1, hi = 0;
    for (size_t i = 0; i < (size_t)set->n * set->dim; i++) {
        lo = set->x[i] < lo ? set->x[i] : lo;
        hi = set->x[i] > hi ? set->x[i] : hi;
    }
    snprintf(name, sizeof name, "%s: pixels span exactly [0, 1]", what);
    CHECK(name, lo == 0 && hi == 1);
    int counts[DATA_CLASSES] = {0};
    for (int i = 0; i < set->n; i++)
        counts[set->y[i]]++;
    for (int d = 0; d < DATA_CLASSES; d++) {
        snprintf(name, sizeof name, "%s: digit %d is 5%%-15%% of labels",
                 what, d);
        double share = (double)counts[d] / set->n;
        CHECK(name, share >= 0.05 && share <= 0.15);
    }
}

static void test_mnist_mini(data_set *train, data_set *test)
{
    data_load(train, MINI, "train", 28, 28);
    data_load(test, MINI, "t10k", 28, 28);
    CHECK("mini train: 8000 images of 28x28", train->n == 8000 &&
          train->rows == 28 && train->cols == 28 && train->dim == 784);
    CHECK("mini t10k: 2000 images of 28x28", test->n == 2000 &&
          test->rows == 28 && test->cols == 28 && test->dim == 784);
    check_against_bytes("mini train", train, MINI, "train");
    check_against_bytes("mini t10k", test, MINI, "t10k");
    check_digits("mini train", train);
    check_digits("mini t10k", test);
    /* MNIST's mean pixel is 0.1307 (the constant everyone normalises
     * with); a subset of 8000 lands within a hundredth of it. */
    double sum = 0;
    for (size_t i = 0; i < (size_t)train->n * train->dim; i++)
        sum += train->x[i];
    CHECK_NEAR("mini train: mean pixel near MNIST's 0.1307",
               sum / ((double)train->n * train->dim), 0.1307, 0.01);
}

/* A tiny set holding every byte value once, by hand; data.c reads it and
 * writes it back, and the files must come out identical. */
static void test_round_trip(void)
{
    enum { N = 4, ROWS = 8, COLS = 8 };
    unsigned char pixels[N * ROWS * COLS], labels[N] = {0, 9, 5, 3};
    for (int i = 0; i < N * ROWS * COLS; i++)
        pixels[i] = (unsigned char)(i * 97 + 13);  /* 97 odd: a permutation */
    write_idx("hand-images-idx3-ubyte", 0x803, 3,
              (const uint32_t[]){N, ROWS, COLS}, pixels, sizeof pixels);
    write_idx("hand-labels-idx1-ubyte", 0x801, 1, (const uint32_t[]){N},
              labels, sizeof labels);
    data_set set;
    char err[1024] = "";
    bool ok = data_load_split(&set, tmp, "hand", ROWS, COLS, err, sizeof err);
    CHECK("hand-made IDX loads", ok && set.n == N && set.rows == ROWS &&
          set.cols == COLS);
    if (!ok) {
        printf("     %s\n", err);
        return;
    }
    bool exact = true;
    for (int i = 0; i < N * ROWS * COLS; i++)
        exact &= fabs(set.x[i] - pixels[i] / 255.0) <= 1e-7;
    CHECK("hand-made IDX: pixel = byte / 255 for all 256 bytes", exact);
    data_write_images(tmp, "copy-images-idx3-ubyte", set.x, set.n,
                      set.rows, set.cols);
    data_write_labels(tmp, "copy-labels-idx1-ubyte", set.y, set.n);
    const char *kinds[2] = {"images-idx3", "labels-idx1"};
    for (int k = 0; k < 2; k++) {
        char a[256], b[256], name[100];
        size_t na = 0, nb = 0;
        snprintf(a, sizeof a, "%s/hand-%s-ubyte", tmp, kinds[k]);
        snprintf(b, sizeof b, "%s/copy-%s-ubyte", tmp, kinds[k]);
        unsigned char *fa = check_read_file(a, &na);
        unsigned char *fb = check_read_file(b, &nb);
        snprintf(name, sizeof name, "IDX writer: %s file identical to "
                 "the hand-made one, bit for bit", kinds[k]);
        CHECK(name, fa && fb && na == nb && memcmp(fa, fb, na) == 0);
        free(fa);
        free(fb);
    }
    /* Values outside [0,1] are clamped, NaN written as 0. */
    real odd[4] = {-0.5f, 1.5f, NAN, 0.5f};
    data_write_images(tmp, "odd-images-idx3-ubyte", odd, 1, 2, 2);
    char path[256];
    size_t n = 0;
    snprintf(path, sizeof path, "%s/odd-images-idx3-ubyte", tmp);
    unsigned char *f = check_read_file(path, &n);
    CHECK("IDX writer: -0.5, 1.5, NaN, 0.5 -> 0, 255, 0, 128",
          f && n == 20 && f[16] == 0 && f[17] == 255 && f[18] == 0 &&
          f[19] == 128);
    free(f);
    data_free(&set);
}

static void test_gzip(const data_set *test)
{
    char dir[128];
    snprintf(dir, sizeof dir, "%s/gz", tmp);
    bool made = shell("mkdir -p '%s' && for f in t10k-images-idx3-ubyte "
                      "t10k-labels-idx1-ubyte; do gzip -c data/mnist-mini/"
                      "$f > '%s'/$f.gz || exit 1; done", dir, dir);
    CHECK("gzip made the .gz copies of mini t10k", made);
    data_set gz;
    char err[1024] = "";
    bool ok = data_load_split(&gz, dir, "t10k", 28, 28, err, sizeof err);
    if (!ok)
        printf("     %s\n", err);
    CHECK(".gz t10k loads identically to the plain files", ok &&
          gz.n == test->n && gz.dim == test->dim &&
          memcmp(gz.x, test->x, (size_t)gz.n * gz.dim * sizeof *gz.x) == 0
          && memcmp(gz.y, test->y, (size_t)gz.n) == 0);
    data_free(&gz);

    /* With both, the plain file wins: put the 4-image hand set beside
     * the 2000-image .gz files under the same names. */
    made = shell("cp '%s'/hand-images-idx3-ubyte '%s'/t10k-images-idx3-"
                 "ubyte", tmp, dir) &&
           shell("cp '%s'/hand-labels-idx1-ubyte '%s'/t10k-labels-idx1-"
                 "ubyte", tmp, dir);
    ok = data_load_split(&gz, dir, "t10k", 0, 0, err, sizeof err);
    CHECK("plain file preferred over NAME.gz", made && ok && gz.n == 4);
    data_free(&gz);
}

/* A file of three 2x2 images, magic and len bytes of pixels as given, that
 * the loader must refuse with a message naming it and containing want. */
static void check_bad_images(const char *name, const char *split,
                             uint32_t magic, size_t len, const char *want)
{
    static const unsigned char bytes[16] = {0};
    const uint32_t three22[3] = {3, 2, 2};
    char file[64];
    snprintf(file, sizeof file, "%s-images-idx3-ubyte", split);
    write_idx(file, magic, 3, three22, bytes, len);
    check_error(name, tmp, split, 0, 0, file, want);
}

static void test_errors(void)
{
    unsigned char bytes[64] = {0};
    const uint32_t three22[3] = {3, 2, 2}, three[1] = {3}, two[1] = {2};
    check_bad_images("error: wrong magic in images", "magic", 0x801, 12,
                     ": magic 0x00000801, expected 0x00000803");
    check_bad_images("error: truncated pixels", "short", 0x803, 10,
                     ": truncated: expected 12 bytes of pixels, got 10");
    check_bad_images("error: bytes after the data", "long", 0x803, 13,
                     ": longer than its header says");

    write_idx("lmagic-images-idx3-ubyte", 0x803, 3, three22, bytes, 12);
    write_idx("lmagic-labels-idx1-ubyte", 0x803, 1, three, bytes, 3);
    check_error("error: wrong magic in labels", tmp, "lmagic", 0, 0,
                "lmagic-labels-idx1-ubyte",
                ": magic 0x00000803, expected 0x00000801");

    write_idx("head-images-idx3-ubyte", 0x803, 1, three, bytes, 0);
    check_error("error: file ends inside the header", tmp, "head", 0, 0,
                "head-images-idx3-ubyte",
                ": file ends inside the header (8 of 16 bytes)");

    write_idx("count-images-idx3-ubyte", 0x803, 3, three22, bytes, 12);
    write_idx("count-labels-idx1-ubyte", 0x801, 1, two, bytes, 2);
    check_error("error: image/label count mismatch", tmp, "count", 0, 0,
                "count-images-idx3-ubyte", ": 3 images, but ");
    check_error("error: mismatch message gives the label count", tmp,
                "count", 0, 0, "count-images-idx3-ubyte",
                "count-labels-idx1-ubyte: 2 labels");

    check_error("error: missing file", tmp, "nothing", 0, 0,
                "nothing-images-idx3-ubyte",
                ": no such file (nor nothing-images-idx3-ubyte.gz)");
    write_idx("nolab-images-idx3-ubyte", 0x803, 3, three22, bytes, 12);
    check_error("error: missing labels file", tmp, "nolab", 0, 0,
                "nolab-labels-idx1-ubyte", ": no such file");

    check_error("error: wrong image size", tmp, "count", 28, 28,
                "count-images-idx3-ubyte",
                ": images are 2x2, this program needs 28x28");

    unsigned char bad_labels[3] = {1, 10, 2};  /* 10: the first non-digit */
    write_idx("label-images-idx3-ubyte", 0x803, 3, three22, bytes, 12);
    write_idx("label-labels-idx1-ubyte", 0x801, 1, three, bad_labels, 3);
    check_error("error: label > 9", tmp, "label", 0, 0,
                "label-labels-idx1-ubyte",
                ": label 10 of example 1 is not a digit 0-9");

    /* Sizes are refused before anything is allocated: 10^6 digits of
     * 28x28 would be 7.8e8 bytes, and the file has none of them. */
    write_idx("huge-images-idx3-ubyte", 0x803, 3,
              (const uint32_t[]){1000000, 28, 28}, bytes, 0);
    check_error("error: header claims too many pixels", tmp, "huge", 0, 0,
                "huge-images-idx3-ubyte",
                ": header claims more than 100000000 bytes");
    write_idx("overflow-images-idx3-ubyte", 0x803, 3,
              (const uint32_t[]){0xffffffffu, 0xffffffffu, 0xffffffffu},
              bytes, 0);
    check_error("error: counts that overflow 64 bits are refused", tmp,
                "overflow", 0, 0, "overflow-images-idx3-ubyte",
                ": header claims more than");
    write_idx("zero-images-idx3-ubyte", 0x803, 3,
              (const uint32_t[]){0, 28, 28}, bytes, 0);
    check_error("error: zero images", tmp, "zero", 0, 0,
                "zero-images-idx3-ubyte", ": dimension 0 is 0");

    /* .gz inputs: not gzip at all, a gzip stream cut in half, and gzip
     * data under a plain name. */
    char path[256];
    snprintf(path, sizeof path, "%s/garbage-images-idx3-ubyte.gz", tmp);
    FILE *fp = fopen(path, "wb");
    fputs("this is not gzip data\n", fp);
    fclose(fp);
    check_error("error: .gz that is not gzip", tmp, "garbage", 0, 0,
                "garbage-images-idx3-ubyte.gz", ": decompression failed: "
                "gzip says");
    bool made = shell("gzip -c data/mnist-mini/t10k-images-idx3-ubyte | "
                      "head -c 100000 > '%s'/cut-images-idx3-ubyte.gz", tmp);
    CHECK("made a truncated .gz", made);
    check_error("error: truncated .gz", tmp, "cut", 0, 0,
                "cut-images-idx3-ubyte.gz", ": decompression failed: "
                "gzip says");
    made = shell("gzip -c '%s'/hand-images-idx3-ubyte > "
                 "'%s'/zipped-images-idx3-ubyte", tmp, tmp);
    CHECK("made a gzip file without .gz", made);
    check_error("error: gzip data under a plain name", tmp, "zipped", 0, 0,
                "zipped-images-idx3-ubyte",
                ": magic 0x1f8b0808, expected 0x00000803 (gzip data: name "
                "the file .gz)");

    /* A path with a quote and a space reaches gzip intact. */
    char odd_dir[160];
    snprintf(odd_dir, sizeof odd_dir, "%s/it's here", tmp);
    mkdir(odd_dir, 0777);
    made = shell("cd '%s' && gzip -c hand-images-idx3-ubyte > \"it's "
                 "here\"/hand-images-idx3-ubyte.gz && gzip -c "
                 "hand-labels-idx1-ubyte > \"it's here\"/hand-labels-idx1-"
                 "ubyte.gz", tmp);
    data_set set;
    char err[1024] = "";
    bool ok = data_load_split(&set, odd_dir, "hand", 8, 8, err, sizeof err);
    if (!ok)
        printf("     %s\n", err);
    CHECK("a .gz under a folder named \"it's here\" loads", made && ok &&
          set.n == 4);
    data_free(&set);

    /* The exiting form: status 1 (its one line goes to this log). */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        data_load(&set, tmp, "magic", 0, 0);
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK("data_load exits with status 1 on bad data",
          WIFEXITED(status) && WEXITSTATUS(status) == 1);
}

static void test_batches(const data_set *train)
{
    enum { N = 1000 };
    int a[N], b[N], c[N], seen[N] = {0};
    rng r;
    rng_seed(&r, 7);
    data_order(a, N, &r);
    data_order(b, N, &r);
    rng_seed(&r, 7);
    data_order(c, N, &r);
    bool perm = true;
    for (int i = 0; i < N; i++)
        perm &= a[i] >= 0 && a[i] < N && seen[a[i]]++ == 0;
    CHECK("data_order: a permutation of 0..n-1", perm);
    CHECK("data_order: the next epoch is another order",
          memcmp(a, b, sizeof a) != 0);
    CHECK("data_order: the same seed gives the same order",
          memcmp(a, c, sizeof a) == 0);
    int fixed = 0;
    for (int i = 0; i < N; i++)
        fixed += a[i] == i;
    /* A uniform permutation has 1 fixed point on average, Poisson(1):
     * P(more than 8) < 1e-5. */
    CHECK_LE("data_order: about 1 fixed point, as shuffled", fixed, 8);

    const int index[3] = {5, 0, 7999};
    real x[3 * 784];
    unsigned char y[3];
    data_gather(x, y, train, index, 3);
    bool same = true;
    for (int b2 = 0; b2 < 3; b2++)
        same &= memcmp(x + b2 * 784, train->x + (size_t)index[b2] * 784,
                       784 * sizeof *x) == 0 && y[b2] == train->y[index[b2]];
    CHECK("data_gather: rows 5, 0, 7999 copied in that order", same);
    data_gather(x, NULL, train, index + 2, 1);
    CHECK("data_gather: labels optional", memcmp(x, train->x + 7999 * 784,
                                                 784 * sizeof *x) == 0);
}

static void test_truncate(data_set *train)
{
    data_truncate(train, 0);
    CHECK("data_truncate(0) keeps all", train->n == 8000);
    data_truncate(train, 9000);
    CHECK("data_truncate(9000) of 8000 keeps all", train->n == 8000);
    data_truncate(train, 100);
    CHECK("data_truncate(100) keeps the first 100", train->n == 100);
}

/* Debian's dataset-fashion-mnist: four .gz files named as MNIST's. */
static void test_fashion(void)
{
    struct stat st;
    if (stat(FASHION, &st) != 0) {
        printf("skip: %s not installed (apt-get install "
               "dataset-fashion-mnist); not counted\n", FASHION);
        return;
    }
    data_set train, test;
    char err[1024] = "";
    bool ok = data_load_split(&train, FASHION, "train", 28, 28, err,
                              sizeof err) &&
              data_load_split(&test, FASHION, "t10k", 28, 28, err,
                              sizeof err);
    if (!ok) {
        printf("     %s\n", err);
        CHECK("Fashion-MNIST loads", false);
        return;
    }
    CHECK("Fashion-MNIST: 60000 train and 10000 test images of 28x28",
          train.n == 60000 && test.n == 10000 && train.dim == 784);
    /* Fashion-MNIST is balanced by construction: 6000 and 1000 per
     * class. */
    int counts[2][DATA_CLASSES] = {{0}};
    for (int i = 0; i < train.n; i++)
        counts[0][train.y[i]]++;
    for (int i = 0; i < test.n; i++)
        counts[1][test.y[i]]++;
    bool balanced = true;
    for (int d = 0; d < DATA_CLASSES; d++)
        balanced &= counts[0][d] == 6000 && counts[1][d] == 1000;
    CHECK("Fashion-MNIST: 6000 / 1000 of each class", balanced);
    data_free(&train);
    data_free(&test);
}

int main(void)
{
    snprintf(tmp, sizeof tmp, "/tmp/test_data.XXXXXX");
    if (mkdtemp(tmp) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    data_set train, test;
    test_mnist_mini(&train, &test);
    test_round_trip();
    test_gzip(&test);
    test_errors();
    test_batches(&train);
    test_truncate(&train);
    test_fashion();
    data_free(&train);
    data_free(&test);
    CHECK("data_free empties the set", train.n == 0 && train.x == NULL);
    shell("rm -rf '%s'", tmp);
    return check_summary();
}
