/* image.c -- PNG and PGM writers and image grids (see image.h).
 *
 * A PNG file is an 8-byte signature and a list of chunks (length, 4-letter
 * type, data, CRC-32 of type and data): IHDR says the size and pixel
 * format, IDAT holds the pixels as a zlib stream, IEND closes. Before
 * compression each row of pixels gets a filter byte; 0 means "as is". */
#include "image.h"

#include "cli.h"
#include "report.h"
#include "sys.h"
#include "term.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    IMAGE_MAX_BYTES = 1 << 28,  /* far above any figure this book draws */
    STORED_BLOCK_MAX = 65535    /* a stored block's LEN is 16 bits */
};

/* v * 255, rounded to the nearest byte, with everything outside [0,1]
 * (NaN included) brought to the nearer end -- NaN to 0. */
unsigned char image_byte(double v)
{
    if (!(v > 0.0))  /* also catches NaN */
        return 0;
    if (v >= 1.0)
        return 255;
    return (unsigned char)(v * 255.0 + 0.5);
}

/* Stops on sizes no caller should pass: they are bugs, not bad data. */
static size_t image_bytes(int width, int height, int channels)
{
    if (width < 1 || height < 1 || (channels != 1 && channels != 3) ||
        (double)width * height * channels > IMAGE_MAX_BYTES)
        sys_die(SYS_INTERNAL, "internal error: image of %d x %d x %d", width,
                height, channels);
    return (size_t)width * (size_t)height * (size_t)channels;
}

/* Stores v as 4 big-endian bytes: PNG's byte order. */
static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* Continues a CRC-32 (the reflected polynomial 0xedb88320 of PNG, zlib
 * and Ethernet) over n bytes; start from 0xffffffff, end with ^0xffffffff.
 * The table holds the CRC of each byte value; it is computed on first use
 * (the writers run on the main thread only). */
static uint32_t crc32_update(uint32_t crc, const unsigned char *p, size_t n)
{
    static uint32_t table[256];
    static bool ready;
    if (!ready) {
        for (uint32_t b = 0; b < 256; b++) {
            uint32_t c = b;
            for (int k = 0; k < 8; k++)
                c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
            table[b] = c;
        }
        ready = true;
    }
    for (size_t i = 0; i < n; i++)
        crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return crc;
}

/* Adler-32 of n bytes, the checksum that closes a zlib stream: two sums
 * modulo 65521, the largest prime below 2^16. */
static uint32_t adler32(const unsigned char *p, size_t n)
{
    uint32_t a = 1, b = 0;
    for (size_t i = 0; i < n; i++) {
        a = (a + p[i]) % 65521;
        b = (b + a) % 65521;
    }
    return b << 16 | a;
}

/* Writes one chunk: length, type, data, then the CRC-32 of type and
 * data, which lets a reader tell a damaged chunk. */
static void png_chunk(FILE *fp, const char *type,
                      const unsigned char *data, size_t len)
{
    unsigned char head[8], tail[4];
    put_be32(head, (uint32_t)len);
    memcpy(head + 4, type, 4);
    uint32_t crc = crc32_update(0xffffffffu, head + 4, 4);
    crc = crc32_update(crc, data, len) ^ 0xffffffffu;
    put_be32(tail, crc);
    fwrite(head, 1, 8, fp);
    if (len > 0)
        fwrite(data, 1, len, fp);
    fwrite(tail, 1, 4, fp);
}

/* Wraps raw bytes in a zlib stream of stored deflate blocks; returns the
 * stream (malloc'd) and its length in *zlen. */
