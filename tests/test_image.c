/* test_image.c -- the PNG and PGM writers and the grids (common/image.c).
 *
 * Every PNG the writer makes is decoded here by a reader written
 * separately from it: chunks walked one by one, each CRC recomputed bit
 * by bit (image.c uses a table), the zlib stream's stored blocks walked
 * with their LEN/NLEN, Adler-32 recomputed with wide sums reduced once at
 * the end (image.c reduces at every byte), and the pixels compared with
 * what was written. */
#include "check.h"

#include "image.h"
#include "rng.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmp[64];  /* a fresh folder for the files made here */

/* The whole of tmp/name, or NULL. */
static unsigned char *slurp(const char *name, size_t *n)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", tmp, name);
    return check_read_file(path, n);
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
           (uint32_t)p[2] << 8 | p[3];
}

/* CRC-32 one bit at a time: shift the reflected register right, and
 * when a 1 falls out, subtract (xor) the polynomial 0xedb88320. */
static uint32_t crc_bitwise(const unsigned char *p, size_t n)
{
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < n; i++)
        for (int bit = 0; bit < 8; bit++) {
            uint32_t in = (p[i] >> bit) & 1;
            uint32_t out = (crc ^ in) & 1;
            crc >>= 1;
            if (out)
                crc ^= 0xedb88320u;
        }
    return ~crc;
}

/* Adler-32 from its definition, A = 1 + sum of bytes and B = sum of the
 * running A's, both mod 65521, reduced only at the end (64 bits hold B
 * for any image tested here). */
static uint32_t adler_definition(const unsigned char *p, size_t n)
{
    uint64_t a = 1, b = 0;
    for (size_t i = 0; i < n; i++) {
        a += p[i];
        b += a;
    }
    return (uint32_t)(b % 65521) << 16 | (uint32_t)(a % 65521);
}

/* A decoded PNG: what IHDR said and the pixels (height, width*channels). */
typedef struct {
    int width, height, channels;
    unsigned char *pixels;
} png_image;

/* Decodes tmp/name, checking every layer on the way; each check's name
 * starts with `what`. Returns false if the file cannot be decoded. */
