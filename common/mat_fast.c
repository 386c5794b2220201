/* mat_fast.c -- the fast forms of the three matrix products (see mat.h):
 * blocked for the caches, tiled for the registers, and shared among
 * threads. They do the multiply-adds of the plain loops in mat.c, in the
 * same order for each number of C, and tests/test_plain_fast.c holds
 * them to the same bits.
 *
 * The three forms are one routine, mat_gemm, applied to "views" that say
 * where element (i, p) of A and element (j, p) of B-transposed live.
 * Packing copies panels of the views into the order the micro-kernel
 * reads, so a transpose costs nothing in the hot loop. Appendix A of the
 * book explains the design; the equations (A.k) cited here are there.
 *
 * Compile with -O3 -ffp-contract=fast (the Makefile does, for this file
 * and mat.c): -O3 unrolls the micro-kernel into registers, and the contract
 * flag lets a*b + c become one fused multiply-add. Neither changes what
 * the program means; -ffast-math, which would, is never used. */
#include "mat.h"

#include "sys.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

//> A-sizes
/* The register tile: MR x NR numbers of C, as many multiply-adds for
 * each MR + NR numbers loaded, equation (A.4). The cache blocks: a
 * KC-deep slice of the sum, MC rows of A, NC columns of B. */
#if defined(__AVX512F__)
enum { MAT_MR = 16, MAT_NR = 16 };  /* 16 registers of 16 floats */
#else
enum { MAT_MR = 4, MAT_NR = 16 };   /* 8 of 8 floats, or 16 of 4 */
#endif
enum { MAT_ER = 4 };   /* rows of the edge kernel, for the last rows */
enum {
    MAT_KC = 512,   /* a B micro-panel, KC x NR, stays in L1 */
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

/* The kernel below is written once for any number of rows and must be
 * compiled once for each, with that number a constant: only then are
 * its loops unrolled into registers. gcc inlines it by itself; clang
 * has to be told (without this, 2 GFLOP/s). */
#if defined(__GNUC__)
#define MAT_INLINE __attribute__((always_inline))
#else
#define MAT_INLINE
#endif

//> A-microkernel
/* One step of the sum for a tile: acc (mr x NR) += the outer product
 * of a column of A, mr numbers at a, and a row of B, NR numbers at b,
 * equation (A.3). At -O3 the j loop becomes one vector of NR lanes and
 * the i loop mr fused multiply-adds of it by a[i]. (With the i loop
 * outside, clang vectorises p instead: 1 GFLOP/s.) */
static inline MAT_INLINE void mat_step(real acc[MAT_MR][MAT_NR],
                                       const real *a, const real *b,
                                       int mr)
{
    for (int j = 0; j < MAT_NR; j++)
        for (int i = 0; i < mr; i++)
            acc[i][j] += a[i] * b[j];
}

/* c (mr x NR, row stride ldc) += a . b over the n steps listed in
 * step[], where a is a packed micro-panel of A (steps of MR numbers, of
 * which the first mr are used) and b one of B (steps of NR). The list
 * is every step, or leaves out steps that can only add zeros (A.6).
 * The tile lives in `acc`, which the compiler keeps in vector
 * registers. Steps are taken two at a time: one at a time, gcc 12
 * "unrolls and jams" the loop for the AVX2 tile, and keeps the tile in
 * memory (12 GFLOP/s). */
static inline MAT_INLINE void mat_kernel_rows(real *c, size_t ldc,
                                              const real *a,
                                              const real *b,
                                              const int *step, int n,
                                              int mr)
{
    real acc[MAT_MR][MAT_NR];
    for (int i = 0; i < mr; i++)
        for (int j = 0; j < MAT_NR; j++)
            acc[i][j] = c[i * ldc + j];
    int t = 0;
    for (; t + 1 < n; t += 2) {
        mat_step(acc, a + (size_t)step[t] * MAT_MR,
                 b + (size_t)step[t] * MAT_NR, mr);
        mat_step(acc, a + (size_t)step[t + 1] * MAT_MR,
                 b + (size_t)step[t + 1] * MAT_NR, mr);
    }
    if (t < n)
        mat_step(acc, a + (size_t)step[t] * MAT_MR,
                 b + (size_t)step[t] * MAT_NR, mr);
    for (int i = 0; i < mr; i++)
        for (int j = 0; j < MAT_NR; j++)
            c[i * ldc + j] = acc[i][j];
}
//< A-microkernel

/* The kernel of MR rows, and the edge kernel of ER rows for the last
 * rows of a product; mr is a constant in each, so both unroll. */
static void mat_kernel(real *c, size_t ldc, const real *a,
                       const real *b, const int *step, int n)
{
    mat_kernel_rows(c, ldc, a, b, step, n, MAT_MR);
}

static void mat_kernel_edge(real *c, size_t ldc, const real *a,
                            const real *b, const int *step, int n)
{
    mat_kernel_rows(c, ldc, a, b, step, n, MAT_ER);
}

//> A-pack
/* One micro-panel: for each p in turn, the numbers v(r, p) of its n
 * rows, then zeros up to the panel's width w. The kernel computes whole
 * tiles; what it computes from the padding falls outside C and is
 * dropped. */
static inline void mat_pack_panel(real *restrict panel,
                                  const real *restrict from, size_t rs,
                                  size_t ps, int kc, int n, int w)
{
    for (int p = 0; p < kc; p++) {
        for (int r = 0; r < n; r++)
            panel[p * w + r] = from[r * rs + p * ps];
        for (int r = n; r < w; r++)
            panel[p * w + r] = 0;
    }
}
//< A-pack

/* Copies rows r0 .. r0+rows-1, columns p0 .. p0+kc-1 of `v` into `dst`
 * as micro-panels of w rows each. The full panels are copied in the
 * order the source lies in memory. Where the w numbers of a panel lie
 * side by side, that is row p of the source across every panel before
 * row p + 1: a panel's narrow strip down all the rows would touch one
 * cache line per row, each one a separate wait when the source is not
 * in cache. Otherwise each of the panel's rows runs along p, and the
 * copy is a transpose, made by a call in which w and one stride are
 * constants, so that the compiler can turn it into vector permutes.
 * Only the last panel, if partial, takes the general path. */
static void mat_pack(real *dst, mat_view v, int r0, int rows, int p0,
                     int kc, int w)
{
    const real *src = v.at + (size_t)r0 * v.rs + (size_t)p0 * v.ps;
    int full = rows - rows % w;
    if (v.rs == 1)
        for (int p = 0; p < kc; p++)
            for (int q = 0; q < full; q += w)
                memcpy(dst + (size_t)q * kc + (size_t)p * w,
                       src + (size_t)p * v.ps + q, sizeof(real) * w);
    else
        for (int q = 0; q < full; q += w)
            mat_pack_panel(dst + (size_t)q * kc, src + (size_t)q * v.rs,
                           v.rs, 1, kc, w, w);
    if (full < rows)
        mat_pack_panel(dst + (size_t)full * kc,
                       src + (size_t)full * v.rs, v.rs, v.ps, kc,
                       rows - full, w);
}

/* Runs the kernel on the tile of C at c, element (i, j) at
 * c[i * rs + j * cs], of which only mr x nr is real. A whole tile of a
 * C stored by rows is computed where it lies. Any other, cut by the
 * matrix's edge or in a C stored by columns (a product computed
 * transposed), goes through a full-size copy; rows short of MR are
 * done ER at a time. Each number of C gets the same multiply-adds in
 * the same order whichever way it goes. */
static void mat_tile(real *c, size_t rs, size_t cs, const real *a,
                     const real *b, const int *step, int n, int mr,
                     int nr)
{
    if (mr == MAT_MR && nr == MAT_NR && cs == 1) {
        mat_kernel(c, rs, a, b, step, n);
        return;
    }
    real tile[MAT_MR * MAT_NR] = {0};
    for (int i = 0; i < mr; i++)
        for (int j = 0; j < nr; j++)
            tile[i * MAT_NR + j] = c[i * rs + j * cs];
    if (mr == MAT_MR)
        mat_kernel(tile, MAT_NR, a, b, step, n);
    else
        for (int i = 0; i < mr; i += MAT_ER)
            mat_kernel_edge(tile + i * MAT_NR, MAT_NR, a + i, b, step,
                            n);
    for (int i = 0; i < mr; i++)
        for (int j = 0; j < nr; j++)
            c[i * rs + j * cs] = tile[i * MAT_NR + j];
}

/* c (m x n) += A . B without packing, for products too small to pay
 * for it and for a single row of C, which uses each number of B once.
 * Each number of C adds its terms in the order of p, as in the kernel,
 * so both paths give the same bits (the kernel's skipped zeros aside,
 * as mat.h says). */
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

/* Asks the caches for the mr x nr numbers of C at c, which a kernel is
 * about to load. The tiles of C are seldom in cache (a gradient was
 * zeroed long before), and the kernel's first multiply-adds wait for
 * its loads: for the 128-deep products of a backward step, a fifth of
 * the time. Fetching the next tile while this one is computed hides
 * that wait. It is only a hint: without it, the same numbers. */
static void mat_prefetch_tile(const real *c, size_t rs, size_t cs,
                              int mr, int nr)
{
#if defined(__GNUC__)
    int lines = cs == 1 ? mr : nr, len = cs == 1 ? nr : mr;
    size_t step = cs == 1 ? rs : cs;
    for (int l = 0; l < lines; l++) {
        __builtin_prefetch(c + l * step, 1);
        __builtin_prefetch(c + l * step + len - 1, 1);
    }
#else
    (void)c, (void)rs, (void)cs, (void)mr, (void)nr;
#endif
}

/* A buffer of one thread: allocated on first use, grown when a product
 * needs more, and kept for the next product, so that no product pays
 * for fresh memory (a new page costs a fault and zeroing, which for the
 * VAE's shapes was a few per cent of a step). */
typedef struct {
    void *at;
    size_t cap;   /* bytes */
} mat_buffer;

/* Makes b hold at least `bytes`, aligned to a cache line, or exits. */
static void *mat_reserve(mat_buffer *b, size_t bytes)
{
    if (bytes > b->cap) {
        bytes = (bytes + 63) / 64 * 64;
        free(b->at);
        b->at = sys_alloc_aligned(bytes);
        b->cap = bytes;
    }
    return b->at;
}

/* One thread's: the packed block of A and panel of B, and their lists
 * of live steps. */
typedef struct {
    mat_buffer a, b, a_live, b_live;
} mat_buffers;

/* 0, 1, ..., KC-1: the list of every step, made once. */
static int mat_every[MAT_KC];
static pthread_once_t mat_every_made = PTHREAD_ONCE_INIT;

static void mat_make_every(void)
{
    for (int p = 0; p < MAT_KC; p++)
        mat_every[p] = p;
}

/* The live steps of a packed block: micro-panel q (w numbers a step,
 * kc steps) lists the steps at which its numbers are not all zero in
 * step[q * kc ...], count[q] of them. step == NULL: no lists, every
 * step of every panel is live. */
typedef struct {
    int *step, *count;
} mat_live;

//> A-live
/* Lists the live steps of a packed block of `rows` rows, into room for
 * them in buf. memcmp looks for zero bits: -0 and NaN are not, and
 * stay. */
static inline MAT_INLINE mat_live mat_list_live(mat_buffer *buf,
                                                const real *packed,
                                                int rows, int kc, int w)
{
    static const real zeros[MAT_MR > MAT_NR ? MAT_MR : MAT_NR];
    int panels = (rows + w - 1) / w;
    size_t room = sizeof(int) * (size_t)panels * (kc + 1);
    int *counts = mat_reserve(buf, room);
    mat_live live = {counts + panels, counts};
    for (int q = 0; q < panels; q++) {
        const real *panel = packed + (size_t)q * w * kc;
        int *list = live.step + (size_t)q * kc, n = 0;
        for (int p = 0; p < kc; p++) {
            list[n] = p;   /* kept if live */
            n += memcmp(panel + (size_t)p * w, zeros, sizeof(real) * w)
                 != 0;
        }
        live.count[q] = n;
    }
    return live;
}
//< A-live

/* The steps the tile of A's panel qa and B's panel qb runs: the shorter
 * of their lists, either of which holds every step that can add
 * something to C, or every step if neither leaves one out. */
static const int *mat_tile_steps(mat_live la, int qa, mat_live lb,
                                 int qb, int kc, int *n)
{
    const int *step = mat_every;
    *n = kc;
    if (la.step != NULL && la.count[qa] < *n) {
        step = la.step + (size_t)qa * kc;
        *n = la.count[qa];
    }
    if (lb.step != NULL && lb.count[qb] < *n) {
        step = lb.step + (size_t)qb * kc;
        *n = lb.count[qb];
    }
    return step;
}

/* c (mc x nc, as in mat_tile) += a packed block of A (mc rows) times
 * a packed panel of B (nc columns), one tile at a time, down each
 * column of tiles in turn. While a tile is computed, the caches are
 * asked for the C of the next one. */
static void mat_block(real *c, size_t rs, size_t cs, const real *pa,
                      mat_live la, const real *pb, mat_live lb, int kc,
                      int mc, int nc)
{
    for (int jr = 0; jr < nc; jr += MAT_NR)
        for (int ir = 0; ir < mc; ir += MAT_MR) {
            int in = ir + MAT_MR < mc ? ir + MAT_MR : 0;  /* the next */
            int jn = in > 0 ? jr : jr + MAT_NR;           /* tile */
            if (jn < nc)
                mat_prefetch_tile(c + in * rs + jn * cs, rs, cs,
                                  min_int(MAT_MR, mc - in),
                                  min_int(MAT_NR, nc - jn));
            int n;
            const int *step = mat_tile_steps(la, ir / MAT_MR, lb,
                                             jr / MAT_NR, kc, &n);
            mat_tile(c + ir * rs + jr * cs, rs, cs,
                     pa + (size_t)ir * kc, pb + (size_t)jr * kc, step,
                     n, min_int(MAT_MR, mc - ir),
                     min_int(MAT_NR, nc - jr));
        }
}

//> A-gemm
/* c (m x n, as in mat_tile) += A . B, with A seen through `a` (rows
 * i) and B-transposed through `bt` (rows j). Five loops: NC columns,
 * KC steps of the sum, MC rows, then mat_block's two over the
 * micro-panels of B and of A. Each number of C adds its terms in the
 * order of p, whatever the blocks: the kernel loads it, adds, and
 * stores it back. */
static void mat_gemm(real *c, size_t rs, size_t cs, mat_view a,
                     mat_view bt, int m, int k, int n, bool list_a,
                     bool list_b, mat_buffers *buf)
{
    int kb = (k + MAT_KC - 1) / MAT_KC;   /* blocks of the sum, */
    int kstep = (k + kb - 1) / kb;        /* made about equal */
    size_t na = (size_t)(min_int(MAT_MC, m) + MAT_MR) * kstep;
    size_t nb = (size_t)(min_int(MAT_NC, n) + MAT_NR) * kstep;
    real *pa = mat_reserve(&buf->a, sizeof(real) * na);
    real *pb = mat_reserve(&buf->b, sizeof(real) * nb);
    mat_live la = {NULL, NULL}, lb = {NULL, NULL};
    for (int jc = 0; jc < n; jc += MAT_NC) {
        int nc = min_int(MAT_NC, n - jc);
        for (int pc = 0; pc < k; pc += kstep) {
            int kc = min_int(kstep, k - pc);
            mat_pack(pb, bt, jc, nc, pc, kc, MAT_NR);
            if (list_b)
                lb = mat_list_live(&buf->b_live, pb, nc, kc, MAT_NR);
            for (int ic = 0; ic < m; ic += MAT_MC) {
                int mc = min_int(MAT_MC, m - ic);
                mat_pack(pa, a, ic, mc, pc, kc, MAT_MR);
                if (list_a)
                    la = mat_list_live(&buf->a_live, pa, mc, kc,
                                       MAT_MR);
                mat_block(c + ic * rs + jc * cs, rs, cs, pa, la, pb, lb,
                          kc, mc, nc);
            }
        }
    }
}
//< A-gemm

/* One product, shared among `threads` threads: thread t computes its
 * own slice of C's columns, a whole number of tiles wide. Slices never
 * split the sum over p, so each number of C comes out of the same
 * operations in the same order, whatever the number of threads. */
typedef struct {
    real *c;             /* (m, n), element (i, j) at c[i*rs + j*cs] */
    size_t rs, cs;       /* (n, 1) for C by rows, (1, m) by columns */
    mat_view a, bt;      /* A as (m, k), B-transposed as (n, k) */
    int m, k, n, threads;
    bool list_a, list_b; /* list the live steps of A's, B's panels */
} mat_job;

enum { MAT_MAX_THREADS = 64 };
static mat_buffers mat_buffers_of[MAT_MAX_THREADS];   /* thread t's */

//> A-threads
/* Thread t's part of a job: columns lo .. hi-1 of C. */
static void mat_job_run(const void *work, int t)
{
    const mat_job *job = work;
    int tiles = (job->n + MAT_NR - 1) / MAT_NR;
    int per = (tiles + job->threads - 1) / job->threads;
    int lo = min_int(job->n, t * per * MAT_NR);
    int hi = min_int(job->n, (t + 1) * per * MAT_NR);
    if (lo == hi)
        return;
    mat_view bt = job->bt;   /* from column lo of B */
    bt.at += (size_t)lo * bt.rs;
    mat_gemm(job->c + lo * job->cs, job->rs, job->cs, job->a, bt,
             job->m, job->k, hi - lo, job->list_a, job->list_b,
             &mat_buffers_of[t]);
}
//< A-threads

/* The worker threads. Waking a thread that sleeps takes tens of
 * microseconds (on a virtual machine the other core may be asleep
 * too), as long as one of the VAE's small products. So a worker that
 * has finished its part first watches `round` for the next job, up to
 * MAT_SPIN checks (about a millisecond, more than the gap between two
 * products of a training step), and only then sleeps on `wake`; and
 * the caller watches `busy` fall to zero instead of sleeping, yielding
 * the core meanwhile in case a worker waits for one. */
enum { MAT_SPIN = 1 << 20 };
static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t worker[MAT_MAX_THREADS];
    int size;              /* threads, the caller's included */
    atomic_ulong round;    /* counts jobs handed out */
    unsigned long first;   /* round when the workers were started */
    atomic_int busy;       /* workers still on this round's job */
    atomic_bool quit;
    void (*part)(const void *work, int t);   /* this round's job: */
    const void *work;                        /* part(work, t) */
} pool = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .wake = PTHREAD_COND_INITIALIZER,
    .size = 1,
};