static unsigned char *zlib_stored(const unsigned char *raw, size_t n,
                                  size_t *zlen)
{
    size_t blocks = n == 0 ? 1 : (n + STORED_BLOCK_MAX - 1) /
                                 STORED_BLOCK_MAX;
    *zlen = 2 + 5 * blocks + n + 4;
    unsigned char *z = sys_alloc(*zlen, 1), *q = z;
//> ch03-png-zlib
    /* CMF 0x78: deflate, 32K window. FLG 0x01 makes CMF * 256 + FLG
     * a multiple of 31, the check a zlib reader makes first. */
    *q++ = 0x78;
    *q++ = 0x01;
    for (size_t done = 0, b = 0; b < blocks; b++) {
        size_t len = n - done < STORED_BLOCK_MAX ? n - done
                                                 : STORED_BLOCK_MAX;
        *q++ = b + 1 == blocks;  /* BFINAL on the last; BTYPE 00 */
        q[0] = (unsigned char)len;           /* LEN, little-endian */
        q[1] = (unsigned char)(len >> 8);
        q[2] = (unsigned char)~len;          /* NLEN = ~LEN */
        q[3] = (unsigned char)(~len >> 8);
        memcpy(q + 4, raw + done, len);
        q += 4 + len;
        done += len;
    }
    put_be32(q, adler32(raw, n));
//< ch03-png-zlib
    return z;
}

/* Filter byte 0 before each row, the rows wrapped in zlib, then the
 * signature and the three chunks IHDR, IDAT, IEND. */
