/* report.h -- what a chapter program writes: files in its output folder
 * (written whole or not at all), .tsv tables, the closing summary block,
 * and the list of files it wrote.
 *
 * Every output file is written under a temporary name and renamed when
 * complete, so an interrupted or failing run never leaves half a file. */
#ifndef REPORT_H
#define REPORT_H

#include <stdbool.h>
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

/* Makes `dir` the run's output folder, before any work: creates it,
 * checks that a file can be written there (exit 1 if not), removes the
 * NAME.tmp files a killed run left, and reads the folder's record,
 * dir/run.txt, "PROGRAM FILE" on each line. One run, one folder: if
 * the record names another program's files the run stops (exit 2)
 * unless --force (cli_force) was given; at the end, report_files
 * removes the files an earlier run of this program left that this one
 * did not write. Files in a folder without a record are never removed.
 * The first report_open prepares its folder if nothing did before. */
void report_prepare(const char *dir);

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

/* The summary block: "summary:" then one "key = value" line each. A
 * value that is not a finite number is printed, and then the program
 * ends with status 1 and a line naming it, however main returns. */
void report_summary_begin(void);
void report_summary(const char *key, double value);

/* The program has said why an infinite summary value is the right
 * answer (a KL against a distribution with a zero where the other has
 * mass): infinities pass; a NaN never does. */
void report_allow_infinity(void);
void report_summary_text(const char *key, const char *value);

/* Prints "name = (a, b, c)" with the n values in %.6g and no newline:
 * a vector inside a line of the program's report. */
void report_vector(const char *name, const double *v, int n);

/* Prints "wrote: PATH" for every file committed so far, and the output
 * folder's full path; first tidies the folder as report_prepare says. */
void report_files(void);

/* Progress of one long step (an evaluation, a bound), for a person
 * waiting at a terminal: once the step has run 2 s, a line on stderr
 * "  WHAT: 40%, ETA 12 s", rewritten in place, erased at the end. Only
 * when stderr is a terminal, so logs and quoted output stay the same
 * from run to run. */
typedef struct {
    const char *what;
    double start, shown;   /* sys_seconds() at start, at last show */
    int width;             /* of the line on screen, 0 if none */
    bool tty;
} report_progress;

report_progress report_progress_start(const char *what);
void report_progress_show(report_progress *p, double done, double total);
void report_progress_done(report_progress *p);


#endif
