import { describe, expect, it } from 'vitest';
import { BitmapFormat as F, decodeBitmap } from './bitmap';
import { decodeQuic } from './quic';
import { CodecError } from './errors';
import { ImageType } from '../protocol/enums';
import { diffCount, imagesInStream, loadStream, loadTruth } from '../../scripts/lib/fixture-images';

const TOP_DOWN = 4;
// palette entries are 0x00RRGGBB; our pixels are u32 0xAABBGGRR
const PAL = new Uint32Array([0xff0000, 0x00ff00, 0x0000ff, 0x123456]);
const RED = 0xff0000ff;
const GREEN = 0xff00ff00;
const BLUE = 0xffff0000;
const C123456 = 0xff563412;
const BLACK = 0xff000000;

const bm = (format: number, width: number, height: number, stride: number, bytes: number[], flags = TOP_DOWN) => ({
  format,
  flags,
  width,
  height,
  stride,
  data: new Uint8Array(bytes),
});
const px = (d: { pixels: Uint32Array }) => Array.from(d.pixels);

describe('decodeBitmap, hand-built inputs', () => {
  // two rows of 10 one-bit pixels, 2 bytes each plus 2 bytes of row padding
  const oneBit = [0b10100000, 0b01000000, 0xee, 0xee, 0xff, 0xc0, 0xee, 0xee];

  it('1BIT_BE: first pixel in the top bit; padding ignored', () => {
    const d = decodeBitmap(bm(F._1BIT_BE, 10, 2, 4, oneBit), PAL);
    const G = GREEN, R = RED;
    expect(px(d)).toEqual([G, R, G, R, R, R, R, R, R, G, G, G, G, G, G, G, G, G, G, G]);
    expect(d.hasAlpha).toBe(false);
  });

  it('1BIT_LE: first pixel in the low bit', () => {
    const d = decodeBitmap(bm(F._1BIT_LE, 10, 2, 4, oneBit), PAL);
    const G = GREEN, R = RED;
    // 0xa0 → bits 5 and 7 set; 0x40 → bit 6 (pixel 14, beyond width); 0xc0 → bits 6, 7
    expect(px(d)).toEqual([R, R, R, R, R, G, R, G, R, R, G, G, G, G, G, G, G, G, R, R]);
  });

  it('rows are bottom-up without TOP_DOWN', () => {
    const d = decodeBitmap(bm(F._1BIT_BE, 10, 2, 4, oneBit, 0), PAL);
    const G = GREEN, R = RED;
    expect(px(d)).toEqual([G, G, G, G, G, G, G, G, G, G, G, R, G, R, R, R, R, R, R, G]);
  });

  it('1BIT with a one-entry palette: index 1 is opaque black', () => {
    const d = decodeBitmap(bm(F._1BIT_BE, 2, 1, 1, [0b01000000]), new Uint32Array([0x0000ff]));
    expect(px(d)).toEqual([BLUE, BLACK]);
  });

  it('4BIT_BE: high nibble first; 4BIT_LE: low nibble first, out-of-palette index → opaque black', () => {
    expect(px(decodeBitmap(bm(F._4BIT_BE, 3, 1, 2, [0x12, 0x3f]), PAL))).toEqual([GREEN, BLUE, C123456]);
    expect(px(decodeBitmap(bm(F._4BIT_LE, 3, 1, 2, [0x12, 0x3f]), PAL))).toEqual([BLUE, GREEN, BLACK]);
  });

  it('8BIT: palette lookup, index past the palette → opaque black', () => {
    const d = decodeBitmap(bm(F._8BIT, 3, 2, 4, [0, 3, 200, 9, 2, 1, 0, 9]), PAL);
    expect(px(d)).toEqual([RED, C123456, BLACK, BLUE, GREEN, RED]);
  });

  it('16BIT: x1r5g5b5 little-endian, 5-bit channels widened by replicating their top bits', () => {
    // 0x7c00 r=31, 0x03e0 g=31, 0x0001 b=1 → 8, 0x4210 r=g=b=16 → 132 (0x84), 0x8000 unused bit
    const d = decodeBitmap(bm(F._16BIT, 5, 1, 10, [0x00, 0x7c, 0xe0, 0x03, 0x01, 0x00, 0x10, 0x42, 0x00, 0x80]), null);
    expect(px(d)).toEqual([0xff0000ff, 0xff00ff00, 0xff080000, 0xff848484, BLACK]);
  });

  it('24BIT: B,G,R bytes', () => {
    const d = decodeBitmap(bm(F._24BIT, 2, 1, 8, [0x01, 0x02, 0x03, 0xaa, 0xbb, 0xcc, 0, 0]), null);
    expect(px(d)).toEqual([0xff010203, 0xffaabbcc]);
  });

  it('32BIT: B,G,R,X with X ignored', () => {
    const d = decodeBitmap(bm(F._32BIT, 2, 1, 8, [0x01, 0x02, 0x03, 0x77, 0xaa, 0xbb, 0xcc, 0x00]), null);
    expect(px(d)).toEqual([0xff010203, 0xffaabbcc]);
    expect(d.hasAlpha).toBe(false);
  });

  it('RGBA: B,G,R,A kept premultiplied', () => {
    const d = decodeBitmap(bm(F.RGBA, 2, 1, 8, [0x10, 0x20, 0x30, 0x80, 0, 0, 0, 0]), null);
    expect(px(d)).toEqual([0x80102030, 0]);
    expect(d.hasAlpha).toBe(true);
  });

  it('8BIT_A: alpha only, as premultiplied black', () => {
    const d = decodeBitmap(bm(F._8BIT_A, 3, 1, 4, [0x00, 0x7f, 0xff, 0x55]), null);
    expect(px(d)).toEqual([0, 0x7f000000, 0xff000000]);
    expect(d.hasAlpha).toBe(true);
    // ops that convert images to the canvas format read it as opaque black (draw-composite.ts)
    expect(d.alphaOnly).toBe(true);
    expect(decodeBitmap(bm(F.RGBA, 1, 1, 4, [1, 2, 3, 4]), null).alphaOnly).toBeUndefined();
  });

  it('refuses bad input with CodecError', () => {
    const cases: [ReturnType<typeof bm>, Uint32Array | null, RegExp][] = [
      [bm(0, 1, 1, 4, [0, 0, 0, 0]), null, /unknown format 0/],
      [bm(11, 1, 1, 4, [0, 0, 0, 0]), null, /unknown format 11/],
      [bm(F._8BIT, 1, 1, 1, [0]), null, /without a palette/],
      [bm(F._1BIT_LE, 1, 1, 1, [0]), null, /without a palette/],
      [bm(F._4BIT_BE, 1, 1, 1, [0]), null, /without a palette/],
      [bm(F._32BIT, 2, 1, 7, [0, 0, 0, 0, 0, 0, 0, 0]), null, /stride 7/],
      [bm(F._32BIT, 2, 2, 8, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), null, /truncated/],
      [bm(F._32BIT, 0, 1, 0, []), null, /bad size/],
      [bm(F._32BIT, 1 << 14, 1 << 13, 1 << 16, []), null, /too large/],
    ];
    for (const [b, pal, re] of cases) {
      expect(() => decodeBitmap(b, pal)).toThrow(CodecError);
      expect(() => decodeBitmap(b, pal)).toThrow(re);
    }
    // the last row need not carry its padding
    expect(px(decodeBitmap(bm(F._32BIT, 1, 2, 8, [1, 2, 3, 0, 0, 0, 0, 0, 4, 5, 6, 0]), null))).toEqual([0xff010203, 0xff040506]);
  });
});

