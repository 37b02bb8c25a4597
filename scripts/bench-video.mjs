#!/usr/bin/env node
// Video playback figures (issue 8): our built client in Chromium against Xspice with
// streaming-video=all, a 30 fps GStreamer videotestsrc window of each size, per server codec:
// frames/s received (STREAM_DATA) and presented, ms per frame, the main thread's busy share
// (1 − the idle time requestIdleCallback reports) and its long tasks (> 50 ms, PerformanceObserver).
// Run by `npm run bench -- --video` (needs `npm run build`); alone: node scripts/bench-video.mjs
// [--seconds N] [--codecs spice:mjpeg,gstreamer:vp8] [--no-html5]. Figures only, nothing asserted.
//
// Beside ours, on the same stream: Debian's spice-html5 (the old browser client), which offers
// M-JPEG and (where Media Source takes WebM VP8) VP8, so it gets the spice:mjpeg and gstreamer:vp8
// rows. It is served unchanged from /usr/share/spice-html5
// by our own proxy (its spice_auto.html, WebSocket path /websockify, subprotocol "binary") and
// measured from inside its page (scripts/lib/spice-html5.mjs); installed on demand, or skipped
// with the reason printed.
//
// "ms/frame" differs by client, as each spends it in a different place: ours = wall time in the
// display worker from a frame's STREAM_DATA to its decoded image (off the main thread; includes
// waiting in the decoder's queue, so it grows with load); spice-html5 = main-thread time per
// received frame in its STREAM_DATA handler (M-JPEG: JPEG → percent-encoded data URL; VP8: WebM
// muxing and appendBuffer) plus its drawImage (M-JPEG; VP8 is decoded and painted by the <video>).
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { HTML5_PAGE, HTML5_WS_PATH, ensureSpiceHtml5, html5InitScript } from './lib/spice-html5.mjs';
import { startXspice } from './lib/xspice.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : def;
};
const seconds = Number(arg('--seconds', '5'));
const codecs = arg('--codecs', 'spice:mjpeg,gstreamer:vp8,gstreamer:vp9,gstreamer:h264').split(',');
const sizes = [[1280, 720, '1600x900'], [1920, 1080, '1920x1200']];
// the server codecs spice-html5 offers: M-JPEG (drawn in its canvas) and VP8 (a Media Source <video>)
const HTML5_CODECS = ['spice:mjpeg', 'gstreamer:vp8'];

let html5 = null;
let html5Skip = null;
if (process.argv.includes('--no-html5')) html5Skip = 'skipped: --no-html5';
else if (codecs.some((c) => HTML5_CODECS.includes(c))) {
  const h = ensureSpiceHtml5();
  if (h.ok) html5 = h;
  else html5Skip = `skipped: ${h.why}`;
}

const { startProxy } = await import(pathToFileURL(path.join(root, 'dist/node/proxy/server.js')).href);
const { chromium } = await import('@playwright/test');
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'] });

/** The running totals in the page, per client: frames received/presented, bytes, ms spent. */
const totals = (page, client) =>
  page.evaluate(async (c) => {
    if (c === 'ours') {
      const v = (await document.querySelector('spice-client').displayStats(0)).video;
      return { codec: v.codec ?? null, received: v.received, presented: v.presented, bytes: v.bytes, ms: v.decodeMs, msFrames: v.decoded };
    }
    const s = window.__html5Bench;
    return { codec: { 1: 'MJPEG', 2: 'VP8' }[s.codecType] ?? null, received: s.received, presented: s.presented + s.videoFrames(), bytes: s.bytes, ms: s.handlerMs + s.drawMs, msFrames: s.received };
  }, client);

/** Figures over `ms` of playback, with the idle and long-task observers running in the page meanwhile. */
async function measure(page, client, ms) {
  await page.evaluate(() => {
    const m = { idle: 0, on: true, long: [] };
    window.__benchWindow = m;
    const tick = (d) => {
      m.idle += d.timeRemaining();
      if (m.on) requestIdleCallback(tick);
    };
    requestIdleCallback(tick);
    m.observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) m.long.push(e.duration);
    });
    m.observer.observe({ type: 'longtask' });
    m.start = performance.now();
  });
  const a = await totals(page, client);
  await page.waitForTimeout(ms);
  const b = await totals(page, client);
  const w = await page.evaluate(() => {
    const m = window.__benchWindow;
    m.on = false;
    m.observer.takeRecords().forEach((e) => m.long.push(e.duration));
    m.observer.disconnect();
    return { dt: performance.now() - m.start, idle: m.idle, long: m.long };
  });
  // the totals were read inside the observed window, so dt (a little longer) is the fair divisor
  // for the busy share; the rates use it too (the difference is two evaluate round trips)
  const dt = w.dt;
  return {
    codec: b.codec,
    received: ((b.received - a.received) * 1000) / dt,
    presented: ((b.presented - a.presented) * 1000) / dt,
    msPerFrame: b.msFrames > a.msFrames ? (b.ms - a.ms) / (b.msFrames - a.msFrames) : null,
    kbps: ((b.bytes - a.bytes) * 8) / dt,
    busy: Math.max(0, 1 - w.idle / dt),
    longTasks: w.long.length,
    longestMs: w.long.length ? Math.max(...w.long) : 0,
  };
}

