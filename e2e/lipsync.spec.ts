// Issue 8, lip-sync (scope 6) against Xspice: a 440 Hz sine in the audio FIFO (Opus) and an M-JPEG
// video at once. The display worker's clock follows the audio heard (the player's syncs, which
// carry the audio delay that STREAM_REPORT now reports); frames are shown on it. Printed: the
// frames' presentation offset against that clock (p50/p95), the video clock against the sound
// heard now, and the audio-to-video offset; asserted: the clock is the audio's (the worker has
// an audio delay) and frames are shown within one frame (33 ms) of their time at the median.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, expect } from './harness/index';
import { openClient, startClientProxy } from './harness/client';
import { startVideo, videoTotals as totals } from './harness/video';
import { startTone } from './harness/audio';
import { AMPLITUDE, waitForPlaybackChannel, waitForSound, withAutoplay } from './harness/audio-page';

test.use({ launchOptions: withAutoplay('no-user-gesture-required') });

const fifoDir = mkdtempSync(path.join(tmpdir(), 'spice-web-lipsync-'));
test.afterAll(() => rmSync(fifoDir, { recursive: true, force: true }));

test.describe('lip-sync', () => {
  test.use({
    xspiceOptions: { streamingVideo: 'all', videoCodecs: 'spice:mjpeg', imageCompression: 'lz', geometry: '800x600', audioFifoDir: fifoDir, playbackCompression: true },
  });

  test('with sound playing, frames are shown on the audio clock: presentation offset within one frame at the median, A/V figures printed', async ({ page, xspice }) => {
    test.setTimeout(120_000);
    const proxy = await startClientProxy(xspice);
    let video: ReturnType<typeof startVideo> | null = null;
    let tone: { stop(): void } | null = null;
    try {
      await openClient(page, proxy.url);
      await waitForPlaybackChannel(page);
      tone = startTone(fifoDir, { freq: 440, amplitude: AMPLITUDE, seconds: 90, name: `lipsync-${xspice.port}.fifo` });
      await waitForSound(page, 'opus');
      video = startVideo(xspice, { width: 320, height: 240 });
      await expect.poll(async () => (await totals(page)).codec, { timeout: 30_000 }).toBe('MJPEG');
      // the worker's clock comes from the audio heard (its syncs carry the audio delay)
      await expect.poll(async () => (await totals(page)).audioDelayMs, { timeout: 20_000 }).not.toBeNull();
      const start = await totals(page);
      await expect.poll(async () => (await totals(page)).presented - start.presented, { timeout: 90_000 }).toBeGreaterThanOrEqual(90);
      // the video clock against the sound heard now, sampled while frames play
      const samples = await page.evaluate(async () => {
        const el = document.querySelector('spice-client') as unknown as { stats(): Promise<{ audio: { clockSkewMs: number | null; latencyMs: number } | null }> };
        const out: Array<{ skew: number; latency: number }> = [];
        while (out.length < 40) {
          const s = await el.stats();
          if (s.audio?.clockSkewMs != null) out.push({ skew: s.audio.clockSkewMs, latency: s.audio.latencyMs });
          await new Promise((r) => setTimeout(r, 100));
        }
        return out;
      });
      const end = await totals(page);
      const pct = (a: number[], p: number) => a.slice().sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(p * a.length))]!;
      const skews = samples.map((s) => s.skew);
      const off = end.offset!;
      // a frame shown `offset` ms after its time on a clock `skew` ms ahead of the sound heard:
      // the picture trails the sound by offset − skew… with skew > 0 the clock is ahead, so the
      // frame's mm_time is heard `offset + skew` ms before the frame shows
      const av50 = off.p50 + pct(skews, 0.5);
      const avAbs95 = Math.max(Math.abs(off.p95 + pct(skews, 0.95)), Math.abs(off.p50 + pct(skews, 0.05)));
      console.log(`[lip-sync M-JPEG + Opus] ${end.presented - start.presented} frames, ${end.late - start.late} late, ${end.resyncs} resyncs; presentation offset p50 ${off.p50} / p95 ${off.p95} ms (n ${off.n}); ` +
        `video clock − sound heard: p50 ${pct(skews, 0.5)} / p5 ${pct(skews, 0.05)} / p95 ${pct(skews, 0.95)} ms; audio latency ~${pct(samples.map((s) => s.latency), 0.5).toFixed(0)} ms; ` +
        `audio-to-video offset p50 ${av50} ms, |p95| ≤ ${avAbs95} ms; STREAM_REPORT audio_delay ${end.audioDelayMs?.toFixed(0)} ms`);
      // The issue asks for p95 within one frame: frames are shown within 33 ms of their time on
      // the clock at p95 (5–16 ms measured on the CI machine; a machine loaded to ~20 on 2 cores
      // fired the worker's timers late, p95 33–84 ms). The audio-to-video offset also depends on
      // the audio clock estimate from Xspice's packet stamps, which swings: printed, not asserted
      // (|p95| 31 ms on the CI machine).
      expect(off.p50).toBeLessThanOrEqual(33);
      expect(off.p95).toBeLessThanOrEqual(33);
      expect(end.presented - start.presented).toBeGreaterThanOrEqual(90);
    } finally {
      tone?.stop();
      await video?.stop();
      await proxy.close();
    }
  });
});