void image_write_png(const char *dir, const char *name,
                     const unsigned char *pixels, int width, int height,
                     int channels)
{
    image_bytes(width, height, channels);
    size_t row = (size_t)width * (size_t)channels;
    size_t raw_len = (size_t)height * (1 + row);
    unsigned char *raw = sys_alloc(raw_len, 1);
    for (int y = 0; y < height; y++) {
        raw[(size_t)y * (1 + row)] = 0;  /* filter type 0: none */
        memcpy(raw + (size_t)y * (1 + row) + 1, pixels + (size_t)y * row,
               row);
    }
    size_t zlen;
    unsigned char *z = zlib_stored(raw, raw_len, &zlen);
    free(raw);

    unsigned char ihdr[13];
    put_be32(ihdr, (uint32_t)width);
    put_be32(ihdr + 4, (uint32_t)height);
    ihdr[8] = 8;                        /* bits per channel */
    ihdr[9] = channels == 3 ? 2 : 0;    /* colour type: RGB or gray */
    ihdr[10] = ihdr[11] = ihdr[12] = 0; /* deflate, filters, no interlace */

    static const unsigned char signature[8] = {
        0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    report_file f;
    report_open(&f, dir, name);
    fwrite(signature, 1, sizeof signature, f.fp);
    png_chunk(f.fp, "IHDR", ihdr, sizeof ihdr);
    png_chunk(f.fp, "IDAT", z, zlen);
    png_chunk(f.fp, "IEND", NULL, 0);
    report_commit(&f);
    free(z);
}

/* PGM is a text header, "P5 width height maxval", then the bytes. */
void image_write_pgm(const char *dir, const char *name,
                     const unsigned char *pixels, int width, int height)
{
    size_t n = image_bytes(width, height, 1);
    report_file f;
    report_open(&f, dir, name);
    fprintf(f.fp, "P5\n%d %d\n255\n", width, height);
    fwrite(pixels, 1, n, f.fp);
    report_commit(&f);
}

/* The mean of the block of pixels (W wide) at (x, y), bw x bh. */
static int block_mean(const unsigned char *pixels, int W, int x, int y,
                      int bw, int bh)
{
    int sum = 0;
    for (int i = 0; i < bh; i++)
        for (int j = 0; j < bw; j++)
            sum += pixels[(size_t)(y + i) * W + x + j];
    return sum / (bw * bh);
}

void image_text_row(FILE *out, const unsigned char *pixels, int W,
                    int x0, int y, int chars, int cell)
{
    for (int c = 0; c < chars; c++) {
        int x = x0 + c * cell;
        int top = block_mean(pixels, W, x, y, cell, cell);
        int low = block_mean(pixels, W, x, y + cell, cell, cell);
        fprintf(out, "\033[38;5;%dm\033[48;5;%dm\u2580",
                232 + top * 23 / 255, 232 + low * 23 / 255);
    }
    fputs("\033[0m", out);
}

/* On a terminal (not with --no-preview): the grid's first row of tiles
 * as text, image_text_row's lines, as much of the row as the terminal
 * is wide. */
static void grid_preview(const char *name, const unsigned char *pixels,
                         int W, int H, int band, int cell)
{
    if (cli_no_preview() || isatty(1) != 1)
        return;
    int rows, columns;
    term_size(&rows, &columns);
    int chars = W / cell < columns ? W / cell : columns;
    printf("%s (first row; --no-preview for none):\n", name);
    for (int y = 0; y + 2 * cell <= band && y + 2 * cell <= H;
         y += 2 * cell) {
        image_text_row(stdout, pixels, W, 0, y, chars, cell);
        putchar('\n');
    }
}

/* Lays the tiles out and writes the PNG; with `rescale` each tile maps
 * its own finite min..max to 0..1 (a constant tile becomes mid-gray).
 * Tile t sits in grid row t / cols, column t % cols. */
static void grid_write(const char *dir, const char *name,
                       const real *images, int count, int h, int w,
                       int grid_cols, int zoom, bool rescale)
{
    if (count < 1 || h < 1 || w < 1 || grid_cols < 1 || zoom < 1)
        sys_die(SYS_INTERNAL, "internal error: grid of %d images %d x %d, %d "
                "columns, zoom %d", count, h, w, grid_cols, zoom);
    int cols = grid_cols < count ? grid_cols : count;
    int rows = (count + cols - 1) / cols;
    double tile_h = (double)h * zoom, tile_w = (double)w * zoom;
    double width = cols * (tile_w + IMAGE_BORDER) + IMAGE_BORDER;
    double height = rows * (tile_h + IMAGE_BORDER) + IMAGE_BORDER;
    if (width * height > IMAGE_MAX_BYTES)
        sys_die(SYS_INTERNAL, "internal error: grid of %.0f x %.0f pixels",
                width, height);
    int W = (int)width, H = (int)height;
    unsigned char *pixels = sys_alloc((size_t)W * (size_t)H, 1);
    memset(pixels, IMAGE_BORDER_GRAY, (size_t)W * (size_t)H);

    size_t dim = (size_t)h * (size_t)w;
    for (int t = 0; t < count; t++) {
        const real *img = images + (size_t)t * dim;
        double lo = 0.0, hi = 1.0;
        if (rescale) {
            lo = INFINITY;
            hi = -INFINITY;
            for (size_t i = 0; i < dim; i++)
                if (isfinite(img[i])) {
                    lo = fmin(lo, img[i]);
                    hi = fmax(hi, img[i]);
                }
            if (!(hi > lo)) {  /* constant (or no finite value) */
                double c = isfinite(hi) ? hi : 0.0;
                lo = c - 1.0;
                hi = c + 1.0;
            }
        }
        int top = IMAGE_BORDER + (t / cols) * (h * zoom + IMAGE_BORDER);
        int left = IMAGE_BORDER + (t % cols) * (w * zoom + IMAGE_BORDER);
        for (int i = 0; i < h; i++)
            for (int j = 0; j < w; j++) {
                double v = img[(size_t)i * w + j];
                unsigned char b = image_byte((v - lo) / (hi - lo));
                for (int dy = 0; dy < zoom; dy++)
                    memset(pixels + (size_t)(top + i * zoom + dy) * W +
                           left + j * zoom, b, (size_t)zoom);
            }
    }
    grid_preview(name, pixels, W, H, h * zoom + 2 * IMAGE_BORDER,
                 2 * zoom);
    image_write_png(dir, name, pixels, W, H, 1);
    free(pixels);
}

/* A grid of images whose values are already in [0,1]. */
void image_grid(const char *dir, const char *name, const real *images,
                int count, int h, int w, int grid_cols, int zoom)
{
    grid_write(dir, name, images, count, h, w, grid_cols, zoom, false);
}

/* A grid of images each stretched to its own range. */
void image_grid_rescaled(const char *dir, const char *name,
                         const real *images, int count, int h, int w,
                         int grid_cols, int zoom)
{
    grid_write(dir, name, images, count, h, w, grid_cols, zoom, true);
}
