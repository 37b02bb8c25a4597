#!/usr/bin/env node
// Records a real seamless live migration for the replay unit test (src/session/migration-replay.test.ts):
// QEMU A and B (SeaBIOS screen through QXL, seamless-migration=on), our proxy with --record and
// B as an allowed destination, our built client in Chromium. Once the page is exact against A,
// A migrates to B; when the page says the migration completed and is exact against B, the
// recordings are reduced to what the test needs: each connection's server->client bytes (and
// the client's MIGRATE_DATA hand-over) with its target (A or B) and channel, plus B's screen as
// the truth. Output: fixtures/qemu-migration/{streams.bin,streams.json,truth.png}.
//   npm run build && node scripts/record-migration.mjs
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from '@playwright/test';
import { findFreePort } from './lib/proc.mjs';
import { migrate, startQemu } from './lib/qemu.mjs';
import { comparePixels, decodePng, encodePng } from './lib/truth.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'fixtures/qemu-migration');
const recDir = mkdtempSync(path.join(os.tmpdir(), 'spice-web-migrec-'));
const { startProxy } = await import(pathToFileURL(path.join(root, 'dist/node/proxy/server.js')).href);
const { parseRecording } = await import(pathToFileURL(path.join(root, 'dist/node/proxy/recording.js')).href);

const migPort = await findFreePort();
const a = await startQemu({ spice: 'seamless-migration=on' });
const b = await startQemu({ spice: 'seamless-migration=on', incoming: migPort });
const proxy = await startProxy({ listen: { host: '127.0.0.1', port: 0 }, target: `127.0.0.1:${a.port}`, migrateTargets: [`127.0.0.1:${b.port}`], webDir: path.join(root, 'dist/client'), logger: 'silent', recordDir: recDir });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage();
  await page.goto(proxy.url);
  const shot = async () => {
    const b64 = await page.evaluate(async () => {
      const blob = await document.querySelector('spice-client').screenshot(0);
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let s = '';
      for (let k = 0; k < bytes.length; k += 0x8000) s += String.fromCharCode(...bytes.subarray(k, k + 0x8000));
      return btoa(s);
    });
    return decodePng(Buffer.from(b64, 'base64'));
  };
  const exact = async (vm) => {
    for (let i = 0; i < 200; i++) {
      try {
        const r = comparePixels(await shot(), await vm.screendump());
        if (r.sameSize && r.mismatches === 0) return true;
      } catch { /* no monitor yet */ }
      await page.waitForTimeout(100);
    }
    throw new Error(`never exact against ${vm === a ? 'A' : 'B'}`);
  };
  await exact(a);
  await page.evaluate(() => {
    window.migLog = [];
    document.querySelector('spice-client').addEventListener('migration', (e) => window.migLog.push(e.detail.phase));
  });
  await migrate(a, b, migPort, { clientReady: () => page.waitForFunction(() => window.migLog.includes('connected')) });
  await page.waitForFunction(() => window.migLog.includes('completed'));
  // the truth is B's screen as the recording ends: pause B's VM (no more display updates, e.g.
  // the text cursor's blink), let the page catch up to B's screendump, then end the recording
  await b.qmp('stop');
  await exact(b);
  const truth = await b.screendump();
  await proxy.close();
  await page.close();

  // one entry per connection: target, channel, server->client bytes, the client's bytes
  const streams = [];
  const chunks = [];
  let offset = 0;
  for (const f of readdirSync(recDir).sort()) {
    const rec = parseRecording(readFileSync(path.join(recDir, f)));
    const c2s = Buffer.concat(rec.records.filter((r) => r.kind === 1).map((r) => r.data));
    const s2c = shrinkPings(Buffer.concat(rec.records.filter((r) => r.kind === 2).map((r) => r.data)));
    if (c2s.length < 22) continue;
    const channelType = c2s[20], channelId = c2s[21];
    const target = rec.meta.target === `127.0.0.1:${a.port}` ? 'A' : 'B';
    streams.push({ target, channelType, channelId, server: [offset, s2c.length], client: [offset + s2c.length, c2s.length] });
    chunks.push(s2c, c2s);
    offset += s2c.length + c2s.length;
  }
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'streams.bin'), Buffer.concat(chunks));
  writeFileSync(path.join(out, 'streams.json'), JSON.stringify({ recordedWith: 'scripts/record-migration.mjs', qemu: 'seamless-migration=on', streams }, null, 1) + '\n');
  writeFileSync(path.join(out, 'truth.png'), encodePng(truth.width, truth.height, truth.rgba));
  console.log(`recorded ${streams.length} connections, ${offset} bytes → ${out}`);
} finally {
  await browser.close();
  await a.stop();
  await b.stop();
  rmSync(recDir, { recursive: true, force: true });
}

/**
 * The main channel's start-up net test sends a 250 KB PING whose payload is padding: keep its
 * id and timestamp (what PONG echoes) and drop the rest, so the fixture stays small.
 * @param {Buffer} s a server->client stream: link header + reply, auth result, mini-header messages
 */
function shrinkPings(s) {
  if (s.length < 16) return s;
  const linkEnd = 16 + s.readUInt32LE(12) + 4;
  const parts = [s.subarray(0, linkEnd)];
  let o = linkEnd;
  while (o + 6 <= s.length) {
    const type = s.readUInt16LE(o), size = s.readUInt32LE(o + 2);
    if (o + 6 + size > s.length) break;
    if (type === 4 && size > 12) {
      const m = Buffer.alloc(18);
      m.writeUInt16LE(4, 0);
      m.writeUInt32LE(12, 2);
      s.copy(m, 6, o + 6, o + 18);
      parts.push(m);
    } else parts.push(s.subarray(o, o + 6 + size));
    o += 6 + size;
  }
  parts.push(s.subarray(o));
  return Buffer.concat(parts);
}
