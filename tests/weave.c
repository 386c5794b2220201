/* weave.c -- weaves the marked regions of the sources into book.md's code
 * blocks, or checks that the book is in step with the sources.
 *
 *   weave --write [--strict] BOOK SOURCE...   rewrite the book's blocks
 *   weave --check [--strict] BOOK SOURCE...   fail where the book is stale
 *
 * A source marks a region with a line `//> NAME` and ends it with a line
 * `//< NAME`. The book shows it with a line `<!-- weave: NAME -->` directly
 * above a ```c block, whose content this program owns: a C comment naming
 * the source, then the region's lines less their common indentation.
 * --check also checks that each equation a comment cites, `(N.k)`, is
 * tagged `\tag{N.k}` once in the book; --strict also fails on a region the
 * book never shows. Exit status: 0 ok, 1 failed, 2 usage. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { WEAVE_MAX_COLUMNS = 72, WEAVE_TAB = 8 };

#define USAGE "weave --write|--check [--strict] BOOK SOURCE..."

/* A file read whole; its lines are split in a copy of its bytes. */
typedef struct {
    const char *path;   /* as given on the command line */
    char *raw;          /* (size) the bytes on disk */
    size_t size;
    char *data;         /* (size + 1) the copy the lines point into */
    char **line;        /* (nlines) line[i] is line i + 1, without "\n" */
    int nlines;
} text;

/* A marked region: lines open + 1 .. close - 1 of its source. */
typedef struct {
    const char *name;   /* points into the marker line */
    const text *src;
    int open, close;    /* line numbers of the two markers */
    size_t indent;      /* bytes of leading blanks all its lines share */
    bool used;          /* the book shows it */
} region;

/* An equation the book tags \tag{N.k}. */
typedef struct {
    char id[8];         /* "N.k" */
    int line;
} equation;

static text *sources;           /* (nsources) */
static int nsources;
static text book;
static region *regions;         /* (nregions) */
static int nregions;
static equation *equations;     /* (nequations) */
static int nequations;
static int nfailed;             /* problems reported so far */
static FILE *woven;             /* the woven book, in memory; a global so
                                 * that it stays reachable if a fatal
                                 * error exits while it is open */

