/* cli.c -- command-line flags from one table (see cli.h). */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *cli_prog = "program";

void cli_set_prog(const char *prog) { cli_prog = prog; }

_Noreturn void cli_die(int status, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", cli_prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(status);
}

/* A numeric range "[lo,hi]", with "(" or ")" for an open end. */
typedef struct {
    double lo, hi;
    bool lo_open, hi_open;
} cli_range;

/* Parses a double the whole of `text` must be; false on anything else. */
static bool parse_double(const char *text, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(text, &end);
    return end != text && *end == '\0' && errno != ERANGE && !isnan(*out);
}

static cli_range range_of(const cli_flag *f)
{
    cli_range r = {-INFINITY, INFINITY, false, false};
    if (f->range == NULL || (f->kind != CLI_INT && f->kind != CLI_REAL &&
                             f->kind != CLI_LIST))
        return r;
    char lo[32], hi[32], open, close;
    if (sscanf(f->range, "%c%31[^,],%31[^])]%c", &open, lo, hi, &close) != 4
        || !parse_double(lo, &r.lo) || !parse_double(hi, &r.hi))
        cli_die(70, "internal error: bad range '%s' for --%s", f->range,
                f->name);
    r.lo_open = open == '(';
    r.hi_open = close == ')';
    return r;
}

static bool in_range(double x, cli_range r)
{
    bool above = r.lo_open ? x > r.lo : x >= r.lo;
    bool below = r.hi_open ? x < r.hi : x <= r.hi;
    return above && below;
}

/* Every value check ends here: one line naming the flag and the problem. */
_Noreturn static void bad_value(const cli_flag *f, const char *text,
                                const char *why)
{
    cli_die(2, "--%s: '%s' %s", f->name, text, why);
}

static double parse_number(const cli_flag *f, const char *text)
{
    double x;
    if (!parse_double(text, &x) || isinf(x))
        bad_value(f, text, "is not a finite number");
    if (!in_range(x, range_of(f)))
        cli_die(2, "--%s: %s is out of range %s", f->name, text, f->range);
    return x;
}

static void parse_value(const cli_flag *f, const char *text)
{
    switch (f->kind) {
    case CLI_INT: {
        char *end;
        errno = 0;
        long v = strtol(text, &end, 10);
        if (end == text || *end != '\0' || errno == ERANGE ||
            v < -2147483647L || v > 2147483647L)
            bad_value(f, text, "is not a whole number");
        if (!in_range((double)v, range_of(f)))
            cli_die(2, "--%s: %s is out of range %s", f->name, text,
                    f->range);
        *(int *)f->value = (int)v;
        break;
    }
    case CLI_REAL:
        *(double *)f->value = parse_number(f, text);
        break;
    case CLI_LIST: {
        cli_list *list = f->value;
        char item[64];
        const char *p = text;
        list->n = 0;
        for (;;) {
            size_t len = strcspn(p, ",");
            if (len == 0 || len >= sizeof item)
                bad_value(f, text, "is not a comma-separated list of numbers");
            if (list->n == CLI_LIST_MAX)
                bad_value(f, text, "has too many entries (at most 64)");
            memcpy(item, p, len);
            item[len] = '\0';
            list->v[list->n++] = parse_number(f, item);
            if (p[len] == '\0')
                break;
            p += len + 1;
        }
        break;
    }
    case CLI_STRING:
        if (text[0] == '\0')
            bad_value(f, text, "is empty");
        *(const char **)f->value = text;
        break;
    case CLI_CHOICE: {
        size_t len = strlen(text);
        for (const char *p = f->range; *p;) {
            size_t n = strcspn(p, "|");
            if (n == len && strncmp(p, text, n) == 0) {
                *(const char **)f->value = text;
                return;
            }
            p += n + (p[n] == '|');
        }
        cli_die(2, "--%s: '%s' is not one of %s", f->name, text, f->range);
    }
    case CLI_BOOL:
        *(bool *)f->value = true;
        break;
    }
}

static void print_default(const cli_flag *f)
{
    switch (f->kind) {
    case CLI_INT:    printf("%d", *(int *)f->value); break;
    case CLI_REAL:   printf("%g", *(double *)f->value); break;
    case CLI_BOOL:   printf("%s", *(bool *)f->value ? "on" : "off"); break;
    case CLI_STRING:
    case CLI_CHOICE: {
        const char *s = *(const char **)f->value;
        printf("%s", s ? s : "none");
        break;
    }
    case CLI_LIST: {
        const cli_list *list = f->value;
        for (int i = 0; i < list->n; i++)
            printf("%s%g", i ? "," : "", list->v[i]);
        if (list->n == 0)
            printf("none");
        break;
    }
    }
}

static void print_help(const char *about, const cli_flag *flags, int nflags)
{
    static const char *const metavar[] = {
        [CLI_INT] = "N", [CLI_REAL] = "X", [CLI_LIST] = "X,X,...",
        [CLI_STRING] = "TEXT", [CLI_CHOICE] = "WORD", [CLI_BOOL] = "",
    };
    printf("usage: %s [flags]\n%s\n\nflags:\n", cli_prog, about);
    for (int i = 0; i < nflags; i++) {
        const cli_flag *f = &flags[i];
        char left[48];
        snprintf(left, sizeof left, "--%s %s", f->name, metavar[f->kind]);
        printf("  %-22s %s (default: ", left, f->help);
        print_default(f);
        if (f->range && f->kind != CLI_STRING)
            printf("; %s", f->range);
        printf(")\n");
    }
    printf("  %-22s %s\n", "--help", "print this help and exit");
}

void cli_parse(const char *prog, const char *about, cli_flag *flags,
               int nflags, int argc, char **argv)
{
    enum { HELP = 1, FIRST = 256 };
    struct option *opts = calloc((size_t)nflags + 2, sizeof *opts);
    if (opts == NULL)
        cli_die(1, "out of memory");
    cli_set_prog(prog);
    for (int i = 0; i < nflags; i++) {
        range_of(&flags[i]);  /* a malformed range is a bug: fail early */
        opts[i] = (struct option){flags[i].name,
            flags[i].kind == CLI_BOOL ? no_argument : required_argument,
            NULL, FIRST + i};
    }
    opts[nflags] = (struct option){"help", no_argument, NULL, HELP};

    opterr = 0;  /* we word the errors ourselves */
    optind = 1;
    for (;;) {
        int prev = optind;
        int c = getopt_long(argc, argv, ":h", opts, NULL);
        if (c == -1)
            break;
        if (c == HELP || c == 'h') {
            print_help(about, flags, nflags);
            free(opts);
            exit(0);
        }
        if (c == ':')
            cli_die(2, "%s: needs a value", argv[optind - 1]);
        if (c == '?')
            cli_die(2, "%s: unknown flag (see --help)",
                    argv[prev < argc ? prev : argc - 1]);
        parse_value(&flags[c - FIRST], optarg ? optarg : "");
    }
    free(opts);
    if (optind < argc)
        cli_die(2, "'%s': unexpected argument (flags start with --)",
                argv[optind]);
}
