/* report.c -- output folder, whole-or-nothing files, tsv, summary block. */
#include "report.h"

#include "cli.h"
#include "sys.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { REPORT_MAX_FILES = 128 };
static char written[REPORT_MAX_FILES][1024];
static int nwritten;

/* The run's output folder (report_prepare), and what its record said
 * before this run: "PROGRAM NAME" lines (see report.h). */
static char run_dir[1024];
static char *old_record;
#define REPORT_RECORD "run.txt"

void report_make_dir(const char *dir)
{
    char path[1024];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        sys_die(SYS_FAILED, "%s: output folder name too long", dir);
    /* Create each prefix ending at a '/', then the whole path. */
    for (char *p = path + 1;; p++) {
        bool end = *p == '\0';
        if (*p == '/' || end) {
            *p = '\0';
            if (mkdir(path, 0777) != 0 && errno != EEXIST)
                sys_die(SYS_FAILED, "%s: cannot create folder: %s", path,
                        strerror(errno));
            if (end)
                break;
            *p = '/';
        }
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        sys_die(SYS_FAILED, "%s: not a folder", dir);
}

/* The temporary files being written, removed if the program exits
 * before they are complete (a fatal error, an interrupted training). */
enum { REPORT_MAX_OPEN = 16 };
static char open_tmp[REPORT_MAX_OPEN][1040];

static void remove_open_files(void)
{
    for (int i = 0; i < REPORT_MAX_OPEN; i++)
        if (open_tmp[i][0] != '\0')
            remove(open_tmp[i]);
}

/* Adds f's temporary name to open_tmp (or takes it off), arranging
 * the removal at exit the first time. */
static void track_open(const report_file *f, bool open)
{
    static bool registered;
    if (!registered)
        registered = atexit(remove_open_files) == 0;
    for (int i = 0; i < REPORT_MAX_OPEN; i++)
        if (open ? open_tmp[i][0] == '\0' :
                   strcmp(open_tmp[i], f->tmp) == 0) {
            snprintf(open_tmp[i], sizeof open_tmp[i], "%s",
                     open ? f->tmp : "");
            return;
        }
}

/* "dir/name" into path, or exit naming both. */
static void join(char *path, size_t size, const char *dir,
                 const char *name)
{
    if (snprintf(path, size, "%s/%s", dir, name) >= (int)size)
        sys_die(SYS_FAILED, "%s/%s: path too long", dir, name);
}

/* The whole of a small text file, or NULL if there is none. */
static char *read_text(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return NULL;
    size_t cap = 4096, len = 0;
    char *text = sys_alloc(cap + 1, 1);
    size_t got;
    while (text && (got = fread(text + len, 1, cap - len, fp)) > 0)
        if ((len += got) == cap)
            text = realloc(text, (cap *= 2) + 1);
    fclose(fp);
    if (text == NULL)
        sys_die(SYS_FAILED, "out of memory reading %s", path);
    text[len] = '\0';
    return text;
}

/* Whether the record names a file of a program other than this one;
 * its name goes to other. */
static bool record_has_other(const char *record, char *other, size_t size)
{
    const char *me = sys_program();
    for (const char *l = record; *l; l += strcspn(l, "\n"), l += *l != 0) {
        size_t n = strcspn(l, " \n");
        if (l[n] == ' ' && (strlen(me) != n || strncmp(l, me, n) != 0)) {
            snprintf(other, size, "%.*s", (int)n, l);
            return true;
        }
    }
    return false;
}

/* Removes the NAME.tmp files a killed run left in dir. */
static void remove_stale_tmp(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t n = strlen(e->d_name);
        char path[1300];
        if (n > 4 && strcmp(e->d_name + n - 4, ".tmp") == 0 &&
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name) <
                (int)sizeof path)
            remove(path);
    }
    closedir(d);
}

/* At exit: the output folder goes again if the run left it empty (a
 * run that failed before writing leaves no trace). */
static void remove_if_empty(void) { rmdir(run_dir); }

void report_prepare(const char *dir)
{
    if (run_dir[0] != '\0')
        return;
    report_make_dir(dir);
    atexit(remove_if_empty);
    char probe[1100];
    join(probe, sizeof probe, dir, ".write-test.tmp");
    FILE *fp = fopen(probe, "wb");
    if (fp == NULL)
        sys_die(SYS_FAILED, "%s: cannot write into this output folder: %s "
                "(choose another with --out)", dir, strerror(errno));
    fclose(fp);
    remove(probe);
    snprintf(run_dir, sizeof run_dir, "%s", dir);
    char record[1100], other[64];
    join(record, sizeof record, dir, REPORT_RECORD);
    old_record = read_text(record);
    if (old_record && record_has_other(old_record, other, sizeof other) &&
        !cli_force())
        sys_die(SYS_USAGE, "%s holds the files of a %s run; write elsewhere "
                "with --out, or beside them with --force", dir, other);
    remove_stale_tmp(dir);
}

/* The name of written file i inside run_dir, or NULL if elsewhere. */
static const char *name_in_run_dir(int i)
{
    size_t len = strlen(run_dir);
    bool inside = strncmp(written[i], run_dir, len) == 0 &&
                  written[i][len] == '/';
    return inside ? written[i] + len + 1 : NULL;
}

/* Rewrites the record: the old one's lines (at the end of the run,
 * `final`, only other programs' lines), this run's files, and `extra`
 * (a file about to be written, or NULL). Until the end the record
 * names every file that any run of this program may have left. */
