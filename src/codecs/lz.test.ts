import { describe, expect, it } from 'vitest';
import { decodeLz } from './lz';
import { CodecError } from './errors';
import { ImageType } from '../protocol/enums';
import { decodeLz4 } from './lz4';
import {
  diffCount,
  imagesInStream,
  loadStream,
  loadTruth,
  opaqueKey,
  rawBitmapKeys,
  rawBitmapPixels,
} from '../../scripts/lib/fixture-images';
import { lzHeader, lzLiterals, lzRef, px } from '../../scripts/lib/lz-test-encoder';

const offKeys = rawBitmapKeys('off');
// glyphs the `off` recording never sent raw: compared with the same glyph from the LZ4 recording
const lz4Keys = new Set(
  imagesInStream(loadStream('lz4'))
    .filter((i) => i.image.type === ImageType.LZ4 && i.image.kind === 'data')
    .map((i) => opaqueKey(decodeLz4((i.image as { data: Uint8Array }).data, i.image.width, i.image.height))),
);

describe('LZ on real Xspice recordings', () => {
  for (const [mode, previous] of [
    ['lz', 'quic'],
    ['auto_lz', 'auto_glz'],
  ] as const) {
    it(`${mode}.bin: every LZ_RGB decodes; a screen equals ${previous}.truth.png; pieces equal raw bitmaps`, () => {
      const truth = loadTruth(previous);
      const offImages = imagesInStream(loadStream('off'));
      let n = 0;
      let fullScreen = 0;
      let inOff = 0;
      let inLz4 = 0;
      for (const i of imagesInStream(loadStream(mode))) {
        if (i.image.type !== ImageType.LZ_RGB || i.image.kind !== 'data') continue;
        n++;
        const d = decodeLz(i.image.data, null, i.image);
        expect([d.width, d.height]).toEqual([i.image.width, i.image.height]);
        if (i.surfaceId === 0 && d.width === truth.width && d.height === truth.height) {
          // the recordings were made one after another: the first screen is the previous end
          expect(fullScreen).toBe(0);
          expect(diffCount(d.pixels, truth.pixels)).toBe(0);
          fullScreen++;
          continue;
        }
        if (i.surfaceId !== 0 && d.width === 400) {
          // the off-screen surface's content: the `off` recording sent the same draw raw
          const raw = offImages.find((o) => o.surfaceId === i.surfaceId && o.image.kind === 'bitmap');
          expect(raw).toBeDefined();
          expect(diffCount(d.pixels, rawBitmapPixels(raw!.image)!)).toBe(0);
          inOff++;
          continue;
        }
        const key = opaqueKey(d);
        if (offKeys.has(key)) inOff++;
        else if (lz4Keys.has(key)) inLz4++;
        else throw new Error(`${mode} image ${i.seq} (${key}) matches no raw bitmap nor LZ4 image`);
      }
      // auto_lz sent its screen as QUIC (photographic), so only lz.bin has an LZ screen
      expect(fullScreen).toBe(mode === 'lz' ? 1 : 0);
      expect(n).toBe(mode === 'lz' ? 24 : 22);
      // all but two glyphs are found raw in the `off` recording
      expect(inOff).toBeGreaterThanOrEqual(n - 3);
      expect(inOff + inLz4 + fullScreen).toBe(n);
    });
  }
});

// ---- synthetic payloads for the types Xspice did not send ----

const T = { PLT1_LE: 1, PLT1_BE: 2, PLT4_LE: 3, PLT4_BE: 4, PLT8: 5, RGB16: 6, RGB24: 7, RGB32: 8, RGBA: 9, XXXA: 10, A8: 11 };
const pal = new Uint32Array([0x000000, 0xff0000, 0x00ff00, 0x0000ff, 0x123456]);
const P = (i: number) => px((pal[i] >> 16) & 255, (pal[i] >> 8) & 255, pal[i] & 255);
const u8 = (a: number[]) => new Uint8Array(a);

