/* bench_mat.c -- how fast the three matrix products run: GFLOP/s
 * (2mnk / seconds) at the VAE's shapes (its 784 -> 400 layers, and a
 * latent head, 400 -> 20) and at 1024^3, with 1 and 2 threads, each
 * figure the median of several timed runs.
 *
 *     build/tests/bench_mat [--runs N] [--threads N] [--quick]
 *
 * Prints a machine line, a table (median, and in parentheses the fastest
 * run), and a summary block of the medians (gflops_FORM_SHAPE_tN). */
#include "cli.h"
#include "mat.h"
#include "report.h"
#include "rng.h"

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
    mat_product *mul;
    int m, k, n;
} bench_case;

static const bench_case cases[] = {
    {"nt", "vae", "y = x.W^T", mat_mul_nt, 128, 784, 400},
    {"nn", "vae", "dx = dy.W", mat_mul_nn, 128, 400, 784},
    {"tn", "vae", "dW = dy^T.x", mat_mul_tn, 400, 128, 784},
    {"nt", "head", "mu = h.W^T", mat_mul_nt, 128, 400, 20},
    {"nn", "head", "dh = dmu.W", mat_mul_nn, 128, 20, 400},
    {"tn", "head", "dW = dmu^T.h", mat_mul_tn, 20, 128, 400},
    {"nn", "1024", "square", mat_mul_nn, 1024, 1024, 1024},
    {"nt", "1024", "square", mat_mul_nt, 1024, 1024, 1024},
    {"tn", "1024", "square", mat_mul_tn, 1024, 1024, 1024},
};

/* The CPU's model name from /proc/cpuinfo, or "unknown". */
static void bench_cpu_model(char *out, size_t size)
{
    snprintf(out, size, "unknown");
    FILE *fp = fopen("/proc/cpuinfo", "r");
    if (!fp)
        return;
    char line[512];
    while (fgets(line, sizeof line, fp)) {
        char *colon = strchr(line, ':');
        if (strncmp(line, "model name", 10) == 0 && colon) {
            colon += 1 + (colon[1] == ' ');
            colon[strcspn(colon, "\n")] = '\0';
            snprintf(out, size, "%s", colon);
            break;
        }
    }
    fclose(fp);
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
static double bench_time(const bench_case *bc, int runs, double min_seconds,
                         double *best)
{
    size_t na = (size_t)bc->m * bc->k, nb = (size_t)bc->k * bc->n;
    real *a = malloc(sizeof(real) * na);              /* (m,k) or (k,m) */
    real *b = malloc(sizeof(real) * nb);              /* (k,n) or (n,k) */
    real *c = malloc(sizeof(real) * (size_t)bc->m * bc->n);  /* (m,n) */
    if (!a || !b || !c)
        cli_die(1, "out of memory for %dx%dx%d", bc->m, bc->k, bc->n);
    rng r;
    rng_seed(&r, 1);
    for (size_t i = 0; i < na; i++)
        a[i] = (real)(2 * rng_uniform(&r) - 1);
    for (size_t i = 0; i < nb; i++)
        b[i] = (real)(2 * rng_uniform(&r) - 1);

    double t0 = report_seconds();          /* warm-up, and a first guess */
    bc->mul(c, a, b, bc->m, bc->k, bc->n, false);
    double once = report_seconds() - t0;
    int reps = once >= min_seconds ? 1 : (int)(min_seconds / once) + 1;

    double per_call[64];   /* runs <= 64: the flag's range */
    for (int run = 0; run < runs; run++) {
        t0 = report_seconds();
        for (int rep = 0; rep < reps; rep++)
            bc->mul(c, a, b, bc->m, bc->k, bc->n, false);
        per_call[run] = (report_seconds() - t0) / reps;
    }
    qsort(per_call, (size_t)runs, sizeof per_call[0], compare_double);
    free(a);
    free(b);
    free(c);
    *best = per_call[0];
    return per_call[runs / 2];
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
    printf("t threads; median of %d runs of >= %g s each, and in "
           "parentheses the fastest\n\n", runs, min_seconds);

    int thread_counts[2] = {1, max_threads};
    int ncounts = max_threads > 1 ? 2 : 1;
    int ncases = quick ? 3 : CLI_COUNT(cases);
    double gflops[CLI_COUNT(cases)][2];

    printf("%-4s %-5s %-12s %5s %5s %5s", "form", "shape", "use", "m",
           "k", "n");
    for (int t = 0; t < ncounts; t++) {
        char head[32];
        snprintf(head, sizeof head, "t=%d GFLOP/s", thread_counts[t]);
        printf("%15s", head);
    }
    printf("\n");
    for (int i = 0; i < ncases; i++) {
        const bench_case *bc = &cases[i];
        printf("%-4s %-5s %-12s %5d %5d %5d", bc->form, bc->shape, bc->use,
               bc->m, bc->k, bc->n);
        for (int t = 0; t < ncounts; t++) {
            mat_set_threads(thread_counts[t]);
            double best, seconds = bench_time(bc, runs, min_seconds,
                                              &best);
            double flops = 2.0 * bc->m * bc->k * bc->n;   /* (A.1) */
            gflops[i][t] = flops / seconds / 1e9;
            printf("  %5.1f (%5.1f)", gflops[i][t], flops / best / 1e9);
            fflush(stdout);
        }
        printf("\n");
    }
    mat_set_threads(1);

    report_summary_begin();
    for (int i = 0; i < ncases; i++)
        for (int t = 0; t < ncounts; t++) {
            char key[64];
            snprintf(key, sizeof key, "gflops_%s_%s_t%d", cases[i].form,
                     cases[i].shape, thread_counts[t]);
            report_summary(key, gflops[i][t]);
        }
    return 0;
}
