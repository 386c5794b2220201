/* cli.h -- command-line flags from one table: parsing, --help, errors.
 *
 * A program declares every flag once, with the variable that holds its
 * default, its range and a line of help:
 *
 *     double sigma = 1.0;
 *     cli_flag flags[] = {
 *         {"sigma", CLI_REAL, &sigma, "(0,inf)", "standard deviation"},
 *         ...
 *     };
 *     cli_parse("ch01_kl1d", "what it does", flags, CLI_COUNT(flags),
 *               argc, argv);
 *
 * --help prints every flag with its default and range and exits 0. A bad
 * flag or value prints one line on stderr naming the flag and the problem
 * and exits 2. Values are parsed with strtol/strtod and checked fully.
 *
 * The rules, the same in every program: flags are written in full
 * ("--latent 2" or "--latent=2"; "--lat 2" is an error that names
 * --latent); a flag without a value takes no "="; a value after a space
 * may not start with "--". Every program also takes --force (see
 * cli_force), --no-preview (cli_no_preview) and --help. A program that
 * cannot write its standard output (a full disk, a closed pipe) exits 1
 * at the end, never 0. */
#ifndef CLI_H
#define CLI_H

#include <stdbool.h>

enum { CLI_LIST_MAX = 64 };

typedef enum {
    CLI_INT,     /* int; range "[lo,hi]" (inclusive), "(lo,hi]", ... */
    CLI_REAL,    /* double; range as for CLI_INT, "inf" allowed */
    CLI_LIST,    /* cli_list of doubles "a,b,c"; range applies to each */
    CLI_STRING,  /* const char *; range NULL (any) */
    CLI_CHOICE,  /* const char *; range "a|b|c" lists what is allowed */
    CLI_BOOL     /* bool; takes no value: present means true */
} cli_kind;

typedef struct {
    double v[CLI_LIST_MAX];
    int n;
} cli_list;

typedef struct {
    const char *name;   /* long name, without the dashes */
    cli_kind kind;
    void *value;        /* holds the default; receives the parsed value */
    const char *range;  /* "[0,1]", "(0,inf)", "mse|bce", or NULL */
    const char *help;   /* one line */
} cli_flag;

#define CLI_COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Parses argv into the flags' variables; exits on --help (0) or on any
 * error (2). Positional arguments are not accepted. Also arranges the
 * check of standard output at exit. */
void cli_parse(const char *prog, const char *about, cli_flag *flags,
               int nflags, int argc, char **argv);

/* Whether --force was given: the program may write into an output
 * folder that holds another program's run (see report_prepare). */
bool cli_force(void);

/* Whether --no-preview was given: no pictures printed in the terminal
 * (image.c draws a grid's first row there when stdout is a terminal). */
bool cli_no_preview(void);

#endif
