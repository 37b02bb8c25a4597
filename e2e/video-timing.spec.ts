// Issue 8 acceptance figures for video timing against Xspice with streaming-video=all:
//  - a 30 fps moving picture (GStreamer videotestsrc in an X window) is shown at ≥ 28 frames/s
//    measured in the page over 10 s, for 640×480 and 1280×720, with M-JPEG, VP8, VP9 and H.264;
//  - every frame that arrives is shown (shown ≥ received − 2 fps), at any load;
//  - no main-thread long task over 50 ms during 10 s of 1280×720 playback (PerformanceObserver
//    'longtask' in the page);
// (Lip-sync: e2e/lipsync.spec.ts, which needs a browser without the autoplay block.)
// The 10 s windows are the measurement the issue defines; everything before them waits for states
// (a stream of the expected codec, frames flowing).
import { cpus, loadavg } from 'node:os';
import type { Page } from '@playwright/test';
import { test, expect } from './harness/index';
import { openClient, startClientProxy } from './harness/client';
import { startVideo, videoTotals as totals, type VideoTotals } from './harness/video';

interface Window { ms: number; shown: number; received: number; dropped: number; decodeMs: number; kbps: number; longTasks: number[]; codec: string | null }

/** frames/s over `ms` measured in the page, and the main thread's long tasks meanwhile */
function measure(page: Page, ms: number): Promise<Window> {
  return page.evaluate(async (ms) => {
    const el = document.querySelector('spice-client') as unknown as { displayStats(i: number): Promise<{ video: VideoTotals }> };
    const long: number[] = [];
    const obs = new PerformanceObserver((l) => {
      for (const e of l.getEntries()) long.push(e.duration);
    });
    obs.observe({ type: 'longtask' });
    const a = (await el.displayStats(0)).video;
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, ms));
    const b = (await el.displayStats(0)).video;
    const dt = performance.now() - t0;
    obs.disconnect();
    const per = (x: number, y: number) => ((y - x) * 1000) / dt;
    return {
      ms: dt, codec: b.codec, shown: per(a.presented, b.presented), received: per(a.received, b.received), dropped: per(a.dropped, b.dropped),
      decodeMs: b.decoded > a.decoded ? (b.decodeMs - a.decodeMs) / (b.decoded - a.decoded) : 0, kbps: (per(a.bytes, b.bytes) * 8) / 1000, longTasks: long,
    };
  }, ms);
}

const MIN_FPS = 28;

for (const [codecs, expected] of [['spice:mjpeg', 'MJPEG'], ['gstreamer:vp8', 'VP8'], ['gstreamer:vp9', 'VP9'], ['gstreamer:h264', 'H264']] as const) {
  for (const [w, h] of [[640, 480], [1280, 720]] as const) {
    test.describe(`${codecs} ${w}×${h}`, () => {
      test.use({ xspiceOptions: { streamingVideo: 'all', videoCodecs: codecs, imageCompression: 'lz', geometry: '1600x900' } });

      test(`${codecs}: a 30 fps ${w}×${h} video is shown at ≥ ${MIN_FPS} fps over 10 s${w === 1280 ? ', with no main-thread long task over 50 ms' : ''}`, async ({ page, xspice }) => {
        test.setTimeout(120_000);
        const proxy = await startClientProxy(xspice);
        let video: ReturnType<typeof startVideo> | null = null;
        try {
          await openClient(page, proxy.url);
          await page.waitForFunction(() => (document.querySelector('spice-client') as unknown as { monitors: unknown[] }).monitors.length > 0, undefined, { timeout: 20_000 });
          video = startVideo(xspice, { width: w, height: h });
          await expect.poll(async () => (await totals(page)).codec, { timeout: 30_000 }).toBe(expected);
          // past the stream's start (the server's first frames, its rate control settling)
          const start = (await totals(page)).presented;
          await expect.poll(async () => (await totals(page)).presented - start, { timeout: 60_000 }).toBeGreaterThanOrEqual(30);
          const m = await measure(page, 10_000);
          const t = await totals(page);
          console.log(`[${codecs} ${w}×${h}] over ${(m.ms / 1000).toFixed(1)} s: ${m.shown.toFixed(1)} fps shown, ${m.received.toFixed(1)} received, ${m.dropped.toFixed(1)} dropped; ${m.kbps.toFixed(0)} kbit/s; decode ${m.decodeMs.toFixed(1)} ms/frame; ` +
            `presentation offset p50 ${t.offset?.p50} / p95 ${t.offset?.p95} ms; ${t.held} of ${t.presented} frames held for their time, ${t.pending} waiting now; long tasks ${m.longTasks.length ? m.longTasks.map((d) => d.toFixed(0)).join(', ') + ' ms' : 'none'}`);
          expect(m.codec).toBe(expected);
          // checkable at any load: what arrives is shown (a client whose decode falls behind
          // shows fewer frames than it receives; 2 fps = 20 frames over the window, against the
          // frames in flight at its two ends)
          expect(m.shown).toBeGreaterThanOrEqual(m.received - 2);
          // the bound needs the server to send the 30 fps; on a machine too loaded for
          // Xspice and its encoder to make them, the figure is printed and the bound not checked
          if (m.received >= 29.5) expect(m.shown).toBeGreaterThanOrEqual(MIN_FPS);
          else {
            const note = `only ${m.received.toFixed(1)} fps arrived here (load ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores): the ${MIN_FPS} fps bound was not checkable`;
            console.log(`[${codecs} ${w}×${h}] ${note}`);
            test.info().annotations.push({ type: 'not checked', description: note });
          }
          if (w === 1280) expect(m.longTasks.filter((d) => d > 50)).toEqual([]);
        } finally {
          await video?.stop();
          await proxy.close();
        }
      });
    });
  }
}
