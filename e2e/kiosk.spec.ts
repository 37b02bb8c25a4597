// Kiosk mode (issue 10). `spice-web kiosk URL` as documented, under Xvfb: Chromium in kiosk mode
// on an X display of its own whose root window, grabbed with xwd, must be the guest's picture
// edge to edge (no browser chrome, no toolbar of ours). And the page's kiosk mode in Playwright:
// the chrome is hidden, the screen wake lock is held.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, expect, showPattern, startProcess } from './harness/index';
import { comparePixels, cropImage, grabFramebuffer, writePng } from '../scripts/lib/truth.mjs';
import { startClientProxy, waitForExactMatch } from './harness/client';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

test.use({ xspiceOptions: { imageCompression: 'lz', geometry: '800x600' } });

/** an X display number with no server on it (sockets in /tmp/.X11-unix) */
function freeDisplay(): number {
  for (let i = 0; i < 200; i++) {
    const n = 400 + Math.floor(Math.random() * 400);
    if (!existsSync(`/tmp/.X11-unix/X${n}`) && !existsSync(`/tmp/.X${n}-lock`)) return n;
  }
  throw new Error('no free X display number');
}

test('spice-web kiosk under Xvfb shows the guest full-screen with no chrome', async ({ xspice }) => {
  test.setTimeout(150_000);
  await showPattern(xspice);
  const proxy = await startClientProxy(xspice);
  const n = freeDisplay();
  const xvfb = startProcess('Xvfb', [`:${n}`, '-screen', '0', '800x600x24', '-nolisten', 'tcp', '-noreset'], { name: 'xvfb' });
  const profile = mkdtempSync(path.join(tmpdir(), 'spice-web-kiosk-profile-'));
  let kiosk: ReturnType<typeof startProcess> | null = null;
  try {
    await expect.poll(() => existsSync(`/tmp/.X11-unix/X${n}`), { timeout: 20_000, message: 'Xvfb socket' }).toBe(true);
    // the documented command, on that display
    kiosk = startProcess(process.execPath, [path.join(root, 'bin/spice-web.mjs'), 'kiosk', proxy.url, '--window-size', '801,601', '--user-data-dir', profile, '--', '--disable-gpu'], {
      name: 'kiosk',
      env: { ...process.env, DISPLAY: `:${n}` },
    });
    const screen = { display: `:${n}` };
    let last = '';
    let best = Infinity;
    // The kiosk's screen shows the guest's framebuffer 1:1: the guest's picture at (dx, dy) with
    // dx, dy in 0..1 (without a window manager Chromium's window is a pixel larger than asked,
    // so the 800x600 picture sits centred in 801x601), and nothing else — no browser chrome, no
    // toolbar: the top rows are the guest's. The X pointer is not in the root window's pixels.
    const found = expect
      .poll(async () => {
        const [shot, truth] = [await grabFramebuffer(screen), await grabFramebuffer(xspice)];
        let bestHere: { dx: number; dy: number; all: number; top: number } | null = null;
        for (const dy of [0, 1]) {
          for (const dx of [0, 1]) {
            const w = 800 - dx, h = 600 - dy;
            const seen = cropImage(shot, { x: dx, y: dy, width: w, height: h });
            const want = cropImage(truth, { x: 0, y: 0, width: w, height: h });
            const all = comparePixels(seen, want).mismatches;
            const top = comparePixels(seen, want, { region: { x: 0, y: 0, width: w, height: 60 } }).mismatches;
            if (!bestHere || all < bestHere.all) bestHere = { dx, dy, all, top };
          }
        }
        last = `picture at (${bestHere!.dx}, ${bestHere!.dy}): ${bestHere!.all} of ${800 * 600} px differ, ${bestHere!.top} in the top 60 rows`;
        best = Math.min(best, bestHere!.all);
        return bestHere!.top === 0 && bestHere!.all <= 800 * 600 * 0.002;
      }, { timeout: 90_000, intervals: [1000] })
      .toBe(true);
    await found.catch(async (e: unknown) => {
      const shot = await grabFramebuffer(screen);
      writePng(test.info().outputPath('kiosk-screen.png'), shot.width, shot.height, shot.rgba);
      throw new Error(`${String(e)}\nlast comparison: ${last}; fewest mismatches: ${best}`);
    });
    console.log(`[kiosk] root window of the kiosk display vs guest: ${last}`);
  } finally {
    await kiosk?.stop(5000);
    await xvfb.stop(2000);
    await proxy.close();
    rmSync(profile, { recursive: true, force: true });
  }
});

test('?kiosk=1 hides the chrome, keeps the screen awake and shows the guest', async ({ page, xspice }) => {
  await showPattern(xspice);
  const proxy = await startClientProxy(xspice);
  try {
    await page.goto(`${proxy.url}?kiosk=1`);
    await page.waitForFunction(() => document.querySelector('spice-client')?.hasAttribute('kiosk'), undefined, { timeout: 20_000 });
    const match = await waitForExactMatch(page, xspice, 30_000);
    expect(match.ok, match.detail).toBe(true);
    await expect(page.locator('spice-client [part~=toolbar]')).toBeHidden();
    await expect(page.locator('spice-vv-open')).toHaveCount(0);
    await expect(page.locator('.spice-web-kiosk-notice')).toBeHidden();
    // nothing takes room from the screen: the monitor sits centred in the whole viewport
    const box = await page.locator('spice-client canvas.monitor').boundingBox();
    const vp = page.viewportSize()!;
    console.log(`[kiosk] canvas ${JSON.stringify(box)} in ${vp.width}x${vp.height}`);
    expect(box).not.toBeNull();
    expect(Math.abs(box!.y - (vp.height - box!.height) / 2)).toBeLessThanOrEqual(1);
    expect(Math.abs(box!.x - (vp.width - box!.width) / 2)).toBeLessThanOrEqual(1);
    // wake lock: held (headless Chromium grants it on a visible page)
    await page.waitForFunction(() => (document.querySelector('spice-client') as HTMLElement | null)?.dataset['wakeLock'] === 'held', undefined, { timeout: 10_000 });
  } finally {
    await proxy.close();
  }
});