describe('decodeBitmap on real Xspice recordings', () => {
  const off = imagesInStream(loadStream('off')).flatMap((i) => (i.image.kind === 'bitmap' ? [{ ...i, bitmap: i.image.bitmap }] : []));

  it('every BITMAP of off.bin decodes to its draw size', () => {
    expect(off.length).toBe(23);
    for (const i of off) {
      const d = decodeBitmap(i.bitmap, i.bitmap.palette?.ents ?? null);
      expect([d.width, d.height]).toEqual([i.box.right - i.box.left, i.box.bottom - i.box.top]);
    }
  });

  it('the off-screen surface drawn raw (32BIT) equals the same draw QUIC-coded in quic.bin, alpha included for glyphs (RGBA)', () => {
    // quic.test.ts checks the QUIC decoder against the server's framebuffer, so its output is
    // an independent reference here
    const quic = imagesInStream(loadStream('quic')).flatMap((i) =>
      i.image.type === ImageType.QUIC && i.image.kind === 'data' ? [{ ...i, d: decodeQuic(i.image.data) }] : [],
    );
    const surface = off.find((i) => i.surfaceId !== 0)!;
    const quicSurface = quic.find((q) => q.surfaceId === surface.surfaceId)!;
    expect(diffCount(decodeBitmap(surface.bitmap, null).pixels, quicSurface.d.pixels)).toBe(0);
    // every QUIC glyph is one of the raw RGBA glyphs
    const raw = new Set(off.filter((i) => i.bitmap.format === F.RGBA).map((i) => {
      const d = decodeBitmap(i.bitmap, null);
      return `${d.width}x${d.height}:${px(d)}`;
    }));
    const glyphs = quic.filter((q) => q.d.hasAlpha);
    expect(glyphs.length).toBe(20);
    for (const g of glyphs) expect(raw.has(`${g.d.width}x${g.d.height}:${px(g.d)}`)).toBe(true);
  });

  it('the first screen (32BIT, top-down) matches off.truth.png except where the session changed it', () => {
    const truth = loadTruth('off');
    const first = off[0];
    expect([first.surfaceId, first.bitmap.width, first.bitmap.height]).toEqual([0, truth.width, truth.height]);
    const diff = diffCount(decodeBitmap(first.bitmap, null).pixels, truth.pixels);
    // the recording typed into and moved an xterm: a few percent of the screen changed; reading
    // the rows in the wrong order (or channels swapped) disagrees almost everywhere
    expect(diff).toBeLessThan(truth.pixels.length * 0.05);
    expect(diffCount(decodeBitmap({ ...first.bitmap, flags: 0 }, null).pixels, truth.pixels)).toBeGreaterThan(truth.pixels.length * 0.5);
  });
});
