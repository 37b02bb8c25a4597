/*
 * Reference QUIC encoder for test vectors: links spice-common's own common/quic.c (compiled from
 * a checkout by scripts/quic-ref/make-vectors.mjs, not copied here) and encodes one raw image.
 *
 *   quic-encode <type> <width> <height> < raw > quic
 *
 * type is QuicImageType (1 GRAY, 2 RGB16, 3 RGB24, 4 RGB32, 5 RGBA); raw is top-down rows of
 * width * bytes-per-pixel bytes (1, 2, 3, 4, 4), the layout quic_encode reads.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "quic.h"

__attribute__((noreturn)) static void fail(QuicUsrContext *u, const char *fmt, ...)
{
    va_list ap;
    (void)u;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    exit(2);
}
static void say(QuicUsrContext *u, const char *fmt, ...) { (void)u; (void)fmt; }
static void *mem(QuicUsrContext *u, int n) { (void)u; return malloc(n); }
static void unmem(QuicUsrContext *u, void *p) { (void)u; free(p); }
static int no_space(QuicUsrContext *u, uint32_t **p, int r) { (void)u; (void)p; (void)r; return 0; }
static int no_lines(QuicUsrContext *u, uint8_t **l) { (void)u; (void)l; return 0; }

int main(int argc, char **argv)
{
    static const int bpp[] = { 0, 1, 2, 3, 4, 4 };
    QuicUsrContext usr = { fail, say, say, mem, unmem, no_space, no_lines };
    if (argc != 4) fail(NULL, "usage: quic-encode type width height < raw > quic\n");
    int type = atoi(argv[1]), w = atoi(argv[2]), h = atoi(argv[3]);
    if (type < 1 || type > 5 || w <= 0 || h <= 0) fail(NULL, "bad arguments\n");
    size_t stride = (size_t)w * bpp[type], size = stride * h;
    uint8_t *raw = malloc(size);
    if (fread(raw, 1, size, stdin) != size) fail(NULL, "short input\n");
    unsigned int words = size / 4 * 3 + 1024;
    uint32_t *out = malloc(words * 4);
    QuicContext *q = quic_create(&usr);
    int n = quic_encode(q, type, w, h, raw, h, stride, out, words);
    if (n <= 0) fail(NULL, "encode failed\n");
    fwrite(out, 4, n, stdout);
    quic_destroy(q);
    return 0;
}
