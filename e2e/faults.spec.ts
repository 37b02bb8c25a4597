// Issue 11, faults on the wire: a shaping relay between our proxy and Xspice adds latency and
// jitter, caps the bandwidth, drops one channel's connection, or cuts a message half-way and goes
// silent. For each: what the page shows during the fault, the desktop pixel-exact again after it
// clears (time printed), and the page's live sockets / workers / timers back to a settled
// session's (counted through el.liveCounts).
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, expect, showPattern, showPhoto, startXterm } from './harness/index';
import { clientStatus, openClient, startClientProxy, waitForExactMatch } from './harness/client';
import { startShapingRelay } from '../scripts/lib/shaping-relay.mjs';
import type { Page } from '@playwright/test';
import type { XspiceServer } from '../scripts/lib/xspice.mjs';

test.use({ xspiceOptions: { imageCompression: 'lz', geometry: '800x600' } });

type Counts = { sockets: number; workers: number; timers: number };
const counts = (page: Page): Promise<Counts> => page.evaluate(() => (document.querySelector('spice-client') as unknown as { liveCounts: Counts }).liveCounts);

async function setupFault(page: Page, xspice: XspiceServer) {
  const relay = await startShapingRelay({ target: { port: xspice.port } });
  const proxy = await startClientProxy({ port: relay.port });
  await showPattern(xspice);
  await openClient(page, proxy.url);
  const first = await waitForExactMatch(page, xspice);
  expect(first.ok, first.detail).toBe(true);
  // a settled session: main, inputs and cursor sockets here, one display worker, and one timer:
  // the main channel's watch for a server that stops answering (armed by its pings)
  await expect.poll(() => counts(page)).toEqual({ sockets: 3, workers: 1, timers: 1 });
  // every typed error from now on (the status line moves on as the client retries)
  await page.evaluate(() => {
    const errs: string[] = [];
    (window as unknown as { errs: string[] }).errs = errs;
    document.querySelector('spice-client')!.addEventListener('spiceerror', (e) => errs.push((e as CustomEvent<{ details: string }>).detail.details));
  });
  return { relay, proxy, settled: await counts(page) };
}

test('latency 80 ms with 40 ms jitter: stays connected and exact; nothing leaks', async ({ page, xspice }) => {
  const { relay, proxy, settled } = await setupFault(page, xspice);
  try {
    relay.shape({ latencyMs: 80, jitterMs: 40 });
    await startXterm(xspice, { x: 40, y: 40, cols: 50, rows: 10 });
    const t0 = Date.now();
    const m = await waitForExactMatch(page, xspice, 20_000);
    console.log(`[faults] latency+jitter: exact after ${Date.now() - t0} ms`);
    expect(m.ok, m.detail).toBe(true);
    expect((await clientStatus(page)).state).toBe('connected');
    relay.shape({});
    expect(await counts(page)).toEqual(settled);
  } finally {
    await proxy.close();
    await relay.stop();
  }
});

test('bandwidth capped at 256 KB/s: a photo arrives exact, later; the status stays connected', async ({ page, xspice }) => {
  const { relay, proxy, settled } = await setupFault(page, xspice);
  try {
    relay.shape({ bytesPerSec: 256 * 1024 });
    await showPhoto(xspice);
    const t0 = Date.now();
    const m = await waitForExactMatch(page, xspice, 30_000);
    console.log(`[faults] 256 KB/s: photo exact after ${Date.now() - t0} ms`);
    expect(m.ok, m.detail).toBe(true);
    expect((await clientStatus(page)).state).toBe('connected');
    relay.shape({});
    expect(await counts(page)).toEqual(settled);
  } finally {
    await proxy.close();
    await relay.stop();
  }
});

test("one channel's connection dropped (display): the page says so, keeps the last frame, reconnects and is exact again", async ({ page, xspice }) => {
  const { relay, proxy, settled } = await setupFault(page, xspice);
  try {
    expect(relay.drop(2)).toBe(1);
    await expect.poll(async () => (await clientStatus(page)).state, { timeout: 5_000 }).toMatch(/reconnecting|connecting/);
    await expect(page.locator('spice-client canvas.monitor')).toHaveCount(1);
    const t0 = Date.now();
    const m = await waitForExactMatch(page, xspice, 15_000);
    console.log(`[faults] display connection dropped: exact again after ${Date.now() - t0} ms`);
    expect(m.ok, m.detail).toBe(true);
    await expect.poll(() => counts(page)).toEqual(settled);
  } finally {
    await proxy.close();
    await relay.stop();
  }
});

