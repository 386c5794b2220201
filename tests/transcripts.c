/* transcripts.c -- keeps the book's quoted output true.
 *
 *   transcripts --check FILE    run every `$ command` block of FILE and
 *                               fail, naming the chapter and the line,
 *                               where a number other than a timing differs
 *   transcripts --write FILE    the same runs, written into FILE
 *   ... FILE TEXT               only the commands that contain TEXT
 *
 * A transcript block is a fenced block whose first line starts with
 * "$ ". Each "$ " line is a command (a line ending in a backslash goes on
 * to the next); the lines up to the next command are its output. A line
 * holding only "…" marks a stretch of output left out: the lines around
 * it are found in the real output by their shape (the text with every
 * number taken out), in order; output without a "…" must match whole.
 *
 * Two lines agree when they have the same shape and the same numbers,
 * digit for digit: the programs give the same bits on every run and for
 * any thread count. Three kinds of number are let through: timings (a
 * number followed by a unit of time, s, ms, us, or per second, GFLOP/s;
 * a summary value whose key names seconds), and thread counts ("2
 * threads"), which are the machine's, not the program's.
 *
 * A command shown without output is not run (the book shows how to call
 * it, not what it prints); nor is `make bench`, whose every line is a
 * measurement of the machine. A leading `make X && ` is run first, its
 * own output thrown away, as it only builds what the command runs.
 * Commands run from the current folder, with stderr joined to stdout;
 * that folder's path is taken out of their output ("outputs are in
 * out/ch01_kl1d/"), as it is the clone's, not the program's.
 *
 * --write keeps the book's timings and thread counts on every line whose
 * shape is unchanged: they were measured on a quiet machine and the
 * prose around them discusses them; a refresh may run on a busy one.
 * New lines come with the timings of the run. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { MAX_LINE = 4096 };

static const char ELISION[] = "\xe2\x80\xa6";   /* "…" in UTF-8 */

/* ---- lines ------------------------------------------------------------- */

typedef struct {
    char **v;
    int n, cap;
} lines;

static void lines_push(lines *l, const char *s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 256;
        l->v = realloc(l->v, sizeof(char *) * (size_t)l->cap);
        if (!l->v) {
            fprintf(stderr, "transcripts: out of memory\n");
            exit(1);
        }
    }
    l->v[l->n] = strdup(s);
    if (!l->v[l->n]) {
        fprintf(stderr, "transcripts: out of memory\n");
        exit(1);
    }
    l->n++;
}

static void lines_free(lines *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    *l = (lines){0};
}

/* Reads a stream into lines, without their newlines. */
static void lines_read(lines *l, FILE *f)
{
    char buf[MAX_LINE];
    while (fgets(buf, sizeof buf, f)) {
        size_t k = strlen(buf);
        if (k > 0 && buf[k - 1] == '\n')
            buf[--k] = '\0';
        lines_push(l, buf);
    }
}

/* ---- numbers, shapes, timings ------------------------------------------ */

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_word(char c)
{
    return is_digit(c) || c == '_' || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z');
}

/* Length of the number starting at s[i] (0 if none): digits with an
 * optional fraction and exponent, a leading minus allowed, never glued
 * to a word before it ("k1000", "mu_18" are names, not numbers). */
static int number_at(const char *s, int i)
{
    int j = i;
    if (i > 0 && (is_word(s[i - 1]) || s[i - 1] == '.'))
        return 0;
    if (s[j] == '-' && is_digit(s[j + 1]))
        j++;
    if (!is_digit(s[j]))
        return 0;
    while (is_digit(s[j]))
        j++;
    if (s[j] == '.' && is_digit(s[j + 1]))
        for (j++; is_digit(s[j]); j++) {}
    if ((s[j] == 'e' || s[j] == 'E') &&
        (is_digit(s[j + 1]) ||
         ((s[j + 1] == '-' || s[j + 1] == '+') && is_digit(s[j + 2])))) {
        j += 2;
        while (is_digit(s[j]))
            j++;
    }
    return j - i;
}

