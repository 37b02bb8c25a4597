// Issue 2 acceptance: our built client in Debian Chromium against a real Xspice on loopback,
// through our proxy. Pixel truth is the X server's own framebuffer (xwd -root).
import { test, expect, showPattern, showPhoto, startXterm, startClickTarget, startXspice, startFaultyRelay } from './harness/index';
import { clientScreenshot, clientStatus, openClient, waitForInputs, startClientProxy, statusText, typeAsUser, waitForExactMatch } from './harness/client';

for (const imageCompression of ['lz', 'quic', 'off'] as const) {
  test.describe(`image compression ${imageCompression}`, () => {
    test.use({ xspiceOptions: { imageCompression, geometry: '800x600' } });
    test(`screenshot(0) equals the server framebuffer: text, gradients, photo (${imageCompression})`, async ({ page, xspice }) => {
      await showPattern(xspice);
      const proxy = await startClientProxy(xspice);
      try {
        const t0 = Date.now();
        await openClient(page, proxy.url);
        const first = await waitForExactMatch(page, xspice);
        const nav = await page.evaluate(() => (document.querySelector('spice-client') as unknown as { firstFrameMs: number | null }).firstFrameMs);
        console.log(`[${imageCompression}] navigation → first frame ${nav?.toFixed(0)} ms; → first exact frame ${Date.now() - t0} ms`);
        expect(first.ok, first.detail).toBe(true);
        // then content changes while connected: a terminal with text, a photo behind it
        await startXterm(xspice, { x: 30, y: 30, cols: 60, rows: 12 });
        const second = await waitForExactMatch(page, xspice);
        expect(second.ok, `after xterm: ${second.detail}`).toBe(true);
        await showPhoto(xspice);
        const third = await waitForExactMatch(page, xspice);
        expect(third.ok, `after photo: ${third.detail}`).toBe(true);
      } finally {
        await proxy.close();
      }
    });
  });
}

test('text typed in the page arrives in the guest xterm exactly', async ({ page, xspice }) => {
  const term = await startXterm(xspice, { x: 20, y: 20 });
  await term.focus();
  const proxy = await startClientProxy(xspice);
  try {
    await openClient(page, proxy.url);
    await expect.poll(async () => (await clientStatus(page)).state).toBe('connected');
    await waitForInputs(page);
    await page.locator('spice-client .screen').focus();
    const text = 'Hello, World! 0123456789 ~!@#$%^&*()_+ {}|:"<>? `-=[]\\;\',./ The quick brown fox.\n';
    await typeAsUser(page, text);
    const got = await term.waitForTyped((s) => s.length >= text.length, 15_000);
    expect(got).toBe(text);
  } finally {
    await proxy.close();
  }
});

test('a click lands at that point in the guest (client mouse mode)', async ({ page, xspice }) => {
  const target = await startClickTarget(xspice, { x: 100, y: 120, width: 300, height: 200 });
  const proxy = await startClientProxy(xspice);
  try {
    await openClient(page, proxy.url);
    const first = await waitForExactMatch(page, xspice);
    expect(first.ok, first.detail).toBe(true);
    const canvas = page.locator('spice-client canvas.monitor').first();
    const box = (await canvas.boundingBox())!;
    const size = await page.evaluate(() => {
      const c = document.querySelector('spice-client')!.shadowRoot!.querySelector('canvas.monitor') as HTMLCanvasElement;
      return { w: c.width, h: c.height };
    });
    // guest point (250, 200): map through the CSS scaling of the canvas
    const gx = 250, gy = 200;
    await page.mouse.move(box.x + ((gx + 0.5) * box.width) / size.w, box.y + ((gy + 0.5) * box.height) / size.h);
    await page.mouse.down();
    await page.mouse.up();
    const evs = await target.waitForEvents((e) => e.some((x) => x.type === 'ButtonPress'));
    const press = evs.find((x) => x.type === 'ButtonPress')!;
    expect({ x: press.rootX, y: press.rootY, button: press.button }).toEqual({ x: gx, y: gy, button: 1 });
    // client mouse mode; the local pointer follows the cursor channel. Xspice draws its pointer
    // into the framebuffer itself and reports the channel cursor hidden, so the page must hide
    // the local one (a shaped cursor from the channel becomes a CSS url() cursor instead)
    expect(await page.evaluate(() => (document.querySelector('spice-client') as unknown as { mouseMode: number }).mouseMode)).toBe(2);
    const cur = await page.evaluate(() => (document.querySelector('spice-client') as unknown as { cursor: { visible: boolean } | null }).cursor);
    expect(cur).not.toBeNull();
    await expect.poll(() => canvas.evaluate((c) => (c as HTMLElement).style.cursor)).toEqual(cur!.visible ? expect.stringMatching(/^url\(/) : 'none');
  } finally {
    await proxy.close();
  }
});

test('a wrong password gives a clear error and the right one connects', async ({ page }) => {
  const xs = await startXspice({ password: 'right-one' });
  const proxy = await startClientProxy(xs);
  try {
    await openClient(page, `${proxy.url}?password=wrong`);
    const form = page.locator('spice-client form.pw');
    await expect(form).toBeVisible();
    await expect(page.locator('spice-client .status')).toContainText(/password/i);
    await form.locator('input').fill('right-one');
    await form.locator('button').click();
    await expect.poll(async () => (await clientStatus(page)).state).toBe('connected');
    const m = await waitForExactMatch(page, xs);
    expect(m.ok, m.detail).toBe(true);
  } finally {
    await proxy.close();
    await xs.stop();
  }
});

test('a malformed display message closes that channel with a typed error; the tab stays responsive', async ({ page }) => {
  const xs = await startXspice({});
  const relay = await startFaultyRelay({ target: { port: xs.port }, inject: { afterMessages: 3, kind: 'bad-pointer' } });
  const proxy = await startClientProxy({ port: relay.port });
  try {
    await openClient(page, proxy.url);
    await relay.waitForInjection(15_000);
    await expect.poll(async () => (await clientStatus(page)).error?.details, { timeout: 10_000 }).toBeTruthy();
    const st = await clientStatus(page);
    expect(st.error!.message).toMatch(/display/);
    expect(st.error).toMatchObject({ type: 'protocolError', fatal: false, channel: { channelType: 2, channelId: 0 } });
    expect(['malformedMessage', 'truncatedMessage']).toContain(st.error!.details);
    await expect(page.locator('spice-client .status')).toContainText(/Error: .*display/);
    // responsive: the page still runs script and the UI still reacts
    expect(await page.evaluate(() => 6 * 7)).toBe(42);
    expect(await statusText(page)).toContain('Error');
    await expect(clientScreenshot(page)).rejects.toThrow();
  } finally {
    await proxy.close();
    await relay.stop();
    await xs.stop();
  }
});