static bool png_decode(png_image *img, const char *name, const char *what)
{
    char check[200];
    size_t n = 0, pos = 8;
    unsigned char *file = slurp(name, &n);
    static const unsigned char signature[8] = {137, 80, 78, 71, 13, 10,
                                                26, 10};
    snprintf(check, sizeof check, "%s: PNG signature", what);
    CHECK(check, file && n >= 8 && memcmp(file, signature, 8) == 0);
    if (file == NULL)
        return false;

    /* The chunks: IHDR first, IDATs, IEND last, each CRC right. */
    unsigned char *idat = malloc(n), ihdr[13] = {0};
    size_t idat_len = 0;
    bool crcs_ok = true, order_ok = true, saw_ihdr = false, saw_iend = false;
    int nchunks = 0;
    while (pos + 12 <= n && !saw_iend) {
        uint32_t len = be32(file + pos);
        const unsigned char *type = file + pos + 4, *data = type + 4;
        if (len > n - pos - 12) {
            crcs_ok = false;
            break;
        }
        crcs_ok &= crc_bitwise(type, 4 + len) == be32(data + len);
        if (memcmp(type, "IHDR", 4) == 0) {
            order_ok &= nchunks == 0 && len == 13;
            saw_ihdr = true;
            memcpy(ihdr, data, 13);
        } else if (memcmp(type, "IDAT", 4) == 0) {
            memcpy(idat + idat_len, data, len);
            idat_len += len;
        } else if (memcmp(type, "IEND", 4) == 0) {
            saw_iend = true;
            order_ok &= len == 0;
        }
        nchunks++;
        pos += 12 + len;
    }
    snprintf(check, sizeof check, "%s: every chunk's CRC-32 (bitwise)",
             what);
    CHECK(check, crcs_ok);
    snprintf(check, sizeof check, "%s: IHDR first, IEND last, nothing "
             "after", what);
    CHECK(check, order_ok && saw_ihdr && saw_iend && pos == n);
    free(file);
    if (!crcs_ok || !order_ok || !saw_ihdr || !saw_iend) {
        free(idat);
        return false;
    }

    img->width = (int)be32(ihdr);
    img->height = (int)be32(ihdr + 4);
    img->channels = ihdr[9] == 2 ? 3 : 1;
    snprintf(check, sizeof check, "%s: IHDR depth 8, gray or RGB, "
             "deflate, no filter or interlace method", what);
    CHECK(check, ihdr[8] == 8 && (ihdr[9] == 0 || ihdr[9] == 2) &&
                 ihdr[10] == 0 && ihdr[11] == 0 && ihdr[12] == 0);

    /* zlib: CMF, FLG, then deflate blocks, then Adler-32. */
    unsigned char *z = idat;
    snprintf(check, sizeof check, "%s: zlib header (deflate, window <= "
             "32K, FCHECK, no dictionary)", what);
    CHECK(check, idat_len >= 2 && (z[0] & 15) == 8 && (z[0] >> 4) <= 7 &&
                 (z[0] * 256 + z[1]) % 31 == 0 && (z[1] & 0x20) == 0);
    size_t raw_len = 0, zpos = 2;
    unsigned char *raw = malloc(idat_len);
    bool blocks_ok = true, final = false;
    int blocks = 0;
    while (!final && blocks_ok && zpos + 5 <= idat_len) {
        final = z[zpos] & 1;
        blocks_ok &= (z[zpos] >> 1) == 0;  /* BTYPE 00, padding 0 */
        unsigned len = z[zpos + 1] | z[zpos + 2] << 8;
        unsigned nlen = z[zpos + 3] | z[zpos + 4] << 8;
        blocks_ok &= len == (~nlen & 0xffffu);
        blocks_ok &= zpos + 5 + len <= idat_len;
        if (blocks_ok)
            memcpy(raw + raw_len, z + zpos + 5, len);
        raw_len += len;
        zpos += 5 + len;
        blocks++;
    }
    size_t row = (size_t)img->width * img->channels;
    /* The writer fills each block to the 65535 bytes LEN can say. */
    size_t want_len = (size_t)img->height * (1 + row);
    snprintf(check, sizeof check, "%s: %zu stored blocks, LEN = ~NLEN, "
             "last one final, %zu bytes in all", what,
             (want_len + 65534) / 65535, want_len);
    CHECK(check, blocks_ok && final && raw_len == want_len &&
                 (size_t)blocks == (want_len + 65534) / 65535);
    snprintf(check, sizeof check, "%s: Adler-32 of the raw bytes", what);
    CHECK(check, blocks_ok && zpos + 4 == idat_len &&
                 be32(z + zpos) == adler_definition(raw, raw_len));
    free(idat);

    bool filters_ok = blocks_ok && final;
    img->pixels = malloc(img->height * row);
    for (int y = 0; filters_ok && y < img->height; y++) {
        filters_ok = raw[y * (1 + row)] == 0;
        memcpy(img->pixels + y * row, raw + y * (1 + row) + 1, row);
    }
    snprintf(check, sizeof check, "%s: filter byte 0 on every row", what);
    CHECK(check, filters_ok);
    free(raw);
    if (!filters_ok)
        free(img->pixels);
    return filters_ok;
}

/* Writes random pixels through image_write_png, decodes them and
 * compares; also checks no ".tmp" file was left behind. */
static void check_png(const char *what, int width, int height,
                      int channels, uint64_t seed)
{
    size_t n = (size_t)width * height * channels;
    unsigned char *pixels = malloc(n);
    rng r;
    rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++)
        pixels[i] = (unsigned char)rng_below(&r, 256);
    char name[64], check[200], tmp_path[256];
    snprintf(name, sizeof name, "png-%dx%dx%d.png", width, height,
             channels);
    image_write_png(tmp, name, pixels, width, height, channels);
    png_image img;
    if (png_decode(&img, name, what)) {
        snprintf(check, sizeof check, "%s: size, channels and every "
                 "pixel as written", what);
        CHECK(check, img.width == width && img.height == height &&
                     img.channels == channels &&
                     memcmp(img.pixels, pixels, n) == 0);
        free(img.pixels);
    }
    snprintf(tmp_path, sizeof tmp_path, "%s/%s.tmp", tmp, name);
    snprintf(check, sizeof check, "%s: no .tmp file left", what);
    CHECK(check, access(tmp_path, F_OK) != 0);
    free(pixels);
}

