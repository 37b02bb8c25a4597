/** Node half of `npm run bench`: prints the results as one JSON line; --payloads FILE also writes the payloads for the browser half. */
import { writeFileSync } from 'node:fs';
import { benchOurs } from './core';
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
console.log(JSON.stringify(benchOurs(sets)));
