// Issue 8, the video fast path: decoded stream frames go straight to the monitor's canvas
// (src/display/lazy-frames.ts) and reach the exact surface only when something needs them.
// What the canvas shows while a stream plays must be the server's picture: a still picture
// streamed at 30 fps (videotestsrc redraws the same bars; the server streams by redraw rate,
// not content) is compared, as the canvas shows it, against the X framebuffer while the stream
// is running: within the lossy bound inside the video, exactly outside it. The screenshot that
// reads the surface (which settles pending frames first) must agree with it.
import { insecureUrl, launchInsecure } from './harness/insecure';
import { test, expect } from './harness/index';
import { clientDisplayStats, clientScreenshot, openClient, startClientProxy } from './harness/client';
import { grabFramebuffer } from '../scripts/lib/truth.mjs';
import { startVideo, videoTotals, waitForMonitor } from './harness/video';
import type { Page } from '@playwright/test';

const W = 320, H = 240;
/**
 * mean absolute difference per channel inside the video that a lossy stream may leave while it
 * plays (rate control lowers the quality; measured: M-JPEG 6.9, VP8 12.2 on these bars; a frame
 * drawn upside down or misplaced on them differs by far more)
 */
const LOSSY_MEAN_BOUND = 20;

const activeStreams = (page: Page): Promise<number> =>
  page.evaluate(async () => (await (document.querySelector('spice-client') as unknown as { displayStats(i: number): Promise<{ streams: { active: number } }> }).displayStats(0)).streams.active);

type Shot = { width: number; height: number; rgba: Buffer };
function compare(a: Shot, b: Shot): { outside: number; mean: number; max: number } {
  let outside = 0, sum = 0, n = 0, max = 0;
  for (let y = 0; y < b.height; y++) {
    for (let x = 0; x < b.width; x++) {
      const i = (y * b.width + x) * 4;
      const inVideo = x < W && y < H;
      for (let c = 0; c < 3; c++) {
        const d = Math.abs(a.rgba[i + c]! - b.rgba[i + c]!);
        if (inVideo) {
          sum += d;
          n++;
          max = Math.max(max, d);
        } else if (d) outside++;
      }
    }
  }
  return { outside, mean: sum / n, max };
}

function flipVideo(a: Shot): Shot {
  const rgba = Buffer.from(a.rgba);
  for (let y = 0; y < H; y++) a.rgba.copy(rgba, y * a.width * 4, (H - 1 - y) * a.width * 4, ((H - 1 - y) * a.width + W) * 4);
  return { ...a, rgba };
}

for (const [codecs, expected, insecure] of [['spice:mjpeg', 'MJPEG', false], ['gstreamer:vp8', 'VP8', false], ['spice:mjpeg', 'MJPEG', true]] as const) {
  test.describe(`${codecs}${insecure ? ' (insecure context)' : ''}`, () => {
    test.use({ xspiceOptions: { streamingVideo: 'all', videoCodecs: codecs, imageCompression: 'lz', geometry: '800x600' } });

    const what = insecure ? 'without ImageDecoder (frames as ImageBitmaps)' : 'while the stream plays';
    test(`${codecs}: ${what}, the canvas shows the server's picture`, async ({ page: securePage, xspice }, info) => {
      test.setTimeout(90_000);
      const proxy = await startClientProxy(xspice);
      const video = startVideo(xspice, { width: W, height: H, speed: 0 });
      const browser = insecure ? await launchInsecure(info) : null;
      const page = browser ? await browser.newPage() : securePage;
      try {
        if (insecure) {
          await openClient(page, insecureUrl(proxy.url));
          // the premise: no WebCodecs, so M-JPEG frames come from createImageBitmap
          expect(await page.evaluate(() => ({ secure: isSecureContext, imageDecoder: typeof (globalThis as { ImageDecoder?: unknown }).ImageDecoder }))).toEqual({ secure: false, imageDecoder: 'undefined' });
        } else await openClient(page, proxy.url);
        await waitForMonitor(page);
        await expect.poll(async () => (await videoTotals(page)).codec, { timeout: 30_000 }).toBe(expected);
        const t0 = await videoTotals(page);
        await expect.poll(async () => (await videoTotals(page)).presented - t0.presented, { timeout: 30_000 }).toBeGreaterThanOrEqual(30);
        // the frames went the fast path: most were replaced on the canvas without a readback
        expect((await videoTotals(page)).superseded ?? 0).toBeGreaterThan(0);
        const truth = await grabFramebuffer(xspice);
        // the bound can fail: the same picture drawn upside down inside the video breaks it
        const control = compare(flipVideo(truth), truth);
        console.log(`[${codecs}${insecure ? ' insecure' : ''}] control, the video upside down: inside mean ${control.mean.toFixed(2)}`);
        expect(control.mean).toBeGreaterThan(LOSSY_MEAN_BOUND);
        // three comparisons while the stream keeps running (frames presented before and after)
        for (let k = 0; k < 3; k++) {
          const before = await videoTotals(page);
          expect(await activeStreams(page)).toBeGreaterThan(0);
          const shown = await clientScreenshot(page, 0, true);
          const exact = await clientScreenshot(page, 0);
          await expect.poll(async () => (await videoTotals(page)).presented, { timeout: 10_000 }).toBeGreaterThan(before.presented);
          expect([shown.width, shown.height]).toEqual([truth.width, truth.height]);
          const s = compare(shown, truth), e = compare(exact, truth), se = compare(shown, exact);
          console.log(`[${codecs}${insecure ? ' insecure' : ''}] canvas vs server: outside ${s.outside}, inside mean ${s.mean.toFixed(2)} max ${s.max}; surface vs server: outside ${e.outside}, inside mean ${e.mean.toFixed(2)}; canvas vs surface inside mean ${se.mean.toFixed(2)}`);
          expect(s.outside).toBe(0);
          expect(s.mean).toBeLessThanOrEqual(LOSSY_MEAN_BOUND);
          expect(e.outside).toBe(0);
          expect(e.mean).toBeLessThanOrEqual(LOSSY_MEAN_BOUND);
        }
        const t1 = await videoTotals(page);
        console.log(`[${codecs}${insecure ? ' insecure' : ''}] ${t1.presented - t0.presented} frames presented; ${t1.superseded} replaced on the canvas unread, ${t1.readBack} read back into the surface`);
      } finally {
        await browser?.close();
        await video.stop();
        await proxy.close();
      }
    });
  });
}

