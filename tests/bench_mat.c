/* bench_mat.c -- how fast the three matrix products run: GFLOP/s
 * (2mnk / seconds) at the VAE's shapes (its 784 -> 400 layers, and a
 * latent head, 400 -> 20) and at 1024^3: the fast forms with 1 and 2
 * threads, the plain loops (at the VAE's shapes), each figure the
 * median of several timed runs.
 *
 *     build/tests/bench_mat [--runs N] [--threads N] [--quick]
 *
 * Prints the CPU, the machine's roof measured in the same run (an FMA
 * loop in the widest vectors of the build), a table (median, in
 * parentheses the fastest run, and the median as a share of the roof),
 * and a summary block of the medians (gflops_FORM_SHAPE_tN). */
#include "cli.h"
#include "mat.h"
#include "report.h"
#include "rng.h"
#include "sys.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void mat_product(real *c, const real *a, const real *b, int m,
                         int k, int n, bool accumulate);

/* One product to time: which form, at which sizes, under which name. */
typedef struct {
    const char *form;   /* "nn", "nt", "tn" */
    const char *shape;  /* short name for the summary key */
    const char *use;    /* where the VAE calls it */
    mat_product *mul;     /* the fast form */
    mat_product *plain;   /* the plain loops, or NULL: not timed */
    int m, k, n;
} bench_case;

/* The plain loops are timed at the VAE's shapes only: at 1024^3 a call
 * takes seconds. Rows alike in shape (`duplicates` pairs them): it is
 * data, one product a row, clearer spelled out than generated. */
static const bench_case cases[] = {
    {"nt", "vae", "y = x.W^T", mat_mul_nt_fast, mat_mul_nt_plain, 128,
     784, 400},
    {"nn", "vae", "dx = dy.W", mat_mul_nn_fast, mat_mul_nn_plain, 128,
     400, 784},
    {"tn", "vae", "dW = dy^T.x", mat_mul_tn_fast, mat_mul_tn_plain, 400,
     128, 784},
    {"nt", "head", "mu = h.W^T", mat_mul_nt_fast, mat_mul_nt_plain, 128,
     400, 20},
    {"nn", "head", "dh = dmu.W", mat_mul_nn_fast, mat_mul_nn_plain, 128,
     20, 400},
    {"tn", "head", "dW = dmu^T.h", mat_mul_tn_fast, mat_mul_tn_plain, 20,
     128, 400},
    {"nn", "1024", "square", mat_mul_nn_fast, NULL, 1024, 1024, 1024},
    {"nt", "1024", "square", mat_mul_nt_fast, NULL, 1024, 1024, 1024},
    {"tn", "1024", "square", mat_mul_tn_fast, NULL, 1024, 1024, 1024},
};

/* AMD's generation from the family and model /proc/cpuinfo gives (the
 * model name of a virtual machine may say only "AMD EPYC"), or "". */
static const char *amd_generation(int family, int model)
{
    if (family == 26)
        return " (Zen 5)";
    if (family == 25)
        return (model >= 0x10 && model <= 0x1f) ||
               (model >= 0x60 && model <= 0x7f) ||
               (model >= 0xa0 && model <= 0xaf) ? " (Zen 4)" : " (Zen 3)";
    if (family == 23)
        return " (Zen or Zen 2)";
    return "";
}

/* The CPU as /proc/cpuinfo names it, with its family and model: every
 * figure must say which CPU it was measured on. */
static void bench_cpu_model(char *out, size_t size)
{
    snprintf(out, size, "unknown CPU");
    FILE *fp = fopen("/proc/cpuinfo", "r");
    if (!fp)
        return;
    char line[512], name[256] = "unknown CPU", vendor[64] = "";
    int family = -1, model = -1;
    while (fgets(line, sizeof line, fp) && strcmp(line, "\n") != 0) {
        char *value = strchr(line, ':');
        if (!value)
            continue;
        value += 1 + (value[1] == ' ');
        value[strcspn(value, "\n")] = '\0';
        if (strncmp(line, "model name", 10) == 0)
            snprintf(name, sizeof name, "%s", value);
        else if (strncmp(line, "vendor_id", 9) == 0)
            snprintf(vendor, sizeof vendor, "%s", value);
        else if (strncmp(line, "cpu family", 10) == 0)
            family = atoi(value);
        else if (strncmp(line, "model\t", 6) == 0)
            model = atoi(value);
    }
    fclose(fp);
    snprintf(out, size, "%s, family %d model %d%s", name, family, model,
             strcmp(vendor, "AuthenticAMD") == 0 ?
             amd_generation(family, model) : "");
}

