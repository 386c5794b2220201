/* test_mat.c -- the fast forms of the three matrix products (mat_fast.c;
 * test_plain_fast.c ties the plain loops to them) against a triple loop in
 * long double, on shapes that cut every tile and block edge, with dense
 * operands and with operands full of zeros (whose steps are skipped);
 * the same bits for any number of threads; no write outside C.
 *
 * Written in `real`, so it also runs when common/ is built in double. */
#include "check.h"
#include "mat.h"
#include "rng.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef REAL_IS_DOUBLE
#define UNIT_ROUNDOFF (DBL_EPSILON / 2)
#else
#define UNIT_ROUNDOFF (FLT_EPSILON / 2)
#endif

typedef enum { NN, NT, TN } form;
static const char *form_name[] = {"nn", "nt", "tn"};

/* Numbers written around C that no product may touch. */
enum { GUARD = 16 };
static const real guard_value = (real)-12345.5;

typedef struct {
    int m, k, n;
} shape;

/* C = A . B (or C += A . B) in form f. */
static void product(form f, real *c, const real *a, const real *b, int m,
                    int k, int n, bool accumulate)
{
    if (f == NN)
        mat_mul_nn_fast(c, a, b, m, k, n, accumulate);
    else if (f == NT)
        mat_mul_nt_fast(c, a, b, m, k, n, accumulate);
    else
        mat_mul_tn_fast(c, a, b, m, k, n, accumulate);
}

/* Element (i, p) of A and (p, j) of B, as each form stores them. */
static real a_at(form f, const real *a, int m, int k, int i, int p)
{
    return f == TN ? a[(size_t)p * m + i] : a[(size_t)i * k + p];
}

static real b_at(form f, const real *b, int k, int n, int p, int j)
{
    return f == NT ? b[(size_t)j * k + p] : b[(size_t)p * n + j];
}

/* gamma_n = n u / (1 - n u), the bound on n roundings of unit u. */
static long double gamma_n(int n, long double u)
{
    return n * u / (1 - n * u);
}

/* `count` numbers of uninitialised memory, or exit. */
static real *new_array(size_t count)
{
    real *x = malloc(sizeof(real) * (count ? count : 1));
    if (!x) {
        fprintf(stderr, "test_mat: out of memory\n");
        exit(1);
    }
    return x;
}

/* `count` numbers uniform in [-1, 1). */
static real *random_array(rng *r, size_t count)
{
    real *x = new_array(count);
    for (size_t i = 0; i < count; i++)
        x[i] = (real)(2 * rng_uniform(r) - 1);
    return x;
}

/* Operands with zeros, for the products' skipping of steps that add
 * nothing. For each step p: a quarter of the columns p of A all zeros
 * and a quarter zeros in their top half only, the others zeros at half
 * of their numbers; a quarter of the rows p of B zeros, a quarter zeros
 * in their left half only. So a step is zero in all panels, or in some
 * (A(i, p) and B(p, j) in form f's storage). */
static void put_zeros(form f, real *a, real *b, shape s, rng *r)
{
    for (int p = 0; p < s.k; p++) {
        double col = rng_uniform(r), row = rng_uniform(r);
        for (int i = 0; i < s.m; i++) {
            bool zero = col < 0.25 || (col < 0.5 && 2 * i < s.m) ||
                        (col >= 0.5 && rng_uniform(r) < 0.5);
            if (zero)
                a[f == TN ? (size_t)p * s.m + i : (size_t)i * s.k + p] = 0;
        }
        for (int j = 0; j < s.n; j++)
            if (row < 0.25 || (row < 0.5 && 2 * j < s.n))
                b[f == NT ? (size_t)j * s.k + p : (size_t)p * s.n + j] = 0;
    }
}

/* The operands of one check, random: A and B (with zeros if asked, see
 * put_zeros) and the C0 that C += A . B starts from. */
typedef struct {
    real *a, *b, *c0;
} operands;

static operands new_operands(form f, shape s, bool zeros, rng *r)
{
    operands o;
    o.a = random_array(r, (size_t)s.m * s.k);
    o.b = random_array(r, (size_t)s.k * s.n);
    o.c0 = random_array(r, (size_t)s.m * s.n);
    if (zeros)
        put_zeros(f, o.a, o.b, s, r);
    return o;
}

static void free_operands(operands o)
{
    free(o.a);
    free(o.b);
    free(o.c0);
}

/* Checks one form at one shape, C overwritten and C accumulated, against
 * sum_p A(i,p) B(p,j) (+ c0) in long double. Whatever the order of the
 * k + 1 terms and whether multiply-adds are fused, the computed number is
 * within gamma_{k+1} sum |terms| of the exact one (Higham, "Accuracy and
 * Stability of Numerical Algorithms", 2nd ed., eq. 3.5 and its proof);
 * the reference's own error adds the same bound at long double's unit.
 * A term missing or taken from a wrong index misses this by orders of
 * magnitude. */
