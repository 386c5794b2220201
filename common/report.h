/* report.h -- what a chapter program writes: files in its output folder
 * (written whole or not at all), .tsv tables, the closing summary block,
 * and the list of files it wrote.
 *
 * Every output file is written under a temporary name and renamed when
 * complete, so an interrupted or failing run never leaves half a file. */
#ifndef REPORT_H
#define REPORT_H

#include <stdio.h>

/* Creates `dir` and its parents (mkdir -p); exits with a message if it
 * cannot. */
void report_make_dir(const char *dir);

/* A file being written: `fp` writes to path + ".tmp" until commit. */
typedef struct {
    FILE *fp;
    char path[1024];
    char tmp[1040];
} report_file;

/* Opens dir/name for writing (dir is created if missing). */
void report_open(report_file *f, const char *dir, const char *name);

/* Flushes, closes and renames into place; records the path for
 * report_files(). Any write error exits with a message naming the file. */
void report_commit(report_file *f);

/* A tab-separated table with a header row ("x\tkl\tkl_mc"). */
typedef struct {
    report_file file;
    int columns;
} report_tsv;

void report_tsv_open(report_tsv *t, const char *dir, const char *name,
                     const char *header);
void report_tsv_row(report_tsv *t, const double *values); /* `columns` */
void report_tsv_close(report_tsv *t);

/* The summary block: "summary:" then one "key = value" line each. */
void report_summary_begin(void);
void report_summary(const char *key, double value);
void report_summary_text(const char *key, const char *value);

/* Prints "wrote: PATH" for every file committed so far. */
void report_files(void);

/* Seconds on a monotonic clock, for progress lines and timings. */
double report_seconds(void);

#endif