/* ---- the machine's roof ------------------------------------------------
 * The most multiply-adds a core can do: ROOF_CHAINS independent chains
 * of fused multiply-adds in the widest vectors this build uses. Twelve
 * chains cover the latency of an FMA (4 cycles) on two FMA units with
 * room to spare; fewer would measure the latency, not the throughput.
 * This file is compiled with -ffp-contract=fast (the Makefile), so that
 * acc * x + y is one FMA. */
#if defined(__AVX512F__)
#define ROOF_BYTES 64
#define ROOF_ISA "AVX-512"
#elif defined(__AVX__)
#define ROOF_BYTES 32
#define ROOF_ISA "AVX"
#else
#define ROOF_BYTES 16
#define ROOF_ISA "SSE"
#endif
enum { ROOF_CHAINS = 12, ROOF_LANES = ROOF_BYTES / sizeof(float) };

/* gcc's and clang's vector extension: arithmetic on whole vectors,
 * v[l] for lane l. */
typedef float roof_vec __attribute__((vector_size(ROOF_BYTES)));

/* GFLOP/s of `iters` rounds of the chains. The factors come through a
 * volatile, so the compiler cannot fold the loop away, and the sum of
 * the chains goes out through another. */
static volatile float roof_x = 0.999999f, roof_y = 1e-7f, roof_sink;

static double roof_run(long iters)
{
    roof_vec acc[ROOF_CHAINS], x, y;
    for (int l = 0; l < ROOF_LANES; l++) {
        x[l] = roof_x;
        y[l] = roof_y;
    }
    for (int c = 0; c < ROOF_CHAINS; c++)
        acc[c] = x * (float)c;
    double t0 = sys_seconds();
    for (long t = 0; t < iters; t++)
        for (int c = 0; c < ROOF_CHAINS; c++)
            acc[c] = acc[c] * x + y;
    double seconds = sys_seconds() - t0;
    float sum = 0;
    for (int c = 0; c < ROOF_CHAINS; c++)
        for (int l = 0; l < ROOF_LANES; l++)
            sum += acc[c][l];
    roof_sink = sum;
    return 2.0 * ROOF_CHAINS * ROOF_LANES * (double)iters / seconds / 1e9;
}

/* Ascending order of doubles, for qsort. */
static int compare_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* Seconds per call of one case: the median over `runs` timed runs, each
 * repeating the call often enough to last about `min_seconds`; *best is
 * the fastest run, what the machine gives when nothing else runs. */
static double bench_time(const bench_case *bc, mat_product *mul, int runs,
                         double min_seconds, double *best)
{
    size_t na = (size_t)bc->m * bc->k, nb = (size_t)bc->k * bc->n;
    real *a = malloc(sizeof(real) * na);              /* (m,k) or (k,m) */
    real *b = malloc(sizeof(real) * nb);              /* (k,n) or (n,k) */
    real *c = malloc(sizeof(real) * (size_t)bc->m * bc->n);  /* (m,n) */
    if (!a || !b || !c)
        sys_die(SYS_FAILED, "out of memory for %dx%dx%d", bc->m, bc->k, bc->n);
    rng r;
    rng_seed(&r, 1);
    for (size_t i = 0; i < na; i++)
        a[i] = (real)(2 * rng_uniform(&r) - 1);
    for (size_t i = 0; i < nb; i++)
        b[i] = (real)(2 * rng_uniform(&r) - 1);

    double t0 = sys_seconds();          /* warm-up, and a first guess */
    mul(c, a, b, bc->m, bc->k, bc->n, false);
    double once = sys_seconds() - t0;
    int reps = once >= min_seconds ? 1 : (int)(min_seconds / once) + 1;

    double per_call[64];   /* runs <= 64: the flag's range */
    for (int run = 0; run < runs; run++) {
        t0 = sys_seconds();
        for (int rep = 0; rep < reps; rep++)
            mul(c, a, b, bc->m, bc->k, bc->n, false);
        per_call[run] = (sys_seconds() - t0) / reps;
    }
    qsort(per_call, (size_t)runs, sizeof per_call[0], compare_double);
    free(a);
    free(b);
    free(c);
    *best = per_call[0];
    return per_call[runs / 2];
}

/* The roof on one core: the fastest of `runs` runs of about 20 ms. Not
 * the median, as for the products: the roof is what the core can do,
 * and a slower run only says that someone else had the core meanwhile;
 * short runs are the likeliest to find it alone. */
static double roof_gflops(int runs)
{
    long iters = 1000;
    for (;;) {
        double t0 = sys_seconds();
        roof_run(iters);
        if (sys_seconds() - t0 > 0.02 || iters > (1L << 40))
            break;
        iters *= 2;
    }
    double best = 0;
    for (int run = 0; run < runs; run++) {
        double g = roof_run(iters);
        best = g > best ? g : best;
    }
    return best;
}

/* What one case measured: GFLOP/s of the plain loops (0: not timed),
 * and the median and fastest of the fast form on each thread count. */
typedef struct {
    double plain, median[2], fastest[2];
} bench_result;

