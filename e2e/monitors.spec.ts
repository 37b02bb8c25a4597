// Monitors as (display channel, head) pairs end to end, against a real Xspice with two heads
// side by side in one 2048x768 surface (xrandr turns the second QXL output on; the driver sends
// MONITORS_CONFIG). Each head gets its own canvas, screenshot(i) is that head's part of the X
// framebuffer pixel for pixel, and a click on the second monitor lands at its place in the guest.
import { execFileSync } from 'node:child_process';
import { test, expect, showPattern, startClickTarget, comparePixels, describeComparison, grabFramebuffer } from './harness/index';
import { clientScreenshot, openClient, startClientProxy } from './harness/client';

test.use({ xspiceOptions: { imageCompression: 'lz', numHeads: 2 } });

type Img = { width: number; height: number; rgba: Buffer };
function crop(img: Img, x0: number, y0: number, w: number, h: number): Img {
  const out = Buffer.alloc(w * h * 4);
  for (let y = 0; y < h; y++) img.rgba.copy(out, y * w * 4, ((y0 + y) * img.width + x0) * 4, ((y0 + y) * img.width + x0 + w) * 4);
  return { width: w, height: h, rgba: out };
}

test('two heads of one display channel: a canvas each, exact screenshots, clicks land on the right head', async ({ page, xspice }) => {
  execFileSync('xrandr', ['--addmode', 'qxl-1', '1024x768'], { env: xspice.env });
  execFileSync('xrandr', ['--output', 'qxl-1', '--mode', '1024x768', '--right-of', 'qxl-0'], { env: xspice.env });
  await showPattern(xspice);
  const target = await startClickTarget(xspice, { x: 1024 + 200, y: 100, width: 400, height: 300 });
  const proxy = await startClientProxy(xspice);
  try {
    await openClient(page, proxy.url);
    const monitors = () => page.evaluate(() => (document.querySelector('spice-client') as unknown as { monitors: unknown[] }).monitors);
    await expect.poll(monitors, { timeout: 15_000 }).toEqual([
      { channelId: 0, head: 0, x: 0, y: 0, width: 1024, height: 768 },
      { channelId: 0, head: 1, x: 1024, y: 0, width: 1024, height: 768 },
    ]);
    const canvases = page.locator('spice-client canvas.monitor');
    await expect(canvases).toHaveCount(2);
    expect(await canvases.evaluateAll((cs) => cs.map((c) => `${(c as HTMLCanvasElement).dataset.channel}:${(c as HTMLCanvasElement).dataset.head} ${(c as HTMLCanvasElement).width}x${(c as HTMLCanvasElement).height}`))).toEqual(['0:0 1024x768', '0:1 1024x768']);

    // each monitor's screenshot is its head's rectangle of the X framebuffer, exactly
    let detail = '';
    await expect
      .poll(async () => {
        const truth = await grabFramebuffer(xspice);
        for (const [i, x0] of [[0, 0], [1, 1024]] as const) {
          const r = comparePixels(await clientScreenshot(page, i), crop(truth, x0, 0, 1024, 768));
          detail = `monitor ${i}: ${describeComparison(r)}`;
          if (!r.sameSize || r.mismatches !== 0) return false;
        }
        return true;
      }, { timeout: 15_000, message: detail })
      .toBe(true);

    // a click at guest point (1024 + 300, 250), made on the second monitor's canvas
    const box = (await canvases.nth(1).boundingBox())!;
    const gx = 300, gy = 250;
    await page.mouse.move(box.x + ((gx + 0.5) * box.width) / 1024, box.y + ((gy + 0.5) * box.height) / 768);
    await page.mouse.down();
    await page.mouse.up();
    const evs = await target.waitForEvents((e) => e.some((x) => x.type === 'ButtonPress'));
    const press = evs.find((x) => x.type === 'ButtonPress')!;
    expect({ x: press.rootX, y: press.rootY }).toEqual({ x: 1024 + gx, y: gy });
  } finally {
    await proxy.close();
  }
});
