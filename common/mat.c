/* mat.c -- the three matrix products (see mat.h), blocked for the caches,
 * tiled for the registers, and shared among threads.
 *
 * The three forms are one routine, mat_gemm, applied to "views" that say
 * where element (i, p) of A and element (j, p) of B-transposed live.
 * Packing copies panels of the views into the order the micro-kernel
 * reads, so a transpose costs nothing in the hot loop. Appendix A of the
 * book explains the design; the equations (A.k) cited here are there.
 *
 * Compile with -O3 -ffp-contract=fast (the Makefile does, for this file
 * only): -O3 unrolls the micro-kernel into registers, and the contract
 * flag lets a*b + c become one fused multiply-add. Neither changes what
 * the program means; -ffast-math, which would, is never used. */
#include "mat.h"

#include "cli.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

//> A-sizes
/* The register tile: MR x NR numbers of C, as many multiply-adds for
 * each MR + NR numbers loaded, equation (A.4). The cache blocks: a
 * KC-deep slice of the sum, MC rows of A, NC columns of B. */
#if defined(__AVX512F__)
enum { MAT_MR = 16, MAT_NR = 16 };  /* 16 registers of 16 floats */
#else
enum { MAT_MR = 4, MAT_NR = 16 };   /* 8 of 8 floats, or 16 of 4 */
#endif
enum {
    MAT_KC = 256,   /* a B micro-panel, KC x NR, stays in L1 */
    MAT_MC = 128,   /* a packed A block, MC x KC, stays in L2 */
    MAT_NC = 2048,  /* a packed B panel, KC x NC, stays in L3 */
};
//< A-sizes

/* Where element (r, p) of a matrix lives: at[r * rs + p * ps], where
 * one of the strides is 1 (the arrays are row-major). A view of A has
 * r = i, a row of C; a view of B-transposed has r = j, a column. */
typedef struct {
    const real *at;
    size_t rs, ps;   /* strides along r and along p (the summed index) */
} mat_view;

static int min_int(int x, int y) { return x < y ? x : y; }

//> A-microkernel
/* c (MR x NR, row stride ldc) += a . b, where a is a packed
 * micro-panel of A (kc steps of MR numbers) and b one of B (kc steps
 * of NR): each step adds the outer product of a column of A and a row
 * of B, equation (A.3). The tile lives in `acc`, which the compiler
 * keeps in vector registers: at -O3 the j loop becomes one vector of
 * NR lanes and the i loop MR fused multiply-adds of it by a[i]. (With
 * the i loop outside, clang vectorises p instead: 1 GFLOP/s.) */
static void mat_kernel(real *c, size_t ldc, const real *a,
                       const real *b, int kc)
{
    real acc[MAT_MR][MAT_NR];
    for (int i = 0; i < MAT_MR; i++)
        for (int j = 0; j < MAT_NR; j++)
            acc[i][j] = c[i * ldc + j];
    for (int p = 0; p < kc; p++, a += MAT_MR, b += MAT_NR)
        for (int j = 0; j < MAT_NR; j++)
            for (int i = 0; i < MAT_MR; i++)
                acc[i][j] += a[i] * b[j];
    for (int i = 0; i < MAT_MR; i++)
        for (int j = 0; j < MAT_NR; j++)
            c[i * ldc + j] = acc[i][j];
}
//< A-microkernel

//> A-pack
/* Copies rows r0.. r0+rows-1, columns p0.. p0+kc-1 of `v` into `dst` as
 * micro-panels of w rows each: panel q holds, for each p in turn, its w
 * numbers v(r, p). A last, partial panel is padded with zeros: the
 * kernel computes whole tiles, and what it computes from the padding
 * falls outside C and is dropped. Both loops read memory in the order
 * it is laid out: along r when rs = 1, along p when ps = 1. */
static void mat_pack(real *dst, mat_view v, int r0, int rows, int p0,
                     int kc, int w)
{
    const real *src = v.at + (size_t)r0 * v.rs + (size_t)p0 * v.ps;
    int tail = rows % w;   /* real rows in a last, partial panel */
    if (tail > 0)
        memset(dst + (size_t)(rows - tail) * kc, 0,
               sizeof(real) * (size_t)kc * w);
    if (v.rs == 1)
        for (int p = 0; p < kc; p++)
            for (int q = 0; q < rows; q += w) {
                real *panel = dst + (size_t)q * kc;
                for (int r = 0; r < min_int(w, rows - q); r++)
                    panel[p * w + r] = src[p * v.ps + q + r];
            }
    else
        for (int q = 0; q < rows; q += w) {
            real *panel = dst + (size_t)q * kc;
            for (int p = 0; p < kc; p++)
                for (int r = 0; r < min_int(w, rows - q); r++)
                    panel[p * w + r] = src[(q + r) * v.rs + p];
        }
}
//< A-pack

