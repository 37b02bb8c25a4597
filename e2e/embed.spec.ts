// Embedding in a portal (issue 10): the example portal (public/portal, served by
// scripts/portal.mjs on an origin of its own) frames the client page that our proxy serves,
// posts it a ticket and password, and gets status events back; it also loads the library build
// from its own origin. The proxy's --frame-ancestor list decides both who may frame the page
// (CSP) and whose messages the page takes. Pixel truth is the Xspice framebuffer.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Frame, Page } from '@playwright/test';
import { test, expect, showPattern, findFreePort } from './harness/index';
import { comparePixels, decodePng, describeComparison, grabFramebuffer } from '../scripts/lib/truth.mjs';
import { startClientProxy, type ProxyHandle } from './harness/client';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
type Portal = { url: string; origin: string; close(): Promise<void> };
const startPortal = async (): Promise<Portal> => (await import(pathToFileURL(path.join(root, 'scripts/portal.mjs')).href)).startPortal({ port: 0 });

type PortalEvent = { what: string; detail: Record<string, unknown> };
const portalEvents = (page: Page): Promise<PortalEvent[]> => page.evaluate(() => (window as unknown as { portal: { events: PortalEvent[] } }).portal.events);

/** a proxy on a known port, so its own origin can go into --allow-origin beside the portal's */
async function proxyFor(xspice: { port: number }, frameAncestors: string[], alsoAllow: string[] = []): Promise<ProxyHandle> {
  const port = await findFreePort();
  return startClientProxy(xspice, { listen: { host: '127.0.0.1', port }, frameAncestors, allowOrigins: [`http://127.0.0.1:${port}`, ...alsoAllow] });
}

/** screenshot(0) of the <spice-client> inside `frame`, compared with the server until equal */
async function frameMatches(frame: Frame, xspice: { display: string }): Promise<string> {
  let last = 'no screenshot yet';
  await expect
    .poll(async () => {
      const b64 = await frame.evaluate(async () => {
        const blob = await (document.querySelector('spice-client') as unknown as { screenshot(i: number): Promise<Blob> }).screenshot(0);
        const bytes = new Uint8Array(await blob.arrayBuffer());
        let s = '';
        for (let k = 0; k < bytes.length; k += 0x8000) s += String.fromCharCode(...bytes.subarray(k, k + 0x8000));
        return btoa(s);
      }).catch((e: unknown) => String(e));
      if (b64.startsWith('Error')) return (last = b64), false;
      const r = comparePixels(decodePng(Buffer.from(b64, 'base64')), await grabFramebuffer(xspice));
      last = describeComparison(r);
      return r.sameSize && r.mismatches === 0;
    }, { timeout: 20_000, message: last })
    .toBe(true);
  return last;
}

test.use({ xspiceOptions: { imageCompression: 'lz', geometry: '800x600', password: 'portal-pw' } });

test('a portal on another origin frames the client, posts ticket and password, receives status events; the library loads from its own origin', async ({ page, xspice }) => {
  await showPattern(xspice);
  const portal = await startPortal();
  const proxy = await proxyFor(xspice, [portal.origin], [portal.origin]);
  try {
    page.on('pageerror', (e) => console.error('[page error]', e.message));
    // the proxy says so in its headers: this portal may frame the page
    const head = await page.request.get(proxy.url);
    expect(head.headers()['content-security-policy']).toBe(`frame-ancestors 'self' ${portal.origin}`);

    await page.goto(`${portal.url}?client=${encodeURIComponent(proxy.url)}`);
    await page.fill('#password', 'portal-pw');
    await page.fill('#title', 'Lab VM 7');
    await page.click('#iframe');
    await expect.poll(async () => (await portalEvents(page)).map((e) => e.what), { timeout: 30_000 }).toEqual(expect.arrayContaining(['spice-web:ready', 'spice-web:title', 'spice-web:connected']));
    const got = await portalEvents(page);
    const statuses = got.filter((e) => e.what === 'spice-web:status').map((e) => e.detail['state']);
    console.log(`[embed] events: ${got.map((e) => e.what.slice(10)).join(' ')}; states: ${statuses.join(' ')}`);
    expect(statuses).toEqual(expect.arrayContaining(['connecting', 'connected']));
    expect(got.find((e) => e.what === 'spice-web:connected')?.detail).toEqual({ type: 'spice-web:connected', sessionId: expect.any(Number) });
    expect(got.find((e) => e.what === 'spice-web:title')?.detail['title']).toBe('Lab VM 7');
    expect(got.filter((e) => e.what === 'spice-web:error' || e.what === 'spice-web:rejected')).toEqual([]);
    const frame = page.frames().find((f) => f.url().startsWith(proxy.url));
    expect(frame, 'the client page is in the iframe').toBeTruthy();
    expect(await frame!.evaluate(() => (document.querySelector('spice-client') as HTMLElement | null)?.dataset['portalBridge'])).toBe('1');
    expect(await frame!.evaluate(() => document.title)).toBe('Lab VM 7');
    // the password came by postMessage (the server has one): the picture is the guest's, exactly
    await frameMatches(frame!, xspice);

    // Ctrl+Alt+Del and disconnect by message
    await page.click('#close');
    await expect.poll(async () => (await portalEvents(page)).find((e) => e.what === 'spice-web:disconnected')?.detail, { timeout: 15_000 }).toMatchObject({ clean: true });

    // the library build from the portal's own origin, to the proxy's WebSocket (allowed origin)
    await page.click('#library');
    await expect.poll(async () => (await portalEvents(page)).map((e) => e.what), { timeout: 30_000 }).toEqual(expect.arrayContaining(['library:connect', 'library:firstframe']));
    expect(await page.locator('#stage canvas.monitor').count()).toBe(1);
  } finally {
    await proxy.close();
    await portal.close();
  }
});