// A window over part of the playing video: the server clips the stream to what stays visible
// (STREAM_CLIP with a rect list, or new streams) and draws the window itself; the canvas must
// show the window exactly and the video around it within the bound: the frames are drawn
// through the clip, never over the window.
test.describe('spice:mjpeg, a window over the video', () => {
  test.use({ xspiceOptions: { streamingVideo: 'all', videoCodecs: 'spice:mjpeg', imageCompression: 'lz', geometry: '800x600' } });

  test('frames keep to the visible part of the stream; the window over it stays exact', async ({ page, xspice }) => {
    test.setTimeout(90_000);
    const proxy = await startClientProxy(xspice);
    const video = startVideo(xspice, { width: W, height: H, speed: 0 });
    try {
      await openClient(page, proxy.url);
      await waitForMonitor(page);
      await expect.poll(async () => (await videoTotals(page)).codec, { timeout: 30_000 }).toBe('MJPEG');
      const t0 = await videoTotals(page);
      await expect.poll(async () => (await videoTotals(page)).presented - t0.presented, { timeout: 30_000 }).toBeGreaterThanOrEqual(30);
      const msgs = async () => (await clientDisplayStats(page, 0)).messages;
      const before = await msgs();
      // xlogo over the video's bottom right corner (no window manager: it lands where it asks)
      xspice.spawnClient('xlogo', ['-geometry', '140x100+220+160', '-bg', 'white', '-fg', 'black'], { name: 'xlogo' });
      const box = { left: 220, top: 160, right: 362, bottom: 262 }; // the window and its 1-pixel border
      // the server tells us the stream is clipped (or replaces the stream); frames go on
      await expect.poll(async () => {
        const m = await msgs();
        return (m.STREAM_CLIP ?? 0) - (before.STREAM_CLIP ?? 0) + (m.STREAM_CREATE ?? 0) - (before.STREAM_CREATE ?? 0);
      }, { timeout: 20_000 }).toBeGreaterThan(0);
      const t1 = await videoTotals(page);
      await expect.poll(async () => (await videoTotals(page)).presented - t1.presented, { timeout: 30_000 }).toBeGreaterThanOrEqual(30);
      const truth = await grabFramebuffer(xspice);
      const inVisibleVideo = (x: number, y: number) => x < W && y < H && !(x >= box.left && x < box.right && y >= box.top && y < box.bottom);
      // the window really is over the video (its white background where the bars were)
      let white = 0;
      for (let y = box.top + 2; y < H; y++) for (let x = box.left + 2; x < W; x++) if (truth.rgba[(y * truth.width + x) * 4] === 255 && truth.rgba[(y * truth.width + x) * 4 + 1] === 255 && truth.rgba[(y * truth.width + x) * 4 + 2] === 255) white++;
      expect(white).toBeGreaterThan(1000);
      for (let k = 0; k < 3; k++) {
        const seen = (await videoTotals(page)).presented;
        const shown = await clientScreenshot(page, 0, true);
        await expect.poll(async () => (await videoTotals(page)).presented, { timeout: 10_000 }).toBeGreaterThan(seen);
        let outside = 0, sum = 0, n = 0;
        for (let y = 0; y < truth.height; y++) {
          for (let x = 0; x < truth.width; x++) {
            const i = (y * truth.width + x) * 4;
            for (let c = 0; c < 3; c++) {
              const d = Math.abs(shown.rgba[i + c]! - truth.rgba[i + c]!);
              if (inVisibleVideo(x, y)) {
                sum += d;
                n++;
              } else if (d) outside++;
            }
          }
        }
        const m = await msgs();
        console.log(`[window over video] canvas vs server: outside the visible video ${outside} differing values (the window included), inside mean ${(sum / n).toFixed(2)}; STREAM_CLIP ${m.STREAM_CLIP ?? 0}, STREAM_CREATE ${m.STREAM_CREATE ?? 0}`);
        expect(outside).toBe(0);
        expect(sum / n).toBeLessThanOrEqual(LOSSY_MEAN_BOUND);
      }
    } finally {
      await video.stop();
      await proxy.close();
    }
  });
});
