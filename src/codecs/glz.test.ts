import { describe, expect, it } from 'vitest';
import { deflateSync } from 'node:zlib';
import { GlzWindow, decodeGlz } from './glz';
import { decodeZlibGlz, type Inflate } from './zlib-glz';
import { decodeLz } from './lz';
import { CodecError } from './errors';
import { ImageType } from '../protocol/enums';
import { diffCount, imagesInStream, loadStream, loadTruth, opaqueKey, rawBitmapKeys } from '../../scripts/lib/fixture-images';
import { glzHeader, glzRef, lzLiterals, px } from '../../scripts/lib/lz-test-encoder';

const WINDOW = (16 << 20) / 4;
const offKeys = rawBitmapKeys('off');
const lzKeys = new Set(
  imagesInStream(loadStream('lz'))
    .filter((i) => i.image.type === ImageType.LZ_RGB && i.image.kind === 'data')
    .map((i) => opaqueKey(decodeLz((i.image as { data: Uint8Array }).data, null))),
);

describe('GLZ on real Xspice recordings (one window per recording, stream order)', () => {
  for (const [mode, previous] of [
    ['glz', 'lz'],
    ['auto_glz', 'glz'],
  ] as const) {
    it(`${mode}.bin`, () => {
      const win = new GlzWindow(WINDOW);
      const truth = loadTruth(previous);
      let glz = 0;
      let inOff = 0;
      let crossImage = 0;
      const lookup = win.lookup.bind(win);
      win.lookup = (id, dist) => (crossImage++, lookup(id, dist));
      for (const i of imagesInStream(loadStream(mode))) {
        if (i.image.kind !== 'data') continue;
        if (i.image.type === ImageType.LZ_RGB && i.surfaceId === 0) {
          // glz.bin's screen came as LZ (no drawable for GLZ): it is the previous recording's end
          expect(diffCount(decodeLz(i.image.data, null, i.image).pixels, truth.pixels)).toBe(0);
        }
        if (i.image.type !== ImageType.GLZ_RGB) continue;
        glz++;
        const d = decodeGlz(i.image.data, win, i.image);
        const key = opaqueKey(d);
        if (offKeys.has(key)) inOff++;
        // every GLZ image is also found LZ-compressed or raw in another recording
        else expect(lzKeys.has(key), `${mode} #${i.seq} ${key}`).toBe(true);
      }
      expect(glz).toBe(23);
      expect(inOff).toBeGreaterThanOrEqual(glz - 3);
      // the glyphs really copy from earlier images, so the shared window is exercised
      expect(crossImage).toBeGreaterThan(10);
      expect(win.imageCount).toBe(23);
    });
  }

  it('ZLIB_GLZ: a real GLZ payload wrapped in zlib decodes the same through DecompressionStream', async () => {
    const inflate: Inflate = async (data) => {
      const ds = new DecompressionStream('deflate');
      const out = new Response(new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(ds));
      return new Uint8Array(await out.arrayBuffer());
    };
    const glzImages = imagesInStream(loadStream('glz')).filter((i) => i.image.type === ImageType.GLZ_RGB);
    const a = new GlzWindow(WINDOW);
    const b = new GlzWindow(WINDOW);
    for (const i of glzImages.slice(0, 6)) {
      const data = (i.image as { data: Uint8Array }).data;
      const plain = decodeGlz(data, a);
      const wrapped = await decodeZlibGlz(new Uint8Array(deflateSync(data)), data.length, b, inflate, i.image);
      expect(Array.from(wrapped.pixels)).toEqual(Array.from(plain.pixels));
    }
    const data = (glzImages[6].image as { data: Uint8Array }).data;
    await expect(decodeZlibGlz(new Uint8Array(deflateSync(data)), data.length + 1, b, inflate)).rejects.toThrow(/inflated/);
    await expect(decodeZlibGlz(new Uint8Array([1, 2, 3]), data.length, b, inflate)).rejects.toThrow(CodecError);
  });
});

// ---- synthetic GLZ: window rules, RGB16, RGBA, orientation ----

const RGB32 = 8;
const u8 = (a: number[]) => new Uint8Array(a);
/** a 2x2 RGB32 image of literal pixels whose red channel is `base + i` */
function litImage(id: number, head: number, base: number, topDown = true): Uint8Array {
  const units = [0, 1, 2, 3].map((i) => [0, 0, base + i]);
  return u8([...glzHeader(RGB32, 2, 2, id, head, topDown), ...lzLiterals(units)]);
}

