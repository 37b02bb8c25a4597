// Issue 8, scope 3: our STREAM_REPORTs drive the server's rate control. Between our proxy and
// Xspice the harness's shaping relay (scripts/lib/shaping-relay.mjs) caps the bandwidth; it
// queues without limit, so the server's socket never blocks and our reports (late frames, drops,
// negative last_frame_delay) are what it has to go on. A server that did not adapt would keep
// the link full: the client would receive STREAM_DATA at the cap. Ours must see the stream's
// bit rate fall below the cap (the server sends less than the link carries) and, with the cap
// lifted, rise again. The STREAM_DATA bytes/s are measured in the display worker.
import type { Page } from '@playwright/test';
import { test, expect } from './harness/index';
import { openClient, startClientProxy } from './harness/client';
import { startVideo } from './harness/video';
import { startShapingRelay } from '../scripts/lib/shaping-relay.mjs';

interface VideoTotals { codec: string | null; received: number; bytes: number; presented: number; dropped: number }
interface StreamsStats { reports: number }

const stats = (page: Page): Promise<{ video: VideoTotals; streams: StreamsStats; at: number }> =>
  page.evaluate(async () => ({ ...(await (document.querySelector('spice-client') as unknown as { displayStats(i: number): Promise<{ video: VideoTotals; streams: StreamsStats }> }).displayStats(0)), at: performance.now() }));

interface Rate { bytesPerSec: number; fps: number; bytesPerFrame: number; reports: number }

/** STREAM_DATA rate over the next `frames` frames received (a window defined by frames, not time) */
async function rateOver(page: Page, frames: number, timeout = 60_000): Promise<Rate> {
  const a = await stats(page);
  await expect.poll(async () => (await stats(page)).video.received - a.video.received, { timeout, intervals: [200] }).toBeGreaterThanOrEqual(frames);
  const b = await stats(page);
  const dt = (b.at - a.at) / 1000;
  const n = b.video.received - a.video.received;
  const bytes = b.video.bytes - a.video.bytes;
  return { bytesPerSec: bytes / dt, fps: n / dt, bytesPerFrame: bytes / n, reports: b.streams.reports - a.streams.reports };
}

const show = (r: Rate) => `${((r.bytesPerSec * 8) / 1000).toFixed(0)} kbit/s, ${r.fps.toFixed(1)} fps, ${(r.bytesPerFrame / 1024).toFixed(1)} KiB/frame, ${r.reports} reports`;

test.use({ xspiceOptions: { streamingVideo: 'all', videoCodecs: 'spice:mjpeg', imageCompression: 'lz', geometry: '800x600' } });

test('through a bandwidth cap the server lowers the stream bit rate after our reports, and raises it again once the cap is lifted', async ({ page, xspice }) => {
  test.setTimeout(240_000);
  const relay = await startShapingRelay({ target: { port: xspice.port } });
  const proxy = await startClientProxy({ port: relay.port });
  let video: ReturnType<typeof startVideo> | null = null;
  try {
    await openClient(page, proxy.url);
    await page.waitForFunction(() => (document.querySelector('spice-client') as unknown as { monitors: unknown[] }).monitors.length > 0, undefined, { timeout: 20_000 });
    video = startVideo(xspice, { width: 320, height: 240 });
    await expect.poll(async () => (await stats(page)).video.codec, { timeout: 30_000 }).toBe('MJPEG');
    await rateOver(page, 60); // past the start
    const free = await rateOver(page, 90);
    console.log(`[rate control] unthrottled: ${show(free)}`);

    const cap = Math.round(free.bytesPerSec / 4);
    relay.shape({ bytesPerSec: cap });
    console.log(`[rate control] cap ${((cap * 8) / 1000).toFixed(0)} kbit/s`);
    // the server adapts when it hears from us: windows of 30 frames until the stream stays
    // clearly below the cap (a server ignoring the reports would fill the link: rate = cap)
    const windows: Rate[] = [];
    await expect.poll(async () => {
      const r = await rateOver(page, 30, 90_000);
      windows.push(r);
      console.log(`[rate control] under the cap: ${show(r)}`);
      return r.bytesPerSec < cap * 0.8 && r.reports > 0;
    }, { timeout: 180_000, intervals: [0] }).toBe(true);
    const low = windows[windows.length - 1]!;
    expect(windows.reduce((n, w) => n + w.reports, 0)).toBeGreaterThan(0);
    expect(low.bytesPerSec).toBeLessThan(free.bytesPerSec / 4);

    relay.shape({});
    const back: Rate[] = [];
    await expect.poll(async () => {
      const r = await rateOver(page, 60);
      back.push(r);
      console.log(`[rate control] cap lifted: ${show(r)}`);
      return r.bytesPerSec > low.bytesPerSec * 2;
    }, { timeout: 120_000, intervals: [0] }).toBe(true);
    const up = back[back.length - 1]!;
    console.log(`[rate control] summary: ${((free.bytesPerSec * 8) / 1000).toFixed(0)} → ${((low.bytesPerSec * 8) / 1000).toFixed(0)} (cap ${((cap * 8) / 1000).toFixed(0)}) → ${((up.bytesPerSec * 8) / 1000).toFixed(0)} kbit/s; ${(free.bytesPerFrame / 1024).toFixed(1)} → ${(low.bytesPerFrame / 1024).toFixed(1)} → ${(up.bytesPerFrame / 1024).toFixed(1)} KiB/frame`);
  } finally {
    relay.shape({});
    await video?.stop();
    await proxy.close();
    await relay.stop();
  }
});