describe('LZ synthetic payloads', () => {
  it('RGB32 and RGB24: B,G,R literals, a run and a copy, top-down', () => {
    for (const type of [T.RGB32, T.RGB24]) {
      const bpp = type === T.RGB32 ? 4 : 3;
      const body = [...lzLiterals([[1, 2, 3], [4, 5, 6]]), ...lzRef(3, 1, 1), ...lzRef(2, 4, 1), ...lzLiterals([[7, 8, 9]])];
      const d = decodeLz(u8([...lzHeader(type, 4, 2, 4 * bpp, true), ...body]), null);
      const a = px(3, 2, 1);
      const b = px(6, 5, 4);
      expect(Array.from(d.pixels)).toEqual([a, b, b, b, b, b, b, px(9, 8, 7)].slice(0, 8));
      expect(d.hasAlpha).toBe(false);
    }
  });

  it('bottom-up rows are flipped', () => {
    const body = lzLiterals([[0, 0, 1], [0, 0, 2], [0, 0, 3], [0, 0, 4]]);
    const d = decodeLz(u8([...lzHeader(T.RGB32, 2, 2, 8, false), ...body]), null);
    expect(Array.from(d.pixels)).toEqual([px(3, 0, 0), px(4, 0, 0), px(1, 0, 0), px(2, 0, 0)]);
  });

  it('RGB16: big-endian x1r5g5b5 widened by bit replication, length bias 2', () => {
    // r=31 g=0 b=0 → 0x7c00; r=0 g=31 b=1 → 0x03e1
    const body = [...lzLiterals([[0x7c, 0x00], [0x03, 0xe1]]), ...lzRef(2, 2, 2)];
    const d = decodeLz(u8([...lzHeader(T.RGB16, 4, 1, 8, true), ...body]), null);
    expect(Array.from(d.pixels)).toEqual([px(255, 0, 0), px(0, 255, 8), px(255, 0, 0), px(0, 255, 8)]);
  });

  it('RGBA: colour pass then alpha pass with its own references', () => {
    const body = [
      ...lzLiterals([[10, 20, 30], [40, 50, 60], [70, 80, 90], [1, 2, 3]]),
      ...lzLiterals([[128]]),
      ...lzRef(3, 1, 3),
    ];
    const d = decodeLz(u8([...lzHeader(T.RGBA, 2, 2, 8, true), ...body]), null);
    expect(d.hasAlpha).toBe(true);
    expect(Array.from(d.pixels)).toEqual([px(30, 20, 10, 128), px(60, 50, 40, 128), px(90, 80, 70, 128), px(3, 2, 1, 128)]);
  });

  it('XXXA: alpha only, colour 0', () => {
    const d = decodeLz(u8([...lzHeader(T.XXXA, 3, 1, 12, true), ...lzLiterals([[0], [7], [255]])]), null);
    expect(Array.from(d.pixels)).toEqual([px(0, 0, 0, 0), px(0, 0, 0, 7), px(0, 0, 0, 255)]);
  });

  it('A8: alpha only, marked alphaOnly (the canvas keeps it as pixman a8, not a8r8g8b8); XXXA is not', () => {
    const d = decodeLz(u8([...lzHeader(T.A8, 3, 1, 3, true), ...lzLiterals([[0], [7], [255]])]), null);
    expect(Array.from(d.pixels)).toEqual([px(0, 0, 0, 0), px(0, 0, 0, 7), px(0, 0, 0, 255)]);
    expect(d.alphaOnly).toBe(true);
    expect(decodeLz(u8([...lzHeader(T.XXXA, 1, 1, 4, true), ...lzLiterals([[9]])]), null).alphaOnly).toBeUndefined();
  });

  it('PLT8 with row padding and a far back-reference', () => {
    // 3x2, stride 3; second row = first row via a reference of 3 bytes at distance 3
    const d = decodeLz(u8([...lzHeader(T.PLT8, 3, 2, 3, true), ...lzLiterals([[1], [2], [4]]), ...lzRef(3, 3, 3)]), pal);
    expect(Array.from(d.pixels)).toEqual([P(1), P(2), P(4), P(1), P(2), P(4)]);
    // a distance beyond 8191 uses the far escape
    const n = 8200;
    const lits = Array.from({ length: n }, (_, i) => [i % 5]);
    const far = decodeLz(u8([...lzHeader(T.PLT8, n + 3, 1, n + 3, true), ...lzLiterals(lits), ...lzRef(3, n, 3)]), pal);
    expect(Array.from(far.pixels.subarray(n))).toEqual([P(0), P(1), P(2)]);
  });

  it('PLT4 LE/BE nibble order, modulo palette size; row padding cropped; bottom-up', () => {
    // width 3 → stride 2 bytes per row (one padding nibble)
    const rows = [[0x21, 0x03], [0x43, 0x09]]; // stream order: row 0 is the bottom row
    const body = lzLiterals(rows.flat().map((b) => [b]));
    const le = decodeLz(u8([...lzHeader(T.PLT4_LE, 3, 2, 2, false), ...body]), pal);
    // LE: low nibble first. bottom row = 1,2,3 ; top row = 3,4,9%5=4
    expect(Array.from(le.pixels)).toEqual([P(3), P(4), P(4), P(1), P(2), P(3)]);
    const be = decodeLz(u8([...lzHeader(T.PLT4_BE, 3, 2, 2, false), ...body]), pal);
    // BE: high nibble first. bottom row = 2,1,0 ; top row = 4,3,0
    expect(Array.from(be.pixels)).toEqual([P(4), P(3), P(0), P(2), P(1), P(0)]);
  });

  it('PLT1 LE/BE bit order: entry 1 for set bits, entry 0 for clear', () => {
    const body = lzLiterals([[0b00000101]]);
    const le = decodeLz(u8([...lzHeader(T.PLT1_LE, 8, 1, 1, true), ...body]), pal);
    expect(Array.from(le.pixels)).toEqual([1, 0, 1, 0, 0, 0, 0, 0].map(P));
    const be = decodeLz(u8([...lzHeader(T.PLT1_BE, 8, 1, 1, true), ...body]), pal);
    expect(Array.from(be.pixels)).toEqual([0, 0, 0, 0, 0, 1, 0, 1].map(P));
  });

  it('references in palette images count packed bytes, not pixels', () => {
    const body = [...lzLiterals([[0x12], [0x34], [0x10]]), ...lzRef(3, 3, 3)];
    const d = decodeLz(u8([...lzHeader(T.PLT4_BE, 12, 1, 6, true), ...body]), pal);
    const first = [1, 2, 3, 4 % 5, 1, 0].map(P);
    expect(Array.from(d.pixels)).toEqual([...first, ...first]);
  });

  it('rejects bad input with CodecError', () => {
    const ok = [...lzHeader(T.RGB32, 2, 1, 8, true), ...lzLiterals([[1, 2, 3], [4, 5, 6]])];
    const bad: [string, number[], Uint32Array | null][] = [
      ['magic', [0, ...ok.slice(1)], null],
      ['version', [...ok.slice(0, 7), 2, ...ok.slice(8)], null],
      ['type', [...lzHeader(12, 2, 1, 8, true), ...ok.slice(28)], null],
      ['stride', [...lzHeader(T.RGB32, 2, 1, 9, true), ...ok.slice(28)], null],
      ['truncated', ok.slice(0, ok.length - 1), null],
      ['trailing', [...ok, 0], null],
      ['ref before start', [...lzHeader(T.RGB32, 4, 1, 16, true), ...lzLiterals([[1, 2, 3]]), ...lzRef(3, 2, 1)], null],
      ['overrun by literals', [...lzHeader(T.RGB32, 1, 1, 4, true), ...lzLiterals([[1, 2, 3], [4, 5, 6]])], null],
      ['overrun by ref', [...lzHeader(T.RGB32, 3, 1, 12, true), ...lzLiterals([[1, 2, 3]]), ...lzRef(5, 1, 1)], null],
      ['no palette', [...lzHeader(T.PLT8, 1, 1, 1, true), 0, 1], null],
      ['index beyond palette', [...lzHeader(T.PLT8, 1, 1, 1, true), 0, 9], pal],
      ['palette stride too short', [...lzHeader(T.PLT8, 4, 1, 3, true), ...lzLiterals([[1], [1], [1]])], pal],
      ['empty', lzHeader(T.RGB32, 0, 0, 0, true), null],
    ];
    for (const [what, bytes, p] of bad) {
      expect(() => decodeLz(u8(bytes), p), what).toThrow(CodecError);
    }
    expect(() => decodeLz(u8(ok), null, { width: 2, height: 2 })).toThrow(/descriptor/);
    expect(Array.from(decodeLz(u8(ok), null, { width: 2, height: 1 }).pixels)).toEqual([px(3, 2, 1), px(6, 5, 4)]);
  });
});
