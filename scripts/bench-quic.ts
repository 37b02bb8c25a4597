/**
 * Decode speed of decodeQuic on the recorded 400x300 screen (quic.bin's first QUIC image), in MB/s
 * of output pixels (4 bytes each). A quick measurement, not a test:  npx tsx scripts/bench-quic.ts
 */
import { imagesInStream, loadStream } from './lib/fixture-images';
import { decodeQuic } from '../src/codecs/quic';
import { ImageType } from '../src/protocol/enums';

const img = imagesInStream(loadStream('quic')).find((i) => i.image.type === ImageType.QUIC && i.image.width === 400)!;
const data = (img.image as { data: Uint8Array }).data;
for (let k = 0; k < 30; k++) decodeQuic(data); // warm-up (JIT)
const runs = 200;
const t0 = performance.now();
for (let k = 0; k < runs; k++) decodeQuic(data);
const ms = (performance.now() - t0) / runs;
const out = 400 * 300 * 4;
console.log(`QUIC RGB32 400x300 (${data.length} bytes in): ${ms.toFixed(2)} ms/image, ${(out / 1e6 / (ms / 1000)).toFixed(1)} MB/s out`);