/* True if the text after a number makes it a timing or a thread count. */
static bool unit_is_machine(const char *after)
{
    static const char *units[] = {"s", "ms", "us", "ns", "\xc2\xb5s",
                                  "GFLOP/s", "threads", "thread"};
    while (*after == ' ')
        after++;
    for (size_t u = 0; u < sizeof units / sizeof *units; u++) {
        size_t k = strlen(units[u]);
        if (strncmp(after, units[u], k) == 0 && !is_word(after[k]))
            return true;
    }
    return false;
}

/* True if the line is a summary entry whose key names a time. */
static bool key_is_time(const char *line)
{
    const char *eq = strstr(line, " = ");
    if (!eq)
        return false;
    for (const char *p = line; p < eq; p++)
        if (*p == ' ')
            return false;
    size_t k = (size_t)(eq - line);
    char key[256];
    if (k >= sizeof key)
        return false;
    memcpy(key, line, k);
    key[k] = '\0';
    return strstr(key, "seconds") || strstr(key, "gflops");
}

/* A line taken apart: its shape (text with each number replaced by #
 * and runs of spaces made one) and its numbers, each marked if it is a
 * timing or thread count. */
typedef struct {
    char shape[MAX_LINE];
    char num[64][48];
    bool machine[64];
    int n;
} parsed;

static void parse(parsed *p, const char *s)
{
    int k = 0;
    bool time_key = key_is_time(s);
    p->n = 0;
    for (int i = 0; s[i] && k < MAX_LINE - 2;) {
        int len = number_at(s, i);
        if (len > 0) {
            if (p->n < 64) {
                int m = len < 47 ? len : 47;
                memcpy(p->num[p->n], s + i, (size_t)m);
                p->num[p->n][m] = '\0';
                p->machine[p->n] = time_key || unit_is_machine(s + i + len);
                p->n++;
            }
            p->shape[k++] = '#';
            i += len;
        } else if (s[i] == ' ') {
            if (k > 0 && p->shape[k - 1] != ' ')
                p->shape[k++] = ' ';
            i++;
        } else {
            p->shape[k++] = s[i++];
        }
    }
    while (k > 0 && p->shape[k - 1] == ' ')
        k--;
    p->shape[k] = '\0';
}

static bool same_shape(const char *a, const char *b)
{
    static parsed pa, pb;
    parse(&pa, a);
    parse(&pb, b);
    return strcmp(pa.shape, pb.shape) == 0 && pa.n == pb.n;
}

/* How many numbers of a book line the real one repeats exactly, in
 * place: what tells apart lines of one shape ("epoch 3/20 ..."). */
static int numbers_kept(const char *book, const char *real)
{
    static parsed pb, pr;
    int kept = 0;
    parse(&pb, book);
    parse(&pr, real);
    for (int i = 0; i < pb.n && i < pr.n; i++)
        kept += strcmp(pb.num[i], pr.num[i]) == 0;
    return kept;
}

/* Compares a book line with a real one. Returns NULL if they agree,
 * else a description of the first difference (static storage). */
static const char *line_differs(const char *book, const char *real)
{
    static parsed pb, pr;
    static char why[MAX_LINE + 256];
    parse(&pb, book);
    parse(&pr, real);
    if (strcmp(pb.shape, pr.shape) != 0 || pb.n != pr.n) {
        snprintf(why, sizeof why, "the program now prints\n    %s", real);
        return why;
    }
    for (int i = 0; i < pb.n; i++)
        if (!pb.machine[i] && strcmp(pb.num[i], pr.num[i]) != 0) {
            snprintf(why, sizeof why, "%s is now %s:\n    %s", pb.num[i],
                     pr.num[i], real);
            return why;
        }
    return NULL;
}

