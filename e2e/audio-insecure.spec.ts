// Issue 8, playback in an insecure context (plain http under a real host name): no AudioWorklet
// and no WebCodecs AudioDecoder there. The documented fallback must still play the guest's
// sound: Opus through the opus-decoder package (libopus in WASM, loaded only here) and output
// through AudioBufferSourceNodes scheduled back to back. A 440 Hz sine in Xspice's audio FIFO
// must come out as 440 Hz (measured on the samples scheduled for output, after the gain).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from '@playwright/test';
import { insecureUrl, launchInsecure } from './harness/insecure';
import { test, expect } from './harness/index';
import { openClient, startClientProxy } from './harness/client';
import { startTone } from './harness/audio';
import { AMPLITUDE, audioState, measureTone, waitForPlaybackChannel } from './harness/audio-page';

const fifoDir = mkdtempSync(path.join(tmpdir(), 'spice-web-audio-insecure-'));

let browser: Browser;
test.beforeAll(async ({ browserName }, info) => {
  expect(browserName).toBe('chromium');
  browser = await launchInsecure(info, ['--autoplay-policy=no-user-gesture-required']);
});
test.afterAll(async () => {
  await browser?.close();
  rmSync(fifoDir, { recursive: true, force: true });
});

test.use({ xspiceOptions: { audioFifoDir: fifoDir } });

test('insecure context: Opus via opus-decoder (WASM) and AudioBufferSourceNode output play 440 Hz', async ({ xspice }) => {
  const page = await browser.newPage();
  const proxy = await startClientProxy(xspice);
  const tone = { current: null as null | { stop(): void } };
  try {
    await openClient(page, insecureUrl(proxy.url));
    const ctx = await page.evaluate(() => ({ secure: isSecureContext, worklet: 'audioWorklet' in BaseAudioContext.prototype, audioDecoder: typeof (globalThis as { AudioDecoder?: unknown }).AudioDecoder }));
    // the premise: without it this test would only repeat e2e/audio.spec.ts
    // (AudioWorkletNode exists as a constructor; the context's audioWorklet is [SecureContext])
    expect(ctx).toEqual({ secure: false, worklet: false, audioDecoder: 'undefined' });
    await waitForPlaybackChannel(page);
    tone.current = startTone(fifoDir, { freq: 440, amplitude: AMPLITUDE, seconds: 30, name: `tone-insecure-${xspice.port}.fifo` });
    // Opus mode: we advertise OPUS because the WASM decoder is always there
    await expect.poll(async () => {
      const a = await audioState(page);
      return a && a.output === 'running' && a.playing ? a.mode : `not yet: ${JSON.stringify(a)}`;
    }, { timeout: 20_000 }).toBe('opus');
    const t = await measureTone(page, 'insecure context, opus-decoder + buffers');
    expect(Math.abs(t.hz - 440)).toBeLessThanOrEqual(2);
    expect(t.level).toBeGreaterThan(0.3);
    const errors = await page.evaluate(() => (document.querySelector('spice-client') as unknown as { status: { error?: unknown } }).status.error ?? null);
    expect(errors).toBeNull();
  } finally {
    tone.current?.stop();
    await proxy.close();
    await page.close();
  }
});
