/* sys.c -- stopping, warning, memory and the clock (see sys.h). */
#include "sys.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *sys_prog = "program";

void sys_set_prog(const char *prog) { sys_prog = prog; }

const char *sys_program(void) { return sys_prog; }

/* Writes text to fp with every run of more than WORD_MAX non-blank
 * characters (a long path, as a rule) cut in the middle: a message
 * keeps its reason however long the name it quotes. */
static void put_shortened(FILE *fp, const char *text)
{
    enum { WORD_MAX = 100, HEAD = 40, TAIL = 50 };
    while (*text) {
        size_t blank = strspn(text, " \t");
        fwrite(text, 1, blank, fp);
        text += blank;
        size_t word = strcspn(text, " \t");
        if (word > WORD_MAX) {
            fwrite(text, 1, HEAD, fp);
            fputs("...", fp);
            fwrite(text + word - TAIL, 1, TAIL, fp);
        } else {
            fwrite(text, 1, word, fp);
        }
        text += word;
    }
}

static void sys_vwarn(const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int len = vsnprintf(NULL, 0, fmt, ap);
    char *line = len >= 0 ? malloc((size_t)len + 1) : NULL;
    fprintf(stderr, "%s: ", sys_prog);
    if (line != NULL) {
        vsnprintf(line, (size_t)len + 1, fmt, again);
        put_shortened(stderr, line);
    } else {
        vfprintf(stderr, fmt, again);
    }
    va_end(again);
    free(line);
    fputc('\n', stderr);
}

void sys_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sys_vwarn(fmt, ap);
    va_end(ap);
}

_Noreturn void sys_die(int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sys_vwarn(fmt, ap);
    va_end(ap);
    exit(status);
}

void *sys_alloc(size_t count, size_t size)
{
    if (size > 0 && count > SIZE_MAX / size)
        sys_die(SYS_FAILED, "out of memory: %zu x %zu bytes overflow",
                count, size);
    void *p = calloc(count > 0 ? count : 1, size > 0 ? size : 1);
    if (p == NULL)
        sys_die(SYS_FAILED, "out of memory for %zu x %zu bytes", count,
                size);
    return p;
}

void *sys_alloc_aligned(size_t bytes)
{
    size_t rounded = (bytes + 63) / 64 * 64;   /* aligned_alloc's rule */
    if (rounded < bytes)
        sys_die(SYS_FAILED, "out of memory: %zu bytes overflow", bytes);
    void *p = aligned_alloc(64, rounded > 0 ? rounded : 64);
    if (p == NULL)
        sys_die(SYS_FAILED, "out of memory for %zu bytes", bytes);
    memset(p, 0, rounded);
    return p;
}

double sys_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
