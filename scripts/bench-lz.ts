/**
 * Decode speed of the LZ family on the recorded full-screen images (400x300):
 * `npx tsx scripts/bench-lz.ts`. MB/s counts decoded RGBA output bytes.
 */
import { imagesInStream, loadStream } from './lib/fixture-images';
import { decodeLz } from '../src/codecs/lz';
import { decodeLz4 } from '../src/codecs/lz4';
import { GlzWindow, decodeGlz } from '../src/codecs/glz';
import { ImageType } from '../src/protocol/enums';

function bench(name: string, inBytes: number, outPixels: number, run: () => void) {
  for (let i = 0; i < 20; i++) run();
  const reps = 200;
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) run();
  const ms = (performance.now() - t0) / reps;
  console.log(`${name}: ${ms.toFixed(2)} ms per run, ${((outPixels * 4) / ms / 1e3).toFixed(0)} MB/s out, ${(inBytes / ms / 1e3).toFixed(1)} MB/s in (${inBytes} B)`);
}

const full = (mode: string, type: number) =>
  imagesInStream(loadStream(mode)).find((i) => i.image.type === type && i.image.width === 400 && i.surfaceId === 0)!.image as { data: Uint8Array; width: number; height: number };

const lz = full('lz', ImageType.LZ_RGB);
bench('LZ_RGB 400x300 (lz.bin screen)', lz.data.length, 120000, () => decodeLz(lz.data, null));
const lz4 = full('lz4', ImageType.LZ4);
bench('LZ4 400x300 (lz4.bin screen)', lz4.data.length, 120000, () => decodeLz4(lz4.data, 400, 300));
const glz = imagesInStream(loadStream('glz')).filter((i) => i.image.type === ImageType.GLZ_RGB).map((i) => (i.image as { data: Uint8Array }).data);
const glzBytes = glz.reduce((s, d) => s + d.length, 0);
bench(`GLZ_RGB whole glz.bin sequence (${glz.length} glyphs, 1432 px)`, glzBytes, 1432, () => {
  const w = new GlzWindow(1 << 22);
  for (const d of glz) decodeGlz(d, w);
});