/* Runs the kernel on the tile of C at c, of which only mr x nr is real:
 * a tile cut by the matrix edge goes through a full-size copy, so every
 * number of C is computed by the very same operations. */
static void mat_tile(real *c, size_t ldc, const real *a, const real *b,
                     int kc, int mr, int nr)
{
    if (mr == MAT_MR && nr == MAT_NR) {
        mat_kernel(c, ldc, a, b, kc);
        return;
    }
    real tile[MAT_MR * MAT_NR] = {0};
    for (int i = 0; i < mr; i++)
        memcpy(tile + i * MAT_NR, c + i * ldc, sizeof(real) * nr);
    mat_kernel(tile, MAT_NR, a, b, kc);
    for (int i = 0; i < mr; i++)
        memcpy(c + i * ldc, tile + i * MAT_NR, sizeof(real) * nr);
}

/* c (m x n) += A . B without packing, for products too small to pay
 * for it and for a single row of C, which uses each number of B once.
 * Each number of C adds its terms in the order of p, as in the kernel,
 * so both paths give the same bits. */
static void mat_small(real *c, mat_view a, mat_view bt, int m, int k,
                      int n)
{
    for (int i = 0; i < m; i++, c += n)
        for (int p = 0; p < k; p++) {
            real aip = a.at[i * a.rs + p * a.ps];
            for (int j = 0; j < n; j++)
                c[j] += aip * bt.at[j * bt.rs + p * bt.ps];
        }
}

/* Allocates n numbers aligned to a cache line, or exits. */
static real *mat_alloc(size_t n)
{
    size_t bytes = (sizeof(real) * n + 63) / 64 * 64;
    real *p = aligned_alloc(64, bytes);
    if (!p)
        cli_die(1, "mat: out of memory (%zu bytes)", bytes);
    return p;
}

//> A-gemm
/* c (m x n, row stride ldc) += A . B, with A seen through `a` (rows
 * i) and B-transposed through `bt` (rows j). Five loops: NC columns,
 * KC steps of the sum, MC rows, then the micro-panels of B and of A.
 * Each number of C adds its terms in the order of p, whatever the
 * blocks: the kernel loads it, adds, and stores it back. */
static void mat_gemm(real *c, size_t ldc, mat_view a, mat_view bt,
                     int m, int k, int n)
{
    int kb = (k + MAT_KC - 1) / MAT_KC;   /* blocks of the sum, */
    int kstep = (k + kb - 1) / kb;        /* made about equal */
    real *pa = mat_alloc((size_t)(min_int(MAT_MC, m) + MAT_MR) * kstep);
    real *pb = mat_alloc((size_t)(min_int(MAT_NC, n) + MAT_NR) * kstep);
    for (int jc = 0; jc < n; jc += MAT_NC) {
        int nc = min_int(MAT_NC, n - jc);
        for (int pc = 0; pc < k; pc += kstep) {
            int kc = min_int(kstep, k - pc);
            mat_pack(pb, bt, jc, nc, pc, kc, MAT_NR);
            for (int ic = 0; ic < m; ic += MAT_MC) {
                int mc = min_int(MAT_MC, m - ic);
                mat_pack(pa, a, ic, mc, pc, kc, MAT_MR);
                for (int jr = 0; jr < nc; jr += MAT_NR)
                    for (int ir = 0; ir < mc; ir += MAT_MR)
                        mat_tile(c + (size_t)(ic + ir) * ldc + jc + jr,
                                 ldc, pa + (size_t)ir * kc,
                                 pb + (size_t)jr * kc, kc,
                                 min_int(MAT_MR, mc - ir),
                                 min_int(MAT_NR, nc - jr));
            }
        }
    }
    free(pa);
    free(pb);
}
//< A-gemm

//> A-threads
/* One product, shared among `threads` threads: thread t computes its
 * own slice of C's columns, a whole number of tiles wide. Slices never
 * split the sum over p, so each number of C comes out of the same
 * operations in the same order, whatever the number of threads. */
typedef struct {
    real *c;             /* (m, n) */
    mat_view a, bt;      /* A as (m, k), B-transposed as (n, k) */
    int m, k, n, threads;
} mat_job;

/* Thread t's part of a job: columns lo .. hi-1 of C. */
static void mat_job_run(const mat_job *job, int t)
{
    int tiles = (job->n + MAT_NR - 1) / MAT_NR;
    int per = (tiles + job->threads - 1) / job->threads;
    int lo = min_int(job->n, t * per * MAT_NR);
    int hi = min_int(job->n, (t + 1) * per * MAT_NR);
    if (lo == hi)
        return;
    mat_view bt = job->bt;   /* from column lo of B */
    bt.at += (size_t)lo * bt.rs;
    mat_gemm(job->c + lo, (size_t)job->n, job->a, bt, job->m, job->k,
             hi - lo);
}
//< A-threads