/* The real line with the book's timings and thread counts put back:
 * the book quotes them from a run on a quiet machine and its prose
 * discusses them, while a refresh may run on a busy one. Only for lines
 * of the same shape; `out` holds MAX_LINE bytes. */
static void keep_machine_numbers(char *out, const char *book,
                                 const char *real)
{
    static parsed pb;
    parse(&pb, book);
    bool time_key = key_is_time(real);
    int k = 0, t = 0;
    for (int i = 0; real[i] && k < MAX_LINE - 64;) {
        int len = number_at(real, i);
        if (len == 0) {
            out[k++] = real[i++];
            continue;
        }
        bool machine = time_key || unit_is_machine(real + i + len);
        if (machine && t < pb.n) {   /* keep the column: pad or unpad */
            int m = (int)strlen(pb.num[t]);
            for (int pad = len - m; pad > 0; pad--)
                out[k++] = ' ';
            for (int cut = m - len; cut > 0 && k > 1 && out[k - 1] == ' ' &&
                                    out[k - 2] == ' '; cut--)
                k--;
            memcpy(out + k, pb.num[t], (size_t)m);
            k += m;
        } else {
            memcpy(out + k, real + i, (size_t)len);
            k += len;
        }
        t++;
        i += len;
    }
    out[k] = '\0';
}

/* ---- matching a quoted output against a real one ----------------------- */

/* Where the quoted lines q[0..nq) land in the real output r[0..nr):
 * at[i] is the real line for q[i] (-1 for a "…"). Segments between
 * "…" marks are placed in order by shape; the first is pinned to the
 * start and the last to the end unless a "…" stands before or after
 * them. Returns the index of the first quoted line that cannot be
 * placed, or -1 when all are placed. */
static int place(int *at, char **q, int nq, char **r, int nr)
{
    int pos = 0;
    for (int i = 0; i < nq;) {
        if (strcmp(q[i], ELISION) == 0) {
            at[i++] = -1;
            continue;
        }
        int end = i;
        while (end < nq && strcmp(q[end], ELISION) != 0)
            end++;
        int len = end - i, start = -1;
        bool pinned_start = i == 0, pinned_end = end == nq;
        if (pinned_start && pinned_end && len != nr) {
            int k = 0;   /* lengths differ: the first line that moved */
            while (k < len && k < nr && same_shape(q[k], r[k]))
                k++;
            return i + k;
        }
        if (pinned_start)
            start = 0;
        else if (pinned_end)
            start = nr - len;
        else   /* the same shape, and of those the most numbers kept */
            for (int s = pos, best = -1; s + len <= nr; s++) {
                int k = 0, score = 0;
                while (k < len && same_shape(q[i + k], r[s + k])) {
                    score += numbers_kept(q[i + k], r[s + k]);
                    k++;
                }
                if (k == len && score > best) {
                    best = score;
                    start = s;
                }
            }
        if (start < pos || start + len > nr)
            return i;
        for (int k = 0; k < len; k++)
            at[i + k] = start + k;
        pos = start + len;
        i = end;
    }
    return -1;
}

/* ---- running a command ------------------------------------------------- */

/* Runs `cmd` (a leading "make ... && " first, quietly) and returns its
 * output lines, stderr included. */