test('a message cut half-way, then silence: the stall is reported (after 8 s of silence); after it clears the desktop is exact again', async ({ page, xspice }) => {
  const { relay, proxy, settled } = await setupFault(page, xspice);
  try {
    relay.cutAfter(5_000); // the photo's first image message is far larger
    const t0 = Date.now();
    await showPhoto(xspice);
    await expect.poll(() => page.evaluate(() => (window as unknown as { errs: string[] }).errs), { timeout: 15_000 }).toContain('stalled');
    console.log(`[faults] partial message: stall shown after ${Date.now() - t0} ms`);
    relay.thaw();
    const t1 = Date.now();
    const m = await waitForExactMatch(page, xspice, 15_000);
    console.log(`[faults] partial message: exact again ${Date.now() - t1} ms after the link came back`);
    expect(m.ok, m.detail).toBe(true);
    await expect.poll(() => counts(page)).toEqual(settled);
  } finally {
    await proxy.close();
    await relay.stop();
  }
});

test('a server that stops answering while idle (frozen link, nothing closed): noticed after the silence timeout, then exact again', async ({ page, xspice }) => {
  // the library on a page of its own, with a 20 s silence timeout (the default is 40 s; the server pings every 15 s)
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const webDir = mkdtempSync(path.join(tmpdir(), 'spice-web-silence-'));
  cpSync(path.join(root, 'dist/client'), webDir, { recursive: true });
  writeFileSync(path.join(webDir, 'silence.html'), `<!doctype html><meta charset="utf-8"><div id="screen" style="width: 900px; height: 700px"></div>
<script type="module">
  import { SpiceClient, liveCounts } from './lib/spice-web.js';
  const url = new URL('ws', location.href); url.protocol = 'ws:';
  const errs = [];
  const client = new SpiceClient(document.getElementById('screen'), { url: url.href, silenceTimeoutMs: 20000 });
  client.addEventListener('spiceerror', (e) => errs.push(e.detail.details + ' ' + e.detail.message));
  window.t = { client, errs, liveCounts };
</script>`);
  const relay = await startShapingRelay({ target: { port: xspice.port } });
  const proxy = await startClientProxy({ port: relay.port }, { webDir });
  try {
    await showPattern(xspice);
    await page.goto(`${proxy.url}silence.html`);
    const shotMatches = async () => {
      const { comparePixels, decodePng, grabFramebuffer } = await import('../scripts/lib/truth.mjs');
      const b64 = await page.evaluate(async () => {
        const blob = await (window as unknown as { t: { client: { screenshot(i: number): Promise<Blob> } } }).t.client.screenshot(0);
        const bytes = new Uint8Array(await blob.arrayBuffer());
        let s = '';
        for (let k = 0; k < bytes.length; k += 0x8000) s += String.fromCharCode(...bytes.subarray(k, k + 0x8000));
        return btoa(s);
      });
      const r = comparePixels(decodePng(Buffer.from(b64, 'base64')), await grabFramebuffer(xspice));
      return r.sameSize && r.mismatches === 0;
    };
    await expect.poll(() => shotMatches().catch(() => false), { timeout: 15_000 }).toBe(true);
    const t0 = Date.now();
    relay.freeze();
    const errs = () => page.evaluate(() => (window as unknown as { t: { errs: string[] } }).t.errs);
    await expect.poll(errs, { timeout: 45_000, intervals: [500] }).toEqual(expect.arrayContaining([expect.stringMatching(/^stalled .*the server stopped answering/)]));
    console.log(`[faults] frozen idle server noticed after ${Date.now() - t0} ms`);
    relay.thaw();
    const t1 = Date.now();
    await expect.poll(() => shotMatches().catch(() => false), { timeout: 20_000 }).toBe(true);
    console.log(`[faults] frozen idle server: exact again ${Date.now() - t1} ms after it answers again`);
    await expect.poll(() => page.evaluate(() => (window as unknown as { t: { liveCounts(): unknown } }).t.liveCounts())).toEqual({ sockets: 3, workers: 1, timers: 1 });
  } finally {
    await proxy.close();
    await relay.stop();
    rmSync(webDir, { recursive: true, force: true });
  }
});
