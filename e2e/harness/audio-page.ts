// The page side of the playback e2e tests: the client's audio state, its captureAudio() tap
// (what the worklet played, after volume and mute), and the measurements on it.
import type { Page } from '@playwright/test';
import config from '../../playwright.config';
import { expect } from './fixtures';
import { rms, toneFrequency } from './audio';

export const RATE = 48000;
export const AMPLITUDE = 0.5;

/** the config's Chromium launch options plus an autoplay policy (a spec-wide test.use) */
export const baseLaunch = config.use!.launchOptions!;
export const withAutoplay = (policy: string) => ({ ...baseLaunch, args: [...(baseLaunch.args ?? []), `--autoplay-policy=${policy}`] });


export interface AudioState { output: string; playing: boolean; mode: string | null; rate: number; channels: number; volume: number[]; muted: boolean; bufferedMs: number; underruns: number; dropped: number }
export const audioState = (page: Page): Promise<AudioState | null> => page.evaluate(() => (document.querySelector('spice-client') as unknown as { audio: AudioState | null }).audio);

/** `frames` frames of channel 0 of what the worklet played (after volume and mute) */
export async function capture(page: Page, frames: number): Promise<Float32Array> {
  const arr = await page.evaluate(async (n) => {
    const planes = await (document.querySelector('spice-client') as unknown as { captureAudio(n: number): Promise<Float32Array[]> }).captureAudio(n);
    return Array.from(planes[0]!);
  }, frames);
  return Float32Array.from(arr);
}

/** the stream is on and the worklet has its cushion: what it plays now is the tone */
export async function waitForSound(page: Page, mode: 'opus' | 'raw'): Promise<AudioState> {
  await expect.poll(async () => {
    const a = await audioState(page);
    return a && a.output === 'running' && a.playing && a.bufferedMs > 50 ? a.mode : `not yet: ${JSON.stringify(a)}`;
  }, { timeout: 20_000 }).toBe(mode);
  return (await audioState(page))!;
}

export async function measureTone(page: Page, label: string): Promise<{ hz: number; level: number }> {
  const s = await capture(page, RATE / 2);
  const { hz, periods } = toneFrequency(s, RATE);
  const level = rms(s);
  console.log(`[${label}] 440 Hz in → ${hz.toFixed(2)} Hz out (median of ${periods} periods), RMS ${level.toFixed(4)} (a ${AMPLITUDE} sine is ${(AMPLITUDE / Math.SQRT2).toFixed(4)})`);
  return { hz, level };
}


/** the playback channel is linked (the server lists it only with an audio FIFO configured) */
export async function waitForPlaybackChannel(page: Page): Promise<void> {
  await expect.poll(async () => (await page.evaluate(() => (document.querySelector('spice-client') as unknown as { channels: Array<{ channelType: number; state: string }> }).channels)).some((c) => c.channelType === 5 && c.state === 'ready'), { timeout: 15_000 }).toBe(true);
}