/* Waits until `round` differs from `seen`, and returns it. */
static unsigned long mat_wait_round(unsigned long seen)
{
    for (long spin = 0; spin < MAT_SPIN; spin++)
        if (atomic_load(&pool.round) != seen)
            return atomic_load(&pool.round);
    pthread_mutex_lock(&pool.lock);
    while (atomic_load(&pool.round) == seen)
        pthread_cond_wait(&pool.wake, &pool.lock);
    pthread_mutex_unlock(&pool.lock);
    return atomic_load(&pool.round);
}

/* Starts a new round: the job, or the order to quit, is in place. The
 * broadcast is made under the lock, so that a worker between its last
 * look at `round` and its sleep cannot miss it. */
static void mat_next_round(void)
{
    atomic_fetch_add(&pool.round, 1);
    pthread_mutex_lock(&pool.lock);
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.lock);
}

/* A worker's life: thread number t (1 .. size-1) runs part t of each
 * job until told to quit. */
static void *mat_worker(void *arg)
{
    int t = (int)(intptr_t)arg;
    unsigned long seen = pool.first;   /* not round: a job may be out */
    for (;;) {
        seen = mat_wait_round(seen);
        if (atomic_load(&pool.quit))
            return NULL;
        pool.part(pool.work, t);
        atomic_fetch_sub(&pool.busy, 1);
    }
}

