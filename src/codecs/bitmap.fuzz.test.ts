import { describe, expect, it } from 'vitest';
import { decodeBitmap, type BitmapInput } from './bitmap';
import { CodecError } from './errors';
import { imagesInStream, loadStream } from '../../scripts/lib/fixture-images';
import { mutate, rng } from '../../scripts/lib/fuzz';

const recorded: BitmapInput[] = imagesInStream(loadStream('off')).flatMap((i) =>
  i.image.kind === 'bitmap' && i.image.width < 100 ? [i.image.bitmap] : [],
);

describe('BITMAP fuzz (seeded mutations; bounded by count)', () => {
  it('3000 mutations of off.bin bitmaps with random format, flags, size, stride and palette', () => {
    expect(recorded.length).toBe(21);
    const rand = rng(21);
    const pick = (n: number) => Math.floor(rand() * n);
    let errors = 0;
    for (let k = 0; k < 3000; k++) {
      const b = recorded[pick(recorded.length)];
      const m: BitmapInput = { ...b, data: rand() < 0.5 ? mutate(b.data, rand) : b.data };
      switch (pick(6)) {
        case 0: m.format = pick(12); break;
        case 1: m.flags = pick(8); break;
        case 2: m.width = rand() < 0.9 ? pick(80) : Math.floor(rand() * 2 ** 32); break;
        case 3: m.height = rand() < 0.9 ? pick(80) : Math.floor(rand() * 2 ** 32); break;
        case 4: m.stride = rand() < 0.9 ? pick(100) : -pick(100); break;
        default: m.format = 1 + pick(5);
      }
      const palette = rand() < 0.2 ? null : Uint32Array.from({ length: pick(300) }, () => Math.floor(rand() * 2 ** 32));
      try {
        const d = decodeBitmap(m, palette);
        expect(d.pixels.length).toBe(d.width * d.height);
        expect([d.width, d.height]).toEqual([m.width, m.height]);
      } catch (e) {
        if (!(e instanceof CodecError)) throw new Error(`case ${k}: ${String(e)}`);
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(500);
    expect(errors).toBeLessThan(3000);
  });
});