static void test_png(void)
{
    check_png("gray 1x1", 1, 1, 1, 1);
    check_png("gray 7x3", 7, 3, 1, 2);
    /* 255 rows of 1 + 256 bytes = 65535: exactly one full block. */
    check_png("gray 256x255 (one full block)", 256, 255, 1, 3);
    /* 256 rows of 1 + 255 bytes = 65536: a full block and 1 byte more. */
    check_png("gray 255x256 (65535 + 1 bytes)", 255, 256, 1, 4);
    check_png("RGB 300x200 (three blocks)", 300, 200, 3, 5);
}

static void test_image_byte(void)
{
    CHECK("image_byte: 0, 1, 0.5 -> 0, 255, 128", image_byte(0) == 0 &&
          image_byte(1) == 255 && image_byte(0.5) == 128);
    bool exact = true;
    for (int b = 0; b < 256; b++)
        exact &= image_byte((float)b / 255.0f) == b;
    CHECK("image_byte: (float)b/255 -> b for every byte", exact);
    CHECK("image_byte: clamps -0.1 and 1.1, NaN and +-inf",
          image_byte(-0.1) == 0 && image_byte(1.1) == 255 &&
          image_byte(NAN) == 0 && image_byte(INFINITY) == 255 &&
          image_byte(-INFINITY) == 0);
}

/* Three 2x3 tiles, two per row, zoom 2. Tile t, pixel (i, j) holds
 * k/17 with k = 6t + 3i + j, which is the byte 15k exactly. */
static void test_grid(void)
{
    real tiles[3 * 6];
    for (int k = 0; k < 18; k++)
        tiles[k] = (real)k / 17;
    image_grid(tmp, "grid.png", tiles, 3, 2, 3, 2, 2);
    png_image img;
    if (!png_decode(&img, "grid.png", "grid"))
        return;
    /* By hand: width 2 + 2 * (6 + 2) = 18, height 2 + 2 * (4 + 2) = 14;
     * tile 1 starts at (row 2, col 10), tile 2 at (8, 2); the cell that
     * tile 3 would take, at (8, 10), stays border gray. */
    CHECK("grid: 18 x 14 pixels, gray", img.width == 18 &&
          img.height == 14 && img.channels == 1);
    if (img.width != 18 || img.height != 14) {
        free(img.pixels);
        return;
    }
    unsigned char (*p)[18] = (unsigned char (*)[18])img.pixels;
    CHECK("grid: tile 0 pixel (0,0) at (2,2), zoomed to 2x2",
          p[2][2] == 0 && p[2][3] == 0 && p[3][2] == 0 && p[3][3] == 0);
    CHECK("grid: tile 0 pixel (1,2) = 15*5 at (4..5, 6..7)",
          p[4][6] == 75 && p[5][7] == 75);
    CHECK("grid: tile 1 pixel (0,0) = 15*6 at (2,10)", p[2][10] == 90);
    CHECK("grid: tile 2 pixel (0,0) = 15*12 at (8,2)", p[8][2] == 180);
    CHECK("grid: tile 2 pixel (1,2) = 255 at (11,7)", p[11][7] == 255);
    CHECK("grid: border at the corners and between rows",
          p[0][0] == IMAGE_BORDER_GRAY && p[13][17] == IMAGE_BORDER_GRAY &&
          p[6][5] == IMAGE_BORDER_GRAY && p[7][12] == IMAGE_BORDER_GRAY);
    CHECK("grid: the empty cell is border gray",
          p[8][10] == IMAGE_BORDER_GRAY && p[11][15] == IMAGE_BORDER_GRAY);

    /* The whole picture against one drawn here tile by tile. */
    unsigned char want[14][18];
    memset(want, IMAGE_BORDER_GRAY, sizeof want);
    const int top[3] = {2, 2, 8}, left[3] = {2, 10, 2};
    for (int t = 0; t < 3; t++)
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 6; x++)
                want[top[t] + y][left[t] + x] =
                    (unsigned char)(15 * (6 * t + 3 * (y / 2) + x / 2));
    CHECK("grid: every pixel where the layout puts it",
          memcmp(want, img.pixels, sizeof want) == 0);
    free(img.pixels);
}

