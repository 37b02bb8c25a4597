/**
 * Records fixtures/test-server/jpeg.*: the display channel of the harness test server (the real
 * spice-server library, e2e/harness/test-server.mjs) playing the JPEG scenario of
 * e2e/harness/scenarios.ts small (320x200, 96x64 photos) with image compression quic and
 * jpeg-wan-compression always, so the stream carries JPEG and JPEG_ALPHA, which no Xspice
 * recording has. Writes, next to what scripts/record-display.ts writes (.bin, .json):
 *   jpeg.truth.png   the server's own rendering of the scenario (lossless: inside the plain copies
 *                    it is the source image itself)
 *   jpeg.json        + "lossy": the rectangles sent lossy, and whether their truth is the source
 * src/display/replay-jpeg.test.ts replays it in Node (jpeg-js) against that truth.
 *
 *   npx tsx e2e/harness/record-test-server.ts
 * Needs gcc, pkg-config and libspice-server-dev (scripts/ensure-packages.mjs).
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startTestServer } from './test-server.mjs';
import { jpegScenario } from './scenarios';
import { encodePng } from '../../scripts/lib/truth.mjs';

const out = fileURLToPath(new URL('../../fixtures/test-server/jpeg', import.meta.url));
mkdirSync(fileURLToPath(new URL('../../fixtures/test-server/', import.meta.url)), { recursive: true });

const { sc, lossy } = jpegScenario(320, 200, 96, 64, 8);
const server = await startTestServer(sc, { imageCompression: 'quic', jpeg: 'always' });
try {
  // the recorder links like our client and stops once the stream has been quiet for idle-ms
  const rec = spawn('npx', ['tsx', fileURLToPath(new URL('../../scripts/record-display.ts', import.meta.url)), '--port', String(server.port), '--out', out,
    '--server', 'spice-web harness test server (libspice-server 0.15, quic + jpeg-wan-compression always)', '--idle-ms', '3000', '--max-ms', '30000'], { stdio: ['ignore', 'inherit', 'inherit'] });
  const done = new Promise<number | null>((r) => rec.once('exit', r));
  await server.waitForClient();
  await server.play();
  const code = await done;
  if (code !== 0) throw new Error(`record-display exited with ${code}`);
  const truth = await server.grabSurface();
  writeFileSync(`${out}.truth.png`, encodePng(truth.width, truth.height, truth.rgba));
  const meta = JSON.parse(readFileSync(`${out}.json`, 'utf8'));
  meta.howRecorded = 'npx tsx e2e/harness/record-test-server.ts';
  meta.lossy = lossy.map((l) => ({ name: l.name, rect: l.rect, truthIsSource: !!l.source }));
  writeFileSync(`${out}.json`, JSON.stringify(meta, null, 2) + '\n');
  console.log(`wrote ${out}.{bin,json,truth.png}`);
} finally {
  await server.stop();
}