/* Prints "weave: message" on stderr. */
__attribute__((format(printf, 1, 0)))
static void say(const char *fmt, va_list ap)
{
    fputs("weave: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

/* Reports a problem the run cannot go past, and exits 1. */
__attribute__((format(printf, 1, 2)))
_Noreturn static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(fmt, ap);
    va_end(ap);
    exit(1);
}

/* Reports a problem and carries on, so that one run lists them all. */
__attribute__((format(printf, 1, 2)))
static void report(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(fmt, ap);
    va_end(ap);
    nfailed++;
}

/* Reports a wrong command line in one line, and exits 2. */
_Noreturn static void usage(const char *why, const char *arg)
{
    fprintf(stderr, "weave: %s%s; usage: %s\n", why, arg, USAGE);
    exit(2);
}

/* realloc that exits with a message instead of returning NULL. */
static void *grow(void *p, size_t size)
{
    p = realloc(p, size ? size : 1);
    if (p == NULL)
        die("out of memory");
    return p;
}

/* Skips blanks: spaces and tabs. */
static char *skip_blanks(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return (char *)s;
}

/* Length of the region name that starts s: [A-Za-z0-9_-]*. */
static size_t name_length(const char *s)
{
    size_t n = 0;
    while (isalnum((unsigned char)s[n]) || s[n] == '_' || s[n] == '-')
        n++;
    return n;
}

/* Reads a whole file and splits it into lines; "\r\n" counts as "\n". */
static void text_read(text *t, const char *path)
{
    *t = (text){.path = path};
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        die("%s: cannot read: %s", path, strerror(errno));
    size_t cap = 4096, got;
    t->raw = grow(NULL, cap);
    while ((got = fread(t->raw + t->size, 1, cap - t->size, fp)) > 0)
        if ((t->size += got) == cap)
            t->raw = grow(t->raw, cap *= 2);
    int error = ferror(fp) ? errno : 0;
    fclose(fp);
    if (error != 0)
        die("%s: cannot read: %s", path, strerror(error));
    if (memchr(t->raw, '\0', t->size) != NULL)
        die("%s: contains a NUL byte; not a text file", path);
    t->data = grow(NULL, t->size + 1);
    memcpy(t->data, t->raw, t->size);
    t->data[t->size] = '\0';
    size_t n = 1;
    for (size_t i = 0; i < t->size; i++)
        n += t->raw[i] == '\n';
    t->line = grow(NULL, n * sizeof *t->line);
    for (char *p = t->data; *p != '\0';) {
        size_t len = strcspn(p, "\n");
        char *next = p + len + (p[len] == '\n');
        p[len] = '\0';
        if (len > 0 && p[len - 1] == '\r')
            p[len - 1] = '\0';
        t->line[t->nlines++] = p;
        p = next;
    }
}

/* The region called name (n bytes long), or NULL. */
static region *region_find(const char *name, size_t n)
{
    for (int i = 0; i < nregions; i++)
        if (strlen(regions[i].name) == n && memcmp(regions[i].name, name,
                                                   n) == 0)
            return &regions[i];
    return NULL;
}

/* Line ln of r's source as the book shows it: less the common indentation;
 * a blank line comes out empty. */
static const char *region_line(const region *r, int ln)
{
    const char *s = r->src->line[ln - 1];
    const char *rest = skip_blanks(s);
    return *rest == '\0' ? rest : s + r->indent;
}

/* Width of a line on screen: tabs stop every 8 columns, and a UTF-8
 * character takes one column however many bytes it has. */
static size_t columns(const char *s)
{
    size_t col = 0;
    for (; *s != '\0'; s++)
        if (*s == '\t')
            col = col / WEAVE_TAB * WEAVE_TAB + WEAVE_TAB;
        else if (((unsigned char)*s & 0xC0) != 0x80)
            col++;
    return col;
}

/* Finds the indentation r's non-blank lines share, and checks that each
 * line, as the book shows it, fits in 72 columns. */
static void region_measure(region *r)
{
    const char *first = NULL;
    for (int ln = r->open + 1; ln < r->close; ln++) {
        const char *s = r->src->line[ln - 1];
        size_t lead = (size_t)(skip_blanks(s) - s), k = 0;
        if (s[lead] == '\0')
            continue;
        if (first == NULL) {
            first = s;
            r->indent = lead;
        }
        while (k < r->indent && k < lead && s[k] == first[k])
            k++;
        r->indent = k;
    }
    for (int ln = r->open + 1; ln < r->close; ln++) {
        size_t width = columns(region_line(r, ln));
        if (width > WEAVE_MAX_COLUMNS)
            die("%s:%d: line in region %s is %zu columns, over %d",
                r->src->path, ln, r->name, width, WEAVE_MAX_COLUMNS);
        if (strncmp(region_line(r, ln), "```", 3) == 0)
            die("%s:%d: line in region %s starts with ```, which would end "
                "the book's code block", r->src->path, ln, r->name);
    }
}

/* The kind of source line ln: '>' opens a region, '<' closes one, 0 is any
 * other line; *name gets the region's name, cut off in place. */
static int marker_parse(const text *t, int ln, const char **name)
{
    char *s = skip_blanks(t->line[ln - 1]);
    if (strncmp(s, "//", 2) != 0 || (s[2] != '>' && s[2] != '<') ||
        (s[3] != ' ' && s[3] != '\t' && s[3] != '\0'))
        return 0;
    char *p = skip_blanks(s + 3);
    size_t n = name_length(p);
    if (n == 0 || *skip_blanks(p + n) != '\0')
        die("%s:%d: malformed region marker; want //%c NAME with NAME "
            "made of A-Z a-z 0-9 _ -", t->path, ln, s[2]);
    p[n] = '\0';
    *name = p;
    return s[2];
}

/* Collects the regions a source marks, checking that markers pair up. */
static void regions_scan(const text *t)
{
    int open = -1;   /* index of the region being read, or -1 */
    for (int ln = 1; ln <= t->nlines; ln++) {
        const char *name;
        int kind = marker_parse(t, ln, &name);
        region *r = open >= 0 ? &regions[open] : NULL;
        if (kind == '>') {
            region *old = region_find(name, strlen(name));
            if (r != NULL)
                die("%s:%d: region %s opens inside region %s (line %d); "
                    "regions do not nest", t->path, ln, name, r->name,
                    r->open);
            if (old != NULL)
                die("%s:%d: region %s opened twice (first at %s:%d)",
                    t->path, ln, name, old->src->path, old->open);
            regions = grow(regions, (size_t)(nregions + 1) * sizeof *regions);
            regions[nregions] = (region){.name = name, .src = t, .open = ln};
            open = nregions++;
        } else if (kind == '<') {
            if (r == NULL)
                die("%s:%d: region %s closed but not open", t->path, ln,
                    name);
            if (strcmp(name, r->name) != 0)
                die("%s:%d: //< %s closes region %s (opened at line %d)",
                    t->path, ln, name, r->name, r->open);
            r->close = ln;
            region_measure(r);
            open = -1;
        }
    }
    if (open >= 0)
        die("%s:%d: region %s is never closed", t->path, regions[open].open,
            regions[open].name);
}

/* Reads "N.k" and then `end` at s (N: 0-9 or A-Z, k: 1-99) into id; false
 * when s holds no such equation number. */
static bool equation_parse(const char *s, char end, char id[8])
{
    if (!(isdigit((unsigned char)s[0]) || (s[0] >= 'A' && s[0] <= 'Z')) ||
        s[1] != '.' || s[2] < '1' || s[2] > '9')
        return false;
    size_t n = isdigit((unsigned char)s[3]) ? 4 : 3;
    if (s[n] != end)
        return false;
    memcpy(id, s, n);
    id[n] = '\0';
    return true;
}

/* The book's equation tagged id, or NULL. */
static const equation *equation_find(const char *id)
{
    for (int i = 0; i < nequations; i++)
        if (strcmp(equations[i].id, id) == 0)
            return &equations[i];
    return NULL;
}

/* Records the equations book line ln tags; reports any tagged twice. */
static void tags_scan(int ln)
{
    char id[8];
    for (const char *s = book.line[ln - 1]; (s = strstr(s, "\\tag{")); s++) {
        if (!equation_parse(s + 5, '}', id))
            continue;
        const equation *old = equation_find(id);
        if (old != NULL) {
            report("%s:%d: equation (%s) tagged twice (first at line %d)",
                   book.path, ln, id, old->line);
            continue;
        }
        equations = grow(equations,
                         (size_t)(nequations + 1) * sizeof *equations);
        equations[nequations] = (equation){.line = ln};
        strcpy(equations[nequations++].id, id);
    }
}

/* True when a book line starts a fenced block: ``` at its start. */
static bool is_fence(const char *s) { return strncmp(s, "```", 3) == 0; }

/* True when a book line ends a fenced block: ``` alone. */
static bool is_fence_end(const char *s)
{
    return is_fence(s) && *skip_blanks(s + 3) == '\0';
}

/* The region book line ln weaves, or NULL when it is no weave line; a
 * line that starts "<!-- weave" but is not `<!-- weave: NAME -->` fails. */
static region *weave_line_parse(int ln)
{
    const char *s = skip_blanks(book.line[ln - 1]);
    if (strncmp(s, "<!--", 4) != 0)
        return NULL;
    s = skip_blanks(s + 4);
    if (strncmp(s, "weave", 5) != 0 || name_length(s + 5) > 0)
        return NULL;
    s = skip_blanks(s + 5);
    const char *name = *s == ':' ? skip_blanks(s + 1) : s;
    size_t n = *s == ':' ? name_length(name) : 0;
    const char *end = skip_blanks(name + n);
    if (n == 0 || strncmp(end, "-->", 3) != 0 || *skip_blanks(end + 3))
        die("%s:%d: malformed weave line; want <!-- weave: NAME -->",
            book.path, ln);
    region *r = region_find(name, n);
    if (r == NULL)
        die("%s:%d: unknown region %.*s", book.path, ln, (int)n, name);
    return r;
}

/* True when the n book lines at `have` are the block content r weaves. */
static bool block_matches(const region *r, char **have, int n)
{
    size_t len = strlen(r->src->path);
    if (n != r->close - r->open || strncmp(have[0], "/* ", 3) != 0 ||
        strncmp(have[0] + 3, r->src->path, len) != 0 ||
        strcmp(have[0] + 3 + len, " */") != 0)
        return false;
    for (int ln = r->open + 1; ln < r->close; ln++)
        if (strcmp(have[ln - r->open], region_line(r, ln)) != 0)
            return false;
    return true;
}

/* Writes r's code block for the weave line at ln, in place of the block
 * that follows it (if any); returns the last book line it replaces.
 * With `check`, reports a block that differs from the woven one. */
static int block_weave(int ln, region *r, FILE *out, bool check)
{
    const char *fence = ln < book.nlines ? book.line[ln] : "";
    const char *fence_end = "```";
    int end = ln;
    r->used = true;
    if (is_fence(fence)) {
        if (strncmp(fence, "```c", 4) != 0 || *skip_blanks(fence + 4))
            die("%s:%d: region %s needs a ```c block, not %s", book.path,
                ln + 1, r->name, fence);
        for (end = ln + 2; end <= book.nlines; end++)
            if (is_fence_end(fence_end = book.line[end - 1]))
                break;
        if (end > book.nlines)
            die("%s:%d: code block of region %s is not closed", book.path,
                ln + 1, r->name);
        if (check && !block_matches(r, book.line + ln + 1, end - ln - 2))
            report("%s:%d: region %s differs from %s; run make book",
                   book.path, ln, r->name, r->src->path);
    } else {
        fence = "```c";
        if (check)
            report("%s:%d: region %s has no code block; run make book",
                   book.path, ln, r->name);
    }
    fprintf(out, "%s\n/* %s */\n", fence, r->src->path);
    for (int k = r->open + 1; k < r->close; k++)
        fprintf(out, "%s\n", region_line(r, k));
    fprintf(out, "%s\n", fence_end);
    return end;
}

/* Writes the woven book to out; with `check`, reports each stale block
 * and records the equations the book tags outside code blocks. */
static void book_weave(FILE *out, bool check)
{
    bool in_block = false;   /* inside a fenced block nobody weaves */
    for (int ln = 1; ln <= book.nlines; ln++) {
        const char *s = book.line[ln - 1];
        region *r = in_block ? NULL : weave_line_parse(ln);
        fprintf(out, "%s\n", s);
        if (in_block)
            in_block = !is_fence_end(s);
        else if (is_fence(s))
            in_block = true;
        else if (r != NULL)
            ln = block_weave(ln, r, out, check);
        else if (check)
            tags_scan(ln);
    }
}

/* Reports the citation that may start at s[i] if the book lacks its
 * equation; "exp(1.5)" is a call, not a citation. */
static void cite_check(const text *t, int ln, const char *s, size_t i)
{
    char id[8];
    if (s[i] != '(' || (i > 0 && (isalnum((unsigned char)s[i - 1]) ||
                                  s[i - 1] == '_')) ||
        !equation_parse(s + i + 1, ')', id) || equation_find(id) != NULL)
        return;
    report("%s:%d: cites (%s), which %s does not define", t->path, ln, id,
           book.path);
}

/* Where the C lexer is: in code, a comment, or a literal. */
typedef enum { IN_CODE, IN_BLOCK, IN_LINE, IN_STRING, IN_CHAR } lex_state;

/* Checks every citation in a source's comments; string and character
 * literals are skipped, escapes and all. */
static void cites_check(const text *t)
{
    lex_state state = IN_CODE;
    for (int ln = 1; ln <= t->nlines; ln++) {
        const char *s = t->line[ln - 1];
        size_t i = 0;
        for (; s[i] != '\0'; i++) {
            char c = s[i], next = s[i + 1];
            if (state == IN_CODE && c == '/' && next == '*') {
                state = IN_BLOCK;
                i++;
            } else if (state == IN_CODE && c == '/' && next == '/') {
                state = IN_LINE;
                i++;
            } else if (state == IN_CODE && (c == '"' || c == '\'')) {
                state = c == '"' ? IN_STRING : IN_CHAR;
            } else if (state == IN_BLOCK && c == '*' && next == '/') {
                state = IN_CODE;
                i++;
            } else if (state == IN_BLOCK || state == IN_LINE) {
                cite_check(t, ln, s, i);
            } else if ((state == IN_STRING || state == IN_CHAR) && c == '\\') {
                i += next != '\0';   /* an escape: skip what it escapes */
            } else if ((state == IN_STRING && c == '"') ||
                     (state == IN_CHAR && c == '\'')) {
                state = IN_CODE;
            }
        }
        /* Only a block comment, or a line ending in a backslash, goes on. */
        if (state != IN_BLOCK && (i == 0 || s[i - 1] != '\\'))
            state = IN_CODE;
    }
}

/* Replaces the file at path by `bytes`, atomically: the bytes go to a
 * temporary file first, which is then renamed over the file. */
static void book_commit(const char *path, const char *bytes, size_t size)
{
    size_t n = strlen(path) + sizeof ".tmp";
    char *tmp = grow(NULL, n);
    snprintf(tmp, n, "%s.tmp", path);
    FILE *fp = fopen(tmp, "wb");
    if (fp == NULL)
        die("%s: cannot write: %s", tmp, strerror(errno));
    bool failed = fwrite(bytes, 1, size, fp) != size;
    failed |= fclose(fp) != 0;
    if (failed || rename(tmp, path) != 0) {
        int error = errno;
        remove(tmp);
        die("%s: write failed: %s", path, strerror(error));
    }
    free(tmp);
    printf("wrote: %s\n", path);
}

int main(int argc, char **argv)
{
    int mode = 0;        /* 'w' for --write, 'c' for --check */
    bool strict = false; /* every region must be shown */
    int a = 1;
    for (; a < argc && strncmp(argv[a], "--", 2) == 0; a++) {
        if (strcmp(argv[a], "--help") == 0) {
            printf("usage: %s\n", USAGE);
            return 0;
        } else if (strcmp(argv[a], "--strict") == 0) {
            strict = true;
        } else if (strcmp(argv[a], "--write") == 0 ||
                   strcmp(argv[a], "--check") == 0) {
            if (mode != 0)
                usage("give only one of --write and --check", "");
            mode = argv[a][2];
        } else {
            usage("unknown flag ", argv[a]);
        }
    }
    if (mode == 0)
        usage("give --write or --check", "");
    if (a == argc)
        usage("no book given", "");
    const char *book_path = argv[a++];
    nsources = argc - a;
    sources = grow(NULL, (size_t)nsources * sizeof *sources);
    for (int i = 0; i < nsources; i++) {
        text_read(&sources[i], argv[a + i]);
        regions_scan(&sources[i]);
    }
    text_read(&book, book_path);

    char *bytes = NULL;
    size_t size = 0;
    if ((woven = open_memstream(&bytes, &size)) == NULL)
        die("out of memory");
    book_weave(woven, mode == 'c');
    if (fclose(woven) != 0)
        die("out of memory");
    for (int i = 0; mode == 'c' && i < nsources; i++)
        cites_check(&sources[i]);
    for (int i = 0; strict && i < nregions; i++)
        if (!regions[i].used)
            report("%s:%d: region %s is not used in %s", regions[i].src->path,
                   regions[i].open, regions[i].name, book_path);
    if (nfailed == 0 && mode == 'w' &&
        (size != book.size || memcmp(bytes, book.raw, size) != 0))
        book_commit(book_path, bytes, size);
    if (nfailed == 0 && mode == 'c')
        printf("weave: %s matches %d regions of %d sources; %d equations\n",
               book_path, nregions, nsources, nequations);
    free(bytes);
    return nfailed == 0 ? 0 : 1;
}
