/** Node half of `npm run bench`: prints the results as one JSON line; --payloads FILE also writes the payloads for the browser half. */
import { writeFileSync } from 'node:fs';
import jpeg from 'jpeg-js';
import { benchAll } from './core';
import { collectPayloads } from './payloads';

const sets = collectPayloads();
const i = process.argv.indexOf('--payloads');
if (i > 0) {
  // a simple container: JSON index + concatenated bytes
  const chunks: Uint8Array[] = [];
  let off = 0;
  const index = sets.map((s) => ({
    codec: s.codec,
    source: s.source,
    items: s.items.map((p) => {
      const e = { width: p.width, height: p.height, bitmap: p.bitmap, off, len: p.data.length };
      chunks.push(p.data);
      off += p.data.length;
      return e;
    }),
  }));
  writeFileSync(`${process.argv[i + 1]}.json`, JSON.stringify(index));
  writeFileSync(`${process.argv[i + 1]}.bin`, Buffer.concat(chunks));
}
// Node has no JPEG decoder of its own: jpeg-js, as the Node tests use
const jpegJs = (data: Uint8Array) => {
  const d = jpeg.decode(data, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 256 });
  return { width: d.width, height: d.height, pixels: new Uint32Array(d.data.buffer, d.data.byteOffset, d.width * d.height), hasAlpha: false };
};
console.log(JSON.stringify(await benchAll(sets, jpegJs)));
