import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeQuic, QuicType } from './quic';
import { FAMILY_5, FAMILY_8 } from './quic-tables';
import { CodecError } from './errors';
import { ImageType } from '../protocol/enums';
import type { SpiceImage } from '../protocol/display-types';
import { diffCount, FIXTURE_DIR, imagesInStream, loadStream, loadTruth, type FixtureImage } from '../../scripts/lib/fixture-images';

const quicImages = (mode: string): (FixtureImage & { data: Uint8Array })[] =>
  imagesInStream(loadStream(mode)).flatMap((i) =>
    i.image.type === ImageType.QUIC && i.image.kind === 'data' ? [{ ...i, data: i.image.data }] : [],
  );

/** a raw 32BIT/RGBA BITMAP, read here straight from its B,G,R,X|A bytes (alpha kept for RGBA) */
function rawPixels(img: SpiceImage): Uint32Array {
  if (img.kind !== 'bitmap' || (img.bitmap.format !== 8 && img.bitmap.format !== 9)) throw new Error('not raw 32-bit');
  const bm = img.bitmap;
  const out = new Uint32Array(bm.width * bm.height);
  for (let y = 0; y < bm.height; y++) {
    const sy = bm.flags & 4 ? y : bm.height - 1 - y;
    for (let x = 0; x < bm.width; x++) {
      const o = sy * bm.stride + x * 4;
      const a = bm.format === 9 ? bm.data[o + 3] : 255;
      out[y * bm.width + x] = ((a << 24) | (bm.data[o] << 16) | (bm.data[o + 1] << 8) | bm.data[o + 2]) >>> 0;
    }
  }
  return out;
}

const key = (w: number, h: number, px: Uint32Array) => `${w}x${h}:${Array.from(px).join(',')}`;

describe('QUIC code families', () => {
  it('match the reference table of spice-protocol.md §6.1', () => {
    expect(Array.from(FAMILY_8.altPrefix)).toEqual([18, 18, 18, 18, 15, 7, 3, 1]);
    expect(Array.from(FAMILY_8.nGR)).toEqual([18, 36, 72, 144, 240, 224, 192, 128]);
    expect(Array.from(FAMILY_8.notGRlen)).toEqual([26, 26, 26, 25, 19, 12, 9, 8]);
    expect(Array.from(FAMILY_5.altPrefix.subarray(0, 5))).toEqual([21, 15, 7, 3, 1]);
    expect(Array.from(FAMILY_5.nGR.subarray(0, 5))).toEqual([21, 30, 28, 24, 16]);
    expect(Array.from(FAMILY_5.notGRlen.subarray(0, 5))).toEqual([25, 16, 9, 6, 5]);
    // buckets [0] [1-2] [3-6] … (§6.1 "Model")
    expect([FAMILY_8.nBuckets, FAMILY_8.bucketOf[2], FAMILY_8.bucketOf[3], FAMILY_8.bucketOf[126], FAMILY_8.bucketOf[127], FAMILY_8.bucketOf[255]]).toEqual([8, 1, 2, 6, 7, 7]);
    expect([FAMILY_5.nBuckets, FAMILY_5.bucketOf[14], FAMILY_5.bucketOf[15], FAMILY_5.bucketOf[31]]).toEqual([5, 3, 4, 4]);
  });
});

