/* report.c -- output folder, whole-or-nothing files, tsv, summary block. */
#include "report.h"

#include "cli.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

enum { REPORT_MAX_FILES = 128 };
static char written[REPORT_MAX_FILES][1024];
static int nwritten;

void report_make_dir(const char *dir)
{
    char path[1024];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        cli_die(1, "%s: output folder name too long", dir);
    /* Create each prefix ending at a '/', then the whole path. */
    for (char *p = path + 1;; p++) {
        bool end = *p == '\0';
        if (*p == '/' || end) {
            *p = '\0';
            if (mkdir(path, 0777) != 0 && errno != EEXIST)
                cli_die(1, "%s: cannot create folder: %s", path,
                        strerror(errno));
            if (end)
                break;
            *p = '/';
        }
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        cli_die(1, "%s: not a folder", dir);
}

void report_open(report_file *f, const char *dir, const char *name)
{
    report_make_dir(dir);
    if (snprintf(f->path, sizeof f->path, "%s/%s", dir, name) >=
        (int)sizeof f->path)
        cli_die(1, "%s/%s: path too long", dir, name);
    snprintf(f->tmp, sizeof f->tmp, "%s.tmp", f->path);
    f->fp = fopen(f->tmp, "wb");
    if (f->fp == NULL)
        cli_die(1, "%s: cannot write: %s", f->tmp, strerror(errno));
}

void report_commit(report_file *f)
{
    bool failed = ferror(f->fp) != 0;
    failed |= fclose(f->fp) != 0;
    f->fp = NULL;
    if (failed || rename(f->tmp, f->path) != 0) {
        remove(f->tmp);
        cli_die(1, "%s: write failed: %s", f->path, strerror(errno));
    }
    if (nwritten < REPORT_MAX_FILES)
        snprintf(written[nwritten++], sizeof written[0], "%s", f->path);
}

void report_tsv_open(report_tsv *t, const char *dir, const char *name,
                     const char *header)
{
    report_open(&t->file, dir, name);
    t->columns = 1;
    for (const char *p = header; *p; p++)
        t->columns += *p == '\t';
    fprintf(t->file.fp, "%s\n", header);
}

void report_tsv_row(report_tsv *t, const double *values)
{
    for (int i = 0; i < t->columns; i++)
        fprintf(t->file.fp, "%s%.10g", i ? "\t" : "", values[i]);
    fputc('\n', t->file.fp);
}

void report_tsv_close(report_tsv *t) { report_commit(&t->file); }

void report_summary_begin(void) { printf("\nsummary:\n"); }

void report_summary(const char *key, double value)
{
    printf("%s = %.10g\n", key, value);
}

void report_summary_text(const char *key, const char *value)
{
    printf("%s = %s\n", key, value);
}

void report_files(void)
{
    for (int i = 0; i < nwritten; i++)
        printf("wrote: %s\n", written[i]);
}

double report_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