static void test_grid_values(void)
{
    /* Plain grid: clamp, NaN -> 0. One 2x2 tile, zoom 1: 6 x 6. */
    real odd[4] = {NAN, -0.5f, 1.5f, 0.5f};
    image_grid(tmp, "clamp.png", odd, 1, 2, 2, 10, 1);
    png_image img;
    if (png_decode(&img, "clamp.png", "clamped grid")) {
        unsigned char *p = img.pixels;
        CHECK("grid: 10 columns asked, 1 image: one 6 x 6 tile",
              img.width == 6 && img.height == 6);
        CHECK("grid: NaN, -0.5, 1.5, 0.5 -> 0, 0, 255, 128",
              img.width == 6 && p[2 * 6 + 2] == 0 && p[2 * 6 + 3] == 0 &&
              p[3 * 6 + 2] == 255 && p[3 * 6 + 3] == 128);
        free(img.pixels);
    }
    /* Rescaled: [-1, 3] -> [0, 1]; a constant tile -> mid-gray; NaN
     * ignored for the range and drawn black. */
    real filters[12] = {-1, 0, 1, 3,  2, 2, 2, 2,  NAN, 0, 1, 1};
    image_grid_rescaled(tmp, "rescaled.png", filters, 3, 2, 2, 3, 1);
    if (png_decode(&img, "rescaled.png", "rescaled grid")) {
        unsigned char *p = img.pixels;  /* 14 x 6 */
        int w = img.width;
        CHECK("rescaled grid: 3 tiles in a row, 14 x 6",
              w == 14 && img.height == 6);
        /* (v + 1) / 4 * 255 + 0.5: 0.5, 64.25, 128, 255.5 */
        CHECK("rescaled grid: -1, 0, 1, 3 -> 0, 64, 128, 255",
              w == 14 && p[2 * w + 2] == 0 && p[2 * w + 3] == 64 &&
              p[3 * w + 2] == 128 && p[3 * w + 3] == 255);
        CHECK("rescaled grid: a constant tile is mid-gray (128)",
              w == 14 && p[2 * w + 6] == 128 && p[3 * w + 7] == 128);
        CHECK("rescaled grid: NaN, 0, 1, 1 -> 0, 0, 255, 255",
              w == 14 && p[2 * w + 10] == 0 && p[2 * w + 11] == 0 &&
              p[3 * w + 10] == 255 && p[3 * w + 11] == 255);
        free(img.pixels);
    }
}

static void test_pgm(void)
{
    const unsigned char pixels[6] = {0, 1, 2, 127, 128, 255};
    image_write_pgm(tmp, "small.pgm", pixels, 3, 2);
    size_t n = 0;
    unsigned char *f = slurp("small.pgm", &n);
    static const char header[] = "P5\n3 2\n255\n";
    size_t h = sizeof header - 1;
    CHECK("PGM: header \"P5\\n3 2\\n255\\n\" then the 6 bytes",
          f && n == h + 6 && memcmp(f, header, h) == 0 &&
          memcmp(f + h, pixels, 6) == 0);
    free(f);
}

int main(void)
{
    snprintf(tmp, sizeof tmp, "/tmp/test_image.XXXXXX");
    if (mkdtemp(tmp) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    test_png();
    test_image_byte();
    test_grid();
    test_grid_values();
    test_pgm();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        printf("note: could not remove %s\n", tmp);
    return check_summary();
}