/* Stops the workers there are and starts threads - 1 new ones. */
void mat_set_threads_fast(int threads)
{
    if (threads == 0) {   /* one per core */
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        threads = cores > 0 ? (int)cores : 1;
    }
    threads = threads < 1 ? 1 : min_int(threads, MAT_MAX_THREADS);
    if (threads == pool.size)
        return;
    atomic_store(&pool.quit, true);      /* stop the old workers */
    mat_next_round();
    for (int t = 1; t < pool.size; t++)
        pthread_join(pool.worker[t], NULL);
    atomic_store(&pool.quit, false);
    pool.first = atomic_load(&pool.round);
    pool.size = 1;
    for (; pool.size < threads; pool.size++)  /* fewer if refused */
        if (pthread_create(&pool.worker[pool.size], NULL, mat_worker,
                           (void *)(intptr_t)pool.size) != 0)
            break;
}

void mat_tile_shape(int *mr, int *nr)
{
    *mr = MAT_MR;
    *nr = MAT_NR;
}

/* The threads the products use, the caller's included. */
int mat_threads_fast(void) { return pool.size; }

static long mat_round_up(int x, int to)
{
    return (long)(x + to - 1) / to * to;
}

/* The kernel's work for C of m rows and n columns, padding included:
 * rows go ER at a time at the edge, columns NR at a time always. */
