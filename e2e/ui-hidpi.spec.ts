// Issue 10, HiDPI (deviceScaleFactor 2): with the device-pixels setting one guest pixel is one
// device pixel; without it an integer scale renders without smoothing, and fit enlarges. Pixel
// truth is the monitor's exact screenshot() against the page's own rendering at device resolution.
import type { Browser, Page } from '@playwright/test';
import { test, expect, showPattern, decodePng } from './harness/index';
import { clientScreenshot, openClient, startClientProxy, waitForExactMatch } from './harness/client';

/**
 * The page's rendering of the first monitor's canvas at device resolution: a full-page device
 * screenshot cropped at the canvas's device-pixel box (a clip in CSS pixels would round a
 * half-pixel position and shift the crop by one device pixel).
 */
async function canvasAtDevicePixels(page: Page): Promise<{ width: number; height: number; rgba: Buffer; box: { x: number; y: number; width: number; height: number } }> {
  const box = (await page.locator('spice-client canvas.monitor').first().boundingBox())!;
  const dpr = await page.evaluate(() => devicePixelRatio);
  const full = decodePng(await page.screenshot({ scale: 'device' }));
  const x0 = Math.round(box.x * dpr), y0 = Math.round(box.y * dpr);
  const width = Math.round(box.width * dpr), height = Math.round(box.height * dpr);
  const rgba = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) full.rgba.copy(rgba, y * width * 4, ((y0 + y) * full.width + x0) * 4, ((y0 + y) * full.width + x0 + width) * 4);
  return { width, height, rgba, box };
}

async function hidpiPage(browser: Browser, viewport: { width: number; height: number }, settings: object): Promise<Page> {
  const ctx = await browser.newContext({ deviceScaleFactor: 2, viewport });
  await ctx.addInitScript((s) => localStorage.setItem('spice-web.settings', s), JSON.stringify(settings));
  return ctx.newPage();
}

test.describe('HiDPI (deviceScaleFactor 2)', () => {
  test.use({ xspiceOptions: { geometry: '640x480', imageCompression: 'off' } });

  test('device pixels: one guest pixel is one device pixel', async ({ browser, xspice }) => {
    await showPattern(xspice);
    const proxy = await startClientProxy(xspice);
    const page = await hidpiPage(browser, { width: 1000, height: 700 }, { devicePixels: true });
    try {
      await openClient(page, proxy.url);
      expect((await waitForExactMatch(page, xspice)).ok).toBe(true);
      const truth = await clientScreenshot(page);
      const shot = await canvasAtDevicePixels(page);
      console.log(`[hidpi] canvas CSS box ${JSON.stringify(shot.box)}, device image ${shot.width}x${shot.height}`);
      expect(shot.box.width).toBe(320);
      expect(shot.box.height).toBe(240);
      expect([shot.width, shot.height]).toEqual([truth.width, truth.height]);
      let bad = 0;
      const where = { x0: 1e9, y0: 1e9, x1: -1, y1: -1 };
      for (let i = 0; i < truth.rgba.length; i += 4) {
        if (truth.rgba.readUIntBE(i, 3) === shot.rgba.readUIntBE(i, 3)) continue;
        bad++;
        const x = (i / 4) % truth.width, y = Math.floor(i / 4 / truth.width);
        Object.assign(where, { x0: Math.min(where.x0, x), y0: Math.min(where.y0, y), x1: Math.max(where.x1, x), y1: Math.max(where.y1, y) });
      }
      if (bad) console.log(`[hidpi] differing pixels within ${JSON.stringify(where)}`);
      expect(bad, `${bad} of ${truth.width * truth.height} device pixels differ from the guest's`).toBe(0);
    } finally {
      await page.context().close();
      await proxy.close();
    }
  });

  test('without device pixels a 2x scale renders without smoothing', async ({ browser, xspice }) => {
    await showPattern(xspice);
    const proxy = await startClientProxy(xspice);
    const page = await hidpiPage(browser, { width: 900, height: 700 }, { scale: 'none' });
    try {
      await openClient(page, proxy.url);
      expect((await waitForExactMatch(page, xspice)).ok).toBe(true);
      const truth = await clientScreenshot(page);
      const shot = await canvasAtDevicePixels(page);
      expect(shot.box.width).toBe(640);
      expect(await page.locator('spice-client canvas.monitor').first().evaluate((c) => (c as HTMLElement).style.imageRendering)).toBe('pixelated');
      expect([shot.width, shot.height]).toEqual([truth.width * 2, truth.height * 2]);
      let bad = 0;
      for (let y = 0; y < shot.height; y++) {
        for (let x = 0; x < shot.width; x++) {
          const t = truth.rgba.readUIntBE(((y >> 1) * truth.width + (x >> 1)) * 4, 3);
          if (shot.rgba.readUIntBE((y * shot.width + x) * 4, 3) !== t) bad++;
        }
      }
      expect(bad, `${bad} of ${shot.width * shot.height} device pixels are not their guest pixel (smoothed?)`).toBe(0);
      // fit (a scale that is not a whole number of device pixels) is smoothed and fills the window both ways
      await page.evaluate(() => ((document.querySelector('spice-client') as unknown as { scaleViewport: boolean }).scaleViewport = true));
      await expect.poll(() => page.locator('spice-client canvas.monitor').first().evaluate((c) => (c as HTMLElement).style.imageRendering)).toBe('auto');
      const box = (await page.locator('spice-client canvas.monitor').first().boundingBox())!;
      const stage = (await page.locator('spice-client .screen').boundingBox())!;
      console.log(`[hidpi] fit: canvas ${box.width.toFixed(1)}x${box.height.toFixed(1)} in ${stage.width}x${stage.height}`);
      expect(box.width).toBeGreaterThan(640); // it enlarges
      expect(Math.abs(box.width - stage.width) < 1 || Math.abs(box.height - stage.height) < 1).toBe(true);
    } finally {
      await page.context().close();
      await proxy.close();
    }
  });
});

