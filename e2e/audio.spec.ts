// Issue 8, playback: a 440 Hz sine written into Xspice's audio FIFO comes out of our
// AudioWorklet as 440 Hz (measured on the samples the worklet played, through the client's
// captureAudio() tap), in Opus mode (WebCodecs AudioDecoder) and in raw mode; a PLAYBACK_VOLUME
// message changes the level by the amount it says, PLAYBACK_MUTE silences; with the browser's
// autoplay block on, one visible click enables the sound. Xspice itself never sends VOLUME or
// MUTE (its FIFO has no mixer), so those are slipped into the real playback stream by the
// harness's relay (scripts/lib/faulty-relay.mjs), between Xspice and our proxy.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, expect, startFaultyRelay, CHANNEL } from './harness/index';
import { openClient, startClientProxy } from './harness/client';
import { peak, startTone } from './harness/audio';
import { AMPLITUDE, RATE, audioState, capture, measureTone, waitForPlaybackChannel, waitForSound, withAutoplay } from './harness/audio-page';

const fifoDir = mkdtempSync(path.join(tmpdir(), 'spice-web-audio-'));
test.afterAll(() => rmSync(fifoDir, { recursive: true, force: true }));

// the autoplay block is lifted for these tests; e2e/audio-autoplay.spec.ts keeps it (launch
// options are per file: they need a browser of their own)
test.use({ launchOptions: withAutoplay('no-user-gesture-required') });

const MSG_PLAYBACK_VOLUME = 105, MSG_PLAYBACK_MUTE = 106;

for (const mode of ['opus', 'raw'] as const) {
  test.describe(`playback, ${mode} mode`, () => {
    test.use({ xspiceOptions: { audioFifoDir: fifoDir, playbackCompression: mode === 'opus' } });

    test(`a 440 Hz sine in Xspice's FIFO plays as 440 Hz (${mode}); ${mode === 'opus' ? 'VOLUME changes the level by what it says' : 'MUTE silences'}`, async ({ page, xspice }) => {
      test.setTimeout(60_000);
      // the message the relay slips into the playback stream once ~4 s of audio went by
      const inject = mode === 'opus'
        ? { type: MSG_PLAYBACK_VOLUME, body: Buffer.from([2, 0x00, 0x40, 0x00, 0x40]) } // 2 channels × 16384/65535
        : { type: MSG_PLAYBACK_MUTE, body: Buffer.from([1]) };
      const relay = await startFaultyRelay({ target: { port: xspice.port }, inject: { match: { channelType: CHANNEL.PLAYBACK }, afterMessages: 400, kind: inject } });
      const proxy = await startClientProxy({ port: relay.port });
      const tone = { current: null as null | { stop(): void } };
      try {
        await openClient(page, proxy.url);
        await waitForPlaybackChannel(page);
        tone.current = startTone(fifoDir, { freq: 440, amplitude: AMPLITUDE, seconds: 30, name: `tone-${mode}-${xspice.port}.fifo` });
        const st = await waitForSound(page, mode);
        expect(st).toMatchObject({ rate: RATE, channels: 2, volume: [], muted: false });

        const full = await measureTone(page, `${mode}, full volume`);
        expect(Math.abs(full.hz - 440)).toBeLessThanOrEqual(2);
        expect(full.level).toBeGreaterThan(0.3);
        expect(full.level).toBeLessThan(0.4);
        // the capture above was taken before the relay's message arrived
        expect((await audioState(page))!.volume).toEqual([]);
        expect((await audioState(page))!.muted).toBe(false);

        await relay.waitForInjection(20_000);
        if (mode === 'opus') {
          await expect.poll(async () => (await audioState(page))?.volume, { timeout: 10_000 }).toEqual([16384 / 65535, 16384 / 65535]);
          const quiet = await measureTone(page, `${mode}, volume 16384/65535`);
          const ratio = quiet.level / full.level;
          console.log(`[${mode}] level ratio after VOLUME 16384: ${ratio.toFixed(4)} (expected ${(16384 / 65535).toFixed(4)})`);
          expect(Math.abs(ratio - 16384 / 65535)).toBeLessThan(0.01);
          expect(Math.abs(quiet.hz - 440)).toBeLessThanOrEqual(2);
        } else {
          await expect.poll(async () => (await audioState(page))?.muted, { timeout: 10_000 }).toBe(true);
          const s = await capture(page, RATE / 2);
          console.log(`[${mode}] after MUTE: peak ${peak(s)} over ${s.length} frames; still playing: ${(await audioState(page))!.playing}`);
          expect(peak(s)).toBe(0);
          expect((await audioState(page))!.playing).toBe(true);
        }
        const end = (await audioState(page))!;
        console.log(`[${mode}] jitter buffer: ${end.bufferedMs.toFixed(1)} ms queued, ${end.underruns} underruns, ${end.dropped} frames dropped`);
      } finally {
        tone.current?.stop();
        await proxy.close();
        await relay.stop();
      }
    });
  });
}