static void run(lines *out, const char *cmd)
{
    char full[MAX_LINE * 2];
    const char *and = strstr(cmd, " && ");
    if (strncmp(cmd, "make ", 5) == 0 && and) {
        snprintf(full, sizeof full, "%.*s >/dev/null 2>&1",
                 (int)(and - cmd), cmd);
        if (system(full) != 0)
            fprintf(stderr, "transcripts: '%.*s' failed\n",
                    (int)(and - cmd), cmd);
        cmd = and + 4;
    }
    snprintf(full, sizeof full, "(%s) 2>&1", cmd);
    FILE *p = popen(full, "r");
    if (!p) {
        fprintf(stderr, "transcripts: cannot run '%s'\n", cmd);
        exit(1);
    }
    lines_read(out, p);
    pclose(p);
    /* "outputs are in /home/.../out/x/": the clone's own folder is the
     * machine's, not the program's; the book shows the path from it. */
    char cwd[MAX_LINE];
    if (getcwd(cwd, sizeof cwd - 1) == NULL)
        return;
    strcat(cwd, "/");
    size_t k = strlen(cwd);
    for (int i = 0; i < out->n; i++) {
        char *at;
        while ((at = strstr(out->v[i], cwd)) != NULL)
            memmove(at, at + k, strlen(at + k) + 1);
    }
}

/* ---- the book ---------------------------------------------------------- */

/* The chapter a line belongs to, from the last "## " heading above it. */
static const char *chapter_of(const lines *book, int line)
{
    static char name[128];
    snprintf(name, sizeof name, "front matter");
    for (int i = line; i >= 0; i--)
        if (strncmp(book->v[i], "## ", 3) == 0) {
            snprintf(name, sizeof name, "%.100s", book->v[i] + 3);
            char *dash = strstr(name, " \xe2\x80\x94");   /* " —" */
            if (dash)
                *dash = '\0';
            break;
        }
    return name;
}

static bool is_fence(const char *s) { return strncmp(s, "```", 3) == 0; }
static bool is_command(const char *s) { return strncmp(s, "$ ", 2) == 0; }

/* Joins a command and its continuation lines; returns the line after. */
static int command_at(const lines *book, int i, char *cmd, size_t size)
{
    cmd[0] = '\0';
    const char *s = book->v[i] + 2;
    for (;;) {
        size_t k = strlen(s), have = strlen(cmd);
        bool more = k > 0 && s[k - 1] == '\\';
        snprintf(cmd + have, size - have, "%.*s%s", (int)(more ? k - 1 : k),
                 s, more ? " " : "");
        i++;
        if (!more || i >= book->n)
            break;
        s = book->v[i];
        while (*s == ' ')
            s++;
    }
    return i;
}

/* Checks (or rewrites into `next`) one command's output, quoted at
 * book lines [a, b). Returns the number of differences found. */
static int one_command(const lines *book, const char *file, const char *cmd,
                       int a, int b, bool write, lines *next)
{
    int nq = b - a, failures = 0;
    lines real = {0};
    printf("transcripts: %s\n", cmd);
    fflush(stdout);
    run(&real, cmd);
    bool elided = false;
    for (int i = a; i < b; i++)
        elided |= strcmp(book->v[i], ELISION) == 0;
    if (write && !elided) {   /* the whole output, whatever its length */
        static char merged[MAX_LINE];
        for (int i = 0, from = a; i < real.n; i++) {
            const char *line = real.v[i];
            for (int j = from; j < b; j++)   /* the same line, quoted */
                if (line_differs(book->v[j], line) == NULL) {
                    keep_machine_numbers(merged, book->v[j], line);
                    line = merged;
                    from = j + 1;
                    break;
                }
            lines_push(next, line);
        }
        lines_free(&real);
        return 0;
    }
    int *at = malloc(sizeof(int) * (size_t)(nq + 1));
    int bad = place(at, book->v + a, nq, real.v, real.n);
    if (bad >= 0) {
        fprintf(stderr, "%s:%d: %s: the output of '%s' (%d lines) has no "
                "line of this shape here:\n    %s\n", file, a + bad + 1,
                chapter_of(book, a + bad), cmd, real.n,
                bad < nq ? book->v[a + bad] : "(the end of the block)");
        failures++;
    } else if (write) {
        static char merged[MAX_LINE];
        for (int i = 0; i < nq; i++) {
            if (at[i] < 0) {
                lines_push(next, ELISION);
                continue;
            }
            const char *line = real.v[at[i]];
            if (line_differs(book->v[a + i], line) == NULL) {
                keep_machine_numbers(merged, book->v[a + i], line);
                line = merged;
            }
            lines_push(next, line);
        }
    } else {
        for (int i = 0; i < nq; i++) {
            if (at[i] < 0)
                continue;
            const char *why = line_differs(book->v[a + i], real.v[at[i]]);
            if (why) {
                fprintf(stderr, "%s:%d: %s: %s\n", file, a + i + 1,
                        chapter_of(book, a + i), why);
                failures++;
            }
        }
    }
    if (bad >= 0 && write)
        for (int i = a; i < b; i++)
            lines_push(next, book->v[i]);
    free(at);
    lines_free(&real);
    return failures;
}