describe('GLZ window', () => {
  it('copies from earlier images by (distance, absolute offset) and honours top_down', () => {
    const win = new GlzWindow(1000);
    decodeGlz(litImage(0, 0, 10), win);
    decodeGlz(litImage(1, 1, 20), win);
    // image 2 (bottom-up): 2 units from image 0 at offset 1, then 2 from image 1 at offset 0
    const d = decodeGlz(u8([...glzHeader(RGB32, 2, 2, 2, 2, false), ...glzRef(2, 2, 1, 1), ...glzRef(2, 1, 0, 1)]), win);
    expect(Array.from(d.pixels)).toEqual([px(20, 0, 0), px(21, 0, 0), px(11, 0, 0), px(12, 0, 0)]);
    // same-image reference (distance 0): a run of the previous unit
    const r = decodeGlz(u8([...glzHeader(RGB32, 4, 1, 3, 3, true), ...lzLiterals([[0, 0, 7]]), ...glzRef(3, 0, 1, 1)]), win);
    expect(Array.from(r.pixels)).toEqual([px(7, 0, 0), px(7, 0, 0), px(7, 0, 0), px(7, 0, 0)]);
  });

  it('releases images older than the newest image minus win_head_dist, and only those', () => {
    const win = new GlzWindow(1000);
    for (let id = 0; id < 5; id++) decodeGlz(litImage(id, Math.min(id, 2), id * 10), win);
    // image 4 says the encoder may still use ids 2..4
    expect([0, 1, 2, 3, 4].map((i) => win.has(BigInt(i)))).toEqual([false, false, true, true, true]);
    expect(win.pixelCount).toBe(12);
    // a reference to a released image is an error, not a read of stale memory
    const stale = u8([...glzHeader(RGB32, 2, 1, 5, 4, true), ...glzRef(2, 4, 0, 1)]);
    expect(() => decodeGlz(stale, win)).toThrow(/not in the window/);
    // a reference to an image that never came (id 9 − 3 = 6) too
    expect(() => decodeGlz(u8([...glzHeader(RGB32, 2, 1, 9, 4, true), ...glzRef(2, 3, 0, 1)]), win)).toThrow(CodecError);
    // offset past the end of the earlier image
    expect(() => decodeGlz(u8([...glzHeader(RGB32, 2, 1, 5, 3, true), ...glzRef(2, 1, 3, 1)]), win)).toThrow(CodecError);
  });

  it('with out-of-order ids (several channels) keeps images until the gap closes', () => {
    const win = new GlzWindow(1000);
    decodeGlz(litImage(0, 0, 0), win);
    decodeGlz(litImage(2, 1, 0), win); // id 1 is still on another channel
    decodeGlz(litImage(3, 1, 0), win);
    expect(win.has(0n)).toBe(true); // the run ends at 0, whose head is 0
    decodeGlz(litImage(1, 1, 0), win); // gap closed: newest of the run is 3, head 2
    expect([0, 1, 2, 3].map((i) => win.has(BigInt(i)))).toEqual([false, false, true, true]);
  });

  it('refuses to grow beyond the advertised window, and stays bounded', () => {
    const win = new GlzWindow(10);
    decodeGlz(litImage(0, 0, 0), win);
    decodeGlz(litImage(1, 1, 0), win);
    // a server keeping 3 × 4 pixels in a 10-pixel window breaks the contract
    expect(() => decodeGlz(litImage(2, 2, 0), win)).toThrow(/advertised/);
    expect(win.pixelCount).toBe(8);
    expect(win.has(2n)).toBe(false);
    // an image larger than the whole window is refused before decoding
    const big = u8([...glzHeader(RGB32, 11, 1, 3, 0, true), ...lzLiterals(Array.from({ length: 11 }, () => [0, 0, 0]))]);
    expect(() => decodeGlz(big, win)).toThrow(/larger than/);
    win.clear();
    expect(win.pixelCount).toBe(0);
  });

  it('RGB16 (bias 1) and RGBA (alpha pass that copies alpha from an earlier RGBA image)', () => {
    const win = new GlzWindow(1000);
    const rgb16 = decodeGlz(u8([...glzHeader(6, 3, 1, 0, 0, true), ...lzLiterals([[0x7c, 0x00]]), ...glzRef(2, 0, 1, 2)]), win);
    expect(Array.from(rgb16.pixels)).toEqual([px(255, 0, 0), px(255, 0, 0), px(255, 0, 0)]);
    const a = decodeGlz(u8([...glzHeader(9, 3, 1, 1, 1, true), ...lzLiterals([[1, 2, 3], [4, 5, 6], [7, 8, 9]]), ...lzLiterals([[10], [20], [30]])]), win);
    expect(a.hasAlpha).toBe(true);
    expect(Array.from(a.pixels)).toEqual([px(3, 2, 1, 10), px(6, 5, 4, 20), px(9, 8, 7, 30)]);
    // colour copied from image 1, alpha copied from image 1 as well (3 units, the minimum)
    const b = decodeGlz(u8([...glzHeader(9, 3, 1, 2, 2, true), ...glzRef(3, 1, 0, 1), ...glzRef(3, 1, 0, 3)]), win);
    expect(Array.from(b.pixels)).toEqual(Array.from(a.pixels));
    // an RGB image that copies from the RGBA one is opaque
    const c = decodeGlz(u8([...glzHeader(RGB32, 3, 1, 3, 3, true), ...glzRef(3, 1, 0, 1)]), win);
    expect(Array.from(c.pixels)).toEqual([px(3, 2, 1), px(6, 5, 4), px(9, 8, 7)]);
  });

  it('rejects palette types, bad headers, truncation, duplicates and size mismatches', () => {
    const win = new GlzWindow(1000);
    expect(() => decodeGlz(u8([...glzHeader(5, 1, 1, 0, 0, true), 0, 1]), win)).toThrow(/unsupported/);
    const ok = litImage(0, 0, 0);
    expect(() => decodeGlz(ok.slice(0, 40), win)).toThrow(/truncated/);
    expect(() => decodeGlz(u8([9, ...ok.slice(1)]), win)).toThrow(/magic/);
    expect(() => decodeGlz(ok, win, { width: 3, height: 2 })).toThrow(/descriptor/);
    expect(() => decodeGlz(u8([...ok, 0]), win)).toThrow(/trailing/);
    decodeGlz(ok, win);
    expect(() => decodeGlz(ok, win)).toThrow(/twice/);
    expect(() => decodeGlz(u8([...glzHeader(RGB32, 2, 1, 1, 0, true), ...glzRef(2, 0, 1, 1)]), win)).toThrow(/before the start/);
  });
});
