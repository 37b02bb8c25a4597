// Issue 11, reconnect: the client comes back by itself after the server restarts and after the
// proxy drops its WebSockets, keeping the last frame (dimmed) while it waits, and pixel-exact
// against the new server's framebuffer afterwards. Figures (server back → exact frame) are
// printed; the waits are for states.
import { test, expect, showPattern, startXspice, type XspiceServer } from './harness/index';
import { clientStatus, openClient, startClientProxy, waitForExactMatch } from './harness/client';
import type { Page } from '@playwright/test';

/** distinct colours in the page's rendering of monitor 0's canvas: the last frame is still shown */
async function canvasColours(page: Page): Promise<number> {
  const png = await page.locator('spice-client canvas.monitor').first().screenshot();
  const { decodePng } = await import('../scripts/lib/truth.mjs');
  const img = decodePng(png);
  const seen = new Set<number>();
  for (let i = 0; i < img.rgba.length && seen.size < 64; i += 4 * 97) seen.add(img.rgba.readUInt32LE(i));
  return seen.size;
}

test('the server restarts: the last frame stays (dimmed) while the client retries, then it is exact again by itself', async ({ page }) => {
  let xs: XspiceServer = await startXspice({ imageCompression: 'lz', geometry: '800x600' });
  const { displayNumber, port } = xs;
  const proxy = await startClientProxy(xs);
  try {
    await showPattern(xs);
    await openClient(page, proxy.url);
    expect((await waitForExactMatch(page, xs)).ok).toBe(true);
    await xs.stop();
    await expect.poll(async () => (await clientStatus(page)).state, { timeout: 10_000 }).toBe('reconnecting');
    // Xspice stopped in order (FIN on every socket): whichever channel noticed first is named in
    // the typed error; the status line says it in words. The first retry comes 250 ms later and
    // finds nothing listening: from then on the line gives that cause (a loaded machine can get
    // there before this line is read)
    const st = await clientStatus(page);
    expect(st.error === undefined || st.error.type === 'networkError').toBe(true);
    await expect(page.locator('spice-client .status')).toHaveText(/^the (server closed the session|connection to the server was lost|server cannot be reached); reconnecting in \d s$/);
    await expect(page.locator('spice-client canvas.monitor')).toHaveCount(1);
    expect(await page.locator('spice-client canvas.monitor').evaluate((c) => (c as HTMLElement).style.filter)).toMatch(/brightness/);
    expect(await canvasColours(page)).toBeGreaterThan(8);
    // a few failed attempts while the server is down
    await page.waitForFunction(() => /reconnecting/.test(document.querySelector('spice-client')!.shadowRoot!.querySelector('.status')!.textContent ?? ''), undefined, { timeout: 5_000 });

    xs = await startXspice({ imageCompression: 'lz', geometry: '800x600', display: displayNumber, port });
    const back = Date.now();
    await showPattern(xs);
    const m = await waitForExactMatch(page, xs, 20_000);
    console.log(`[reconnect] server back → exact frame ${Date.now() - back} ms (showPattern included)`);
    expect(m.ok, m.detail).toBe(true);
    expect((await clientStatus(page)).state).toBe('connected');
    expect(await page.locator('spice-client canvas.monitor').evaluate((c) => (c as HTMLElement).style.filter)).toBe('');
  } finally {
    await proxy.close();
    await xs.stop();
  }
});

test('the proxy restarts (every WebSocket dropped): the client reconnects by itself and is exact again', async ({ page }) => {
  const xs = await startXspice({ imageCompression: 'lz', geometry: '800x600' });
  let proxy = await startClientProxy(xs);
  const proxyPort = proxy.port;
  try {
    await showPattern(xs);
    await openClient(page, proxy.url);
    expect((await waitForExactMatch(page, xs)).ok).toBe(true);
    await proxy.close();
    await expect.poll(async () => (await clientStatus(page)).state, { timeout: 10_000 }).toBe('reconnecting');
    expect(await canvasColours(page)).toBeGreaterThan(8);
    proxy = await startClientProxy(xs, { listen: { host: '127.0.0.1', port: proxyPort } });
    const back = Date.now();
    const m = await waitForExactMatch(page, xs, 20_000);
    console.log(`[reconnect] proxy back → exact frame ${Date.now() - back} ms`);
    expect(m.ok, m.detail).toBe(true);
    // nothing of the dropped session leaks: main, inputs, cursor sockets, one display worker, the silence watch
    await expect.poll(() => page.evaluate(() => (document.querySelector('spice-client') as unknown as { liveCounts: unknown }).liveCounts)).toEqual({ sockets: 3, workers: 1, timers: 1 });
  } finally {
    await proxy.close();
    await xs.stop();
  }
});

test('a wrong password is not retried; cancel stops a pending reconnect', async ({ page }) => {
  const xs = await startXspice({ imageCompression: 'lz', geometry: '800x600', password: 's3cret' });
  const proxy = await startClientProxy(xs);
  try {
    await openClient(page, `${proxy.url}?password=wrong`);
    await expect(page.locator('spice-client form.pw')).toBeVisible();
    const st = await clientStatus(page);
    expect(st).toMatchObject({ state: 'disconnected', error: { type: 'authError', details: 'permissionDenied' } });
    // no retry follows: the status stays as it is
    await page.locator('spice-client form.pw input').fill('s3cret');
    await page.locator('spice-client form.pw button').click();
    await expect.poll(async () => (await clientStatus(page)).state).toBe('connected');
    expect((await waitForExactMatch(page, xs)).ok).toBe(true);

    await xs.stop();
    await expect.poll(async () => (await clientStatus(page)).state, { timeout: 10_000 }).toBe('reconnecting');
    await page.locator('spice-client button', { hasText: 'Cancel' }).click();
    await expect.poll(async () => (await clientStatus(page)).state).toBe('disconnected');
    await expect(page.locator('spice-client .status')).toContainText('reconnect cancelled');
    await expect(page.locator('spice-client canvas.monitor')).toHaveCount(0);
  } finally {
    await proxy.close();
    await xs.stop();
  }
});