/* Walks one transcript block starting at book line `i` (its first
 * command); copies or rewrites it into `next`. Returns the line of the
 * closing fence; adds to *failures. */
static int one_block(const lines *book, const char *file, int i, bool write,
                     const char *only, lines *next, int *failures)
{
    char cmd[MAX_LINE * 2];
    while (i < book->n && !is_fence(book->v[i])) {
        int start = i;
        int a = command_at(book, i, cmd, sizeof cmd), b = a;
        for (int k = start; k < a; k++)
            lines_push(next, book->v[k]);
        while (b < book->n && !is_fence(book->v[b]) &&
               !is_command(book->v[b]))
            b++;
        if (a == b || strcmp(cmd, "make bench") == 0 ||
            (only && !strstr(cmd, only))) {
            for (int k = a; k < b; k++)
                lines_push(next, book->v[k]);
        } else {
            *failures += one_command(book, file, cmd, a, b, write, next);
        }
        i = b;
    }
    return i;
}

int main(int argc, char **argv)
{
    if ((argc != 3 && argc != 4) || (strcmp(argv[1], "--check") != 0 &&
                                     strcmp(argv[1], "--write") != 0)) {
        fprintf(stderr, "usage: transcripts --check|--write FILE [TEXT]\n");
        return 2;
    }
    const char *only = argc == 4 ? argv[3] : NULL;
    bool write = strcmp(argv[1], "--write") == 0;
    const char *file = argv[2];
    FILE *f = fopen(file, "r");
    if (!f) {
        fprintf(stderr, "transcripts: cannot open %s\n", file);
        return 2;
    }
    lines book = {0}, next = {0};
    lines_read(&book, f);
    fclose(f);

    int failures = 0, blocks = 0;
    for (int i = 0; i < book.n; i++) {
        lines_push(&next, book.v[i]);
        if (is_fence(book.v[i]) && i + 1 < book.n &&
            is_command(book.v[i + 1])) {
            blocks++;
            i = one_block(&book, file, i + 1, write, only, &next,
                          &failures);
            if (i < book.n)
                lines_push(&next, book.v[i]);
        } else if (is_fence(book.v[i])) {   /* skip any other block */
            for (i++; i < book.n && !is_fence(book.v[i]); i++)
                lines_push(&next, book.v[i]);
            if (i < book.n)
                lines_push(&next, book.v[i]);
        }
    }
    if (write && failures == 0) {
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s.tmp", file);
        FILE *o = fopen(tmp, "w");
        if (!o) {
            fprintf(stderr, "transcripts: cannot write %s\n", tmp);
            return 1;
        }
        for (int i = 0; i < next.n; i++)
            fprintf(o, "%s\n", next.v[i]);
        if (fclose(o) != 0 || rename(tmp, file) != 0) {
            fprintf(stderr, "transcripts: cannot write %s\n", file);
            remove(tmp);
            return 1;
        }
    }
    printf("transcripts: %d blocks, %d difference%s%s\n", blocks, failures,
           failures == 1 ? "" : "s",
           write ? (failures ? "; nothing written" : "; written") : "");
    lines_free(&book);
    lines_free(&next);
    return failures ? 1 : 0;
}
