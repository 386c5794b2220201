/* explore.c -- the latent explorer (see explore.h). */
#include "explore.h"

#include "image.h"
#include "interrupt.h"
#include "sys.h"
#include "term.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    MAP_COLS = 25,   /* a column per EXPLORE_STEP across the range */
    MAP_ROWS = 13,   /* a row per two steps: a character is about
                        twice as tall as it is wide */
    GOING_ON = -1    /* on_key: no exit status yet */
};

typedef struct {
    vae_model *m;
    int label;                      /* the digit asked for; -1: none */
    double z[2];                    /* z's first two dimensions */
    double range;                   /* the map's half-width */
    double mean[DATA_CLASSES][2];   /* each digit's mean code in them */
    bool has[DATA_CLASSES];         /* whether the set holds the digit */
    int rows, cols;                 /* the image's size in pixels */
    real *code;                     /* (latent) the whole of z */
    real *cond;                     /* (cond_dim) the one-hot label */
    real *image;                    /* (x_dim) the decoder's means */
    unsigned char *pixels;          /* (2 rows, 2 cols) drawn, zoomed */
} explorer;

void explore_check(const vae_options *o)
{
    if (!o->explore)
        return;
    if (o->load == NULL)
        sys_die(SYS_USAGE, "--explore: needs a trained model, --load FILE "
                "(with the flags it was trained with)");
    if (o->latent < 2)
        sys_die(SYS_USAGE, "--explore: moves z in a plane, and --latent %d "
                "has fewer than 2 dimensions", o->latent);
    if (!term_interactive())
        sys_die(SYS_USAGE, "--explore: standard input and output must be a "
                "terminal (it reads keys and draws)");
}

/* Each digit's mean code over the set, in z's first two dimensions:
 * the means of q(z|x) (of q(z|x, y) for a conditional model). */
static void class_means(explorer *e, const data_set *set)
{
    int L = e->m->cfg.latent;
    int count[DATA_CLASSES] = {0};
    memset(e->mean, 0, sizeof e->mean);
    real *mu = sys_alloc((size_t)set->n * L, sizeof(real));
    if (set->n > 0)
        vae_encode_set(mu, e->m, set);
    for (int i = 0; i < set->n; i++) {
        int d = set->y[i];
        e->mean[d][0] += mu[(size_t)i * L];
        e->mean[d][1] += mu[(size_t)i * L + 1];
        count[d]++;
    }
    e->range = EXPLORE_RANGE;
    for (int d = 0; d < DATA_CLASSES; d++) {
        e->has[d] = count[d] > 0;
        if (!e->has[d])
            continue;
        for (int k = 0; k < 2; k++) {
            e->mean[d][k] /= count[d];
            e->range = fmax(e->range, ceil(fabs(e->mean[d][k])));
        }
    }
    free(mu);
}

static void explorer_init(explorer *e, vae_model *m, const data_set *set)
{
    const vae_config *c = &m->cfg;
    *e = (explorer){.m = m, .label = c->cond_dim > 0 ? 0 : -1,
                    .rows = set->rows, .cols = set->cols};
    e->code = sys_alloc((size_t)c->latent, sizeof(real));
    e->cond = c->cond_dim > 0 ? sys_alloc((size_t)c->cond_dim,
                                              sizeof(real))
                              : NULL;
    e->image = sys_alloc((size_t)c->x_dim, sizeof(real));
    e->pixels = sys_alloc((size_t)4 * c->x_dim, 1);
    class_means(e, set);
}

static void explorer_free(explorer *e)
{
    free(e->code);
    free(e->cond);
    free(e->image);
    free(e->pixels);
}

/* Decodes the current z (and label) into e->pixels, each pixel drawn
 * as a zoom x zoom square. */
static void decode(explorer *e, int zoom)
{
    e->code[0] = (real)e->z[0];
    e->code[1] = (real)e->z[1];
    if (e->cond != NULL) {
        memset(e->cond, 0, sizeof(real) * (size_t)e->m->cfg.cond_dim);
        e->cond[e->label] = 1;
    }
    vae_decode_images(e->image, e->m, e->code, e->cond, 1);
    int W = e->cols * zoom;
    for (int y = 0; y < e->rows * zoom; y++)
        for (int x = 0; x < W; x++)
            e->pixels[(size_t)y * W + x] =
                image_byte(e->image[(y / zoom) * e->cols + x / zoom]);
}