/* Times every case, and the roof between them: on a shared machine a
 * core is sometimes lent to someone else, and the roof is the fastest
 * the core was seen to be, before, between and after the products. */
static double measure(bench_result *res, int ncases, const int *threads,
                      int ncounts, int runs, double min_seconds)
{
    enum { ROOF_RUNS = 25, ROOF_BETWEEN = 3 };
    double roof = roof_gflops(ROOF_RUNS), best;
    for (int i = 0; i < ncases; i++) {
        const bench_case *bc = &cases[i];
        double flops = 2.0 * bc->m * bc->k * bc->n;   /* (A.1) */
        res[i].plain = 0;
        if (bc->plain)   /* one thread: the plain layer has no others */
            res[i].plain = flops / 1e9 /
                bench_time(bc, bc->plain, runs, min_seconds, &best);
        for (int t = 0; t < ncounts; t++) {
            mat_set_threads_fast(threads[t]);
            double seconds = bench_time(bc, bc->mul, runs, min_seconds,
                                        &best);
            res[i].median[t] = flops / seconds / 1e9;
            res[i].fastest[t] = flops / best / 1e9;
        }
        mat_set_threads_fast(1);
        roof = fmax(roof, roof_gflops(ROOF_BETWEEN));
    }
    return fmax(roof, roof_gflops(ROOF_RUNS));
}

static void print_table(const bench_result *res, int ncases,
                        const int *threads, int ncounts, double roof)
{
    printf("%-4s %-5s %-12s %5s %5s %5s %6s", "form", "shape", "use", "m",
           "k", "n", "plain");
    for (int t = 0; t < ncounts; t++) {
        char head[32];
        snprintf(head, sizeof head, "t=%d GFLOP/s roof", threads[t]);
        printf("%20s", head);
    }
    printf("\n");
    for (int i = 0; i < ncases; i++) {
        const bench_case *bc = &cases[i];
        printf("%-4s %-5s %-12s %5d %5d %5d", bc->form, bc->shape, bc->use,
               bc->m, bc->k, bc->n);
        if (bc->plain)
            printf(" %6.1f", res[i].plain);
        else
            printf(" %6s", "-");
        for (int t = 0; t < ncounts; t++)
            printf("  %5.1f (%5.1f) %3.0f%%", res[i].median[t],
                   res[i].fastest[t],
                   100 * res[i].median[t] / (roof * threads[t]));
        printf("\n");
    }
}

int main(int argc, char **argv)
{
    int runs = 7;
    int max_threads = 2;
    double min_seconds = 0.05;
    bool quick = false;
    cli_flag flags[] = {
        {"runs", CLI_INT, &runs, "[1,64]", "timed runs per figure (median)"},
        {"threads", CLI_INT, &max_threads, "[1,64]",
         "time with 1 thread and with this many"},
        {"min-seconds", CLI_REAL, &min_seconds, "(0,10]",
         "shortest timed run (calls are repeated to reach it)"},
        {"quick", CLI_BOOL, &quick, NULL, "the 784 -> 400 shapes only"},
    };
    cli_parse("bench_mat", "GFLOP/s of the matrix products", flags,
              CLI_COUNT(flags), argc, argv);

    char cpu[256];
    bench_cpu_model(cpu, sizeof cpu);
    int mr, nr;
    mat_tile_shape(&mr, &nr);
    printf("machine: %s; compiler %s; element %s; register tile %d x %d\n",
           cpu, __VERSION__, REAL_NAME, mr, nr);
    fflush(stdout);

    int threads[2] = {1, max_threads};
    int ncounts = max_threads > 1 ? 2 : 1;
    int ncases = quick ? 3 : CLI_COUNT(cases);
    bench_result res[CLI_COUNT(cases)];
    double roof = measure(res, ncases, threads, ncounts, runs, min_seconds);
    printf("roof: %d chains of fused multiply-adds in %d-float vectors "
           "(%s),\nthe fastest run before, between and after the "
           "products: %.1f GFLOP/s per core\n", ROOF_CHAINS, ROOF_LANES,
           ROOF_ISA, roof);
    printf("GFLOP/s of the plain loops (one thread) and of the fast "
           "form on t threads:\nmedian of %d runs of >= %g s each, in "
           "parentheses the fastest, and the\nmedian's share of the roof "
           "of t cores\n\n", runs, min_seconds);
    print_table(res, ncases, threads, ncounts, roof);

    report_summary_begin();
    report_summary("roof_gflops_per_core", roof);
    for (int i = 0; i < ncases; i++)
        for (int t = 0; t < ncounts; t++) {
            char key[64];
            snprintf(key, sizeof key, "gflops_%s_%s_t%d", cases[i].form,
                     cases[i].shape, threads[t]);
            report_summary(key, res[i].median[t]);
        }
    return 0;
}
