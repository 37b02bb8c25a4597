// Issue 8, playback with the browser's autoplay block on (Chromium's default for a page the
// user has not clicked): the sound waits, one visible "Click to enable sound" button shows, and
// a click on it plays the tone.
//
// Headless Chromium never blocks Web Audio, whatever --autoplay-policy says (checked here: an
// AudioContext is 'running' at once with document-user-activation-required). So the page gets
// what a blocking browser does — every AudioContext made before the first user activation stays
// 'suspended' until resume() is called from a gesture — through an init script; our client's
// code path (state 'blocked', the button, enableAudio() → resume()) is the real one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, expect } from './harness/index';
import { openClient, startClientProxy } from './harness/client';
import { startTone } from './harness/audio';
import { AMPLITUDE, audioState, measureTone, waitForPlaybackChannel, waitForSound } from './harness/audio-page';

const fifoDir = mkdtempSync(path.join(tmpdir(), 'spice-web-autoplay-'));
test.afterAll(() => rmSync(fifoDir, { recursive: true, force: true }));

/**
 * A browser's autoplay block: contexts stay suspended until the user clicked. (Not
 * navigator.userActivation: Playwright's page.evaluate() counts as a user gesture, and the
 * helpers poll the page with it; a trusted click is what a real block waits for.)
 */
const AUTOPLAY_BLOCK = `{
  let clicked = false;
  addEventListener('click', (e) => { if (e.isTrusted) clicked = true; }, true);
  const Native = window.AudioContext;
  window.AudioContext = class extends Native {
    constructor(o) {
      super(o);
      // Chromium starts a new context asynchronously: hold it whenever it reaches 'running'
      const hold = () => {
        if (!clicked && this.state === 'running') void this.suspend();
      };
      this.addEventListener('statechange', hold);
      hold();
    }
  };
}`;

test.describe('autoplay block', () => {
  test.use({ xspiceOptions: { audioFifoDir: fifoDir } });

  test('sound held by the browser shows one "Click to enable sound" button; a click plays the tone', async ({ page, xspice }) => {
    const proxy = await startClientProxy(xspice);
    const tone = { current: null as null | { stop(): void } };
    try {
      await page.addInitScript(AUTOPLAY_BLOCK);
      await openClient(page, proxy.url);
      await waitForPlaybackChannel(page);
      tone.current = startTone(fifoDir, { freq: 440, amplitude: AMPLITUDE, seconds: 30, name: `tone-autoplay-${xspice.port}.fifo` });
      const button = page.locator('spice-client button.sound');
      await expect.poll(async () => (await audioState(page))?.output, { timeout: 20_000 }).toBe('blocked');
      await expect(button).toBeVisible();
      await expect(button).toHaveCount(1);
      expect((await audioState(page))!.output).toBe('blocked');
      await button.click();
      await waitForSound(page, 'opus');
      await expect(button).toHaveCount(0);
      const t = await measureTone(page, 'after the click');
      expect(Math.abs(t.hz - 440)).toBeLessThanOrEqual(2);
    } finally {
      tone.current?.stop();
      await proxy.close();
    }
  });
});