static long mat_work(int m, int n)
{
    return mat_round_up(m, MAT_ER) * mat_round_up(n, MAT_NR);
}

/* Runs part(work, t) for every thread t, the caller's part 0 here and
 * the others on the workers, and returns when all have finished. */
static void mat_share(void (*part)(const void *work, int t),
                      const void *work)
{
    pool.part = part;   /* the workers read these only after the */
    pool.work = work;   /* new round */
    atomic_store(&pool.busy, pool.size - 1);
    mat_next_round();
    part(work, 0);
    while (atomic_load(&pool.busy) > 0)
        sched_yield();   /* the workers end about when part 0 does */
}

/* Products below MAT_SMALL multiply-adds skip the packing; below
 * MAT_SHARED they are not worth waking the workers for. */
enum { MAT_SMALL = 1 << 12, MAT_SHARED = 1 << 18 };

/* Live steps are listed for the panels of an operand when at least
 * MAT_LIST_MIN columns (for A) or rows (for B) of C use each of them. */
enum { MAT_LIST_MIN = 256 };

/* Computes c = A . B (or adds it, if `accumulate`), sharing the work
 * with the workers when there are any and the product is big enough to
 * pay for waking them. */
static void mat_product(real *c, mat_view a, mat_view bt, int m, int k,
                        int n, bool accumulate)
{
    if (m == 0 || n == 0)
        return;
    pthread_once(&mat_every_made, mat_make_every);
    if (!accumulate)
        memset(c, 0, sizeof(real) * (size_t)m * (size_t)n);
    double size = (double)m * k * n;   /* multiply-adds */
    if (size < MAT_SMALL || m == 1) {
        mat_small(c, a, bt, m, k, n);
        return;
    }
    //> A-transpose
    mat_job job = {.c = c, .rs = (size_t)n, .cs = 1, .a = a, .bt = bt,
                   .m = m, .k = k, .n = n, .threads = pool.size};
    /* C^T = B^T . A^T is the same product with rows and columns
     * swapped, and each number comes out of the same multiply-adds
     * (a b = b a). It is cheaper when C is narrow: 20 columns fill two
     * tiles of 16, but 20 rows are one tile and an edge of 4. */
    if (mat_work(n, m) < mat_work(m, n))
        job = (mat_job){.c = c, .rs = 1, .cs = (size_t)n, .a = bt,
                        .bt = a, .m = n, .k = k, .n = m,
                        .threads = pool.size};
    //< A-transpose
    /* Lists only where they pay, (A.7): a panel of A serves the n / NR
     * tiles of its row, one of B the m / MR of its column. */
    job.list_a = job.n >= MAT_LIST_MIN;
    job.list_b = job.m >= MAT_LIST_MIN;
    if (pool.size == 1 || size < MAT_SHARED) {
        job.threads = 1;
        mat_job_run(&job, 0);
        return;
    }
    mat_share(mat_job_run, &job);
}

