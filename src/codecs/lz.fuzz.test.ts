import { describe, expect, it } from 'vitest';
import { decodeLz } from './lz';
import { decodeLz4 } from './lz4';
import { applyLzAlpha } from './jpeg-alpha';
import { CodecError } from './errors';
import { ImageType } from '../protocol/enums';
import { imagesInStream, loadStream } from '../../scripts/lib/fixture-images';
import { mutate, rng } from '../../scripts/lib/fuzz';
import { lzHeader, lzLiterals, lzRef } from '../../scripts/lib/lz-test-encoder';

function payloads(mode: string, type: number) {
  return imagesInStream(loadStream(mode))
    .filter((i) => i.image.type === type && i.image.kind === 'data')
    .map((i) => ({ data: (i.image as { data: Uint8Array }).data, width: i.image.width, height: i.image.height }));
}

/** run `decode` on mutations; anything but a CodecError fails the test */
function fuzz(seed: number, count: number, inputs: Uint8Array[], decode: (d: Uint8Array, k: number) => void) {
  const rand = rng(seed);
  let errors = 0;
  for (let k = 0; k < count; k++) {
    const src = inputs[Math.floor(rand() * inputs.length)];
    let d = mutate(src, rand);
    if (rand() < 0.3) d = mutate(d, rand);
    try {
      decode(d, k);
    } catch (e) {
      if (!(e instanceof CodecError)) throw new Error(`seed ${seed} case ${k}: ${String(e)}`);
      errors++;
    }
  }
  return errors;
}

describe('LZ family fuzz (seeded mutations of recorded payloads)', () => {
  it('LZ: 4000 mutations of the lz.bin images (small glyphs weighted up), only CodecError escapes', () => {
    const lz = payloads('lz', ImageType.LZ_RGB);
    const small = lz.filter((p) => p.width < 100).map((p) => p.data);
    const big = lz.filter((p) => p.width >= 100).map((p) => p.data);
    const errors = fuzz(1, 3800, small, (d) => decodeLz(d, null)) + fuzz(2, 200, big, (d) => decodeLz(d, null));
    expect(errors).toBeGreaterThan(3000);
  });

  it('LZ palette and alpha paths: 3000 mutations of synthetic PLT/XXXA payloads', () => {
    const pal = new Uint32Array([0x102030, 0x405060, 0x708090]);
    const inputs = [
      new Uint8Array([...lzHeader(5, 9, 3, 9, false), ...lzLiterals(Array.from({ length: 9 }, (_, i) => [i % 3])), ...lzRef(18, 9, 3)]),
      new Uint8Array([...lzHeader(3, 7, 2, 4, true), ...lzLiterals([[0x12], [0x01], [0x20], [0x11]]), ...lzRef(4, 4, 3)]),
      new Uint8Array([...lzHeader(2, 12, 2, 2, true), ...lzLiterals([[0xa5], [0x0f], [0xff], [0x00]])]),
      new Uint8Array([...lzHeader(9, 4, 2, 16, false), ...lzLiterals(Array.from({ length: 8 }, (_, i) => [i, i, i])), ...lzLiterals([[1]]), ...lzRef(7, 1, 3)]),
    ];
    const img = { width: 4, height: 2, pixels: new Uint32Array(8), hasAlpha: false };
    const alpha = new Uint8Array([...lzHeader(10, 4, 2, 16, true), ...lzLiterals([[9], [8]]), ...lzRef(6, 2, 3)]);
    const errors =
      fuzz(3, 2000, inputs, (d) => decodeLz(d, pal)) + fuzz(4, 1000, [alpha], (d) => applyLzAlpha(img, d, true));
    expect(errors).toBeGreaterThan(1500);
  });

  it('LZ4: 3000 mutations of the lz4.bin images, only CodecError escapes', () => {
    const lz4 = payloads('lz4', ImageType.LZ4);
    const small = lz4.filter((p) => p.width < 100);
    const big = lz4.filter((p) => p.width >= 100);
    const run = (seed: number, n: number, set: typeof lz4) =>
      fuzz(seed, n, set.map((p) => p.data), (d, k) => {
        const p = set[k % set.length];
        decodeLz4(d, p.width, p.height);
      });
    expect(run(5, 2850, small) + run(6, 150, big)).toBeGreaterThan(2000);
  });
});