test("oVirt's {connectionTicket, password} message connects with the ticket as the proxy token", async ({ page, xspice }) => {
  const portal = await startPortal();
  const dir = mkdtempSync(path.join(tmpdir(), 'spice-web-embed-'));
  writeFileSync(path.join(dir, 'tokens'), `vm-7f3c9a: 127.0.0.1:${xspice.port}\n`);
  const proxy = await startClientProxy(xspice, { target: undefined, tokens: path.join(dir, 'tokens'), frameAncestors: [portal.origin] });
  try {
    await page.goto(`${portal.url}?client=${encodeURIComponent(proxy.url)}&token=vm-7f3c9a`);
    await page.fill('#password', 'portal-pw');
    await page.click('#ovirt');
    await expect.poll(async () => (await portalEvents(page)).map((e) => e.what), { timeout: 30_000 }).toContain('spice-web:connected');
    const frame = page.frames().find((f) => f.url().startsWith(proxy.url));
    await frameMatches(frame!, xspice);
  } finally {
    await proxy.close();
    await portal.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a disallowed origin cannot frame the page, and its messages are ignored', async ({ page, context, xspice }) => {
  const allowed = await startPortal();
  const evil = await startPortal();
  const proxy = await proxyFor(xspice, [allowed.origin]);
  try {
    // 1. framing: the CSP from the proxy's configuration makes Chromium refuse the frame
    const refused = page.waitForEvent('console', { predicate: (m) => /frame-ancestors/.test(m.text()), timeout: 20_000 });
    await page.goto(`${evil.url}?client=${encodeURIComponent(proxy.url)}&token=x&open=iframe`);
    const msg = await refused;
    console.log(`[embed] chromium: ${msg.text().slice(0, 160)}`);
    const frame = page.frames().find((f) => f !== page.mainFrame());
    expect(await frame?.evaluate(() => !!document.querySelector('spice-client')).catch(() => false)).toBe(false);
    expect(await portalEvents(page)).toEqual([]);

    // 2. messages: a page at the evil origin opens the client in a window (no frame involved)
    // and posts it a ticket: the page takes nothing and answers nothing
    const popupP = context.waitForEvent('page');
    await page.evaluate((u) => {
      const w = window as unknown as { opened: Window | null; heard: unknown[] };
      w.heard = [];
      window.addEventListener('message', (e) => w.heard.push(e.data));
      w.opened = window.open(u);
    }, `${proxy.url}?autoconnect=0`);
    const popup = await popupP;
    await popup.waitForFunction(() => (document.querySelector('spice-client') as HTMLElement | null)?.dataset['portalBridge'] === '1', undefined, { timeout: 20_000 });
    await popup.evaluate(() => {
      const w = window as unknown as { heard: unknown[] };
      w.heard = [];
      window.addEventListener('message', (e) => w.heard.push({ origin: e.origin, data: e.data }));
    });
    await page.evaluate(() => {
      const o = (window as unknown as { opened: Window }).opened;
      o.postMessage({ connectionTicket: 'stolen', password: 'portal-pw' }, '*');
      o.postMessage({ type: 'spice-web:connect', token: 'stolen', password: 'portal-pw' }, '*');
    });
    // both messages were delivered (the page's own listener saw them) ...
    await popup.waitForFunction(() => (window as unknown as { heard: unknown[] }).heard.length === 2, undefined, { timeout: 10_000 });
    // ... and the bridge, which listened first, did nothing with them
    expect(await popup.evaluate(() => (document.querySelector('spice-client') as unknown as { status: { state: string } }).status.state)).toBe('idle');
    expect(await page.evaluate(() => (window as unknown as { heard: unknown[] }).heard)).toEqual([]);
    await popup.close();
  } finally {
    await proxy.close();
    await allowed.close();
    await evil.close();
  }
});
