import { describe, expect, it } from 'vitest';
import jpeg from 'jpeg-js';
import { applyLzAlpha } from './jpeg-alpha';
import { CodecError } from './errors';
import { lzHeader, lzLiterals, lzRef, px } from '../../scripts/lib/lz-test-encoder';

/** a real JPEG (jpeg-js encoder, quality 100) decoded by jpeg-js: the JPEG half of JPEG_ALPHA */
function jpegImage(w: number, h: number) {
  const rgba = new Uint8Array(w * h * 4).fill(200);
  const enc = jpeg.encode({ data: rgba, width: w, height: h }, 100);
  const dec = jpeg.decode(enc.data, { useTArray: true, formatAsRGBA: true });
  return { width: w, height: h, pixels: new Uint32Array(dec.data.buffer.slice(0)), hasAlpha: false };
}

const alphaLz = (w: number, h: number, topDown: boolean, body: number[]) =>
  new Uint8Array([...lzHeader(10, w, h, w * 4, topDown), ...body]);

describe('JPEG_ALPHA alpha merge', () => {
  it('puts the XXXA stream into the 4th byte, rows per the TOP_DOWN flag, colour untouched', () => {
    const img = jpegImage(2, 2);
    const rgb = img.pixels[0] & 0xffffff;
    const body = [...lzLiterals([[1], [2]]), ...lzLiterals([[3], [4]])];
    const td = applyLzAlpha(img, alphaLz(2, 2, true, body), true);
    expect(Array.from(td.pixels).map((v) => v >>> 24)).toEqual([1, 2, 3, 4]);
    expect(td.pixels.every((v) => (v & 0xffffff) === rgb)).toBe(true);
    expect(td.hasAlpha).toBe(true);
    const bu = applyLzAlpha(img, alphaLz(2, 2, false, body), false);
    expect(Array.from(bu.pixels).map((v) => v >>> 24)).toEqual([3, 4, 1, 2]);
    // the input image is not modified
    expect(img.pixels[0] >>> 24).toBe(255);
  });

  it('alpha references use the byte bias (3)', () => {
    const img = { width: 4, height: 1, pixels: new Uint32Array(4).fill(px(9, 9, 9)), hasAlpha: false };
    const out = applyLzAlpha(img, alphaLz(4, 1, true, [...lzLiterals([[50]]), ...lzRef(3, 1, 3)]), true);
    expect(Array.from(out.pixels)).toEqual(Array(4).fill(px(9, 9, 9, 50)));
  });

  it('rejects a wrong type, size, orientation or truncated stream', () => {
    const img = jpegImage(2, 1);
    const good = lzLiterals([[1], [2]]);
    expect(() => applyLzAlpha(img, alphaLz(2, 1, true, good), false)).toThrow(/orientation/);
    expect(() => applyLzAlpha(img, alphaLz(3, 1, true, good), true)).toThrow(CodecError);
    expect(() => applyLzAlpha(img, new Uint8Array([...lzHeader(11, 2, 1, 2, true), ...good]), true)).toThrow(/XXXA/);
    expect(() => applyLzAlpha(img, alphaLz(2, 1, true, good.slice(0, 2)), true)).toThrow(/truncated/);
  });
});
