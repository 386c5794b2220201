/* data.c -- IDX files in and out, minibatch order and gathering (see
 * data.h). */
#include "data.h"

#include "cli.h"
#include "image.h"
#include "report.h"
#include "sys.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* IDX magic numbers: two zero bytes, 0x08 for "unsigned byte", then the
 * number of dimensions. */
enum { IDX_UBYTE = 0x0800, IDX_MAX_DIMS = 3 };

/* One IDX file as read: where it was found, its sizes and its payload. */
typedef struct {
    char path[1040];            /* DIR/NAME or DIR/NAME.gz */
    const char *what;           /* "pixels" or "labels", for messages */
    int ndims;
    uint32_t dims[IDX_MAX_DIMS];
    unsigned char *bytes;       /* (dims[0] * ... * dims[ndims-1]) */
    size_t count;
    char gzip_err[32];          /* a .gz: the file gzip's stderr went to */
} idx_file;

/* Formats a one-line error into err; returns false so that callers can
 * `return fail(...)`. */
__attribute__((format(printf, 3, 4)))
static bool fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return false;
}

/* The 32-bit big-endian number at p: IDX's byte order. */
static uint32_t read_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
           (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Writes v as 4 big-endian bytes. */
static void write_be32(FILE *fp, uint32_t v)
{
    unsigned char b[4] = {v >> 24, v >> 16 & 0xff, v >> 8 & 0xff, v & 0xff};
    fwrite(b, 1, 4, fp);
}

/* Opens dir/name, or else dir/name.gz through `gzip -dc`; sets f->path
 * to the file found and *piped to whether fp is a pipe. */
static FILE *idx_open(idx_file *f, bool *piped, const char *dir,
                      const char *name, char *err, size_t errlen)
{
    struct stat st;
    int len = snprintf(f->path, sizeof f->path, "%s/%s", dir, name);
    if (len < 0 || (size_t)len + 3 >= sizeof f->path) {
        fail(err, errlen, "%s/%s: path too long", dir, name);
        return NULL;
    }
    *piped = false;
    if (stat(f->path, &st) == 0) {
        if (!S_ISREG(st.st_mode)) {
            fail(err, errlen, "%s: not a file", f->path);
            return NULL;
        }
        FILE *fp = fopen(f->path, "rb");
        if (fp == NULL)
            fail(err, errlen, "%s: cannot open: %s", f->path,
                 strerror(errno));
        return fp;
    }
    strcat(f->path, ".gz");
    if (stat(f->path, &st) != 0) {
        f->path[len] = '\0';
        fail(err, errlen, "%s: no such file (nor %s.gz)", f->path, name);
        return NULL;
    }
    /* Quote the path for the shell: '...', each ' inside as '\''. */
    char cmd[4 * sizeof f->path + 64], *c = cmd;
    c += sprintf(c, "gzip -dc -- '");
    for (const char *p = f->path; *p; p++) {
        if (*p == '\'') {
            memcpy(c, "'\\''", 4);
            c += 4;
        } else {
            *c++ = *p;
        }
    }
    /* gzip's own message, if it fails, goes to a file of ours. */
    snprintf(f->gzip_err, sizeof f->gzip_err, "/tmp/idx-gzip-XXXXXX");
    int fd = mkstemp(f->gzip_err);
    if (fd < 0)
        snprintf(f->gzip_err, sizeof f->gzip_err, "/dev/null");
    else
        close(fd);
    snprintf(c, sizeof cmd - (size_t)(c - cmd), "' 2>'%s'", f->gzip_err);
    FILE *fp = popen(cmd, "r");
    if (fp == NULL)
        fail(err, errlen, "%s: cannot start gzip: %s", f->path,
             strerror(errno));
    *piped = true;
    return fp;
}

/* Closes the stream; for a pipe, false when gzip did not succeed, with
 * gzip's complaint (its last line, less the "gzip: FILE: " before it)
 * in why, or "" if it said nothing (it lost its reader: our problem). */
static bool idx_close(FILE *fp, idx_file *f, bool piped, char *why,
                      size_t whylen)
{
    if (!piped)
        return fclose(fp) == 0;
    int status = pclose(fp);
    char line[256] = "", last[256] = "";
    FILE *err = fopen(f->gzip_err, "r");
    while (err && fgets(line, sizeof line, err))
        snprintf(last, sizeof last, "%s", line);
    if (err)
        fclose(err);
    if (strcmp(f->gzip_err, "/dev/null") != 0)
        remove(f->gzip_err);
    last[strcspn(last, "\n")] = '\0';
    const char *said = strrchr(last, ':');
    said = said ? said + 1 + (said[1] == ' ') : last;
    why[0] = '\0';
    if (said[0] != '\0')
        snprintf(why, whylen, "decompression failed: gzip says \"%s\"",
                 said);
    return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Reads the header: magic, then one big-endian count per dimension.
 * Validates the sizes before anything is allocated. The problem, if any,
 * goes to `why`; *short_read says the stream ended too soon. */
static bool idx_read_header(idx_file *f, FILE *fp, bool *short_read,
                            char *why, size_t whylen)
{
    unsigned char head[4 + 4 * IDX_MAX_DIMS];
    size_t head_bytes = 4 + 4 * (size_t)f->ndims;
    size_t got = fread(head, 1, head_bytes, fp);
    if (got < head_bytes) {
        *short_read = true;
        return fail(why, whylen, "file ends inside the header (%zu of "
                    "%zu bytes)", got, head_bytes);
    }
//> ch03-idx-header
    uint32_t magic = read_be32(head);
    uint32_t want = IDX_UBYTE | (uint32_t)f->ndims;
    if (magic != want)
        return fail(why, whylen, "magic 0x%08x, expected 0x%08x%s",
                    magic, want, head[0] == 0x1f && head[1] == 0x8b ?
                    " (gzip data: name the file .gz)" : "");
    uint64_t count = 1;
    for (int d = 0; d < f->ndims; d++) {
        f->dims[d] = read_be32(head + 4 + 4 * d);
        if (f->dims[d] == 0)
            return fail(why, whylen, "dimension %d is 0", d);
        if (count * f->dims[d] > DATA_MAX_PIXELS)
            return fail(why, whylen, "header claims more than %d "
                        "bytes", DATA_MAX_PIXELS);
        count *= f->dims[d];
    }
//< ch03-idx-header
    f->count = (size_t)count;
    return true;
}

/* Reads the `count` bytes after the header, and makes sure nothing
 * follows them. */
static bool idx_read_payload(idx_file *f, FILE *fp, bool *short_read,
                             char *why, size_t whylen)
{
    f->bytes = malloc(f->count);
    if (f->bytes == NULL)
        return fail(why, whylen, "out of memory for %zu bytes", f->count);
    size_t got = fread(f->bytes, 1, f->count, fp);
    if (ferror(fp))
        return fail(why, whylen, "read error: %s", strerror(errno));
    if (got < f->count) {
        *short_read = true;
        return fail(why, whylen, "truncated: expected %zu bytes of %s, "
                    "got %zu", f->count, f->what, got);
    }
    if (fgetc(fp) != EOF)
        return fail(why, whylen, "longer than its header says (%zu "
                    "bytes of %s expected)", f->count, f->what);
    return true;
}

/* Reads a whole IDX file of unsigned bytes with `ndims` dimensions:
 * images (3: n, rows, cols) or labels (1: n). */
static bool idx_read(idx_file *f, const char *dir, const char *name,
                     int ndims, char *err, size_t errlen)
{
    bool piped;
    f->what = ndims == 3 ? "pixels" : "labels";
    f->ndims = ndims;
    f->bytes = NULL;
    FILE *fp = idx_open(f, &piped, dir, name, err, errlen);
    if (fp == NULL)
        return false;

    char why[256] = "";
    bool short_read = false;
    bool ok = idx_read_header(f, fp, &short_read, why, sizeof why) &&
              idx_read_payload(f, fp, &short_read, why, sizeof why);
    /* A gzip that complained explains any problem better than the
     * bytes it gave do; one that just lost its reader (after a bad
     * header) explains nothing; one that failed silently, a short read. */
    char gzip_why[320];
    if (!idx_close(fp, f, piped, gzip_why, sizeof gzip_why) && piped) {
        if (gzip_why[0] != '\0')   /* cut to fit: a message, not data */
            snprintf(why, sizeof why, "%.*s", (int)sizeof why - 1,
                     gzip_why);
        else if (ok || short_read)
            snprintf(why, sizeof why, "gzip -dc failed (not a valid, "
                     "complete gzip file, or no gzip installed)");
        ok = false;
    }
    if (ok)
        return true;
    free(f->bytes);
    f->bytes = NULL;
    return fail(err, errlen, "%s: %s", f->path, why);
}

/* Checks the images have the size the caller needs (any, if 0 x 0). */
static bool images_check_size(const idx_file *images, int rows, int cols,
                              char *err, size_t errlen)
{
    uint32_t h = images->dims[1], w = images->dims[2];
    if (rows <= 0 || cols <= 0 || (h == (uint32_t)rows &&
                                   w == (uint32_t)cols))
        return true;
    return fail(err, errlen, "%s: images are %ux%u, this program needs "
                "%dx%d", images->path, h, w, rows, cols);
}

/* Checks there is one label per image and each is a digit. */
static bool labels_check(const idx_file *labels, const idx_file *images,
                         char *err, size_t errlen)
{
    uint32_t n = images->dims[0];
    if (labels->dims[0] != n)
        return fail(err, errlen, "%s: %u images, but %s: %u labels",
                    images->path, n, labels->path, labels->dims[0]);
    for (uint32_t i = 0; i < n; i++)
        if (labels->bytes[i] >= DATA_CLASSES)
            return fail(err, errlen, "%s: label %u of example %u is not "
                        "a digit 0-9", labels->path, labels->bytes[i], i);
    return true;
}

/* Reads both files of a split, checks them against each other and the
 * size asked for, and turns the pixel bytes into reals. */
bool data_load_split(data_set *out, const char *dir, const char *split,
                     int rows, int cols, char *err, size_t errlen)
{
    *out = (data_set){0};
    char images_name[512], labels_name[512];
    snprintf(images_name, sizeof images_name, "%s-images-idx3-ubyte",
             split);
    snprintf(labels_name, sizeof labels_name, "%s-labels-idx1-ubyte",
             split);
    idx_file images = {.bytes = NULL}, labels = {.bytes = NULL};
    bool ok = idx_read(&images, dir, images_name, 3, err, errlen) &&
              images_check_size(&images, rows, cols, err, errlen) &&
              idx_read(&labels, dir, labels_name, 1, err, errlen) &&
              labels_check(&labels, &images, err, errlen);
    if (ok) {
        out->x = malloc(images.count * sizeof *out->x);
        if (out->x == NULL)
            ok = fail(err, errlen, "%s: out of memory for %zu pixels",
                      images.path, images.count);
    }
    if (ok) {
        real byte_value[256];  /* byte b stands for b / 255 */
        for (int b = 0; b < 256; b++)
            byte_value[b] = (real)b / (real)255;
        for (size_t i = 0; i < images.count; i++)
            out->x[i] = byte_value[images.bytes[i]];
        out->n = (int)images.dims[0];
        out->rows = (int)images.dims[1];
        out->cols = (int)images.dims[2];
        out->dim = out->rows * out->cols;
        out->y = labels.bytes;  /* already the (n) label bytes: keep */
        labels.bytes = NULL;
    }
    free(images.bytes);
    free(labels.bytes);
    return ok;
}

/* Where a relative data folder that is not here is found next to the
 * program or in a folder above it (a binary run by its path from
 * elsewhere: make puts it at the top of the repository, beside data/,
 * or under build/). NULL if nowhere. */
static const char *data_beside_program(const char *dir)
{
    static char found[4096];
    char exe[2048];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (dir[0] == '/' || n <= 0)
        return NULL;
    exe[n] = '\0';
    for (char *slash; (slash = strrchr(exe, '/')) != NULL;) {
        *slash = '\0';   /* up one folder */
        struct stat st;
        if (snprintf(found, sizeof found, "%s/%s", exe, dir) <
                (int)sizeof found && stat(found, &st) == 0 &&
            S_ISDIR(st.st_mode))
            return found;
    }
    return NULL;
}

/* data_load_split for programs: a bad file ends the run with its line.
 * A folder that is not here is looked for next to the program. */
void data_load(data_set *out, const char *dir, const char *split,
               int rows, int cols)
{
    struct stat st;
    const char *beside = stat(dir, &st) != 0 ? data_beside_program(dir)
                                               : NULL;
    if (beside != NULL) {
        if (strcmp(split, "train") == 0)
            printf("data: %s is not here; using %s, next to the "
                   "program\n", dir, beside);
        dir = beside;
    }
    /* room for a path of any length: cli_die shortens it */
    size_t size = 2 * strlen(dir) + 1024;
    char *err = sys_alloc(size, 1);
    if (!data_load_split(out, dir, split, rows, cols, err, size))
        sys_die(SYS_FAILED, "%s%s", err, dir[0] != '/' && stat(dir, &st) != 0 ?
                " here or next to the program (run from the repository's"
                " top folder, or pass --data DIR)" : "");
    free(err);
}

/* Frees both buffers; the set is left empty, safe to free again. */
void data_free(data_set *set)
{
    free(set->x);
    free(set->y);
    *set = (data_set){0};
}

/* Shortens the set to its first n examples (see data.h). */
void data_truncate(data_set *set, int n)
{
    if (n > 0 && n < set->n)
        set->n = n;  /* the buffers keep their size; data_free frees all */
}

//> ch03-gather
/* A fresh visiting order for one epoch: 0 .. n-1, shuffled. */
void data_order(int *order, int n, rng *r)
{
    for (int i = 0; i < n; i++)
        order[i] = i;
    rng_shuffle(r, order, n);
}

/* Copies the examples a batch names into one contiguous block, so
 * the network sees a (count, dim) matrix. */
void data_gather(real *x_batch /* (count, dim) */,
                 unsigned char *y_batch /* (count) */,
                 const data_set *set, const int *index, int count)
{
    size_t dim = (size_t)set->dim;
    for (int b = 0; b < count; b++) {
        const real *row = set->x + (size_t)index[b] * dim;
        memcpy(x_batch + (size_t)b * dim, row, dim * sizeof *row);
        if (y_batch)
            y_batch[b] = set->y[index[b]];
    }
}
//< ch03-gather

/* Writes an IDX header: magic for `ndims` byte dimensions, then each. */
static void idx_write_header(FILE *fp, int ndims, const int *dims)
{
    write_be32(fp, IDX_UBYTE | (uint32_t)ndims);
    for (int d = 0; d < ndims; d++)
        write_be32(fp, (uint32_t)dims[d]);
}

/* Writes images as IDX: the header, then one rounded byte a pixel. */
void data_write_images(const char *dir, const char *name,
                       const real *x /* (n, rows*cols) */,
                       int n, int rows, int cols)
{
    report_file f;
    report_open(&f, dir, name);
    idx_write_header(f.fp, 3, (const int[]){n, rows, cols});
    size_t count = (size_t)n * (size_t)rows * (size_t)cols;
    for (size_t i = 0; i < count; i++)
        fputc(image_byte(x[i]), f.fp);
    report_commit(&f);
}

/* Writes labels as IDX: the header, then the label bytes. */
void data_write_labels(const char *dir, const char *name,
                       const unsigned char *y /* (n) */, int n)
{
    report_file f;
    report_open(&f, dir, name);
    idx_write_header(f.fp, 1, (const int[]){n});
    fwrite(y, 1, (size_t)n, f.fp);
    report_commit(&f);
}

void data_onehot(real *cond, const unsigned char *label, int B,
                 int classes)
{
    memset(cond, 0, sizeof(real) * (size_t)B * (size_t)classes);
    for (int b = 0; b < B; b++)
        cond[(size_t)b * classes + label[b]] = 1;
}

void data_binarize(real *x, size_t n, rng *r)
{
    for (size_t i = 0; i < n; i++)
        x[i] = rng_uniform(r) < x[i] ? 1 : 0;
}

void data_binarize_fixed(real *x, size_t n)
{
    rng fixed;
    rng_seed(&fixed, 12345);
    data_binarize(x, n, &fixed);
}

//> ch07-grey-floor
/* Why BCE on grey pixels is not a likelihood: over p, the cross-entropy
 * -x log p - (1 - x) log(1 - p) is smallest at p = x, where it is the
 * entropy H(x) > 0 of Bernoulli(x). Returns sum_i H(x_i) averaged over
 * the images: the floor of the reconstruction term, (5.8); 0 when the
 * pixels are binary. */
double data_pixel_entropy(const data_set *set)
{
    double sum = 0;
    for (size_t i = 0; i < (size_t)set->n * set->dim; i++) {
        double x = set->x[i];
        if (x > 0 && x < 1)
            sum -= x * log(x) + (1 - x) * log1p(-x);
    }
    return sum / set->n;
}
//< ch07-grey-floor
