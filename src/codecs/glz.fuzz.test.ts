import { describe, expect, it } from 'vitest';
import { GlzWindow, decodeGlz } from './glz';
import { CodecError } from './errors';
import { ImageType } from '../protocol/enums';
import { imagesInStream, loadStream } from '../../scripts/lib/fixture-images';
import { mutate, rng } from '../../scripts/lib/fuzz';

describe('GLZ fuzz', () => {
  it('replays glz.bin and auto_glz.bin 60 times with mutations through one window each: only CodecError, bounded window', () => {
    const maxPixels = 4000; // the real streams need ~1.5k pixels; mutated sizes/ids must not grow it
    let errors = 0;
    let decoded = 0;
    for (const mode of ['glz', 'auto_glz']) {
      const seq = imagesInStream(loadStream(mode))
        .filter((i) => i.image.type === ImageType.GLZ_RGB)
        .map((i) => (i.image as { data: Uint8Array }).data);
      const rand = rng(mode.length);
      for (let round = 0; round < 60; round++) {
        const win = new GlzWindow(maxPixels);
        for (const data of seq) {
          const d = rand() < 0.5 ? mutate(data, rand) : data;
          try {
            decodeGlz(d, win);
            decoded++;
          } catch (e) {
            if (!(e instanceof CodecError)) throw e;
            errors++;
          }
          expect(win.pixelCount).toBeLessThanOrEqual(2 * maxPixels);
        }
      }
    }
    // a broken image also breaks those that copy from it, so errors outnumber successes
    expect(errors).toBeGreaterThan(500);
    expect(decoded).toBeGreaterThan(200);
  });
});
