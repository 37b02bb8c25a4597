// The public surface (src/embed/index.ts) against a real Xspice: the library build loaded by a
// page of its own (no deep imports: it has only /lib/spice-web.js), and the page's element with
// its typed events. Pixel truth is the X server's framebuffer.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, expect, showPattern } from './harness/index';
import { comparePixels, decodePng, describeComparison, grabFramebuffer } from '../scripts/lib/truth.mjs';
import { clientScreenshot, openClient, startClientProxy, waitForExactMatch } from './harness/client';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const EMBED_PAGE = `<!doctype html><meta charset="utf-8"><title>embed</title>
<div id="screen" style="width: 900px; height: 700px"></div>
<script type="module">
  import { SpiceClient, ErrorTypes } from './lib/spice-web.js';
  const events = [];
  const url = new URL('ws', location.href); url.protocol = 'ws:';
  const client = new SpiceClient(document.getElementById('screen'), { url: url.href, autoconnect: false });
  for (const t of ['connect', 'resize', 'monitors', 'firstframe', 'channel', 'status', 'spiceerror', 'disconnect']) {
    client.addEventListener(t, (e) => events.push({ type: t, detail: JSON.parse(JSON.stringify(e.detail)) }));
  }
  window.embed = { client, events, ErrorTypes };
  client.connect();
</script>`;

test.use({ xspiceOptions: { imageCompression: 'lz', geometry: '800x600' } });

test('a page that has only the library build connects, receives typed events and takes an exact screenshot', async ({ page, xspice }) => {
  await showPattern(xspice);
  // an embedding page of its own next to the built client (served by the proxy from its origin,
  // as a portal would serve it); it imports the public entry only
  const webDir = mkdtempSync(path.join(tmpdir(), 'spice-web-embed-'));
  cpSync(path.join(root, 'dist/client'), webDir, { recursive: true });
  writeFileSync(path.join(webDir, 'embed-test.html'), EMBED_PAGE);
  const proxy = await startClientProxy(xspice, { webDir });
  try {
    page.on('pageerror', (e) => console.error('[page error]', e.message));
    await page.goto(`${proxy.url}embed-test.html`);
    await page.waitForFunction(() => (window as unknown as { embed?: { events: Array<{ type: string }> } }).embed?.events.some((e) => e.type === 'firstframe'), undefined, { timeout: 15_000 });
    type Ev = { type: string; detail: Record<string, unknown> };
    const events = (): Promise<Ev[]> => page.evaluate(() => (window as unknown as { embed: { events: Ev[] } }).embed.events);
    const got = await events();
    expect(got.find((e) => e.type === 'connect')?.detail).toEqual({ sessionId: expect.any(Number) });
    expect(got.find((e) => e.type === 'resize')?.detail).toEqual({ channelId: 0, head: 0, width: 800, height: 600 });
    expect(got.filter((e) => e.type === 'monitors').map((e) => e.detail), JSON.stringify(got.filter((e) => e.type === 'monitors'))).toEqual([[{ channelId: 0, head: 0, x: 0, y: 0, width: 800, height: 600 }]]);
    expect(got.filter((e) => e.type === 'channel' && e.detail.state === 'ready').map((e) => e.detail.channelType).sort()).toEqual(expect.arrayContaining([1, 2, 3]));
    expect(got.filter((e) => e.type === 'spiceerror')).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { embed: { ErrorTypes: Record<string, string> } }).embed.ErrorTypes.AUTH_ERROR)).toBe('authError');
    // the monitor's canvas is inside the page's own element
    expect(await page.locator('#screen canvas.monitor').count()).toBe(1);

    // screenshot through the library API: exact against the server's framebuffer
    let last = '';
    await expect
      .poll(async () => {
        const b64 = await page.evaluate(async () => {
          const blob = await (window as unknown as { embed: { client: { screenshot(i: number): Promise<Blob> } } }).embed.client.screenshot(0);
          const bytes = new Uint8Array(await blob.arrayBuffer());
          let s = '';
          for (let k = 0; k < bytes.length; k += 0x8000) s += String.fromCharCode(...bytes.subarray(k, k + 0x8000));
          return btoa(s);
        });
        const r = comparePixels(decodePng(Buffer.from(b64, 'base64')), await grabFramebuffer(xspice));
        last = describeComparison(r);
        return r.sameSize && r.mismatches === 0;
      }, { timeout: 15_000, message: last })
      .toBe(true);

    await page.evaluate(() => (window as unknown as { embed: { client: { disconnect(): void } } }).embed.client.disconnect());
    await expect.poll(async () => (await events()).find((e) => e.type === 'disconnect')?.detail).toEqual({ clean: true, reason: 'disconnected by the user', local: true });
    expect(await page.locator('#screen canvas.monitor').count()).toBe(0);
  } finally {
    await proxy.close();
    rmSync(webDir, { recursive: true, force: true });
  }
});

test('<spice-client> dispatches the same typed events and shows the guest exactly', async ({ page, xspice }) => {
  await showPattern(xspice);
  const proxy = await startClientProxy(xspice);
  try {
    await openClient(page, `${proxy.url}?autoconnect=0`);
    await page.evaluate(() => {
      type Detail = { sessionId: number; channelId: number; head: number; width: number; height: number };
      const el = document.querySelector('spice-client') as unknown as {
        addEventListener(t: string, f: (e: CustomEvent<Detail>) => void): void;
        connect(s: { url: string; password: string; compression: null; autoconnect: boolean }): void;
      };
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      el.addEventListener('connect', (e) => seen.push(`connect ${typeof e.detail.sessionId}`));
      el.addEventListener('resize', (e) => seen.push(`resize ${e.detail.channelId}:${e.detail.head} ${e.detail.width}x${e.detail.height}`));
      el.addEventListener('firstframe', () => seen.push('firstframe'));
      const url = new URL('ws', location.href);
      url.protocol = 'ws:';
      el.connect({ url: url.href, password: '', compression: null, autoconnect: true });
    });
    const match = await waitForExactMatch(page, xspice);
    expect(match.ok, match.detail).toBe(true);
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    expect(seen).toEqual(expect.arrayContaining(['connect number', 'resize 0:0 800x600', 'firstframe']));
    expect(seen.indexOf('connect number')).toBeLessThan(seen.indexOf('resize 0:0 800x600'));
    // internals are not reachable from the element
    expect(await page.evaluate(() => Object.keys(document.querySelector('spice-client')!).filter((k) => /session|client/i.test(k)))).toEqual([]);
    expect(await page.evaluate(() => 'session' in document.querySelector('spice-client')!)).toBe(false);
    await clientScreenshot(page);
  } finally {
    await proxy.close();
  }
});
