/* image.h -- pictures without a library: PNG and PGM writers, and grids
 * of small images (digits, reconstructions, samples, learned filters).
 *
 * The PNG writer makes the simplest valid file: 8-bit grayscale or RGB,
 * no filtering, and a zlib stream of *stored* (uncompressed) deflate
 * blocks. Files are a little larger than compressed ones, and any viewer
 * reads them. Every file is written whole or not at all
 * (report_open/report_commit), and is listed by report_files(). */
#ifndef IMAGE_H
#define IMAGE_H

#include <stdbool.h>
#include <stdio.h>

#include "real.h"

enum {
    IMAGE_BORDER = 2,       /* pixels between and around grid tiles */
    IMAGE_BORDER_GRAY = 128 /* their gray level: visible on black and white */
};

/* A pixel value in [0,1] as a byte 0..255: rounded, clamped, NaN -> 0. */
unsigned char image_byte(double v);

/* Writes dir/name as a PNG: pixels (height, width, channels) bytes, row by
 * row; channels 1 is grayscale, 3 is RGB. */
void image_write_png(const char *dir, const char *name,
                     const unsigned char *pixels, int width, int height,
                     int channels);

/* Writes dir/name as a binary PGM (P5): pixels (height, width) bytes. */
void image_write_pgm(const char *dir, const char *name,
                     const unsigned char *pixels, int width, int height);

/* Writes `count` images of h x w values in [0,1] (images (count, h*w)) as
 * one grayscale PNG: tiles in rows of `grid_cols` (fewer if count is
 * smaller), image t in grid row t / grid_cols, column t % grid_cols; each
 * pixel drawn as a zoom x zoom square; IMAGE_BORDER gray pixels around
 * every tile. Values outside [0,1] are clamped, NaN drawn black. */
void image_grid(const char *dir, const char *name, const real *images,
                int count, int h, int w, int grid_cols, int zoom);

/* The same, but each tile stretched from its own min (black) to its own
 * max (white): for learned filters, whose weights are not in [0,1]. */
void image_grid_rescaled(const char *dir, const char *name,
                         const real *images, int count, int h, int w,
                         int grid_cols, int zoom);

/* One line of a picture as text, without the newline: `chars`
 * characters, each the upper half block (U+2580) in the grey of the
 * cell x cell block of pixels (W wide) at (x0 + c cell, y), on the grey
 * of the block below it (xterm's 24 greys, 232-255); then the colours
 * reset. Rows y .. y + 2 cell - 1 must be in the picture. The terminal
 * previews of the grids and the latent explorer draw with it. */
void image_text_row(FILE *out, const unsigned char *pixels, int W,
                    int x0, int y, int chars, int cell);

#endif
