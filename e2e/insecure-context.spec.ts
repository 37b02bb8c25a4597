// The client on plain http under a real host name, i.e. NOT a secure context (127.0.0.1 and
// localhost count as secure, so every other spec runs with WebCrypto and WebCodecs). Operators
// do deploy like this behind a portal; the README promises that it still works: the ticket is
// encrypted by our own RSA-OAEP (no crypto.subtle) and JPEG decodes through createImageBitmap
// (no ImageDecoder). The host name resolves to 127.0.0.1 inside this Chromium only
// (--host-resolver-rules), so nothing leaves loopback.
import { test, expect, type Browser } from '@playwright/test';
import { insecureUrl, launchInsecure } from './harness/insecure';
import { startTestServer, type TestServer } from './harness/test-server.mjs';
import { clientDisplayStats, clientStatus, openClient, startClientProxy, waitForScreenshot, type ProxyHandle } from './harness/client';
import { jpegScenario, lossyMismatch } from './harness/scenarios';

let browser: Browser;
test.beforeAll(async ({ browserName }, info) => {
  expect(browserName).toBe('chromium');
  browser = await launchInsecure(info);
});
test.afterAll(async () => {
  await browser?.close();
});

test('insecure context: own RSA-OAEP ticket, JPEG and JPEG_ALPHA via createImageBitmap within the bound, exact elsewhere', async () => {
  const { sc, lossy } = jpegScenario();
  let server: TestServer | null = null;
  let proxy: ProxyHandle | null = null;
  const page = await browser.newPage();
  try {
    server = await startTestServer(sc, { imageCompression: 'quic', jpeg: 'always', password: 'plain-http-pw' });
    proxy = await startClientProxy(server);
    await openClient(page, `${insecureUrl(proxy.url)}?password=plain-http-pw`);
    const ctx = await page.evaluate(() => ({ secure: isSecureContext, subtle: typeof crypto.subtle, imageDecoder: typeof (globalThis as { ImageDecoder?: unknown }).ImageDecoder }));
    // the premise: without it this test would only repeat the others
    expect(ctx).toEqual({ secure: false, subtle: 'undefined', imageDecoder: 'undefined' });
    await server.waitForClient(); // the ticket was accepted: a display channel linked
    const ready = await waitForScreenshot(page, (s) => (s.width === sc.width && s.height === sc.height ? null : `screenshot ${s.width}x${s.height}`));
    expect(ready.ok, ready.detail).toBe(true);
    await server.play();
    const truth = await server.grabSurface();
    const figures: string[] = [];
    const m = await waitForScreenshot(page, (shot) => lossyMismatch(shot, truth, lossy, figures));
    const stats = await clientDisplayStats(page);
    console.log(`[insecure context] image types sent: ${JSON.stringify(stats.imageTypes)}; error vs source: ${figures.join('; ')}`);
    expect(m.ok, m.detail).toBe(true);
    expect(stats.imageTypes.JPEG ?? 0, 'JPEG sent').toBeGreaterThanOrEqual(3);
    expect(stats.imageTypes.JPEG_ALPHA ?? 0, 'JPEG_ALPHA sent').toBeGreaterThanOrEqual(2);
    expect((await clientStatus(page)).error).toBeUndefined();
  } finally {
    await page.close();
    await proxy?.close();
    await server?.stop();
  }
});