static void check_form(form f, shape s, bool zeros, rng *r)
{
    int m = s.m, k = s.k, n = s.n;
    size_t mn = (size_t)m * n;
    operands o = new_operands(f, s, zeros, r);
    const real *a = o.a, *b = o.b, *c0 = o.c0;
    real *c = new_array(mn + 2 * GUARD);
    long double tol_per_abs = gamma_n(k + 1, UNIT_ROUNDOFF)
                            + gamma_n(k + 1, LDBL_EPSILON / 2);
    for (int accumulate = 0; accumulate <= 1; accumulate++) {
        for (size_t i = 0; i < mn + 2 * GUARD; i++)
            c[i] = guard_value;
        memcpy(c + GUARD, c0, sizeof(real) * mn);
        product(f, c + GUARD, a, b, m, k, n, accumulate);

        double worst = 0;   /* max |error| / bound over C */
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                long double start = accumulate ? c0[(size_t)i * n + j] : 0;
                long double sum = start, abs_sum = fabsl(start);
                for (int p = 0; p < k; p++) {
                    long double t = (long double)a_at(f, a, m, k, i, p)
                                  * b_at(f, b, k, n, p, j);
                    sum += t;
                    abs_sum += fabsl(t);
                }
                long double err = fabsl(c[GUARD + (size_t)i * n + j] - sum);
                long double bound = tol_per_abs * abs_sum;
                double ratio = err == 0 ? 0 : (double)(err / bound);
                worst = isnan(ratio) ? INFINITY : fmax(worst, ratio);
            }
        bool guards_intact = true;
        for (int g = 0; g < GUARD; g++)
            guards_intact &= c[g] == guard_value
                          && c[GUARD + mn + g] == guard_value;

        char name[128];
        snprintf(name, sizeof name, "%s %dx%dx%d%s %s: max |error| / bound",
                 form_name[f], m, k, n, zeros ? " with zeros" : "",
                 accumulate ? "C +=" : "C =");
        CHECK_LE(name, worst, 1.0);
        snprintf(name, sizeof name, "%s %dx%dx%d %s: nothing written "
                 "outside C", form_name[f], m, k, n,
                 accumulate ? "C +=" : "C =");
        CHECK(name, guards_intact);
    }
    free_operands(o);
    free(c);
}

/* The same bits for 1, 2, 3 and 4 threads: each number of C must come
 * out of the same operations whichever thread computes it. */
static void check_threads(form f, shape s, bool zeros, rng *r)
{
    int m = s.m, k = s.k, n = s.n;
    size_t mn = (size_t)m * n;
    operands o = new_operands(f, s, zeros, r);
    const real *a = o.a, *b = o.b, *c0 = o.c0;
    real *one = new_array(mn), *many = new_array(mn);
    for (int accumulate = 0; accumulate <= 1; accumulate++) {
        mat_set_threads_fast(1);
        memcpy(one, c0, sizeof(real) * mn);
        product(f, one, a, b, m, k, n, accumulate);
        for (int threads = 2; threads <= 4; threads++) {
            mat_set_threads_fast(threads);
            memcpy(many, c0, sizeof(real) * mn);
            product(f, many, a, b, m, k, n, accumulate);
            char name[128];
            snprintf(name, sizeof name, "%s %dx%dx%d%s %s: %d threads "
                     "give the bits of 1", form_name[f], m, k, n,
                     zeros ? " with zeros" : "",
                     accumulate ? "C +=" : "C =", threads);
            CHECK(name, memcmp(one, many, sizeof(real) * mn) == 0);
        }
    }
    mat_set_threads_fast(1);
    free_operands(o);
    free(one);
    free(many);
}

/* The pool's two ways of waiting for a job: a product handed out the
 * moment the workers are started (before they have looked at the job
 * counter), and one handed out after they have given up spinning and
 * gone to sleep. Either would hang, or leave C half computed, if the
 * workers missed the job. */
static void check_wakeups(rng *r)
{
    enum { M = 64, K = 300, N = 64 };   /* over the sharing threshold */
    real *a = random_array(r, M * K), *b = random_array(r, K * N);
    real *want = new_array(M * N), *got = new_array(M * N);
    mat_set_threads_fast(1);
    mat_mul_nn_fast(want, a, b, M, K, N, false);
    bool same = true;
    for (int round = 0; round < 200; round++) {
        mat_set_threads_fast(1 + round % 2 + 1);   /* 2 or 3, restarted */
        mat_mul_nn_fast(got, a, b, M, K, N, false);
        same &= memcmp(want, got, sizeof(real) * M * N) == 0;
        mat_set_threads_fast(1);
    }
    CHECK("200 products handed out as the workers start: all complete",
          same);
    mat_set_threads_fast(2);
    struct timespec pause = {0, 50 * 1000 * 1000};   /* 50 ms */
    for (int round = 0; round < 3; round++) {
        nanosleep(&pause, NULL);   /* the workers go to sleep */
        memset(got, 0, sizeof(real) * M * N);
        mat_mul_nn_fast(got, a, b, M, K, N, false);
        same &= memcmp(want, got, sizeof(real) * M * N) == 0;
    }
    CHECK("products handed out to sleeping workers: all complete", same);
    mat_set_threads_fast(1);
    free(a);
    free(b);
    free(want);
    free(got);
}