/* The worker threads: they sleep on `wake` until `round` changes, run
 * their part of `job`, and the last one to finish signals `done`. */
enum { MAT_MAX_THREADS = 64 };
static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake, done;
    pthread_t worker[MAT_MAX_THREADS];
    int size;              /* threads, the caller's included */
    unsigned long round;   /* counts jobs handed out */
    int busy;              /* workers still on this round's job */
    bool quit;
    mat_job job;
} pool = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .wake = PTHREAD_COND_INITIALIZER,
    .done = PTHREAD_COND_INITIALIZER,
    .size = 1,
};

/* A worker's life: thread number t (1 .. size-1) runs part t of each
 * job until told to quit. */
static void *mat_worker(void *arg)
{
    int t = (int)(intptr_t)arg;
    unsigned long seen = 0;
    pthread_mutex_lock(&pool.lock);
    for (;;) {
        while (pool.round == seen && !pool.quit)
            pthread_cond_wait(&pool.wake, &pool.lock);
        if (pool.quit)
            break;
        seen = pool.round;
        mat_job job = pool.job;
        pthread_mutex_unlock(&pool.lock);
        mat_job_run(&job, t);
        pthread_mutex_lock(&pool.lock);
        if (--pool.busy == 0)
            pthread_cond_signal(&pool.done);
    }
    pthread_mutex_unlock(&pool.lock);
    return NULL;
}

/* Stops the workers there are and starts threads - 1 new ones. */
void mat_set_threads(int threads)
{
    threads = threads < 1 ? 1 : min_int(threads, MAT_MAX_THREADS);
    if (threads == pool.size)
        return;
    pthread_mutex_lock(&pool.lock);      /* stop the old workers */
    pool.quit = true;
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.lock);
    for (int t = 1; t < pool.size; t++)
        pthread_join(pool.worker[t], NULL);
    pool.quit = false;
    pool.round = 0;
    pool.size = 1;
    for (; pool.size < threads; pool.size++)  /* fewer if refused */
        if (pthread_create(&pool.worker[pool.size], NULL, mat_worker,
                           (void *)(intptr_t)pool.size) != 0)
            break;
}

/* The threads the products use, the caller's included. */
int mat_threads(void) { return pool.size; }

/* Products below MAT_SMALL multiply-adds skip the packing; below
 * MAT_SHARED they are not worth waking the workers for. */
enum { MAT_SMALL = 1 << 12, MAT_SHARED = 1 << 18 };

/* Computes c = A . B (or adds it, if `accumulate`), sharing the work
 * with the workers when there are any and the product is big enough to
 * pay for waking them. */
static void mat_product(real *c, mat_view a, mat_view bt, int m, int k,
                        int n, bool accumulate)
{
    if (m == 0 || n == 0)
        return;
    if (!accumulate)
        memset(c, 0, sizeof(real) * (size_t)m * (size_t)n);
    double size = (double)m * k * n;   /* multiply-adds */
    if (size < MAT_SMALL || m == 1) {
        mat_small(c, a, bt, m, k, n);
        return;
    }
    mat_job job = {c, a, bt, m, k, n, pool.size};
    if (pool.size == 1 || size < MAT_SHARED) {
        job.threads = 1;
        mat_job_run(&job, 0);
        return;
    }
    pthread_mutex_lock(&pool.lock);
    pool.job = job;
    pool.busy = pool.size - 1;
    pool.round++;
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.lock);
    mat_job_run(&job, 0);
    pthread_mutex_lock(&pool.lock);
    while (pool.busy > 0)
        pthread_cond_wait(&pool.done, &pool.lock);
    pthread_mutex_unlock(&pool.lock);
}

//> A-forms
/* The three forms differ only in their views: where element (i, p) of
 * A and element (j, p) of B-transposed sit in the row-major arrays,
 * equation (A.5). */
void mat_mul_nn(real *c, const real *a, const real *b, int m, int k,
                int n, bool accumulate)
{
    mat_view av = {a, (size_t)k, 1}, btv = {b, 1, (size_t)n};
    mat_product(c, av, btv, m, k, n, accumulate);
}

void mat_mul_nt(real *c, const real *a, const real *b, int m, int k,
                int n, bool accumulate)
{
    mat_view av = {a, (size_t)k, 1}, btv = {b, (size_t)k, 1};
    mat_product(c, av, btv, m, k, n, accumulate);
}

void mat_mul_tn(real *c, const real *a, const real *b, int m, int k,
                int n, bool accumulate)
{
    mat_view av = {a, 1, (size_t)m}, btv = {b, 1, (size_t)n};
    mat_product(c, av, btv, m, k, n, accumulate);
}
//< A-forms