describe('QUIC on real Xspice recordings', () => {
  // recordings were made one after another (fixtures/README.md): the first full screen of each
  // is the framebuffer at the end of the previous one
  for (const [mode, previous] of [
    ['quic', 'off'],
    ['auto_glz', 'glz'],
    ['auto_lz', 'auto_glz'],
  ] as const) {
    it(`${mode}.bin: the first full-screen QUIC image equals ${previous}.truth.png`, () => {
      const truth = loadTruth(previous);
      const first = quicImages(mode).find((i) => i.surfaceId === 0 && i.image.width === 400 && i.image.height === 300);
      expect(first).toBeDefined();
      const d = decodeQuic(first!.data, first!.image);
      expect([d.width, d.height, d.hasAlpha]).toEqual([truth.width, truth.height, false]);
      expect(diffCount(d.pixels, truth.pixels)).toBe(0);
    });
  }

  it('quic.bin: every image decodes to its descriptor and draw size; RGBA glyphs and the off-screen surface equal raw bitmaps of off.bin', () => {
    const off = imagesInStream(loadStream('off')).filter((i) => i.image.kind === 'bitmap');
    const offKeys = new Set(off.map((o) => key(o.image.width, o.image.height, rawPixels(o.image))));
    const counts = { rgb32: 0, rgba: 0, surface: 0 };
    for (const i of quicImages('quic')) {
      const d = decodeQuic(i.data, i.image);
      expect([d.width, d.height]).toEqual([i.box.right - i.box.left, i.box.bottom - i.box.top]);
      expect(d.pixels.length).toBe(d.width * d.height);
      if (d.hasAlpha) counts.rgba++;
      else counts.rgb32++;
      if (i.surfaceId === 0 && d.width === 400) continue; // the screen: checked against truth above
      // the off recording drew the same glyphs (as RGBA) and the same off-screen surface content
      // (as 32BIT) raw. Glyph positions do not pair up one to one (the typed text moves), so a
      // glyph must equal, alpha included, some raw bitmap of off.bin; the surface must equal the
      // raw one drawn on the same surface.
      if (i.surfaceId !== 0) {
        const raw = off.find((o) => o.surfaceId === i.surfaceId && o.image.width === d.width)!;
        expect(diffCount(d.pixels, rawPixels(raw.image))).toBe(0);
        counts.surface++;
      } else expect(offKeys.has(key(d.width, d.height, d.pixels)), `image ${i.seq} ${d.width}x${d.height}`).toBe(true);
    }
    // 2 full 400x300 RGB32 (screen, off-screen surface), 20 RGBA glyphs
    expect(counts).toEqual({ rgb32: 2, rgba: 20, surface: 1 });
  });

  it('auto_glz.bin and auto_lz.bin: every QUIC image decodes; the off-screen surface equals the raw one of off.bin', () => {
    const offSurface = imagesInStream(loadStream('off')).find((o) => o.surfaceId !== 0 && o.image.kind === 'bitmap')!;
    let n = 0;
    for (const mode of ['auto_glz', 'auto_lz']) {
      for (const i of quicImages(mode)) {
        const d = decodeQuic(i.data, i.image);
        expect([d.width, d.height]).toEqual([i.image.width, i.image.height]);
        if (i.surfaceId === offSurface.surfaceId) expect(diffCount(d.pixels, rawPixels(offSurface.image))).toBe(0);
        n++;
      }
    }
    expect(n).toBe(4);
  });

  it('is stateless: interleaved decodes give the same pixels', () => {
    const imgs = quicImages('quic');
    const a = decodeQuic(imgs[1].data).pixels.slice();
    const full = decodeQuic(imgs[0].data).pixels.slice();
    expect(decodeQuic(imgs[1].data).pixels).toEqual(a);
    expect(decodeQuic(imgs[0].data).pixels).toEqual(full);
  });

  it('reads a payload that is not 4-byte aligned in its buffer', () => {
    const data = quicImages('quic')[3].data;
    const shifted = new Uint8Array(data.length + 1).subarray(1);
    shifted.set(data);
    expect(decodeQuic(shifted).pixels).toEqual(decodeQuic(data).pixels);
  });
});

/**
 * fixtures/quic: images coded by spice-common's own quic_encode (scripts/quic-ref), with the
 * encoder's raw input beside them — covers the types Xspice never sends.
 */