/* The map's column of a code's first coordinate a, and the row of its
 * second b (upwards), on a map of half-width R. */
static int map_col(double a, double R)
{
    return (int)round((a + R) / (2 * R) * (MAP_COLS - 1));
}

static int map_row(double b, double R)
{
    return (int)round((R - b) / (2 * R) * (MAP_ROWS - 1));
}

/* One row of the map: '.' empty, a digit at its mean, and the current
 * z in reverse video. */
static void draw_map_row(const explorer *e, int row)
{
    for (int c = 0; c < MAP_COLS; c++) {
        char ch = '.';
        for (int d = 0; d < DATA_CLASSES; d++)
            if (e->has[d] && map_col(e->mean[d][0], e->range) == c &&
                map_row(e->mean[d][1], e->range) == row)
                ch = (char)('0' + d);
        if (map_col(e->z[0], e->range) == c &&
            map_row(e->z[1], e->range) == row)
            printf("\033[7m%c\033[0m", ch == '.' ? '+' : ch);
        else
            putchar(ch);
    }
}

/* The two lines above the picture: the keys, then z (and the label). */
static void draw_header(const explorer *e)
{
    int L = e->m->cfg.latent;
    printf("%s latent explorer: arrows (or h j k l) move z, %sq quits"
           "\033[K\n", sys_program(),
           e->label >= 0 ? "0-9 set the label, " : "");
    printf("z = (%+.2f, %+.2f)", e->z[0], e->z[1]);
    if (L == 3)
        printf(" in z1, z2; z3 held at 0");
    else if (L > 3)
        printf(" in z1, z2; z3..z%d held at 0", L);
    if (e->label >= 0)
        printf("   label %d", e->label);
    printf("\033[K\n\033[K\n");
}

/* A frame: the header, then the picture with the map beside it. The
 * picture is drawn at zoom 2 when the window has room for it. */
static void draw(explorer *e)
{
    int rows, columns;
    term_size(&rows, &columns);
    int zoom = columns >= 2 * e->cols + 2 + MAP_COLS &&
               rows >= e->rows + 4 ? 2 : 1;
    decode(e, zoom);
    int W = e->cols * zoom, text_rows = e->rows * zoom / 2;
    int lines = text_rows > MAP_ROWS + 1 ? text_rows : MAP_ROWS + 1;
    printf("\033[H");
    draw_header(e);
    for (int r = 0; r < lines; r++) {
        if (r < text_rows)
            image_text_row(stdout, e->pixels, W, 0, 2 * r, W, 1);
        else
            printf("%*s", W, "");
        fputs("  ", stdout);
        if (r < MAP_ROWS)
            draw_map_row(e, r);
        else if (r == MAP_ROWS)
            printf("z1 across, z2 up: -%g to %g", e->range, e->range);
        printf("\033[K\n");
    }
    printf("\033[J");
    fflush(stdout);
}

/* Moves z's dimension dim by `steps` steps, kept on the map. */
static void move(explorer *e, int dim, int steps)
{
    double v = e->z[dim] + steps * EXPLORE_STEP;
    e->z[dim] = fmax(-e->range, fmin(e->range, v));
}

/* What a key does; returns the exit status, or GOING_ON. */
static int on_key(explorer *e, int key)
{
    switch (key) {
    case 'q': case 'Q': return 0;
    case TERM_KEY_CTRL_C: return INTERRUPT_EXIT;
    case TERM_KEY_EOF: return 1;
    case TERM_KEY_LEFT: case 'h': move(e, 0, -1); break;
    case TERM_KEY_RIGHT: case 'l': move(e, 0, 1); break;
    case TERM_KEY_UP: case 'k': move(e, 1, 1); break;
    case TERM_KEY_DOWN: case 'j': move(e, 1, -1); break;
    default:
        if (e->label >= 0 && key >= '0' && key <= '9')
            e->label = key - '0';
    }
    return GOING_ON;
}

_Noreturn void vae_explore(vae_model *m, const data_set *set)
{
    explorer e;
    explorer_init(&e, m, set);
    term_raw();
    int status = GOING_ON;
    while (status == GOING_ON) {
        draw(&e);
        status = on_key(&e, term_read_key());
    }
    term_restore();
    explorer_free(&e);
    if (status == 1)
        sys_die(SYS_FAILED, "--explore: standard input closed");
    exit(status);
}
