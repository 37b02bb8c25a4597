#!/usr/bin/env node
// Video playback figures (issue 8): our built client in Chromium against Xspice with
// streaming-video=all, a 30 fps GStreamer videotestsrc window of each size, per server codec:
// frames/s received (STREAM_DATA) and presented, decode ms per frame (in the display worker),
// and the main thread's busy share (1 − the idle time requestIdleCallback reports). Run by
// `npm run bench -- --video` (needs `npm run build`); alone: node scripts/bench-video.mjs
// [--seconds N] [--codecs spice:mjpeg,gstreamer:vp8]. Figures only, nothing asserted.
// spice-html5 is not run beside it: it is not installed here (Debian's spice-html5 package), see
// docs/architecture.md.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startXspice } from './lib/xspice.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : def;
};
const seconds = Number(arg('--seconds', '5'));
const codecs = arg('--codecs', 'spice:mjpeg,gstreamer:vp8,gstreamer:vp9,gstreamer:h264').split(',');
const sizes = [[1280, 720, '1600x900'], [1920, 1080, '1920x1200']];

const { startProxy } = await import(pathToFileURL(path.join(root, 'dist/node/proxy/server.js')).href);
const { chromium } = await import('@playwright/test');
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'] });

const rows = [];
try {
  for (const [w, h, geometry] of sizes) {
    for (const codec of codecs) {
      const x = await startXspice({ streamingVideo: 'all', videoCodecs: codec, imageCompression: 'lz', geometry });
      const proxy = await startProxy({ listen: { host: '127.0.0.1', port: 0 }, target: `127.0.0.1:${x.port}`, webDir: path.join(root, 'dist/client'), logger: 'silent' });
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      let gst = null;
      try {
        await page.goto(proxy.url);
        await page.waitForFunction(() => document.querySelector('spice-client')?.monitors?.length > 0, undefined, { timeout: 30_000 });
        gst = x.spawnClient('gst-launch-1.0', ['-q', 'videotestsrc', 'is-live=true', 'pattern=smpte', 'horizontal-speed=3', '!',
          `video/x-raw,width=${w},height=${h},framerate=30/1`, '!', 'videoconvert', '!', 'ximagesink', 'sync=false', `display=${x.display}`], { name: 'gst-video' });
        const totals = () => page.evaluate(async () => (await document.querySelector('spice-client').displayStats(0)).video);
        const t0 = Date.now();
        let t = await totals();
        while (t.presented < 60 && Date.now() - t0 < 40_000) {
          await new Promise((r) => setTimeout(r, 250));
          t = await totals();
        }
        if (t.presented < 60) {
          rows.push({ size: `${w}x${h}`, server: codec, note: `no stream (${t.codec ?? 'none'}, ${t.presented} frames in 40 s)` });
          continue;
        }
        const m = await page.evaluate(async (ms) => {
          const el = document.querySelector('spice-client');
          let idle = 0;
          let on = true;
          const tick = (d) => {
            idle += d.timeRemaining();
            if (on) requestIdleCallback(tick);
          };
          requestIdleCallback(tick);
          const a = (await el.displayStats(0)).video;
          const s = performance.now();
          await new Promise((r) => setTimeout(r, ms));
          const b = (await el.displayStats(0)).video;
          const dt = performance.now() - s;
          on = false;
          return { codec: b.codec, received: ((b.received - a.received) * 1000) / dt, presented: ((b.presented - a.presented) * 1000) / dt,
            decodeMs: b.decoded > a.decoded ? (b.decodeMs - a.decodeMs) / (b.decoded - a.decoded) : null, kbps: ((b.bytes - a.bytes) * 8) / dt, busy: Math.max(0, 1 - idle / dt) };
        }, seconds * 1000);
        rows.push({ size: `${w}x${h}`, server: codec, ...m });
      } finally {
        await gst?.stop();
        await page.close();
        await proxy.close();
        await x.stop();
      }
    }
  }
} finally {
  await browser.close();
}

const pad = (s, n) => String(s).padEnd(n);
const f = (v, d = 1) => (v === null || v === undefined ? '-' : v.toFixed(d));
console.log(`\nVideo playback, 30 fps source, ${seconds} s per row (our client in Chromium, display worker figures)\n`);
console.log(`${pad('size', 10)} ${pad('server codecs', 16)} ${pad('stream', 7)} ${pad('recv fps', 9)} ${pad('shown fps', 10)} ${pad('decode ms/fr', 13)} ${pad('kbit/s', 8)} ${pad('main busy', 9)}`);
for (const r of rows) {
  if (r.note) console.log(`${pad(r.size, 10)} ${pad(r.server, 16)} ${r.note}`);
  else console.log(`${pad(r.size, 10)} ${pad(r.server, 16)} ${pad(r.codec ?? '-', 7)} ${pad(f(r.received), 9)} ${pad(f(r.presented), 10)} ${pad(f(r.decodeMs, 2), 13)} ${pad(f(r.kbps, 0), 8)} ${pad(`${(r.busy * 100).toFixed(1)} %`, 9)}`);
}