describe('QUIC against spice-common encoder vectors', () => {
  const vec = (name: string) => ({
    raw: new Uint8Array(readFileSync(`${FIXTURE_DIR}../quic/${name}.raw`)),
    quic: new Uint8Array(readFileSync(`${FIXTURE_DIR}../quic/${name}.quic`)),
  });
  const widen = (v5: number) => (v5 << 3) | (v5 >> 2);
  const expectedOf = (type: number, raw: Uint8Array, n: number): Uint32Array => {
    const out = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      let r: number, g: number, b: number;
      let a = 255;
      if (type === QuicType.GRAY) r = g = b = raw[i];
      else if (type === QuicType.RGB16) {
        const v = raw[2 * i] | (raw[2 * i + 1] << 8);
        r = widen((v >> 10) & 31);
        g = widen((v >> 5) & 31);
        b = widen(v & 31);
      } else {
        const bpp = type === QuicType.RGB24 ? 3 : 4;
        [b, g, r] = [raw[bpp * i], raw[bpp * i + 1], raw[bpp * i + 2]];
        if (type === QuicType.RGBA) a = raw[4 * i + 3];
      }
      out[i] = ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
    }
    return out;
  };
  for (const [name, type, w, h] of [
    ['rgb16', QuicType.RGB16, 96, 64],
    ['rgb16-wide', QuicType.RGB16, 2600, 6],
    ['gray', QuicType.GRAY, 80, 200],
    ['rgb24', QuicType.RGB24, 50, 40],
    ['rgb32', QuicType.RGB32, 130, 100],
    ['rgba', QuicType.RGBA, 64, 64],
    ['rgba-1x1', QuicType.RGBA, 1, 1],
    ['rgb32-column', QuicType.RGB32, 1, 300],
  ] as const) {
    it(`${name}: ${w}x${h} equals the encoder's input`, () => {
      const { raw, quic } = vec(name);
      const d = decodeQuic(quic);
      expect([d.width, d.height, d.hasAlpha]).toEqual([w, h, type === QuicType.RGBA]);
      expect(diffCount(d.pixels, expectedOf(type, raw, w * h))).toBe(0);
    });
  }
});

describe('QUIC bad input', () => {
  const good = () => new Uint8Array(readFileSync(`${FIXTURE_DIR}../quic/rgb24.quic`));
  const setWord = (d: Uint8Array, i: number, v: number) => new DataView(d.buffer, d.byteOffset).setUint32(4 * i, v, true);
  const bad = (d: Uint8Array, re: RegExp) => {
    expect(() => decodeQuic(d)).toThrow(CodecError);
    expect(() => decodeQuic(d)).toThrow(re);
  };

  it('refuses bad header fields', () => {
    for (const [word, value, re] of [
      [0, 0x43495552, /bad magic/],
      [1, 1, /version/],
      [2, 0, /image type 0/],
      [2, 6, /image type 6/],
      [3, 0, /empty/],
      [4, 0, /empty/],
      [3, 1 << 24, /too large/],
      [3, 20000, /cannot hold/],
    ] as const) {
      const d = good();
      setWord(d, word, value);
      bad(d, re);
    }
    bad(new Uint8Array(0), /truncated/);
    bad(new Uint8Array(3), /truncated/);
    bad(good().subarray(0, 16), /truncated/);
    expect(() => decodeQuic(good(), { width: 50, height: 41 })).toThrow(/descriptor 50x41/);
  });

  it('throws at every truncation instead of reading zeros past the end', () => {
    const d = good();
    // a cut anywhere before the encoder's end padding leaves the decoder short of words
    for (let len = 0; len < d.length - 8; len += 3) expect(() => decodeQuic(d.subarray(0, len)), `length ${len}`).toThrow(CodecError);
    // a stream of only zero bits after a valid header is all escape codes: it must end at the data's end
    const zeros = new Uint8Array(4096);
    zeros.set(d.subarray(0, 20));
    expect(() => decodeQuic(zeros)).toThrow(CodecError);
  });

  it('refuses a run past the end of the row', () => {
    // all ones after the header: long MELCODE runs that cannot fit a row
    const d = new Uint8Array(4096).fill(0xff);
    d.set(good().subarray(0, 20));
    expect(() => decodeQuic(d)).toThrow(CodecError);
  });
});
