import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeQuic } from './quic';
import { CodecError } from './errors';
import type { DecodedImage } from './types';
import { ImageType } from '../protocol/enums';
import { FIXTURE_DIR, imagesInStream, loadStream } from '../../scripts/lib/fixture-images';
import { mutate, rng } from '../../scripts/lib/fuzz';

const recorded = imagesInStream(loadStream('quic')).flatMap((i) =>
  i.image.type === ImageType.QUIC && i.image.kind === 'data' ? [i.image.data] : [],
);
const vectors = ['rgb16', 'gray', 'rgb24', 'rgba', 'rgba-1x1', 'rgb32-column'].map(
  (n) => new Uint8Array(readFileSync(`${FIXTURE_DIR}../quic/${n}.quic`)),
);

function wellFormed(d: DecodedImage): void {
  expect(d.pixels).toBeInstanceOf(Uint32Array);
  expect(d.width).toBeGreaterThan(0);
  expect(d.height).toBeGreaterThan(0);
  expect(d.pixels.length).toBe(d.width * d.height);
  expect(typeof d.hasAlpha).toBe('boolean');
}

/** QUIC-specific damage on top of the generic mutations: header words and splices */
function quicMutate(src: Uint8Array, other: Uint8Array, rand: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(rand() * n);
  const d = src.slice();
  const dv = new DataView(d.buffer);
  switch (pick(3)) {
    case 0: {
      // a header word: version, type, width or height, to a small or a random value
      const word = 1 + pick(4);
      if (d.length >= 4 * word + 4) dv.setUint32(4 * word, rand() < 0.5 ? pick(8) : Math.floor(rand() * 2 ** 32), true);
      return d;
    }
    case 1: {
      // keep a header (and a prefix) of one image, continue with the body of another
      const cut = 20 + pick(Math.max(1, d.length - 20));
      const from = 20 + pick(Math.max(1, other.length - 20));
      const out = new Uint8Array(cut + Math.max(0, other.length - from));
      out.set(d.subarray(0, cut));
      out.set(other.subarray(from), cut);
      return out;
    }
    default:
      return mutate(d, rand);
  }
}

function fuzz(seed: number, count: number, inputs: Uint8Array[]): number {
  const rand = rng(seed);
  let errors = 0;
  for (let k = 0; k < count; k++) {
    const src = inputs[Math.floor(rand() * inputs.length)];
    const other = inputs[Math.floor(rand() * inputs.length)];
    let d = rand() < 0.5 ? mutate(src, rand) : quicMutate(src, other, rand);
    if (rand() < 0.3) d = mutate(d, rand);
    let out: DecodedImage;
    try {
      out = decodeQuic(d);
    } catch (e) {
      if (!(e instanceof CodecError)) throw new Error(`seed ${seed} case ${k}: ${String(e)}`);
      errors++;
      continue;
    }
    wellFormed(out);
  }
  return errors;
}

describe('QUIC fuzz (seeded mutations; bounded by count)', () => {
  it('2500 mutations of the recorded glyphs and the encoder vectors: a well-formed image or CodecError', () => {
    const small = [...recorded.filter((d) => d.length < 1000), ...vectors];
    expect(small.length).toBe(26);
    const errors = fuzz(11, 2500, small);
    // most damage is detected; some (flipped sample bits) decodes to other pixels, as it must
    expect(errors).toBeGreaterThan(1500);
    expect(errors).toBeLessThan(2500);
  });

  it('60 mutations of the 400x300 screens', () => {
    const big = recorded.filter((d) => d.length >= 1000);
    expect(big.length).toBe(2);
    fuzz(12, 60, big);
  });

  it('random bytes behind a valid header of every type end in CodecError or an image, never a hang', () => {
    const rand = rng(13);
    for (let k = 0; k < 300; k++) {
      const d = new Uint8Array(20 + Math.floor(rand() * 400));
      for (let i = 20; i < d.length; i++) d[i] = Math.floor(rand() * 256);
      const dv = new DataView(d.buffer);
      dv.setUint32(0, 0x43495551, true);
      dv.setUint32(8, 1 + (k % 5), true);
      dv.setUint32(12, 1 + Math.floor(rand() * 40), true);
      dv.setUint32(16, 1 + Math.floor(rand() * 40), true);
      try {
        wellFormed(decodeQuic(d));
      } catch (e) {
        if (!(e instanceof CodecError)) throw e;
      }
    }
  });
});
