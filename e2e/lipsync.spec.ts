// Issue 8, lip-sync (scope 6) against Xspice: a 440 Hz sine in the audio FIFO (Opus) and an M-JPEG
// video at once. The display worker's clock follows the audio heard: the playback worklet reports
// which stamped sample it output when (the played position, not an estimate), and those syncs
// carry the audio delay that STREAM_REPORT reports; frames are shown on that clock. Printed and
// asserted within one frame (33 ms) at p95: the frames' presentation offset against the clock,
// and the audio-to-video offset — each presented frame's mm_time against the mm_time the audio
// output was playing at that moment (the worklet's played position nearest in time, also one
// reported after the frame: scheduler.ts avOffsetPercentiles). Printed too: the video clock
// against the sound heard now, sampled from the page (el.stats()). The same again in an insecure
// context, where the AudioBufferSourceNode fallback plays and its schedule is the clock.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { insecureUrl, launchInsecure } from './harness/insecure';
import type { XspiceServer } from '../scripts/lib/xspice.mjs';
import { test, expect } from './harness/index';
import { openClient, startClientProxy } from './harness/client';
import { toolbarButton } from './harness/ui';
import { startVideo, videoTotals as totals, waitForMonitor } from './harness/video';
import { startTone } from './harness/audio';
import { AMPLITUDE, waitForPlaybackChannel, waitForSound, withAutoplay } from './harness/audio-page';

test.use({ launchOptions: withAutoplay('no-user-gesture-required') });

/** the display worker's audio-to-video offset (scheduler.ts avOffsetPercentiles) for monitor 0 */
type AvOffset = { p50: number; p95: number; abs95: number; n: number } | null;
const avOffset = (page: Page): Promise<AvOffset> =>
  page.evaluate(async () => (await (document.querySelector('spice-client') as unknown as { displayStats(i: number): Promise<{ video: { avOffset?: AvOffset } }> }).displayStats(0)).video.avOffset ?? null);

const fifoDir = mkdtempSync(path.join(tmpdir(), 'spice-web-lipsync-'));
test.afterAll(() => rmSync(fifoDir, { recursive: true, force: true }));

/**
 * Sound and video at once, then the figures; `insecure`: the page is opened under a real host
 * name over plain http (no AudioWorklet: the AudioBufferSourceNode fallback's schedule is the clock)
 */
async function lipSync(page: Page, xspice: XspiceServer, insecure: boolean): Promise<void> {
  const proxy = await startClientProxy(xspice);
  let video: ReturnType<typeof startVideo> | null = null;
  let tone: { stop(): void } | null = null;
  try {
    await openClient(page, insecure ? insecureUrl(proxy.url) : proxy.url);
    await waitForMonitor(page);
    await waitForPlaybackChannel(page);
    tone = startTone(fifoDir, { freq: 440, amplitude: AMPLITUDE, seconds: 90, name: `lipsync-${xspice.port}${insecure ? '-insecure' : ''}.fifo` });
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
    const av = await avOffset(page);
    const pct = (a: number[], p: number) => a.slice().sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(p * a.length))]!;
    const skews = samples.map((s) => s.skew);
    const off = end.offset!;
    console.log(`[lip-sync M-JPEG + Opus${insecure ? ', insecure context' : ''}] ${end.presented - start.presented} frames, ${end.late - start.late} late, ${end.resyncs} resyncs; presentation offset p50 ${off.p50} / p95 ${off.p95} ms (n ${off.n}); ` +
      `audio-to-video offset (played audio at presentation − frame mm_time) p50 ${av?.p50} / p95 ${av?.p95} ms, |p95| ${av?.abs95} ms (n ${av?.n}); ` +
      `video clock − sound heard: p50 ${pct(skews, 0.5)} / p5 ${pct(skews, 0.05)} / p95 ${pct(skews, 0.95)} ms; audio latency ~${pct(samples.map((s) => s.latency), 0.5).toFixed(0)} ms; ` +
      `STREAM_REPORT audio_delay ${end.audioDelayMs?.toFixed(0)} ms`);
    // The issue asks for p95 within one frame (33 ms), for both. (Presentation offset 5–16 ms
    // measured on the CI machine; a machine loaded to ~20 on 2 cores fires the worker's timers
    // late, which shows in both figures.)
    expect(off.p50).toBeLessThanOrEqual(33);
    expect(off.p95).toBeLessThanOrEqual(33);
    expect(av, 'frames were shown while the output reported played positions').not.toBeNull();
    expect(av!.n).toBeGreaterThanOrEqual(60);
    expect(av!.abs95).toBeLessThanOrEqual(33);
    expect(end.presented - start.presented).toBeGreaterThanOrEqual(90);

    // the toolbar's Statistics overlay shows the same figures: the codec, and with sound
    // playing the audio-to-video offset beside the frames' timing
    await toolbarButton(page, 'stats').click();
    const overlay = page.locator('spice-client spice-stats-overlay');
    await expect(overlay).toContainText('MJPEG', { timeout: 10_000 });
    await expect(overlay).toContainText(/frame timing p50 \/ p95\s*-?\d+ \/ -?\d+ ms/);
    await expect(overlay).toContainText(/A\/V offset p50 \/ p95\s*-?\d+ \/ -?\d+ ms/);
    await expect(overlay).toContainText(/opus · buffer \d+ ms/);
    // as a person sees it, narrow and wide (written to test-results)
    for (const width of [390, 1920]) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 1080 });
      await expect(overlay).toBeVisible();
      await page.screenshot({ path: test.info().outputPath(`stats-overlay-${width}${insecure ? '-insecure' : ''}.png`) });
    }
  } finally {
    tone?.stop();
    await video?.stop();
    await proxy.close();
  }
}

test.describe('lip-sync', () => {
  test.use({
    xspiceOptions: { streamingVideo: 'all', videoCodecs: 'spice:mjpeg', imageCompression: 'lz', geometry: '800x600', audioFifoDir: fifoDir, playbackCompression: true },
  });

  test('with sound playing, frames are shown on the audio clock: presentation and audio-to-video offsets within one frame at p95', async ({ page, xspice }) => {
    test.setTimeout(120_000);
    await lipSync(page, xspice, false);
  });

  test('insecure context (no AudioWorklet, the fallback output): the same offsets within one frame at p95', async ({ xspice, browserName }, info) => {
    test.setTimeout(120_000);
    expect(browserName).toBe('chromium');
    const browser = await launchInsecure(info, ['--autoplay-policy=no-user-gesture-required']);
    try {
      const page = await browser.newPage();
      await lipSync(page, xspice, true);
      // the premise: the fallback played (no worklet in an insecure context)
      expect(await page.evaluate(() => ({ secure: isSecureContext, worklet: 'audioWorklet' in BaseAudioContext.prototype }))).toEqual({ secure: false, worklet: false });
    } finally {
      await browser.close();
    }
  });
});