static void write_record(const char *extra, bool final)
{
    char path[1100], tmp[1110];
    join(path, sizeof path, run_dir, REPORT_RECORD);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *fp = fopen(tmp, "wb");
    if (fp == NULL)
        sys_die(SYS_FAILED, "%s: cannot write: %s", tmp, strerror(errno));
    const char *me = sys_program();
    size_t mine = strlen(me);
    for (const char *l = old_record ? old_record : ""; *l;) {
        size_t n = strcspn(l, "\n");
        if (!final || strncmp(l, me, mine) != 0 || l[mine] != ' ')
            fprintf(fp, "%.*s\n", (int)n, l);
        l += n + (l[n] != 0);
    }
    for (int i = 0; i < nwritten; i++)
        if (name_in_run_dir(i))
            fprintf(fp, "%s %s\n", me, name_in_run_dir(i));
    if (extra)
        fprintf(fp, "%s %s\n", me, extra);
    if (fclose(fp) != 0 || rename(tmp, path) != 0)
        sys_die(SYS_FAILED, "%s: write failed: %s", path, strerror(errno));
}

/* Whether this run wrote run_dir/name. */
static bool wrote(const char *name)
{
    for (int i = 0; i < nwritten; i++)
        if (name_in_run_dir(i) && strcmp(name_in_run_dir(i), name) == 0)
            return true;
    return false;
}

/* Removes what the program's earlier run left that this one did not
 * write, and records this run's files. */
static void finish_folder(void)
{
    const char *me = sys_program();
    size_t mine = strlen(me);
    for (const char *l = old_record ? old_record : ""; *l;) {
        size_t n = strcspn(l, "\n");
        char name[512], path[1600];
        if (strncmp(l, me, mine) == 0 && l[mine] == ' ' &&
            n - mine - 1 < sizeof name) {
            snprintf(name, sizeof name, "%.*s", (int)(n - mine - 1),
                     l + mine + 1);
            if (!wrote(name) && strchr(name, '/') == NULL &&
                snprintf(path, sizeof path, "%s/%s", run_dir, name) <
                    (int)sizeof path)
                remove(path);
        }
        l += n + (l[n] != 0);
    }
    write_record(NULL, true);
    char path[1100];   /* the record as it now is: cleaned, once */
    join(path, sizeof path, run_dir, REPORT_RECORD);
    free(old_record);
    old_record = read_text(path);
}

void report_open(report_file *f, const char *dir, const char *name)
{
    if (run_dir[0] == '\0')
        report_prepare(dir);
    report_make_dir(dir);
    if (strcmp(dir, run_dir) == 0)
        write_record(name, false);   /* a killed run's files are known */
    if (snprintf(f->path, sizeof f->path, "%s/%s", dir, name) >=
        (int)sizeof f->path)
        sys_die(SYS_FAILED, "%s/%s: path too long", dir, name);
    snprintf(f->tmp, sizeof f->tmp, "%s.tmp", f->path);
    f->fp = fopen(f->tmp, "wb");
    if (f->fp == NULL)
        sys_die(SYS_FAILED, "%s: cannot write: %s", f->tmp, strerror(errno));
    track_open(f, true);
}

void report_commit(report_file *f)
{
    bool failed = ferror(f->fp) != 0;
    failed |= fclose(f->fp) != 0;
    f->fp = NULL;
    track_open(f, false);
    if (failed || rename(f->tmp, f->path) != 0) {
        remove(f->tmp);
        sys_die(SYS_FAILED, "%s: write failed: %s", f->path, strerror(errno));
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

/* The first summary value that was not a finite number. */
static char nonfinite_key[64];

/* At exit: a summary with a NaN or an infinity is a failed run. */
static void report_check_summary(void)
{
    if (nonfinite_key[0] != '\0') {
        fflush(stdout);
        fprintf(stderr, "%s: the summary's %s is not a finite number: "
                "the run failed\n", sys_program(), nonfinite_key);
        _exit(1);
    }
}

static bool infinity_allowed;

void report_allow_infinity(void) { infinity_allowed = true; }

void report_summary(const char *key, double value)
{
    printf("%s = %.10g\n", key, value);
    bool bad = isnan(value) || (isinf(value) && !infinity_allowed);
    if (bad && nonfinite_key[0] == '\0') {
        snprintf(nonfinite_key, sizeof nonfinite_key, "%s", key);
        atexit(report_check_summary);
    }
}

void report_summary_text(const char *key, const char *value)
{
    printf("%s = %s\n", key, value);
}

void report_vector(const char *name, const double *v, int n)
{
    printf("%s = (", name);
    for (int i = 0; i < n; i++)
        printf("%s%.6g", i ? ", " : "", v[i]);
    printf(")");
}

void report_files(void)
{
    if (run_dir[0] != '\0')
        finish_folder();
    for (int i = 0; i < nwritten; i++)
        printf("wrote: %s\n", written[i]);
    char where[PATH_MAX];
    if (nwritten > 0 && run_dir[0] != '\0' &&
        realpath(run_dir, where) != NULL)
        printf("outputs are in %s/\n", where);
}

report_progress report_progress_start(const char *what)
{
    double now = sys_seconds();
    return (report_progress){what, now, now, 0, isatty(2) == 1};
}

void report_progress_show(report_progress *p, double done, double total)
{
    double now = sys_seconds();
    if (!p->tty || done <= 0 || now - p->start < 2 || now - p->shown < 0.5)
        return;
    double eta = (now - p->start) * (total - done) / done;
    p->width = fprintf(stderr, "\r  %s: %3.0f%%, ETA %.0f s  ", p->what,
                       100 * done / total, eta) - 1;
    p->shown = now;
}

void report_progress_done(report_progress *p)
{
    if (p->width > 0)
        fprintf(stderr, "\r%*s\r", p->width, "");
    p->width = 0;
}