/* A row of C computed alone (m = 1: no packing) has the bits it has
 * inside a larger product (packed, through the micro-kernel, and for a
 * narrow C computed transposed): all paths add the same terms in the
 * same order. With zeros, the row alone adds every term and the
 * product skips the steps of zeros: the same bits, as C holds no -0. */
static void check_paths(form f, shape s, bool zeros, rng *r)
{
    int m = s.m, k = s.k, n = s.n;
    operands o = new_operands(f, s, zeros, r);
    const real *a = o.a, *b = o.b, *c0 = o.c0;
    real *c = new_array((size_t)m * n), *row = new_array((size_t)n);
    real *a_row = new_array((size_t)k);
    memcpy(c, c0, sizeof(real) * m * n);
    product(f, c, a, b, m, k, n, true);
    bool same = true;
    for (int i = 0; i < m; i++) {
        for (int p = 0; p < k; p++)
            a_row[p] = a_at(f, a, m, k, i, p);   /* (1, k) = (k, 1) */
        memcpy(row, c0 + (size_t)i * n, sizeof(real) * n);
        product(f, row, a_row, b, 1, k, n, true);
        same &= memcmp(row, c + (size_t)i * n, sizeof(real) * n) == 0;
    }
    free_operands(o);
    free(c);
    free(row);
    free(a_row);
    char name[128];
    snprintf(name, sizeof name, "%s: each row alone has the bits it has "
             "in the %dx%dx%d product%s", form_name[f], m, k, n,
             zeros ? " with zeros" : "");
    CHECK(name, same);
}

/* Whether all n numbers of x are finite. */
static bool all_finite(const real *x, size_t n)
{
    bool finite = true;
    for (size_t i = 0; i < n; i++)
        finite &= isfinite(x[i]);
    return finite;
}

/* The steps of zeros are skipped, and only they: seen through the one
 * number that a skipped term changes, a NaN. In a product that lists
 * A's live steps (n >= 256), a column of A that is all zeros meets a
 * row of B with a NaN in it: IEEE would make every C(i, j) below the
 * NaN a NaN (0 x NaN), the skipping product leaves C finite. The same
 * with the roles of A and B swapped (m >= 256; a tile runs the shorter
 * of its two lists, so A gets none shorter), and a NaN in a step that
 * is not all zeros reaches C as always. */
static void check_skipping(rng *r)
{
    enum { M = 300, K = 40, N = 300 };
    real *a = random_array(r, M * K), *b = random_array(r, K * N);
    real *c = new_array(M * N);
    for (int i = 0; i < M; i++)
        a[i * K + 7] = 0;          /* column 7 of A: zeros */
    b[7 * N + 5] = (real)NAN;      /* row 7 of B: one NaN */
    mat_mul_nn_fast(c, a, b, M, K, N, false);
    CHECK("a step of zeros in A is skipped: 0 x NaN does not reach C",
          all_finite(c, M * N));

    b[7 * N + 5] = 1;
    for (int i = 0; i < M; i++)
        a[i * K + 7] = 1;          /* so that B's lists are the shorter */
    for (int j = 0; j < N; j++)
        b[11 * N + j] = 0;         /* row 11 of B: zeros */
    a[3 * K + 11] = (real)NAN;     /* column 11 of A: one NaN */
    mat_mul_nn_fast(c, a, b, M, K, N, false);
    CHECK("a step of zeros in B is skipped: NaN x 0 does not reach C",
          all_finite(c, M * N));

    a[3 * K + 12] = (real)NAN;     /* a step of A and B that is live */
    mat_mul_nn_fast(c, a, b, M, K, N, false);
    bool row_nan = true, others = true;
    for (int j = 0; j < N; j++)
        row_nan &= isnan(c[3 * N + j]);
    for (int i = 0; i < M * N; i++)
        others &= i / N == 3 || isfinite(c[i]);
    CHECK("a NaN in a live step reaches its row of C, and only it",
          row_nan && others);
    free(a);
    free(b);
    free(c);
}

/* mat_for hands every index of [0, n) to exactly one range: counted
 * for sizes below, at and past the sharing threshold and for 1 to 4
 * threads. */
