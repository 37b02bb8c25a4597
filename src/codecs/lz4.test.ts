import { describe, expect, it } from 'vitest';
import { decodeLz4, lz4DecompressBlock } from './lz4';
import { CodecError } from './errors';
import { ImageType } from '../protocol/enums';
import { diffCount, imagesInStream, loadStream, loadTruth, opaqueKey, rawBitmapKeys } from '../../scripts/lib/fixture-images';
import { be32, lz4LiteralBlock, lz4Sequence, px } from '../../scripts/lib/lz-test-encoder';

describe('LZ4 on the real Xspice recording', () => {
  it('lz4.bin: screen = auto_lz.truth.png, pieces = raw bitmaps of the off recording', () => {
    const truth = loadTruth('auto_lz');
    const offKeys = rawBitmapKeys('off');
    let n = 0;
    let screens = 0;
    let inOff = 0;
    for (const i of imagesInStream(loadStream('lz4'))) {
      if (i.image.type !== ImageType.LZ4 || i.image.kind !== 'data') continue;
      n++;
      const d = decodeLz4(i.image.data, i.image.width, i.image.height);
      if (i.surfaceId === 0 && d.width === 400 && d.height === 300) {
        expect(diffCount(d.pixels, truth.pixels)).toBe(0);
        screens++;
      } else if (offKeys.has(opaqueKey(d))) inOff++;
    }
    expect(n).toBe(25);
    expect(screens).toBe(1);
    // the two glyphs the off recording never sent raw, and one 8x10 piece, are checked by the
    // LZ/GLZ tests against these LZ4 decodes instead
    expect(inOff).toBeGreaterThanOrEqual(n - 1 - 3);
  });
});

const payload = (topDown: boolean, format: number, blocks: number[][]) =>
  new Uint8Array([topDown ? 1 : 0, format, ...blocks.flatMap((b) => [...be32(b.length), ...b])]);

describe('LZ4 synthetic payloads', () => {
  it('24-bit bottom-up, 16-bit, RGBA; a match reaching into the previous block', () => {
    // 2x2 BGR, bottom row first; block 2 repeats block 1 by a match at offset 6
    const row = [1, 2, 3, 4, 5, 6];
    const d = decodeLz4(payload(false, 7, [lz4LiteralBlock(row), lz4Sequence([], 6, 6).concat([0])]), 2, 2);
    // the trailing literal-only token 0 ends the second block with no literals
    expect(Array.from(d.pixels)).toEqual([px(3, 2, 1), px(6, 5, 4), px(3, 2, 1), px(6, 5, 4)]);
    const d16 = decodeLz4(payload(true, 6, [lz4LiteralBlock([0x00, 0x7c, 0xe1, 0x03])]), 2, 1);
    expect(Array.from(d16.pixels)).toEqual([px(255, 0, 0), px(0, 255, 8)]);
    const da = decodeLz4(payload(true, 9, [lz4LiteralBlock([1, 2, 3, 128])]), 1, 1);
    expect(da.hasAlpha).toBe(true);
    expect(Array.from(da.pixels)).toEqual([px(3, 2, 1, 128)]);
  });

  it('overlapping match = repeated pattern; long lengths', () => {
    const dst = new Uint8Array(300);
    const block = lz4Sequence([7, 8], 298, 2);
    expect(lz4DecompressBlock(new Uint8Array(block), 0, block.length, dst, 0)).toBe(300);
    expect(dst.every((v, i) => v === (i % 2 ? 8 : 7))).toBe(true);
  });

  it('rejects bad input with CodecError', () => {
    const cases: [string, Uint8Array, number, number][] = [
      ['no header', new Uint8Array([1]), 1, 1],
      ['format', payload(true, 5, [lz4LiteralBlock([1])]), 1, 1],
      ['short output', payload(true, 8, [lz4LiteralBlock([1, 2, 3, 4])]), 2, 1],
      ['long output', payload(true, 8, [lz4LiteralBlock([1, 2, 3, 4, 5, 6, 7, 8, 9])]), 2, 1],
      ['block size past end', new Uint8Array([1, 8, 0, 0, 0, 9, 0x40, 1, 2, 3, 4]), 1, 1],
      ['offset before start', payload(true, 8, [lz4Sequence([1], 4, 2)]), 2, 1],
      ['offset 0', payload(true, 8, [lz4Sequence([1], 4, 0)]), 2, 1],
      ['truncated literals', payload(true, 8, [[0x50, 1, 2]]), 2, 1],
      ['size 0x0', payload(true, 8, [lz4LiteralBlock([])]), 0, 0],
    ];
    for (const [what, data, w, h] of cases) expect(() => decodeLz4(data, w, h), what).toThrow(CodecError);
  });
});
