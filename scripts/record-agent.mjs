#!/usr/bin/env node
// Records real guest-agent traffic for the agent unit tests (fixtures/agent/, see fixtures/README.md):
// Xspice with spice-vdagentd + spice-vdagent, our proxy with --record, our built client in
// Debian's Chromium. The page puts 6000 bytes of UTF-8 text on the guest clipboard and xclip -o
// reads it (the agent asks us, we answer in 3 chunks); then xclip -i in the guest copies 5000
// bytes (the agent grabs, we request, it answers in 3 chunks). From the main channel's recorded
// connection only the agent part is kept: every AGENT_* message of both directions, in order.
//
//   npm run build && node scripts/record-agent.mjs [out.bin]
//
// Output format (little-endian): records of u8 direction (1 client→server, 2 server→client),
// u16 SPICE message type, u32 body length, body.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from '@playwright/test';
import { startXspice } from './lib/xspice.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv[2] ?? path.join(root, 'fixtures/agent/xspice-clipboard.bin');
export const PAGE_TEXT = textOf(6000, 'Seite→Gast ✓ ');
export const GUEST_TEXT = textOf(5000, 'guest→page 世界 ');

/** deterministic UTF-8 text of exactly n bytes */
function textOf(n, word) {
  let s = '';
  while (Buffer.byteLength(s + word) <= n) s += word;
  return s + 'x'.repeat(n - Buffer.byteLength(s));
}

/** @param {NodeJS.ProcessEnv} env @param {string[]} args @param {string} [input] */
function xclip(env, args, input) {
  return new Promise((resolve) => {
    const p = spawn('xclip', args, { env, stdio: [input === undefined ? 'ignore' : 'pipe', input === undefined ? 'pipe' : 'ignore', 'ignore'] });
    const chunks = [];
    p.stdout?.on('data', (b) => chunks.push(b));
    p.on('close', () => resolve(Buffer.concat(chunks)));
    if (input !== undefined) p.stdin.end(input);
  });
}

const recDir = mkdtempSync(path.join(os.tmpdir(), 'spice-web-agent-rec-'));
const xspice = await startXspice({ agent: true, imageCompression: 'lz' });
const { startProxy } = await import(pathToFileURL(path.join(root, 'dist/node/proxy/server.js')).href);
const proxy = await startProxy({ listen: { host: '127.0.0.1', port: 0 }, target: `127.0.0.1:${xspice.port}`, webDir: path.join(root, 'dist/client'), logger: 'silent', recordDir: recDir });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage();
  await page.goto(proxy.url);
  await page.waitForFunction(() => document.querySelector('spice-client')?.agentConnected === true, undefined, { timeout: 20_000 });
  await page.evaluate((t) => document.querySelector('spice-client').setClipboard(t), PAGE_TEXT);
  for (let i = 0; i < 50; i++) if ((await xclip(xspice.env, ['-o', '-selection', 'clipboard'])).toString() === PAGE_TEXT) break;
  await page.evaluate(() => {
    window.clips = [];
    document.querySelector('spice-client').addEventListener('clipboard', (e) => window.clips.push(e.detail.text));
  });
  await xclip(xspice.env, ['-i', '-selection', 'clipboard'], GUEST_TEXT);
  await page.waitForFunction((t) => window.clips.includes(t), GUEST_TEXT, { timeout: 20_000 });
} finally {
  await browser.close();
  await proxy.close();
  await xspice.stop();
}

const { parseRecording, streamOf, RecordKind } = await import(pathToFileURL(path.join(root, 'dist/node/proxy/recording.js')).href);
const files = readdirSync(recDir).map((f) => path.join(recDir, f));
/** the main channel's connection: its link message names channel type 1 */
const main = files.map((f) => parseRecording(readFileSync(f))).find((r) => {
  const c = streamOf(r, RecordKind.ClientToServer);
  return c.length > 21 && c[20] === 1;
});
rmSync(recDir, { recursive: true, force: true });
if (!main) throw new Error('no main channel recorded');

/** mini-header messages after the link stage. @param {Buffer} s @param {number} skip */
function messages(s, skip) {
  const list = [];
  for (let p = skip; p + 6 <= s.length;) {
    const type = s.readUInt16LE(p), size = s.readUInt32LE(p + 2);
    if (p + 6 + size > s.length) break;
    list.push({ type, body: s.subarray(p + 6, p + 6 + size) });
    p += 6 + size;
  }
  return list;
}
const c2s = streamOf(main, RecordKind.ClientToServer);
const s2c = streamOf(main, RecordKind.ServerToClient);
// client: link header (16) + link mess (header.size), auth mechanism (4), RSA ticket (128)
const cSkip = 16 + c2s.readUInt32LE(12) + 4 + 128;
// server: link header (16) + link reply (header.size), link result (4)
const sSkip = 16 + s2c.readUInt32LE(12) + 4;
const AGENT_S2C = new Set([107, 108, 109, 110, 115]); // CONNECTED, DISCONNECTED, DATA, TOKEN, CONNECTED_TOKENS
const AGENT_C2S = new Set([106, 107, 108]); // START, DATA, TOKEN
// the two directions are not interleaved in time here; the tests only need each direction's order
const picked = [
  ...messages(c2s, cSkip).filter((m) => AGENT_C2S.has(m.type)).map((m) => ({ dir: 1, ...m })),
  ...messages(s2c, sSkip).filter((m) => AGENT_S2C.has(m.type)).map((m) => ({ dir: 2, ...m })),
];
const parts = [];
for (const m of picked) {
  const h = Buffer.alloc(7);
  h.writeUInt8(m.dir, 0);
  h.writeUInt16LE(m.type, 1);
  h.writeUInt32LE(m.body.length, 3);
  parts.push(h, m.body);
}
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, Buffer.concat(parts));
console.log(`${out}: ${picked.length} agent messages (${picked.filter((m) => m.dir === 1).length} client→server, ${picked.filter((m) => m.dir === 2).length} server→client), ${Buffer.concat(parts).length} bytes`);