static void count_range(void *arg, size_t lo, size_t hi)
{
    unsigned char *seen = arg;
    for (size_t i = lo; i < hi; i++)
        seen[i]++;
}

static void check_for(void)
{
    const size_t sizes[] = {0, 1, 17, 65535, 65536, 65536 + 17, 1000003};
    for (int threads = 1; threads <= 4; threads++) {
        mat_set_threads_fast(threads);
        bool once = true;
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            unsigned char *seen = calloc(sizes[s] + 1, 1);
            if (!seen) {
                fprintf(stderr, "test_mat: out of memory\n");
                exit(1);
            }
            mat_for(sizes[s], count_range, seen);
            for (size_t i = 0; i < sizes[s]; i++)
                once &= seen[i] == 1;
            free(seen);
        }
        char name[96];
        snprintf(name, sizeof name, "mat_for with %d thread%s: each index "
                 "in exactly one range", threads, threads > 1 ? "s" : "");
        CHECK(name, once);
    }
    mat_set_threads_fast(1);
}

int main(void)
{
    rng r;
    rng_seed(&r, 6);
    int mr, nr;
    mat_tile_shape(&mr, &nr);
    printf("register tile: %d x %d\n", mr, nr);

    /* Odd shapes: single numbers, a single row or column, a sum of one
     * term or of none, and sizes just past a multiple of the register
     * tile (16 x 16, or 4 x 16 without AVX-512) and of the cache blocks
     * (128 rows, 512 steps of the sum, 2048 columns). */
    const shape odd[] = {
        {1, 1, 1}, {1, 100, 1}, {1, 300, 37}, {7, 13, 5}, {33, 1, 65},
        {129, 257, 65}, {21, 1030, 19}, {9, 300, 2085}, {17, 0, 3},
    };
    for (form f = NN; f <= TN; f++)
        for (int i = 0; i < (int)(sizeof odd / sizeof odd[0]); i++)
            check_form(f, odd[i], false, &r);

    /* The VAE's own products (batch 128, layers 784 -> 400): forward
     * y = x W^T, backward dx = dy W and dW = dy^T x. */
    check_form(NT, (shape){128, 784, 400}, false, &r);
    check_form(NN, (shape){128, 400, 784}, false, &r);
    check_form(TN, (shape){400, 128, 784}, false, &r);
    /* and the narrow ones of the latent layer (20 wide), which mat.c
     * computes transposed or with its edge kernel */
    check_form(NT, (shape){128, 400, 20}, false, &r);
    check_form(NN, (shape){128, 20, 400}, false, &r);
    check_form(TN, (shape){20, 128, 400}, false, &r);
    check_form(NN, (shape){128, 400, 20}, false, &r);
    check_form(TN, (shape){400, 128, 20}, false, &r);

    /* Operands full of zeros, where steps are skipped: shapes that make
     * lists for A's panels (n >= 256), for B's (m >= 256), or both, cut
     * at tile edges. */
    const shape sparse[] = {{128, 784, 400}, {400, 128, 784},
                            {300, 37, 270}, {129, 257, 300}, {260, 50, 9}};
    for (form f = NN; f <= TN; f++)
        for (int i = 0; i < (int)(sizeof sparse / sizeof sparse[0]); i++)
            check_form(f, sparse[i], true, &r);
    check_skipping(&r);

    for (form f = NN; f <= TN; f++) {
        check_paths(f, (shape){20, 300, 37}, false, &r);
        check_paths(f, (shape){64, 300, 20}, false, &r);   /* narrow */
        check_paths(f, (shape){40, 300, 270}, true, &r);   /* zeros */
    }

    /* Threads: shapes with more threads than column tiles, a single
     * tile column, and the VAE's forward product; and two with zeros. */
    const shape split[] = {{129, 257, 65}, {700, 400, 9}, {128, 784, 400},
                           {128, 400, 20}};
    for (form f = NN; f <= TN; f++) {
        for (int i = 0; i < (int)(sizeof split / sizeof split[0]); i++)
            check_threads(f, split[i], false, &r);
        check_threads(f, (shape){128, 784, 400}, true, &r);
        check_threads(f, (shape){400, 128, 784}, true, &r);
    }

    check_wakeups(&r);
    check_for();
    mat_set_threads_fast(3);
    CHECK("mat_threads_fast() reports 3 after mat_set_threads_fast(3)",
          mat_threads_fast() == 3);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int per_core = cores < 1 ? 1 : cores > 64 ? 64 : (int)cores;
    mat_set_threads_fast(0);
    CHECK("mat_set_threads_fast(0) means one per core (sysconf)",
          mat_threads_fast() == per_core);
    mat_set_threads_fast(-1);
    CHECK("mat_set_threads_fast(-1) means 1", mat_threads_fast() == 1);
    return check_summary();
}
