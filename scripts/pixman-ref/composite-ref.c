/*
 * Reference results for src/display/ops/composite.test.ts from the system's libpixman (the
 * library spice-common's canvas and the X server composite with). Cases come from a seeded
 * xorshift32 generator that the test re-implements draw for draw; only the resulting
 * destination pixels are written (one JSON array per case, pixman's a8r8g8b8 order, a8 as a<<24).
 * Declares the few pixman entry points it needs itself (no pixman headers needed).
 *   gcc -O2 -o composite-ref composite-ref.c -l:libpixman-1.so.0 && ./composite-ref SEED COUNT
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct pixman_image pixman_image_t;
struct pixman_transform { int32_t matrix[3][3]; };
extern pixman_image_t *pixman_image_create_bits(uint32_t format, int w, int h, uint32_t *bits, int stride);
extern int pixman_image_set_transform(pixman_image_t *, const struct pixman_transform *);
extern void pixman_image_set_repeat(pixman_image_t *, int);
extern int pixman_image_set_filter(pixman_image_t *, int, const int32_t *, int);
extern void pixman_image_set_component_alpha(pixman_image_t *, int);
extern void pixman_image_composite32(int op, pixman_image_t *, pixman_image_t *, pixman_image_t *,
                                     int32_t, int32_t, int32_t, int32_t, int32_t, int32_t, int32_t, int32_t);
extern int pixman_image_unref(pixman_image_t *);
extern const char *pixman_version_string(void);

static const uint32_t FORMATS[3] = { 0x20020888 /* x8r8g8b8 */, 0x20028888 /* a8r8g8b8 */, 0x08018000 /* a8 */ };
static const int OPS[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
  0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b,
  0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b,
  0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e };
static const int FILTERS[4] = { 0 /* FAST */, 3 /* NEAREST */, 4 /* BILINEAR */, 1 /* GOOD */ };
static const int32_t SCALES[5] = { 32768, 49152, 98304, 131072, 21845 };

static uint32_t st;
static uint32_t rnd(void) { st ^= st << 13; st ^= st >> 17; st ^= st << 5; return st; }
static uint32_t R(uint32_t n) { return rnd() % n; }

static uint32_t pixel(int fmt) {
  uint32_t v = rnd(), sel = R(8), a = v >> 24;
  if (fmt == 0) return v;
  if (sel == 1) a = 0;
  if (sel == 2) a = 255;
  if (fmt == 2) return a << 24;
  if (sel == 0) return v;
  return a << 24 | (((v >> 16) & 255) * a / 255) << 16 | (((v >> 8) & 255) * a / 255) << 8 | ((v & 255) * a / 255);
}

/* an image of random size, format and pixels; also repeat, filter, transform and origin */
static pixman_image_t *image(uint32_t *buf, int *ox, int *oy) {
  int fmt = R(3), w = 1 + R(5), h = 1 + R(5), type, i;
  struct pixman_transform t = { { { 65536, 0, 0 }, { 0, 65536, 0 }, { 0, 0, 65536 } } };
  pixman_image_t *img;
  for (i = 0; i < w * h; i++) buf[i] = pixel(fmt);
  if (fmt == 2) { /* a8: one byte per pixel, rows 4-aligned */
    uint8_t *b = (uint8_t *)(buf + 64);
    for (i = 0; i < w * h; i++) b[(i / w) * 8 + i % w] = buf[i] >> 24;
    img = pixman_image_create_bits(FORMATS[2], w, h, (uint32_t *)b, 8);
  } else {
    img = pixman_image_create_bits(FORMATS[fmt], w, h, buf, w * 4);
  }
  pixman_image_set_repeat(img, R(4));
  pixman_image_set_filter(img, FILTERS[R(4)], NULL, 0);
  type = R(3);
  if (type == 1) {
    t.matrix[0][0] = SCALES[R(5)]; t.matrix[1][1] = SCALES[R(5)];
    t.matrix[0][2] = ((int)R(9) - 4) * 16384; t.matrix[1][2] = ((int)R(9) - 4) * 16384;
  } else if (type == 2) {
    t.matrix[0][0] = (int)R(131072) - 65536; t.matrix[0][1] = (int)R(131072) - 65536;
    t.matrix[1][0] = (int)R(131072) - 65536; t.matrix[1][1] = (int)R(131072) - 65536;
    t.matrix[0][2] = ((int)R(8) - 4) * 65536 + (int)R(65536); t.matrix[1][2] = ((int)R(8) - 4) * 65536 + (int)R(65536);
  }
  if (type) pixman_image_set_transform(img, &t);
  *ox = (int)R(7) - 3; *oy = (int)R(7) - 3;
  return img;
}

int main(int argc, char **argv) {
  int count = argc > 2 ? atoi(argv[2]) : 100, c, i;
  st = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 1;
  printf("{\"pixman\":\"%s\",\"seed\":%u,\"results\":[\n", pixman_version_string(), st);
  for (c = 0; c < count; c++) {
    static uint32_t dbuf[64], sbuf[128], mbuf[128];
    int op = OPS[R(sizeof OPS / sizeof OPS[0])], dfmt = R(3), dw = 1 + R(6), dh = 1 + R(4);
    int sx, sy, mx = 0, my = 0;
    pixman_image_t *d, *s, *m = NULL;
    uint8_t *db = (uint8_t *)(dbuf + 32);
    for (i = 0; i < dw * dh; i++) dbuf[i] = pixel(dfmt);
    if (dfmt == 2) {
      for (i = 0; i < dw * dh; i++) db[(i / dw) * 8 + i % dw] = dbuf[i] >> 24;
      d = pixman_image_create_bits(FORMATS[2], dw, dh, (uint32_t *)db, 8);
    } else {
      d = pixman_image_create_bits(FORMATS[dfmt], dw, dh, dbuf, dw * 4);
    }
    s = image(sbuf, &sx, &sy);
    if (R(2)) {
      m = image(mbuf, &mx, &my);
      pixman_image_set_component_alpha(m, R(2));
    }
    pixman_image_composite32(op, s, m, d, sx, sy, mx, my, 0, 0, dw, dh);
    printf("%s[", c ? ",\n" : "");
    for (i = 0; i < dw * dh; i++) {
      uint32_t v = dfmt == 2 ? (uint32_t)db[(i / dw) * 8 + i % dw] << 24 : dbuf[i];
      printf("%s%u", i ? "," : "", v);
    }
    printf("]");
    pixman_image_unref(d); pixman_image_unref(s); if (m) pixman_image_unref(m);
  }
  printf("\n]}\n");
  return 0;
}