/* A loop over [0, n) cut into one range per thread. The ranges are
 * whole multiples of 16 elements, 64 bytes of floats, so that two
 * threads seldom write the same cache line. */
typedef struct {
    mat_range_fn *body;
    void *arg;
    size_t n;
    int threads;
} mat_range;

static void mat_range_run(const void *work, int t)
{
    const mat_range *r = work;
    size_t per = (r->n + (size_t)r->threads - 1) / (size_t)r->threads;
    per = (per + 15) / 16 * 16;
    size_t lo = per * (size_t)t < r->n ? per * (size_t)t : r->n;
    size_t hi = r->n - lo < per ? r->n : lo + per;
    if (lo < hi)
        r->body(r->arg, lo, hi);
}

/* Loops under MAT_FOR_SHARED elements run on the caller alone. */
enum { MAT_FOR_SHARED = 1 << 16 };

void mat_for(size_t n, mat_range_fn *body, void *arg)
{
    if (pool.size == 1 || n < MAT_FOR_SHARED) {
        body(arg, 0, n);
        return;
    }
    mat_range r = {body, arg, n, pool.size};
    mat_share(mat_range_run, &r);
}

/* The three forms differ only in their views: where element (i, p) of
 * A and element (j, p) of B-transposed sit in the row-major arrays,
 * equation (A.5). */
void mat_mul_nn_fast(real *c, const real *a, const real *b, int m,
                     int k, int n, bool accumulate)
{
    mat_view av = {a, (size_t)k, 1}, btv = {b, 1, (size_t)n};
    mat_product(c, av, btv, m, k, n, accumulate);
}

void mat_mul_nt_fast(real *c, const real *a, const real *b, int m,
                     int k, int n, bool accumulate)
{
    mat_view av = {a, (size_t)k, 1}, btv = {b, (size_t)k, 1};
    mat_product(c, av, btv, m, k, n, accumulate);
}

void mat_mul_tn_fast(real *c, const real *a, const real *b, int m,
                     int k, int n, bool accumulate)
{
    mat_view av = {a, 1, (size_t)m}, btv = {b, 1, (size_t)n};
    mat_product(c, av, btv, m, k, n, accumulate);
}
