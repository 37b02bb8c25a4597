#!/usr/bin/env node
// `npm run bench`: decode speed of every codec on payloads recorded from a real Xspice
// (fixtures/xspice; JPEG from spice-server via the harness test server, fixtures/test-server), in
// Node and in Chromium inside a Web Worker (where the client decodes; JPEG: jpeg-js in Node, the
// browser's decoder in the worker).
// When Debian's spice-html5 is installed (/usr/share/spice-html5), its QUIC and LZ decoders run
// on the same payloads in the same worker, after a pixel check, and the ratio is printed.
// Figures only: nothing here asserts a timing. Options: --min-ms N (time per codec, default 600);
// --video adds playback figures against Xspice per stream codec at 1280×720 and 1920×1080
// (scripts/bench-video.mjs: fps decoded and presented, ms per frame, main-thread busy share).
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const minMs = Number(process.argv[process.argv.indexOf('--min-ms') + 1]) || 600;
const HTML5 = '/usr/share/spice-html5';
const tmp = path.join(os.tmpdir(), `spice-web-bench-${process.pid}`);
mkdirSync(tmp, { recursive: true });

// 1. Node (also writes the payloads for the browser)
console.log('[bench] Node: decoding recorded payloads…');
const node = spawnSync('npx', ['tsx', 'scripts/bench/node.ts', '--payloads', path.join(tmp, 'payloads')], { cwd: root, encoding: 'utf8' });
if (node.status !== 0) {
  console.error(node.stderr);
  process.exit(1);
}
const nodeResults = JSON.parse(node.stdout.trim().split('\n').pop());

// 2. bundle the worker entry with vite
console.log('[bench] bundling the worker…');
const { build } = await import('vite');
const outDir = path.join(root, 'build/bench');
await build({
  configFile: false,
  logLevel: 'warn',
  build: { outDir, emptyOutDir: true, target: 'es2022', minify: true, lib: { entry: path.join(root, 'scripts/bench/worker.ts'), formats: ['es'], fileName: () => 'bench-worker.js' } },
});

// 3. serve it, the payloads and spice-html5; run it in Chromium
const haveHtml5 = existsSync(path.join(HTML5, 'quic.js')) && existsSync(path.join(HTML5, 'lz.js'));
const page = `<!doctype html><meta charset="utf-8"><script type="module">
const [index, bytes] = await Promise.all([fetch('/payloads.json').then((r) => r.json()), fetch('/payloads.bin').then((r) => r.arrayBuffer())]);
const w = new Worker('/bench-worker.js', { type: 'module' });
window.result = new Promise((resolve, reject) => { w.onmessage = (e) => resolve(e.data); w.onerror = (e) => reject(new Error(e.message)); });
w.postMessage({ index, bytes, html5: ${haveHtml5 ? "location.origin + '/spice-html5'" : 'null'}, minMs: ${minMs} }, [bytes]);
</script>`;
const files = { '/payloads.json': path.join(tmp, 'payloads.json'), '/payloads.bin': path.join(tmp, 'payloads.bin'), '/bench-worker.js': path.join(outDir, 'bench-worker.js') };
const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x').pathname;
  let file = files[url];
  if (!file && url.startsWith('/spice-html5/') && haveHtml5) {
    const f = path.join(HTML5, path.normalize(url.slice('/spice-html5/'.length)));
    if (f.startsWith(HTML5 + path.sep) && existsSync(f) && statSync(f).isFile()) file = f;
  }
  if (url === '/') {
    res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    return;
  }
  if (!file) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': file.endsWith('.js') ? 'text/javascript' : 'application/octet-stream' });
  createReadStream(file).pipe(res);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const { chromium } = await import('@playwright/test');
console.log(`[bench] Chromium worker${haveHtml5 ? ' (+ spice-html5)' : ''}…`);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
let web;
try {
  const p = await browser.newPage();
  p.on('pageerror', (e) => console.error('[page]', e.message));
  await p.goto(`http://127.0.0.1:${server.address().port}/`);
  await p.waitForFunction(() => window.result !== undefined, undefined, { timeout: 60_000 });
  web = await p.evaluate(() => window.result);
} finally {
  await browser.close();
  server.close();
}

// 4. one table
const pad = (s, n) => String(s).padEnd(n);
const f = (x, d = 1) => (x === undefined ? '-' : x.toFixed(d));
console.log(`\nDecode speed on recorded server payloads (MB/s = decoded RGBA bytes per second; ms per frame = per image)\n`);
console.log(`${pad('codec', 8)} ${pad('payloads', 18)} ${pad('Node MB/s', 10)} ${pad('Node ms/fr', 11)} ${pad('Chrome MB/s', 12)} ${pad('Chrome ms/fr', 13)} ${pad('spice-html5 MB/s', 17)} ${pad('ours/html5', 11)}`);
for (const n of nodeResults) {
  const c = web.ours.find((r) => r.codec === n.codec);
  const t = web.theirs.find((r) => r.codec === n.codec);
  const frames = `${n.frames} from ${n.source}`;
  console.log(`${pad(n.codec, 8)} ${pad(frames, 18)} ${pad(f(n.mbPerSec, 0), 10)} ${pad(f(n.msPerFrame, 3), 11)} ${pad(f(c?.mbPerSec, 0), 12)} ${pad(f(c?.msPerFrame, 3), 13)} ${pad(t ? f(t.mbPerSec, 0) : haveHtml5 ? 'n/a' : 'not installed', 17)} ${pad(t && c ? `${(c.mbPerSec / t.mbPerSec).toFixed(2)}x` : '-', 11)}`);
}
for (const t of web.theirs) console.log(`  spice-html5 ${t.codec}: ${t.note}`);

// 5. with --video: playback figures against Xspice (scripts/bench-video.mjs; needs `npm run build`)
if (process.argv.includes('--video')) {
  const v = spawnSync(process.execPath, ['scripts/bench-video.mjs', ...process.argv.slice(2).filter((a) => a !== '--video')], { cwd: root, stdio: 'inherit' });
  if (v.status !== 0) process.exit(v.status ?? 1);
}
