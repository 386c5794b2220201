/* cli.c -- command-line flags from one table (see cli.h). */
#include "cli.h"
#include "sys.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

static bool cli_forced, cli_quiet_pictures;

bool cli_force(void) { return cli_forced; }

bool cli_no_preview(void) { return cli_quiet_pictures; }

/* At exit: everything printed must have reached standard output. A
 * full disk or a closed pipe behind stdout would otherwise lose the
 * summary with exit status 0. */
static void cli_check_stdout(void)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "%s: cannot write standard output: %s\n",
                sys_program(), strerror(errno ? errno : EIO));
        _exit(1);
    }
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
    *out = strtod(text, &end);
    return end != text && *end == '\0' && !isnan(*out);
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
        sys_die(70, "internal error: bad range '%s' for --%s", f->range,
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
    sys_die(2, "--%s: '%s' %s", f->name, text, why);
}

/* A number's problem, if any: not one, too large, or too small to be a
 * double other than 0 (strtod's ERANGE either way). */
static double parse_number(const cli_flag *f, const char *text)
{
    double x;
    char *end;
    errno = 0;
    x = strtod(text, &end);
    bool range_error = errno == ERANGE;
    if (!parse_double(text, &x))
        bad_value(f, text, "is not a finite number");
    if (isinf(x))
        bad_value(f, text, range_error ? "is too large for a double "
                  "(overflows)" : "is not a finite number");
    if (range_error && fabs(x) < 1e-300)
        bad_value(f, text, "is too small for a double (underflows "
                  "towards 0)");
    if (!in_range(x, range_of(f)))
        sys_die(2, "--%s: %s is out of range %s", f->name, text, f->range);
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
            sys_die(2, "--%s: %s is out of range %s", f->name, text,
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
        sys_die(2, "--%s: '%s' is not one of %s", f->name, text, f->range);
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
    printf("usage: %s [flags]\n%s\n\nflags:\n", sys_program(), about);
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
    printf("  %-22s %s\n", "--force",
           "write into an --out folder another program's run holds");
    printf("  %-22s %s\n", "--no-preview",
           "no pictures in the terminal (there are none unless stdout is "
           "one)");
    printf("  %-22s %s\n", "--help", "print this help and exit");
}

/* The flag called exactly `name` (len bytes), or NULL. */
static cli_flag *find_flag(cli_flag *flags, int nflags, const char *name,
                           size_t len)
{
    for (int i = 0; i < nflags; i++)
        if (strlen(flags[i].name) == len &&
            strncmp(flags[i].name, name, len) == 0)
            return &flags[i];
    return NULL;
}

/* An unknown flag: the one line names it and, when it begins the names
 * of real flags, those flags (the rule is exact names only: a prefix
 * that works today would break when a longer flag is added). */
_Noreturn static void unknown_flag(const cli_flag *flags, int nflags,
                                   const char *arg, size_t len)
{
    char maybe[512] = "";
    int found = 0;
    for (int i = 0; i < nflags && len > 2; i++) {
        if (strncmp(flags[i].name, arg + 2, len - 2) != 0)
            continue;
        size_t used = strlen(maybe);
        snprintf(maybe + used, sizeof maybe - used, "%s--%s",
                 found ? ", " : "", flags[i].name);
        found++;
    }
    if (found == 1)
        sys_die(2, "%s: unknown flag; did you mean %s? (flags are "
                "written in full)", arg, maybe);
    if (found > 1)
        sys_die(2, "%s: unknown flag, ambiguous: it begins %s (flags "
                "are written in full)", arg, maybe);
    sys_die(2, "%s: unknown flag (see --help)", arg);
}

/* The rules: every flag is written in full, as "--name value" or
 * "--name=value"; a flag without a value (CLI_BOOL) takes no "=";
 * a value after a space may not itself start with "--" (so that
 * "--out --seed 3" is an error, not a folder named "--seed"); "--help"
 * or "-h" prints the help, "--force" is cli_force(), "--no-preview"
 * cli_no_preview(). Anything else is
 * an error naming the argument. */
void cli_parse(const char *prog, const char *about, cli_flag *flags,
               int nflags, int argc, char **argv)
{
    sys_set_prog(prog);
    atexit(cli_check_stdout);
    for (int i = 0; i < nflags; i++)
        range_of(&flags[i]);  /* a malformed range is a bug: fail early */
    for (int a = 1; a < argc; a++) {
        const char *arg = argv[a];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            print_help(about, flags, nflags);
            exit(0);
        }
        if (strcmp(arg, "--force") == 0) {
            cli_forced = true;
            continue;
        }
        if (strcmp(arg, "--no-preview") == 0) {
            cli_quiet_pictures = true;
            continue;
        }
        if (strncmp(arg, "--", 2) != 0)
            sys_die(2, "'%s': unexpected argument (flags start with --)",
                    arg);
        const char *eq = strchr(arg, '=');
        size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
        cli_flag *f = find_flag(flags, nflags, arg + 2, len - 2);
        if (f == NULL)
            unknown_flag(flags, nflags, arg, len);
        if (f->kind == CLI_BOOL) {
            if (eq)
                sys_die(2, "--%s: takes no value (write --%s alone)",
                        f->name, f->name);
            parse_value(f, "");
            continue;
        }
        if (eq) {
            parse_value(f, eq + 1);
            continue;
        }
        if (a + 1 == argc)
            sys_die(2, "--%s: needs a value", f->name);
        if (strncmp(argv[a + 1], "--", 2) == 0)
            sys_die(2, "--%s: needs a value, not the flag '%s' (for a "
                    "value starting with --, write --%s=VALUE)", f->name,
                    argv[a + 1], f->name);
        parse_value(f, argv[++a]);
    }
}