/** " at fn in file.js:line:col" from an error's stack (its first frame), so a failing row says which function of the page broke. */
function thrownAt(stack) {
  const m = /\bat (\S+) \((?:.*\/)?([^/()]+)\)/.exec(stack ?? '');
  return m ? ` at ${m[1]} in ${m[2]}` : '';
}

/** One row: a fresh Xspice with this codec, the client's page through our proxy, the video, the figures. */
async function playRow(client, [w, h, geometry], codec) {
  const size = `${w}x${h}`;
  const x = await startXspice({ streamingVideo: 'all', videoCodecs: codec, imageCompression: 'lz', geometry });
  const proxy = await startProxy(
    client === 'ours'
      ? { listen: { host: '127.0.0.1', port: 0 }, target: `127.0.0.1:${x.port}`, webDir: path.join(root, 'dist/client'), logger: 'silent' }
      : { listen: { host: '127.0.0.1', port: 0 }, target: `127.0.0.1:${x.port}`, webDir: html5.dir, wsPath: HTML5_WS_PATH, logger: 'silent' },
  );
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(`${e.message}${thrownAt(e.stack)}`));
  let gst = null;
  try {
    if (client === 'ours') {
      await page.goto(proxy.url);
      await page.waitForFunction(() => document.querySelector('spice-client')?.monitors?.length > 0, undefined, { timeout: 30_000 });
    } else {
      await page.addInitScript(html5InitScript);
      await page.goto(`${proxy.url}${HTML5_PAGE}`);
      // its display channel linked and the primary surface (a canvas) created
      await page.waitForFunction(() => window.__html5Display?.surfaces?.[window.__html5Display.primary_surface] !== undefined, undefined, { timeout: 30_000 });
    }
    gst = x.spawnClient('gst-launch-1.0', ['-q', 'videotestsrc', 'is-live=true', 'pattern=smpte', 'horizontal-speed=3', '!',
      `video/x-raw,width=${w},height=${h},framerate=30/1`, '!', 'videoconvert', '!', 'ximagesink', 'sync=false', `display=${x.display}`], { name: 'gst-video' });
    const t0 = Date.now();
    let t = await totals(page, client);
    while (t.presented < 60 && Date.now() - t0 < 40_000) {
      await new Promise((r) => setTimeout(r, 250));
      t = await totals(page, client);
    }
    if (t.presented === 0) {
      const why = errors.length ? `; page error: ${errors[0].slice(0, 200)}` : '';
      return { client, size, server: codec, note: `no stream (${t.codec ?? 'none'}, ${t.received} received, nothing shown in 40 s${why})` };
    }
    // a stream slower than 60 frames in 40 s (a loaded machine, a slow encoder) is measured all the same
    const slow = t.presented < 60 ? `slow start: ${t.presented} frames shown in 40 s` : null;
    const m = await measure(page, client, seconds * 1000);
    const thrown = errors.length ? `${errors.length} page error(s), first: ${errors[0].slice(0, 200)}` : null;
    return { client, size, server: codec, ...m, slow: [slow, thrown].filter(Boolean).join('; ') || null };
  } finally {
    await gst?.stop();
    await page.close();
    await proxy.close();
    await x.stop();
  }
}

const load0 = os.loadavg()[0];
const rows = [];
try {
  for (const s of sizes) {
    for (const codec of codecs) {
      rows.push(await playRow('ours', s, codec));
      if (HTML5_CODECS.includes(codec) && html5) rows.push(await playRow('spice-html5', s, codec));
      else if (HTML5_CODECS.includes(codec)) rows.push({ client: 'spice-html5', size: `${s[0]}x${s[1]}`, server: codec, note: html5Skip });
    }
  }
} finally {
  await browser.close();
}

const pad = (s, n) => String(s).padEnd(n);
const f = (v, d = 1) => (v === null || v === undefined ? '-' : v.toFixed(d));
console.log(`\nVideo playback, 30 fps source, ${seconds} s per row, Chromium (load average ${load0.toFixed(1)} → ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs); beside ours: spice-html5 ${html5 ? (html5.version ?? '') : '(not run)'} on the same M-JPEG and VP8 streams`);
console.log('ms/frame: ours = STREAM_DATA → decoded image in the display worker (wall time, off the main thread); spice-html5 = its main-thread time per received frame (STREAM_DATA handler + drawImage)\n');
console.log(`${pad('client', 12)} ${pad('size', 10)} ${pad('server codecs', 16)} ${pad('stream', 7)} ${pad('recv fps', 9)} ${pad('shown fps', 10)} ${pad('ms/frame', 9)} ${pad('kbit/s', 8)} ${pad('main busy', 10)} ${pad('long tasks >50ms (max)', 22)}`);
for (const r of rows) {
  if (r.note) console.log(`${pad(r.client, 12)} ${pad(r.size, 10)} ${pad(r.server, 16)} ${r.note}`);
  else
    console.log(
      `${pad(r.client, 12)} ${pad(r.size, 10)} ${pad(r.server, 16)} ${pad(r.codec ?? '-', 7)} ${pad(f(r.received), 9)} ${pad(f(r.presented), 10)} ${pad(f(r.msPerFrame, 2), 9)} ${pad(f(r.kbps, 0), 8)} ${pad(`${(r.busy * 100).toFixed(1)} %`, 10)} ${pad(`${r.longTasks} (${r.longestMs.toFixed(0)} ms)`, 22)}${r.slow ? ` ${r.slow}` : ''}`,
    );
}
